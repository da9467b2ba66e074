//! The node: the process's one processor, driven by one background thread that
//! owns the sockets and the clock.
//!
//! The protocol core sits in a mutex shared by the thread and the API calls:
//! `submit` must answer at once whether the message was accepted (flow
//! control), so an API thread calls the core directly, then wakes the protocol
//! thread through an eventfd to send what the call produced. The lock is only
//! ever held for short, non-blocking calls (the core's, and the one non-blocking
//! send of `send_directly`), never while waiting or running a callback.
//!
//! A panic inside the core or on the protocol thread fails the node
//! ([`Node::fail`]): the thread ends, every handle it served reports
//! `Error::Library` from then on, and the next `initialize` starts a new node.

pub(crate) mod clock;
mod eventfd;
pub(crate) mod failure;
pub(crate) mod fork;
mod groups;
pub(crate) mod handles;
pub(crate) mod message;
mod probe;
mod router;
mod signals;
mod stats;
mod thread;
mod versions;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use crate::api::Error;
use crate::config::{CryptoCipher, CryptoHash};
use crate::config::{Settings, Transport as TransportKind};
use crate::net::seal::{Cipher, CryptoConfig, Hash, Suite};
use crate::net::{derive_node_id, incarnation_now, Codec, Transport, TransportConfig};
use crate::totem::{Config, Guarantee, Processor, SharedBytes, SubmitError, MS};
use clock::Clock;
use eventfd::EventFd;
use fork::PerFork;
use handles::{with_registry, HandleState};
use router::Router;
use stats::NodeStats;

/// What the protocol thread and the API calls share.
pub(crate) struct Core {
    pub processor: Processor,
    pub clock: Clock,
    /// Set by the last finalize: leave gracefully, then stop.
    pub stop: bool,
}

/// The application threads' way out: a dup of the sending socket, and a
/// codec that shares the protocol thread's identity (and, sealed, its counter).
struct Direct {
    transport: Transport,
    codec: Codec,
}

pub(crate) struct Node {
    core: Mutex<Core>,
    /// Routes the core's events to the handles; locked before the core is
    /// let go by whoever took events from it (`router.rs`).
    router: Mutex<Router>,
    /// A second handle on the transport's sending socket, for an
    /// application thread to send the frames its multicast made the core
    /// originate (a held token released by `submit`) without waiting for the
    /// protocol thread to wake: one thread hop less on a message's way.
    direct: Mutex<Direct>,
    /// An application thread routed `Event::Left` (it cannot, but the
    /// protocol thread must not miss it if it did).
    left_routed: AtomicBool,
    wake: EventFd,
    /// Startup: set once the first regular configuration is installed, or
    /// with the reason startup failed.
    started: Mutex<Option<Result<(), Error>>>,
    started_cond: Condvar,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Why the node failed (a caught panic). Set only inside a registry
    /// critical section, together with failing the registered handles, so
    /// that a handle registered under the registry lock either sees it set or
    /// is failed with the others (see `attach`).
    failed: OnceLock<String>,
    /// Test hook: the protocol thread panics at its next turn.
    panic_requested: AtomicBool,
    /// What the node counts beside the core (`Handle::stats`).
    stats: NodeStats,
}

impl Node {
    /// The core, even if a panic poisoned its mutex: only for what needs no
    /// working processor (setting `stop`). Use `sound_core` to drive it.
    pub(crate) fn lock_core(&self) -> MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The core, or None if the node has failed. A poisoned mutex counts as
    /// failed: a panic on the protocol thread unlocks the core as it unwinds,
    /// before `fail` has run, and the processor may be half updated.
    pub(crate) fn sound_core(&self) -> Option<MutexGuard<'_, Core>> {
        let core = self.core.lock().ok()?;
        (!self.is_failed()).then_some(core)
    }

    fn set_started(&self, result: Result<(), Error>) {
        let mut s = self.started.lock().unwrap_or_else(|e| e.into_inner());
        if s.is_none() {
            *s = Some(result);
            self.started_cond.notify_all();
        }
    }

    pub(crate) fn is_failed(&self) -> bool {
        self.failed.get().is_some()
    }

    /// Mark the node failed for `reason` (the first reason wins; later calls
    /// do nothing): every registered handle fails (its calls return
    /// `Error::Library`, a blocked dispatch wakes, its fd polls readable),
    /// `EVS_LOG` says why, a startup in progress fails, and the protocol
    /// thread, if it still runs, stops. Never blocks on the protocol thread.
    pub(crate) fn fail(&self, reason: &str) {
        let first = with_registry(|r| {
            if self.failed.set(reason.to_owned()).is_err() {
                return false;
            }
            for state in r.handles.values() {
                state.fail();
            }
            true
        });
        if first {
            crate::evs_log!(
                Error,
                "the processor failed: {reason}; every handle now returns CS_ERR_LIBRARY: finalize them, and evs_initialize starts a new processor"
            );
            self.set_started(Err(Error::Library));
            self.wake.wake();
        }
    }
}

