//! Tests of the wire format: exact sizes, round trips, and rejection of every
//! kind of malformed input, including a deterministic mutation fuzzer.

use super::*;
use crate::totem::packet::token_flags;

// ---------------------------------------------------------------------------
// Helpers

fn rid(rep: NodeId, seq: u64) -> RingId {
    RingId { rep, seq }
}

fn app(ring_id: RingId, seq: u64, sender: NodeId, guarantee: Guarantee, payload: &[u8]) -> DataFrame {
    DataFrame { ring_id, seq, sender, guarantee, frag: Frag::Whole, body: FrameBody::App(payload.to_vec().into()) }
}

fn recovered(outer: RingId, seq: u64, sender: NodeId, inner: DataFrame) -> DataFrame {
    DataFrame {
        ring_id: outer,
        seq,
        sender,
        guarantee: Guarantee::Agreed,
        frag: Frag::Whole,
        body: FrameBody::Recovered(Box::new(inner)),
    }
}

fn entry(node: NodeId, i: u64) -> CommitEntry {
    CommitEntry {
        node,
        filled: i.is_multiple_of(2),
        old_ring_id: rid(node, 4 * i),
        old_aru: i,
        high_received: i + 7,
        high_delivered: i + 3,
        old_stable: i / 2,
        received_flg: i.is_multiple_of(3),
    }
}

fn commit(n: usize) -> CommitToken {
    CommitToken {
        ring_id: rid(1, 40),
        hops: 3,
        members: (0..n).map(|i| entry(i as NodeId * 3 + 1, i as u64)).collect(),
    }
}

fn full_token() -> Token {
    Token {
        ring_id: rid(u32::MAX, MAX_RING_SEQ),
        token_seq: u64::MAX,
        seq: u64::MAX,
        aru: u64::MAX - 1,
        aru_id: u32::MAX,
        rotation_min: u64::MAX,
        stable: u64::MAX,
        fcc: u32::MAX,
        backlog: u32::MAX,
        quiet: u32::MAX,
        flags: 0xFF,
        to: u32::MAX,
        tail: u32::MAX,
        rtr: (0..MAX_RTR as u64).map(|i| u64::MAX - i * 1_000_003).collect(),
    }
}

/// Representative and edge values of every variant.
fn samples() -> Vec<Packet> {
    let r = rid(7, 1_000);
    let mut v = vec![
        Packet::Token(Token::default()),
        Packet::Token(Token {
            ring_id: r,
            token_seq: 12,
            seq: 100,
            aru: 98,
            aru_id: 3,
            rotation_min: 97,
            stable: 90,
            fcc: 5,
            backlog: 2,
            quiet: 0,
            flags: token_flags::RETRANS | token_flags::INSTALL,
            to: 3,
            tail: 2,
            rtr: vec![99],
        }),
        Packet::Token(full_token()),
        Packet::Data(app(r, 1, 1, Guarantee::Unordered, b"")),
        Packet::Data(app(r, 2, 2, Guarantee::Fifo, b"x")),
        Packet::Data(app(r, 3, 3, Guarantee::Agreed, b"hello, ring")),
        Packet::Resent(app(r, 4, 4, Guarantee::Safe, b"again")),
        Packet::Resent(recovered(r, 5, 7, app(rid(2, 996), 56, 9, Guarantee::Safe, b""))),
        Packet::Data(app(rid(u32::MAX, MAX_RING_SEQ), u64::MAX, u32::MAX, Guarantee::Safe, &[0xFF; 300])),
        Packet::Data(recovered(r, 4, 7, app(rid(2, 996), 55, 9, Guarantee::Safe, b""))),
        Packet::Data(recovered(
            r,
            u64::MAX,
            u32::MAX,
            app(rid(u32::MAX, MAX_RING_SEQ), u64::MAX, u32::MAX, Guarantee::Unordered, b"old ring bytes"),
        )),
        Packet::Join(Join { sender: 1, ring_seq: 0, proc_set: vec![], fail_set: vec![], ..Join::default() }),
        Packet::Join(Join {
            sender: 4,
            ring_seq: 1_004,
            proc_set: vec![1, 2, 4, u32::MAX],
            fail_set: vec![3],
            ..Join::default()
        }),
        Packet::Join(Join {
            sender: u32::MAX,
            ring_seq: MAX_RING_SEQ,
            number: u32::MAX,
            proc_set: (1..=MAX_MEMBERS as u32).collect(),
            fail_set: (1..=MAX_MEMBERS as u32).map(|i| i * 1_000).collect(),
            poor_links: (1..=MAX_POOR_LINKS as u32).map(|i| (i, u32::MAX - i)).collect(),
            unreached: (1..=MAX_POOR_LINKS as u32).map(|i| (u32::MAX - i, i)).rev().collect(),
            judging: true,
        }),
        Packet::Commit(commit(0)),
        Packet::Commit(commit(1)),
        Packet::Commit(commit(64)),
        Packet::Commit(CommitToken {
            ring_id: rid(u32::MAX, MAX_RING_SEQ),
            hops: u32::MAX,
            members: vec![CommitEntry {
                node: u32::MAX,
                filled: true,
                old_ring_id: rid(u32::MAX, MAX_RING_SEQ),
                old_aru: u64::MAX,
                high_received: u64::MAX,
                high_delivered: u64::MAX,
                old_stable: u64::MAX,
                received_flg: true,
            }],
        }),
        Packet::MergeDetect(MergeDetect {
            sender: 1,
            ring_id: RingId::default(),
            heard: vec![],
            members: vec![],
            ..MergeDetect::default()
        }),
        Packet::MergeDetect(MergeDetect {
            sender: 2,
            ring_id: r,
            heard: vec![1, 3, u32::MAX],
            members: vec![2, 5],
            ..MergeDetect::default()
        }),
        Packet::Leave(RingNotice { sender: 9, ring_id: r }),
        Packet::HoldCancel(RingNotice { sender: u32::MAX, ring_id: rid(u32::MAX, MAX_RING_SEQ) }),
    ];
    // The largest commit token the format allows must fit in a packet.
    v.push(Packet::Commit(commit(MAX_MEMBERS)));
    v
}

