//! The protocol's tunables. Times are in microseconds (see [`Time`]).

use super::types::{NodeId, Time, MS};

/// The default of [`Config::accelerated_window`] (and of the
/// `totem.accelerated_window` setting), capped at `max_messages`: off. On the
/// namespace LAN of `make bench` (2 cores for 3 processes) a window of 25
/// of 50 frames a visit delivered less than none, in every row (1 KiB to
/// 64 KiB, 1 and 3 senders; p50 latency 191-214 against 153-174 us): the
/// next holder's visit only overlaps the tail's sending where the network,
/// not the CPU, bounds a rotation, as on Spread's 1-10 Gbps measurements.
/// docs/BENCHMARKS.md has the figures.
pub const DEFAULT_ACCELERATED_WINDOW: u32 = 0;
// Not capped where it is used: a default above 1 would have to be capped at
// max_messages (at least 1), as an earlier default of 8 was
// (config::tests::defaults checks it with max_messages 3).

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// This processor's node id (non-zero).
    pub node_id: NodeId,
    /// No token for this long (after `token_retransmits` retransmissions) is a loss.
    pub token_timeout: Time,
    /// Token retransmissions before the loss timeout.
    pub token_retransmits: u32,
    /// Interval between join messages while gathering.
    pub join_timeout: Time,
    /// Gathering without consensus for this long moves the silent processors to the fail set.
    pub consensus_timeout: Time,
    /// Interval between merge-detect messages of an operational ring's representative.
    pub merge_timeout: Time,
    /// Frames originated per token rotation, in the whole ring.
    pub window_size: u32,
    /// Frames one processor may originate per token visit.
    pub max_messages: u32,
    /// The accelerated ring: of the new frames of an operational visit, at
    /// most this many are multicast *after* the token is passed (the token's
    /// `seq` already counts them), so the successor starts sending sooner.
    /// 0 turns it off; at most `max_messages`. Retransmissions always go
    /// before the token.
    pub accelerated_window: u32,
    /// Largest encoded packet of the ordered stream (data frames), in bytes.
    pub max_frame: usize,
    /// Largest application message, in bytes; larger ones travel as fragments.
    pub max_message: usize,
    /// Frames waiting for the token before `submit` answers `QueueFull`
    /// (at least enough for one message of `max_message` bytes).
    pub send_queue_limit: usize,
    /// Most frames assigned beyond the token's aru: bounds every processor's buffers.
    pub max_outstanding: u64,
    /// Token visits without progress of a lacking processor's aru before it gives up
    /// on the ring (corosync's fail_recv_const).
    pub fail_recv_const: u32,
}

impl Config {
    /// corosync-like defaults, with this project's 1000 ms token timeout.
    pub fn new(node_id: NodeId) -> Config {
        Config {
            node_id,
            token_timeout: 1000 * MS,
            token_retransmits: 4,
            join_timeout: 50 * MS,
            consensus_timeout: 1200 * MS,
            merge_timeout: 200 * MS,
            window_size: 50,
            max_messages: 17,
            accelerated_window: DEFAULT_ACCELERATED_WINDOW,
            max_frame: 1500 - 48,
            max_message: (1 << 20) + 4096,
            send_queue_limit: 4096,
            max_outstanding: 1024,
            fail_recv_const: 2500,
        }
    }

    /// Interval between retransmissions of a token whose successor does not show.
    pub fn token_retransmit_interval(&self) -> Time {
        // token / (retransmits + 0.2), as corosync: the last retransmission still
        // fits before the loss timeout.
        self.token_timeout * 10 / (self.token_retransmits as u64 * 10 + 2)
    }

    /// Longest time a processor that failed a formation with us is kept out
    /// (`exclusion.rs`): its back-off starts at the consensus timeout and
    /// doubles up to this.
    pub fn exclusion_cap(&self) -> Time {
        4 * self.consensus_timeout
    }

    /// How long rings cut apart along a poor link stay apart after the link
    /// heals, at most (`cut_links.rs`): its hearer merges once it hears the
    /// other side well, a run of detects in a row, and the other side sends
    /// one every merge interval.
    pub fn cut_link_heal(&self) -> Time {
        super::hearing::WELL_RUN as Time * self.merge_timeout
    }

    /// How long an idle ring's representative keeps the token before passing it.
    pub fn token_hold(&self) -> Time {
        self.token_retransmit_interval() / 2
    }

    /// Reject values the protocol cannot run with.
    pub fn validate(&self) -> Result<(), String> {
        if self.node_id == 0 {
            return Err("node id must be non-zero".into());
        }
        if self.token_timeout < MS {
            return Err("token timeout must be at least 1 ms".into());
        }
        if self.join_timeout == 0 || self.merge_timeout == 0 || self.consensus_timeout == 0 {
            return Err("join, consensus and merge timeouts must be positive".into());
        }
        if self.consensus_timeout <= self.join_timeout {
            return Err("consensus timeout must exceed the join timeout".into());
        }
        if self.window_size == 0 || self.max_messages == 0 {
            return Err("window_size and max_messages must be positive".into());
        }
        if self.accelerated_window > self.max_messages {
            return Err("accelerated_window must not exceed max_messages".into());
        }
        if self.max_frame < 256 || self.max_frame > 65_000 {
            return Err("max_frame must be within 256..=65000 bytes".into());
        }
        if self.max_outstanding < self.window_size as u64 {
            return Err("max_outstanding must be at least window_size".into());
        }
        let payload = self.max_frame - super::wire::DATA_HEADER_LEN - super::wire::RECOVERED_OVERHEAD;
        if self.send_queue_limit < self.max_message.div_ceil(payload).max(1) {
            return Err("send_queue_limit must hold one message of max_message bytes".into());
        }
        Ok(())
    }
}
