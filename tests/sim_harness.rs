//! Tests of the simulator itself, without the real processor: the PRNG, the network's
//! statistics and partitions, determinism, the slow-receiver queue, the payload codec,
//! scenario generation, and a whole run driven with a toy processor.
mod sim;

use std::collections::VecDeque;

use evs::check::{Ending, History, MsgId, Record};
use evs::totem::{
    Config, ConfigChange, ConfigKind, Delivery, Destination, Event, Guarantee, NodeId, RingId, State, SubmitError,
    Time, Transmit, MS,
};

use sim::app::{decode_payload, encode_payload, Workload, MSGID_LEN};
use sim::network::{LinkParams, Network};
use sim::proto::Proto;
use sim::queue::EventQueue;
use sim::recv_queue::{Arrival, RecvQueue};
use sim::rng::Rng;
use sim::{generate, run_scenario_with, Action, Family, Scenario, SETTLE};

// ---------------------------------------------------------------- rng

#[test]
fn rng_same_seed_same_draws() {
    let mut a = Rng::new(7);
    let mut b = Rng::new(7);
    for _ in 0..1000 {
        assert_eq!(a.next_u64(), b.next_u64());
    }
    let mut c = Rng::new(8);
    let differ = (0..100).filter(|_| a.next_u64() != c.next_u64()).count();
    assert!(differ > 95);
}

#[test]
fn rng_ranges_and_probabilities() {
    let mut r = Rng::new(1);
    let mut hits = [0u32; 10];
    for _ in 0..100_000 {
        let f = r.f64();
        assert!((0.0..1.0).contains(&f));
        let x = r.range(10, 20);
        assert!((10..20).contains(&x));
        hits[(x - 10) as usize] += 1;
        let y = r.between(3, 5);
        assert!((3..=5).contains(&y));
    }
    for h in hits {
        assert!((9_000..11_000).contains(&h), "range not uniform: {hits:?}");
    }
    let trues = (0..100_000).filter(|_| r.bernoulli(0.3)).count();
    assert!((29_000..31_000).contains(&trues), "bernoulli(0.3) gave {trues}/100000");
    assert!(!(0..1000).any(|_| r.bernoulli(0.0)));
    assert!((0..1000).all(|_| r.bernoulli(1.0)));
    let items = [1, 2, 3];
    let mut seen = [false; 3];
    for _ in 0..100 {
        seen[*r.choose(&items) as usize - 1] = true;
    }
    assert_eq!(seen, [true; 3]);
    let mut w = [0u32; 3];
    for _ in 0..30_000 {
        w[r.weighted(&[1, 0, 2])] += 1;
    }
    assert_eq!(w[1], 0);
    assert!((9_000..11_000).contains(&w[0]), "{w:?}");
    let mean: f64 = (0..100_000).map(|_| r.exponential(5.0)).sum::<f64>() / 100_000.0;
    assert!((4.8..5.2).contains(&mean), "exponential mean {mean}");
}

// ---------------------------------------------------------------- event queue

#[test]
fn event_queue_orders_by_time_then_insertion() {
    let mut q = EventQueue::new();
    q.push(5, "c");
    q.push(1, "a");
    q.push(5, "d");
    q.push(1, "b");
    q.push(3, "x");
    let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
    assert_eq!(order, vec![(1, "a"), (1, "b"), (3, "x"), (5, "c"), (5, "d")]);
}

// ---------------------------------------------------------------- network

fn net(loss: f64, dup: f64, delay: Time, jitter: Time) -> Network {
    Network::new(LinkParams { loss, dup, delay, jitter })
}

#[test]
fn network_loss_matches_probability() {
    for p in [0.0, 0.05, 0.3, 0.9] {
        let mut n = net(p, 0.0, 100, 0);
        let mut r = Rng::new(42);
        let trials = 50_000;
        let lost = (0..trials).filter(|_| n.carry(&mut r, 0, 1, 2).is_empty()).count();
        let rate = lost as f64 / trials as f64;
        assert!((rate - p).abs() < 0.01, "loss {p}: measured {rate}");
        assert_eq!(n.stats.lost, lost as u64);
    }
}

