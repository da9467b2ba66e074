//! A panic on the protocol thread fails the node, and every handle learns it:
//! each call reports `Error::Library` (`CS_ERR_LIBRARY` in C), a blocked
//! dispatch wakes up, the fd polls readable, `EVS_LOG` says why once;
//! finalize still works, and a later initialize gets a new processor that
//! delivers. The panic comes from the test hook `api::testing`, which panics
//! while holding the core's lock, so the poisoned mutex is exercised too.
//!
//! The tests of this file share the process's node, so they take `SERIAL`.

mod common;

use common::collect;
use std::os::fd::RawFd;
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use evs::api::{testing, Callback, DispatchMode, Error, Group, Guarantee, Handle};

static SERIAL: Mutex<()> = Mutex::new(());

/// How long a failure may take to reach a caller: "promptly".
const PROMPT: Duration = Duration::from_secs(2);

fn private_port() {
    // A private group port: parallel test runs must not meet.
    std::env::set_var("EVS_MCASTPORT", common::free_port().to_string());
}

fn readable(fd: RawFd, timeout_ms: i32) -> bool {
    let mut p = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd.
    let n = unsafe { libc::poll(&mut p, 1, timeout_ms) };
    n == 1 && p.revents & libc::POLLIN != 0
}

/// Wait until the handle reports the failure (the hook returns at once).
fn wait_failed(h: Handle) {
    let end = Instant::now() + PROMPT;
    while h.membership() != Err(Error::Library) {
        assert!(Instant::now() < end, "the handle never learned of the failure: {:?}", h.membership());
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A fresh handle works end to end: it multicasts to itself and the message comes back.
fn assert_delivers_to_itself(h: Handle, text: &[u8]) {
    let g = Group::named(b"panic-test");
    h.join(&[g]).unwrap();
    h.mcast_joined(Guarantee::Agreed, &[text]).unwrap();
    let end = Instant::now() + Duration::from_secs(5);
    let mut seen = Vec::new();
    while Instant::now() < end {
        seen.extend(collect(h, 1, Duration::from_millis(50)));
        if seen.iter().any(|cb| matches!(cb, Callback::Deliver { payload, .. } if payload == text)) {
            return;
        }
    }
    panic!("no delivery of {text:?}; callbacks: {seen:?}");
}

#[test]
fn a_protocol_thread_panic_fails_every_handle_and_a_new_processor_works() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    private_port();
    let h = Handle::initialize().expect("initialize");
    let h2 = Handle::initialize().expect("second handle");
    assert_eq!(collect(h, 1, Duration::from_secs(1)).len(), 1);
    assert_eq!(collect(h2, 1, Duration::from_secs(1)).len(), 1);
    let fd = h.fd().unwrap();
    assert!(!readable(fd, 0), "nothing pending yet");

    // Two dispatchers blocked when the panic comes: both must wake with the error.
    let (tx, rx) = mpsc::channel();
    let tx2 = tx.clone();
    let blocking =
        std::thread::spawn(move || tx.send(("blocking", h.dispatch(DispatchMode::Blocking, &mut |_, _| {}))));
    let one = std::thread::spawn(move || tx2.send(("one", h2.dispatch(DispatchMode::One, &mut |_, _| {}))));
    std::thread::sleep(Duration::from_millis(200));
    assert!(rx.try_recv().is_err(), "the dispatchers block while nothing happens");

    testing::panic_protocol_thread().unwrap();
    let started = Instant::now();
    for _ in 0..2 {
        let (mode, result) = rx.recv_timeout(PROMPT).expect("a blocked dispatch did not wake up after the panic");
        assert_eq!(result, Err(Error::Library), "dispatch {mode}");
    }
    assert!(started.elapsed() < PROMPT);
    blocking.join().unwrap().unwrap();
    one.join().unwrap().unwrap();

    // The fd polls readable, for good, so that a poll-driven program notices.
    assert!(readable(fd, 0));
    assert!(readable(h2.fd().unwrap(), 0));

    // Every call reports the failure, never OK or TRY_AGAIN; from other threads too
    // (the core's mutex is poisoned).
    let g = Group::named(b"g");
    for handle in [h, h2] {
        assert_eq!(handle.mcast_joined(Guarantee::Agreed, &[b"x"]), Err(Error::Library));
        assert_eq!(handle.mcast_groups(Guarantee::Safe, &[g], &[b"x"]), Err(Error::Library));
        assert_eq!(handle.join(&[g]), Err(Error::Library));
        assert_eq!(handle.leave(&[g]), Err(Error::Library));
        assert_eq!(handle.membership(), Err(Error::Library));
        assert_eq!(handle.stats(), Err(Error::Library));
        for mode in [DispatchMode::One, DispatchMode::All, DispatchMode::Blocking, DispatchMode::OneNonBlocking] {
            assert_eq!(handle.dispatch(mode, &mut |_, _| panic!("no callback after a failure")), Err(Error::Library));
        }
    }
    let other = std::thread::spawn(move || {
        (h.mcast_joined(Guarantee::Fifo, &[b"y"]), h2.membership(), h.dispatch(DispatchMode::One, &mut |_, _| {}))
    });
    assert_eq!(other.join().unwrap(), (Err(Error::Library), Err(Error::Library), Err(Error::Library)));
    assert!(readable(fd, 0), "still readable after the calls");

    // What a program needs to clean up still works.
    h.set_context(42).unwrap();
    assert_eq!(h.context(), Ok(42));
    let t = Instant::now();
    h.finalize().unwrap();
    h2.finalize().unwrap();
    assert!(t.elapsed() < PROMPT, "finalize of a failed node took {:?}", t.elapsed());
    assert_eq!(h.finalize(), Err(Error::BadHandle));

    // A new processor, that works.
    let h3 = Handle::initialize().expect("initialize after the failure");
    assert!(matches!(collect(h3, 1, Duration::from_secs(1)).first(), Some(Callback::ConfigChange(_))));
    assert_delivers_to_itself(h3, b"after the panic");
    h3.finalize().unwrap();
}

#[test]
fn a_new_handle_gets_a_new_processor_while_failed_handles_remain() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    private_port();
    let old = Handle::initialize().expect("initialize");
    testing::panic_protocol_thread().unwrap();
    wait_failed(old);

    let fresh = Handle::initialize().expect("initialize while a failed handle remains");
    assert!(matches!(collect(fresh, 1, Duration::from_secs(1)).first(), Some(Callback::ConfigChange(_))));
    assert_delivers_to_itself(fresh, b"first");
    // The old handle stays failed: it belonged to the processor that failed.
    assert_eq!(old.mcast_joined(Guarantee::Agreed, &[b"x"]), Err(Error::Library));
    assert_eq!(old.dispatch(DispatchMode::All, &mut |_, _| {}), Err(Error::Library));
    // Finalizing it leaves the new processor running.
    old.finalize().unwrap();
    assert_delivers_to_itself(fresh, b"second");
    fresh.finalize().unwrap();
}

