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
    queue: BinaryHeap<InFlight>,
    counter: u64,
    pub now: Time,
    pub delay: Time,
    /// Links that drop everything: (from, to).
    pub cut: Vec<(NodeId, NodeId)>,
}

impl TestNet {
    pub fn new(n: u32) -> TestNet {
        let mut net = TestNet {
            procs: BTreeMap::new(),
            events: BTreeMap::new(),
            queue: BinaryHeap::new(),
            counter: 0,
            now: 0,
            delay: 100,
            cut: Vec::new(),
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
        self.drain(id);
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
        }
        let targets: Vec<NodeId> = self.procs.keys().copied().collect();
        for t in out {
            let dests: Vec<NodeId> = match t.dest {
                Destination::All => targets.clone(),
                Destination::Node(n) => vec![n],
            };
            for d in dests {
                if self.cut.contains(&(id, d)) {
                    continue;
                }
                self.counter += 1;
                self.queue.push(Reverse((self.now + self.delay, self.counter, d, t.bytes.clone())));
            }
        }
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
                Event::Deliver(d) => Some(d.payload.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn ms(n: u64) -> Time {
        n * MS
    }
}
