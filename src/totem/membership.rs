//! Membership (TOTEM95 §6): gathering join messages to consensus, then the
//! commit token that forms the new ring over two rotations.

use std::collections::{BTreeMap, BTreeSet};

use super::event::Destination;
use super::hearing;
use super::link_groups;
use super::packet::{CommitEntry, CommitToken, Join, Packet, RingNotice};
use super::processor::{Processor, State};
use super::timers::TimerKind;
use super::types::{NodeId, RingId, Time};
use super::wire;

/// How far above the highest ring seq we know a join's or a commit token's
/// ring seq may be. We adopt the highest seq we hear, so a forged one (up to
/// `wire::MAX_RING_SEQ`, which decode lets through) would carry every
/// processor to the top of the range, where the next ring's seq no longer
/// decodes and no ring of two ever forms again. Legitimately a seq is ahead
/// of ours by 4 x the time between our start and its sender's (ring seqs
/// start at 4 x the clock in us): 2^56 is 570 years of that. A processor
/// further ahead is not heard until the ring catches up (it never does: the
/// gap means a clock centuries off).
pub(crate) const MAX_RING_SEQ_LEAP: u64 = 1 << 56;

/// What gathering has learnt so far.
#[derive(Default)]
pub(crate) struct Gather {
    /// Every processor heard of (this one included).
    pub proc_set: BTreeSet<NodeId>,
    /// Processors believed failed.
    pub fail_set: BTreeSet<NodeId>,
    /// Who sent a join with sets identical to ours (this one included).
    pub consensus: BTreeSet<NodeId>,
    /// Whose joins we heard since the last ring was installed (for `exclusion.rs`).
    pub heard: BTreeSet<NodeId>,
    /// Whose joins we heard in this gathering: a commit token is taken only if
    /// it names one of them (see `on_commit_token`).
    pub voices: BTreeSet<NodeId>,
    /// Members we left the ring to be rid of (our unicast to them failed,
    /// see `leave_for_a_newcomer`): failed in this gathering whatever
    /// epoch resets the fail set.
    pub refused: BTreeSet<NodeId>,
    /// Ring seq each gatherer reported in its last join.
    pub ring_seqs: BTreeMap<NodeId, u64>,
    /// Poor links `(hearer, heard)` known in this epoch: ours and those our
    /// fellow gatherers reported. The ring we form is the group of us that
    /// no such link crosses (`link_groups.rs`).
    pub poor_links: BTreeSet<(NodeId, NodeId)>,
    /// Unicasts `(sender, receiver)` known in this epoch to fail lately
    /// (`unreached.rs`): those to us and those reported.
    /// They only break the cut's ties (`link_groups.rs`).
    pub unreached: BTreeSet<(NodeId, NodeId)>,
    /// When the current gathering started.
    pub started: Time,
    /// Gatherers whose last join said they are still judging a link
    /// (`Join::judging`).
    pub judging: BTreeSet<NodeId>,
    /// This gathering began with us leaving a ring we were alone on, and
    /// we have not taken part in a formation since: if it ends with us
    /// alone, having heard no one, that ring goes on (`resume_alone`).
    pub resumable: bool,
}

/// The ring being formed, from the commit token's first visit to installation.
pub(crate) struct Forming {
    pub token: CommitToken,
    /// Highest `hops` seen: older copies are duplicates.
    pub hops_seen: u32,
    /// Members still gathering while we commit (their joins do not know this
    /// ring), with when we last heard one: the commit token never reached them.
    pub still_gathering: BTreeMap<NodeId, Time>,
}

