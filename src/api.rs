//! The library's safe Rust API: what the C functions call, and what Rust
//! programs and tests use without `unsafe`.
//!
//! A [`Handle`] is a number. Every function may be called from any thread;
//! callbacks run only inside [`Handle::dispatch`], on the calling thread, with
//! no library lock held, so they may call any function (finalize included).
//!
//! If the library's protocol thread fails (a panic, which is a bug in the
//! library, caught), every handle it served fails: `join`, `leave`, the
//! multicasts, `membership` and `dispatch` (every mode; a blocked one wakes)
//! return [`Error::Library`] and the handle's fd polls readable for good.
//! `fd`, the context and `finalize` still work; once the failed handles are
//! finalized, or as soon as a new one is needed, `initialize` starts a new
//! processor. `EVS_LOG` (level `error` and up) logs the panic's message and
//! location once.
//!
//! Handles do not survive `fork()`: in the child, every handle created
//! before the fork is [`Error::BadHandle`], and nothing the parent shares is
//! touched (`node/fork.rs`); the child's first `initialize` starts a
//! processor of its own.

use std::os::fd::RawFd;

use crate::node;
use crate::node::handles::{lookup, with_registry, HandleState};
pub use crate::totem::{Guarantee, NodeId, RingId, SharedBytes};

/// Most groups one join, leave or multicast may name.
pub const MAX_GROUPS: usize = 50;
/// Most groups one handle may have joined at once (more: `TooManyGroups`).
/// They travel with every `mcast_joined`, so this bounds a message's header.
pub const MAX_JOINED_GROUPS: usize = 1024;
/// Largest message payload, in bytes.
pub const MAX_MESSAGE: usize = 1 << 20;

/// A group is its 32 raw bytes (compared like memcmp).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Group(pub [u8; 32]);

impl Group {
    /// A group named by up to 32 bytes, zero-padded (as a C static initialiser does).
    pub fn named(name: &[u8]) -> Group {
        let mut key = [0u8; 32];
        let n = name.len().min(32);
        key[..n].copy_from_slice(&name[..n]);
        Group(key)
    }
}

/// A configuration change as the application sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigChange {
    pub members: Vec<NodeId>,
    pub left: Vec<NodeId>,
    pub joined: Vec<NodeId>,
    /// A regular configuration's ring id, or for a transitional one the old ring's.
    pub ring_id: RingId,
    pub transitional: bool,
}

/// A pending callback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Callback {
    /// `payload` is shared with the other handles that receive the same
    /// message (it derefs to `[u8]`; `to_vec` for a `Vec`).
    Deliver {
        nodeid: NodeId,
        payload: SharedBytes,
    },
    ConfigChange(ConfigChange),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DispatchMode {
    /// Block until one callback has run.
    One,
    /// Run the callbacks pending now; never block.
    All,
    /// Run callbacks until the handle is finalized.
    Blocking,
    /// Run at most one; `TryAgain` if none is pending.
    OneNonBlocking,
}

/// Errors, each mapped to one `cs_error_t` at the C boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// An internal error; also every call on a handle whose protocol thread
    /// has failed (see the module documentation).
    Library,
    TryAgain,
    InvalidParam,
    BadHandle,
    TooManyGroups,
    TooBig,
    /// The buffer holds fewer entries than needed.
    NoSpace {
        needed: usize,
    },
    NotExist,
    Timeout,
    /// Another processor uses our node id.
    Exist,
    /// The handle stopped dispatching and its queue of callbacks passed
    /// `EVS_HANDLE_QUEUE_BYTES`: its callbacks were dropped and it receives
    /// nothing more. Every call but `fd`, the context and `finalize` reports
    /// it; finalize the handle (and initialize a new one to go on).
    Overrun,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Library => write!(f, "library error"),
            Error::TryAgain => write!(f, "try again"),
            Error::InvalidParam => write!(f, "invalid parameter"),
            Error::BadHandle => write!(f, "bad handle"),
            Error::TooManyGroups => write!(f, "too many groups"),
            Error::TooBig => write!(f, "message too big"),
            Error::NoSpace { needed } => write!(f, "no space: {needed} entries needed"),
            Error::NotExist => write!(f, "group not joined"),
            Error::Timeout => write!(f, "timed out"),
            Error::Exist => write!(f, "node id in use by another processor"),
            Error::Overrun => write!(f, "handle overrun: it stopped dispatching and missed messages"),
        }
    }
}

impl std::error::Error for Error {}

