//! Reading corosync.conf files: the keys we use, and warnings for the others.

use super::*;
use crate::config::{CryptoCipher, CryptoHash, LogLevel, Transport};

/// A corosync 2.x style file as a user would point us at, with sections and
/// keys libevs has no use for.
const REALISTIC: &str = "\
# Please read the corosync.conf.5 manual page
totem {
\tversion: 2

\t# How long before declaring a token lost (ms)
\ttoken: 3000

\t# How many token retransmits before forming a new configuration
\ttoken_retransmits_before_loss_const: 10

\t# How long to wait for join messages in the membership protocol (ms)
\tjoin: 60

\t# How long to wait for consensus to be achieved before starting a new round of membership configuration (ms)
\tconsensus: 3600

\tmerge: 250
\twindow_size: 60
\tmax_messages: 20
\tnetmtu: 1400
\tcluster_name: mycluster
\ttransport: udp

\tinterface {
\t\tringnumber: 0
\t\tbindnetaddr: 127.0.0.0
\t\tmcastaddr: 239.255.1.1
\t\tmcastport: 5407
\t\tttl: 1
\t}
}

logging {
\tfileline: off
\tto_stderr: yes
\tto_logfile: yes
\tlogfile: /var/log/cluster/corosync.log
\tto_syslog: no
\tdebug: off
\ttimestamp: on
\tlogger_subsys {
\t\tsubsys: QUORUM
\t\tdebug: off
\t}
}

quorum {
\tprovider: corosync_votequorum
\texpected_votes: 2
}
";

#[test]
fn a_realistic_corosync_conf() {
    let s = ok(Some(REALISTIC), &[]);
    assert_eq!(s.transport, Transport::Udp);
    assert_eq!((s.bindnetaddr, s.bind_addr), (ip("127.0.0.0"), ip("127.0.0.1")));
    assert_eq!((s.mcastaddr, s.mcastport), (ip("239.255.1.1"), 5407));
    assert_eq!((s.token_ms, s.token_retransmits, s.join_ms, s.consensus_ms, s.merge_ms), (3000, 10, 60, 3600, 250));
    assert_eq!((s.window_size, s.max_messages, s.netmtu), (60, 20, 1400));
    assert_eq!(s.log, LogLevel::Info, "to_stderr: yes without debug");
    assert_eq!((s.cipher, s.hash), (CryptoCipher::None, CryptoHash::None));
    // Every key and section we do not read is named with its line.
    for (line, what) in [
        (3, "totem.version"),
        (21, "totem.cluster_name"),
        (29, "totem.interface.ttl"),
        (34, "logging.fileline"),
        (36, "logging.to_logfile"),
        (37, "logging.logfile"),
        (38, "logging.to_syslog"),
        (40, "logging.timestamp"),
        (41, "section 'logging.logger_subsys'"),
        (47, "section 'quorum'"),
    ] {
        let tag = format!("{PATH}:{line}: {what}");
        assert!(s.warnings.iter().any(|w| w.starts_with(&tag)), "no warning {tag:?} in {:#?}", s.warnings);
    }
    assert_eq!(s.warnings.len(), 10, "{:#?}", s.warnings);
}

const NODELIST: &str = "
totem {
    transport: udpu
    interface {
        bindnetaddr: 127.0.0.1
        mcastport: 5500
    }
}
nodelist {
    node {
        ring0_addr: 10.0.0.1
        nodeid: 1
    }
    node {
        ring0_addr: 127.0.0.1
        nodeid: 2
    }
    node {
        ring0_addr: 10.0.0.3
    }
}
";

#[test]
fn nodelist_gives_members_at_mcastport_and_this_node_id() {
    let s = ok(Some(NODELIST), &[]);
    assert_eq!(s.transport, Transport::Udpu);
    let want: Vec<std::net::SocketAddr> =
        ["10.0.0.1:5500", "127.0.0.1:5500", "10.0.0.3:5500"].iter().map(|a| a.parse().unwrap()).collect();
    assert_eq!(s.members, want);
    assert_eq!(s.nodeid, Some(2), "the node whose ring0_addr is the bind address");
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    // totem.nodeid wins over the nodelist.
    let s = ok(Some(&NODELIST.replace("transport: udpu", "transport: udpu\n    nodeid: 7")), &[]);
    assert_eq!(s.nodeid, Some(7));
}

#[test]
fn nodelist_oddities_are_warned_about() {
    let text = "nodelist {\n  node {\n    ring0_addr: 127.0.0.1\n    name: n1\n    ring1_addr: 127.0.0.2\n  }\n  foo: bar\n}\n";
    let s = ok(Some(text), &[]);
    assert_eq!(s.members, vec!["127.0.0.1:5405".parse().unwrap()]);
    assert_eq!(s.warnings.len(), 3, "{:?}", s.warnings);
    assert!(s.warnings[0].starts_with(&format!("{PATH}:4: nodelist.node.name")));
    assert!(s.warnings[1].starts_with(&format!("{PATH}:5: nodelist.node.ring1_addr")));
    assert!(s.warnings[2].starts_with(&format!("{PATH}:7: nodelist.foo")));
}

