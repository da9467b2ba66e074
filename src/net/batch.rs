//! Many datagrams in one system call (`sendmmsg(2)`), and runs of them in
//! one datagram buffer that the kernel cuts up (UDP segmentation offload,
//! `UDP_SEGMENT`, Linux 4.18 and later).
//!
//! A token visit produces a burst of datagrams (new frames, retransmissions,
//! the token itself): one `sendto` each cost a system call per datagram, the
//! largest item of a flood's profile after the wakeups. The protocol thread
//! hands the whole burst over at once.
//!
//! Most of what a datagram costs is not the system call but the kernel's walk
//! of each one through its stack (and, on a LAN of namespaces or on loopback,
//! through the receivers' side too, in the sender's soft interrupt). Frames of
//! one size to one destination, as a large message's fragments are, go as
//! one segmented buffer: the kernel walks it once and cuts it into the same
//! datagrams at the last moment (in the network card, or just before the
//! receiving socket), so the wire and the receivers see exactly what they
//! would have. Raw UDP multicast of 1472-byte datagrams on the namespace LAN
//! went from 150 MB/s to 500-700 MB/s this way. A kernel or device that
//! refuses it turns it off for the socket, and the refused datagrams go
//! one by one.

use std::io;
use std::os::fd::AsRawFd;

use socket2::{SockAddr, Socket};

/// Most entries given to one `sendmmsg` call (the kernel caps a call at
/// `UIO_MAXIOV`, 1024).
const PER_CALL: usize = 64;
/// Most datagrams in one segmented buffer (the kernel's `UDP_MAX_SEGMENTS`
/// is 64 before Linux 6.x and 128 after).
const MAX_SEGMENTS: usize = 64;
/// Most bytes in one segmented buffer: it is one UDP datagram to the kernel
/// until it is cut, and an IP packet carries at most 65,535 bytes.
const MAX_SEGMENTED_BYTES: usize = 65_000;
// A run's segment size is below its byte bound, so it fits the cmsg's u16.
const _: () = assert!(MAX_SEGMENTED_BYTES <= u16::MAX as usize);

/// `UDP_SEGMENT` from `linux/udp.h` (not in every libc crate version).
const UDP_SEGMENT: libc::c_int = 103;

/// Whether runs of equal datagrams are handed to the kernel as one
/// segmented buffer; off once the kernel refused one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Segmentation {
    On,
    Off,
}

/// Send each `(destination, datagram)` in order, each datagram being
/// `prefix` followed by its bytes (gathered by the kernel from two pieces:
/// the envelope is never copied in front of each payload). A datagram the kernel
/// refuses (a full buffer: `WouldBlock`, an unreachable address) is skipped,
/// as if lost on the network (with segmentation, the run it went in), and
/// the others still go; the first such error is returned after all were
/// tried. If the kernel refuses a segmented run as such, `segmentation`
/// turns off and the run goes again datagram by datagram.
pub(crate) fn send_many(
    socket: &Socket,
    prefix: &[u8],
    items: &[(&SockAddr, &[u8])],
    segmentation: &mut Segmentation,
) -> io::Result<()> {
    let mut first_err = None;
    let runs = plan(prefix.len(), items, *segmentation);
    let mut start = 0;
    while start < runs.len() {
        let chunk = &runs[start..runs.len().min(start + PER_CALL)];
        match send_chunk(socket, prefix, items, chunk) {
            Ok(sent) => start += sent.max(1).min(chunk.len()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if chunk[0].segment.is_some() && refuses_segmentation(&e) => {
                // This kernel or device cannot: never again on this socket,
                // and what was planned from here on goes unsegmented.
                *segmentation = Segmentation::Off;
                let (_, rest) = items.split_at(chunk[0].first);
                return match send_many(socket, prefix, rest, segmentation) {
                    Ok(()) => first_err.map_or(Ok(()), Err),
                    Err(e) => Err(first_err.unwrap_or(e)),
                };
            }
            Err(e) => {
                // sendmmsg fails only when the first entry of the call
                // does: skip that one.
                first_err.get_or_insert(e);
                start += 1;
            }
        }
    }
    first_err.map_or(Ok(()), Err)
}

/// One `sendmmsg` entry: `count` consecutive items from `first`, to one
/// destination; `segment` is the size the kernel cuts them at when there are
/// several.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    first: usize,
    count: usize,
    segment: Option<u16>,
}

/// Group the items into runs: consecutive datagrams to one destination, all
/// of one size but the last (which may be shorter: the kernel's rule).
fn plan(prefix: usize, items: &[(&SockAddr, &[u8])], segmentation: Segmentation) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::with_capacity(items.len());
    for (i, (to, data)) in items.iter().enumerate() {
        let len = prefix + data.len();
        if segmentation == Segmentation::On {
            if let Some(run) = runs.last_mut() {
                let (head_to, head) = items[run.first];
                let size = prefix + head.len();
                let last_len = prefix + items[run.first + run.count - 1].1.len();
                let joins = head_to == *to
                    && last_len == size
                    && len <= size
                    && run.count < MAX_SEGMENTS
                    && size * run.count + len <= MAX_SEGMENTED_BYTES;
                if joins {
                    run.count += 1;
                    run.segment = Some(size as u16);
                    continue;
                }
            }
        }
        runs.push(Run { first: i, count: 1, segment: None });
    }
    runs
}

/// Whether an error says the kernel cannot segment (rather than that this
/// send failed, as a full buffer or an unreachable address would).
fn refuses_segmentation(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EINVAL | libc::EIO | libc::ENOPROTOOPT | libc::EOPNOTSUPP | libc::EMSGSIZE))
}

