//! Small messages sharing one frame.
//!
//! Each frame costs a datagram, a place in the flow-control window and a slot
//! in every member's buffers whatever its size: a 100-byte message alone in a
//! frame wastes most of all three. So consecutive whole messages of the same
//! guarantee from one sender travel together in a frame marked
//! [`Frag::Packed`](super::packet::Frag::Packed). Ordering, retransmission and
//! recovery stay per frame; delivery unpacks the frame and hands each message
//! to the application in order, with the frame's place in the total order.
//!
//! Layout of a packed payload: per message, its length (u32, big-endian) then
//! its bytes; at least two messages (a single one goes as a whole frame).

/// Bytes packing adds per message.
pub(crate) const ENTRY_OVERHEAD: usize = 4;

/// Append one message to a packed payload.
pub(crate) fn push(out: &mut Vec<u8>, message: &[u8]) {
    out.extend_from_slice(&(message.len() as u32).to_be_bytes());
    out.extend_from_slice(message);
}

/// The messages of a packed payload, or None if it is malformed (a length
/// that runs past the end, fewer than two messages): nothing of such a frame
/// is delivered, by any member alike.
pub(crate) fn unpack(payload: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    let mut rest = payload;
    while !rest.is_empty() {
        let (len, tail) = rest.split_first_chunk::<ENTRY_OVERHEAD>()?;
        let len = usize::try_from(u32::from_be_bytes(*len)).ok()?;
        if len > tail.len() {
            return None;
        }
        let (message, tail) = tail.split_at(len);
        out.push(message);
        rest = tail;
    }
    (out.len() >= 2).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejection() {
        let mut p = Vec::new();
        for m in [&b"one"[..], b"", b"three"] {
            push(&mut p, m);
        }
        assert_eq!(unpack(&p), Some(vec![&b"one"[..], b"", b"three"]));
        for cut in 1..p.len() {
            let got = unpack(&p[..cut]);
            assert!(got.is_none() || got.as_ref().is_some_and(|v| v.len() >= 2), "prefix {cut}");
        }
        let mut single = Vec::new();
        push(&mut single, b"alone");
        assert_eq!(unpack(&single), None, "one message is not a packed frame");
        assert_eq!(unpack(&[0, 0, 0, 9, 1]), None, "length past the end");
        assert_eq!(unpack(&[0xff, 0xff, 0xff, 0xff]), None);
    }
}
