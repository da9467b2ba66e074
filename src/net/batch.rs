//! Many datagrams in one system call (`sendmmsg(2)`).
//!
//! A token visit produces a burst of datagrams (new frames, retransmissions,
//! the token itself): one `sendto` each cost a system call per datagram, the
//! largest item of a flood's profile after the wakeups. The protocol thread
//! now hands the whole burst over at once.

use std::io;
use std::os::fd::AsRawFd;

use socket2::{SockAddr, Socket};

/// Most datagrams given to one `sendmmsg` call (the kernel caps a call at
/// `UIO_MAXIOV`, 1024).
const PER_CALL: usize = 64;

/// Send each `(destination, datagram)` in order, each datagram being
/// `prefix` followed by its bytes (gathered by the kernel from two pieces:
/// the envelope is never copied in front of each payload). A datagram the kernel
/// refuses (a full buffer: `WouldBlock`, an unreachable address) is skipped,
/// as if lost on the network, and the others still go; the first such error is
/// returned after all were tried.
pub(crate) fn send_many(socket: &Socket, prefix: &[u8], items: &[(&SockAddr, &[u8])]) -> io::Result<()> {
    let mut first_err = None;
    let mut start = 0;
    while start < items.len() {
        let chunk = &items[start..items.len().min(start + PER_CALL)];
        match send_chunk(socket, prefix, chunk) {
            Ok(sent) => start += sent.max(1).min(chunk.len()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                // sendmmsg fails only when the first datagram of the call
                // does: skip that one.
                first_err.get_or_insert(e);
                start += 1;
            }
        }
    }
    first_err.map_or(Ok(()), Err)
}

/// One `sendmmsg` call over `chunk`; how many datagrams it sent (at least one).
fn send_chunk(socket: &Socket, prefix: &[u8], chunk: &[(&SockAddr, &[u8])]) -> io::Result<usize> {
    let piece = |bytes: &[u8]| libc::iovec { iov_base: bytes.as_ptr() as *mut libc::c_void, iov_len: bytes.len() };
    // Two pieces per datagram: the prefix, then the payload.
    let mut iovecs: Vec<libc::iovec> = chunk.iter().flat_map(|(_, data)| [piece(prefix), piece(data)]).collect();
    let mut headers: Vec<libc::mmsghdr> = chunk
        .iter()
        .zip(iovecs.chunks_exact_mut(2))
        .map(|((to, _), pair)| {
            // SAFETY: msghdr is a plain C struct for which all-zero is a valid
            // value; the fields set below point into `chunk`, `prefix` and
            // `iovecs`, which outlive the call.
            let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
            msg.msg_name = to.as_ptr() as *mut libc::c_void;
            msg.msg_namelen = to.len();
            msg.msg_iov = pair.as_mut_ptr();
            msg.msg_iovlen = 2;
            libc::mmsghdr { msg_hdr: msg, msg_len: 0 }
        })
        .collect();
    // SAFETY: `headers` holds `headers.len()` initialised entries whose
    // pointers stay valid for the duration of the call; the kernel only
    // writes `msg_len` fields.
    let n = unsafe { libc::sendmmsg(socket.as_raw_fd(), headers.as_mut_ptr(), headers.len() as libc::c_uint, 0) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}
