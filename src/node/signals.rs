//! Library threads block every signal.
//!
//! A signal sent to the process goes to any thread that does not block it, so
//! without this an application's handler could run on the protocol thread:
//! in the middle of the library's own work, with the application's
//! assumptions (which thread, which locks) broken. A new thread inherits its
//! creator's mask, so the caller's mask is widened to everything just around
//! the spawn, then put back: the caller's own mask is unchanged afterwards.
//! SIGKILL and SIGSTOP cannot be blocked, and glibc keeps the signals it uses
//! internally (thread cancellation, setxid) out of any mask by itself.

use std::io;
use std::thread::{Builder, JoinHandle};

/// Spawn `f` on a thread built by `builder`, with every signal blocked there.
pub(crate) fn spawn_blocking_signals<F>(builder: Builder, f: F) -> io::Result<JoinHandle<()>>
where
    F: FnOnce() + Send + 'static,
{
    // SAFETY: sigfillset and pthread_sigmask only write the sigset_t values
    // given, which are valid, zero-initialised locals.
    let mut all: libc::sigset_t = unsafe { std::mem::zeroed() };
    let mut caller: libc::sigset_t = unsafe { std::mem::zeroed() };
    unsafe {
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut caller);
    }
    let spawned = builder.spawn(f);
    // SAFETY: as above; `caller` holds the mask read by the first call.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &caller, std::ptr::null_mut()) };
    spawned
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask() -> libc::sigset_t {
        // SAFETY: reads the calling thread's mask into a valid local.
        unsafe {
            let mut m: libc::sigset_t = std::mem::zeroed();
            libc::pthread_sigmask(libc::SIG_SETMASK, std::ptr::null(), &mut m);
            m
        }
    }

    fn blocked(m: &libc::sigset_t, sig: libc::c_int) -> bool {
        // SAFETY: a valid sigset_t.
        unsafe { libc::sigismember(m, sig) == 1 }
    }

    #[test]
    fn the_thread_blocks_signals_and_the_caller_keeps_its_mask() {
        let before = mask();
        assert!(!blocked(&before, libc::SIGUSR1), "the test thread starts with SIGUSR1 unblocked");
        let t = spawn_blocking_signals(Builder::new(), || {
            let m = mask();
            for sig in [libc::SIGUSR1, libc::SIGALRM, libc::SIGTERM, libc::SIGINT, libc::SIGCHLD] {
                assert!(blocked(&m, sig), "signal {sig} unblocked on a library thread");
            }
        })
        .unwrap();
        t.join().unwrap();
        let after = mask();
        for sig in 1..libc::SIGRTMIN() {
            assert_eq!(blocked(&before, sig), blocked(&after, sig), "signal {sig}");
        }
    }
}
