//! Every bad value is refused with one line naming the key or variable and the value.

use super::*;

/// `variable=value` alone is refused with a message naming both and `problem`.
#[track_caller]
fn refused(variable: &str, value: &str, problem: &str) {
    says(&err(None, &[(variable, value)]), &[variable, &format!("'{value}'"), problem]);
}

#[test]
fn unparsable_numbers() {
    says(&err(None, &[("EVS_TOKEN", "abc")]), &["EVS_TOKEN: 'abc' is not a number of milliseconds"]);
    for variable in ["EVS_TOKEN", "EVS_JOIN", "EVS_CONSENSUS", "EVS_MERGE"] {
        for value in ["abc", "", "-5", "+5", "1e3", "0x10", "1.5", "10 ms"] {
            refused(variable, value, "is not a number of milliseconds");
        }
    }
    refused("EVS_TOKEN_RETRANSMITS", "four", "is not a number");
    refused("EVS_WINDOW_SIZE", "x", "is not a number");
    refused("EVS_MAX_MESSAGES", "x", "is not a number");
    refused("EVS_ACCELERATED_WINDOW", "half", "is not a number");
    refused("EVS_ACCELERATED_WINDOW", "-1", "is not a number");
    refused("EVS_NETMTU", "1k", "is not a number of bytes");
    refused("EVS_MCASTPORT", "http", "is not a port number");
    refused("EVS_NODEID", "one", "is not a node id");
}

#[test]
fn numbers_out_of_range() {
    for (variable, low, high) in [
        ("EVS_TOKEN", "9", "600001"),
        ("EVS_JOIN", "0", "60001"),
        ("EVS_MERGE", "0", "600001"),
        ("EVS_WINDOW_SIZE", "0", "10001"),
        ("EVS_MAX_MESSAGES", "0", "10001"),
        ("EVS_NETMTU", "575", "65001"),
        ("EVS_TOKEN_RETRANSMITS", "0", "101"),
        ("EVS_MCASTPORT", "0", "65535"),
        ("EVS_NODEID", "0", "2147483648"),
    ] {
        refused(variable, low, "out of range");
        refused(variable, high, "out of range");
    }
    refused("EVS_TOKEN", "99999999999999999999999", "out of range");
    says(&err(None, &[("EVS_TOKEN", "5")]), &["EVS_TOKEN: '5' is out of range (10 to 600000 ms)"]);
    // The edges are accepted.
    let s = ok(
        None,
        &[("EVS_TOKEN", "600000"), ("EVS_NETMTU", "65000"), ("EVS_MCASTPORT", "65534"), ("EVS_NODEID", "2147483647")],
    );
    assert_eq!((s.token_ms, s.netmtu, s.mcastport, s.nodeid), (600_000, 65_000, 65_534, Some(0x7fff_ffff)));
    assert_eq!(ok(None, &[("EVS_TOKEN", "10"), ("EVS_JOIN", "1")]).token_ms, 10);
}

#[test]
fn max_messages_within_the_window() {
    says(
        &err(None, &[("EVS_WINDOW_SIZE", "20"), ("EVS_MAX_MESSAGES", "21")]),
        &["EVS_MAX_MESSAGES: '21'", "window_size (20)"],
    );
    assert_eq!(ok(None, &[("EVS_WINDOW_SIZE", "20"), ("EVS_MAX_MESSAGES", "20")]).max_messages, 20);
}

#[test]
fn accelerated_window_within_max_messages() {
    says(
        &err(None, &[("EVS_MAX_MESSAGES", "10"), ("EVS_ACCELERATED_WINDOW", "11")]),
        &["EVS_ACCELERATED_WINDOW: '11'", "exceeds max_messages (10)"],
    );
    // The default max_messages (50) bounds it too.
    says(&err(None, &[("EVS_ACCELERATED_WINDOW", "51")]), &["EVS_ACCELERATED_WINDOW: '51'", "max_messages (50)"]);
    says(
        &err(None, &[("EVS_ACCELERATED_WINDOW", "10001")]),
        &["EVS_ACCELERATED_WINDOW: '10001'", "out of range (0 to 10000)"],
    );
    let s = ok(None, &[("EVS_MAX_MESSAGES", "10"), ("EVS_ACCELERATED_WINDOW", "10")]);
    assert_eq!((s.max_messages, s.accelerated_window), (10, 10));
}

#[test]
fn consensus_must_exceed_join() {
    says(&err(None, &[("EVS_CONSENSUS", "50")]), &["EVS_CONSENSUS: '50'", "must exceed join (50 ms)"]);
    // A default consensus that falls short is named as such.
    says(
        &err(None, &[("EVS_TOKEN", "40")]),
        &["consensus (not set: 1.2 x token = 48 ms; set EVS_CONSENSUS or totem.consensus)", "must exceed join (50 ms)"],
    );
    says(
        &err(Some("totem {\n consensus: 30\n join: 30\n}"), &[]),
        &[&format!("{PATH}:2: totem.consensus: '30'"), "must exceed join (30 ms)"],
    );
}

#[test]
fn file_values_are_named_by_path_line_and_key() {
    says(
        &err(Some("totem {\n\n  token: abc\n}"), &[]),
        &[&format!("{PATH}:3: totem.token: 'abc' is not a number of milliseconds")],
    );
}