impl Processor {
    /// Start (or restart) gathering. `from_ring` resets the sets to the current
    /// ring's members: we leave an operational ring. Coming back from a failed
    /// commit or recovery keeps what the earlier gathering learnt.
    pub(crate) fn enter_gather(&mut self) {
        let leaving_ring = self.state == State::Operational;
        self.counters.gathers += 1;
        self.abandon_forming();
        if leaving_ring {
            self.gather.resumable = self.ring.members == [self.me];
        }
        if leaving_ring || self.gather.proc_set.is_empty() {
            self.gather.proc_set = self.ring.members.iter().copied().collect();
            self.gather.fail_set.clear();
            self.gather.refused.clear();
            self.gather.poor_links.clear();
            self.gather.unreached.clear();
            // A new gathering is a new epoch: whoever still holds failure
            // decisions from an earlier gathering drops them on hearing us
            // (see `process_join`). Ring seqs stay multiples of 4 (`start_commit`).
            self.highest_ring_seq += 1;
        }
        self.gather.proc_set.insert(self.me);
        self.gather.fail_set.remove(&self.me);
        self.gather.consensus.clear();
        self.gather.consensus.insert(self.me);
        self.gather.voices.clear();
        self.gather.judging.clear();
        self.state = State::Gather;
        self.gather.started = self.now;
        self.hold.reset();
        self.forwarder.clear();
        self.visits.reset();
        self.timers.cancel(TimerKind::TokenLoss);
        self.timers.cancel(TimerKind::TokenRetransmit);
        self.timers.cancel(TimerKind::TokenHold);
        self.timers.set(TimerKind::Join, self.now + self.config.join_timeout);
        self.timers.set(TimerKind::Consensus, self.now + self.config.consensus_timeout);
        self.note_own_links();
        self.send_join();
    }

    /// Whether this gathering is too young for our own judgements of links:
    /// they would rest on the joins of earlier gatherings alone, and stick
    /// for the whole epoch (a link that healed since would keep its ends
    /// apart until the next one). A link losing most joins shows it in a few
    /// join intervals; one that healed shows a run of them (`hearing.rs`).
    fn judging(&self) -> bool {
        self.now < self.gather.started + self.config.join_timeout * hearing::HEALED_RUN as Time
    }

    /// Whether a candidate we heard poorly in earlier gatherings is still to
    /// be judged on this one's joins: until then we agree on no ring with it,
    /// and our joins say so, lest the others take them for agreement and
    /// form it without us (a commit token over the poor link dies, and the
    /// gatherers end up failing each other).
    fn judging_a_candidate(&self, candidates: &[NodeId]) -> bool {
        self.judging() && candidates.iter().any(|&m| m != self.me && self.hearing.hears_poorly(m, self.now))
    }

    /// Forget a ring being formed; its id goes to the past so that its late
    /// packets are not taken for a foreign ring.
    fn abandon_forming(&mut self) {
        if let Some(f) = self.forming.take() {
            self.past_rings.remember(f.token.ring_id);
        }
        if let Some(r) = self.recovery.take() {
            self.past_rings.remember(r.new_ring.id);
        }
    }

    fn send_join(&mut self) {
        let join = Join {
            sender: self.me,
            ring_seq: self.highest_ring_seq,
            number: self.hearing.next_number(),
            proc_set: self.gather.proc_set.iter().copied().collect(),
            fail_set: self.gather.fail_set.iter().copied().collect(),
            poor_links: self.gather.poor_links.iter().copied().collect(),
            unreached: self.gather.unreached.iter().copied().collect(),
            judging: self.judging_a_candidate(&self.candidates()),
        };
        self.multicast(&Packet::Join(join));
    }