fn with(bytes: &[u8], at: usize, patch: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[at..at + patch.len()].copy_from_slice(patch);
    b
}

fn invalid(bytes: &[u8]) -> &'static str {
    match decode(bytes) {
        Err(WireError::Invalid(what)) => what,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

// Field offsets, from the layout table in the module doc.
const DATA_SENDER: usize = 4 + 12 + 8;
const DATA_GUARANTEE: usize = DATA_SENDER + 4;
const DATA_FRAG: usize = DATA_GUARANTEE + 1;
const DATA_TAG: usize = DATA_FRAG + 1;
const DATA_LEN: usize = DATA_TAG + 1;
const INNER: usize = DATA_TAG + 1;
const INNER_SENDER: usize = INNER + 12 + 8;
const INNER_GUARANTEE: usize = INNER_SENDER + 4;
const INNER_FRAG: usize = INNER_GUARANTEE + 1;
const INNER_TAG: usize = INNER_FRAG + 1;
const INNER_LEN: usize = INNER_TAG + 1;
const TOKEN_RTR_COUNT: usize = 4 + TOKEN_FIXED_LEN - COUNT_LEN;
const JOIN_PROC_COUNT: usize = 4 + 4 + 8 + 4;
const COMMIT_COUNT: usize = 4 + 12 + 4;
const COMMIT_ENTRIES: usize = COMMIT_COUNT + 2;

// ---------------------------------------------------------------------------
// Sizes and layout

#[test]
fn data_header_len_matches_encoding() {
    let r = rid(3, 8);
    assert_eq!(encode(&Packet::Data(app(r, 1, 1, Guarantee::Safe, b""))).len(), DATA_HEADER_LEN);
    for n in [1, 17, 1_000, MAX_PACKET - DATA_HEADER_LEN] {
        let p = Packet::Data(app(r, 1, 1, Guarantee::Safe, &vec![0xAB; n]));
        assert_eq!(encode(&p).len(), DATA_HEADER_LEN + n);
    }
    assert_eq!(DATA_HEADER_LEN, 35);
}

#[test]
fn recovered_overhead_matches_encoding() {
    for n in [0, 1, 100, 1_400] {
        let inner = app(rid(2, 4), 10, 5, Guarantee::Fifo, &vec![7; n]);
        let alone = encode(&Packet::Data(inner.clone())).len();
        let carried = encode(&Packet::Data(recovered(rid(1, 8), 1, 1, inner))).len();
        assert_eq!(carried, alone + RECOVERED_OVERHEAD);
        assert_eq!(carried, DATA_HEADER_LEN + RECOVERED_OVERHEAD + n);
    }
    assert_eq!(RECOVERED_OVERHEAD, 27);
}

#[test]
fn encoded_len_matches_encode() {
    for p in samples() {
        assert_eq!(encoded_len(&p), encode(&p).len(), "{p:?}");
    }
}

#[test]
fn encode_allocates_exactly_once_and_encode_into_appends() {
    for p in samples() {
        let bytes = encode(&p);
        assert_eq!(bytes.capacity(), bytes.len());
        let mut out = b"prefix".to_vec();
        encode_into(&p, &mut out);
        assert_eq!(&out[..6], b"prefix");
        assert_eq!(&out[6..], &bytes[..]);
    }
}

#[test]
fn documented_sizes() {
    let t = |n: usize| Token { rtr: vec![1; n], ..Token::default() };
    assert_eq!(encoded_len(&Packet::Token(t(0))), 83);
    assert_eq!(encoded_len(&Packet::Token(t(5))), 83 + 5 * 8);
    let j = Join { sender: 1, ring_seq: 4, proc_set: vec![1, 2, 3], fail_set: vec![4], ..Join::default() };
    assert_eq!(encoded_len(&Packet::Join(j)), 29 + 4 * 4);
    let j = Join { sender: 1, poor_links: vec![(1, 2), (2, 1)], unreached: vec![(3, 1)], ..Join::default() };
    assert_eq!(encoded_len(&Packet::Join(j)), 29 + 3 * 8);
    assert_eq!(encoded_len(&Packet::Commit(commit(0))), 22);
    assert_eq!(encoded_len(&Packet::Commit(commit(7))), 22 + 7 * 50);
    let n = RingNotice { sender: 1, ring_id: rid(1, 4) };
    assert_eq!(encode(&Packet::Leave(n)).len(), 20);
    let m =
        MergeDetect { sender: 1, ring_id: rid(1, 4), heard: vec![2, 3], members: vec![1, 4], ..MergeDetect::default() };
    assert_eq!(encode(&Packet::MergeDetect(m)).len(), 28 + 4 * 4);
}

#[test]
fn largest_packets_fit_max_packet() {
    assert!(encoded_len(&Packet::Commit(commit(MAX_MEMBERS))) <= MAX_PACKET);
    assert!(encoded_len(&Packet::Token(full_token())) <= MAX_PACKET);
    let join = Join {
        sender: 1,
        ring_seq: 0,
        proc_set: (1..=1024).collect(),
        fail_set: (1..=1024).collect(),
        poor_links: (1..=MAX_POOR_LINKS as u32).map(|i| (i, i + 1)).collect(),
        unreached: (1..=MAX_POOR_LINKS as u32).map(|i| (i, i + 1)).collect(),
        ..Join::default()
    };
    assert!(encoded_len(&Packet::Join(join)) <= MAX_PACKET);
}

/// Pins the byte layout so an accidental format change fails loudly.
#[test]
fn golden_bytes() {
    let leave = Packet::Leave(RingNotice { sender: 0x0102_0304, ring_id: rid(5, 0x0A0B) });
    assert_eq!(encode(&leave), [b'E', b'V', 6, 6, 1, 2, 3, 4, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0x0A, 0x0B]);

    let data = Packet::Data(app(rid(1, 2), 3, 4, Guarantee::Safe, b"hi"));
    #[rustfmt::skip]
    let expected = [
        b'E', b'V', 6, 2,
        0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, // ring id
        0, 0, 0, 0, 0, 0, 0, 3,             // seq
        0, 0, 0, 4,                         // sender
        3,                                  // guarantee
        0,                                  // frag: Whole
        0,                                  // body tag: App
        0, 0, 0, 2, b'h', b'i',
    ];
    assert_eq!(encode(&data), expected);

    let join = Packet::Join(Join {
        sender: 2,
        ring_seq: 8,
        number: 9,
        proc_set: vec![1, 2],
        fail_set: vec![3],
        poor_links: vec![(1, 2)],
        unreached: vec![(3, 1)],
        judging: true,
    });
    #[rustfmt::skip]
    let expected = [
        b'E', b'V', 6, 3,
        0, 0, 0, 2,
        0, 0, 0, 0, 0, 0, 0, 8,
        0, 0, 0, 9,                         // number
        0, 2, 0, 0, 0, 1, 0, 0, 0, 2,
        0, 1, 0, 0, 0, 3,
        0, 1, 0, 0, 0, 1, 0, 0, 0, 2,       // poor links
        0, 1, 0, 0, 0, 3, 0, 0, 0, 1,       // unreached links
        1,                                  // judging
    ];
    assert_eq!(encode(&join), expected);

    let token = Packet::Token(Token {
        ring_id: rid(1, 2),
        token_seq: 3,
        seq: 4,
        aru: 5,
        aru_id: 6,
        rotation_min: 7,
        stable: 8,
        fcc: 9,
        backlog: 10,
        quiet: 11,
        flags: 12,
        to: 13,
        tail: 14,
        rtr: vec![15],
    });
    #[rustfmt::skip]
    let expected = [
        b'E', b'V', 6, 1,
        0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, // ring id
        0, 0, 0, 0, 0, 0, 0, 3,             // token_seq
        0, 0, 0, 0, 0, 0, 0, 4,             // seq
        0, 0, 0, 0, 0, 0, 0, 5,             // aru
        0, 0, 0, 6,                         // aru_id
        0, 0, 0, 0, 0, 0, 0, 7,             // rotation_min
        0, 0, 0, 0, 0, 0, 0, 8,             // stable
        0, 0, 0, 9,                         // fcc
        0, 0, 0, 10,                        // backlog
        0, 0, 0, 11,                        // quiet
        12,                                 // flags
        0, 0, 0, 13,                        // to
        0, 0, 0, 14,                        // tail
        0, 1, 0, 0, 0, 0, 0, 0, 0, 15,      // rtr
    ];
    assert_eq!(encode(&token), expected);
}

#[test]
fn type_bytes_are_distinct_per_variant() {
    let n = RingNotice { sender: 1, ring_id: rid(1, 4) };
    let types: Vec<u8> = [
        Packet::Token(Token::default()),
        Packet::Data(app(rid(1, 4), 1, 1, Guarantee::Agreed, b"")),
        Packet::Join(Join { sender: 1, ring_seq: 4, proc_set: vec![1], fail_set: vec![], ..Join::default() }),
        Packet::Commit(commit(1)),
        Packet::MergeDetect(MergeDetect { sender: 1, ring_id: rid(1, 4), ..MergeDetect::default() }),
        Packet::Leave(n.clone()),
        Packet::HoldCancel(n),
        Packet::Resent(app(rid(1, 4), 1, 1, Guarantee::Agreed, b"")),
    ]
    .iter()
    .map(|p| encode(p)[3])
    .collect();
    assert_eq!(types, [1, 2, 3, 4, 5, 6, 7, 8]);
}

// ---------------------------------------------------------------------------
// Round trips

#[test]
fn round_trip_every_sample() {
    for p in samples() {
        let bytes = encode(&p);
        assert_eq!(decode(&bytes), Ok(p.clone()), "{p:?}");
    }
}

#[test]
fn round_trip_every_guarantee_and_flag_byte() {
    for g in [Guarantee::Unordered, Guarantee::Fifo, Guarantee::Agreed, Guarantee::Safe] {
        let p = Packet::Data(recovered(rid(1, 8), 1, 1, app(rid(1, 4), 2, 2, g, b"g")));
        assert_eq!(decode(&encode(&p)), Ok(p));
    }
    for frag in [Frag::Whole, Frag::First, Frag::Middle, Frag::Last] {
        let mut inner = app(rid(1, 4), 2, 2, Guarantee::Safe, b"f");
        inner.frag = frag;
        let p = Packet::Data(recovered(rid(1, 8), 1, 1, inner.clone()));
        assert_eq!(decode(&encode(&p)), Ok(p));
        let p = Packet::Data(inner);
        assert_eq!(decode(&encode(&p)), Ok(p));
    }
    for flags in 0..=u8::MAX {
        let p = Packet::Token(Token { flags, ..Token::default() });
        assert_eq!(decode(&encode(&p)), Ok(p));
    }
}

#[test]
fn largest_packet_accepted_one_more_byte_too_large() {
    let p = Packet::Data(app(rid(1, 4), 1, 1, Guarantee::Agreed, &vec![1; MAX_PACKET - DATA_HEADER_LEN]));
    let bytes = encode(&p);
    assert_eq!(bytes.len(), MAX_PACKET);
    assert_eq!(decode(&bytes), Ok(p));
    let mut longer = bytes;
    longer.push(0);
    assert_eq!(decode(&longer), Err(WireError::TooLarge));
    // Even a well-formed packet over the limit is refused.
    let p = Packet::Data(app(rid(1, 4), 1, 1, Guarantee::Agreed, &vec![1; MAX_PACKET]));
    assert_eq!(decode(&encode(&p)), Err(WireError::TooLarge));
}

// ---------------------------------------------------------------------------
// Framing errors

#[test]
fn every_truncation_is_rejected() {
    for p in samples() {
        let bytes = encode(&p);
        for len in 0..bytes.len() {
            match decode(&bytes[..len]) {
                Err(_) => {}
                Ok(q) => panic!("prefix {len}/{} of {p:?} decoded as {q:?}", bytes.len()),
            }
        }
    }
}

#[test]
fn truncation_inside_fields_is_reported_as_truncated() {
    for p in samples() {
        let bytes = encode(&p);
        for len in 4..bytes.len() {
            assert_eq!(decode(&bytes[..len]), Err(WireError::Truncated), "prefix {len} of {p:?}");
        }
    }
}

#[test]
fn trailing_bytes_are_rejected() {
    for p in samples() {
        for extra in [&[0u8][..], &[1], &[0xFF, 0xFF, 0xFF, 0xFF]] {
            let mut bytes = encode(&p);
            if bytes.len() + extra.len() > MAX_PACKET {
                continue;
            }
            bytes.extend_from_slice(extra);
            assert_eq!(decode(&bytes), Err(WireError::TrailingBytes), "{p:?}");
        }
    }
}

#[test]
fn bad_header_is_rejected() {
    let good = encode(&Packet::Leave(RingNotice { sender: 1, ring_id: rid(1, 4) }));
    assert_eq!(decode(&with(&good, 0, b"XV")), Err(WireError::BadMagic));
    assert_eq!(decode(&with(&good, 0, b"ev")), Err(WireError::BadMagic));
    assert_eq!(decode(&with(&good, 1, b"X")), Err(WireError::BadMagic));
    assert_eq!(decode(b"XX"), Err(WireError::BadMagic));
    // 3: the layout before the token's tail field; 4: before the numbered
    // joins and merge-detects and the joins' poor links; 5: before their
    // unreached links.
    for v in [0, 1, 2, 3, 4, 5, 0xFF] {
        assert_eq!(decode(&with(&good, 2, &[v])), Err(WireError::BadVersion(v)));
        assert_eq!(foreign_version(&with(&good, 2, &[v])), Some(v), "another version's packet is told apart");
        assert_eq!(foreign_version(&with(&good, 2, &[v])[..3]), Some(v), "from its header alone");
    }
    assert_eq!(foreign_version(&good), None, "our own version");
    assert_eq!(foreign_version(&with(&good, 0, b"XV")), None, "not a libevs packet");
    assert_eq!(foreign_version(b"EV"), None, "no version byte");
    for t in [0, 9, 10, 0x80, 0xFF] {
        assert_eq!(decode(&with(&good, 3, &[t])), Err(WireError::BadType(t)));
    }
    assert_eq!(decode(b""), Err(WireError::Truncated));
    assert_eq!(decode(b"EV"), Err(WireError::Truncated));
    assert_eq!(decode(b"EV\x06"), Err(WireError::Truncated));
    assert_eq!(decode(b"EV\x06\x06"), Err(WireError::Truncated));
}

// ---------------------------------------------------------------------------
// Field validation

#[test]
fn bad_bools_are_rejected() {
    let bytes = encode(&Packet::Commit(commit(3)));
    for member in 0..3 {
        let e = COMMIT_ENTRIES + member * COMMIT_ENTRY_LEN;
        for v in [2, 0x80, 0xFF] {
            assert_eq!(invalid(&with(&bytes, e + 4, &[v])), "bool byte is neither 0 nor 1");
            assert_eq!(invalid(&with(&bytes, e + COMMIT_ENTRY_LEN - 1, &[v])), "bool byte is neither 0 nor 1");
        }
    }
    // A join's `judging`, its last byte.
    let join = encode(&Packet::Join(Join { sender: 1, judging: true, ..Join::default() }));
    for v in [2, 0x80, 0xFF] {
        assert_eq!(invalid(&with(&join, join.len() - 1, &[v])), "bool byte is neither 0 nor 1");
    }
}

#[test]
fn bad_fragment_markers_are_rejected() {
    let plain = encode(&Packet::Data(app(rid(1, 4), 1, 1, Guarantee::Safe, b"abc")));
    let carried = encode(&Packet::Data(recovered(rid(1, 8), 1, 1, app(rid(1, 4), 1, 1, Guarantee::Safe, b"abc"))));
    for f in [5, 0x80, 0xFF] {
        assert_eq!(invalid(&with(&plain, DATA_FRAG, &[f])), "unknown fragment marker");
        assert_eq!(invalid(&with(&carried, DATA_FRAG, &[f])), "unknown fragment marker");
        assert_eq!(invalid(&with(&carried, INNER_FRAG, &[f])), "unknown fragment marker");
    }
}

#[test]
fn bad_guarantees_are_rejected() {
    let plain = encode(&Packet::Data(app(rid(1, 4), 1, 1, Guarantee::Safe, b"abc")));
    let carried = encode(&Packet::Data(recovered(rid(1, 8), 1, 1, app(rid(1, 4), 1, 1, Guarantee::Safe, b"abc"))));
    for g in [4, 5, 0x7F, 0xFF] {
        assert_eq!(invalid(&with(&plain, DATA_GUARANTEE, &[g])), "unknown guarantee");
        assert_eq!(invalid(&with(&carried, DATA_GUARANTEE, &[g])), "unknown guarantee");
        assert_eq!(invalid(&with(&carried, INNER_GUARANTEE, &[g])), "unknown guarantee");
    }
}

#[test]
fn bad_body_tags_are_rejected() {
    let plain = encode(&Packet::Data(app(rid(1, 4), 1, 1, Guarantee::Safe, b"")));
    let carried = encode(&Packet::Data(recovered(rid(1, 8), 1, 1, app(rid(1, 4), 1, 1, Guarantee::Safe, b""))));
    for t in [2, 0xFF] {
        assert_eq!(invalid(&with(&plain, DATA_TAG, &[t])), "unknown frame body tag");
        assert_eq!(invalid(&with(&carried, INNER_TAG, &[t])), "unknown frame body tag");
    }
}

#[test]
fn nested_recovered_is_rejected() {
    // Built by hand: the inner frame's tag says Recovered again.
    let carried = encode(&Packet::Data(recovered(rid(1, 8), 1, 1, app(rid(1, 4), 1, 1, Guarantee::Safe, b""))));
    assert_eq!(invalid(&with(&carried, INNER_TAG, &[1])), "recovered frame inside a recovered frame");
    // And through the encoder, which writes it faithfully.
    let nested = recovered(rid(1, 12), 1, 1, recovered(rid(1, 8), 1, 1, app(rid(1, 4), 1, 1, Guarantee::Safe, b"")));
    assert_eq!(invalid(&encode(&Packet::Data(nested))), "recovered frame inside a recovered frame");
}

/// A join with `links` as its poor links (`kind` "poor") or its unreached links.
fn join_with(kind: &str, links: Vec<(NodeId, NodeId)>) -> Packet {
    let join = Join { sender: 1, ..Join::default() };
    Packet::Join(if kind == "poor" { Join { poor_links: links, ..join } } else { Join { unreached: links, ..join } })
}

#[test]
fn bad_poor_or_unreached_links_are_rejected() {
    for kind in ["poor", "unreached"] {
        let bad = |links: Vec<(NodeId, NodeId)>| invalid(&encode(&join_with(kind, links)));
        assert_eq!(bad(vec![(0, 2)]), format!("{kind} link names node 0"));
        assert_eq!(bad(vec![(2, 0)]), format!("{kind} link names node 0"));
        assert_eq!(bad(vec![(3, 3)]), format!("{kind} link of a processor with itself"));
        assert_eq!(bad(vec![(2, 3), (1, 4)]), format!("{kind} links not strictly ascending"));
        assert_eq!(bad(vec![(2, 3), (2, 3)]), format!("{kind} links not strictly ascending"));
        let over = (1..=MAX_POOR_LINKS as u32 + 1).map(|i| (i, i + 1)).collect();
        assert_eq!(bad(over), format!("{kind} links over MAX_POOR_LINKS"));
        let both_ways = join_with(kind, vec![(1, 2), (2, 1)]);
        assert_eq!(decode(&encode(&both_ways)), Ok(both_ways));
    }
}

#[test]
fn zero_node_ids_are_rejected_where_they_name_a_processor() {
    let zero = [0u8; 4];
    let data = encode(&Packet::Data(app(rid(1, 4), 1, 1, Guarantee::Safe, b"")));
    assert_eq!(invalid(&with(&data, DATA_SENDER, &zero)), "frame sender is node 0");
    let carried = encode(&Packet::Data(recovered(rid(1, 8), 1, 1, app(rid(1, 4), 1, 1, Guarantee::Safe, b""))));
    assert_eq!(invalid(&with(&carried, INNER_SENDER, &zero)), "frame sender is node 0");
    let join =
        encode(&Packet::Join(Join { sender: 1, ring_seq: 4, proc_set: vec![1], fail_set: vec![], ..Join::default() }));
    assert_eq!(invalid(&with(&join, 4, &zero)), "join sender is node 0");
    for notice in [
        Packet::MergeDetect(MergeDetect { sender: 1, ring_id: rid(1, 4), ..MergeDetect::default() }),
        Packet::Leave(RingNotice { sender: 1, ring_id: rid(1, 4) }),
        Packet::HoldCancel(RingNotice { sender: 1, ring_id: rid(1, 4) }),
    ] {
        assert_eq!(invalid(&with(&encode(&notice), 4, &zero)), "notice sender is node 0");
    }
    let zero_in_set = Join { sender: 1, ring_seq: 4, proc_set: vec![0, 1], fail_set: vec![], ..Join::default() };
    assert_eq!(invalid(&encode(&Packet::Join(zero_in_set))), "node set holds node 0");
    let zero_in_fail = Join { sender: 1, ring_seq: 4, proc_set: vec![1], fail_set: vec![0], ..Join::default() };
    assert_eq!(invalid(&encode(&Packet::Join(zero_in_fail))), "node set holds node 0");
    let mut c = commit(2);
    c.members[0].node = 0;
    assert_eq!(invalid(&encode(&Packet::Commit(c))), "commit member is node 0");
    // aru_id 0 means "nobody lowered the aru" and ring ids are not node ids.
    let t = Packet::Token(Token { aru_id: 0, ring_id: RingId::default(), ..Token::default() });
    assert_eq!(decode(&encode(&t)), Ok(t));
}

#[test]
fn unsorted_or_duplicate_sets_are_rejected() {
    for (proc_set, fail_set) in [
        (vec![2, 1], vec![]),
        (vec![1, 1], vec![]),
        (vec![1, 3, 2], vec![]),
        (vec![1], vec![5, 5]),
        (vec![1], vec![6, 5]),
    ] {
        let bytes = encode(&Packet::Join(Join { sender: 1, ring_seq: 4, proc_set, fail_set, ..Join::default() }));
        assert_eq!(invalid(&bytes), "node set not strictly ascending");
    }
    // The two sets are independent: the same id may appear in both.
    let both =
        Packet::Join(Join { sender: 1, ring_seq: 4, proc_set: vec![1, 2], fail_set: vec![1, 2], ..Join::default() });
    assert_eq!(decode(&encode(&both)), Ok(both));

    for (a, b) in [(2, 1), (5, 5)] {
        let mut c = commit(2);
        c.members[0].node = a;
        c.members[1].node = b;
        assert_eq!(invalid(&encode(&Packet::Commit(c))), "commit members not strictly ascending");
    }
}

#[test]
fn list_limits_are_enforced() {
    // rtr: the full list decodes; one more is Invalid however the bytes look.
    let mut t = full_token();
    assert_eq!(decode(&encode(&Packet::Token(t.clone()))), Ok(Packet::Token(t.clone())));
    t.rtr.push(1);
    assert_eq!(invalid(&encode(&Packet::Token(t.clone()))), "rtr list over MAX_RTR");
    // Over u16::MAX entries the count saturates instead of wrapping to a small valid count.
    t.rtr = vec![1; 65_536 + 3];
    let bytes = encode(&Packet::Token(t));
    assert_eq!(&bytes[TOKEN_RTR_COUNT..TOKEN_RTR_COUNT + 2], [0xFF, 0xFF]);
    assert_eq!(decode(&bytes), Err(WireError::TooLarge));
    assert_eq!(invalid(&bytes[..MAX_PACKET]), "rtr list over MAX_RTR");

    let join = Join {
        sender: 1,
        ring_seq: 4,
        proc_set: (1..=MAX_MEMBERS as u32 + 1).collect(),
        fail_set: vec![],
        ..Join::default()
    };
    assert_eq!(invalid(&encode(&Packet::Join(join))), "node set over MAX_MEMBERS");
    let join = Join {
        sender: 1,
        ring_seq: 4,
        proc_set: vec![],
        fail_set: (1..=MAX_MEMBERS as u32 + 1).collect(),
        ..Join::default()
    };
    assert_eq!(invalid(&encode(&Packet::Join(join))), "node set over MAX_MEMBERS");

    let over = encode(&Packet::Commit(commit(MAX_MEMBERS + 1)));
    assert!(over.len() <= MAX_PACKET);
    assert_eq!(invalid(&over), "commit token over MAX_MEMBERS");
}

#[test]
fn counts_claiming_more_than_remains_are_truncated() {
    let token = encode(&Packet::Token(Token { rtr: vec![1, 2], ..Token::default() }));
    assert_eq!(decode(&with(&token, TOKEN_RTR_COUNT, &3u16.to_be_bytes())), Err(WireError::Truncated));
    assert_eq!(decode(&with(&token, TOKEN_RTR_COUNT, &(MAX_RTR as u16).to_be_bytes())), Err(WireError::Truncated));
    let join =
        encode(&Packet::Join(Join { sender: 1, ring_seq: 4, proc_set: vec![1], fail_set: vec![], ..Join::default() }));
    assert_eq!(decode(&with(&join, JOIN_PROC_COUNT, &(MAX_MEMBERS as u16).to_be_bytes())), Err(WireError::Truncated));
    let c = encode(&Packet::Commit(commit(1)));
    assert_eq!(decode(&with(&c, COMMIT_COUNT, &(MAX_MEMBERS as u16).to_be_bytes())), Err(WireError::Truncated));
    assert_eq!(
        decode(&with(&c, COMMIT_COUNT, &[0xFF, 0xFF])),
        Err(WireError::Invalid("commit token over MAX_MEMBERS"))
    );
}

/// Largest single allocation request made by this thread while `f` runs.
/// Backed by a counting allocator that wraps the system one in test builds.
mod alloc_probe {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        static ARMED: Cell<bool> = const { Cell::new(false) };
        static LARGEST: Cell<usize> = const { Cell::new(0) };
    }

    fn note(size: usize) {
        let _ = ARMED.try_with(|armed| {
            if armed.get() {
                let _ = LARGEST.try_with(|m| m.set(m.get().max(size)));
            }
        });
    }

    struct Probe;

    // SAFETY: every call is forwarded unchanged to the system allocator; the
    // bookkeeping touches only const-initialized thread-locals, which never allocate.
    unsafe impl GlobalAlloc for Probe {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            note(layout.size());
            System.alloc(layout)
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            note(layout.size());
            System.alloc_zeroed(layout)
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            System.dealloc(ptr, layout)
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            note(new_size);
            System.realloc(ptr, layout, new_size)
        }
    }

    #[global_allocator]
    static PROBE: Probe = Probe;

    pub fn largest_during<R>(f: impl FnOnce() -> R) -> (R, usize) {
        LARGEST.with(|m| m.set(0));
        ARMED.with(|a| a.set(true));
        let r = f();
        ARMED.with(|a| a.set(false));
        (r, LARGEST.with(|m| m.get()))
    }
}

