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
