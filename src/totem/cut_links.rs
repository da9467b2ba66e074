//! The poor links our ring was cut along, remembered while the ring lasts.
//!
//! A gathering cuts the processors into rings along poor links
//! (`link_groups.rs`). Once the exclusions of the cut run out, a detect from
//! the other side would send us gathering again, and the same links would
//! cut the same rings: a reconfiguration of each side every few seconds for
//! as long as the fault lasts (asym seed 3223: 3 heard 2 at 79% loss, 1 heard
//! 2 well and gathered for each of 2's detects, and {1,3} re-formed around 2
//! every 2-4 s). Only a link's hearer can tell that it heals: its own
//! judgement is current, for the other end keeps sending it numbered
//! detects (`heard_poorly_across`). So a link stands, and keeps us from
//! starting a merge across it, until its hearer says otherwise: by hearing
//! well again (the hearer is us), or by a detect that names the other end (a
//! detect names only the senders its sender hears well,
//! `Processor::send_merge_detect`); the hearer then starts the merge.

use std::collections::BTreeSet;

use super::types::NodeId;

/// Most links remembered (a cut is bounded by the joins' poor links, this
/// only guards the invariant).
const MAX_CUT_LINKS: usize = 256;

#[derive(Default)]
pub(crate) struct CutLinks {
    /// `(hearer, heard)`: one end on our ring, the other off it.
    links: BTreeSet<(NodeId, NodeId)>,
    /// `(sender, receiver)`: the failing unicasts on our ring the cut
    /// weighed (they break its ties, `link_groups.rs`).
    weighed: BTreeSet<(NodeId, NodeId)>,
}

impl CutLinks {
    /// A ring of `members` was installed from a gathering that knew the
    /// poor links `poor` and the failing unicasts `unreached`: remember the
    /// links that cross its edge and the unicasts within it, forget the
    /// earlier ones.
    pub fn installed(
        &mut self,
        members: &[NodeId],
        poor: &BTreeSet<(NodeId, NodeId)>,
        unreached: &BTreeSet<(NodeId, NodeId)>,
    ) {
        let on = |n: &NodeId| members.contains(n);
        self.links = poor.iter().copied().filter(|(a, b)| on(a) != on(b)).take(MAX_CUT_LINKS).collect();
        self.weighed = unreached.iter().copied().filter(|(a, b)| on(a) && on(b)).take(MAX_CUT_LINKS).collect();
    }

    /// Whether the cut knew that `sender`'s unicast to `receiver` fails. One
    /// it did not know of may cut the rings otherwise (asym seed 1220: {2,3}
    /// was formed before 2 measured 3's unicast dead; weighed, it makes 2
    /// leave and {1,3} form, clean both ways).
    pub fn weighed(&self, sender: NodeId, receiver: NodeId) -> bool {
        self.weighed.contains(&(sender, receiver))
    }

    /// `sender`'s detect named `heard`: it hears them well again.
    pub fn detect_heard(&mut self, sender: NodeId, heard: &[NodeId]) {
        self.links.retain(|&(a, b)| a != sender || !heard.contains(&b));
    }

    /// Whether our ring was cut from `heard` along our hearing of it.
    pub fn cut_at_our_hearing(&self, me: NodeId, heard: NodeId) -> bool {
        self.links.contains(&(me, heard))
    }

    /// Whether a link still stands between a processor of `ours` and one of
    /// `theirs` (either way round): one another processor hears, or one we
    /// hear and do not yet hear well, as `unwell` judges (our own judgement
    /// is current).
    pub fn stands_between(
        &self,
        me: NodeId,
        ours: &[NodeId],
        theirs: &[NodeId],
        mut unwell: impl FnMut(NodeId) -> bool,
    ) -> bool {
        let crosses =
            |a: &NodeId, b: &NodeId| ours.contains(a) && theirs.contains(b) || theirs.contains(a) && ours.contains(b);
        self.links.iter().any(|&(a, b)| crosses(&a, &b) && (a != me || unwell(b)))
    }

