//! Arbitrary bytes into the wire decoder and the datagram envelope
//! (`evs::totem::fuzzing::decode` says what it checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| evs::totem::fuzzing::decode(data));
