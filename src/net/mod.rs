//! The network: UDP transports the protocol thread polls, and what it needs to map
//! node ids to addresses.
//!
//! - [`Transport`]: Udp (IP multicast to a group) or Udpu (unicast to a member list);
//!   plain non-blocking sockets, polled with poll(2), no async runtime.
//! - [`envelope`]: the sender's node id in front of every datagram.
//! - [`seal`]: with a key, every datagram encrypted and authenticated, replays refused.
//! - [`Codec`]: the one way datagrams are wrapped and unwrapped, plain or sealed.
//! - [`peers`]: node id -> address, learnt from received datagrams.
//! - [`nodeid`]: a unique node id derived from our address when none is configured.

mod batch;
mod codec;
mod config;
pub mod envelope;
#[doc(hidden)]
pub mod fuzzing;
mod iface;
pub mod nodeid;
pub mod peers;
mod recv_batch;
pub mod seal;
mod socket;
mod transport;
mod udp;
mod udpu;

pub use codec::{incarnation_now, Codec, RejectCounts};
pub use config::{TransportConfig, TransportKind};
pub use nodeid::derive_node_id;
pub use peers::{Learn, PeerTable};
pub use recv_batch::RecvBatch;
pub use transport::{Target, Transport};

#[cfg(test)]
mod tests;
