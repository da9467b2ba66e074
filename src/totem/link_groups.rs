//! Cutting the gathered processors into rings with no poor link inside one.
//!
//! A poor link `(hearer, heard)` says that `hearer` misses most of `heard`'s
//! multicast (`hearing.rs`). Gatherers exchange the poor links they know in
//! their joins, and every gatherer that holds the same processors and links
//! computes the same groups here, so they agree on the rings without a
//! further round. A processor's group is the ring it forms.
//!
//! The first group is what remains of all the processors once, one at a time,
//! the one with the most poor links to the others left is taken out (ties: the
//! one with the most unreached links to the others left, for keeping it keeps
//! a unicast that only the multicast fallback crosses, `unreached.rs`; then
//! the one more processors hear poorly, for its multicast is the faulty one;
//! then the highest id); the processors taken out are cut the same way, and so on.
//! Unreached links only break ties: a ring bridges a dead unicast by the
//! relay (`relay.rs`), and a processor whose only clean peers it reaches that
//! way still needs them.
//! Processors without a poor link always stay in the first group, so a fault
//! between two processors costs a ring at most those two, and a clean clique
//! is never split by it: only its members with poor links to each other can
//! leave it.

use std::collections::BTreeSet;

use super::types::NodeId;

/// The group that `me` forms a ring with, ascending: `nodes` (which holds
/// `me`) cut by `poor`, ties broken by `unreached` (links with a processor
/// outside `nodes` are ignored).
pub(crate) fn group_of(
    me: NodeId,
    nodes: &BTreeSet<NodeId>,
    poor: &BTreeSet<(NodeId, NodeId)>,
    unreached: &BTreeSet<(NodeId, NodeId)>,
) -> Vec<NodeId> {
    let mut remaining = nodes.clone();
    loop {
        let kept = first_group(&remaining, poor, unreached);
        if kept.contains(&me) || kept.is_empty() {
            return kept.into_iter().collect();
        }
        for n in &kept {
            remaining.remove(n);
        }
    }
}

/// `nodes` less, one by one, the processor with the most poor links to the others left.
fn first_group(
    nodes: &BTreeSet<NodeId>,
    poor: &BTreeSet<(NodeId, NodeId)>,
    unreached: &BTreeSet<(NodeId, NodeId)>,
) -> BTreeSet<NodeId> {
    let mut kept = nodes.clone();
    let inside = |links: &BTreeSet<(NodeId, NodeId)>| -> Vec<(NodeId, NodeId)> {
        links.iter().copied().filter(|&(a, b)| a != b && nodes.contains(&a) && nodes.contains(&b)).collect()
    };
    let mut links = inside(poor);
    let mut dead_unicasts = inside(unreached);
    while !links.is_empty() {
        let worst = kept
            .iter()
            .map(|&n| {
                let heard_poorly = links.iter().filter(|&&(_, heard)| heard == n).count();
                ((peers(n, &links), peers(n, &dead_unicasts), heard_poorly, n), n)
            })
            .max()
            .map(|(_, n)| n);
        let Some(worst) = worst else { break };
        kept.remove(&worst);
        links.retain(|&(a, b)| a != worst && b != worst);
        dead_unicasts.retain(|&(a, b)| a != worst && b != worst);
    }
    kept
}