    /// The processors we gather with whose joins we mostly miss
    /// (`hearing.rs`) become poor links of ours, and those whose unicast
    /// fails to reach us (`unreached.rs`) unreached links; whether either set
    /// grew. Links only grow within an epoch, so gathering still ends.
    fn note_own_links(&mut self) -> bool {
        // While judging, only what the frames of the ring we just left showed:
        // that is news, not a judgement of earlier gatherings (without it, a
        // member that left a crawling ring agreed to the same ring again at
        // once, and left it again, every 58 ms: trigger seed 500035).
        // A processor that fell silent is news too, and named even once
        // failed: the others may not fail it (see `process_join` on
        // unicast), and need the link to cut it from their ring.
        let judging = self.judging();
        let mut grew = false;
        for &n in &self.gather.proc_set {
            let poor = self.hearing.silent(n, self.now)
                || !self.gather.fail_set.contains(&n)
                    && if judging {
                        self.hearing.misses_frames(n, self.now)
                    } else {
                        self.hearing.hears_poorly(n, self.now)
                    };
            if n != self.me && self.gather.poor_links.len() < wire::MAX_POOR_LINKS && poor {
                grew |= self.gather.poor_links.insert((self.me, n));
            }
            let unreached = n != self.me && self.unreached.lately(n, self.now);
            if unreached && self.gather.unreached.len() < wire::MAX_POOR_LINKS {
                grew |= self.gather.unreached.insert((n, self.me));
            }
        }
        // A link we hear lossily (more than a quarter missed) is named poor
        // too when either end is already at an end of a poor link: that end
        // is the one whose links fail, and the cut should take it out rather
        // than the other end of its poor link, which only a tie-break chose
        // before. Asym seeds 8083, 8267, 11141: we were the poor link's hearer,
        // and a clean pair was split, we kept with one of it; 12283: 2 heard
        // 3 poorly, we heard 2 at 35% loss, the tie-break took 3 out, and
        // {1,3}, clean, waited 2.5 s for {1,2} to fail.
        let ends: BTreeSet<NodeId> = self.gather.poor_links.iter().flat_map(|&(a, b)| [a, b]).collect();
        for &n in &self.gather.proc_set {
            let lossy = n != self.me
                && (ends.contains(&self.me) || ends.contains(&n))
                && !self.gather.fail_set.contains(&n)
                && self.hearing.hears_lossily(n, self.now, judging);
            if lossy && self.gather.poor_links.len() < wire::MAX_POOR_LINKS {
                grew |= self.gather.poor_links.insert((self.me, n));
            }
        }
        grew
    }

    pub(crate) fn on_join(&mut self, join: Join) {
        if join.sender == self.me || !self.credible_ring_seq(join.ring_seq) {
            return;
        }
        self.hearing.record(join.sender, join.number, self.now);
        match self.state {
            State::Operational => {
                // A member's join from before this ring formed is stale; any
                // other join means a member lost the ring or a processor
                // outside it wants in.
                if self.ring.is_member(join.sender) && join.ring_seq < self.ring.id.seq {
                    return;
                }
                // An outsider that could not complete consensus with us lately,
                // or that believes one of us failed (we have a working ring
                // with all of us), cannot join us now: it does not get to
                // stall the ring (`exclusion.rs`). Merges with a ring it forms
                // go through merge detection.
                if !self.ring.is_member(join.sender)
                    && (self.exclusions.is_excluded(join.sender, self.now)
                        || join.fail_set.iter().any(|&f| self.ring.is_member(f)))
                {
                    return;
                }
                self.enter_gather();
                self.process_join(join);
            }
            State::Gather => self.process_join(join),
            State::Commit | State::Recovery => {
                // Only a member of the ring being formed that went back to
                // gathering (it has seen this ring's seq) aborts the formation;
                // outsiders are merged once the ring is up.
                let (id, is_member) = self.forming_ring(join.sender);
                if is_member && join.ring_seq >= id.seq {
                    self.enter_gather();
                    self.process_join(join);
                } else if is_member {
                    if let Some(f) = self.forming.as_mut() {
                        f.still_gathering.insert(join.sender, self.now);
                    }
                }
            }
            State::Left => {}
        }
    }

    /// Whether a ring seq heard from the network is near enough ours to be
    /// adopted (see [`MAX_RING_SEQ_LEAP`]).
    fn credible_ring_seq(&self, seq: u64) -> bool {
        seq <= self.highest_ring_seq.saturating_add(MAX_RING_SEQ_LEAP)
    }

