//! What we sent, until it comes back to us.
//!
//! A multicast reaches its sender too, and so does a token a ring of one
//! passes to itself. Two things follow from keeping, by counter, the tag of
//! each datagram we seal:
//!
//! - A data frame coming back is dropped by the core unread: it holds every
//!   frame it sent. Opening it first (a MAC over the whole datagram, then
//!   decryption) was a quarter of a ring's crypto work with one sender. A
//!   datagram that names our node, our incarnation and the counter of a data
//!   frame we sent, with exactly its tag, is dropped unopened. Its body is not
//!   looked at, and need not be: it is only ever dropped, never believed.
//! - Our own datagrams are accepted only as what we sent, and once: one of our
//!   incarnation whose counter and tag are not a datagram we sent and have not
//!   had back is a replay (an attacker's copy of our own frame, sent to us
//!   from elsewhere, must not pass for another process with our id).

/// Datagrams remembered: far more than can be on their way back to us.
const SLOTS: usize = 4096;

#[derive(Clone, Copy)]
struct Slot {
    counter: u64,
    tag: [u8; 32],
    frame: bool,
    back: bool,
}

/// What a datagram of our own incarnation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Own {
    /// A data frame we multicast, back for the first time.
    Frame,
    /// Something else we sent, not back yet: to be opened, then `returned`.
    Other,
    /// Not something we sent, or already back.
    Replay,
}

pub(crate) struct SentLog {
    /// By `counter % SLOTS`.
    slots: Vec<Slot>,
}

impl SentLog {
    pub fn new() -> SentLog {
        // Counter u64::MAX is never used (a sealer would need 2^64 datagrams).
        SentLog { slots: vec![Slot { counter: u64::MAX, tag: [0; 32], frame: false, back: true }; SLOTS] }
    }

    pub fn remember(&mut self, counter: u64, tag: &[u8], frame: bool) {
        let slot = &mut self.slots[(counter % SLOTS as u64) as usize];
        *slot = Slot { counter, tag: [0; 32], frame, back: false };
        slot.tag[..tag.len()].copy_from_slice(tag);
    }

    /// What the datagram with `counter` and `tag` is; a frame is marked back.
    pub fn classify(&mut self, counter: u64, tag: &[u8]) -> Own {
        let slot = &mut self.slots[(counter % SLOTS as u64) as usize];
        // The tags are on the wire, but a timing oracle is never worth having.
        let diff = slot.tag[..tag.len().min(32)].iter().zip(tag).fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if slot.counter != counter || tag.len() > 32 || slot.back || std::hint::black_box(diff) != 0 {
            return Own::Replay;
        }
        if slot.frame {
            slot.back = true;
            return Own::Frame;
        }
        Own::Other
    }

    /// `counter` (classified `Other`) was opened: a second copy is a replay.
    pub fn returned(&mut self, counter: u64) {
        let slot = &mut self.slots[(counter % SLOTS as u64) as usize];
        if slot.counter == counter {
            slot.back = true;
        }
    }
}
