//! P1: at most once, in one configuration, by a member that sent it there.

use super::builder::*;
use crate::check::{check_safety, Property::*};

#[test]
fn duplicate_delivery() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).send(0, A).dlv(m(1, 0), A).dlv(m(1, 0), A);
    p2.reg(4, &[1, 2]).dlv(m(1, 0), A);
    let v = check_safety(&history(&[&p1, &p2]));
    assert_props(&v, &[AtMostOnce]);
    assert!(
        v[0].detail.contains("twice") && v[0].detail.contains("node 1/0") && v[0].detail.contains("msg 1/0#0"),
        "{}",
        render(&v)
    );
}

#[test]
fn delivery_in_two_rings() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).send(0, A).dlv(m(1, 0), A).trans(&[1, 2]).reg(8, &[1, 2]);
    p2.reg(4, &[1, 2]).trans(&[1, 2]).reg(8, &[1, 2]).dlv(m(1, 0), A);
    let v = check_safety(&history(&[&p1, &p2]));
    assert_has(&v, AtMostOnce);
    assert!(
        v.iter().any(|x| x.detail.contains("two rings") && x.detail.contains("1:4") && x.detail.contains("1:8")),
        "{}",
        render(&v)
    );
}

#[test]
fn delivery_before_any_config() {
    let mut p1 = P::new(1);
    p1.send(0, A).dlv(m(1, 0), A).reg(4, &[1]);
    let v = check_safety(&history(&[&p1]));
    assert_props(&v, &[AtMostOnce]);
    assert!(v[0].detail.contains("before installing any configuration"), "{}", render(&v));
}

#[test]
fn sender_not_member() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1]);
    p2.reg(4, &[2]).send(0, A).dlv(m(2, 0), A);
    p1.dlv(m(2, 0), A);
    let v = check_safety(&history(&[&p1, &p2]));
    assert_has(&v, AtMostOnce);
    assert!(v.iter().any(|x| x.detail.contains("do not include its sender node 2/0")), "{}", render(&v));
}

#[test]
fn delivery_without_submit() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).dlv(m(2, 0), A);
    p2.reg(4, &[1, 2]).dlv(m(2, 0), A);
    let v = check_safety(&history(&[&p1, &p2]));
    assert_props(&v, &[AtMostOnce]);
    assert!(v[0].detail.contains("never submitted"), "{}", render(&v));
}

#[test]
fn guarantee_changed() {
    let mut p1 = P::new(1);
    p1.reg(4, &[1]).send(0, S).dlv(m(1, 0), A);
    let v = check_safety(&history(&[&p1]));
    assert_props(&v, &[AtMostOnce]);
    assert!(v[0].detail.contains("Safe"), "{}", render(&v));
}

#[test]
fn submitted_after_leaving_the_ring() {
    // Node 1 submits in 1:8, but node 2 delivers the message in 1:4.
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).trans(&[1]).reg(8, &[1]).send(0, A).dlv(m(1, 0), A);
    p2.reg(4, &[1, 2]).dlv(m(1, 0), A);
    // Node 2 first, so that 1:4 is the ring the other deliveries are judged against.
    let v = check_safety(&history(&[&p2, &p1]));
    assert_has(&v, AtMostOnce);
    assert!(v.iter().any(|x| x.detail.contains("after leaving")), "{}", render(&v));
}

#[test]
fn sent_in_a_ring_the_sender_never_installed() {
    // Node 2 claims ring 1:4 contains it, but node 2's own history never installed 1:4.
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).dlv(m(2, 0), A);
    p2.send(0, A).reg(8, &[2]);
    let v = check_safety(&history(&[&p1, &p2]));
    assert_has(&v, AtMostOnce);
    assert!(v.iter().any(|x| x.detail.contains("never installed")), "{}", render(&v));
}

#[test]
fn submit_naming_another_processor() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).send(0, A);
    p2.reg(4, &[1, 2]).send(0, A);
    let mut h = history(&[&p1, &p2]);
    // Make node 2's submit reuse node 1's message id.
    if let crate::check::Record::Submit { msg, .. } = &mut h.processes[1].records[1] {
        *msg = m(1, 0);
    }
    let v = check_safety(&h);
    assert_props(&v, &[AtMostOnce]);
    assert!(v.iter().any(|x| x.detail.contains("names another processor")), "{}", render(&v));
    assert!(v.iter().any(|x| x.detail.contains("already submitted")), "{}", render(&v));
}

#[test]
fn submitted_in_the_transitional_configuration_is_too_late() {
    // Once node 1 installed trans(1:4 -> 1:8) nothing new is ordered on 1:4.
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).trans(&[1, 2]).send(0, A).reg(8, &[1, 2]);
    p2.reg(4, &[1, 2]).dlv(m(1, 0), A).trans(&[1, 2]).reg(8, &[1, 2]);
    let v = check_safety(&history(&[&p2, &p1]));
    assert_has(&v, AtMostOnce);
    assert!(v.iter().any(|x| x.detail.contains("after leaving")), "{}", render(&v));
}