/// Per fork generation (`fork.rs`): a forked child never sees, locks, stops
/// or joins its parent's node; its first `initialize` starts its own.
static NODE: PerFork<Mutex<Option<Arc<Node>>>> = PerFork::new();

fn node_slot() -> MutexGuard<'static, Option<Arc<Node>>> {
    NODE.get().lock().unwrap_or_else(|e| e.into_inner())
}

/// Register a new handle with the process's node, starting a node first if
/// there is none or the one there has failed; the handle's id. On an error
/// the handle is not registered.
pub(crate) fn attach(state: Arc<HandleState>) -> Result<u64, Error> {
    let mut slot = node_slot();
    let id = loop {
        if slot.as_ref().is_some_and(|n| n.is_failed()) {
            // Its handles stay failed; new ones get a new processor.
            retire(slot.take().expect("checked above"));
        }
        // Registered before the processor starts, so that nothing it delivers
        // right after its first configuration is lost to this handle. Under
        // the registry lock, the node either has not failed (and a later
        // failure fails this handle too) or it failed just now: then retire it.
        let registered = with_registry(|r| match slot.as_ref() {
            Some(n) if n.is_failed() => None,
            _ => Some(r.insert(Arc::clone(&state))),
        });
        if let Some(id) = registered {
            break id;
        }
    };
    if slot.is_none() {
        match start() {
            Ok(node) => *slot = Some(node),
            Err(e) => {
                with_registry(|r| r.remove(id));
                return Err(e);
            }
        }
    }
    Ok(id)
}

/// After a finalize: with no live handle left (only failed ones, or none),
/// leave the ring and stop the thread.
pub(crate) fn release_if_unused() {
    let mut slot = node_slot();
    if !with_registry(|r| r.handles.values().all(|h| h.is_failed())) {
        return;
    }
    if let Some(node) = slot.take() {
        retire(node);
    }
}

/// Stop a node's thread and wait for it: a graceful leave for a running
/// node; a failed node's thread has ended, or ends at its next turn.
fn retire(node: Arc<Node>) {
    node.lock_core().stop = true;
    node.wake.wake();
    let thread = node.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(t) = thread {
        // The thread catches its own panics; Err cannot happen, and would
        // only mean it is gone.
        let _ = t.join();
    }
    with_registry(|r| r.membership = None);
}

/// Test hook: make the running node's protocol thread panic.
pub(crate) fn request_panic() -> Result<(), Error> {
    let node = node_slot().clone().ok_or(Error::BadHandle)?;
    node.panic_requested.store(true, Ordering::SeqCst);
    node.wake.wake();
    Ok(())
}

/// The running processor's counts: the core's and the node's.
pub(crate) fn stats() -> Result<crate::api::Stats, Error> {
    let node = node_slot().clone().ok_or(Error::BadHandle)?;
    let c = {
        let core = node.sound_core().ok_or(Error::Library)?;
        core.processor.counters().clone()
    };
    Ok(stats::combined(&c, &node.stats.read()))
}

/// Queue a message on the ring.
pub(crate) fn submit(guarantee: Guarantee, payload: SharedBytes) -> Result<(), Error> {
    let node = node_slot().clone().ok_or(Error::BadHandle)?;
    let (result, stopping) = {
        let Some(mut core) = node.sound_core() else { return Err(Error::Library) };
        let stopping = core.stop;
        let now = core.clock.now();
        let data_len = message::split(&payload).map_or(payload.len(), |(_, data)| data.len());
        // A panic inside the core leaves it half updated: fail the node
        // (still holding the core lock, so the protocol thread never sees
        // that state) instead of letting the thread go on with it.
        match failure::catching(|| core.processor.submit(now, guarantee, payload)) {
            Ok(Ok(())) => {
                node.stats.sent(data_len);
                send_directly(&node, core);
                (Ok(()), stopping)
            }
            Ok(result) => (result, stopping),
            Err(reason) => {
                node.fail(&format!("the protocol core panicked during a multicast: {reason}"));
                return Err(Error::Library);
            }
        }
    };
    match result {
        Ok(()) => {
            // The token, timers and anything else are the thread's.
            node.wake.wake();
            Ok(())
        }
        Err(SubmitError::QueueFull) => Err(Error::TryAgain),
        Err(SubmitError::TooBig) => Err(Error::TooBig),
        // The last handle was finalized while this call was on its way (it
        // found the node before the finalize took it away): the processor is
        // leaving, and for the caller its handle is gone, not broken.
        Err(SubmitError::Closed) if stopping => Err(Error::BadHandle),
        Err(SubmitError::Closed) => Err(Error::Library),
    }
}

