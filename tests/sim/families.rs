//! The scenario families: how each (family, seed) becomes a `Scenario`.
//!
//! Sizes are mixed 1-16 but mostly small, and faults last a few seconds of virtual
//! time, so that hundreds of scenarios run in a couple of minutes. A `Plan` tracks who
//! is up while the schedule is drawn, so that actions make sense (crash someone up,
//! restart someone down) and at least one processor is always up.

use std::collections::BTreeSet;

use evs::totem::{Config, NodeId, Time, MS};

use super::app::{Workload, MAX_PAYLOAD, MSGID_LEN};
use super::network::LinkParams;
use super::rng::{derive, Rng};
use super::scenario::{settle, Action, Family, Scenario};

pub fn generate(family: Family, seed: u64) -> Scenario {
    let mut rng = Rng::new(derive(seed, &[family.tag(), 0x7363656e])); // "scen"
    match family {
        Family::Steady => steady(&mut rng, seed),
        Family::Loss => loss(&mut rng, seed),
        Family::Partition => partition(&mut rng, seed),
        Family::Crash => crash(&mut rng, seed),
        Family::Leave => leave(&mut rng, seed),
        Family::Churn => churn(&mut rng, seed),
        Family::Big => big(&mut rng, seed),
        Family::Slow => slow(&mut rng, seed),
        Family::Asym => super::fault_families::asym(&mut rng, seed),
        Family::Deaf => super::fault_families::deaf(&mut rng, seed),
        Family::Burst => super::fault_families::burst(&mut rng, seed),
        Family::Pause => super::fault_families::pause(&mut rng, seed),
        Family::Trigger => super::fault_families::trigger(&mut rng, seed),
        Family::Loss5 => loss5(&mut rng, seed),
    }
}

/// A ring size in [min, max], mostly small: 2-8 is three quarters of the draws.
pub fn pick_size(rng: &mut Rng, min: u32, max: u32) -> u32 {
    const BUCKETS: [(u32, u32, u32); 6] = [(1, 1, 4), (2, 3, 26), (4, 5, 26), (6, 8, 24), (9, 12, 12), (13, 16, 8)];
    let fit: Vec<(u32, u32, u32)> = BUCKETS
        .iter()
        .filter(|&&(lo, hi, _)| hi >= min && lo <= max)
        .map(|&(lo, hi, w)| (lo.max(min), hi.min(max), w))
        .collect();
    let weights: Vec<u32> = fit.iter().map(|b| b.2).collect();
    let (lo, hi, _) = fit[rng.weighted(&weights)];
    rng.between(lo as u64, hi as u64) as u32
}

fn ms(rng: &mut Rng, lo: u64, hi: u64) -> Time {
    rng.between(lo, hi) * MS
}

/// A LAN: 50-300 us one way, a little jitter, nothing lost.
pub fn clean_net(rng: &mut Rng) -> LinkParams {
    LinkParams { loss: 0.0, dup: 0.0, delay: rng.between(50, 300), jitter: rng.between(0, 100) }
}

/// A bad network: up to 30% loss, up to 10% duplication, jitter up to 3 ms (reordering).
fn lossy_net(rng: &mut Rng) -> LinkParams {
    LinkParams {
        loss: if rng.bernoulli(0.1) { 0.0 } else { rng.uniform(0.0, 0.3) },
        dup: if rng.bernoulli(0.5) { 0.0 } else { rng.uniform(0.0, 0.1) },
        delay: rng.between(50, 1000),
        jitter: *rng.choose(&[0, 100, 500, 1000, 3000]),
    }
}

fn mix(rng: &mut Rng) -> [u32; 4] {
    match rng.below(8) {
        0 => [0, 0, 1, 0],
        1 => [0, 0, 0, 1],
        2 => [1, 0, 0, 0],
        3 => [1, 1, 1, 1],
        _ => loop {
            let m = [rng.below(4) as u32, rng.below(4) as u32, rng.below(4) as u32, rng.below(4) as u32];
            if m.iter().sum::<u32>() > 0 {
                break m;
            }
        },
    }
}

