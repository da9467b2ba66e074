//! The protocol thread: poll the sockets and the wake-up fd until the core's
//! next deadline, feed the core, send what it asks, and route its events to
//! the handles' queues. A panic on it is caught and fails the node.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::api::Error;
use crate::net::{Codec, Learn, PeerTable, RecvBatch, Target, Transport};
use crate::totem::{Destination, NodeId, State, Transmit};

use super::versions::OtherVersions;
use super::{failure, probe, Node};

/// Datagrams read per wake-up before timers and sends get their turn.
const RECV_BUDGET: usize = 256;
/// Datagrams read per system call and handed to the core per lock.
const RECV_SLOTS: usize = 64;

pub(super) fn run(node: Arc<Node>, transport: Transport, codec: Codec, me: NodeId) {
    // The transport moves into `serve`, so a panic closes the sockets as it
    // unwinds: a new node may bind the same port.
    if let Err(reason) = failure::catching(|| serve(&node, transport, codec, me)) {
        node.fail(&format!("the protocol thread panicked: {reason}"));
    }
}

fn serve(node: &Node, mut transport: Transport, codec: Codec, me: NodeId) {
    let mut inbound = Inbound {
        me,
        local: transport.local_addr(),
        peers: PeerTable::new(),
        codec,
        collision_reported: false,
        versions: OtherVersions::default(),
        started: std::time::Instant::now(),
    };
    let mut batch = RecvBatch::new(RECV_SLOTS);
    // The sockets, then the wake-up descriptor (last): polled every turn.
    let mut pollfds: Vec<libc::pollfd> = transport
        .fds()
        .into_iter()
        .chain(std::iter::once(node.wake.raw()))
        .map(|fd| libc::pollfd { fd, events: libc::POLLIN, revents: 0 })
        .collect();
    let mut transmits: Vec<Transmit> = Vec::new();
    let mut leave_started = false;
    let mut states = States::default();
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
        let woken = poll_readable(&mut pollfds, timeout_ms);
        node.wake.woken(woken);
        if node.panic_requested.swap(false, Ordering::SeqCst) {
            // Test hook (`api::testing`): holding the core lock, as a bug in
            // the core would, so that the mutex is poisoned too.
            let _core = node.sound_core();
            panic!("protocol thread panic requested by evs::api::testing::panic_protocol_thread");
        }

        // Datagrams are read and opened outside the core's lock, a batch at
        // a time (`net/recv_batch.rs`), then handed to the core under it: an
        // application's multicast never waits for our system calls, nor for
        // the checking and decryption of sealed datagrams.
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
            let heard = inbound.started.elapsed().as_micros() as u64;
            let accepted: Vec<&[u8]> = batch
                .iter_mut()
                .filter_map(|(bytes, from)| inbound.accept(node, &mut transport, bytes, from, heard))
                .collect();
            let Some(mut core) = node.sound_core() else { return };
            // One reading of the clock per batch: its datagrams were all
            // read at the same instant.
            let now = core.clock.now();
            for payload in accepted {
                core.processor.handle_packet(now, payload);
            }
            if !more || read >= RECV_BUDGET {
                break;
            }
        }
        if read > 0 {
            node.stats.set_rejected(inbound.codec.rejected());
        }
        let mut router = {
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
            states.observe(core.processor.state(), core.processor.counters().gathers);
            // Before the core is let go: events keep their order (`router.rs`).
            let mut router = node.router.lock().unwrap_or_else(|e| e.into_inner());
            router.take_events(&mut core.processor);
            router
        };

        // The visit's datagrams go out together (`net/batch.rs`), each
        // behind our envelope, which the kernel gathers (no copy), or sealed.
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
        if let Err(e) = inbound.codec.send_batch(&mut transport, &sends) {
            crate::evs_log!(Debug, "send: {e}");
        }
        drop(sends);
        transmits.clear();
        if router.route(node) || node.left_routed.load(Ordering::SeqCst) {
            break;
        }
        drop(router);
    }
}

