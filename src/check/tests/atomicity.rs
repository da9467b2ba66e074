//! P4 failure atomicity.

use super::builder::*;
use crate::check::{check_safety, Property::*};

#[test]
fn different_sets_in_a_regular_configuration() {
    // 1 and 2 move together from 1:4 to 1:8, but only 1 delivered node 2's
    // (unordered, so no other property cares) message in 1:4.
    let (mut p1, mut p2, mut p3) = (P::new(1), P::new(2), P::new(3));
    p1.reg(4, &[1, 2, 3]).dlv(m(2, 0), U).trans(&[1, 2]).reg(8, &[1, 2]);
    p2.reg(4, &[1, 2, 3]).send(0, U).trans(&[1, 2]).reg(8, &[1, 2]);
    p3.reg(4, &[1, 2, 3]).crash();
    let v = check_safety(&history(&[&p1, &p2, &p3]));
    assert_props(&v, &[FailureAtomicity]);
    assert!(
        v[0].detail.contains("regular 1:4") && v[0].detail.contains("only node 1/0: [msg 2/0#0]"),
        "{}",
        render(&v)
    );
}

#[test]
fn different_sets_in_a_transitional_configuration() {
    let (mut p1, mut p2, mut p3) = (P::new(1), P::new(2), P::new(3));
    p1.reg(4, &[1, 2, 3]).trans(&[1, 2]).reg(8, &[1, 2]);
    p2.reg(4, &[1, 2, 3]).send(0, U).trans(&[1, 2]).dlv(m(2, 0), U).reg(8, &[1, 2]);
    p3.reg(4, &[1, 2, 3]).crash();
    let v = check_safety(&history(&[&p1, &p2, &p3]));
    assert_props(&v, &[FailureAtomicity]);
    assert!(v[0].detail.contains("in trans(1:4 -> 1:8)"), "{}", render(&v));
}

#[test]
fn different_next_configurations_may_differ() {
    // 1 and 2 part ways: what each delivered in 1:4 is its own business.
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).dlv(m(2, 0), U).trans(&[1]).reg(8, &[1]);
    p2.reg(4, &[1, 2]).send(0, U).trans(&[2]).reg(8, &[2]);
    let v = check_safety(&history(&[&p1, &p2]));
    assert!(v.is_empty(), "{}", render(&v));
}

#[test]
fn unknown_next_configuration_is_not_compared() {
    // Node 2 crashed inside its transitional configuration.
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2, 3]).trans(&[1, 2]).reg(8, &[1, 2]);
    p2.reg(4, &[1, 2, 3]).send(0, U).trans(&[1, 2]).dlv(m(2, 0), U).crash();
    let v = check_safety(&history(&[&p1, &p2]));
    assert!(v.is_empty(), "{}", render(&v));
}
