//! How well we hear each ring member's data frames: which of them reached us
//! only as a retransmission.
//!
//! Joins and merge-detects measure a link while processors gather or between
//! rings (`hearing.rs`); on a working ring only data frames cross it. A ring
//! whose member misses most of another's frames does not fail: the token
//! goes round, retransmissions fill the gaps, and the ring crawls on for as
//! long as the fault lasts, delivering seconds late (asym seeds 1143 and
//! 2118: 20 s of it). A frame whose first copy to reach us was a
//! retransmission (`Packet::Resent`) was missed; one whose original reached
//! us was heard. (Frames still missing when the token comes are no measure:
//! many are only in flight behind it.) Judged in the order of its sender's
//! seqs, so that a run of misses is seen as one: a run longer than
//! [`OUTAGE`] (a pause of ours) is an outage, not loss.

use std::collections::{BTreeMap, VecDeque};

use super::hearing::Tally;
use super::types::{NodeId, RingId, Time};

/// Frames of one sender remembered.
const WINDOW: usize = 64;

/// Frames missed in a row that are an outage, not loss. Longer than the
/// joins' (`hearing::OUTAGE`): frames come closer together, and a link that
/// loses 83% misses runs of nine often enough to hide most of its loss
/// (asym seed 244); one losing 83% misses 32 in a row once in 400 frames.
const OUTAGE: u32 = 32;

/// Fewest frames (heard or missed, outages left out) a judgement needs.
const MIN_FRAMES: u32 = 32;

/// Most senders tracked (a ring has at most `wire::MAX_MEMBERS`).
const MAX_SENDERS: usize = 1024;

#[derive(Default)]
pub(crate) struct FrameLoss {
    /// Per sender, `(ring seq, frame seq, heard, when)` of its last frames, in seq order.
    senders: BTreeMap<NodeId, VecDeque<(u64, u64, bool, Time)>>,
}

impl FrameLoss {
    /// `sender`'s frame `seq` of `ring` reached us for the first time, as
    /// its original (`heard`) or as a retransmission.
    pub fn arrived(&mut self, ring: RingId, seq: u64, sender: NodeId, heard: bool, now: Time) {
        if self.senders.len() >= MAX_SENDERS && !self.senders.contains_key(&sender) {
            return;
        }
        let frames = self.senders.entry(sender).or_default();
        let key = (ring.seq, seq);
        let at = frames.iter().rposition(|f| (f.0, f.1) < key).map_or(0, |i| i + 1);
        frames.insert(at, (ring.seq, seq, heard, now));
        while frames.len() > WINDOW {
            frames.pop_front();
        }
    }

    /// Whether we missed most of `sender`'s frames since `since`.
    pub fn missed_most(&self, sender: NodeId, since: Time) -> bool {
        let Some(frames) = self.senders.get(&sender) else {
            return false;
        };
        let (mut tally, mut run, mut ring) = (Tally::default(), 0, None);
        for &(ring_seq, _, heard, _) in frames.iter().filter(|f| f.3 >= since) {
            if ring != Some(ring_seq) || heard {
                tally.missed_run(run, OUTAGE);
                run = 0;
                ring = Some(ring_seq);
            }
            if heard {
                tally.heard();
            } else {
                run += 1;
            }
        }
        tally.missed_run(run, OUTAGE);
        tally.mostly_missed(MIN_FRAMES)
    }

    /// `sender`'s link is heard well again (`hearing.rs`): what its frames
    /// showed before no longer counts.
    pub fn forget(&mut self, sender: NodeId) {
        self.senders.remove(&sender);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RING: RingId = RingId { rep: 1, seq: 8 };

    /// Frames of sender 7 at seqs 1.., `x` heard, `.` first reached us resent.
    fn frames(pattern: &str) -> FrameLoss {
        let mut f = FrameLoss::default();
        for (i, _) in pattern.chars().enumerate().filter(|(_, c)| *c == 'x') {
            f.arrived(RING, i as u64 + 1, 7, true, 0);
        }
        // The resent ones arrive last, as retransmissions do.
        for (i, _) in pattern.chars().enumerate().filter(|(_, c)| *c == '.') {
            f.arrived(RING, i as u64 + 1, 7, false, 0);
        }
        f
    }

    #[test]
    fn most_frames_asked_for_is_a_poor_link() {
        assert!(frames(&"x..x.x..".repeat(5)).missed_most(7, 0), "60% asked for");
        assert!(!frames(&"xx.xx.xxx.".repeat(5)).missed_most(7, 0), "30% asked for");
        assert!(!frames("x..x.x..").missed_most(7, 0), "too few to judge");
        assert!(!FrameLoss::default().missed_most(7, 0));
    }

    #[test]
    fn an_outage_is_not_loss_and_forget_forgets() {
        let pause = format!("{}{}{}", "x".repeat(20), ".".repeat(40), "x".repeat(20));
        assert!(frames(&"x.....".repeat(8)).missed_most(7, 0), "83% asked for");
        assert!(!frames(&pause).missed_most(7, 0), "a pause of ours");
        let mut f = frames(&"x..x.x..".repeat(5));
        f.forget(7);
        assert!(!f.missed_most(7, 0));
    }

    #[test]
    fn old_frames_do_not_count() {
        assert!(!frames(&"x..x.x..".repeat(5)).missed_most(7, 1));
    }

    #[test]
    fn rings_are_judged_apart_and_the_window_is_bounded() {
        let mut f = FrameLoss::default();
        for seq in 1..=200 {
            f.arrived(RingId { rep: 1, seq: 4 + seq / 100 }, seq % 100, 7, seq % 3 == 0, 0);
        }
        assert!(f.senders[&7].len() <= WINDOW);
        assert!(f.missed_most(7, 0), "two of three resent");
    }
}
