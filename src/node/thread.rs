//! The protocol thread: poll the sockets and the wake-up fd until the core's
//! next deadline, feed the core, send what it asks, and route its events to
//! the handles' queues. A panic on it is caught and fails the node.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::api::{Callback, ConfigChange as ApiConfigChange, Error};
use crate::net::{envelope, Learn, PeerTable, RecvBatch, Target, Transport};
use crate::totem::{ConfigKind, Destination, Event, NodeId, SharedBytes, Transmit};

use super::handles::{read_registry, with_registry, HandleState, Membership, Registry};
use super::{failure, message, probe, Node};

/// Datagrams read per wake-up before timers and sends get their turn.
const RECV_BUDGET: usize = 256;
/// Datagrams read per system call and handed to the core per lock.
const RECV_SLOTS: usize = 64;

pub(super) fn run(node: Arc<Node>, transport: Transport, me: NodeId) {
    // The transport moves into `serve`, so a panic closes the sockets as it
    // unwinds: a new node may bind the same port.
    if let Err(reason) = failure::catching(|| serve(&node, transport, me)) {
        node.fail(&format!("the protocol thread panicked: {reason}"));
    }
}

fn serve(node: &Node, mut transport: Transport, me: NodeId) {
    let mut inbound = Inbound { me, local: transport.local_addr(), peers: PeerTable::new(), collision_reported: false };
    let mut batch = RecvBatch::new(RECV_SLOTS);
    let envelope = envelope::header(me);
    let mut transmits: Vec<Transmit> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let mut router = Router::default();
    let mut leave_started = false;
    loop {
        let timeout_ms = {
            // None: a panic inside the core during an API call (`submit`)
            // failed the node.
            let Some(core) = node.sound_core() else { return };
            let now = core.clock.now();
            match core.processor.poll_timeout() {
                Some(at) if at <= now => 0,
                Some(at) => ((at - now).div_ceil(1000)).min(i32::MAX as u64) as i32,
                None => 1000,
            }
        };
        let woken = poll_readable(&transport, node.wake.raw(), timeout_ms);
        node.wake.woken(woken);
        if node.panic_requested.swap(false, Ordering::SeqCst) {
            // Test hook (`api::testing`): holding the core lock, as a bug in
            // the core would, so that the mutex is poisoned too.
            let _core = node.sound_core();
            panic!("protocol thread panic requested by evs::api::testing::panic_protocol_thread");
        }

        // Datagrams are read outside the core's lock, a batch at a time
        // (`net/recv_batch.rs`), then handed to the core under it: an
        // application's multicast never waits for our system calls.
        let mut read = 0;
        loop {
            let more = match transport.recv_batch(&mut batch) {
                Ok(more) => more,
                Err(e) => {
                    crate::evs_log!(Warn, "receive: {e}");
                    false
                }
            };
            read += batch.len();
            let Some(mut core) = node.sound_core() else { return };
            // One reading of the clock per batch: its datagrams were all
            // read at the same instant.
            let now = core.clock.now();
            for (bytes, from) in batch.iter() {
                if let Some(payload) = inbound.accept(node, &mut transport, bytes, from) {
                    core.processor.handle_packet(now, payload);
                }
            }
            if !more || read >= RECV_BUDGET {
                break;
            }
        }
        {
            let Some(mut core) = node.sound_core() else { return };
            let now = core.clock.now();
            core.processor.handle_timeout(now);
            if core.stop && !leave_started {
                leave_started = true;
                core.processor.leave(now);
            }
            while let Some(t) = core.processor.poll_transmit() {
                transmits.push(t);
            }
            while let Some(e) = core.processor.poll_event() {
                events.push(e);
            }
        }

        // The visit's datagrams go out together (`net/batch.rs`), each
        // behind our envelope, which the kernel gathers: no copy.
        let sends: Vec<(Target, &[u8])> = transmits
            .iter()
            .filter_map(|t| {
                let target = match t.dest {
                    Destination::All => Target::All,
                    Destination::Node(id) if id == me => Target::To(inbound.local),
                    // Never heard from: it cannot be on our ring.
                    Destination::Node(id) => Target::To(inbound.peers.addr_of(id)?),
                };
                Some((target, t.bytes.as_slice()))
            })
            .collect();
        if let Err(e) = transport.send_batch(&envelope, &sends) {
            crate::evs_log!(Debug, "send: {e}");
        }
        drop(sends);
        transmits.clear();
        if router.route(node, &mut events) {
            break;
        }
    }
}

/// What the thread knows of the datagrams it receives: our identity, and
/// the peers' addresses learnt from them.
struct Inbound {
    me: NodeId,
    local: std::net::SocketAddr,
    peers: PeerTable,
    collision_reported: bool,
}

