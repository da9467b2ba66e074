//! A handle that stops dispatching is overrun instead of growing the
//! process: once its pending callbacks exceed `EVS_HANDLE_QUEUE_BYTES` they
//! are dropped, it receives nothing more, its fd polls readable and its calls
//! report `Error::Overrun` (`CS_ERR_QUEUE_FULL`). A handle of the same
//! process that keeps dispatching loses nothing.

mod common;

use std::time::{Duration, Instant};

use evs::api::{Callback, DispatchMode, Error, Group, Guarantee, Handle};

/// The test's queue limit: small, so that the flood below is many times it.
const LIMIT: usize = 2 << 20;
const MESSAGE: usize = 64 << 10;
/// 96 MiB in all: without a bound the silent handle would hold all of it.
const COUNT: u32 = 1536;

/// Resident set size of this process, in bytes.
fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

fn readable(fd: std::os::fd::RawFd) -> bool {
    let mut p = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd.
    let n = unsafe { libc::poll(&mut p, 1, 0) };
    n == 1 && p.revents & libc::POLLIN != 0
}

#[test]
fn a_silent_handle_is_overrun_and_the_others_lose_nothing() {
    std::env::set_var("EVS_MCASTPORT", common::free_port().to_string());
    std::env::set_var("EVS_HANDLE_QUEUE_BYTES", LIMIT.to_string());
    let g = Group::named(b"flood");
    let silent = Handle::initialize().expect("initialize");
    let reader = Handle::initialize().expect("initialize");
    silent.join(&[g]).unwrap();
    reader.join(&[g]).unwrap();
    silent.set_context(7).unwrap();

    let base = rss();
    let mut peak = base;
    let mut next_sent = 0u32;
    let mut next_seen = 0u32;
    let mut message = vec![0u8; MESSAGE];
    let end = Instant::now() + Duration::from_secs(8);
    while next_seen < COUNT && Instant::now() < end {
        // The reader keeps its own backlog well under the bound (its own
        // messages count against it too): it is the one that dispatches.
        while next_sent < COUNT && ((next_sent - next_seen) as usize) < LIMIT / MESSAGE / 2 {
            message[..4].copy_from_slice(&next_sent.to_be_bytes());
            match reader.mcast_joined(Guarantee::Agreed, &[&message]) {
                Ok(()) => next_sent += 1,
                Err(Error::TryAgain) => break,
                Err(e) => panic!("mcast: {e}"),
            }
        }
        reader
            .dispatch(DispatchMode::All, &mut |_, cb| {
                if let Callback::Deliver { payload, .. } = cb {
                    let n = u32::from_be_bytes(payload[..4].try_into().unwrap());
                    assert_eq!(n, next_seen, "the reader saw a gap or a reordering");
                    assert_eq!(payload.len(), MESSAGE);
                    next_seen += 1;
                }
            })
            .unwrap();
        peak = peak.max(rss());
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(next_seen, COUNT, "the dispatching handle got every message");
    // Bounded: the limit per handle, the reader's backlog, buffers; not 96 MiB.
    let grown = peak.saturating_sub(base);
    assert!(grown < 40 << 20, "the process grew by {} MiB under the flood", grown >> 20);

    // The silent handle learns that it missed messages, on every call.
    let overrun = Err(Error::Overrun);
    assert_eq!(silent.dispatch(DispatchMode::All, &mut |_, _| panic!("nothing is delivered")), overrun);
    assert_eq!(silent.dispatch(DispatchMode::One, &mut |_, _| {}), overrun);
    assert_eq!(silent.mcast_joined(Guarantee::Agreed, &[b"x"]), overrun);
    assert_eq!(silent.join(&[Group::named(b"other")]), overrun);
    assert_eq!(silent.membership().map(|_| ()), overrun);
    assert_eq!(silent.stats().map(|_| ()), overrun);
    assert!(readable(silent.fd().unwrap()), "an overrun handle's fd polls readable");
    assert_eq!(silent.context(), Ok(7));

    // The ring and the other handle go on; finalize frees the overrun one.
    reader.mcast_joined(Guarantee::Agreed, &[b"after"]).unwrap();
    let after = common::collect(reader, 1, Duration::from_secs(2));
    assert!(matches!(&after[..], [Callback::Deliver { payload, .. }] if payload == b"after"), "{after:?}");
    silent.finalize().unwrap();
    let fresh = Handle::initialize().expect("a fresh handle");
    assert!(matches!(common::collect(fresh, 1, Duration::from_secs(1)).first(), Some(Callback::ConfigChange(_))));
    fresh.finalize().unwrap();
    reader.finalize().unwrap();
}