/// After a multicast the core accepted: if it released a held token, the
/// visit's frames are queued first; send them from this thread, and route
/// what the visit delivered (our own message, among others), rather than wait
/// for the protocol thread to wake up for them. The frames go out before the
/// core's lock is let go (a non-blocking send), so the token the protocol
/// thread sends next cannot overtake them; the router's lock is taken before
/// it too, so events keep their order.
fn send_directly(node: &Node, mut core: MutexGuard<'_, Core>) {
    let mut frames = Vec::new();
    while let Some(t) = core.processor.poll_multicast() {
        frames.push(t);
    }
    if !frames.is_empty() {
        let sends: Vec<(crate::net::Target, &[u8])> =
            frames.iter().map(|t| (crate::net::Target::All, t.bytes.as_slice())).collect();
        let mut direct = node.direct.lock().unwrap_or_else(|e| e.into_inner());
        let Direct { transport, codec } = &mut *direct;
        if let Err(e) = codec.send_batch(transport, &sends) {
            crate::evs_log!(Debug, "send: {e}");
        }
    }
    let mut router = node.router.lock().unwrap_or_else(|e| e.into_inner());
    router.take_events(&mut core.processor);
    drop(core);
    if router.has_events() && router.route(node) {
        node.left_routed.store(true, Ordering::SeqCst);
    }
}

/// Start the processor: read the configuration, open the sockets, start the
/// thread, and wait until the processor is operational in a ring.
fn start() -> Result<Arc<Node>, Error> {
    let settings = Settings::from_env().map_err(|e| {
        crate::log::fatal(format_args!("configuration error: {e}"));
        Error::Library
    })?;
    crate::log::set_level(settings.log);
    for w in &settings.warnings {
        crate::evs_log!(Warn, "{w}");
    }
    let mut transport = Transport::open(&transport_config(&settings)).map_err(|e| {
        crate::log::fatal(format_args!("cannot open the network: {e}"));
        Error::Library
    })?;
    let local = transport.local_addr();
    let node_id = settings.nodeid.unwrap_or_else(|| derive_node_id(local));
    // Before the core sends anything: a running processor with our id, even
    // an idle one, answers within the join interval (`probe.rs`).
    let window = Duration::from_millis(settings.join_ms as u64);
    let crypto = crypto_config(&settings);
    let mut codec = match &crypto {
        Some(c) => Codec::sealed(node_id, c, incarnation_now(), |b| crate::totem::wire::peek_data(b).is_some()),
        None => Codec::plain(node_id),
    };
    if let Err(holder) = probe::claim(&mut transport, &mut codec, node_id, window) {
        crate::log::fatal(format_args!(
            "node id {node_id} is also used by the processor at {holder}; give this one another (EVS_NODEID or totem.nodeid)"
        ));
        return Err(Error::Exist);
    }
    let config = core_config(&settings, node_id, local.is_ipv6(), crypto.map(|c| c.suite));
    config.validate().map_err(|e| {
        crate::log::fatal(format_args!("configuration error: {e}"));
        Error::Library
    })?;
    let clock = Clock::new();
    let processor = Processor::new(config, clock.now(), node_id as u64 ^ clock.now());
    crate::evs_log!(Info, "node {node_id} starting on {local}");
    with_registry(|r| {
        r.local_nodeid = node_id;
        r.membership = None;
        r.queue_limit = Some(settings.handle_queue_bytes);
    });
    let direct = transport.sender_clone().map_err(|e| {
        crate::log::fatal(format_args!("cannot open the network: {e}"));
        Error::Library
    })?;
    let node = Arc::new(Node {
        core: Mutex::new(Core { processor, clock, stop: false }),
        router: Mutex::new(Router::default()),
        direct: Mutex::new(Direct { transport: direct, codec: codec.sender_clone() }),
        left_routed: AtomicBool::new(false),
        wake: EventFd::new().map_err(|_| Error::Library)?,
        started: Mutex::new(None),
        started_cond: Condvar::new(),
        thread: Mutex::new(None),
        failed: OnceLock::new(),
        panic_requested: AtomicBool::new(false),
        stats: NodeStats::default(),
    });
    let runner = Arc::clone(&node);
    let builder = std::thread::Builder::new().name("evs-totem".into());
    let handle = signals::spawn_blocking_signals(builder, move || thread::run(runner, transport, codec, node_id))
        .map_err(|_| Error::Library)?;
    *node.thread.lock().unwrap_or_else(|e| e.into_inner()) = Some(handle);

    // Bounded: a singleton ring forms within a join and a consensus interval.
    let limit = Duration::from_millis(
        settings.join_ms as u64 * 4 + settings.consensus_ms as u64 + settings.token_ms as u64 * 2 + 2000,
    );
    let guard = node.started.lock().unwrap_or_else(|e| e.into_inner());
    let (guard, _) =
        node.started_cond.wait_timeout_while(guard, limit, |s| s.is_none()).unwrap_or_else(|e| e.into_inner());
    let outcome = (*guard).unwrap_or(Err(Error::Timeout));
    drop(guard);
    if let Err(e) = outcome {
        node.lock_core().stop = true;
        node.wake.wake();
        if let Some(t) = node.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = t.join();
        }
        return Err(e);
    }
    Ok(node)
}

