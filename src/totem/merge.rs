//! Merge detection: an operational ring's representative multicasts a
//! `MergeDetect` every `merge_timeout`, naming the rings' senders it has
//! heard from lately. A ring gathers to merge with another only once that
//! other's detect shows it hears us: contact both ways. One-way contact is
//! the signature of a processor that sends but cannot receive; merging with
//! it would fail consensus, re-form the healthy ring without it, and start
//! again at its next detect (four reconfigurations a second, measured on a
//! namespace LAN). Hearing a detect that does not name us, the representative
//! answers with its own at once, so that a real merge waits one exchange, not
//! a merge interval.

use std::collections::BTreeMap;

use super::types::{NodeId, Time};

/// Most senders remembered: beyond it the oldest is forgotten.
pub(crate) const MAX_HEARD: usize = 64;

/// A sender heard longer ago than this many merge intervals is dropped from
/// our detects (its ring is gone or no longer reaches us).
const HEARD_INTERVALS: u64 = 3;

#[derive(Default)]
pub(crate) struct MergeWatch {
    /// Senders of other rings' detects, with when we last heard each.
    heard: BTreeMap<NodeId, Time>,
    /// When our next periodic detect is due.
    next_detect: Time,
    /// Before this, do not answer a detect with ours (at most one answer per
    /// quarter interval, whatever arrives).
    next_answer: Time,
}

impl MergeWatch {
    /// A new ring is installed: detects start one interval from now.
    pub fn restart(&mut self, now: Time, interval: Time) {
        self.next_detect = now + interval;
        self.next_answer = now;
    }

    /// Another ring's detect came from `sender`.
    pub fn heard_from(&mut self, sender: NodeId, now: Time) {
        if self.heard.len() >= MAX_HEARD && !self.heard.contains_key(&sender) {
            if let Some((&oldest, _)) = self.heard.iter().min_by_key(|(_, &t)| t) {
                self.heard.remove(&oldest);
            }
        }
        self.heard.insert(sender, now);
    }

    /// The senders heard within the last few intervals, ascending.
    pub fn heard(&mut self, now: Time, interval: Time) -> Vec<NodeId> {
        let horizon = now.saturating_sub(HEARD_INTERVALS * interval);
        self.heard.retain(|_, &mut t| t >= horizon);
        self.heard.keys().copied().collect()
    }

    /// Whether our periodic detect is due; if so, the next one is scheduled.
    pub fn detect_due(&mut self, now: Time, interval: Time) -> bool {
        if now < self.next_detect {
            return false;
        }
        self.next_detect = now + interval;
        true
    }

    /// Whether to answer a detect that did not name us, now.
    pub fn may_answer(&mut self, now: Time, interval: Time) -> bool {
        if now < self.next_answer {
            return false;
        }
        self.next_answer = now + interval / 4;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heard_senders_age_out_and_are_bounded() {
        let mut m = MergeWatch::default();
        m.heard_from(7, 0);
        m.heard_from(3, 100);
        assert_eq!(m.heard(100, 200), vec![3, 7]);
        assert_eq!(m.heard(650, 200), vec![3], "7 was heard over 3 intervals ago");
        for n in 100..300 {
            m.heard_from(n, 1000 + n as Time);
        }
        assert_eq!(m.heard(1300, 200).len(), MAX_HEARD);
        assert!(m.heard(1300, 200).contains(&299));
    }

    #[test]
    fn detects_and_answers_are_paced() {
        let mut m = MergeWatch::default();
        m.restart(1000, 200);
        assert!(!m.detect_due(1100, 200));
        assert!(m.detect_due(1200, 200));
        assert!(!m.detect_due(1300, 200));
        assert!(m.may_answer(1300, 200));
        assert!(!m.may_answer(1349, 200));
        assert!(m.may_answer(1350, 200));
    }
}
