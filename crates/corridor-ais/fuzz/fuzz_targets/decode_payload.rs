//! Any armored payload: decode, print, re-encode, decode again
//! (the checks are `corridor_ais::fuzz_checks::decode_payload`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| corridor_ais::fuzz_checks::decode_payload(data));
