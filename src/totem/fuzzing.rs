//! The fuzz targets' logic (`fuzz/fuzz_targets/`), here so that the stable
//! test `tests/fuzz_corpus.rs` replays the committed corpora through exactly
//! the same code, and so that the checks can read the core's private state.
//! Not an API: hidden from the docs.
//!
//! [`decode`]: arbitrary bytes into the wire decoder (and the datagram
//! envelope); whatever decodes must re-encode to the same bytes.
//!
//! [`processor`]: structure-aware. The input is read as a script for a few
//! processors on a small in-memory network: deliver, drop, let time pass,
//! submit, and above all forge packets with the crate's own types, their
//! fields mixing extreme values with plausible ones near the target's state
//! (its ring id, its highest seq, its last token). After every step it checks
//! that memory stays bounded by the configuration and that everything a
//! processor sends is a packet the others decode. A panic anywhere is a find.

use std::collections::VecDeque;

use super::packet::{
    CommitEntry, CommitToken, DataFrame, Frag, FrameBody, Join, MergeDetect, Packet, RingNotice, Token,
};
use super::processor::span_limit;
use super::{packing, wire};
use super::{Config, Destination, Event, Guarantee, NodeId, Processor, RingId, Time, MS};

/// The decode target: decoding never panics, and is canonical.
pub fn decode(data: &[u8]) {
    if let Ok(packet) = wire::decode(data) {
        let again = wire::encode(&packet);
        assert_eq!(again, data, "decode accepted a non-canonical encoding of {packet:?}");
        assert_eq!(wire::encoded_len(&packet), data.len());
        assert_eq!(wire::decode(&again).as_ref(), Ok(&packet));
    }
    if let Some((ring_id, seq)) = wire::peek_data(data) {
        assert!(ring_id.seq <= wire::MAX_RING_SEQ, "peek_data let an undecodable ring seq through");
        if let Ok(Packet::Data(f)) = wire::decode(data) {
            assert_eq!((f.ring_id, f.seq), (ring_id, seq));
        }
    }
    if let Some((_, payload)) = crate::net::envelope::unwrap(data) {
        let _ = wire::decode(payload);
    }
}

/// Most script steps one input runs, so each execution stays short.
const MAX_STEPS: usize = 300;
/// Most packets in flight on the harness's network (older ones are lost).
const NET_CAP: usize = 2048;
/// Most packets and timers one `settle` handles.
const SETTLE_CAP: usize = 20_000;

/// The processor target.
pub fn processor(data: &[u8]) {
    let mut input = Input(data);
    let mut h = Harness::new(&mut input);
    let mut steps = 0;
    while !input.0.is_empty() && steps < MAX_STEPS {
        h.step(&mut input);
        h.check();
        steps += 1;
    }
}

/// Reads the fuzzer's bytes as numbers; zeros once they run out.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    fn u32(&mut self) -> u32 {
        u32::from(self.u16()) << 16 | u32::from(self.u16())
    }

    fn u64(&mut self) -> u64 {
        u64::from(self.u32()) << 32 | u64::from(self.u32())
    }

    fn below(&mut self, n: usize) -> usize {
        usize::from(self.u8()) % n.max(1)
    }

    fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// Up to `max` bytes of the input itself (fewer if it runs out).
    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = usize::from(self.u16()).min(max).min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head.to_vec()
    }

    /// A seq near `base`, or one of the values that break arithmetic.
    fn seq_near(&mut self, base: u64) -> u64 {
        let small = u64::from(self.u8() % 8);
        match self.below(10) {
            0 | 1 => base,
            2 | 3 => base.saturating_add(small),
            4 => base.saturating_sub(small),
            5 => small,
            6 => u64::MAX - small,
            7 => (wire::MAX_RING_SEQ - 4).saturating_add(small),
            8 => base.saturating_add(1 << (self.u8() % 64)),
            _ => self.u64(),
        }
    }

    fn u32_extreme(&mut self) -> u32 {
        match self.below(4) {
            0 => 0,
            1 => u32::from(self.u8()),
            2 => u32::MAX - u32::from(self.u8()),
            _ => self.u32(),
        }
    }
}

struct Harness {
    procs: Vec<Processor>,
    /// Packets in flight: (index of the destination, bytes).
    net: VecDeque<(usize, Vec<u8>)>,
    now: Time,
    /// Recent genuine packets, to replay mutated.
    seen: VecDeque<Vec<u8>>,
}

impl Harness {
    fn new(input: &mut Input) -> Harness {
        let n = 1 + input.below(3);
        let knobs = input.u8();
        let procs = (1..=n as NodeId).map(|id| Processor::new(config(id, knobs), 0, u64::from(id))).collect();
        let mut h = Harness { procs, net: VecDeque::new(), now: 0, seen: VecDeque::new() };
        for i in 0..n {
            h.drain(i);
        }
        // Most scripts start on a formed ring, where forged tokens and
        // frames can match a ring id and reach the interesting code.
        if input.below(4) != 0 {
            h.settle(1500 * MS);
        }
        h
    }

