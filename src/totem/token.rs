//! The ORF token's visit (TOTEM95 §5): retransmit what others lack, ask for
//! what we lack, originate within flow control, update aru, stability,
//! fcc and backlog, and pass the token on (or hold it while the ring idles).

use std::collections::BTreeSet;

use super::event::Destination;
use super::flow::{allowed, FlowInput};
use super::packet::{token_flags, DataFrame, Frag, FrameBody, Packet, Token};
use super::processor::{Processor, State};
use super::ring::Ring;
use super::timers::TimerKind;
use super::types::{Guarantee, NodeId, Time};
use super::wire;

/// What our token visits remember from one to the next, on the current ring.
#[derive(Default)]
pub(crate) struct Visits {
    /// Highest token_seq received on the active ring: older copies are duplicates.
    last_token_seq: u64,
    /// Seqs we retransmitted on our last visit: asked again, they escalate.
    served_last_visit: Vec<u64>,
    /// Our contributions to the token's fcc and backlog on our last visit.
    my_fcc: u32,
    my_backlog: u32,
    /// Since we were last caught up: what we had to reach then, when, and
    /// the visits since (`check_receive_failure`).
    behind: Option<Behind>,
}

/// A point we were due to have received up to, not yet reached.
#[derive(Clone, Copy)]
struct Behind {
    due: u64,
    since: Time,
    visits: u32,
}

impl Visits {
    /// A new ring (or none): nothing carries over.
    pub fn reset(&mut self) {
        *self = Visits::default();
    }

    /// The ring we recovered on becomes the regular one: the token goes on,
    /// the count of visits behind starts again.
    pub fn restart_stall_count(&mut self) {
        self.behind = None;
    }

    /// Tokens seen on the active ring (a rough rotation count for tests;
    /// what a forged token must beat, for the fuzzer).
    pub fn last_token_seq(&self) -> u64 {
        self.last_token_seq
    }
}

impl Processor {
    /// The ring tokens circulate on now.
    fn token_ring(&self) -> Option<&Ring> {
        match self.state {
            State::Operational => Some(&self.ring),
            State::Recovery => self.recovery.as_ref().map(|r| &r.new_ring),
            _ => None,
        }
    }

    fn token_ring_mut(&mut self) -> &mut Ring {
        match self.state {
            State::Recovery => &mut self.recovery.as_mut().expect("recovering without a new ring").new_ring,
            _ => &mut self.ring,
        }
    }

    pub(crate) fn on_token(&mut self, mut token: Token) {
        let Some(ring) = self.token_ring() else { return };
        if ring.id != token.ring_id {
            return;
        }
        if token.to != self.me {
            // It came by the multicast fallback: pass it to its member (`relay.rs`).
            let to = token.to;
            if ring.is_member(to) && self.relay.token_once(token.ring_id, token.token_seq) {
                self.send(Destination::Node(to), &Packet::Token(token));
            }
            return;
        }
        if token.token_seq <= self.visits.last_token_seq || !self.credible_token(&token) {
            return;
        }
        self.visits.last_token_seq = token.token_seq;
        self.judge_predecessor_unicast(token.flags);
        self.forwarder.token_arrived(self.now, token.flags & token_flags::HELD == 0);
        self.timers.cancel(TimerKind::TokenRetransmit);
        self.timers.set(TimerKind::TokenLoss, self.now + self.config.token_timeout);
        self.hold.clear_mark(&mut token);
        if self.should_hold(&token) {
            self.hold.hold(token);
            self.timers.set(TimerKind::TokenHold, self.now + self.config.token_hold());
            return;
        }
        self.visit(token);
    }

    /// The first copy of a token to reach us shows whether our predecessor's
    /// unicast does (`unreached.rs`).
    fn judge_predecessor_unicast(&mut self, flags: u8) {
        let Some(ring) = self.token_ring() else { return };
        let predecessor = ring.predecessor(self.me);
        if predecessor == self.me {
            return;
        }
        if flags & token_flags::RESENT_BY_MULTICAST != 0 {
            self.unreached.failed(predecessor, self.now);
        } else if flags & token_flags::SENT_BY_MULTICAST == 0 {
            self.unreached.reached(predecessor);
        }
    }

