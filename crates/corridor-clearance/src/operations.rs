//! Monthly operations figures from the log: applications, clearances,
//! inspections and departures per month, tonnes cleared, and how long
//! vessels took to be cleared and waited at the inspection area.
//!
//! These are the figures UNVIM publishes every month (vessels cleared,
//! average days in the holding area) and the JCC's vessel-movements table
//! does not hold (it lists voyages, not applications or waits). They come
//! from the log alone, so anyone holding an export gets the same figures.
//!
//! Counting rules (each under the month, on the centre's clock, of the log
//! time of the event that completes it):
//! - *submitted*: an application's first submission (amendments and
//!   resubmissions are not new applications);
//! - *cleared*: an application leaving review approved; `cleared_on_papers`
//!   of those, approved with no inspection to wait for (the on-cause
//!   policy); `tonnes_cleared`, their declared cargo;
//! - *rejected*, *withdrawn*, *expired*: applications ending so (one
//!   cleared and then withdrawn or expired stays counted as cleared, with
//!   its tonnes, in the month it was cleared);
//! - *arrived*: first arrivals recorded at the inspection area, under the
//!   month of the arrival itself (not of its logging);
//! - inspections by outcome; *departed*: vessels leaving for their voyage;
//! - *days to clear*: from first submission to that approval;
//! - *days waiting for inspection*: from the recorded arrival at the
//!   inspection area (the first, or the coordinator's correction) to the
//!   inspection's verdict (passed or non-compliant; a vessel found not
//!   ready waits on; a second inspection is waited for from its cause);
//! - *days in the inspection area*: from that arrival to the departure.
//!
//! A wait whose arrival was never recorded is not counted: its start is
//! unknown. Every month from the first to the last with an event is
//! listed, empty ones too, so the series has no holes.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::machine::{Clearance, Event, InspectionOutcome, ReplayError, Status};

/// Durations in days over a month: how many, their mean and median.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Days {
    /// How many ended that month.
    pub count: u64,
    /// Mean, in days (two decimals); `None` with none.
    pub mean: Option<f64>,
    /// Median, in days (two decimals; of an even count, the mean of the
    /// middle two); `None` with none.
    pub median: Option<f64>,
}

impl Days {
    fn of(seconds: &[i64]) -> Days {
        let mut s = seconds.to_vec();
        s.sort_unstable();
        let n = s.len();
        let days = |secs: f64| (secs / 864.0).round() / 100.0;
        let median = match n {
            0 => None,
            _ if n % 2 == 1 => Some(s[n / 2] as f64),
            _ => Some((s[n / 2 - 1] as f64 + s[n / 2] as f64) / 2.0),
        };
        Days {
            count: n as u64,
            mean: (n > 0).then(|| days(s.iter().map(|&x| x as f64).sum::<f64>() / n as f64)),
            median: median.map(days),
        }
    }
}

/// Inspections recorded in a month, by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionCounts {
    pub passed: u64,
    pub failed_not_ready: u64,
    pub failed_non_compliant: u64,
}

/// One month's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MonthOperations {
    /// `YYYY-MM`, on the centre's clock.
    pub month: String,
    pub submitted: u64,
    pub cleared: u64,
    pub cleared_on_papers: u64,
    /// Declared cargo of the applications cleared, metric tonnes.
    pub tonnes_cleared: u64,
    pub rejected: u64,
    pub withdrawn: u64,
    pub expired: u64,
    /// First arrivals recorded at the inspection area.
    pub arrived: u64,
    pub inspections: InspectionCounts,
    pub departed: u64,
    pub days_to_clear: Days,
    pub days_waiting_for_inspection: Days,
    pub days_in_inspection_area: Days,
}

/// The figures of every month, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operations {
    /// The centre's time zone, which the months are on.
    pub time_zone: String,
    pub months: Vec<MonthOperations>,
}

/// Counts and durations of one month, as they are gathered.
#[derive(Debug, Clone, Default)]
struct Month {
    figures: MonthOperations,
    to_clear: Vec<i64>,
    waiting: Vec<i64>,
    in_area: Vec<i64>,
}

/// The figures so far, fed one logged event at a time (as
/// [`crate::Tally`] is, so a server adds only the log's new entries).
#[derive(Debug, Clone)]
pub struct OperationsTally {
    state: Clearance,
    tz: TimeZone,
    months: BTreeMap<String, Month>,
    /// Second inspections asked after a pass: waited for from the cause.
    second_from: BTreeMap<String, Timestamp>,
}

impl OperationsTally {
    /// No events yet; months on `tz`.
    pub fn new(config: crate::CorridorConfig, tz: TimeZone) -> Self {
        OperationsTally {
            state: Clearance::new(config),
            tz,
            months: BTreeMap::new(),
            second_from: BTreeMap::new(),
        }
    }

    /// The month `t` falls in, on the centre's clock.
    fn month(&mut self, t: Timestamp) -> &mut Month {
        let month = t.to_zoned(self.tz.clone()).strftime("%Y-%m").to_string();
        self.months.entry(month.clone()).or_insert_with(|| Month {
            figures: MonthOperations {
                month,
                ..MonthOperations::default()
            },
            ..Month::default()
        })
    }

