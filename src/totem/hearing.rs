//! How well we hear each processor's multicast, measured on its joins and
//! merge-detects, and on a ring on its data frames (`frame_loss.rs`).
//!
//! Every join and merge-detect carries its sender's count of both sent, so a
//! receiver sees which of them it missed. A processor whose joins we mostly miss is one we
//! would share a ring with over a link that loses most of its frames: such a
//! ring forms (a gathering needs only one join of each to agree), then loses
//! its token or fails to receive within a second or two, and re-forms the
//! same way for as long as the fault lasts (asym seed 1092). Gatherers name
//! the processors they hear poorly in their joins (`membership.rs`), and
//! the ring is chosen so that no such link is inside it (`link_groups.rs`).
//!
//! The judgement needs a span of them, not one gathering's first few: a
//! link judged on four joins would condemn many a merely lossy one. Those
//! heard while we are on a ring count too: the merge-detects that rings
//! exchange keep the judgement of a link between two rings current, so that
//! it clears once the link heals (`HEALED_RUN`), and what is older than
//! [`MEMORY`] is forgotten.

use std::collections::{BTreeMap, VecDeque};

use super::frame_loss::FrameLoss;
use super::types::{NodeId, RingId, Time, MS};

/// Joins of one sender remembered (the span a judgement looks at).
const WINDOW: usize = 32;

/// Fewest joins (heard or missed, between the first and the last heard) a
/// judgement needs: eight join intervals at least.
const MIN_SPAN: u32 = 12;

/// The newest joins heard in a row that clear a link whatever came before:
/// a link that healed is clean again after this many joins, not after
/// [`MEMORY`] (a link losing 60% shows such a run once in a hundred tries).
pub(crate) const HEALED_RUN: u32 = 6;

/// Joins missed in a row that are an outage, not loss: a partition, or our
/// own pause, silences every join for a while and says nothing of how well
/// the link carries them once it is back (counted, it condemned links for
/// good after every partition healed). A link losing 60% misses this many
/// in a row once in 150 joins; one losing everything is for the consensus
/// timeout to fail.
const OUTAGE: u32 = 8;

/// The newest joins heard in a row that show a link cut for being poor
/// (`cut_links.rs`) carries well again: twice [`HEALED_RUN`], which a link
/// losing 45% shows once in a few hundred joins where it shows six in a
/// row once in forty.
pub(crate) const WELL_RUN: u32 = 2 * HEALED_RUN;

/// How soon after a sender's newest join one numbered below it must come
/// to count as overtaken on the way; later, its sender restarted. A
/// gatherer answers a burst of joins with a burst of its own, all sent at
/// once, and they arrive in any order: taken for a restart, the oldest of
/// them cleared the window, and the gaps left looked like loss (big seed
/// 500035: 64 processors on a clean network named each other poor).
const OVERTAKEN: Time = 10 * MS;

/// How long a heard join counts.
const MEMORY: Time = 20_000 * MS;

/// Most senders tracked (a bound against a flood of node ids).
const MAX_SENDERS: usize = 1024;

/// The numbers of one sender's joins we heard, with when, ascending.
#[derive(Default)]
struct Heard {
    joins: VecDeque<(u32, Time)>,
}

#[derive(Default)]
pub(crate) struct Hearing {
    senders: BTreeMap<NodeId, Heard>,
    /// Joins and merge-detects we sent.
    sent: u32,
    /// What the ring's data frames show.
    frames: FrameLoss,
    /// Processors a consensus timeout of ours found silent, with when: see `fell_silent`.
    silenced: BTreeMap<NodeId, Time>,
}

impl Hearing {
    /// The number of the join or merge-detect we are about to send.
    pub fn next_number(&mut self) -> u32 {
        let n = self.sent;
        self.sent = self.sent.wrapping_add(1);
        n
    }

    /// We heard `sender`'s join or merge-detect number `number` at `now`.
    pub fn record(&mut self, sender: NodeId, number: u32, now: Time) {
        if self.senders.len() >= MAX_SENDERS && !self.senders.contains_key(&sender) {
            // The one heard least recently goes.
            let stalest = self.senders.iter().min_by_key(|(_, h)| h.joins.back().map_or(0, |j| j.1)).map(|(&n, _)| n);
            if let Some(n) = stalest {
                self.senders.remove(&n);
            }
        }
        self.silenced.remove(&sender);
        let joins = &mut self.senders.entry(sender).or_default().joins;
        match joins.back() {
            Some(&(last, _)) if number == last => return,
            // An older join overtaken on the way goes where it belongs (one
            // older than a full window is trimmed off again below).
            Some(&(last, newest_at)) if number < last && now < newest_at + OVERTAKEN => {
                if let Err(i) = joins.binary_search_by_key(&number, |j| j.0) {
                    joins.insert(i, (number, now));
                }
            }
            // A restarted sender counting from 0.
            Some(&(last, _)) if number < last => {
                joins.clear();
                joins.push_back((number, now));
            }
            _ => joins.push_back((number, now)),
        }
        while joins.len() > WINDOW {
            joins.pop_front();
        }
        if in_a_row(joins) >= HEALED_RUN {
            self.frames.forget(sender);
        }
    }

