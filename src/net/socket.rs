//! One UDP socket set up the way every transport wants it, and the non-blocking read.

use std::io;
use std::mem::MaybeUninit;
use std::net::{IpAddr, SocketAddr, SocketAddrV6};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::iface::ipv6_interface_index;

/// Kernel buffers we ask for: a token rotation's burst of frames from many processors
/// must not overflow the default ~200 KiB. The kernel clamps to rmem_max/wmem_max.
const BUFFER_BYTES: usize = 4 << 20;

/// A non-blocking UDP socket of `ip`'s family with large buffers, not yet bound.
pub(super) fn new_udp(ip: IpAddr) -> io::Result<Socket> {
    let domain = if ip.is_ipv4() { Domain::IPV4 } else { Domain::IPV6 };
    let s = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP)).map_err(|e| context(e, "socket"))?;
    if ip.is_ipv6() {
        // Our IPv6 sockets speak IPv6 only: a v4-mapped peer would be a second
        // identity for one processor.
        s.set_only_v6(true).map_err(|e| context(e, "IPV6_V6ONLY"))?;
    }
    // Smaller buffers only cost loss under load, which the protocol recovers from.
    let _ = s.set_recv_buffer_size(BUFFER_BYTES);
    let _ = s.set_send_buffer_size(BUFFER_BYTES);
    s.set_nonblocking(true).map_err(|e| context(e, "O_NONBLOCK"))?;
    Ok(s)
}

/// The address to bind for `ip:port`: a link-local IPv6 address needs its interface
/// as scope id, or the kernel cannot tell which link is meant.
pub(super) fn bind_addr(ip: IpAddr, port: u16) -> io::Result<SocketAddr> {
    Ok(match ip {
        IpAddr::V6(v6) if v6.is_unicast_link_local() => {
            SocketAddr::V6(SocketAddrV6::new(v6, port, 0, ipv6_interface_index(v6)?))
        }
        _ => SocketAddr::new(ip, port),
    })
}

/// bind(2), with the address in the error ("bind 127.0.0.1:5405: Address in use").
pub(super) fn bind(s: &Socket, addr: SocketAddr) -> io::Result<()> {
    s.bind(&SockAddr::from(addr)).map_err(|e| context(e, &format!("bind {addr}")))
}

/// The address the kernel actually bound (the ephemeral port filled in).
pub(super) fn local_addr(s: &Socket) -> io::Result<SocketAddr> {
    s.local_addr()
        .map_err(|e| context(e, "getsockname"))?
        .as_socket()
        .ok_or_else(|| io::Error::other("getsockname: not an IP address"))
}

/// Keeps the error's kind (callers match on AddrInUse) and says what failed.
pub(super) fn context(e: io::Error, what: &str) -> io::Error {
    io::Error::new(e.kind(), format!("{what}: {e}"))
}

/// One non-blocking read.
pub(super) enum Received {
    Datagram(usize, SocketAddr),
    /// Bigger than the buffer and cut short: dropped, since a cut frame is garbage.
    Truncated,
    /// Nothing pending.
    Empty,
}

pub(super) fn recv_one(s: &Socket, buf: &mut [u8]) -> io::Result<Received> {
    // SAFETY: [u8] and [MaybeUninit<u8>] have one layout; recvfrom only writes
    // initialised bytes into it and never de-initialises any, so `buf` stays valid.
    let uninit = unsafe { &mut *(buf as *mut [u8] as *mut [MaybeUninit<u8>]) };
    loop {
        // MSG_TRUNC makes Linux return the datagram's real length, so an oversized
        // one is detected instead of silently handed on cut.
        return match s.recv_from_with_flags(uninit, libc::MSG_TRUNC) {
            Ok((n, _)) if n > uninit.len() => Ok(Received::Truncated),
            Ok((n, from)) => match from.as_socket() {
                Some(from) => Ok(Received::Datagram(n, from)),
                None => continue, // not an IP source: cannot be ours
            },
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Received::Empty),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => Err(e),
        };
    }
}
