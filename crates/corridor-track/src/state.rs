//! Per-MMSI live vessel state.

use corridor_geo::{AreaId, LaneId, LatLon};
use jiff::Timestamp;
use serde::Serialize;

use crate::report::{NavStatus, PositionReport};

/// The believed position: the latest report that passed the plausibility check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fix {
    /// Event time of the report.
    pub time: Timestamp,
    /// Position.
    pub pos: LatLon,
    /// Speed over ground, knots.
    pub sog_kn: Option<f32>,
    /// Course over ground, degrees.
    pub cog_deg: Option<f32>,
    /// True heading, degrees.
    pub heading_deg: Option<u16>,
    /// Navigational status.
    pub nav_status: NavStatus,
}

impl Fix {
    pub(crate) fn from_report(r: &PositionReport) -> Self {
        Self {
            time: r.time,
            pos: r.pos(),
            sog_kn: r.sog_kn,
            cog_deg: r.cog_deg,
            heading_deg: r.heading_deg,
            nav_status: r.nav_status,
        }
    }
    pub(crate) fn to_report(self, mmsi: u32) -> PositionReport {
        PositionReport {
            mmsi,
            time: self.time,
            lat: self.pos.lat,
            lon: self.pos.lon,
            sog_kn: self.sog_kn,
            cog_deg: self.cog_deg,
            heading_deg: self.heading_deg,
            nav_status: self.nav_status,
        }
    }
}

/// Where a vessel is relative to the corridor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// No believed position yet.
    #[default]
    Unknown,
    /// Not in the corridor.
    Outside,
    /// In the corridor (a lane's width, an inspection or waiting area), or in
    /// an allowed area it reached from the corridor, or within the deviation
    /// tolerance of a lane.
    Inside,
    /// Left a lane beyond the tolerance: a deviation alert is open.
    Deviating,
}

/// The last corridor element a vessel was in (decides exit vs deviation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LastZone {
    /// None yet.
    #[default]
    None,
    /// A lane.
    Lane(LaneId),
    /// An inspection or waiting area.
    Area(AreaId),
    /// An anchorage reached from the corridor.
    Anchorage(AreaId),
}

/// At most this many simultaneous areas are remembered per vessel.
pub const MAX_AREAS: usize = 4;

/// Live state of one vessel (kept small: see the crate docs' memory budget).
#[derive(Debug, Clone, Default, Serialize)]
pub struct VesselState {
    /// The vessel's MMSI.
    pub mmsi: u32,
    /// Event time of the latest report of any kind (including rejected positions).
    pub last_seen: Option<Timestamp>,
    /// Believed position (never moved by an impossible jump).
    pub fix: Option<Fix>,
    /// Recent speed over ground (exponential average), knots.
    pub avg_speed_kn: Option<f32>,
    /// IMO number from static data.
    pub imo: Option<u32>,
    /// Name from static data.
    pub name: Option<Box<str>>,
    /// Call sign from static data.
    pub callsign: Option<Box<str>>,
    /// AIS ship type from static data.
    pub ship_type: Option<u8>,
    /// Key of the registered vessel this MMSI is linked to.
    pub registered: Option<u64>,
    /// Corridor zone.
    pub zone: Zone,
    /// Last corridor element.
    pub last_zone: LastZone,
    /// Areas the vessel is in (with boundary hysteresis); `u32::MAX` = empty slot.
    #[serde(skip)]
    pub(crate) areas: [u32; MAX_AREAS],
    #[serde(skip)]
    pub(crate) det: Detectors,
}

