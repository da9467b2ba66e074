//! Each handle's C callbacks (copied at `evs_initialize`) and how a pending
//! callback is handed to them.

use std::collections::HashMap;
use std::sync::Mutex;

use libc::c_void;

use super::types::{evs_ring_id, EvsCallbacks};
use crate::api::{Callback, Handle};
use crate::node::fork::PerFork;

/// Per fork generation, like the handles themselves: a forked child must not
/// wait for a lock a parent thread held at the fork.
static TABLE: PerFork<Mutex<HashMap<u64, EvsCallbacks>>> = PerFork::new();

fn with_table<R>(f: impl FnOnce(&mut HashMap<u64, EvsCallbacks>) -> R) -> R {
    let mut guard = TABLE.get().lock().unwrap_or_else(|e| e.into_inner());
    f(&mut guard)
}

pub(crate) fn set(handle: u64, callbacks: EvsCallbacks) {
    with_table(|t| t.insert(handle, callbacks));
}

pub(crate) fn remove(handle: u64) {
    with_table(|t| t.remove(&handle));
}

pub(crate) fn get(handle: u64) -> EvsCallbacks {
    with_table(|t| t.get(&handle).copied().unwrap_or_default())
}

/// Call the C function for one callback. No library lock is held here.
pub(crate) fn invoke(callbacks: &EvsCallbacks, handle: Handle, callback: Callback) {
    let h = handle.raw();
    match callback {
        Callback::Deliver { nodeid, payload } => {
            if let Some(f) = callbacks.evs_deliver_fn {
                // SAFETY: a C function pointer the application gave us, called
                // with a buffer valid for the duration of the call.
                unsafe { f(h, nodeid, payload.as_ptr() as *const c_void, payload.len()) };
            }
        }
        Callback::ConfigChange(c) => {
            if let Some(f) = callbacks.evs_confchg_fn {
                let ring = evs_ring_id { nodeid: c.ring_id.rep, seq: c.ring_id.seq };
                // SAFETY: as above; the lists and the ring id outlive the call.
                unsafe {
                    f(
                        h,
                        c.members.as_ptr(),
                        c.members.len(),
                        c.left.as_ptr(),
                        c.left.len(),
                        c.joined.as_ptr(),
                        c.joined.len(),
                        &ring,
                    )
                };
            }
        }
    }
}
