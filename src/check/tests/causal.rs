//! P5 causal order inside a configuration.

use super::builder::*;
use crate::check::{check_safety, Property::*};

#[test]
fn same_sender_out_of_order() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).send(0, A).send(1, A).dlv(m(1, 0), A).dlv(m(1, 1), A);
    p2.reg(4, &[1, 2]).dlv(m(1, 1), A).dlv(m(1, 0), A);
    let v = check_safety(&history(&[&p1, &p2]));
    assert_has(&v, Causal);
    assert!(
        v.iter().any(|x| x.property == Causal && x.detail.contains("node 2/0 delivered msg 1/0#1 before msg 1/0#0")),
        "{}",
        render(&v)
    );
}

#[test]
fn same_sender_earlier_message_missing() {
    // In a transitional configuration node 2 may skip node 1's messages, but
    // not the first and keep the second.
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).send(0, F).send(1, F).dlv(m(1, 0), F).dlv(m(1, 1), F);
    p2.reg(4, &[1, 2]).trans(&[2]).dlv(m(1, 1), F).reg(8, &[2]);
    let v = check_safety(&history(&[&p1, &p2]));
    assert_props(&v, &[Causal]);
    assert!(v[0].detail.contains("never msg 1/0#0"), "{}", render(&v));
}

#[test]
fn delivered_before_send_missing() {
    // Node 2 delivered a before sending b; node 3 delivers b, skipping a, in
    // a transitional configuration. Total order allows the skip (a's sender
    // is not in node 3's transitional configuration), causality does not.
    let (mut p1, mut p2, mut p3) = (P::new(1), P::new(2), P::new(3));
    p1.reg(4, &[1, 2, 3]).send(0, A).dlv(m(1, 0), A);
    p2.reg(4, &[1, 2, 3]).dlv(m(1, 0), A).send(0, A).dlv(m(2, 0), A);
    p1.dlv(m(2, 0), A);
    p3.reg(4, &[1, 2, 3]).trans(&[3]).dlv(m(2, 0), A).reg(8, &[3]);
    let v = check_safety(&history(&[&p1, &p2, &p3]));
    assert_props(&v, &[Causal]);
    assert!(v[0].detail.contains("node 3/0 delivered msg 2/0#0 in ring 1:4 but never msg 1/0#0"), "{}", render(&v));
}

#[test]
fn delivered_before_send_out_of_order() {
    let (mut p1, mut p2, mut p3) = (P::new(1), P::new(2), P::new(3));
    p1.reg(4, &[1, 2, 3]).send(0, A).dlv(m(1, 0), A);
    p2.reg(4, &[1, 2, 3]).dlv(m(1, 0), A).send(0, A).dlv(m(2, 0), A);
    p1.dlv(m(2, 0), A);
    p3.reg(4, &[1, 2, 3]).dlv(m(2, 0), A).dlv(m(1, 0), A);
    let v = check_safety(&history(&[&p1, &p2, &p3]));
    assert_has(&v, Causal);
    assert!(
        v.iter().any(|x| x.detail.contains("before msg 1/0#0, which the sender node 2/0 delivered")),
        "{}",
        render(&v)
    );
}

#[test]
fn unordered_messages_take_no_part() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).send(0, U).send(1, U).dlv(m(1, 0), U).dlv(m(1, 1), U);
    p2.reg(4, &[1, 2]).dlv(m(1, 1), U).dlv(m(1, 0), U);
    let v = check_safety(&history(&[&p1, &p2]));
    assert!(v.is_empty(), "{}", render(&v));
}

#[test]
fn across_configurations_is_not_checked() {
    // Node 2 saw a (ring 1:4) before sending b (ring 1:8); node 3 joins in
    // 1:8 and delivers b without ever seeing a: fine, different rings.
    let (mut p1, mut p2, mut p3) = (P::new(1), P::new(2), P::new(3));
    p1.reg(4, &[1, 2]).send(0, A).dlv(m(1, 0), A).trans(&[1, 2]).reg(8, &[1, 2, 3]);
    p2.reg(4, &[1, 2]).dlv(m(1, 0), A).trans(&[1, 2]).reg(8, &[1, 2, 3]).send(0, A);
    p3.reg(4, &[3]).trans(&[3]).reg(8, &[1, 2, 3]);
    for p in [&mut p1, &mut p2, &mut p3] {
        p.dlv(m(2, 0), A);
    }
    let v = check_safety(&history(&[&p1, &p2, &p3]));
    assert!(v.is_empty(), "{}", render(&v));
}
