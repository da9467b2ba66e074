//! A hostile process on a ring's multicast group: the injector of the live
//! test c-tests/robust/t-hostile.sh (issue 8, frame protection).
//!
//! It joins the group the way a processor does (src/net/udp.rs: the group
//! address and port bound with SO_REUSEADDR/SO_REUSEPORT, so it gets its own
//! copy of every multicast), captures what the ring multicasts, and notes each
//! source address: in this library a datagram's source is the sending
//! member's unicast socket, where tokens and other unicasts arrive. Then, for
//! a while, it floods at a fixed rate a mix of
//!
//! - `--garbage`: random bytes of random length (0..1500); a quarter of them
//!   behind a valid-looking envelope (`EVSn`, version 1, a member's node id
//!   when one was seen), so they get past the magic check of an unkeyed ring;
//! - `--mutate`: captured datagrams with bits flipped (often in the first 64
//!   bytes, where the envelope and packet headers are), cut short, or extended;
//! - `--replay`: captured datagrams sent again verbatim, half of them at once
//!   (from the last 64 captured), half at least `--delay` seconds after capture
//!   (a past ring's frames, a counter the receiver has long passed).
//!
//! Every one goes to the group or, for a share of them, to a member's unicast
//! address. A ring with frame protection must drop all of it; an unkeyed one
//! shows what it cannot resist.
//!
//! To tell which of them does something, `--late-share P` sets the percentage
//! of replays taken from the late ones (default 50) and `--unicast-share P`
//! the percentage of datagrams sent to a member's unicast address instead of
//! the group (default 30 for garbage and mutations, 50 for replays).
//!
//! ```text
//! evs_hostile --port PORT [--group ADDR] [--bind ADDR] --seconds S [--rate N]
//!             [--warmup S] [--delay S] [--seed N] [--garbage] [--mutate] [--replay]
//!             [--late-share P] [--unicast-share P]
//! ```
//!
//! IPv4 only, and only to loopback: `--bind` must be a 127/8 address, the group
//! a multicast one (TTL 1, pinned to the bind interface: it never leaves the
//! host), and unicasts go only to loopback sources seen on the group.
//!
//! Prints one line of counts. Exit status 2 on a usage error, 1 if the sockets
//! cannot be set up.

use std::collections::HashSet;
use std::io::ErrorKind;
use std::mem::MaybeUninit;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::process::exit;
use std::time::{Duration, Instant};

use evs::net::envelope;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

struct Args {
    group: Ipv4Addr,
    port: u16,
    bind: Ipv4Addr,
    seconds: f64,
    rate: u32,
    warmup: f64,
    delay: f64,
    seed: u64,
    kinds: Vec<Kind>,
    late_share: u64,
    unicast_share: Option<u64>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Garbage,
    Mutate,
    Replay,
}

fn usage(why: &str) -> ! {
    eprintln!("evs_hostile: {why}");
    eprintln!(
        "usage: evs_hostile --port PORT [--group ADDR] [--bind ADDR] --seconds S [--rate N] [--warmup S] [--delay S] [--seed N] [--garbage] [--mutate] [--replay] [--late-share P] [--unicast-share P]"
    );
    exit(2);
}

fn number<T: std::str::FromStr>(key: &str, v: Option<String>) -> T {
    let v = v.unwrap_or_else(|| usage(&format!("{key} needs a value")));
    v.parse().unwrap_or_else(|_| usage(&format!("{key}: '{v}' is not a number")))
}

