//! The simulated network: what happens to each packet between two processors.
//!
//! The network only decides fates (lost, or delivered at some time, maybe twice); the
//! cluster owns the event queue and the processors. Keeping the decisions here, as
//! plain functions of the parameters and the RNG, lets the harness tests check the
//! statistics without a processor.

use std::collections::{BTreeMap, BTreeSet};

use evs::totem::{Destination, NodeId, Time};

use super::rng::Rng;

/// How one directed link treats packets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkParams {
    /// Probability that a copy is lost.
    pub loss: f64,
    /// Probability that a copy that got through arrives a second time.
    pub dup: f64,
    /// Fixed part of the one-way delay.
    pub delay: Time,
    /// Uniform extra delay in [0, jitter]: copies sent close together can overtake
    /// each other, which is how the network reorders.
    pub jitter: Time,
}

impl LinkParams {
    /// A quiet LAN: no loss, no duplication, 100 us with a little jitter.
    pub fn clean() -> LinkParams {
        LinkParams { loss: 0.0, dup: 0.0, delay: 100, jitter: 20 }
    }
}

/// Which sends a per-link fault hits: the network's `route` knows a multicast
/// (`Destination::All`) from a unicast (`Destination::Node`, the token's way).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cast {
    Multicast,
    Unicast,
    Both,
}

impl Cast {
    fn hits(self, multicast: bool) -> bool {
        match self {
            Cast::Both => true,
            Cast::Multicast => multicast,
            Cast::Unicast => !multicast,
        }
    }
}

/// What a loss burst cuts off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BurstTarget {
    /// One directed link.
    Link(NodeId, NodeId),
    /// Everything to and from one node (its own loopback included).
    Node(NodeId),
}

/// Repeated total loss: from `start` on, the first `length` of every `period`.
/// Kept as a rule of time rather than as scheduled on/off actions so that a
/// burst train costs nothing per burst and the window computation sees one
/// steady fault (the whole train), not dozens of topology changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Burst {
    pub target: BurstTarget,
    pub start: Time,
    pub period: Time,
    pub length: Time,
}

impl Burst {
    fn covers(&self, from: NodeId, to: NodeId) -> bool {
        match self.target {
            BurstTarget::Link(a, b) => a == from && b == to,
            BurstTarget::Node(n) => n == from || n == to,
        }
    }

    fn touches(&self, n: NodeId) -> bool {
        match self.target {
            BurstTarget::Link(a, b) => a == n || b == n,
            BurstTarget::Node(m) => m == n,
        }
    }

    fn on_at(&self, now: Time) -> bool {
        now >= self.start && (now - self.start) % self.period.max(1) < self.length
    }
}

/// What the network did, for metrics and for the harness tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetStats {
    /// Copies the network was asked to carry (one per destination of a send).
    pub copies: u64,
    /// Copies scheduled for arrival (duplicates included).
    pub arrivals: u64,
    pub lost: u64,
    pub partitioned: u64,
    pub duplicated: u64,
    /// Copies addressed to a processor that is not running.
    pub to_dead: u64,
    /// Copies lost to a fault aimed at them: cast loss, deafness, bursts, a dropped token.
    pub faulted: u64,
}

pub struct Network {
    default: LinkParams,
    /// Per directed link (from, to) parameters replacing the default.
    links: BTreeMap<(NodeId, NodeId), LinkParams>,
    /// Per directed link extra loss, on top of the link's own: one-way (asymmetric) faults.
    oneway_loss: BTreeMap<(NodeId, NodeId), f64>,
    /// Per directed link extra loss of multicasts only or unicasts only.
    cast_loss: BTreeMap<(NodeId, NodeId, Cast), f64>,
    /// Processors that receive nothing (their own multicasts included) but still send.
    deaf: BTreeSet<NodeId>,
    bursts: Vec<Burst>,
    /// The next unicast each of these sends is lost (a one-shot token drop).
    drop_next_unicast: BTreeSet<NodeId>,
    /// Each node's component label; a node not in the map is in component 0.
    /// Packets between different components are dropped.
    component: BTreeMap<NodeId, u32>,
    pub stats: NetStats,
}