    fn step(&mut self, input: &mut Input) {
        match input.below(12) {
            0..=2 => self.deliver_next(),
            3 => {
                self.net.pop_front();
            }
            4 => {
                let delta = [MS, 10 * MS, 100 * MS, 1000 * MS][input.below(4)];
                self.now += delta;
                self.fire_timers();
            }
            5 => {
                let d = [10 * MS, 100 * MS, 1000 * MS][input.below(3)];
                self.settle(d);
            }
            6 => {
                let k = input.below(self.procs.len());
                let g = Guarantee::from_u8(input.u8() % 4).unwrap_or(Guarantee::Agreed);
                let len = usize::from(input.u16()) % (self.procs[k].config.max_message + 64);
                let _ = self.procs[k].submit(self.now, g, vec![input.u8(); len]);
                self.drain(k);
            }
            7..=9 => {
                let k = input.below(self.procs.len());
                let packet = forge(&self.procs[k], self.procs.len(), input);
                let bytes = wire::encode(&packet);
                self.inject(k, input.bool(), bytes);
            }
            10 => {
                if self.seen.is_empty() {
                    return;
                }
                let mut bytes = self.seen[input.below(self.seen.len())].clone();
                for _ in 0..1 + input.below(4) {
                    let at = usize::from(input.u16()) % bytes.len().max(1);
                    if let Some(b) = bytes.get_mut(at) {
                        *b = input.u8();
                    }
                }
                let k = input.below(self.procs.len());
                self.inject(k, input.bool(), bytes);
            }
            _ => {
                // Rare: a graceful leave.
                if input.below(8) == 0 {
                    let k = input.below(self.procs.len());
                    self.procs[k].leave(self.now);
                    self.drain(k);
                }
            }
        }
    }

    /// A forged packet to processor `k`, or multicast to all.
    fn inject(&mut self, k: usize, to_all: bool, bytes: Vec<u8>) {
        if to_all {
            for i in 0..self.procs.len() {
                self.procs[i].handle_packet(self.now, &bytes);
                self.drain(i);
            }
        } else {
            self.procs[k].handle_packet(self.now, &bytes);
            self.drain(k);
        }
    }

    fn deliver_next(&mut self) {
        if let Some((to, bytes)) = self.net.pop_front() {
            self.procs[to].handle_packet(self.now, &bytes);
            self.drain(to);
        }
    }

    fn fire_timers(&mut self) {
        for i in 0..self.procs.len() {
            if self.procs[i].poll_timeout().is_some_and(|t| t <= self.now) {
                self.procs[i].handle_timeout(self.now);
                self.drain(i);
            }
        }
    }

    /// Run the network as it is for `d`: every packet arrives, timers fire.
    fn settle(&mut self, d: Time) {
        let until = self.now + d;
        for _ in 0..SETTLE_CAP {
            if !self.net.is_empty() {
                self.deliver_next();
                continue;
            }
            let next = self.procs.iter().filter_map(Processor::poll_timeout).min();
            match next {
                Some(t) if t <= until => {
                    self.now = self.now.max(t);
                    self.fire_timers();
                }
                _ => break,
            }
        }
        self.now = self.now.max(until);
    }

    /// Take what processor `i` sends and says; what it sends must be sound.
    fn drain(&mut self, i: usize) {
        let n = self.procs.len();
        let max_frame = self.procs[i].config.max_frame;
        let max_messages = self.procs[i].config.max_messages as usize;
        let mut sent = 0;
        while let Some(t) = self.procs[i].poll_transmit() {
            sent += 1;
            let packet = wire::decode(&t.bytes)
                .unwrap_or_else(|e| panic!("node {} sent a packet that does not decode: {e}", i + 1));
            if let Packet::Data(_) = packet {
                assert!(t.bytes.len() <= max_frame, "node {} sent a frame over max_frame", i + 1);
            }
            if self.seen.len() >= 64 {
                self.seen.pop_front();
            }
            self.seen.push_back(t.bytes.clone());
            match t.dest {
                Destination::All => (0..n).for_each(|d| self.net.push_back((d, t.bytes.clone()))),
                Destination::Node(to) if (1..=n as NodeId).contains(&to) => {
                    self.net.push_back((to as usize - 1, t.bytes))
                }
                Destination::Node(_) => {}
            }
        }
        // One call answers one packet or timer: at most a token's requests
        // served, a visit's frames, and a few control packets.
        let bound = wire::MAX_RTR + max_messages + 32;
        assert!(sent <= bound, "node {} sent {sent} packets at once (bound {bound})", i + 1);
        while self.net.len() > NET_CAP {
            self.net.pop_front();
        }
        let max_message = self.procs[i].config.max_message;
        while let Some(e) = self.procs[i].poll_event() {
            if let Event::Deliver(d) = e {
                assert!(d.payload.len() <= max_message, "delivered a message over max_message");
            }
        }
    }

