//! The packets processors exchange, as plain values. `wire` turns them into
//! bytes and back; nothing here knows about encodings.

use super::shared::SharedBytes;
use super::types::{Guarantee, NodeId, RingId};

/// Every packet of the protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Packet {
    Token(Token),
    Data(DataFrame),
    /// A data frame sent again on a retransmission request. Receivers tell
    /// a link that loses most of a member's frames by how many first reach
    /// them this way (`frame_loss.rs`).
    Resent(DataFrame),
    Join(Join),
    Commit(CommitToken),
    MergeDetect(MergeDetect),
    Leave(RingNotice),
    HoldCancel(RingNotice),
}

/// Bits of [`Token::flags`].
pub mod token_flags {
    /// Someone on the ring still has recovery messages to send (informative).
    pub const RETRANS: u8 = 0x01;
    /// Recovery is complete: every member holds every recovery message;
    /// members still in recovery install the new ring.
    pub const INSTALL: u8 = 0x02;
    /// The representative held this token on the current rotation (an idle
    /// ring): its rotation time measures the hold, not the ring.
    pub const HELD: u8 = 0x04;
    /// This copy is a resend by multicast: the sender's unicast copies went
    /// unanswered (`forward.rs`). Set on one hop only, like the next.
    pub const RESENT_BY_MULTICAST: u8 = 0x08;
    /// This copy went by multicast from the start: the sender's unicast to
    /// its successor failed lately. Neither bit travels past the receiver,
    /// which judges its predecessor's unicast by them (`unreached.rs`).
    pub const SENT_BY_MULTICAST: u8 = 0x10;
    /// The bits that describe one hop, cleared at each forward.
    pub const HOP: u8 = RESENT_BY_MULTICAST | SENT_BY_MULTICAST;
}

/// The ORF token: ordering, reliability, flow control. Unicast member to member.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Token {
    pub ring_id: RingId,
    /// Grows by one at each forward; a receiver drops tokens it has already seen.
    pub token_seq: u64,
    /// Highest sequence number assigned on this ring.
    pub seq: u64,
    /// All-received-up-to low-water mark (TOTEM95) and who lowered it (0: nobody).
    pub aru: u64,
    pub aru_id: NodeId,
    /// Minimum of the members' aru seen so far in the current rotation
    /// (the representative restarts it at each pass).
    pub rotation_min: u64,
    /// Every member holds every message up to `stable` (the minimum of a
    /// complete rotation): safe messages up to here may be delivered.
    pub stable: u64,
    /// Frames originated on the ring during the last rotation.
    pub fcc: u32,
    /// Sum of the members' send queues.
    pub backlog: u32,
    /// Consecutive visits on which the visited member sent nothing, lacked
    /// nothing and had nothing left to recover.
    pub quiet: u32,
    pub flags: u8,
    /// The member this token is for (its holder's successor). A token that
    /// reaches another member came by the multicast fallback (`forward.rs`)
    /// and is relayed to it (`relay.rs`).
    pub to: NodeId,
    /// How many of the highest seqs (`seq - tail + 1 ..= seq`) the sender
    /// multicast *after* this token (the accelerated ring): the receiver
    /// may get the token before them, so it does not ask for them on this visit.
    pub tail: u32,
    /// Sequence numbers some member lacks (bounded list).
    pub rtr: Vec<u64>,
}

/// One frame of the ordered stream: the unit of ordering, retransmission and recovery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataFrame {
    pub ring_id: RingId,
    pub seq: u64,
    /// The processor that originated this frame on `ring_id`.
    pub sender: NodeId,
    pub guarantee: Guarantee,
    /// Where this frame's bytes sit in the application message they carry.
    pub frag: Frag,
    pub body: FrameBody,
}

/// A message larger than one frame travels as consecutive frames of one
/// sender (other senders' frames may come between): First, Middle..., Last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Frag {
    /// The whole message in one frame.
    Whole = 0,
    First = 1,
    Middle = 2,
    Last = 3,
    /// Several whole messages of one sender and guarantee (`packing.rs`).
    Packed = 4,
}

