//! The node's own counts, beside the core's (`totem::Counters`): what only
//! the node sees (application messages in and out, configuration changes
//! delivered, datagrams the codec refused). Atomics, so that the protocol
//! thread and the application threads that send directly count without a
//! lock, and a reader (`Handle::stats`) takes none but the core's.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::net::RejectCounts;

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
        }
    }
}
