//! Progress, judged *during* faults: while a set of processors can talk to each
//! other cleanly, they must make progress whatever the processors outside the
//! set do. The end-of-run liveness check cannot see a ring that stalls while an
//! asymmetric or partial fault lasts and recovers once it ends; this can.
//!
//! The caller (the simulator) knows the network over time and cuts it into
//! [`Window`]s; this module only judges a history against them, so that hand-made
//! histories can test it.

use std::collections::HashMap;

use super::history::{History, MsgId, Record};
use super::names::list;
use super::violation::{Property, Report, Violation};
use crate::totem::{ConfigKind, NodeId, RingId, Time};

/// An interval during which a set of processors stayed connected the same way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    /// The processors (node, incarnation), sorted: running, not frozen, not leaving.
    pub members: Vec<(NodeId, u32)>,
    pub start: Time,
    pub end: Time,
    /// Every directed link between two members (and each member's own loopback)
    /// was clean for the whole window: the members can form one ring, so they
    /// must. When false the members are only a connected tangle (some links
    /// between them are faulty): each must still deliver its own messages and
    /// settle, but they need not end up in one ring.
    pub clique: bool,
    /// Topology events of processors outside the window during it (a start, a
    /// crash, a heal, a change of their links or faults): each may legitimately
    /// cost the members one more configuration change.
    pub outsider_events: u32,
}

/// The bounds a window is judged with (the simulator derives them from the timeouts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// B: a clique window longer than this must have its members in one regular
    /// configuration containing them all within B of its start.
    pub form: Time,
    /// D: what a member submits in [start + B, end - D] is delivered within D by
    /// every member (by itself only, in a non-clique window).
    pub deliver: Time,
    /// Configuration changes a member may see after start + B beyond one per outsider event.
    pub extra_changes: u32,
}

const P: Property = Property::Progress;

/// Judge `history` against every window longer than `bounds.form`.
pub fn check_progress(history: &History, windows: &[Window], bounds: &Progress) -> Vec<Violation> {
    let mut rep = Report::new();
    let mut deliveries: HashMap<usize, HashMap<MsgId, Time>> = HashMap::new();
    for w in windows.iter().filter(|w| w.end.saturating_sub(w.start) > bounds.form) {
        let procs: Option<Vec<usize>> = w
            .members
            .iter()
            .map(|&(n, i)| history.processes.iter().position(|p| p.node == n && p.incarnation == i))
            .collect();
        let Some(procs) = procs else {
            rep.add(P, || format!("{}: a member has no history", describe(w)));
            continue;
        };
        if w.clique {
            common_configuration(history, w, &procs, bounds, &mut rep);
        }
        for &p in &procs {
            deliveries.entry(p).or_insert_with(|| first_deliveries(history, p));
        }
        delivered_in_time(history, w, &procs, bounds, &deliveries, &mut rep);
        settled(history, w, &procs, bounds, &mut rep);
    }
    rep.finish()
}

fn describe(w: &Window) -> String {
    let names: Vec<String> = w.members.iter().map(|&(n, i)| format!("{n}/{i}")).collect();
    format!(
        "{} window [{}, {}] of {{{}}}",
        if w.clique { "clean" } else { "tangled" },
        w.start,
        w.end,
        names.join(", ")
    )
}

/// Each regular configuration of process `p` with the interval it was current:
/// (ring, members, installed at, replaced at).
fn regulars(history: &History, p: usize) -> Vec<(RingId, &[NodeId], Time, Time)> {
    let mut out: Vec<(RingId, &[NodeId], Time, Time)> = Vec::new();
    for r in &history.processes[p].records {
        if let Record::Config { at, change } = r {
            if let Some(last) = out.last_mut() {
                if last.3 == Time::MAX {
                    last.3 = *at;
                }
            }
            if change.kind == ConfigKind::Regular {
                out.push((change.ring_id, &change.members, *at, Time::MAX));
            }
        }
    }
    out
}

