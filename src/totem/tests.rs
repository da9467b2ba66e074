//! The core's own scenarios on a clean network (the simulator under
//! `tests/` covers faults and judges histories with the EVS checker).

use super::testnet::TestNet;
use super::{ConfigKind, Event, Guarantee, State, MS};

#[test]
fn singleton_forms_a_ring() {
    let mut net = TestNet::new(1);
    net.run_for(TestNet::ms(500));
    assert_eq!(net.procs[&1].state(), State::Operational);
    assert_eq!(net.regular_configs(1), vec![vec![1]]);
    net.submit(1, Guarantee::Safe, b"x".to_vec());
    net.run_for(TestNet::ms(500));
    assert_eq!(net.delivered(1), vec![b"x".to_vec()]);
}

#[test]
fn three_form_one_ring_and_agree() {
    let mut net = TestNet::new(3);
    net.run_for(TestNet::ms(1000));
    for id in 1..=3 {
        assert_eq!(net.procs[&id].state(), State::Operational, "node {id}");
        assert_eq!(net.regular_configs(id).last(), Some(&vec![1, 2, 3]), "node {id}");
    }
    for i in 0..30u8 {
        let g = [Guarantee::Agreed, Guarantee::Safe, Guarantee::Fifo][i as usize % 3];
        net.submit(1 + (i as u32 % 3), g, vec![i]);
    }
    net.run_for(TestNet::ms(1000));
    let d1 = net.delivered(1);
    assert_eq!(d1.len(), 30);
    assert_eq!(d1, net.delivered(2));
    assert_eq!(d1, net.delivered(3));
}

#[test]
fn idle_ring_holds_the_token() {
    let mut net = TestNet::new(3);
    net.run_for(TestNet::ms(1000));
    let before = net.procs[&1].visits.last_token_seq();
    net.run_for(TestNet::ms(1000));
    let rotations = (net.procs[&1].visits.last_token_seq() - before) / 3;
    // Held ~119 ms per rotation: under 20 rotations a second, not thousands.
    assert!(rotations > 2 && rotations < 20, "rotations in 1 s idle: {rotations}");
}

#[test]
fn an_idle_ring_rests_its_token_at_the_last_sender() {
    // Node 3 (not the representative) sends, the ring goes idle: the token
    // waits at node 3, so its next message needs no cancel and no token
    // rotation to go out, only the one hop of its multicast (100 us here).
    let mut net = TestNet::new(3);
    net.run_for(TestNet::ms(1000));
    net.submit(3, Guarantee::Agreed, b"first".to_vec());
    net.run_for(TestNet::ms(1000));
    assert!(net.procs[&3].hold.is_holding(), "the last sender holds the idle ring's token");
    assert!(!net.procs[&1].hold.is_holding(), "and only it");
    let sent_at = net.now;
    net.submit(3, Guarantee::Agreed, b"second".to_vec());
    net.run_for(TestNet::ms(100));
    for id in 1..=3 {
        let (at, _) = *net
            .delivered_at(id)
            .iter()
            .rfind(|(_, e)| matches!(e, Event::Deliver(d) if &d.payload[..] == b"second"))
            .unwrap_or_else(|| panic!("node {id} did not deliver"));
        // A hop is 100 us; through the representative (a cancel, then the
        // token over two hops, then the multicast) it took 400.
        assert!(at - sent_at <= 150, "node {id} delivered {} us after the send", at - sent_at);
    }
}

