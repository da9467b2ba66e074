//! Helpers shared by the API integration tests (each test file is its own
//! crate and includes this module).

use std::time::{Duration, Instant};

use evs::api::{Callback, DispatchMode, Handle};

/// A UDP port free on loopback now: a test's private group port
/// (`EVS_MCASTPORT`), so that parallel test runs never meet.
pub fn free_port() -> u16 {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    s.local_addr().unwrap().port()
}

/// Dispatch until `want` callbacks arrived or `within` passed; what arrived.
pub fn collect(h: Handle, want: usize, within: Duration) -> Vec<Callback> {
    let mut got = Vec::new();
    let end = Instant::now() + within;
    while got.len() < want && Instant::now() < end {
        let _ = h.dispatch(DispatchMode::All, &mut |_, cb| got.push(cb));
        std::thread::sleep(Duration::from_millis(5));
    }
    got
}
