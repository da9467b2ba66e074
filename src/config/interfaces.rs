//! Which local address `bindnetaddr` stands for. As in corosync, it is either a
//! local address or the network address of a local interface (so one file can
//! serve every machine of a network); anything else is an error at start-up
//! rather than a socket bound somewhere unexpected.

use std::net::IpAddr;

use super::error::ConfigError;

/// One address of a local interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Iface {
    pub name: String,
    pub addr: IpAddr,
    pub netmask: Option<IpAddr>,
}

/// The machine's interface addresses (IPv4 and IPv6), in `getifaddrs` order.
pub(crate) fn local() -> Result<Vec<Iface>, String> {
    let list = nix::ifaddrs::getifaddrs().map_err(|e| e.to_string())?;
    Ok(list
        .filter_map(|ifa| {
            let addr = ip_of(ifa.address.as_ref()?)?;
            let netmask = ifa.netmask.as_ref().and_then(ip_of);
            Some(Iface { name: ifa.interface_name, addr, netmask })
        })
        .collect())
}

fn ip_of(sa: &nix::sys::socket::SockaddrStorage) -> Option<IpAddr> {
    if let Some(v4) = sa.as_sockaddr_in() {
        Some(IpAddr::V4(v4.ip()))
    } else {
        sa.as_sockaddr_in6().map(|v6| IpAddr::V6(v6.ip()))
    }
}

/// `addr` with its host bits cleared by `mask`; `None` across families.
fn network(addr: IpAddr, mask: IpAddr) -> Option<IpAddr> {
    match (addr, mask) {
        (IpAddr::V4(a), IpAddr::V4(m)) => Some(IpAddr::V4((u32::from(a) & u32::from(m)).into())),
        (IpAddr::V6(a), IpAddr::V6(m)) => Some(IpAddr::V6((u128::from(a) & u128::from(m)).into())),
        _ => None,
    }
}

/// The local address to use for `bindnetaddr`, and a warning when the choice was
/// not the only one. `named` says where bindnetaddr came from, for messages.
pub(crate) fn resolve(
    bindnetaddr: IpAddr,
    ifaces: &[Iface],
    named: &str,
) -> Result<(IpAddr, Option<String>), ConfigError> {
    if ifaces.iter().any(|i| i.addr == bindnetaddr) {
        return Ok((bindnetaddr, None));
    }
    // A network address: its host bits are zero under the interface's netmask, and
    // the interface's own address lies on that network.
    let on_network: Vec<&Iface> = ifaces
        .iter()
        .filter(|i| {
            i.netmask.is_some_and(|m| {
                network(bindnetaddr, m) == Some(bindnetaddr) && network(i.addr, m) == Some(bindnetaddr)
            })
        })
        .collect();
    let Some(first) = on_network.first() else {
        return Err(ConfigError(format!(
            "{named}: bindnetaddr {bindnetaddr}: no local interface has this address or is on this network"
        )));
    };
    let warning = (on_network.len() > 1).then(|| {
        let all: Vec<String> = on_network.iter().map(|i| format!("{} {}", i.name, i.addr)).collect();
        format!(
            "{named}: bindnetaddr {bindnetaddr}: several local addresses are on this network ({}); using {}",
            all.join(", "),
            first.addr
        )
    });
    Ok((first.addr, warning))
}
