//! Operator status: the counters (`Handle::stats`) and the membership lines
//! `EVS_LOG=info` prints (docs/OPERATIONS.md).
//!
//! `counters_move_with_messages` uses a processor in this process.
//! `membership_lines_match_the_configurations` runs two processes (this test
//! binary again, as the ignored test `child`, told its part by
//! `EVS_STATUS_CHILD`) on a private port, and compares what one of them logged
//! with the configuration changes its handle received.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{collect, free_port};
use evs::api::{Callback, ConfigChange, DispatchMode, Error, Group, Guarantee, Handle, Stats};

#[test]
fn counters_move_with_messages() {
    // A private group port: parallel test runs must not meet.
    std::env::set_var("EVS_MCASTPORT", free_port().to_string());
    let h = Handle::initialize().expect("initialize");
    let first = collect(h, 1, Duration::from_secs(1));
    assert!(matches!(first.first(), Some(Callback::ConfigChange(_))), "{first:?}");
    let before = h.stats().unwrap();
    assert!(before.regular_configurations >= 1, "{before:?}");
    assert!(before.gathers >= 1, "{before:?}");
    assert_eq!(before.messages_sent, 0, "{before:?}");

    // A second handle reads the same, process-wide counts.
    let h2 = Handle::initialize().expect("second handle");
    assert_eq!(h2.stats().unwrap().regular_configurations, before.regular_configurations);

    const N: u64 = 25;
    const LEN: u64 = 100;
    let g = Group::named(b"status");
    h.join(&[g]).unwrap();
    for i in 0..N {
        let guarantee = if i % 2 == 0 { Guarantee::Agreed } else { Guarantee::Safe };
        loop {
            match h.mcast_joined(guarantee, &[&[i as u8; LEN as usize]]) {
                Ok(()) => break,
                Err(Error::TryAgain) => std::thread::sleep(Duration::from_millis(1)),
                Err(e) => panic!("mcast: {e}"),
            }
        }
    }
    // One that no handle of ours joined: sent and delivered by the processor all the same.
    h.mcast_groups(Guarantee::Agreed, &[Group::named(b"nobody")], &[b"x"]).unwrap();
    let got = collect(h, N as usize, Duration::from_secs(10));
    assert_eq!(got.len(), N as usize, "{got:?}");
    // The processor counts its own message once it is delivered (just after
    // the handles have it): wait for the 26th.
    let end = Instant::now() + Duration::from_secs(5);
    let mut after = h.stats().unwrap();
    while after.messages_delivered < before.messages_delivered + N + 1 && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(5));
        after = h.stats().unwrap();
    }
    assert_eq!(after.messages_sent - before.messages_sent, N + 1, "{after:?}");
    assert_eq!(after.bytes_sent - before.bytes_sent, N * LEN + 1, "{after:?}");
    assert_eq!(after.messages_delivered - before.messages_delivered, N + 1, "{after:?}");
    assert_eq!(after.bytes_delivered - before.bytes_delivered, N * LEN + 1, "{after:?}");
    assert!(after.frames_sent > before.frames_sent, "{after:?}");
    assert!(after.token_visits > before.token_visits, "{after:?}");
    // Alone on loopback: nothing lost, nothing refused, the same ring.
    assert_eq!(after.regular_configurations, before.regular_configurations, "{after:?}");
    assert_eq!(after.transitional_configurations, 0, "{after:?}");
    assert_eq!((after.rejected_foreign, after.rejected_unauthentic, after.rejected_replayed), (0, 0, 0));
    assert_eq!(h2.stats().unwrap().messages_sent, after.messages_sent);

    h2.finalize().unwrap();
    h.finalize().unwrap();
    assert_eq!(h.stats(), Err(Error::BadHandle));
}

/// What a child process reports on stdout, one line each.
fn conf_line(c: &ConfigChange) -> String {
    format!(
        "CONF {} {:x}.{:x} members {:?} left {:?} joined {:?}",
        if c.transitional { "T" } else { "R" },
        c.ring_id.rep,
        c.ring_id.seq,
        c.members,
        c.left,
        c.joined
    )
}