#[test]
fn huge_lengths_are_rejected_without_allocating() {
    let data = encode(&Packet::Data(app(rid(1, 4), 1, 1, Guarantee::Safe, b"abc")));
    let carried = encode(&Packet::Data(recovered(rid(1, 8), 1, 1, app(rid(1, 4), 1, 1, Guarantee::Safe, b"abc"))));
    let token = encode(&Packet::Token(Token::default()));
    let join =
        encode(&Packet::Join(Join { sender: 1, ring_seq: 4, proc_set: vec![], fail_set: vec![], ..Join::default() }));
    let c = encode(&Packet::Commit(commit(0)));
    let cases = [
        with(&data, DATA_LEN, &u32::MAX.to_be_bytes()),
        with(&data, DATA_LEN, &4u32.to_be_bytes()),
        with(&carried, INNER_LEN, &u32::MAX.to_be_bytes()),
        with(&carried, INNER_LEN, &0x8000_0000u32.to_be_bytes()),
        with(&token, TOKEN_RTR_COUNT, &(MAX_RTR as u16).to_be_bytes()),
        with(&join, JOIN_PROC_COUNT, &(MAX_MEMBERS as u16).to_be_bytes()),
        with(&join, JOIN_PROC_COUNT + 2, &(MAX_MEMBERS as u16).to_be_bytes()),
        with(&c, COMMIT_COUNT, &(MAX_MEMBERS as u16).to_be_bytes()),
    ];
    for bytes in &cases {
        let (result, largest) = alloc_probe::largest_during(|| decode(bytes));
        assert_eq!(result, Err(WireError::Truncated));
        assert_eq!(largest, 0, "decode allocated {largest} bytes for a length it had not checked");
    }
    // Sanity check of the probe itself: a successful decode does allocate.
    let (result, largest) = alloc_probe::largest_during(|| decode(&data));
    assert!(result.is_ok());
    assert!(largest >= 3);
}