#[test]
fn network_duplication_and_delay() {
    let mut n = net(0.0, 0.1, 200, 50);
    let mut r = Rng::new(3);
    let mut dups = 0;
    for _ in 0..50_000 {
        let arrivals = n.carry(&mut r, 1_000, 1, 2);
        assert!(!arrivals.is_empty() && arrivals.len() <= 2);
        for at in &arrivals {
            assert!((1_200..=1_250).contains(at), "arrival {at} outside delay + jitter");
        }
        dups += (arrivals.len() == 2) as u32;
    }
    assert!((4_500..5_500).contains(&dups), "duplication 0.1 gave {dups}/50000");
}

#[test]
fn network_jitter_reorders() {
    let mut n = net(0.0, 0.0, 100, 1_000);
    let mut r = Rng::new(9);
    // Packets sent 10 us apart with 1 ms of jitter: some overtake their predecessor.
    let arrivals: Vec<Time> = (0..1000).map(|i| n.carry(&mut r, i * 10, 1, 2)[0]).collect();
    let overtaken = arrivals.windows(2).filter(|w| w[1] < w[0]).count();
    assert!(overtaken > 100, "only {overtaken} reorderings");
    let mut calm = net(0.0, 0.0, 100, 0);
    let arrivals: Vec<Time> = (0..1000).map(|i| calm.carry(&mut r, i * 10, 1, 2)[0]).collect();
    assert!(arrivals.windows(2).all(|w| w[0] <= w[1]), "no jitter must keep the order");
}

#[test]
fn network_one_way_loss_is_asymmetric() {
    let mut n = net(0.0, 0.0, 100, 0);
    n.set_oneway_loss(1, 2, 1.0);
    let mut r = Rng::new(5);
    for _ in 0..100 {
        assert!(n.carry(&mut r, 0, 1, 2).is_empty());
        assert_eq!(n.carry(&mut r, 0, 2, 1).len(), 1);
        assert_eq!(n.carry(&mut r, 0, 1, 3).len(), 1);
    }
    n.set_oneway_loss(1, 2, 0.5);
    let through = (0..20_000).filter(|_| !n.carry(&mut r, 0, 1, 2).is_empty()).count();
    assert!((9_500..10_500).contains(&through), "{through}");
    n.clear_oneway_loss();
    assert!((0..100).all(|_| !n.carry(&mut r, 0, 1, 2).is_empty()));
}

#[test]
fn network_partitions_drop_cross_component_packets() {
    let mut n = net(0.0, 0.0, 100, 0);
    let mut r = Rng::new(11);
    let live = [1, 2, 3, 4, 5];
    assert!(!n.is_partitioned());
    n.partition(&[vec![1, 2], vec![3, 4], vec![5]]);
    assert!(n.is_partitioned());
    let dests = |v: Vec<(NodeId, Time)>| v.into_iter().map(|(to, _)| to).collect::<Vec<_>>();
    assert_eq!(dests(n.route(&mut r, 0, 1, Destination::All, &live)), vec![1, 2]);
    assert_eq!(dests(n.route(&mut r, 0, 3, Destination::All, &live)), vec![3, 4]);
    assert_eq!(dests(n.route(&mut r, 0, 5, Destination::All, &live)), vec![5]);
    assert!(n.route(&mut r, 0, 1, Destination::Node(3), &live).is_empty());
    assert_eq!(dests(n.route(&mut r, 0, 4, Destination::Node(3), &live)), vec![3]);
    assert_eq!(n.stats.partitioned, 3 + 3 + 4 + 1);
    n.heal();
    assert!(!n.is_partitioned());
    assert_eq!(dests(n.route(&mut r, 0, 5, Destination::All, &live)), vec![1, 2, 3, 4, 5]);
}

