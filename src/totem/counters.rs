//! What a processor has done, counted: for operators (how busy, how troubled
//! the ring is) and for the simulator, which fails a fault family whose seeds
//! never reach the paths it exists to exercise.

/// Monotonic counts since the processor was created. Plain numbers: a driver
/// reads them with [`super::Processor::counters`] and subtracts to get rates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Token visits (operational and recovery): our share of the rotations.
    pub token_visits: u64,
    /// Tokens (or commit tokens) sent again because the successor did not show.
    pub token_retransmits: u64,
    /// Frames multicast again because the token asked for them.
    pub frame_retransmits: u64,
    /// Application frames originated (fragments and whole messages).
    pub frames_sent: u64,
    /// Old-ring frames this processor shared on a new ring during recovery.
    pub recovery_frames_sent: u64,
    /// Times the processor entered Gather (ring lost, join heard, start).
    pub gathers: u64,
    /// Consensus timeouts: processors were declared failed.
    pub consensus_timeouts: u64,
    /// Rings installed (regular configurations delivered).
    pub installs: u64,
    /// Messages delivered in a transitional configuration.
    pub transitional_deliveries: u64,
    /// Old-ring frames skipped at installation after a gap (their sender left).
    pub gap_skips: u64,
    /// Messages cut short by a ring change and sent again whole.
    pub partial_resends: u64,
    /// Times this processor gave up on a ring because its aru stayed behind.
    pub receive_failures: u64,
    /// Processors kept out of gathering for a while because they could not
    /// complete consensus (see `membership.rs`).
    pub exclusions: u64,
}