#[test]
fn errors_display_and_are_std_errors() {
    let errors = [
        WireError::Truncated,
        WireError::BadMagic,
        WireError::BadVersion(9),
        WireError::BadType(200),
        WireError::TrailingBytes,
        WireError::Invalid("node set holds node 0"),
        WireError::TooLarge,
    ];
    for e in &errors {
        let boxed: Box<dyn std::error::Error> = Box::new(e.clone());
        assert!(!boxed.to_string().is_empty());
    }
    assert_eq!(WireError::BadVersion(9).to_string(), "unsupported wire version 9 (expected 6)");
    assert_eq!(WireError::Invalid("x").to_string(), "invalid packet: x");
}

// ---------------------------------------------------------------------------
// Fuzzing

/// xorshift64*: tiny, deterministic, good enough to drive mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// Values that tend to sit on a boundary of some check.
const INTERESTING: [u8; 8] = [0, 1, 2, 3, 4, 0x7F, 0x80, 0xFF];

fn mutate(rng: &mut Rng, b: &mut Vec<u8>) {
    let pos = |rng: &mut Rng, b: &Vec<u8>| rng.below(b.len().max(1));
    match rng.below(9) {
        0 if !b.is_empty() => {
            let i = pos(rng, b);
            b[i] ^= 1 << rng.below(8);
        }
        1 if !b.is_empty() => {
            let i = pos(rng, b);
            b[i] = rng.byte();
        }
        2 if !b.is_empty() => {
            let i = pos(rng, b);
            b[i] = INTERESTING[rng.below(INTERESTING.len())];
        }
        3 => {
            let len = rng.below(b.len() + 1);
            b.truncate(len);
        }
        4 => {
            for _ in 0..1 + rng.below(8) {
                b.push(rng.byte());
            }
        }
        5 => {
            let i = rng.below(b.len() + 1);
            b.insert(i, rng.byte());
        }
        6 if !b.is_empty() => {
            let i = pos(rng, b);
            b.remove(i);
        }
        7 if b.len() >= 2 => {
            // Rewrite what may be a u16 count with a small or extreme value.
            let i = rng.below(b.len() - 1);
            let v: u16 = match rng.below(3) {
                0 => rng.below(4) as u16,
                1 => u16::MAX - rng.below(4) as u16,
                _ => rng.next() as u16,
            };
            b[i..i + 2].copy_from_slice(&v.to_be_bytes());
        }
        8 if b.len() >= 4 => {
            // Rewrite what may be a u32 length or node id.
            let i = rng.below(b.len() - 3);
            let v: u32 = match rng.below(3) {
                0 => rng.below(4) as u32,
                1 => u32::MAX - rng.below(4) as u32,
                _ => rng.next() as u32,
            };
            b[i..i + 4].copy_from_slice(&v.to_be_bytes());
        }
        _ => {}
    }
}

