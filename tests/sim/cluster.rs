//! N processors on the simulated network, driven in virtual time.
//!
//! The cluster owns the event queue and everything a real host would: the sockets (the
//! network), the clock, each processor's timer, the application, crashes and restarts.
//! Every decision comes from the RNG streams seeded by the run's seed and every
//! collection is ordered (BTreeMap, sorted Vec), so a run is a function of its seed.

use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use evs::check::{Ending, History, ProcessHistory, Record};
use evs::totem::{Config, ConfigKind, Counters, Destination, Event, NodeId, State, SubmitError, Time, MS};

use super::app::{App, TinyIds, Workload};
use super::metrics::{RunMetrics, Watches};
use super::network::{LinkParams, Network};
use super::proto::Proto;
use super::queue::EventQueue;
use super::recv_queue::{Arrival, RecvQueue};
use super::rng::{derive, Rng};
use super::scenario::Action;
use super::topology::Topology;
use super::trace::fmt_time;

/// A graceful leave that has not produced `Event::Left` after this long is ended as
/// Left anyway and the processor dropped (the others then see it as a failure).
pub const LEAVE_TIMEOUT: Time = 5_000 * MS;

/// Events at one instant of virtual time beyond this mean a processor keeps asking
/// for a timeout at the current time (or packets loop at zero delay): a livelock.
pub const MAX_EVENTS_AT_ONE_TIME: u64 = 200_000;

type Bytes = Rc<[u8]>;

enum Ev {
    /// A copy of a packet reaches `to`'s socket.
    Packet { to: NodeId, from: NodeId, bytes: Bytes },
    /// `node`'s timer, as read from poll_timeout (`at`) while `epoch` was current.
    Wakeup { node: NodeId, epoch: u64, at: Time },
    /// A slow receiver finishes its current packet; `gen` names its queue.
    Service { node: NodeId, gen: u64 },
    /// The application's next submit attempt.
    AppTick { node: NodeId, epoch: u64 },
    /// A graceful leave that started in `epoch` is overdue.
    LeaveTimeout { node: NodeId, epoch: u64 },
    /// A paused (frozen) incarnation goes on.
    Resume { node: NodeId, epoch: u64 },
}

/// A frozen process: what its socket buffer holds until it runs again.
struct Paused {
    until: Time,
    backlog: VecDeque<(NodeId, Bytes)>,
    capacity: usize,
}

struct Node<P> {
    proc: Option<P>,
    /// Started at least once (so the next start is incarnation + 1).
    started: bool,
    incarnation: u32,
    /// Index of the current (or last) incarnation in `history.processes`.
    hist: usize,
    /// Unique per incarnation: events of an ended incarnation are stale.
    epoch: u64,
    /// The processor's deadline as last read; a wakeup for another time is stale.
    deadline: Option<Time>,
    app: App,
    leaving: bool,
    /// Set while the node is a slow receiver.
    slow: Option<(u64, RecvQueue<(NodeId, Bytes)>)>,
    state: Option<State>,
    last_unicast: Option<Time>,
    /// Tokens this node forwarded while operational: one per rotation.
    token_forwards: u64,
    /// Per own message in flight: `token_forwards` when it was submitted.
    forwards_at_submit: std::collections::BTreeMap<u64, u64>,
    paused: Option<Paused>,
}

pub struct Cluster<P: Proto> {
    pub now: Time,
    seed: u64,
    nodes: BTreeMap<NodeId, Node<P>>,
    /// Running processors, ascending.
    live: Vec<NodeId>,
    pub net: Network,
    net_rng: Rng,
    app_rng: Rng,
    queue: EventQueue<Ev>,
    pub history: History,
    pub workload: Workload,
    /// Every processor's configuration; `node_id` is set per processor.
    pub config: Config,
    pub metrics: RunMetrics,
    pub watches: Watches,
    /// Slow receivers: node -> (packets per ms, queue capacity). Kept apart from the
    /// nodes so that a node can be made slow before it first starts, and stays slow
    /// across restarts (slowness belongs to the machine, the buffer to the process).
    slow_spec: BTreeMap<NodeId, (u32, usize)>,
    pub trace: u8,
    /// A run that needs more events than this is stopped with a panic (a packet storm).
    pub event_budget: u64,
    next_unique: u64,
    events_now: u64,
    /// Armed state triggers: when the node enters the state, the action fires.
    armed: Vec<(NodeId, State, Action)>,
    /// Triggers that fired and wait for the scenario player (`run_until` returns
    /// early so that they apply at the very instant of the transition).
    pub fired: Vec<Action>,
    /// Who could talk to whom, over time: the progress property's input.
    pub topology: Topology,
    tiny: TinyIds,
}

