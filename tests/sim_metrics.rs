//! Membership and latency metrics in virtual time, over seeds of the families that
//! measure them cleanly (steady: formation, latency, rotation; crash, partition,
//! leave: reconfiguration times). Prints the table (run with --nocapture) and writes
//! it to target/sim-metrics.txt. EVS_SIM_SEEDS=N sets the seeds per family.
mod sim;

use sim::metrics::Aggregate;
use sim::runner::{metrics_path, run_seeds, seed_range, BatchReport};
use sim::scenario::LIVENESS_BOUND;
use sim::trace::fmt_time;
use sim::Family;

/// Seeds per family by default.
const SEEDS: u64 = 12;
/// Metrics seeds start here (plus EVS_SIM_SEED_BASE) so that they are other scenarios
/// than the family tests' default seeds 0..N.
const OFFSET: u64 = 1_000_000;

#[test]
fn sim_metrics() {
    let range = seed_range(SEEDS);
    let seeds: Vec<u64> = range.map(|s| s + OFFSET).collect();
    // Two threads for the two cores; each family's result depends only on its seeds.
    // Loss5: self-delivery latency p50/p99 under 5% loss on every link.
    let groups = [vec![Family::Steady, Family::Leave, Family::Loss5], vec![Family::Crash, Family::Partition]];
    let reports: Vec<BatchReport> = std::thread::scope(|scope| {
        let handles: Vec<_> = groups
            .iter()
            .map(|g| {
                let seeds = seeds.clone();
                scope.spawn(move || g.iter().map(|&f| run_seeds(f, seeds.iter().copied())).collect::<Vec<_>>())
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("metrics thread")).collect()
    });

    let mut text = format!(
        "simulator metrics, virtual time; seeds {}..{} of each family; liveness bound {}\n\
         latency [rotations] divides each latency by its run's estimated token rotation\n\
         (median interval between a processor's successive token sends under load)\n\n",
        seeds.first().copied().unwrap_or(0),
        seeds.last().map_or(0, |s| s + 1),
        fmt_time(LIVENESS_BOUND)
    );
    let mut failures = String::new();
    let mut all = Aggregate::default();
    let mut order: Vec<&BatchReport> = reports.iter().collect();
    order.sort_by_key(|r| r.family);
    for r in order {
        text += &r.metrics.render(&format!("{} ({:.1} s wall)", r.family.name(), r.elapsed_s));
        text += "\n";
        all.merge(&r.metrics);
        if !r.failures.is_empty() {
            failures += &r.failure_report();
        }
    }
    text += &all.render("all measured families");
    eprint!("{text}");
    let path = metrics_path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).ok();
    }
    std::fs::write(&path, &text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    eprintln!("written to {}", path.display());
    assert!(failures.is_empty(), "{failures}");
}
