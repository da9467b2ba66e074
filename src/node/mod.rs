//! The node: the process's one processor, driven by one background thread that
//! owns the sockets and the clock.
//!
//! The protocol core sits in a mutex shared by the thread and the API calls:
//! `submit` must answer at once whether the message was accepted (flow
//! control), so an API thread calls the core directly, then wakes the protocol
//! thread through an eventfd to send what the call produced. The lock is only
//! ever held for short, non-blocking core calls, never during I/O or callbacks.

pub(crate) mod clock;
mod eventfd;
pub(crate) mod failure;
pub(crate) mod handles;
pub(crate) mod message;
mod thread;

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crate::api::Error;
use crate::config::{Settings, Transport as TransportKind};
use crate::net::{derive_node_id, Transport, TransportConfig};
use crate::totem::{Config, Guarantee, Processor, SubmitError, MS};
use clock::Clock;
use eventfd::EventFd;
use handles::with_registry;

/// What the protocol thread and the API calls share.
pub(crate) struct Core {
    pub processor: Processor,
    pub clock: Clock,
    /// Set by the last finalize: leave gracefully, then stop.
    pub stop: bool,
}

pub(crate) struct Node {
    core: Mutex<Core>,
    wake: EventFd,
    /// Startup: set once the first regular configuration is installed, or
    /// with the reason startup failed.
    started: Mutex<Option<Result<(), Error>>>,
    started_cond: Condvar,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Node {
    pub(crate) fn lock_core(&self) -> MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set_started(&self, result: Result<(), Error>) {
        let mut s = self.started.lock().unwrap_or_else(|e| e.into_inner());
        if s.is_none() {
            *s = Some(result);
            self.started_cond.notify_all();
        }
    }
}

static NODE: Mutex<Option<Arc<Node>>> = Mutex::new(None);

fn node_slot() -> MutexGuard<'static, Option<Arc<Node>>> {
    NODE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Run `f` with the process's node, starting it first if needed.
pub(crate) fn with_running_node<R>(f: impl FnOnce(&Arc<Node>) -> Result<R, Error>) -> Result<R, Error> {
    let mut slot = node_slot();
    if slot.is_none() {
        *slot = Some(start()?);
    }
    f(slot.as_ref().expect("node just started"))
}

/// After a finalize: with no handle left, leave the ring and stop the thread.
pub(crate) fn release_if_unused() {
    let mut slot = node_slot();
    if !with_registry(|r| r.handles.is_empty()) {
        return;
    }
    if let Some(node) = slot.take() {
        node.lock_core().stop = true;
        node.wake.signal();
        let thread = node.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(t) = thread {
            let _ = t.join();
        }
        with_registry(|r| r.membership = None);
    }
}

/// Queue a message on the ring.
pub(crate) fn submit(guarantee: Guarantee, payload: Vec<u8>) -> Result<(), Error> {
    let node = node_slot().clone().ok_or(Error::BadHandle)?;
    let result = {
        let mut core = node.lock_core();
        let now = core.clock.now();
        core.processor.submit(now, guarantee, payload)
    };
    match result {
        Ok(()) => {
            node.wake.signal();
            Ok(())
        }
        Err(SubmitError::QueueFull) => Err(Error::TryAgain),
        Err(SubmitError::TooBig) => Err(Error::TooBig),
        Err(SubmitError::Closed) => Err(Error::Library),
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
    if settings.key.is_some() {
        // Sealing frames is not written yet: refusing beats sending in clear
        // what the user asked to be secret.
        crate::log::fatal(format_args!(
            "configuration error: a crypto key is configured, but encryption is not implemented yet; unset EVS_KEYFILE / totem.keyfile"
        ));
        return Err(Error::Library);
    }
    for w in &settings.warnings {
        crate::evs_log!(Warn, "{w}");
    }
    let transport = Transport::open(&transport_config(&settings)).map_err(|e| {
        crate::log::fatal(format_args!("cannot open the network: {e}"));
        Error::Library
    })?;
    let local = transport.local_addr();
    let node_id = settings.nodeid.unwrap_or_else(|| derive_node_id(local));
    let config = core_config(&settings, node_id, local.is_ipv6());
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
    });
    let node = Arc::new(Node {
        core: Mutex::new(Core { processor, clock, stop: false }),
        wake: EventFd::new().map_err(|_| Error::Library)?,
        started: Mutex::new(None),
        started_cond: Condvar::new(),
        thread: Mutex::new(None),
    });
    let runner = Arc::clone(&node);
    let handle = std::thread::Builder::new()
        .name("evs-totem".into())
        .spawn(move || thread::run(runner, transport, node_id))
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
        node.wake.signal();
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
    }
}

/// The protocol's tunables from the settings. A frame must fit in one
/// datagram of `netmtu` bytes with the IP and UDP headers and our envelope.
fn core_config(s: &Settings, node_id: u32, ipv6: bool) -> Config {
    let ip_udp = if ipv6 { 48 } else { 28 };
    let mut c = Config::new(node_id);
    c.token_timeout = s.token_ms as u64 * MS;
    c.token_retransmits = s.token_retransmits;
    c.join_timeout = s.join_ms as u64 * MS;
    c.consensus_timeout = s.consensus_ms as u64 * MS;
    c.merge_timeout = s.merge_ms as u64 * MS;
    c.window_size = s.window_size;
    c.max_messages = s.max_messages;
    c.max_frame = (s.netmtu as usize).saturating_sub(ip_udp + crate::net::envelope::HEADER_LEN);
    c.max_message = crate::api::MAX_MESSAGE + message::overhead(crate::api::MAX_GROUPS);
    c.send_queue_limit = c.send_queue_limit.max(2 * c.max_message.div_ceil(c.max_frame.saturating_sub(64).max(1)));
    c
}