fn parse_args() -> Args {
    let mut a = Args {
        group: Ipv4Addr::new(239, 192, 77, 4), // the library's default group
        port: 0,
        bind: Ipv4Addr::LOCALHOST,
        seconds: 0.0,
        rate: 2000,
        warmup: 1.0,
        delay: 2.0,
        seed: 0,
        kinds: Vec::new(),
        late_share: 50,
        unicast_share: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        match k.as_str() {
            "--group" => a.group = number(&k, it.next()),
            "--port" => a.port = number(&k, it.next()),
            "--bind" => a.bind = number(&k, it.next()),
            "--seconds" => a.seconds = number(&k, it.next()),
            "--rate" => a.rate = number(&k, it.next()),
            "--warmup" => a.warmup = number(&k, it.next()),
            "--delay" => a.delay = number(&k, it.next()),
            "--seed" => a.seed = number(&k, it.next()),
            "--garbage" => a.kinds.push(Kind::Garbage),
            "--mutate" => a.kinds.push(Kind::Mutate),
            "--replay" => a.kinds.push(Kind::Replay),
            "--late-share" => a.late_share = number(&k, it.next()),
            "--unicast-share" => a.unicast_share = Some(number(&k, it.next())),
            _ => usage(&format!("unknown option {k}")),
        }
    }
    if a.port == 0 {
        usage("--port is required");
    }
    if !a.group.is_multicast() {
        usage(&format!("--group {} is not a multicast address", a.group));
    }
    if !a.bind.is_loopback() {
        usage(&format!("--bind {} is not a loopback address: this tool stays on this host", a.bind));
    }
    // Written so that NaN fails too.
    let seconds_ok = a.seconds > 0.0 && a.seconds <= 600.0;
    if !seconds_ok || !(0.0..=60.0).contains(&a.warmup) || !(0.0..=60.0).contains(&a.delay) {
        usage("--seconds must be in (0, 600], --warmup and --delay in [0, 60]");
    }
    if a.rate == 0 || a.rate > 100_000 {
        usage("--rate must be 1..100000 datagrams per second");
    }
    if a.late_share > 100 || a.unicast_share.is_some_and(|p| p > 100) {
        usage("--late-share and --unicast-share are percentages (0..100)");
    }
    if a.kinds.is_empty() {
        usage("choose at least one of --garbage, --mutate, --replay");
    }
    if a.seed == 0 {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        a.seed = (t.as_nanos() as u64 ^ (u64::from(std::process::id()) << 32)) | 1;
    }
    a
}

/// xorshift64*: reproducible with --seed, and plenty for fuzzing.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in 0..n (n > 0); the bias of a 64-bit modulo is negligible here.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn fail(what: &str, e: std::io::Error) -> ! {
    eprintln!("evs_hostile: {what}: {e}");
    exit(1);
}

/// The group socket, as a processor's (src/net/udp.rs): bound to the group
/// address, shared with the ring's processes by SO_REUSEPORT, joined on `bind`.
fn group_socket(a: &Args) -> Socket {
    let s = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).unwrap_or_else(|e| fail("socket", e));
    s.set_reuse_address(true).unwrap_or_else(|e| fail("SO_REUSEADDR", e));
    s.set_reuse_port(true).unwrap_or_else(|e| fail("SO_REUSEPORT", e));
    let _ = s.set_recv_buffer_size(4 << 20);
    s.bind(&SockAddr::from(SocketAddrV4::new(a.group, a.port))).unwrap_or_else(|e| fail("bind the group", e));
    s.join_multicast_v4(&a.group, &a.bind).unwrap_or_else(|e| fail("join the group", e));
    let _ = s.set_multicast_all_v4(false);
    s.set_nonblocking(true).unwrap_or_else(|e| fail("O_NONBLOCK", e));
    s
}

/// The sending socket: our own unicast address, multicasts pinned to `bind`, one hop.
fn send_socket(a: &Args) -> (Socket, SocketAddr) {
    let s = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).unwrap_or_else(|e| fail("socket", e));
    s.bind(&SockAddr::from(SocketAddrV4::new(a.bind, 0))).unwrap_or_else(|e| fail("bind", e));
    s.set_multicast_if_v4(&a.bind).unwrap_or_else(|e| fail("IP_MULTICAST_IF", e));
    s.set_multicast_ttl_v4(1).unwrap_or_else(|e| fail("IP_MULTICAST_TTL", e));
    s.set_multicast_loop_v4(true).unwrap_or_else(|e| fail("IP_MULTICAST_LOOP", e));
    let _ = s.set_send_buffer_size(4 << 20);
    let local = s.local_addr().ok().and_then(|l| l.as_socket()).unwrap_or_else(|| {
        eprintln!("evs_hostile: getsockname failed");
        exit(1)
    });
    (s, local)
}

