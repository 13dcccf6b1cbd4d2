//! Any bytes, as a CSV or (when they start like a zip) an xlsx: the readers
//! must return rows or errors, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = corridor_import::jcc::read_bytes("fuzz", data) {
        // Every cargo line comes from a row that was read.
        assert!(p.cargo_lines() as u64 <= p.rows_read);
    }
});
