//! Resources as configuration: the capacity schedule and the inspection service, read from TOML.
//!
//! The format is documented in `config/capacity-bsgi.toml` (the real 2022-23 season) and in the
//! crate docs. Dates are `YYYY-MM-DD`; times of day are `HH:MM` local time in `time_zone`.
//! For a given day, the **last** `[[period]]` covering it sets the teams (so a short override,
//! such as a surge or a what-if, is written after the base period); `[[stoppage]]`s are applied
//! afterwards, each stopping what it stops: a stoppage that names absent parties stops every
//! team that needs one of them (a team that lists no parties is a joint team of every
//! delegation), and its `teams`, if given, caps the teams still working (without either, none
//! work).

use crate::duration::DurationModel;
use crate::error::{PlannerError, Result};
use crate::model::{Direction, add_days, days_between};
use crate::queue::QueuePolicy;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The whole configuration of the inspection service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacityConfig {
    /// Free-text name of the schedule.
    #[serde(default)]
    pub name: String,
    /// IANA time zone of the working windows (bundled tz database; works offline).
    #[serde(default = "default_tz")]
    pub time_zone: String,
    /// Daily working window of every team.
    #[serde(default)]
    pub window: Window,
    /// Days from leaving the loading port to being at the inspection area.
    #[serde(default = "default_transit")]
    pub transit_days: i32,
    /// Optional cap on inspections per day (all directions), e.g. a what-if "6 a day".
    #[serde(default)]
    pub max_inspections_per_day: Option<u32>,
    /// Where no rate is given or learned, count a team-day's whole
    /// inspections (the rate derived from the durations, rounded down):
    /// what a daily plan can book, for a queue forecast that must agree with
    /// the plans. Off for replays, where the derived rate stands for an
    /// average over inspections of every length.
    #[serde(default)]
    pub whole_inspections: bool,
    /// Teams over time.
    #[serde(default, rename = "period")]
    pub periods: Vec<Period>,
    /// Effective inspections per team-day by calendar month (learned from a record, see
    /// [`crate::replay::learn_rates`]); a period's own rate takes precedence.
    #[serde(default, rename = "rate")]
    pub rates: Vec<MonthRate>,
    /// Days off and stoppages (weather, a party absent).
    #[serde(default, rename = "stoppage")]
    pub stoppages: Vec<Stoppage>,
    /// Inspection durations by direction and vessel size.
    #[serde(default, rename = "duration")]
    pub durations: Vec<DurationModel>,
    /// Inspection areas.
    #[serde(default, rename = "area")]
    pub areas: Vec<Area>,
    /// Travel times between areas (symmetric; same area = 0).
    #[serde(default, rename = "travel")]
    pub travel: Vec<Travel>,
    /// Named teams for the daily plan (if empty, teams are numbered 1..=n).
    #[serde(default, rename = "team")]
    pub teams: Vec<TeamSpec>,
    /// How inbound inspections absent from a record are modelled (record replays only).
    #[serde(default)]
    pub inbound: Option<InboundModel>,
    /// Readiness failures.
    #[serde(default)]
    pub readiness: ReadinessModel,
    /// The written queue rule.
    #[serde(default)]
    pub queue: QueuePolicy,
    /// The daily plan's timetable, the day before (local time).
    #[serde(default)]
    pub deadlines: Deadlines,
}

/// When, the day before, the ports' departure plan and the approved
/// inspection plan are due (local `HH:MM`; the JCC's 12:00 and 16:00 by
/// default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadlines {
    pub departure_plan: String,
    pub approved_plan: String,
}

impl Default for Deadlines {
    fn default() -> Self {
        Self {
            departure_plan: "12:00".into(),
            approved_plan: "16:00".into(),
        }
    }
}

fn default_tz() -> String {
    "Europe/Istanbul".to_owned()
}
fn default_transit() -> i32 {
    2
}

