//! Which address each processor sends from, learnt from what it sends.
//!
//! The protocol addresses processors by node id (`Destination::Node`), the network by
//! socket address. Every received datagram carries its sender's node id in the
//! envelope and its source address from the kernel; the pair is recorded here, so no
//! address list needs configuring for multicast and a restarted processor is found
//! again on its new port.

use std::collections::HashMap;
use std::net::SocketAddr;

/// What `learn` found out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Learn {
    /// First datagram from this node id.
    New,
    /// Same node id, same address as before: the common case.
    Known,
    /// Same node id from another address. Either the processor restarted on a new port,
    /// or two processors share a node id. One event cannot tell them apart; repeated
    /// flips between two addresses can, so the node layer counts these.
    Moved { old: SocketAddr },
}

/// node id -> the address it last sent from.
#[derive(Clone, Debug, Default)]
pub struct PeerTable {
    addrs: HashMap<u32, SocketAddr>,
}

impl PeerTable {
    pub fn new() -> PeerTable {
        PeerTable::default()
    }

    /// Records that `node` sent from `addr`. The latest address wins, so a restarted
    /// processor is reachable at once; `Moved` reports the overwritten one.
    pub fn learn(&mut self, node: u32, addr: SocketAddr) -> Learn {
        match self.addrs.insert(node, addr) {
            None => Learn::New,
            Some(old) if old == addr => Learn::Known,
            Some(old) => Learn::Moved { old },
        }
    }

    /// Where to send a packet for `node`, if it has been heard from.
    pub fn addr_of(&self, node: u32) -> Option<SocketAddr> {
        self.addrs.get(&node).copied()
    }

    /// Drops `node` (it left, or the node layer decided its address is stale).
    pub fn forget(&mut self, node: u32) {
        self.addrs.remove(&node);
    }

    pub fn len(&self) -> usize {
        self.addrs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.addrs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn learn_new_known_moved_forget() {
        let mut t = PeerTable::new();
        assert!(t.is_empty());
        assert_eq!(t.addr_of(1), None);
        assert_eq!(t.learn(1, addr("127.0.0.1:5000")), Learn::New);
        assert_eq!(t.learn(1, addr("127.0.0.1:5000")), Learn::Known);
        assert_eq!(t.learn(2, addr("[::1]:5000")), Learn::New);
        assert_eq!(t.len(), 2);
        assert_eq!(t.learn(1, addr("127.0.0.1:6000")), Learn::Moved { old: addr("127.0.0.1:5000") });
        assert_eq!(t.addr_of(1), Some(addr("127.0.0.1:6000")), "latest address wins");
        // A collision shows as flips back and forth.
        assert_eq!(t.learn(1, addr("127.0.0.1:5000")), Learn::Moved { old: addr("127.0.0.1:6000") });
        t.forget(1);
        assert_eq!(t.addr_of(1), None);
        assert_eq!(t.learn(1, addr("127.0.0.1:7000")), Learn::New);
        t.forget(99); // forgetting a stranger is harmless
        assert_eq!(t.addr_of(2), Some(addr("[::1]:5000")));
    }
}
