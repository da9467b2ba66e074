//! Running a family's seeds inside `cargo test`: seed selection from the environment,
//! panics caught and attributed to their seed, a failure report with the replay
//! command, and the metrics summary.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;
use std::time::Instant;

use super::families::generate;
use super::metrics::Aggregate;
use super::run::run_scenario;
use super::scenario::Family;

/// Details are printed for this many failing seeds; the rest are listed by number.
const DETAILED_FAILURES: usize = 5;
/// Violations printed per failing seed.
const VIOLATIONS_SHOWN: usize = 5;

/// The seeds to run: EVS_SIM_SEEDS=N scenarios starting at EVS_SIM_SEED_BASE=B
/// (defaults: the family's count, from 0).
pub fn seed_range(default_count: u64) -> std::ops::Range<u64> {
    let get = |name: &str| -> Option<u64> {
        let v = std::env::var(name).ok()?;
        Some(v.trim().parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a number")))
    };
    let base = get("EVS_SIM_SEED_BASE").unwrap_or(0);
    let count = get("EVS_SIM_SEEDS").unwrap_or(default_count);
    base..base + count
}

pub fn replay_command(family: Family, seed: u64) -> String {
    format!("EVS_SIM_SEED_BASE={seed} EVS_SIM_SEEDS=1 cargo test --release --test sim_{}", family.name())
}

thread_local! {
    /// Set while a batch of seeds runs on this thread: the panic message is kept for
    /// the report instead of being printed once per seed.
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(non-string panic payload)".into());
            let at =
                info.location().map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column())).unwrap_or_default();
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{msg}{at}")));
            if !QUIET.with(|q| q.get()) {
                previous(info);
            }
        }));
    });
}

pub enum Failure {
    Panic(String),
    Violations(Vec<String>),
}

pub struct SeedFailure {
    pub seed: u64,
    pub summary: String,
    pub failure: Failure,
}

pub struct BatchReport {
    pub family: Family,
    pub ran: u64,
    pub failures: Vec<SeedFailure>,
    pub metrics: Aggregate,
    pub elapsed_s: f64,
}

/// Run the given seeds of a family, catching panics; never panics itself.
pub fn run_seeds(family: Family, seeds: impl IntoIterator<Item = u64>) -> BatchReport {
    install_panic_hook();
    let seeds: Vec<u64> = seeds.into_iter().collect();
    // A single seed is a replay: let its panic print in full (with RUST_BACKTRACE).
    QUIET.with(|q| q.set(seeds.len() > 1));
    let started = Instant::now();
    let mut report =
        BatchReport { family, ran: 0, failures: Vec::new(), metrics: Aggregate::default(), elapsed_s: 0.0 };
    for seed in seeds {
        report.ran += 1;
        let mut summary = format!("{} seed {seed}", family.name());
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            let s = generate(family, seed);
            summary = s.summary();
            run_scenario(&s)
        }));
        match result {
            Ok(outcome) => {
                report.metrics.add_run(&outcome.metrics);
                if !outcome.violations.is_empty() {
                    report.failures.push(SeedFailure {
                        seed,
                        summary,
                        failure: Failure::Violations(outcome.violations),
                    });
                }
            }
            Err(_) => {
                let msg = LAST_PANIC.with(|p| p.borrow_mut().take()).unwrap_or_else(|| "(panic message lost)".into());
                report.failures.push(SeedFailure { seed, summary, failure: Failure::Panic(msg) });
            }
        }
    }
    QUIET.with(|q| q.set(false));
    report.elapsed_s = started.elapsed().as_secs_f64();
    report
}

impl BatchReport {
    pub fn failure_report(&self) -> String {
        let family = self.family;
        let mut out =
            format!("sim family `{}`: {} of {} scenarios failed\n", family.name(), self.failures.len(), self.ran);
        out += &format!("failing seeds: {:?}\n", self.failures.iter().map(|f| f.seed).collect::<Vec<_>>());
        for f in self.failures.iter().take(DETAILED_FAILURES) {
            out += &format!("--- {}\n", f.summary);
            match &f.failure {
                Failure::Panic(msg) => out += &format!("panic: {msg}\n"),
                Failure::Violations(v) => {
                    out += &format!("{} violations:\n", v.len());
                    for line in v.iter().take(VIOLATIONS_SHOWN) {
                        out += &format!("  - {line}\n");
                    }
                }
            }
            out += &format!("replay: {}\n", replay_command(family, f.seed));
        }
        out
    }
}

/// The body of a family test: run its share of the seeds (`part` of `parts`, seeds
/// dealt round-robin so the parts take about as long) and fail with a report.
pub fn run_family(family: Family, part: u64, parts: u64) {
    let range = seed_range(family.default_seeds());
    let start = range.start;
    let seeds: Vec<u64> = range.filter(|s| (s - start) % parts == part).collect();
    let report = run_seeds(family, seeds);
    eprintln!(
        "sim {} part {}/{}: {} scenarios, {} failed, {:.1} s",
        family.name(),
        part + 1,
        parts,
        report.ran,
        report.failures.len(),
        report.elapsed_s
    );
    eprint!("{}", report.metrics.render(&format!("{} part {}/{}", family.name(), part + 1, parts)));
    let uncovered = super::coverage::unmet(family, report.ran, &report.metrics);
    if !report.failures.is_empty() || !uncovered.is_empty() {
        panic!("{}{}", report.failure_report(), uncovered.join("\n"));
    }
}

/// Where `sim_metrics` writes its summary: target/sim-metrics.txt.
pub fn metrics_path() -> std::path::PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("sim-metrics.txt")
}