    /// Whether a token for us on our ring can be one the ring passed on
    /// (see [`MAX_TOKEN_SEQ_LEAP`]): one that cannot is forged (or from a
    /// member gone mad), and visiting it would stop the ring for good.
    fn credible_token(&self, token: &Token) -> bool {
        let Some(ring) = self.token_ring() else { return false };
        // A token_seq far ahead would leave every later real token "old";
        // one at u64::MAX would overflow when we pass it on.
        let ahead = token.token_seq - self.visits.last_token_seq;
        // A seq beyond what our buffer can hold names frames we could never
        // take (the ring's flow control keeps seqs within `max_outstanding`
        // of the aru, well inside the buffer's span): we could neither
        // originate above it nor stop asking for what lies below.
        let seq_held = token.seq < ring.frames.base() || ring.frames.accepts(token.seq);
        // A ring's seq never goes back: every frame we hold was numbered from
        // a token the one we get now came after (frames sent behind the token
        // are in its seq too), and the aru is never above the seq. Taken, a
        // lower seq would make us number new frames with seqs the ring has
        // used: every member would drop them as held, and the ring would
        // circulate its token for ever delivering nothing.
        let seq_sane = token.seq >= ring.high_seq && token.aru <= token.seq;
        ahead <= MAX_TOKEN_SEQ_LEAP && seq_held && seq_sane
    }

    /// Whether to hold the token back (`hold.rs`): the ring is idle and we
    /// are the member to hold it.
    fn should_hold(&self, token: &Token) -> bool {
        self.state == State::Operational
            && self.ring.idle_holder() == self.me
            && self.hold.may_hold(token)
            && self.would_hold(token)
            && self.outbox.is_empty()
            && !self.leaving
    }

    /// The token says the ring is idle enough for its representative to hold it.
    fn would_hold(&self, token: &Token) -> bool {
        token.quiet as usize >= 2 * self.ring.members.len() && token.backlog == 0 && token.rtr.is_empty()
    }

    pub(crate) fn release_held_token(&mut self) {
        self.timers.cancel(TimerKind::TokenHold);
        if let Some(token) = self.hold.release() {
            self.visit(token);
        }
    }

    /// Resend the token we forwarded: the successor has not shown.
    pub(crate) fn on_token_retransmit(&mut self) {
        let interval = self.config.token_retransmit_interval();
        if let Some((transmit, next)) = self.forwarder.resend(self.now, interval) {
            self.counters.token_retransmits += 1;
            self.transmits.push_back(transmit);
            self.timers.set(TimerKind::TokenRetransmit, next);
        }
    }

    pub(crate) fn on_token_loss(&mut self) {
        match self.state {
            State::Commit => self.commit_lost(),
            State::Operational | State::Recovery => self.enter_gather(),
            State::Gather | State::Left => {}
        }
    }

