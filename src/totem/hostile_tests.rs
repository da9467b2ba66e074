//! Forged packets with extreme fields (issue 8: nothing from the network is
//! trusted for size or arithmetic). Each test pins one bound: without it the
//! test fails (in release builds by a wrong outcome, in debug builds often
//! first by an overflow panic).

use super::packet::{DataFrame, Frag, FrameBody, Join, Packet, Token};
use super::testnet::TestNet;
use super::{wire, ConfigKind, Event, Guarantee, NodeId, RingId, State, MS};

fn formed(n: u32) -> TestNet {
    let mut net = TestNet::new(n);
    net.run_for(1000 * MS);
    let all: Vec<NodeId> = (1..=n).collect();
    for id in 1..=n {
        assert_eq!(net.regular_configs(id).last(), Some(&all), "node {id} before the forgery");
    }
    net
}

fn join(sender: NodeId, ring_seq: u64, proc_set: Vec<NodeId>) -> Vec<u8> {
    wire::encode(&Packet::Join(Join { sender, ring_seq, proc_set, fail_set: vec![], ..Join::default() }))
}

fn gathers(net: &TestNet) -> Vec<u64> {
    net.procs.values().map(|p| p.counters().gathers).collect()
}

/// The stranger's join sends everyone gathering; it never answers, so it
/// fails at the consensus timeout and the others must form their ring again,
/// on ring ids above every earlier one (a wrapped seq would start again at 0).
fn assert_reforms(net: &mut TestNet, members: &[NodeId]) {
    net.run_for(6000 * MS);
    for &id in members {
        assert_eq!(net.procs[&id].state(), State::Operational, "node {id}");
        assert_eq!(net.regular_configs(id).last().map(Vec::as_slice), Some(members), "node {id}");
        let seqs: Vec<u64> = net.events[&id]
            .iter()
            .filter_map(|e| match e {
                Event::ConfigChange(c) if c.kind == ConfigKind::Regular => Some(c.ring_id.seq),
                _ => None,
            })
            .collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "node {id}: ring seqs {seqs:?}");
        assert!(net.procs[&id].highest_ring_seq < wire::MAX_RING_SEQ / 2, "node {id}");
    }
}

/// The attack: one forged join at `u64::MAX - 3` made the next ring
/// seq wrap, every member took every new ring for stale, and no ring of two
/// formed again, not even with a restarted processor. `wire::MAX_RING_SEQ`
/// keeps it from decoding.
#[test]
fn forged_join_near_u64_max_does_not_stop_rings_forming() {
    let mut net = formed(3);
    net.inject(&join(99, u64::MAX - 3, vec![99]));
    assert_reforms(&mut net, &[1, 2, 3]);
    // And a restarted processor joins them as before.
    net.crash(3);
    net.run_for(4000 * MS);
    let now = net.now;
    net.add(3, super::Config::new(3));
    assert!(now > 0);
    assert_reforms(&mut net, &[1, 2, 3]);
}

/// A forged join at exactly `MAX_RING_SEQ` decodes; adopted, it would put
/// the next ring's seq above what decode accepts. `MAX_RING_SEQ_LEAP` keeps
/// it from being adopted.
#[test]
fn forged_join_at_max_ring_seq_is_not_adopted() {
    let mut net = formed(3);
    net.inject(&join(99, wire::MAX_RING_SEQ, vec![99]));
    net.run_for(10 * MS);
    for p in net.procs.values() {
        assert!(p.highest_ring_seq < wire::MAX_RING_SEQ / 2, "node {}: {}", p.node_id(), p.highest_ring_seq);
    }
    assert_reforms(&mut net, &[1, 2, 3]);
}

/// A stranger's joins, each naming 1024 new processors, would grow every
/// gatherer's proc_set (and the joins it multicasts) without bound;
/// `wire::MAX_MEMBERS` caps what a gathering takes in.
#[test]
fn stranger_joins_cannot_grow_the_gathering_beyond_max_members() {
    let mut net = formed(2);
    for k in 0..3u32 {
        let ids: Vec<NodeId> = (0..wire::MAX_MEMBERS as u32).map(|i| 10_000 * (k + 1) + i).collect();
        net.inject(&join(5_000 + k, 0, ids));
    }
    for p in net.procs.values() {
        assert!(p.gather.proc_set.len() <= wire::MAX_MEMBERS, "node {}: {}", p.node_id(), p.gather.proc_set.len());
    }
}

/// The token the ring's member `to` expects next, with `edit` applied.
fn forged_token(net: &TestNet, to: NodeId, edit: impl FnOnce(&mut Token)) -> Vec<u8> {
    let p = &net.procs[&to];
    let mut t = Token {
        ring_id: p.ring.id,
        token_seq: p.visits.last_token_seq() + 1,
        seq: p.ring.high_seq,
        aru: p.ring.high_seq,
        rotation_min: p.ring.high_seq,
        stable: p.ring.high_seq,
        to,
        ..Token::default()
    };
    edit(&mut t);
    wire::encode(&Packet::Token(t))
}

