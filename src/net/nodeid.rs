//! A node id for a processor that was not given one.
//!
//! Zero-config must let several processes on one host, and hosts of one LAN, join one
//! ring without choosing ids, so the id is derived from the processor's unicast
//! address, which the kernel already made unique per process (one socket per port).
//!
//! Ids stay within 1..=0x7fffffff: 0 means "no node" in the API, and some programs
//! store node ids in a signed int.
//!
//! Collision cases (the node layer detects a collision through `PeerTable` and reports
//! it; configure `nodeid` explicitly where these can happen):
//! - IPv4: processes on one host never collide (same IP, different ports). Hosts collide
//!   only if their addresses agree in the low 15 bits (clearing the top bit folds
//!   x.y.128+a.b onto x.y.a.b) and they use the same port: so hosts of one /17 are safe,
//!   hosts of one /16 are safe when their third octets do not differ by exactly 128,
//!   and hosts in different /16s that share the low bits (10.1.0.5 and 10.2.0.5) collide
//!   when they use the same port.
//! - IPv6: a 31-bit hash; any two addresses collide with probability 2^-31, so among
//!   n processors about n^2 / 2^32 (one in ~4,000 for 1,000 processors).

use std::net::SocketAddr;

/// Node id derived from our unicast address (see the module doc for uniqueness).
pub fn derive_node_id(local: SocketAddr) -> u32 {
    let raw = match local {
        SocketAddr::V4(a) => {
            let low16 = u32::from(a.ip().to_bits() as u16);
            (low16 << 16) | u32::from(a.port())
        }
        SocketAddr::V6(a) => {
            let mut bytes = [0u8; 18];
            bytes[..16].copy_from_slice(&a.ip().octets());
            bytes[16..].copy_from_slice(&a.port().to_be_bytes());
            fnv1a32(&bytes)
        }
    };
    match raw & 0x7fff_ffff {
        0 => 1,
        id => id,
    }
}

/// 32-bit FNV-1a: tiny, good enough spread for short keys, stable across versions.
fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> u32 {
        derive_node_id(s.parse().unwrap())
    }

    #[test]
    fn ipv4_examples() {
        assert_eq!(id("127.0.0.1:5405"), 0x0001_151d);
        assert_eq!(id("127.0.0.1:5406"), 0x0001_151e);
        assert_eq!(id("192.168.1.20:5405"), 0x0114_151d);
        assert_eq!(id("10.0.255.255:65535"), 0x7fff_ffff, "top bit cleared");
        assert_eq!(id("10.0.200.5:5405"), id("10.0.72.5:5405"), "documented fold");
        assert_eq!(id("10.1.0.5:5405"), id("10.2.0.5:5405"), "documented: other /16");
        assert_eq!(id("10.0.0.0:0"), 1, "never 0");
        assert_eq!(id("10.0.128.0:0"), 1, "never 0 after clearing the top bit");
    }

    #[test]
    fn ipv4_processes_on_one_host_are_distinct() {
        let ids: std::collections::HashSet<u32> = (1..=u16::MAX).map(|p| id(&format!("127.0.0.1:{p}"))).collect();
        assert_eq!(ids.len(), usize::from(u16::MAX));
    }

    #[test]
    fn ipv6_examples() {
        // FNV-1a of the 16 address bytes and the port, big-endian; top bit cleared.
        assert_eq!(fnv1a32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
        let mut key = [0u8; 18];
        key[15] = 1;
        key[16..].copy_from_slice(&5405u16.to_be_bytes());
        assert_eq!(id("[::1]:5405"), fnv1a32(&key) & 0x7fff_ffff);
        assert_ne!(id("[::1]:5405"), id("[::1]:5406"));
        assert_ne!(id("[::1]:5405"), id("[::2]:5405"));
        for p in 1..2000u16 {
            let v = id(&format!("[fd00::17]:{p}"));
            assert!(v != 0 && v <= 0x7fff_ffff);
        }
    }
}
