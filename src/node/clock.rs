//! The protocol's clock: microseconds on the wall-clock scale, advancing
//! monotonically. The wall-clock origin matters: the core derives its first
//! ring seq from the time it starts, so a restarted process must start later
//! on a scale that survives the restart.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::totem::Time;

pub(crate) struct Clock {
    origin: Instant,
    origin_us: Time,
}

impl Clock {
    pub fn new() -> Clock {
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as Time).unwrap_or(0);
        Clock { origin: Instant::now(), origin_us: wall }
    }

    pub fn now(&self) -> Time {
        self.origin_us + self.origin.elapsed().as_micros() as Time
    }
}
