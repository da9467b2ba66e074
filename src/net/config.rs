//! What a transport is opened with.

use std::io;
use std::net::{IpAddr, SocketAddr};

/// How a datagram for every processor travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportKind {
    /// One IP multicast per datagram to a group: no member list needed.
    Udp,
    /// One unicast per member of a configured list: for networks without multicast.
    Udpu,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportConfig {
    pub kind: TransportKind,
    /// Local interface address (IPv4 or IPv6) to bind, and to send multicast from.
    pub bind_addr: IpAddr,
    /// Udp only: the multicast group.
    pub mcast_addr: IpAddr,
    /// Udp only: the group's port.
    pub mcast_port: u16,
    /// Udpu only: every processor's unicast address, ours included.
    pub members: Vec<SocketAddr>,
    /// Udp: our unicast port, `None` for an ephemeral one (so several processors per
    /// host work). Udpu: `None` binds the first free member entry whose IP is
    /// `bind_addr` (several processes per host each take the next entry); `Some(port)`
    /// binds exactly that port.
    pub unicast_port: Option<u16>,
    /// Hand runs of equal datagrams to the kernel as one segmented buffer
    /// (UDP segmentation offload, `batch.rs`); off when the kernel refuses.
    pub segmentation: bool,
}

/// Checks what every kind needs, so a mistake is named before any socket exists.
pub(super) fn check_common(cfg: &TransportConfig) -> io::Result<()> {
    let ip = cfg.bind_addr;
    // An unspecified address would let the kernel pick the outgoing interface for
    // multicast by routing, i.e. possibly the LAN: the interface must be explicit.
    if ip.is_unspecified() || ip.is_multicast() {
        return Err(invalid(format!("bind address {ip} is not a local interface address")));
    }
    Ok(())
}

pub(super) fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

pub(super) fn same_family(a: IpAddr, b: IpAddr) -> bool {
    a.is_ipv4() == b.is_ipv4()
}
