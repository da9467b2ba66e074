//! A bad configuration value makes initialize fail (the node prints one line
//! on stderr) instead of being replaced by a default or hanging.

use evs::api::{Error, Handle};

#[test]
fn bad_value_fails_initialize() {
    std::env::set_var("EVS_TOKEN", "abc");
    assert_eq!(Handle::initialize(), Err(Error::Library));
    std::env::set_var("EVS_TOKEN", "1000");
    std::env::set_var("EVS_BINDNETADDR", "198.51.100.77"); // no such local interface
    assert_eq!(Handle::initialize(), Err(Error::Library));
}
