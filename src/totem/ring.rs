//! One ring as this processor sees it: who is on it and which of its frames
//! this processor holds, has delivered, and knows every member holds.

use super::buffer::SeqBuffer;
use super::packet::DataFrame;
use super::types::{NodeId, RingId};

pub(crate) struct Ring {
    pub id: RingId,
    /// Sorted ascending; the ring's order. `members[0]` is the representative.
    pub members: Vec<NodeId>,
    pub frames: SeqBuffer,
    /// Every seq up to here is held (or was freed).
    pub my_aru: u64,
    /// Highest seq held.
    pub high_seq: u64,
    /// Who originated the frame at `high_seq` (0: no frame yet): on an idle
    /// ring, the member most likely to send next holds the token (`hold.rs`).
    pub high_sender: NodeId,
    /// Every ordered seq up to here went to the application, in order (or
    /// needs no delivery: unordered and recovery frames).
    pub delivered: u64,
    /// Every member holds every seq up to here.
    pub stable: u64,
}

impl Ring {
    pub fn new(id: RingId, members: Vec<NodeId>, span_limit: u64) -> Ring {
        debug_assert!(members.windows(2).all(|w| w[0] < w[1]));
        Ring {
            id,
            members,
            frames: SeqBuffer::new(span_limit),
            my_aru: 0,
            high_seq: 0,
            high_sender: 0,
            delivered: 0,
            stable: 0,
        }
    }

    pub fn rep(&self) -> NodeId {
        self.members[0]
    }

    /// The member that holds the token once the ring is idle: the last to
    /// send, whose next message then goes out without waiting for the token
    /// (a sender that is not the holder waits for a cancel to reach the holder
    /// and the token to come back: about twice the latency); the
    /// representative when nobody has sent or the last sender left.
    pub fn idle_holder(&self) -> NodeId {
        if self.high_sender != 0 && self.is_member(self.high_sender) {
            self.high_sender
        } else {
            self.rep()
        }
    }

    pub fn is_member(&self, node: NodeId) -> bool {
        self.members.binary_search(&node).is_ok()
    }

    /// The member before `node` in ring order (wrapping); `node` itself on a singleton.
    pub fn predecessor(&self, node: NodeId) -> NodeId {
        let n = self.members.len();
        match self.members.binary_search(&node) {
            Ok(i) | Err(i) => self.members[(i + n - 1) % n],
        }
    }

    /// The member after `node` in ring order (wrapping); `node` itself on a singleton.
    pub fn successor(&self, node: NodeId) -> NodeId {
        match self.members.binary_search(&node) {
            Ok(i) => self.members[(i + 1) % self.members.len()],
            Err(i) => self.members[i % self.members.len()],
        }
    }

    /// Store a frame of this ring; true when it was new.
    pub fn insert(&mut self, frame: DataFrame) -> bool {
        let (seq, sender) = (frame.seq, frame.sender);
        if seq <= self.my_aru && (self.frames.is_freed(seq) || self.frames.contains(seq)) {
            return false;
        }
        if !self.frames.insert(frame) {
            return false;
        }
        if seq > self.high_seq {
            self.high_seq = seq;
            self.high_sender = sender;
        }
        while self.frames.contains(self.my_aru + 1) {
            self.my_aru += 1;
        }
        true
    }

    /// While recovering, the new ring's recovery frames need no delivery (they
    /// were applied to the old ring on receipt): count them delivered so that
    /// they can be freed once stable, like any other frame.
    pub fn skip_recovery_frames(&mut self) {
        while self.delivered < self.my_aru {
            match self.frames.get(self.delivered + 1) {
                Some(slot) if matches!(slot.frame.body, super::packet::FrameBody::Recovered(_)) => self.delivered += 1,
                _ => break,
            }
        }
    }

    /// Release frames nobody can need any more: held by every member and delivered here.
    pub fn free_settled(&mut self) {
        let through = self.stable.min(self.delivered).min(self.my_aru);
        self.frames.free_through(through);
    }
}