#[test]
fn crash_forms_a_new_ring_without_the_dead() {
    let mut net = TestNet::new(3);
    net.run_for(TestNet::ms(1000));
    net.crash(3);
    net.run_for(TestNet::ms(4000));
    for id in 1..=2 {
        assert_eq!(net.regular_configs(id).last(), Some(&vec![1, 2]), "node {id}");
        let trans: Vec<_> = net.events[&id]
            .iter()
            .filter_map(|e| match e {
                Event::ConfigChange(c) if c.kind == ConfigKind::Transitional => {
                    Some((c.members.clone(), c.left.clone()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(trans.last(), Some(&(vec![1, 2], vec![3])));
    }
}

#[test]
fn graceful_leave_is_quick() {
    let mut net = TestNet::new(3);
    net.run_for(TestNet::ms(1000));
    net.leave(2);
    net.run_for(TestNet::ms(300));
    assert_eq!(net.procs[&2].state(), State::Left);
    for id in [1, 3] {
        assert_eq!(net.regular_configs(id).last(), Some(&vec![1, 3]), "node {id}");
    }
}

#[test]
fn late_starter_merges() {
    let mut net = TestNet::new(2);
    net.run_for(TestNet::ms(1000));
    net.add(3, super::Config::new(3));
    net.run_for(TestNet::ms(2000));
    for id in 1..=3 {
        assert_eq!(net.regular_configs(id).last(), Some(&vec![1, 2, 3]), "node {id}");
    }
}

#[test]
fn large_messages_travel_as_fragments() {
    let mut net = TestNet::new(3);
    net.run_for(TestNet::ms(1000));
    let big: Vec<u8> = (0..200_000u32).map(|i| (i * 7) as u8).collect();
    net.submit(2, Guarantee::Agreed, big.clone());
    net.submit(3, Guarantee::Unordered, big[..5000].to_vec());
    net.submit(1, Guarantee::Safe, b"small".to_vec());
    net.run_for(TestNet::ms(2000));
    for id in 1..=3 {
        let got = net.delivered(id);
        assert_eq!(got.len(), 3, "node {id}");
        assert!(got.contains(&big), "node {id}");
        assert!(got.contains(&big[..5000].to_vec()), "node {id}");
    }
}

#[test]
fn oversized_message_is_refused() {
    let mut net = TestNet::new(1);
    net.run_for(TestNet::ms(200));
    let p = net.procs.get_mut(&1).unwrap();
    assert_eq!(p.submit(0, Guarantee::Agreed, vec![0; (1 << 20) + 4097]), Err(super::SubmitError::TooBig));
}

/// More backlogged members than the window has frames: every member with
/// something queued still sends within a bounded number of rotations (the
/// floor of one frame holds even when the others fill the window), instead of
/// waiting for the members early in ring order to drain.
#[test]
fn a_full_window_starves_no_member() {
    use super::{Config, Processor};
    let n = 16;
    let mut net = TestNet::new(0);
    for id in 1..=n {
        let mut c = Config::new(id);
        c.window_size = 10;
        c.max_messages = 10;
        net.add(id, c);
    }
    net.run_for(TestNet::ms(1000));
    assert_eq!(net.regular_configs(1).last().map(|m| m.len()), Some(n as usize));
    // Members 1-3 queue as much as their send queues take; every message is
    // over half a frame, so that each takes a frame of its own (`packing.rs`).
    let pad = [0u8; 800];
    let now = net.now;
    for id in 1..=3 {
        let p: &mut Processor = net.procs.get_mut(&id).unwrap();
        let mut k = 0u32;
        while p.submit(now, Guarantee::Agreed, [&[id as u8, 0], &k.to_be_bytes()[..], &pad].concat()).is_ok() {
            k += 1;
        }
        assert!(k > 1000, "node {id} queued only {k}");
    }
    // Everyone else has a backlog too, smaller.
    for id in 4..=n {
        for k in 1..=50u8 {
            net.submit(id, Guarantee::Agreed, [&[id as u8, k][..], &pad].concat());
        }
    }
    // A rotation of 16 hops takes about 2 ms here; the heavy backlog, at 10
    // frames a rotation, lasts hundreds. 50 rotations are plenty for one frame
    // from each member.
    net.run_for(TestNet::ms(100));
    let got = net.delivered(1);
    let heavy_left = got.iter().filter(|p| p[0] <= 3).count() < 3000;
    assert!(heavy_left, "the heavy senders drained: the test proves nothing");
    let starved: Vec<u32> = (4..=n).filter(|&id| !got.iter().any(|p| p[..2] == [id as u8, 1])).collect();
    assert!(starved.is_empty(), "members {starved:?} sent nothing in 100 ms while 1-3 had backlog");
}

/// Three members flood with `accelerated_window` set; their transmits, each
/// decoded, in the order each asked for them.
fn accelerated_flood(window: u32) -> (TestNet, Vec<(u32, super::Destination, super::packet::Packet)>) {
    use super::{Config, Processor};
    let mut net = TestNet::new(0);
    for id in 1..=3 {
        let mut c = Config::new(id);
        c.window_size = 30;
        c.max_messages = 10;
        c.accelerated_window = window;
        net.add(id, c);
    }
    net.run_for(TestNet::ms(1000));
    assert_eq!(net.regular_configs(1).last(), Some(&vec![1, 2, 3]));
    net.sent_log = Some(Vec::new());
    // Over half a frame each, so that every message takes a frame of its own
    // (`packing.rs`) and each visit sends max_messages of them.
    let pad = [0u8; 800];
    let now = net.now;
    for id in 1..=3u32 {
        let p: &mut Processor = net.procs.get_mut(&id).unwrap();
        for k in 0..300u32 {
            p.submit(now, Guarantee::Agreed, [&[id as u8][..], &k.to_be_bytes(), &pad].concat()).unwrap();
        }
    }
    net.run_for(TestNet::ms(2000));
    let log = net.sent_log.take().unwrap();
    let decoded = log.into_iter().map(|(id, dest, bytes)| (id, dest, super::wire::decode(&bytes).unwrap())).collect();
    (net, decoded)
}

/// The accelerated ring on a clean network: each visit's last frames follow
/// the token, whose `tail` counts them, the successor (which gets the token
/// first here: fixed delay, FIFO) asks for none of them, and everything is
/// delivered in one order, each sender's messages in the order it sent them.
#[test]
fn accelerated_ring_sends_the_tail_after_the_token_without_retransmissions() {
    use super::packet::Packet;
    let (net, sent) = accelerated_flood(4);
    let mut tokens_with_tail = 0;
    let mut passed = std::collections::HashSet::new();
    for (i, (from, _, packet)) in sent.iter().enumerate() {
        let Packet::Token(token) = packet else { continue };
        // Only a visit's own pass: not a resend of the kept copy, nor a token
        // relayed for another member (`relay.rs`), which carry its tail too.
        if token.tail == 0 || token.to != from % 3 + 1 || !passed.insert((*from, token.token_seq)) {
            continue;
        }
        tokens_with_tail += 1;
        assert!(token.tail <= 4, "tail {} over the window", token.tail);
        // The next transmits of the same sender are its tail, in seq order.
        let after: Vec<u64> = sent[i + 1..]
            .iter()
            .filter(|(f, ..)| f == from)
            .take(token.tail as usize)
            .map(|(_, _, p)| match p {
                Packet::Data(d) if d.sender == *from => d.seq,
                other => panic!("node {from}: {other:?} where its tail should follow its token"),
            })
            .collect();
        let expected: Vec<u64> = (token.seq - u64::from(token.tail) + 1..=token.seq).collect();
        assert_eq!(after, expected, "node {from}: the frames after its token");
        // And no frame of that visit went before the token with a seq in the tail.
        let before_tail =
            sent[..i].iter().rev().filter(|(f, ..)| f == from).take_while(|(_, _, p)| matches!(p, Packet::Data(_)));
        for (_, _, p) in before_tail {
            let Packet::Data(d) = p else { unreachable!() };
            assert!(d.seq <= token.seq - u64::from(token.tail), "frame {} sent before the token that tails it", d.seq);
        }
    }
    assert!(
        tokens_with_tail > 50,
        "only {tokens_with_tail} tokens had a tail: the flood did not use the accelerated ring"
    );
    let mut after_token = 0;
    for id in 1..=3 {
        let c = net.procs[&id].counters();
        assert_eq!(c.frame_retransmits, 0, "node {id} retransmitted on a clean network");
        after_token += c.frames_after_token;
    }
    assert!(after_token > 200, "frames after the token: {after_token}");
    let d1 = net.delivered(1);
    assert_eq!(d1.len(), 900);
    assert_eq!(d1, net.delivered(2));
    assert_eq!(d1, net.delivered(3));
    for id in 1..=3u8 {
        let ks: Vec<u32> =
            d1.iter().filter(|p| p[0] == id).map(|p| u32::from_be_bytes([p[1], p[2], p[3], p[4]])).collect();
        assert_eq!(ks, (0..300).collect::<Vec<_>>(), "node {id}'s messages out of order");
    }
}

/// `accelerated_window: 0` is the plain ring: every frame goes before the token.
#[test]
fn accelerated_window_zero_sends_nothing_after_the_token() {
    use super::packet::Packet;
    let (net, sent) = accelerated_flood(0);
    assert!(sent.iter().all(|(_, _, p)| !matches!(p, Packet::Token(t) if t.tail != 0)));
    for id in 1..=3 {
        assert_eq!(net.procs[&id].counters().frames_after_token, 0);
        assert_eq!(net.procs[&id].counters().frame_retransmits, 0);
    }
    assert_eq!(net.delivered(1).len(), 900);
}

#[test]
fn accelerated_window_is_at_most_max_messages() {
    let mut c = super::Config::new(1);
    c.accelerated_window = c.max_messages;
    assert_eq!(c.validate(), Ok(()));
    c.accelerated_window = c.max_messages + 1;
    assert!(c.validate().unwrap_err().contains("accelerated_window"));
}

/// The detects node 2 sent since `from` in the net's log.
fn detects_sent_by_2(net: &TestNet, from: usize) -> Vec<super::packet::MergeDetect> {
    net.sent_log.as_ref().unwrap()[from..]
        .iter()
        .filter(|(id, _, _)| *id == 2)
        .filter_map(|(_, _, bytes)| match super::wire::decode(bytes) {
            Ok(super::packet::Packet::MergeDetect(d)) => Some(d),
            _ => None,
        })
        .collect()
}

/// A ring gathers for another's merge-detect only when it names every one of
/// its members: one that hears only some of them cannot complete a gathering
/// with the ring, and would send it to gather (and see it re-form without
/// it) each time it heard one of them again (asym seed 35). Any member, not
/// only the representative, answers a detect that does not name it, so that
/// the sender learns whom it hears. And it gathers only once it heard every
/// member of the other ring: that ring gathers by the same rule (seed 31).
#[test]
fn a_merge_detect_that_names_part_of_the_ring_is_answered_not_merged() {
    use super::packet::{MergeDetect, Packet};
    let mut net = TestNet::new(3);
    net.run_for(1000 * MS);
    assert_eq!(net.regular_configs(2).last(), Some(&vec![1, 2, 3]));
    net.sent_log = Some(Vec::new());
    let foreign = super::RingId { rep: 9, seq: 8 };
    let detect = |heard: Vec<u32>| {
        super::wire::encode(&Packet::MergeDetect(MergeDetect {
            sender: 9,
            ring_id: foreign,
            heard,
            members: vec![9],
            ..MergeDetect::default()
        }))
    };

    net.deliver_now(2, &detect(vec![1]));
    assert_eq!(net.procs[&2].state(), State::Operational, "9 does not hear 2 and 3");
    let answers = detects_sent_by_2(&net, 0);
    assert_eq!(answers.len(), 1, "node 2 (not the representative) answers");
    assert_eq!(answers[0].heard, vec![9]);

    let mark = net.sent_log.as_ref().unwrap().len();
    net.now += 200 * MS; // past the answer's pacing
    net.deliver_now(2, &detect(vec![1, 2]));
    assert_eq!(net.procs[&2].state(), State::Operational, "9 does not hear 3");
    assert!(detects_sent_by_2(&net, mark).is_empty(), "a detect naming 2 needs no answer from 2");

    // 9's ring also holds 10, which 2 never heard: that ring would not gather
    // for our detects, so 2 would gather alone for nothing.
    let detect_of = |sender: u32, heard: Vec<u32>| {
        let d = MergeDetect { sender, ring_id: foreign, heard, members: vec![9, 10], ..MergeDetect::default() };
        super::wire::encode(&Packet::MergeDetect(d))
    };
    net.deliver_now(2, &detect_of(9, vec![1, 2, 3]));
    assert_eq!(net.procs[&2].state(), State::Operational, "2 never heard 10");
    net.deliver_now(2, &detect_of(10, vec![1]));
    assert_eq!(net.procs[&2].state(), State::Operational);

    net.deliver_now(2, &detect_of(9, vec![1, 2, 3]));
    assert_eq!(net.procs[&2].state(), State::Gather, "contact both ways with all: merge");
}

/// On an idle ring the token rests a while at its holder (`hold.rs`): no
/// member upstream of it may take the wait for a lost token and resend it
/// (before, a member two hops before the holder resent it 40 times a
/// second, from the second resend by multicast, and took its successor for
/// one its unicast could not reach).
#[test]
fn an_idle_ring_resends_no_token() {
    for n in [3, 5] {
        let mut net = TestNet::new(n);
        net.run_for(2000 * MS);
        for (id, p) in &net.procs {
            assert_eq!(p.counters.token_retransmits, 0, "ring of {n}: member {id} resent the token");
            let successor = p.ring.members[(p.ring.members.iter().position(|m| m == id).unwrap() + 1) % n as usize];
            assert!(!p.forwarder.unicast_fails_to(successor), "ring of {n}: member {id}");
        }
    }
}
