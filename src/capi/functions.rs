//! The exported functions of `<corosync/evs.h>`, and `cs_strerror`.
//!
//! The signatures and doc comments here are the source of the function
//! declarations in `include/corosync/evs.h` (cbindgen copies them; run
//! `make headers` after changing one). Each body checks its pointers, calls
//! the safe API (`crate::api`) inside the panic boundary (`guard`), and maps
//! its error to a `cs_error_t`.
//!
//! A failed processor (a panic on the library's protocol thread, caught) is
//! `CS_ERR_LIBRARY` from every call on its handles but evs_fd_get,
//! evs_context_get/set and evs_finalize: the code corosync's library returned
//! once its connection to the daemon died, so a program written for corosync
//! already treats it as "finalize and start again". The contract is in
//! evs_dispatch's comment.
//!
//! Every pointer a C caller passes may be NULL or wrong, so the functions
//! that take pointers are `unsafe extern "C"`; the C contract of each is in its
//! doc comment (which is what C programmers read), hence no `# Safety`
//! sections.

#![allow(clippy::missing_safety_doc)]

use super::callbacks;
use super::convert;
use super::guard::guard;
use super::types::{
    cs_dispatch_flags_t, cs_error_t, evs_callbacks_t, evs_group, evs_handle_t, EvsCallbacks, EvsGuaranteeArg,
};
use crate::api::{DispatchMode, Error, Handle};
use libc::{c_char, c_int, c_uint, c_void, iovec, size_t};

/// Creates a handle and stores it in *handle. callbacks may be NULL (no
/// callbacks); the structure is copied. The first handle of a process starts
/// the process's processor and returns once it is operational in a ring, so
/// membership is meaningful at once. The handle's first callback is a
/// configuration change reporting the current regular configuration. A
/// configuration error gives CS_ERR_LIBRARY (or a closer code) and prints a
/// one-line reason on stderr. handle NULL: CS_ERR_INVALID_PARAM. If the
/// process's processor has failed (see evs_dispatch()), the new handle gets a
/// new processor; the failed handles stay failed. Handles do not survive
/// fork(): in the child, every handle created before the fork is
/// CS_ERR_BAD_HANDLE, and the first evs_initialize starts a processor of the
/// child's own (its own node id).
#[no_mangle]
pub unsafe extern "C" fn evs_initialize(handle: *mut evs_handle_t, callbacks: *mut evs_callbacks_t) -> cs_error_t {
    guard(|| {
        if handle.is_null() {
            return Err(Error::InvalidParam);
        }
        let copied = if callbacks.is_null() { EvsCallbacks::default() } else { *callbacks };
        let h = Handle::initialize()?;
        callbacks::set(h.raw(), copied);
        *handle = h.raw();
        Ok(())
    })
}

/// Destroys the handle: pending callbacks are discarded and an evs_dispatch()
/// blocked on it returns CS_OK. Finalizing the process's last handle makes its
/// processor leave the ring gracefully. An unknown or already finalized
/// handle: CS_ERR_BAD_HANDLE. A handle whose processor has failed is
/// finalized as any other (CS_OK).
#[no_mangle]
pub extern "C" fn evs_finalize(handle: evs_handle_t) -> cs_error_t {
    guard(|| {
        Handle::from_raw(handle).finalize()?;
        callbacks::remove(handle);
        Ok(())
    })
}

/// Stores in *fd a file descriptor that polls readable (POLLIN) exactly while
/// callbacks are pending for the handle, and for good once its processor has
/// failed (then evs_dispatch() returns CS_ERR_LIBRARY). The library owns it;
/// it stays valid until evs_finalize(). fd NULL: CS_ERR_INVALID_PARAM.
#[no_mangle]
pub unsafe extern "C" fn evs_fd_get(handle: evs_handle_t, fd: *mut c_int) -> cs_error_t {
    guard(|| {
        if fd.is_null() {
            return Err(Error::InvalidParam);
        }
        *fd = Handle::from_raw(handle).fd()?;
        Ok(())
    })
}

/// Stores in *context the opaque pointer last given to evs_context_set() for
/// the handle (NULL if none was). context NULL: CS_ERR_INVALID_PARAM.
#[no_mangle]
pub unsafe extern "C" fn evs_context_get(handle: evs_handle_t, context: *mut *mut c_void) -> cs_error_t {
    guard(|| {
        if context.is_null() {
            return Err(Error::InvalidParam);
        }
        *context = Handle::from_raw(handle).context()? as *mut c_void;
        Ok(())
    })
}

