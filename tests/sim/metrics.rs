//! What a run measures, in virtual time, and how runs are summed up.
//!
//! Membership metrics are "watches": opened when the scenario does something (a crash,
//! a heal, a leave, the start), closed when every survivor has installed a regular
//! configuration that reflects it. A watch still open when the next topology fault
//! comes is interrupted rather than measured, so that each sample times one cause.

use std::collections::{BTreeMap, BTreeSet};

use evs::check::{History, Record};
use evs::totem::{ConfigKind, Counters, Guarantee, NodeId, RingId, Time, MS};

use super::network::NetStats;

#[derive(Clone, Debug, Default)]
pub struct RunMetrics {
    /// From the last start to every processor in one ring with all of them.
    pub form: Vec<Time>,
    /// From a crash to every survivor's regular configuration without the crashed node.
    pub crash: Vec<Time>,
    /// From a heal to every live processor in the merged configuration.
    pub heal: Vec<Time>,
    /// From a graceful leave to every other processor's regular configuration without it.
    pub leave: Vec<Time>,
    /// From a restart to every running processor in one ring that includes it.
    pub join: Vec<Time>,
    /// Submit to self-delivery latency, per guarantee (index = Guarantee as usize).
    pub latency: [Vec<Time>; 4],
    /// The same, counted in token rotations: the tokens the sender forwarded
    /// between submit and self-delivery.
    pub latency_rotations: [Vec<u64>; 4],
    /// Intervals between successive unicast sends of a processor while operational
    /// and under load: each is one token visit, so one rotation (an estimate: token
    /// retransmissions and the idle hold distort it; the steady family has neither).
    pub rotation: Vec<Time>,
    pub interrupted: u64,
    pub unresolved: u64,
    pub submitted: u64,
    pub delivered: u64,
    pub queue_full: u64,
    pub slow_dropped: u64,
    /// Packets a frozen process's socket buffer had no room for.
    pub pause_dropped: u64,
    pub dead_on_arrival: u64,
    /// The processors' own counters, summed over every incarnation.
    pub counters: Counters,
    /// Regular configurations that brought together processors coming from
    /// different regular configurations (see `count_merges`).
    pub merges: u64,
    pub net: NetStats,
    pub events: u64,
}

impl RunMetrics {
    /// Add one incarnation's counters to the run's.
    pub fn add_counters(&mut self, c: &Counters) {
        self.counters.accumulate(c);
    }
    pub fn latency_of(&mut self, g: Guarantee) -> &mut Vec<Time> {
        &mut self.latency[g as usize]
    }

    /// The median measured rotation, if any.
    pub fn rotation_estimate(&self) -> Option<Time> {
        median(&self.rotation)
    }
}

/// Merges, from the histories: regular rings some of whose installers came from
/// two or more different regular rings (a first configuration comes from none).
pub fn count_merges(h: &History) -> u64 {
    let mut from: BTreeMap<RingId, BTreeSet<RingId>> = BTreeMap::new();
    for p in &h.processes {
        let mut previous: Option<RingId> = None;
        for r in &p.records {
            if let Record::Config { change, .. } = r {
                if change.kind == ConfigKind::Regular {
                    let e = from.entry(change.ring_id).or_default();
                    if let Some(prev) = previous {
                        e.insert(prev);
                    }
                    previous = Some(change.ring_id);
                }
            }
        }
    }
    from.values().filter(|s| s.len() >= 2).count() as u64
}

pub fn median(v: &[Time]) -> Option<Time> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_unstable();
    Some(s[s.len() / 2])
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchKind {
    Form,
    Crash,
    Heal,
    Leave,
    Join,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A regular configuration without this node.
    Without(NodeId),
    /// A regular configuration of exactly these nodes.
    Exactly(Vec<NodeId>),
}

impl Target {
    fn met_by(&self, members: &[NodeId]) -> bool {
        match self {
            Target::Without(n) => !members.contains(n),
            Target::Exactly(set) => set.as_slice() == members,
        }
    }
}

#[derive(Clone, Debug)]
struct Watch {
    kind: WatchKind,
    started: Time,
    waiting: BTreeSet<NodeId>,
    target: Target,
}

#[derive(Clone, Debug, Default)]
pub struct Watches {
    open: Vec<Watch>,
}

impl Watches {
    /// Start timing: done when each of `survivors` installs a regular configuration
    /// meeting `target`.
    pub fn open(&mut self, kind: WatchKind, now: Time, survivors: &[NodeId], target: Target) {
        if survivors.is_empty() {
            return;
        }
        let target = match target {
            Target::Exactly(mut v) => {
                v.sort_unstable();
                Target::Exactly(v)
            }
            t => t,
        };
        self.open.push(Watch { kind, started: now, waiting: survivors.iter().copied().collect(), target });
    }

    /// A new topology fault: whatever is still being timed no longer has one cause.
    pub fn interrupt(&mut self, m: &mut RunMetrics) {
        m.interrupted += self.open.len() as u64;
        self.open.clear();
    }

    /// `node` installed a regular configuration of `members` (sorted) at `now`.
    pub fn on_regular(&mut self, now: Time, node: NodeId, members: &[NodeId], m: &mut RunMetrics) {
        let mut i = 0;
        while i < self.open.len() {
            let w = &mut self.open[i];
            if w.waiting.contains(&node) && w.target.met_by(members) {
                w.waiting.remove(&node);
            }
            if w.waiting.is_empty() {
                let w = self.open.remove(i);
                let d = now - w.started;
                match w.kind {
                    WatchKind::Form => m.form.push(d),
                    WatchKind::Crash => m.crash.push(d),
                    WatchKind::Heal => m.heal.push(d),
                    WatchKind::Leave => m.leave.push(d),
                    WatchKind::Join => m.join.push(d),
                }
            } else {
                i += 1;
            }
        }
    }