#[test]
fn fuzz_mutated_encodings() {
    // Small packets only: the mutation loop copies its input each round.
    let corpus: Vec<Vec<u8>> = samples().iter().map(encode).filter(|b| b.len() <= 4_096).collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut decoded = 0usize;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..200_000 {
        let mut bytes = corpus[rng.below(corpus.len())].clone();
        for _ in 0..1 + rng.below(4) {
            mutate(&mut rng, &mut bytes);
        }
        match decode(&bytes) {
            Ok(p) => {
                decoded += 1;
                // The format is canonical: what decodes re-encodes to the same bytes...
                let again = encode(&p);
                assert_eq!(again, bytes, "non-canonical encoding accepted for {p:?}");
                // ...and so decodes to the same packet.
                assert_eq!(decode(&again), Ok(p));
            }
            Err(e) => {
                seen.insert(std::mem::discriminant(&e));
            }
        }
    }
    // The mutations must exercise both sides, or the loop proves little.
    assert!(decoded > 5_000, "only {decoded} mutants decoded");
    assert!(seen.len() >= 6, "only {} error kinds reached", seen.len());
}

#[test]
fn peek_data_reads_a_data_frames_ring_and_seq_and_nothing_else() {
    for p in samples() {
        let bytes = encode(&p);
        match &p {
            Packet::Data(f) | Packet::Resent(f) => {
                assert_eq!(peek_data(&bytes), Some((f.ring_id, f.seq)));
                // Its header is all it needs; anything shorter is not a frame.
                let header = 4 + RING_ID_LEN + 8;
                assert_eq!(peek_data(&bytes[..header]), Some((f.ring_id, f.seq)));
                for cut in 0..header {
                    assert_eq!(peek_data(&bytes[..cut]), None, "cut at {cut}");
                }
            }
            _ => assert_eq!(peek_data(&bytes), None, "{p:?}"),
        }
    }
    let data = encode(&Packet::Data(app(rid(1, 4), 9, 1, Guarantee::Agreed, b"x")));
    assert_eq!(peek_data(&with(&data, 2, &[WIRE_VERSION - 1])), None, "another version");
}

