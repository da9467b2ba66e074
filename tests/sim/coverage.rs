//! Coverage per family: the protocol paths a family exists to exercise, counted
//! over its batch (`metrics::coverage`: the processors' counters and the merges
//! seen in the histories). A family whose seeds never reach one of its paths
//! fails: it would pass vacuously.
//!
//! Thresholds: each requirement asks for at least one occurrence over a batch of
//! `MIN_SEEDS` or more (replays of one seed are not judged). Measured per part
//! on the default seeds against main at b24ecaa: crash 566-601 transitional
//! deliveries but 0 gap skips and 0 recovery frames (survivors of a crash on a
//! clean network hold the same frames); deaf 60-65 merges, 236-244 consensus
//! timeouts; burst 1199 token retransmits; asym 136-323 consensus timeouts;
//! trigger 8-22 merges + transitional deliveries. So the requirements below sit
//! well under what a healthy batch shows; a group lists alternatives (any of).

use super::metrics::Aggregate;
use super::scenario::Family;

/// A batch smaller than this is a replay or a probe: coverage is not judged.
pub const MIN_SEEDS: u64 = 10;

/// Per family: groups of counters; each group must have a non-zero sum.
pub fn required(family: Family) -> &'static [&'static [&'static str]] {
    match family {
        Family::Partition => &[&["cov_merges"], &["cov_transitional_deliveries"]],
        Family::Crash => &[&["cov_gap_skips", "cov_transitional_deliveries"]],
        Family::Churn => {
            &[&["cov_merges"], &["cov_partial_resends"], &["cov_transitional_deliveries"], &["cov_packed_frames"]]
        }
        Family::Loss => &[&["cov_token_retransmits"]],
        Family::Leave => &[&["cov_transitional_deliveries", "cov_recovery_frames_sent"]],
        Family::Asym => &[&["cov_consensus_timeouts"]],
        Family::Deaf => &[&["cov_consensus_timeouts"], &["cov_merges"]],
        Family::Burst => &[&["cov_token_retransmits"]],
        Family::Pause => &[&["cov_token_retransmits"], &["cov_merges"]],
        Family::Trigger => &[&["cov_merges", "cov_transitional_deliveries"]],
        // The accelerated ring must actually send frames after the token.
        Family::Steady => &[&["cov_packed_frames"], &["cov_frames_after_token"]],
        Family::Big | Family::Slow | Family::Loss5 => &[],
    }
}

/// The unmet requirements of a batch, as text (empty when covered or too small).
pub fn unmet(family: Family, ran: u64, agg: &Aggregate) -> Vec<String> {
    if ran < MIN_SEEDS {
        return Vec::new();
    }
    required(family)
        .iter()
        .filter(|group| group.iter().map(|c| agg.counter(c)).sum::<u64>() == 0)
        .map(|group| format!("coverage: {} seeds of `{}` never reached {}", ran, family.name(), group.join(" or ")))
        .collect()
}
