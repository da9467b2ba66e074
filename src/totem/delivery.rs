//! Frames to the application: unordered on first receipt, the others in
//! sequence order with no gap, safe ones only once every member holds them.

use super::event::{Delivery, Event};
use super::packet::{DataFrame, Frag, FrameBody};
use super::packing;
use super::processor::{Processor, State};
use super::timers::TimerKind;
use super::types::Guarantee;

impl Processor {
    /// A data frame, `resent` on a retransmission request or not.
    pub(crate) fn on_data(&mut self, frame: DataFrame, resent: bool) {
        let seq = frame.seq;
        match self.state {
            State::Operational | State::Gather if frame.ring_id == self.ring.id => {
                // Only members originate on a ring: a frame naming anyone
                // else is forged, and would open a reassembly per sender
                // it names (`assembly.rs`), without bound.
                let sender = frame.sender;
                if !self.ring.is_member(sender) || !self.ring.insert(frame) {
                    return;
                }
                if self.state == State::Operational {
                    self.crawl.observe(self.now, self.ring.delivered, self.ring.high_seq);
                    let poor =
                        sender != self.me && self.hearing.frame_arrived(self.ring.id, seq, sender, !resent, self.now);
                    if poor && self.crawling() || resent && self.hearing_fails_across_a_cut(sender) {
                        // A ring crawling over a link that loses most of a
                        // member's frames never fails by itself
                        // (`frame_loss.rs`): gather, and our join names the link.
                        self.counters.poor_link_gathers += 1;
                        self.enter_gather();
                        return;
                    }
                    self.note_ring_progress(seq);
                    self.deliver_unordered_once(seq);
                    self.deliver_ready();
                }
            }
            State::Recovery => {
                let old_ring_id = self.ring.id;
                let virgin = self.virgin;
                let Some(recovery) = self.recovery.as_mut() else { return };
                if frame.ring_id != recovery.new_ring.id || !recovery.new_ring.is_member(frame.sender) {
                    return;
                }
                if let FrameBody::Recovered(old) = &frame.body {
                    if !virgin && old.ring_id == old_ring_id && self.ring.is_member(old.sender) {
                        self.ring.insert((**old).clone());
                    }
                }
                if recovery.new_ring.insert(frame) {
                    self.note_ring_progress(seq);
                }
            }
            _ => {}
        }
    }

    /// Whether the ring is failing our application by more than a token
    /// timeout (`crawl.rs`): cutting a poor link out of a ring that works
    /// would only trade it for two rings that keep trying to merge.
    fn crawling(&self) -> bool {
        self.crawl.crawling(self.now, self.config.token_timeout, self.outbox.oldest())
    }

    /// Whether our ring was cut along a link we hear poorly and we also miss
    /// many of `sender`'s frames (more than a quarter): our hearing is what
    /// fails, and the cut should have taken us out rather than the link's
    /// other end, which a tie-break chose while our loss from `sender` was
    /// not yet measured (asym seed 9182: 1 hears nothing of 3 and 2 at 38%
    /// loss; {1,2} formed and 3 stayed alone for 14 s, while {2,3} is clean
    /// both ways). We gather, our join names the lossy link
    /// (`note_own_links`), and the cut takes us out.
    fn hearing_fails_across_a_cut(&self, sender: super::types::NodeId) -> bool {
        sender != self.me && self.cut_links.hears_across(self.me) && self.hearing.hears_lossily(sender, self.now, true)
    }

    /// A frame above the token we forwarded proves the successor has it.
    fn note_ring_progress(&mut self, seq: u64) {
        if self.forwarder.progress(seq) {
            self.timers.cancel(TimerKind::TokenRetransmit);
        }
    }

    /// Deliver every ordered frame whose turn has come.
    pub(crate) fn deliver_ready(&mut self) {
        if self.state != State::Operational {
            return;
        }
        while self.ring.delivered < self.ring.my_aru {
            let seq = self.ring.delivered + 1;
            let Some(slot) = self.ring.frames.get(seq) else { break };
            let safe = slot.frame.guarantee == Guarantee::Safe && matches!(slot.frame.body, FrameBody::App(_));
            if safe && seq > self.ring.stable {
                break;
            }
            self.deliver_in_order(seq);
        }
    }

    /// `seq` is the next in order: deliver it and move the delivered mark.
    pub(crate) fn deliver_in_order(&mut self, seq: u64) {
        debug_assert_eq!(seq, self.ring.delivered + 1);
        self.deliver_unordered_once(seq);
        self.deliver_frame(seq);
        self.ring.delivered = seq;
    }

    /// Take an application frame in delivery order: a whole message goes to
    /// the application, a fragment to its sender's assembly, which goes to the
    /// application with its last fragment. Single-frame unordered messages
    /// went on receipt; fragmented ones take this ordered path (allowed: it
    /// only delivers them later than it could). Recovery frames carry nothing.
    pub(crate) fn deliver_frame(&mut self, seq: u64) {
        let Some(slot) = self.ring.frames.get(seq) else { return };
        let frame = &slot.frame;
        let FrameBody::App(payload) = &frame.body else { return };
        if frame.guarantee == Guarantee::Unordered && frame.frag == Frag::Whole {
            return;
        }
        let (sender, guarantee, ring_id) = (frame.sender, frame.guarantee, frame.ring_id);
        if frame.frag == Frag::Packed {
            // Each message in turn, all in the frame's place in the order,
            // each a view of the frame's bytes.
            let max = self.config.max_message;
            for message in packing::unpack(payload).unwrap_or_default().into_iter().filter(|m| m.len() <= max) {
                let payload = payload.slice_ref(message);
                self.events.push_back(Event::Deliver(Delivery { sender, guarantee, ring_id, seq, payload }));
            }
            return;
        }
        if let Some(payload) = self.assembly.take(sender, frame.frag, payload, self.config.max_message) {
            self.events.push_back(Event::Deliver(Delivery { sender, guarantee, ring_id, seq, payload }));
        }
    }

    /// Hand a single-frame unordered message to the application, once.
    pub(crate) fn deliver_unordered_once(&mut self, seq: u64) {
        let Some(slot) = self.ring.frames.get_mut(seq) else { return };
        if slot.frame.guarantee != Guarantee::Unordered || slot.frame.frag != Frag::Whole || slot.delivered_unordered {
            return;
        }
        let FrameBody::App(payload) = &slot.frame.body else { return };
        // Only a forged frame carries more than `submit` accepts (see `Assembly::take`).
        if payload.len() > self.config.max_message {
            return;
        }
        slot.delivered_unordered = true;
        let delivery = Delivery {
            sender: slot.frame.sender,
            guarantee: Guarantee::Unordered,
            ring_id: slot.frame.ring_id,
            seq,
            payload: payload.clone(),
        };
        self.events.push_back(Event::Deliver(delivery));
    }
}
