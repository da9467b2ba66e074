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
//! [`OUTAGE`] is an outage, not loss (a pause of ours misses everyone's
//! frames), unless the other members' frames reached us well meanwhile: then
//! it is this sender's multicast to us that is dead (asym seed 1110: 1's
//! multicast never reached 2, whose every frame of 1's came resent by 3).

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

/// One frame's first arrival.
#[derive(Clone, Copy)]
struct Arrival {
    ring_seq: u64,
    seq: u64,
    heard: bool,
    when: Time,
    /// Frames of every sender heard and missed before this one reached us.
    all: Counts,
}

/// Frames of every sender that reached us, heard and missed.
#[derive(Clone, Copy, Default)]
struct Counts {
    heard: u64,
    missed: u64,
}

#[derive(Default)]
pub(crate) struct FrameLoss {
    /// Per sender, its last frames, in seq order.
    senders: BTreeMap<NodeId, VecDeque<Arrival>>,
    all: Counts,
    /// When the last frame of another member first reached us.
    last_arrival: Option<Time>,
}

impl FrameLoss {
    /// `sender`'s frame `seq` of `ring` reached us for the first time, as
    /// its original (`heard`) or as a retransmission.
    pub fn arrived(&mut self, ring: RingId, seq: u64, sender: NodeId, heard: bool, now: Time) {
        self.last_arrival = Some(now);
        if self.senders.len() >= MAX_SENDERS && !self.senders.contains_key(&sender) {
            return;
        }
        let arrival = Arrival { ring_seq: ring.seq, seq, heard, when: now, all: self.all };
        if heard {
            self.all.heard += 1;
        } else {
            self.all.missed += 1;
        }
        let frames = self.senders.entry(sender).or_default();
        let key = (ring.seq, seq);
        let at = frames.iter().rposition(|f| (f.ring_seq, f.seq) < key).map_or(0, |i| i + 1);
        frames.insert(at, arrival);
        while frames.len() > WINDOW {
            frames.pop_front();
        }
    }

    /// Whether no frame of another member has reached us since `since`.
    pub fn none_since(&self, since: Time) -> bool {
        self.last_arrival.is_none_or(|t| t < since)
    }

    /// Whether we missed most of `sender`'s frames since `since`.
    pub fn missed_most(&self, sender: NodeId, since: Time) -> bool {
        self.tally(sender, since).mostly_missed(MIN_FRAMES)
    }

    /// Whether we missed more than a quarter of `sender`'s frames since `since`.
    pub fn missed_many(&self, sender: NodeId, since: Time) -> bool {
        let t = self.tally(sender, since);
        t.enough(MIN_FRAMES) && !t.mostly_heard(MIN_FRAMES)
    }

    fn tally(&self, sender: NodeId, since: Time) -> Tally {
        let Some(frames) = self.senders.get(&sender) else {
            return Tally::default();
        };
        let (mut tally, mut run, mut ring) = (Tally::default(), Run::default(), None);
        for f in frames.iter().filter(|f| f.when >= since) {
            if ring != Some(f.ring_seq) || f.heard {
                run.count(&mut tally);
                run = Run::default();
                ring = Some(f.ring_seq);
            }
            if f.heard {
                tally.heard();
            } else {
                run.add(f.all);
            }
        }
        run.count(&mut tally);
        tally
    }

    /// `sender`'s link is heard well again (`hearing.rs`): what its frames
    /// showed before no longer counts.
    pub fn forget(&mut self, sender: NodeId) {
        self.senders.remove(&sender);
    }
}

/// A run of one sender's frames missed in a row, with what every sender's
/// frames did while its frames reached us.
#[derive(Default)]
struct Run {
    len: u32,
    first: Option<Counts>,
    last: Counts,
}

impl Run {
    fn add(&mut self, all: Counts) {
        self.len += 1;
        self.first.get_or_insert(all);
        self.last = all;
    }

    /// Into `tally`: as loss if short, or if the others' frames mostly
    /// reached us while this sender's did not; else as an outage.
    fn count(&self, tally: &mut Tally) {
        let Some(first) = self.first else { return };
        let others_heard = self.last.heard.abs_diff(first.heard);
        // The run's own frames are among those missed in between.
        let others_missed = self.last.missed.abs_diff(first.missed).saturating_sub(u64::from(self.len) - 1);
        let outage = if others_heard > others_missed { u32::MAX } else { OUTAGE };
        tally.missed_run(self.len, outage);
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
    fn a_dead_link_is_loss_while_the_others_are_heard_and_a_pause_is_not() {
        // Sender 7's multicast never reaches us; sender 8's does: each of 7's
        // frames comes resent, between 8's heard ones.
        let mut dead = FrameLoss::default();
        for seq in 1..=60 {
            dead.arrived(RING, seq, 8, true, 0);
            dead.arrived(RING, seq, 7, false, 0);
        }
        assert!(dead.missed_most(7, 0), "7's link is dead");
        assert!(!dead.missed_most(8, 0));
        // A pause of ours: both senders' frames come resent.
        let mut pause = FrameLoss::default();
        for seq in 1..=20 {
            pause.arrived(RING, seq, 8, true, 0);
            pause.arrived(RING, seq, 7, true, 0);
        }
        for seq in 21..=60 {
            pause.arrived(RING, seq, 8, false, 0);
            pause.arrived(RING, seq, 7, false, 0);
        }
        for seq in 61..=80 {
            pause.arrived(RING, seq, 8, true, 0);
            pause.arrived(RING, seq, 7, true, 0);
        }
        assert!(!pause.missed_most(7, 0) && !pause.missed_most(8, 0), "a pause of ours");
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
