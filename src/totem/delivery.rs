//! Frames to the application: unordered on first receipt, the others in
//! sequence order with no gap, safe ones only once every member holds them.

use super::event::{Delivery, Event};
use super::packet::{DataFrame, FrameBody};
use super::processor::{Processor, State};
use super::timers::TimerKind;
use super::types::Guarantee;

impl Processor {
    pub(crate) fn on_data(&mut self, frame: DataFrame) {
        let seq = frame.seq;
        match self.state {
            State::Operational | State::Gather if frame.ring_id == self.ring.id => {
                if !self.ring.insert(frame) {
                    return;
                }
                if self.state == State::Operational {
                    self.note_ring_progress(seq);
                    self.deliver_unordered_once(seq);
                    self.deliver_ready();
                }
            }
            State::Operational => {
                if self.is_foreign_ring(frame.ring_id) {
                    self.enter_gather();
                }
            }
            State::Recovery => {
                let old_ring_id = self.ring.id;
                let virgin = self.virgin;
                let Some(recovery) = self.recovery.as_mut() else { return };
                if frame.ring_id != recovery.new_ring.id {
                    return;
                }
                if let FrameBody::Recovered(old) = &frame.body {
                    if !virgin && old.ring_id == old_ring_id {
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

    /// A frame above the token we forwarded proves the successor has it.
    fn note_ring_progress(&mut self, seq: u64) {
        if self.forwarded.as_ref().is_some_and(|f| seq > f.seq) {
            self.forwarded = None;
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

    /// Hand an ordered application frame to the application (no-op for
    /// unordered and recovery frames).
    pub(crate) fn deliver_frame(&mut self, seq: u64) {
        let Some(slot) = self.ring.frames.get(seq) else { return };
        let frame = &slot.frame;
        if let FrameBody::App(payload) = &frame.body {
            if frame.guarantee.is_ordered() {
                self.events.push_back(Event::Deliver(Delivery {
                    sender: frame.sender,
                    guarantee: frame.guarantee,
                    ring_id: frame.ring_id,
                    seq,
                    payload: payload.clone(),
                }));
            }
        }
    }

    /// Hand an unordered frame to the application, once.
    pub(crate) fn deliver_unordered_once(&mut self, seq: u64) {
        let Some(slot) = self.ring.frames.get_mut(seq) else { return };
        if slot.frame.guarantee != Guarantee::Unordered || slot.delivered_unordered {
            return;
        }
        let FrameBody::App(payload) = &slot.frame.body else { return };
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
