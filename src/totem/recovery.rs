//! Recovery (TOTEM95 §7, EVS94): the members that come from the same old ring
//! exchange its frames on the new ring until each holds what any of them
//! holds; then each delivers, as one step, the old ring's remainder and the two
//! configuration changes, and the new ring becomes operational.

use std::collections::{BTreeSet, VecDeque};

use super::event::{ConfigChange, ConfigKind, Event};
use super::packet::{CommitToken, DataFrame, FrameBody, Token};
use super::processor::{span_limit, Processor, State};
use super::ring::Ring;
use super::timers::TimerKind;
use super::types::NodeId;

/// Recovery on the new ring.
pub(crate) struct Recovery {
    pub new_ring: Ring,
    /// Members of the new ring that come from our old ring (us included).
    pub trans: Vec<NodeId>,
    /// Highest old-ring seq some member of `trans` knew every old member held.
    pub old_stable: u64,
    /// Old-ring frames still to send on the new ring.
    pub queue: VecDeque<DataFrame>,
    /// The representative sent the first token (only once).
    pub token_started: bool,
}

impl Processor {
    /// The commit token's second visit: every member's old-ring values are known.
    pub(crate) fn enter_recovery(&mut self, token: &CommitToken) {
        let members: Vec<_> = token.members.iter().map(|e| e.node).collect();
        let new_ring = Ring::new(token.ring_id, members, span_limit(&self.config));
        let from_old: Vec<_> = if self.virgin {
            Vec::new()
        } else {
            token.members.iter().filter(|e| e.old_ring_id == self.ring.id).collect()
        };
        let mut trans: Vec<_> = from_old.iter().map(|e| e.node).collect();
        if trans.is_empty() {
            trans.push(self.me);
        }
        // Everything at or below the lowest aru is held by all of us already.
        let low_aru = from_old.iter().map(|e| e.old_aru).min().unwrap_or(0);
        let old_stable = from_old.iter().map(|e| e.old_stable).max().unwrap_or(0);
        let mut queue = VecDeque::new();
        if trans.len() > 1 {
            // Saturating: another member's old_aru comes from its commit entry.
            for slot in self.ring.frames.range(low_aru.saturating_add(1), self.ring.high_seq) {
                // The old ring's own recovery frames lie below every member's
                // aru (all held them before installing it): never resent.
                if !matches!(slot.frame.body, FrameBody::App(_)) {
                    continue;
                }
                // One sender per frame where we can tell who surely holds it:
                // the lowest member whose aru covers it. Above every aru,
                // whoever holds it sends it.
                let seq = slot.frame.seq;
                let holder = from_old.iter().filter(|e| e.old_aru >= seq).map(|e| e.node).min();
                if holder.is_none() || holder == Some(self.me) {
                    queue.push_back(slot.frame.clone());
                }
            }
        }
        self.highest_ring_seq = self.highest_ring_seq.max(token.ring_id.seq);
        self.recovery = Some(Recovery { new_ring, trans, old_stable, queue, token_started: false });
        self.state = State::Recovery;
        // The new ring's tokens and rotations start afresh.
        self.visits.reset();
        self.forwarder.reset();
        self.timers.set(TimerKind::TokenLoss, self.now + self.config.token_timeout);
    }

    /// The representative, once the commit token has made its second rotation,
    /// puts the first ORF token of the new ring into circulation.
    pub(crate) fn start_first_token(&mut self) {
        let Some(r) = self.recovery.as_mut() else { return };
        r.token_started = true;
        let token = Token { ring_id: r.new_ring.id, ..Token::default() };
        self.forwarder.clear();
        self.timers.cancel(TimerKind::TokenRetransmit);
        self.timers.set(TimerKind::TokenLoss, self.now + self.config.token_timeout);
        self.visit(token);
    }

    /// Recovery is complete: deliver the old ring's remainder by the EVS rules,
    /// then the new regular configuration, and become operational on it.
    pub(crate) fn install(&mut self) {
        let Some(recovery) = self.recovery.take() else { return };
        self.forming = None;
        if !self.virgin {
            self.deliver_old_ring(&recovery);
        }
        let old_id = self.ring.id;
        self.past_rings.remember(old_id);
        self.ring = recovery.new_ring;
        self.virgin = false;
        self.counters.installs += 1;
        let trans: BTreeSet<_> = recovery.trans.iter().copied().collect();
        let joined = self.ring.members.iter().copied().filter(|m| !trans.contains(m)).collect();
        self.events.push_back(Event::ConfigChange(ConfigChange {
            kind: ConfigKind::Regular,
            ring_id: self.ring.id,
            members: self.ring.members.clone(),
            left: Vec::new(),
            joined,
        }));
        self.state = State::Operational;
        self.assembly.clear();
        if self.outbox.new_ring(self.frame_payload()) {
            self.counters.partial_resends += 1;
        }
        self.settle_on_ring();
        // Frames of the new ring that arrived while we were still recovering.
        let high = self.ring.high_seq;
        for seq in 1..=high {
            self.deliver_unordered_once(seq);
        }
        self.deliver_ready();
    }

