//! With nothing configured: the table's defaults, a multicast ring on loopback.

use super::*;
use crate::config::{CryptoCipher, CryptoHash, LogLevel, Transport, DEFAULT_MCASTADDR_V4};

#[test]
fn every_default() {
    let s = ok(None, &[]);
    assert_eq!(s.transport, Transport::Udp);
    assert_eq!(s.bindnetaddr, ip("127.0.0.1"));
    assert_eq!(s.bind_addr, ip("127.0.0.1"));
    assert_eq!(s.mcastaddr, ip("239.192.77.4"));
    assert_eq!(s.mcastaddr, IpAddr::V4(DEFAULT_MCASTADDR_V4));
    assert_eq!(s.mcastport, 5405);
    assert!(s.members.is_empty());
    assert_eq!(s.nodeid, None);
    assert_eq!(s.keyfile, None);
    assert_eq!(s.key, None);
    assert_eq!(s.cipher, CryptoCipher::None);
    assert_eq!(s.hash, CryptoHash::None);
    assert_eq!(s.token_ms, 1000);
    assert_eq!(s.token_retransmits, 4);
    assert_eq!(s.join_ms, 50);
    assert_eq!(s.consensus_ms, 1200);
    assert_eq!(s.merge_ms, 200);
    assert_eq!(s.window_size, 150);
    assert_eq!(s.max_messages, 50);
    assert_eq!(s.accelerated_window, crate::totem::DEFAULT_ACCELERATED_WINDOW);
    assert_eq!(s.accelerated_window, 0, "off: it did not pay on the benchmark's LAN");
    assert_eq!(s.netmtu, 1500);
    assert_eq!(s.handle_queue_bytes, 64 << 20);
    assert_eq!(s.log, LogLevel::Off);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn an_empty_file_is_all_defaults() {
    assert_eq!(ok(Some(""), &[]), ok(None, &[]));
    assert_eq!(ok(Some("# nothing\n\n   \n"), &[]), ok(None, &[]));
}

#[test]
fn consensus_follows_token_unless_set() {
    assert_eq!(ok(None, &[("EVS_TOKEN", "3000")]).consensus_ms, 3600);
    assert_eq!(ok(None, &[("EVS_TOKEN", "10"), ("EVS_JOIN", "5")]).consensus_ms, 12);
    assert_eq!(ok(None, &[("EVS_TOKEN", "600000")]).consensus_ms, 720_000);
    assert_eq!(ok(None, &[("EVS_TOKEN", "3000"), ("EVS_CONSENSUS", "100")]).consensus_ms, 100);
}

#[test]
fn max_messages_default_fits_a_small_window() {
    let s = ok(None, &[("EVS_WINDOW_SIZE", "5")]);
    assert_eq!((s.window_size, s.max_messages), (5, 5));
}

#[test]
fn max_messages_default_follows_a_small_window() {
    assert_eq!(ok(None, &[("EVS_WINDOW_SIZE", "20")]).max_messages, 20);
    assert_eq!(ok(None, &[("EVS_WINDOW_SIZE", "200")]).max_messages, 50);
    // The accelerated ring stays off unless asked for, whatever the visit.
    assert_eq!(ok(None, &[("EVS_MAX_MESSAGES", "3")]).accelerated_window, 0);
}

#[test]
fn ipv6_default_group_follows_bindnetaddr() {
    let s = load_fake(None, &[("EVS_BINDNETADDR", "::1")]).unwrap();
    assert_eq!(s.mcastaddr, ip("ff15::efc0:4d04"));
    assert!(s.mcastaddr.is_multicast());
}

#[test]
fn log_levels_are_ordered() {
    assert!(LogLevel::Off < LogLevel::Error);
    assert!(LogLevel::Error < LogLevel::Warn);
    assert!(LogLevel::Warn < LogLevel::Info);
    assert!(LogLevel::Info < LogLevel::Debug);
    assert!(LogLevel::Debug < LogLevel::Trace);
}