/// A workload of `total` (drawn in [lo, hi]) messages per second over the `n` processors.
pub fn workload(rng: &mut Rng, n: u32, (lo, hi): (u64, u64), stop: Time) -> Workload {
    let mut total = rng.between(lo, hi) as f64;
    // Payloads from 16 B to 64 KiB (fragmentation), the big ones at low rates so that
    // a run stays cheap; tiny ones (1-15 B, identified through the harness's table)
    // in a fifth of the runs.
    let max_padding = *rng.choose(&[0, 16, 200, 200, 200, 4_000, MAX_PAYLOAD - MSGID_LEN]);
    if max_padding > 1_000 {
        total = total.min(100.0);
    }
    Workload {
        rate: total / n as f64,
        burst: *rng.choose(&[1, 1, 1, 2, 4, 8]),
        mix: mix(rng),
        max_padding,
        tiny: if rng.bernoulli(0.2) { 0.3 } else { 0.0 },
        stop,
        retry_min: MS,
        retry_max: 5 * MS,
        max_owed: 2_000,
    }
}

/// Start times: often all at once, else spread over `spread` (a staggered start
/// makes small rings that must merge).
pub fn starts(rng: &mut Rng, n: u32, spread: Time) -> Vec<(NodeId, Time)> {
    let together = rng.bernoulli(0.5);
    (1..=n).map(|id| (id, if together { 0 } else { rng.between(0, spread) })).collect()
}

/// A configuration for a run of `n` processors: the defaults in a third of the
/// runs, else every tunable drawn within the ratios the protocol needs
/// (consensus 1.2-2 x token as corosync asks, join well below consensus, windows
/// from tiny to generous, frames from a minimal IP MTU to jumbo and beyond, the
/// accelerated ring off or up to max_messages).
pub fn config(rng: &mut Rng, n: u32) -> Config {
    // The accelerated window comes from a sub-stream that does not advance
    // the caller's: the fault families draw their schedules from that stream
    // after the config, and seeds named in their files must stay the same
    // scenarios.
    let mut aring = Rng::new(derive(rng.clone().next_u64(), &[0x0061_7269_6e67]));
    let mut c = Config::new(1);
    if rng.bernoulli(0.34) {
        return c;
    }
    // Bigger rings need longer rotations before a token counts as lost.
    let floor = 200 + 10 * n as u64;
    c.token_timeout = rng.between(floor, floor + 1800) * MS;
    c.token_retransmits = rng.between(2, 6) as u32;
    c.join_timeout = rng.between(20, 100) * MS;
    c.consensus_timeout = c.token_timeout * rng.between(12, 20) / 10;
    c.merge_timeout = rng.between(100, 400) * MS;
    c.window_size = rng.between(8, 120) as u32;
    c.max_messages = rng.between(1, c.window_size.min(40) as u64) as u32;
    c.max_frame = *rng.choose(&[576, 1000, 1452, 1452, 9000, 65_000]);
    // The accelerated ring: off in a quarter of the runs, else from one frame
    // after the token to every new frame of a visit (the default config of a
    // third of the runs keeps its 8).
    c.accelerated_window = if aring.bernoulli(0.25) { 0 } else { aring.between(1, c.max_messages as u64) as u32 };
    c.validate().unwrap_or_else(|e| panic!("harness: drew an invalid config {c:?}: {e}"));
    c
}

#[allow(clippy::too_many_arguments)] // one call per family, every argument named at the call
fn finish(
    family: Family,
    seed: u64,
    starts: Vec<(NodeId, Time)>,
    clean: LinkParams,
    initial: LinkParams,
    workload: Workload,
    mut schedule: Vec<(Time, Action)>,
    faults_end: Time,
) -> Scenario {
    schedule.sort_by_key(|&(t, _)| t); // stable: same-time actions keep their order
    schedule.push((faults_end, Action::Clean));
    let n = starts.len() as u32;
    // From its own stream, so that drawing it shifts none of the schedule's draws.
    let config = config(&mut Rng::new(derive(seed, &[family.tag(), 0x636f6e66])), n);
    Scenario {
        family,
        seed,
        starts,
        clean_net: clean,
        initial_net: initial,
        workload,
        schedule,
        faults_end,
        end: faults_end + settle(&config),
        config,
    }
}

/// `finish` for a family that starts on the clean network with a drawn configuration.
#[allow(clippy::too_many_arguments)] // as `finish`
pub fn finish_with(
    family: Family,
    seed: u64,
    starts: Vec<(NodeId, Time)>,
    clean: LinkParams,
    workload: Workload,
    schedule: Vec<(Time, Action)>,
    faults_end: Time,
    config: Config,
) -> Scenario {
    let mut s = finish(family, seed, starts, clean, clean, workload, schedule, faults_end);
    s.end = faults_end + settle(&config);
    s.config = config;
    s
}

