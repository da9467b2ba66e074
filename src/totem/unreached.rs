//! Whose unicast does not reach us: measured on the tokens our predecessor
//! sends, remembered across rings.
//!
//! Poor links are measured on multicast (`hearing.rs`), and a unicast that
//! fails one way does not show there: the token crosses it by the multicast
//! fallback and the relay (`relay.rs`), and the ring keeps it. When a cut
//! along poor links may drop either of two processors, the membership drops
//! the one such a link would otherwise keep inside the ring
//! (`link_groups.rs`; asym seeds 1220 and 1298: 3's unicast to 2 was dead,
//! and {2,3} was kept over the relay while {1,3} was clean).
//!
//! Only the receiver can tell: a sender that resends a token cannot know
//! whether its unicast was lost or the ring was slow to show that it moved
//! on. So each copy of a token says how it was sent (`token_flags`), and the
//! first copy of each token to reach us judges our predecessor's unicast:
//! one sent by unicast reached us; a resend by multicast, after the unicast
//! copies, shows those were lost; one sent by multicast from the start (the
//! sender already gave up on unicast for a while) says nothing.
//!
//! A link counts as unreached after [`FAILS_IN_A_ROW`] failures with no
//! success between them (on a link that loses 5%, both unicast copies are
//! lost once in 400 tokens; three such in a row, never), and is forgotten
//! when a unicast reaches us again or after [`MEMORY`]: it only breaks ties,
//! and a stale one should not decide them for ever.

use std::collections::BTreeMap;

use super::types::{NodeId, Time, MS};

/// Failures in a row that make a link unreached.
const FAILS_IN_A_ROW: u32 = 3;

/// How long the last failure counts.
const MEMORY: Time = 60_000 * MS;

/// Most senders remembered: beyond it the oldest failure is forgotten.
const MAX_SENDERS: usize = 256;

/// A sender's failures in a row, and when the last one came.
#[derive(Clone, Copy)]
struct Run {
    fails: u32,
    last: Time,
}

#[derive(Default)]
pub(crate) struct Unreached {
    runs: BTreeMap<NodeId, Run>,
}

impl Unreached {
    /// A token from `sender` first reached us by a multicast resend.
    pub fn failed(&mut self, sender: NodeId, now: Time) {
        if self.runs.len() >= MAX_SENDERS && !self.runs.contains_key(&sender) {
            let oldest = self.runs.iter().min_by_key(|(_, r)| r.last).map(|(&n, _)| n);
            if let Some(oldest) = oldest {
                self.runs.remove(&oldest);
            }
        }
        let run = self.runs.entry(sender).or_insert(Run { fails: 0, last: now });
        run.fails = run.fails.saturating_add(1);
        run.last = now;
    }

    /// A token from `sender` first reached us by unicast.
    pub fn reached(&mut self, sender: NodeId) {
        self.runs.remove(&sender);
    }

    /// Whether `sender`'s unicast to us failed [`FAILS_IN_A_ROW`] times,
    /// the last within [`MEMORY`].
    pub fn lately(&self, sender: NodeId, now: Time) -> bool {
        self.runs.get(&sender).is_some_and(|r| r.fails >= FAILS_IN_A_ROW && r.last + MEMORY > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_in_a_row_count_until_reached_or_forgotten() {
        let mut u = Unreached::default();
        for t in 1..FAILS_IN_A_ROW as Time {
            u.failed(2, t);
        }
        assert!(!u.lately(2, 10), "one failure short");
        u.failed(2, 10);
        assert!(u.lately(2, 10) && u.lately(2, 10 + MEMORY - 1) && !u.lately(3, 10));
        assert!(!u.lately(2, 10 + MEMORY), "forgotten after the memory");
        u.reached(2);
        for t in 20..20 + FAILS_IN_A_ROW as Time - 1 {
            u.failed(2, t);
        }
        u.reached(2);
        u.failed(2, 30);
        assert!(!u.lately(2, 30), "a unicast that arrives starts the run again");
    }

    #[test]
    fn the_memory_is_bounded_and_forgets_the_oldest() {
        let mut u = Unreached::default();
        for _ in 0..FAILS_IN_A_ROW {
            for n in 1..=MAX_SENDERS as NodeId {
                u.failed(n, Time::from(n));
            }
        }
        for _ in 0..FAILS_IN_A_ROW {
            u.failed(1000, 5000);
        }
        assert_eq!(u.runs.len(), MAX_SENDERS);
        assert!(!u.lately(1, 5000) && u.lately(2, 5000) && u.lately(1000, 5000));
    }
}
