//! What the core tells its driver: deliveries, configuration changes, packets to send.

use super::shared::SharedBytes;
use super::types::{Guarantee, NodeId, RingId};

/// Something for the application, in the order it must see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Deliver(Delivery),
    ConfigChange(ConfigChange),
    /// A graceful leave is complete: the processor is out of the ring and silent.
    Left,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub sender: NodeId,
    pub guarantee: Guarantee,
    /// The ring the frame was ordered on (the configuration it was sent in).
    pub ring_id: RingId,
    pub seq: u64,
    pub payload: SharedBytes,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConfigKind {
    Transitional,
    Regular,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigChange {
    pub kind: ConfigKind,
    /// A regular configuration's own ring id; a transitional one carries the old ring's.
    pub ring_id: RingId,
    /// Sorted ascending.
    pub members: Vec<NodeId>,
    pub left: Vec<NodeId>,
    pub joined: Vec<NodeId>,
}

/// Where a packet goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    /// To every processor (multicast, or every address of the member list).
    All,
    /// To one processor (the token and the commit token).
    Node(NodeId),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    pub dest: Destination,
    pub bytes: Vec<u8>,
}

/// Why `submit` refused a message; nothing was queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubmitError {
    /// The send queue is full: retry after the ring has made progress.
    QueueFull,
    /// The payload does not fit in one frame.
    TooBig,
    /// The processor has left (or is leaving) the ring.
    Closed,
}