/// (a): one regular configuration containing every member, current at each of
/// them at some moment of [start, start + B].
fn common_configuration(history: &History, w: &Window, procs: &[usize], b: &Progress, rep: &mut Report) {
    let deadline = w.start + b.form;
    let mut common: Option<Vec<RingId>> = None;
    let mut seen: Vec<String> = Vec::new();
    for &p in procs {
        let current: Vec<(RingId, &[NodeId])> = regulars(history, p)
            .into_iter()
            .filter(|&(_, members, at, until)| {
                at <= deadline && until >= w.start && w.members.iter().all(|(n, _)| members.contains(n))
            })
            .map(|(r, m, _, _)| (r, m))
            .collect();
        let rings: Vec<RingId> = current.iter().map(|&(r, _)| r).collect();
        seen.push(format!("{}: {:?}", history.processes[p].node, rings));
        common = Some(match common {
            None => rings,
            Some(c) => c.into_iter().filter(|r| rings.contains(r)).collect(),
        });
    }
    if common.is_none_or(|c| c.is_empty()) {
        rep.add(P, || {
            format!(
                "{}: no common regular configuration containing all of them by start + B = {} \
                 (rings containing them, per member: {})",
                describe(w),
                deadline,
                seen.join("; ")
            )
        });
    }
}

fn first_deliveries(history: &History, p: usize) -> HashMap<MsgId, Time> {
    let mut m = HashMap::new();
    for r in &history.processes[p].records {
        if let Record::Deliver { at, msg, .. } = r {
            m.entry(*msg).or_insert(*at);
        }
    }
    m
}

/// (b): what a member submits in [start + B, end - D] is delivered within D, by
/// every member in a clique window, by the sender in a tangled one.
fn delivered_in_time(
    history: &History,
    w: &Window,
    procs: &[usize],
    b: &Progress,
    deliveries: &HashMap<usize, HashMap<MsgId, Time>>,
    rep: &mut Report,
) {
    let (from, to) = (w.start + b.form, w.end.saturating_sub(b.deliver));
    for &p in procs {
        let receivers: Vec<usize> = if w.clique { procs.to_vec() } else { vec![p] };
        for &q in &receivers {
            let late: Vec<super::names::Msg> = history.processes[p]
                .records
                .iter()
                .filter_map(|r| match r {
                    Record::Submit { at, msg, .. } if *at >= from && *at <= to => Some((*at, *msg)),
                    _ => None,
                })
                .filter(|(at, msg)| deliveries[&q].get(msg).is_none_or(|&d| d > at + b.deliver))
                .map(|(_, msg)| super::names::Msg(msg))
                .collect();
            if !late.is_empty() {
                let (pn, qn) = (history.processes[p].node, history.processes[q].node);
                rep.add(P, || {
                    format!(
                        "{}: {} of {pn}'s messages submitted in [{from}, {to}] were not delivered by {qn} within D = {}: {}",
                        describe(w),
                        late.len(),
                        b.deliver,
                        list(late)
                    )
                });
            }
        }
    }
}

/// (c): after start + B, no member sees more configuration changes than the
/// outsiders' events explain, plus the allowance.
fn settled(history: &History, w: &Window, procs: &[usize], b: &Progress, rep: &mut Report) {
    let after = w.start + b.form;
    let allowed = w.outsider_events + b.extra_changes;
    for &p in procs {
        let changes = regulars(history, p).iter().filter(|&&(_, _, at, _)| at > after && at <= w.end).count() as u32;
        if changes > allowed {
            rep.add(P, || {
                format!(
                    "{}: {} installed {changes} regular configurations after start + B = {after}, \
                     more than the {} outsider events + {} allowed",
                    describe(w),
                    history.processes[p].node,
                    w.outsider_events,
                    b.extra_changes
                )
            });
        }
    }
}