    /// The run is over: what is still open was never reached.
    pub fn finish(&mut self, m: &mut RunMetrics) {
        m.unresolved += self.open.len() as u64;
        self.open.clear();
    }
}

/// Samples pooled over many runs, printed as min / median / max.
#[derive(Clone, Debug, Default)]
pub struct Aggregate {
    /// "name [unit]" -> samples
    rows: BTreeMap<String, Vec<f64>>,
    counters: BTreeMap<String, u64>,
    pub runs: u64,
}

fn ms(t: Time) -> f64 {
    t as f64 / MS as f64
}

impl Aggregate {
    pub fn push(&mut self, name: &str, unit: &'static str, v: f64) {
        self.rows.entry(format!("{name} [{unit}]")).or_default().push(v);
    }

    pub fn count(&mut self, name: &str, v: u64) {
        *self.counters.entry(name.to_string()).or_default() += v;
    }

    pub fn add_run(&mut self, m: &RunMetrics) {
        self.runs += 1;
        for (name, v) in [
            ("form", &m.form),
            ("crash_to_regular", &m.crash),
            ("heal_to_merged", &m.heal),
            ("leave_to_regular", &m.leave),
            ("restart_to_joined", &m.join),
        ] {
            for &t in v {
                self.push(name, "ms", ms(t));
            }
        }
        let rotation = m.rotation_estimate();
        if let Some(r) = rotation {
            self.push("rotation(est, per run)", "ms", ms(r));
        }
        for (i, name) in ["unordered", "fifo", "agreed", "safe"].iter().enumerate() {
            for &t in &m.latency[i] {
                self.push(&format!("latency_{name}"), "ms", ms(t));
                if let Some(r) = rotation.filter(|&r| r > 0) {
                    self.push(&format!("latency_{name}"), "rotations, est.", t as f64 / r as f64);
                }
            }
            for &n in &m.latency_rotations[i] {
                self.push(&format!("latency_{name}"), "rotations", n as f64);
            }
        }
        self.count("submitted", m.submitted);
        self.count("delivered", m.delivered);
        self.count("queue_full", m.queue_full);
        self.count("slow_dropped", m.slow_dropped);
        self.count("net_copies", m.net.copies);
        self.count("net_lost", m.net.lost);
        self.count("net_partitioned", m.net.partitioned);
        self.count("net_duplicated", m.net.duplicated);
        self.count("watches_interrupted", m.interrupted);
        self.count("watches_unresolved", m.unresolved);
        self.count("events", m.events);
        self.count("pause_dropped", m.pause_dropped);
        self.count("net_faulted", m.net.faulted);
        for (name, v) in coverage(m) {
            self.count(name, v);
        }
    }

    pub fn render(&self, title: &str) -> String {
        let mut out = format!("== {title} ({} runs)\n", self.runs);
        out += &format!("{:<34} {:>8} {:>10} {:>10} {:>10} {:>10}\n", "metric", "n", "min", "median", "p99", "max");
        for (name, v) in &self.rows {
            let mut s = v.clone();
            s.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let at = |q: f64| s[((s.len() - 1) as f64 * q).round() as usize];
            out += &format!(
                "{:<34} {:>8} {:>10.3} {:>10.3} {:>10.3} {:>10.3}\n",
                name,
                s.len(),
                s[0],
                at(0.5),
                at(0.99),
                s[s.len() - 1]
            );
        }
        for (name, v) in &self.counters {
            out += &format!("{:<34} {:>8}\n", name, v);
        }
        out
    }
}

/// The coverage counts of a run, by the names the batch report and the family
/// thresholds use.
pub fn coverage(m: &RunMetrics) -> [(&'static str, u64); 13] {
    let c = &m.counters;
    [
        ("cov_transitional_deliveries", c.transitional_deliveries),
        ("cov_gap_skips", c.gap_skips),
        ("cov_recovery_frames_sent", c.recovery_frames_sent),
        ("cov_partial_resends", c.partial_resends),
        ("cov_packed_frames", c.packed_frames),
        ("cov_frames_after_token", c.frames_after_token),
        ("cov_merges", m.merges),
        ("cov_receive_failures", c.receive_failures),
        ("cov_token_retransmits", c.token_retransmits),
        ("cov_consensus_timeouts", c.consensus_timeouts),
        ("cov_newcomer_swaps", c.newcomer_swaps),
        ("cov_poor_link_gathers", c.poor_link_gathers),
        ("cov_lone_resumes", c.lone_resumes),
    ]
}

impl Aggregate {
    /// A summed counter (0 when never counted).
    pub fn counter(&self, name: &str) -> u64 {
        self.counters.get(name).copied().unwrap_or(0)
    }

    /// Pool another aggregate's samples and counters into this one.
    pub fn merge(&mut self, other: &Aggregate) {
        self.runs += other.runs;
        for (k, v) in &other.rows {
            self.rows.entry(k.clone()).or_default().extend_from_slice(v);
        }
        for (k, v) in &other.counters {
            *self.counters.entry(k.clone()).or_default() += v;
        }
    }
}
