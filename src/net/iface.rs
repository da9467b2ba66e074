//! Which interface an IPv6 address lives on.
//!
//! IPv4 names the multicast interface by address; IPv6 only by interface index
//! (IPV6_MULTICAST_IF, IPV6_JOIN_GROUP), and a link-local bind needs it as scope id.

use std::ffi::CStr;
use std::io;
use std::net::Ipv6Addr;

/// The index of the interface holding `addr`; for `::1` the loopback interface.
pub(super) fn ipv6_interface_index(addr: Ipv6Addr) -> io::Result<u32> {
    let name = interface_name(addr)?.ok_or_else(|| {
        io::Error::new(io::ErrorKind::AddrNotAvailable, format!("no local interface has the address {addr}"))
    })?;
    let cname = std::ffi::CString::new(name.clone()).expect("interface names have no NUL");
    // SAFETY: cname is a valid NUL-terminated string for the duration of the call.
    let index = unsafe { libc::if_nametoindex(cname.as_ptr()) };
    if index == 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(e.kind(), format!("interface {name} of {addr}: {e}")));
    }
    Ok(index)
}

/// Walks getifaddrs(3) for the interface carrying `addr`.
fn interface_name(addr: Ipv6Addr) -> io::Result<Option<String>> {
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs writes a list head we free below with freeifaddrs.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(e.kind(), format!("getifaddrs: {e}")));
    }
    let mut found = None;
    let mut cur = list;
    while !cur.is_null() {
        // SAFETY: cur is a node of the list getifaddrs returned, not yet freed.
        let ifa = unsafe { &*cur };
        cur = ifa.ifa_next;
        if ifa.ifa_name.is_null() {
            continue;
        }
        if holds(ifa, addr) {
            // SAFETY: ifa_name is a NUL-terminated string owned by the list.
            let name = unsafe { CStr::from_ptr(ifa.ifa_name) };
            found = Some(name.to_string_lossy().into_owned());
            break;
        }
    }
    // SAFETY: list came from getifaddrs and nothing borrowed from it outlives this.
    unsafe { libc::freeifaddrs(list) };
    Ok(found)
}

fn holds(ifa: &libc::ifaddrs, addr: Ipv6Addr) -> bool {
    // ::1 is by definition the loopback interface's, even where the listing omits it.
    if addr.is_loopback() && ifa.ifa_flags & libc::IFF_LOOPBACK as u32 != 0 {
        return true;
    }
    if ifa.ifa_addr.is_null() {
        return false;
    }
    // SAFETY: ifa_addr points to a sockaddr whose family tells its real type.
    let family = unsafe { (*ifa.ifa_addr).sa_family };
    if i32::from(family) != libc::AF_INET6 {
        return false;
    }
    // SAFETY: family AF_INET6 means the sockaddr is a sockaddr_in6.
    let sin6 = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in6) };
    Ipv6Addr::from(sin6.sin6_addr.s6_addr) == addr
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_has_an_index_and_strangers_do_not() {
        if std::net::UdpSocket::bind("[::1]:0").is_ok() {
            assert!(ipv6_interface_index(Ipv6Addr::LOCALHOST).unwrap() > 0);
        }
        // 2001:db8::/32 is the documentation prefix: no machine holds it.
        let err = ipv6_interface_index("2001:db8::77".parse().unwrap()).unwrap_err();
        assert!(err.to_string().contains("2001:db8::77"), "{err}");
    }
}
