//! evs-check: judge the logs of real processes against the EVS properties.
//!
//! Usage: evs-check [--faults-end T_US] [--bound MS] [--until T_US] LOG...
//!
//! Each LOG is one process's callback log (see `evs::check::parse_log`).
//! Liveness: every process still running at the end must finish in one
//! common regular configuration of exactly the running processes, installed
//! by `faults-end + bound` (faults-end defaults to the run's first record,
//! bound to 10 s). `--until T_US` judges only the records up to T_US, and only
//! the safety properties, which hold at every prefix of a run (liveness needs
//! its end): for a run whose later part is known to break them (t-hostile.sh's
//! unkeyed ring under forged packets). Exit status 0 when no property is
//! violated, 1 otherwise, 2 for a usage or log error.

use std::process::ExitCode;

use evs::check::{check_all, check_safety, parse_log, History, Liveness, Record};

fn main() -> ExitCode {
    let mut faults_end: Option<u64> = None;
    let mut bound_ms: u64 = 10_000;
    let mut until: Option<u64> = None;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let value = |args: &mut dyn Iterator<Item = String>| args.next().and_then(|v| v.parse::<u64>().ok());
        match a.as_str() {
            "--faults-end" => match value(&mut args) {
                Some(v) => faults_end = Some(v),
                None => return usage(),
            },
            "--bound" => match value(&mut args) {
                Some(v) => bound_ms = v,
                None => return usage(),
            },
            "--until" => match value(&mut args) {
                Some(v) => until = Some(v),
                None => return usage(),
            },
            "-h" | "--help" => return usage(),
            _ => paths.push(a),
        }
    }
    if paths.is_empty() {
        return usage();
    }
    let mut history = History::default();
    for path in &paths {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("evs-check: {path}: {e}");
                return ExitCode::from(2);
            }
        };
        match parse_log(path, &text) {
            Ok(p) => history.processes.push(p),
            Err(e) => {
                eprintln!("evs-check: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if let Some(t) = until {
        for p in &mut history.processes {
            p.records.retain(|r| match r {
                Record::Submit { at, .. } | Record::Deliver { at, .. } | Record::Config { at, .. } => *at <= t,
            });
        }
    }
    // Without a fault time, liveness is measured from the first record of the run.
    let first = history
        .processes
        .iter()
        .flat_map(|p| p.records.first())
        .map(|r| match r {
            Record::Submit { at, .. } | Record::Deliver { at, .. } | Record::Config { at, .. } => *at,
        })
        .min()
        .unwrap_or(0);
    let spec = Liveness { faults_end: faults_end.unwrap_or(first), bound: bound_ms * 1000 };
    let (mut submitted, mut delivered, mut configs) = (0usize, 0usize, 0usize);
    for p in &history.processes {
        for r in &p.records {
            match r {
                Record::Submit { .. } => submitted += 1,
                Record::Deliver { .. } => delivered += 1,
                Record::Config { .. } => configs += 1,
            }
        }
    }
    if let Some(t0) = faults_end {
        // How long each running process took to install its final configuration.
        for p in &history.processes {
            let last_regular = p.records.iter().rev().find_map(|r| match r {
                Record::Config { at, change } if change.kind == evs::totem::ConfigKind::Regular => Some(*at),
                _ => None,
            });
            if let (evs::check::Ending::Running, Some(at)) = (p.ending, last_regular) {
                println!(
                    "evs-check: node {} installed its final regular configuration {} ms after the fault",
                    p.node,
                    at.saturating_sub(t0) / 1000
                );
            }
        }
    }
    let violations = match until {
        Some(t) => {
            println!("evs-check: the records up to {t} only, safety properties only");
            check_safety(&history)
        }
        None => check_all(&history, &spec),
    };
    println!(
        "evs-check: {} processes, {submitted} messages sent, {delivered} deliveries, {configs} configuration changes",
        history.processes.len()
    );
    for v in &violations {
        println!("  {v}");
    }
    if violations.is_empty() {
        println!("evs-check: all EVS properties hold");
        ExitCode::SUCCESS
    } else {
        println!("evs-check: {} violations", violations.len());
        ExitCode::from(1)
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: evs-check [--faults-end T_US] [--bound MS] [--until T_US] LOG...");
    ExitCode::from(2)
}