    /// `sender`'s frame `seq` of `ring` reached us for the first time, as
    /// its original (`heard`) or resent (`frame_loss.rs`): whether it was
    /// missed and we now miss most of its frames. (Judged on misses only: a
    /// link that is poor keeps missing, and the data path of a clean ring
    /// pays for no judgement.)
    pub fn frame_arrived(&mut self, ring: RingId, seq: u64, sender: NodeId, heard: bool, now: Time) -> bool {
        self.frames.arrived(ring, seq, sender, heard, now);
        !heard && self.misses_frames(sender, now)
    }

    /// Whether we missed most of `sender`'s recent data frames (`frame_loss.rs`).
    pub fn misses_frames(&self, sender: NodeId, now: Time) -> bool {
        self.frames.missed_most(sender, now.saturating_sub(MEMORY))
    }

    /// Not one of `node`'s joins reached us in a whole gathering (our
    /// consensus timeout fails it). A link that carries nothing has no loss
    /// to measure, and a partition looks the same; but while nothing of
    /// `node`'s reaches us, a ring with it cannot form, and the other
    /// gatherers, who may hear it well, need to know the link is dead to cut
    /// the ring somewhere else (asym seed 2127: 1's multicast and unicast to
    /// 2 dead, 1's and 2's links to 3 clean, 3 cut out of {1,2,3} by 3's
    /// lossy multicast to 1; 2 waited out a consensus timeout for 1 in every
    /// gathering, and a new epoch made it forget). The mark lasts until we
    /// hear `node` again: a healed partition clears it with its first join.
    pub fn fell_silent(&mut self, node: NodeId, now: Time) {
        self.silenced.retain(|_, &mut t| t + MEMORY > now);
        if self.silenced.len() < MAX_SENDERS {
            self.silenced.insert(node, now);
        }
    }

    /// We gave up on a ring that had frames for us (a receive failure,
    /// `token.rs`) and not one frame of another member reached us since
    /// `stalled_since`, not even resent: the ring's multicast does not reach
    /// us, whoever sends it. Each of `others` is marked as fallen silent
    /// (`fell_silent`; a join of theirs heard clears it), so that our first
    /// join names the links and the gathering cuts us out, not one of the
    /// others on a tie-break. Asym seed 4011: 1 heard nothing of 2's
    /// multicast or 3's; its first joins named only (1,3), measured earlier,
    /// the tie-break took 3 out, 3 formed a ring alone 87 ms into the
    /// gathering, and {2,3}, clean, formed 3.6 s later.
    pub fn ring_fell_silent(&mut self, others: &[NodeId], stalled_since: Time, now: Time) {
        if self.frames.none_since(stalled_since) {
            for &n in others {
                self.fell_silent(n, now);
            }
        }
    }

    /// Whether `node` fell silent (`fell_silent`) and has not been heard since.
    pub fn silent(&self, node: NodeId, now: Time) -> bool {
        self.silenced.get(&node).is_some_and(|&t| t + MEMORY > now)
    }

    /// Whether most of `sender`'s recent joins and merge-detects, or of its
    /// data frames, did not reach us, or none of its joins in a gathering.
    pub fn hears_poorly(&self, sender: NodeId, now: Time) -> bool {
        if self.silent(sender, now) {
            return true;
        }
        // Frames are judged first: a run of joins heard since clears them
        // (`record`), and frames lost since are news the joins cannot tell.
        if self.misses_frames(sender, now) {
            return true;
        }
        let Some(h) = self.senders.get(&sender) else {
            return false;
        };
        if in_a_row(&h.joins) >= HEALED_RUN {
            return false;
        }
        self.tally(h, now).mostly_missed(MIN_SPAN)
    }

    /// Whether a link we heard poorly carries well again: a judgement with
    /// a margin, for the hearer of a link the rings were cut along
    /// (`cut_links.rs`). Judged by [`hears_poorly`](Self::hears_poorly)
    /// alone, a link losing near half of what it carries flips between
    /// poor and not from one detect to the next, and each flip merged the
    /// rings, only for the next gathering to cut them apart again (asym
    /// seed 1165: 1 heard 2 at 45% loss). Well is at most a quarter
    /// missed, or [`WELL_RUN`] in a row.
    pub fn hears_well(&self, sender: NodeId, now: Time) -> bool {
        if self.silent(sender, now) || self.misses_frames(sender, now) {
            return false;
        }
        let Some(h) = self.senders.get(&sender) else {
            return false;
        };
        in_a_row(&h.joins) >= WELL_RUN || self.tally(h, now).mostly_heard(MIN_SPAN)
    }

