//! Which address each processor sends from, learnt from what it sends.
//!
//! The protocol addresses processors by node id (`Destination::Node`), the network by
//! socket address. Every received datagram carries its sender's node id in the
//! envelope and its source address from the kernel; the pair is recorded here, so no
//! address list needs configuring for multicast and a restarted processor is found
//! again on its new port.
//!
//! Without a key the envelope is not authenticated: anyone can send datagrams
//! naming any id. The table is therefore bounded ([`MAX_PEERS`]): when it is
//! full a new id takes the place of one not heard from for [`STALE_US`], and
//! is not recorded otherwise, so a flood of invented ids can neither grow the
//! process nor push out the ring's members. (With a key only authenticated
//! datagrams get here.)

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
    /// A new id while the table is full of live ones: not recorded.
    Full,
}

/// Ids remembered: far more than a ring has members (corosync's limit is 384).
pub const MAX_PEERS: usize = 1024;
/// An id not heard from for this long (microseconds) may be forgotten to make
/// room: several token timeouts, so a member of a live ring is never it.
pub const STALE_US: u64 = 60_000_000;

/// node id -> the address it last sent from, and when (microseconds).
#[derive(Clone, Debug, Default)]
pub struct PeerTable {
    addrs: HashMap<u32, (SocketAddr, u64)>,
}

impl PeerTable {
    pub fn new() -> PeerTable {
        PeerTable::default()
    }

    /// Records that `node` sent from `addr` at `now`. The latest address wins, so
    /// a restarted processor is reachable at once; `Moved` reports the overwritten one.
    pub fn learn(&mut self, node: u32, addr: SocketAddr, now: u64) -> Learn {
        if let Some(entry) = self.addrs.get_mut(&node) {
            let old = std::mem::replace(entry, (addr, now)).0;
            return if old == addr { Learn::Known } else { Learn::Moved { old } };
        }
        if self.addrs.len() >= MAX_PEERS {
            let oldest = self.addrs.iter().min_by_key(|(_, &(_, heard))| heard).map(|(&id, &(_, heard))| (id, heard));
            match oldest {
                Some((id, heard)) if now.saturating_sub(heard) >= STALE_US => {
                    self.addrs.remove(&id);
                }
                _ => return Learn::Full,
            }
        }
        self.addrs.insert(node, (addr, now));
        Learn::New
    }

    /// Where to send a packet for `node`, if it has been heard from.
    pub fn addr_of(&self, node: u32) -> Option<SocketAddr> {
        self.addrs.get(&node).map(|&(addr, _)| addr)
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
        assert_eq!(t.learn(1, addr("127.0.0.1:5000"), 0), Learn::New);
        assert_eq!(t.learn(1, addr("127.0.0.1:5000"), 0), Learn::Known);
        assert_eq!(t.learn(2, addr("[::1]:5000"), 0), Learn::New);
        assert_eq!(t.len(), 2);
        assert_eq!(t.learn(1, addr("127.0.0.1:6000"), 0), Learn::Moved { old: addr("127.0.0.1:5000") });
        assert_eq!(t.addr_of(1), Some(addr("127.0.0.1:6000")), "latest address wins");
        // A collision shows as flips back and forth.
        assert_eq!(t.learn(1, addr("127.0.0.1:5000"), 0), Learn::Moved { old: addr("127.0.0.1:6000") });
        t.forget(1);
        assert_eq!(t.addr_of(1), None);
        assert_eq!(t.learn(1, addr("127.0.0.1:7000"), 0), Learn::New);
        t.forget(99); // forgetting a stranger is harmless
        assert_eq!(t.addr_of(2), Some(addr("[::1]:5000")));
    }

    #[test]
    fn a_flood_of_invented_ids_neither_grows_the_table_nor_evicts_live_members() {
        let mut t = PeerTable::new();
        let member = addr("127.0.0.1:5000");
        assert_eq!(t.learn(1, member, 0), Learn::New);
        let mut now = 0;
        for id in 2..=(MAX_PEERS as u32 + 5000) {
            now += 10; // 100k datagrams a second
            if id % 500 == 0 {
                t.learn(1, member, now); // the member keeps sending
            }
            let learnt = t.learn(id, addr("10.9.9.9:1"), now);
            assert_eq!(learnt == Learn::Full, id as usize > MAX_PEERS, "id {id}");
        }
        assert_eq!(t.len(), MAX_PEERS);
        assert_eq!(t.addr_of(1), Some(member));
        // Once the invented ids are stale, a real newcomer finds room.
        now += STALE_US;
        t.learn(1, member, now);
        assert_eq!(t.learn(0xBEEF_0000, addr("127.0.0.1:6000"), now), Learn::New);
        assert_eq!(t.len(), MAX_PEERS);
        assert_eq!(t.addr_of(1), Some(member), "the live member is not the stalest");
    }
}
