//! Udp: the group is reached by IP multicast.
//!
//! Two sockets. The unicast one is bound to our interface address on its own port and
//! SENDS everything, multicasts included, so every datagram's source address names the
//! sending processor. The group socket only RECEIVES: it is bound to the group's
//! address and port with SO_REUSEADDR/SO_REUSEPORT, so every processor on the host
//! gets its own copy of each multicast.
//!
//! The outgoing interface is pinned to the bind interface (IP_MULTICAST_IF /
//! IPV6_MULTICAST_IF) and the TTL to 1: a group configured on loopback never leaves
//! the machine, and on a LAN it never leaves the link. Loop-back stays on, so our own
//! multicasts come back to us and to the other processes on this host; the protocol
//! treats its own copy like anyone else's.

use std::io;
use std::net::{IpAddr, SocketAddr, SocketAddrV6};

use socket2::Socket;

use super::config::{check_common, invalid, same_family, TransportConfig};
use super::iface::ipv6_interface_index;
use super::socket::{bind, bind_addr, context, local_addr, new_udp};

/// Hops a multicast may take: 1 keeps it on the link.
const MULTICAST_TTL: u32 = 1;

pub(super) struct Opened {
    pub sender: Socket,
    pub local: SocketAddr,
    pub receiver: Socket,
    pub group: SocketAddr,
}

pub(super) fn open(cfg: &TransportConfig) -> io::Result<Opened> {
    check_common(cfg)?;
    let (ip, group_ip) = (cfg.bind_addr, cfg.mcast_addr);
    if !group_ip.is_multicast() {
        return Err(invalid(format!("mcast address {group_ip} is not a multicast group")));
    }
    if !same_family(ip, group_ip) {
        return Err(invalid(format!("mcast address {group_ip} and bind address {ip} are of different IP versions")));
    }
    if cfg.mcast_port == 0 {
        return Err(invalid("mcast port 0 is not a port".into()));
    }
    // IPv6 names interfaces by index only; IPv4 by address.
    let index = match ip {
        IpAddr::V6(v6) => ipv6_interface_index(v6)?,
        IpAddr::V4(_) => 0,
    };
    let group = group_addr(group_ip, cfg.mcast_port, index);

    let sender = new_udp(ip)?;
    bind(&sender, bind_addr(ip, cfg.unicast_port.unwrap_or(0))?)?;
    pin_outgoing(&sender, ip, index)?;
    let local = local_addr(&sender)?;

    let receiver = new_udp(ip)?;
    receiver.set_reuse_address(true).map_err(|e| context(e, "SO_REUSEADDR"))?;
    receiver.set_reuse_port(true).map_err(|e| context(e, "SO_REUSEPORT"))?;
    // Bound to the group address, not the wildcard: only this group's traffic arrives,
    // not unicast to the port nor other groups joined elsewhere on the host.
    bind(&receiver, group)?;
    join(&receiver, ip, group_ip, index)?;
    Ok(Opened { sender, local, receiver, group })
}

/// The group's socket address. An interface- or link-local IPv6 group (ff?1::, ff?2::)
/// exists once per interface, so the kernel wants the interface as scope id to bind it.
fn group_addr(group: IpAddr, port: u16, index: u32) -> SocketAddr {
    match group {
        IpAddr::V6(g) if g.octets()[1] & 0x0f <= 2 => SocketAddr::V6(SocketAddrV6::new(g, port, 0, index)),
        _ => SocketAddr::new(group, port),
    }
}

/// Multicasts leave by our interface only, one hop, and loop back to this host.
/// Any failure here is fatal: sending without the pin could pick another interface.
fn pin_outgoing(s: &Socket, ip: IpAddr, index: u32) -> io::Result<()> {
    match ip {
        IpAddr::V4(v4) => {
            s.set_multicast_if_v4(&v4).map_err(|e| context(e, &format!("IP_MULTICAST_IF {v4}")))?;
            s.set_multicast_ttl_v4(MULTICAST_TTL).map_err(|e| context(e, "IP_MULTICAST_TTL"))?;
            s.set_multicast_loop_v4(true).map_err(|e| context(e, "IP_MULTICAST_LOOP"))?;
        }
        IpAddr::V6(v6) => {
            s.set_multicast_if_v6(index).map_err(|e| context(e, &format!("IPV6_MULTICAST_IF {v6} (index {index})")))?;
            s.set_multicast_hops_v6(MULTICAST_TTL).map_err(|e| context(e, "IPV6_MULTICAST_HOPS"))?;
            s.set_multicast_loop_v6(true).map_err(|e| context(e, "IPV6_MULTICAST_LOOP"))?;
        }
    }
    Ok(())
}

fn join(s: &Socket, ip: IpAddr, group: IpAddr, index: u32) -> io::Result<()> {
    match (ip, group) {
        (IpAddr::V4(v4), IpAddr::V4(g)) => {
            s.join_multicast_v4(&g, &v4).map_err(|e| context(e, &format!("join {g} on {v4}")))?;
            // Belt and braces with the group bind: only groups this socket joined.
            let _ = s.set_multicast_all_v4(false);
        }
        (IpAddr::V6(v6), IpAddr::V6(g)) => {
            s.join_multicast_v6(&g, index).map_err(|e| context(e, &format!("join {g} on {v6} (index {index})")))?;
            let _ = s.set_multicast_all_v6(false);
        }
        _ => unreachable!("families checked in open"),
    }
    Ok(())
}
