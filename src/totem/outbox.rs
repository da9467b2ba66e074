//! The application's messages on their way to the ring: queued whole, cut
//! into frames as the token allows (fragments when a message is longer than
//! one frame's payload), and restarted whole when a ring change cuts one short.

use std::collections::VecDeque;

use super::packet::Frag;
use super::packing;
use super::shared::SharedBytes;
use super::types::{Guarantee, Time};

/// An application message, cut into frames as it goes.
struct Outgoing {
    guarantee: Guarantee,
    payload: SharedBytes,
    /// Bytes already originated as fragments on the current ring.
    offset: usize,
    /// When the application submitted it.
    queued_at: Time,
}

/// One frame's worth of a message, ready to be given a seq.
pub(crate) struct Piece {
    pub guarantee: Guarantee,
    pub frag: Frag,
    pub bytes: SharedBytes,
}

#[derive(Default)]
pub(crate) struct Outbox {
    queue: VecDeque<Outgoing>,
    /// Frames the queue still has to originate.
    frames: usize,
    /// Highest seq we originated on the current ring (0: none).
    last_seq: u64,
}

impl Outbox {
    /// Frames still to originate.
    pub fn frames(&self) -> usize {
        self.frames
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// The highest seq we originated on the current ring.
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// Queue a message, submitted at `now`, that will take `frames` frames.
    pub fn push(&mut self, guarantee: Guarantee, payload: impl Into<SharedBytes>, frames: usize, now: Time) {
        self.frames += frames;
        self.queue.push_back(Outgoing { guarantee, payload: payload.into(), offset: 0, queued_at: now });
    }

    /// When the oldest message still queued was submitted.
    pub fn oldest(&self) -> Option<Time> {
        self.queue.front().map(|m| m.queued_at)
    }

    /// The next frame's worth (at most `room` bytes): small whole messages
    /// of one guarantee packed together (`packing.rs`), else the head message
    /// or its next fragment.
    pub fn next_piece(&mut self, room: usize) -> Option<Piece> {
        if let Some(piece) = self.packed_piece(room) {
            return Some(piece);
        }
        let head = self.queue.front_mut()?;
        let start = head.offset;
        let end = (start + room).min(head.payload.len());
        let last = end == head.payload.len();
        let frag = match (start == 0, last) {
            (true, true) => Frag::Whole,
            (true, false) => Frag::First,
            (false, false) => Frag::Middle,
            (false, true) => Frag::Last,
        };
        let guarantee = head.guarantee;
        // A whole message moves into its frame, a fragment is a view of it:
        // no copy either way.
        let bytes = if frag == Frag::Whole { None } else { Some(head.payload.slice(start..end)) };
        head.offset = end;
        let bytes = match (last, bytes) {
            (true, None) => self.queue.pop_front().expect("the head").payload,
            (true, Some(b)) => {
                self.queue.pop_front();
                b
            }
            (false, b) => b.expect("a fragment is not whole"),
        };
        self.frames = self.frames.saturating_sub(1);
        Some(Piece { guarantee, frag, bytes })
    }

    /// At least two whole messages from the head of the queue that fit in
    /// `room` together, packed; None if the head and the one after it do not.
    /// Unordered messages are not packed: each goes to the application on
    /// receipt, which a packed frame's ordered delivery would delay.
    fn packed_piece(&mut self, room: usize) -> Option<Piece> {
        let fits = |m: &Outgoing, guarantee: Guarantee| {
            m.offset == 0 && m.guarantee == guarantee && m.guarantee != Guarantee::Unordered
        };
        let head = self.queue.front()?;
        let guarantee = head.guarantee;
        let mut count = 0;
        let mut size = 0;
        for m in self.queue.iter() {
            let entry = packing::ENTRY_OVERHEAD + m.payload.len();
            if !fits(m, guarantee) || size + entry > room {
                break;
            }
            count += 1;
            size += entry;
        }
        if count < 2 {
            return None;
        }
        let mut bytes = Vec::with_capacity(size);
        for m in self.queue.drain(..count) {
            packing::push(&mut bytes, &m.payload);
        }
        self.frames = self.frames.saturating_sub(count);
        Some(Piece { guarantee, frag: Frag::Packed, bytes: SharedBytes::from_vec(bytes) })
    }

    /// The piece just taken went out with this seq.
    pub fn originated(&mut self, seq: u64) {
        self.last_seq = seq;
    }

    /// A new ring is installed: a message cut short by the change is sent
    /// again whole (its old fragments are dropped everywhere with the old
    /// ring). True when that happened.
    pub fn new_ring(&mut self, room: usize) -> bool {
        self.last_seq = 0;
        let Some(head) = self.queue.front_mut() else { return false };
        if head.offset == 0 {
            return false;
        }
        self.frames += head.offset.div_ceil(room);
        head.offset = 0;
        true
    }

    /// Drop everything (the processor left).
    pub fn clear(&mut self) {
        self.queue.clear();
        self.frames = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_in_order_and_restart_whole() {
        let mut o = Outbox::default();
        o.push(Guarantee::Safe, (0..25u8).collect::<Vec<u8>>(), 3, 0);
        o.push(Guarantee::Agreed, vec![9], 1, 0);
        let a = o.next_piece(10).unwrap();
        assert_eq!((a.frag, a.bytes.len()), (Frag::First, 10));
        o.originated(7);
        assert_eq!(o.frames(), 3);
        assert!(o.new_ring(10), "cut short: restarted");
        assert_eq!((o.frames(), o.last_seq()), (4, 0));
        let frags: Vec<Frag> = (0..3).map(|_| o.next_piece(10).unwrap().frag).collect();
        assert_eq!(frags, [Frag::First, Frag::Middle, Frag::Last]);
        let w = o.next_piece(10).unwrap();
        assert_eq!((w.frag, w.bytes, w.guarantee), (Frag::Whole, vec![9].into(), Guarantee::Agreed));
        assert!(o.is_empty() && o.frames() == 0 && o.next_piece(10).is_none());
        assert!(!o.new_ring(10));
    }

    #[test]
    fn small_messages_of_one_guarantee_share_a_frame() {
        let mut o = Outbox::default();
        for m in [&b"ab"[..], b"cde", b"f"] {
            o.push(Guarantee::Agreed, m.to_vec(), 1, 0);
        }
        o.push(Guarantee::Safe, b"g".to_vec(), 1, 0);
        o.push(Guarantee::Safe, b"h".to_vec(), 1, 0);
        o.push(Guarantee::Unordered, b"i".to_vec(), 1, 0);
        o.push(Guarantee::Unordered, b"j".to_vec(), 1, 0);
        // 4+2 and 4+3 fit in 14, the third (4+1) does not.
        let p = o.next_piece(14).unwrap();
        assert_eq!((p.frag, p.guarantee), (Frag::Packed, Guarantee::Agreed));
        assert_eq!(packing::unpack(&p.bytes), Some(vec![&b"ab"[..], b"cde"]));
        assert_eq!(o.frames(), 5);
        // "f" is followed by a safe message: alone, whole.
        assert_eq!(o.next_piece(14).unwrap().frag, Frag::Whole);
        let p = o.next_piece(14).unwrap();
        assert_eq!((p.frag, p.guarantee), (Frag::Packed, Guarantee::Safe));
        // Unordered messages go one by one.
        assert_eq!(o.next_piece(14).unwrap().frag, Frag::Whole);
        assert_eq!(o.next_piece(14).unwrap().frag, Frag::Whole);
        assert!(o.is_empty() && o.frames() == 0);
    }
}
