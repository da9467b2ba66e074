//! P1: each message is delivered at most once per processor, and in one
//! configuration: the regular configuration it was sent in or the
//! transitional one that follows it, by a sender that was a member of it.

use super::fasthash::FastMap;
use super::history::MsgId;
use super::index::Index;
use super::names::{Msg, Proc, Ring};
use super::violation::{Property, Report};
use crate::totem::RingId;

const P: Property = Property::AtMostOnce;

pub(super) fn check(ix: &Index, rep: &mut Report) {
    deliveries(ix, rep);
    submits(ix, rep);
    per_message(ix, rep);
}

/// Per processor: no repeats, nothing outside a configuration, the guarantee submitted.
fn deliveries(ix: &Index, rep: &mut Report) {
    for (p, t) in ix.procs.iter().enumerate() {
        for (i, d) in t.deliveries.iter().enumerate() {
            let Some(label) = t.label(d) else {
                rep.add(P, || format!("{} delivered {} before installing any configuration", t.name(), Msg(d.msg)));
                continue;
            };
            let first = ix.first_delivery[p][&d.dense];
            if first != i {
                let before = t.label(&t.deliveries[first]);
                rep.add(P, || {
                    let before = before.map_or("no configuration".to_string(), |l| l.to_string());
                    format!("{} delivered {} twice: in {} and again in {}", t.name(), Msg(d.msg), before, label)
                });
            }
            let info = &ix.msgs[d.dense as usize];
            if info.submit.is_some() && d.guarantee != info.guarantee {
                rep.add(P, || {
                    format!(
                        "{} delivered {} as {:?} but it was submitted as {:?}",
                        t.name(),
                        Msg(d.msg),
                        d.guarantee,
                        info.guarantee
                    )
                });
            }
        }
    }
}

/// Submits must name their own processor and never reuse a message id, or
/// the other checks could not tell messages apart.
fn submits(ix: &Index, rep: &mut Report) {
    let mut seen: FastMap<MsgId, usize> = FastMap::default();
    for (p, t) in ix.procs.iter().enumerate() {
        for s in &t.submits {
            if (s.msg.node, s.msg.incarnation) != (t.node, t.incarnation) {
                rep.add(P, || format!("{} submitted {}, which names another processor", t.name(), Msg(s.msg)));
            }
            if let Some(&q) = seen.get(&s.msg) {
                let other = ix.procs[q].name();
                rep.add(P, || format!("{} submitted {}, already submitted by {}", t.name(), Msg(s.msg), other));
            } else {
                seen.insert(s.msg, p);
            }
        }
    }
}

/// Across processors: one ring per message, a submit, a sender in that ring.
fn per_message(ix: &Index, rep: &mut Report) {
    // Where each message was delivered in a ring other than its first one.
    let mut other_ring: FastMap<u32, (usize, RingId)> = FastMap::default();
    for (p, t) in ix.procs.iter().enumerate() {
        for d in &t.deliveries {
            let (Some(label), Some(ring)) = (t.label(d), ix.msgs[d.dense as usize].ring) else {
                continue;
            };
            if label.ring() != ring {
                other_ring.entry(d.dense).or_insert((p, label.ring()));
            }
        }
    }
    let mut odd: Vec<_> = other_ring.into_iter().collect();
    odd.sort_unstable();
    for (m, (p, ring)) in odd {
        let info = &ix.msgs[m as usize];
        let first = first_deliverer(ix, m);
        rep.add(P, || {
            format!(
                "{} delivered in two rings: {} by {}, {} by {}",
                Msg(info.id),
                Ring(info.ring.unwrap_or_default()),
                first,
                Ring(ring),
                ix.procs[p].name()
            )
        });
    }

    for info in &ix.msgs {
        let Some(ring) = info.ring else { continue };
        let Some((s, i)) = info.submit else {
            rep.add(P, || format!("{} delivered in ring {} but never submitted", Msg(info.id), Ring(ring)));
            continue;
        };
        if let Some(members) = ix.regular_members(ring) {
            if !members.contains(&info.id.node) {
                rep.add(P, || {
                    format!(
                        "{} delivered in ring {} whose members {:?} do not include its sender {}",
                        Msg(info.id),
                        Ring(ring),
                        members,
                        Proc(info.id.node, info.id.incarnation)
                    )
                });
            }
        }
        // The message went out on ring `ring`, so its sender must have been in
        // that ring at or after the submit: the regular configuration current at
        // submit time, or a later one. A submit made in a transitional
        // configuration is too late for the old ring: nothing new is ordered
        // on it once recovery has begun.
        let sender = &ix.procs[s];
        let from = sender.submits[i].config.unwrap_or(0);
        let installed = |range: std::ops::Range<usize>| {
            range.into_iter().any(|c| sender.configs[c].is_regular() && sender.configs[c].change.ring_id == ring)
        };
        if !installed(from..sender.configs.len()) {
            let earlier = installed(0..from);
            rep.add(P, || {
                if earlier {
                    format!(
                        "{} delivered in ring {}, but its sender {} submitted it after leaving that ring",
                        Msg(info.id),
                        Ring(ring),
                        sender.name()
                    )
                } else {
                    format!(
                        "{} delivered in ring {}, which its sender {} never installed",
                        Msg(info.id),
                        Ring(ring),
                        sender.name()
                    )
                }
            });
        }
    }
}

fn first_deliverer(ix: &Index, m: u32) -> Proc {
    for (p, t) in ix.procs.iter().enumerate() {
        if let Some(i) = ix.delivery(p, m) {
            if t.label(&t.deliveries[i]).is_some() {
                return t.name();
            }
        }
    }
    Proc(0, 0)
}
