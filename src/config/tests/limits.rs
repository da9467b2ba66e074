//! The bounds on what is read (issue 10): nesting depth, file size, and only
//! regular files, so that no file name can crash, hang or exhaust the process.

use std::ffi::CString;
use std::time::{Duration, Instant};

use super::super::syntax::{self, MAX_DEPTH};
use super::super::{config_text, file::MAX_BYTES};
use super::*;

/// `depth` sections inside each other, then a key at the bottom.
fn nested(depth: usize) -> String {
    let mut text = "a {\n".repeat(depth);
    text.push_str("k: v\n");
    text.push_str(&"}\n".repeat(depth));
    text
}

#[test]
fn nesting_up_to_the_limit_is_read() {
    assert_eq!(MAX_DEPTH, 32, "the README documents 32");
    syntax::parse(PATH, &nested(MAX_DEPTH)).unwrap();
}

#[test]
fn nesting_past_the_limit_is_one_clear_error() {
    let message = err(Some(&nested(MAX_DEPTH + 1)), &[]);
    says(&message, &[&format!("{PATH}:33: "), "'a'", "deeper than 32 levels"]);
}

#[test]
fn a_very_deep_file_fails_on_a_small_stack() {
    // 150,000 levels overflowed the stack while the tree was dropped (SIGSEGV,
    // which kills this whole test binary); 10,000 did on a 256 KiB thread.
    let deep = nested(150_000);
    let outcome = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || (load(Some(&nested(10_000)), &[]).map(|_| ()), load(Some(&deep), &[]).map(|_| ())))
        .unwrap()
        .join()
        .expect("no stack overflow");
    for result in [outcome.0, outcome.1] {
        says(&result.unwrap_err().to_string(), &["deeper than 32 levels"]);
    }
}

fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("evs-config-limits-{}-{name}", std::process::id()))
}

fn fifo(name: &str) -> std::path::PathBuf {
    let path = temp_path(name);
    let _ = std::fs::remove_file(&path);
    let c = CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo {path:?}");
    path
}

/// `f` answers within a second (a FIFO open used to block for ever: the test
/// would hang, which the time bound of the harness reports).
#[track_caller]
fn quickly<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(start.elapsed() < Duration::from_secs(1), "took {:?}", start.elapsed());
    out
}

#[test]
fn a_fifo_config_is_refused_at_once() {
    let path = fifo("config");
    let message = quickly(|| config_text(path.to_str().unwrap())).unwrap_err().to_string();
    says(&message, &["EVS_CONFIG: '", "is a FIFO, not a regular file"]);
    std::fs::remove_file(path).unwrap();
}

#[test]
fn a_fifo_key_is_refused_at_once() {
    let path = fifo("key");
    let message = quickly(|| err(None, &[("EVS_KEYFILE", path.to_str().unwrap())]));
    says(&message, &["EVS_KEYFILE: '", "is a FIFO, not a regular file"]);
    std::fs::remove_file(path).unwrap();
}

#[test]
fn dev_zero_is_refused_at_once() {
    let message = quickly(|| config_text("/dev/zero")).unwrap_err().to_string();
    says(&message, &["EVS_CONFIG: '/dev/zero' is a character device, not a regular file"]);
}

#[test]
fn a_config_over_1_mib_is_refused() {
    assert_eq!(MAX_BYTES, 1 << 20, "the README documents 1 MiB");
    let path = temp_path("big.conf");
    let line = "# a comment line of exactly sixty-four bytes, padded out to 64.\n";
    assert_eq!(line.len(), 64);
    std::fs::write(&path, line.repeat(MAX_BYTES / 64)).unwrap();
    assert_eq!(config_text(path.to_str().unwrap()).unwrap().len(), MAX_BYTES, "exactly the limit is read");
    std::fs::write(&path, line.repeat(MAX_BYTES / 64) + "\n").unwrap();
    let message = config_text(path.to_str().unwrap()).unwrap_err().to_string();
    says(&message, &["EVS_CONFIG: '", "is larger than 1048576 bytes"]);
    std::fs::write(&path, b"totem {\n\xff\n}\n").unwrap();
    says(&config_text(path.to_str().unwrap()).unwrap_err().to_string(), &["is not UTF-8 text"]);
    std::fs::remove_file(path).unwrap();
}