    /// Whether taking `join`'s processors into our proc_set keeps it within
    /// `wire::MAX_MEMBERS`. A ring cannot have more members (its commit
    /// token would not decode), and without this a stranger's joins, each
    /// naming 1024 new ids, would grow every gatherer's sets (and the joins
    /// they multicast) without bound. And a join whose fail set or poor links
    /// are not within its proc set is forged (every gatherer keeps them
    /// within its proc set): its failures would grow our fail set past what
    /// `MAX_MEMBERS` bounds.
    fn join_fits(&self, join: &Join) -> bool {
        let known = |n: &NodeId| join.proc_set.binary_search(n).is_ok();
        if !join.fail_set.iter().all(known) || !join.poor_links.iter().all(|(a, b)| known(a) && known(b)) {
            return false;
        }
        let ours = &self.gather.proc_set;
        let mut new = join.proc_set.iter().filter(|n| !ours.contains(n)).count();
        if !ours.contains(&join.sender) && join.proc_set.binary_search(&join.sender).is_err() {
            new += 1;
        }
        ours.len() + new <= wire::MAX_MEMBERS
    }

    /// The ring being formed and whether `node` is on it.
    fn forming_ring(&self, node: NodeId) -> (RingId, bool) {
        if let Some(r) = &self.recovery {
            (r.new_ring.id, r.new_ring.is_member(node))
        } else if let Some(f) = &self.forming {
            (f.token.ring_id, f.token.members.iter().any(|e| e.node == node))
        } else {
            (self.ring.id, false)
        }
    }

    /// Fail sets belong to an epoch: the highest ring seq their holder has
    /// seen. A ring installed anywhere since our failure decisions makes them
    /// stale (the processors we failed may be the ones that formed it), so a
    /// join from a newer epoch resets our fail set; a join from an older epoch
    /// contributes its processors but not its failure decisions, and our own
    /// joins will bring its sender up to date. Without this, processors that
    /// gather out of phase keep failing each other for ever. Nor do we adopt
    /// the failure decisions of a processor our unicast no longer reaches
    /// (`unicast_known_to_fail`): its links are the faulty ones we know of.
    /// Two gatherers that cannot hear each other fail each other, and a
    /// third that hears both took whichever verdict came first (asym seed
    /// 244: {1,3} over a 70% lossy link, where {2,3} is clean). If the
    /// verdict was right, our own consensus timeout reaches it a round later.
    fn process_join(&mut self, join: Join) {
        if !self.join_fits(&join) {
            return;
        }
        // A processor we failed in this gathering that has not even heard of
        // us brings nothing: not its epoch either. One that hears nobody
        // fails each gathering and starts a new epoch every few seconds; each
        // would reset our fail set and consensus timer, and keep us gathering
        // for as long as it lasts (deaf seed 5309: 18 s).
        if self.gather.fail_set.contains(&join.sender) && !join.proc_set.contains(&self.me) {
            return;
        }
        if join.fail_set.contains(&self.me) && join.ring_seq >= self.highest_ring_seq {
            self.process_accusing_join(&join);
            return;
        }
        // Whether the sets change is judged on the result, not on each step:
        // a newer epoch clears our fail set, and the same join often puts the
        // same processors back. Restarting the round for nothing would give
        // whoever starts epochs faster than our consensus timeout (a processor
        // that hears nobody re-forms alone every second) the power to keep us
        // gathering (deaf seed 5309: 18 s).
        let before = (
            self.gather.proc_set.clone(),
            self.gather.fail_set.clone(),
            self.gather.poor_links.clone(),
            self.gather.unreached.clone(),
        );
        let new_epoch = join.ring_seq > self.highest_ring_seq;
        if new_epoch {
            self.highest_ring_seq = join.ring_seq;
            self.gather.fail_set.clone_from(&self.gather.refused);
            self.gather.poor_links.clear();
            self.gather.unreached.clear();
        }
        let stale = join.ring_seq < self.highest_ring_seq;
        if !self.gather.fail_set.contains(&join.sender) {
            self.gather.ring_seqs.insert(join.sender, join.ring_seq);
            self.gather.heard.insert(join.sender);
            self.gather.voices.insert(join.sender);
            self.gather.proc_set.insert(join.sender);
            self.gather.proc_set.extend(join.proc_set.iter().copied());
            if !stale && !self.unicast_known_to_fail(join.sender, &join) {
                self.gather.fail_set.extend(join.fail_set.iter().copied());
            }
            if !stale {
                self.adopt_links(&join);
            }
        }
        self.note_own_links();
        let after = (&self.gather.proc_set, &self.gather.fail_set, &self.gather.poor_links, &self.gather.unreached);
        if (&before.0, &before.1, &before.2, &before.3) != after {
            self.restart_gather_round();
        } else if new_epoch {
            // Same sets: the agreements stand; the others learn our epoch.
            self.send_join();
        }
        let agrees = !join.judging
            && join.proc_set.iter().eq(self.gather.proc_set.iter())
            && join.fail_set.iter().eq(self.gather.fail_set.iter())
            && join.poor_links.iter().eq(self.gather.poor_links.iter())
            && join.unreached.iter().eq(self.gather.unreached.iter());
        if agrees {
            self.gather.consensus.insert(join.sender);
        } else if join.judging {
            self.gather.consensus.remove(&join.sender);
        }
        if join.judging {
            self.gather.judging.insert(join.sender);
        } else {
            self.gather.judging.remove(&join.sender);
        }
        self.check_consensus();
    }

