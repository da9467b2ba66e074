//! Udp transports on 127.0.0.1 with a multicast group pinned to loopback.

use super::support::*;
use crate::net::Transport;

fn pair() -> (Transport, Transport) {
    retry_in_use(|| {
        let cfg = udp_config(LO4, GROUP4, free_port(LO4));
        Ok((Transport::open(&cfg)?, Transport::open(&cfg)?))
    })
}

#[test]
fn udp_v4_multicast_reaches_both_and_loops_back() {
    let (mut a, mut b) = pair();
    let (la, lb) = (a.local_addr(), b.local_addr());
    assert_eq!(la.ip(), LO4);
    assert_ne!(la, lb, "each processor has its own unicast port");
    assert_eq!(a.fds().len(), 2);

    let tag = tag("udp4-mcast");
    let (ma, mb) = (format!("{tag}from-a"), format!("{tag}from-b"));
    a.send_all(ma.as_bytes()).unwrap();
    b.send_all(mb.as_bytes()).unwrap();
    // Source address is the sender's unicast address: its identity on the network.
    let both = [(ma, la), (mb, lb)];
    expect(&mut a, &tag, &both);
    expect(&mut b, &tag, &both);
}

#[test]
fn udp_v4_send_to_is_unicast_between_processors() {
    let (mut a, mut b) = pair();
    let (la, lb) = (a.local_addr(), b.local_addr());
    let tag = tag("udp4-unicast");
    let (to_b, to_a) = (format!("{tag}to-b"), format!("{tag}to-a"));
    a.send_to(lb, to_b.as_bytes()).unwrap();
    b.send_to(la, to_a.as_bytes()).unwrap();
    expect(&mut b, &tag, &[(to_b, la)]);
    expect(&mut a, &tag, &[(to_a, lb)]);
}

#[test]
fn udp_v4_many_datagrams_arrive_in_a_burst() {
    // Both sockets of a transport get drained by one recv loop.
    let (mut a, mut b) = pair();
    let (la, lb) = (a.local_addr(), b.local_addr());
    let tag = tag("udp4-burst");
    let mut want = Vec::new();
    for i in 0..50 {
        let m = format!("{tag}m{i}");
        a.send_all(m.as_bytes()).unwrap();
        want.push((m, la));
        let u = format!("{tag}u{i}");
        a.send_to(lb, u.as_bytes()).unwrap();
        want.push((u, la));
    }
    expect(&mut b, &tag, &want);
}

#[test]
fn oversized_datagram_is_dropped_and_counted() {
    let (mut a, mut b) = pair();
    let tag = tag("udp4-trunc");
    let big = format!("{tag}{}", "x".repeat(100));
    a.send_to(b.local_addr(), big.as_bytes()).unwrap();
    let small = format!("{tag}small");
    a.send_to(b.local_addr(), small.as_bytes()).unwrap();
    let mut buf = [0u8; 64];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        assert!(std::time::Instant::now() < deadline, "small datagram never came");
        if let Some((n, from)) = b.recv(&mut buf).unwrap() {
            if &buf[..n] == small.as_bytes() {
                assert_eq!(from, a.local_addr());
                break;
            }
        } else {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
    assert_eq!(b.truncated_count(), 1);
}

#[test]
fn udp_v4_recv_batch_reads_a_burst_in_few_calls_and_in_order() {
    use crate::net::RecvBatch;
    let (mut a, mut b) = pair();
    let (la, lb) = (a.local_addr(), b.local_addr());
    let tag = tag("udp4-batch");
    let (mut mcast, mut unicast) = (Vec::new(), Vec::new());
    for i in 0..20 {
        let m = format!("{tag}m{i}");
        a.send_all(m.as_bytes()).unwrap();
        mcast.push(m);
        let u = format!("{tag}u{i}");
        a.send_to(lb, u.as_bytes()).unwrap();
        unicast.push(u);
    }
    std::thread::sleep(std::time::Duration::from_millis(50));
    // 8 slots for 40 datagrams: full batches say there may be more.
    let mut batch = RecvBatch::new(8);
    let (mut got_m, mut got_u, mut calls) = (Vec::new(), Vec::new(), 0);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while got_m.len() + got_u.len() < 40 && std::time::Instant::now() < deadline {
        let more = b.recv_batch(&mut batch).unwrap();
        calls += 1;
        assert_eq!(more, batch.room() == 0);
        assert!(batch.len() <= 8);
        for (bytes, from) in batch.iter() {
            let s = String::from_utf8(bytes.to_vec()).unwrap();
            if !s.starts_with(&tag) {
                continue; // another test's traffic on the shared group
            }
            assert_eq!(from, la, "the source is the sender's unicast address");
            if s[tag.len()..].starts_with('m') {
                got_m.push(s)
            } else {
                got_u.push(s)
            }
        }
        if !more && got_m.len() + got_u.len() < 40 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
    // Per socket, arrival order is kept; neither socket is starved.
    assert_eq!(got_m, mcast);
    assert_eq!(got_u, unicast);
    assert!(calls <= 12, "{calls} batches for 40 datagrams in batches of 8");
    // Empty sockets: an empty batch, and no more.
    assert!(!b.recv_batch(&mut batch).unwrap());
    assert!(batch.is_empty());
}
