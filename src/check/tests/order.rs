//! P6 total order: one order, no gaps in regular configurations, skips in
//! transitional ones only of departed senders.

use super::builder::*;
use crate::check::{check_safety, MsgId, Property::*, Violation};

fn has_cycle(v: &[Violation]) -> bool {
    v.iter().any(|x| x.property == TotalOrder && x.detail.contains("cycle"))
}

#[test]
fn cycle_between_two_processors() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).send(0, A);
    p2.reg(4, &[1, 2]).send(0, A);
    p1.dlv(m(1, 0), A).dlv(m(2, 0), A);
    p2.dlv(m(2, 0), A).dlv(m(1, 0), A);
    let v = check_safety(&history(&[&p1, &p2]));
    assert_props(&v, &[TotalOrder]);
    assert!(has_cycle(&v), "{}", render(&v));
}

#[test]
fn cycle_of_three_pairwise_consistent() {
    // Any two processors agree on the messages they share; no order fits all three.
    let (mut p1, mut p2, mut p3) = (P::new(1), P::new(2), P::new(3));
    p1.reg(4, &[1, 2, 3]).send(0, A);
    p2.reg(4, &[1, 2, 3]).send(0, A);
    p3.reg(4, &[1, 2, 3]).send(0, A);
    p1.dlv(m(1, 0), A).dlv(m(2, 0), A);
    p2.dlv(m(2, 0), A).dlv(m(3, 0), A);
    p3.dlv(m(3, 0), A).dlv(m(1, 0), A);
    let v = check_safety(&history(&[&p1, &p2, &p3]));
    assert_props(&v, &[TotalOrder]);
    let cycle = v.iter().find(|x| x.detail.contains("cycle")).unwrap_or_else(|| panic!("{}", render(&v)));
    assert!(cycle.detail.contains("cycle of 3 messages"), "{}", render(&v));
}

#[test]
fn cycle_in_transitional_configurations() {
    // The same cycle where gaps are allowed (senders 4, 5, 6 are gone): only
    // the cycle is wrong.
    let all = [1, 2, 3, 4, 5, 6];
    let (mut p1, mut p2, mut p3) = (P::new(1), P::new(2), P::new(3));
    p1.reg(4, &all).trans(&[1]).dlv(m(4, 0), A).dlv(m(5, 0), A).reg(8, &[1]);
    p2.reg(4, &all).trans(&[2]).dlv(m(5, 0), A).dlv(m(6, 0), A).reg(8, &[2]);
    p3.reg(4, &all).trans(&[3]).dlv(m(6, 0), A).dlv(m(4, 0), A).reg(8, &[3]);
    let (mut p4, mut p5, mut p6) = (P::new(4), P::new(5), P::new(6));
    for p in [&mut p4, &mut p5, &mut p6] {
        p.reg(4, &all).send(0, A).crash();
    }
    let v = check_safety(&history(&[&p1, &p2, &p3, &p4, &p5, &p6]));
    assert!(has_cycle(&v) && v.len() == 1, "{}", render(&v));
}

#[test]
fn gap_in_regular_configuration() {
    let (mut p1, mut p2, mut p3) = (P::new(1), P::new(2), P::new(3));
    p1.reg(4, &[1, 2, 3]).send(0, A);
    p2.reg(4, &[1, 2, 3]).send(0, A);
    p3.reg(4, &[1, 2, 3]).send(0, A);
    p1.dlv(m(1, 0), A).dlv(m(2, 0), A).dlv(m(3, 0), A);
    p2.dlv(m(1, 0), A).dlv(m(3, 0), A); // skipped msg 2/0#0
    p3.dlv(m(1, 0), A).dlv(m(2, 0), A);
    let v = check_safety(&history(&[&p1, &p2, &p3]));
    assert_props(&v, &[TotalOrder]);
    assert!(!has_cycle(&v), "{}", render(&v));
    assert!(v.iter().any(|x| x.detail.contains("gap in regular 1:4: node 2/0 delivered msg 3/0#0")), "{}", render(&v));
}