/// How many processors `n` shares a link with, either way round.
fn peers(n: NodeId, links: &[(NodeId, NodeId)]) -> usize {
    let others: BTreeSet<NodeId> = links
        .iter()
        .filter_map(|&(a, b)| match (a == n, b == n) {
            (true, _) => Some(b),
            (_, true) => Some(a),
            _ => None,
        })
        .collect();
    others.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[NodeId]) -> BTreeSet<NodeId> {
        ids.iter().copied().collect()
    }

    fn links(pairs: &[(NodeId, NodeId)]) -> BTreeSet<(NodeId, NodeId)> {
        pairs.iter().copied().collect()
    }

    fn none() -> BTreeSet<(NodeId, NodeId)> {
        BTreeSet::new()
    }

    #[test]
    fn no_poor_link_keeps_everyone_together() {
        assert_eq!(group_of(2, &set(&[1, 2, 3]), &links(&[]), &none()), vec![1, 2, 3]);
        assert_eq!(group_of(2, &set(&[1, 2, 3]), &links(&[(4, 5), (3, 3)]), &none()), vec![1, 2, 3], "links of others");
    }

    #[test]
    fn a_processor_that_hears_everyone_poorly_is_alone() {
        // Asym seed 1092: 1 misses most of 2's and 3's multicast; 2 and 3 are clean.
        let poor = links(&[(1, 2), (1, 3)]);
        let nodes = set(&[1, 2, 3]);
        assert_eq!(group_of(1, &nodes, &poor, &none()), vec![1]);
        assert_eq!(group_of(2, &nodes, &poor, &none()), vec![2, 3]);
        assert_eq!(group_of(3, &nodes, &poor, &none()), vec![2, 3]);
    }

    #[test]
    fn of_a_poor_link_the_sender_heard_poorly_leaves() {
        // Asym seed 1093: 2 misses most of 3's multicast; {1,2} is clean.
        let poor = links(&[(2, 3)]);
        assert_eq!(group_of(1, &set(&[1, 2, 3]), &poor, &none()), vec![1, 2]);
        assert_eq!(group_of(3, &set(&[1, 2, 3]), &poor, &none()), vec![3]);
        // The lower id heard poorly leaves just the same.
        let poor = links(&[(3, 2)]);
        assert_eq!(group_of(1, &set(&[1, 2, 3]), &poor, &none()), vec![1, 3]);
    }

    #[test]
    fn of_a_tie_the_one_whose_unicast_a_peer_cannot_reach_leaves() {
        // Asym seeds 1220 and 1298: 2 misses most of 1's multicast, and 3's
        // unicast to 2 is dead; {1,3} is clean. Without the unreached link
        // 1 leaves (heard poorly), keeping {2,3} over the dead unicast.
        let poor = links(&[(2, 1)]);
        let nodes = set(&[1, 2, 3]);
        assert_eq!(group_of(3, &nodes, &poor, &none()), vec![2, 3]);
        let unreached = links(&[(3, 2)]);
        assert_eq!(group_of(3, &nodes, &poor, &unreached), vec![1, 3]);
        assert_eq!(group_of(1, &nodes, &poor, &unreached), vec![1, 3]);
        assert_eq!(group_of(2, &nodes, &poor, &unreached), vec![2]);
        // Only a tie: more poor links still decide, and an unreached link
        // alone cuts nothing.
        let poor = links(&[(2, 1), (3, 1)]);
        assert_eq!(group_of(3, &nodes, &poor, &unreached), vec![2, 3]);
        assert_eq!(group_of(3, &nodes, &none(), &unreached), vec![1, 2, 3]);
        // Unreached links with processors outside the gathering are ignored.
        assert_eq!(group_of(3, &nodes, &links(&[(2, 1)]), &links(&[(2, 7), (1, 8)])), vec![2, 3]);
    }

    #[test]
    fn two_clean_cliques_over_poor_links_make_two_rings() {
        let poor = links(&[(1, 3), (1, 4), (2, 3), (2, 4), (3, 1), (4, 2)]);
        let nodes = set(&[1, 2, 3, 4, 5]);
        assert_eq!(group_of(1, &nodes, &poor, &none()), vec![1, 2, 5]);
        assert_eq!(group_of(3, &nodes, &poor, &none()), vec![3, 4]);
        assert_eq!(group_of(4, &nodes, &poor, &none()), vec![3, 4]);
    }

    #[test]
    fn every_member_computes_the_same_groups() {
        let poor = links(&[(1, 2), (2, 3), (3, 4), (4, 5), (5, 1), (6, 2), (6, 3)]);
        let nodes = set(&[1, 2, 3, 4, 5, 6, 7]);
        for me in 1..=7 {
            let mine = group_of(me, &nodes, &poor, &none());
            assert!(mine.contains(&me));
            for &m in &mine {
                assert_eq!(group_of(m, &nodes, &poor, &none()), mine, "{m} and {me} disagree");
            }
            for &(a, b) in &poor {
                assert!(!(mine.contains(&a) && mine.contains(&b)), "poor link {a}-{b} inside {mine:?}");
            }
        }
    }
}
