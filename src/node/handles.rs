//! The process's handles: each has its queue of pending callbacks, a context
//! pointer, and an eventfd that polls readable exactly while its queue is not
//! empty, or for good once the handle is broken: its node failed, or it was
//! overrun. The groups they joined are the registry's (`groups.rs`), indexed
//! for routing.
//!
//! Overrun: a handle that stops dispatching must not grow the process without
//! bound, and holding the ring back for it would stall every member for one
//! slow reader. So each queue is bounded in bytes (`EVS_HANDLE_QUEUE_BYTES`);
//! a callback that would pass the bound breaks the handle instead, as a node
//! failure does, with its own error: the stream it sees has a gap, and a
//! virtually synchronous stream with a gap must not silently go on.

use std::collections::{BTreeMap, VecDeque};
use std::os::fd::RawFd;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard};

use super::eventfd::EventFd;
use super::fork::PerFork;
use super::groups::Subscriptions;
use crate::api::{Callback, ConfigChange, Error};
use crate::totem::{NodeId, RingId};

/// One handle's shared state. The registry and dispatching threads hold it
/// through an `Arc`, so a finalize while another thread dispatches is safe.
pub(crate) struct HandleState {
    inner: Mutex<HandleInner>,
    ready: Condvar,
    fd: EventFd,
}

/// What one queued callback costs beyond its payload: its slot and the
/// allocations' headers, a rough but fixed figure so that a flood of empty
/// messages is bounded too.
const ENTRY_OVERHEAD: usize = 64;

fn cost(callback: &Callback) -> usize {
    ENTRY_OVERHEAD
        + match callback {
            Callback::Deliver { payload, .. } => payload.len(),
            Callback::ConfigChange(c) => 4 * (c.members.len() + c.left.len() + c.joined.len()),
        }
}

struct HandleInner {
    queue: VecDeque<Callback>,
    /// The queue's cost (`cost`), checked against the bound at each push.
    queued_bytes: usize,
    context: usize,
    finalized: bool,
    /// Why the handle is broken, if it is: `Library`, its node failed
    /// (`Node::fail`); `Overrun`, its queue passed the bound. Calls report it,
    /// and the eventfd stays readable so that a program polling it notices.
    broken: Option<Error>,
    /// The eventfd's counter is non-zero.
    signalled: bool,
    /// Threads blocked in `wait_pop`: a push notifies the condition variable
    /// only when there is one (std's notify is a futex system call even with
    /// no waiter: one per delivery, the largest item of a flood's syscall count).
    waiters: usize,
    /// A regular configuration was queued: a handle's first callback is one.
    seen_regular: bool,
}

impl HandleState {
    pub fn new() -> std::io::Result<HandleState> {
        let fd = EventFd::new()?;
        Ok(HandleState {
            inner: Mutex::new(HandleInner {
                queue: VecDeque::new(),
                queued_bytes: 0,
                context: 0,
                finalized: false,
                broken: None,
                signalled: false,
                waiters: 0,
                seen_regular: false,
            }),
            ready: Condvar::new(),
            fd,
        })
    }

