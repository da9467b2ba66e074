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

#[derive(Clone, Copy)]
struct Heard {
    at: Time,
    named_us: u32,
}

#[derive(Default)]
pub(crate) struct MergeWatch {
    /// Senders of other rings' detects, with when we last heard each and
    /// how many of its detects in a row named us.
    heard: BTreeMap<NodeId, Heard>,
    /// When our next periodic detect is due.
    next_detect: Time,
    /// Before this, do not answer a detect with ours (at most one answer per
    /// quarter interval, whatever arrives).
    next_answer: Time,
    /// Leaving a ring for a newcomer (`Processor::leave_for_a_newcomer`) is
    /// paced: not before this, and each time the wait doubles. The newcomer's
    /// links may be no better than the member's we leave (lossy ones both
    /// ways): each swap then costs a reconfiguration and gains nothing.
    next_swap: Time,
    swap_backoff: Time,
}

impl MergeWatch {
    /// A new ring is installed: detects start one interval from now.
    pub fn restart(&mut self, now: Time, interval: Time) {
        self.next_detect = now + interval;
        self.next_answer = now;
    }

    /// Another ring's detect came from `sender`; `names_us`: it lists us
    /// among the senders it hears.
    pub fn heard_from(&mut self, sender: NodeId, now: Time, names_us: bool) {
        if self.heard.len() >= MAX_HEARD && !self.heard.contains_key(&sender) {
            if let Some((&oldest, _)) = self.heard.iter().min_by_key(|(_, h)| h.at) {
                self.heard.remove(&oldest);
            }
        }
        let named_before = self.heard.get(&sender).map_or(0, |h| h.named_us);
        let named_us = if names_us { named_before.saturating_add(1) } else { 0 };
        self.heard.insert(sender, Heard { at: now, named_us });
    }

    /// How many of `sender`'s detects in a row named us, up to the last one.
    pub fn named_us_in_a_row(&self, sender: NodeId) -> u32 {
        self.heard.get(&sender).map_or(0, |h| h.named_us)
    }

    /// The senders heard within the last few intervals, ascending.
    pub fn heard(&mut self, now: Time, interval: Time) -> Vec<NodeId> {
        let horizon = now.saturating_sub(HEARD_INTERVALS * interval);
        self.heard.retain(|_, h| h.at >= horizon);
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

    /// Whether we may leave our ring for a newcomer now; if so, the next
    /// time waits `base` the first time, twice as long each time after, up
    /// to `cap`. A swap that comes after the wait has been over for as long
    /// again starts from `base`: a quiet spell that long says the fault that
    /// drove the last swaps has ended, and a new one should not pay for it
    /// (at the defaults the cap is over a minute).
    pub fn may_swap(&mut self, now: Time, base: Time, cap: Time) -> bool {
        if now < self.next_swap {
            return false;
        }
        let quiet_since_the_wait = now - self.next_swap >= self.swap_backoff;
        self.swap_backoff = if quiet_since_the_wait { base } else { (self.swap_backoff * 2).min(cap) };
        self.next_swap = now + self.swap_backoff;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heard_senders_age_out_and_are_bounded() {
        let mut m = MergeWatch::default();
        m.heard_from(7, 0, false);
        m.heard_from(3, 100, false);
        assert_eq!(m.heard(100, 200), vec![3, 7]);
        assert_eq!(m.heard(650, 200), vec![3], "7 was heard over 3 intervals ago");
        for n in 100..300 {
            m.heard_from(n, 1000 + n as Time, false);
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

    #[test]
    fn detects_naming_us_are_counted_in_a_row() {
        let mut m = MergeWatch::default();
        m.heard_from(5, 0, true);
        m.heard_from(5, 1, true);
        assert_eq!(m.named_us_in_a_row(5), 2);
        m.heard_from(5, 2, false);
        assert_eq!(m.named_us_in_a_row(5), 0, "a detect that does not name us ends the run");
        m.heard_from(5, 3, true);
        assert_eq!((m.named_us_in_a_row(5), m.named_us_in_a_row(6)), (1, 0));
    }

    #[test]
    fn swaps_back_off_to_the_cap() {
        let mut m = MergeWatch::default();
        assert!(m.may_swap(0, 100, 300));
        assert!(!m.may_swap(99, 100, 300));
        assert!(m.may_swap(100, 100, 300));
        assert!(!m.may_swap(299, 100, 300));
        assert!(m.may_swap(300, 100, 300));
        assert!(!m.may_swap(599, 100, 300), "capped at 300");
        assert!(m.may_swap(600, 100, 300));
        assert!(m.may_swap(1199, 100, 300), "299 ms after the wait: still the same fault");
        assert!(!m.may_swap(1498, 100, 300), "capped at 300");
    }

    #[test]
    fn swaps_after_a_quiet_spell_start_the_back_off_again() {
        let mut m = MergeWatch::default();
        for now in [0, 100, 300, 600] {
            assert!(m.may_swap(now, 100, 300));
        }
        // The wait ended at 900; quiet for 300 more: back to 100.
        assert!(m.may_swap(1200, 100, 300));
        assert!(!m.may_swap(1299, 100, 300));
        assert!(m.may_swap(1300, 100, 300), "the wait was 100 again");
    }
}
