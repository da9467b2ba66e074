//! The `#[repr(C)]` types of the C API, laid out exactly as corosync's libevs
//! ABI lays them out (see the API contract).
//!
//! These definitions are the single source of the types that cbindgen writes
//! into `include/corosync/evs.h`. The types that belong to `corotypes.h` and
//! `hdb.h` ([`cs_error_t`], [`cs_dispatch_flags_t`], [`hdb_handle_t`],
//! [`cs_name_t`], [`cs_version_t`]) are mirrored here for the Rust side only:
//! those two headers are hand-written, and `cbindgen.toml` excludes these
//! names so that evs.h refers to them without redefining them.
//!
//! Every value that C hands to Rust as an enum ([`cs_error_t`],
//! [`cs_dispatch_flags_t`], [`EvsGuaranteeArg`]) is received as a plain C
//! `int` wrapped in a `#[repr(transparent)]` newtype: a C program may pass any
//! int, and turning an out-of-range value into a Rust enum would be undefined
//! behaviour. Check it with the `get`/`is_known` helpers instead.

#![allow(non_camel_case_types)]

use libc::{c_char, c_int, c_uint, c_ulonglong, c_void, size_t};
use std::ffi::CStr;

/// A handle as `<corosync/hdb.h>` defines it; the callbacks receive the
/// `evs_handle_t` they were registered with under this type.
pub type hdb_handle_t = u64;

/// The handle of one EVS connection, as returned by evs_initialize().
pub type evs_handle_t = u64;

/// `cs_error_t` of `<corosync/corotypes.h>`: the result of every function.
///
/// A C enum is an `int`-sized integer; this newtype has exactly that ABI and
/// can hold any value C passes (as `cs_strerror` must accept).
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct cs_error_t(pub c_int);

impl cs_error_t {
    pub const CS_OK: cs_error_t = cs_error_t(1);
    pub const CS_ERR_LIBRARY: cs_error_t = cs_error_t(2);
    pub const CS_ERR_VERSION: cs_error_t = cs_error_t(3);
    pub const CS_ERR_INIT: cs_error_t = cs_error_t(4);
    pub const CS_ERR_TIMEOUT: cs_error_t = cs_error_t(5);
    pub const CS_ERR_TRY_AGAIN: cs_error_t = cs_error_t(6);
    pub const CS_ERR_INVALID_PARAM: cs_error_t = cs_error_t(7);
    pub const CS_ERR_NO_MEMORY: cs_error_t = cs_error_t(8);
    pub const CS_ERR_BAD_HANDLE: cs_error_t = cs_error_t(9);
    pub const CS_ERR_BUSY: cs_error_t = cs_error_t(10);
    pub const CS_ERR_ACCESS: cs_error_t = cs_error_t(11);
    pub const CS_ERR_NOT_EXIST: cs_error_t = cs_error_t(12);
    pub const CS_ERR_NAME_TOO_LONG: cs_error_t = cs_error_t(13);
    pub const CS_ERR_EXIST: cs_error_t = cs_error_t(14);
    pub const CS_ERR_NO_SPACE: cs_error_t = cs_error_t(15);
    pub const CS_ERR_INTERRUPT: cs_error_t = cs_error_t(16);
    pub const CS_ERR_NAME_NOT_FOUND: cs_error_t = cs_error_t(17);
    pub const CS_ERR_NO_RESOURCES: cs_error_t = cs_error_t(18);
    pub const CS_ERR_NOT_SUPPORTED: cs_error_t = cs_error_t(19);
    pub const CS_ERR_BAD_OPERATION: cs_error_t = cs_error_t(20);
    pub const CS_ERR_FAILED_OPERATION: cs_error_t = cs_error_t(21);
    pub const CS_ERR_MESSAGE_ERROR: cs_error_t = cs_error_t(22);
    pub const CS_ERR_QUEUE_FULL: cs_error_t = cs_error_t(23);
    pub const CS_ERR_QUEUE_NOT_AVAILABLE: cs_error_t = cs_error_t(24);
    pub const CS_ERR_BAD_FLAGS: cs_error_t = cs_error_t(25);
    pub const CS_ERR_TOO_BIG: cs_error_t = cs_error_t(26);
    pub const CS_ERR_NO_SECTIONS: cs_error_t = cs_error_t(27);
    pub const CS_ERR_CONTEXT_NOT_FOUND: cs_error_t = cs_error_t(28);
    pub const CS_ERR_TOO_MANY_GROUPS: cs_error_t = cs_error_t(30);
    pub const CS_ERR_SECURITY: cs_error_t = cs_error_t(100);

