//! Simulation family `trigger`: see `fault_families::trigger` in tests/sim/fault_families.rs for
//! what a scenario does. EVS_SIM_SEEDS / EVS_SIM_SEED_BASE choose the seeds,
//! EVS_SIM_TRACE=1 traces a replay.
mod sim;

use sim::{run_family, Family};

// Two tests share the seeds so that both cores work.
#[test]
fn trigger_part_1() {
    run_family(Family::Trigger, 0, 2);
}

#[test]
fn trigger_part_2() {
    run_family(Family::Trigger, 1, 2);
}

/// Seed 500035: when 4 enters recovery, 6's multicast to it dies, so 4 gets
/// 6's frames only resent and leaves the ring once it crawls. Its first join
/// must name the link (`membership.rs`, `note_own_links`): when it
/// waited the six join intervals of any other judgement, it agreed to the
/// same ring meanwhile and left it again, every 58 ms for 17 s.
#[test]
fn a_member_that_left_a_crawling_ring_names_the_link_at_once() {
    let s = sim::generate(Family::Trigger, 500_035);
    let out = sim::run_scenario(&s);
    assert!(out.violations.is_empty(), "{}", out.violations.join("; "));
}
