//! libevs extensions to corosync's API (`evs_stats_get`): functions a program
//! written for corosync does not know. They are exported under their own version node
//! (`LIBEVS_EXT_1.0` in `libevs.versions`), so the original functions keep
//! theirs (`COROSYNC_EVS_2.0`) and a program that uses none of these binds to
//! nothing new. Like the others, each checks its pointers and runs inside the
//! panic boundary.

#![allow(clippy::missing_safety_doc)]

use libc::size_t;

use super::guard::guard;
use super::types::{cs_error_t, evs_handle_t, evs_stats, EVS_STATS_SIZE};
use crate::api::{Error, Handle};

/// A libevs extension, not in corosync: copies the counts of this process's
/// processor (see struct evs_stats) into *stats. Pass
/// size = sizeof(struct evs_stats) as the program was compiled with it: the
/// library fills min(size, its own sizeof) bytes, sets stats->size to that
/// number, and zeroes the bytes beyond its own structure up to size (a
/// program built against a newer header reads 0 for counts this library does
/// not have, and stats->size tells it which those are). The counts are per
/// process, monotonic since the processor started; every handle of the
/// process reads the same ones. stats NULL, or size smaller than 8 (the size
/// field): CS_ERR_INVALID_PARAM. An unknown or finalized handle:
/// CS_ERR_BAD_HANDLE. A failed processor: CS_ERR_LIBRARY; an overrun handle:
/// CS_ERR_QUEUE_FULL (see evs_dispatch()). Nothing is written on an error.
#[no_mangle]
pub unsafe extern "C" fn evs_stats_get(handle: evs_handle_t, stats: *mut evs_stats, size: size_t) -> cs_error_t {
    guard(|| {
        if stats.is_null() || size < std::mem::size_of::<u64>() {
            return Err(Error::InvalidParam);
        }
        let counts = Handle::from_raw(handle).stats()?;
        let filled = size.min(EVS_STATS_SIZE);
        let ours = evs_stats { size: filled as u64, ..evs_stats::from_stats(&counts) };
        // Byte copies: the caller's structure may be shorter than ours, and
        // nothing is assumed of its alignment.
        let out = stats as *mut u8;
        std::ptr::copy_nonoverlapping(&ours as *const evs_stats as *const u8, out, filled);
        if size > EVS_STATS_SIZE {
            std::ptr::write_bytes(out.add(EVS_STATS_SIZE), 0, size - EVS_STATS_SIZE);
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_null_and_short_sizes_before_the_handle() {
        let mut s = evs_stats::default();
        unsafe {
            assert_eq!(evs_stats_get(0, std::ptr::null_mut(), EVS_STATS_SIZE), cs_error_t::CS_ERR_INVALID_PARAM);
            assert_eq!(evs_stats_get(0, &mut s, 7), cs_error_t::CS_ERR_INVALID_PARAM);
            assert_eq!(evs_stats_get(0, &mut s, 0), cs_error_t::CS_ERR_INVALID_PARAM);
            assert_eq!(evs_stats_get(u64::MAX, &mut s, EVS_STATS_SIZE), cs_error_t::CS_ERR_BAD_HANDLE);
        }
        assert_eq!(s, evs_stats::default(), "nothing written on an error");
    }
}
