//! Many datagrams in one system call (`recvmmsg(2)`).
//!
//! Under a flood a processor receives tens of thousands of datagrams a
//! second; one `recvfrom` each, plus the one that finds the socket empty, was
//! two system calls per datagram. A [`RecvBatch`] is a set of reusable slots
//! that one call fills, and that the protocol thread reads before it takes
//! the core's lock (so an application thread's multicast never waits for the
//! protocol thread's system calls).

use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;

use socket2::{SockAddr, Socket};

/// Room for the largest datagram we accept (a packet of `MAX_PACKET` bytes
/// in its envelope, with margin). The slots are allocated zeroed, which the
/// allocator serves from untouched pages: a slot costs resident memory only
/// for the bytes datagrams really wrote into it.
pub const SLOT_BYTES: usize = 65_536;

/// Reusable receive slots and what the last calls put in them.
pub struct RecvBatch {
    arena: Vec<u8>,
    /// Per slot, where the kernel writes the sender's address.
    names: Vec<libc::sockaddr_storage>,
    /// Filled slots in arrival order: (slot, length, source).
    filled: Vec<(usize, usize, SocketAddr)>,
    slots: usize,
    /// The system call's vectors, kept so that reading allocates nothing.
    iovecs: Vec<libc::iovec>,
    headers: Vec<libc::mmsghdr>,
}

// SAFETY: the raw pointers in `iovecs` and `headers` are only written and
// used inside `fill_from`, pointing into this value's own buffers.
unsafe impl Send for RecvBatch {}

impl RecvBatch {
    /// A batch of `slots` datagrams (at least one).
    pub fn new(slots: usize) -> RecvBatch {
        let slots = slots.max(1);
        // SAFETY: sockaddr_storage is a plain C struct; all-zero is valid.
        let empty: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        RecvBatch {
            arena: vec![0u8; slots * SLOT_BYTES],
            names: vec![empty; slots],
            filled: Vec::with_capacity(slots),
            slots,
            iovecs: Vec::with_capacity(slots),
            headers: Vec::with_capacity(slots),
        }
    }

    /// Forget the datagrams read so far; their slots are free again.
    pub fn clear(&mut self) {
        self.filled.clear();
    }

    pub fn len(&self) -> usize {
        self.filled.len()
    }

    pub fn is_empty(&self) -> bool {
        self.filled.is_empty()
    }

    /// Slots not yet filled since the last `clear`.
    pub fn room(&self) -> usize {
        self.slots - self.filled.len()
    }

    /// The datagrams read since the last `clear`, in arrival order (per socket).
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], SocketAddr)> + '_ {
        self.filled.iter().map(|&(slot, len, from)| (&self.arena[slot * SLOT_BYTES..][..len], from))
    }

    /// As `iter`, writable: a sealed datagram is decrypted where it lies.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&mut [u8], SocketAddr)> + '_ {
        // Slots are dense (`fill_from`): the i-th datagram is in slot i.
        self.arena.chunks_mut(SLOT_BYTES).zip(self.filled.iter()).enumerate().map(|(at, (slot, &(i, len, from)))| {
            debug_assert_eq!(at, i, "slots are dense");
            (&mut slot[..len], from)
        })
    }

    /// Read what `socket` has pending into free slots, at most `max` datagrams,
    /// without blocking; how many were read (0: nothing pending).
    pub fn fill_from(&mut self, socket: &Socket, max: usize) -> io::Result<usize> {
        let first = self.filled.len();
        let n = max.min(self.room());
        if n == 0 {
            return Ok(0);
        }
        // The call's vectors are rebuilt in place each time (their pointers
        // change with `first`), in buffers kept from call to call: reading a
        // batch allocates nothing.
        let base = self.arena.as_mut_ptr();
        let names = self.names[first..first + n].as_mut_ptr();
        self.iovecs.clear();
        self.iovecs.extend((first..first + n).map(|slot| libc::iovec {
            // SAFETY: slot < slots, so the slot lies inside the arena.
            iov_base: unsafe { base.add(slot * SLOT_BYTES) } as *mut libc::c_void,
            iov_len: SLOT_BYTES,
        }));
        let iovecs = self.iovecs.as_mut_ptr();
        self.headers.clear();
        self.headers.extend((0..n).map(|i| {
            // SAFETY: msghdr is a plain C struct; all-zero is valid. The
            // pointers set below stay valid for the call.
            let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
            // SAFETY: i < n, inside `self.names[first..first + n]` and `self.iovecs`.
            msg.msg_name = unsafe { names.add(i) } as *mut libc::c_void;
            msg.msg_namelen = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            // SAFETY: as above.
            msg.msg_iov = unsafe { iovecs.add(i) };
            msg.msg_iovlen = 1;
            libc::mmsghdr { msg_hdr: msg, msg_len: 0 }
        }));
        let headers = &mut self.headers;
        let got = loop {
            // SAFETY: `headers` holds n initialised entries whose buffers and
            // name fields point into memory we own for the call's duration.
            let rc = unsafe {
                libc::recvmmsg(
                    socket.as_raw_fd(),
                    headers.as_mut_ptr(),
                    n as libc::c_uint,
                    libc::MSG_DONTWAIT,
                    std::ptr::null_mut(),
                )
            };
            if rc >= 0 {
                break rc as usize;
            }
            let e = io::Error::last_os_error();
            match e.kind() {
                io::ErrorKind::Interrupted => continue,
                io::ErrorKind::WouldBlock => return Ok(0),
                _ => return Err(e),
            }
        };
        let mut kept = 0;
        for i in 0..got {
            let h = &self.headers[i];
            if h.msg_hdr.msg_flags & libc::MSG_TRUNC != 0 {
                // Cut short (a slot holds any UDP datagram, so only an IPv6
                // jumbogram could be): a cut frame is garbage.
                continue;
            }
            // SAFETY: the kernel wrote a socket address of msg_namelen bytes.
            let addr = unsafe { SockAddr::new(self.names[first + i], h.msg_hdr.msg_namelen) };
            let Some(from) = addr.as_socket() else { continue }; // not IP: cannot be ours
                                                                 // Slots stay dense: a skipped datagram's slot is reused by the next.
            let slot = first + kept;
            if slot != first + i {
                let src = (first + i) * SLOT_BYTES;
                self.arena.copy_within(src..src + h.msg_len as usize, slot * SLOT_BYTES);
            }
            self.filled.push((slot, h.msg_len as usize, from));
            kept += 1;
        }
        Ok(got)
    }
}