    /// Memory stays within what the configuration allows, whatever came in.
    fn check(&self) {
        for p in &self.procs {
            let c = &p.config;
            let span = span_limit(c) as usize;
            let mut rings = vec![&p.ring];
            rings.extend(p.recovery.as_ref().map(|r| &r.new_ring));
            for ring in rings {
                let (slots, bytes) = ring.frames.footprint();
                assert!(slots <= span, "node {}: {slots} buffer slots (span {span})", p.me);
                assert!(bytes <= slots * c.max_frame, "node {}: {bytes} bytes in {slots} slots", p.me);
            }
            let (senders, bytes) = p.assembly.footprint();
            assert!(senders <= p.ring.members.len(), "node {}: {senders} reassemblies", p.me);
            assert!(bytes <= senders * c.max_message, "node {}: {bytes} bytes in reassembly", p.me);
            let g = &p.gather;
            for (what, len) in [
                ("proc_set", g.proc_set.len()),
                ("fail_set", g.fail_set.len()),
                ("heard", g.heard.len()),
                ("ring_seqs", g.ring_seqs.len()),
            ] {
                assert!(len <= wire::MAX_MEMBERS, "node {}: gather {what} holds {len}", p.me);
            }
            // `submit` keeps the queue within its limit, but a ring change
            // puts a message cut short back whole: one message more at most.
            let queue_bound = c.send_queue_limit + p.frames_for(c.max_message);
            assert!(p.outbox.frames() <= queue_bound, "node {}: send queue over {queue_bound}", p.me);
            assert!(p.highest_ring_seq <= wire::MAX_RING_SEQ, "node {}: ring seq {}", p.me, p.highest_ring_seq);
        }
    }
}

/// A valid configuration, varied by `knobs`: small frames and windows make
/// fragmentation, flow control and the buffer's span easy to reach.
fn config(id: NodeId, knobs: u8) -> Config {
    let mut c = Config::new(id);
    c.max_frame = [256, 600, 1452, 9000][usize::from(knobs & 3)];
    c.window_size = [4, 50][usize::from(knobs >> 2 & 1)];
    c.max_messages = c.window_size.min([2, 17][usize::from(knobs >> 3 & 1)]);
    c.accelerated_window = if knobs & 0x10 != 0 { c.max_messages } else { 0 };
    c.max_outstanding = [u64::from(c.window_size), 1024][usize::from(knobs >> 5 & 1)];
    c.max_message = 4096;
    c.send_queue_limit = 64;
    c.fail_recv_const = [5, 2500][usize::from(knobs >> 6 & 1)];
    debug_assert!(c.validate().is_ok());
    c
}

/// A packet of any kind for processor `p` (one of `n`), fields drawn from `input`.
fn forge(p: &Processor, n: usize, input: &mut Input) -> Packet {
    let ring = token_ring(p);
    match input.below(7) {
        0 | 1 => Packet::Token(Token {
            ring_id: ring_id_near(p, input),
            token_seq: input.seq_near(p.visits.last_token_seq() + 1),
            seq: input.seq_near(ring.high_seq),
            aru: input.seq_near(ring.my_aru),
            aru_id: node_near(n, input),
            rotation_min: input.seq_near(ring.my_aru),
            stable: input.seq_near(ring.stable),
            fcc: input.u32_extreme(),
            backlog: input.u32_extreme(),
            quiet: input.u32_extreme(),
            flags: input.u8(),
            to: if input.below(4) == 0 { node_near(n, input) } else { p.me },
            tail: input.u32_extreme(),
            rtr: (0..input.below(6)).map(|_| input.seq_near(ring.my_aru + 1)).collect(),
        }),
        2 if input.bool() => Packet::Resent(frame(p, n, input, true)),
        2 => Packet::Data(frame(p, n, input, true)),
        3 => {
            let proc_set = node_set(n, input);
            let fail_set = proc_set.iter().copied().filter(|_| input.below(3) == 0).collect();
            let poor_links = links_among(&proc_set, input);
            let unreached = links_among(&proc_set, input);
            Packet::Join(Join {
                sender: node_near(n, input),
                ring_seq: input.seq_near(p.highest_ring_seq),
                number: input.u32_extreme(),
                proc_set,
                fail_set,
                poor_links,
                unreached,
                judging: input.bool(),
            })
        }
        4 => {
            let nodes = node_set(n, input);
            let old = p.ring.id;
            let members = nodes
                .iter()
                .map(|&node| CommitEntry {
                    node,
                    filled: input.below(4) != 0,
                    old_ring_id: if input.bool() { old } else { ring_id_near(p, input) },
                    old_aru: input.seq_near(p.ring.my_aru),
                    high_received: input.seq_near(p.ring.high_seq),
                    high_delivered: input.seq_near(p.ring.delivered),
                    old_stable: input.seq_near(p.ring.stable),
                    received_flg: input.bool(),
                })
                .collect();
            let rep = nodes.first().copied().unwrap_or(1);
            let seq = input.seq_near(p.highest_ring_seq + 3);
            let ring_id = if input.below(4) == 0 { ring_id_near(p, input) } else { RingId { rep, seq } };
            Packet::Commit(CommitToken { ring_id, hops: input.u32_extreme() % 8, members })
        }
        5 => Packet::MergeDetect(MergeDetect {
            sender: node_near(n, input),
            ring_id: ring_id_near(p, input),
            number: input.u32_extreme(),
            heard: node_set(n, input),
            members: node_set(n, input),
        }),
        _ => {
            let notice = RingNotice { sender: node_near(n, input), ring_id: ring_id_near(p, input) };
            if input.bool() {
                Packet::Leave(notice)
            } else {
                Packet::HoldCancel(notice)
            }
        }
    }
}

