//! The EVS checker: judges a recorded history (each processor incarnation's
//! configuration changes, submits and deliveries) against the properties of
//! PROTOCOL.md, "The properties to check", and the run's liveness.
//!
//! Every check works on an [`index::Index`] built once per history; each
//! property lives in its own file. Reports are capped at
//! [`MAX_PER_PROPERTY`] per property (plus one line counting the rest).
//! [`check_progress`] judges progress during faults against windows of
//! connectivity the caller supplies.

mod atomicity;
mod causal;
mod configs;
mod fasthash;
mod graph;
mod history;
mod index;
mod liveness;
mod log;
mod names;
mod once;
mod order;
mod progress;
mod safe;
mod timeline;
mod violation;

#[cfg(test)]
mod tests;

pub use history::{Ending, History, MsgId, ProcessHistory, Record};
pub use liveness::Liveness;
pub use log::parse_log;
pub use progress::{check_progress, Progress, Window};
pub use violation::{Property, Violation, MAX_PER_PROPERTY};

use index::Index;
use violation::Report;

/// The safety properties P1, P2, P4, P5, P6 and P7: they hold at every
/// prefix of a run, whatever its faults.
pub fn check_safety(history: &History) -> Vec<Violation> {
    let ix = Index::new(history);
    let mut rep = Report::new();
    safety(&ix, &mut rep);
    rep.finish()
}

/// Liveness and P3 (self delivery), which only mean something once the run
/// has settled: see [`Liveness`].
pub fn check_liveness(history: &History, spec: &Liveness) -> Vec<Violation> {
    let ix = Index::new(history);
    let mut rep = Report::new();
    liveness::check(&ix, spec, &mut rep);
    rep.finish()
}

/// Both [`check_safety`] and [`check_liveness`], indexing the history once.
pub fn check_all(history: &History, spec: &Liveness) -> Vec<Violation> {
    let ix = Index::new(history);
    let mut rep = Report::new();
    safety(&ix, &mut rep);
    liveness::check(&ix, spec, &mut rep);
    rep.finish()
}

fn safety(ix: &Index, rep: &mut Report) {
    once::check(ix, rep);
    configs::check(ix, rep);
    atomicity::check(ix, rep);
    causal::check(ix, rep);
    order::check(ix, rep);
    safe::check(ix, rep);
}
