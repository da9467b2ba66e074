//! bindnetaddr to the local address, on the real loopback and on made-up networks.

use super::*;
use crate::config::interfaces::resolve;

#[test]
fn loopback_address_and_network() {
    let s = ok(None, &[("EVS_BINDNETADDR", "127.0.0.1")]);
    assert_eq!((s.bindnetaddr, s.bind_addr), (ip("127.0.0.1"), ip("127.0.0.1")));
    let s = ok(None, &[("EVS_BINDNETADDR", "127.0.0.0")]);
    assert_eq!((s.bindnetaddr, s.bind_addr), (ip("127.0.0.0"), ip("127.0.0.1")));
}

#[test]
fn test_net_is_never_local() {
    // This address is never assigned (only a network around it might be).
    says(
        &err(None, &[("EVS_BINDNETADDR", "192.0.2.77")]),
        &["EVS_BINDNETADDR", "192.0.2.77", "no local interface has this address or is on this network"],
    );
}

#[test]
fn the_real_interfaces_include_loopback() {
    let all = crate::config::interfaces::local().unwrap();
    assert!(all.iter().any(|i| i.addr == ip("127.0.0.1") && i.netmask == Some(ip("255.0.0.0"))), "{all:?}");
}

#[test]
fn resolution_rules() {
    let ifaces = fake_ifaces();
    let r = |a: &str| resolve(ip(a), &ifaces, "X").map(|(addr, warning)| (addr.to_string(), warning));
    // A local address is itself.
    assert_eq!(r("10.1.2.4").unwrap(), ("10.1.2.4".into(), None));
    assert_eq!(r("fd00:1::5").unwrap(), ("fd00:1::5".into(), None));
    assert_eq!(r("::1").unwrap(), ("::1".into(), None));
    // A network address is its interface's address.
    assert_eq!(r("172.16.0.0").unwrap(), ("172.20.1.9".into(), None));
    assert_eq!(r("fd00:1::").unwrap(), ("fd00:1::5".into(), None));
    assert_eq!(r("fe80::").unwrap(), ("fe80::1:2".into(), None));
    // Two interfaces on one network: the first, with a warning naming both.
    let (addr, warning) = r("10.1.2.0").unwrap();
    assert_eq!(addr, "10.1.2.3");
    says(&warning.unwrap(), &["X: bindnetaddr 10.1.2.0", "eth0 10.1.2.3", "eth1 10.1.2.4", "using 10.1.2.3"]);
    // A host address on a local network, or a network that is not an interface's
    // network (wrong prefix length), is neither.
    for bad in ["10.1.2.77", "10.1.0.0", "172.20.0.0", "fd00:2::", "::", "0.0.0.0"] {
        says(&r(bad).unwrap_err().0, &["X: bindnetaddr", bad, "no local interface"]);
    }
}

#[test]
fn ipv6_settings() {
    let s = load_fake(None, &[("EVS_BINDNETADDR", "fd00:1::"), ("EVS_MCASTADDR", "ff15::42")]).unwrap();
    assert_eq!((s.bindnetaddr, s.bind_addr, s.mcastaddr), (ip("fd00:1::"), ip("fd00:1::5"), ip("ff15::42")));
    says(
        &err_fake(None, &[("EVS_BINDNETADDR", "::1"), ("EVS_MCASTADDR", "239.1.1.1")]),
        &["EVS_MCASTADDR: '239.1.1.1' is IPv4 but bindnetaddr ::1 is IPv6"],
    );
    says(
        &err_fake(None, &[("EVS_BINDNETADDR", "::1"), ("EVS_MCASTADDR", "fd00::1")]),
        &["'fd00::1' is not a multicast"],
    );
    let s = load_fake(
        None,
        &[("EVS_BINDNETADDR", "::1"), ("EVS_TRANSPORT", "udpu"), ("EVS_MEMBERS", "[::1]:5405,[fd00:1::7]:6000")],
    )
    .unwrap();
    assert_eq!(s.members, vec!["[::1]:5405".parse().unwrap(), "[fd00:1::7]:6000".parse().unwrap()]);
    says(
        &err_fake(None, &[("EVS_BINDNETADDR", "::1"), ("EVS_MEMBERS", "[::1]:5405,127.0.0.1:5405")]),
        &["EVS_MEMBERS", "127.0.0.1:5405 is IPv4 but bindnetaddr ::1 is IPv6"],
    );
    let text = "totem {\n transport: udpu\n interface {\n  bindnetaddr: fd00:1::\n  mcastport: 6000\n }\n}\n\
                nodelist {\n node {\n  ring0_addr: fd00:1::5\n  nodeid: 5\n }\n node {\n  ring0_addr: fd00:1::6\n  nodeid: 6\n }\n}\n";
    let s = load_fake(Some(text), &[]).unwrap();
    assert_eq!(s.members, vec!["[fd00:1::5]:6000".parse().unwrap(), "[fd00:1::6]:6000".parse().unwrap()]);
    assert_eq!(s.nodeid, Some(5));
    assert_eq!(s.mcastaddr, ip("ff15::efc0:4d04"));
}

#[test]
fn interface_listing_failure_is_reported() {
    let lookup = |_: &str| None;
    let e = Settings::from_sources_with(None, &lookup, &|| Err("EPERM".into())).unwrap_err();
    says(&e.0, &["cannot list the local interfaces: EPERM"]);
}
