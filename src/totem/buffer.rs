//! The frames of one ring, indexed by sequence number.
//!
//! Sequence numbers on a ring are dense (1, 2, 3, ...), so a deque indexed by
//! `seq - base` beats a map. Frames below `base` have been freed: every member
//! held them and this processor delivered them.

use std::collections::VecDeque;

use super::packet::DataFrame;

pub(crate) struct Slot {
    pub frame: DataFrame,
    /// An unordered frame goes to the application once, at first chance;
    /// this remembers that it went.
    pub delivered_unordered: bool,
}

pub(crate) struct SeqBuffer {
    /// Sequence number of `slots[0]`.
    base: u64,
    slots: VecDeque<Option<Slot>>,
    /// How far beyond `base` a frame may be stored; bounds memory against
    /// frames with absurd sequence numbers.
    span_limit: u64,
}

impl SeqBuffer {
    /// An empty buffer whose first expected seq is 1.
    pub fn new(span_limit: u64) -> SeqBuffer {
        SeqBuffer { base: 1, slots: VecDeque::new(), span_limit }
    }

    /// Store a frame; false when it was already held, already freed, or out of span.
    pub fn insert(&mut self, frame: DataFrame) -> bool {
        let seq = frame.seq;
        if seq < self.base || seq - self.base >= self.span_limit {
            return false;
        }
        let index = (seq - self.base) as usize;
        while self.slots.len() <= index {
            self.slots.push_back(None);
        }
        if self.slots[index].is_some() {
            return false;
        }
        self.slots[index] = Some(Slot { frame, delivered_unordered: false });
        true
    }

    pub fn get(&self, seq: u64) -> Option<&Slot> {
        if seq < self.base {
            return None;
        }
        self.slots.get((seq - self.base) as usize).and_then(|s| s.as_ref())
    }

    pub fn get_mut(&mut self, seq: u64) -> Option<&mut Slot> {
        if seq < self.base {
            return None;
        }
        self.slots.get_mut((seq - self.base) as usize).and_then(|s| s.as_mut())
    }

    /// The lowest seq still held or expected: everything below was freed.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// Slots in use (held frames and the gaps between them) and the bytes
    /// the held frames' payloads take: what the buffer costs in memory.
    pub fn footprint(&self) -> (usize, usize) {
        let bytes = self.slots.iter().flatten().map(|s| super::wire::data_len(&s.frame)).sum();
        (self.slots.len(), bytes)
    }

    /// Whether `insert` would have room for `seq`.
    pub fn accepts(&self, seq: u64) -> bool {
        seq >= self.base && seq - self.base < self.span_limit
    }

    pub fn contains(&self, seq: u64) -> bool {
        self.get(seq).is_some()
    }

    /// Whether `seq` was freed (it was held by everyone and delivered here).
    pub fn is_freed(&self, seq: u64) -> bool {
        seq < self.base
    }

    /// Drop every frame up to and including `seq`.
    pub fn free_through(&mut self, seq: u64) {
        while self.base <= seq {
            if self.slots.pop_front().is_none() {
                // Nothing stored beyond: just move the base.
                self.base = seq + 1;
                return;
            }
            self.base += 1;
        }
    }

    /// Highest seq stored, if any.
    pub fn highest(&self) -> Option<u64> {
        let mut i = self.slots.len();
        while i > 0 {
            i -= 1;
            if self.slots[i].is_some() {
                return Some(self.base + i as u64);
            }
        }
        None
    }

    /// The frames held with seq in `from..=to`, in order.
    pub fn range(&self, from: u64, to: u64) -> impl Iterator<Item = &Slot> + '_ {
        let start = from.max(self.base);
        (start..=to).filter_map(move |seq| self.get(seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::totem::packet::FrameBody;
    use crate::totem::{Guarantee, RingId};

    fn frame(seq: u64) -> DataFrame {
        DataFrame {
            ring_id: RingId { rep: 1, seq: 4 },
            seq,
            sender: 1,
            guarantee: Guarantee::Agreed,
            frag: crate::totem::packet::Frag::Whole,
            body: FrameBody::App(vec![seq as u8].into()),
        }
    }

    #[test]
    fn insert_get_free() {
        let mut b = SeqBuffer::new(100);
        assert!(b.insert(frame(3)));
        assert!(!b.insert(frame(3)), "duplicate refused");
        assert!(b.insert(frame(1)));
        assert!(!b.contains(2));
        assert_eq!(b.highest(), Some(3));
        assert_eq!(b.range(1, 3).count(), 2);
        b.free_through(1);
        assert!(b.is_freed(1) && !b.contains(1));
        assert!(!b.insert(frame(1)), "freed seqs are not stored again");
        assert!(b.contains(3));
        b.free_through(10);
        assert_eq!(b.highest(), None);
        assert!(b.insert(frame(11)));
    }

    #[test]
    fn span_limit_bounds_memory() {
        let mut b = SeqBuffer::new(100);
        assert!(!b.insert(frame(101)));
        assert!(b.insert(frame(100)));
        assert!(!b.insert(frame(u64::MAX)));
    }
}