#[test]
fn the_c_functions_report_cs_err_library() {
    use evs::capi::functions::*;
    use evs::capi::types::{cs_dispatch_flags_t as D, cs_error_t, evs_group, EvsGuaranteeArg};

    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    private_port();
    let lib = cs_error_t::CS_ERR_LIBRARY;
    let mut h = 0u64;
    unsafe {
        assert_eq!(evs_initialize(&mut h, std::ptr::null_mut()), cs_error_t::CS_OK);
        assert_eq!(evs_dispatch(h, D::CS_DISPATCH_ALL), cs_error_t::CS_OK);
        testing::panic_protocol_thread().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || tx.send(evs_dispatch(h, D::CS_DISPATCH_BLOCKING)));
        assert_eq!(rx.recv_timeout(PROMPT).expect("CS_DISPATCH_BLOCKING did not return"), lib);

        let groups = [evs_group { key: [0; 32] }];
        let data = [7u8; 4];
        let iov = libc::iovec { iov_base: data.as_ptr() as *mut libc::c_void, iov_len: data.len() };
        let agreed = EvsGuaranteeArg(2);
        assert_eq!(evs_mcast_joined(h, agreed, &iov, 1), lib);
        assert_eq!(evs_mcast_groups(h, agreed, groups.as_ptr(), 1, &iov, 1), lib);
        assert_eq!(evs_join(h, groups.as_ptr(), 1), lib);
        assert_eq!(evs_leave(h, groups.as_ptr(), 1), lib);
        let (mut me, mut members, mut n) = (0u32, [0u32; 8], 8usize);
        assert_eq!(evs_membership_get(h, &mut me, members.as_mut_ptr(), &mut n), lib);
        let mut stats = evs::capi::types::evs_stats::default();
        let size = std::mem::size_of_val(&stats);
        assert_eq!(evs::capi::stats::evs_stats_get(h, &mut stats, size), lib);
        assert_eq!(stats, Default::default(), "nothing written");
        for mode in [D::CS_DISPATCH_ONE, D::CS_DISPATCH_ALL, D::CS_DISPATCH_BLOCKING, D::CS_DISPATCH_ONE_NONBLOCKING] {
            assert_eq!(evs_dispatch(h, mode), lib, "{mode:?}");
        }
        let mut fd = -1;
        assert_eq!(evs_fd_get(h, &mut fd), cs_error_t::CS_OK);
        assert!(readable(fd, 0));
        assert_eq!(evs_finalize(h), cs_error_t::CS_OK);
        assert_eq!(evs_finalize(h), cs_error_t::CS_ERR_BAD_HANDLE);

        let mut h2 = 0u64;
        assert_eq!(evs_initialize(&mut h2, std::ptr::null_mut()), cs_error_t::CS_OK);
        let (mut me, mut members, mut n) = (0u32, [0u32; 8], 8usize);
        assert_eq!(evs_membership_get(h2, &mut me, members.as_mut_ptr(), &mut n), cs_error_t::CS_OK);
        assert_eq!((n, members[0]), (1, me));
        assert_eq!(evs_finalize(h2), cs_error_t::CS_OK);
    }
}