impl<P: Proto> Cluster<P> {
    pub fn new(seed: u64, net: LinkParams, workload: Workload, trace: u8) -> Cluster<P> {
        Cluster {
            now: 0,
            seed,
            nodes: BTreeMap::new(),
            live: Vec::new(),
            net: Network::new(net),
            net_rng: Rng::stream(seed, 0x6e6574), // "net"
            app_rng: Rng::stream(seed, 0x617070), // "app"
            queue: EventQueue::new(),
            history: History::default(),
            workload,
            config: Config::new(1),
            metrics: RunMetrics::default(),
            watches: Watches::default(),
            slow_spec: BTreeMap::new(),
            trace,
            event_budget: 50_000_000,
            next_unique: 0,
            events_now: 0,
            armed: Vec::new(),
            fired: Vec::new(),
            topology: Topology::default(),
            tiny: TinyIds::default(),
        }
    }

    /// Arm a state trigger (see `Action::When`).
    pub fn arm(&mut self, node: NodeId, state: State, then: Action) {
        self.armed.push((node, state, then));
    }

    pub fn disarm_all(&mut self) {
        self.armed.clear();
    }

    pub fn is_paused(&self, id: NodeId) -> bool {
        self.nodes.get(&id).is_some_and(|n| n.paused.is_some())
    }

    /// Record who can talk to whom now (call after anything that may change it).
    /// Eligible for the progress property: running, not leaving, not frozen, not slow.
    pub fn snapshot_topology(&mut self) {
        let eligible: Vec<(NodeId, u32)> = self
            .nodes
            .iter()
            .filter(|(_, n)| n.proc.is_some() && !n.leaving && n.paused.is_none() && n.slow.is_none())
            .map(|(&id, n)| (id, n.incarnation))
            .collect();
        let all = self.node_ids();
        self.topology.record(self.now, &self.net, eligible, &all);
    }

    /// Freeze `id` for `length`; false if it is not running or already frozen.
    pub fn pause(&mut self, id: NodeId, length: Time, capacity: usize) -> bool {
        if !self.is_live(id) || self.is_paused(id) {
            return false;
        }
        let until = self.now + length;
        self.log(1, format_args!("n{id} PAUSED until {} (buffer {capacity})", fmt_time(until)));
        let node = self.nodes.get_mut(&id).unwrap();
        node.paused = Some(Paused { until, backlog: VecDeque::new(), capacity });
        let epoch = node.epoch;
        self.queue.push(until, Ev::Resume { node: id, epoch });
        self.snapshot_topology();
        true
    }

    fn resume(&mut self, id: NodeId, epoch: u64) {
        let Some(node) = self.nodes.get_mut(&id) else {
            return;
        };
        if node.epoch != epoch {
            return;
        }
        let Some(p) = node.paused.take() else {
            return;
        };
        // The timer that came due while frozen is re-read below and fires at once.
        node.deadline = None;
        self.log(1, format_args!("n{id} RESUMED with {} packets waiting", p.backlog.len()));
        for (from, bytes) in p.backlog {
            if self.nodes.get(&id).is_some_and(|n| n.epoch == epoch) {
                self.deliver_packet(id, from, &bytes);
            }
        }
        if self.nodes.get(&id).is_some_and(|n| n.epoch == epoch) {
            self.after_call(id);
        }
        self.snapshot_topology();
    }

