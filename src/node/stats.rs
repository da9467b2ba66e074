//! The node's own counts, beside the core's (`totem::Counters`): what only
//! the node sees (application messages in and out, configuration changes
//! delivered, datagrams the codec refused, packets of another libevs version). Atomics, so that the protocol
//! thread and the application threads that send directly count without a
//! lock, and a reader (`Handle::stats`) takes none but the core's.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::api::Stats;
use crate::net::RejectCounts;
use crate::totem::Counters;

#[derive(Default)]
pub(crate) struct NodeStats {
    messages_sent: AtomicU64,
    bytes_sent: AtomicU64,
    messages_delivered: AtomicU64,
    bytes_delivered: AtomicU64,
    transitional_configurations: AtomicU64,
    rejected_foreign: AtomicU64,
    rejected_unauthentic: AtomicU64,
    rejected_replayed: AtomicU64,
    rejected_other_version: AtomicU64,
}

/// A reading of [`NodeStats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct NodeCounts {
    pub messages_sent: u64,
    pub bytes_sent: u64,
    pub messages_delivered: u64,
    pub bytes_delivered: u64,
    pub transitional_configurations: u64,
    pub rejected: RejectCounts,
    pub rejected_other_version: u64,
}

impl NodeStats {
    /// The core accepted an application message of `bytes` bytes of data.
    pub fn sent(&self, bytes: usize) {
        self.messages_sent.fetch_add(1, Relaxed);
        self.bytes_sent.fetch_add(bytes as u64, Relaxed);
    }

    /// The core delivered an application message of `bytes` bytes of data.
    pub fn delivered(&self, bytes: usize) {
        self.messages_delivered.fetch_add(1, Relaxed);
        self.bytes_delivered.fetch_add(bytes as u64, Relaxed);
    }

    pub fn transitional(&self) {
        self.transitional_configurations.fetch_add(1, Relaxed);
    }

    /// The codec's refusals so far (its counts are monotonic: stored, not added).
    pub fn set_rejected(&self, r: RejectCounts) {
        self.rejected_foreign.store(r.foreign, Relaxed);
        self.rejected_unauthentic.store(r.unauthentic, Relaxed);
        self.rejected_replayed.store(r.replayed, Relaxed);
    }

    /// A packet of another libevs version was dropped (`versions.rs`).
    pub fn other_version(&self) {
        self.rejected_other_version.fetch_add(1, Relaxed);
    }

    pub fn read(&self) -> NodeCounts {
        NodeCounts {
            messages_sent: self.messages_sent.load(Relaxed),
            bytes_sent: self.bytes_sent.load(Relaxed),
            messages_delivered: self.messages_delivered.load(Relaxed),
            bytes_delivered: self.bytes_delivered.load(Relaxed),
            transitional_configurations: self.transitional_configurations.load(Relaxed),
            rejected: RejectCounts {
                foreign: self.rejected_foreign.load(Relaxed),
                unauthentic: self.rejected_unauthentic.load(Relaxed),
                replayed: self.rejected_replayed.load(Relaxed),
            },
            rejected_other_version: self.rejected_other_version.load(Relaxed),
        }
    }
}

/// What `Handle::stats` reports: the core's counts `c` and the node's `n`.
pub(crate) fn combined(c: &Counters, n: &NodeCounts) -> Stats {
    Stats {
        messages_sent: n.messages_sent,
        bytes_sent: n.bytes_sent,
        messages_delivered: n.messages_delivered,
        bytes_delivered: n.bytes_delivered,
        frames_sent: c.frames_sent,
        frames_retransmitted: c.frame_retransmits,
        recovery_frames_sent: c.recovery_frames_sent,
        tokens_retransmitted: c.token_retransmits,
        token_visits: c.token_visits,
        regular_configurations: c.installs,
        transitional_configurations: n.transitional_configurations,
        transitional_deliveries: c.transitional_deliveries,
        gathers: c.gathers,
        consensus_timeouts: c.consensus_timeouts,
        receive_failures: c.receive_failures,
        rejected_foreign: n.rejected.foreign,
        rejected_unauthentic: n.rejected.unauthentic,
        rejected_replayed: n.rejected.replayed,
        exclusions: c.exclusions,
        poor_link_gathers: c.poor_link_gathers,
        newcomer_swaps: c.newcomer_swaps,
        lone_resumes: c.lone_resumes,
        rejected_other_version: n.rejected_other_version,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_count_reaches_its_own_field() {
        let c = Counters {
            token_visits: 101,
            token_retransmits: 102,
            frame_retransmits: 103,
            frames_sent: 104,
            packed_frames: 105,
            frames_after_token: 106,
            recovery_frames_sent: 107,
            gathers: 108,
            consensus_timeouts: 109,
            installs: 110,
            transitional_deliveries: 111,
            gap_skips: 112,
            partial_resends: 113,
            receive_failures: 114,
            exclusions: 115,
            newcomer_swaps: 116,
            poor_link_gathers: 117,
            lone_resumes: 118,
        };
        let n = NodeCounts {
            messages_sent: 1,
            bytes_sent: 2,
            messages_delivered: 3,
            bytes_delivered: 4,
            transitional_configurations: 5,
            rejected: RejectCounts { foreign: 6, unauthentic: 7, replayed: 8 },
            rejected_other_version: 9,
        };
        let s = combined(&c, &n);
        let expected = Stats {
            messages_sent: 1,
            bytes_sent: 2,
            messages_delivered: 3,
            bytes_delivered: 4,
            frames_sent: 104,
            frames_retransmitted: 103,
            recovery_frames_sent: 107,
            tokens_retransmitted: 102,
            token_visits: 101,
            regular_configurations: 110,
            transitional_configurations: 5,
            transitional_deliveries: 111,
            gathers: 108,
            consensus_timeouts: 109,
            receive_failures: 114,
            rejected_foreign: 6,
            rejected_unauthentic: 7,
            rejected_replayed: 8,
            exclusions: 115,
            poor_link_gathers: 117,
            newcomer_swaps: 116,
            lone_resumes: 118,
            rejected_other_version: 9,
        };
        assert_eq!(s, expected);
    }
}