    /// Every defined code, in ascending order.
    pub const ALL: [cs_error_t; 30] = [
        Self::CS_OK,
        Self::CS_ERR_LIBRARY,
        Self::CS_ERR_VERSION,
        Self::CS_ERR_INIT,
        Self::CS_ERR_TIMEOUT,
        Self::CS_ERR_TRY_AGAIN,
        Self::CS_ERR_INVALID_PARAM,
        Self::CS_ERR_NO_MEMORY,
        Self::CS_ERR_BAD_HANDLE,
        Self::CS_ERR_BUSY,
        Self::CS_ERR_ACCESS,
        Self::CS_ERR_NOT_EXIST,
        Self::CS_ERR_NAME_TOO_LONG,
        Self::CS_ERR_EXIST,
        Self::CS_ERR_NO_SPACE,
        Self::CS_ERR_INTERRUPT,
        Self::CS_ERR_NAME_NOT_FOUND,
        Self::CS_ERR_NO_RESOURCES,
        Self::CS_ERR_NOT_SUPPORTED,
        Self::CS_ERR_BAD_OPERATION,
        Self::CS_ERR_FAILED_OPERATION,
        Self::CS_ERR_MESSAGE_ERROR,
        Self::CS_ERR_QUEUE_FULL,
        Self::CS_ERR_QUEUE_NOT_AVAILABLE,
        Self::CS_ERR_BAD_FLAGS,
        Self::CS_ERR_TOO_BIG,
        Self::CS_ERR_NO_SECTIONS,
        Self::CS_ERR_CONTEXT_NOT_FOUND,
        Self::CS_ERR_TOO_MANY_GROUPS,
        Self::CS_ERR_SECURITY,
    ];

    /// The enumerator's name, e.g. `"CS_ERR_TRY_AGAIN"`; `None` for a value
    /// that is not a defined code.
    pub fn name(self) -> Option<&'static str> {
        self.entry().map(|(name, _)| name)
    }

    /// The text `cs_strerror` returns for this code; `None` for a value that
    /// is not a defined code.
    pub fn message(self) -> Option<&'static CStr> {
        self.entry().map(|(_, msg)| msg)
    }

    fn entry(self) -> Option<(&'static str, &'static CStr)> {
        let e = match self.0 {
            1 => ("CS_OK", c"success"),
            2 => ("CS_ERR_LIBRARY", c"error in the library"),
            3 => ("CS_ERR_VERSION", c"version mismatch"),
            4 => ("CS_ERR_INIT", c"initialization failed"),
            5 => ("CS_ERR_TIMEOUT", c"timed out"),
            6 => ("CS_ERR_TRY_AGAIN", c"resource temporarily unavailable, try again"),
            7 => ("CS_ERR_INVALID_PARAM", c"invalid parameter"),
            8 => ("CS_ERR_NO_MEMORY", c"out of memory"),
            9 => ("CS_ERR_BAD_HANDLE", c"bad handle"),
            10 => ("CS_ERR_BUSY", c"busy"),
            11 => ("CS_ERR_ACCESS", c"access denied"),
            12 => ("CS_ERR_NOT_EXIST", c"does not exist"),
            13 => ("CS_ERR_NAME_TOO_LONG", c"name too long"),
            14 => ("CS_ERR_EXIST", c"already exists"),
            15 => ("CS_ERR_NO_SPACE", c"not enough space"),
            16 => ("CS_ERR_INTERRUPT", c"interrupted"),
            17 => ("CS_ERR_NAME_NOT_FOUND", c"name not found"),
            18 => ("CS_ERR_NO_RESOURCES", c"out of resources"),
            19 => ("CS_ERR_NOT_SUPPORTED", c"operation not supported"),
            20 => ("CS_ERR_BAD_OPERATION", c"bad operation"),
            21 => ("CS_ERR_FAILED_OPERATION", c"operation failed"),
            22 => ("CS_ERR_MESSAGE_ERROR", c"message error"),
            23 => ("CS_ERR_QUEUE_FULL", c"queue full"),
            24 => ("CS_ERR_QUEUE_NOT_AVAILABLE", c"queue not available"),
            25 => ("CS_ERR_BAD_FLAGS", c"bad flags"),
            26 => ("CS_ERR_TOO_BIG", c"too big"),
            27 => ("CS_ERR_NO_SECTIONS", c"no sections"),
            28 => ("CS_ERR_CONTEXT_NOT_FOUND", c"context not found"),
            30 => ("CS_ERR_TOO_MANY_GROUPS", c"too many groups"),
            100 => ("CS_ERR_SECURITY", c"security error"),
            _ => return None,
        };
        Some(e)
    }
}