    /// Poor and unreached links are measurements (`hearing.rs`,
    /// `unreached.rs`), not opinions: we take those of any current join,
    /// whoever measured them, up to the bound.
    fn adopt_links(&mut self, join: &Join) {
        for (ours, theirs) in
            [(&mut self.gather.poor_links, &join.poor_links), (&mut self.gather.unreached, &join.unreached)]
        {
            for &link in theirs {
                if ours.len() >= wire::MAX_POOR_LINKS {
                    break;
                }
                ours.insert(link);
            }
        }
    }

    /// Whether our unicast to `node` is known not to arrive: its receiver
    /// judged it (`unreached.rs`), and said so in this join or an earlier
    /// one of this epoch. The sender's own guess (`Forwarder::unicast_fails_to`,
    /// a token that needed the multicast fallback) is not enough: in a ring
    /// slow to show progress, the token reached its successor by unicast and
    /// the fallback went out anyway (asym seed 4180: 3 would not adopt 1's
    /// verdict on 2, whose links to 1 were dead, while 3's to 1 were clean).
    fn unicast_known_to_fail(&self, node: NodeId, join: &Join) -> bool {
        let link = (self.me, node);
        join.unreached.contains(&link) || self.gather.unreached.contains(&link)
    }

    /// A current join that names us failed: its sender believes we failed, so
    /// we cannot share a ring with it, and it fails. Nothing else of it counts:
    /// its other failure decisions are no more credible than that one (a
    /// processor that cannot hear fails everyone, and adopting its verdicts
    /// would break every other processor into a singleton, as the simulator's
    /// deaf family showed), and neither does its epoch: a deaf processor
    /// starts a new one at every gathering it fails, and each would reset our
    /// fail set and consensus timer.
    fn process_accusing_join(&mut self, join: &Join) {
        self.gather.heard.insert(join.sender);
        self.gather.voices.insert(join.sender);
        let mut changed = self.gather.proc_set.insert(join.sender);
        changed |= self.gather.fail_set.insert(join.sender);
        if changed {
            self.restart_gather_round();
        }
        self.check_consensus();
    }

    /// The processors the next ring would have: heard of, not failed, and
    /// in our group once the poor links are cut (`link_groups.rs`).
    fn candidates(&self) -> Vec<NodeId> {
        let alive = self.gather.proc_set.difference(&self.gather.fail_set).copied().collect();
        link_groups::group_of(self.me, &alive, &self.gather.poor_links, &self.gather.unreached)
    }

