//! Playing a scenario: build the cluster, apply the schedule at its times, let it
//! settle, judge the history.

use evs::check::History;
use evs::totem::{NodeId, Processor, Time};

use super::cluster::Cluster;
use super::metrics::{RunMetrics, Target, WatchKind};
use super::network::Burst;
use super::proto::Proto;
use super::rng::derive;
use super::scenario::{liveness_bound, progress_bounds, Action, Family, Scenario};
use super::trace;

pub struct Outcome {
    pub family: Family,
    pub seed: u64,
    pub history: History,
    pub metrics: RunMetrics,
    /// The checker's findings, one line each; empty when the run is correct.
    pub violations: Vec<String>,
}

/// The checker's verdict on a history, as lines of text.
pub fn judge(history: &History, faults_end: Time, bound: Time) -> Vec<String> {
    evs::check::check_all(history, &evs::check::Liveness { faults_end, bound }).iter().map(|v| v.to_string()).collect()
}

/// Run a scenario on the real processor and judge it.
pub fn run_scenario(s: &Scenario) -> Outcome {
    run_scenario_with::<Processor>(s, trace::level_from_env())
}

enum Step<'a> {
    Start(NodeId),
    Act(&'a Action),
}

/// Run a scenario on any `Proto` (the harness tests use a toy one).
pub fn run_scenario_with<P: Proto>(s: &Scenario, trace: u8) -> Outcome {
    if trace >= 1 {
        eprintln!(
            "scenario {}\n  starts {:?}\n  initial network {:?}\n  workload {:?}",
            s.summary(),
            s.starts,
            s.initial_net,
            s.workload
        );
        for (t, a) in &s.schedule {
            eprintln!("  at {:>14} {:?}", trace::fmt_time(*t), a);
        }
    }
    let mut c: Cluster<P> = Cluster::new(derive(s.seed, &[s.family.tag()]), s.initial_net, s.workload.clone(), trace);
    c.config = s.config.clone();

    let mut steps: Vec<(Time, Step)> = s.starts.iter().map(|&(n, t)| (t, Step::Start(n))).collect();
    steps.extend(s.schedule.iter().map(|(t, a)| (*t, Step::Act(a))));
    steps.sort_by_key(|&(t, _)| t); // stable: starts before same-time actions

    let all = s.nodes();
    let last_start = s.starts.iter().map(|&(_, t)| t).max().unwrap_or(0);
    c.snapshot_topology();
    for (t, step) in steps {
        advance(&mut c, s, t);
        match step {
            Step::Start(n) => {
                c.start(n);
                if t == last_start && c.live().len() == all.len() {
                    c.watches.open(WatchKind::Form, t, &all, Target::Exactly(all.clone()));
                }
            }
            Step::Act(a) => apply(&mut c, s, a),
        }
    }
    advance(&mut c, s, s.end);
    let windows = c.topology.windows(s.end);
    let (history, metrics) = c.finish();
    let mut violations = judge(&history, s.faults_end, liveness_bound(&s.config));
    violations.extend(judge_progress(&history, &windows, s));
    Outcome { family: s.family, seed: s.seed, history, metrics, violations }
}

/// The progress property over the run's connectivity windows, with the bounds of its config.
pub fn judge_progress(history: &History, windows: &[evs::check::Window], s: &Scenario) -> Vec<String> {
    let bounds = progress_bounds(&s.config);
    evs::check::check_progress(history, windows, &bounds)
        .iter()
        .map(|v| format!("{v} (B = {} ms, D = {} ms)", bounds.form / 1000, bounds.deliver / 1000))
        .collect()
}

/// Run up to `t`, applying state triggers at the instant they fire.
fn advance<P: Proto>(c: &mut Cluster<P>, s: &Scenario, t: Time) {
    loop {
        c.run_until(t);
        if c.fired.is_empty() {
            return;
        }
        for a in std::mem::take(&mut c.fired) {
            apply(c, s, &a);
        }
    }
}

/// The processors that will see the next configuration: running and not leaving.
fn staying<P: Proto>(c: &Cluster<P>) -> Vec<NodeId> {
    c.live().iter().copied().filter(|&n| !c.is_leaving(n)).collect()
}

fn apply<P: Proto>(c: &mut Cluster<P>, s: &Scenario, a: &Action) {
    if c.trace >= 1 {
        eprintln!("[{:>14}] FAULT {:?}", trace::fmt_time(c.now), a);
    }
    let now = c.now;
    if a.is_topology() {
        let Cluster { watches, metrics, .. } = c;
        watches.interrupt(metrics);
    }
    match a {
        Action::Net(p) => c.net.set_default(*p),
        Action::OneWayLoss { from, to, loss } => c.net.set_oneway_loss(*from, *to, *loss),
        Action::Partition(groups) => c.net.partition(groups),
        Action::Heal => heal(c, now),
        Action::Crash(n) => {
            if c.crash(*n) {
                let survivors = staying(c);
                c.watches.open(WatchKind::Crash, now, &survivors, Target::Without(*n));
            }
        }
        Action::Restart(n) => {
            if c.start(*n) {
                let members = staying(c);
                c.watches.open(WatchKind::Join, now, &members, Target::Exactly(members.clone()));
            } else if c.trace >= 1 {
                eprintln!("[{:>14}] restart of n{n} skipped: still running", trace::fmt_time(now));
            }
        }
        Action::Leave(n) => {
            if c.leave(*n) {
                let survivors = staying(c);
                c.watches.open(WatchKind::Leave, now, &survivors, Target::Without(*n));
            }
        }
        Action::Slow { node, per_ms, capacity } => c.set_slow(*node, *per_ms, *capacity),
        Action::CastLoss { from, to, cast, loss } => c.net.set_cast_loss(*from, *to, *cast, *loss),
        Action::Deaf { node, on } => c.net.set_deaf(*node, *on),
        Action::Bursts { target, period, length } => {
            c.net.add_burst(Burst { target: *target, start: now, period: *period, length: *length })
        }
        Action::StopBursts(target) => c.net.stop_bursts(*target),
        Action::Pause { node, length, capacity } => {
            c.pause(*node, *length, *capacity);
        }
        Action::DropNextToken(n) => c.net.drop_next_unicast(*n),
        Action::When { node, state, then } => c.arm(*node, *state, (**then).clone()),
        Action::Clean => {
            heal(c, now);
            c.net.set_default(s.clean_net);
            c.net.clear_links();
            c.net.clear_faults();
            c.disarm_all();
            for n in c.node_ids() {
                c.clear_slow(n);
            }
        }
    }
    c.snapshot_topology();
}

/// Heal the partition, timing the merge if there was one.
fn heal<P: Proto>(c: &mut Cluster<P>, now: Time) {
    if !c.net.is_partitioned() {
        return;
    }
    {
        let Cluster { watches, metrics, .. } = c;
        watches.interrupt(metrics);
    }
    c.net.heal();
    let members = staying(c);
    c.watches.open(WatchKind::Heal, now, &members, Target::Exactly(members.clone()));
}