/// `cs_dispatch_flags_t` of `<corosync/corotypes.h>`, as received from C:
/// any int. [`cs_dispatch_flags_t::is_known`] tells the four defined values
/// from the rest (which `evs_dispatch` answers with `CS_ERR_INVALID_PARAM`).
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct cs_dispatch_flags_t(pub c_int);

impl cs_dispatch_flags_t {
    pub const CS_DISPATCH_ONE: cs_dispatch_flags_t = cs_dispatch_flags_t(1);
    pub const CS_DISPATCH_ALL: cs_dispatch_flags_t = cs_dispatch_flags_t(2);
    pub const CS_DISPATCH_BLOCKING: cs_dispatch_flags_t = cs_dispatch_flags_t(3);
    pub const CS_DISPATCH_ONE_NONBLOCKING: cs_dispatch_flags_t = cs_dispatch_flags_t(4);

    /// Whether this is one of the four defined values.
    pub fn is_known(self) -> bool {
        (1..=4).contains(&self.0)
    }
}

// In Rust the enum is `EvsGuarantee` and `evs_guarantee_t` an alias of it:
// cbindgen.toml renames `EvsGuarantee` to `evs_guarantee_t`, so the header
// gets `enum evs_guarantee_t { ... };` and `typedef enum evs_guarantee_t
// evs_guarantee_t;`. Never receive this enum from C: see `EvsGuaranteeArg`.

/// The delivery guarantee of a multicast message.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EvsGuarantee {
    /// Reliable, with no ordering promise.
    EVS_TYPE_UNORDERED = 0,
    /// Each sender's messages in send order.
    EVS_TYPE_FIFO = 1,
    /// One total order on every processor.
    EVS_TYPE_AGREED = 2,
    /// Agreed, and delivered only once every processor of the configuration has the message.
    EVS_TYPE_SAFE = 3,
}

/// The guarantee argument of evs_mcast_joined() and evs_mcast_groups().
pub type evs_guarantee_t = EvsGuarantee;

/// An `evs_guarantee_t` as received from C: any int (cbindgen.toml renames it
/// to `evs_guarantee_t` in the header). [`EvsGuaranteeArg::get`] converts the
/// four defined values into [`evs_guarantee_t`].
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EvsGuaranteeArg(pub c_int);

impl EvsGuaranteeArg {
    /// The guarantee, or `None` for a value outside 0..=3.
    pub fn get(self) -> Option<evs_guarantee_t> {
        match self.0 {
            0 => Some(evs_guarantee_t::EVS_TYPE_UNORDERED),
            1 => Some(evs_guarantee_t::EVS_TYPE_FIFO),
            2 => Some(evs_guarantee_t::EVS_TYPE_AGREED),
            3 => Some(evs_guarantee_t::EVS_TYPE_SAFE),
            _ => None,
        }
    }
}

