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
