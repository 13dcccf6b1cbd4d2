//! The tracker's own input types, independent of the AIS codec.
//!
//! The ingest adapter maps decoded AIS messages onto these. "Not available"
//! AIS values (longitude 181, latitude 91, speed 102.3, course 360, heading
//! 511) should become `None`; the monitor also treats them so if they slip
//! through.

use corridor_geo::LatLon;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// AIS navigational status (message types 1-3, field "navigation status").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NavStatus(pub u8);

impl NavStatus {
    /// 0: under way using engine.
    pub const UNDER_WAY: Self = Self(0);
    /// 1: at anchor.
    pub const AT_ANCHOR: Self = Self(1);
    /// 5: moored.
    pub const MOORED: Self = Self(5);
    /// 15: not defined (the default).
    pub const NOT_DEFINED: Self = Self(15);

    /// At anchor or moored.
    pub fn is_stationary(self) -> bool {
        self == Self::AT_ANCHOR || self == Self::MOORED
    }
}

/// A position report (AIS types 1-3, 18, 19, 27).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PositionReport {
    /// Maritime Mobile Service Identity of the sender.
    pub mmsi: u32,
    /// Event time (receiver's tag-block time or the feed's clock), not wall clock.
    pub time: Timestamp,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Speed over ground, knots.
    pub sog_kn: Option<f32>,
    /// Course over ground, degrees.
    pub cog_deg: Option<f32>,
    /// True heading, degrees.
    pub heading_deg: Option<u16>,
    /// Navigational status.
    pub nav_status: NavStatus,
}

impl PositionReport {
    /// The reported position.
    pub fn pos(&self) -> LatLon {
        LatLon::new(self.lat, self.lon)
    }

    /// The same report with AIS "not available" sentinels turned into `None`;
    /// `None` as a whole when the position itself is unusable: out of range,
    /// or exactly 0°N 0°E, the fix a transponder without a position sends.
    pub fn normalized(&self) -> Option<Self> {
        if !self.pos().is_valid() || self.lat.abs() > 90.0 || self.lon.abs() > 180.0 {
            return None;
        }
        if self.lat == 0.0 && self.lon == 0.0 {
            return None;
        }
        let mut r = *self;
        r.sog_kn = r
            .sog_kn
            .filter(|s| s.is_finite() && (0.0..102.25).contains(s));
        r.cog_deg = r
            .cog_deg
            .filter(|c| c.is_finite() && (0.0..360.0).contains(c));
        r.heading_deg = r.heading_deg.filter(|h| *h < 360);
        Some(r)
    }
}

/// A static report (AIS type 5, type 24 parts A+B merged, or a partial one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaticReport {
    /// Maritime Mobile Service Identity of the sender.
    pub mmsi: u32,
    /// Event time.
    pub time: Timestamp,
    /// IMO number claimed, if any (0 = not available, treated as `None`).
    pub imo: Option<u32>,
    /// Ship name, if sent.
    pub name: Option<String>,
    /// Call sign, if sent.
    pub callsign: Option<String>,
    /// AIS ship and cargo type, if sent.
    pub ship_type: Option<u8>,
}

/// Something a vessel sent, for feeding a [`crate::Monitor`] in time order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Report {
    /// A position report.
    Position(PositionReport),
    /// A static report.
    Static(StaticReport),
}

impl Report {
    /// Event time.
    pub fn time(&self) -> Timestamp {
        match self {
            Self::Position(p) => p.time,
            Self::Static(s) => s.time,
        }
    }
    /// Sender.
    pub fn mmsi(&self) -> u32 {
        match self {
            Self::Position(p) => p.mmsi,
            Self::Static(s) => s.mmsi,
        }
    }
}