impl From<evs_guarantee_t> for EvsGuaranteeArg {
    fn from(g: evs_guarantee_t) -> Self {
        EvsGuaranteeArg(g as c_int)
    }
}

/// The most groups one call of evs_join(), evs_leave() or evs_mcast_groups() accepts.
pub const EVS_MAX_GROUPS_PER_CALL: usize = 50;

/// The largest payload evs_mcast_joined() and evs_mcast_groups() accept, in bytes.
pub const EVS_MAX_MESSAGE_SIZE: usize = 1 << 20;

/// A group: its 32 raw bytes, compared like memcmp (static initialisers zero-pad).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct evs_group {
    pub key: [c_char; 32],
}

/// The identity of a configuration: its representative's node id and the ring's sequence number.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct evs_ring_id {
    pub nodeid: c_uint,
    pub seq: c_ulonglong,
}

/// Delivers one message; msg is valid only during the call.
pub type evs_deliver_fn_t =
    Option<unsafe extern "C" fn(handle: hdb_handle_t, nodeid: c_uint, msg: *const c_void, msg_len: size_t)>;

/// Reports a configuration change (transitional or regular); ring_id is never NULL.
pub type evs_confchg_fn_t = Option<
    unsafe extern "C" fn(
        handle: hdb_handle_t,
        member_list: *const c_uint,
        member_list_entries: size_t,
        left_list: *const c_uint,
        left_list_entries: size_t,
        joined_list: *const c_uint,
        joined_list_entries: size_t,
        ring_id: *const evs_ring_id,
    ),
>;

// In Rust the struct is `EvsCallbacks` and `evs_callbacks_t` an alias of it:
// cbindgen.toml renames `EvsCallbacks` to `evs_callbacks_t`, so the header
// gets the struct and `typedef struct evs_callbacks_t evs_callbacks_t;`.

/// The callbacks of a handle; either may be NULL. evs_initialize() copies them.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct EvsCallbacks {
    pub evs_deliver_fn: evs_deliver_fn_t,
    pub evs_confchg_fn: evs_confchg_fn_t,
}

/// The callbacks given to evs_initialize().
pub type evs_callbacks_t = EvsCallbacks;

