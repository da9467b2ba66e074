//! Progress during faults: hand-made histories against hand-made windows.
//! Times: the builder ticks 10 per record unless `at` sets the clock.

use super::builder::*;
use crate::check::{check_progress, Progress, Property, Window};

const B: Progress = Progress { form: 1_000, deliver: 500, extra_changes: 1 };

fn window(members: &[u32], start: u64, end: u64, clique: bool, outsider_events: u32) -> Window {
    Window { members: members.iter().map(|&n| (n, 0)).collect(), start, end, clique, outsider_events }
}

#[test]
fn a_ring_that_forms_and_delivers_passes() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.at(500).reg(4, &[1, 2]).at(1_500).send(0, A).dlv(m(1, 0), A);
    p2.at(600).reg(4, &[1, 2]).at(1_600).dlv(m(1, 0), A);
    let v = check_progress(&history(&[&p1, &p2]), &[window(&[1, 2], 0, 3_000, true, 0)], &B);
    assert!(v.is_empty(), "{}", render(&v));
}

#[test]
fn a_ring_formed_before_the_window_counts() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.at(10).reg(4, &[1, 2, 3]);
    p2.at(10).reg(4, &[1, 2, 3]);
    let v = check_progress(&history(&[&p1, &p2]), &[window(&[1, 2], 2_000, 5_000, true, 0)], &B);
    assert!(v.is_empty(), "{}", render(&v));
}

#[test]
fn short_windows_are_not_judged() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.at(10).reg(4, &[1]);
    p2.at(10).reg(4, &[2]);
    let v = check_progress(&history(&[&p1, &p2]), &[window(&[1, 2], 0, 1_000, true, 0)], &B);
    assert!(v.is_empty(), "{}", render(&v));
}

#[test]
fn members_in_separate_rings_fail_a_clean_window() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.at(10).reg(4, &[1]);
    p2.at(10).reg(4, &[2]);
    let v = check_progress(&history(&[&p1, &p2]), &[window(&[1, 2], 0, 3_000, true, 0)], &B);
    assert_props(&v, &[Property::Progress]);
    assert!(
        v[0].detail.contains("clean window [0, 3000] of {1/0, 2/0}: no common regular configuration"),
        "{}",
        render(&v)
    );
}

#[test]
fn a_ring_formed_too_late_fails() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.at(10).reg(4, &[1]).at(1_200).reg(8, &[1, 2]);
    p2.at(10).reg(4, &[2]).at(1_200).reg(8, &[1, 2]);
    let v = check_progress(&history(&[&p1, &p2]), &[window(&[1, 2], 0, 3_000, true, 1)], &B);
    assert_props(&v, &[Property::Progress]);
}

#[test]
fn a_stalled_ring_fails_delivery() {
    // In one ring from the start, but 2 never delivers 1's message (recovery stuck).
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.at(10).reg(4, &[1, 2]).at(1_500).send(0, A).at(1_600).dlv(m(1, 0), A);
    p2.at(10).reg(4, &[1, 2]);
    let v = check_progress(&history(&[&p1, &p2]), &[window(&[1, 2], 0, 3_000, true, 0)], &B);
    assert_props(&v, &[Property::Progress]);
    assert!(
        v[0].detail.contains("1 of 1's messages submitted in [1000, 2500] were not delivered by 2"),
        "{}",
        render(&v)
    );
}

#[test]
fn late_delivery_fails_and_messages_outside_the_span_do_not_count() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    // #0 before start + B, #2 after end - D: not judged; #1 is delivered 600 > D late.
    p1.at(10).reg(4, &[1, 2]).at(900).send(0, A).at(1_100).send(1, A).at(2_600).send(2, A);
    p1.at(1_700).dlv(m(1, 1), A);
    p2.at(10).reg(4, &[1, 2]).at(1_200).dlv(m(1, 1), A);
    let v = check_progress(&history(&[&p1, &p2]), &[window(&[1, 2], 0, 3_000, true, 0)], &B);
    assert_props(&v, &[Property::Progress]);
    assert_eq!(v.len(), 1, "{}", render(&v));
    assert!(v[0].detail.contains("not delivered by 1 within D = 500: [msg 1/0#1]"), "{}", render(&v));
}

#[test]
fn a_tangled_window_asks_only_for_self_delivery() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    p1.at(10).reg(4, &[1]).at(1_500).send(0, A).dlv(m(1, 0), A);
    p2.at(10).reg(4, &[2]).at(1_500).send(0, A);
    let v = check_progress(&history(&[&p1, &p2]), &[window(&[1, 2], 0, 3_000, false, 0)], &B);
    assert_props(&v, &[Property::Progress]);
    assert_eq!(v.len(), 1, "{}", render(&v));
    assert!(v[0].detail.contains("tangled window") && v[0].detail.contains("2's messages"), "{}", render(&v));
}

#[test]
fn reconfiguring_again_and_again_fails_unless_outsiders_explain_it() {
    let (mut p1, mut p2) = (P::new(1), P::new(2));
    for (i, t) in [10, 1_200, 1_500, 1_800, 2_100].iter().enumerate() {
        let seq = 4 * (i as u64 + 1);
        p1.at(*t).reg(seq, &[1, 2]);
        p2.at(*t).reg(seq, &[1, 2]);
    }
    // Four changes after start + B: one outsider event + 1 extra allowed is not enough...
    let v = check_progress(&history(&[&p1, &p2]), &[window(&[1, 2], 0, 3_000, true, 1)], &B);
    assert_props(&v, &[Property::Progress]);
    assert!(v[0].detail.contains("installed 4 regular configurations after start + B = 1000"), "{}", render(&v));
    // ... three outsider events are.
    let v = check_progress(&history(&[&p1, &p2]), &[window(&[1, 2], 0, 3_000, true, 3)], &B);
    assert!(v.is_empty(), "{}", render(&v));
}

#[test]
fn a_member_without_history_is_reported() {
    let p1 = P::new(1);
    let v = check_progress(&history(&[&p1]), &[window(&[1, 2], 0, 3_000, true, 0)], &B);
    assert_props(&v, &[Property::Progress]);
}