/// What was heard on the group: recent datagrams for immediate replays, a
/// reservoir sample of all of them (with capture times) for late ones, the
/// members' source addresses and the node ids their envelopes name.
struct Capture {
    recent: Vec<Vec<u8>>,
    recent_next: usize,
    old: Vec<(Instant, Vec<u8>)>,
    seen: u64,
    sources: Vec<SocketAddr>,
    node_ids: Vec<u32>,
}

const RECENT: usize = 64;
const RESERVOIR: usize = 2048;

impl Capture {
    fn new() -> Capture {
        Capture {
            recent: Vec::new(),
            recent_next: 0,
            old: Vec::new(),
            seen: 0,
            sources: Vec::new(),
            node_ids: Vec::new(),
        }
    }

    fn add(&mut self, rng: &mut Rng, from: SocketAddr, d: &[u8]) {
        self.seen += 1;
        if self.recent.len() < RECENT {
            self.recent.push(d.to_vec());
        } else {
            self.recent[self.recent_next] = d.to_vec();
        }
        self.recent_next = (self.recent_next + 1) % RECENT;
        // Reservoir sampling: every datagram heard so far equally likely kept.
        if self.old.len() < RESERVOIR {
            self.old.push((Instant::now(), d.to_vec()));
        } else {
            let j = rng.below(self.seen as usize);
            if j < RESERVOIR {
                self.old[j] = (Instant::now(), d.to_vec());
            }
        }
        if !self.sources.contains(&from) && from.ip().is_loopback() {
            self.sources.push(from);
        }
        if let Some((node, _)) = envelope::unwrap(d) {
            if !self.node_ids.contains(&node) {
                self.node_ids.push(node);
            }
        }
    }
}