/// A daily working window in local time, `HH:MM`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// Start, e.g. `"07:00"`.
    pub start: String,
    /// End, e.g. `"15:30"`.
    pub end: String,
}

impl Default for Window {
    fn default() -> Self {
        Self {
            start: "07:00".into(),
            end: "15:30".into(),
        }
    }
}

impl Window {
    /// (start, end) in minutes after local midnight.
    pub fn minutes(&self) -> Result<(u32, u32)> {
        let s = parse_hhmm(&self.start)?;
        let e = parse_hhmm(&self.end)?;
        if e <= s {
            return Err(PlannerError::ConfigInvalid(format!(
                "window end {} is not after start {}",
                self.end, self.start
            )));
        }
        Ok((s, e))
    }
}

/// A delegation's code as parties are named (`RU`, `UN`): 1-16 ASCII letters, digits, `-`, `_`.
fn party_code(p: &str) -> bool {
    (1..=16).contains(&p.len())
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Parse `HH:MM` into minutes after midnight.
pub fn parse_hhmm(s: &str) -> Result<u32> {
    let bad = || PlannerError::ConfigInvalid(format!("time of day {s:?} is not HH:MM"));
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if h > 24 || m > 59 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// Teams available from `from` to `to` (inclusive; open-ended if `to` is absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// First day.
    pub from: Date,
    /// Last day (inclusive); `None` = until further notice.
    #[serde(default)]
    pub to: Option<Date>,
    /// Joint teams working each day.
    pub teams: u32,
    /// Effective inspections one team completes per working day (including travel, boarding,
    /// paperwork). If absent it is derived from the window and the duration model.
    #[serde(default)]
    pub inspections_per_team_day: Option<f64>,
    /// Only outbound inspections on these days (inbound demand waits).
    #[serde(default)]
    pub outbound_only: bool,
    /// Why (source, assumption).
    #[serde(default)]
    pub note: String,
}

/// Effective inspections per team-day in one calendar month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthRate {
    /// `YYYY-MM`.
    pub month: String,
    /// Inspections (inbound + outbound) per team per working day.
    pub inspections_per_team_day: f64,
    /// Where the figure comes from.
    #[serde(default)]
    pub note: String,
}

/// A stoppage: no inspections (or fewer teams) on the days it covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stoppage {
    /// First day.
    pub from: Date,
    /// Last day (inclusive).
    pub to: Date,
    /// At most this many of the teams still working (after the stoppages before it) work.
    /// With none of `teams`, `absent` and `stops`: no team works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams: Option<u32>,
    /// Delegations absent (party codes): every team that needs one of them stops.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent: Vec<String>,
    /// These teams stop, by name (as a logged stoppage's effect names them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stops: Vec<String>,
    /// e.g. "weather", "party absent", "day off".
    #[serde(default)]
    pub kind: String,
    /// Why.
    #[serde(default)]
    pub note: String,
}

/// An inspection area (anchorage).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// Name used by voyages, teams and travel entries.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub note: String,
    /// The places of the corridor's geometry (inspection areas,
    /// anchorages, waiting areas, by name) where vessels waiting for this
    /// area lie: a vessel whose arrival was recorded at one is planned here.
    #[serde(default)]
    pub geometry: Vec<String>,
}

/// Travel time between two areas, minutes (symmetric).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Travel {
    /// One area.
    pub from: String,
    /// The other.
    pub to: String,
    /// Minutes by launch.
    pub minutes: u32,
}

/// A joint inspection team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamSpec {
    /// Name.
    pub name: String,
    /// Area where the team starts the day.
    #[serde(default)]
    pub home_area: Option<String>,
    /// Delegations whose inspectors the team needs (e.g. `["RU","TR","UA","UN"]`). Empty: a
    /// joint team of every delegation, which any absent party stops.
    #[serde(default)]
    pub parties: Vec<String>,
}

impl TeamSpec {
    /// Whether the team can work while `absent` parties are away.
    pub fn works_without(&self, absent: &[String]) -> bool {
        absent.is_empty()
            || (!self.parties.is_empty() && !self.parties.iter().any(|p| absent.contains(p)))
    }
}