/// The ring still orders: a message goes to every member, and nobody went
/// back to gathering.
fn assert_ring_unharmed(net: &mut TestNet, gathers_before: &[u64]) {
    net.submit(1, Guarantee::Agreed, b"after".to_vec());
    net.run_for(3000 * MS);
    for id in 1..=3 {
        assert_eq!(net.delivered(id).last().map(Vec::as_slice), Some(&b"after"[..]), "node {id}");
    }
    assert_eq!(gathers(net), gathers_before, "the ring reconfigured");
}

/// A token_seq of `u64::MAX`: taken, every real token after it looks old
/// (and passing it on overflows). `MAX_TOKEN_SEQ_LEAP` drops it.
#[test]
fn forged_token_seq_far_ahead_is_dropped() {
    let mut net = formed(3);
    let before = gathers(&net);
    let bytes = forged_token(&net, 2, |t| t.token_seq = u64::MAX);
    net.deliver_now(2, &bytes);
    let bytes = forged_token(&net, 3, |t| t.token_seq += 2 * wire::MAX_MEMBERS as u64 + 1);
    net.deliver_now(3, &bytes);
    assert_ring_unharmed(&mut net, &before);
}

/// A token whose seq lies beyond what the buffer can hold: taken, nobody can
/// originate under it and every visit asks for frames that never come,
/// until the ring gives up on itself. The buffer's span drops it.
#[test]
fn forged_token_seq_beyond_the_buffer_is_dropped() {
    let mut net = formed(3);
    let before = gathers(&net);
    let span = super::processor::span_limit(&net.procs[&2].config);
    let bytes = forged_token(&net, 2, |t| t.seq += span + 1);
    net.deliver_now(2, &bytes);
    let bytes = forged_token(&net, 3, |t| t.seq = u64::MAX);
    net.deliver_now(3, &bytes);
    assert_ring_unharmed(&mut net, &before);
}

/// A forged fcc of `u32::MAX` plus what the visit sends overflowed.
#[test]
fn forged_fcc_saturates() {
    let mut net = formed(3);
    let now = net.now;
    let bytes = forged_token(&net, 2, |t| t.fcc = u32::MAX);
    let p = net.procs.get_mut(&2).unwrap();
    while p.poll_transmit().is_some() {}
    p.submit(now, Guarantee::Agreed, b"m".to_vec()).unwrap();
    p.handle_packet(now, &bytes);
    let mut fcc = None;
    while let Some(t) = p.poll_transmit() {
        if let Ok(Packet::Token(t)) = wire::decode(&t.bytes) {
            fcc = Some(t.fcc);
        }
    }
    assert_eq!(fcc, Some(u32::MAX), "the visit sent one frame on a saturated fcc");
}

fn frame(ring_id: RingId, seq: u64, sender: NodeId, len: usize) -> Vec<u8> {
    wire::encode(&Packet::Data(DataFrame {
        ring_id,
        seq,
        sender,
        guarantee: Guarantee::Agreed,
        frag: Frag::First,
        body: FrameBody::App(vec![7u8; len].into()),
    }))
}

/// A frame longer than `max_frame` is forged (no member makes one): held, it
/// would cost up to `MAX_PACKET` bytes per buffer slot. For an application
/// frame the limit is lower, by the recovery wrapping: the processor fuzz
/// target found one between the two limits held, then carried to a new ring
/// over `max_frame`, where every receiver dropped it.
#[test]
fn data_frame_over_max_frame_is_dropped() {
    let mut net = formed(2);
    let p = &net.procs[&2];
    let (ring, seq) = (p.ring.id, p.ring.high_seq + 1);
    let fits = p.frame_payload();
    assert_eq!(fits, p.config.max_frame - wire::DATA_HEADER_LEN - wire::RECOVERED_OVERHEAD);
    net.deliver_now(2, &frame(ring, seq, 1, p.config.max_frame - wire::DATA_HEADER_LEN));
    assert!(!net.procs[&2].ring.frames.contains(seq), "a frame of max_frame, too long to recover, was held");
    net.deliver_now(2, &frame(ring, seq, 1, fits + 1));
    assert!(!net.procs[&2].ring.frames.contains(seq), "an oversized frame was held");
    net.deliver_now(2, &frame(ring, seq, 1, fits));
    assert!(net.procs[&2].ring.frames.contains(seq), "a frame of exactly max_frame was refused");
}

/// Only members originate on a ring: a frame naming anyone else is forged
/// (and each sender it names would open a reassembly of its own).
#[test]
fn data_frame_from_a_non_member_is_dropped() {
    let mut net = formed(2);
    let p = &net.procs[&2];
    let (ring, seq) = (p.ring.id, p.ring.high_seq + 1);
    net.deliver_now(2, &frame(ring, seq, 77, 10));
    assert!(!net.procs[&2].ring.frames.contains(seq), "a non-member's frame was held");
    net.deliver_now(2, &frame(ring, seq, 1, 10));
    assert!(net.procs[&2].ring.frames.contains(seq));
}

