//! Liveness and P3 self delivery, judged at the end of a run.

use super::builder::*;
use crate::check::{check_liveness, Liveness, Property::*};

const SPEC: Liveness = Liveness { faults_end: 1_000, bound: 2_000 };

#[test]
fn settled_run_passes() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).send(0, A).dlv(m(1, 0), A);
    p2.reg(4, &[1, 2]).dlv(m(1, 0), A);
    let v = check_liveness(&history(&[&p1, &p2]), &SPEC);
    assert!(v.is_empty(), "{}", render(&v));
}

#[test]
fn split_final_configurations() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).trans(&[1]).reg(8, &[1]);
    p2.reg(4, &[1, 2]).trans(&[2]).reg(8, &[2]);
    let v = check_liveness(&history(&[&p1, &p2]), &SPEC);
    assert_props(&v, &[Liveness]);
    assert!(
        v.iter()
            .any(|x| x.detail.contains("different configurations: node 1/0 in ring 1:8 [1], node 2/0 in ring 2:8 [2]")),
        "{}",
        render(&v)
    );
}

#[test]
fn final_configuration_installed_too_late() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1]).trans(&[1]).at(2_500).reg(8, &[1, 2]);
    p2.reg(4, &[2]).trans(&[2]).at(3_500).reg(8, &[1, 2]);
    let v = check_liveness(&history(&[&p1, &p2]), &SPEC);
    assert_props(&v, &[Liveness]);
    assert_eq!(v.len(), 1, "{}", render(&v));
    assert!(
        v[0].detail.contains("node 2/0 installed its final regular 1:8 at 3510, after faults_end + bound = 3000"),
        "{}",
        render(&v)
    );
}

#[test]
fn missing_self_delivery() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).send(0, A).send(1, S).dlv(m(1, 0), A);
    p2.reg(4, &[1, 2]).dlv(m(1, 0), A);
    let v = check_liveness(&history(&[&p1, &p2]), &SPEC);
    assert_props(&v, &[SelfDelivery]);
    assert!(
        v[0].detail.contains("node 1/0 is running but never delivered 1 of its own messages: [msg 1/0#1]"),
        "{}",
        render(&v)
    );
}

#[test]
fn crashed_processors_owe_nothing() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]).trans(&[1]).reg(8, &[1]);
    p2.reg(4, &[1, 2]).send(0, A).crash();
    let v = check_liveness(&history(&[&p1, &p2]), &SPEC);
    assert!(v.is_empty(), "{}", render(&v));
}

#[test]
fn final_members_must_be_the_running_processors() {
    // Node 2 crashed but node 1 still counts it a member.
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]);
    p2.reg(4, &[1, 2]).crash();
    let v = check_liveness(&history(&[&p1, &p2]), &SPEC);
    assert_props(&v, &[Liveness]);
    assert!(v[0].detail.contains("but the running processors are [1]"), "{}", render(&v));
}

#[test]
fn ending_in_a_transitional_configuration() {
    let mut p1 = P::new(1);
    p1.reg(4, &[1, 2]).trans(&[1]);
    let v = check_liveness(&history(&[&p1]), &SPEC);
    assert_props(&v, &[Liveness]);
}

#[test]
fn running_without_any_configuration() {
    let mut p1 = P::new(1);
    p1.send(0, A);
    let v = check_liveness(&history(&[&p1]), &SPEC);
    assert_props(&v, &[Liveness, SelfDelivery]);
}

#[test]
fn nobody_running_passes_trivially() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1]).send(0, A).crash();
    p2.reg(4, &[2]).leave();
    let v = check_liveness(&history(&[&p1, &p2]), &SPEC);
    assert!(v.is_empty(), "{}", render(&v));
}
