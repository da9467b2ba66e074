//! Simulation family `asym`: see `fault_families::asym` in tests/sim/fault_families.rs for
//! what a scenario does. EVS_SIM_SEEDS / EVS_SIM_SEED_BASE choose the seeds,
//! EVS_SIM_TRACE=1 traces a replay.
//!
//! OPEN: 4 of 100 seeds (8, 31, 35, 75 of 0..100) still fail the progress
//! property, so the family does not run in `make check` yet (`cargo test --release
//! --test sim_asym -- --ignored` runs it). One-way loss on the token's path is
//! bridged by the token relay (`src/totem/relay.rs`; a third of the seeds failed
//! before it). What remains: combinations where the ring that forms uses relayed
//! links while the property expects the clean-both-ways pair together (seed 8:
//! {2,3} over a relayed link and {1} alone, instead of {1,3}), and members that
//! hear no multicast at all, which keep failing to receive and rejoining.
mod sim;

use sim::{run_family, Family};

// Two tests share the seeds so that both cores work.
#[test]
#[ignore = "open: 6 of 100 seeds; see the file's header"]
fn asym_part_1() {
    run_family(Family::Asym, 0, 2);
}

#[test]
#[ignore = "open: 6 of 100 seeds; see the file's header"]
fn asym_part_2() {
    run_family(Family::Asym, 1, 2);
}
