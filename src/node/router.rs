//! The core's events to the handles' queues, in order, from whichever thread
//! drove the core: the protocol thread after each turn, or an application
//! thread whose multicast released a held token (`node::submit`).
//!
//! Order: whoever takes events from the core takes the router's lock before
//! it lets go of the core's (lock order: core, then router), so two threads'
//! events reach the handles in the order the core produced them.

use std::sync::Arc;

use crate::api::{Callback, ConfigChange as ApiConfigChange};
use crate::totem::{ConfigKind, Event, NodeId, Processor, RingId, SharedBytes};

use super::handles::{read_registry, with_registry, HandleState, Membership, Registry};
use super::{message, Node};

/// Hands a turn's events to the handles. Deliveries are gathered per handle
/// and pushed with one lock, one eventfd write and at most one wake-up per
/// handle per turn (`HandleState::push_all`), under one read lock of the
/// registry; each handle still sees its callbacks in event order, since a
/// configuration change first flushes the deliveries before it.
#[derive(Default)]
pub(crate) struct Router {
    /// Events taken from the core, not yet routed.
    events: Vec<Event>,
    /// Deliveries not yet pushed, per receiving handle.
    pending: Vec<(Arc<HandleState>, Vec<Callback>)>,
    /// The receivers of one delivery: kept, so routing allocates nothing for them.
    receivers: Vec<u64>,
    /// The left list of the transitional configuration delivered since the
    /// last regular one: the membership line of the next regular one names them.
    left: Vec<NodeId>,
    /// A regular configuration was logged: the first one's members all
    /// count as joined in its line (as corosync's first line has them).
    installed: bool,
}

impl Router {
    /// Take the core's pending events (call with the core locked, then keep
    /// this router locked until they are routed).
    pub fn take_events(&mut self, processor: &mut Processor) {
        while let Some(e) = processor.poll_event() {
            self.events.push(e);
        }
    }

    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// Route the events taken; true once the processor has left.
    pub fn route(&mut self, node: &Node) -> bool {
        let mut left = false;
        let mut registry = None;
        let mut events = std::mem::take(&mut self.events);
        for event in events.drain(..) {
            match event {
                Event::Deliver(d) => {
                    let r = registry.get_or_insert_with(read_registry);
                    self.gather(node, r, d.sender, d.payload);
                }
                Event::ConfigChange(c) => {
                    self.flush(registry.take().as_deref());
                    self.config_change(node, c);
                }
                Event::Left => left = true,
            }
        }
        self.flush(registry.as_deref());
        self.events = events; // its buffer, for the next turn
        left
    }

    /// Queue one delivery for every handle that joined one of its groups:
    /// each gets a view of the core's bytes, none a copy.
    fn gather(&mut self, node: &Node, registry: &Registry, sender: NodeId, payload: SharedBytes) {
        let Some((groups, data)) = message::split(&payload) else {
            crate::evs_log!(Warn, "dropped a message from node {sender} that is not ours");
            return;
        };
        node.stats.delivered(data.len());
        // Indexed by group: a lookup per group of the message, whatever the
        // handles joined (see `groups.rs`).
        let mut receivers = std::mem::take(&mut self.receivers);
        registry.groups.receivers_into(groups, &mut receivers);
        if receivers.is_empty() {
            self.receivers = receivers;
            return;
        }
        // A queue may keep it long: a small message packed with others is
        // copied out rather than keep their whole frame alive.
        let data = payload.slice_ref(data).compact();
        for id in &receivers {
            let Some(state) = registry.handles.get(id) else { continue };
            let callback = Callback::Deliver { nodeid: sender, payload: data.clone() };
            match self.pending.iter_mut().find(|(s, _)| Arc::ptr_eq(s, state)) {
                Some((_, queue)) => queue.push(callback),
                None => self.pending.push((Arc::clone(state), vec![callback])),
            }
        }
        self.receivers = receivers;
    }

    /// Push what was gathered. Needs the registry only for the bound; a
    /// handle finalized meanwhile drops what it is given.
    fn flush(&mut self, registry: Option<&Registry>) {
        let Some(registry) = registry else {
            debug_assert!(self.pending.is_empty(), "deliveries gathered without the registry");
            return;
        };
        let limit = registry.limit();
        for (state, callbacks) in self.pending.drain(..) {
            state.push_all(callbacks, limit);
        }
    }
}