    /// With consensus, the lowest candidate forms the ring. Consensus is not
    /// declared before one join interval has passed, so that a starting
    /// processor hears the running ones instead of forming a singleton at once.
    fn check_consensus(&mut self) {
        if self.state != State::Gather || self.now < self.gather.started + self.config.join_timeout {
            return;
        }
        let members = self.candidates();
        if self.judging_a_candidate(&members) {
            return;
        }
        if !members.iter().all(|m| self.gather.consensus.contains(m)) {
            return;
        }
        if members == [self.me] && self.others_still_judging() {
            return;
        }
        if members == [self.me] && self.gather.resumable && self.gather.heard.is_empty() {
            self.resume_alone();
        } else if members[0] == self.me {
            self.start_commit(members);
        }
    }

    /// Whether, early in this gathering, a fellow gatherer the cut puts in
    /// another ring says it is still judging a link: the link it may name
    /// could cut it out instead of us, and a ring of us alone formed now
    /// would split a clean pair (asym seed 8074: 2 heard 3 at 70% loss and
    /// was judging it; the cut on (2,1) alone took 1 out, 1 formed a ring
    /// alone 93 ms into the gathering, and {1,3} stayed apart 7.6 s).
    fn others_still_judging(&self) -> bool {
        self.judging() && self.gather.judging.iter().any(|n| *n != self.me && !self.gather.fail_set.contains(n))
    }

    pub(crate) fn on_join_timeout(&mut self) {
        if self.state != State::Gather {
            return;
        }
        if self.note_own_links() {
            self.restart_gather_round();
        } else {
            self.send_join();
        }
        self.timers.set(TimerKind::Join, self.now + self.config.join_timeout);
        self.check_consensus();
    }

    /// No consensus in time: whoever has not agreed is taken as failed. If all
    /// agreed but no commit token came, the representative is the one gone.
    pub(crate) fn on_consensus_timeout(&mut self) {
        if self.state != State::Gather {
            return;
        }
        self.counters.consensus_timeouts += 1;
        let members = self.candidates();
        let silent: Vec<NodeId> = members.iter().copied().filter(|m| !self.gather.consensus.contains(m)).collect();
        if silent.is_empty() {
            if members[0] != self.me {
                self.gather.fail_set.insert(members[0]);
            }
        } else {
            for &m in silent.iter().filter(|m| !self.gather.voices.contains(m)) {
                self.hearing.fell_silent(m, self.now);
            }
            self.gather.fail_set.extend(silent);
        }
        self.note_own_links();
        self.restart_gather_round();
        self.check_consensus();
    }

    /// Our sets changed: earlier agreements no longer count, the others must
    /// hear the new sets, and they get a full consensus interval to answer
    /// (sets only grow, so this cannot go on for ever).
    fn restart_gather_round(&mut self) {
        self.gather.consensus.clear();
        self.gather.consensus.insert(self.me);
        self.timers.set(TimerKind::Consensus, self.now + self.config.consensus_timeout);
        self.send_join();
    }

    /// Leave our ring to merge with a processor that hears us and that we
    /// hear, when the only members it does not hear are `unwanted`: members
    /// our unicast no longer reaches (the ring keeps them by the token's
    /// multicast fallback, `relay.rs`). Without this a ring kept over such a
    /// link keeps out, for as long as the fault lasts, a newcomer with clean
    /// links both ways to us (asym seed 8: {2,3} stayed, 3's unicast to 2
    /// lost, while 1, which never heard 2, stayed alone). Failing them is our
    /// opinion, but one a fault measured, and they hear it as an accusation
    /// and keep to themselves; `update_exclusions` then keeps them out.
    /// `unwanted` never holds us (the detect that prompts this names us).
    pub(crate) fn leave_for_a_newcomer(&mut self, unwanted: &[NodeId]) {
        self.counters.newcomer_swaps += 1;
        self.enter_gather();
        self.gather.refused.extend(unwanted.iter().copied());
        self.gather.fail_set.extend(self.gather.refused.iter().copied());
        self.restart_gather_round();
    }

