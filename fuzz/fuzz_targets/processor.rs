//! Processors fed hostile but decodable packets
//! (`evs::totem::fuzzing::processor` says how the input is read and what it checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| evs::totem::fuzzing::processor(data));