    fn lock(&self) -> MutexGuard<'_, HandleInner> {
        // A panic in another thread while holding this lock leaves plain data: go on.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn fd(&self) -> RawFd {
        self.fd.raw()
    }

    pub fn context(&self) -> usize {
        self.lock().context
    }

    pub fn set_context(&self, ctx: usize) {
        self.lock().context = ctx;
    }

    /// Queue a callback (a message only for a handle that joined one of its
    /// groups: the caller matched them), or overrun the handle if its queue
    /// would cost more than `limit` bytes.
    pub fn push(&self, callback: Callback, limit: usize) {
        self.push_all(std::iter::once(callback), limit);
    }

    /// Queue several callbacks under one lock, with at most one eventfd write
    /// and one wake-up for all of them (a protocol turn delivers many).
    pub fn push_all(&self, callbacks: impl IntoIterator<Item = Callback>, limit: usize) {
        let mut inner = self.lock();
        let mut pushed = false;
        for callback in callbacks {
            if inner.finalized || inner.broken.is_some() {
                break;
            }
            let cost = cost(&callback);
            if inner.queued_bytes + cost > limit {
                drop(inner);
                crate::evs_log!(Warn, "a handle that does not dispatch passed {limit} queued bytes: overrun");
                self.break_with(Error::Overrun);
                return;
            }
            inner.queued_bytes += cost;
            inner.queue.push_back(callback);
            pushed = true;
        }
        if !pushed {
            return;
        }
        if !inner.signalled {
            self.fd.signal();
            inner.signalled = true;
        }
        if inner.waiters > 0 {
            self.ready.notify_all();
        }
    }

    /// Queue a configuration change. A handle created before its processor
    /// had a ring skips transitional changes until its first regular one,
    /// which it sees with empty left and joined lists, as every handle's
    /// first callback is.
    pub fn push_config(&self, mut change: ConfigChange, limit: usize) {
        {
            let mut inner = self.lock();
            if !inner.seen_regular {
                if change.transitional {
                    return;
                }
                inner.seen_regular = true;
                change.left.clear();
                change.joined.clear();
            }
        }
        self.push(Callback::ConfigChange(change), limit);
    }

    /// Take the next callback, if any, keeping the fd readable exactly while
    /// more remain; the reason once the handle is broken.
    pub fn pop(&self) -> Result<Option<Callback>, Error> {
        let mut inner = self.lock();
        if let Some(e) = inner.broken {
            return Err(e);
        }
        Ok(self.pop_locked(&mut inner))
    }

    /// Take up to `max` pending callbacks at once (dispatching what is
    /// pending: one lock for the lot instead of one per callback), keeping
    /// the fd readable exactly while more remain; the reason once broken.
    pub fn pop_batch(&self, max: usize) -> Result<VecDeque<Callback>, Error> {
        let mut inner = self.lock();
        if let Some(e) = inner.broken {
            return Err(e);
        }
        let n = max.min(inner.queue.len());
        let taken: VecDeque<Callback> = inner.queue.drain(..n).collect();
        inner.queued_bytes -= taken.iter().map(cost).sum::<usize>();
        if inner.queue.is_empty() && inner.signalled {
            self.fd.reset();
            inner.signalled = false;
        }
        Ok(taken)
    }

    fn pop_locked(&self, inner: &mut HandleInner) -> Option<Callback> {
        let callback = inner.queue.pop_front();
        if let Some(cb) = &callback {
            inner.queued_bytes -= cost(cb);
        }
        if inner.queue.is_empty() && inner.signalled {
            self.fd.reset();
            inner.signalled = false;
        }
        callback
    }

    /// Wait for the next callback; None once the handle is finalized,
    /// the reason once the handle is broken (a waiter wakes up for either).
    pub fn wait_pop(&self) -> Result<Option<Callback>, Error> {
        let mut inner = self.lock();
        loop {
            if inner.finalized {
                return Ok(None);
            }
            if let Some(e) = inner.broken {
                return Err(e);
            }
            if let Some(cb) = self.pop_locked(&mut inner) {
                return Ok(Some(cb));
            }
            inner.waiters += 1;
            inner = self.ready.wait(inner).unwrap_or_else(|e| e.into_inner());
            inner.waiters -= 1;
        }
    }

    pub fn is_finalized(&self) -> bool {
        self.lock().finalized
    }

    /// Its node failed (not merely overrun: an overrun handle keeps a working
    /// node in use until it is finalized).
    pub fn is_failed(&self) -> bool {
        self.lock().broken == Some(Error::Library)
    }

    /// Why calls on it fail, if they do: `Library` or `Overrun`.
    pub fn broken(&self) -> Option<Error> {
        self.lock().broken
    }

    /// The node failed. That outranks an overrun: a failed node's handles
    /// all report `Library`, which is what tells a new one to be started.
    pub fn fail(&self) {
        self.break_with(Error::Library);
    }

    /// Break the handle for `reason`: drop pending callbacks (they will never
    /// be dispatched, and their memory is freed now), wake any blocked
    /// dispatcher, and make the fd readable for good, as a dead daemon's
    /// socket was for corosync's library.
    fn break_with(&self, reason: Error) {
        let mut inner = self.lock();
        if inner.finalized || inner.broken == Some(Error::Library) {
            return;
        }
        inner.broken = Some(reason);
        inner.queue = VecDeque::new();
        inner.queued_bytes = 0;
        if !inner.signalled {
            self.fd.signal();
            inner.signalled = true;
        }
        self.ready.notify_all();
    }

    /// Finalize: drop pending callbacks and wake any blocked dispatcher.
    pub fn close(&self) {
        let mut inner = self.lock();
        inner.finalized = true;
        inner.queue = VecDeque::new();
        inner.queued_bytes = 0;
        self.ready.notify_all();
    }
}

/// The current regular configuration, as handles see it.
#[derive(Clone, Debug)]
pub(crate) struct Membership {
    pub ring_id: RingId,
    pub members: Vec<NodeId>,
}