    /// A graceful leave: the leaver goes straight to the fail set.
    pub(crate) fn on_leave_notice(&mut self, notice: RingNotice) {
        let leaver = notice.sender;
        if leaver == self.me {
            return;
        }
        match self.state {
            State::Operational => {
                if notice.ring_id != self.ring.id || !self.ring.is_member(leaver) {
                    return;
                }
                self.enter_gather();
            }
            State::Gather => {
                if !self.gather.proc_set.contains(&leaver) {
                    return;
                }
            }
            State::Commit | State::Recovery => {
                if !self.forming_ring(leaver).1 {
                    return;
                }
                self.enter_gather();
            }
            State::Left => return,
        }
        if self.gather.fail_set.insert(leaver) {
            self.restart_gather_round();
        }
        self.check_consensus();
    }

    /// The commit token was lost. A member that kept sending joins that do
    /// not know the forming ring during the last half of the token timeout
    /// never took it (a processor that sends but cannot receive agrees to
    /// every formation it hears of, then loses each commit token): it fails
    /// in the gathering that follows, instead of failing it again. Only the
    /// first such member along the token's path: the token stopped there, and
    /// those after it, still gathering too, were never offered it (asym seed
    /// 4180: 2 refused the token; failed with it, 3, which 1 heard perfectly,
    /// failed 1 in turn, and {2,3} formed over a lossy unicast, 1 alone).
    pub(crate) fn commit_lost(&mut self) {
        let since = self.now.saturating_sub(self.config.token_timeout / 2);
        let stopped_at = self.forming.as_ref().and_then(|f| {
            let path = &f.token.members;
            let me = path.iter().position(|e| e.node == self.me).unwrap_or(0);
            (1..path.len())
                .map(|k| path[(me + k) % path.len()].node)
                .find(|n| f.still_gathering.get(n).is_some_and(|&at| at >= since))
        });
        self.enter_gather();
        if let Some(n) = stopped_at {
            if self.gather.fail_set.insert(n) {
                self.restart_gather_round();
            }
        }
    }

    /// We are the representative of the agreed set: create the commit token.
    fn start_commit(&mut self, members: Vec<NodeId>) {
        let seen = members.iter().filter_map(|m| self.gather.ring_seqs.get(m)).copied().max().unwrap_or(0);
        let highest = self.highest_ring_seq.max(seen).max(self.ring.id.seq);
        // The next multiple of 4 above every seq and epoch seen.
        let seq = (highest / 4 + 1) * 4;
        self.highest_ring_seq = seq;
        let mut token = CommitToken {
            ring_id: RingId { rep: self.me, seq },
            hops: 0,
            members: members.iter().map(|&node| CommitEntry { node, ..CommitEntry::default() }).collect(),
        };
        self.fill_commit_entry(&mut token, 0);
        self.enter_commit(token.clone());
        self.forward_commit(token);
    }

    /// Write what we know of our old ring into our entry.
    fn fill_commit_entry(&self, token: &mut CommitToken, index: usize) {
        let ring = &self.ring;
        let entry = &mut token.members[index];
        entry.filled = true;
        entry.old_ring_id = ring.id;
        entry.old_aru = ring.my_aru;
        entry.high_received = ring.high_seq;
        entry.high_delivered = ring.delivered;
        entry.old_stable = ring.stable;
        entry.received_flg = ring.my_aru == ring.high_seq;
    }

    fn enter_commit(&mut self, token: CommitToken) {
        self.state = State::Commit;
        // A ring may now be installed with what our old ring held.
        self.gather.resumable = false;
        let hops = token.hops;
        self.forming = Some(Forming { token, hops_seen: hops, still_gathering: BTreeMap::new() });
        self.timers.cancel(TimerKind::Join);
        self.timers.cancel(TimerKind::Consensus);
        self.timers.set(TimerKind::TokenLoss, self.now + self.config.token_timeout);
    }