    /// The processors of `ours` at an end of a link to one of `theirs`.
    pub fn ends_on(&self, ours: &[NodeId], theirs: &[NodeId]) -> Vec<NodeId> {
        let mut ends: Vec<NodeId> = Vec::new();
        for &(a, b) in &self.links {
            let (end, other) = if ours.contains(&a) { (a, b) } else { (b, a) };
            if ours.contains(&end) && theirs.contains(&other) && !ends.contains(&end) {
                ends.push(end);
            }
        }
        ends
    }

    /// Whether we hear a processor off our ring poorly: the ring was cut
    /// along a link of which we are the hearer.
    pub fn hears_across(&self, me: NodeId) -> bool {
        self.links.iter().any(|&(a, _)| a == me)
    }

    /// Whether a processor off our ring heard `me` poorly and has not said
    /// otherwise: we announce ourselves every merge interval then, so that
    /// its judgement of us stays current (a member that is not its ring's
    /// representative sends no detect of its own accord, and a link whose
    /// heard end falls silent is judged on what it carried before). The
    /// hearer of a link whose heard end is us is off our ring: `installed`
    /// keeps only links across its edge.
    pub fn heard_poorly_across(&self, me: NodeId) -> bool {
        self.links.iter().any(|&(_, b)| b == me)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poor(links: &[(NodeId, NodeId)]) -> BTreeSet<(NodeId, NodeId)> {
        links.iter().copied().collect()
    }

    #[test]
    fn only_links_across_the_edge_are_kept() {
        let mut c = CutLinks::default();
        c.installed(&[1, 3], &poor(&[(3, 2), (1, 3), (2, 4), (4, 1)]), &poor(&[(1, 3), (3, 2)]));
        assert_eq!(c.links, poor(&[(3, 2), (4, 1)]));
        assert!(c.weighed(1, 3) && !c.weighed(3, 2), "unicasts within the ring only");
    }

    #[test]
    fn a_link_stands_until_its_hearer_names_the_other_end() {
        let mut c = CutLinks::default();
        c.installed(&[1, 3], &poor(&[(3, 2)]), &BTreeSet::new());
        let never = |_| false;
        assert!(c.stands_between(1, &[1, 3], &[2], never), "3 hears 2 poorly: 1 waits for 3");
        assert!(c.stands_between(2, &[2], &[1, 3], never), "2 waits for 3 too");
        assert!(!c.stands_between(3, &[1, 3], &[2], never), "3 hears 2 well now");
        assert!(c.stands_between(3, &[1, 3], &[2], |n| n == 2), "3 still hears 2 poorly");
        assert!(!c.stands_between(1, &[1, 3], &[4], |_| true), "the link does not reach 4's ring");
        assert_eq!(c.ends_on(&[1, 3], &[2]), vec![3]);
        assert_eq!(c.ends_on(&[2], &[1, 3]), vec![2]);
        assert!(c.ends_on(&[1, 3], &[4]).is_empty());
        c.detect_heard(1, &[2]);
        assert!(c.stands_between(1, &[1, 3], &[2], never), "1 is not the hearer");
        c.detect_heard(3, &[2, 5]);
        assert!(!c.stands_between(1, &[1, 3], &[2], never), "3 hears 2 again");
    }

    #[test]
    fn the_heard_end_of_a_link_announces_itself_until_the_hearer_names_it() {
        let mut c = CutLinks::default();
        c.installed(&[2], &poor(&[(3, 2)]), &BTreeSet::new());
        assert!(c.heard_poorly_across(2) && !c.hears_across(2));
        c.installed(&[1, 3], &poor(&[(3, 2)]), &BTreeSet::new());
        assert!(!c.heard_poorly_across(3) && !c.heard_poorly_across(1), "3 is the hearer");
        assert!(c.hears_across(3) && !c.hears_across(1));
        c.installed(&[2], &poor(&[(3, 2)]), &BTreeSet::new());
        c.detect_heard(3, &[2]);
        assert!(!c.heard_poorly_across(2));
    }

    #[test]
    fn a_new_ring_forgets_the_old_cut() {
        let mut c = CutLinks::default();
        c.installed(&[1, 3], &poor(&[(3, 2)]), &BTreeSet::new());
        c.installed(&[1, 2, 3], &poor(&[(3, 2)]), &BTreeSet::new());
        assert!(!c.stands_between(1, &[1, 2, 3], &[4], |_| true));
        assert!(c.links.is_empty());
    }
}
