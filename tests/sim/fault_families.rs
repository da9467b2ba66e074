//! The families of asymmetric and partial faults: one-way and cast-only loss,
//! deaf processors, loss bursts, pauses, and faults triggered by protocol state.
//!
//! Their faults last longer than the progress bounds B + D (about 10.5 s with the
//! default timeouts) so that the progress property judges the ring *during* them;
//! the workload is light to keep that much virtual time cheap.

use evs::totem::{NodeId, State, Time, MS};

use super::families::{clean_net, finish_with, pick_size, split, starts, workload};
use super::network::{BurstTarget, Cast};
use super::rng::Rng;
use super::scenario::{progress_bounds, Action, Family, Scenario};

/// How long a fault phase lasts: past B + D of the scenario's config, plus 1-4 s.
fn phase(rng: &mut Rng, config: &evs::totem::Config) -> Time {
    let b = progress_bounds(config);
    b.form + b.deliver + rng.between(1000, 4000) * MS
}

fn other(rng: &mut Rng, n: u32, not: NodeId) -> NodeId {
    loop {
        let x = rng.between(1, n as u64) as NodeId;
        if x != not {
            return x;
        }
    }
}

/// One-way links, multicast-only and unicast-only loss between some pairs; the
/// other links stay clean.
pub fn asym(rng: &mut Rng, seed: u64) -> Scenario {
    let n = pick_size(rng, 3, 8);
    let config = super::families::config(rng, n);
    let clean = clean_net(rng);
    let mut schedule = Vec::new();
    let t0 = rng.between(300, 1500) * MS;
    let mut t = t0;
    for _ in 0..rng.between(1, 2) {
        for _ in 0..rng.between(1, 3) {
            let from = rng.between(1, n as u64) as NodeId;
            let to = other(rng, n, from);
            let cast = *rng.choose(&[Cast::Multicast, Cast::Unicast, Cast::Both]);
            let loss = if rng.bernoulli(0.7) { 1.0 } else { rng.uniform(0.3, 0.9) };
            schedule.push((t, Action::CastLoss { from, to, cast, loss }));
        }
        t += phase(rng, &config);
    }
    let w = workload(rng, n, (50, 300), t);
    finish_with(Family::Asym, seed, starts(rng, n, 300 * MS), clean, w, schedule, t, config)
}

/// A processor that sends but never receives, for seconds, while the others flood;
/// sometimes it is deaf from its start.
pub fn deaf(rng: &mut Rng, seed: u64) -> Scenario {
    let n = pick_size(rng, 3, 8);
    let config = super::families::config(rng, n);
    let clean = clean_net(rng);
    let victim = rng.between(1, n as u64) as NodeId;
    let from_start = rng.bernoulli(0.3);
    let t0 = if from_start { 0 } else { rng.between(500, 2000) * MS };
    let end = t0 + phase(rng, &config);
    let mut schedule = vec![(t0, Action::Deaf { node: victim, on: true })];
    if rng.bernoulli(0.3) {
        // Cured before the end: the ring must take it back (one event), then settle.
        schedule.push((end - rng.between(1000, 3000) * MS, Action::Deaf { node: victim, on: false }));
    }
    let w = workload(rng, n, (300, 1500), end);
    let mut st = starts(rng, n, 300 * MS);
    if from_start {
        // Deaf from its first instant: the action at 0 lands before any packet does.
        st.iter_mut().for_each(|s| s.1 = 0);
    }
    finish_with(Family::Deaf, seed, st, clean, w, schedule, end, config)
}

