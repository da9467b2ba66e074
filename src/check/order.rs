//! P6 total order (unordered messages take no part).
//!
//! 1. One order for everyone: the "delivered before" graph has no cycle.
//! 2. No gaps in a regular configuration R: every processor's ordered
//!    deliveries in R are a prefix of one sequence. The longest one, L, must
//!    then come first among R's messages: nobody may deliver a message outside
//!    L before one in L. (Why L first is right whatever else is unknown: a
//!    processor that delivered an L message in the regular configuration had
//!    every lower sequence number, so anything outside L was ordered after
//!    all of L.) Comparing with L rather than with some topological order
//!    matters: messages delivered only in different partitions' transitional
//!    configurations have no order between them, and an arbitrary one would
//!    invent gaps.
//! 3. In the transitional configuration after R, a processor may skip a
//!    message of R only when its sender is not in that transitional
//!    configuration. Once it has installed the next regular configuration, it
//!    must hold every message of R delivered by anyone whose sender is in its
//!    transitional configuration.

use super::fasthash::FastMap;
use super::graph::Graph;
use super::index::{Index, Msg};
use super::names::{Msg as MsgName, Proc, Ring};
use super::timeline::{Installed, Label};
use super::violation::{Property, Report};
use crate::totem::RingId;

const P: Property = Property::TotalOrder;

pub(super) fn check(ix: &Index, rep: &mut Report) {
    let graph = build(ix);
    // One cycle is enough to show there is no total order, and a broken run
    // can have thousands.
    if let Some(cycle) = graph.find_cycle() {
        rep.add(P, || {
            let steps: Vec<String> = cycle
                .iter()
                .map(|&(a, b, p)| {
                    format!(
                        "{} before {} at {}",
                        MsgName(ix.msgs[a as usize].id),
                        MsgName(ix.msgs[b as usize].id),
                        ix.procs[p as usize].name()
                    )
                })
                .collect();
            format!("no total order: a cycle of {} messages: {}", cycle.len(), steps.join(", "))
        });
    }
    let stints = stints(ix);
    let mut ring_msgs: FastMap<RingId, Vec<Msg>> = FastMap::default();
    for (m, info) in ix.msgs.iter().enumerate() {
        if let (true, Some(r)) = (info.is_ordered(), info.ring) {
            ring_msgs.entry(r).or_default().push(m as Msg);
        }
    }
    let mut rings: Vec<RingId> = stints.keys().copied().collect();
    rings.sort();
    for ring in rings {
        let empty = Vec::new();
        let msgs = ring_msgs.get(&ring).unwrap_or(&empty);
        RingCheck::new(ix, &graph, ring, &stints[&ring], msgs).run(rep);
    }
}

fn build(ix: &Index) -> Graph {
    let mut edges: Vec<(Msg, Msg, u32)> = Vec::new();
    for (p, t) in ix.procs.iter().enumerate() {
        let mut prev: Option<Msg> = None;
        for (i, d) in t.deliveries.iter().enumerate() {
            // Repeats are P1's business; only first deliveries place a message.
            if !d.guarantee.is_ordered() || d.config.is_none() || ix.first_delivery[p][&d.dense] != i {
                continue;
            }
            if let Some(a) = prev {
                edges.push((a, d.dense, p as u32));
            }
            prev = Some(d.dense);
        }
    }
    Graph::new(ix.msgs.len(), &edges)
}

/// One processor's stay in a regular configuration and the transitional one
/// after it (if it recorded one).
struct Stint {
    proc: usize,
    regular: usize,
    trans: Option<usize>,
}

fn stints(ix: &Index) -> FastMap<RingId, Vec<Stint>> {
    let mut out: FastMap<RingId, Vec<Stint>> = FastMap::default();
    for (p, t) in ix.procs.iter().enumerate() {
        for (i, c) in t.configs.iter().enumerate() {
            if let Label::Regular(ring) = c.label {
                let trans = t.configs.get(i + 1).filter(|n| n.label.ring() == ring && !n.is_regular()).map(|_| i + 1);
                out.entry(ring).or_default().push(Stint { proc: p, regular: i, trans });
            }
        }
    }
    out
}

struct RingCheck<'a, 'h> {
    ix: &'a Index<'h>,
    graph: &'a Graph,
    ring: RingId,
    stints: &'a [Stint],
    /// Ordered messages of the ring.
    msgs: &'a [Msg],
}

impl<'a, 'h> RingCheck<'a, 'h> {
    fn new(ix: &'a Index<'h>, graph: &'a Graph, ring: RingId, stints: &'a [Stint], msgs: &'a [Msg]) -> Self {
        RingCheck { ix, graph, ring, stints, msgs }
    }

    /// A processor's ordered first deliveries in one configuration.
    fn sequence(&self, p: usize, config: usize) -> Vec<Msg> {
        let t = &self.ix.procs[p];
        let range = t.configs[config].deliveries.clone();
        range
            .filter(|&i| {
                let d = &t.deliveries[i];
                d.guarantee.is_ordered() && self.ix.first_delivery[p][&d.dense] == i
            })
            .map(|i| t.deliveries[i].dense)
            .collect()
    }

    fn name(&self, m: Msg) -> MsgName {
        MsgName(self.ix.msgs[m as usize].id)
    }