impl Network {
    pub fn new(default: LinkParams) -> Network {
        Network {
            default,
            links: BTreeMap::new(),
            oneway_loss: BTreeMap::new(),
            cast_loss: BTreeMap::new(),
            deaf: BTreeSet::new(),
            bursts: Vec::new(),
            drop_next_unicast: BTreeSet::new(),
            component: BTreeMap::new(),
            stats: NetStats::default(),
        }
    }

    pub fn default_params(&self) -> LinkParams {
        self.default
    }

    pub fn set_default(&mut self, p: LinkParams) {
        self.default = p;
    }

    pub fn set_link(&mut self, from: NodeId, to: NodeId, p: LinkParams) {
        self.links.insert((from, to), p);
    }

    pub fn clear_links(&mut self) {
        self.links.clear();
    }

    pub fn set_oneway_loss(&mut self, from: NodeId, to: NodeId, loss: f64) {
        self.oneway_loss.insert((from, to), loss);
    }

    pub fn clear_oneway_loss(&mut self) {
        self.oneway_loss.clear();
    }

    /// Extra loss of one kind of send on one directed link (`Cast::Both` is one-way loss).
    pub fn set_cast_loss(&mut self, from: NodeId, to: NodeId, cast: Cast, loss: f64) {
        if cast == Cast::Both {
            self.set_oneway_loss(from, to, loss);
        } else {
            self.cast_loss.insert((from, to, cast), loss);
        }
    }

    pub fn set_deaf(&mut self, n: NodeId, deaf: bool) {
        if deaf {
            self.deaf.insert(n);
        } else {
            self.deaf.remove(&n);
        }
    }

    pub fn is_deaf(&self, n: NodeId) -> bool {
        self.deaf.contains(&n)
    }

    pub fn add_burst(&mut self, b: Burst) {
        self.bursts.push(b);
    }

    /// Ends the burst trains aimed at `target`.
    pub fn stop_bursts(&mut self, target: BurstTarget) {
        self.bursts.retain(|b| b.target != target);
    }

    pub fn drop_next_unicast(&mut self, from: NodeId) {
        self.drop_next_unicast.insert(from);
    }

    /// Every fault of this module gone (partitions and link parameters aside).
    pub fn clear_faults(&mut self) {
        self.oneway_loss.clear();
        self.cast_loss.clear();
        self.deaf.clear();
        self.bursts.clear();
        self.drop_next_unicast.clear();
    }

    /// Whether the directed link from -> to carries everything of both kinds, now and
    /// until the next change: connected, no loss at all (the default's included), no
    /// deafness, no burst train. What the progress property calls a clean link.
    pub fn is_clean(&self, from: NodeId, to: NodeId) -> bool {
        self.connected(from, to)
            && self.link(from, to).loss == 0.0
            && !self.deaf.contains(&to)
            && !self.bursts.iter().any(|b| b.covers(from, to))
            && !self.cast_loss.iter().any(|(&(a, b, _), &l)| a == from && b == to && l > 0.0)
    }

    /// The fault state touching node `n`, as text: two snapshots differ exactly when
    /// some fault on n (its deafness, a burst or cast loss on one of its links) changed.
    pub fn faults_of(&self, n: NodeId) -> String {
        let mut out = String::new();
        if self.deaf.contains(&n) {
            out += "deaf;";
        }
        if self.drop_next_unicast.contains(&n) {
            out += "drop-next-unicast;";
        }
        for b in self.bursts.iter().filter(|b| b.touches(n)) {
            out += &format!("{b:?};");
        }
        for ((a, b, c), l) in self.cast_loss.iter().filter(|((a, b, _), _)| *a == n || *b == n) {
            out += &format!("{a}>{b}:{c:?}:{l};");
        }
        for ((a, b), l) in self.oneway_loss.iter().filter(|((a, b), _)| *a == n || *b == n) {
            out += &format!("{a}>{b}:{l};");
        }
        out
    }

