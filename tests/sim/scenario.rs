//! A scenario: everything a run does, decided up front from (family, seed).
//!
//! The schedule is plain data (Debug, PartialEq) so that a failing seed can be printed
//! and compared; `families.rs` generates it, `run.rs` plays it.

use evs::totem::{Config, NodeId, State, Time, MS};

use super::app::Workload;
use super::network::{BurstTarget, Cast, LinkParams};

/// After `faults_end`, every processor still meant to run must be in one ring and have
/// delivered what it should within this much virtual time. 10 s is ten token timeouts
/// (1000 ms each) and eight consensus timeouts (1200 ms): enough for token-loss
/// detection, a few gather rounds and recovery, and short enough to catch endless
/// gathering or retransmission.
pub const LIVENESS_BOUND: Time = 10_000 * MS;

/// Configuration changes a member of a progress window may see after start + B
/// beyond one per outsider event: a steady outsider fault (deaf, asymmetric,
/// lossy, frozen, flapping) may cost a couple of changes when it begins to bite
/// (the ring drops the outsider; it may come back once), never a stream of them.
pub const SETTLE_EXTRA_CHANGES: u32 = 2;

/// The progress bounds of a run, derived from its configuration (configs vary per seed).
///
/// B (`form`): the worst legitimate path to one ring for processors that have just
/// become able to talk cleanly:
/// - they may still sit in a ring with an outsider that went silent: the token loss
///   is noticed after `token_timeout`;
/// - a gather round ends in consensus or, after `consensus_timeout`, fails the silent
///   candidates; a processor heard in mid-round restarts it: two rounds;
/// - separate rings find each other by merge-detect, one per `merge_timeout`
///   (allow two, one may fall in a change);
/// - set changes travel in joins every `join_timeout`: ten rounds;
/// - commit and recovery take a few rotations; a lost commit token costs a token
///   retransmit interval: four of them;
/// - a processor that failed a formation with another just before the window
///   began (the fault that ended it was still on) is kept out by that other for
///   up to `exclusion_cap` (`src/totem/exclusion.rs`): four consensus timeouts.
///   This is the price of a ring that settles while a processor's fault lasts
///   instead of re-admitting it every merge timeout. Or, which starts at the
///   same installation and runs alongside, rings the gathering cut apart along
///   a poor link that has healed since stay apart until the link's hearer has
///   heard a run of the other side's detects (`Config::cut_link_heal`: twelve
///   merge intervals; asym seed 100731, where the merge interval was 355 ms
///   and the token timeout short, merged 4.1 s after the heal, past a B of
///   3.9 s that left this path out): the longer of the two.
///
/// With the defaults (1000, 1200, 200, 50 ms, 4 retransmits) B = 1000 + 2400 + 400 +
/// 500 + 4 x 238 + max(4800, 2400) = 10052 ms.
///
/// D (`deliver`): a message submitted while the ring works may be caught by an
/// outsider's crash or departure, which stalls the ring along the path above,
/// but for the exclusion and the cut links (they keep processors out or rings
/// apart; they stall no ring): D = 5252 ms with the defaults.
pub fn progress_bounds(c: &Config) -> evs::check::Progress {
    let deliver = c.token_timeout
        + 2 * c.consensus_timeout
        + 2 * c.merge_timeout
        + 10 * c.join_timeout
        + 4 * c.token_retransmit_interval();
    let form = deliver + c.exclusion_cap().max(c.cut_link_heal());
    evs::check::Progress { form, deliver, extra_changes: SETTLE_EXTRA_CHANGES }
}

/// How long a run goes on after `faults_end` (clean network, no submissions): longer
/// than the liveness bound so that the checker sees the settled state.
pub const SETTLE: Time = 15_000 * MS;

/// The liveness bound of a run with config `c`: [`LIVENESS_BOUND`], or B if the
/// config's timeouts make B longer (a processor left out of a formation just
/// before the faults ended may be kept out for the exclusion cap, which B holds).
pub fn liveness_bound(c: &Config) -> Time {
    LIVENESS_BOUND.max(progress_bounds(c).form)
}

