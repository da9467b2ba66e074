//! Recognising our own multicast data frames when they loop back.
//!
//! A multicast reaches its sender too, and a data frame coming back is
//! dropped by the core unread: it holds every frame it sent. Opening it first
//! (a MAC over the whole datagram, then decryption) was a quarter of a ring's
//! crypto work with one sender. So the sealer remembers the tag of each data
//! frame it multicasts, by counter, and a datagram that names our node,
//! incarnation and such a counter, with exactly that tag, is dropped without
//! being opened. Its body is not looked at, and need not be: such a datagram
//! is only ever dropped, never believed. The genuine echo is a frame the core
//! holds; a copy with another body would fail the MAC; a replay of either
//! would be refused by the replay window.

/// Data frames remembered: far more than can be in flight to ourselves.
const SLOTS: usize = 4096;

pub(crate) struct EchoCache {
    /// By `counter % SLOTS`: the counter and the tag.
    slots: Vec<(u64, [u8; 32])>,
}

impl EchoCache {
    pub fn new() -> EchoCache {
        // Counter u64::MAX is never used (a sealer would need 2^64 datagrams).
        EchoCache { slots: vec![(u64::MAX, [0; 32]); SLOTS] }
    }

    pub fn remember(&mut self, counter: u64, tag: &[u8]) {
        let slot = &mut self.slots[(counter % SLOTS as u64) as usize];
        slot.0 = counter;
        slot.1[..tag.len()].copy_from_slice(tag);
    }

    /// Whether `tag` is the one remembered for `counter`, compared in constant
    /// time (the tags are on the wire, but a timing oracle is never worth having).
    pub fn is_echo(&self, counter: u64, tag: &[u8]) -> bool {
        let slot = &self.slots[(counter % SLOTS as u64) as usize];
        if slot.0 != counter || tag.len() > 32 {
            return false;
        }
        let diff = slot.1[..tag.len()].iter().zip(tag).fold(0u8, |acc, (a, b)| acc | (a ^ b));
        std::hint::black_box(diff) == 0
    }
}
