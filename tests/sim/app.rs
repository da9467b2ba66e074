//! The application on each processor: what it submits and how it reads deliveries.
//!
//! Every payload starts with the message's identity (node, incarnation, counter,
//! big-endian) so that a delivery can be matched to its submit without trusting the
//! processor's own sender field; random padding after it varies the frame sizes.

use std::collections::BTreeMap;

use evs::check::MsgId;
use evs::totem::{Guarantee, NodeId, Time};

use super::rng::Rng;

/// Bytes of the encoded MsgId at the start of every payload.
pub const MSGID_LEN: usize = 16;

pub fn encode_payload(id: MsgId, padding: usize, rng: &mut Rng) -> Vec<u8> {
    let mut v = Vec::with_capacity(MSGID_LEN + padding);
    v.extend_from_slice(&id.node.to_be_bytes());
    v.extend_from_slice(&id.incarnation.to_be_bytes());
    v.extend_from_slice(&id.counter.to_be_bytes());
    v.extend((0..padding).map(|_| rng.next_u64() as u8));
    v
}

/// The MsgId a payload carries, or None if it is too short to carry one.
pub fn decode_payload(bytes: &[u8]) -> Option<MsgId> {
    if bytes.len() < MSGID_LEN {
        return None;
    }
    Some(MsgId {
        node: u32::from_be_bytes(bytes[0..4].try_into().unwrap()),
        incarnation: u32::from_be_bytes(bytes[4..8].try_into().unwrap()),
        counter: u64::from_be_bytes(bytes[8..16].try_into().unwrap()),
    })
}

pub const GUARANTEES: [Guarantee; 4] = [Guarantee::Unordered, Guarantee::Fifo, Guarantee::Agreed, Guarantee::Safe];

/// What every processor's application does during a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    /// Average messages per second per processor.
    pub rate: f64,
    /// Messages submitted back to back at each submit time (a burst); submit times
    /// are Poisson with mean interval burst / rate.
    pub burst: u32,
    /// Relative weights of Unordered, Fifo, Agreed, Safe.
    pub mix: [u32; 4],
    /// Random padding after the MsgId: 0..=max_padding bytes.
    pub max_padding: usize,
    /// No submissions at or after this time (so that the run can settle).
    pub stop: Time,
    /// After QueueFull, retry after a delay in [retry_min, retry_max].
    pub retry_min: Time,
    pub retry_max: Time,
    /// Messages owed (bursts that could not be submitted yet) are capped here; the
    /// excess is simply never generated.
    pub max_owed: u32,
}

impl Workload {
    pub fn none() -> Workload {
        Workload {
            rate: 0.0,
            burst: 1,
            mix: [1, 1, 1, 1],
            max_padding: 0,
            stop: 0,
            retry_min: 1_000,
            retry_max: 5_000,
            max_owed: 0,
        }
    }

    pub fn is_active(&self) -> bool {
        self.rate > 0.0 && self.burst > 0
    }

    /// Mean interval between bursts, in microseconds.
    fn burst_interval(&self) -> f64 {
        1e6 * self.burst as f64 / self.rate
    }
}

/// One message waiting to be accepted by the processor.
#[derive(Clone, Debug)]
pub struct Pending {
    pub id: MsgId,
    pub guarantee: Guarantee,
    pub payload: Vec<u8>,
}

/// The application state of one processor incarnation.
#[derive(Debug)]
pub struct App {
    pub node: NodeId,
    pub incarnation: u32,
    /// Counter of the next message to be accepted.
    next_counter: u64,
    /// The message refused with QueueFull, tried again (same identity) next time.
    pending: Option<Pending>,
    /// Messages generated but not yet accepted.
    pub owed: u32,
    /// When the next burst is generated.
    next_burst: Time,
    /// Accepted own messages not yet delivered back: counter -> (submit time, guarantee).
    in_flight: BTreeMap<u64, (Time, Guarantee)>,
    /// The processor answered Closed (it is leaving): stop submitting.
    pub closed: bool,
    pub queue_full: u64,
}

impl App {
    pub fn new(node: NodeId, incarnation: u32) -> App {
        App {
            node,
            incarnation,
            next_counter: 0,
            pending: None,
            owed: 0,
            next_burst: 0,
            in_flight: BTreeMap::new(),
            closed: false,
            queue_full: 0,
        }
    }

    /// The first submit time for an application started at `now`, if it submits at all.
    pub fn start(&mut self, rng: &mut Rng, now: Time, w: &Workload) -> Option<Time> {
        if !w.is_active() || now >= w.stop {
            return None;
        }
        self.next_burst = now + rng.exponential(w.burst_interval()) as Time;
        (self.next_burst < w.stop).then_some(self.next_burst)
    }

    /// Called at a submit time: accrue the bursts that are due.
    pub fn accrue(&mut self, rng: &mut Rng, now: Time, w: &Workload) {
        while self.next_burst <= now && self.next_burst < w.stop {
            self.owed = (self.owed + w.burst).min(w.max_owed.max(w.burst));
            self.next_burst += (rng.exponential(w.burst_interval()) as Time).max(1);
        }
    }

    /// The next message to offer the processor (the refused one first).
    pub fn next_message(&mut self, rng: &mut Rng, w: &Workload) -> Pending {
        if let Some(p) = self.pending.take() {
            return p;
        }
        let id = MsgId { node: self.node, incarnation: self.incarnation, counter: self.next_counter };
        let guarantee = GUARANTEES[rng.weighted(&w.mix)];
        let padding = rng.between(0, w.max_padding as u64) as usize;
        Pending { id, guarantee, payload: encode_payload(id, padding, rng) }
    }

    /// The processor accepted the message.
    pub fn accepted(&mut self, now: Time, p: &Pending) {
        debug_assert_eq!(p.id.counter, self.next_counter);
        self.next_counter += 1;
        self.owed = self.owed.saturating_sub(1);
        self.in_flight.insert(p.id.counter, (now, p.guarantee));
    }

    /// The processor answered QueueFull: keep the message for the retry.
    pub fn refused(&mut self, p: Pending) {
        self.queue_full += 1;
        self.pending = Some(p);
    }

    /// When to come back: soon if messages are owed (a retry), else at the next burst.
    pub fn next_wakeup(&self, rng: &mut Rng, now: Time, w: &Workload) -> Option<Time> {
        if self.closed || now >= w.stop {
            return None;
        }
        let burst = (self.next_burst < w.stop).then_some(self.next_burst.max(now + 1));
        if self.owed > 0 || self.pending.is_some() {
            let retry = now + rng.between(w.retry_min, w.retry_max).max(1);
            return Some(burst.map_or(retry, |b| b.min(retry)));
        }
        burst
    }

    /// A message of this incarnation came back: its self-delivery latency.
    pub fn self_delivered(&mut self, now: Time, id: MsgId) -> Option<(Guarantee, Time)> {
        if id.node != self.node || id.incarnation != self.incarnation {
            return None;
        }
        self.in_flight.remove(&id.counter).map(|(at, g)| (g, now.saturating_sub(at)))
    }

    pub fn submitted(&self) -> u64 {
        self.next_counter
    }
}