/// The control message that carries a run's segment size.
#[repr(C)]
struct SegmentCmsg {
    header: libc::cmsghdr,
    size: u16,
    /// Up to the aligned length the kernel walks (`CMSG_SPACE`).
    _pad: [u8; 6],
}

/// One `sendmmsg` call over `chunk`; how many runs it sent (at least one).
fn send_chunk(socket: &Socket, prefix: &[u8], items: &[(&SockAddr, &[u8])], chunk: &[Run]) -> io::Result<usize> {
    let piece = |bytes: &[u8]| libc::iovec { iov_base: bytes.as_ptr() as *mut libc::c_void, iov_len: bytes.len() };
    // Two pieces per datagram: the prefix, then the payload; a run's
    // datagrams one after the other.
    let mut iovecs: Vec<libc::iovec> = Vec::with_capacity(2 * chunk.iter().map(|r| r.count).sum::<usize>());
    for run in chunk {
        for (_, data) in &items[run.first..run.first + run.count] {
            iovecs.push(piece(prefix));
            iovecs.push(piece(data));
        }
    }
    let mut cmsgs: Vec<SegmentCmsg> = chunk
        .iter()
        .map(|run| {
            // SAFETY: cmsghdr is a plain C struct; all-zero is valid.
            let mut header: libc::cmsghdr = unsafe { std::mem::zeroed() };
            header.cmsg_level = libc::SOL_UDP;
            header.cmsg_type = UDP_SEGMENT;
            // SAFETY: CMSG_LEN only computes a length.
            header.cmsg_len = unsafe { libc::CMSG_LEN(std::mem::size_of::<u16>() as u32) } as _;
            SegmentCmsg { header, size: run.segment.unwrap_or(0), _pad: [0; 6] }
        })
        .collect();
    let mut headers: Vec<libc::mmsghdr> = Vec::with_capacity(chunk.len());
    let mut next_iov = 0;
    for (run, cmsg) in chunk.iter().zip(cmsgs.iter_mut()) {
        let (to, _) = items[run.first];
        // SAFETY: msghdr is a plain C struct for which all-zero is a valid
        // value; the fields set below point into `items`, `prefix`,
        // `iovecs` and `cmsgs`, which outlive the call.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_name = to.as_ptr() as *mut libc::c_void;
        msg.msg_namelen = to.len();
        msg.msg_iov = iovecs[next_iov..].as_mut_ptr();
        msg.msg_iovlen = 2 * run.count;
        next_iov += 2 * run.count;
        if run.segment.is_some() {
            msg.msg_control = (cmsg as *mut SegmentCmsg).cast();
            // SAFETY: CMSG_SPACE only computes a length.
            msg.msg_controllen = unsafe { libc::CMSG_SPACE(std::mem::size_of::<u16>() as u32) } as _;
        }
        headers.push(libc::mmsghdr { msg_hdr: msg, msg_len: 0 });
    }
    // SAFETY: `headers` holds `headers.len()` initialised entries whose
    // pointers stay valid for the duration of the call; the kernel only
    // writes `msg_len` fields.
    let n = unsafe { libc::sendmmsg(socket.as_raw_fd(), headers.as_mut_ptr(), headers.len() as libc::c_uint, 0) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(port: u16) -> SockAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], port)).into()
    }

    fn runs(items: &[(&SockAddr, &[u8])], s: Segmentation) -> Vec<(usize, usize, Option<u16>)> {
        plan(4, items, s).iter().map(|r| (r.first, r.count, r.segment)).collect()
    }

    #[test]
    fn equal_datagrams_to_one_destination_make_one_run_the_last_may_be_shorter() {
        let (a, b) = (addr(1), addr(2));
        let (big, small) = ([0u8; 100], [0u8; 40]);
        let items: Vec<(&SockAddr, &[u8])> =
            vec![(&a, &big), (&a, &big), (&a, &big), (&a, &small), (&a, &big), (&b, &big), (&b, &small)];
        // The run ends after a shorter datagram (every segment but the last
        // is full) and at a change of destination.
        assert_eq!(runs(&items, Segmentation::On), vec![(0, 4, Some(104)), (4, 1, None), (5, 2, Some(104))]);
        assert_eq!(runs(&items, Segmentation::Off).len(), items.len());
    }

    #[test]
    fn a_larger_datagram_starts_a_run_and_runs_stay_within_the_kernels_limits() {
        let a = addr(1);
        let (small, big) = ([0u8; 40], [0u8; 100]);
        let items: Vec<(&SockAddr, &[u8])> = vec![(&a, &small), (&a, &big)];
        assert_eq!(runs(&items, Segmentation::On), vec![(0, 1, None), (1, 1, None)]);

        let full = vec![0u8; 1468];
        let many: Vec<(&SockAddr, &[u8])> = (0..100).map(|_| (&a, &full[..])).collect();
        let planned = plan(4, &many, Segmentation::On);
        assert!(planned.iter().all(|r| r.count * 1472 <= MAX_SEGMENTED_BYTES && r.count <= MAX_SEGMENTS));
        assert_eq!(planned.iter().map(|r| r.count).sum::<usize>(), 100);
        assert_eq!(planned[0].count, MAX_SEGMENTED_BYTES / 1472);

        let tiny = [0u8; 10];
        let many: Vec<(&SockAddr, &[u8])> = (0..100).map(|_| (&a, &tiny[..])).collect();
        assert_eq!(plan(4, &many, Segmentation::On)[0].count, MAX_SEGMENTS);
    }
}
