//! Sends forged commit tokens at a processor: the fault injector of the LAN
//! scenario `stalecommit` (c-tests/lan/scenarios/stalecommit.sh).
//!
//! A commit token names the ring being formed and its members; a gatherer
//! must take it only if those members are exactly the processors it gathers
//! with (TOTEM95's proc_set - fail_set). One from an abandoned or foreign
//! formation that names us otherwise would pull us out of gathering into a
//! ring that can never complete. The LAN cannot produce such a token at a
//! chosen moment, so this tool writes one with the crate's own encoders
//! (`totem::wire`, `net::envelope`): byte for byte what a peer would send.
//!
//! ```text
//! evs_forge_commit --to ADDR:PORT --sender ID --members ID,ID,... --seq N
//!                  [--hops H] [--every MS --for MS] [--seq-step N]
//! ```
//!
//! - `--to`: where to send it: a processor's unicast address and port (where
//!   commit tokens travel), or the group's (the multicast fallback).
//! - `--sender`: the node id in the envelope. The receiver records which
//!   address each id sends from, so claiming a live processor's id would
//!   redirect the receiver's traffic for it to us; the scenario claims an id
//!   nobody runs.
//! - `--members`: the ring's members (sorted here); the lowest is its
//!   representative, as in a real formation.
//! - `--seq`: the ring seq of the first token. Each later one gets
//!   `--seq-step` (default 4, ring seqs are multiples of 4) more: a receiver
//!   remembers every formation it abandoned and ignores its tokens after, so
//!   only a new ring id can catch it again.
//! - `--hops`: forwards so far; member i expects the token first at hops i.
//! - `--every`/`--for`: repeat every MS milliseconds for MS milliseconds
//!   (default: one token).
//!
//! Prints how many tokens it sent. Exit status 2 on a usage error, 1 if a
//! send fails.

use std::net::{SocketAddr, UdpSocket};
use std::process::exit;
use std::time::{Duration, Instant};

use evs::net::envelope;
use evs::totem::packet::{CommitEntry, CommitToken, Packet};
use evs::totem::wire;
use evs::totem::RingId;

struct Args {
    to: SocketAddr,
    sender: u32,
    members: Vec<u32>,
    seq: u64,
    seq_step: u64,
    hops: u32,
    every: Duration,
    duration: Duration,
}

fn usage(why: &str) -> ! {
    eprintln!("evs_forge_commit: {why}");
    eprintln!("usage: evs_forge_commit --to ADDR:PORT --sender ID --members ID,ID,... --seq N [--hops H] [--every MS --for MS] [--seq-step N]");
    exit(2);
}

fn number<T: std::str::FromStr>(key: &str, v: &str) -> T {
    v.parse().unwrap_or_else(|_| usage(&format!("{key}: '{v}' is not a number")))
}

fn parse_args() -> Args {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if !argv.len().is_multiple_of(2) {
        usage("every option takes a value");
    }
    let (mut to, mut sender, mut members, mut seq) = (None, None, None, None);
    let (mut seq_step, mut hops, mut every, mut duration) = (4, 1, 0u64, 0u64);
    for pair in argv.chunks(2) {
        let (k, v) = (pair[0].as_str(), pair[1].as_str());
        match k {
            "--to" => to = Some(v.parse().unwrap_or_else(|_| usage(&format!("--to: '{v}' is not ADDR:PORT")))),
            "--sender" => sender = Some(number(k, v)),
            "--members" => members = Some(v.split(',').map(|m| number::<u32>(k, m)).collect::<Vec<_>>()),
            "--seq" => seq = Some(number(k, v)),
            "--seq-step" => seq_step = number(k, v),
            "--hops" => hops = number(k, v),
            "--every" => every = number(k, v),
            "--for" => duration = number(k, v),
            _ => usage(&format!("unknown option {k}")),
        }
    }
    let mut members = members.unwrap_or_else(|| usage("--members is required"));
    members.sort_unstable();
    members.dedup();
    if members.contains(&0) || members.len() < 2 {
        usage("--members needs two or more non-zero node ids");
    }
    let sender: u32 = sender.unwrap_or_else(|| usage("--sender is required"));
    if sender == 0 {
        usage("--sender 0 is never a node id (the receiver drops it)");
    }
    if every == 0 && duration > 0 {
        usage("--for needs --every");
    }
    Args {
        to: to.unwrap_or_else(|| usage("--to is required")),
        sender,
        members,
        seq: seq.unwrap_or_else(|| usage("--seq is required")),
        seq_step,
        hops,
        every: Duration::from_millis(every),
        duration: Duration::from_millis(duration),
    }
}

/// The token as it would be on its way to member `hops`: the members before
/// it have written their entries (a receiver at its first visit does not read
/// them, but a real token carries them).
fn token(a: &Args, seq: u64) -> CommitToken {
    let rep = a.members[0];
    let written = a.hops as usize % a.members.len();
    let members = a
        .members
        .iter()
        .enumerate()
        .map(|(i, &node)| CommitEntry {
            node,
            filled: i < written,
            old_ring_id: if i < written { RingId { rep, seq: seq.saturating_sub(4) } } else { RingId::default() },
            received_flg: i < written,
            ..CommitEntry::default()
        })
        .collect();
    CommitToken { ring_id: RingId { rep, seq }, hops: a.hops, members }
}

fn main() {
    let a = parse_args();
    let bind: SocketAddr = if a.to.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" }.parse().unwrap();
    let sock = UdpSocket::bind(bind).unwrap_or_else(|e| {
        eprintln!("evs_forge_commit: bind: {e}");
        exit(1)
    });
    // A group destination: one hop, as the library's own multicasts.
    let _ = sock.set_multicast_ttl_v4(1);
    let start = Instant::now();
    let (mut sent, mut seq, mut out) = (0u64, a.seq, Vec::new());
    loop {
        envelope::wrap(a.sender, &wire::encode(&Packet::Commit(token(&a, seq))), &mut out);
        if let Err(e) = sock.send_to(&out, a.to) {
            eprintln!("evs_forge_commit: send to {}: {e}", a.to);
            exit(1);
        }
        sent += 1;
        seq += a.seq_step;
        let next = a.every * sent as u32;
        if a.every.is_zero() || next >= a.duration {
            break;
        }
        std::thread::sleep(next.saturating_sub(start.elapsed()));
    }
    println!(
        "{sent} commit tokens to {} (ring seqs {}..{} step {}, members {:?}, hops {})",
        a.to,
        a.seq,
        seq - a.seq_step,
        a.seq_step,
        a.members,
        a.hops
    );
}
