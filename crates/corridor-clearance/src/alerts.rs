//! The coordinator's acknowledgement of a tracking alert (a deviation, an
//! AIS gap, an encounter…), kept in the log like any decision.
//!
//! Alerts themselves are raised by the tracking pipeline and stored with the
//! positions; they change as the pipeline sees more (an alert opens, then
//! closes with the same key). What the coordinator did about one is a
//! decision of the centre, so it goes into the hash-chained log: who
//! acknowledged which alert, when, and the note of what was done ("called the
//! master, AIS restored"). An alert is acknowledged once; the first
//! acknowledgement stands and a second is refused naming it, so two
//! coordinators on shift cannot silently overwrite each other's note.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Which alert: its stored key and what it was, copied into the log so the
/// entry reads on its own (the alert table is not part of the record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertRef {
    /// The alert's key as the tracking store has it.
    pub key: String,
    /// Its kind (`ais_gap`, `deviation`, …).
    pub kind: String,
    /// The vessel.
    pub mmsi: u32,
}

/// A logged acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertAck {
    /// The alert.
    #[serde(flatten)]
    pub alert: AlertRef,
    /// What was done, if the coordinator said.
    pub note: Option<String>,
    /// Who acknowledged (the log entry's actor).
    pub by: String,
    /// When it was logged.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub at: Timestamp,
}

/// Longest alert key accepted (the pipeline's keys are far shorter).
pub const MAX_KEY_CHARS: usize = 200;
