//! Udpu transports on 127.0.0.1: three processors sharing one member list.

use std::net::{IpAddr, SocketAddr};

use super::support::*;
use crate::net::Transport;

/// Three transports opened from the same list: each takes the next free entry.
pub fn trio(ip: IpAddr) -> (Vec<SocketAddr>, Vec<Transport>) {
    retry_in_use(|| {
        let members: Vec<SocketAddr> = free_ports(ip, 3).into_iter().map(|p| SocketAddr::new(ip, p)).collect();
        let cfg = udpu_config(ip, members.clone());
        let ts = (0..3).map(|_| Transport::open(&cfg)).collect::<std::io::Result<Vec<_>>>()?;
        Ok((members, ts))
    })
}

pub fn exchange_send_all(members: &[SocketAddr], ts: &mut [Transport], test: &str) {
    let locals: Vec<SocketAddr> = ts.iter().map(|t| t.local_addr()).collect();
    assert_eq!(locals, members, "first free entry, in list order");
    let tag = tag(test);
    let mut want = Vec::new();
    for (i, t) in ts.iter_mut().enumerate() {
        let m = format!("{tag}from-{i}");
        t.send_all(m.as_bytes()).unwrap();
        want.push((m, locals[i]));
    }
    // Everyone, the sender included, gets every send_all once.
    for t in ts.iter_mut() {
        assert_eq!(t.fds().len(), 1);
        expect(t, &tag, &want);
    }
}

#[test]
fn udpu_v4_three_processors_exchange_send_all() {
    let (members, mut ts) = trio(LO4);
    exchange_send_all(&members, &mut ts, "udpu4-all");
    // And unicast from the last to the first.
    let tag = tag("udpu4-unicast");
    let m = format!("{tag}2-to-0");
    let (l0, l2) = (ts[0].local_addr(), ts[2].local_addr());
    ts[2].send_to(l0, m.as_bytes()).unwrap();
    expect(&mut ts[0], &tag, &[(m, l2)]);
}

#[test]
fn udpu_explicit_port_outside_the_list_still_gets_its_own_copy() {
    let (mut t, other) = retry_in_use(|| {
        let ports = free_ports(LO4, 2);
        let other = SocketAddr::new(LO4, ports[0]);
        let mut cfg = udpu_config(LO4, vec![other]);
        cfg.unicast_port = Some(ports[1]);
        Ok((Transport::open(&cfg)?, other))
    });
    assert_ne!(t.local_addr().port(), other.port());
    let tag = tag("udpu4-explicit");
    let m = format!("{tag}self");
    t.send_all(m.as_bytes()).unwrap();
    let me = t.local_addr();
    expect(&mut t, &tag, &[(m, me)]);
}