#[test]
fn transport() {
    refused("EVS_TRANSPORT", "tcp", "is not a transport (udp, udpu)");
    refused("EVS_TRANSPORT", "knet", "udp, udpu");
    says(
        &err(None, &[("EVS_TRANSPORT", "udpu")]),
        &["EVS_TRANSPORT: 'udpu' needs the member list", "EVS_MEMBERS", "nodelist"],
    );
    says(
        &err(Some("totem {\n transport: udpu\n}"), &[]),
        &[&format!("{PATH}:2: totem.transport: 'udpu' needs the member list")],
    );
}

#[test]
fn bad_addresses() {
    refused("EVS_BINDNETADDR", "localhost", "is not an IP address");
    refused("EVS_BINDNETADDR", "127.0.0.256", "is not an IP address");
    refused("EVS_MCASTADDR", "239.1.2", "is not an IP address");
    refused("EVS_MCASTADDR", "10.0.0.1", "is not a multicast address");
    refused("EVS_MCASTADDR", "ff15::1", "is IPv6 but bindnetaddr 127.0.0.1 is IPv4");
    // With udpu the group is not used, so only its syntax matters.
    let members = ("EVS_MEMBERS", "127.0.0.1:5405");
    assert!(load(None, &[("EVS_TRANSPORT", "udpu"), members, ("EVS_MCASTADDR", "10.0.0.1")]).is_ok());
    says(&err(None, &[("EVS_TRANSPORT", "udpu"), members, ("EVS_MCASTADDR", "x")]), &["EVS_MCASTADDR: 'x'"]);
}

#[test]
fn bad_member_lists() {
    refused("EVS_MEMBERS", "127.0.0.1", "'127.0.0.1', which is not addr:port");
    refused("EVS_MEMBERS", "::1:5405", "IPv6 as [addr]:port");
    refused("EVS_MEMBERS", "127.0.0.1:5405,,127.0.0.1:5407", "empty entry");
    refused("EVS_MEMBERS", "127.0.0.1:5405,", "empty entry");
    refused("EVS_MEMBERS", "127.0.0.1:0", "port 0");
    refused("EVS_MEMBERS", "127.0.0.1:70000", "not addr:port");
    refused("EVS_MEMBERS", "host1:5405", "not addr:port");
    refused("EVS_MEMBERS", "127.0.0.1:5405,127.0.0.1:5405", "lists 127.0.0.1:5405 twice");
    refused("EVS_MEMBERS", "[::1]:5405", "lists [::1]:5405 is IPv6 but bindnetaddr 127.0.0.1 is IPv4");
}

#[test]
fn bad_nodelists() {
    let node = |addr: &str, id: &str| format!("  node {{\n    ring0_addr: {addr}\n    nodeid: {id}\n  }}\n");
    let list = |nodes: &[String]| format!("nodelist {{\n{}}}\n", nodes.concat());
    says(
        &err(Some(&list(&[node("node1.example", "1")])), &[]),
        &[&format!("{PATH}:3: nodelist.node.ring0_addr: 'node1.example' is not an IP address"), "host names"],
    );
    says(
        &err(Some(&list(&[node("127.0.0.1", "0")])), &[]),
        &[&format!("{PATH}:4: nodelist.node.nodeid: '0'"), "out of range"],
    );
    says(
        &err(Some(&list(&[node("127.0.0.1", "1"), node("127.0.0.2", "1")])), &[]),
        &[&format!("{PATH}:8: nodelist.node.nodeid: '1'"), "two nodes", ":4:"],
    );
    says(
        &err(Some(&list(&[node("127.0.0.1", "1"), node("127.0.0.1", "2")])), &[]),
        &[&format!("{PATH}:7: nodelist.node.ring0_addr: '127.0.0.1' is the address of an earlier node too")],
    );
    says(
        &err(Some(&list(&[node("::1", "1")])), &[]),
        &[&format!("{PATH}:3: nodelist.node.ring0_addr: '::1'"), "IPv6", "bindnetaddr 127.0.0.1"],
    );
}

#[test]
fn bad_words() {
    refused("EVS_LOG", "verbose", "is not a log level (off, error, warn, info, debug, trace)");
    refused("EVS_CRYPTO_CIPHER", "aes256", "is not a supported cipher (chacha20, none)");
    refused("EVS_CRYPTO_HASH", "md5", "is not a supported hash (sha1, sha256, none)");
    says(&err(Some("logging {\n debug: maybe\n}"), &[]), &[&format!("{PATH}:2: logging.debug: 'maybe'")]);
    says(&err(Some("logging {\n to_stderr: 2\n}"), &[]), &[&format!("{PATH}:2: logging.to_stderr: '2'")]);
}

#[test]
fn no_local_interface() {
    // 198.51.100.0/24 is TEST-NET-2: documentation only, never a local address.
    says(
        &err(None, &[("EVS_BINDNETADDR", "198.51.100.77")]),
        &["EVS_BINDNETADDR", "198.51.100.77", "no local interface has this address or is on this network"],
    );
    says(
        &err(Some("totem {\n interface {\n  bindnetaddr: 198.51.100.77\n }\n}"), &[]),
        &[&format!("{PATH}:3: totem.interface.bindnetaddr"), "198.51.100.77", "no local interface"],
    );
}
