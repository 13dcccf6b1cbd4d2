//! Input types: the vessels (voyages) that need an inspection, and inspection outcomes.
//!
//! These are the planner's own types; the store or the CLI converts its records into them.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Which inspection a voyage needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Before going to the ports: no weapons, no unauthorised crew or cargo.
    Inbound,
    /// After loading: cargo matches papers, crew list, no stowaways.
    Outbound,
}

/// What the reference date of a voyage means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Reference {
    /// The day the vessel left the loading port (the JCC record's "Departure date").
    /// It reaches the inspection area `transit_days` later (see the capacity config).
    #[default]
    DepartedPort,
    /// The day the vessel arrived at the inspection area.
    ArrivedAtArea,
}

/// One voyage that needs one inspection (inbound or outbound).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Voyage {
    /// Stable identifier (for the JCC record: the outbound sequence number `#`).
    pub id: String,
    /// Inbound or outbound inspection.
    pub direction: Direction,
    /// Departure from port, or arrival at the inspection area (see `reference_kind`).
    pub reference: Date,
    /// What `reference` means.
    #[serde(default)]
    pub reference_kind: Reference,
    /// Vessel size: deadweight or cargo tonnes (the record has cargo tonnes).
    pub tonnes: u32,
    /// WFP-chartered humanitarian cargo.
    #[serde(default)]
    pub wfp: bool,
    /// Perishable cargo.
    #[serde(default)]
    pub perishable: bool,
    /// When the agent declared the vessel ready (holds ventilated, gas readings, documents);
    /// `None` = ready on arrival.
    #[serde(default)]
    pub ready: Option<Date>,
    /// The real inspection date if known (used for evaluation only, never for planning).
    #[serde(default)]
    pub inspected: Option<Date>,
    /// Vessel identity (e.g. IMO number), used to tell a vessel's first voyage from later ones.
    #[serde(default)]
    pub vessel: Option<String>,
    /// Inspection area name, if known (default: the first configured area).
    #[serde(default)]
    pub area: Option<String>,
}

impl Voyage {
    /// A voyage of the JCC record as the season's replay sees it: outbound,
    /// known by its departure from port, its cargo in whole tonnes (kg
    /// rounded down), neither perishable nor with a declared readiness.
    pub fn from_record(
        seq: u32,
        departure: Date,
        cargo_kg: i64,
        wfp: bool,
        inspected: Option<Date>,
        imo: String,
    ) -> Voyage {
        Voyage {
            id: seq.to_string(),
            direction: Direction::Outbound,
            reference: departure,
            reference_kind: Reference::DepartedPort,
            tonnes: u32::try_from(cargo_kg / 1000).unwrap_or(u32::MAX),
            wfp,
            perishable: false,
            ready: None,
            inspected,
            vessel: Some(imo),
            area: None,
        }
    }

    /// Day the vessel is at the inspection area, given the transit time from port.
    pub fn arrival_at_area(&self, transit_days: i32) -> Date {
        match self.reference_kind {
            Reference::ArrivedAtArea => self.reference,
            Reference::DepartedPort => add_days(self.reference, transit_days),
        }
    }

    /// First day the vessel may be inspected: arrived and declared ready.
    pub fn eligible_from(&self, transit_days: i32) -> Date {
        let a = self.arrival_at_area(transit_days);
        match self.ready {
            Some(r) if r > a => r,
            _ => a,
        }
    }
}

/// How one inspection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Cleared.
    Passed,
    /// Not ready (fumigant gas, missing equipment or documents): back into the queue after a delay.
    FailedNotReady,
    /// Non-compliant: passage denied, the vessel leaves the queue.
    FailedNonCompliant,
}

/// `d + n` days, saturating at the ends of jiff's range (never panics).
pub fn add_days(d: Date, n: i32) -> Date {
    d.checked_add(jiff::Span::new().days(i64::from(n)))
        .unwrap_or(if n >= 0 { Date::MAX } else { Date::MIN })
}

/// Whole days from `a` to `b` (negative when `b < a`).
pub fn days_between(a: Date, b: Date) -> i32 {
    let (ea, eb) = (epoch_day(a), epoch_day(b));
    i32::try_from(eb - ea).unwrap_or(if eb > ea { i32::MAX } else { i32::MIN })
}

/// Days since 1970-01-01 (proleptic Gregorian), computed without allocation or failure.
pub fn epoch_day(d: Date) -> i64 {
    // Howard Hinnant's days_from_civil.
    let y = i64::from(d.year()) - i64::from(d.month() <= 2);
    let m = i64::from(d.month());
    let dd = i64::from(d.day());
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + dd - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM` of a date.
pub fn month_key(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}
