//! IPv6 on ::1: skipped, with a note, where the machine has no ::1.

use std::io;

use super::support::*;
use super::udpu::{exchange_send_all, trio};
use crate::net::Transport;

/// Interface-local scope (ff11::): by definition it never leaves the host, and Linux
/// refuses to send it on any non-loopback device.
const GROUP6: std::net::IpAddr = std::net::IpAddr::V6(std::net::Ipv6Addr::new(0xff11, 0, 0, 0, 0, 0, 0x4556, 0x5377));

#[test]
fn udpu_v6_three_processors_exchange_send_all() {
    if !ipv6_loopback_available() {
        eprintln!("note: ::1 is not configured; IPv6 udpu test skipped");
        return;
    }
    let (members, mut ts) = trio(LO6);
    exchange_send_all(&members, &mut ts, "udpu6-all");
}

#[test]
fn udp_v6_multicast_and_unicast_on_loopback() {
    if !ipv6_loopback_available() {
        eprintln!("note: ::1 is not configured; IPv6 udp test skipped");
        return;
    }
    let opened = retry_in_use(|| {
        let cfg = udp_config(LO6, GROUP6, free_port(LO6));
        match (Transport::open(&cfg), Transport::open(&cfg)) {
            (Ok(a), Ok(b)) => Ok(Some((a, b))),
            (Err(e), _) | (_, Err(e)) if e.kind() == io::ErrorKind::AddrInUse => Err(e),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("note: IPv6 multicast on lo unavailable here ({e}); test skipped");
                Ok(None)
            }
        }
    });
    let Some((mut a, mut b)) = opened else { return };
    let (la, lb) = (a.local_addr(), b.local_addr());
    let tag = tag("udp6");

    let u = format!("{tag}unicast");
    a.send_to(lb, u.as_bytes()).unwrap();
    expect(&mut b, &tag, &[(u, la)]);

    let m = format!("{tag}mcast");
    match a.send_all(m.as_bytes()) {
        Ok(()) => {}
        Err(e) => {
            // Typically ENETUNREACH: the kernel has no IPv6 multicast route on lo.
            eprintln!("note: IPv6 multicast send on lo failed ({e}); multicast part skipped");
            return;
        }
    }
    if try_expect(&mut a, &tag, &[(m.clone(), la)]).is_err() {
        // Seen on Linux 6.18 even with lo flagged MULTICAST and ff00::/8 routed to it:
        // the kernel accepts the send but never delivers it back.
        eprintln!("note: IPv6 multicast on lo was sent but not looped back; skipped");
        return;
    }
    expect(&mut b, &tag, &[(m, la)]);
}