impl Inbound {
    /// The packet inside a received datagram, if it is for the core: probes
    /// for node ids are answered or ignored here, a datagram with our own id
    /// from another address is a collision, and the sender's address is
    /// learnt.
    fn accept<'a>(
        &mut self,
        node: &Node,
        transport: &mut Transport,
        datagram: &'a [u8],
        from: std::net::SocketAddr,
    ) -> Option<&'a [u8]> {
        let (sender, bytes) = envelope::unwrap(datagram)?;
        let me = self.me;
        let control = probe::control(bytes);
        if sender == me && from != self.local && control.is_some() {
            // A starting processor asks for our id: it refuses to start.
            if control == Some(probe::Control::Probe) {
                probe::answer(transport, me, from);
                crate::evs_log!(Warn, "refused node id {me} to a processor starting at {from}");
            }
            return None;
        }
        if sender == me && from != self.local {
            if !self.collision_reported {
                self.collision_reported = true;
                // A configuration error on one side or the other: say so even
                // with logging off (never a silent collision).
                crate::log::fatal(format_args!("node id {me} is also used by the processor at {from}"));
                node.set_started(Err(Error::Exist));
            }
            return None;
        }
        if control.is_some() {
            return None; // another id's probe or answer: not for the core, not learnt
        }
        if sender != me {
            if let Learn::Moved { old } = self.peers.learn(sender, from) {
                crate::evs_log!(Warn, "node {sender} moved from {old} to {from}");
            }
        }
        Some(bytes)
    }
}

/// Hands a turn's events to the handles. Deliveries are gathered per handle
/// and pushed with one lock, one eventfd write and at most one wake-up per
/// handle per turn (`HandleState::push_all`), under one read lock of the
/// registry; each handle still sees its callbacks in event order, since a
/// configuration change first flushes the deliveries before it.
#[derive(Default)]
struct Router {
    /// Deliveries not yet pushed, per receiving handle.
    pending: Vec<(Arc<HandleState>, Vec<Callback>)>,
    /// The receivers of one delivery: kept, so routing allocates nothing for them.
    receivers: Vec<u64>,
}

impl Router {
    /// Route and drain `events`; true once the processor has left.
    fn route(&mut self, node: &Node, events: &mut Vec<Event>) -> bool {
        let mut left = false;
        let mut registry = None;
        for event in events.drain(..) {
            match event {
                Event::Deliver(d) => {
                    let r = registry.get_or_insert_with(read_registry);
                    self.gather(r, d.sender, d.payload);
                }
                Event::ConfigChange(c) => {
                    self.flush(registry.take().as_deref());
                    config_change(node, c);
                }
                Event::Left => left = true,
            }
        }
        self.flush(registry.as_deref());
        left
    }

    /// Queue one delivery for every handle that joined one of its groups:
    /// each gets a view of the core's bytes, none a copy.
    fn gather(&mut self, registry: &Registry, sender: NodeId, payload: SharedBytes) {
        let Some((groups, data)) = message::split(&payload) else {
            crate::evs_log!(Warn, "dropped a message from node {sender} that is not ours");
            return;
        };
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

/// A configuration change goes to every handle.
fn config_change(node: &Node, c: crate::totem::ConfigChange) {
    let transitional = c.kind == ConfigKind::Transitional;
    crate::evs_log!(
        Info,
        "{} configuration {}:{} members {:?} left {:?} joined {:?}",
        if transitional { "transitional" } else { "regular" },
        c.ring_id.rep,
        c.ring_id.seq,
        c.members,
        c.left,
        c.joined
    );
    with_registry(|r| {
        if !transitional {
            r.membership = Some(Membership { ring_id: c.ring_id, members: c.members.clone() });
        }
        let change =
            ApiConfigChange { members: c.members, left: c.left, joined: c.joined, ring_id: c.ring_id, transitional };
        let limit = r.limit();
        for state in r.handles.values() {
            state.push_config(change.clone(), limit);
        }
    });
    if !transitional {
        node.set_started(Ok(()));
    }
}

/// Wait until a socket or the wake-up fd is readable, or the timeout passes;
/// whether the wake-up fd was.
fn poll_readable(transport: &Transport, wake: std::os::fd::RawFd, timeout_ms: i32) -> bool {
    let mut fds: Vec<libc::pollfd> = transport
        .fds()
        .into_iter()
        .chain(std::iter::once(wake))
        .map(|fd| libc::pollfd { fd, events: libc::POLLIN, revents: 0 })
        .collect();
    // SAFETY: fds is a valid array of pollfd of the given length.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
    // The wake descriptor is last. On an error (EINTR) nothing is known:
    // say readable, so that its flag and contents are cleared alike.
    n < 0 || fds.last().is_some_and(|p| p.revents & libc::POLLIN != 0)
}
