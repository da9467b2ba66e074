//! The core's own scenarios on a clean network (the simulator under
//! `tests/` covers faults and judges histories with the EVS checker).

use super::testnet::TestNet;
use super::{ConfigKind, Event, Guarantee, State};

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
