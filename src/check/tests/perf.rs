//! The checker must keep up with the simulator: 16 processors x 20k
//! deliveries, with a membership change half way, in well under a second
//! (about 0.2 s on an idle machine). The bounds below are far above that, so
//! that a loaded machine does not fail them: they catch a quadratic blow-up,
//! not a slowdown (the project's figures come from benchmarks, not tests).

use std::time::{Duration, Instant};

use super::builder::*;
use crate::check::{check_all, History, Liveness};
use crate::totem::Guarantee;

fn big_history(procs: u32, msgs: u64) -> History {
    let all: Vec<u32> = (1..=procs).collect();
    let mut ps: Vec<P> = all.iter().map(|&n| P::new(n)).collect();
    for p in ps.iter_mut() {
        p.reg(4, &all);
    }
    let guarantee = |i: u64| match i {
        _ if i.is_multiple_of(11) => Guarantee::Unordered,
        _ if i.is_multiple_of(7) => Guarantee::Safe,
        _ if i.is_multiple_of(5) => Guarantee::Fifo,
        _ => Guarantee::Agreed,
    };
    for i in 0..msgs {
        if i == msgs / 2 {
            // A new ring with the same members.
            for p in ps.iter_mut() {
                p.trans(&all).reg(8, &all);
            }
        }
        let sender = (i % u64::from(procs)) as u32 + 1;
        let counter = i / u64::from(procs);
        ps[sender as usize - 1].send(counter, guarantee(i));
        for p in ps.iter_mut() {
            p.dlv(m(sender, counter), guarantee(i));
        }
    }
    let refs: Vec<&P> = ps.iter().collect();
    history(&refs)
}

#[test]
fn sixteen_by_twenty_thousand_is_fast() {
    let h = big_history(16, 20_000);
    let spec = Liveness { faults_end: 0, bound: u64::MAX / 2 };
    let start = Instant::now();
    let v = check_all(&h, &spec);
    let took = start.elapsed();
    assert!(v.is_empty(), "{}", render(&v));
    eprintln!("checked 16 x 20000 deliveries in {took:?}");
    assert!(took < Duration::from_secs(7), "took {took:?}");
}

#[test]
fn big_broken_history_is_fast_and_capped() {
    // Every processor but the first reverses the order of the second half: a
    // violation at nearly every delivery.
    let mut h = big_history(16, 20_000);
    for p in h.processes.iter_mut().skip(1) {
        let half = p.records.len() / 2;
        p.records[half..].reverse();
    }
    let spec = Liveness { faults_end: 0, bound: u64::MAX / 2 };
    let start = Instant::now();
    let v = check_all(&h, &spec);
    let took = start.elapsed();
    eprintln!("checked broken 16 x 20000 in {took:?}: {} violations listed", v.len());
    assert!(!v.is_empty());
    assert!(v.len() <= 8 * (crate::check::MAX_PER_PROPERTY + 1));
    assert!(took < Duration::from_secs(20), "took {took:?}");
}
