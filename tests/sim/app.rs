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

/// The largest payload a workload draws: 64 KiB.
pub const MAX_PAYLOAD: usize = 64 * 1024;

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

/// The identities of tiny payloads (1-15 bytes cannot carry a 16-byte MsgId):
/// run-wide, each tiny payload is a distinct number in its own length, and this
/// table maps it back. Shared by the whole cluster since any processor decodes
/// any sender's payload.
#[derive(Debug, Default)]
pub struct TinyIds {
    ids: BTreeMap<Vec<u8>, MsgId>,
    /// Numbers used so far, per length.
    next: [u64; MSGID_LEN],
}

impl TinyIds {
    /// A fresh tiny payload of `len` (1-15) bytes for `id`, or None when every
    /// number of that length is taken (256 of length 1...).
    pub fn make(&mut self, id: MsgId, len: usize) -> Option<Vec<u8>> {
        let k = self.next[len];
        if len < 8 && k >= 1u64 << (8 * len) {
            return None;
        }
        self.next[len] += 1;
        let bytes = k.to_be_bytes();
        let v: Vec<u8> = if len <= 8 { bytes[8 - len..].to_vec() } else { [vec![0; len - 8], bytes.to_vec()].concat() };
        self.ids.insert(v.clone(), id);
        Some(v)
    }

    /// The MsgId of a payload: from the table when it is tiny, else from its head.
    pub fn decode(&self, bytes: &[u8]) -> Option<MsgId> {
        if bytes.len() < MSGID_LEN {
            return self.ids.get(bytes).copied();
        }
        decode_payload(bytes)
    }
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
    /// Random padding after the MsgId: 0..=max_padding bytes (log-uniform above
    /// 1000 so that a 64 KiB maximum still mostly sends a few KiB).
    pub max_padding: usize,
    /// Probability that a message is tiny (1-15 bytes, too short for a MsgId: the
    /// cluster's `TinyIds` table names it).
    pub tiny: f64,
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
            tiny: 0.0,
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
    pub fn next_message(&mut self, rng: &mut Rng, w: &Workload, tiny: &mut TinyIds) -> Pending {
        if let Some(p) = self.pending.take() {
            return p;
        }
        let id = MsgId { node: self.node, incarnation: self.incarnation, counter: self.next_counter };
        let guarantee = GUARANTEES[rng.weighted(&w.mix)];
        if rng.bernoulli(w.tiny) {
            let len = if rng.bernoulli(0.3) { 1 } else { rng.between(1, MSGID_LEN as u64 - 1) as usize };
            if let Some(payload) = tiny.make(id, len) {
                return Pending { id, guarantee, payload };
            }
        }
        let padding = if w.max_padding > 1_000 && rng.bernoulli(0.8) {
            rng.uniform(0.0, (w.max_padding as f64).ln()).exp() as usize
        } else {
            rng.between(0, w.max_padding as u64) as usize
        };
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