    fn sender(&self, m: Msg) -> Proc {
        let id = self.ix.msgs[m as usize].id;
        Proc(id.node, id.incarnation)
    }

    fn run(&self, rep: &mut Report) {
        let regular: Vec<Vec<Msg>> = self.stints.iter().map(|s| self.sequence(s.proc, s.regular)).collect();
        let trans: Vec<Vec<Msg>> =
            self.stints.iter().map(|s| s.trans.map_or_else(Vec::new, |c| self.sequence(s.proc, c))).collect();
        // The longest regular sequence; ties broken by the first, which is fine:
        // if two of the same length differ, the other is not a prefix of it.
        let longest = (0..regular.len()).max_by_key(|&k| (regular[k].len(), std::cmp::Reverse(k))).unwrap_or(0);
        let l = &regular[longest];
        let owner = self.ix.procs[self.stints[longest].proc].name();
        let in_l: FastMap<Msg, usize> = l.iter().enumerate().map(|(i, &m)| (m, i)).collect();

        for (k, st) in self.stints.iter().enumerate() {
            let t = &self.ix.procs[st.proc];
            // 2. Regular deliveries are a prefix of L.
            if let Some(j) = (0..regular[k].len()).find(|&j| regular[k][j] != l[j]) {
                rep.add(P, || {
                    format!(
                        "gap in regular {}: {} delivered {} as its ordered message {} there, where {} delivered {}",
                        Ring(self.ring),
                        t.name(),
                        self.name(regular[k][j]),
                        j + 1,
                        owner,
                        self.name(l[j])
                    )
                });
            }
            // 2'. Nothing outside L before something in L.
            let mut outside: Option<Msg> = None;
            for &m in regular[k].iter().chain(&trans[k]) {
                match (in_l.contains_key(&m), outside) {
                    (false, None) => outside = Some(m),
                    (true, Some(x)) => {
                        rep.add(P, || {
                            format!(
                                "{} delivered {} before {} (ring {}), but {} delivered {} in regular {} without {} before it",
                                t.name(),
                                self.name(x),
                                self.name(m),
                                Ring(self.ring),
                                owner,
                                self.name(m),
                                Ring(self.ring),
                                self.name(x)
                            )
                        });
                        break;
                    }
                    _ => {}
                }
            }
            // 3. Skips in the transitional configuration.
            if let Some(c) = st.trans {
                let tc = &t.configs[c];
                if tc.label.is_known() {
                    self.completed(st.proc, tc, rep);
                } else {
                    self.cut_short(st.proc, tc, &regular[k], &trans[k], l, &in_l, rep);
                }
            }
        }
    }

    /// A processor that installed the regular configuration after its
    /// transitional one holds every message of the ring whose sender moved with it.
    fn completed(&self, p: usize, tc: &Installed, rep: &mut Report) {
        let t = &self.ix.procs[p];
        for &m in self.msgs {
            let sender = self.ix.msgs[m as usize].id.node;
            if tc.members().contains(&sender) && self.ix.delivery(p, m).is_none() {
                rep.add(P, || {
                    format!(
                        "{} completed {} without delivering {}, whose sender {} is in that transitional configuration {:?}",
                        t.name(),
                        tc.label,
                        self.name(m),
                        self.sender(m),
                        tc.members()
                    )
                });
            }
        }
    }

    /// A processor whose history ended inside its transitional configuration:
    /// what it skipped before its last delivery there must come from senders
    /// outside that configuration. "Before" is what every total order agrees
    /// on: all of L precedes messages outside L, and outside L, whatever
    /// reaches a delivered message in the graph.
    #[allow(clippy::too_many_arguments)]
    fn cut_short(
        &self,
        p: usize,
        tc: &Installed,
        regular: &[Msg],
        trans: &[Msg],
        l: &[Msg],
        in_l: &FastMap<Msg, usize>,
        rep: &mut Report,
    ) {
        if trans.is_empty() {
            return;
        }
        let outside: Vec<Msg> = trans.iter().copied().filter(|m| !in_l.contains_key(m)).collect();
        let l_bound = if outside.is_empty() {
            regular.iter().chain(trans).filter_map(|m| in_l.get(m)).max().map_or(0, |&i| i + 1)
        } else {
            l.len()
        };
        let mut skipped: Vec<Msg> = l[..l_bound].to_vec();
        // Backwards from what it delivered outside L, through messages of this
        // ring outside L.
        let mut visited: FastMap<Msg, ()> = outside.iter().map(|&m| (m, ())).collect();
        let mut stack = outside;
        while let Some(v) = stack.pop() {
            for &u in self.graph.predecessors(v) {
                let info = &self.ix.msgs[u as usize];
                if info.ring == Some(self.ring) && !in_l.contains_key(&u) && visited.insert(u, ()).is_none() {
                    skipped.push(u);
                    stack.push(u);
                }
            }
        }
        let t = &self.ix.procs[p];
        for m in skipped {
            let sender = self.ix.msgs[m as usize].id.node;
            if tc.members().contains(&sender) && self.ix.delivery(p, m).is_none() {
                rep.add(P, || {
                    format!(
                        "{} skipped {} in {}, though its sender {} is in that transitional configuration {:?}",
                        t.name(),
                        self.name(m),
                        tc.label,
                        self.sender(m),
                        tc.members()
                    )
                });
            }
        }
    }
}