/// A libevs extension, not in corosync: the counts of this process's
/// processor, filled in by evs_stats_get(). Every field is a uint64_t count,
/// monotonic since the processor started (the process's first evs_initialize,
/// or the first after its last handle was finalized); they are per process,
/// not per handle. Fields are only ever added at the end: pass
/// sizeof(struct evs_stats) to evs_stats_get(), and a field is valid when
/// size >= its offset + 8 (offsetof(struct evs_stats, field) + sizeof(uint64_t)).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct evs_stats {
    /// The number of bytes of this structure the library filled in:
    /// min(the size passed, the library's sizeof(struct evs_stats)).
    pub size: u64,
    /// Application messages accepted by evs_mcast_joined()/evs_mcast_groups() (CS_OK).
    pub messages_sent: u64,
    /// The application bytes of those messages.
    pub bytes_sent: u64,
    /// Application messages delivered by the processor, each once, whether or
    /// not a handle of the process joined one of its groups.
    pub messages_delivered: u64,
    /// The application bytes of those messages.
    pub bytes_delivered: u64,
    /// Frames originated (a large message counts several, packed small ones one).
    pub frames_sent: u64,
    /// Frames multicast again because the token asked for them (loss).
    pub frames_retransmitted: u64,
    /// Old-ring frames shared on a new ring during recovery.
    pub recovery_frames_sent: u64,
    /// Tokens (or commit tokens) sent again because the next member did not show it had the first.
    pub tokens_retransmitted: u64,
    /// Token visits: the token rotations this processor took part in.
    pub token_visits: u64,
    /// Regular configurations installed (the first, singleton, one included).
    pub regular_configurations: u64,
    /// Transitional configurations delivered.
    pub transitional_configurations: u64,
    /// Messages delivered in a transitional configuration.
    pub transitional_deliveries: u64,
    /// Times the processor entered the gather state (at start, on token loss, on a join or another ring).
    pub gathers: u64,
    /// Gatherings that ended by declaring processors failed.
    pub consensus_timeouts: u64,
    /// Times the processor gave up on a ring because it could not receive what the others sent.
    pub receive_failures: u64,
    /// Datagrams refused as not ours (another program, or sent with no key / a key we lack).
    pub rejected_foreign: u64,
    /// Datagrams refused as unauthentic (another key or suite, or forged).
    pub rejected_unauthentic: u64,
    /// Authentic datagrams refused as replays.
    pub rejected_replayed: u64,
    /// Processors heard while gathering, left off the ring installed, and kept out a while (they could not complete a formation).
    pub exclusions: u64,
    /// Times the processor left a ring because it missed most of one member's data frames (a lossy link).
    pub poor_link_gathers: u64,
    /// Times the processor left a ring kept over a link its unicast no longer crossed, to merge with a newcomer.
    pub newcomer_swaps: u64,
    /// Times the processor, alone on its ring, gathered, heard no one, and went on with its ring.
    pub lone_resumes: u64,
    /// Packets refused as another libevs version's (another wire version): the two cannot share a ring.
    pub rejected_other_version: u64,
}

impl evs_stats {
    /// The counts of `s`, with `size` left 0.
    pub fn from_stats(s: &crate::api::Stats) -> evs_stats {
        evs_stats {
            size: 0,
            messages_sent: s.messages_sent,
            bytes_sent: s.bytes_sent,
            messages_delivered: s.messages_delivered,
            bytes_delivered: s.bytes_delivered,
            frames_sent: s.frames_sent,
            frames_retransmitted: s.frames_retransmitted,
            recovery_frames_sent: s.recovery_frames_sent,
            tokens_retransmitted: s.tokens_retransmitted,
            token_visits: s.token_visits,
            regular_configurations: s.regular_configurations,
            transitional_configurations: s.transitional_configurations,
            transitional_deliveries: s.transitional_deliveries,
            gathers: s.gathers,
            consensus_timeouts: s.consensus_timeouts,
            receive_failures: s.receive_failures,
            rejected_foreign: s.rejected_foreign,
            rejected_unauthentic: s.rejected_unauthentic,
            rejected_replayed: s.rejected_replayed,
            exclusions: s.exclusions,
            poor_link_gathers: s.poor_link_gathers,
            newcomer_swaps: s.newcomer_swaps,
            lone_resumes: s.lone_resumes,
            rejected_other_version: s.rejected_other_version,
        }
    }
}

/// The size of `struct evs_stats` in this version of the library (24 counts
/// of 8 bytes; the C header's sizeof). Only ever grows.
pub const EVS_STATS_SIZE: usize = std::mem::size_of::<evs_stats>();

/// `cs_name_t` of `<corosync/corotypes.h>` (not used by libevs's functions;
/// mirrored for the layout checks).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct cs_name_t {
    pub length: u16,
    pub value: [u8; 256],
}

