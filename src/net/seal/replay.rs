//! Rejecting replayed datagrams.
//!
//! Every sealed datagram carries its sender's incarnation (the process's start
//! time in microseconds) and a counter that grows by one per datagram. Both
//! are under the MAC, so only a key holder can choose them. Per sender we keep
//! the latest incarnation and a window of the counters seen below the highest:
//! - a counter seen before is a replay;
//! - one more than `WINDOW` below the highest is too old to tell: refused
//!   (a datagram that late is useless to the protocol anyway);
//! - an earlier incarnation is a replay from a previous run of that process;
//! - a later one is a restart: the window starts afresh.
//!
//! The window is wide because one sender's datagrams legitimately arrive out
//! of counter order: a token by unicast overtakes the multicast frames queued
//! before it, and two threads of the sender number datagrams concurrently.

use std::collections::HashMap;

/// Counters remembered below the highest, per sender.
pub(crate) const WINDOW: u64 = 4096;
const WORDS: usize = (WINDOW / 64) as usize;
/// Senders remembered. Only key holders get this far, so the bound is against
/// mistakes rather than attacks; past it the longest silent one is forgotten.
pub(crate) const MAX_SENDERS: usize = 1024;

/// Why a sealed datagram was refused after its MAC was good.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stale {
    /// From an earlier run of its sender.
    OldIncarnation,
    /// Its counter is further below the highest seen than the window reaches.
    TooOld,
    /// Seen before.
    Duplicate,
}

#[derive(Default)]
pub(crate) struct ReplayGuard {
    senders: HashMap<u32, Window>,
    /// Counts accepted datagrams: each sender's `last_used` is a tick of it.
    ticks: u64,
}

struct Window {
    incarnation: u64,
    highest: u64,
    /// Bit `c % WINDOW` is set when counter c (within the window) was seen.
    seen: [u64; WORDS],
    last_used: u64,
}

impl Window {
    fn fresh(incarnation: u64, counter: u64) -> Window {
        let mut w = Window { incarnation, highest: counter, seen: [0; WORDS], last_used: 0 };
        w.mark(counter);
        w
    }

    fn slot(counter: u64) -> (usize, u64) {
        let bit = counter % WINDOW;
        ((bit / 64) as usize, 1u64 << (bit % 64))
    }

    fn mark(&mut self, counter: u64) {
        let (w, b) = Window::slot(counter);
        self.seen[w] |= b;
    }

    fn check(&mut self, incarnation: u64, counter: u64) -> Result<(), Stale> {
        if incarnation < self.incarnation {
            return Err(Stale::OldIncarnation);
        }
        if incarnation > self.incarnation {
            *self = Window { last_used: self.last_used, ..Window::fresh(incarnation, counter) };
            return Ok(());
        }
        if counter > self.highest {
            // The slots between the old highest and the new one now stand for
            // counters not seen yet: clear them (all of them after a jump).
            let advance = counter - self.highest;
            if advance >= WINDOW {
                self.seen = [0; WORDS];
            } else {
                for c in self.highest + 1..=counter {
                    let (w, b) = Window::slot(c);
                    self.seen[w] &= !b;
                }
            }
            self.highest = counter;
            self.mark(counter);
            return Ok(());
        }
        if self.highest - counter >= WINDOW {
            return Err(Stale::TooOld);
        }
        let (w, b) = Window::slot(counter);
        if self.seen[w] & b != 0 {
            return Err(Stale::Duplicate);
        }
        self.seen[w] |= b;
        Ok(())
    }
}

impl ReplayGuard {
    /// Accepts (and remembers) `counter` of `sender`'s `incarnation` unless it
    /// is a replay. Only for datagrams whose MAC was good.
    pub fn check(&mut self, sender: u32, incarnation: u64, counter: u64) -> Result<(), Stale> {
        self.ticks += 1;
        let tick = self.ticks;
        if let Some(w) = self.senders.get_mut(&sender) {
            w.check(incarnation, counter)?;
            w.last_used = tick;
            return Ok(());
        }
        if self.senders.len() >= MAX_SENDERS {
            if let Some(&quiet) = self.senders.iter().min_by_key(|(_, w)| w.last_used).map(|(id, _)| id) {
                self.senders.remove(&quiet);
            }
        }
        let mut w = Window::fresh(incarnation, counter);
        w.last_used = tick;
        self.senders.insert(sender, w);
        Ok(())
    }

    #[cfg(test)]
    pub fn senders(&self) -> usize {
        self.senders.len()
    }
}
