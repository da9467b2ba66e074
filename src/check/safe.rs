//! P7 safe delivery: once anyone delivers a safe message in a configuration,
//! every member of it delivers the message too, unless it fails first.

use super::fasthash::FastMap;
use super::history::Ending;
use super::index::{Index, Msg};
use super::names::{Msg as MsgName, Ring};
use super::timeline::Label;
use super::violation::{Property, Report};
use crate::totem::{Guarantee, RingId};

const P: Property = Property::Safe;

pub(super) fn check(ix: &Index, rep: &mut Report) {
    // Each (message, configuration) is judged once, from its first deliverer.
    let mut judged: FastMap<(Msg, Label), ()> = FastMap::default();
    for (p, t) in ix.procs.iter().enumerate() {
        for d in &t.deliveries {
            if d.guarantee != Guarantee::Safe {
                continue;
            }
            let Some(label) = t.label(d) else { continue };
            if !label.is_known() || judged.insert((d.dense, label), ()).is_some() {
                continue;
            }
            match label {
                Label::Regular(ring) => in_regular(ix, p, d.dense, ring, rep),
                Label::Trans { old, next: Some(next) } => in_transitional(ix, p, d.dense, old, next, rep),
                Label::Trans { next: None, .. } => {}
            }
        }
    }
}

/// Delivered in regular `ring`: every member that installed it delivers the
/// message in that ring (regular or the transitional after it), unless its
/// incarnation ended before installing the next regular configuration.
fn in_regular(ix: &Index, p: usize, m: Msg, ring: RingId, rep: &mut Report) {
    let members = ix.procs[p].configs.iter().find(|c| c.label == Label::Regular(ring)).map(|c| c.members());
    let Some(members) = members else { return };
    for &(q, c) in &ix.regulars[&ring] {
        let tq = &ix.procs[q];
        if q == p || !members.contains(&tq.node) || ix.delivered_ring(q, m) == Some(ring) {
            continue;
        }
        let moved_on = tq.next_regular(c).is_some();
        if moved_on || tq.ending == Ending::Running {
            rep.add(P, || {
                format!(
                    "{} delivered safe {} in regular {}, but member {} never delivered it there{}",
                    ix.procs[p].name(),
                    MsgName(ix.msgs[m as usize].id),
                    Ring(ring),
                    tq.name(),
                    if moved_on {
                        " though it installed the next regular configuration"
                    } else {
                        " and is still running"
                    }
                )
            });
        }
    }
}

/// Delivered in transitional instance (old -> next): every processor that
/// installed the same instance delivers it (they all installed `next`).
fn in_transitional(ix: &Index, p: usize, m: Msg, old: RingId, next: RingId, rep: &mut Report) {
    for &(q, c) in &ix.transitionals[&(old, next)] {
        if q == p || ix.delivered_ring(q, m) == Some(old) {
            continue;
        }
        let tq = &ix.procs[q];
        let label = tq.configs[c].label;
        rep.add(P, || {
            format!(
                "{} delivered safe {} in {}, but {} installed the same configuration and never delivered it",
                ix.procs[p].name(),
                MsgName(ix.msgs[m as usize].id),
                label,
                tq.name()
            )
        });
    }
}