/// `cs_version_t` of `<corosync/corotypes.h>` (not used by libevs's
/// functions; mirrored for the layout checks).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(non_snake_case)]
pub struct cs_version_t {
    pub releaseCode: c_char,
    pub majorVersion: u8,
    pub minorVersion: u8,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, offset_of, size_of};

    #[test]
    fn layouts_match_the_c_abi() {
        assert_eq!(size_of::<evs_group>(), 32);
        assert_eq!(size_of::<evs_ring_id>(), 8 + size_of::<c_ulonglong>());
        assert_eq!(offset_of!(evs_ring_id, nodeid), 0);
        assert_eq!(offset_of!(evs_ring_id, seq), align_of::<c_ulonglong>());
        assert_eq!(size_of::<evs_callbacks_t>(), 2 * size_of::<*const c_void>());
        assert_eq!(offset_of!(evs_callbacks_t, evs_confchg_fn), size_of::<*const c_void>());
        assert_eq!(size_of::<cs_name_t>(), 258);
        assert_eq!(offset_of!(cs_name_t, value), 2);
        assert_eq!(size_of::<cs_version_t>(), 3);
        assert_eq!(size_of::<cs_error_t>(), size_of::<c_int>());
        assert_eq!(size_of::<cs_dispatch_flags_t>(), size_of::<c_int>());
        assert_eq!(size_of::<evs_guarantee_t>(), size_of::<c_int>());
        assert_eq!(size_of::<EvsGuaranteeArg>(), size_of::<c_int>());
        assert_eq!(size_of::<evs_handle_t>(), 8);
        // The extension's struct: only uint64_t fields, so no padding, and
        // its size is what the documentation says.
        assert_eq!(size_of::<evs_stats>(), 24 * 8);
        assert_eq!(align_of::<evs_stats>(), 8);
        assert_eq!(offset_of!(evs_stats, size), 0);
        assert_eq!(offset_of!(evs_stats, messages_sent), 8);
        assert_eq!(offset_of!(evs_stats, rejected_replayed), 18 * 8);
        assert_eq!(offset_of!(evs_stats, rejected_other_version), 23 * 8);
    }

    #[test]
    fn every_count_reaches_its_own_c_field() {
        let s = crate::api::Stats {
            messages_sent: 1,
            bytes_sent: 2,
            messages_delivered: 3,
            bytes_delivered: 4,
            frames_sent: 5,
            frames_retransmitted: 6,
            recovery_frames_sent: 7,
            tokens_retransmitted: 8,
            token_visits: 9,
            regular_configurations: 10,
            transitional_configurations: 11,
            transitional_deliveries: 12,
            gathers: 13,
            consensus_timeouts: 14,
            receive_failures: 15,
            rejected_foreign: 16,
            rejected_unauthentic: 17,
            rejected_replayed: 18,
            exclusions: 19,
            poor_link_gathers: 20,
            newcomer_swaps: 21,
            lone_resumes: 22,
            rejected_other_version: 23,
        };
        let c = evs_stats::from_stats(&s);
        // The C struct is the size and then the counts in the Rust order:
        // read it as 24 words and expect 0, 1, ..., 23.
        let words: [u64; 24] = unsafe { std::mem::transmute(c) };
        let expected: Vec<u64> = (0..24).collect();
        assert_eq!(words.to_vec(), expected);
    }

    #[test]
    fn every_error_code_has_a_distinct_name_and_message() {
        let mut seen = std::collections::HashSet::new();
        for (i, e) in cs_error_t::ALL.iter().enumerate() {
            if i > 0 {
                assert!(cs_error_t::ALL[i - 1].0 < e.0);
            }
            assert!(e.name().is_some(), "{e:?}");
            assert!(seen.insert(e.message().unwrap()), "{e:?}");
        }
        for v in [0, 29, 31, 99, 101, -1, c_int::MAX, c_int::MIN] {
            assert!(cs_error_t(v).message().is_none(), "{v}");
        }
    }

    #[test]
    fn raw_enum_values_convert_only_when_defined() {
        for g in 0..4 {
            assert_eq!(EvsGuaranteeArg(g).get().unwrap() as c_int, g);
        }
        for g in [-1, 4, c_int::MAX, c_int::MIN] {
            assert!(EvsGuaranteeArg(g).get().is_none());
        }
        assert!((1..=4).all(|f| cs_dispatch_flags_t(f).is_known()));
        assert!(![0, 5, -1, c_int::MIN].iter().any(|&f| cs_dispatch_flags_t(f).is_known()));
    }
}
