//! The protocol state machine: its state, its public face, and the dispatch of
//! packets and timeouts to the parts that handle them (`token`, `membership`,
//! `recovery`, `delivery`).

use std::collections::VecDeque;

use super::assembly::Assembly;
use super::config::Config;
use super::counters::Counters;
use super::crawl::Crawl;
use super::cut_links::CutLinks;
use super::event::{Destination, Event, SubmitError, Transmit};
use super::exclusion::Exclusions;
use super::forward::Forwarder;
use super::hearing::Hearing;
use super::hold::Hold;
use super::membership::{Forming, Gather};
use super::merge::MergeWatch;
use super::outbox::Outbox;
use super::packet::{DataFrame, FrameBody, MergeDetect, Packet, RingNotice};
use super::past_rings::PastRings;
use super::recovery::Recovery;
use super::relay::Relay;
use super::ring::Ring;
use super::shared::SharedBytes;
use super::timers::{TimerKind, Timers};
use super::token::Visits;
use super::types::{Guarantee, NodeId, RingId, Time};
use super::unreached::Unreached;
use super::wire;

/// Leaving a ring for a newcomer backs off from the exclusion cap to this
/// many times it (`merge.rs`, `MergeWatch::may_swap`).
const SWAP_BACKOFF_CAP: Time = 16;

/// Detects in a row that must name us before we leave our ring for their
/// sender's (`Processor::newcomer_proved`): two seconds at the defaults.
const NEWCOMER_PROOF_DETECTS: u32 = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Looking for the processors to form a ring with.
    Gather,
    /// The commit token is forming the new ring.
    Commit,
    /// The new ring exchanges the old rings' messages.
    Recovery,
    /// On a ring, ordering messages.
    Operational,
    /// Gracefully gone: silent for good.
    Left,
}

pub struct Processor {
    pub(crate) config: Config,
    pub(crate) me: NodeId,
    pub(crate) state: State,
    /// The current regular ring (the old ring while gathering, committing, recovering).
    pub(crate) ring: Ring,
    /// No configuration was ever installed: `ring` is a placeholder with no history.
    pub(crate) virgin: bool,
    /// Highest ring seq seen anywhere: new rings go above it.
    pub(crate) highest_ring_seq: u64,
    pub(crate) gather: Gather,
    pub(crate) forming: Option<Forming>,
    pub(crate) recovery: Option<Recovery>,
    /// Application messages waiting for the token.
    pub(crate) outbox: Outbox,
    /// Fragmented messages being put back together.
    pub(crate) assembly: Assembly,
    pub(crate) transmits: VecDeque<Transmit>,
    pub(crate) events: VecDeque<Event>,
    pub(crate) timers: Timers,
    /// What our token visits carry from one to the next.
    pub(crate) visits: Visits,
    /// The token we passed on, until the ring shows it arrived.
    pub(crate) forwarder: Forwarder,
    /// Holding the token while the ring idles.
    pub(crate) hold: Hold,
    /// Merge detection: the rings we hear, when to announce ours.
    pub(crate) merge: MergeWatch,
    /// Processors kept out a while after failing to form a ring with us.
    pub(crate) exclusions: Exclusions,
    /// The poor links our ring was cut along, until their hearers hear again.
    pub(crate) cut_links: CutLinks,
    /// How well we hear each processor's joins, merge-detects and frames.
    pub(crate) hearing: Hearing,
    /// How late the ring delivers (`crawl.rs`).
    pub(crate) crawl: Crawl,
    /// `leave()` was called: finish once our messages are held by all.
    pub(crate) leaving: bool,
    /// Rings we were on or began to form.
    pub(crate) past_rings: PastRings,
    /// Tokens relayed for members that cannot reach their successor.
    pub(crate) relay: Relay,
    /// Whose unicast fails to reach us (judged on tokens, `unreached.rs`).
    pub(crate) unreached: Unreached,
    pub(crate) counters: Counters,
    pub(crate) now: Time,
}