#[test]
fn regular_may_stop_early() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).send(0, A).send(1, A).dlv(m(1, 0), A).dlv(m(1, 1), A);
    p2.reg(4, &[1, 2]).dlv(m(1, 0), A);
    let v = check_safety(&history(&[&p1, &p2]));
    assert!(v.is_empty(), "{}", render(&v));
}

#[test]
fn skipped_in_regular_what_another_ordered_first() {
    // Node 1 delivers a, c in regular 1:4; node 2 delivers a in regular, then
    // b before c in its transitional configuration: b precedes c, so node 1
    // skipped b in a regular configuration.
    let (mut p1, mut p2, mut p3) = (P::new(1), P::new(2), P::new(3));
    p1.reg(4, &[1, 2, 3]).send(0, A).send(1, A).dlv(m(1, 0), A).dlv(m(1, 1), A);
    p3.reg(4, &[1, 2, 3]).send(0, A).crash();
    p2.reg(4, &[1, 2, 3]).dlv(m(1, 0), A).trans(&[2]).dlv(m(3, 0), A).dlv(m(1, 1), A).crash();
    let v = check_safety(&history(&[&p1, &p2, &p3]));
    assert_props(&v, &[TotalOrder]);
    assert!(v[0].detail.contains("node 2/0 delivered msg 3/0#0 before msg 1/0#1"), "{}", render(&v));
}

/// Ring 1:4 = {1, 2, 3}; all deliver a (node 1's); node 3 departs. In their
/// transitional configuration {1, 2}, node 2 delivers b then c, node 1 only
/// c. b and c come from nodes 2 and 3 (one each); one of nodes 1 and 2
/// installs the next regular configuration, the other crashes first.
fn transitional_skip(b: MsgId, c: MsgId, p1_completes: bool) -> Vec<Violation> {
    let (mut p1, mut p2, mut p3) = (P::new(1), P::new(2), P::new(3));
    for p in [&mut p1, &mut p2, &mut p3] {
        p.reg(4, &[1, 2, 3]);
    }
    p1.send(0, A);
    p2.send(0, A);
    p3.send(0, A);
    for p in [&mut p1, &mut p2, &mut p3] {
        p.dlv(m(1, 0), A);
    }
    p3.crash();
    p2.trans(&[1, 2]).dlv(b, A).dlv(c, A);
    p1.trans(&[1, 2]).dlv(c, A);
    if p1_completes {
        p1.reg(8, &[1, 2]);
        p2.crash();
    } else {
        p2.reg(8, &[1, 2]);
        p1.crash();
    }
    check_safety(&history(&[&p1, &p2, &p3]))
}

#[test]
fn skip_in_transitional_of_member_sender_completed() {
    let v = transitional_skip(m(2, 0), m(3, 0), true);
    assert_props(&v, &[TotalOrder]);
    assert!(
        v[0].detail
            .contains("node 1/0 completed trans(1:4 -> 1:8) without delivering msg 2/0#0, whose sender node 2/0"),
        "{}",
        render(&v)
    );
}

#[test]
fn skip_in_transitional_of_member_sender_cut_short() {
    // Node 1 ends inside its transitional configuration: judged by what it
    // skipped before its last delivery (b precedes c at node 2).
    let v = transitional_skip(m(2, 0), m(3, 0), false);
    assert_props(&v, &[TotalOrder]);
    assert!(v[0].detail.contains("node 1/0 skipped msg 2/0#0 in trans(1:4 -> ?)"), "{}", render(&v));
}

#[test]
fn skip_in_transitional_of_departed_sender_is_fine() {
    // b from the departed node 3, c from node 2 (this is the reference's pattern).
    for p1_completes in [true, false] {
        let v = transitional_skip(m(3, 0), m(2, 0), p1_completes);
        assert!(v.is_empty(), "{}", render(&v));
    }
}

#[test]
fn unordered_messages_take_no_part() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).send(0, U).send(1, A);
    p1.dlv(m(1, 0), U).dlv(m(1, 1), A);
    p2.reg(4, &[1, 2]).dlv(m(1, 1), A).dlv(m(1, 0), U);
    let v = check_safety(&history(&[&p1, &p2]));
    assert!(v.is_empty(), "{}", render(&v));
}