#[test]
fn network_multicast_loops_back_and_skips_the_dead() {
    let mut n = net(0.0, 0.0, 100, 0);
    let mut r = Rng::new(1);
    let live = [1, 3]; // 2 crashed
    let v = n.route(&mut r, 0, 1, Destination::All, &live);
    assert_eq!(v, vec![(1, 100), (3, 100)]);
    assert!(n.route(&mut r, 0, 1, Destination::Node(2), &live).is_empty());
    assert_eq!(n.stats.to_dead, 1);
    assert_eq!(n.route(&mut r, 0, 1, Destination::Node(1), &live), vec![(1, 100)]);
}

#[test]
fn network_decisions_are_deterministic() {
    let run = |seed| {
        let mut n = net(0.2, 0.05, 100, 500);
        n.set_oneway_loss(2, 3, 0.5);
        let mut r = Rng::new(seed);
        let live = [1, 2, 3, 4];
        let mut out = Vec::new();
        for i in 0..2_000u64 {
            if i == 700 {
                n.partition(&[vec![1, 2], vec![3, 4]]);
            }
            if i == 1_400 {
                n.heal();
            }
            let from = (i % 4) as NodeId + 1;
            let dest = if i % 3 == 0 { Destination::Node((i % 4) as NodeId + 1) } else { Destination::All };
            out.push(n.route(&mut r, i * 7, from, dest, &live));
        }
        (out, n.stats)
    };
    assert_eq!(run(99), run(99));
    assert_ne!(run(99).0, run(100).0);
}

// ---------------------------------------------------------------- slow receivers

#[test]
fn slow_receiver_drops_when_full() {
    let mut q: RecvQueue<u32> = RecvQueue::new(2, 3); // 2 per ms: 500 us each, 3 queued at most
    assert_eq!(q.service_time(), 500);
    assert_eq!(q.arrive(0, 0), Arrival::Process(0));
    assert_eq!(q.arrive(10, 1), Arrival::Queued { wake_at: Some(500) });
    assert_eq!(q.arrive(20, 2), Arrival::Queued { wake_at: None });
    assert_eq!(q.arrive(30, 3), Arrival::Queued { wake_at: None });
    assert_eq!(q.arrive(40, 4), Arrival::Dropped);
    assert_eq!(q.dropped, 1);
    assert_eq!(q.service(500), (Some(1), Some(1000)));
    assert_eq!(q.arrive(600, 5), Arrival::Queued { wake_at: None });
    assert_eq!(q.arrive(610, 6), Arrival::Dropped);
    assert_eq!(q.service(1000), (Some(2), Some(1500)));
    assert_eq!(q.service(1500), (Some(3), Some(2000)));
    assert_eq!(q.service(2000), (Some(5), None));
    assert!(q.is_empty());
    assert_eq!(q.max_len, 3);
    // Idle again once the last packet is done.
    assert_eq!(q.arrive(2600, 7), Arrival::Process(7));
}

#[test]
fn slow_receiver_rate_is_bounded() {
    // Offer 10 packets per ms for 100 ms to a 4-per-ms receiver with a 1000 buffer:
    // it handles about 4 per ms, whatever the offered load.
    let mut q: RecvQueue<u64> = RecvQueue::new(4, 1000);
    let mut events: EventQueue<Option<u64>> = EventQueue::new();
    for i in 0..1000u64 {
        events.push(i * 100, Some(i));
    }
    let mut handled = Vec::new();
    while let Some((t, ev)) = events.pop() {
        if t > 100 * MS {
            break;
        }
        match ev {
            Some(p) => match q.arrive(t, p) {
                Arrival::Process(p) => handled.push((t, p)),
                Arrival::Queued { wake_at: Some(w) } => events.push(w, None),
                _ => {}
            },
            None => {
                let (p, next) = q.service(t);
                handled.extend(p.map(|p| (t, p)));
                if let Some(w) = next {
                    events.push(w, None);
                }
            }
        }
    }
    assert!((395..=405).contains(&handled.len()), "handled {}", handled.len());
    assert!(handled.windows(2).all(|w| w[0].1 < w[1].1), "FIFO order");
}

// ---------------------------------------------------------------- payload codec

