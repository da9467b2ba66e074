//! The protocol thread: poll the sockets and the wake-up fd until the core's
//! next deadline, feed the core, send what it asks, and route its events to
//! the handles' queues. A panic on it is caught and fails the node.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::api::{Callback, ConfigChange as ApiConfigChange, Error};
use crate::net::{envelope, Learn, PeerTable, Target, Transport};
use crate::totem::{ConfigKind, Destination, Event, NodeId, Transmit};

use super::handles::{with_registry, Membership};
use super::{failure, message, probe, Node};

/// Datagrams read per wake-up before timers and sends get their turn.
const RECV_BUDGET: usize = 256;

pub(super) fn run(node: Arc<Node>, transport: Transport, me: NodeId) {
    // The transport moves into `serve`, so a panic closes the sockets as it
    // unwinds: a new node may bind the same port.
    if let Err(reason) = failure::catching(|| serve(&node, transport, me)) {
        node.fail(&format!("the protocol thread panicked: {reason}"));
    }
}

fn serve(node: &Node, mut transport: Transport, me: NodeId) {
    let local = transport.local_addr();
    let mut peers = PeerTable::new();
    let mut buf = vec![0u8; 65_536];
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut transmits: Vec<Transmit> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let mut leave_started = false;
    let mut collision_reported = false;
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

        let mut left = false;
        {
            let Some(mut core) = node.sound_core() else { return };
            if node.panic_requested.swap(false, Ordering::SeqCst) {
                // Test hook (`api::testing`): here, holding the core lock, as
                // a bug in the core would, so that the mutex is poisoned too.
                panic!("protocol thread panic requested by evs::api::testing::panic_protocol_thread");
            }
            for _ in 0..RECV_BUDGET {
                match transport.recv(&mut buf) {
                    Ok(Some((n, from))) => {
                        let Some((sender, bytes)) = envelope::unwrap(&buf[..n]) else { continue };
                        let control = probe::control(bytes);
                        if sender == me && from != local && control.is_some() {
                            // A starting processor asks for our id: it refuses to start.
                            if control == Some(probe::Control::Probe) {
                                probe::answer(&mut transport, me, from);
                                crate::evs_log!(Warn, "refused node id {me} to a processor starting at {from}");
                            }
                            continue;
                        }
                        if sender == me && from != local {
                            if !collision_reported {
                                collision_reported = true;
                                // A configuration error on one side or the other: say so even
                                // with logging off (never a silent collision).
                                crate::log::fatal(format_args!("node id {me} is also used by the processor at {from}"));
                                node.set_started(Err(Error::Exist));
                            }
                            continue;
                        }
                        if control.is_some() {
                            continue; // another id's probe or answer: not for the core, not learnt
                        }
                        if sender != me {
                            if let Learn::Moved { old } = peers.learn(sender, from) {
                                crate::evs_log!(Warn, "node {sender} moved from {old} to {from}");
                            }
                        }
                        let now = core.clock.now();
                        core.processor.handle_packet(now, bytes);
                    }
                    Ok(None) => break,
                    Err(e) => {
                        crate::evs_log!(Warn, "receive: {e}");
                        break;
                    }
                }
            }
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

        // The visit's datagrams go out together (`net/batch.rs`); the
        // envelope buffers are kept from one turn to the next.
        let mut targets = Vec::with_capacity(transmits.len());
        for t in transmits.drain(..) {
            let target = match t.dest {
                Destination::All => Target::All,
                Destination::Node(id) if id == me => Target::To(local),
                Destination::Node(id) => match peers.addr_of(id) {
                    Some(addr) => Target::To(addr),
                    None => continue, // never heard from: it cannot be on our ring
                },
            };
            // One buffer per datagram that goes (skipped ones take none).
            let i = targets.len();
            if out.len() <= i {
                out.push(Vec::with_capacity(2048));
            }
            out[i].clear();
            envelope::wrap(me, &t.bytes, &mut out[i]);
            targets.push((target, i));
        }
        let batch: Vec<(Target, &[u8])> = targets.iter().map(|&(t, i)| (t, out[i].as_slice())).collect();
        if let Err(e) = transport.send_batch(&batch) {
            crate::evs_log!(Debug, "send: {e}");
        }
        drop(batch);
        // A recovery can burst thousands of frames: do not keep their buffers.
        out.truncate(256);
        for e in events.drain(..) {
            left |= route(node, e);
        }
        if left {
            break;
        }
    }
}

/// Hand an event to the handles; true once the processor has left.
fn route(node: &Node, event: Event) -> bool {
    match event {
        Event::Deliver(d) => {
            let Some((groups, data)) = message::decode(&d.payload) else {
                crate::evs_log!(Warn, "dropped a message from node {} that is not ours", d.sender);
                return false;
            };
            // Indexed by group: a lookup per group of the message, whatever
            // the handles joined (see `groups.rs`).
            with_registry(|r| {
                let limit = r.limit();
                for id in r.groups.receivers(&groups) {
                    if let Some(state) = r.handles.get(&id) {
                        state.push(Callback::Deliver { nodeid: d.sender, payload: data.to_vec() }, limit);
                    }
                }
            });
            false
        }
        Event::ConfigChange(c) => {
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
            false
        }
        Event::Left => true,
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
