//! A scenario: everything a run does, decided up front from (family, seed).
//!
//! The schedule is plain data (Debug, PartialEq) so that a failing seed can be printed
//! and compared; `families.rs` generates it, `run.rs` plays it.

use evs::totem::{Config, NodeId, Time, MS};

use super::app::Workload;
use super::network::LinkParams;

/// After `faults_end`, every processor still meant to run must be in one ring and have
/// delivered what it should within this much virtual time. 10 s is ten token timeouts
/// (1000 ms each) and eight consensus timeouts (1200 ms): enough for token-loss
/// detection, a few gather rounds and recovery, and short enough to catch endless
/// gathering or retransmission.
pub const LIVENESS_BOUND: Time = 10_000 * MS;

/// How long a run goes on after `faults_end` (clean network, no submissions): longer
/// than the liveness bound so that the checker sees the settled state.
pub const SETTLE: Time = 15_000 * MS;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    Steady,
    Loss,
    Partition,
    Crash,
    Leave,
    Churn,
    Big,
    Slow,
}

impl Family {
    pub const ALL: [Family; 8] = [
        Family::Steady,
        Family::Loss,
        Family::Partition,
        Family::Crash,
        Family::Leave,
        Family::Churn,
        Family::Big,
        Family::Slow,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Family::Steady => "steady",
            Family::Loss => "loss",
            Family::Partition => "partition",
            Family::Crash => "crash",
            Family::Leave => "leave",
            Family::Churn => "churn",
            Family::Big => "big",
            Family::Slow => "slow",
        }
    }

    /// Scenarios a plain `cargo test` runs (EVS_SIM_SEEDS overrides): 2056 in all,
    /// about 20 s on 2 cores; `make soak` runs 100000.
    pub fn default_seeds(self) -> u64 {
        match self {
            Family::Steady => 200,
            Family::Loss => 400,
            Family::Partition => 400,
            Family::Crash => 300,
            Family::Leave => 200,
            Family::Churn => 400,
            Family::Big => 6,
            Family::Slow => 150,
        }
    }

    /// A tag mixed into the seed so that seed 7 of two families are different runs.
    pub fn tag(self) -> u64 {
        self as u64 + 1
    }
}

/// One timed step of the fault schedule.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// New default parameters for every link.
    Net(LinkParams),
    /// Extra loss on one directed link only (asymmetric connectivity).
    OneWayLoss {
        from: NodeId,
        to: NodeId,
        loss: f64,
    },
    /// Split into these components (every node listed once).
    Partition(Vec<Vec<NodeId>>),
    Heal,
    Crash(NodeId),
    /// Start a new incarnation of a crashed or departed node.
    Restart(NodeId),
    Leave(NodeId),
    Slow {
        node: NodeId,
        per_ms: u32,
        capacity: usize,
    },
    /// The end of the faults: heal, clean links (the scenario's `clean_net`), no
    /// one-way loss, no slow receivers.
    Clean,
}

impl Action {
    /// Whether the action changes who can talk to whom (and so interrupts a timing).
    pub fn is_topology(&self) -> bool {
        matches!(self, Action::Partition(_) | Action::Heal | Action::Crash(_) | Action::Restart(_) | Action::Leave(_))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub family: Family,
    pub seed: u64,
    /// The processors and when each first starts.
    pub starts: Vec<(NodeId, Time)>,
    /// The network outside faults (and from `faults_end` on).
    pub clean_net: LinkParams,
    /// The network at time 0 (a family may start with faults already on).
    pub initial_net: LinkParams,
    pub workload: Workload,
    /// Sorted by time; ends with `Action::Clean` at `faults_end`.
    pub schedule: Vec<(Time, Action)>,
    pub faults_end: Time,
    /// When the run stops: faults_end + SETTLE.
    pub end: Time,
    /// Every processor's configuration; its `node_id` is replaced by each processor's own.
    pub config: Config,
}

impl Scenario {
    pub fn nodes(&self) -> Vec<NodeId> {
        let mut v: Vec<NodeId> = self.starts.iter().map(|&(n, _)| n).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// A one-line description for reports.
    pub fn summary(&self) -> String {
        format!(
            "{} seed {}: {} processors, {} actions, faults end at {} ms, rate {:.0}/s/node",
            self.family.name(),
            self.seed,
            self.starts.len(),
            self.schedule.len(),
            self.faults_end / MS,
            self.workload.rate
        )
    }
}