impl Stoppage {
    /// Which of `teams` (indices into the config's numbering) still work on a day it covers.
    pub fn working(&self, cfg: &CapacityConfig, teams: Vec<usize>) -> Vec<usize> {
        if self.absent.is_empty() && self.teams.is_none() && self.stops.is_empty() {
            return Vec::new();
        }
        let mut left: Vec<usize> = teams
            .into_iter()
            .filter(|&t| {
                self.absent.is_empty()
                    || cfg
                        .teams
                        .get(t)
                        .is_some_and(|s| s.works_without(&self.absent))
            })
            .filter(|&t| !self.stops.contains(&cfg.team_name(t)))
            .collect();
        if let Some(k) = self.teams {
            left.truncate(k as usize);
        }
        left
    }
}

/// `teams` less what each of `stoppages` stops, in order: absences and named teams add up,
/// and a `teams` cap applies to what the stoppages before it left.
pub(crate) fn working_after<'a>(
    cfg: &CapacityConfig,
    teams: Vec<usize>,
    stoppages: impl Iterator<Item = &'a Stoppage>,
) -> Vec<usize> {
    stoppages.fold(teams, |left, s| s.working(cfg, left))
}

/// Model of the inbound inspections a record of outbound voyages implies.
///
/// Each outbound voyage implies one inbound inspection `lead_days` before its departure, except
/// a vessel's first voyage in the record when that date falls before `first_inbound`: such vessels
/// were already in port (stuck there since February 2022) and had no inbound inspection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboundModel {
    /// Days between the inbound inspection and the departure of the laden voyage.
    pub lead_days: i32,
    /// First day an inbound inspection took place.
    pub first_inbound: Date,
}

/// Readiness failures: a share of inspections end "failed, not ready" and the vessel is
/// re-queued after `requeue_delay_days`; a share end "non-compliant" and the vessel leaves.
/// Draws are deterministic (a hash of the voyage id and attempt), so runs are reproducible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadinessModel {
    /// Probability an inspection attempt fails not-ready.
    #[serde(default)]
    pub not_ready_probability: f64,
    /// Days before a not-ready vessel can be inspected again.
    #[serde(default = "default_requeue")]
    pub requeue_delay_days: i32,
    /// Probability an inspection ends non-compliant.
    #[serde(default)]
    pub non_compliant_probability: f64,
}

fn default_requeue() -> i32 {
    2
}

impl Default for ReadinessModel {
    fn default() -> Self {
        Self {
            not_ready_probability: 0.0,
            requeue_delay_days: 2,
            non_compliant_probability: 0.0,
        }
    }
}

/// Capacity of one day, after periods and stoppages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayCapacity {
    /// Teams working.
    pub teams: u32,
    /// Effective inspections per team that day.
    pub per_team: f64,
    /// Only outbound inspections.
    pub outbound_only: bool,
    /// The day's period sets its own rate (an announced special, e.g. a surge).
    pub special: bool,
}

impl DayCapacity {
    /// Expected inspections that day.
    pub fn inspections(&self) -> f64 {
        f64::from(self.teams) * self.per_team
    }
}

/// The real 2022-23 season's capacity file (`config/capacity-bsgi.toml`), embedded at compile time.
pub const BSGI_CAPACITY_TOML: &str = include_str!("../../../config/capacity-bsgi.toml");

impl CapacityConfig {
    /// The real 2022-23 season's capacity (the default of `corridor simulate queue --replay-record`).
    pub fn bsgi() -> Result<Self> {
        Self::from_toml(BSGI_CAPACITY_TOML)
    }