/// Stores an opaque pointer with the handle; the library never dereferences it.
#[no_mangle]
pub unsafe extern "C" fn evs_context_set(handle: evs_handle_t, context: *mut c_void) -> cs_error_t {
    guard(|| Handle::from_raw(handle).set_context(context as usize))
}

/// Runs the handle's pending callbacks on the calling thread.
/// CS_DISPATCH_ONE blocks until one callback has run; CS_DISPATCH_ALL runs
/// every pending callback without blocking; CS_DISPATCH_BLOCKING runs
/// callbacks until the handle is finalized, then returns CS_OK;
/// CS_DISPATCH_ONE_NONBLOCKING runs at most one and returns CS_ERR_TRY_AGAIN
/// if none was pending. Any other value: CS_ERR_INVALID_PARAM. Callbacks may
/// call any evs_* function, including evs_finalize() of their own handle.
///
/// If the library's protocol thread fails (a bug in the library, caught: it
/// never aborts the process), the handles it served fail: pending callbacks
/// are discarded; evs_dispatch() in every mode, a call blocked in it
/// included, returns CS_ERR_LIBRARY promptly, and so do evs_join(),
/// evs_leave(), evs_mcast_joined(), evs_mcast_groups() and
/// evs_membership_get(); the fd polls readable for good. This is the code
/// corosync's library returned when its connection to the daemon died.
/// EVS_LOG=error (or a finer level) logs the reason once on stderr. Recover by
/// calling evs_finalize() on the failed handles and evs_initialize() again,
/// which starts a new processor (a new member of the ring).
///
/// A handle that stops dispatching is overrun once its pending callbacks pass
/// EVS_HANDLE_QUEUE_BYTES (64 MiB by default): they are discarded, it receives
/// nothing more, its fd polls readable for good, and the calls above return
/// CS_ERR_QUEUE_FULL, since it missed messages. Finalize it; evs_initialize()
/// gives a new handle. The process's other handles and the ring go on.
#[no_mangle]
pub extern "C" fn evs_dispatch(handle: evs_handle_t, dispatch_types: cs_dispatch_flags_t) -> cs_error_t {
    guard(|| {
        let mode = match dispatch_types {
            cs_dispatch_flags_t::CS_DISPATCH_ONE => DispatchMode::One,
            cs_dispatch_flags_t::CS_DISPATCH_ALL => DispatchMode::All,
            cs_dispatch_flags_t::CS_DISPATCH_BLOCKING => DispatchMode::Blocking,
            cs_dispatch_flags_t::CS_DISPATCH_ONE_NONBLOCKING => DispatchMode::OneNonBlocking,
            _ => return Err(Error::InvalidParam),
        };
        let h = Handle::from_raw(handle);
        let table = callbacks::get(handle);
        h.dispatch(mode, &mut |h, cb| callbacks::invoke(&table, h, cb))
    })
}

/// Adds group_entries groups to the handle's joined set (joining a group
/// already joined is a no-op). It applies to messages delivered after the
/// call returns. groups NULL or group_entries 0: CS_ERR_INVALID_PARAM; more
/// than 50 groups: CS_ERR_TOO_MANY_GROUPS. A handle joins at most 1024
/// groups: a call that would pass that joins none of its groups and returns
/// CS_ERR_TOO_MANY_GROUPS. A failed processor: CS_ERR_LIBRARY (see
/// evs_dispatch()).
#[no_mangle]
pub unsafe extern "C" fn evs_join(handle: evs_handle_t, groups: *const evs_group, group_entries: size_t) -> cs_error_t {
    guard(|| {
        let h = Handle::live(handle)?;
        h.join(&convert::groups(groups, group_entries)?)
    })
}

/// Removes group_entries groups from the handle's joined set. A group that is
/// not joined gives CS_ERR_NOT_EXIST (the groups before it in the array have
/// been left). groups NULL or group_entries 0: CS_ERR_INVALID_PARAM; more than
/// 50 groups: CS_ERR_TOO_MANY_GROUPS. A failed processor: CS_ERR_LIBRARY.
#[no_mangle]
pub unsafe extern "C" fn evs_leave(
    handle: evs_handle_t,
    groups: *const evs_group,
    group_entries: size_t,
) -> cs_error_t {
    guard(|| {
        let h = Handle::live(handle)?;
        h.leave(&convert::groups(groups, group_entries)?)
    })
}

