//! A slow receiver: a processor that cannot keep up with its socket.
//!
//! A slow node handles at most `per_ms` packets per millisecond of virtual time; what
//! arrives while it is busy waits in a bounded queue (the socket receive buffer) and what
//! arrives when that queue is full is dropped, as a kernel drops datagrams on a full
//! buffer. The protocol must survive this with retransmissions and flow control.

use std::collections::VecDeque;

use evs::totem::{Time, MS};

/// What to do with a packet that just arrived at a slow node.
#[derive(Debug, PartialEq, Eq)]
pub enum Arrival<P> {
    /// The receiver is idle: hand the packet to the processor now.
    Process(P),
    /// Queued; if `wake_at` is set, the caller must schedule a service call then
    /// (the queue was empty, so no service call is pending yet).
    Queued { wake_at: Option<Time> },
    /// The queue is full: the packet is lost.
    Dropped,
}

#[derive(Debug)]
pub struct RecvQueue<P> {
    pub per_ms: u32,
    pub capacity: usize,
    queue: VecDeque<P>,
    /// The receiver is busy with earlier packets until then.
    busy_until: Time,
    pub dropped: u64,
    pub max_len: usize,
}

impl<P> RecvQueue<P> {
    pub fn new(per_ms: u32, capacity: usize) -> RecvQueue<P> {
        assert!(per_ms > 0, "a slow receiver must handle at least one packet per ms");
        RecvQueue { per_ms, capacity, queue: VecDeque::new(), busy_until: 0, dropped: 0, max_len: 0 }
    }

    /// Time to handle one packet (at least 1 us so the clock always moves).
    pub fn service_time(&self) -> Time {
        (MS / self.per_ms as Time).max(1)
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    pub fn arrive(&mut self, now: Time, packet: P) -> Arrival<P> {
        if self.queue.is_empty() && now >= self.busy_until {
            self.busy_until = now + self.service_time();
            return Arrival::Process(packet);
        }
        if self.queue.len() >= self.capacity {
            self.dropped += 1;
            return Arrival::Dropped;
        }
        let was_empty = self.queue.is_empty();
        self.queue.push_back(packet);
        self.max_len = self.max_len.max(self.queue.len());
        Arrival::Queued { wake_at: if was_empty { Some(self.busy_until.max(now)) } else { None } }
    }

    /// The service call scheduled by `arrive` (or by the previous service call) is due:
    /// the next packet to handle, and when to call again if more are waiting.
    pub fn service(&mut self, now: Time) -> (Option<P>, Option<Time>) {
        if now < self.busy_until {
            // Early (should not happen with the wake times given out): come back later.
            return (None, (!self.queue.is_empty()).then_some(self.busy_until));
        }
        let p = self.queue.pop_front();
        if p.is_some() {
            self.busy_until = now + self.service_time();
        }
        (p, (!self.queue.is_empty()).then_some(self.busy_until))
    }

    /// Everything still waiting, in arrival order (when the node stops being slow).
    pub fn drain(&mut self) -> Vec<P> {
        self.queue.drain(..).collect()
    }
}
