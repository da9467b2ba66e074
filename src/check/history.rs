//! What a run recorded: per processor incarnation, the application's view.

use crate::totem::{ConfigChange, Guarantee, NodeId, Time};

/// A message's identity, chosen by the application that sent it and carried in its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MsgId {
    pub node: NodeId,
    /// Which start of that node (0 for the first, +1 at each restart).
    pub incarnation: u32,
    /// Per incarnation, from 0, in submit order.
    pub counter: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// The application handed the message to its processor (and it was accepted).
    Submit { at: Time, msg: MsgId, guarantee: Guarantee },
    /// The processor delivered the message to the application.
    Deliver { at: Time, msg: MsgId, guarantee: Guarantee },
    /// The processor delivered a configuration change.
    Config { at: Time, change: ConfigChange },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Still running when the history was taken.
    Running,
    /// Crashed (or was killed) at this time.
    Crashed { at: Time },
    /// Left gracefully (its leave completed, or was cut short) at this time.
    Left { at: Time },
}

/// One incarnation of one processor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessHistory {
    pub node: NodeId,
    pub incarnation: u32,
    pub records: Vec<Record>,
    pub ending: Ending,
}

/// Everything a run recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    pub processes: Vec<ProcessHistory>,
}