/// The processor's state as the thread last saw it, for the debug log of its
/// changes (corosync's "entering GATHER state."): read at the end of each
/// turn, so a state entered and left within one turn is not named, except
/// a pass through Gather, which its counter shows.
#[derive(Default)]
struct States {
    last: Option<State>,
    gathers: u64,
}

impl States {
    fn observe(&mut self, state: State, gathers: u64) {
        let regathered = gathers != self.gathers;
        self.gathers = gathers;
        let changed = self.last != Some(state);
        self.last = Some(state);
        if !crate::log::enabled(crate::log::LogLevel::Debug) {
            return;
        }
        if regathered && state != State::Gather {
            crate::evs_log!(Debug, "entering GATHER state.");
        }
        if changed || (regathered && state == State::Gather) {
            let name = match state {
                State::Gather => "GATHER",
                State::Commit => "COMMIT",
                State::Recovery => "RECOVERY",
                State::Operational => "OPERATIONAL",
                State::Left => "LEFT",
            };
            crate::evs_log!(Debug, "entering {name} state.");
        }
    }
}

/// What the thread knows of the datagrams it receives: our identity, the
/// peers' addresses learnt from them, and how datagrams are (un)wrapped.
struct Inbound {
    me: NodeId,
    local: std::net::SocketAddr,
    peers: PeerTable,
    codec: Codec,
    collision_reported: bool,
    versions: OtherVersions,
    /// The peer table's time origin.
    started: std::time::Instant,
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
        datagram: &'a mut [u8],
        from: std::net::SocketAddr,
        heard: u64,
    ) -> Option<&'a [u8]> {
        // With a key, nothing below (not even the sender's id) is believed
        // before the datagram is authenticated.
        let opened = self.codec.open(datagram)?;
        let (sender, bytes) = (opened.sender, opened.payload);
        let me = self.me;
        let control = probe::control(bytes);
        // Our id from another process: another address; with a key, another
        // incarnation (the address can be anyone's: a copy of our own
        // datagram sent to us from elsewhere is still ours, and was taken once).
        let elsewhere =
            sender == me && if self.codec.is_sealed() { opened.other_run.is_some() } else { from != self.local };
        if elsewhere && control.is_some() {
            // A starting processor asks for our id: it refuses to start.
            if control == Some(probe::Control::Probe) {
                probe::answer(transport, &mut self.codec, from);
                crate::evs_log!(Warn, "refused node id {me} to a processor starting at {from}");
            }
            return None;
        }
        if elsewhere {
            if opened.other_run == Some(std::cmp::Ordering::Less) {
                // An earlier run of our id: a replay of a run before ours
                // (the usual case: a restart keeps its id), or a process that
                // was there first, which answered our probes before we
                // started. Not a reason to stop now.
                return None;
            }
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
        if let Some(version) = crate::totem::wire::foreign_version(bytes) {
            // Another libevs version: not understood, so neither given to the
            // core nor learnt as a peer, but counted and reported.
            self.versions.heard(sender, from, version);
            node.stats.other_version();
            return None;
        }
        // A late datagram (say, someone's copy of one the sender's own copy
        // of was lost) proves nothing about where the sender is now.
        if sender != me && opened.fresh {
            match self.peers.learn(sender, from, heard) {
                Learn::Moved { old } => crate::evs_log!(Warn, "node {sender} moved from {old} to {from}"),
                Learn::Full => crate::evs_log!(Debug, "node {sender} at {from} not recorded: the peer table is full"),
                Learn::New | Learn::Known => {}
            }
        }
        Some(bytes)
    }
}

/// Wait until a socket or the wake-up fd is readable, or the timeout passes;
/// whether the wake-up fd was.
fn poll_readable(fds: &mut [libc::pollfd], timeout_ms: i32) -> bool {
    for p in fds.iter_mut() {
        p.revents = 0;
    }
    // SAFETY: fds is a valid array of pollfd of the given length.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
    // The wake descriptor is last. On an error (EINTR) nothing is known:
    // say readable, so that its flag and contents are cleared alike.
    n < 0 || fds.last().is_some_and(|p| p.revents & libc::POLLIN != 0)
}