    /// Our turn with the token.
    ///
    /// The accelerated ring: the last `accelerated_window` new frames go
    /// out right after the token rather than before it, and the token's
    /// `tail` says how many. Nothing below depends on the successor holding
    /// them when the token reaches it: the TOTEM95 aru rule lets it lower
    /// the aru to what it really holds (and raise it again on a later
    /// visit), `rotation_min` and `stable` are minimums of real arus (safe
    /// delivery and freeing only wait a little longer), a quiet visit
    /// still means lacking nothing (a tail only follows a visit that sent,
    /// which was not quiet either, so holding comes at most a visit later),
    /// and `request_missing` and `check_receive_failure` treat the tail as
    /// in flight for that one visit only. Our aru covers the tail from its
    /// origination (it is in our buffer), and the copy of the token the
    /// forwarder may resend carries the same `tail`, by when those frames
    /// are long sent.
    pub(crate) fn visit(&mut self, mut token: Token) {
        self.counters.token_visits += 1;
        // The highest seq we should hold by now: the predecessor's tail may
        // still be on its way.
        let due = token.seq.saturating_sub(u64::from(token.tail));
        let mut rtr = self.serve_requests(&mut token);
        self.request_missing(due, &mut rtr);
        token.rtr = rtr;
        let (others_fcc, others_backlog) = self.others_share(&token);
        let (sent, tail) = self.originate(&mut token, others_fcc, others_backlog);
        token.tail = tail.len() as u32;
        let my_aru = self.update_aru_and_stability(&mut token);

        // fcc and backlog carry our contribution of this visit.
        let backlog_now = self.frames_waiting() as u32;
        // Saturating: the fcc we were handed may be forged (flow control
        // reads it only through saturating subtractions).
        token.fcc = others_fcc.saturating_add(sent);
        token.backlog = others_backlog.saturating_add(backlog_now);
        self.visits.my_fcc = sent;
        self.visits.my_backlog = backlog_now;

        // Quiet visits: nothing sent, nothing lacking, nothing left to recover.
        let quiet = sent == 0 && my_aru >= token.seq && token.rtr.is_empty() && backlog_now == 0;
        token.quiet = if quiet { token.quiet.saturating_add(1) } else { 0 };
        let members = self.token_ring_mut().members.len();
        self.hold.visited(token.quiet as usize >= members);

        if !self.settle_visit(&mut token, members, due) {
            // We gave up on the ring and keep the token, but the tail's seqs
            // are ours on it: send them as the ring would have had them
            // (a member still on it, or the recovery, may use them). No token
            // went: they do not count as frames after it.
            self.multicast_frames(tail);
            return;
        }
        if self.state == State::Operational
            && (self.ring.rep() == self.me || self.cut_links.heard_poorly_across(self.me))
            && self.merge.detect_due(self.now, self.config.merge_timeout)
        {
            self.send_merge_detect();
        }
        self.pass_on(token);
        self.counters.frames_after_token += tail.len() as u64;
        self.multicast_frames(tail);
    }

    fn multicast_frames(&mut self, frames: Vec<DataFrame>) {
        for frame in frames {
            self.multicast(&Packet::Data(frame));
        }
    }

    /// Retransmit what others lack and we hold; keep the rest asked. A request
    /// we already served on our last visit came back: our multicasts may not
    /// reach the requester (asymmetric loss), so we serve it again and leave
    /// it on the token for the next holder too. Returns the requests kept,
    /// once each, in the token's order.
    fn serve_requests(&mut self, token: &mut Token) -> Vec<u64> {
        let mut rtr = Vec::with_capacity(token.rtr.len());
        // Sets rather than `Vec::contains`: a list holds up to MAX_RTR
        // entries, and a scan per entry made the visit quadratic in it.
        // (Ordered sets: the core draws no randomness, not even a hash seed.)
        let mut kept = BTreeSet::new();
        let mut resend = Vec::new();
        let served_before: BTreeSet<u64> = std::mem::take(&mut self.visits.served_last_visit).into_iter().collect();
        let ring = self.token_ring_mut();
        for seq in std::mem::take(&mut token.rtr) {
            if let Some(slot) = ring.frames.get(seq) {
                resend.push(slot.frame.clone());
                if served_before.contains(&seq) && kept.insert(seq) {
                    rtr.push(seq);
                }
            } else if !ring.frames.is_freed(seq) && kept.insert(seq) {
                rtr.push(seq);
            }
        }
        self.visits.served_last_visit = resend.iter().map(|f| f.seq).collect();
        self.counters.frame_retransmits += resend.len() as u64;
        for frame in resend {
            self.multicast(&Packet::Resent(frame));
        }
        rtr
    }

    /// Add what we lack up to `due` to the requests, within what one token
    /// can carry. Seqs above `due` are the predecessor's tail, multicast
    /// after its token: asking for them now would retransmit frames that are
    /// merely in flight. A later visit asks for them if they were lost.
    fn request_missing(&mut self, due: u64, rtr: &mut Vec<u64>) {
        let limit = rtr_limit(self.config.max_frame);
        // The seqs already asked for, as a set (see `serve_requests`).
        let mut listed: BTreeSet<u64> = rtr.iter().copied().collect();
        let ring = self.token_ring_mut();
        let mut seq = ring.my_aru + 1;
        while seq <= due && rtr.len() < limit {
            if !ring.frames.contains(seq) && listed.insert(seq) {
                rtr.push(seq);
            }
            seq += 1;
        }
    }