/// What this process's processor has done: counts since it started (the
/// first `initialize`, or the first after its last handle was finalized or
/// it failed), never reset while it runs. They are per process, not per
/// handle: every handle of the process reads the same counts. Subtract two
/// readings to get rates. Read with [`Handle::stats`] (C: `evs_stats_get`).
///
/// New fields may be added at the end in later versions (the struct is
/// `#[non_exhaustive]`); none is ever removed or changes meaning.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Application messages this processor accepted for the ring
    /// (`mcast_joined`/`mcast_groups` that returned `Ok`), whatever their
    /// groups or size.
    pub messages_sent: u64,
    /// The application bytes of those messages (not the groups header).
    pub bytes_sent: u64,
    /// Application messages this processor delivered, each once, whether or
    /// not a handle of the process had joined one of its groups (its own
    /// included).
    pub messages_delivered: u64,
    /// The application bytes of those messages.
    pub bytes_delivered: u64,
    /// Frames this processor originated: a message of more than a frame
    /// counts several, several small messages packed in one count one.
    pub frames_sent: u64,
    /// Frames multicast again because the token asked for them (loss).
    pub frames_retransmitted: u64,
    /// Old-ring frames this processor shared on a new ring during recovery.
    pub recovery_frames_sent: u64,
    /// Tokens (or commit tokens) sent again because the next member did not
    /// show it had the first.
    pub tokens_retransmitted: u64,
    /// Token visits: the rotations of the token this processor took part in
    /// (operational and recovery).
    pub token_visits: u64,
    /// Regular configurations installed (the rings this processor joined,
    /// its first, singleton, one included).
    pub regular_configurations: u64,
    /// Transitional configurations delivered (one before every regular
    /// configuration but the first).
    pub transitional_configurations: u64,
    /// Messages delivered in a transitional configuration.
    pub transitional_deliveries: u64,
    /// Times the processor entered the gather state (at start, on token
    /// loss, on hearing another ring or a join).
    pub gathers: u64,
    /// Consensus timeouts: gatherings that ended by declaring processors failed.
    pub consensus_timeouts: u64,
    /// Times this processor gave up on a ring because it could not receive
    /// what the others sent (its aru stayed behind).
    pub receive_failures: u64,
    /// Datagrams refused as not ours: another program on the port, or
    /// sent without a key when one is configured (or with one when none is).
    pub rejected_foreign: u64,
    /// Datagrams refused as unauthentic: another key, another suite, or forged.
    pub rejected_unauthentic: u64,
    /// Authentic datagrams refused as replays.
    pub rejected_replayed: u64,
    /// Times a processor whose join this processor heard while gathering was
    /// left off the ring it then installed, and kept out of its gatherings a
    /// while (with a back-off) because it could not complete a formation:
    /// one that sends but does not receive, or a link that works one way.
    pub exclusions: u64,
    /// Times this processor left a ring because it missed most of one
    /// member's data frames (a lossy link between them).
    pub poor_link_gathers: u64,
    /// Times this processor left a ring kept over a link its unicast no
    /// longer crossed, to merge with a newcomer that hears it.
    pub newcomer_swaps: u64,
    /// Times this processor, alone on its ring, gathered, heard no one's
    /// join, and went on with its ring (no configuration change).
    pub lone_resumes: u64,
    /// Packets refused because they came from another version of libevs
    /// (another wire version), which cannot share a ring with this one.
    pub rejected_other_version: u64,
}

/// A handle of this process's processor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Handle(u64);

impl Handle {
    /// Create a handle. The first one of the process (or the first after its
    /// processor failed) starts a processor and returns once the processor is
    /// operational in a ring.
    pub fn initialize() -> Result<Handle, Error> {
        let state = std::sync::Arc::new(HandleState::new().map_err(|_| Error::Library)?);
        node::attach(state).map(Handle)
    }

    pub fn from_raw(raw: u64) -> Handle {
        Handle(raw)
    }

    pub fn raw(self) -> u64 {
        self.0
    }

    fn state(self) -> Result<std::sync::Arc<HandleState>, Error> {
        lookup(self.0).ok_or(Error::BadHandle)
    }

    /// The state of a handle that is not broken (its processor failed: `Library`; overrun: `Overrun`).
    fn working(self) -> Result<std::sync::Arc<HandleState>, Error> {
        let state = self.state()?;
        match state.broken() {
            Some(e) => Err(e),
            None => Ok(state),
        }
    }

    /// The handle numbered `raw`, or `BadHandle` unless it is live, `Library`
    /// if its processor failed, `Overrun` if it was overrun (the C layer
    /// reports these before bad arguments).
    pub fn live(raw: u64) -> Result<Handle, Error> {
        let h = Handle(raw);
        h.working().map(|_| h)
    }

    /// Destroy the handle: pending callbacks are dropped and a blocked
    /// dispatch returns. The process's last handle makes the processor leave
    /// the ring gracefully. Works on a handle whose processor failed, too.
    pub fn finalize(self) -> Result<(), Error> {
        let state = with_registry(|r| r.remove(self.0)).ok_or(Error::BadHandle)?;
        state.close();
        node::release_if_unused();
        Ok(())
    }

    /// A descriptor that polls readable exactly while callbacks are pending.
    pub fn fd(self) -> Result<RawFd, Error> {
        Ok(self.state()?.fd())
    }

    pub fn context(self) -> Result<usize, Error> {
        Ok(self.state()?.context())
    }

    pub fn set_context(self, ctx: usize) -> Result<(), Error> {
        self.state()?.set_context(ctx);
        Ok(())
    }