/// Run as a child (`EVS_STATUS_CHILD`): `stay` waits for a second member,
/// then for it to leave, and reports its configuration changes and counts;
/// `visit` waits for a second member and finalizes.
#[test]
#[ignore = "run by membership_lines_match_the_configurations as a child process"]
fn child() {
    let Ok(role) = std::env::var("EVS_STATUS_CHILD") else { return };
    let h = Handle::initialize().expect("initialize");
    // A second handle: the lines are logged once per process, not per handle.
    let h2 = Handle::initialize().expect("second handle");
    let end = Instant::now() + Duration::from_secs(30);
    let mut confs: Vec<ConfigChange> = Vec::new();
    let mut paired = false;
    while Instant::now() < end {
        for cb in collect(h, 1, Duration::from_millis(20)) {
            if let Callback::ConfigChange(c) = cb {
                confs.push(c);
            }
        }
        h2.dispatch(DispatchMode::All, &mut |_, _| {}).unwrap();
        let last_regular = confs.iter().rev().find(|c| !c.transitional);
        let size = last_regular.map_or(0, |c| c.members.len());
        paired |= size == 2;
        if paired && (role == "visit" || size == 1) {
            break;
        }
    }
    if role == "stay" {
        let s: Stats = h.stats().unwrap();
        assert_eq!(h2.stats().unwrap().regular_configurations, s.regular_configurations);
        for c in &confs {
            println!("{}", conf_line(c));
        }
        println!(
            "STATS regular {} transitional {} gathers {}",
            s.regular_configurations, s.transitional_configurations, s.gathers
        );
    }
    h2.finalize().unwrap();
    h.finalize().unwrap();
    assert!(paired, "never saw a second member: {confs:?}");
}

fn spawn_child(role: &str, nodeid: u32, port: u16, log: &str, stderr: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--ignored", "--nocapture", "--test-threads=1"])
        .env("EVS_STATUS_CHILD", role)
        .env("EVS_NODEID", nodeid.to_string())
        .env("EVS_MCASTPORT", port.to_string())
        .env("EVS_LOG", log)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(stderr).unwrap())
        .spawn()
        .expect("run the child")
}

