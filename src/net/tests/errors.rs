//! Configuration mistakes give one clear error, never a half-open transport.

use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};

use super::support::*;
use crate::net::Transport;

fn open_err(cfg: &crate::net::TransportConfig) -> std::io::Error {
    Transport::open(cfg).expect_err("open should fail")
}

#[test]
fn port_in_use_names_the_address() {
    let held = UdpSocket::bind((LO4, 0)).unwrap();
    let port = held.local_addr().unwrap().port();
    let mut cfg = udpu_config(LO4, vec![SocketAddr::new(LO4, port)]);
    let e = open_err(&cfg);
    assert_eq!(e.kind(), ErrorKind::AddrInUse);
    assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}");

    cfg.unicast_port = Some(port);
    let e = open_err(&cfg);
    assert_eq!(e.kind(), ErrorKind::AddrInUse);
    assert!(e.to_string().starts_with(&format!("bind 127.0.0.1:{port}: ")), "{e}");

    let mut udp = udp_config(LO4, GROUP4, free_port(LO4));
    udp.unicast_port = Some(port);
    let e = open_err(&udp);
    assert!(e.to_string().starts_with(&format!("bind 127.0.0.1:{port}: ")), "{e}");
}

#[test]
fn bad_configurations_are_refused() {
    let not_group = udp_config(LO4, LO4, 5405);
    assert!(open_err(&not_group).to_string().contains("not a multicast group"));

    let mixed = udp_config(LO4, "ff11::1".parse().unwrap(), 5405);
    assert!(open_err(&mixed).to_string().contains("different IP versions"));

    let any = udp_config("0.0.0.0".parse().unwrap(), GROUP4, 5405);
    assert_eq!(open_err(&any).kind(), ErrorKind::InvalidInput);

    let stranger: SocketAddr = "127.0.0.2:5405".parse().unwrap();
    let e = open_err(&udpu_config(LO4, vec![stranger]));
    assert!(e.to_string().contains("in no entry of the member list"), "{e}");

    let e = open_err(&udpu_config(LO4, vec![]));
    assert!(e.to_string().contains("empty"), "{e}");

    let e = open_err(&udpu_config(LO4, vec!["[::1]:5405".parse().unwrap()]));
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
}

#[test]
fn a_foreign_address_cannot_be_bound() {
    // 203.0.113.0/24 is TEST-NET-3, held by no machine; bind only, nothing is sent.
    let e = open_err(&udp_config("203.0.113.7".parse().unwrap(), GROUP4, 5405));
    assert!(e.to_string().starts_with("bind 203.0.113.7:0: "), "{e}");
}
