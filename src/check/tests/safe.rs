//! P7 safe delivery.

use super::builder::*;
use crate::check::{check_safety, Property::*};

/// Ring 1:4 = {1, 2}; node 1 delivers its safe message there, node 2 never
/// does; `node2` finishes node 2's history.
fn safe_in_regular(node2: impl FnOnce(&mut P)) -> Vec<crate::check::Violation> {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).send(0, S).dlv(m(1, 0), S).trans(&[1]).reg(8, &[1]);
    p2.reg(4, &[1, 2]);
    node2(&mut p2);
    check_safety(&history(&[&p1, &p2]))
}

#[test]
fn member_that_moved_on_never_delivered() {
    let v = safe_in_regular(|p2| {
        p2.trans(&[2]).reg(8, &[2]);
    });
    assert_props(&v, &[Safe]);
    assert!(
        v[0].detail
            .contains("node 1/0 delivered safe msg 1/0#0 in regular 1:4, but member node 2/0 never delivered it"),
        "{}",
        render(&v)
    );
}

#[test]
fn member_still_running_never_delivered() {
    let v = safe_in_regular(|_| {});
    assert_props(&v, &[Safe]);
    assert!(v[0].detail.contains("still running"), "{}", render(&v));
}

#[test]
fn member_that_failed_first_is_excused() {
    let v = safe_in_regular(|p2| {
        p2.crash();
    });
    assert!(v.is_empty(), "{}", render(&v));
    let v = safe_in_regular(|p2| {
        p2.trans(&[2]).leave();
    });
    assert!(v.is_empty(), "{}", render(&v));
}

#[test]
fn member_delivering_in_transitional_is_fine() {
    let v = safe_in_regular(|p2| {
        p2.trans(&[2]).dlv(m(1, 0), S).reg(8, &[2]);
    });
    assert!(v.is_empty(), "{}", render(&v));
}

#[test]
fn transitional_peer_never_delivered() {
    // 1 and 2 leave 1:4 together; node 1 delivers node 3's safe message in
    // the transitional configuration, node 2 does not.
    let (mut p1, mut p2, mut p3) = (P::new(1), P::new(2), P::new(3));
    p3.reg(4, &[1, 2, 3]).send(0, S).crash();
    p1.reg(4, &[1, 2, 3]).trans(&[1, 2]).dlv(m(3, 0), S).reg(8, &[1, 2]);
    p2.reg(4, &[1, 2, 3]).trans(&[1, 2]).reg(8, &[1, 2]);
    let v = check_safety(&history(&[&p1, &p2, &p3]));
    assert_props(&v, &[Safe, FailureAtomicity]);
    assert!(
        v.iter().any(|x| x.detail.contains("in trans(1:4 -> 1:8), but node 2/0 installed the same configuration")),
        "{}",
        render(&v)
    );
}

#[test]
fn transitional_of_another_partition_owes_nothing() {
    let (mut p1, mut p2, mut p3) = (P::new(1), P::new(2), P::new(3));
    p3.reg(4, &[1, 2, 3]).send(0, S).crash();
    p1.reg(4, &[1, 2, 3]).trans(&[1]).dlv(m(3, 0), S).reg(8, &[1]);
    p2.reg(4, &[1, 2, 3]).trans(&[2]).reg(8, &[2]);
    let v = check_safety(&history(&[&p1, &p2, &p3]));
    assert!(v.is_empty(), "{}", render(&v));
}
