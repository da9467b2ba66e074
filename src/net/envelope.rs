//! The envelope in front of every datagram: who sent it.
//!
//! The protocol bytes alone do not always name their sender (the token, for one, is
//! addressed to the next processor, not signed by the previous one), and a source
//! address is not an identity: processes restart on new ports, NAT-free loopback tests
//! run many processors on one IP. So the node layer prefixes each datagram with the
//! sender's node id, and the receiver learns node id -> address from it (see `peers`).
//!
//! Layout (9 bytes, then the payload):
//!
//! | bytes | field                         |
//! |-------|-------------------------------|
//! | 0..4  | magic `b"EVSn"`               |
//! | 4     | version (`VERSION`)           |
//! | 5..9  | sender node id, u32 big-endian|
//!
//! The magic lets a receiver drop stray traffic on a shared port (another program,
//! a corosync on the same group) cheaply, before any protocol parsing.

/// First four bytes of every datagram.
pub const MAGIC: [u8; 4] = *b"EVSn";
/// Envelope format version; a receiver drops any other.
pub const VERSION: u8 = 1;
/// Bytes of envelope before the payload.
pub const HEADER_LEN: usize = 9;

/// The envelope of every datagram `node` sends: sent as its own piece in
/// front of the payload (`Transport::send_batch`), so no datagram is copied
/// only to be prefixed.
pub fn header(node: u32) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..4].copy_from_slice(&MAGIC);
    h[4] = VERSION;
    h[5..].copy_from_slice(&node.to_be_bytes());
    h
}

/// Writes the envelope and `payload` into `out`, replacing what it held: the caller
/// keeps one buffer for all sends, so steady state allocates nothing.
pub fn wrap(node: u32, payload: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.reserve(HEADER_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    out.push(VERSION);
    out.extend_from_slice(&node.to_be_bytes());
    out.extend_from_slice(payload);
}

/// Splits a received datagram into (sender node id, payload).
///
/// `None` for anything that is not ours: too short, wrong magic, unknown version, or
/// node id 0 (never a valid node id, so it can only be garbage). Never panics.
pub fn unwrap(datagram: &[u8]) -> Option<(u32, &[u8])> {
    let header = datagram.get(..HEADER_LEN)?;
    if header[..4] != MAGIC || header[4] != VERSION {
        return None;
    }
    let node = u32::from_be_bytes([header[5], header[6], header[7], header[8]]);
    if node == 0 {
        return None;
    }
    Some((node, &datagram[HEADER_LEN..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut out = vec![0xAA; 3]; // stale contents must be replaced, not appended to
        for payload in [&b""[..], b"x", b"hello totem"] {
            wrap(0x0102_0304, payload, &mut out);
            assert_eq!(out.len(), HEADER_LEN + payload.len());
            assert_eq!(&out[..4], b"EVSn");
            assert_eq!(&out[5..9], &[1, 2, 3, 4]);
            assert_eq!(unwrap(&out), Some((0x0102_0304, payload)));
        }
        wrap(u32::MAX, b"z", &mut out);
        assert_eq!(unwrap(&out), Some((u32::MAX, &b"z"[..])));
        // The header alone is the same envelope.
        let mut joined = header(0x0102_0304).to_vec();
        joined.extend_from_slice(b"hello");
        wrap(0x0102_0304, b"hello", &mut out);
        assert_eq!(joined, out);
    }

    #[test]
    fn every_truncated_header_is_rejected() {
        let mut out = Vec::new();
        wrap(7, b"payload", &mut out);
        for len in 0..HEADER_LEN {
            assert_eq!(unwrap(&out[..len]), None, "prefix of {len} bytes");
        }
        // Every prefix that keeps the header is a valid envelope with a shorter payload.
        for len in HEADER_LEN..=out.len() {
            assert_eq!(unwrap(&out[..len]), Some((7, &b"payload"[..len - HEADER_LEN])));
        }
    }

    #[test]
    fn garbled_headers_are_rejected() {
        let mut good = Vec::new();
        wrap(7, b"p", &mut good);
        // Any change to the magic or version byte makes it someone else's datagram.
        for i in 0..5 {
            for flip in [0x01u8, 0x20, 0x80, 0xFF] {
                let mut bad = good.clone();
                bad[i] ^= flip;
                assert_eq!(unwrap(&bad), None, "byte {i} ^ {flip:#x}");
            }
        }
        let mut zero = Vec::new();
        wrap(0, b"p", &mut zero);
        assert_eq!(unwrap(&zero), None, "node id 0 is never valid");
        assert_eq!(unwrap(b"corosync totem packet"), None);
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A cheap deterministic byte soup: all we ask is no panic and a sane answer.
        let mut x: u32 = 0x1234_5678;
        for len in 0..64 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as u8
                })
                .collect();
            if let Some((node, payload)) = unwrap(&bytes) {
                assert_ne!(node, 0);
                assert_eq!(payload.len(), len - HEADER_LEN);
            }
        }
    }
}