/// Detector memory (private).
#[derive(Debug, Clone, Default)]
pub(crate) struct Detectors {
    pub slow_since: Option<Timestamp>,
    pub slow_last: Option<Timestamp>,
    pub slow_first: Option<PositionReport>,
    pub loiter: Option<u64>,
    pub deviation: Option<u64>,
    pub deviation_last: Option<Timestamp>,
    pub gap: Option<u64>,
    pub jump: Option<u64>,
    pub jump_last: Option<Timestamp>,
    /// Consecutive believed fixes of the current track (a fix after a
    /// silence longer than `ais_gap_s` starts a new one).
    pub support: u16,
    /// The believed fix repeats the one before it to the digit while both
    /// say the ship is under way: the track itself may be a frozen fix.
    pub frozen: bool,
    /// The latest impossible jump and the run of consecutive ones that agree
    /// with it (a rival track); the run is 0 once a believed fix followed it,
    /// so a later jump that agrees with it shows the reports alternating.
    pub rival: Option<(PositionReport, u16)>,
    /// The open `mmsi_conflict` alert.
    pub conflict: Option<u64>,
    pub identity: Option<u64>,
    pub identity_last: Option<Timestamp>,
    /// The IMO number the MMSI first claimed without a mismatch: who it is
    /// where the registry knows neither it nor a later claim.
    pub first_imo: Option<u32>,
    /// When the MMSI began claiming another IMO than its first, while one
    /// claim is not yet taken for a change of identity (a ship sharing the
    /// MMSI is an `mmsi_conflict` by its second claim, not this).
    pub other_claim_since: Option<Timestamp>,
    /// Where and when a previous run last heard it
    /// ([`Monitor::resume`](crate::Monitor::resume)), until this run does:
    /// its silence counts from then towards `ais_gap` and forgetting, but no
    /// report before it is stale (a redelivered static report keeps its
    /// name and IMO); shown as its last known position. Not a fix: nothing
    /// is measured from it.
    pub resumed: Option<Fix>,
    /// MMSIs this vessel is in a candidate encounter with.
    pub partners: Vec<u32>,
    /// Point stored in the slow-vessel R-tree, if any.
    pub indexed: Option<[f64; 2]>,
    /// Where zones were last evaluated and how far the vessel may move from
    /// there before any zone could change (safe radius, metres).
    pub zone_eval: Option<(LatLon, f32)>,
    /// Its zone has been decided once (a re-anchored track is not a first
    /// sight, unless the track it disowns was all there was).
    pub placed: bool,
    /// Believed fixes so far, of every track.
    pub believed: u32,
    /// Seen in the corridor or a port while due an inspection before
    /// leaving: from then on, going away from the corridor skips it.
    pub bound_out_seen: bool,
    /// Reached a port approach (or was first seen in one) before its AIS
    /// named any IMO: the first IMO it names there is checked against the
    /// inspections due, once.
    pub port_unjudged: bool,
}

impl VesselState {
    /// The believed fix, else where a previous run last heard the vessel
    /// (a restart, before this run has): its last known position.
    pub fn last_known(&self) -> Option<Fix> {
        self.fix.or(self.det.resumed)
    }

    /// When the vessel was last heard, by this run or, before that, by a
    /// previous one.
    pub fn last_heard(&self) -> Option<Timestamp> {
        self.last_seen.or(self.det.resumed.map(|f| f.time))
    }

    pub(crate) fn new(mmsi: u32) -> Self {
        Self {
            mmsi,
            areas: [u32::MAX; MAX_AREAS],
            ..Self::default()
        }
    }

    /// Areas the vessel is in.
    pub fn areas(&self) -> impl Iterator<Item = AreaId> + '_ {
        self.areas
            .iter()
            .filter(|a| **a != u32::MAX)
            .map(|a| AreaId(*a))
    }

    /// Whether the vessel is in the corridor (including a deviation from it).
    pub fn in_corridor(&self) -> bool {
        matches!(self.zone, Zone::Inside | Zone::Deviating)
    }

    /// Approximate heap bytes owned by this state (for the memory budget).
    pub fn heap_bytes(&self) -> usize {
        self.name.as_ref().map_or(0, |s| s.len())
            + self.callsign.as_ref().map_or(0, |s| s.len())
            + self.det.partners.capacity() * std::mem::size_of::<u32>()
    }
}