    /// The other members' frames of the last rotation and their backlog.
    fn others_share(&self, token: &Token) -> (u32, u32) {
        (token.fcc.saturating_sub(self.visits.my_fcc), token.backlog.saturating_sub(self.visits.my_backlog))
    }

    /// Originate new frames within flow control: how many, and those to
    /// multicast only after the token (the accelerated ring's tail, the
    /// last `accelerated_window` of them; only when operational: recovery,
    /// short and rare, keeps the plain ring and its proven timing).
    /// Every frame enters our buffer now, so our aru covers the tail.
    fn originate(&mut self, token: &mut Token, others_fcc: u32, others_backlog: u32) -> (u32, Vec<DataFrame>) {
        let n = allowed(&FlowInput {
            window_size: self.config.window_size,
            max_messages: self.config.max_messages,
            max_outstanding: self.config.max_outstanding,
            queued: self.frames_waiting(),
            others_fcc,
            others_backlog,
            token_seq: token.seq,
            token_aru: token.aru,
        });
        let mut frames = Vec::new();
        for _ in 0..n {
            // Never assign a seq our own buffer could not keep for retransmission.
            if !self.token_ring_mut().frames.accepts(token.seq + 1) {
                break;
            }
            let Some(frame) = self.next_frame(token) else { break };
            self.token_ring_mut().insert(frame.clone());
            frames.push(frame);
        }
        let sent = frames.len() as u32;
        let window = if self.state == State::Operational { self.config.accelerated_window } else { 0 };
        let tail = frames.split_off(frames.len() - (window as usize).min(frames.len()));
        self.multicast_frames(frames);
        (sent, tail)
    }

    /// aru (TOTEM95): lower it if we lack more, raise it if we set it; and
    /// stability: the representative closes a rotation's minimum of the
    /// members' aru, which every member then holds. Returns our aru.
    fn update_aru_and_stability(&mut self, token: &mut Token) -> u64 {
        let me = self.me;
        let ring = self.token_ring_mut();
        let my_aru = ring.my_aru;
        if my_aru < token.aru || token.aru_id == me || token.aru_id == 0 {
            token.aru = my_aru;
            token.aru_id = if my_aru >= token.seq { 0 } else { me };
        }
        if ring.rep() == me {
            token.stable = token.stable.max(token.rotation_min);
            token.rotation_min = my_aru;
        } else {
            token.rotation_min = token.rotation_min.min(my_aru);
        }
        ring.stable = ring.stable.max(token.stable.min(my_aru));
        my_aru
    }

    /// What the visit means for delivery, recovery and installation; false
    /// when we gave up on the ring (a receive failure sent us to Gather).
    fn settle_visit(&mut self, token: &mut Token, members: usize, due: u64) -> bool {
        if self.state != State::Recovery {
            self.deliver_ready();
            self.ring.free_settled();
            return !self.check_receive_failure(due);
        }
        if token.flags & token_flags::INSTALL == 0 && token.quiet as usize >= members {
            token.flags |= token_flags::INSTALL;
        }
        if token.flags & token_flags::INSTALL != 0 {
            self.install();
            return true;
        }
        if let Some(r) = self.recovery.as_mut() {
            r.new_ring.skip_recovery_frames();
            r.new_ring.free_settled();
        }
        // Recovery can stall on a member that cannot get some frame while
        // the token keeps circulating: no timeout would fire.
        !self.check_receive_failure(due)
    }

    /// Pass the token on and keep a copy until the ring shows it moved.
    fn pass_on(&mut self, mut token: Token) {
        token.token_seq += 1;
        let seq = token.seq;
        let me = self.me;
        let to = self.token_ring_mut().successor(me);
        token.to = to;
        // An idle ring's holder may keep the token on purpose, wherever it
        // is on the way round: that rotation measures nothing and deserves
        // the full interval. (Only the holder's predecessor used to wait it;
        // the others resent the token four times a hold, from the second
        // resend by multicast, and took their successor for unreachable.)
        let measure = !self.would_hold(&token);
        let dest = self.forwarder.first_destination(to);
        token.flags &= !token_flags::HOP;
        if dest == Destination::All {
            token.flags |= token_flags::SENT_BY_MULTICAST;
        }
        let bytes = self.send(dest, &Packet::Token(token));
        let interval = self.config.token_retransmit_interval();
        let at = self.forwarder.forward(self.now, bytes, to, seq, measure, interval);
        self.timers.set(TimerKind::TokenRetransmit, at);
    }