impl Frag {
    pub fn from_u8(v: u8) -> Option<Frag> {
        match v {
            0 => Some(Frag::Whole),
            1 => Some(Frag::First),
            2 => Some(Frag::Middle),
            3 => Some(Frag::Last),
            4 => Some(Frag::Packed),
            _ => None,
        }
    }

    /// Whether this frame starts a message.
    pub fn starts(self) -> bool {
        matches!(self, Frag::Whole | Frag::First | Frag::Packed)
    }

    /// Whether this frame completes a message.
    pub fn ends(self) -> bool {
        matches!(self, Frag::Whole | Frag::Last | Frag::Packed)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameBody {
    /// Application bytes.
    App(SharedBytes),
    /// A frame of an older ring, carried on the new ring during recovery.
    /// Never nested more than once.
    Recovered(Box<DataFrame>),
}

/// A membership join message: what its sender knows of the processors around it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Join {
    pub sender: NodeId,
    /// Highest ring seq the sender has seen.
    pub ring_seq: u64,
    /// How many joins and merge-detects the sender sent before this one
    /// (one count for both): receivers see which they missed (`hearing.rs`).
    pub number: u32,
    /// Sorted, no duplicates.
    pub proc_set: Vec<NodeId>,
    /// Sorted, no duplicates.
    pub fail_set: Vec<NodeId>,
    /// The poor links the sender knows of, `(hearer, heard)`: `hearer` misses
    /// most of `heard`'s multicast (`link_groups.rs`). Sorted, no duplicates,
    /// never a processor with itself.
    pub poor_links: Vec<(NodeId, NodeId)>,
    /// The unicasts the sender knows to have needed the multicast fallback
    /// lately, `(sender, receiver)` (`unreached.rs`): they break the ties of
    /// the cut along poor links. Sorted, no duplicates, never a processor
    /// with itself.
    pub unreached: Vec<(NodeId, NodeId)>,
    /// The sender does not agree yet: it heard a candidate poorly in earlier
    /// gatherings and judges that link on this one's joins first
    /// (`membership.rs`). Its sets do not count as agreement until a join
    /// of it comes without this.
    pub judging: bool,
}

/// The commit token that forms a new ring: it circulates twice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitToken {
    /// The ring being formed.
    pub ring_id: RingId,
    /// Forwards so far; member i first sees `hops == i`, then `members.len() + i`.
    pub hops: u32,
    /// One entry per member, sorted by node id.
    pub members: Vec<CommitEntry>,
}

/// What one member tells the others about the ring it comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommitEntry {
    pub node: NodeId,
    /// Whether the member has written its values yet.
    pub filled: bool,
    pub old_ring_id: RingId,
    pub old_aru: u64,
    pub high_received: u64,
    pub high_delivered: u64,
    /// Highest seq the member knew every old-ring member held.
    pub old_stable: u64,
    /// The member received every message of its old ring (`aru == high_received`).
    pub received_flg: bool,
}

/// An operational ring's representative announces its ring, so that
/// partitions that can hear each other merge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeDetect {
    pub sender: NodeId,
    pub ring_id: RingId,
    /// How many joins and merge-detects the sender sent before this one
    /// (one count for both): receivers see which they missed (`hearing.rs`).
    pub number: u32,
    /// Senders of other rings' merge-detects heard lately (sorted, bounded):
    /// a ring merges with another only once each hears the other, so that a
    /// processor that sends but cannot receive does not make a healthy ring
    /// re-form every merge interval.
    pub heard: Vec<NodeId>,
    /// The members of the sender's ring (sorted), or empty when the ring is
    /// larger than a detect names (`merge::MAX_HEARD`): a ring gathers for
    /// another only when it hears every one of them too (the other side does
    /// the same), so that neither gathers alone for a merge the other will
    /// not make.
    pub members: Vec<NodeId>,
}

/// A short notice about a ring: graceful leave, token-hold cancel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RingNotice {
    pub sender: NodeId,
    pub ring_id: RingId,
}
