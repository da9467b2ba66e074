//! Udpu: the group is the configured member list, reached by one unicast each.
//!
//! One socket, bound to our own entry of the list, sends and receives everything.
//! Several processes on one host share an IP, so "our entry" is the first entry with
//! our IP whose port is still free: start N processes with the same list and each
//! takes the next one.

use std::io;
use std::net::SocketAddr;

use socket2::Socket;

use super::config::{check_common, invalid, same_family, TransportConfig};
use super::socket::{bind, bind_addr, local_addr, new_udp};

pub(super) struct Opened {
    pub socket: Socket,
    pub local: SocketAddr,
    /// Every member, ours last and each once: what `send_all` walks.
    pub targets: Vec<SocketAddr>,
}

pub(super) fn open(cfg: &TransportConfig) -> io::Result<Opened> {
    check_common(cfg)?;
    let ip = cfg.bind_addr;
    if cfg.members.is_empty() {
        return Err(invalid("udpu needs a member list and it is empty".into()));
    }
    for m in &cfg.members {
        if !same_family(m.ip(), ip) || m.ip().is_unspecified() || m.ip().is_multicast() || m.port() == 0 {
            return Err(invalid(format!(
                "member {m} is not a unicast address of the bind address's IP version ({ip})"
            )));
        }
    }
    let (socket, local) = bind_own_entry(cfg)?;
    Ok(Opened { socket, local, targets: targets(&cfg.members, local) })
}

/// Binds `unicast_port` if given, else the first free member entry with our IP.
fn bind_own_entry(cfg: &TransportConfig) -> io::Result<(Socket, SocketAddr)> {
    let ip = cfg.bind_addr;
    let ports: Vec<u16> = match cfg.unicast_port {
        Some(p) => vec![p],
        None => cfg.members.iter().filter(|m| m.ip() == ip).map(|m| m.port()).collect(),
    };
    if ports.is_empty() {
        let list: Vec<String> = cfg.members.iter().map(|m| m.to_string()).collect();
        return Err(invalid(format!("bind address {ip} is in no entry of the member list ({})", list.join(", "))));
    }
    let mut last_err = None;
    for port in ports {
        let s = new_udp(ip)?;
        match bind(&s, bind_addr(ip, port)?) {
            Ok(()) => {
                let local = local_addr(&s)?;
                return Ok((s, local));
            }
            // Another process on this host took that entry: try our next one.
            Err(e) if e.kind() == io::ErrorKind::AddrInUse && cfg.unicast_port.is_none() => last_err = Some(e),
            Err(e) => return Err(e),
        }
    }
    let e = last_err.expect("at least one port was tried");
    Err(io::Error::new(io::ErrorKind::AddrInUse, format!("every member entry for {ip} is in use (last: {e})")))
}

/// The member list without duplicates, our own address moved last: we always get
/// our own copy (like multicast loop-back), even when our port was given explicitly
/// and is missing from the list.
fn targets(members: &[SocketAddr], local: SocketAddr) -> Vec<SocketAddr> {
    let is_local = |m: &SocketAddr| m.ip() == local.ip() && m.port() == local.port();
    let mut out: Vec<SocketAddr> = Vec::with_capacity(members.len());
    for m in members {
        if !is_local(m) && !out.contains(m) {
            out.push(*m);
        }
    }
    out.push(local);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_dedup_and_end_with_ourselves() {
        let a: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let b: SocketAddr = "127.0.0.1:2".parse().unwrap();
        let c: SocketAddr = "127.0.0.1:3".parse().unwrap();
        assert_eq!(targets(&[a, b, c, b], b), vec![a, c, b]);
        assert_eq!(targets(&[a, c], b), vec![a, c, b], "missing self is added");
    }
}