#[test]
fn msgid_payload_round_trip() {
    let mut r = Rng::new(123);
    for i in 0..1000u64 {
        let id = MsgId { node: r.next_u64() as u32, incarnation: r.next_u64() as u32, counter: r.next_u64() ^ i };
        let pad = r.between(0, 200) as usize;
        let bytes = encode_payload(id, pad, &mut r);
        assert_eq!(bytes.len(), MSGID_LEN + pad);
        assert_eq!(decode_payload(&bytes), Some(id));
    }
    let id = MsgId { node: 0x01020304, incarnation: 5, counter: 0x0a0b };
    let bytes = encode_payload(id, 0, &mut r);
    assert_eq!(bytes, [1, 2, 3, 4, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0x0a, 0x0b], "big-endian layout");
    assert_eq!(decode_payload(&bytes[..MSGID_LEN - 1]), None);
    assert_eq!(decode_payload(&[]), None);
}

// ---------------------------------------------------------------- scenarios

#[test]
fn scenarios_are_deterministic_and_well_formed() {
    for family in Family::ALL {
        for seed in 0..50 {
            let s = generate(family, seed);
            assert_eq!(s, generate(family, seed), "{} seed {seed}", family.name());
            assert!(s.schedule.windows(2).all(|w| w[0].0 <= w[1].0), "schedule out of order");
            assert_eq!(s.schedule.last(), Some(&(s.faults_end, Action::Clean)));
            assert_eq!(s.end, s.faults_end + sim::scenario::settle(&s.config));
            assert!(s.workload.stop <= s.faults_end);
            let n = s.starts.len();
            assert!(n >= 1 && n <= if family == Family::Big { 64 } else { 16 });
            for (_, a) in &s.schedule {
                if let Action::Partition(g) = a {
                    let mut all: Vec<NodeId> = g.concat();
                    all.sort_unstable();
                    assert_eq!(all, (1..=n as NodeId).collect::<Vec<_>>(), "a partition lists every node once");
                    assert!(g.len() >= 2 && g.iter().all(|c| !c.is_empty()));
                }
            }
        }
    }
    assert_ne!(generate(Family::Loss, 1), generate(Family::Loss, 2));
}

#[test]
fn default_seed_counts_reach_500() {
    let total: u64 = Family::ALL.iter().map(|f| f.default_seeds()).sum();
    assert!(total >= 500, "{total}");
}

// ---------------------------------------------------------------- a whole run, toy processor

/// A toy processor: multicasts each message at once and delivers what it receives;
/// a heartbeat every 100 ms; at most 10 submits between heartbeats (then QueueFull);
/// a leave completes at the next timeout. Enough to drive every path of the cluster.
struct Toy {
    id: NodeId,
    out: VecDeque<Transmit>,
    events: VecDeque<Event>,
    deadline: Time,
    seq: u64,
    budget: u32,
    leaving: bool,
    left: bool,
}

const DATA: u8 = 1;
const BEAT: u8 = 2;

