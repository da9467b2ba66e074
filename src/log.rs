//! Logging to stderr, off unless asked (`EVS_LOG`). The library never prints
//! otherwise, except one line for a fatal configuration error.

use std::sync::atomic::{AtomicU8, Ordering};

pub use crate::config::LogLevel;

static LEVEL: AtomicU8 = AtomicU8::new(0);

fn rank(level: LogLevel) -> u8 {
    match level {
        LogLevel::Off => 0,
        LogLevel::Error => 1,
        LogLevel::Warn => 2,
        LogLevel::Info => 3,
        LogLevel::Debug => 4,
        LogLevel::Trace => 5,
    }
}

pub fn set_level(level: LogLevel) {
    LEVEL.store(rank(level), Ordering::Relaxed);
}

pub fn enabled(level: LogLevel) -> bool {
    let r = rank(level);
    r != 0 && r <= LEVEL.load(Ordering::Relaxed)
}

/// Write one line to stderr when `level` is enabled.
pub fn emit(level: LogLevel, args: std::fmt::Arguments<'_>) {
    if enabled(level) {
        write_line(&format!("libevs[{}] {:?}: {}\n", std::process::id(), level, args));
    }
}

/// The one line a fatal configuration error prints, logging on or off.
pub fn fatal(args: std::fmt::Arguments<'_>) {
    write_line(&format!("libevs: {args}\n"));
}

/// One write(2) of the whole line to descriptor 2. Not through std's stderr:
/// that takes a process-wide lock, which a thread of the parent may hold when
/// the application forks, and a child logging would then wait for ever. One
/// write per line also keeps lines whole between threads and processes.
fn write_line(line: &str) {
    let mut rest = line.as_bytes();
    while !rest.is_empty() {
        // SAFETY: writes from a valid buffer of the given length.
        let n = unsafe { libc::write(2, rest.as_ptr() as *const libc::c_void, rest.len()) };
        if n > 0 {
            rest = &rest[n as usize..];
        } else if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        } else {
            return; // nowhere to report a failing stderr
        }
    }
}

#[macro_export]
#[doc(hidden)]
macro_rules! evs_log {
    ($level:ident, $($arg:tt)*) => {
        if $crate::log::enabled($crate::log::LogLevel::$level) {
            $crate::log::emit($crate::log::LogLevel::$level, format_args!($($arg)*));
        }
    };
}
