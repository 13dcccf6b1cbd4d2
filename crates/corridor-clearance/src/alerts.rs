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

use jiff::{SignedDuration, Timestamp};
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

/// A vessel awaiting its inspection, as tracking is told of it: tracking
/// raises `skipped_inspection` when one bound in reaches a port, or one
/// bound out leaves the corridor, before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwaitedInspection {
    /// The application awaiting it.
    pub application_id: String,
    /// The MMSI it declares (nine digits), if any.
    pub mmsi: Option<u32>,
    /// The IMO number it declares, if it reads as one ("IMO 9074729" too).
    pub imo: Option<u32>,
    /// Bound for one of the corridor's ports (inspected before it);
    /// otherwise bound out (inspected before leaving the corridor): see
    /// [`crate::CorridorConfig::bound_in`].
    pub bound_in: bool,
    /// Where it stands, in words an alert can carry: `application
    /// BSGI-2026-000011, approved, not yet inspected`.
    pub what: String,
}

/// How long a vessel whose application was refused, denied passage,
/// withdrawn or expired is still watched: going on anyway within this is
/// skipping the inspection it never passed. A later application for the
/// same vessel ends it sooner.
pub const ENDED_WATCHED_FOR: SignedDuration = SignedDuration::from_hours(30 * 24);

impl crate::Clearance {
    /// Every vessel whose voyage may not go on before an inspection, as of
    /// `now`: its application submitted and not yet decided (nor
    /// inspected), or approved and waiting for the inspection (again, after
    /// failing not ready); or, for [`ENDED_WATCHED_FOR`] after it ended,
    /// refused by the parties, denied passage at its inspection, withdrawn
    /// or expired, unless the vessel has applied again since. A vessel
    /// cleared on its papers is free to sail, as is one that passed.
    pub fn awaited_inspections(&self, now: Timestamp) -> Vec<AwaitedInspection> {
        use crate::Status::*;
        // The latest application of each vessel (by IMO number, else as written).
        let ship = |a: &crate::Application| {
            let v = &a.content.vessel;
            v.imo_number()
                .map_or_else(|| v.imo.trim().to_string(), |n| n.to_string())
        };
        // By submission: a draft never submitted (even withdrawn or expired)
        // was no voyage. (Tracking numbers order those submitted at one instant.)
        let mut latest: std::collections::HashMap<String, (Timestamp, &str)> = Default::default();
        for a in self.applications.values() {
            let Some(at) = a.submitted_at else { continue };
            let this = (at, a.id.as_str());
            let t = latest.entry(ship(a)).or_insert(this);
            *t = (*t).max(this);
        }
        let watched = |a: &crate::Application| {
            now.duration_since(a.updated_at) <= ENDED_WATCHED_FOR
                && a.submitted_at
                    .is_some_and(|at| latest.get(&ship(a)) == Some(&(at, a.id.as_str())))
        };
        self.applications
            .values()
            .filter_map(|a| {
                let stands = match a.status {
                    Rejected if watched(a) => "refused by the parties",
                    FailedNonCompliant if watched(a) => "passage denied at its inspection",
                    Withdrawn if watched(a) => "withdrawn, never cleared",
                    Expired if watched(a) => "expired, not inspected",
                    Submitted => "submitted, not yet cleared",
                    UnderReview => "under review, not yet cleared",
                    Held => "held, not yet cleared",
                    FailedNotReady => "failed not ready, not yet inspected again",
                    Approved if a.waiting_for_inspection() => "approved, not yet inspected",
                    AwaitingInspection => "booked for inspection, not yet inspected",
                    _ => return None,
                };
                let v = &a.content.vessel;
                Some(AwaitedInspection {
                    application_id: a.id.clone(),
                    mmsi: v.mmsi_digits().and_then(|m| m.parse().ok()),
                    imo: v.imo_number(),
                    bound_in: self.config.bound_in(&a.content.itinerary),
                    what: format!("application {}, {stands}", a.id),
                })
            })
            .collect()
    }
}