/// Every place a ring seq travels (ring ids of every packet, a commit
/// entry's old ring, a join's `ring_seq`) takes `MAX_RING_SEQ` and refuses
/// one more: a forged seq near `u64::MAX` never reaches a processor.
#[test]
fn ring_seqs_over_max_ring_seq_are_rejected() {
    let packets = |seq: u64| {
        let r = rid(3, seq);
        let mut old_ring = commit(1);
        old_ring.members[0].old_ring_id = r;
        vec![
            Packet::Token(Token { ring_id: r, ..Token::default() }),
            Packet::Data(app(r, 1, 1, Guarantee::Agreed, b"x")),
            Packet::Data(recovered(rid(3, 8), 1, 1, app(r, 1, 1, Guarantee::Agreed, b"x"))),
            Packet::Join(Join { sender: 3, ring_seq: seq, proc_set: vec![3], fail_set: vec![], ..Join::default() }),
            Packet::Commit(CommitToken { ring_id: r, hops: 0, members: vec![entry(3, 0)] }),
            Packet::Commit(old_ring),
            Packet::MergeDetect(MergeDetect {
                sender: 3,
                ring_id: r,
                heard: vec![],
                members: vec![],
                ..MergeDetect::default()
            }),
            Packet::Leave(RingNotice { sender: 3, ring_id: r }),
            Packet::HoldCancel(RingNotice { sender: 3, ring_id: r }),
        ]
    };
    for p in packets(MAX_RING_SEQ) {
        assert_eq!(decode(&encode(&p)), Ok(p));
    }
    for p in packets(MAX_RING_SEQ + 1).into_iter().chain(packets(u64::MAX - 3)) {
        assert_eq!(decode(&encode(&p)), Err(WireError::Invalid("ring seq over MAX_RING_SEQ")), "{p:?}");
    }
}

#[test]
fn a_token_flag_is_set_in_place_and_nothing_else_is_touched() {
    let token = Token { token_seq: 7, flags: token_flags::HELD, to: 3, rtr: vec![5], ..Token::default() };
    let mut bytes = encode(&Packet::Token(token.clone()));
    assert!(set_token_flag(&mut bytes, token_flags::RESENT_BY_MULTICAST));
    let flags = token_flags::HELD | token_flags::RESENT_BY_MULTICAST;
    assert_eq!(decode(&bytes), Ok(Packet::Token(Token { flags, ..token })));
    let commit = encode(&Packet::Commit(commit(2)));
    let mut copy = commit.clone();
    assert!(!set_token_flag(&mut copy, token_flags::RESENT_BY_MULTICAST), "a commit token has no flags");
    assert_eq!(copy, commit);
    let mut short = bytes[..20].to_vec();
    assert!(!set_token_flag(&mut short, token_flags::RESENT_BY_MULTICAST));
    assert_eq!(short, bytes[..20]);
}
