//! An eventfd: a descriptor that polls readable once signalled, until reset.
//! It wakes the protocol thread from poll(2), and tells an application that a
//! handle has callbacks pending.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};

pub(crate) struct EventFd {
    fd: OwnedFd,
    /// For [`EventFd::wake`] and [`EventFd::woken`] only: a wake since the
    /// sleeper last cleared it.
    pending: AtomicBool,
}

impl EventFd {
    pub fn new() -> std::io::Result<EventFd> {
        // SAFETY: eventfd has no memory preconditions; the result is checked.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: a fresh descriptor we own.
        Ok(EventFd { fd: unsafe { OwnedFd::from_raw_fd(fd) }, pending: AtomicBool::new(false) })
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

    /// Wake the one thread that sleeps on this descriptor (the protocol
    /// thread), with no system call if a wake is already on its way: under a
    /// flood every multicast wakes it, and a `write` per message, with the
    /// thread's `read` per turn, was two system calls per message.
    pub fn wake(&self) {
        if !self.pending.swap(true, Ordering::SeqCst) {
            self.signal();
        }
    }

    /// The sleeper's side of [`EventFd::wake`], once per turn after `poll`:
    /// `readable` is what poll said of this descriptor. The read comes before
    /// the flag is cleared, so that a wake whose `write` the read consumed
    /// cannot leave the flag set with nothing to read (every later wake would
    /// be skipped); a wake between the two is seen by the turn that follows
    /// (its work was done before it), and one after them writes again. At
    /// worst a write lands after the flag is cleared: one extra turn.
    pub fn woken(&self, readable: bool) {
        if readable {
            self.reset();
        }
        self.pending.store(false, Ordering::SeqCst);
    }

    pub fn raw(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
