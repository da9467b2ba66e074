//! P2: configuration changes are well formed and consistent. Each processor
//! goes regular, then (transitional, regular) pairs; every installer of a
//! configuration reports the same members.

use super::index::Index;
use super::timeline::{Installed, Timeline};
use super::violation::{Property, Report};
use crate::totem::{ConfigKind, NodeId};

const P: Property = Property::ConfigConsistency;

pub(super) fn check(ix: &Index, rep: &mut Report) {
    for t in &ix.procs {
        sequence(t, rep);
    }
    agreement(ix, rep);
}

/// One processor's sequence of configuration changes.
fn sequence(t: &Timeline, rep: &mut Report) {
    let mut prev_regular: Option<&Installed> = None;
    for (i, c) in t.configs.iter().enumerate() {
        let ch = c.change;
        let label = c.label;
        if !strictly_ascending(&ch.members) {
            rep.add(P, || {
                format!(
                    "{} installed {} with members {:?}: not sorted ascending without duplicates",
                    t.name(),
                    label,
                    ch.members
                )
            });
        }
        if !ch.members.contains(&t.node) {
            rep.add(P, || {
                format!("{} installed {} with members {:?}, which do not include itself", t.name(), label, ch.members)
            });
        }
        let prev = i.checked_sub(1).map(|j| &t.configs[j]);
        match ch.kind {
            ConfigKind::Regular => {
                if ch.members.iter().min() != Some(&ch.ring_id.rep) {
                    rep.add(P, || {
                        format!(
                            "{} installed {} with members {:?}: representative is not the lowest member",
                            t.name(),
                            label,
                            ch.members
                        )
                    });
                }
                match prev {
                    // A first configuration may announce anyone as joined.
                    None => {
                        if !ch.left.is_empty() {
                            rep.add(P, || {
                                format!(
                                    "{} installed {} as its first configuration with left {:?} (must be empty)",
                                    t.name(),
                                    label,
                                    ch.left
                                )
                            });
                        }
                    }
                    Some(p) if p.is_regular() => {
                        rep.add(P, || {
                            format!(
                                "{} installed {} right after {} with no transitional configuration between",
                                t.name(),
                                label,
                                p.label
                            )
                        });
                    }
                    Some(p) => {
                        if !ch.left.is_empty() {
                            rep.add(P, || {
                                format!("{} installed {} with left {:?} (must be empty)", t.name(), label, ch.left)
                            });
                        }
                        let expected = difference(&ch.members, p.members());
                        if !same_set(&ch.joined, &expected) {
                            rep.add(P, || {
                                format!(
                                    "{} installed {} with joined {:?}, expected {:?} (members not in {})",
                                    t.name(),
                                    label,
                                    ch.joined,
                                    expected,
                                    p.label
                                )
                            });
                        }
                    }
                }
                if let Some(r) = prev_regular {
                    if ch.ring_id.seq <= r.change.ring_id.seq {
                        rep.add(P, || {
                            format!("{} installed {} after {}: ring seq does not increase", t.name(), label, r.label)
                        });
                    }
                }
                prev_regular = Some(c);
            }
            ConfigKind::Transitional => {
                match prev {
                    None => rep.add(P, || {
                        format!("{} installed {} as its first configuration (must be regular)", t.name(), label)
                    }),
                    Some(p) if !p.is_regular() => {
                        rep.add(P, || {
                            format!(
                                "{} installed {} right after {} with no regular configuration between",
                                t.name(),
                                label,
                                p.label
                            )
                        });
                    }
                    Some(_) => {}
                }
                if let Some(r) = prev_regular {
                    if ch.ring_id != r.change.ring_id {
                        rep.add(P, || {
                            format!(
                                "{} installed {} after {}: a transitional configuration carries the old ring's id",
                                t.name(),
                                label,
                                r.label
                            )
                        });
                    }
                    if !subset(&ch.members, r.members()) {
                        rep.add(P, || {
                            format!(
                                "{} installed {} with members {:?}, not all in {} {:?}",
                                t.name(),
                                label,
                                ch.members,
                                r.label,
                                r.members()
                            )
                        });
                    }
                    let expected = difference(r.members(), &ch.members);
                    if !same_set(&ch.left, &expected) {
                        rep.add(P, || {
                            format!(
                                "{} installed {} with left {:?}, expected {:?} (members of {} not in it)",
                                t.name(),
                                label,
                                ch.left,
                                expected,
                                r.label
                            )
                        });
                    }
                }
                if !ch.joined.is_empty() {
                    rep.add(P, || {
                        format!("{} installed {} with joined {:?} (must be empty)", t.name(), label, ch.joined)
                    });
                }
                if let Some(n) = t.configs.get(i + 1).filter(|n| n.is_regular()) {
                    if !subset(&ch.members, n.members()) {
                        rep.add(P, || {
                            format!(
                                "{} installed {} with members {:?}, not all in the next {} {:?}",
                                t.name(),
                                label,
                                ch.members,
                                n.label,
                                n.members()
                            )
                        });
                    }
                }
            }
        }
    }
}

/// Every installer of a regular ring, and of a transitional instance, agrees on its members.
fn agreement(ix: &Index, rep: &mut Report) {
    for ring in ix.sorted_rings() {
        agree(ix, &ix.regulars[&ring], rep);
    }
    let mut instances: Vec<_> = ix.transitionals.keys().copied().collect();
    instances.sort();
    for key in instances {
        agree(ix, &ix.transitionals[&key], rep);
    }
}

fn agree(ix: &Index, installers: &[(usize, usize)], rep: &mut Report) {
    let (p0, c0) = installers[0];
    let first = &ix.procs[p0].configs[c0];
    for &(p, c) in &installers[1..] {
        let other = &ix.procs[p].configs[c];
        if other.members() != first.members() {
            rep.add(P, || {
                format!(
                    "{} installed {} with members {:?} but {} with members {:?}",
                    ix.procs[p0].name(),
                    first.label,
                    first.members(),
                    ix.procs[p].name(),
                    other.members()
                )
            });
        }
    }
}

fn strictly_ascending(v: &[NodeId]) -> bool {
    v.windows(2).all(|w| w[0] < w[1])
}

fn subset(small: &[NodeId], big: &[NodeId]) -> bool {
    small.iter().all(|x| big.contains(x))
}

/// `a - b`, sorted.
fn difference(a: &[NodeId], b: &[NodeId]) -> Vec<NodeId> {
    let mut d: Vec<NodeId> = a.iter().copied().filter(|x| !b.contains(x)).collect();
    d.sort_unstable();
    d.dedup();
    d
}

/// Whether `list` holds exactly the (sorted, unique) `set`, in any order and
/// without repeats.
fn same_set(list: &[NodeId], set: &[NodeId]) -> bool {
    let mut l = list.to_vec();
    l.sort_unstable();
    l == set
}
