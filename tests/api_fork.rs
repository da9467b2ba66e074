//! fork(2) semantics: in a child, every handle created before the fork is
//! `BadHandle` and nothing the parent shares is touched; the child's first
//! `initialize` starts a processor of its own. The C test
//! `c-tests/robust/t-fork.sh` forks under load; these cover the safe API and
//! a fork from inside a callback.
//!
//! The tests of this file share the process's node, so they take `SERIAL`.
//! A child reports through its exit code and never returns into the harness.

mod common;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::collect;
use evs::api::{Callback, DispatchMode, Error, Group, Guarantee, Handle};

static SERIAL: Mutex<()> = Mutex::new(());

fn private_port() -> u16 {
    // A private group port: parallel test runs must not meet.
    let port = common::free_port();
    std::env::set_var("EVS_MCASTPORT", port.to_string());
    port
}

/// Fork; the child runs `child` (watched by an alarm) and exits with its
/// code. The parent gets the child's exit code, or a panic if it was killed.
fn in_child(child: impl FnOnce() -> i32) -> i32 {
    // SAFETY: the child calls only the library and _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        // SAFETY: plain system calls in the child.
        unsafe {
            libc::alarm(10);
            libc::_exit(child());
        }
    }
    let mut status = 0;
    // SAFETY: waits for our own child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(libc::WIFEXITED(status), "the child did not exit (hung or killed): status {status:#x}");
    libc::WEXITSTATUS(status)
}

fn delivers_to_itself(h: Handle, text: &[u8]) -> bool {
    let g = Group::named(b"fork-test");
    if h.join(&[g]).is_err() || h.mcast_joined(Guarantee::Agreed, &[text]).is_err() {
        return false;
    }
    let end = Instant::now() + Duration::from_secs(5);
    while Instant::now() < end {
        for cb in collect(h, 1, Duration::from_millis(20)) {
            if matches!(cb, Callback::Deliver { payload, .. } if payload == text) {
                return true;
            }
        }
    }
    false
}

#[test]
fn inherited_handles_are_bad_and_a_fresh_one_is_a_new_processor() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let port = private_port();
    let h = Handle::initialize().unwrap();
    let (parent_id, _) = h.membership().unwrap();

    let code = in_child(|| {
        if h.membership() != Err(Error::BadHandle) {
            return 10;
        }
        if h.mcast_joined(Guarantee::Agreed, &[b"x"]) != Err(Error::BadHandle) {
            return 11;
        }
        if h.dispatch(DispatchMode::All, &mut |_, _| {}) != Err(Error::BadHandle) {
            return 12;
        }
        if h.fd() != Err(Error::BadHandle) || h.finalize() != Err(Error::BadHandle) {
            return 13;
        }
        // A ring of its own, so as not to disturb the parent's.
        std::env::set_var("EVS_MCASTPORT", (port.wrapping_add(1)).to_string());
        let Ok(fresh) = Handle::initialize() else { return 20 };
        match fresh.membership() {
            Ok((id, members)) if id != parent_id && members == vec![id] => {}
            _ => return 21,
        }
        if !delivers_to_itself(fresh, b"child") {
            return 22;
        }
        if fresh.finalize().is_err() {
            return 23;
        }
        0
    });
    assert_eq!(code, 0, "the child's check {code} failed");
    // The parent is untouched.
    assert!(delivers_to_itself(h, b"parent"));
    h.finalize().unwrap();
}

#[test]
fn a_fork_inside_a_callback_ends_the_childs_dispatch() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    private_port();
    let h = Handle::initialize().unwrap();
    // The first callback (the configuration) is pending: fork from inside it.
    let mut child = false;
    let mut parent_pid = 0;
    let result = h.dispatch(DispatchMode::One, &mut |_, _| {
        // SAFETY: the child calls only the library and _exit.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0);
        child = pid == 0;
        parent_pid = pid;
    });
    if child {
        // The handle is the parent's here: dispatch must say so rather than
        // go on with the parent's queue and descriptor.
        let code = match (result, h.dispatch(DispatchMode::All, &mut |_, _| {})) {
            (Err(Error::BadHandle), Err(Error::BadHandle)) => 0,
            (Ok(()), _) => 1,
            _ => 2,
        };
        // SAFETY: the child leaves at once.
        unsafe { libc::_exit(code) };
    }
    result.unwrap();
    let mut status = 0;
    // SAFETY: waits for our own child.
    assert_eq!(unsafe { libc::waitpid(parent_pid, &mut status, 0) }, parent_pid);
    assert!(libc::WIFEXITED(status), "the child did not exit: {status:#x}");
    assert_eq!(libc::WEXITSTATUS(status), 0, "in the child, dispatch did not report BadHandle");
    assert!(delivers_to_itself(h, b"after the fork"));
    h.finalize().unwrap();
}
