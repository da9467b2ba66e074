//! P5 causal order inside a configuration (unordered messages take no part).
//!
//! The direct causal edges m1 -> m2, both ordered on the same ring R, are:
//! (a) same sender incarnation, m1 submitted before m2;
//! (b) m2's sender delivered m1 (in R) before submitting m2.
//! Whoever delivers m2 in R must have delivered m1 before it; checking direct
//! edges is enough, longer chains follow.

use super::fasthash::FastMap;
use super::index::{Index, Msg};
use super::names::{Msg as MsgName, Ring};
use super::violation::{Property, Report};
use crate::totem::{NodeId, RingId};

const P: Property = Property::Causal;

pub(super) fn check(ix: &Index, rep: &mut Report) {
    own_order(ix, rep);
    seen_before_send(ix, rep);
}

/// Whether process `p`'s first delivery of `m` (at index `i`) takes part in
/// causal order on ring `ring`.
fn ordered_in(ix: &Index, p: usize, i: usize, ring: RingId) -> bool {
    let t = &ix.procs[p];
    let d = &t.deliveries[i];
    d.guarantee.is_ordered() && t.label(d).map(|l| l.ring()) == Some(ring)
}

/// Edges (a): each sender's ordered messages of one ring, in counter (submit) order.
fn own_order(ix: &Index, rep: &mut Report) {
    let mut by_sender: FastMap<(NodeId, u32, RingId), Vec<(u64, Msg)>> = FastMap::default();
    for (m, info) in ix.msgs.iter().enumerate() {
        if let (true, Some(ring)) = (info.is_ordered(), info.ring) {
            by_sender.entry((info.id.node, info.id.incarnation, ring)).or_default().push((info.id.counter, m as Msg));
        }
    }
    // The sender's previous message on the same ring, if any.
    let mut prev: Vec<Option<Msg>> = vec![None; ix.msgs.len()];
    for list in by_sender.values_mut() {
        list.sort_unstable();
        for w in list.windows(2) {
            prev[w[1].1 as usize] = Some(w[0].1);
        }
    }
    for (p, t) in ix.procs.iter().enumerate() {
        for (i, d) in t.deliveries.iter().enumerate() {
            let m2 = d.dense;
            let (Some(m1), Some(ring)) = (prev[m2 as usize], ix.msgs[m2 as usize].ring) else {
                continue;
            };
            if ix.first_delivery[p][&m2] != i || !ordered_in(ix, p, i, ring) {
                continue;
            }
            let (id1, id2) = (ix.msgs[m1 as usize].id, ix.msgs[m2 as usize].id);
            match ix.delivery(p, m1) {
                None => rep.add(P, || {
                    format!(
                        "{} delivered {} in ring {} but never {}, sent before it by the same sender",
                        t.name(),
                        MsgName(id2),
                        Ring(ring),
                        MsgName(id1)
                    )
                }),
                Some(j) if j > i => rep.add(P, || {
                    format!(
                        "{} delivered {} before {}, which the same sender sent first (ring {})",
                        t.name(),
                        MsgName(id2),
                        MsgName(id1),
                        Ring(ring)
                    )
                }),
                Some(_) => {}
            }
        }
    }
}

/// Edges (b). For a sender s and ring R, the messages s delivered in R before
/// submitting m2 are a prefix of s's R deliveries; for each other processor p
/// walk that prefix once, keeping the latest (or a missing) delivery by p, so
/// the cost is (deliveries + submits) per pair of processes, not per edge.
fn seen_before_send(ix: &Index, rep: &mut Report) {
    for (sp, s) in ix.procs.iter().enumerate() {
        // s's ordered first deliveries per ring: (record index, message).
        let mut seen: FastMap<RingId, Vec<(usize, Msg)>> = FastMap::default();
        for (i, d) in s.deliveries.iter().enumerate() {
            if ix.first_delivery[sp][&d.dense] != i || !d.guarantee.is_ordered() {
                continue;
            }
            if let Some(l) = s.label(d) {
                seen.entry(l.ring()).or_default().push((d.record, d.dense));
            }
        }
        // Per ring: (how many of `seen` precede the submit, m2), in submit order.
        let mut queries: FastMap<RingId, Vec<(usize, Msg)>> = FastMap::default();
        for sub in &s.submits {
            let Some(&m2) = ix.ids.get(&sub.msg) else {
                continue;
            };
            let info = &ix.msgs[m2 as usize];
            let (true, Some(ring)) = (info.is_ordered(), info.ring) else {
                continue;
            };
            let Some(before) = seen.get(&ring) else {
                continue;
            };
            let k = before.partition_point(|&(record, _)| record < sub.record);
            if k > 0 {
                queries.entry(ring).or_default().push((k, m2));
            }
        }
        let mut rings: Vec<RingId> = queries.keys().copied().collect();
        rings.sort();
        for ring in &rings {
            let before = &seen[ring];
            // Only processors that installed the ring can deliver in it: this
            // keeps the cost per ring at (its installers) x (its deliveries),
            // however many incarnations the run had.
            let mut installers: Vec<usize> =
                ix.regulars.get(ring).map_or_else(Vec::new, |v| v.iter().map(|&(p, _)| p).collect());
            installers.dedup();
            for p in installers {
                let t = &ix.procs[p];
                let mut upto = 0;
                let mut latest: Option<(usize, Msg)> = None;
                let mut missing: Option<Msg> = None;
                for &(k, m2) in &queries[ring] {
                    while upto < k {
                        let m1 = before[upto].1;
                        match ix.delivery(p, m1) {
                            None => missing = missing.or(Some(m1)),
                            Some(j) => {
                                if latest.is_none_or(|(l, _)| j > l) {
                                    latest = Some((j, m1));
                                }
                            }
                        }
                        upto += 1;
                    }
                    let Some(i) = ix.delivery(p, m2) else {
                        continue;
                    };
                    if !ordered_in(ix, p, i, *ring) {
                        continue;
                    }
                    let id2 = ix.msgs[m2 as usize].id;
                    if let Some(m1) = missing {
                        let id1 = ix.msgs[m1 as usize].id;
                        rep.add(P, || {
                            format!(
                                "{} delivered {} in ring {} but never {}, which the sender {} delivered before sending it",
                                t.name(),
                                MsgName(id2),
                                Ring(*ring),
                                MsgName(id1),
                                s.name()
                            )
                        });
                    } else if let Some((_, m1)) = latest.filter(|&(j, _)| j > i) {
                        let id1 = ix.msgs[m1 as usize].id;
                        rep.add(P, || {
                            format!(
                                "{} delivered {} before {}, which the sender {} delivered before sending it (ring {})",
                                t.name(),
                                MsgName(id2),
                                MsgName(id1),
                                s.name(),
                                Ring(*ring)
                            )
                        });
                    }
                }
            }
        }
    }
}