    /// Whether more than a quarter of `sender`'s recent joins and detects,
    /// or of its data frames (`frames_only`: those alone), did not reach us.
    pub fn hears_lossily(&self, sender: NodeId, now: Time, frames_only: bool) -> bool {
        let since = now.saturating_sub(MEMORY);
        if self.frames.missed_many(sender, since) {
            return true;
        }
        if frames_only {
            return false;
        }
        self.senders.get(&sender).is_some_and(|h| {
            let t = self.tally(h, now);
            in_a_row(&h.joins) < HEALED_RUN && t.enough(MIN_SPAN) && !t.mostly_heard(MIN_SPAN)
        })
    }

    /// What `h`'s joins heard within [`MEMORY`] show.
    fn tally(&self, h: &Heard, now: Time) -> Tally {
        let since = now.saturating_sub(MEMORY);
        let (mut tally, mut last) = (Tally::default(), None);
        for &(number, _) in h.joins.iter().filter(|j| j.1 >= since) {
            tally.missed_run(last.map_or(0, |l: u32| number.saturating_sub(l).saturating_sub(1)), OUTAGE);
            tally.heard();
            last = Some(number);
        }
        tally
    }
}

/// What a link carried: heard and missed counts, runs of misses longer than
/// an outage left out (`hearing.rs` for joins and detects, `frame_loss.rs`
/// for frames). A link is poor when it missed more than half: one losing
/// 30% (the simulator's lossy networks) does that over 12 joins about once
/// in 25, over 32 once in 200; the links that keep a ring re-forming lose
/// 60% and more.
#[derive(Default)]
pub(crate) struct Tally {
    counted: u32,
    missed: u32,
}

impl Tally {
    pub fn heard(&mut self) {
        self.counted += 1;
    }

    /// `run` missed in a row: loss, unless longer than `outage`.
    pub fn missed_run(&mut self, run: u32, outage: u32) {
        if run <= outage {
            self.counted += run;
            self.missed += run;
        }
    }

    /// More than half missed, of at least `at_least` counted.
    pub fn mostly_missed(&self, at_least: u32) -> bool {
        self.counted >= at_least && self.missed * 2 > self.counted
    }

    /// At least `at_least` counted.
    pub fn enough(&self, at_least: u32) -> bool {
        self.counted >= at_least
    }

    /// At most a quarter missed, of at least `at_least` counted.
    pub fn mostly_heard(&self, at_least: u32) -> bool {
        self.counted >= at_least && self.missed * 4 <= self.counted
    }
}