    /// Frames waiting for the token: old-ring frames to share while
    /// recovering, application frames otherwise.
    fn frames_waiting(&self) -> usize {
        match (&self.recovery, self.state) {
            (Some(r), State::Recovery) => r.queue.len(),
            _ => self.outbox.frames(),
        }
    }

    /// The next frame to originate: an application message when operational,
    /// an old-ring frame to share while recovering.
    fn next_frame(&mut self, token: &mut Token) -> Option<DataFrame> {
        let me = self.me;
        if self.state == State::Recovery {
            let recovery = self.recovery.as_mut()?;
            let old = recovery.queue.pop_front()?;
            token.seq += 1;
            self.counters.recovery_frames_sent += 1;
            return Some(DataFrame {
                ring_id: recovery.new_ring.id,
                seq: token.seq,
                sender: me,
                guarantee: Guarantee::Agreed,
                frag: Frag::Whole,
                body: FrameBody::Recovered(Box::new(old)),
            });
        }
        let piece = self.outbox.next_piece(self.frame_payload())?;
        token.seq += 1;
        self.outbox.originated(token.seq);
        self.counters.frames_sent += 1;
        if piece.frag == Frag::Packed {
            self.counters.packed_frames += 1;
        }
        Some(DataFrame {
            ring_id: self.ring.id,
            seq: token.seq,
            sender: me,
            guarantee: piece.guarantee,
            frag: piece.frag,
            body: FrameBody::App(piece.bytes),
        })
    }

    /// A processor that does not reach, within `fail_recv_const` visits, or
    /// within a token timeout and at least `STALLED_VISITS_BEFORE_TIMEOUT`
    /// visits, the aru it was due to have when it first fell behind, cannot
    /// receive: it leaves the ring to be recovered by a new one (the recovery
    /// exchange gives it what the ring could not). The visit count alone is
    /// no bound in time: a ring whose token crawls over a faulty link (a
    /// retransmission interval per visit) took seconds to reach it while
    /// delivering nothing to us, longer than a lost token costs; a frame that
    /// a token timeout of requests did not bring is as lost as a token that
    /// did not come. And an aru that creeps is no better than one that
    /// stalls: over links that lose most frames and most retransmissions a
    /// member that gets a frame now and then would never count as stalled,
    /// however long the others wait for it (no simulator seed showed this
    /// alone; `an_aru_that_creeps_but_never_catches_up_is_a_receive_failure`
    /// does). Behind means below `due`, the token's seq
    /// less the predecessor's tail: lacking only frames still in flight is no
    /// sign of a receive failure (and the frames we originated this visit are
    /// ours, so an aru at `due` covers them too).
    fn check_receive_failure(&mut self, due: u64) -> bool {
        let my_aru = self.token_ring_mut().my_aru;
        let now = self.now;
        let v = &mut self.visits;
        if my_aru >= due {
            v.behind = None;
            return false;
        }
        let b = match v.behind.as_mut() {
            Some(b) if my_aru < b.due => b,
            _ => {
                // The first visit behind (also on a new ring), or we reached
                // what we were due when we fell behind: the clock starts now
                // for what is missing now, not at an earlier visit.
                v.behind = Some(Behind { due, since: now, visits: 0 });
                return false;
            }
        };
        b.visits += 1;
        let too_long =
            b.visits >= STALLED_VISITS_BEFORE_TIMEOUT && now.saturating_sub(b.since) >= self.config.token_timeout;
        if b.visits < self.config.fail_recv_const && !too_long {
            return false;
        }
        let stalled_since = b.since;
        v.behind = None;
        self.counters.receive_failures += 1;
        // Frames of the recovering ring are not measured (`delivery.rs`).
        if self.state == State::Operational {
            let others: Vec<NodeId> = self.ring.members.iter().copied().filter(|&n| n != self.me).collect();
            self.hearing.ring_fell_silent(&others, stalled_since, now);
        }
        self.enter_gather();
        true
    }
}