impl Proto for Toy {
    fn start(config: Config, now: Time, _seed: u64) -> Self {
        let id = config.node_id;
        let mut t = Toy {
            id,
            out: VecDeque::new(),
            events: VecDeque::new(),
            deadline: now + 100 * MS,
            seq: 0,
            budget: 10,
            leaving: false,
            left: false,
        };
        t.events.push_back(Event::ConfigChange(ConfigChange {
            kind: ConfigKind::Regular,
            ring_id: RingId { rep: id, seq: 4 },
            members: vec![id],
            left: vec![],
            joined: vec![id],
        }));
        t
    }
    fn state(&self) -> State {
        if self.left {
            State::Left
        } else {
            State::Operational
        }
    }
    fn handle_packet(&mut self, _now: Time, bytes: &[u8]) {
        assert!(!self.left, "a left processor got a packet");
        if bytes[0] == DATA {
            self.seq += 1;
            self.events.push_back(Event::Deliver(Delivery {
                sender: u32::from_be_bytes(bytes[1..5].try_into().unwrap()),
                guarantee: Guarantee::from_u8(bytes[5]).unwrap(),
                ring_id: RingId { rep: self.id, seq: 4 },
                seq: self.seq,
                payload: bytes[6..].to_vec().into(),
            }));
        }
    }
    fn handle_timeout(&mut self, now: Time) {
        assert!(now >= self.deadline, "woken early");
        if self.leaving {
            self.left = true;
            self.events.push_back(Event::Left);
            return;
        }
        self.deadline = now + 100 * MS;
        self.budget = 10;
        self.out.push_back(Transmit { dest: Destination::All, bytes: vec![BEAT] });
        // A unicast too, to exercise the rotation estimate.
        self.out.push_back(Transmit { dest: Destination::Node(self.id % 3 + 1), bytes: vec![BEAT] });
    }
    fn submit(&mut self, _now: Time, g: Guarantee, payload: Vec<u8>) -> Result<(), SubmitError> {
        if self.leaving {
            return Err(SubmitError::Closed);
        }
        if self.budget == 0 {
            return Err(SubmitError::QueueFull);
        }
        self.budget -= 1;
        let mut b = vec![DATA];
        b.extend_from_slice(&self.id.to_be_bytes());
        b.push(g as u8);
        b.extend_from_slice(&payload);
        self.out.push_back(Transmit { dest: Destination::All, bytes: b });
        Ok(())
    }
    fn leave(&mut self, now: Time) {
        self.leaving = true;
        self.deadline = now + 10 * MS;
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.pop_front()
    }
    fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }
    fn poll_timeout(&self) -> Option<Time> {
        (!self.left).then_some(self.deadline)
    }
}

fn toy_scenario(seed: u64) -> Scenario {
    let clean = LinkParams::clean();
    let faults_end = 3_000 * MS;
    Scenario {
        family: Family::Churn,
        seed,
        starts: vec![(1, 0), (2, 0), (3, 0), (4, 5 * MS)],
        clean_net: clean,
        initial_net: clean,
        workload: Workload {
            rate: 400.0,
            burst: 20,
            mix: [1, 1, 1, 1],
            max_padding: 200,
            tiny: 0.0,
            stop: faults_end,
            retry_min: MS,
            retry_max: 5 * MS,
            max_owed: 2_000,
        },
        schedule: vec![
            (500 * MS, Action::Net(LinkParams { loss: 0.1, dup: 0.05, delay: 200, jitter: 1_000 })),
            (800 * MS, Action::Slow { node: 2, per_ms: 1, capacity: 2 }),
            (1_000 * MS, Action::Crash(3)),
            (1_500 * MS, Action::Restart(3)),
            (2_000 * MS, Action::Leave(4)),
            (2_200 * MS, Action::Partition(vec![vec![1, 2], vec![3, 4]])),
            (2_600 * MS, Action::Heal),
            (2_700 * MS, Action::OneWayLoss { from: 1, to: 2, loss: 1.0 }),
            (faults_end, Action::Clean),
        ],
        faults_end,
        end: faults_end + SETTLE,
        config: Config::new(1),
    }
}

fn records_of(h: &History, node: NodeId, inc: u32) -> &[Record] {
    &h.processes.iter().find(|p| p.node == node && p.incarnation == inc).unwrap().records
}

