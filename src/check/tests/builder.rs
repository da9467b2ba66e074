//! A small language for hand-made histories: each processor's configuration
//! changes compute their own left/joined lists, so a test states only what
//! matters to it, and `config` writes a raw (possibly wrong) change.

use std::collections::BTreeSet;

use crate::check::{Ending, History, MsgId, ProcessHistory, Property, Record, Violation};
use crate::totem::{ConfigChange, ConfigKind, Guarantee, NodeId, RingId, Time};

pub use Guarantee::{Agreed as A, Fifo as F, Safe as S, Unordered as U};

/// Message `counter` of node `node`'s first incarnation.
pub fn m(node: NodeId, counter: u64) -> MsgId {
    MsgId { node, incarnation: 0, counter }
}

pub fn ring(rep: NodeId, seq: u64) -> RingId {
    RingId { rep, seq }
}

/// One processor incarnation being written.
pub struct P {
    node: NodeId,
    incarnation: u32,
    records: Vec<Record>,
    clock: Time,
    ending: Ending,
    regular: Option<(RingId, Vec<NodeId>)>,
    trans: Option<Vec<NodeId>>,
}

impl P {
    pub fn new(node: NodeId) -> P {
        P::incarnation(node, 0)
    }

    pub fn incarnation(node: NodeId, incarnation: u32) -> P {
        P { node, incarnation, records: Vec::new(), clock: 0, ending: Ending::Running, regular: None, trans: None }
    }

    fn tick(&mut self) -> Time {
        self.clock += 10;
        self.clock
    }

    /// Sets the clock for the next records.
    pub fn at(&mut self, t: Time) -> &mut Self {
        self.clock = t;
        self
    }

    /// A regular configuration with ring (min(members), seq); joined is what
    /// the preceding transitional configuration lacked (empty for a first one).
    pub fn reg(&mut self, seq: u64, members: &[NodeId]) -> &mut Self {
        let r = ring(*members.iter().min().unwrap(), seq);
        let joined = match &self.trans {
            Some(t) => members.iter().copied().filter(|n| !t.contains(n)).collect(),
            None => Vec::new(),
        };
        self.config(ConfigKind::Regular, r, members, &[], &joined);
        self.regular = Some((r, members.to_vec()));
        self.trans = None;
        self
    }

    /// The transitional configuration out of the current regular one.
    pub fn trans(&mut self, members: &[NodeId]) -> &mut Self {
        let (r, old) = self.regular.clone().expect("transitional needs a regular configuration first");
        let left: Vec<NodeId> = old.iter().copied().filter(|n| !members.contains(n)).collect();
        self.config(ConfigKind::Transitional, r, members, &left, &[]);
        self.trans = Some(members.to_vec());
        self
    }

    /// A raw configuration change, written as given.
    pub fn config(
        &mut self,
        kind: ConfigKind,
        ring_id: RingId,
        members: &[NodeId],
        left: &[NodeId],
        joined: &[NodeId],
    ) -> &mut Self {
        let at = self.tick();
        let change =
            ConfigChange { kind, ring_id, members: members.to_vec(), left: left.to_vec(), joined: joined.to_vec() };
        self.records.push(Record::Config { at, change });
        self
    }

    /// Submits this incarnation's message `counter`.
    pub fn send(&mut self, counter: u64, guarantee: Guarantee) -> &mut Self {
        let at = self.tick();
        let msg = MsgId { node: self.node, incarnation: self.incarnation, counter };
        self.records.push(Record::Submit { at, msg, guarantee });
        self
    }

    pub fn dlv(&mut self, msg: MsgId, guarantee: Guarantee) -> &mut Self {
        let at = self.tick();
        self.records.push(Record::Deliver { at, msg, guarantee });
        self
    }

    pub fn crash(&mut self) -> &mut Self {
        let at = self.tick();
        self.ending = Ending::Crashed { at };
        self
    }

    pub fn leave(&mut self) -> &mut Self {
        let at = self.tick();
        self.ending = Ending::Left { at };
        self
    }

    pub fn build(&self) -> ProcessHistory {
        ProcessHistory {
            node: self.node,
            incarnation: self.incarnation,
            records: self.records.clone(),
            ending: self.ending,
        }
    }
}

pub fn history(ps: &[&P]) -> History {
    History { processes: ps.iter().map(|p| p.build()).collect() }
}

/// The properties a report names.
pub fn props(v: &[Violation]) -> BTreeSet<Property> {
    v.iter().map(|x| x.property).collect()
}

/// Asserts that `v` reports exactly the properties `expected`, printing the report otherwise.
#[track_caller]
pub fn assert_props(v: &[Violation], expected: &[Property]) {
    let want: BTreeSet<Property> = expected.iter().copied().collect();
    assert_eq!(props(v), want, "report:\n{}", render(v));
}

/// Asserts that `v` reports `property`, printing the report otherwise.
#[track_caller]
pub fn assert_has(v: &[Violation], property: Property) {
    assert!(props(v).contains(&property), "expected {property}, report:\n{}", render(v));
}

pub fn render(v: &[Violation]) -> String {
    v.iter().map(|x| format!("  {x}\n")).collect()
}