/// Visits with a stalled aru before a token timeout of stalling counts as a
/// receive failure: one slow rotation is not a stall, and each visit asked
/// for the missing frames again.
const STALLED_VISITS_BEFORE_TIMEOUT: u32 = 4;

/// How far a token's `token_seq` may be ahead of the last one we saw on its
/// ring. It grows by one per forward, and every forward of a rotation goes
/// through us, so between two of our visits it grows by the ring's size
/// (at most `wire::MAX_MEMBERS`; a new ring's count starts at 0, as ours
/// does); twice that, for margin. Without a bound, one forged token at
/// `u64::MAX` makes every real one look old (and overflows at `+ 1`).
pub(crate) const MAX_TOKEN_SEQ_LEAP: u64 = 2 * wire::MAX_MEMBERS as u64;

/// Most rtr entries a token carries so that it stays within one frame.
fn rtr_limit(max_frame: usize) -> usize {
    let empty = wire::encoded_len(&Packet::Token(Token::default()));
    let room = max_frame.saturating_sub(empty) / 8;
    room.clamp(1, wire::MAX_RTR)
}

#[cfg(test)]
mod tests {
    use super::super::packet::{DataFrame, Frag, FrameBody, Token};
    use super::super::processor::{Processor, State};
    use super::super::ring::Ring;
    use super::super::types::{Guarantee, RingId, Time};
    use super::super::Config;
    use super::STALLED_VISITS_BEFORE_TIMEOUT;

    /// An operational member of ring (1, 4) holding frames 1-3 and 5-6,
    /// with 1 and 2 freed: aru 3, frame 4 missing.
    fn holder() -> Processor {
        let mut p = Processor::new(Config::new(1), 0, 1);
        p.state = State::Operational;
        let id = RingId { rep: 1, seq: 4 };
        p.ring = Ring::new(id, vec![1, 2, 3], 1024);
        for seq in [1, 2, 3, 5, 6] {
            let body = FrameBody::App(vec![seq as u8].into());
            p.ring.insert(DataFrame {
                ring_id: id,
                seq,
                sender: 2,
                guarantee: Guarantee::Agreed,
                frag: Frag::Whole,
                body,
            });
        }
        p.ring.frames.free_through(2);
        assert_eq!(p.ring.my_aru, 3);
        p
    }

    #[test]
    fn serve_requests_keeps_each_unserved_request_once_in_order() {
        let mut p = holder();
        p.visits.served_last_visit = vec![5];
        let mut token = Token { ring_id: p.ring.id, rtr: vec![5, 3, 5, 4, 1, 4, 9, 3], ..Token::default() };
        let rtr = p.serve_requests(&mut token);
        // 5: held, served last visit too, so asked again: served and kept
        // (once); 3: held, served; 4 and 9: lacking, kept once; 1: freed,
        // everyone had it.
        assert_eq!(rtr, vec![5, 4, 9]);
        // Every request for a held frame is served, duplicates included (as before).
        assert_eq!(p.visits.served_last_visit, vec![5, 3, 5, 3]);
        assert_eq!(p.counters.frame_retransmits, 4);
        assert!(token.rtr.is_empty());
    }

    #[test]
    fn request_missing_adds_each_lacking_seq_once_up_to_due() {
        let mut p = holder();
        let mut rtr = vec![9, 4];
        p.request_missing(8, &mut rtr);
        // 4 already listed, 5 and 6 held, 7 and 8 lacking.
        assert_eq!(rtr, vec![9, 4, 7, 8]);
        // Above `due`: the predecessor's tail, in flight, not asked for.
        let mut rtr = vec![];
        p.request_missing(6, &mut rtr);
        assert_eq!(rtr, vec![4]);
    }