impl Processor {
    /// A processor that starts gathering at `now`. Its ring seqs start from a
    /// value derived from `now`, so a restarted processor never reuses a ring id.
    /// `seed` is reserved for randomised choices (none yet) so that runs replay.
    pub fn new(config: Config, now: Time, seed: u64) -> Processor {
        let _ = seed;
        assert!(config.validate().is_ok(), "invalid config: {:?}", config.validate());
        let me = config.node_id;
        // Ring seqs grow by at least 4 per ring formed, and forming a ring takes
        // more than a microsecond, so 4 x now (us) is above every ring seq any
        // earlier incarnation of this node can have used.
        // Capped so that a driver's absurd clock cannot start us above what
        // peers decode (`wire::MAX_RING_SEQ`) or near where ring seqs overflow.
        let start_seq = now.saturating_mul(4).min(MAX_START_RING_SEQ);
        let span = span_limit(&config);
        let mut p = Processor {
            ring: Ring::new(RingId { rep: me, seq: start_seq }, vec![me], span),
            virgin: true,
            highest_ring_seq: start_seq,
            gather: Gather::default(),
            forming: None,
            recovery: None,
            outbox: Outbox::default(),
            assembly: Assembly::default(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            timers: Timers::default(),
            visits: Visits::default(),
            forwarder: Forwarder::default(),
            hold: Hold::default(),
            merge: MergeWatch::default(),
            exclusions: Exclusions::default(),
            cut_links: CutLinks::default(),
            hearing: Hearing::default(),
            crawl: Crawl::default(),
            leaving: false,
            past_rings: PastRings::default(),
            relay: Relay::default(),
            unreached: Unreached::default(),
            counters: Counters::default(),
            state: State::Gather,
            me,
            config,
            now,
        };
        p.enter_gather();
        p
    }

    pub fn node_id(&self) -> NodeId {
        self.me
    }

    pub fn state(&self) -> State {
        self.state
    }

    /// The current regular ring's id and members (sorted). Before the first
    /// configuration is installed: a placeholder singleton.
    pub fn ring(&self) -> (RingId, &[NodeId]) {
        (self.ring.id, &self.ring.members)
    }

    /// What this processor has done so far.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Frames waiting in the send queue.
    pub fn queue_len(&self) -> usize {
        self.outbox.frames()
    }

    /// Application bytes one frame carries; longer messages are fragmented.
    pub fn frame_payload(&self) -> usize {
        self.config.max_frame - wire::DATA_HEADER_LEN - wire::RECOVERED_OVERHEAD
    }

    /// Frames a message of `len` bytes takes.
    pub fn frames_for(&self, len: usize) -> usize {
        len.div_ceil(self.frame_payload()).max(1)
    }

    /// Whether a message of `len` bytes would be accepted by `submit` now.
    pub fn has_room_for(&self, len: usize) -> bool {
        self.outbox.frames() + self.frames_for(len) <= self.config.send_queue_limit
    }

    /// Queue an application message for the ring.
    pub fn submit(
        &mut self,
        now: Time,
        guarantee: Guarantee,
        payload: impl Into<SharedBytes>,
    ) -> Result<(), SubmitError> {
        let payload = payload.into();
        self.now = self.now.max(now);
        if self.leaving || self.state == State::Left {
            return Err(SubmitError::Closed);
        }
        if payload.len() > self.config.max_message {
            return Err(SubmitError::TooBig);
        }
        if !self.has_room_for(payload.len()) {
            return Err(SubmitError::QueueFull);
        }
        let frames = self.frames_for(payload.len());
        self.outbox.push(guarantee, payload, frames, self.now);
        self.wake_idle_ring();
        Ok(())
    }

    /// Leave the ring gracefully: once our queued and sent messages are
    /// delivered here (bounded by the token timeout), tell the others and go
    /// silent; `Event::Left` follows.
    pub fn leave(&mut self, now: Time) {
        self.now = self.now.max(now);
        if self.leaving || self.state == State::Left {
            return;
        }
        self.leaving = true;
        self.timers.set(TimerKind::Leave, self.now + self.config.token_timeout);
        self.wake_idle_ring();
        self.maybe_finish_leave();
    }

    pub fn handle_packet(&mut self, now: Time, bytes: &[u8]) {
        self.now = self.now.max(now);
        if self.state == State::Left {
            return;
        }
        if let Some((ring_id, seq)) = wire::peek_data(bytes) {
            if self.holds_frame(ring_id, seq) {
                return; // on_data would drop it, after an allocation and a copy
            }
        }
        let packet = match wire::decode(bytes) {
            Ok(p) => p,
            // Malformed: dropped. (The node reports another version's
            // packets, `wire::foreign_version`, before they get here.)
            Err(_) => return,
        };
        match packet {
            Packet::Token(t) => self.on_token(t),
            // No member sends a frame longer than it could (below): a longer
            // one is forged. Held, it would cost up to MAX_PACKET bytes per
            // buffer slot instead of max_frame.
            Packet::Data(f) | Packet::Resent(f) if bytes.len() > self.max_data_len(&f) => {}
            Packet::Data(f) => self.on_data(f, false),
            Packet::Resent(f) => self.on_data(f, true),
            Packet::Join(j) => self.on_join(j),
            Packet::Commit(c) => self.on_commit_token(c),
            Packet::MergeDetect(n) => self.on_merge_detect(n),
            Packet::Leave(n) => self.on_leave_notice(n),
            Packet::HoldCancel(n) => self.on_hold_cancel(n),
        }
        self.maybe_finish_leave();
    }

    /// The longest Data packet a member sends for `frame`: an application
    /// frame's payload is cut to `frame_payload`, which leaves room for the
    /// recovery wrapping, so that a frame carried to a new ring still fits
    /// max_frame. (The processor fuzz target found that a forged frame
    /// between the two limits was held, then re-sent in recovery over
    /// max_frame, where every receiver dropped it.)
    fn max_data_len(&self, frame: &DataFrame) -> usize {
        match frame.body {
            FrameBody::App(_) => self.config.max_frame - wire::RECOVERED_OVERHEAD,
            FrameBody::Recovered(_) => self.config.max_frame,
        }
    }

    /// Whether `on_data` would drop a frame of `ring_id` numbered `seq` as
    /// one we hold (or held and freed).
    fn holds_frame(&self, ring_id: RingId, seq: u64) -> bool {
        let ring = match self.state {
            State::Operational | State::Gather if ring_id == self.ring.id => &self.ring,
            State::Recovery => match &self.recovery {
                Some(r) if ring_id == r.new_ring.id => &r.new_ring,
                _ => return false,
            },
            _ => return false,
        };
        ring.frames.contains(seq) || (seq <= ring.my_aru && ring.frames.is_freed(seq))
    }

    pub fn handle_timeout(&mut self, now: Time) {
        self.now = self.now.max(now);
        while let Some(kind) = self.timers.take_due(self.now) {
            if self.state == State::Left {
                self.timers.clear();
                return;
            }
            match kind {
                TimerKind::TokenLoss => self.on_token_loss(),
                TimerKind::TokenRetransmit => self.on_token_retransmit(),
                TimerKind::TokenHold => self.release_held_token(),
                TimerKind::Join => self.on_join_timeout(),
                TimerKind::Consensus => self.on_consensus_timeout(),
                TimerKind::Leave => self.finish_leave(),
            }
        }
        self.maybe_finish_leave();
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next packet to send if it goes to every processor (a frame, not
    /// the token): what an application thread may send itself, leaving the
    /// rest, in order, to the driver's turn.
    pub fn poll_multicast(&mut self) -> Option<Transmit> {
        match self.transmits.front() {
            Some(t) if t.dest == super::event::Destination::All => self.transmits.pop_front(),
            _ => None,
        }
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    pub fn poll_timeout(&self) -> Option<Time> {
        self.timers.earliest()
    }

    // ---- shared helpers -------------------------------------------------

    /// A packet from a ring that is neither ours nor one we were on: a
    /// partition that can merge with us.
    pub(crate) fn is_foreign_ring(&self, id: RingId) -> bool {
        id != self.ring.id && !self.past_rings.contains(id)
    }

    /// Another ring announced itself (`merge.rs`): merge once contact goes
    /// both ways between every one of us and every one of them. A detect
    /// that names only some of us comes from a processor that cannot hear the
    /// others: a gathering with it would fail, and re-form our ring without
    /// it, each time it heard one of us again (asym seed 35). And a ring one
    /// of whose members we do not hear would not gather for our detects: we
    /// would gather alone, and re-form alone, for nothing (asym seed 31). Any
    /// member answers a detect that does not name it, so that the other side
    /// learns whom it hears (a representative's detects alone would never
    /// tell it about the others). The one exception to "all of us": see
    /// `newcomer_proved`.
    fn on_merge_detect(&mut self, detect: MergeDetect) {
        let sender = detect.sender;
        if sender == self.me {
            return;
        }
        self.hearing.record(sender, detect.number, self.now);
        self.cut_links.detect_heard(sender, &detect.heard);
        if self.state != State::Operational || !self.is_foreign_ring(detect.ring_id) {
            return;
        }
        let mut answer = !detect.heard.contains(&self.me);
        if !self.exclusions.is_excluded(sender, self.now) {
            self.merge.heard_from(sender, self.now, !answer);
            if self.hears_all_of_them(&detect) {
                if self.heard_by_all_of_us(&detect.heard) {
                    if !self.cut_apart_from(&detect) {
                        self.enter_gather();
                        return;
                    }
                    if let Some(unwanted) = self.unweighed_cut_ends(&detect) {
                        if self.newcomer_proved(sender) {
                            self.leave_for_a_newcomer(&unwanted);
                            return;
                        }
                    }
                    // Tell the hearers of the cut's links that we hear
                    // the other side: they may be waiting for us.
                    answer = true;
                }
                if let Some(unwanted) = self.only_unreached_unheard(&detect.heard) {
                    if self.newcomer_proved(sender) {
                        self.leave_for_a_newcomer(&unwanted);
                        return;
                    }
                    // Keep it hearing us: whether its detects keep naming
                    // us is what tells its link from us clean.
                    answer = true;
                }
            }
        }
        if answer && self.merge.may_answer(self.now, self.config.merge_timeout) {
            self.send_merge_detect();
        }
    }

    /// Whether to leave our ring for `sender`'s (`leave_for_a_newcomer`):
    /// its last [`NEWCOMER_PROOF_DETECTS`] detects all named us (we answer
    /// each, and a detect names whom its sender heard in the last few
    /// intervals: over a link that loses most of our answers a run that
    /// long is rare, asym seed 1110, where each swap onto a 79% lossy link
    /// failed and cost three reconfigurations), and swaps back off.
    fn newcomer_proved(&mut self, sender: NodeId) -> bool {
        if self.merge.named_us_in_a_row(sender) < NEWCOMER_PROOF_DETECTS {
            return false;
        }
        let base = self.config.exclusion_cap();
        self.merge.may_swap(self.now, base, SWAP_BACKOFF_CAP * base)
    }

    /// Whether a link our ring was cut along still stands between us and
    /// the detect's ring (`cut_links.rs`): gathering now would cut the same
    /// rings again. Its hearer starts the merge once it hears well.
    fn cut_apart_from(&self, detect: &MergeDetect) -> bool {
        let now = self.now;
        let theirs = Self::detect_ring(detect);
        self.cut_links.stands_between(self.me, &self.ring.members, &theirs, |n| !self.hearing.hears_well(n, now))
    }

    /// The members of our ring that a standing cut link parts from the
    /// detect's ring, if each is one our unicast no longer reaches and the
    /// cut did not know it: it weighed the ties without that, and a ring
    /// without them, with the detect's, may be clean (asym seed 1220: {2,3}
    /// formed before 3's unicast to 2 was known dead, while 1 heard 3 well
    /// both ways). See `leave_for_a_newcomer`.
    fn unweighed_cut_ends(&self, detect: &MergeDetect) -> Option<Vec<NodeId>> {
        let theirs = Self::detect_ring(detect);
        let ends = self.cut_links.ends_on(&self.ring.members, &theirs);
        let unreached =
            |m: &NodeId| *m != self.me && self.forwarder.unicast_fails_to(*m) && !self.cut_links.weighed(self.me, *m);
        (!ends.is_empty() && ends.iter().all(unreached)).then_some(ends)
    }

    /// The members of a detect's ring it names: its sender, and the members
    /// it lists.
    fn detect_ring(detect: &MergeDetect) -> Vec<NodeId> {
        let mut theirs = detect.members.clone();
        theirs.push(detect.sender);
        theirs
    }

    /// Whether a detect's `heard` list names every member of our ring (or,
    /// for a ring larger than a detect can name, any of them).
    fn heard_by_all_of_us(&self, heard: &[NodeId]) -> bool {
        if !self.ring_fits_a_detect() {
            return heard.iter().any(|&n| self.ring.is_member(n));
        }
        self.ring.members.iter().all(|m| heard.contains(m))
    }

    /// A detect that hears us but not all of our ring: the members it does
    /// not hear, if each is one our unicast no longer reaches (see
    /// `leave_for_a_newcomer`).
    fn only_unreached_unheard(&self, heard: &[NodeId]) -> Option<Vec<NodeId>> {
        if !heard.contains(&self.me) || !self.ring_fits_a_detect() {
            return None;
        }
        let unheard: Vec<NodeId> = self.ring.members.iter().copied().filter(|m| !heard.contains(m)).collect();
        let unreached = |m: &NodeId| self.forwarder.unicast_fails_to(*m);
        (!unheard.is_empty() && unheard.iter().all(unreached)).then_some(unheard)
    }

    /// Whether a detect can name every member of our ring (`merge::MAX_HEARD`).
    fn ring_fits_a_detect(&self) -> bool {
        self.ring.members.len() <= super::merge::MAX_HEARD
    }

    /// Whether we heard lately from every member of the detect's ring (its
    /// sender just now). A detect of a ring too large to list its members
    /// lists none: then its sender stands for them.
    /// Whether we hear every member of a detect's ring, and its sender not
    /// poorly (`hearing.rs`): a merge over a poor link re-forms the rings
    /// apart again, a reconfiguration of each for nothing, every time the
    /// detects cross (asym seed 1093). Only the sender's: its detects keep
    /// our judgement of it current, while the other members may not have
    /// sent anything since a partition that made them look poor.
    fn hears_all_of_them(&mut self, detect: &MergeDetect) -> bool {
        let heard = self.merge.heard(self.now, self.config.merge_timeout);
        detect.members.iter().all(|m| *m == detect.sender || heard.contains(m))
            && !self.hearing.hears_poorly(detect.sender, self.now)
    }

    /// Our ring's announcement, naming the senders we hear, but for those we
    /// keep out or hear poorly: named, one would gather at once, alone, and
    /// churn its ring. One our ring was cut from for our poor hearing of it
    /// is named once we hear it well (`Hearing::hears_well`): the name lifts
    /// the cut for the others (`CutLinks::detect_heard`), who would gather
    /// on a link near half lossy the moment it looked a little better
    /// (asym seeds 5274, 7140, 7220).
    pub(crate) fn send_merge_detect(&mut self) {
        let mut heard = self.merge.heard(self.now, self.config.merge_timeout);
        let now = self.now;
        heard.retain(|&n| {
            !self.exclusions.is_excluded(n, now)
                && !self.hearing.hears_poorly(n, now)
                && (!self.cut_links.cut_at_our_hearing(self.me, n) || self.hearing.hears_well(n, now))
        });
        let members = if self.ring_fits_a_detect() { self.ring.members.clone() } else { Vec::new() };
        let number = self.hearing.next_number();
        let detect = MergeDetect { sender: self.me, ring_id: self.ring.id, number, heard, members };
        self.multicast(&Packet::MergeDetect(detect));
    }

    pub(crate) fn send(&mut self, dest: Destination, packet: &Packet) -> Vec<u8> {
        let bytes = wire::encode(packet);
        self.transmits.push_back(Transmit { dest, bytes: bytes.clone() });
        bytes
    }

    pub(crate) fn multicast(&mut self, packet: &Packet) {
        let bytes = wire::encode(packet);
        self.transmits.push_back(Transmit { dest: Destination::All, bytes });
    }

    /// A queued message (or a leave) should not wait for an idle ring's held token.
    fn wake_idle_ring(&mut self) {
        if self.state != State::Operational {
            return;
        }
        if self.hold.is_holding() {
            self.release_held_token();
            return;
        }
        self.resend_towards_holder();
        if self.ring.members.len() > 1 && self.hold.should_send_cancel(self.now) {
            let notice = RingNotice { sender: self.me, ring_id: self.ring.id };
            self.multicast(&Packet::HoldCancel(notice));
        }
    }

    fn on_hold_cancel(&mut self, notice: RingNotice) {
        if notice.sender == self.me || notice.ring_id != self.ring.id || self.state != State::Operational {
            return;
        }
        if self.hold.cancel() {
            self.release_held_token();
        } else {
            self.resend_towards_holder();
        }
    }

    /// The ring wakes: the token may have been lost on its way to an idle
    /// ring's representative, whose predecessor would wait the full interval.
    fn resend_towards_holder(&mut self) {
        if let Some(t) = self.forwarder.resend_now(self.now) {
            self.transmits.push_back(t);
        }
    }

    fn maybe_finish_leave(&mut self) {
        if !self.leaving || self.state == State::Left {
            return;
        }
        // Our messages are safe once every member holds them (`stable`), not
        // once we delivered them: a multicast that reached nobody would be lost.
        let own_held_by_all = self.state == State::Operational
            && self.outbox.is_empty()
            && self.ring.delivered >= self.outbox.last_seq()
            && self.ring.stable >= self.outbox.last_seq();
        if own_held_by_all || (self.state != State::Operational && self.outbox.is_empty() && self.virgin) {
            self.finish_leave();
        }
    }

    /// Tell the ring we go, then fall silent.
    fn finish_leave(&mut self) {
        if self.state == State::Left {
            return;
        }
        let notice = RingNotice { sender: self.me, ring_id: self.ring.id };
        // Three copies: a lost notice only costs the others a token-loss timeout.
        for _ in 0..3 {
            self.multicast(&Packet::Leave(notice.clone()));
        }
        self.state = State::Left;
        self.timers.clear();
        self.hold.reset();
        self.forwarder.clear();
        self.outbox.clear();
        self.events.push_back(Event::Left);
    }
}

/// The highest ring seq a processor starts from, whatever its clock says:
/// far below `wire::MAX_RING_SEQ` (a clock 2^58 us = 9,000 years ahead
/// still starts below it), and at least `MAX_RING_SEQ_LEAP` under it.
pub(crate) const MAX_START_RING_SEQ: u64 = wire::MAX_RING_SEQ / 4;

/// How far beyond the freed point a ring buffer accepts frames.
pub(crate) fn span_limit(config: &Config) -> u64 {
    config.max_outstanding * 4 + 1024
}