/// Who is up while a schedule is drawn.
struct Plan {
    schedule: Vec<(Time, Action)>,
    up: BTreeSet<NodeId>,
    /// Crashed or departed, and not coming back (yet).
    down: BTreeSet<NodeId>,
    /// Restarts already scheduled: (time, node).
    coming_back: Vec<(Time, NodeId)>,
    n: u32,
}

impl Plan {
    fn new(n: u32) -> Plan {
        Plan { schedule: Vec::new(), up: (1..=n).collect(), down: BTreeSet::new(), coming_back: Vec::new(), n }
    }

    /// Bring the scheduled restarts due by `t` into the up set.
    fn advance(&mut self, t: Time) {
        let (due, later): (Vec<_>, Vec<_>) = self.coming_back.iter().partition(|&&(at, _)| at <= t);
        self.coming_back = later;
        for (_, n) in due {
            self.down.remove(&n);
            self.up.insert(n);
        }
    }

    fn push(&mut self, t: Time, a: Action) {
        self.schedule.push((t, a));
    }

    /// Take a processor down at `t` (crash or leave), if one can go with another left up.
    fn take_down(&mut self, rng: &mut Rng, t: Time, crash: bool) -> Option<NodeId> {
        if self.up.len() < 2 {
            return None;
        }
        let ups: Vec<NodeId> = self.up.iter().copied().collect();
        let n = *rng.choose(&ups);
        self.up.remove(&n);
        self.down.insert(n);
        self.push(t, if crash { Action::Crash(n) } else { Action::Leave(n) });
        Some(n)
    }

    fn bring_back(&mut self, t: Time, n: NodeId) {
        self.push(t, Action::Restart(n));
        self.coming_back.push((t, n));
    }

    fn random_partition(&self, rng: &mut Rng) -> Vec<Vec<NodeId>> {
        split(rng, &(1..=self.n).collect::<Vec<_>>())
    }

    fn last_restart(&self) -> Time {
        self.coming_back.iter().map(|&(t, _)| t).max().unwrap_or(0)
    }
}

/// Split the nodes into 2-4 non-empty components (at most one per node).
pub fn split(rng: &mut Rng, nodes: &[NodeId]) -> Vec<Vec<NodeId>> {
    let mut v = nodes.to_vec();
    rng.shuffle(&mut v);
    let k = rng.between(2, 4.min(v.len() as u64).max(2)) as usize;
    let k = k.min(v.len()).max(1);
    // k - 1 distinct cut points in 1..len.
    let mut cuts: Vec<usize> = (1..v.len()).collect();
    rng.shuffle(&mut cuts);
    let mut cuts: Vec<usize> = cuts.into_iter().take(k - 1).collect();
    cuts.sort_unstable();
    let mut groups = Vec::new();
    let mut from = 0;
    for c in cuts.into_iter().chain(std::iter::once(v.len())) {
        let mut g = v[from..c].to_vec();
        g.sort_unstable();
        groups.push(g);
        from = c;
    }
    groups
}

/// No faults; a heavy workload, sometimes in bursts bigger than the send queue so
/// that QueueFull and retries happen.
fn steady(rng: &mut Rng, seed: u64) -> Scenario {
    let n = pick_size(rng, 1, 16);
    let clean = clean_net(rng);
    let stop = ms(rng, 2000, 4000);
    let mut w = workload(rng, n, (200, 3000), stop);
    if rng.bernoulli(0.2) {
        w.burst = rng.between(300, 1300) as u32;
        w.rate = rng.between(2000, 4000) as f64 / n as f64;
    }
    let starts = starts(rng, n, 500 * MS);
    finish(Family::Steady, seed, starts, clean, clean, w, Vec::new(), stop)
}

