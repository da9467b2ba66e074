//! What an application message carries through the ring: the groups it is
//! addressed to, then the application's bytes.
//!
//! Layout: version u8 (1), group count u16 (big-endian), 32 bytes per group, data.

use crate::api::Group;
use crate::totem::SharedBytes;

const VERSION: u8 = 1;
const HEADER: usize = 3;

/// The message, written once into the buffer the ring will share (the
/// application's bytes are copied once, from its iovec, and never again).
/// At most `u16::MAX` groups (the callers allow `MAX_JOINED_GROUPS`).
pub(crate) fn encode<'g>(groups: impl ExactSizeIterator<Item = &'g Group>, parts: &[&[u8]]) -> SharedBytes {
    let data_len: usize = parts.iter().map(|p| p.len()).sum();
    let count = groups.len();
    SharedBytes::build(HEADER + count * 32 + data_len, |out| {
        out[0] = VERSION;
        out[1..HEADER].copy_from_slice(&(count as u16).to_be_bytes());
        let mut at = HEADER;
        for g in groups {
            out[at..at + 32].copy_from_slice(&g.0);
            at += 32;
        }
        for p in parts {
            out[at..at + p.len()].copy_from_slice(p);
            at += p.len();
        }
    })
}

/// The groups and the data, or None for a payload that is not ours.
#[cfg(test)]
pub(crate) fn decode(payload: &[u8]) -> Option<(Vec<Group>, &[u8])> {
    let (groups, data) = split(payload)?;
    Some((groups.collect(), data))
}

/// The groups (read as they are iterated: routing a delivery allocates
/// nothing for them) and the data, or None for a payload that is not ours.
pub(crate) fn split(payload: &[u8]) -> Option<(impl Iterator<Item = Group> + '_, &[u8])> {
    if payload.len() < HEADER || payload[0] != VERSION {
        return None;
    }
    let n = u16::from_be_bytes([payload[1], payload[2]]) as usize;
    let groups_end = HEADER.checked_add(n.checked_mul(32)?)?;
    if payload.len() < groups_end {
        return None;
    }
    let groups = payload[HEADER..groups_end].chunks_exact(32).map(|c| {
        let mut key = [0u8; 32];
        key.copy_from_slice(c);
        Group(key)
    });
    Some((groups, &payload[groups_end..]))
}

/// Bytes the header takes for `groups` groups.
pub(crate) fn overhead(groups: usize) -> usize {
    HEADER + 32 * groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejection() {
        let g = [Group([1; 32]), Group([2; 32])];
        let bytes = encode(g.iter(), &[b"ab", b"", b"c"]);
        assert_eq!(bytes.len(), overhead(2) + 3);
        let (groups, data) = decode(&bytes).unwrap();
        assert_eq!(groups, g.to_vec());
        assert_eq!(data, b"abc");
        for cut in 0..overhead(2) {
            assert!(decode(&bytes[..cut]).is_none(), "prefix {cut}");
        }
        assert!(decode(&[2, 0, 0]).is_none());
        assert_eq!(decode(&[1, 0, 0]).unwrap().1, b"");
    }
}
