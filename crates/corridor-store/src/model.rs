//! What the store takes and returns.

use corridor_domain::{CargoLine, FieldChange, Imo, Snapshot, Tonnes, VoyageRecord};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Told `(voyages written, voyages to write)` as an import proceeds.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Send + Sync);

/// One import: a snapshot's voyages, all valid (bad rows were refused by the reader).
#[derive(Clone)]
pub struct ImportBatch<'a> {
    pub snapshot: Snapshot,
    /// A human name for the format, kept with the import.
    pub format: &'a str,
    pub recorded_at: Timestamp,
    /// Owned, so that new voyages move into the record without a copy.
    pub voyages: Vec<VoyageRecord>,
    pub progress: Option<Progress<'a>>,
}

impl std::fmt::Debug for ImportBatch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportBatch")
            .field("snapshot", &self.snapshot)
            .field("format", &self.format)
            .field("voyages", &self.voyages.len())
            .finish_non_exhaustive()
    }
}

/// What an import did to the record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    pub import_id: i64,
    /// Voyages not in the record before.
    pub imported: u64,
    /// Voyages whose values changed (old values kept in the history).
    pub updated: u64,
    /// Of `updated`, voyages that only took values the record lacked (a
    /// WFP flag from a table with that column): nothing lost, no history.
    pub filled_in: u64,
    /// Voyages left as they were (same values).
    pub unchanged: u64,
    /// Voyages whose values differ but lose to a newer snapshot already in
    /// the record: kept in the history only.
    pub superseded: u64,
    /// History rows added (including an older snapshot's differing values).
    pub history_added: u64,
}

/// A voyage as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoyageView {
    pub id: i64,
    pub direction: String,
    pub seq: u32,
    pub vessel_name: String,
    pub imo: Imo,
    pub flag: Option<String>,
    pub flag_name: String,
    pub port: String,
    pub port_name: String,
    pub departure: Date,
    pub inspection_cleared: Option<Date>,
    pub status: String,
    pub tonnes: Tonnes,
    pub cargo: Vec<CargoLine>,
    pub as_of: Date,
    pub source: String,
}

/// Filters for listing voyages. Dates are inclusive, on the departure date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct VoyageQuery {
    pub from: Option<Date>,
    pub until: Option<Date>,
    /// UN/LOCODE or published port name.
    pub port: Option<String>,
    /// A commodity on any cargo line (controlled-list name).
    pub commodity: Option<String>,
    /// Destination of any cargo line, ISO alpha-3.
    pub country: Option<String>,
    pub imo: Option<u32>,
    pub status: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

impl VoyageQuery {
    pub const MAX_LIMIT: u32 = 1000;
    pub const DEFAULT_LIMIT: u32 = 50;

    pub fn limit(&self) -> u32 {
        self.limit
            .unwrap_or(Self::DEFAULT_LIMIT)
            .clamp(1, Self::MAX_LIMIT)
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub limit: u32,
    pub offset: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VesselRow {
    pub imo: Imo,
    /// Whether the IMO number's check digit holds (three published ones fail).
    pub imo_check_ok: bool,
    pub name: String,
    pub flag: Option<String>,
    pub flag_name: Option<String>,
    pub mmsi: Option<u32>,
    /// The flag state the MMSI's MID names (ISO 3166 alpha-2), which may
    /// differ from the published flag (a reflagged ship keeps neither).
    pub mmsi_flag: Option<String>,
}

/// A vessel, its voyages and the history of those voyages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VesselDetail {
    pub vessel: VesselRow,
    pub voyages: Vec<VoyageView>,
    pub history: Vec<HistoryRow>,
}

/// A stored change-history row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryRow {
    pub voyage_seq: u32,
    pub direction: String,
    #[serde(flatten)]
    pub change: FieldChange,
    pub recorded_at: Timestamp,
}