/// Phases of loss, duplication, jitter and one-way loss.
fn loss(rng: &mut Rng, seed: u64) -> Scenario {
    let n = pick_size(rng, 2, 10);
    let clean = clean_net(rng);
    let initial = if rng.bernoulli(0.3) { lossy_net(rng) } else { clean };
    let mut p = Plan::new(n);
    let mut t = ms(rng, 200, 1000);
    for _ in 0..rng.between(2, 5) {
        let net = lossy_net(rng);
        p.push(t, Action::Net(net));
        if n >= 2 && rng.bernoulli(0.3) {
            let from = rng.between(1, n as u64) as NodeId;
            let to = loop {
                let to = rng.between(1, n as u64) as NodeId;
                if to != from {
                    break to;
                }
            };
            p.push(t, Action::OneWayLoss { from, to, loss: rng.uniform(0.2, 1.0) });
        }
        t += ms(rng, 400, 1500);
    }
    let w = workload(rng, n, (100, 800), t);
    let starts = starts(rng, n, 300 * MS);
    finish(Family::Loss, seed, starts, clean, initial, w, p.schedule, t)
}

/// Split into 2-4 components and heal, one to three times.
fn partition(rng: &mut Rng, seed: u64) -> Scenario {
    let n = pick_size(rng, 2, 12);
    let clean = clean_net(rng);
    let mut p = Plan::new(n);
    let mut t = ms(rng, 300, 1500);
    let rounds = rng.between(1, 3);
    for round in 0..rounds {
        let groups = p.random_partition(rng);
        p.push(t, Action::Partition(groups));
        t += ms(rng, 300, 2500);
        let last = round + 1 == rounds;
        if last && rng.bernoulli(0.3) {
            break; // the final Clean heals it
        }
        p.push(t, Action::Heal);
        t += if last { ms(rng, 0, 1000) } else { ms(rng, 300, 2500) };
    }
    let w = workload(rng, n, (100, 600), t);
    let starts = starts(rng, n, 300 * MS);
    finish(Family::Partition, seed, starts, clean, clean, w, p.schedule, t)
}

/// One to three crashes (sometimes two at once); most crashed nodes restart, some
/// quickly (before the others notice), some never.
fn crash(rng: &mut Rng, seed: u64) -> Scenario {
    let n = pick_size(rng, 2, 12);
    let clean = clean_net(rng);
    let mut p = Plan::new(n);
    let mut t = ms(rng, 300, 1500);
    for _ in 0..rng.between(1, 3) {
        p.advance(t);
        let victims = if rng.bernoulli(0.2) { 2 } else { 1 };
        for _ in 0..victims {
            if let Some(v) = p.take_down(rng, t, true) {
                if rng.bernoulli(0.6) {
                    let back = t + if rng.bernoulli(0.3) { ms(rng, 50, 500) } else { ms(rng, 500, 4000) };
                    p.bring_back(back, v);
                }
            }
        }
        t += ms(rng, 1500, 4000);
    }
    let end = t.max(p.last_restart() + 500 * MS);
    let w = workload(rng, n, (100, 600), end);
    let starts = starts(rng, n, 300 * MS);
    finish(Family::Crash, seed, starts, clean, clean, w, p.schedule, end)
}

/// One to three graceful leaves; half of them come back as a new incarnation.
fn leave(rng: &mut Rng, seed: u64) -> Scenario {
    let n = pick_size(rng, 2, 10);
    let clean = clean_net(rng);
    let mut p = Plan::new(n);
    let mut t = ms(rng, 300, 1500);
    for _ in 0..rng.between(1, 3) {
        p.advance(t);
        if let Some(v) = p.take_down(rng, t, false) {
            if rng.bernoulli(0.5) {
                let back = t + ms(rng, 300, 3000);
                p.bring_back(back, v);
            }
        }
        t += ms(rng, 800, 3000);
    }
    let end = t.max(p.last_restart() + 500 * MS);
    let w = workload(rng, n, (100, 600), end);
    let starts = starts(rng, n, 300 * MS);
    finish(Family::Leave, seed, starts, clean, clean, w, p.schedule, end)
}

