//! Helpers that keep the socket tests bounded in time and immune to stray traffic.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant, SystemTime};

use crate::net::{Transport, TransportConfig, TransportKind};

pub const LO4: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
pub const LO6: IpAddr = IpAddr::V6(Ipv6Addr::LOCALHOST);
/// Test group for IPv4, in the organisation-local 239.192.0.0/14.
pub const GROUP4: IpAddr = IpAddr::V4(Ipv4Addr::new(239, 192, 77, 99));

const DEADLINE: Duration = Duration::from_secs(2);

/// A prefix unique to this test run, so datagrams of other tests (or programs) that
/// happen to share a port are ignored instead of failing the test.
pub fn tag(test: &str) -> String {
    let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos();
    format!("{test}/{}/{nanos}/", std::process::id())
}

/// A port free right now on `ip` (it may be taken again before use: callers retry).
pub fn free_port(ip: IpAddr) -> u16 {
    UdpSocket::bind((ip, 0)).unwrap().local_addr().unwrap().port()
}

/// `n` distinct ports free right now on `ip`.
pub fn free_ports(ip: IpAddr, n: usize) -> Vec<u16> {
    let held: Vec<UdpSocket> = (0..n).map(|_| UdpSocket::bind((ip, 0)).unwrap()).collect();
    held.iter().map(|s| s.local_addr().unwrap().port()).collect()
}

/// Runs `open` (which picks fresh ports each time) until no port was in use.
pub fn retry_in_use<T>(mut open: impl FnMut() -> io::Result<T>) -> T {
    for _ in 0..20 {
        match open() {
            Ok(t) => return t,
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => continue,
            Err(e) => panic!("open: {e}"),
        }
    }
    panic!("ports kept being taken");
}

pub fn ipv6_loopback_available() -> bool {
    UdpSocket::bind((LO6, 0)).is_ok()
}

pub fn udp_config(bind: IpAddr, group: IpAddr, port: u16) -> TransportConfig {
    TransportConfig {
        kind: TransportKind::Udp,
        bind_addr: bind,
        mcast_addr: group,
        mcast_port: port,
        members: Vec::new(),
        unicast_port: None,
        segmentation: true,
    }
}

pub fn udpu_config(bind: IpAddr, members: Vec<SocketAddr>) -> TransportConfig {
    TransportConfig {
        kind: TransportKind::Udpu,
        bind_addr: bind,
        mcast_addr: bind,
        mcast_port: 0,
        members,
        unicast_port: None,
        segmentation: true,
    }
}

/// Blocks in poll(2) until one of `fds` is readable or `timeout` passes.
fn wait_readable(t: &Transport, timeout: Duration) {
    let mut pfds: Vec<libc::pollfd> =
        t.fds().into_iter().map(|fd| libc::pollfd { fd, events: libc::POLLIN, revents: 0 }).collect();
    let ms = timeout.as_millis().clamp(1, i32::MAX as u128) as i32;
    // SAFETY: pfds is a valid array of pollfd of the length passed.
    let r = unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, ms) };
    assert!(r >= 0 || io::Error::last_os_error().kind() == io::ErrorKind::Interrupted);
}

/// Receives on `t` until each `(payload, from)` in `expected` has arrived, ignoring
/// datagrams without `tag`'s prefix. Panics after the deadline, naming what is missing.
pub fn expect(t: &mut Transport, tag: &str, expected: &[(String, SocketAddr)]) {
    if let Err(missing) = try_expect(t, tag, expected) {
        panic!("{} did not receive {missing:?}", t.local_addr());
    }
}

/// As `expect`, but hands back what never arrived instead of panicking.
pub fn try_expect(
    t: &mut Transport,
    tag: &str,
    expected: &[(String, SocketAddr)],
) -> Result<(), Vec<(String, SocketAddr)>> {
    let mut missing: Vec<(String, SocketAddr)> = expected.to_vec();
    let deadline = Instant::now() + DEADLINE;
    let mut buf = vec![0u8; 65536];
    while !missing.is_empty() {
        let now = Instant::now();
        if now >= deadline {
            return Err(missing);
        }
        wait_readable(t, deadline - now);
        while let Some((n, from)) = t.recv(&mut buf).unwrap() {
            let Ok(text) = std::str::from_utf8(&buf[..n]) else {
                continue;
            };
            if !text.starts_with(tag) {
                continue;
            }
            if let Some(i) = missing.iter().position(|(p, a)| p == text && *a == from) {
                missing.swap_remove(i);
            }
        }
    }
    Ok(())
}
