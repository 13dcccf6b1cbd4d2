//! Any bytes, as lines, through the whole stream decoder and the JSON writer
//! (the checks are `corridor_ais::fuzz_checks::decode_lines`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| corridor_ais::fuzz_checks::decode_lines(data));