/// Every handle of the process and the membership they share.
#[derive(Default)]
pub(crate) struct Registry {
    pub handles: BTreeMap<u64, Arc<HandleState>>,
    pub membership: Option<Membership>,
    pub local_nodeid: NodeId,
    /// The groups each handle joined.
    pub groups: Subscriptions,
    /// The bound of each handle's queue, in bytes; set from the settings
    /// when a processor starts (None before: the default).
    pub queue_limit: Option<usize>,
    next_id: u64,
}

impl Registry {
    /// Register a handle; its first callback is the current regular configuration.
    pub fn insert(&mut self, state: Arc<HandleState>) -> u64 {
        if self.next_id == 0 {
            // Start from a process-specific value so that a stale handle number
            // from another process or run is unlikely to name a live handle.
            self.next_id = ((std::process::id() as u64) << 32) | 1;
        }
        let id = self.next_id;
        self.next_id += 1;
        if let Some(m) = &self.membership {
            let change = ConfigChange {
                members: m.members.clone(),
                left: Vec::new(),
                joined: Vec::new(),
                ring_id: m.ring_id,
                transitional: false,
            };
            state.push_config(change, self.limit());
        }
        self.handles.insert(id, state);
        id
    }

    pub fn limit(&self) -> usize {
        self.queue_limit.unwrap_or(crate::config::DEFAULT_HANDLE_QUEUE_BYTES as usize)
    }

    /// Unregister a handle, with its groups.
    pub fn remove(&mut self, id: u64) -> Option<Arc<HandleState>> {
        self.groups.forget(id);
        self.handles.remove(&id)
    }
}

/// Per fork generation: a forked child starts with an empty registry and
/// never locks the parent's (`node/fork.rs`).
/// A reader-writer lock: routing deliveries (the protocol thread) and every
/// API call's handle lookup only read it, and must not wait for each other.
static REGISTRY: PerFork<RwLock<Registry>> = PerFork::new();

/// Run `f` on the process's registry, to change it.
pub(crate) fn with_registry<R>(f: impl FnOnce(&mut Registry) -> R) -> R {
    let mut guard = REGISTRY.get().write().unwrap_or_else(|e| e.into_inner());
    f(&mut guard)
}

/// Read the process's registry; held while routing a turn's deliveries.
pub(crate) fn read_registry() -> RwLockReadGuard<'static, Registry> {
    REGISTRY.get().read().unwrap_or_else(|e| e.into_inner())
}

/// The handle's state, or None for an unknown or finalized handle.
pub(crate) fn lookup(id: u64) -> Option<Arc<HandleState>> {
    read_registry().handles.get(&id).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn deliver(n: u8) -> Callback {
        Callback::Deliver { nodeid: 1, payload: vec![n; 10].into() }
    }

    fn readable(fd: RawFd) -> bool {
        let mut p = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd.
        unsafe { libc::poll(&mut p, 1, 0) == 1 }
    }

    #[test]
    fn a_blocked_dispatcher_wakes_for_a_push() {
        // Pushes notify only when someone waits: the waiter count must be
        // right, or a blocked dispatch sleeps for ever.
        let state = Arc::new(HandleState::new().unwrap());
        for round in 0..50u8 {
            let waiter = {
                let state = Arc::clone(&state);
                std::thread::spawn(move || state.wait_pop())
            };
            // Let it block (or not: both orders must work).
            if round % 2 == 0 {
                std::thread::sleep(Duration::from_millis(2));
            }
            state.push_all([deliver(round)], usize::MAX);
            assert_eq!(waiter.join().unwrap(), Ok(Some(deliver(round))));
        }
        assert_eq!(state.lock().waiters, 0);
    }

    #[test]
    fn a_batch_keeps_order_cost_and_the_fd_in_step() {
        let state = HandleState::new().unwrap();
        state.push_all((0..5).map(deliver), usize::MAX);
        assert!(readable(state.fd()));
        let first = state.pop_batch(2).unwrap();
        assert_eq!(first, VecDeque::from(vec![deliver(0), deliver(1)]));
        assert!(readable(state.fd()), "three remain");
        let rest = state.pop_batch(usize::MAX).unwrap();
        assert_eq!(rest, (2..5).map(deliver).collect::<VecDeque<_>>());
        assert!(!readable(state.fd()), "empty: not readable");
        assert_eq!(state.lock().queued_bytes, 0);
        // The bound counts a batch as it counts single pushes.
        state.push_all((0..3).map(deliver), 3 * (ENTRY_OVERHEAD + 10));
        assert_eq!(state.broken(), None);
        state.push_all([deliver(9)], 3 * (ENTRY_OVERHEAD + 10));
        assert_eq!(state.broken(), Some(Error::Overrun));
        assert_eq!(state.pop_batch(usize::MAX), Err(Error::Overrun));
        assert!(readable(state.fd()), "broken: readable for good");
    }
}
