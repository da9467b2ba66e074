//! A processor of another libevs version on our port: its packets (another
//! wire version) are counted in `Stats::rejected_other_version`, are not
//! taken for ours, and leave the ring as it was (`node/versions.rs`).
//!
//! Its own test binary: the processor is per process, and this test owns it.

mod common;

use std::net::{Ipv4Addr, UdpSocket};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use common::{collect, free_port};
use evs::api::{Callback, Handle};

/// The group every processor with no configuration uses (`config/assemble.rs`).
const GROUP: Ipv4Addr = Ipv4Addr::new(239, 192, 77, 4);

/// A socket that multicasts on loopback, where the processor listens.
fn loopback_sender() -> UdpSocket {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    let iface = libc::in_addr { s_addr: u32::from(Ipv4Addr::LOCALHOST).to_be() };
    let rc = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::IPPROTO_IP,
            libc::IP_MULTICAST_IF,
            &iface as *const libc::in_addr as *const libc::c_void,
            std::mem::size_of::<libc::in_addr>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "IP_MULTICAST_IF: {}", std::io::Error::last_os_error());
    s
}

#[test]
fn another_versions_packets_are_counted_and_ignored() {
    let port = free_port();
    std::env::set_var("EVS_MCASTPORT", port.to_string());
    let h = Handle::initialize().expect("initialize");
    let first = collect(h, 1, Duration::from_secs(1));
    assert!(matches!(first.first(), Some(Callback::ConfigChange(_))), "{first:?}");
    let before = h.stats().unwrap();
    assert_eq!(before.rejected_other_version, 0, "{before:?}");

    // A packet header of wire version 5 (ours is newer), as a processor with
    // node id 4242 of an older libevs would send it: the envelope is the same.
    let ours = evs::totem::wire::WIRE_VERSION;
    let old = ours - 1;
    let mut packet = vec![b'E', b'V', old, 7];
    packet.resize(64, 0);
    let mut datagram = Vec::new();
    evs::net::envelope::wrap(4242, &packet, &mut datagram);
    let sender = loopback_sender();
    const SENT: u64 = 3;
    for _ in 0..SENT {
        sender.send_to(&datagram, (GROUP, port)).unwrap();
    }

    let end = Instant::now() + Duration::from_secs(5);
    let mut after = h.stats().unwrap();
    while after.rejected_other_version < SENT && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(10));
        after = h.stats().unwrap();
    }
    assert_eq!(after.rejected_other_version, SENT, "{after:?}");
    // Neither a stranger's datagram nor a processor to gather with.
    assert_eq!(after.rejected_foreign, 0, "{after:?}");
    assert_eq!(after.gathers, before.gathers, "{after:?}");
    assert_eq!(after.regular_configurations, before.regular_configurations, "{after:?}");
    h.finalize().unwrap();
}
