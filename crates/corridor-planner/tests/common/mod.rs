//! Shared helpers of the integration tests: the JCC record and the real season's capacity.
#![allow(dead_code)]

use corridor_planner::{CapacityConfig, Voyage};

/// The JCC record: `shared/` beside the repository, or the repository's own
/// copy; `CORRIDOR_JCC_RECORD` overrides both.
pub fn record_path() -> std::path::PathBuf {
    if let Ok(p) = std::env::var("CORRIDOR_JCC_RECORD") {
        return p.into();
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let name = "bsgi_outbound_shipments_2023-06-14.csv";
    let shared = root.join("../shared/data/jcc").join(name);
    if shared.exists() {
        shared
    } else {
        root.join("data/jcc").join(name)
    }
}

pub fn capacity_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/capacity-bsgi.toml")
}

pub fn capacity() -> CapacityConfig {
    let text = std::fs::read_to_string(capacity_path()).expect("capacity file");
    CapacityConfig::from_toml(&text).expect("capacity parses")
}

/// The record as outbound voyages, read by the importer itself (so
/// `Outbound +` rows join the voyage they belong to) and mapped as
/// `corridor simulate queue --replay-record` maps the stored record.
/// A missing or unreadable record fails the test: it is in the repository.
pub fn record() -> Vec<Voyage> {
    let path = record_path();
    let parsed = corridor_import::jcc::read_path(&path)
        .unwrap_or_else(|e| panic!("the JCC record {}: {e}", path.display()));
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors.first());
    let mut out: Vec<Voyage> = parsed
        .voyages
        .iter()
        .map(|v| {
            Voyage::from_record(
                v.key.seq,
                v.departure,
                v.tonnes().kg(),
                v.cargo.iter().any(|c| c.wfp == Some(true)),
                v.inspection_cleared,
                v.imo.to_string(),
            )
        })
        .collect();
    out.sort_by(|a, b| (a.reference, &a.id).cmp(&(b.reference, &b.id)));
    out
}
