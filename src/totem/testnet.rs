//! A minimal in-crate network for the core's own unit tests: fixed delay,
//! optional loss by a deterministic counter, no reordering. The full
//! simulator with faults and the EVS checker lives under `tests/sim`.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use super::{Config, Destination, Event, NodeId, Processor, Time, MS};

/// A packet in flight: (arrival time, tie-breaking counter, destination, bytes).
type InFlight = Reverse<(Time, u64, NodeId, Vec<u8>)>;

pub(crate) struct TestNet {
    pub procs: BTreeMap<NodeId, Processor>,
    pub events: BTreeMap<NodeId, Vec<Event>>,
    /// When each of `events` was polled (same indices).
    pub event_times: BTreeMap<NodeId, Vec<Time>>,
    queue: BinaryHeap<InFlight>,
    counter: u64,
    pub now: Time,
    pub delay: Time,
    /// Links that drop everything: (from, to).
    pub cut: Vec<(NodeId, NodeId)>,
    /// Links that drop multicast only (unicast, such as the token, passes): (from, to).
    pub mcast_cut: Vec<(NodeId, NodeId)>,
    /// Links that drop unicast only (the token, the commit token): (from, to).
    pub ucast_cut: Vec<(NodeId, NodeId)>,
    /// Probability that any copy is lost, drawn from a fixed-seed generator.
    pub loss: f64,
    /// Probability that a copy on one link is lost, on top of `loss`: (from, to, p).
    pub link_loss: Vec<(NodeId, NodeId, f64)>,
    rng: u64,
    /// When set, every transmit in the order each processor asked for it:
    /// (sender, destination, bytes).
    pub sent_log: Option<Vec<(NodeId, Destination, Vec<u8>)>>,
}

impl TestNet {
    pub fn new(n: u32) -> TestNet {
        let mut net = TestNet {
            procs: BTreeMap::new(),
            events: BTreeMap::new(),
            event_times: BTreeMap::new(),
            queue: BinaryHeap::new(),
            counter: 0,
            now: 0,
            delay: 100,
            cut: Vec::new(),
            mcast_cut: Vec::new(),
            ucast_cut: Vec::new(),
            loss: 0.0,
            link_loss: Vec::new(),
            rng: 0x9e37_79b9_7f4a_7c15,
            sent_log: None,
        };
        for id in 1..=n {
            net.add(id, Config::new(id));
        }
        net
    }

    pub fn add(&mut self, id: NodeId, config: Config) {
        let p = Processor::new(config, self.now, id as u64);
        self.procs.insert(id, p);
        self.events.entry(id).or_default();
        self.event_times.entry(id).or_default();
        self.drain(id);
    }

    /// A packet from outside (a forger): every processor gets it now.
    pub fn inject(&mut self, bytes: &[u8]) {
        let ids: Vec<NodeId> = self.procs.keys().copied().collect();
        for id in ids {
            self.deliver_now(id, bytes);
        }
    }

    /// A packet from outside, to one processor, now.
    pub fn deliver_now(&mut self, id: NodeId, bytes: &[u8]) {
        let now = self.now;
        if let Some(p) = self.procs.get_mut(&id) {
            p.handle_packet(now, bytes);
            self.drain(id);
        }
    }

    pub fn crash(&mut self, id: NodeId) {
        self.procs.remove(&id);
    }

    fn drain(&mut self, id: NodeId) {
        let Some(p) = self.procs.get_mut(&id) else { return };
        let mut out = Vec::new();
        while let Some(t) = p.poll_transmit() {
            out.push(t);
        }
        while let Some(e) = p.poll_event() {
            self.events.get_mut(&id).unwrap().push(e);
            self.event_times.get_mut(&id).unwrap().push(self.now);
        }
        let targets: Vec<NodeId> = self.procs.keys().copied().collect();
        for t in out {
            if let Some(log) = self.sent_log.as_mut() {
                log.push((id, t.dest, t.bytes.clone()));
            }
            let dests: Vec<NodeId> = match t.dest {
                Destination::All => targets.clone(),
                Destination::Node(n) => vec![n],
            };
            let multicast = t.dest == Destination::All;
            for d in dests {
                let cut_here = if multicast { &self.mcast_cut } else { &self.ucast_cut };
                let on_link = self.link_loss.iter().find(|l| (l.0, l.1) == (id, d)).map_or(0.0, |l| l.2);
                if self.cut.contains(&(id, d))
                    || cut_here.contains(&(id, d))
                    || self.lose(self.loss)
                    || self.lose(on_link)
                {
                    continue;
                }
                self.counter += 1;
                self.queue.push(Reverse((self.now + self.delay, self.counter, d, t.bytes.clone())));
            }
        }
    }

