//! Liveness, judged at the end of a run whose faults stopped at `faults_end`:
//! the running processors settle into one regular configuration of exactly
//! themselves within `bound`, and each has delivered its own messages (P3,
//! which only means something once the run has settled).

use super::index::Index;
use super::names::{list, Msg, Ring};
use super::timeline::{Installed, Timeline};
use super::violation::{Property, Report};
use crate::totem::{NodeId, Time};

/// What a settled run promises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Liveness {
    /// When the last fault (loss, partition, crash, restart...) stopped.
    pub faults_end: Time,
    /// How long after `faults_end` the running processors may take to settle.
    pub bound: Time,
}

const L: Property = Property::Liveness;

pub(super) fn check(ix: &Index, spec: &Liveness, rep: &mut Report) {
    settled(ix, spec, rep);
    self_delivery(ix, rep);
}

fn settled(ix: &Index, spec: &Liveness, rep: &mut Report) {
    let running: Vec<&Timeline> = ix.procs.iter().filter(|t| t.is_running()).collect();
    let mut expected: Vec<NodeId> = running.iter().map(|t| t.node).collect();
    expected.sort_unstable();
    expected.dedup();
    let deadline = spec.faults_end.saturating_add(spec.bound);
    let mut reference: Option<(&Timeline, &Installed)> = None;
    for t in running {
        let Some(last) = t.configs.last() else {
            rep.add(L, || format!("{} is running but never installed a configuration", t.name()));
            continue;
        };
        if !last.is_regular() {
            rep.add(L, || format!("{} is running but ends in {}", t.name(), last.label));
            continue;
        }
        if last.members() != expected.as_slice() {
            rep.add(L, || {
                format!(
                    "{} ends in {} with members {:?}, but the running processors are {:?}",
                    t.name(),
                    last.label,
                    last.members(),
                    expected
                )
            });
        }
        if last.at > deadline {
            rep.add(L, || {
                format!(
                    "{} installed its final {} at {}, after faults_end + bound = {}",
                    t.name(),
                    last.label,
                    last.at,
                    deadline
                )
            });
        }
        match reference {
            None => reference = Some((t, last)),
            Some((t0, c0)) => {
                if c0.change.ring_id != last.change.ring_id || c0.members() != last.members() {
                    rep.add(L, || {
                        format!(
                            "running processors end in different configurations: {} in ring {} {:?}, {} in ring {} {:?}",
                            t0.name(),
                            Ring(c0.change.ring_id),
                            c0.members(),
                            t.name(),
                            Ring(last.change.ring_id),
                            last.members()
                        )
                    });
                }
            }
        }
    }
}

/// P3: a running incarnation has delivered everything it submitted.
fn self_delivery(ix: &Index, rep: &mut Report) {
    for (p, t) in ix.procs.iter().enumerate() {
        if !t.is_running() {
            continue;
        }
        let missing: Vec<Msg> = t
            .submits
            .iter()
            .filter(|s| ix.ids.get(&s.msg).is_none_or(|&m| ix.delivery(p, m).is_none()))
            .map(|s| Msg(s.msg))
            .collect();
        if !missing.is_empty() {
            rep.add(Property::SelfDelivery, || {
                format!(
                    "{} is running but never delivered {} of its own messages: {}",
                    t.name(),
                    missing.len(),
                    list(missing)
                )
            });
        }
    }
}
