//! Small value types shared by every part of the protocol core.

/// A processor's 32-bit node id; 0 is never a valid node id.
pub type NodeId = u32;

/// Virtual or real time in microseconds, as told to the core by its driver.
pub type Time = u64;

/// Microseconds in one millisecond, for readable timeout arithmetic.
pub const MS: Time = 1_000;

/// A ring (configuration) identity: the representative (lowest node id of the
/// ring) and the ring sequence number, which grows by 4 at each new ring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RingId {
    pub rep: NodeId,
    pub seq: u64,
}

/// The delivery guarantee an application asks for a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Guarantee {
    /// Delivered on first receipt, exactly once, no ordering promise.
    Unordered = 0,
    /// Each sender's messages in send order (we deliver it as agreed).
    Fifo = 1,
    /// One total order shared by every processor.
    Agreed = 2,
    /// Agreed, and delivered only once every member of the configuration has it.
    Safe = 3,
}

impl Guarantee {
    pub fn from_u8(v: u8) -> Option<Guarantee> {
        match v {
            0 => Some(Guarantee::Unordered),
            1 => Some(Guarantee::Fifo),
            2 => Some(Guarantee::Agreed),
            3 => Some(Guarantee::Safe),
            _ => None,
        }
    }

    /// Whether the message takes part in the total order.
    pub fn is_ordered(self) -> bool {
        self != Guarantee::Unordered
    }
}