/// Loss bursts on a node or a link, shorter than half the token timeout (so that
/// the ring should ride them out with retransmissions), repeated for seconds.
pub fn burst(rng: &mut Rng, seed: u64) -> Scenario {
    let n = pick_size(rng, 2, 8);
    let config = super::families::config(rng, n);
    let clean = clean_net(rng);
    let t0 = rng.between(300, 1500) * MS;
    let end = t0 + phase(rng, &config);
    let mut schedule = Vec::new();
    let trains = rng.between(1, 2);
    // Two trains may hit the same link (a node's train hits all its links) and
    // line up back to back: each burst gets half the room, and each gap is
    // longer than any burst, so that no burst of one train bridges a gap of the
    // other: an outage stays under half the token timeout.
    let longest = config.token_timeout / MS / 2 / trains;
    for _ in 0..trains {
        let a = rng.between(1, n as u64) as NodeId;
        let target = if rng.bernoulli(0.5) { BurstTarget::Node(a) } else { BurstTarget::Link(a, other(rng, n, a)) };
        let length = rng.between(5, longest.max(6)) * MS;
        let period = length + rng.between(100, 2000).max(longest + 1) * MS;
        schedule.push((t0, Action::Bursts { target, period, length }));
    }
    let w = workload(rng, n, (50, 400), end);
    finish_with(Family::Burst, seed, starts(rng, n, 300 * MS), clean, w, schedule, end, config)
}

/// Pauses (SIGSTOP) longer than the token timeout, then resume with the backlog.
pub fn pause(rng: &mut Rng, seed: u64) -> Scenario {
    let n = pick_size(rng, 2, 8);
    let config = super::families::config(rng, n);
    let clean = clean_net(rng);
    let mut schedule = Vec::new();
    let mut t = rng.between(500, 2000) * MS;
    for _ in 0..rng.between(1, 2) {
        let node = rng.between(1, n as u64) as NodeId;
        let length = config.token_timeout * rng.between(12, 40) / 10;
        let capacity = *rng.choose(&[8usize, 64, 512]);
        schedule.push((t, Action::Pause { node, length, capacity }));
        t += length + phase(rng, &config) / 2;
    }
    let w = workload(rng, n, (50, 400), t);
    finish_with(Family::Pause, seed, starts(rng, n, 300 * MS), clean, w, schedule, t, config)
}

/// Faults fired by a processor's state transition: the token lost in Commit, a
/// partition in Recovery, a member crashing between the first and the last
/// installation, and C's multicasts stopping to reach B at the commit token.
/// The reconfiguration they aim at is the first formation, or the merge of a
/// restarted processor.
pub fn trigger(rng: &mut Rng, seed: u64) -> Scenario {
    let n = pick_size(rng, 3, 8);
    let config = super::families::config(rng, n);
    let clean = clean_net(rng);
    let mut schedule = Vec::new();
    // Arm at 0 (the first formation) or at a restart after a crash.
    let arm = if rng.bernoulli(0.5) {
        0
    } else {
        let z = rng.between(1, n as u64) as NodeId;
        let t = rng.between(500, 1500) * MS;
        schedule.push((t, Action::Crash(z)));
        let back = t + rng.between(1500, 3000) * MS;
        schedule.push((back, Action::Restart(z)));
        back
    };
    let x = rng.between(1, n as u64) as NodeId;
    let y = other(rng, n, x);
    let mut end = arm + rng.between(3000, 6000) * MS;
    let (state, then) = match rng.below(4) {
        0 => (State::Commit, Action::DropNextToken(x)),
        1 => {
            let nodes: Vec<NodeId> = (1..=n).collect();
            schedule.push((arm + rng.between(1000, 2500) * MS, Action::Heal));
            (State::Recovery, Action::Partition(split(rng, &nodes)))
        }
        2 => (State::Operational, Action::Crash(y)),
        _ => {
            end = arm + phase(rng, &config);
            (State::Recovery, Action::CastLoss { from: y, to: x, cast: Cast::Multicast, loss: 1.0 })
        }
    };
    schedule.push((arm, Action::When { node: x, state, then: Box::new(then) }));
    let w = workload(rng, n, (50, 300), end);
    finish_with(Family::Trigger, seed, starts(rng, n, 300 * MS), clean, w, schedule, end, config)
}
