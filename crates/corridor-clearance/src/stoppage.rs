//! Days off and stoppages the coordinator declares: on their days fewer teams
//! inspect, or none. They are logged like any decision (who, when, why), and
//! the planner's capacity is the configured schedule less the stoppages in
//! force, so the public queue's forecast and the daily plan both see them.
//!
//! A stoppage that names absent parties stops only the teams that need one of
//! them (the planner's `TeamSpec::parties`); one that gives `teams` leaves at
//! most that many working; one with neither stops every team. A lifted
//! stoppage stays in the record with who lifted it and why.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Longest stoppage, in days: a longer one is a change of the schedule.
pub const MAX_STOPPAGE_DAYS: i32 = 366;

/// Why the teams stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoppageKind {
    /// Sea state or visibility too bad for boarding.
    Weather,
    /// A planned day off (a holiday).
    DayOff,
    /// One or more delegations are absent: their teams stop.
    PartyAbsent,
    /// Anything else (the reason says what).
    Other,
}

/// What the coordinator declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoppageContent {
    /// First day, `YYYY-MM-DD` on the centre's calendar.
    pub from: String,
    /// Last day (inclusive).
    pub to: String,
    /// Why the teams stop.
    pub kind: StoppageKind,
    /// The absent delegations (party codes); required for, and only for,
    /// `party_absent`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent: Vec<String>,
    /// At most this many teams still work (none if absent and no party is
    /// named).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams: Option<u32>,
    /// Why, in words (required).
    pub reason: String,
}

impl StoppageContent {
    /// The first and last day.
    pub fn days(&self) -> Option<(Date, Date)> {
        Some((self.from.parse().ok()?, self.to.parse().ok()?))
    }
}

/// What a stoppage stops, as the service worked it out from its teams when
/// the stoppage was declared (this crate knows no teams or time zones), and
/// logged with it: which bookings it frees is then a fact of the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoppageEffect {
    /// The centre's midnight starting `from`.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub starts_at: Timestamp,
    /// The centre's midnight ending `to`.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub ends_at: Timestamp,
    /// The teams it stops on one or more of its days, by name.
    pub stops: Vec<String>,
    /// No team works on any of its days.
    pub every_team: bool,
    /// What it stops on each of its days, in order, when that is not the
    /// same every day (a cap keeps, each day, the teams with that day's
    /// bookings: open finding 64); empty when `stops` holds on every day.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<DayStops>,
}

/// What a stoppage stops on one of its days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayStops {
    /// The centre's midnight starting the day.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub starts_at: Timestamp,
    /// The centre's midnight ending it.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub ends_at: Timestamp,
    /// The teams it stops that day, by name (some of `stops`).
    pub stops: Vec<String>,
}

impl StoppageEffect {
    /// The teams it stops on the day holding `at` (all of `stops` when it
    /// stops the same every day).
    pub fn stops_at(&self, at: Timestamp) -> &[String] {
        if self.days.is_empty() {
            return &self.stops;
        }
        self.days
            .iter()
            .find(|d| d.starts_at <= at && at < d.ends_at)
            .map_or(&[], |d| &d.stops)
    }
}

/// Longest team name in an effect.
pub const MAX_TEAM_NAME_CHARS: usize = 64;

/// A declared stoppage as the record keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stoppage {
    /// `STOP-n`, in the order declared.
    pub id: String,
    /// What was declared.
    #[serde(flatten)]
    pub content: StoppageContent,
    /// What it stops.
    pub effect: StoppageEffect,
    /// Who declared it.
    pub by: String,
    /// When it was logged.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub at: Timestamp,
    /// Set once it is lifted.
    #[serde(default)]
    pub lifted: Option<StoppageLift>,
}

/// Who lifted a stoppage, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoppageLift {
    /// Why (required).
    pub reason: String,
    /// Who lifted it.
    pub by: String,
    /// When it was logged.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub at: Timestamp,
}

impl Stoppage {
    /// In force: declared and not lifted.
    pub fn in_force(&self) -> bool {
        self.lifted.is_none()
    }

    /// Whether it stops an inspection booked at `at` with `team` (a plan's
    /// team name; `None` for a booking made by hand, without a team). Not a
    /// slot that began before the stoppage was declared: it may be under way
    /// (so a stoppage declared after its days stops nothing).
    pub fn stops(&self, at: Timestamp, team: Option<&str>) -> bool {
        let e = &self.effect;
        self.covers(at)
            && (e.every_team || team.is_some_and(|t| e.stops_at(at).iter().any(|s| s == t)))
    }

    /// Each of its days with what it stops that day, when that differs
    /// between its days (`effect.days`, one a day from `from`); none
    /// otherwise.
    pub fn day_stops(&self) -> impl Iterator<Item = (Date, &DayStops)> {
        let first = self.content.days().map(|(first, _)| first);
        std::iter::successors(first, |d| d.tomorrow().ok()).zip(&self.effect.days)
    }

    /// "STOP-3 (weather: gale warning)": how a refusal or a cancelled slot
    /// names it.
    pub fn why(&self) -> String {
        format!(
            "{} ({}: {})",
            self.id,
            kind_name(self.content.kind),
            self.content.reason
        )
    }

    /// In force over a slot starting at `at`, declared before it began.
    pub fn covers(&self, at: Timestamp) -> bool {
        self.in_force() && self.at <= at && self.effect.starts_at <= at && at < self.effect.ends_at
    }
}

/// A stoppage's first and last day: `YYYY-MM-DD` each (years 1000-9999, so
/// the text sorts as the dates do), in order, at most [`MAX_STOPPAGE_DAYS`]
/// days long; the error names the field.
pub fn check_days(from: &str, to: &str) -> Result<(Date, Date), crate::ClearanceError> {
    use crate::ClearanceError::Invalid;
    let day = |name: &str, text: &str| {
        let b = text.as_bytes();
        let shape = b.len() == 10
            && b[0] != b'0'
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        shape
            .then(|| text.parse::<Date>().ok())
            .flatten()
            .ok_or_else(|| Invalid(format!("{name}: {text:?} is not a YYYY-MM-DD date")))
    };
    let (first, last) = (day("from", from)?, day("to", to)?);
    let days = first.until(last).map_or(i32::MAX, |d| d.get_days());
    if days < 0 {
        return Err(Invalid(format!("to: {last} is before from {first}")));
    }
    if days >= MAX_STOPPAGE_DAYS {
        return Err(Invalid(format!(
            "to: a stoppage lasts at most {MAX_STOPPAGE_DAYS} days; change the schedule instead"
        )));
    }
    Ok((first, last))
}

/// The kind's name as the API and the planner's schedule write it.
pub fn kind_name(kind: StoppageKind) -> &'static str {
    match kind {
        StoppageKind::Weather => "weather",
        StoppageKind::DayOff => "day_off",
        StoppageKind::PartyAbsent => "party_absent",
        StoppageKind::Other => "other",
    }
}

/// The id of the `n`-th stoppage declared (from 1).
pub fn stoppage_id(n: usize) -> String {
    format!("STOP-{n}")
}