/// Drains the group socket into `cap`, skipping our own multicasts (they loop back).
fn drain(sock: &Socket, own: SocketAddr, rng: &mut Rng, cap: &mut Capture) {
    let mut buf = [MaybeUninit::<u8>::uninit(); 65536];
    loop {
        match sock.recv_from(&mut buf) {
            Ok((n, from)) => {
                let Some(from) = from.as_socket() else { continue };
                if from == own {
                    continue;
                }
                // SAFETY: recv_from initialised the first n bytes.
                let d: Vec<u8> = buf[..n].iter().map(|b| unsafe { b.assume_init() }).collect();
                cap.add(rng, from, &d);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => fail("recv", e),
        }
    }
}

#[derive(Default)]
struct Counts {
    garbage: u64,
    garbage_enveloped: u64,
    mutated: u64,
    replay_now: u64,
    replay_late: u64,
    to_group: u64,
    to_unicast: u64,
    send_errors: u64,
    skipped: u64,
}

/// Random bytes; a quarter of them behind a valid envelope naming a member.
fn garbage(rng: &mut Rng, cap: &Capture, c: &mut Counts) -> Vec<u8> {
    let len = rng.below(1501);
    if rng.chance(25) {
        let node = if !cap.node_ids.is_empty() && rng.chance(50) {
            cap.node_ids[rng.below(cap.node_ids.len())]
        } else {
            (rng.next() as u32) | 1
        };
        let mut out = Vec::new();
        envelope::wrap(node, &rng.bytes(len.saturating_sub(envelope::HEADER_LEN)), &mut out);
        c.garbage_enveloped += 1;
        out
    } else {
        rng.bytes(len)
    }
}

/// A captured datagram, damaged: bit flips (half of them in the headers), cut, or extended.
fn mutate(rng: &mut Rng, mut d: Vec<u8>) -> Vec<u8> {
    match rng.below(4) {
        0 | 1 if !d.is_empty() => {
            for _ in 0..1 + rng.below(8) {
                let span = if rng.chance(50) { d.len().min(64) } else { d.len() };
                let i = rng.below(span);
                d[i] ^= 1 << rng.below(8);
            }
        }
        2 => d.truncate(rng.below(d.len() + 1)),
        _ => {
            let extra = 1 + rng.below(512);
            d.extend(rng.bytes(extra));
        }
    }
    d
}

fn main() {
    let a = parse_args();
    let mut rng = Rng(a.seed);
    let group_sock = group_socket(&a);
    let (tx, own) = send_socket(&a);
    let group = SockAddr::from(SocketAddrV4::new(a.group, a.port));
    let mut cap = Capture::new();
    let mut c = Counts::default();

    // Listen only, so there is something to mutate and replay.
    let start = Instant::now();
    while start.elapsed().as_secs_f64() < a.warmup {
        drain(&group_sock, own, &mut rng, &mut cap);
        std::thread::sleep(Duration::from_millis(1));
    }
    let captured_before = cap.seen;

    let flood = Instant::now();
    let duration = Duration::from_secs_f64(a.seconds);
    let late = Duration::from_secs_f64(a.delay);
    let mut sent: u64 = 0;
    let mut unicast_targets: HashSet<SocketAddr> = HashSet::new();
    while flood.elapsed() < duration {
        drain(&group_sock, own, &mut rng, &mut cap);
        // Catch up with the rate, a few ms at a time.
        let due = (flood.elapsed().as_secs_f64() * f64::from(a.rate)) as u64;
        while sent < due {
            sent += 1;
            let kind = a.kinds[rng.below(a.kinds.len())];
            let (datagram, unicast_share) = match kind {
                Kind::Garbage => {
                    c.garbage += 1;
                    (garbage(&mut rng, &cap, &mut c), 30)
                }
                Kind::Mutate if !cap.recent.is_empty() => {
                    c.mutated += 1;
                    let d = cap.recent[rng.below(cap.recent.len())].clone();
                    (mutate(&mut rng, d), 30)
                }
                Kind::Replay if !cap.recent.is_empty() => {
                    let aged: Vec<usize> = if rng.chance(a.late_share) {
                        (0..cap.old.len()).filter(|&i| cap.old[i].0.elapsed() >= late).collect()
                    } else {
                        Vec::new()
                    };
                    if aged.is_empty() {
                        c.replay_now += 1;
                        (cap.recent[rng.below(cap.recent.len())].clone(), 50)
                    } else {
                        c.replay_late += 1;
                        (cap.old[aged[rng.below(aged.len())]].1.clone(), 50)
                    }
                }
                // Nothing captured yet (a silent group): nothing to mutate or replay.
                Kind::Mutate | Kind::Replay => {
                    c.skipped += 1;
                    continue;
                }
            };
            let to = if !cap.sources.is_empty() && rng.chance(a.unicast_share.unwrap_or(unicast_share)) {
                let s = cap.sources[rng.below(cap.sources.len())];
                unicast_targets.insert(s);
                c.to_unicast += 1;
                SockAddr::from(s)
            } else {
                c.to_group += 1;
                group.clone()
            };
            if tx.send_to(&datagram, &to).is_err() {
                c.send_errors += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    drain(&group_sock, own, &mut rng, &mut cap);
    println!(
        "evs_hostile (sending from {own}): captured {} datagrams ({} before the flood) from {} sources, node ids {:?}; sent {} in {:.1} s: \
         garbage {} ({} enveloped), mutated {}, replayed {} at once + {} after >= {} s; to the group {}, \
         to {} unicast addresses {}; send errors {}, skipped (nothing captured) {}; seed {}",
        cap.seen,
        captured_before,
        cap.sources.len(),
        cap.node_ids,
        c.to_group + c.to_unicast,
        flood.elapsed().as_secs_f64(),
        c.garbage,
        c.garbage_enveloped,
        c.mutated,
        c.replay_now,
        c.replay_late,
        a.delay,
        c.to_group,
        unicast_targets.len(),
        c.to_unicast,
        c.send_errors,
        c.skipped,
        a.seed
    );
}