    /// Pass the commit token on, keeping it to retransmit.
    fn forward_commit(&mut self, mut token: CommitToken) {
        token.hops += 1;
        let me = self.me;
        let i = token.members.iter().position(|e| e.node == me).unwrap_or(0);
        let to = token.members[(i + 1) % token.members.len()].node;
        let bytes = self.send(Destination::Node(to), &Packet::Commit(token));
        // Data frames prove nothing about a commit token (seq u64::MAX), and
        // its members may be slow to answer while they switch rings: the
        // configured interval, unmeasured.
        let interval = self.config.token_retransmit_interval();
        let at = self.forwarder.forward(self.now, bytes, to, u64::MAX, false, interval);
        self.forwarder.commit_token();
        self.timers.set(TimerKind::TokenRetransmit, at);
    }

    pub(crate) fn on_commit_token(&mut self, token: CommitToken) {
        let Some(my_index) = token.members.iter().position(|e| e.node == self.me) else {
            return;
        };
        if token.members[0].node != token.ring_id.rep {
            return;
        }
        let n = token.members.len() as u32;
        // Member i receives it at hops i and n + i: one meant for another
        // member came by the multicast fallback; pass it on (`relay.rs`).
        let receiver = token.members[(token.hops % n) as usize].node;
        if receiver != self.me {
            if self.relay.commit_once(token.ring_id, token.hops) {
                self.send(Destination::Node(receiver), &Packet::Commit(token));
            }
            return;
        }
        let index = my_index as u32;
        match self.state {
            State::Gather => {
                let fresh = token.ring_id.seq > self.ring.id.seq
                    && !self.past_rings.contains(token.ring_id)
                    && self.credible_ring_seq(token.ring_id.seq);
                // Only a formation of exactly the processors we gather with
                // (TOTEM95: proc_set - fail_set); an older one's token is stale.
                let ours = token.members.iter().map(|e| e.node).eq(self.candidates());
                // If we heard no other member's join in this gathering, no
                // multicast of theirs reaches us: the commit token came over
                // a unicast path, but the ring's frames would not (nor their
                // retransmissions), the ring would fail us for not receiving,
                // re-form with us, and so on (the asym family's seeds 64 and
                // 82). Let the formation fail without us instead. Hearing one
                // is enough, for it can serve us what another sends (defect 1
                // of docs/RELIABILITY.md) -- but it must be the representative
                // that made the token: it decided consensus on the joins it
                // heard, and a member heard by none of the others can still
                // agree with sets carried over from the old ring, and lead
                // every formation as the lowest id; its frames would reach
                // nobody, and each recovery would stall (asym seed 2233: 21 s
                // without a configuration). Others we do not hear were heard
                // by it.
                let rep = token.ring_id.rep;
                let hear_rep = self.gather.voices.contains(&rep);
                if my_index == 0 || token.hops != index || !fresh || !ours || !hear_rep {
                    return;
                }
                let mut token = token;
                self.fill_commit_entry(&mut token, my_index);
                self.highest_ring_seq = self.highest_ring_seq.max(token.ring_id.seq);
                self.enter_commit(token.clone());
                self.forward_commit(token);
            }
            State::Commit => {
                let Some(f) = &self.forming else { return };
                if token.ring_id != f.token.ring_id || token.hops <= f.hops_seen {
                    return;
                }
                let second_visit = if my_index == 0 { token.hops == n } else { token.hops == n + index };
                if !second_visit || token.members.iter().any(|e| !e.filled) {
                    return;
                }
                if let Some(f) = self.forming.as_mut() {
                    f.token = token.clone();
                    f.hops_seen = token.hops;
                }
                self.enter_recovery(&token);
                self.forward_commit(token);
            }
            State::Recovery => {
                let Some(r) = &self.recovery else { return };
                if my_index == 0 && token.ring_id == r.new_ring.id && token.hops == 2 * n && !r.token_started {
                    self.start_first_token();
                }
            }
            State::Operational | State::Left => {}
        }
    }
}