#[test]
fn comments_and_odd_whitespace() {
    let text = "\u{feff}# leading comment\r\n\
        \t  totem{   \r\n\
        token:2500   # trailing comment\r\n\
        \t\tjoin   :   40\t\n\
        # indented comment\n\
        \n\
        \t   \n\
        \t interface\t{\n\
        mcastaddr:239.192.0.9#not a comment: no blank before it? then part of the value\n\
        }\n\
        }";
    // The '#' without a blank before it belongs to the value, which is then no address.
    let message = err(Some(text), &[]);
    says(&message, &[&format!("{PATH}:9: totem.interface.mcastaddr"), "'239.192.0.9#not a comment"]);
    let text = text.replace("239.192.0.9#", "239.192.0.9 #");
    let s = ok(Some(&text), &[]);
    assert_eq!(s.token_ms, 2500);
    assert_eq!(s.join_ms, 40);
    assert_eq!(s.mcastaddr, ip("239.192.0.9"));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn accelerated_window_from_the_file_and_the_environment_over_it() {
    let text = "totem {\n max_messages: 12\n accelerated_window: 0\n}\n";
    let s = ok(Some(text), &[]);
    assert_eq!((s.max_messages, s.accelerated_window), (12, 0));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(ok(Some(text), &[("EVS_ACCELERATED_WINDOW", "5")]).accelerated_window, 5);
    says(
        &err(Some("totem {\n max_messages: 4\n accelerated_window: 6\n}\n"), &[]),
        &["accelerated_window", "'6'", "max_messages (4)"],
    );
}

#[test]
fn duplicate_keys_last_wins_with_a_warning() {
    let text = "totem {\n token: 2000\n}\ntotem {\n token: 4000\n}\n";
    let s = ok(Some(text), &[]);
    assert_eq!(s.token_ms, 4000);
    assert_eq!(s.warnings.len(), 1);
    says(&s.warnings[0], &[&format!("{PATH}:5: totem.token"), "line 2", "'4000'"]);
}

#[test]
fn other_rings_interfaces_are_skipped() {
    let text = "totem {
  interface {
    ringnumber: 0
    bindnetaddr: 127.0.0.0
  }
  interface {
    ringnumber: 1
    bindnetaddr: 192.0.2.0
  }
}";
    let s = ok(Some(text), &[]);
    assert_eq!(s.bindnetaddr, ip("127.0.0.0"));
    assert_eq!(s.warnings.len(), 1);
    says(&s.warnings[0], &[&format!("{PATH}:7:"), "ringnumber '1'", "ignored"]);
}

#[test]
fn secauth_gets_a_specific_warning() {
    let s = ok(Some("totem {\n secauth: on\n}\n"), &[]);
    assert_eq!(s.cipher, CryptoCipher::None);
    says(&s.warnings[0], &[&format!("{PATH}:2: totem.secauth"), "totem.keyfile"]);
}

#[test]
fn top_level_keys_and_unknown_sections_are_warned_about() {
    let s = ok(Some("token: 5\nservice {\n name: pacemaker\n}\n"), &[]);
    assert_eq!(s.token_ms, 1000, "a top-level 'token' is not totem.token");
    assert_eq!(s.warnings.len(), 2);
    assert!(s.warnings[0].starts_with(&format!("{PATH}:1: token ")));
    assert!(s.warnings[1].starts_with(&format!("{PATH}:2: section 'service'")));
}

#[test]
fn logging_switches() {
    let level = |body: &str| ok(Some(&format!("logging {{\n{body}\n}}")), &[]).log;
    assert_eq!(level(""), LogLevel::Off);
    assert_eq!(level("debug: off"), LogLevel::Off);
    assert_eq!(level("debug: on"), LogLevel::Debug);
    assert_eq!(level("debug: trace"), LogLevel::Trace);
    assert_eq!(level("to_stderr: yes"), LogLevel::Info);
    assert_eq!(level("to_stderr: yes\ndebug: on"), LogLevel::Debug);
    assert_eq!(level("to_stderr: no"), LogLevel::Off);
    let s = ok(Some("logging {\n to_stderr: no\n debug: on\n}"), &[]);
    assert_eq!(s.log, LogLevel::Off);
    says(&s.warnings[0], &[&format!("{PATH}:3: logging.debug"), "to_stderr"]);
    // EVS_LOG replaces both.
    assert_eq!(ok(Some("logging {\n to_stderr: no\n debug: on\n}"), &[("EVS_LOG", "error")]).log, LogLevel::Error);
}

#[test]
fn file_crypto_keys_and_a_relative_keyfile() {
    let key = temp_file(256);
    let dir = key.parent().unwrap();
    let name = key.file_name().unwrap().to_str().unwrap();
    let text = format!("totem {{\n keyfile: {name}\n crypto_cipher: chacha20\n crypto_hash: sha256\n}}");
    // A relative keyfile is found next to the configuration file.
    let conf = dir.join("evs.conf");
    let lookup = |_: &str| None;
    let s = Settings::from_sources(Some((conf.to_str().unwrap(), &text)), &lookup).unwrap();
    assert_eq!(s.keyfile.as_deref(), Some(key.as_path()));
    assert_eq!(s.key.map(|k| k.len()), Some(256));
    assert_eq!((s.cipher, s.hash), (CryptoCipher::ChaCha20, CryptoHash::Sha256));
}