/// How many of the newest joins heard came in a row.
fn in_a_row(joins: &VecDeque<(u32, Time)>) -> u32 {
    let run = joins.iter().rev().zip(joins.iter().rev().skip(1)).take_while(|(b, a)| a.0.wrapping_add(1) == b.0);
    joins.len().min(run.count() + 1) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heard(pattern: &str) -> Hearing {
        let mut h = Hearing::default();
        for (i, c) in pattern.chars().enumerate() {
            if c == 'x' {
                h.record(7, i as u32, i as Time * 50 * MS);
            }
        }
        h
    }

    #[test]
    fn a_link_losing_most_joins_is_poor_and_a_clean_or_merely_lossy_one_is_not() {
        let end = 40 * 50 * MS;
        assert!(heard("x..x...x..x.x...x..x").hears_poorly(7, end), "14 of 20 missed");
        assert!(!heard("xxxxxxxxxxxxxxxxxxxx").hears_poorly(7, end));
        assert!(!heard("xx.xx.xxx.xx.x.xxx.x").hears_poorly(7, end), "30% missed");
        assert!(!heard("x...x").hears_poorly(7, end), "too few joins to judge");
        assert!(!Hearing::default().hears_poorly(7, end), "never heard: nothing to judge");
    }

    #[test]
    fn hearing_well_asks_a_margin_that_a_link_losing_near_half_does_not_show() {
        let end = 40 * 50 * MS;
        // 10 of 25 missed, the newest seven in a row: no longer poor, not well either.
        let near_half = heard("x.x..xx.x..x.x..x.xxxxxxx");
        assert!(!near_half.hears_poorly(7, end) && !near_half.hears_well(7, end));
        assert!(heard("xxx.xxxxx.xxx.xxxxx.xx").hears_well(7, end), "a sixth missed");
        assert!(heard("x..x...x..x.x...xxxxxxxxxxxx").hears_well(7, end), "twelve in a row");
        assert!(!heard("x..x...x..x.x...xxxxxxxxxxx").hears_well(7, end), "eleven");
        assert!(!heard("xxxxx").hears_well(7, end), "too few joins to judge");
        assert!(!Hearing::default().hears_well(7, end), "never heard");
    }

    #[test]
    fn a_link_losing_a_third_is_lossy_though_not_poor() {
        let end = 40 * 50 * MS;
        let third = heard("xx.x.xx.x.xxx.x.xx.x.xx");
        assert!(third.hears_lossily(7, end, false) && !third.hears_poorly(7, end));
        assert!(!third.hears_lossily(7, end, true), "no frames measured");
        assert!(!heard("xxx.xxxxx.xxx.xxxxx.xx").hears_lossily(7, end, false), "a sixth missed");
        assert!(!heard("xx.x.xx.x.xxx.x.xx.xxxxxxx").hears_lossily(7, end, false), "healed since");
        assert!(!heard("x.x.x").hears_lossily(7, end, false), "too few joins to judge");
    }

    #[test]
    fn an_outage_is_not_loss() {
        let end = 60 * 50 * MS;
        assert!(!heard("xxxxxxxxxx..........................xxxxx").hears_poorly(7, end), "a partition healed");
        assert!(heard("x..x..x..........x...x..x..x..x.x..x").hears_poorly(7, end), "lossy on both sides of it");
    }

    #[test]
    fn a_run_of_joins_heard_clears_a_link() {
        let end = 40 * 50 * MS;
        assert!(heard("x..x...x..x.x...x..x....xxxxx").hears_poorly(7, end), "five in a row");
        assert!(!heard("x..x...x..x.x...x..x....xxxxxx").hears_poorly(7, end), "six in a row");
    }

    #[test]
    fn old_joins_are_forgotten_and_a_restart_starts_over() {
        let h = heard("x..x...x..x.x...x..x");
        assert!(!h.hears_poorly(7, 20 * 50 * MS + MEMORY + 1), "all older than MEMORY");
        let mut h = heard(".x..x...x..x.x...x..x");
        assert!(h.hears_poorly(7, 21 * 50 * MS));
        h.record(7, 0, 21 * 50 * MS);
        assert!(!h.hears_poorly(7, 21 * 50 * MS), "a sender counting from 0 again");
    }

    #[test]
    fn a_burst_heard_in_any_order_is_no_loss() {
        // 40 joins sent at once arrive newest first but for every fifth,
        // which comes last: none is missed.
        let mut h = Hearing::default();
        let late: Vec<u32> = (0..40).filter(|n| n % 5 == 0).collect();
        for n in (0..40u32).rev().filter(|n| n % 5 != 0).chain(late) {
            h.record(7, n, 100 * MS);
        }
        assert!(h.hears_well(7, 100 * MS), "an overtaken join taken for a restart leaves gaps");
        h.record(7, 3, 100 * MS + OVERTAKEN);
        assert!(!h.hears_well(7, 100 * MS + OVERTAKEN), "a join long after counts from 0 again");
    }

    #[test]
    fn silence_is_poor_until_heard_again() {
        let mut h = heard("xxxxxxxx");
        h.fell_silent(7, 10 * 50 * MS);
        assert!(h.silent(7, 11 * 50 * MS) && h.hears_poorly(7, 11 * 50 * MS));
        assert!(!h.silent(7, 10 * 50 * MS + MEMORY), "forgotten after MEMORY");
        h.record(7, 30, 12 * 50 * MS);
        assert!(!h.silent(7, 12 * 50 * MS) && !h.hears_poorly(7, 12 * 50 * MS), "heard again");
    }

    #[test]
    fn a_ring_whose_frames_stopped_reaching_us_fell_silent_and_one_that_resent_did_not() {
        const RING: RingId = RingId { rep: 2, seq: 8 };
        let mut h = Hearing::default();
        h.frame_arrived(RING, 1, 2, true, 100 * MS);
        h.ring_fell_silent(&[2, 3], 200 * MS, 1300 * MS);
        assert!(h.silent(2, 1300 * MS) && h.silent(3, 1300 * MS), "nothing since the stall began");
        let mut h = Hearing::default();
        h.frame_arrived(RING, 1, 2, true, 100 * MS);
        h.frame_arrived(RING, 2, 3, false, 900 * MS);
        h.ring_fell_silent(&[2, 3], 200 * MS, 1300 * MS);
        assert!(!h.silent(2, 1300 * MS) && !h.silent(3, 1300 * MS), "a resent frame came");
    }

    #[test]
    fn duplicates_and_late_joins_count_once() {
        let mut h = heard("x..x...x..x.x...x..x");
        let soon = 19 * 50 * MS + MS;
        for n in [3, 3, 19, 19, 19] {
            h.record(7, n, soon);
        }
        assert!(h.hears_poorly(7, soon));
        for n in 0..20 {
            h.record(7, n, soon);
        }
        assert!(!h.hears_poorly(7, soon), "the missed ones arrived late after all");
    }
}
