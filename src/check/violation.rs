//! What the checker reports: which property a history breaks, and how.

use std::fmt;

/// The EVS properties of PROTOCOL.md ("The properties to check"), plus liveness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Property {
    /// P1: each message delivered at most once per processor, and in one configuration.
    AtMostOnce,
    /// P2: processors that install a configuration agree on it; well-formed sequences.
    ConfigConsistency,
    /// P3: a processor that does not fail delivers its own messages.
    SelfDelivery,
    /// P4: processors that move together from c to the next deliver the same set in c.
    FailureAtomicity,
    /// P5: causal order inside a configuration.
    Causal,
    /// P6: one total order of agreed and safe messages, with no gaps.
    TotalOrder,
    /// P7: a safe message delivered by one is delivered by every member unless it fails.
    Safe,
    /// The run settles: every running processor ends in one configuration, in time.
    Liveness,
    /// Progress during faults: processors that can talk form a ring, deliver and settle.
    Progress,
}

impl Property {
    pub const ALL: [Property; 9] = [
        Property::AtMostOnce,
        Property::ConfigConsistency,
        Property::SelfDelivery,
        Property::FailureAtomicity,
        Property::Causal,
        Property::TotalOrder,
        Property::Safe,
        Property::Liveness,
        Property::Progress,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Property::AtMostOnce => "P1 at-most-once",
            Property::ConfigConsistency => "P2 config-consistency",
            Property::SelfDelivery => "P3 self-delivery",
            Property::FailureAtomicity => "P4 failure-atomicity",
            Property::Causal => "P5 causal-order",
            Property::TotalOrder => "P6 total-order",
            Property::Safe => "P7 safe-delivery",
            Property::Liveness => "liveness",
            Property::Progress => "progress",
        })
    }
}

/// One way a history breaks one property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub property: Property,
    /// Names the processors (node/incarnation), messages and ring ids involved.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.property, self.detail)
    }
}

/// How many violations of one property are listed; a broken run can break a
/// property at every delivery, and megabytes of report help nobody.
pub const MAX_PER_PROPERTY: usize = 20;

/// Collects violations, keeping the first [`MAX_PER_PROPERTY`] of each property.
pub(super) struct Report {
    violations: Vec<Violation>,
    counts: [usize; Property::ALL.len()],
}

impl Report {
    pub fn new() -> Report {
        Report { violations: Vec::new(), counts: [0; Property::ALL.len()] }
    }

    /// Records a violation; `detail` is only formatted when it will be kept,
    /// so a run with a million violations costs no more than one with twenty.
    pub fn add(&mut self, property: Property, detail: impl FnOnce() -> String) {
        let count = &mut self.counts[property.index()];
        *count += 1;
        if *count <= MAX_PER_PROPERTY {
            self.violations.push(Violation { property, detail: detail() });
        }
    }

    /// The kept violations, plus one line per property that was cut short
    /// saying how many more there were.
    pub fn finish(mut self) -> Vec<Violation> {
        for property in Property::ALL {
            let count = self.counts[property.index()];
            if count > MAX_PER_PROPERTY {
                self.violations.push(Violation {
                    property,
                    detail: format!("{} more violations of this property not listed", count - MAX_PER_PROPERTY),
                });
            }
        }
        self.violations
    }
}
