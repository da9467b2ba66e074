//! Unit tests of the configuration. None reads the real environment: each passes
//! its own variables to `from_sources` through a closure.

mod crypto;
mod defaults;
mod env;
mod errors;
mod file;
mod limits;
mod network;
mod syntax;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::interfaces::Iface;
use super::{ConfigError, Settings};

/// The path the test file is "read" from, as messages show it.
pub(super) const PATH: &str = "/etc/evs/test.conf";

/// Settings from an optional file text and some variables, on this machine's
/// interfaces (loopback is always there).
pub(super) fn load(file: Option<&str>, env: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let lookup = |name: &str| env.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
    Settings::from_sources(file.map(|text| (PATH, text)), &lookup)
}

/// As [`load`], on made-up interfaces: see [`fake_ifaces`].
pub(super) fn load_fake(file: Option<&str>, env: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let lookup = |name: &str| env.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
    Settings::from_sources_with(file.map(|text| (PATH, text)), &lookup, &|| Ok(fake_ifaces()))
}

pub(super) fn ok(file: Option<&str>, env: &[(&str, &str)]) -> Settings {
    load(file, env).unwrap_or_else(|e| panic!("unexpected error: {e}"))
}

/// The error message; fails the test if there was none.
pub(super) fn err(file: Option<&str>, env: &[(&str, &str)]) -> String {
    match load(file, env) {
        Ok(s) => panic!("expected an error, got {s:?}"),
        Err(e) => e.to_string(),
    }
}

pub(super) fn err_fake(file: Option<&str>, env: &[(&str, &str)]) -> String {
    match load_fake(file, env) {
        Ok(s) => panic!("expected an error, got {s:?}"),
        Err(e) => e.to_string(),
    }
}

/// Assert that `message` is one line holding every piece of `parts`.
#[track_caller]
pub(super) fn says(message: &str, parts: &[&str]) {
    assert!(!message.contains('\n'), "not one line: {message}");
    for part in parts {
        assert!(message.contains(part), "{message:?} does not mention {part:?}");
    }
}

pub(super) fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// A machine with loopback, two IPv4 addresses on 10.1.2.0/24 (eth0, eth1), one
/// on 172.16.0.0/12, and IPv6 on fd00:1::/64 plus a link-local address.
pub(super) fn fake_ifaces() -> Vec<Iface> {
    let iface =
        |name: &str, addr: &str, mask: &str| Iface { name: name.into(), addr: ip(addr), netmask: Some(ip(mask)) };
    vec![
        iface("lo", "127.0.0.1", "255.0.0.0"),
        iface("lo", "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        iface("eth0", "10.1.2.3", "255.255.255.0"),
        iface("eth0", "fd00:1::5", "ffff:ffff:ffff:ffff::"),
        iface("eth0", "fe80::1:2", "ffff:ffff:ffff:ffff::"),
        iface("eth1", "10.1.2.4", "255.255.255.0"),
        iface("eth2", "172.20.1.9", "255.240.0.0"),
    ]
}

/// A fresh file of `len` bytes in the temporary directory, private to its
/// owner (mode 0600) as a key must be.
pub(super) fn temp_file(len: usize) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("evs-config-test-{}-{n}.key", std::process::id()));
    let bytes: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
    std::fs::write(&path, bytes).unwrap();
    set_mode(&path, 0o600);
    path
}

pub(super) fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
