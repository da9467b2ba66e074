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
    /// Application frames originated (fragments, whole and packed messages).
    pub frames_sent: u64,
    /// Of those, frames that carried several small messages (`packing.rs`).
    pub packed_frames: u64,
    /// Of the frames sent, those multicast after the token was passed (the
    /// accelerated ring, `Config::accelerated_window`).
    pub frames_after_token: u64,
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
    /// Times this processor left a ring kept over a link its unicast no
    /// longer crossed, for a newcomer that hears it (`leave_for_a_newcomer`).
    pub newcomer_swaps: u64,
    /// Times this processor left a ring because it missed most of a
    /// member's data frames (`frame_loss.rs`).
    pub poor_link_gathers: u64,
    /// Times this processor, alone on its ring, gathered, heard no one's
    /// join, and went on with its ring (`resume_alone`).
    pub lone_resumes: u64,
}

impl Counters {
    /// Add another processor's (or incarnation's) counts to these.
    pub fn accumulate(&mut self, other: &Counters) {
        let Counters {
            token_visits,
            token_retransmits,
            frame_retransmits,
            frames_sent,
            packed_frames,
            frames_after_token,
            recovery_frames_sent,
            gathers,
            consensus_timeouts,
            installs,
            transitional_deliveries,
            gap_skips,
            partial_resends,
            receive_failures,
            exclusions,
            newcomer_swaps,
            poor_link_gathers,
            lone_resumes,
        } = other;
        self.token_visits += token_visits;
        self.token_retransmits += token_retransmits;
        self.frame_retransmits += frame_retransmits;
        self.frames_sent += frames_sent;
        self.packed_frames += packed_frames;
        self.frames_after_token += frames_after_token;
        self.recovery_frames_sent += recovery_frames_sent;
        self.gathers += gathers;
        self.consensus_timeouts += consensus_timeouts;
        self.installs += installs;
        self.transitional_deliveries += transitional_deliveries;
        self.gap_skips += gap_skips;
        self.partial_resends += partial_resends;
        self.receive_failures += receive_failures;
        self.exclusions += exclusions;
        self.newcomer_swaps += newcomer_swaps;
        self.poor_link_gathers += poor_link_gathers;
        self.lone_resumes += lone_resumes;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accumulate_adds_every_field() {
        let one = Counters {
            token_visits: 1,
            token_retransmits: 2,
            frame_retransmits: 3,
            frames_sent: 4,
            packed_frames: 14,
            frames_after_token: 15,
            recovery_frames_sent: 5,
            gathers: 6,
            consensus_timeouts: 7,
            installs: 8,
            transitional_deliveries: 9,
            gap_skips: 10,
            partial_resends: 11,
            receive_failures: 12,
            exclusions: 13,
            newcomer_swaps: 16,
            poor_link_gathers: 17,
            lone_resumes: 18,
        };
        let mut sum = one.clone();
        sum.accumulate(&one);
        assert_eq!(sum.token_visits + sum.exclusions, 2 + 26);
        assert_eq!(
            [sum.token_retransmits, sum.frame_retransmits, sum.frames_sent, sum.recovery_frames_sent, sum.gathers],
            [4, 6, 8, 10, 12]
        );
        assert_eq!(
            [sum.consensus_timeouts, sum.installs, sum.transitional_deliveries, sum.gap_skips, sum.partial_resends],
            [14, 16, 18, 20, 22]
        );
        assert_eq!(sum.receive_failures, 24);
        assert_eq!(sum.packed_frames, 28);
        assert_eq!(sum.frames_after_token, 30);
        assert_eq!(sum.newcomer_swaps, 32);
        assert_eq!(sum.poor_link_gathers, 34);
        assert_eq!(sum.lone_resumes, 36);
    }
}