    /// Parse and validate a TOML document.
    pub fn from_toml(text: &str) -> Result<Self> {
        let cfg: Self =
            toml::from_str(text).map_err(|e| PlannerError::ConfigSyntax(e.to_string()))?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Serialise back to TOML.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| PlannerError::ConfigInvalid(e.to_string()))
    }

    /// The area whose vessels lie at `place` of the corridor's geometry
    /// (its `geometry` names it, or it is the area's own name; in any case,
    /// as people type it).
    pub fn area_at(&self, place: &str) -> Option<&str> {
        self.areas
            .iter()
            .find(|a| {
                a.name.eq_ignore_ascii_case(place.trim())
                    || a.geometry
                        .iter()
                        .any(|g| g.eq_ignore_ascii_case(place.trim()))
            })
            .map(|a| a.name.as_str())
    }

    /// Check internal consistency.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(PlannerError::ConfigInvalid(m));
        self.window.minutes()?;
        for (what, t) in [
            ("deadlines.departure_plan", &self.deadlines.departure_plan),
            ("deadlines.approved_plan", &self.deadlines.approved_plan),
        ] {
            parse_hhmm(t).map_err(|e| PlannerError::ConfigInvalid(format!("{what}: {e}")))?;
        }
        self.tz()?;
        if !(0..=60).contains(&self.transit_days) {
            return bad(format!("transit_days {} outside 0..=60", self.transit_days));
        }
        for p in &self.periods {
            if let Some(to) = p.to
                && to < p.from
            {
                return bad(format!("period {}..{} ends before it starts", p.from, to));
            }
            if p.teams > 1000 {
                return bad(format!("period from {} has {} teams", p.from, p.teams));
            }
            if let Some(r) = p.inspections_per_team_day
                && !(r.is_finite() && (0.0..=100.0).contains(&r))
            {
                return bad(format!(
                    "period from {}: inspections_per_team_day {r}",
                    p.from
                ));
            }
        }
        for r in &self.rates {
            let ok = r.month.len() == 7
                && r.month.as_bytes().get(4) == Some(&b'-')
                && r.month[..4].parse::<u16>().is_ok()
                && r.month[5..]
                    .parse::<u8>()
                    .is_ok_and(|m| (1..=12).contains(&m));
            if !(ok
                && r.inspections_per_team_day.is_finite()
                && (0.0..=100.0).contains(&r.inspections_per_team_day))
            {
                return bad(format!(
                    "rate {:?} = {} is not a YYYY-MM month with a rate in 0..=100",
                    r.month, r.inspections_per_team_day
                ));
            }
        }
        for s in &self.stoppages {
            if s.to < s.from {
                return bad(format!(
                    "stoppage {}..{} ends before it starts",
                    s.from, s.to
                ));
            }
            if s.stops.iter().any(|t| t.trim().is_empty()) {
                return bad(format!("stoppage from {}: a team name is empty", s.from));
            }
            if let Some(p) = s.absent.iter().find(|p| !party_code(p)) {
                return bad(format!(
                    "stoppage from {}: absent party {p:?} is not a party code",
                    s.from
                ));
            }
        }
        for d in &self.durations {
            d.validate()?;
        }
        let mut placed: std::collections::HashMap<&str, &str> = Default::default();
        for a in &self.areas {
            for g in &a.geometry {
                if let Some(other) = self.areas.iter().find(|o| o.name != a.name && o.name == *g) {
                    return bad(format!(
                        "area {:?} names the place {g:?}, which is area {:?}'s own name",
                        a.name, other.name
                    ));
                }
                if let Some(other) = placed.insert(g.as_str(), a.name.as_str())
                    && other != a.name
                {
                    return bad(format!(
                        "area {:?} and area {other:?} both name the place {g:?}",
                        a.name
                    ));
                }
            }
        }
        let r = &self.readiness;
        for p in [r.not_ready_probability, r.non_compliant_probability] {
            if !(p.is_finite() && (0.0..1.0).contains(&p)) {
                return bad(format!("readiness probability {p} outside [0, 1)"));
            }
        }
        if r.not_ready_probability + r.non_compliant_probability >= 1.0 {
            return bad("readiness probabilities sum to 1 or more".into());
        }
        if !(0..=365).contains(&r.requeue_delay_days) {
            return bad(format!("requeue_delay_days {}", r.requeue_delay_days));
        }
        let names: Vec<&str> = self.areas.iter().map(|a| a.name.as_str()).collect();
        for t in &self.travel {
            for n in [&t.from, &t.to] {
                if !names.contains(&n.as_str()) {
                    return bad(format!("travel names unknown area {n:?}"));
                }
            }
        }
        for t in &self.teams {
            if let Some(p) = t.parties.iter().find(|p| !party_code(p)) {
                return bad(format!("team {:?}: {p:?} is not a party code", t.name));
            }
            if let Some(h) = &t.home_area
                && !names.contains(&h.as_str())
            {
                return bad(format!("team {:?} home area {h:?} unknown", t.name));
            }
        }
        Ok(())
    }

    /// The configured time zone (from jiff's bundled database).
    pub fn tz(&self) -> Result<jiff::tz::TimeZone> {
        jiff::tz::TimeZone::get(&self.time_zone)
            .map_err(|_| PlannerError::TimeZone(self.time_zone.clone()))
    }

    /// Working minutes per team per day.
    pub fn window_minutes(&self) -> u32 {
        self.window.minutes().map(|(s, e)| e - s).unwrap_or(0)
    }

    /// Duration model for a direction and size (the first matching class; a default if none).
    pub fn duration(&self, dir: Direction, tonnes: u32) -> DurationModel {
        self.durations
            .iter()
            .find(|d| d.matches(dir, tonnes))
            .cloned()
            .unwrap_or_else(|| DurationModel::default_for(dir))
    }

    /// Minutes a plan books for one inspection: the median duration, whole
    /// minutes, 1 to 1440.
    pub fn plan_minutes(&self, dir: Direction, tonnes: u32) -> u32 {
        self.duration(dir, tonnes)
            .p50_minutes
            .round()
            .clamp(1.0, 1440.0) as u32
    }

    /// Mean travel minutes between distinct areas (0 with fewer than two areas).
    pub fn mean_travel_minutes(&self) -> f64 {
        if self.travel.is_empty() {
            return 0.0;
        }
        self.travel
            .iter()
            .map(|t| f64::from(t.minutes))
            .sum::<f64>()
            / self.travel.len() as f64
    }

    /// Travel minutes between two areas (0 if equal or unknown).
    pub fn travel_minutes(&self, a: &str, b: &str) -> u32 {
        if a == b {
            return 0;
        }
        self.travel
            .iter()
            .find(|t| (t.from == a && t.to == b) || (t.from == b && t.to == a))
            .map_or(0, |t| t.minutes)
    }

    /// Effective inspections per team-day derived from the window and the duration model
    /// (mean of the outbound and inbound medians, plus half the mean travel time).
    pub fn derived_rate(&self) -> f64 {
        let d = (self.duration(Direction::Outbound, 30_000).p50_minutes
            + self.duration(Direction::Inbound, 30_000).p50_minutes)
            / 2.0
            + self.mean_travel_minutes() / 2.0;
        if d <= 0.0 {
            0.0
        } else {
            f64::from(self.window_minutes()) / d
        }
    }

    /// Inspections per team-day where no rate is given: [`Self::derived_rate`],
    /// rounded down with [`Self::whole_inspections`].
    pub fn default_rate(&self) -> f64 {
        let r = self.derived_rate();
        if self.whole_inspections { r.floor() } else { r }
    }

    /// The teams working on `day`, as indices into the config's numbering (`teams[i]`, or
    /// `team-{i+1}` beyond the named ones): the day's period's count, less what each stoppage
    /// covering the day stops.
    pub fn working_teams(&self, day: Date) -> Vec<usize> {
        let teams = self.period_on(day).map_or(0, |p| p.teams) as usize;
        working_after(self, (0..teams).collect(), self.stoppages_on(day))
    }

    /// The name of team `i` of the config's numbering: its `[[team]]` name, else `team-{i+1}`.
    pub fn team_name(&self, i: usize) -> String {
        self.teams
            .get(i)
            .map_or_else(|| format!("team-{}", i + 1), |s| s.name.clone())
    }

    /// The last period covering `day`.
    fn period_on(&self, day: Date) -> Option<&Period> {
        self.periods
            .iter()
            .rev()
            .find(|p| p.from <= day && p.to.is_none_or(|t| day <= t))
    }

    /// The stoppages covering `day`.
    pub fn stoppages_on(&self, day: Date) -> impl Iterator<Item = &Stoppage> {
        self.stoppages
            .iter()
            .filter(move |s| s.from <= day && day <= s.to)
    }

    /// Capacity of one day.
    pub fn day(&self, day: Date) -> DayCapacity {
        let key = crate::model::month_key(day);
        let per_team = self
            .rates
            .iter()
            .rev()
            .find(|r| r.month == key)
            .map_or_else(|| self.default_rate(), |r| r.inspections_per_team_day);
        let mut cap = DayCapacity {
            teams: 0,
            per_team,
            outbound_only: false,
            special: false,
        };
        if let Some(p) = self.period_on(day) {
            cap.outbound_only = p.outbound_only;
            if let Some(r) = p.inspections_per_team_day {
                cap.per_team = r;
                cap.special = true;
            }
        }
        cap.teams = u32::try_from(self.working_teams(day).len()).unwrap_or(u32::MAX);
        cap
    }

    /// The last day a team can work: `None` while a period with teams is
    /// open-ended (or no period has teams).
    pub fn last_working_day(&self) -> Option<Date> {
        let working = || self.periods.iter().filter(|p| p.teams > 0);
        if working().any(|p| p.to.is_none()) {
            return None;
        }
        working().filter_map(|p| p.to).max()
    }

    /// First and last day any period covers (`None` if there are no periods).
    pub fn span(&self) -> Option<(Date, Date)> {
        let first = self.periods.iter().map(|p| p.from).min()?;
        let last = self.periods.iter().map(|p| p.to.unwrap_or(p.from)).max()?;
        Some((first, last.max(first)))
    }

    /// Days in `[from, to]` (0 if reversed).
    pub fn days_in(from: Date, to: Date) -> i32 {
        (days_between(from, to) + 1).max(0)
    }

    /// What-if: from `from` on, `teams` teams (appends a period, keeping the rate of the day).
    pub fn with_teams_from(&self, from: Date, teams: u32) -> Self {
        let mut c = self.clone();
        let end = self.span().map(|(_, e)| e);
        // Keep each later period's rate but replace its team count.
        let mut extra = Vec::new();
        for p in &self.periods {
            let ends_after = p.to.is_none_or(|t| t >= from);
            if ends_after {
                let mut q = p.clone();
                q.from = q.from.max(from);
                q.teams = teams;
                q.note = format!("what-if: {teams} teams from {from}");
                extra.push(q);
            }
        }
        if extra.is_empty() {
            extra.push(Period {
                from,
                to: end.filter(|e| *e >= from),
                teams,
                inspections_per_team_day: None,
                outbound_only: false,
                note: format!("what-if: {teams} teams from {from}"),
            });
        }
        c.periods.extend(extra);
        c
    }

    /// What-if: at most `n` inspections a day.
    pub fn with_daily_cap(&self, n: u32) -> Self {
        let mut c = self.clone();
        c.max_inspections_per_day = Some(n);
        c
    }

    /// What-if: a stoppage (no teams) from `from` for `days` days.
    pub fn with_stoppage(&self, from: Date, days: i32, note: &str) -> Self {
        let mut c = self.clone();
        c.stoppages.push(Stoppage {
            from,
            to: add_days(from, days.max(1) - 1),
            teams: None,
            absent: Vec::new(),
            stops: Vec::new(),
            kind: "what-if".into(),
            note: note.into(),
        });
        c
    }
}