/// How long a run with config `c` goes on after `faults_end`: [`SETTLE`], or 5 s
/// past its liveness bound if that is later.
pub fn settle(c: &Config) -> Time {
    SETTLE.max(liveness_bound(c) + 5_000 * MS)
}

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
    Asym,
    Deaf,
    Burst,
    Pause,
    Trigger,
    /// Measured by sim_metrics only (no test file): latency under 5% loss.
    Loss5,
}

impl Family {
    pub const ALL: [Family; 14] = [
        Family::Steady,
        Family::Loss,
        Family::Partition,
        Family::Crash,
        Family::Leave,
        Family::Churn,
        Family::Big,
        Family::Slow,
        Family::Asym,
        Family::Deaf,
        Family::Burst,
        Family::Pause,
        Family::Trigger,
        Family::Loss5,
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
            Family::Asym => "asym",
            Family::Deaf => "deaf",
            Family::Burst => "burst",
            Family::Pause => "pause",
            Family::Trigger => "trigger",
            Family::Loss5 => "loss5",
        }
    }

    /// Scenarios a plain `cargo test` runs (EVS_SIM_SEEDS overrides): 1228 in all,
    /// halved from 2056 when the fault families (and drawn configs and 64 KiB
    /// payloads) came, to keep the suite near a minute on 2 shared cores;
    /// `make soak` runs many more.
    pub fn default_seeds(self) -> u64 {
        match self {
            Family::Steady => 100,
            Family::Loss => 200,
            Family::Partition => 200,
            Family::Crash => 150,
            Family::Leave => 100,
            Family::Churn => 200,
            Family::Big => 4,
            Family::Slow => 80,
            // The fault families run 12-16 s of faults each: fewer seeds
            // (asym's 100 were judged in `make check` before its progress
            // property was, and it takes 20 s on 2 cores).
            Family::Asym => 100,
            Family::Deaf => 12,
            Family::Burst => 20,
            Family::Pause => 20,
            Family::Trigger => 30,
            Family::Loss5 => 12,
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
    /// Extra loss of multicasts only, unicasts only or both on one directed link.
    CastLoss {
        from: NodeId,
        to: NodeId,
        cast: Cast,
        loss: f64,
    },
    /// The node receives nothing (its own multicasts included) but still sends; `on: false` cures it.
    Deaf {
        node: NodeId,
        on: bool,
    },
    /// From now on the target loses everything for `length` out of every `period`.
    Bursts {
        target: BurstTarget,
        period: Time,
        length: Time,
    },
    StopBursts(BurstTarget),
    /// The process is frozen (SIGSTOP) for `length`: no timer fires, no submit, packets
    /// wait in a socket buffer of `capacity` (the rest is dropped), all handled on resume.
    Pause {
        node: NodeId,
        length: Time,
        capacity: usize,
    },
    /// The node's next unicast (a token, or a commit token) is lost.
    DropNextToken(NodeId),
    /// Armed now; `then` is applied the first time `node` enters `state` afterwards
    /// (at that instant, before any other event): a fault aimed at a protocol phase.
    When {
        node: NodeId,
        state: State,
        then: Box<Action>,
    },
    /// The end of the faults: heal, clean links (the scenario's `clean_net`), no
    /// one-way or cast loss, no deafness, no bursts, no slow receivers, unarmed
    /// triggers (pauses run their course: a frozen process resumes when it resumes).
    Clean,
}

impl Action {
    /// Whether the action changes who can talk to whom (and so interrupts a timing).
    pub fn is_topology(&self) -> bool {
        matches!(
            self,
            Action::Partition(_)
                | Action::Heal
                | Action::Crash(_)
                | Action::Restart(_)
                | Action::Leave(_)
                | Action::Deaf { .. }
                | Action::Pause { .. }
        )
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
    /// When the run stops: faults_end + settle(config).
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