/// Multicasts the concatenation of the iovcnt buffers of iov to the groups
/// the handle has joined now, under the given guarantee. At most 1 MiB
/// (1048576 bytes) of payload, else CS_ERR_TOO_BIG; zero bytes is valid. A
/// guarantee other than the four EVS_TYPE_* values: CS_ERR_INVALID_PARAM.
/// CS_ERR_TRY_AGAIN when the send queue is full: nothing was sent, retry
/// (typically after dispatching). CS_OK: the message will be delivered.
/// CS_ERR_LIBRARY: the processor has failed and nothing was sent (see
/// evs_dispatch()).
#[no_mangle]
pub unsafe extern "C" fn evs_mcast_joined(
    handle: evs_handle_t,
    guarantee: EvsGuaranteeArg,
    iov: *const iovec,
    iovcnt: c_uint,
) -> cs_error_t {
    guard(|| {
        let h = Handle::live(handle)?;
        let g = convert::guarantee(guarantee)?;
        h.mcast_joined(g, &convert::buffers(iov, iovcnt)?)
    })
}

/// As evs_mcast_joined(), to the group_entries groups listed (joined or not).
/// groups NULL or group_entries 0: CS_ERR_INVALID_PARAM; more than 50 groups:
/// CS_ERR_TOO_MANY_GROUPS.
#[no_mangle]
pub unsafe extern "C" fn evs_mcast_groups(
    handle: evs_handle_t,
    guarantee: EvsGuaranteeArg,
    groups: *const evs_group,
    group_entries: size_t,
    iov: *const iovec,
    iovcnt: c_uint,
) -> cs_error_t {
    guard(|| {
        let h = Handle::live(handle)?;
        let g = convert::guarantee(guarantee)?;
        let groups = convert::groups(groups, group_entries)?;
        h.mcast_groups(g, &groups, &convert::buffers(iov, iovcnt)?)
    })
}

/// Reports the current regular configuration. *member_list_entries is the
/// capacity of member_list on entry. On CS_OK, *local_nodeid is this
/// processor's node id, the members are written to member_list in ascending
/// node id order and *member_list_entries is their number. If the capacity is
/// too small: CS_ERR_NO_SPACE, nothing written beyond the capacity, and
/// *member_list_entries set to the number needed. member_list may be NULL only
/// with a capacity of 0. A failed processor: CS_ERR_LIBRARY, nothing written.
#[no_mangle]
pub unsafe extern "C" fn evs_membership_get(
    handle: evs_handle_t,
    local_nodeid: *mut c_uint,
    member_list: *mut c_uint,
    member_list_entries: *mut size_t,
) -> cs_error_t {
    guard(|| {
        if local_nodeid.is_null() || member_list_entries.is_null() {
            return Err(Error::InvalidParam);
        }
        let capacity = *member_list_entries;
        if member_list.is_null() && capacity > 0 {
            return Err(Error::InvalidParam);
        }
        let (me, members) = Handle::from_raw(handle).membership()?;
        *local_nodeid = me;
        *member_list_entries = members.len();
        if members.len() > capacity {
            return Err(Error::NoSpace { needed: members.len() });
        }
        if !members.is_empty() {
            std::ptr::copy_nonoverlapping(members.as_ptr(), member_list, members.len());
        }
        Ok(())
    })
}

/// A static description of err ("unknown error" for a value that is not a
/// cs_error_t code). Declared in <corosync/corotypes.h>.
#[no_mangle]
pub extern "C" fn cs_strerror(err: cs_error_t) -> *const c_char {
    err.message().unwrap_or(c"unknown error").as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn cs_strerror_answers_every_int() {
        let unknown = unsafe { CStr::from_ptr(cs_strerror(cs_error_t(0))) };
        assert_eq!(unknown.to_str().unwrap(), "unknown error");
        for e in cs_error_t::ALL {
            let s = unsafe { CStr::from_ptr(cs_strerror(e)) };
            assert_ne!(s, unknown);
            assert!(!s.is_empty());
        }
        for v in [29, -1, 101, c_int::MAX, c_int::MIN] {
            assert_eq!(unsafe { CStr::from_ptr(cs_strerror(cs_error_t(v))) }, unknown);
        }
    }
}
