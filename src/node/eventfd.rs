//! An eventfd: a descriptor that polls readable once signalled, until reset.
//! It wakes the protocol thread from poll(2), and tells an application that a
//! handle has callbacks pending.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

pub(crate) struct EventFd {
    fd: OwnedFd,
}

impl EventFd {
    pub fn new() -> std::io::Result<EventFd> {
        // SAFETY: eventfd has no memory preconditions; the result is checked.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: a fresh descriptor we own.
        Ok(EventFd { fd: unsafe { OwnedFd::from_raw_fd(fd) } })
    }

    pub fn signal(&self) {
        let one: u64 = 1;
        // SAFETY: 8 bytes from a valid u64 to our eventfd.
        unsafe { libc::write(self.fd.as_raw_fd(), &one as *const u64 as *const libc::c_void, 8) };
    }

    /// Make it unreadable again (a no-op when not signalled).
    pub fn reset(&self) {
        let mut v: u64 = 0;
        // SAFETY: 8 bytes into a valid u64 from our non-blocking eventfd.
        unsafe { libc::read(self.fd.as_raw_fd(), &mut v as *mut u64 as *mut libc::c_void, 8) };
    }

    pub fn raw(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
