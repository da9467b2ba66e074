//! Refusing a node id that a running processor holds, before joining.
//!
//! Two processors with one node id cannot share a ring: the others would take
//! them for one processor. A running processor notices datagrams with its own
//! id from another address, but an idle one sends little (its ring holds the
//! token, and only a representative multicasts merge detects now and then), so
//! a starting processor could form its own ring before it heard anything from
//! the holder, and start (issue 10: three late starters all got `CS_OK`).
//!
//! So a starting processor first asks, before its core sends anything: it
//! multicasts a *probe* (an envelope with our id and an empty payload) a few
//! times over a join interval, and listens. A running processor that receives
//! a probe carrying its own id from another address answers it at once with
//! [`TAKEN`] by unicast; the starter then refuses (`CS_ERR_EXIST`). Any other
//! datagram with our id from another address counts too. Probes and answers
//! are control datagrams: never given to the protocol core, never learnt by the
//! peer table (a probe must not redirect the holder's traffic to the starter),
//! and an answer is never answered (two running processors that share an id,
//! after a partition heals, must not bounce answers for ever).
//!
//! No false positive after a crash: a processor killed with `kill -9` and
//! started again at once with the same id finds its old ring still listing the
//! id (until token loss), but the members answer only for their *own* id, and
//! the dead process answers nothing, so the new incarnation starts and joins.

use std::net::SocketAddr;
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

use crate::net::{Codec, Transport};
use crate::totem::NodeId;

/// The payload of an answer: "this id is taken". Not a protocol packet (the
/// core's packets start with their own magic), and not empty (a probe).
pub(crate) const TAKEN: &[u8] = b"\0evs-nodeid-taken";

/// Probes sent over the window, evenly spaced: one lost datagram must not let
/// a collision through.
const PROBES: u32 = 3;

/// What a received payload is to the node layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Control {
    /// "Does anyone run with this id?"
    Probe,
    /// "I do."
    Taken,
}

/// A probe or an answer, or None for a protocol packet.
pub(crate) fn control(payload: &[u8]) -> Option<Control> {
    match payload {
        [] => Some(Control::Probe),
        p if p == TAKEN => Some(Control::Taken),
        _ => None,
    }
}

/// Answer a probe for our id (the codec's) that came from `from`.
pub(crate) fn answer(transport: &mut Transport, codec: &mut Codec, from: SocketAddr) {
    let mut out = Vec::new();
    codec.wrap(TAKEN, &mut out);
    if let Err(e) = transport.send_to(from, &out) {
        crate::evs_log!(Debug, "answering a probe from {from}: {e}");
    }
}

/// Ask for `me` during `window`: Ok if nobody else answered for it, or the
/// address of a processor that uses it. Everything else received meanwhile
/// is dropped: the core has not started, and will hear the others' joins.
pub(crate) fn claim(
    transport: &mut Transport,
    codec: &mut Codec,
    me: NodeId,
    window: Duration,
) -> Result<(), SocketAddr> {
    let local = transport.local_addr();
    let mut probe = Vec::new();
    let mut buf = vec![0u8; 65_536];
    let start = Instant::now();
    let step = window / PROBES;
    for i in 0..PROBES {
        // Sealed anew each time: a second copy of one datagram is a replay.
        codec.wrap(&[], &mut probe);
        if let Err(e) = transport.send_all(&probe) {
            crate::evs_log!(Debug, "sending a node id probe: {e}");
        }
        let until = start + step * (i + 1);
        loop {
            while let Ok(Some((n, from))) = transport.recv(&mut buf) {
                if let Some(o) = codec.open(&mut buf[..n]) {
                    let elsewhere = o.sender == me && (from != local || o.other_run.is_some());
                    // With a key, an earlier run's datagram may be a replay
                    // of a run before ours: only its answer to a probe counts.
                    let replayable = o.other_run == Some(std::cmp::Ordering::Less);
                    if elsewhere && (!replayable || control(o.payload) == Some(Control::Taken)) {
                        return Err(from);
                    }
                }
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            wait_readable(&transport.fds(), left);
        }
    }
    Ok(())
}

fn wait_readable(fds: &[RawFd], timeout: Duration) {
    let mut polled: Vec<libc::pollfd> =
        fds.iter().map(|&fd| libc::pollfd { fd, events: libc::POLLIN, revents: 0 }).collect();
    let ms = timeout.as_millis().clamp(1, i32::MAX as u128) as i32;
    // SAFETY: `polled` is a valid array of pollfd of the given length.
    unsafe { libc::poll(polled.as_mut_ptr(), polled.len() as libc::nfds_t, ms) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_payloads_are_not_protocol_packets() {
        assert_eq!(control(&[]), Some(Control::Probe));
        assert_eq!(control(TAKEN), Some(Control::Taken));
        assert_eq!(control(b"\0evs-nodeid-take"), None);
        assert!(crate::totem::wire::decode(TAKEN).is_err(), "the core would never take an answer for a packet");
    }
}
