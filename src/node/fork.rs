//! The library's process-wide state, kept apart per fork.
//!
//! fork(2) copies only the calling thread. Whatever the parent's other
//! threads were doing at that instant is frozen in the child: a mutex one of
//! them held (the registry, the node slot, a handle's queue) stays locked for
//! ever, the protocol thread that should drive the inherited processor does
//! not exist, and every descriptor (sockets, each handle's eventfd) is shared
//! with the parent, so reading one in the child steals from the parent.
//!
//! So the child must not touch any of it. Each global lives in a [`PerFork`]
//! cell, tagged with the *fork generation* that created it. A child sees a new
//! generation, finds the cell's value tagged with an older one, and installs
//! a fresh value without looking inside the old one: no lock of the parent's
//! is ever taken, nothing of the parent's is dropped (dropping could lock, or
//! join a thread that is not there), it is simply abandoned. Handles created
//! before the fork are therefore unknown in the child (`BadHandle`), and the
//! child's first `initialize` starts a processor of its own.
//!
//! How a child knows it is one: a `pthread_atfork` child handler bumps an
//! atomic counter. It runs inside fork(), in the child, before fork returns
//! and before any other thread can exist, and it does only an atomic add,
//! which is async-signal-safe. Each call then costs one atomic load, where
//! comparing a cached pid would cost a getpid system call in every API call
//! (glibc no longer caches the pid). The handler is registered through
//! `pthread_once`, which glibc makes safe against a fork during the
//! registration itself (the child runs it again), and before any cell is
//! filled, so no state can exist that a fork would not be counted against.
//! If registration fails, the generation falls back to the pid. A child made
//! by a raw clone(2) system call runs no atfork handlers and is not supported
//! (nor is it by libc itself).

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};

/// Forks seen in this process's ancestry since the library was loaded.
static GENERATION: AtomicU64 = AtomicU64::new(0);
/// Whether the atfork handler is in place (else the pid stands in).
static HANDLER: AtomicBool = AtomicBool::new(false);

struct OnceControl(UnsafeCell<libc::pthread_once_t>);
// SAFETY: only ever passed to pthread_once, which synchronises access itself.
unsafe impl Sync for OnceControl {}
static REGISTER: OnceControl = OnceControl(UnsafeCell::new(libc::PTHREAD_ONCE_INIT));

extern "C" fn in_child() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

extern "C" fn register() {
    // SAFETY: registers a handler that is a plain function of this library.
    let rc = unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
    HANDLER.store(rc == 0, Ordering::SeqCst);
}

/// This process's fork generation: it changes in a child, never in the
/// process that created the library's state.
pub(crate) fn generation() -> u64 {
    // SAFETY: a static once-control and a plain function.
    unsafe { libc::pthread_once(REGISTER.0.get(), register) };
    if HANDLER.load(Ordering::SeqCst) {
        GENERATION.load(Ordering::SeqCst)
    } else {
        // No handler: one system call per use, but still correct.
        (1 << 63) | u64::from(std::process::id())
    }
}

struct Slot<T> {
    generation: u64,
    value: T,
}

/// A process-wide value that a forked child replaces with a fresh one
/// instead of inheriting it. Values are never dropped: a slot, once
/// published, may be in use by the process that published it for as long as
/// it runs, and in a child it is abandoned untouched.
pub(crate) struct PerFork<T> {
    current: AtomicPtr<Slot<T>>,
}

impl<T: Default> PerFork<T> {
    pub const fn new() -> PerFork<T> {
        PerFork { current: AtomicPtr::new(std::ptr::null_mut()) }
    }

    /// This generation's value, created on first use.
    pub fn get(&self) -> &T {
        self.get_in(generation())
    }

    fn get_in(&self, generation: u64) -> &T {
        loop {
            let seen = self.current.load(Ordering::Acquire);
            // SAFETY: a published slot is never freed (see the type's doc).
            if let Some(slot) = unsafe { seen.as_ref() } {
                if slot.generation == generation {
                    return &slot.value;
                }
            }
            // None yet, or an ancestor's: publish ours and abandon that one.
            let fresh = Box::into_raw(Box::new(Slot { generation, value: T::default() }));
            match self.current.compare_exchange(seen, fresh, Ordering::AcqRel, Ordering::Acquire) {
                // SAFETY: just published, never freed.
                Ok(_) => return unsafe { &(*fresh).value },
                // Another thread of this generation published first: ours was
                // never seen by anyone, so it may go.
                // SAFETY: `fresh` came from Box::into_raw and was not published.
                Err(_) => drop(unsafe { Box::from_raw(fresh) }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn a_new_generation_gets_a_fresh_value_without_touching_the_old_one() {
        static CELL: PerFork<Mutex<Vec<u32>>> = PerFork::new();
        let parent = CELL.get_in(7);
        parent.lock().unwrap().push(1);
        assert_eq!(*CELL.get_in(7).lock().unwrap(), vec![1]);
        // The parent's lock is held (as by a thread frozen at the fork): the
        // child's value must come without waiting for it.
        let _held = parent.lock().unwrap();
        let child = CELL.get_in(8);
        assert!(child.try_lock().unwrap().is_empty());
        child.lock().unwrap().push(2);
        assert_eq!(*CELL.get_in(8).lock().unwrap(), vec![2]);
    }

    #[test]
    fn the_generation_is_stable_without_a_fork() {
        assert_eq!(generation(), generation());
        assert!(HANDLER.load(Ordering::SeqCst), "pthread_atfork registration failed");
    }
}