    /// Join groups; `TooManyGroups` (and none joined) if the handle would
    /// have more than [`MAX_JOINED_GROUPS`].
    pub fn join(self, groups: &[Group]) -> Result<(), Error> {
        self.working()?;
        check_groups(groups)?;
        // Under the registry lock, so a concurrent finalize either came first
        // (BadHandle) or forgets these groups with the handle.
        with_registry(|r| match r.handles.contains_key(&self.0) {
            true => r.groups.join(self.0, groups),
            false => Err(Error::BadHandle),
        })
    }

    /// Leave groups; a group not joined is `NotExist` (those before it are left).
    pub fn leave(self, groups: &[Group]) -> Result<(), Error> {
        self.working()?;
        check_groups(groups)?;
        with_registry(|r| r.groups.leave(self.0, groups)).map_err(|_| Error::NotExist)
    }

    /// Multicast the concatenation of `parts` to the groups joined now.
    pub fn mcast_joined(self, guarantee: Guarantee, parts: &[&[u8]]) -> Result<(), Error> {
        self.working()?;
        check_size(parts)?;
        // Written from the joined set under the registry's read lock: no
        // list of the groups is made.
        let payload = node::handles::read_registry().groups.encode_joined(self.0, parts);
        send(guarantee, payload)
    }

    /// Multicast to the listed groups, joined or not.
    pub fn mcast_groups(self, guarantee: Guarantee, groups: &[Group], parts: &[&[u8]]) -> Result<(), Error> {
        self.working()?;
        check_groups(groups)?;
        check_size(parts)?;
        send(guarantee, node::message::encode(groups.iter(), parts))
    }

    /// This processor's node id and the current regular configuration's
    /// members, ascending.
    pub fn membership(self) -> Result<(NodeId, Vec<NodeId>), Error> {
        self.working()?;
        with_registry(|r| {
            let members = r.membership.as_ref().map(|m| m.members.clone()).unwrap_or_default();
            Ok((r.local_nodeid, members))
        })
    }

    /// This process's processor's counts ([`Stats`]): the same from every
    /// handle of the process. `Library` once the processor has failed,
    /// `Overrun` once the handle was overrun (as `membership`).
    pub fn stats(self) -> Result<Stats, Error> {
        self.working()?;
        node::stats()
    }

    /// Run callbacks on this thread. `f` runs with no library lock held.
    /// `Library` once the processor has failed, `Overrun` once the handle was
    /// overrun, even while blocked.
    pub fn dispatch(self, mode: DispatchMode, f: &mut dyn FnMut(Handle, Callback)) -> Result<(), Error> {
        let state = self.working()?;
        // A callback may fork. In the child this handle is the parent's: its
        // state must not be touched again (its lock may be held by a parent
        // thread frozen at the fork, its eventfd is the parent's), so after
        // each callback a changed fork generation ends the dispatch.
        let generation = node::fork::generation();
        let mut run = |cb| {
            f(self, cb);
            match node::fork::generation() == generation {
                true => Ok(()),
                false => Err(Error::BadHandle),
            }
        };
        match mode {
            DispatchMode::One => {
                if let Some(cb) = state.wait_pop()? {
                    run(cb)?;
                }
            }
            DispatchMode::All => {
                // Only what is pending now: a steady stream must not keep us
                // here. Taken under one lock; a callback that finalizes the
                // handle drops the rest, as it drops what is still queued.
                for cb in state.pop_batch(usize::MAX)? {
                    if state.is_finalized() {
                        break;
                    }
                    run(cb)?;
                }
            }
            DispatchMode::Blocking => {
                while let Some(cb) = state.wait_pop()? {
                    run(cb)?;
                }
            }
            DispatchMode::OneNonBlocking => match state.pop()? {
                Some(cb) => run(cb)?,
                None => return Err(Error::TryAgain),
            },
        }
        Ok(())
    }
}

/// Test support, not part of the API: hidden from the documentation, and not
/// reachable from C (the C library exports only the `evs_*` functions).
#[doc(hidden)]
pub mod testing {
    use super::Error;

    /// Make the running processor's protocol thread panic at its next turn,
    /// while it holds the core's lock (as a bug in the protocol core would),
    /// to test how the failure reaches the handles. Returns at once;
    /// `BadHandle` if no processor runs.
    pub fn panic_protocol_thread() -> Result<(), Error> {
        crate::node::request_panic()
    }
}

fn check_groups(groups: &[Group]) -> Result<(), Error> {
    if groups.is_empty() {
        return Err(Error::InvalidParam);
    }
    if groups.len() > MAX_GROUPS {
        return Err(Error::TooManyGroups);
    }
    Ok(())
}

fn send(guarantee: Guarantee, payload: crate::totem::SharedBytes) -> Result<(), Error> {
    node::submit(guarantee, payload)
}

/// `TooBig` unless the parts fit in one message.
fn check_size(parts: &[&[u8]]) -> Result<(), Error> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    if len > MAX_MESSAGE {
        return Err(Error::TooBig);
    }
    Ok(())
}
