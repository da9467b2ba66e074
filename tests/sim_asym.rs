//! Simulation family `asym`: see `fault_families::asym` in tests/sim/fault_families.rs for
//! what a scenario does. EVS_SIM_SEEDS / EVS_SIM_SEED_BASE choose the seeds,
//! EVS_SIM_TRACE=1 traces a replay.
//!
//! OPEN: about a third of these seeds still fail the progress property, so the
//! family does not run in `make check` yet (`cargo test --release --test sim_asym
//! -- --ignored` runs it). The failing class: a link that loses one direction of
//! the token's path (unicast-only loss, or a one-way link, from a member to its
//! ring successor) or a member that hears no multicast at all. The token and the
//! commit token cannot pass, every processor still hears every other's joins, and
//! membership re-forms the same impossible ring; breaking the loop needs per-hop
//! evidence of who cannot reach whom (see docs/RELIABILITY.md, "open").
mod sim;

use sim::{run_family, Family};

// Two tests share the seeds so that both cores work.
#[test]
#[ignore = "open: one-way loss on the token's path; see the file's header"]
fn asym_part_1() {
    run_family(Family::Asym, 0, 2);
}

#[test]
#[ignore = "open: one-way loss on the token's path; see the file's header"]
fn asym_part_2() {
    run_family(Family::Asym, 1, 2);
}
