//! P2: well-formed configuration sequences, and agreement on members.

use super::builder::*;
use crate::check::{check_safety, Property::*};
use crate::totem::ConfigKind::{Regular as Reg, Transitional as Trans};

/// Asserts the history breaks only P2, with a detail containing `words`.
#[track_caller]
fn breaks_p2(ps: &[&P], words: &str) {
    let v = check_safety(&history(ps));
    assert_props(&v, &[ConfigConsistency]);
    assert!(v.iter().any(|x| x.detail.contains(words)), "expected {words:?} in:\n{}", render(&v));
}

#[test]
fn disagreeing_members_for_a_ring_id() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2]);
    p2.config(Reg, ring(1, 4), &[1, 2, 3], &[], &[]);
    breaks_p2(&[&p1, &p2], "with members [1, 2, 3]");
}

#[test]
fn disagreeing_members_for_a_transitional_instance() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.reg(4, &[1, 2, 3]).trans(&[1, 2]).reg(8, &[1, 2]);
    // Node 2 says it moved alone from 1:4 to 1:8, node 1 that they moved together.
    p2.reg(4, &[1, 2, 3]).config(Trans, ring(1, 4), &[2], &[1, 3], &[]).config(Reg, ring(1, 8), &[1, 2], &[], &[1]);
    breaks_p2(&[&p1, &p2], "trans(1:4 -> 1:8) with members [1, 2]");
}

#[test]
fn two_regulars_in_a_row() {
    let mut p1 = P::new(1);
    p1.reg(4, &[1]).reg(8, &[1]);
    breaks_p2(&[&p1], "no transitional configuration between");
}

#[test]
fn two_transitionals_in_a_row() {
    let mut p1 = P::new(1);
    p1.reg(4, &[1, 2]).trans(&[1, 2]).trans(&[1]).reg(8, &[1]);
    breaks_p2(&[&p1], "no regular configuration between");
}

#[test]
fn first_config_transitional() {
    let mut p1 = P::new(1);
    p1.config(Trans, ring(1, 4), &[1], &[], &[]).config(Reg, ring(1, 8), &[1], &[], &[]);
    breaks_p2(&[&p1], "as its first configuration (must be regular)");
}

#[test]
fn first_config_with_left() {
    let mut p1 = P::new(1);
    p1.config(Reg, ring(1, 4), &[1], &[2], &[]);
    breaks_p2(&[&p1], "left [2] (must be empty)");
}

#[test]
fn transitional_left_wrong() {
    let mut p1 = P::new(1);
    p1.reg(4, &[1, 2]).config(Trans, ring(1, 4), &[1], &[], &[]).reg(8, &[1]);
    breaks_p2(&[&p1], "with left [], expected [2]");
}

#[test]
fn transitional_joined_not_empty() {
    let mut p1 = P::new(1);
    p1.reg(4, &[1, 2]).config(Trans, ring(1, 4), &[1], &[2], &[3]).reg(8, &[1]);
    breaks_p2(&[&p1], "joined [3] (must be empty)");
}

#[test]
fn transitional_ring_id_wrong() {
    let mut p1 = P::new(1);
    p1.reg(4, &[1, 2]).config(Trans, ring(1, 8), &[1], &[2], &[]).reg(12, &[1]);
    breaks_p2(&[&p1], "carries the old ring's id");
}

#[test]
fn transitional_members_outside_old_ring() {
    let mut p1 = P::new(1);
    p1.reg(4, &[1]).config(Trans, ring(1, 4), &[1, 2], &[], &[]).reg(8, &[1, 2]);
    breaks_p2(&[&p1], "not all in regular 1:4");
}

#[test]
fn transitional_members_outside_new_ring() {
    let mut p1 = P::new(1);
    p1.reg(4, &[1, 2]).trans(&[1, 2]).config(Reg, ring(1, 8), &[1], &[], &[]);
    breaks_p2(&[&p1], "not all in the next regular 1:8");
}

#[test]
fn regular_joined_wrong() {
    let mut p1 = P::new(1);
    p1.reg(4, &[1]).trans(&[1]).config(Reg, ring(1, 8), &[1, 2], &[], &[]);
    breaks_p2(&[&p1], "joined [], expected [2]");
}

#[test]
fn regular_left_not_empty() {
    let mut p1 = P::new(1);
    p1.reg(4, &[1, 2]).trans(&[1]).config(Reg, ring(1, 8), &[1], &[2], &[]);
    breaks_p2(&[&p1], "left [2] (must be empty)");
}

#[test]
fn ring_seq_not_increasing() {
    let mut p1 = P::new(1);
    p1.reg(8, &[1]).trans(&[1]).reg(4, &[1]);
    breaks_p2(&[&p1], "ring seq does not increase");
}

#[test]
fn representative_not_lowest() {
    let mut p1 = P::new(1);
    p1.config(Reg, ring(2, 4), &[1, 2], &[], &[]);
    breaks_p2(&[&p1], "representative is not the lowest member");
}

#[test]
fn members_not_sorted() {
    let mut p1 = P::new(1);
    p1.config(Reg, ring(1, 4), &[2, 1], &[], &[]);
    breaks_p2(&[&p1], "not sorted ascending");
}

#[test]
fn members_repeated() {
    let mut p1 = P::new(1);
    p1.config(Reg, ring(1, 4), &[1, 1, 2], &[], &[]);
    breaks_p2(&[&p1], "not sorted ascending");
}

#[test]
fn installer_not_member() {
    let mut p1 = P::new(1);
    p1.config(Reg, ring(2, 4), &[2, 3], &[], &[]);
    breaks_p2(&[&p1], "do not include itself");
}

#[test]
fn first_config_may_name_anyone_joined() {
    let mut p1 = P::new(1);
    p1.config(Reg, ring(1, 4), &[1, 2], &[], &[2]);
    let v = check_safety(&history(&[&p1]));
    assert!(v.is_empty(), "{}", render(&v));
}
