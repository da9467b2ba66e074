//! Everything the property checks share, computed once per history: the
//! timelines, a dense number per message, who delivered what where, and who
//! installed which configuration.

use super::fasthash::FastMap;
use super::history::{History, MsgId};
use super::timeline::{Label, Timeline};
use crate::totem::{Guarantee, NodeId, RingId};

/// A message's dense number, an index into `Index::msgs`.
pub(super) type Msg = u32;

pub(super) struct MsgInfo {
    pub id: MsgId,
    /// (process, index in its submits) of the first submit recorded.
    pub submit: Option<(usize, usize)>,
    /// The ring of its first labelled delivery (process order, then record
    /// order): the ring every delivery must agree with (P1).
    pub ring: Option<RingId>,
    /// As submitted, or as first delivered when no submit was recorded.
    pub guarantee: Guarantee,
}

impl MsgInfo {
    pub fn is_ordered(&self) -> bool {
        self.guarantee.is_ordered()
    }
}

pub(super) struct Index<'h> {
    pub procs: Vec<Timeline<'h>>,
    pub msgs: Vec<MsgInfo>,
    pub ids: FastMap<MsgId, Msg>,
    /// Per process: message -> index in its deliveries of its first delivery.
    pub first_delivery: Vec<FastMap<Msg, usize>>,
    /// Per regular ring: (process, config index) of each installer, in process order.
    pub regulars: FastMap<RingId, Vec<(usize, usize)>>,
    /// Per transitional instance (old ring, next ring): its installers.
    pub transitionals: FastMap<(RingId, RingId), Vec<(usize, usize)>>,
}

impl<'h> Index<'h> {
    pub fn new(history: &'h History) -> Index<'h> {
        let mut procs: Vec<Timeline<'h>> = history.processes.iter().map(Timeline::new).collect();
        let mut msgs: Vec<MsgInfo> = Vec::new();
        let mut ids: FastMap<MsgId, Msg> = FastMap::default();
        let mut intern = |id: MsgId, guarantee: Guarantee, msgs: &mut Vec<MsgInfo>| -> Msg {
            *ids.entry(id).or_insert_with(|| {
                msgs.push(MsgInfo { id, submit: None, ring: None, guarantee });
                (msgs.len() - 1) as Msg
            })
        };
        // Submits first, so a message's guarantee is the submitted one when there is one.
        for (p, t) in procs.iter().enumerate() {
            for (i, s) in t.submits.iter().enumerate() {
                let m = intern(s.msg, s.guarantee, &mut msgs) as usize;
                if msgs[m].submit.is_none() {
                    msgs[m].submit = Some((p, i));
                    msgs[m].guarantee = s.guarantee;
                }
            }
        }
        let mut first_delivery = Vec::with_capacity(procs.len());
        for t in procs.iter_mut() {
            let mut first: FastMap<Msg, usize> = FastMap::default();
            first.reserve(t.deliveries.len());
            for (i, d) in t.deliveries.iter_mut().enumerate() {
                let m = intern(d.msg, d.guarantee, &mut msgs);
                d.dense = m;
                first.entry(m).or_insert(i);
                if msgs[m as usize].ring.is_none() {
                    msgs[m as usize].ring = d.config.map(|c| t.configs[c].label.ring());
                }
            }
            first_delivery.push(first);
        }
        let mut regulars: FastMap<RingId, Vec<(usize, usize)>> = FastMap::default();
        let mut transitionals: FastMap<(RingId, RingId), Vec<(usize, usize)>> = FastMap::default();
        for (p, t) in procs.iter().enumerate() {
            for (i, c) in t.configs.iter().enumerate() {
                match c.label {
                    Label::Regular(r) => regulars.entry(r).or_default().push((p, i)),
                    Label::Trans { old, next: Some(n) } => transitionals.entry((old, n)).or_default().push((p, i)),
                    Label::Trans { next: None, .. } => {}
                }
            }
        }
        Index { procs, msgs, ids, first_delivery, regulars, transitionals }
    }

    /// The members of regular ring `r` as its first installer reported them
    /// (P2 checks that every installer agrees).
    pub fn regular_members(&self, r: RingId) -> Option<&[NodeId]> {
        let &(p, i) = self.regulars.get(&r)?.first()?;
        Some(self.procs[p].configs[i].members())
    }

    /// Process `p`'s first delivery of message `m`, with its index.
    pub fn delivery(&self, p: usize, m: Msg) -> Option<usize> {
        self.first_delivery[p].get(&m).copied()
    }

    /// The ring process `p` delivered `m` in, if it did.
    pub fn delivered_ring(&self, p: usize, m: Msg) -> Option<RingId> {
        let t = &self.procs[p];
        let d = &t.deliveries[self.delivery(p, m)?];
        t.label(d).map(Label::ring)
    }

    /// Sorted ring ids, so reports come out in a stable, readable order.
    pub fn sorted_rings(&self) -> Vec<RingId> {
        let mut rings: Vec<RingId> = self.regulars.keys().copied().collect();
        rings.sort();
        rings
    }
}
