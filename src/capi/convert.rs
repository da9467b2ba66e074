//! Reading C arguments into safe values, with every pointer checked.

use libc::{iovec, size_t};

use super::types::{evs_group, EvsGuaranteeArg, EVS_MAX_GROUPS_PER_CALL, EVS_MAX_MESSAGE_SIZE};
use crate::api::{Error, Group, Guarantee};

/// The groups of a `(groups, n)` pair: NULL or 0 is `InvalidParam`, over 50 `TooManyGroups`.
///
/// # Safety
/// `groups` must point to `n` readable `evs_group`s when non-NULL.
pub(crate) unsafe fn groups(groups: *const evs_group, n: size_t) -> Result<Vec<Group>, Error> {
    if groups.is_null() || n == 0 {
        return Err(Error::InvalidParam);
    }
    if n > EVS_MAX_GROUPS_PER_CALL {
        return Err(Error::TooManyGroups);
    }
    let slice = std::slice::from_raw_parts(groups, n);
    Ok(slice
        .iter()
        .map(|g| {
            let mut key = [0u8; 32];
            for (k, c) in key.iter_mut().zip(g.key.iter()) {
                *k = *c as u8;
            }
            Group(key)
        })
        .collect())
}

/// The guarantee, or `InvalidParam` for a value outside the four defined.
pub(crate) fn guarantee(g: EvsGuaranteeArg) -> Result<Guarantee, Error> {
    u8::try_from(g.0).ok().and_then(Guarantee::from_u8).ok_or(Error::InvalidParam)
}

/// The buffers of an iovec array, checked: NULL with a count is
/// `InvalidParam`, a NULL buffer with a length too, over 1 MiB `TooBig`.
///
/// # Safety
/// `iov` must point to `iovcnt` readable iovecs whose buffers are readable.
pub(crate) unsafe fn buffers<'a>(iov: *const iovec, iovcnt: u32) -> Result<Vec<&'a [u8]>, Error> {
    if iovcnt == 0 {
        return Ok(Vec::new());
    }
    if iov.is_null() {
        return Err(Error::InvalidParam);
    }
    let vecs = std::slice::from_raw_parts(iov, iovcnt as usize);
    let mut total: usize = 0;
    for v in vecs {
        if v.iov_base.is_null() && v.iov_len > 0 {
            return Err(Error::InvalidParam);
        }
        total = total.checked_add(v.iov_len).ok_or(Error::TooBig)?;
        if total > EVS_MAX_MESSAGE_SIZE {
            return Err(Error::TooBig);
        }
    }
    Ok(vecs
        .iter()
        .filter(|v| v.iov_len > 0)
        .map(|v| std::slice::from_raw_parts(v.iov_base as *const u8, v.iov_len))
        .collect())
}