    /// Split the network: each group is one component; nodes in no group share
    /// component 0 (a group should therefore list everyone, or the rest is one more group).
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        self.component.clear();
        for (i, g) in groups.iter().enumerate() {
            for &n in g {
                self.component.insert(n, i as u32 + 1);
            }
        }
    }

    /// Everyone in one component again.
    pub fn heal(&mut self) {
        self.component.clear();
    }

    /// Whether some packets are being cut off (a partition is in place).
    pub fn is_partitioned(&self) -> bool {
        let mut labels: Vec<u32> = self.component.values().copied().collect();
        labels.sort_unstable();
        labels.dedup();
        // One listed label other than 0 still leaves unlisted nodes in component 0.
        labels.len() > 1 || labels.first().is_some_and(|&l| l != 0)
    }

    pub fn component_of(&self, n: NodeId) -> u32 {
        self.component.get(&n).copied().unwrap_or(0)
    }

    pub fn connected(&self, a: NodeId, b: NodeId) -> bool {
        self.component_of(a) == self.component_of(b)
    }

    /// The parameters of the directed link, one-way loss folded into the loss.
    pub fn link(&self, from: NodeId, to: NodeId) -> LinkParams {
        let mut p = self.links.get(&(from, to)).copied().unwrap_or(self.default);
        if let Some(&extra) = self.oneway_loss.get(&(from, to)) {
            // Two independent chances to lose the copy.
            p.loss = 1.0 - (1.0 - p.loss) * (1.0 - extra);
        }
        p
    }

    /// The fate of one copy from `from` to `to` sent at `now`: its arrival times
    /// (none if lost or cut off, two if duplicated). Each arrival draws its own delay.
    pub fn carry(&mut self, rng: &mut Rng, now: Time, from: NodeId, to: NodeId) -> Vec<Time> {
        self.carry_cast(rng, now, from, to, true)
    }

    /// `carry` for a multicast copy (`multicast`) or a unicast one.
    pub fn carry_cast(&mut self, rng: &mut Rng, now: Time, from: NodeId, to: NodeId, multicast: bool) -> Vec<Time> {
        self.stats.copies += 1;
        if !self.connected(from, to) {
            self.stats.partitioned += 1;
            return Vec::new();
        }
        if self.faulted(rng, now, from, to, multicast) {
            self.stats.faulted += 1;
            return Vec::new();
        }
        let p = self.link(from, to);
        if rng.bernoulli(p.loss) {
            self.stats.lost += 1;
            return Vec::new();
        }
        let mut out = vec![now + p.delay + rng.between(0, p.jitter)];
        if rng.bernoulli(p.dup) {
            self.stats.duplicated += 1;
            out.push(now + p.delay + rng.between(0, p.jitter));
        }
        self.stats.arrivals += out.len() as u64;
        out
    }

    /// Whether a fault aimed at this copy loses it (the link's own loss aside).
    fn faulted(&mut self, rng: &mut Rng, now: Time, from: NodeId, to: NodeId, multicast: bool) -> bool {
        if self.deaf.contains(&to) || self.bursts.iter().any(|b| b.covers(from, to) && b.on_at(now)) {
            return true;
        }
        let extra: Vec<f64> = self
            .cast_loss
            .iter()
            .filter(|(&(a, b, c), _)| a == from && b == to && c.hits(multicast))
            .map(|(_, &l)| l)
            .collect();
        extra.into_iter().any(|l| rng.bernoulli(l))
    }

    /// Route one transmit. `live` lists the running processors, ascending.
    /// Multicast is one independent copy per live processor, the sender included
    /// (a multicast socket loops back, and the processor must cope with its own packets).
    /// Returns (destination, arrival time) pairs in a deterministic order.
    pub fn route(
        &mut self,
        rng: &mut Rng,
        now: Time,
        from: NodeId,
        dest: Destination,
        live: &[NodeId],
    ) -> Vec<(NodeId, Time)> {
        let mut out = Vec::new();
        match dest {
            Destination::All => {
                for &to in live {
                    for at in self.carry_cast(rng, now, from, to, true) {
                        out.push((to, at));
                    }
                }
            }
            Destination::Node(to) => {
                if self.drop_next_unicast.remove(&from) {
                    self.stats.copies += 1;
                    self.stats.faulted += 1;
                } else if live.binary_search(&to).is_ok() {
                    for at in self.carry_cast(rng, now, from, to, false) {
                        out.push((to, at));
                    }
                } else {
                    self.stats.copies += 1;
                    self.stats.to_dead += 1;
                }
            }
        }
        out
    }
}
