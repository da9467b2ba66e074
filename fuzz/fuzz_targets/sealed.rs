//! Arbitrary bytes, and genuine sealed datagrams altered by them, into a
//! keyed processor's codec (`evs::net::fuzzing::sealed` says what it checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| evs::net::fuzzing::sealed(data));
