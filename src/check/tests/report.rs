//! How violations read, and the cap on how many are listed.

use super::builder::*;
use crate::check::{check_safety, Property, Violation, MAX_PER_PROPERTY};

#[test]
fn property_names() {
    let names: Vec<String> = Property::ALL.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        names,
        [
            "P1 at-most-once",
            "P2 config-consistency",
            "P3 self-delivery",
            "P4 failure-atomicity",
            "P5 causal-order",
            "P6 total-order",
            "P7 safe-delivery",
            "liveness",
            "progress"
        ]
    );
    let v = Violation { property: Property::AtMostOnce, detail: "x".into() };
    assert_eq!(v.to_string(), "P1 at-most-once: x");
}

#[test]
fn violations_are_capped_per_property() {
    let mut p1 = P::new(1);
    p1.reg(4, &[1]).send(0, A);
    for _ in 0..101 {
        p1.dlv(m(1, 0), A);
    }
    let v = check_safety(&history(&[&p1]));
    assert_eq!(v.len(), MAX_PER_PROPERTY + 1, "{}", render(&v));
    assert!(v.iter().all(|x| x.property == Property::AtMostOnce));
    assert_eq!(v.last().unwrap().detail, "80 more violations of this property not listed");
}
