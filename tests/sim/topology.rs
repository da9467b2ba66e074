//! Who could talk to whom, over time, and the windows the progress property judges.
//!
//! The cluster records a snapshot whenever something that decides connectivity
//! changes (a fault applied, a start, a crash, a pause...). Between two snapshots
//! the network is steady: a burst train is one steady fault, not a flicker of
//! snapshots. A window is a maximal run of snapshots in which one group of
//! eligible processors is exactly a component of the "clean both ways" graph.

use std::collections::{BTreeMap, BTreeSet};

use evs::check::Window;
use evs::totem::{NodeId, Time};

use super::network::Network;

#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub at: Time,
    /// Running, not leaving, not frozen, not slow: (node, incarnation), ascending.
    pub eligible: Vec<(NodeId, u32)>,
    /// Directed clean links between eligible processors (self-loops included).
    pub clean: BTreeSet<(NodeId, NodeId)>,
    /// Per node ever started: what an outsider event changes (eligibility,
    /// incarnation, its faults, its clean links to anyone).
    pub signature: BTreeMap<NodeId, String>,
}

/// A group of processors that can talk to each other: (members, clique).
type Component = (Vec<(NodeId, u32)>, bool);

impl Snapshot {
    /// The components of the graph whose edges are pairs clean both ways, among
    /// the eligible processors whose own loopback is clean (a deaf processor hears
    /// nobody, itself included, and is in no component).
    pub fn components(&self) -> Vec<Component> {
        let nodes: Vec<(NodeId, u32)> =
            self.eligible.iter().copied().filter(|&(n, _)| self.clean.contains(&(n, n))).collect();
        let both = |a: NodeId, b: NodeId| self.clean.contains(&(a, b)) && self.clean.contains(&(b, a));
        let mut seen: BTreeSet<NodeId> = BTreeSet::new();
        let mut out = Vec::new();
        for &(start, _) in &nodes {
            if !seen.insert(start) {
                continue;
            }
            let mut comp = vec![start];
            let mut i = 0;
            while i < comp.len() {
                let a = comp[i];
                for &(b, _) in &nodes {
                    if !seen.contains(&b) && both(a, b) {
                        seen.insert(b);
                        comp.push(b);
                    }
                }
                i += 1;
            }
            comp.sort_unstable();
            let clique = comp.iter().all(|&a| comp.iter().all(|&b| a == b || both(a, b)));
            let members = nodes.iter().copied().filter(|(n, _)| comp.contains(n)).collect();
            out.push((members, clique));
        }
        out
    }
}

#[derive(Clone, Debug, Default)]
pub struct Topology {
    pub snapshots: Vec<Snapshot>,
}

impl Topology {
    /// Record the state at `at`; a snapshot equal to the last one (but for its
    /// time) is not kept, and one at the same instant replaces the last.
    pub fn record(&mut self, at: Time, net: &Network, eligible: Vec<(NodeId, u32)>, all: &[NodeId]) {
        let all_clean: BTreeSet<(NodeId, NodeId)> =
            all.iter().flat_map(|&a| all.iter().map(move |&b| (a, b))).filter(|&(a, b)| net.is_clean(a, b)).collect();
        let is_eligible = |n: NodeId| eligible.iter().any(|&(m, _)| m == n);
        let clean: BTreeSet<(NodeId, NodeId)> =
            all_clean.iter().copied().filter(|&(a, b)| is_eligible(a) && is_eligible(b)).collect();
        let mut signature = BTreeMap::new();
        for &n in all {
            let inc = eligible.iter().find(|(m, _)| *m == n).map(|&(_, i)| i);
            let links: Vec<&(NodeId, NodeId)> = all_clean.iter().filter(|&&(a, b)| a == n || b == n).collect();
            signature.insert(n, format!("{inc:?}|{}|{links:?}", net.faults_of(n)));
        }
        let snap = Snapshot { at, eligible, clean, signature };
        if let Some(last) = self.snapshots.last_mut() {
            if last.eligible == snap.eligible && last.clean == snap.clean && last.signature == snap.signature {
                return;
            }
            if last.at == at {
                *last = snap;
                return;
            }
        }
        self.snapshots.push(snap);
    }

    /// The windows up to `end`: one per component per maximal run of snapshots
    /// in which it stays exactly a component, with the outsider events in it.
    pub fn windows(&self, end: Time) -> Vec<Window> {
        let mut out = Vec::new();
        // Component -> (start, outsider events so far), for those still open.
        let mut open: BTreeMap<Component, (Time, u32)> = BTreeMap::new();
        for (i, s) in self.snapshots.iter().enumerate() {
            let now: BTreeSet<Component> = s.components().into_iter().collect();
            // Close the components that are gone.
            let gone: Vec<Component> = open.keys().filter(|c| !now.contains(*c)).cloned().collect();
            for c in gone {
                let (start, events) = open.remove(&c).unwrap();
                out.push(window(&c, start, s.at, events));
            }
            // Count the outsider events of this change in the windows that go on.
            if i > 0 {
                let prev = &self.snapshots[i - 1];
                let changed: Vec<NodeId> =
                    s.signature.iter().filter(|(n, sig)| prev.signature.get(n) != Some(sig)).map(|(&n, _)| n).collect();
                for (c, (_, events)) in open.iter_mut() {
                    *events += changed.iter().filter(|n| !c.0.iter().any(|(m, _)| m == *n)).count() as u32;
                }
            }
            for c in now {
                open.entry(c).or_insert((s.at, 0));
            }
        }
        for (c, (start, events)) in open {
            if end > start {
                out.push(window(&c, start, end, events));
            }
        }
        out.sort_by_key(|w| (w.start, w.members.clone()));
        out
    }
}

fn window(c: &Component, start: Time, end: Time, outsider_events: u32) -> Window {
    Window { members: c.0.clone(), start, end, clique: c.1, outsider_events }
}