    /// The counters of every running incarnation (ended ones were added at their end).
    pub fn running_counters(&self) -> Vec<Counters> {
        self.nodes.values().filter_map(|n| n.proc.as_ref().map(|p| p.counters())).collect()
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Running processors, ascending.
    pub fn live(&self) -> &[NodeId] {
        &self.live
    }

    pub fn is_live(&self, id: NodeId) -> bool {
        self.live.binary_search(&id).is_ok()
    }

    pub fn is_leaving(&self, id: NodeId) -> bool {
        self.nodes.get(&id).is_some_and(|n| n.leaving)
    }

    /// Every node ever added, ascending.
    pub fn node_ids(&self) -> Vec<NodeId> {
        self.nodes.keys().copied().collect()
    }

    fn unique(&mut self) -> u64 {
        self.next_unique += 1;
        self.next_unique
    }

    fn log(&self, level: u8, what: std::fmt::Arguments) {
        if self.trace >= level {
            eprintln!("[{:>14}] {}", fmt_time(self.now), what);
        }
    }

    /// Start `id`: its first incarnation, or a new one after a crash or a leave.
    /// Returns false (and does nothing) if it is running.
    pub fn start(&mut self, id: NodeId) -> bool {
        if self.is_live(id) {
            return false;
        }
        let epoch = self.unique();
        let (incarnation, started_before) = match self.nodes.get(&id) {
            Some(n) if n.started => (n.incarnation + 1, true),
            _ => (0, false),
        };
        let seed = derive(self.seed, &[id as u64, incarnation as u64]);
        let config = Config { node_id: id, ..self.config.clone() };
        let proc = P::start(config, self.now, seed);
        self.history.processes.push(ProcessHistory {
            node: id,
            incarnation,
            records: Vec::new(),
            ending: Ending::Running,
        });
        let hist = self.history.processes.len() - 1;
        let mut app = App::new(id, incarnation);
        let first_tick = app.start(&mut self.app_rng, self.now, &self.workload);
        // A slow node starts with an empty buffer.
        let slow_params = self.slow_spec.get(&id).copied();
        let slow = slow_params.map(|(per_ms, capacity)| (self.unique(), RecvQueue::new(per_ms, capacity)));
        let node = Node {
            proc: Some(proc),
            started: true,
            incarnation,
            hist,
            epoch,
            deadline: None,
            app,
            leaving: false,
            slow,
            state: None,
            last_unicast: None,
            token_forwards: 0,
            forwards_at_submit: std::collections::BTreeMap::new(),
            paused: None,
        };
        self.nodes.insert(id, node);
        self.live.push(id);
        self.live.sort_unstable();
        self.log(
            1,
            format_args!("n{id} START incarnation {incarnation}{}", if started_before { " (restart)" } else { "" }),
        );
        if let Some(t) = first_tick {
            self.queue.push(t, Ev::AppTick { node: id, epoch });
        }
        self.after_call(id);
        self.snapshot_topology();
        true
    }

    /// Kill `id` at once: its processor is dropped with whatever it held.
    pub fn crash(&mut self, id: NodeId) -> bool {
        if !self.is_live(id) {
            return false;
        }
        self.log(1, format_args!("n{id} CRASH"));
        self.end_incarnation(id, Ending::Crashed { at: self.now });
        true
    }

    /// Ask `id` to leave gracefully. Returns false if it is not running or already leaving.
    pub fn leave(&mut self, id: NodeId) -> bool {
        if !self.is_live(id) || self.is_leaving(id) {
            return false;
        }
        self.log(1, format_args!("n{id} LEAVE requested"));
        let now = self.now;
        let node = self.nodes.get_mut(&id).unwrap();
        node.leaving = true;
        let epoch = node.epoch;
        node.proc.as_mut().unwrap().leave(now);
        self.queue.push(now + LEAVE_TIMEOUT, Ev::LeaveTimeout { node: id, epoch });
        self.after_call(id);
        self.snapshot_topology();
        true
    }

    /// Make `id` a slow receiver: `per_ms` packets per ms, `capacity` queued at most.
    pub fn set_slow(&mut self, id: NodeId, per_ms: u32, capacity: usize) {
        self.clear_slow(id);
        self.log(1, format_args!("n{id} SLOW {per_ms} packets/ms, queue {capacity}"));
        self.slow_spec.insert(id, (per_ms, capacity));
        let gen = self.unique();
        if let Some(n) = self.nodes.get_mut(&id) {
            n.slow = Some((gen, RecvQueue::new(per_ms, capacity)));
        }
        self.snapshot_topology();
    }

    /// `id` keeps up again; what it had queued is handled now, in order.
    pub fn clear_slow(&mut self, id: NodeId) {
        self.slow_spec.remove(&id);
        let Some(n) = self.nodes.get_mut(&id) else {
            return;
        };
        let Some((_, mut q)) = n.slow.take() else {
            return;
        };
        self.metrics.slow_dropped += q.dropped;
        self.log(
            1,
            format_args!("n{id} FAST again ({} queued, {} dropped, max queue {})", q.len(), q.dropped, q.max_len),
        );
        for (from, bytes) in q.drain() {
            self.deliver_packet(id, from, &bytes);
        }
        self.snapshot_topology();
    }

    fn end_incarnation(&mut self, id: NodeId, ending: Ending) {
        let epoch = self.unique();
        let node = self.nodes.get_mut(&id).unwrap();
        if let Some(p) = node.proc.take() {
            self.metrics.add_counters(&p.counters());
        }
        node.epoch = epoch;
        node.deadline = None;
        node.leaving = false;
        node.state = None;
        node.last_unicast = None;
        node.paused = None;
        if let Some((gen, q)) = node.slow.as_mut() {
            // The socket buffer goes with the process.
            self.metrics.slow_dropped += q.dropped;
            *q = RecvQueue::new(q.per_ms, q.capacity);
            self.next_unique += 1;
            *gen = self.next_unique;
        }
        self.history.processes[node.hist].ending = ending;
        self.metrics.submitted += node.app.submitted();
        self.metrics.queue_full += node.app.queue_full;
        self.live.retain(|&n| n != id);
        self.snapshot_topology();
    }

    /// Run every event up to and including time `t`; the clock then reads `t`.
    pub fn run_until(&mut self, t: Time) {
        while let Some(at) = self.queue.peek_time() {
            if at > t {
                break;
            }
            let (at, ev) = self.queue.pop().unwrap();
            if at > self.now {
                self.now = at;
                self.events_now = 0;
            }
            self.events_now += 1;
            self.metrics.events += 1;
            if self.events_now > MAX_EVENTS_AT_ONE_TIME {
                panic!(
                    "harness: livelock: over {MAX_EVENTS_AT_ONE_TIME} events at {} (seed {})",
                    fmt_time(self.now),
                    self.seed
                );
            }
            if self.metrics.events > self.event_budget {
                panic!(
                    "harness: event budget of {} exhausted at {} (seed {}): a packet storm?",
                    self.event_budget,
                    fmt_time(self.now),
                    self.seed
                );
            }
            self.dispatch(ev);
            if !self.fired.is_empty() {
                // A trigger fired: stop here so that its action lands at this instant.
                return;
            }
        }
        self.now = self.now.max(t);
    }

    fn dispatch(&mut self, ev: Ev) {
        match ev {
            Ev::Packet { to, from, bytes } => {
                // Addressed by node id, like a socket address: a copy still in flight
                // when its destination crashed and restarted reaches the new
                // incarnation, which must cope with packets of rings it never knew.
                if !self.is_live(to) {
                    self.metrics.dead_on_arrival += 1;
                    return;
                }
                let now = self.now;
                let node = self.nodes.get_mut(&to).unwrap();
                if let Some(p) = node.paused.as_mut() {
                    // Frozen: the socket buffer fills, and drops what does not fit.
                    if p.backlog.len() < p.capacity {
                        p.backlog.push_back((from, bytes));
                    } else {
                        self.metrics.pause_dropped += 1;
                    }
                    return;
                }
                if let Some((gen, q)) = node.slow.as_mut() {
                    let gen = *gen;
                    match q.arrive(now, (from, bytes)) {
                        Arrival::Process((from, bytes)) => self.deliver_packet(to, from, &bytes),
                        Arrival::Queued { wake_at } => {
                            if let Some(w) = wake_at {
                                self.queue.push(w, Ev::Service { node: to, gen });
                            }
                        }
                        Arrival::Dropped => {
                            self.log(2, format_args!("n{to} socket buffer full: dropped a packet from n{from}"))
                        }
                    }
                } else {
                    self.deliver_packet(to, from, &bytes);
                }
            }
            Ev::Service { node: id, gen } => {
                let now = self.now;
                let Some(node) = self.nodes.get_mut(&id) else {
                    return;
                };
                let Some((g, q)) = node.slow.as_mut() else {
                    return;
                };
                if *g != gen {
                    return;
                }
                if let Some(p) = &node.paused {
                    // A frozen process reads nothing: serve the queue when it resumes.
                    let until = p.until;
                    self.queue.push(until, Ev::Service { node: id, gen });
                    return;
                }
                let (packet, next) = q.service(now);
                if let Some(w) = next {
                    self.queue.push(w, Ev::Service { node: id, gen });
                }
                if let Some((from, bytes)) = packet {
                    self.deliver_packet(id, from, &bytes);
                }
            }
            Ev::Wakeup { node: id, epoch, at } => {
                let now = self.now;
                let node = self.nodes.get_mut(&id).unwrap();
                if node.epoch != epoch || node.deadline != Some(at) || node.proc.is_none() {
                    return; // stale: the deadline moved, or the incarnation ended
                }
                if node.paused.is_some() {
                    // Frozen: no timer fires; `resume` re-reads the deadline.
                    node.deadline = None;
                    return;
                }
                node.deadline = None;
                node.proc.as_mut().unwrap().handle_timeout(now);
                self.after_call(id);
            }
            Ev::AppTick { node: id, epoch } => {
                if let Some(until) = self.nodes.get(&id).and_then(|n| n.paused.as_ref()).map(|p| p.until) {
                    // A frozen application submits nothing until it runs again.
                    self.queue.push(until, Ev::AppTick { node: id, epoch });
                } else {
                    self.app_tick(id, epoch);
                }
            }
            Ev::Resume { node: id, epoch } => self.resume(id, epoch),
            Ev::LeaveTimeout { node: id, epoch } => {
                let node = self.nodes.get(&id).unwrap();
                if node.epoch == epoch && node.proc.is_some() && node.leaving {
                    self.log(
                        1,
                        format_args!(
                            "n{id} leave not complete after {} ms: ended as Left and dropped",
                            LEAVE_TIMEOUT / MS
                        ),
                    );
                    self.end_incarnation(id, Ending::Left { at: self.now });
                }
            }
        }
    }

    /// Hand a packet to a running processor.
    fn deliver_packet(&mut self, to: NodeId, from: NodeId, bytes: &[u8]) {
        let now = self.now;
        let Some(node) = self.nodes.get_mut(&to) else {
            return;
        };
        let Some(proc) = node.proc.as_mut() else {
            self.metrics.dead_on_arrival += 1;
            return;
        };
        if self.trace >= 2 {
            eprintln!("[{:>14}] n{to} <- n{from} packet of {} bytes", fmt_time(now), bytes.len());
        }
        proc.handle_packet(now, bytes);
        self.after_call(to);
    }

    fn app_tick(&mut self, id: NodeId, epoch: u64) {
        let now = self.now;
        let w = &self.workload;
        let node = self.nodes.get_mut(&id).unwrap();
        if node.epoch != epoch || node.proc.is_none() {
            return;
        }
        node.app.accrue(&mut self.app_rng, now, w);
        let mut accepted = Vec::new();
        while node.app.owed > 0 && !node.app.closed && now < w.stop {
            let msg = node.app.next_message(&mut self.app_rng, w, &mut self.tiny);
            match node.proc.as_mut().unwrap().submit(now, msg.guarantee, msg.payload.clone()) {
                Ok(()) => {
                    node.forwards_at_submit.insert(msg.id.counter, node.token_forwards);
                    node.app.accepted(now, &msg);
                    accepted.push(msg);
                }
                Err(SubmitError::QueueFull) => {
                    node.app.refused(msg);
                    break;
                }
                Err(SubmitError::Closed) => {
                    node.app.closed = true;
                }
                Err(SubmitError::TooBig) => {
                    panic!("harness: n{id} refused a {}-byte payload as TooBig (seed {})", msg.payload.len(), self.seed)
                }
            }
        }
        let hist = node.hist;
        let next = node.app.next_wakeup(&mut self.app_rng, now, w);
        for msg in accepted {
            if self.trace >= 2 {
                eprintln!("[{:>14}] n{id} submit {:?} {:?}", fmt_time(now), msg.id, msg.guarantee);
            }
            // Recorded only once accepted: a refused message was never sent.
            self.history.processes[hist].records.push(Record::Submit {
                at: now,
                msg: msg.id,
                guarantee: msg.guarantee,
            });
        }
        if let Some(t) = next {
            self.queue.push(t, Ev::AppTick { node: id, epoch });
        }
        self.after_call(id);
    }

    /// After any call into a processor: send what it wants sent, hand its events to the
    /// application, and re-arm its timer.
    fn after_call(&mut self, id: NodeId) {
        let now = self.now;
        let node = self.nodes.get_mut(&id).unwrap();
        let epoch = node.epoch;
        let Some(proc) = node.proc.as_mut() else {
            return;
        };
        let mut transmits = Vec::new();
        while let Some(t) = proc.poll_transmit() {
            transmits.push(t);
        }
        let mut events = Vec::new();
        while let Some(e) = proc.poll_event() {
            events.push(e);
        }
        let state = proc.state();
        if node.state != Some(state) {
            if self.trace >= 1 {
                eprintln!("[{:>14}] n{id} state {:?} -> {:?}", fmt_time(now), node.state, state);
            }
            node.state = Some(state);
            if let Some(i) = self.armed.iter().position(|(n, s, _)| *n == id && *s == state) {
                let (_, _, action) = self.armed.remove(i);
                if self.trace >= 1 {
                    eprintln!("[{:>14}] n{id} entered {state:?}: trigger fires {action:?}", fmt_time(now));
                }
                self.fired.push(action);
            }
        }
        if state != State::Operational {
            node.last_unicast = None;
        }
        let measuring = state == State::Operational && now < self.workload.stop;
        for t in transmits {
            if let Destination::Node(to) = t.dest {
                if state == State::Operational && to != id {
                    node.token_forwards += 1;
                }
                if measuring && to != id {
                    if let Some(last) = node.last_unicast {
                        self.metrics.rotation.push(now - last);
                    }
                    node.last_unicast = Some(now);
                }
            }
            let bytes: Bytes = t.bytes.into();
            let copies = self.net.route(&mut self.net_rng, now, id, t.dest, &self.live);
            if self.trace >= 2 {
                eprintln!(
                    "[{:>14}] n{id} -> {:?} {} bytes: {} copies {:?} {}",
                    fmt_time(now),
                    t.dest,
                    bytes.len(),
                    copies.len(),
                    copies,
                    super::trace::describe(&bytes)
                );
            }
            for (to, at) in copies {
                self.queue.push(at, Ev::Packet { to, from: id, bytes: bytes.clone() });
            }
        }
        for e in events {
            self.handle_event(id, e);
        }
        // The events may have ended the incarnation (Left).
        let node = self.nodes.get_mut(&id).unwrap();
        if node.epoch != epoch {
            return;
        }
        let deadline = node.proc.as_ref().unwrap().poll_timeout();
        if deadline != node.deadline {
            node.deadline = deadline;
            if let Some(at) = deadline {
                self.queue.push(at.max(now), Ev::Wakeup { node: id, epoch, at });
            }
        }
    }

    fn handle_event(&mut self, id: NodeId, e: Event) {
        let now = self.now;
        let node = self.nodes.get_mut(&id).unwrap();
        let hist = node.hist;
        match e {
            Event::Deliver(d) => {
                let Some(msg) = self.tiny.decode(&d.payload) else {
                    panic!(
                        "harness: n{id} delivered a payload that carries no MsgId ({} bytes, sender n{}, ring {:?}, seq {}) (seed {})",
                        d.payload.len(),
                        d.sender,
                        d.ring_id,
                        d.seq,
                        self.seed
                    );
                };
                if let Some((g, latency)) = node.app.self_delivered(now, msg) {
                    self.metrics.latency_of(g).push(latency);
                    if let Some(f0) = node.forwards_at_submit.remove(&msg.counter) {
                        self.metrics.latency_rotations[g as usize].push(node.token_forwards - f0);
                    }
                }
                self.metrics.delivered += 1;
                if self.trace >= 2 {
                    eprintln!(
                        "[{:>14}] n{id} deliver {:?} {:?} ring {:?} seq {}",
                        fmt_time(now),
                        msg,
                        d.guarantee,
                        d.ring_id,
                        d.seq
                    );
                }
                self.history.processes[hist].records.push(Record::Deliver { at: now, msg, guarantee: d.guarantee });
            }
            Event::ConfigChange(c) => {
                self.log(
                    1,
                    format_args!(
                        "n{id} CONFIG {:?} ring {}/{} members {:?} left {:?} joined {:?}",
                        c.kind, c.ring_id.rep, c.ring_id.seq, c.members, c.left, c.joined
                    ),
                );
                if c.kind == ConfigKind::Regular {
                    self.watches.on_regular(now, id, &c.members, &mut self.metrics);
                }
                self.history.processes[hist].records.push(Record::Config { at: now, change: c });
            }
            Event::Left => {
                self.log(1, format_args!("n{id} LEFT"));
                self.end_incarnation(id, Ending::Left { at: now });
            }
        }
    }

    /// The run is over: final counters into the metrics; the history as recorded
    /// (incarnations still running keep `Ending::Running`).
    pub fn finish(mut self) -> (History, RunMetrics) {
        for c in self.running_counters() {
            self.metrics.add_counters(&c);
        }
        self.metrics.merges = super::metrics::count_merges(&self.history);
        for node in self.nodes.values() {
            if node.proc.is_some() {
                self.metrics.submitted += node.app.submitted();
                self.metrics.queue_full += node.app.queue_full;
            }
            if let Some((_, q)) = &node.slow {
                self.metrics.slow_dropped += q.dropped;
            }
        }
        self.watches.finish(&mut self.metrics);
        self.metrics.net = self.net.stats;
        (self.history, self.metrics)
    }
}