const CHILD: &str = "EVS_PANIC_TEST_CHILD";

/// Run in a child process by `evs_log_says_why_once`; does nothing otherwise.
#[test]
fn log_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    private_port();
    let h = Handle::initialize().expect("initialize");
    testing::panic_protocol_thread().unwrap();
    wait_failed(h);
    for _ in 0..3 {
        assert_eq!(h.mcast_joined(Guarantee::Agreed, &[b"x"]), Err(Error::Library));
        assert_eq!(h.dispatch(DispatchMode::One, &mut |_, _| {}), Err(Error::Library));
    }
    h.finalize().unwrap();
}

fn run_child(log: Option<&str>) -> String {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "log_child", "--nocapture", "--test-threads=1"]).env(CHILD, "1");
    match log {
        Some(level) => cmd.env("EVS_LOG", level),
        None => cmd.env_remove("EVS_LOG"),
    };
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "child failed: {}\n{stderr}", String::from_utf8_lossy(&out.stdout));
    stderr
}

#[test]
fn evs_log_says_why_once() {
    let stderr = run_child(Some("error"));
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains("protocol thread")).collect();
    assert_eq!(lines.len(), 1, "one line about the failure, not {lines:?}\nstderr:\n{stderr}");
    let line = lines[0];
    assert!(line.contains("Error"), "{line}");
    assert!(line.contains("panic requested by evs::api::testing::panic_protocol_thread"), "the message: {line}");
    assert!(line.contains("src/node/thread.rs:"), "the location: {line}");
    assert!(line.contains("CS_ERR_LIBRARY"), "{line}");

    // Logging off: the library prints nothing, not even Rust's panic message.
    let quiet = run_child(None);
    assert!(!quiet.contains("panic"), "stderr with EVS_LOG unset:\n{quiet}");
}
