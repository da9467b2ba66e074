//! Processors kept out for a while because they could not complete a
//! formation with us.
//!
//! A processor whose joins we hear but that ends up outside the ring we
//! install (it never agreed with us, or every commit token sent to it was
//! lost: it cannot hear us, or hears only some of us) would otherwise send an
//! operational ring back to gathering with its next join, stall delivery for
//! a consensus timeout, and see the ring re-form without it, again and again
//! for as long as its fault lasts. So while it is excluded its joins and
//! merge-detects do not end an operational ring. The exclusion is local (it
//! never enters a join's fail set: other processors would adopt an opinion
//! that may be ours alone and split a healthy ring), lasts a back-off that
//! doubles each time the processor is left out again, up to a cap (so that a
//! processor whose fault has ended is back within seconds), and is forgotten
//! once the processor is on a ring with us.

use std::collections::BTreeMap;

use super::types::{NodeId, Time};

/// Most processors remembered (a bound against a flood of node ids).
const MAX_EXCLUDED: usize = 1024;

struct Entry {
    until: Time,
    backoff: Time,
}

#[derive(Default)]
pub(crate) struct Exclusions {
    entries: BTreeMap<NodeId, Entry>,
}

impl Exclusions {
    /// `node` was left out of a ring at `now`: keep it out for `base` the first
    /// time, twice as long each time after, never more than `cap`.
    pub fn exclude(&mut self, node: NodeId, now: Time, base: Time, cap: Time) {
        if self.entries.len() >= MAX_EXCLUDED && !self.entries.contains_key(&node) {
            // The one whose exclusion ends first goes.
            if let Some((&first, _)) = self.entries.iter().min_by_key(|(_, e)| e.until) {
                self.entries.remove(&first);
            }
        }
        let backoff = match self.entries.get(&node) {
            Some(e) => (e.backoff * 2).min(cap),
            None => base.min(cap),
        };
        self.entries.insert(node, Entry { until: now + backoff, backoff });
    }

    pub fn is_excluded(&self, node: NodeId, now: Time) -> bool {
        self.entries.get(&node).is_some_and(|e| now < e.until)
    }

    /// `node` is on a ring with us: it can complete consensus after all.
    pub fn admitted(&mut self, node: NodeId) {
        self.entries.remove(&node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_to_the_cap_and_admission_forgets() {
        let mut x = Exclusions::default();
        assert!(!x.is_excluded(4, 0));
        x.exclude(4, 0, 100, 350);
        assert!(x.is_excluded(4, 99) && !x.is_excluded(4, 100));
        x.exclude(4, 100, 100, 350);
        assert!(x.is_excluded(4, 299) && !x.is_excluded(4, 300));
        x.exclude(4, 300, 100, 350);
        assert!(x.is_excluded(4, 649) && !x.is_excluded(4, 650), "capped at 350");
        x.admitted(4);
        x.exclude(4, 1000, 100, 350);
        assert!(!x.is_excluded(4, 1100), "admission reset the back-off");
    }

    #[test]
    fn bounded() {
        let mut x = Exclusions::default();
        for n in 1..=(MAX_EXCLUDED as u32 + 10) {
            x.exclude(n, n as Time, 1000, 1000);
        }
        assert_eq!(x.entries.len(), MAX_EXCLUDED);
        assert!(x.is_excluded(MAX_EXCLUDED as u32 + 10, 1100));
    }
}
