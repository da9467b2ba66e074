//! One processor incarnation's history cut into configurations: which
//! configuration each delivery happened in, and which regular configuration
//! was current at each submit.

use std::fmt;
use std::ops::Range;

use super::history::{Ending, MsgId, ProcessHistory, Record};
use super::names::{Proc, Ring};
use crate::totem::{ConfigChange, ConfigKind, Guarantee, NodeId, RingId, Time};

/// The configuration a delivery happened in. A transitional configuration is
/// identified by the old ring and the regular ring that followed it: two
/// partitions of one ring each get their own transitional configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Label {
    Regular(RingId),
    /// `next` is None when the processor's history ended (or broke) before the
    /// regular configuration that should follow: such an instance cannot be
    /// matched with other processors' ones.
    Trans {
        old: RingId,
        next: Option<RingId>,
    },
}

impl Label {
    /// The ring a delivery in this configuration was ordered on.
    pub fn ring(self) -> RingId {
        match self {
            Label::Regular(r) => r,
            Label::Trans { old, .. } => old,
        }
    }

    /// Whether this names one configuration across processors.
    pub fn is_known(self) -> bool {
        !matches!(self, Label::Trans { next: None, .. })
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Label::Regular(r) => write!(f, "regular {}", Ring(r)),
            Label::Trans { old, next: Some(n) } => write!(f, "trans({} -> {})", Ring(old), Ring(n)),
            Label::Trans { old, next: None } => write!(f, "trans({} -> ?)", Ring(old)),
        }
    }
}

/// One configuration change as one processor delivered it.
pub(super) struct Installed<'h> {
    pub label: Label,
    pub change: &'h ConfigChange,
    pub at: Time,
    /// Its deliveries: a range of `Timeline::deliveries` (contiguous, since
    /// records are in order).
    pub deliveries: Range<usize>,
}

impl Installed<'_> {
    pub fn is_regular(&self) -> bool {
        self.change.kind == ConfigKind::Regular
    }
    pub fn members(&self) -> &[NodeId] {
        &self.change.members
    }
}

pub(super) struct Delivered {
    pub msg: MsgId,
    /// The message's dense index, filled in by the index.
    pub dense: u32,
    pub guarantee: Guarantee,
    pub record: usize,
    /// Index in `Timeline::configs`; None when delivered before any configuration.
    pub config: Option<usize>,
}

pub(super) struct Submitted {
    pub msg: MsgId,
    pub guarantee: Guarantee,
    pub record: usize,
    /// The configuration current at submit time (index in `configs`), None
    /// before the first one.
    pub config: Option<usize>,
}

pub(super) struct Timeline<'h> {
    pub node: NodeId,
    pub incarnation: u32,
    pub ending: Ending,
    pub configs: Vec<Installed<'h>>,
    pub deliveries: Vec<Delivered>,
    pub submits: Vec<Submitted>,
}

impl<'h> Timeline<'h> {
    pub fn new(history: &'h ProcessHistory) -> Timeline<'h> {
        let mut configs: Vec<Installed<'h>> = Vec::new();
        let mut deliveries = Vec::new();
        let mut submits = Vec::new();
        for (record, r) in history.records.iter().enumerate() {
            match r {
                Record::Config { at, change } => {
                    let here = deliveries.len();
                    // The label is provisional: a transitional one needs to see what follows.
                    configs.push(Installed {
                        label: Label::Regular(change.ring_id),
                        change,
                        at: *at,
                        deliveries: here..here,
                    });
                }
                Record::Deliver { msg, guarantee, .. } => {
                    if let Some(c) = configs.last_mut() {
                        c.deliveries.end = deliveries.len() + 1;
                    }
                    deliveries.push(Delivered {
                        msg: *msg,
                        dense: 0,
                        guarantee: *guarantee,
                        record,
                        config: configs.len().checked_sub(1),
                    });
                }
                Record::Submit { msg, guarantee, .. } => {
                    submits.push(Submitted {
                        msg: *msg,
                        guarantee: *guarantee,
                        record,
                        config: configs.len().checked_sub(1),
                    });
                }
            }
        }
        for i in 0..configs.len() {
            let c = &configs[i];
            if c.change.kind == ConfigKind::Transitional {
                let next = configs.get(i + 1).filter(|n| n.is_regular()).map(|n| n.change.ring_id);
                configs[i].label = Label::Trans { old: c.change.ring_id, next };
            }
        }
        Timeline {
            node: history.node,
            incarnation: history.incarnation,
            ending: history.ending,
            configs,
            deliveries,
            submits,
        }
    }

    pub fn name(&self) -> Proc {
        Proc(self.node, self.incarnation)
    }

    pub fn is_running(&self) -> bool {
        self.ending == Ending::Running
    }

    /// The configuration a delivery happened in.
    pub fn label(&self, d: &Delivered) -> Option<Label> {
        d.config.map(|c| self.configs[c].label)
    }

    /// The first regular configuration installed after configuration `i`.
    pub fn next_regular(&self, i: usize) -> Option<usize> {
        (i + 1..self.configs.len()).find(|&j| self.configs[j].is_regular())
    }
}