impl Router {
    /// A configuration change goes to every handle; it is counted and
    /// logged once for the process here, not per handle.
    fn config_change(&mut self, node: &Node, c: crate::totem::ConfigChange) {
        let transitional = c.kind == ConfigKind::Transitional;
        if transitional {
            node.stats.transitional();
            crate::evs_log!(Debug, "{}", transitional_line(c.ring_id, &c.members, &c.left));
            self.left.clone_from(&c.left);
        } else {
            let left = std::mem::take(&mut self.left);
            let joined = if self.installed { &c.joined } else { &c.members };
            self.installed = true;
            crate::evs_log!(Info, "{}", membership_line(c.ring_id, joined, &left));
            crate::evs_log!(Info, "{}", members_line(&c.members));
        }
        with_registry(|r| {
            if !transitional {
                r.membership = Some(Membership { ring_id: c.ring_id, members: c.members.clone() });
            }
            let change = ApiConfigChange {
                members: c.members,
                left: c.left,
                joined: c.joined,
                ring_id: c.ring_id,
                transitional,
            };
            let limit = r.limit();
            for state in r.handles.values() {
                state.push_config(change.clone(), limit);
            }
        });
        if !transitional {
            node.set_started(Ok(()));
        }
    }
}

/// ` joined: 1 2` (corosync's way of listing node ids after a label), or
/// nothing for an empty list.
fn node_list(label: &str, ids: &[NodeId]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if !ids.is_empty() {
        out.push(' ');
        out.push_str(label);
        out.push(':');
        for id in ids {
            let _ = write!(out, " {id}");
        }
    }
    out
}

/// The line corosync's totemsrp logs (notice) when a regular configuration is
/// installed, in its format: the ring id as `rep.seq`, both in hex
/// (`CS_PRI_RING_ID`), then the node ids (decimal) that joined and those that
/// left since the previous regular configuration, each list only if not empty
/// (the processor's first configuration: every member joined).
pub(crate) fn membership_line(ring_id: RingId, joined: &[NodeId], left: &[NodeId]) -> String {
    format!(
        "A new membership ({:x}.{:x}) was formed. Members{}{}",
        ring_id.rep,
        ring_id.seq,
        node_list("joined", joined),
        node_list("left", left)
    )
}

/// The line corosync's quorum service logs (notice) after each regular
/// configuration: the number of members, then their node ids.
pub(crate) fn members_line(members: &[NodeId]) -> String {
    let ids: String = members.iter().map(|id| format!(" {id}")).collect();
    format!("Members[{}]:{ids}", members.len())
}

/// Ours (corosync logged no such line): a transitional configuration was
/// delivered, with the old ring's id, the members that go on together and
/// those that left.
pub(crate) fn transitional_line(ring_id: RingId, members: &[NodeId], left: &[NodeId]) -> String {
    format!(
        "Transitional configuration of ring ({:x}.{:x}) delivered. {}{}",
        ring_id.rep,
        ring_id.seq,
        members_line(members),
        node_list("left", left)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_have_corosyncs_format() {
        let ring = RingId { rep: 1, seq: 0x2c };
        assert_eq!(membership_line(ring, &[2], &[3]), "A new membership (1.2c) was formed. Members joined: 2 left: 3");
        assert_eq!(
            membership_line(RingId { rep: 26, seq: 4096 }, &[10, 26], &[]),
            "A new membership (1a.1000) was formed. Members joined: 10 26"
        );
        assert_eq!(membership_line(ring, &[], &[3, 4]), "A new membership (1.2c) was formed. Members left: 3 4");
        assert_eq!(membership_line(ring, &[], &[]), "A new membership (1.2c) was formed. Members");
        assert_eq!(members_line(&[1, 2, 5]), "Members[3]: 1 2 5");
        assert_eq!(
            transitional_line(ring, &[1], &[2]),
            "Transitional configuration of ring (1.2c) delivered. Members[1]: 1 left: 2"
        );
    }
}
