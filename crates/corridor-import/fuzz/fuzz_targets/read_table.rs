//! Any bytes as a JCC table (the checks are
//! `corridor_import::fuzz_checks::read_table`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| corridor_import::fuzz_checks::read_table(data));
