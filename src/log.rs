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
        eprintln!("libevs[{}] {:?}: {}", std::process::id(), level, args);
    }
}

/// The one line a fatal configuration error prints, logging on or off.
pub fn fatal(args: std::fmt::Arguments<'_>) {
    eprintln!("libevs: {args}");
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
