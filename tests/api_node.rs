//! The safe Rust API over a real processor on loopback (a singleton ring):
//! initialize, the first configuration change, multicast and delivery of
//! every guarantee, groups, dispatch modes, finalize.

mod common;

use common::{collect, free_port};
use evs::api::{Callback, DispatchMode, Error, Group, Guarantee, Handle};
use std::time::Duration;

#[test]
fn one_processor_end_to_end() {
    // A private group port: parallel test runs must not meet.
    std::env::set_var("EVS_MCASTPORT", free_port().to_string());
    let h = Handle::initialize().expect("initialize");
    let first = collect(h, 1, Duration::from_secs(1));
    let Some(Callback::ConfigChange(c)) = first.first() else { panic!("first callback {first:?}") };
    let (me, members) = h.membership().unwrap();
    assert_eq!(c.members, members);
    assert_eq!(members, vec![me]);
    assert!(c.left.is_empty() && c.joined.is_empty() && !c.transitional);

    let g = Group::named(b"g");
    h.join(&[g]).unwrap();
    for (i, guarantee) in [Guarantee::Agreed, Guarantee::Safe, Guarantee::Fifo, Guarantee::Unordered].iter().enumerate()
    {
        h.mcast_joined(*guarantee, &[b"m", &[i as u8]]).unwrap();
    }
    let big = vec![7u8; 300_000];
    h.mcast_groups(Guarantee::Agreed, &[g], &[&big]).unwrap();
    h.mcast_groups(Guarantee::Agreed, &[Group::named(b"other")], &[b"not for us"]).unwrap();
    let got = collect(h, 5, Duration::from_secs(5));
    let payloads: Vec<Vec<u8>> = got
        .iter()
        .map(|cb| match cb {
            Callback::Deliver { nodeid, payload } => {
                assert_eq!(*nodeid, me);
                payload.to_vec()
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(payloads.len(), 5, "{payloads:?}");
    for i in 0..4u8 {
        assert!(payloads.contains(&vec![b'm', i]));
    }
    assert!(payloads.contains(&big));
    assert_eq!(h.dispatch(DispatchMode::OneNonBlocking, &mut |_, _| {}), Err(Error::TryAgain));
    assert_eq!(h.leave(&[Group::named(b"nope")]), Err(Error::NotExist));
    assert_eq!(h.mcast_joined(Guarantee::Agreed, &[&vec![0u8; (1 << 20) + 1]]), Err(Error::TooBig));
    h.finalize().unwrap();
    assert_eq!(h.finalize(), Err(Error::BadHandle));

    // A new handle after the last finalize starts a new processor.
    let h2 = Handle::initialize().expect("second initialize");
    assert!(matches!(collect(h2, 1, Duration::from_secs(1)).first(), Some(Callback::ConfigChange(_))));
    h2.finalize().unwrap();
}
