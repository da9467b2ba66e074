//! Processors of another libevs version on our port. Their packets name
//! another wire version (`wire::foreign_version`): the core could not decode
//! them, and the two versions cannot share a ring, so a mixed cluster splits
//! in two with nothing in either's configuration to say why. The node drops
//! them here, counts them (`Stats::rejected_other_version`) and says once per
//! sender and version, at `EVS_LOG=warn`, who speaks what.

use std::collections::HashSet;
use std::net::SocketAddr;

use crate::totem::wire::WIRE_VERSION;
use crate::totem::NodeId;

/// How many (sender, version) pairs are remembered as reported: a bound on
/// what a stream of forged ids can cost; past it every further one is
/// counted but no longer reported.
const REMEMBERED: usize = 64;

#[derive(Default)]
pub(crate) struct OtherVersions {
    reported: HashSet<(NodeId, u8)>,
}

impl OtherVersions {
    /// A packet of wire `version` from `sender` at `from`: whether it is the
    /// first from that sender in that version (and so was reported).
    pub fn heard(&mut self, sender: NodeId, from: SocketAddr, version: u8) -> bool {
        if self.reported.len() >= REMEMBERED || !self.reported.insert((sender, version)) {
            return false;
        }
        crate::evs_log!(
            Warn,
            "node {sender} at {from} speaks wire version {version}, this library {WIRE_VERSION}: \
             another libevs version, which cannot share a ring with this one; its packets are ignored"
        );
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sender_and_version_is_reported_once_and_the_memory_is_bounded() {
        let at: SocketAddr = "127.0.0.1:5405".parse().unwrap();
        let mut v = OtherVersions::default();
        assert!(v.heard(7, at, 5));
        assert!(!v.heard(7, at, 5), "reported already");
        assert!(v.heard(7, at, 4), "another version of the same sender");
        assert!(v.heard(8, at, 5), "another sender");
        for id in 100..200 {
            v.heard(id, at, 5);
        }
        assert_eq!(v.reported.len(), REMEMBERED);
        assert!(!v.heard(1000, at, 5), "past the bound: counted by the caller, not reported");
    }
}
