//! The checks the fuzz target makes (`fuzz/fuzz_targets/read_table.rs`),
//! kept here so that replaying past crashes (`tests/fuzz_regressions/`)
//! makes exactly the same ones. Only with the `fuzz-checks` feature.

/// Any bytes, as a CSV or (when they start like a zip) an xlsx: the readers
/// return rows or errors, never panic, and every cargo line comes from a row
/// that was read.
pub fn read_table(data: &[u8]) {
    if let Ok(p) = crate::jcc::read_bytes("fuzz", data) {
        assert!(p.cargo_lines() as u64 <= p.rows_read);
    }
}
