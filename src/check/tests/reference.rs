//! A correct history that exercises every rule: three processors, a merge, a
//! partition in which one processor skips, after a gap, a message of a
//! departed sender, safe messages in regular and transitional
//! configurations, and a final merge. It must pass with zero violations.

use super::builder::*;
use crate::check::{check_all, Liveness, MsgId};

/// The three processors, for tests that break the reference on purpose.
pub fn reference() -> [P; 3] {
    let (mut p1, mut p2, mut p3) = (P::new(1), P::new(2), P::new(3));
    // Nodes 1 and 2 start together in ring 1:4, node 3 alone in 3:4; node 3
    // submits before its first configuration, which is allowed.
    p1.reg(4, &[1, 2]).send(0, A);
    p2.reg(4, &[1, 2]).send(0, S);
    p3.send(0, F).reg(4, &[3]).dlv(m(3, 0), F);
    p1.dlv(m(1, 0), A).dlv(m(2, 0), S);
    p2.dlv(m(1, 0), A).dlv(m(2, 0), S);

    // Merge into 1:8.
    p1.trans(&[1, 2]).reg(8, &[1, 2, 3]);
    p2.trans(&[1, 2]).reg(8, &[1, 2, 3]);
    p3.trans(&[3]).reg(8, &[1, 2, 3]);
    p1.send(1, A);
    p3.send(1, F);
    p2.send(1, U).send(2, S);
    // Ring order a1, c1, b2; b1 is unordered and lands anywhere.
    p1.dlv(m(1, 1), A).dlv(m(2, 1), U).dlv(m(3, 1), F).dlv(m(2, 2), S);
    p2.dlv(m(2, 1), U).dlv(m(1, 1), A).dlv(m(3, 1), F).dlv(m(2, 2), S);
    p3.dlv(m(1, 1), A).dlv(m(3, 1), F).dlv(m(2, 2), S).dlv(m(2, 1), U);

    // Then c2, a2, b3 are ordered; nodes 1 and 2 never get c2 (a gap) and
    // node 3 is cut off before b3.
    p3.send(2, A).dlv(m(3, 2), A);
    p1.send(2, A);
    p2.send(3, S);
    // Partition {1,2} | {3}: 1 and 2 skip c2 (sender 3 departed) and deliver
    // a2 and the safe b3 in their transitional configuration.
    p1.trans(&[1, 2]).dlv(m(1, 2), A).dlv(m(2, 3), S).reg(12, &[1, 2]);
    p2.trans(&[1, 2]).dlv(m(1, 2), A).dlv(m(2, 3), S).reg(12, &[1, 2]);
    p3.trans(&[3]).dlv(m(1, 2), A).reg(12, &[3]);

    // The partition heals: everyone in 1:16.
    p1.trans(&[1, 2]).reg(16, &[1, 2, 3]).send(3, A);
    p2.trans(&[1, 2]).reg(16, &[1, 2, 3]).send(4, S);
    p3.trans(&[3]).reg(16, &[1, 2, 3]).send(3, F);
    for p in [&mut p1, &mut p2, &mut p3] {
        p.dlv(m(1, 3), A).dlv(m(2, 4), S).dlv(m(3, 3), F);
    }
    [p1, p2, p3]
}

pub const SPEC: Liveness = Liveness { faults_end: 0, bound: 1_000_000 };

#[test]
fn reference_history_passes() {
    let [p1, p2, p3] = reference();
    let h = history(&[&p1, &p2, &p3]);
    let v = check_all(&h, &SPEC);
    assert!(v.is_empty(), "report:\n{}", render(&v));
}

#[test]
fn crash_and_restart_passes() {
    // Node 3 crashes in 1:4 right after submitting a safe message that only 1
    // and 2 received; they deliver it (and the agreed message behind it) in
    // their transitional configuration. Node 3 restarts as incarnation 1 and
    // joins 1:12 as its first configuration.
    let (mut p1, mut p2, mut p3, mut p3b) = (P::new(1), P::new(2), P::new(3), P::incarnation(3, 1));
    for p in [&mut p1, &mut p2, &mut p3] {
        p.reg(4, &[1, 2, 3]);
    }
    p1.send(0, A);
    p3.send(0, S);
    p2.send(0, A);
    p1.dlv(m(1, 0), A);
    p2.dlv(m(1, 0), A);
    p3.dlv(m(1, 0), A).crash();
    for p in [&mut p1, &mut p2] {
        p.trans(&[1, 2]).dlv(m(3, 0), S).dlv(m(2, 0), A).reg(8, &[1, 2]);
        p.trans(&[1, 2]).reg(12, &[1, 2, 3]);
    }
    p3b.reg(12, &[1, 2, 3]).send(0, A);
    p1.send(1, S);
    let reborn = MsgId { node: 3, incarnation: 1, counter: 0 };
    for p in [&mut p1, &mut p2, &mut p3b] {
        p.dlv(reborn, A).dlv(m(1, 1), S);
    }
    let h = history(&[&p1, &p2, &p3, &p3b]);
    let v = check_all(&h, &SPEC);
    assert!(v.is_empty(), "report:\n{}", render(&v));
}

#[test]
fn empty_history_passes() {
    let h = history(&[]);
    assert!(check_all(&h, &SPEC).is_empty());
}