/// The ring tokens and frames would be for: the new one while recovering.
fn token_ring(p: &Processor) -> &super::ring::Ring {
    p.recovery.as_ref().map_or(&p.ring, |r| &r.new_ring)
}

/// Mostly a ring id `p` knows (its ring, the one forming or recovering).
fn ring_id_near(p: &Processor, input: &mut Input) -> RingId {
    match input.below(6) {
        0 | 1 => p.ring.id,
        2 => token_ring(p).id,
        3 => p.forming.as_ref().map_or(p.ring.id, |f| f.token.ring_id),
        4 => RingId { rep: p.ring.id.rep, seq: input.seq_near(p.ring.id.seq) },
        _ => RingId { rep: input.u32(), seq: input.seq_near(p.highest_ring_seq) },
    }
}

/// Mostly one of the `n` processors; sometimes a stranger, or an extreme id.
fn node_near(n: usize, input: &mut Input) -> NodeId {
    match input.below(8) {
        0 => n as NodeId + 1 + NodeId::from(input.u8() % 4),
        1 => u32::MAX - NodeId::from(input.u8()),
        2 => input.u32().max(1),
        _ => 1 + input.below(n) as NodeId,
    }
}

/// A sorted set of node ids; now and then a huge one.
fn node_set(n: usize, input: &mut Input) -> Vec<NodeId> {
    let mut set: Vec<NodeId> = if input.below(16) == 0 {
        let start = input.u32().max(1);
        (0..wire::MAX_MEMBERS as u32).map(|i| start.saturating_add(i)).collect()
    } else {
        (0..input.below(6)).map(|_| node_near(n, input)).collect()
    };
    set.sort_unstable();
    set.dedup();
    set
}

/// A few links between processors of `nodes`, as a join carries them.
fn links_among(nodes: &[NodeId], input: &mut Input) -> Vec<(NodeId, NodeId)> {
    let mut links: Vec<(NodeId, NodeId)> = (0..input.below(4))
        .filter_map(|_| {
            let a = *nodes.get(input.below(nodes.len().max(1)))?;
            let b = *nodes.get(input.below(nodes.len().max(1)))?;
            (a != b).then_some((a, b))
        })
        .collect();
    links.sort_unstable();
    links.dedup();
    links
}

/// A data frame near `p`'s ring; `outer`: it may carry a recovered frame.
fn frame(p: &Processor, n: usize, input: &mut Input, outer: bool) -> DataFrame {
    let ring = token_ring(p);
    let ring_id = ring_id_near(p, input);
    let seq = input.seq_near(ring.high_seq + 1);
    let sender = node_near(n, input);
    let guarantee = Guarantee::from_u8(input.u8() % 4).unwrap_or(Guarantee::Agreed);
    let frag = Frag::from_u8(input.u8() % 5).unwrap_or(Frag::Whole);
    let body = match input.below(6) {
        0 if outer => {
            let mut inner = frame(p, n, input, false);
            inner.ring_id = if input.bool() { p.ring.id } else { inner.ring_id };
            FrameBody::Recovered(Box::new(inner))
        }
        1 => {
            let mut packed = Vec::new();
            for _ in 0..input.below(5) {
                packing::push(&mut packed, &input.bytes(64));
            }
            FrameBody::App(packed.into())
        }
        2 => FrameBody::App(
            vec![input.u8(); p.config.max_frame.saturating_sub(wire::DATA_HEADER_LEN) + input.below(3) - 1].into(),
        ),
        _ => FrameBody::App(input.bytes(256).into()),
    };
    DataFrame { ring_id, seq, sender, guarantee, frag, body }
}
