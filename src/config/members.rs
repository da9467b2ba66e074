//! The udpu member list, from `EVS_MEMBERS` or the file's `nodelist`, and this
//! processor's node id as the nodelist gives it.

use std::net::{IpAddr, SocketAddr};

use super::error::ConfigError;
use super::file::Node;
use super::source::Raw;
use super::values;

/// A member listed twice is a mistake in the list, not something to merge quietly.
///
/// `EVS_MEMBERS`: comma-separated `addr:port`, IPv6 as `[addr]:port`. The port is
/// required: a bare IPv6 address ending in `:5405` would otherwise read as another
/// address with the default port.
pub(crate) fn from_env(raw: &Raw) -> Result<Vec<SocketAddr>, ConfigError> {
    let mut members = Vec::new();
    for entry in raw.value.split(',').map(str::trim) {
        if entry.is_empty() {
            return Err(raw.error("has an empty entry"));
        }
        let addr: SocketAddr = entry
            .parse()
            .map_err(|_| raw.error(format_args!("holds '{entry}', which is not addr:port (IPv6 as [addr]:port)")))?;
        if addr.port() == 0 {
            return Err(raw.error(format_args!("holds '{entry}': port 0 is not a port to send to")));
        }
        if members.contains(&addr) {
            return Err(raw.error(format_args!("lists {addr} twice")));
        }
        members.push(addr);
    }
    Ok(members)
}

/// The nodelist's `ring0_addr`s, each at `port` (corosync gives every node the
/// same port).
pub(crate) fn from_nodes(nodes: &[Node], port: u16) -> Result<Vec<SocketAddr>, ConfigError> {
    let mut members = Vec::new();
    for node in nodes {
        let ip =
            values::ip(&node.ring0_addr).map_err(|e| ConfigError(format!("{} (host names are not supported)", e.0)))?;
        let addr = SocketAddr::new(ip, port);
        if members.contains(&addr) {
            return Err(node.ring0_addr.error("is the address of an earlier node too"));
        }
        members.push(addr);
    }
    Ok(members)
}

/// Check every nodelist node id, and return the one of the node whose ring0_addr
/// is `local` (as corosync finds its own entry). There is at most one such node:
/// [`from_nodes`] refuses an address listed twice.
pub(crate) fn nodeid_of(nodes: &[Node], local: IpAddr) -> Result<Option<u32>, ConfigError> {
    let mut seen: Vec<(u32, &Raw)> = Vec::new();
    let mut mine = None;
    for node in nodes {
        let Some(raw) = &node.nodeid else { continue };
        let id = values::nodeid(raw)?;
        if let Some((_, first)) = seen.iter().find(|(other, _)| *other == id) {
            return Err(raw.error(format_args!("is given to two nodes (also at {})", first.origin)));
        }
        seen.push((id, raw));
        if node.ring0_addr.value.parse::<IpAddr>() == Ok(local) {
            mine = Some(id);
        }
    }
    Ok(mine)
}