fn transport_config(s: &Settings) -> TransportConfig {
    TransportConfig {
        kind: match s.transport {
            TransportKind::Udp => crate::net::TransportKind::Udp,
            TransportKind::Udpu => crate::net::TransportKind::Udpu,
        },
        bind_addr: s.bind_addr,
        mcast_addr: s.mcastaddr,
        mcast_port: s.mcastport,
        members: s.members.clone(),
        unicast_port: None,
        segmentation: s.udp_segmentation,
    }
}

/// The key and suite to seal datagrams with, if frames are to be protected
/// (a key with both cipher and hash `none` was warned about by the
/// configuration, and protects nothing).
fn crypto_config(s: &Settings) -> Option<CryptoConfig> {
    let key = s.key.as_ref()?;
    let hash = match s.hash {
        CryptoHash::None => return None,
        CryptoHash::Sha1 => Hash::Sha1,
        CryptoHash::Sha256 => Hash::Sha256,
    };
    let cipher = match s.cipher {
        CryptoCipher::None => Cipher::None,
        CryptoCipher::ChaCha20 => Cipher::ChaCha20,
    };
    Some(CryptoConfig { key: key.clone(), suite: Suite { cipher, hash } })
}

/// The protocol's tunables from the settings. A frame must fit in one
/// datagram of `netmtu` bytes with the IP and UDP headers and our envelope
/// (sealed: with its header and tag).
fn core_config(s: &Settings, node_id: u32, ipv6: bool, suite: Option<Suite>) -> Config {
    let ip_udp = if ipv6 { 48 } else { 28 };
    let mut c = Config::new(node_id);
    c.token_timeout = s.token_ms as u64 * MS;
    c.token_retransmits = s.token_retransmits;
    c.join_timeout = s.join_ms as u64 * MS;
    c.consensus_timeout = s.consensus_ms as u64 * MS;
    c.merge_timeout = s.merge_ms as u64 * MS;
    c.window_size = s.window_size;
    // The core bounds the frames beyond the aru by this (its buffers' span),
    // and it must hold a whole window: a window set above the default bound
    // raises it rather than fail the start with a setting users cannot see.
    c.max_outstanding = c.max_outstanding.max(u64::from(s.window_size));
    c.max_messages = s.max_messages;
    c.accelerated_window = s.accelerated_window;
    c.max_frame = (s.netmtu as usize).saturating_sub(ip_udp + Codec::overhead(suite));
    // A full payload must fit with the largest group header: a handle's whole
    // joined set travels with evs_mcast_joined.
    c.max_message = crate::api::MAX_MESSAGE + message::overhead(crate::api::MAX_JOINED_GROUPS);
    c.send_queue_limit = c.send_queue_limit.max(2 * c.max_message.div_ceil(c.max_frame.saturating_sub(64).max(1)));
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_window_size_the_configuration_accepts_gives_a_core_that_starts() {
        for window in ["1", "150", "1024", "1025", "10000"] {
            let env = [("EVS_WINDOW_SIZE", window)];
            let lookup = |name: &str| env.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
            let settings = Settings::from_sources(None, &lookup).expect("a valid window");
            let config = core_config(&settings, 7, false, None);
            assert_eq!(config.validate(), Ok(()), "window {window}");
        }
    }
}