/// Many changes in quick succession (30-600 ms apart): partitions, heals, crashes,
/// restarts, leaves, loss; then some of the departed come back before the end.
fn churn(rng: &mut Rng, seed: u64) -> Scenario {
    let n = pick_size(rng, 3, 12);
    let clean = clean_net(rng);
    let mut p = Plan::new(n);
    let mut t = ms(rng, 200, 800);
    for _ in 0..rng.between(6, 14) {
        p.advance(t);
        let can_down = p.up.len() >= 2;
        let can_up = !p.down.is_empty();
        let weights = [
            20,                            // 0 partition
            15,                            // 1 heal
            if can_down { 15 } else { 0 }, // 2 crash
            if can_up { 15 } else { 0 },   // 3 restart
            if can_down { 10 } else { 0 }, // 4 leave
            10,                            // 5 lossy network
            5,                             // 6 clean network
            5,                             // 7 one-way loss
            5,                             // 8 slow receiver
        ];
        match rng.weighted(&weights) {
            0 => {
                let g = p.random_partition(rng);
                p.push(t, Action::Partition(g));
            }
            1 => p.push(t, Action::Heal),
            2 => {
                p.take_down(rng, t, true);
            }
            3 => {
                let downs: Vec<NodeId> = p.down.iter().copied().collect();
                let v = *rng.choose(&downs);
                p.bring_back(t, v);
                p.advance(t);
            }
            4 => {
                p.take_down(rng, t, false);
            }
            5 => p.push(t, Action::Net(lossy_net(rng))),
            6 => p.push(t, Action::Net(clean)),
            7 => {
                let from = rng.between(1, n as u64) as NodeId;
                let to = rng.between(1, n as u64) as NodeId;
                if from != to {
                    p.push(t, Action::OneWayLoss { from, to, loss: rng.uniform(0.3, 1.0) });
                }
            }
            _ => {
                let node = rng.between(1, n as u64) as NodeId;
                p.push(
                    t,
                    Action::Slow { node, per_ms: rng.between(1, 4) as u32, capacity: rng.between(8, 64) as usize },
                );
            }
        }
        t += ms(rng, 30, 600);
    }
    p.advance(t);
    let downs: Vec<NodeId> = p.down.iter().copied().collect();
    for v in downs {
        if rng.bernoulli(0.6) {
            p.bring_back(t + ms(rng, 0, 300), v);
        }
    }
    let end = t.max(p.last_restart()) + ms(rng, 300, 1000);
    let w = workload(rng, n, (100, 500), end);
    let starts = starts(rng, n, 300 * MS);
    finish(Family::Churn, seed, starts, clean, clean, w, p.schedule, end)
}

/// 64 processors form one ring and deliver a light workload.
fn big(rng: &mut Rng, seed: u64) -> Scenario {
    let n = 64;
    let clean = LinkParams { loss: 0.0, dup: 0.0, delay: rng.between(50, 150), jitter: rng.between(0, 50) };
    let stop = 3000 * MS;
    let mut w = workload(rng, n, (200, 200), stop);
    w.burst = 1;
    let starts = starts(rng, n, 300 * MS);
    finish(Family::Big, seed, starts, clean, clean, w, Vec::new(), stop)
}

/// One or two receivers that handle 1-4 packets per ms with a 8-64 packet buffer,
/// under a workload heavy enough to fill it.
fn slow(rng: &mut Rng, seed: u64) -> Scenario {
    let n = pick_size(rng, 3, 8);
    let clean = clean_net(rng);
    let mut p = Plan::new(n);
    let mut nodes: Vec<NodeId> = (1..=n).collect();
    rng.shuffle(&mut nodes);
    for &node in nodes.iter().take(rng.between(1, 2) as usize) {
        p.push(
            ms(rng, 0, 500),
            Action::Slow { node, per_ms: rng.between(1, 4) as u32, capacity: rng.between(8, 64) as usize },
        );
    }
    let end = ms(rng, 2500, 4000);
    let w = workload(rng, n, (500, 2000), end);
    let starts = starts(rng, n, 300 * MS);
    finish(Family::Slow, seed, starts, clean, clean, w, p.schedule, end)
}

/// 5% loss on every link for the whole run, a moderate load: what a lost token
/// costs in latency (sim_metrics prints self-delivery p50/p99 from it).
fn loss5(rng: &mut Rng, seed: u64) -> Scenario {
    let n = pick_size(rng, 3, 8);
    let clean = clean_net(rng);
    let lossy = LinkParams { loss: 0.05, ..clean };
    let end = ms(rng, 4000, 6000);
    let mut w = workload(rng, n, (200, 800), end);
    w.max_padding = 200;
    let schedule = vec![(0, Action::Net(lossy))];
    finish(Family::Loss5, seed, starts(rng, n, 0), clean, lossy, w, schedule, end)
}