    /// Takes the next logged event. On an error the tally is no longer
    /// the log's: start a new one.
    pub fn add(&mut self, at: Timestamp, event: &Event) -> Result<(), ReplayError> {
        let id = event_application(event);
        let before = id.and_then(|id| self.state.applications.get(id)).cloned();
        self.state.apply(event, at)?;
        let Some(after) = id.and_then(|id| self.state.applications.get(id)).cloned() else {
            return Ok(());
        };
        let was = before.as_ref().map(|a| a.status);
        // An arrival counts in the month the vessel arrived, not the month
        // it was logged (tracking catches up after a start; a coordinator
        // records one late); a correction moves it to its own month.
        if let Event::AreaArrivalRecorded { at: arrived, .. } = event {
            if let Some(old) = before.as_ref().and_then(|a| a.area_arrival.as_ref()) {
                let m = self.month(old.at);
                m.figures.arrived = m.figures.arrived.saturating_sub(1);
            }
            self.month(*arrived).figures.arrived += 1;
        }
        if matches!(event, Event::InspectionRequired { .. })
            && was == Some(Status::InspectionPassed)
        {
            self.second_from.insert(after.id.clone(), at);
        }
        let second_from = match after.status {
            Status::InspectionPassed | Status::FailedNonCompliant if was != Some(after.status) => {
                self.second_from.remove(&after.id)
            }
            _ => None,
        };
        let m = self.month(at);
        let f = &mut m.figures;
        let secs_since = |t: Timestamp| at.duration_since(t).as_secs();
        match event {
            Event::ApplicationSubmitted { .. } if was == Some(Status::Draft) => f.submitted += 1,
            Event::InspectionRecorded { outcome, .. } => match outcome {
                InspectionOutcome::Passed => f.inspections.passed += 1,
                InspectionOutcome::NotReady { .. } => f.inspections.failed_not_ready += 1,
                InspectionOutcome::NonCompliant { .. } => f.inspections.failed_non_compliant += 1,
            },
            _ => {}
        }
        if was == Some(after.status) {
            return Ok(());
        }
        let in_review = matches!(
            was,
            Some(Status::Submitted | Status::UnderReview | Status::Held)
        );
        // A second inspection (on cause, after a pass) is waited for from
        // its cause; any other from the arrival.
        let arrival = after.area_arrival.as_ref().map(|a| a.at);
        let waited_from = match second_from {
            Some(cause) => arrival.map(|t| t.max(cause)),
            None => arrival,
        };
        match after.status {
            Status::Approved if in_review => {
                f.cleared += 1;
                f.cleared_on_papers += u64::from(after.cleared_on_papers);
                f.tonnes_cleared = f
                    .tonnes_cleared
                    .saturating_add(after.content.total_tonnes());
                if let Some(t) = after.submitted_at {
                    m.to_clear.push(secs_since(t));
                }
            }
            Status::Rejected => f.rejected += 1,
            Status::Withdrawn => f.withdrawn += 1,
            Status::Expired => f.expired += 1,
            Status::InspectionPassed | Status::FailedNonCompliant => {
                m.waiting
                    .extend(waited_from.filter(|&t| t <= at).map(secs_since));
            }
            Status::InTransit => {
                f.departed += 1;
                m.in_area
                    .extend(arrival.filter(|&t| t <= at).map(secs_since));
            }
            _ => {}
        }
        Ok(())
    }

    /// The figures of every month from the first to the last with an event.
    pub fn figures(&self) -> Operations {
        let mut months = Vec::new();
        let (Some(first), Some(last)) = (self.months.keys().next(), self.months.keys().last())
        else {
            return Operations {
                time_zone: tz_name(&self.tz),
                months,
            };
        };
        let mut at = first.clone();
        loop {
            let figures = match self.months.get(&at) {
                Some(m) => MonthOperations {
                    days_to_clear: Days::of(&m.to_clear),
                    days_waiting_for_inspection: Days::of(&m.waiting),
                    days_in_inspection_area: Days::of(&m.in_area),
                    ..m.figures.clone()
                },
                None => MonthOperations {
                    month: at.clone(),
                    ..MonthOperations::default()
                },
            };
            months.push(figures);
            if &at >= last {
                break;
            }
            match next_month(&at) {
                Some(n) => at = n,
                None => break,
            }
        }
        Operations {
            time_zone: tz_name(&self.tz),
            months,
        }
    }
}

/// Replays `events` (with their log times) into the monthly figures.
pub fn operations<'a>(
    config: &crate::CorridorConfig,
    tz: TimeZone,
    events: impl IntoIterator<Item = (Timestamp, &'a Event)>,
) -> Result<Operations, ReplayError> {
    let mut tally = OperationsTally::new(config.clone(), tz);
    for (at, event) in events {
        tally.add(at, event)?;
    }
    Ok(tally.figures())
}

fn tz_name(tz: &TimeZone) -> String {
    tz.iana_name().unwrap_or("UTC").to_string()
}

/// `YYYY-MM` after `month`.
fn next_month(month: &str) -> Option<String> {
    let (y, m) = month.split_once('-')?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    Some(if m >= 12 {
        format!("{:04}-01", y + 1)
    } else {
        format!("{y:04}-{:02}", m + 1)
    })
}

/// The application an event is about, if any.
fn event_application(event: &Event) -> Option<&str> {
    match event {
        Event::ApplicationCreated { application_id, .. }
        | Event::DraftUpdated { application_id, .. }
        | Event::ApplicationSubmitted { application_id, .. }
        | Event::ReviewStarted { application_id }
        | Event::DecisionRecorded { application_id, .. }
        | Event::HoldReleased { application_id, .. }
        | Event::ApplicationAmended { application_id, .. }
        | Event::ApplicationWithdrawn { application_id, .. }
        | Event::ApplicationExpired { application_id, .. }
        | Event::InspectionScheduled { application_id, .. }
        | Event::InspectionRecorded { application_id, .. }
        | Event::VesselDeparted { application_id }
        | Event::VesselArrived { application_id }
        | Event::ApplicationClosed { application_id }
        | Event::AreaArrivalRecorded { application_id, .. }
        | Event::ReadinessDeclared { application_id, .. }
        | Event::InspectionRequired { application_id, .. }
        | Event::QueueOverridden { application_id, .. } => Some(application_id),
        _ => None,
    }
}
