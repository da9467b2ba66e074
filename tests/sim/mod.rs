//! The deterministic simulator: N Totem processors in one process, on a simulated
//! network, in virtual time, with every random choice drawn from one seed.
//!
//! Shared by the `tests/sim_<family>.rs` test files (each starts with `mod sim;`),
//! which is why not every item is used by every test binary.
//!
//! - `rng`: the seeded PRNG; `queue`: the ordered event queue;
//! - `network`: per-link loss, duplication, delay/jitter, partitions, one-way loss,
//!   multicast-only / unicast-only loss, deaf processors, loss-burst trains, one-shot
//!   token drops;
//! - `recv_queue`: slow receivers with a bounded socket buffer;
//! - `app`: the workload and the MsgId payload codec; `proto`: the processor interface;
//! - `cluster`: processors, incarnations, timers, the event loop, history recording,
//!   pauses (SIGSTOP-like freezes with a bounded socket backlog), state triggers
//!   (`Action::When`: a fault fired when a processor enters Commit/Recovery/...);
//! - `topology`: who can talk to whom over time, cut into the windows that the
//!   progress property (`evs::check::check_progress`) judges *during* faults, with
//!   B and D derived from each run's config (`scenario::progress_bounds`);
//! - `fault_families`: asym, deaf, burst, pause, trigger; `coverage`: the protocol
//!   paths (processor counters, merges) each family must reach;
//! - `scenario` / `families`: what a (family, seed) run does; `run`: playing it and
//!   judging it; `metrics`: what it measures; `runner`: seeds, failures, reports;
//! - `trace`: EVS_SIM_TRACE output.
//!
//! Running: each family test runs its default seeds (see `Family::default_seeds`);
//! `EVS_SIM_SEEDS=N EVS_SIM_SEED_BASE=B` runs N scenarios from seed B instead (a soak:
//! `EVS_SIM_SEEDS=10000 cargo test --release --test sim_churn`). A failure names its
//! seed and the command that replays it; add `EVS_SIM_TRACE=1` (or 2 for every packet,
//! submit and delivery) to see what happened. `cargo test --release --test sim_metrics
//! -- --nocapture` prints the membership and latency metrics and writes
//! target/sim-metrics.txt.
//!
//! Configs (timeouts, window, max_messages, accelerated_window, max_frame) are drawn per seed, payloads
//! range from 1 B (tiny ids kept in a harness table) to 64 KiB. tests/sim_pinned.rs
//! holds hand-built scenarios of known core defects (expected to fail until fixed).
//!
//! A test drives it with `run_family(Family::X, part, parts)`, or for one scenario
//! `run_scenario(&generate(Family::X, seed))` and looks at the `Outcome`.
#![allow(dead_code, unused_imports)]

pub mod app;
pub mod cluster;
pub mod coverage;
pub mod families;
pub mod fault_families;
pub mod metrics;
pub mod network;
pub mod proto;
pub mod queue;
pub mod recv_queue;
pub mod rng;
pub mod run;
pub mod runner;
pub mod scenario;
pub mod topology;
pub mod trace;

pub use families::generate;
pub use run::{judge, run_scenario, run_scenario_with, Outcome};
pub use runner::{run_family, run_seeds};
pub use scenario::{Action, Family, Scenario, LIVENESS_BOUND, SETTLE};
