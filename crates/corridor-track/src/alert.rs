//! Events and alerts the monitor emits.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::report::{PositionReport, StaticReport};

/// What happened. Serialized as the snake_case names used in the JSONL files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Entered the corridor (a lane's width, an inspection or waiting area).
    CorridorEntry,
    /// Left the corridor at one of its ends (from an inspection/waiting area
    /// into open water, or from a lane into a port approach).
    CorridorExit,
    /// Left a lane by more than the configured distance, outside every allowed area.
    Deviation,
    /// No report for longer than the configured gap while in the corridor.
    AisGap,
    /// Slower than the loitering speed for longer than the loitering time,
    /// outside ports, anchorages, waiting and inspection areas.
    Loitering,
    /// Two vessels close together and slow for long, away from anchorages.
    Encounter,
    /// An MMSI claims an IMO registered to another vessel (or its registered
    /// vessel claims another IMO).
    IdentityMismatch,
    /// A position no ship could have reached: flagged, not believed.
    ImpossibleJump,
    /// Arrived in an inspection area or a port approach (or, first seen
    /// already in an inspection area, arrived before: "first seen in").
    AreaArrival,
    /// One MMSI's reports keep alternating between two places no ship could
    /// travel between: two transmitters share it.
    MmsiConflict,
    /// Reached a port, or left the corridor, before an inspection it must
    /// pass first (the caller's [`crate::InspectionsDue`] says whose).
    SkippedInspection,
}

impl AlertKind {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 11] = [
        Self::CorridorEntry,
        Self::CorridorExit,
        Self::Deviation,
        Self::AisGap,
        Self::Loitering,
        Self::Encounter,
        Self::IdentityMismatch,
        Self::ImpossibleJump,
        Self::AreaArrival,
        Self::MmsiConflict,
        Self::SkippedInspection,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CorridorEntry => "corridor_entry",
            Self::CorridorExit => "corridor_exit",
            Self::Deviation => "deviation",
            Self::AisGap => "ais_gap",
            Self::Loitering => "loitering",
            Self::Encounter => "encounter",
            Self::IdentityMismatch => "identity_mismatch",
            Self::ImpossibleJump => "impossible_jump",
            Self::AreaArrival => "area_arrival",
            Self::MmsiConflict => "mmsi_conflict",
            Self::SkippedInspection => "skipped_inspection",
        }
    }

    /// Parse a snake_case name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Events (routine) rather than anomalies.
    pub fn is_event(self) -> bool {
        matches!(
            self,
            Self::CorridorEntry | Self::CorridorExit | Self::AreaArrival
        )
    }
}

impl std::fmt::Display for AlertKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// Latitude, degrees (`None` when the vessel has no believed position yet).
    pub lat: Option<f64>,
    /// Longitude, degrees (`None` when the vessel has no believed position yet).
    pub lon: Option<f64>,
    /// The area or lane concerned, by name, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
}

/// A report that triggered or supports an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Evidence {
    /// A position report.
    Position(PositionReport),
    /// A static report.
    Static(StaticReport),
}

/// An event or alert.
///
/// Lasting alerts (gap, deviation, loitering, encounter, identity mismatch,
/// impossible jump, MMSI conflict) are emitted with `open: true` when detected and again,
/// with the same `id` and `open: false`, when they end; consumers upsert by
/// `id`. Point events (entry, exit, arrival) are emitted once, closed, with
/// `start == end`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Unique within one monitor.
    pub id: u64,
    /// What.
    pub kind: AlertKind,
    /// Which vessel.
    pub mmsi: u32,
    /// When it began (event time, RFC 3339 in JSON).
    pub start: Timestamp,
    /// When it ended, or the latest time it was seen while still open.
    pub end: Timestamp,
    /// Still going on.
    pub open: bool,
    /// Where (the first position that triggered it).
    pub place: Place,
    /// The other vessel of an encounter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_mmsi: Option<u32>,
    /// The IMO number the vessel's static reports named when a point event
    /// (entry, exit, arrival) happened, if one came: an arrival is checked
    /// against it, also when read back from the store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imo: Option<u32>,
    /// A human-readable explanation (thresholds, distances, claimed IMO).
    pub detail: String,
    /// The reports that triggered it (bounded: the first few and the latest).
    pub evidence: Vec<Evidence>,
}

impl Alert {
    /// The alert as a JSON value with its numbers as written: speeds and
    /// courses are `f32`, which `serde_json::to_value` widens to `f64`
    /// (`12.7` became `12.699999809265137` in the store and the live feed;
    /// the interface check, session 19).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_string(self)
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::NavStatus;

    /// A speed of 12.7 kn stayed 12.7 in the tracker's own output but was
    /// 12.699999809265137 once stored or sent live (the interface check,
    /// session 19).
    #[test]
    fn an_alert_keeps_its_numbers_as_written() {
        let t: Timestamp = "2022-10-01T00:00:00Z".parse().unwrap();
        let a = Alert {
            id: 1,
            kind: AlertKind::Loitering,
            mmsi: 538_000_001,
            start: t,
            end: t,
            open: false,
            place: Place {
                lat: Some(41.1),
                lon: Some(29.1),
                area: None,
            },
            other_mmsi: None,
            imo: None,
            detail: String::new(),
            evidence: vec![Evidence::Position(PositionReport {
                mmsi: 538_000_001,
                time: t,
                lat: 41.1,
                lon: 29.1,
                sog_kn: Some(12.7),
                cog_deg: Some(251.4),
                heading_deg: None,
                nav_status: NavStatus::UNDER_WAY,
            })],
        };
        let v = a.to_json();
        let p = &v["evidence"][0];
        let p = p.get("position").unwrap_or(p);
        assert_eq!(p["sog_kn"].to_string(), "12.7", "{v}");
        assert_eq!(p["cog_deg"].to_string(), "251.4", "{v}");
    }
}
