//! The replay trace: `EVS_SIM_TRACE=1` prints faults, processor state changes,
//! configuration changes and incarnation starts and ends; `EVS_SIM_TRACE=2` adds
//! every packet, submit and delivery. Meant for one seed at a time.

use evs::totem::Time;

pub fn level_from_env() -> u8 {
    std::env::var("EVS_SIM_TRACE")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// Virtual time as seconds with microsecond digits: "12.000345s".
pub fn fmt_time(t: Time) -> String {
    format!("{}.{:06}s", t / 1_000_000, t % 1_000_000)
}
