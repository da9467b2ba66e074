//! P4 failure atomicity: processors that install a configuration and then the
//! same next configuration delivered the same set of messages in the first.

use super::fasthash::FastMap;
use super::index::{Index, Msg};
use super::names::{list, Msg as MsgName};
use super::timeline::Label;
use super::violation::{Property, Report};

const P: Property = Property::FailureAtomicity;

pub(super) fn check(ix: &Index, rep: &mut Report) {
    // (configuration, next configuration) -> the first processor seen making
    // that move, and what it delivered in the configuration.
    let mut moves: FastMap<(Label, Label), (usize, Vec<Msg>)> = FastMap::default();
    for (p, t) in ix.procs.iter().enumerate() {
        for pair in t.configs.windows(2) {
            let key = (pair[0].label, pair[1].label);
            // A transitional configuration whose next regular one is unknown
            // cannot be matched with another processor's.
            if !key.0.is_known() || !key.1.is_known() {
                continue;
            }
            let mut set: Vec<Msg> = t.deliveries[pair[0].deliveries.clone()].iter().map(|d| d.dense).collect();
            set.sort_unstable();
            set.dedup();
            match moves.get(&key) {
                None => {
                    moves.insert(key, (p, set));
                }
                Some((q, first)) if *first != set => {
                    let only_first = minus(first, &set);
                    let only_this = minus(&set, first);
                    let names = |v: Vec<Msg>| list(v.into_iter().map(|m| MsgName(ix.msgs[m as usize].id)));
                    rep.add(P, || {
                        format!(
                            "{} and {} both went from {} to {} but delivered different messages in {}: only {}: {}; only {}: {}",
                            ix.procs[*q].name(),
                            t.name(),
                            key.0,
                            key.1,
                            key.0,
                            ix.procs[*q].name(),
                            names(only_first),
                            t.name(),
                            names(only_this)
                        )
                    });
                }
                Some(_) => {}
            }
        }
    }
}

/// Sorted `a - b` for sorted inputs.
fn minus(a: &[Msg], b: &[Msg]) -> Vec<Msg> {
    a.iter().copied().filter(|m| b.binary_search(m).is_err()).collect()
}