    /// A processor alone on its ring that gathered and heard no one's join
    /// goes on with that ring: a new ring of the same one member would tell
    /// the application of a configuration that did not change, and a
    /// processor alone over a poor link gathers for each of the others'
    /// merge-detects that gets through (asym seed 13206: 2, alone and
    /// hearing 1 at 86% loss, installed five rings of itself in 5 s).
    /// Nothing of the ring can be lost: we took part in no formation
    /// (`Gather::resumable`), and every frame of a ring of one is
    /// delivered. The token starts again where the ring stood. (A
    /// gathering that heard others and still ends with us alone installs a
    /// new ring, as before: resuming those too moved other tangles, asym
    /// seeds 5274 and 9182, for no fewer failures.)
    pub(crate) fn resume_alone(&mut self) {
        self.counters.lone_resumes += 1;
        self.timers.cancel(TimerKind::Join);
        self.timers.cancel(TimerKind::Consensus);
        self.state = State::Operational;
        self.settle_on_ring();
        let high = self.ring.high_seq;
        let token =
            Token { ring_id: self.ring.id, seq: high, aru: high, rotation_min: high, stable: high, ..Token::default() };
        self.forwarder.clear();
        self.timers.set(TimerKind::TokenLoss, self.now + self.config.token_timeout);
        self.visit(token);
    }

    /// What a ring we become operational on, new or resumed, starts with.
    fn settle_on_ring(&mut self) {
        self.gather.proc_set = self.ring.members.iter().copied().collect();
        self.gather.fail_set.clear();
        self.gather.consensus.clear();
        self.gather.ring_seqs.clear();
        self.hold.reset();
        self.crawl.reset();
        self.visits.restart_stall_count();
        self.merge.restart(self.now, self.config.merge_timeout);
        self.update_exclusions();
        self.cut_links.installed(&self.ring.members, &self.gather.poor_links, &self.gather.unreached);
    }

    /// Processors whose joins we heard while gathering but that are not on
    /// the ring we installed could not complete a formation with us: keep
    /// them out a while (`exclusion.rs`). Those on it are welcome again.
    fn update_exclusions(&mut self) {
        let base = self.config.consensus_timeout;
        let cap = self.config.exclusion_cap();
        for node in std::mem::take(&mut self.gather.heard) {
            if !self.ring.is_member(node) {
                self.exclusions.exclude(node, self.now, base, cap);
                self.counters.exclusions += 1;
            }
        }
        for &m in &self.ring.members {
            self.exclusions.admitted(m);
        }
    }

    /// The EVS steps for the old ring, in this order:
    /// 1. what the old regular configuration can still deliver: ordered frames
    ///    up to the first gap or the first safe frame not known to be held by
    ///    every old member; unordered frames all (every member of the
    ///    transitional set holds the same frames, so all deliver the same);
    /// 2. the transitional configuration;
    /// 3. the remaining ordered frames, skipping after a gap those whose
    ///    sender is not in the transitional configuration (they may depend on
    ///    what is missing). Nothing else is thrown away.
    fn deliver_old_ring(&mut self, recovery: &Recovery) {
        let trans: BTreeSet<_> = recovery.trans.iter().copied().collect();
        // When every old member is here, each holds every frame any of them
        // sent: all are stable. Otherwise only what one of us knew was stable.
        let everyone_here = self.ring.members.iter().all(|m| trans.contains(m));
        let stable = if everyone_here { u64::MAX } else { recovery.old_stable.max(self.ring.stable) };
        let high = self.ring.frames.highest().unwrap_or(0);

        // Step 1.
        while self.ring.delivered < high {
            let seq = self.ring.delivered + 1;
            let Some(slot) = self.ring.frames.get(seq) else { break };
            let frame = &slot.frame;
            if frame.guarantee == super::types::Guarantee::Safe
                && matches!(frame.body, FrameBody::App(_))
                && seq > stable
            {
                break;
            }
            self.deliver_in_order(seq);
        }
        let cut = self.ring.delivered;
        for seq in cut + 1..=high {
            self.deliver_unordered_once(seq);
        }

        // Step 2.
        let left = self.ring.members.iter().copied().filter(|m| !trans.contains(m)).collect();
        self.events.push_back(Event::ConfigChange(ConfigChange {
            kind: ConfigKind::Transitional,
            ring_id: self.ring.id,
            members: recovery.trans.clone(),
            left,
            joined: Vec::new(),
        }));

        // Step 3.
        let mut after_gap = false;
        let events_before = self.events.len();
        for seq in cut + 1..=high {
            match self.ring.frames.get(seq) {
                None => after_gap = true,
                Some(slot) => {
                    if !after_gap || trans.contains(&slot.frame.sender) {
                        self.deliver_frame(seq);
                    } else {
                        self.counters.gap_skips += 1;
                    }
                }
            }
        }
        self.counters.transitional_deliveries += (self.events.len() - events_before) as u64;
        self.ring.delivered = self.ring.delivered.max(high);
        self.assembly.clear();
    }
}