    /// A loss draw (xorshift: deterministic, no dependency).
    fn lose(&mut self, p: f64) -> bool {
        if p <= 0.0 {
            return false;
        }
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// Run until `until`, delivering packets and firing timers in time order.
    pub fn run_until(&mut self, until: Time) {
        loop {
            let next_packet = self.queue.peek().map(|Reverse((t, ..))| *t);
            let next_timer = self.procs.iter().filter_map(|(id, p)| p.poll_timeout().map(|t| (t, *id))).min();
            let next = match (next_packet, next_timer) {
                (None, None) => break,
                (Some(a), None) => a,
                (None, Some((b, _))) => b,
                (Some(a), Some((b, _))) => a.min(b),
            };
            if next > until {
                break;
            }
            self.now = next.max(self.now);
            if next_packet == Some(next) {
                let Reverse((_, _, to, bytes)) = self.queue.pop().unwrap();
                if let Some(p) = self.procs.get_mut(&to) {
                    p.handle_packet(self.now, &bytes);
                    self.drain(to);
                }
            } else if let Some((_, id)) = next_timer {
                self.procs.get_mut(&id).unwrap().handle_timeout(self.now);
                self.drain(id);
            }
        }
        self.now = self.now.max(until);
    }

    /// Run until `cond` holds (checked after every packet and timer) or `max` passes;
    /// whether it held.
    pub fn run_until_cond(&mut self, max: Time, mut cond: impl FnMut(&TestNet) -> bool) -> bool {
        let until = self.now + max;
        while self.now < until {
            if cond(self) {
                return true;
            }
            let step = self.now + 10;
            self.run_until(step.min(until));
        }
        cond(self)
    }

    /// Regular configurations `id` installed, as member lists.
    pub fn regular_configs(&self, id: NodeId) -> Vec<Vec<NodeId>> {
        self.configs(id, super::ConfigKind::Regular)
    }

    /// Configuration changes of one kind that `id` saw, as member lists.
    pub fn configs(&self, id: NodeId, kind: super::ConfigKind) -> Vec<Vec<NodeId>> {
        self.events[&id]
            .iter()
            .filter_map(|e| match e {
                Event::ConfigChange(c) if c.kind == kind => Some(c.members.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn run_for(&mut self, d: Time) {
        let until = self.now + d;
        self.run_until(until);
    }

    pub fn submit(&mut self, id: NodeId, g: super::Guarantee, payload: Vec<u8>) {
        let now = self.now;
        self.procs.get_mut(&id).unwrap().submit(now, g, payload).unwrap();
        self.drain(id);
    }

    pub fn leave(&mut self, id: NodeId) {
        let now = self.now;
        self.procs.get_mut(&id).unwrap().leave(now);
        self.drain(id);
    }

    /// Payloads delivered to `id`, in order.
    pub fn delivered(&self, id: NodeId) -> Vec<Vec<u8>> {
        self.events[&id]
            .iter()
            .filter_map(|e| match e {
                Event::Deliver(d) => Some(d.payload.to_vec()),
                _ => None,
            })
            .collect()
    }

    /// Every event of `id` with the time it was polled.
    pub fn delivered_at(&self, id: NodeId) -> Vec<(Time, &Event)> {
        self.event_times[&id].iter().copied().zip(self.events[&id].iter()).collect()
    }

    pub fn ms(n: u64) -> Time {
        n * MS
    }
}
