//! Catching a panic of the library's own code, with the reason it happened.
//!
//! A panic on the protocol thread, or inside the protocol core during an API
//! call, must not go unnoticed: the node catches it, marks itself failed with
//! the reason, and every handle reports the failure (`Node::fail`). The reason
//! should name the panic's location, which only a panic hook sees, so
//! [`catching`] installs, once per process, a hook that records the message
//! and location of a panic on a thread that is inside `catching`, instead of
//! printing them: the library prints only when `EVS_LOG` asks, and `fail` logs
//! the reason itself. Panics anywhere else go to the hook that was installed
//! before ours. A Rust program that installs its own hook later replaces ours;
//! the reason then has the panic's message without its location.

use std::any::Any;
use std::cell::{Cell, RefCell, UnsafeCell};
use std::panic::{self, AssertUnwindSafe};

thread_local! {
    /// How many `catching` calls this thread is inside.
    static CATCHING: Cell<u32> = const { Cell::new(0) };
    /// What the hook recorded of this thread's last caught panic.
    static CAUGHT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// `pthread_once`, not `std::sync::Once`: a forked child whose parent was
/// installing the hook at the fork would wait for ever on a `Once`; glibc's
/// `pthread_once` runs the installation again in such a child.
struct OnceControl(UnsafeCell<libc::pthread_once_t>);
// SAFETY: only ever passed to pthread_once, which synchronises access itself.
unsafe impl Sync for OnceControl {}
static HOOK: OnceControl = OnceControl(UnsafeCell::new(libc::PTHREAD_ONCE_INIT));

fn install_hook() {
    // set_hook panics on a panicking thread, and a panic must not unwind out
    // of the extern "C" function below: such a thread goes on without it.
    if !std::thread::panicking() {
        // SAFETY: a static once-control and a plain function.
        unsafe { libc::pthread_once(HOOK.0.get(), install) };
    }
}

extern "C" fn install() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        // try_with: a panic during thread teardown must still reach a hook.
        if CATCHING.try_with(|c| c.get()).unwrap_or(0) == 0 {
            return previous(info);
        }
        let mut reason = payload_text(info.payload());
        if let Some(at) = info.location() {
            reason = format!("{reason} (at {}:{}:{})", at.file(), at.line(), at.column());
        }
        let _ = CAUGHT.try_with(|c| *c.borrow_mut() = Some(reason));
    }));
}

/// Run `f`; a panic inside it is caught and returned as its reason: the
/// panic's message and, when our hook saw it, its location.
pub(crate) fn catching<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    install_hook();
    CATCHING.with(|c| c.set(c.get() + 1));
    // AssertUnwindSafe: the caller marks whatever `f` may have left half
    // updated as failed and never uses it again.
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(c.get() - 1));
    result.map_err(|payload| CAUGHT.with(|c| c.borrow_mut().take()).unwrap_or_else(|| payload_text(&*payload)))
}

fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_has_the_message_and_the_location() {
        let line = line!() + 1;
        let err = catching(|| -> u32 { panic!("boom {}", 7) }).unwrap_err();
        assert!(err.starts_with("boom 7 (at "), "{err}");
        assert!(err.contains(&format!("src/node/failure.rs:{line}:")), "{err}");
        assert_eq!(catching(|| 5), Ok(5));
        // Nothing is left over for the next catch.
        assert!(CAUGHT.with(|c| c.borrow().is_none()));
    }
}