    #[test]
    fn lacking_only_the_predecessors_tail_is_no_receive_failure() {
        let mut p = holder();
        p.config.fail_recv_const = 2;
        // Token seq 6 with a tail of 3: frames 4-6 may be in flight, and our
        // aru (3) is not behind, however many visits it stays there.
        for _ in 0..5 {
            assert!(!p.check_receive_failure(3));
        }
        assert_eq!(p.counters.receive_failures, 0);
        // Without a tail, lacking 4 for fail_recv_const visits after the one
        // that found it missing is one.
        assert!(!p.check_receive_failure(6));
        assert!(!p.check_receive_failure(6));
        assert!(p.check_receive_failure(6));
        assert_eq!(p.counters.receive_failures, 1);
        assert_eq!(p.state, State::Gather);
    }

    #[test]
    fn a_stall_of_a_token_timeout_is_a_receive_failure_long_before_fail_recv_const_visits() {
        let mut p = holder();
        let timeout = p.config.token_timeout;
        assert!(p.config.fail_recv_const > 100, "the default: the visit count alone would take long");
        // The first visit sees the aru; three more, slow, span more than a
        // token timeout: too few requests yet.
        for i in 0..STALLED_VISITS_BEFORE_TIMEOUT {
            p.now = i as Time * timeout;
            assert!(!p.check_receive_failure(6));
        }
        // The next: frame 4 is lost to us.
        p.now = STALLED_VISITS_BEFORE_TIMEOUT as Time * timeout;
        assert!(p.check_receive_failure(6));
        assert_eq!(p.counters.receive_failures, 1);

        // Many fast visits within a token timeout are no failure...
        let mut p = holder();
        for i in 0..50 {
            p.now = i * timeout / 100;
            assert!(!p.check_receive_failure(6));
        }
        // ...and an aru that moves starts the clock again.
        p.ring.insert(DataFrame {
            ring_id: p.ring.id,
            seq: 4,
            sender: 2,
            guarantee: Guarantee::Agreed,
            frag: Frag::Whole,
            body: FrameBody::App(vec![4].into()),
        });
        p.now = 2 * timeout;
        assert!(!p.check_receive_failure(8));
        assert_eq!(p.counters.receive_failures, 0);
    }

    #[test]
    fn an_aru_that_creeps_but_never_catches_up_is_a_receive_failure() {
        // We lack 4 and the ring is at 100. Each visit brings one more frame
        // (4, which our aru jumps to 6 with, then 7, 8, ...): the aru never
        // stalls, yet after a token timeout we are still short of 100.
        let mut p = holder();
        let timeout = p.config.token_timeout;
        let mut failed = false;
        let mut arus = Vec::new();
        for i in 0..=STALLED_VISITS_BEFORE_TIMEOUT as u64 + 1 {
            if i > 0 {
                let seq = if i == 1 { 4 } else { 5 + i };
                p.ring.insert(DataFrame {
                    ring_id: p.ring.id,
                    seq,
                    sender: 2,
                    guarantee: Guarantee::Agreed,
                    frag: Frag::Whole,
                    body: FrameBody::App(vec![1].into()),
                });
            }
            arus.push(p.ring.my_aru);
            p.now = i * timeout / 2;
            failed = p.check_receive_failure(100 + i);
            if failed {
                break;
            }
        }
        assert!(arus.windows(2).all(|w| w[1] > w[0]), "the aru moved each visit: {arus:?}");
        assert!(failed, "still short of 100, the seq due when it fell behind, after a token timeout");
        assert_eq!(p.counters.receive_failures, 1);
    }

    #[test]
    fn the_stall_clock_starts_on_the_ring_it_measures() {
        // A new ring (the visit memory reset) whose aru, 0, equals the
        // remembered one by chance, long after the processor started: the
        // clock must not run from the start of time.
        let mut p = holder();
        let timeout = p.config.token_timeout;
        p.ring = Ring::new(RingId { rep: 1, seq: 8 }, vec![1, 2, 3], 1024);
        p.visits.reset();
        p.now = 100 * timeout;
        for _ in 0..2 * STALLED_VISITS_BEFORE_TIMEOUT {
            assert!(!p.check_receive_failure(6), "a few fast visits are no receive failure");
        }
        p.now += timeout;
        assert!(p.check_receive_failure(6), "a token timeout later they are");
    }
}