/// A ring of two whose frames can carry more than a message may hold
/// (`max_frame` 9000, `max_message` 4096).
fn formed_big_frames() -> TestNet {
    let mut net = TestNet::new(0);
    for id in 1..=2 {
        let mut c = super::Config::new(id);
        c.max_frame = 9000;
        c.max_message = 4096;
        net.add(id, c);
    }
    net.run_for(1000 * MS);
    assert_eq!(net.regular_configs(2).last(), Some(&vec![1, 2]));
    net
}

/// Found by the processor fuzz target: a forged whole frame (or packed
/// message) longer than `max_message` went to the application, which
/// `submit` promises never happens. Such frames are held (they fit
/// `max_frame`) but deliver nothing.
#[test]
fn message_over_max_message_is_not_delivered() {
    let mut net = formed_big_frames();
    let (ring, high) = (net.procs[&2].ring.id, net.procs[&2].ring.high_seq);
    let mut packed = Vec::new();
    super::packing::push(&mut packed, &[1u8; 4097]);
    super::packing::push(&mut packed, b"fits");
    let bodies = [
        (Guarantee::Agreed, Frag::Whole, vec![2u8; 4097]),
        (Guarantee::Unordered, Frag::Whole, vec![3u8; 4097]),
        (Guarantee::Agreed, Frag::Packed, packed),
        (Guarantee::Agreed, Frag::Whole, vec![4u8; 4096]),
    ];
    for (i, (guarantee, frag, payload)) in bodies.into_iter().enumerate() {
        let f = DataFrame {
            ring_id: ring,
            seq: high + 1 + i as u64,
            sender: 1,
            guarantee,
            frag,
            body: FrameBody::App(payload.into()),
        };
        net.deliver_now(2, &wire::encode(&Packet::Data(f)));
    }
    let lens: Vec<usize> = net.delivered(2).iter().map(Vec::len).collect();
    assert_eq!(lens, vec![4, 4096], "only the packed message that fits and the whole one at max_message");
}

/// A token whose seq is below what the ring has numbered: taken, the holder
/// would number new frames with used seqs, every member would drop them as
/// held, and the token would circulate for ever with nothing delivered and
/// no configuration change (found by mutating captured datagrams on an
/// unkeyed ring, `c-tests/robust/t-hostile.sh`).
#[test]
fn forged_token_with_a_seq_below_the_rings_is_dropped() {
    let mut net = formed(3);
    for i in 0..20u8 {
        net.submit(1, Guarantee::Agreed, vec![i; 30]);
        net.run_for(MS);
    }
    net.run_for(100 * MS);
    let before = gathers(&net);
    // Node 2 has a message to send when the forged token reaches it.
    net.submit(2, Guarantee::Agreed, b"queued".to_vec());
    let bytes = forged_token(&net, 2, |t| t.seq -= 10);
    net.deliver_now(2, &bytes);
    net.run_for(100 * MS);
    for id in 1..=3 {
        assert!(net.delivered(id).iter().any(|m| m == b"queued"), "node {id}: node 2's message was lost");
    }
    assert_ring_unharmed(&mut net, &before);
    net.submit(3, Guarantee::Agreed, b"queued".to_vec());
    let bytes = forged_token(&net, 3, |t| t.aru = t.seq + 1);
    net.deliver_now(3, &bytes);
    net.run_for(100 * MS);
    assert_ring_unharmed(&mut net, &before);
}

/// Copies of the ring's own packets with a few bits flipped, delivered to
/// random members (what `evs_hostile --mutate` does on a real ring without a
/// key): whatever they do to the ring, it must go on delivering.
#[test]
fn mutated_copies_of_real_packets_never_stall_the_ring() {
    for seed in 0..100u64 {
        let mut net = formed(3);
        net.sent_log = Some(Vec::new());
        for i in 0..100u32 {
            net.submit(1 + i % 3, Guarantee::Agreed, vec![i as u8; 50]);
            net.run_for(MS);
        }
        let log = net.sent_log.take().expect("logging");
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut draw = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..300 {
            let mut bytes = log[draw() as usize % log.len()].2.clone();
            for _ in 0..1 + draw() % 3 {
                let at = draw() as usize % bytes.len();
                bytes[at] ^= 1 << (draw() % 8);
            }
            net.deliver_now(1 + (draw() % 3) as NodeId, &bytes);
            net.run_for(MS / 10);
        }
        net.run_for(3000 * MS);
        net.submit(2, Guarantee::Agreed, b"after".to_vec());
        net.run_for(5000 * MS);
        for id in 1..=3 {
            let last = net.delivered(id).last().cloned();
            assert_eq!(last.as_deref(), Some(&b"after"[..]), "seed {seed}: node {id} stalled");
        }
    }
}
