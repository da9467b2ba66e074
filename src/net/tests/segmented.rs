//! Runs of equal datagrams sent as one segmented buffer (`batch.rs`) arrive
//! as the datagrams they were: each whole, none merged, the shorter last one
//! and a unicast between runs included.

use std::net::SocketAddr;

use super::support::*;
use super::udpu::trio;
use crate::net::{Target, Transport};

/// A burst as a token visit makes it: 30 full frames, a shorter one, a
/// unicast (the token), then 12 more full frames. Each datagram is
/// `tag`, its index, and padding up to its length.
fn burst(tag: &str, token_to: SocketAddr) -> Vec<(Target, String)> {
    let frame = |i: usize, len: usize| format!("{tag}{i:03}-{}", "x".repeat(len - tag.len() - 4));
    let mut burst: Vec<(Target, String)> = (0..30).map(|i| (Target::All, frame(i, 1400))).collect();
    burst.push((Target::All, frame(30, 700)));
    burst.push((Target::To(token_to), frame(31, 90)));
    burst.extend((32..44).map(|i| (Target::All, frame(i, 1400))));
    burst
}

fn send(t: &mut Transport, burst: &[(Target, String)]) {
    let batch: Vec<(Target, &[u8])> = burst.iter().map(|(to, d)| (*to, d.as_bytes())).collect();
    t.send_batch(&[], &batch).unwrap();
    assert!(t.segments(), "the kernel took the segmented runs (loopback supports them)");
}

#[test]
fn udp_segmented_runs_arrive_as_separate_whole_datagrams() {
    let (mut a, mut b) = retry_in_use(|| {
        let cfg = udp_config(LO4, GROUP4, free_port(LO4));
        Ok((Transport::open(&cfg)?, Transport::open(&cfg)?))
    });
    let (la, lb) = (a.local_addr(), b.local_addr());
    let tag = tag("udp4-gso");
    let burst = burst(&tag, lb);
    send(&mut a, &burst);
    let to = |want: &dyn Fn(&Target) -> bool| -> Vec<(String, SocketAddr)> {
        burst.iter().filter(|(t, _)| want(t)).map(|(_, d)| (d.clone(), la)).collect()
    };
    expect(&mut b, &tag, &to(&|_| true));
    expect(&mut a, &tag, &to(&|t| *t == Target::All));
}

#[test]
fn udpu_segmented_runs_reach_every_member_whole() {
    let (members, mut ts) = trio(LO4);
    let tag = tag("udpu4-gso");
    let burst = burst(&tag, members[1]);
    send(&mut ts[0], &burst);
    for (i, t) in ts.iter_mut().enumerate() {
        let want: Vec<(String, SocketAddr)> = burst
            .iter()
            .filter(|(to, _)| *to == Target::All || (i == 1 && *to == Target::To(members[1])))
            .map(|(_, d)| (d.clone(), members[0]))
            .collect();
        expect(t, &tag, &want);
    }
}