#[test]
fn toy_run_records_history() {
    let out = run_scenario_with::<Toy>(&toy_scenario(5), 0);
    let h = &out.history;
    let shape: Vec<(NodeId, u32, Ending)> = h.processes.iter().map(|p| (p.node, p.incarnation, p.ending)).collect();
    assert_eq!(
        shape,
        vec![
            (1, 0, Ending::Running),
            (2, 0, Ending::Running),
            (3, 0, Ending::Crashed { at: 1_000 * MS }),
            (4, 0, Ending::Left { at: 2_010 * MS }),
            (3, 1, Ending::Running),
        ]
    );
    for p in &h.processes {
        let mut expect = 0;
        let mut submitted_at = std::collections::BTreeMap::new();
        let mut last_at = 0;
        for r in &p.records {
            let at = match r {
                Record::Submit { at, msg, .. } => {
                    // Counters are consecutive: a refused message is retried, not skipped.
                    assert_eq!((msg.node, msg.incarnation, msg.counter), (p.node, p.incarnation, expect));
                    expect += 1;
                    submitted_at.insert(*msg, *at);
                    *at
                }
                Record::Deliver { at, msg, .. } => {
                    if msg.node == p.node && msg.incarnation == p.incarnation {
                        assert!(submitted_at[msg] <= *at, "delivered before submitted");
                    }
                    *at
                }
                Record::Config { at, .. } => *at,
            };
            assert!(at >= last_at, "records out of time order");
            last_at = at;
        }
        assert!(last_at <= toy_scenario(5).end);
    }
    // Node 1 saw its own messages (loopback) and others'.
    let delivered_from: std::collections::BTreeSet<NodeId> = records_of(h, 1, 0)
        .iter()
        .filter_map(|r| if let Record::Deliver { msg, .. } = r { Some(msg.node) } else { None })
        .collect();
    assert!(delivered_from.contains(&1) && delivered_from.contains(&2), "{delivered_from:?}");
    let m = &out.metrics;
    assert!(m.queue_full > 0, "bursts of 20 against a budget of 10 must hit QueueFull");
    assert!(m.slow_dropped > 0, "a 1 packet/ms receiver with a 2-packet buffer must drop");
    assert!(m.net.lost > 0 && m.net.duplicated > 0 && m.net.partitioned > 0);
    assert!(m.latency.iter().map(|v| v.len()).sum::<usize>() > 100);
    assert!(!m.rotation.is_empty());
    // The toy is no EVS protocol (it loses messages, has no configurations
    // worth the name): the checker wired into the harness must say so. This
    // also proves the families are really judged, not passed vacuously.
    assert!(!out.violations.is_empty(), "the checker found nothing wrong with the toy");
}

#[test]
fn toy_run_is_a_function_of_the_seed() {
    let a = run_scenario_with::<Toy>(&toy_scenario(77), 0);
    let b = run_scenario_with::<Toy>(&toy_scenario(77), 0);
    assert_eq!(a.history, b.history);
    assert_eq!(a.metrics.net, b.metrics.net);
    assert_eq!(a.metrics.events, b.metrics.events);
    let c = run_scenario_with::<Toy>(&toy_scenario(78), 0);
    assert_ne!(a.history, c.history);
}

#[test]
fn toy_slow_before_start_applies() {
    let mut s = toy_scenario(3);
    s.starts = vec![(1, 0), (2, 100 * MS)];
    s.schedule = vec![(0, Action::Slow { node: 2, per_ms: 1, capacity: 1 }), (s.faults_end, Action::Clean)];
    let out = run_scenario_with::<Toy>(&s, 0);
    assert!(out.metrics.slow_dropped > 0);
    s.schedule.remove(0);
    assert_eq!(run_scenario_with::<Toy>(&s, 0).metrics.slow_dropped, 0);
}

#[test]
#[ignore = "prints a trace; run with --ignored --nocapture to look at the trace format"]
fn toy_trace() {
    run_scenario_with::<Toy>(&toy_scenario(1), 1);
}

/// B, the formation bound of the progress property, covers the longer of the
/// two waits that start at the installation that cut or left a processor out:
/// the exclusion cap and the cut links' heal (twelve merge intervals).
#[test]
fn formation_bound_covers_the_cut_links_heal() {
    let defaults = Config::new(1);
    let b = sim::scenario::progress_bounds(&defaults);
    assert_eq!((b.form / MS, b.deliver / MS), (10052, 5252), "the defaults' B and D");
    let mut short = Config::new(1);
    short.token_timeout = 400 * MS;
    short.consensus_timeout = 480 * MS;
    short.merge_timeout = 355 * MS;
    let b = sim::scenario::progress_bounds(&short);
    assert_eq!(short.cut_link_heal(), 12 * 355 * MS);
    assert!(short.cut_link_heal() > short.exclusion_cap());
    assert_eq!(b.form, b.deliver + short.cut_link_heal());
}
