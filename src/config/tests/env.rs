//! Every environment variable, alone and over the file's key.

use super::*;
use crate::config::{LogLevel, Transport};

#[test]
fn every_variable_at_once() {
    let key = temp_file(128);
    let s = ok(
        None,
        &[
            ("EVS_TRANSPORT", "udpu"),
            ("EVS_BINDNETADDR", "127.0.0.0"),
            ("EVS_MCASTADDR", "239.1.2.3"),
            ("EVS_MCASTPORT", "6000"),
            ("EVS_MEMBERS", "127.0.0.1:6000, 127.0.0.1:6002"),
            ("EVS_NODEID", "42"),
            ("EVS_KEYFILE", key.to_str().unwrap()),
            ("EVS_CRYPTO_CIPHER", "chacha20"),
            ("EVS_CRYPTO_HASH", "sha256"),
            ("EVS_TOKEN", "3000"),
            ("EVS_TOKEN_RETRANSMITS", "10"),
            ("EVS_JOIN", "60"),
            ("EVS_CONSENSUS", "3500"),
            ("EVS_MERGE", "300"),
            ("EVS_WINDOW_SIZE", "100"),
            ("EVS_MAX_MESSAGES", "30"),
            ("EVS_NETMTU", "9000"),
            ("EVS_LOG", "debug"),
        ],
    );
    assert_eq!(s.transport, Transport::Udpu);
    assert_eq!((s.bindnetaddr, s.bind_addr), (ip("127.0.0.0"), ip("127.0.0.1")));
    assert_eq!((s.mcastaddr, s.mcastport), (ip("239.1.2.3"), 6000));
    assert_eq!(s.members, vec!["127.0.0.1:6000".parse().unwrap(), "127.0.0.1:6002".parse().unwrap()]);
    assert_eq!(s.nodeid, Some(42));
    assert_eq!(s.keyfile.as_deref(), Some(key.as_path()));
    assert_eq!(s.key, Some(std::fs::read(&key).unwrap()));
    assert_eq!((s.cipher, s.hash), (crate::config::CryptoCipher::ChaCha20, crate::config::CryptoHash::Sha256));
    assert_eq!((s.token_ms, s.token_retransmits, s.join_ms, s.consensus_ms, s.merge_ms), (3000, 10, 60, 3500, 300));
    assert_eq!((s.window_size, s.max_messages, s.netmtu), (100, 30, 9000));
    assert_eq!(s.log, LogLevel::Debug);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn variables_one_by_one() {
    let key = temp_file(200);
    let keyname = key.to_str().unwrap();
    assert_eq!(ok(None, &[("EVS_TRANSPORT", "udpu"), ("EVS_MEMBERS", "127.0.0.1:5405")]).transport, Transport::Udpu);
    assert_eq!(ok(None, &[("EVS_TRANSPORT", "UDP")]).transport, Transport::Udp);
    assert_eq!(ok(None, &[("EVS_BINDNETADDR", "127.0.0.0")]).bindnetaddr, ip("127.0.0.0"));
    assert_eq!(ok(None, &[("EVS_MCASTADDR", "239.1.2.3")]).mcastaddr, ip("239.1.2.3"));
    assert_eq!(ok(None, &[("EVS_MCASTPORT", "6000")]).mcastport, 6000);
    assert_eq!(
        ok(None, &[("EVS_MEMBERS", "127.0.0.1:6000, 127.0.0.1:6002")]).members,
        vec!["127.0.0.1:6000".parse().unwrap(), "127.0.0.1:6002".parse().unwrap()]
    );
    assert_eq!(ok(None, &[("EVS_NODEID", "42")]).nodeid, Some(42));
    let s = ok(None, &[("EVS_KEYFILE", keyname)]);
    assert_eq!(s.keyfile.as_deref(), Some(key.as_path()));
    assert_eq!(s.key.as_ref().map(Vec::len), Some(200));
    assert_eq!(
        ok(None, &[("EVS_KEYFILE", keyname), ("EVS_CRYPTO_CIPHER", "none")]).cipher,
        crate::config::CryptoCipher::None
    );
    assert_eq!(
        ok(None, &[("EVS_KEYFILE", keyname), ("EVS_CRYPTO_HASH", "sha256")]).hash,
        crate::config::CryptoHash::Sha256
    );
    assert_eq!(ok(None, &[("EVS_TOKEN", "3000")]).token_ms, 3000);
    assert_eq!(ok(None, &[("EVS_TOKEN_RETRANSMITS", "10")]).token_retransmits, 10);
    assert_eq!(ok(None, &[("EVS_JOIN", "60")]).join_ms, 60);
    assert_eq!(ok(None, &[("EVS_CONSENSUS", "3600")]).consensus_ms, 3600);
    assert_eq!(ok(None, &[("EVS_MERGE", "300")]).merge_ms, 300);
    assert_eq!(ok(None, &[("EVS_WINDOW_SIZE", "100")]).window_size, 100);
    assert_eq!(ok(None, &[("EVS_MAX_MESSAGES", "30")]).max_messages, 30);
    // 0 turns the accelerated ring off.
    assert_eq!(ok(None, &[("EVS_ACCELERATED_WINDOW", "0")]).accelerated_window, 0);
    assert_eq!(ok(None, &[("EVS_ACCELERATED_WINDOW", "17")]).accelerated_window, 17);
    assert_eq!(ok(None, &[("EVS_NETMTU", "9000")]).netmtu, 9000);
    assert_eq!(ok(None, &[("EVS_HANDLE_QUEUE_BYTES", "2097152")]).handle_queue_bytes, 2 << 20);
    // Below two maximal messages, one might never fit.
    let message = err(None, &[("EVS_HANDLE_QUEUE_BYTES", "1048576")]);
    says(&message, &["EVS_HANDLE_QUEUE_BYTES", "'1048576'", "out of range (2097152 to 4294967295 bytes)"]);
    for (word, level) in [
        ("off", LogLevel::Off),
        ("error", LogLevel::Error),
        ("warn", LogLevel::Warn),
        ("info", LogLevel::Info),
        ("debug", LogLevel::Debug),
        ("TRACE", LogLevel::Trace),
    ] {
        assert_eq!(ok(None, &[("EVS_LOG", word)]).log, level);
    }
}

#[test]
fn values_are_trimmed() {
    assert_eq!(ok(None, &[("EVS_TOKEN", " 2000\t")]).token_ms, 2000);
}

const FILE: &str = "
totem {
    transport: udpu
    token: 5000
    join: 70
    nodeid: 3
    interface {
        bindnetaddr: 127.0.0.1
        mcastport: 5000
    }
}
nodelist {
    node {
        ring0_addr: 127.0.0.1
        nodeid: 1
    }
}
logging {
    debug: on
}
";

#[test]
fn a_variable_overrides_its_file_key() {
    let from_file = ok(Some(FILE), &[]);
    assert_eq!(from_file.token_ms, 5000);
    assert_eq!(from_file.nodeid, Some(3));
    assert_eq!(from_file.log, LogLevel::Debug);
    assert_eq!(from_file.members, vec!["127.0.0.1:5000".parse().unwrap()]);
    let s = ok(
        Some(FILE),
        &[
            ("EVS_TOKEN", "2000"),
            ("EVS_NODEID", "9"),
            ("EVS_MCASTPORT", "6000"),
            ("EVS_TRANSPORT", "udp"),
            ("EVS_LOG", "warn"),
        ],
    );
    assert_eq!(s.token_ms, 2000);
    assert_eq!(s.consensus_ms, 2400, "the default consensus follows the token actually used");
    assert_eq!(s.join_ms, 70, "keys without a variable keep the file's value");
    assert_eq!(s.nodeid, Some(9));
    assert_eq!(s.transport, Transport::Udp);
    assert_eq!(s.log, LogLevel::Warn);
    // The nodelist's members take the port actually used.
    assert_eq!(s.members, vec!["127.0.0.1:6000".parse().unwrap()]);
}

#[test]
fn members_variable_replaces_the_nodelist() {
    let s = ok(Some(FILE), &[("EVS_MEMBERS", "127.0.0.1:7000,127.0.0.1:7002")]);
    assert_eq!(s.members, vec!["127.0.0.1:7000".parse().unwrap(), "127.0.0.1:7002".parse().unwrap()]);
    assert_eq!(s.nodeid, Some(3), "totem.nodeid still applies");
    assert!(s.warnings.iter().any(|w| w.contains("EVS_MEMBERS") && w.contains("nodelist")), "{:?}", s.warnings);
}

#[test]
fn members_with_udp_are_kept_with_a_warning() {
    let s = ok(None, &[("EVS_MEMBERS", "127.0.0.1:7000")]);
    assert_eq!(s.members.len(), 1);
    assert!(s.warnings.iter().any(|w| w.contains("EVS_MEMBERS") && w.contains("udpu")), "{:?}", s.warnings);
}