fn wait_for(path: &Path, text: &str, within: Duration) -> bool {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if std::fs::read_to_string(path).is_ok_and(|s| s.contains(text)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// The ids after `label:` in a log line, up to the next label.
fn ids_after(line: &str, label: &str) -> Vec<u32> {
    let Some((_, rest)) = line.split_once(&format!(" {label}:")) else { return Vec::new() };
    rest.split_whitespace().map_while(|w| w.parse().ok()).collect()
}

#[test]
fn membership_lines_match_the_configurations() {
    let dir = std::env::temp_dir().join(format!("evs-status-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let (a_err, b_err) = (dir.join("a.err"), dir.join("b.err"));
    // A logs at debug (the state changes too), B at info.
    let a = spawn_child("stay", 11, port, "debug", &a_err);
    assert!(wait_for(&a_err, "A new membership", Duration::from_secs(10)), "A formed no ring");
    let b = spawn_child("visit", 12, port, "info", &b_err);
    let b_out = b.wait_with_output().unwrap();
    let a_out = a.wait_with_output().unwrap();
    let a_stderr = std::fs::read_to_string(&a_err).unwrap();
    let b_stderr = std::fs::read_to_string(&b_err).unwrap();
    let report = format!(
        "A stdout:\n{}\nA stderr:\n{a_stderr}\nB stdout:\n{}\nB stderr:\n{b_stderr}",
        String::from_utf8_lossy(&a_out.stdout),
        String::from_utf8_lossy(&b_out.stdout)
    );
    assert!(a_out.status.success() && b_out.status.success(), "{report}");
    let stdout = String::from_utf8_lossy(&a_out.stdout);
    // (libtest writes "test child ... " before the child's first line.)
    let confs: Vec<&str> = stdout.lines().filter_map(|l| l.find("CONF ").map(|i| &l[i..])).collect();
    let logged: Vec<&str> = a_stderr.lines().filter(|l| l.contains("A new membership (")).collect();

    // One line per regular configuration, in order, with its ring id (rep and
    // seq in hex, as corosync prints them), the members that joined and those
    // the transitional configuration before it said left; then "Members[n]:".
    let mut left: Vec<String> = Vec::new();
    let mut expected = Vec::new();
    for c in &confs {
        let words: Vec<&str> = c.split(' ').collect();
        let ring = words[2];
        let lists: Vec<&str> = c.split(" left ").collect();
        let list = |s: &str| -> Vec<String> {
            s.trim_matches(|ch| ch == '[' || ch == ']')
                .split(", ")
                .filter(|x| !x.is_empty())
                .map(String::from)
                .collect()
        };
        let (members_part, rest) = (lists[0], lists[1]);
        let (left_part, joined_part) = rest.split_once(" joined ").unwrap();
        if words[1] == "T" {
            left = list(left_part);
            continue;
        }
        let members = list(members_part.split(" members ").nth(1).unwrap());
        // The processor's first configuration: every member counts as joined.
        let joined = if expected.is_empty() { members.clone() } else { list(joined_part) };
        let mut line = format!("A new membership ({ring}) was formed. Members");
        if !joined.is_empty() {
            line += &format!(" joined: {}", joined.join(" "));
        }
        if !left.is_empty() {
            line += &format!(" left: {}", left.join(" "));
        }
        left.clear();
        expected.push((line, format!("Members[{}]: {}", members.len(), members.join(" "))));
    }
    assert!(expected.len() >= 3, "singleton, pair, singleton again: {report}");
    assert_eq!(logged.len(), expected.len(), "one line per configuration, not per handle: {report}");
    for ((line, members), got) in expected.iter().zip(&logged) {
        assert!(got.ends_with(line.as_str()), "expected {line:?}, got {got:?}\n{report}");
        assert!(a_stderr.contains(members.as_str()), "no {members:?}\n{report}");
    }
    // The ids themselves: 11 alone first, 12 joined, 12 left.
    assert_eq!(ids_after(logged[0], "joined"), vec![11], "{report}");
    assert!(logged.iter().any(|l| ids_after(l, "joined") == vec![12]), "{report}");
    assert!(logged.last().is_some_and(|l| ids_after(l, "left") == vec![12] && ids_after(l, "joined").is_empty()));
    assert!(a_stderr.contains("Members[2]: 11 12"), "{report}");
    // B at info: its lines name 11 among the members that joined, and no state changes.
    assert!(
        b_stderr.lines().any(|l| l.contains("A new membership (") && ids_after(l, "joined").contains(&11)),
        "{report}"
    );
    assert!(!b_stderr.contains("entering"), "{report}");
    // A at debug: the state changes and the transitional configurations.
    for state in ["GATHER", "COMMIT", "RECOVERY", "OPERATIONAL"] {
        assert!(a_stderr.contains(&format!("entering {state} state.")), "{state}: {report}");
    }
    assert!(a_stderr.contains("Transitional configuration of ring ("), "{report}");

    // The counters agree with the configuration changes the handle saw.
    let stats = stdout.lines().find_map(|l| l.find("STATS ").map(|i| &l[i..])).expect("STATS line");
    let words: Vec<&str> = stats.split(' ').collect();
    let transitional = confs.iter().filter(|c| c.starts_with("CONF T")).count();
    assert_eq!(words[2].parse::<usize>().unwrap(), expected.len(), "{report}");
    assert_eq!(words[4].parse::<usize>().unwrap(), transitional, "{report}");
    let _ = std::fs::remove_dir_all(dir);
}
