//! Accountability figures from the log's events, per party: decisions,
//! time to decide, holds and rejections by reason, time held, time overdue,
//! and the same for the daily inspection plans.
//!
//! Time to decide runs from when the party's decision became awaited (review
//! start, a release, an amendment, or its own previous decision; for a plan,
//! the version's submission or the party's previous decision on it) to the
//! logged time of the decision, minus any time the corridor was suspended.
//! Percentiles use the nearest-rank method on whole seconds.
//!
//! Time held is the other side: from the logged time of a party's hold to
//! when it stopped holding the application up (its release, its own next
//! decision, an amendment, or the application leaving review: approved by
//! the rule, rejected, withdrawn, expired), minus suspensions; a hold still
//! in place counts up to now and is counted open. A hold on a day's plan
//! lasts until the party's next decision on it, a new version, or the end of
//! the plan's day, whichever comes first.
//!
//! Time overdue is the silent side: from a decision's deadline to when the
//! party decided, or to when the wait ended without its decision (an
//! amendment restarted it, or the application was withdrawn, expired or
//! decided by the others), or up to now. Waits that ended overdue and
//! undecided (not by an approval that did without the party, under a
//! quorum) are counted too: a party that never answers shows there. A
//! plan decision is late when logged after the timetable's hour the day
//! before (for a version submitted after that hour: after the plan's day
//! began), later by any suspension.
//!
//! [`Tally`] takes the events one at a time and gives the figures at any
//! `now` without replaying the log again; [`accountability`] does both at once.

use crate::config::CorridorConfig;
use crate::dayplan::PlanStatus;
use crate::machine::{Clearance, Event, Overdue, ReplayError};
use corridor_ledger::DecisionKind;
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One party's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyAccountability {
    /// Party code.
    pub party: String,
    /// Decisions recorded (approve, hold, reject).
    pub decisions: u64,
    /// Approvals.
    pub approvals: u64,
    /// Median time to decide, seconds.
    pub median_seconds_to_decide: Option<i64>,
    /// 90th-percentile time to decide, seconds.
    pub p90_seconds_to_decide: Option<i64>,
    /// Holds by reason code.
    pub holds_by_reason: BTreeMap<String, u64>,
    /// Rejections by reason code.
    pub rejections_by_reason: BTreeMap<String, u64>,
    /// Seconds the party's holds kept applications waiting, up to now.
    pub seconds_held: i64,
    /// The party's holds still in place now.
    pub holds_open: u64,
    /// Seconds past the party's deadlines without its decision, up to now.
    pub seconds_overdue: i64,
    /// Waits that ended past their deadline without the party's decision
    /// (the application amended, withdrawn, expired or decided by others).
    pub overdue_undecided: u64,
    /// Decisions overdue now.
    pub overdue: Vec<Overdue>,
    /// The party's decisions on the daily inspection plans.
    pub plans: PlanAccountability,
}

/// One party's decisions on the daily inspection plans.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanAccountability {
    /// Decisions recorded on plans.
    pub decisions: u64,
    /// Approvals.
    pub approvals: u64,
    /// Median time from a version's submission (or the party's previous
    /// decision on it) to the decision, seconds.
    pub median_seconds_to_decide: Option<i64>,
    /// Holds by reason code.
    pub holds_by_reason: BTreeMap<String, u64>,
    /// Rejections by reason code.
    pub rejections_by_reason: BTreeMap<String, u64>,
    /// Seconds the party's holds kept a day's plan from being approved, up to now.
    pub seconds_held: i64,
    /// Holds still in place on a plan whose day has not ended.
    pub holds_open: u64,
    /// Decisions logged after the plan was due (the timetable's hour the day before).
    pub late: u64,
    /// Days whose submitted plan is past due and still awaits the party's decision.
    pub overdue: Vec<String>,
}

/// Figures for every party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accountability {
    /// When computed.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub as_of: Timestamp,
    /// Per party, in configuration order.
    pub parties: Vec<PartyAccountability>,
}

/// When a day's plan is due and when its day ends, on the centre's clock.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanTimetable {
    tz: TimeZone,
    approve_by: Time,
}

impl PlanTimetable {
    /// Plans approved by `approve_by` (local time in `tz`) the day before.
    pub fn new(tz: TimeZone, approve_by: Time) -> Self {
        PlanTimetable { tz, approve_by }
    }

    /// When the plan for `date` (`YYYY-MM-DD`) is due.
    pub fn due(&self, date: &str) -> Option<Timestamp> {
        let day: Date = date.parse().ok()?;
        let before = day.yesterday().ok()?;
        Some(
            before
                .to_datetime(self.approve_by)
                .to_zoned(self.tz.clone())
                .ok()?
                .timestamp(),
        )
    }

    /// When `date` begins: its local midnight.
    pub fn day_start(&self, date: &str) -> Option<Timestamp> {
        let day: Date = date.parse().ok()?;
        Some(day.to_zoned(self.tz.clone()).ok()?.timestamp())
    }

    /// When `date` ends: the next local midnight.
    pub fn day_end(&self, date: &str) -> Option<Timestamp> {
        let day: Date = date.parse().ok()?;
        Some(
            day.tomorrow()
                .ok()?
                .to_zoned(self.tz.clone())
                .ok()?
                .timestamp(),
        )
    }
}

/// Nearest-rank percentile (`p` in 1..=100) of sorted values.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let rank = (u64::from(p.clamp(1, 100)) * n as u64).div_ceil(100) as usize;
    sorted.get(rank.clamp(1, n) - 1).copied()
}

/// Replays `events` (with their log times) and computes the figures at `now`.
pub fn accountability<'a>(
    config: &CorridorConfig,
    timetable: &PlanTimetable,
    events: impl IntoIterator<Item = (Timestamp, &'a Event)>,
    now: Timestamp,
) -> Result<Accountability, ReplayError> {
    let mut tally = Tally::new(config.clone(), timetable.clone());
    for (at, event) in events {
        tally.add(at, event)?;
    }
    Ok(tally.figures(now))
}

/// `(application or plan date, party)`.
type Key = (String, String);

/// The figures so far, fed one logged event at a time.
#[derive(Debug, Clone)]
pub struct Tally {
    state: Clearance,
    timetable: PlanTimetable,
    /// What has closed: counts, reasons, time held and overdue that ended.
    closed: BTreeMap<String, PartyAccountability>,
    durations: BTreeMap<String, Vec<i64>>,
    plan_durations: BTreeMap<String, Vec<i64>>,
    /// When each hold in place began.
    held_since: BTreeMap<Key, Timestamp>,
    plan_held_since: BTreeMap<Key, Timestamp>,
    /// Since when each party's decision on a submitted plan is awaited.
    plan_awaiting: BTreeMap<Key, Timestamp>,
}

/// A party's wait for a decision, as it stood before an event.
struct Wait {
    application_id: String,
    party: String,
    since: Timestamp,
    deadline: Timestamp,
}

impl Tally {
    /// No events yet.
    pub fn new(config: CorridorConfig, timetable: PlanTimetable) -> Self {
        let closed = config
            .party_codes()
            .map(|p| (p.to_string(), empty(p)))
            .collect();
        Tally {
            state: Clearance::new(config),
            timetable,
            closed,
            durations: BTreeMap::new(),
            plan_durations: BTreeMap::new(),
            held_since: BTreeMap::new(),
            plan_held_since: BTreeMap::new(),
            plan_awaiting: BTreeMap::new(),
        }
    }

    /// Takes the next logged event. On an error the tally is no longer
    /// the log's: start a new one.
    pub fn add(&mut self, at: Timestamp, event: &Event) -> Result<(), ReplayError> {
        let decided = self.time_to_decide(at, event);
        let waits = self.waits(event, at);
        self.state.apply(event, at)?;
        if let Some((party, secs)) = decided {
            self.durations.entry(party).or_default().push(secs);
        }
        self.count(at, event);
        self.end_waits(at, event, waits);
        self.end_holds(at);
        Ok(())
    }

    /// The figures at `now` (not before the last event's time).
    pub fn figures(&self, now: Timestamp) -> Accountability {
        let mut figures = self.closed.clone();
        for ((_, party), since) in &self.held_since {
            if let Some(f) = figures.get_mut(party) {
                f.seconds_held += self.held(*since, now);
                f.holds_open += 1;
            }
        }
        for ((date, party), since) in &self.plan_held_since {
            let end = self.timetable.day_end(date).unwrap_or(now);
            if let Some(f) = figures.get_mut(party) {
                f.plans.seconds_held += self.held(*since, now.min(end));
                f.plans.holds_open += u64::from(now < end);
            }
        }
        for o in self.state.overdue(now) {
            if let Some(f) = figures.get_mut(&o.party) {
                f.seconds_overdue += self.held(o.deadline, now);
                f.overdue.push(o);
            }
        }
        for (date, plan) in &self.state.plans {
            if plan.status != PlanStatus::Submitted || self.state.plan_rejected(date) {
                continue;
            }
            let due = self.plan_due(date, now);
            let end = self.timetable.day_end(date);
            if !(due.is_some_and(|d| now >= d) && end.is_some_and(|e| now < e)) {
                continue;
            }
            for (party, f) in &mut figures {
                if !plan.approvals.contains_key(party) {
                    f.plans.overdue.push(date.clone());
                }
            }
        }
        for (party, f) in &mut figures {
            let mut ds = self.durations.get(party).cloned().unwrap_or_default();
            ds.sort_unstable();
            f.median_seconds_to_decide = percentile(&ds, 50);
            f.p90_seconds_to_decide = percentile(&ds, 90);
            let mut ds = self.plan_durations.get(party).cloned().unwrap_or_default();
            ds.sort_unstable();
            f.plans.median_seconds_to_decide = percentile(&ds, 50);
        }
        let parties = self
            .state
            .config
            .party_codes()
            .filter_map(|p| figures.remove(p))
            .collect();
        Accountability {
            as_of: corridor_ledger::time::to_seconds(now),
            parties,
        }
    }

    /// A decision on an application: its party and the time it took.
    fn time_to_decide(&self, at: Timestamp, event: &Event) -> Option<(String, i64)> {
        let Event::DecisionRecorded {
            application_id,
            decision,
            ..
        } = event
        else {
            return None;
        };
        let since = self
            .state
            .applications
            .get(application_id)?
            .awaiting_since
            .get(&decision.party)?;
        self.closed
            .contains_key(&decision.party)
            .then(|| (decision.party.clone(), self.held(*since, at)))
    }

    /// Every party's wait on the applications `event` touches, before it.
    fn waits(&self, event: &Event, at: Timestamp) -> Vec<Wait> {
        let mut out = Vec::new();
        for id in event.affected_applications() {
            let Some(app) = self.state.applications.get(id) else {
                continue;
            };
            for party in self.state.config.party_codes() {
                if let (Some(deadline), Some(since)) = (
                    self.state.deadline(app, party, at),
                    app.awaiting_since.get(party),
                ) {
                    out.push(Wait {
                        application_id: id.to_string(),
                        party: party.to_string(),
                        since: *since,
                        deadline,
                    });
                }
            }
        }
        out
    }

    /// Closes the waits that `event` ended past their deadline.
    fn end_waits(&mut self, at: Timestamp, event: &Event, waits: Vec<Wait>) {
        for w in waits {
            let goes_on = self
                .state
                .applications
                .get(&w.application_id)
                .is_some_and(|a| {
                    self.state.deadline(a, &w.party, at).is_some()
                        && a.awaiting_since.get(&w.party) == Some(&w.since)
                });
            if goes_on || at <= w.deadline {
                continue;
            }
            let answered = matches!(event, Event::DecisionRecorded { application_id, decision, .. }
                if *application_id == w.application_id && decision.party == w.party);
            // Approved without it (a quorum): its decision was not needed.
            let approved = self
                .state
                .applications
                .get(&w.application_id)
                .is_some_and(|a| a.status == crate::machine::Status::Approved);
            let secs = self.held(w.deadline, at);
            if let Some(f) = self.closed.get_mut(&w.party) {
                f.seconds_overdue += secs;
                f.overdue_undecided += u64::from(!answered && !approved);
            }
        }
    }

    /// Counts decisions and opens holds (after `event` is applied).
    fn count(&mut self, at: Timestamp, event: &Event) {
        match event {
            Event::DecisionRecorded {
                application_id,
                decision,
                ..
            } => {
                let Some(f) = self.closed.get_mut(&decision.party) else {
                    return;
                };
                f.decisions += 1;
                match &decision.decision {
                    DecisionKind::Approve => f.approvals += 1,
                    DecisionKind::Hold { reason_code, .. } => {
                        *f.holds_by_reason.entry(reason_code.clone()).or_default() += 1;
                        self.held_since
                            .entry((application_id.clone(), decision.party.clone()))
                            .or_insert(at);
                    }
                    DecisionKind::Reject { reason_code, .. } => {
                        *f.rejections_by_reason
                            .entry(reason_code.clone())
                            .or_default() += 1;
                    }
                    // Logged as `HoldReleased`, never as a decision.
                    DecisionKind::Release => {}
                }
            }
            Event::PlanSubmitted { date, .. } => {
                for party in self.state.config.party_codes() {
                    self.plan_awaiting
                        .insert((date.clone(), party.to_string()), at);
                }
            }
            Event::PlanSet { content, .. } => {
                self.plan_awaiting
                    .retain(|(date, _), _| *date != content.date);
            }
            Event::PlanDecisionRecorded { date, decision, .. } => {
                let key = (date.clone(), decision.party.clone());
                let took = self
                    .plan_awaiting
                    .insert(key.clone(), at)
                    .map(|since| self.held(since, at));
                let late = self.plan_due(date, at).is_some_and(|due| at > due);
                let Some(f) = self.closed.get_mut(&decision.party) else {
                    return;
                };
                if let Some(secs) = took {
                    self.plan_durations
                        .entry(decision.party.clone())
                        .or_default()
                        .push(secs);
                }
                let p = &mut f.plans;
                p.decisions += 1;
                p.late += u64::from(late);
                match &decision.decision {
                    DecisionKind::Approve => p.approvals += 1,
                    DecisionKind::Hold { reason_code, .. } => {
                        *p.holds_by_reason.entry(reason_code.clone()).or_default() += 1;
                        self.plan_held_since.entry(key).or_insert(at);
                    }
                    DecisionKind::Reject { reason_code, .. } => {
                        *p.rejections_by_reason
                            .entry(reason_code.clone())
                            .or_default() += 1;
                    }
                    DecisionKind::Release => {}
                }
                // A hold that holds the plan up again (the rejection that
                // made it moot was changed to an approval) counts again.
                for party in self.state.config.party_codes() {
                    if holds_plan(&self.state, date, party) {
                        self.plan_held_since
                            .entry((date.clone(), party.to_string()))
                            .or_insert(at);
                    }
                }
            }
            _ => {}
        }
    }

    /// Closes the holds that no longer hold anything up (after any event).
    fn end_holds(&mut self, at: Timestamp) {
        let mut ended: Vec<(String, i64)> = Vec::new();
        let state = &self.state;
        self.held_since.retain(|(app, party), since| {
            if holds(state, app, party) {
                return true;
            }
            ended.push((party.clone(), held(state, *since, at)));
            false
        });
        for (party, secs) in ended.drain(..) {
            if let Some(f) = self.closed.get_mut(&party) {
                f.seconds_held += secs;
            }
        }
        let timetable = &self.timetable;
        self.plan_held_since.retain(|(date, party), since| {
            if holds_plan(state, date, party) {
                return true;
            }
            let until = timetable.day_end(date).map_or(at, |end| at.min(end));
            ended.push((party.clone(), held(state, *since, until)));
            false
        });
        for (party, secs) in ended {
            if let Some(f) = self.closed.get_mut(&party) {
                f.plans.seconds_held += secs;
            }
        }
    }

    /// When the parties' decisions on the current version of `date`'s plan
    /// are due (as seen at `now`): the timetable's hour the day before; for
    /// a version the coordinator submitted after that hour (its lateness is
    /// not the parties'), the start of the plan's day, when its inspections
    /// need it. Later by any suspension since the version was submitted.
    /// None for a version submitted once its day had begun.
    fn plan_due(&self, date: &str, now: Timestamp) -> Option<Timestamp> {
        let submitted = self.state.plans.get(date)?.submitted_at?;
        let due = self.timetable.due(date)?;
        let due = if submitted < due {
            due
        } else {
            self.timetable
                .day_start(date)
                .filter(|start| submitted < *start)?
        };
        Some(self.state.corridor.extend_deadline(submitted, due, now))
    }

    fn held(&self, since: Timestamp, until: Timestamp) -> i64 {
        held(&self.state, since, until)
    }
}

fn empty(party: &str) -> PartyAccountability {
    PartyAccountability {
        party: party.to_string(),
        decisions: 0,
        approvals: 0,
        median_seconds_to_decide: None,
        p90_seconds_to_decide: None,
        holds_by_reason: BTreeMap::new(),
        rejections_by_reason: BTreeMap::new(),
        seconds_held: 0,
        holds_open: 0,
        seconds_overdue: 0,
        overdue_undecided: 0,
        overdue: Vec::new(),
        plans: PlanAccountability::default(),
    }
}

/// `party`'s current decision on `app` is a hold, and the application is in review.
fn holds(state: &Clearance, app: &str, party: &str) -> bool {
    state.applications.get(app).is_some_and(|a| {
        a.status.in_review()
            && a.decisions
                .get(party)
                .is_some_and(|d| matches!(d.kind, DecisionKind::Hold { .. }))
    })
}

/// `party`'s current decision on the submitted plan for `date` is a hold
/// (and the others have not rejected it: a hold on a rejected plan holds nothing up).
fn holds_plan(state: &Clearance, date: &str, party: &str) -> bool {
    state.plans.get(date).is_some_and(|p| {
        p.status == PlanStatus::Submitted
            && !state.plan_rejected(date)
            && p.approvals
                .get(party)
                .is_some_and(|a| matches!(a.decision, DecisionKind::Hold { .. }))
    })
}

/// Seconds from `since` to `until` outside suspensions.
fn held(state: &Clearance, since: Timestamp, until: Timestamp) -> i64 {
    (until.as_second() - since.as_second() - state.corridor.suspended_seconds(since, until)).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let check = |v: &[i64], p, expected| assert_eq!(percentile(v, p), expected, "{v:?} p{p}");
        check(&[], 50, None);
        check(&[5], 50, Some(5));
        check(&[5], 90, Some(5));
        check(&[1, 2, 3, 4], 50, Some(2));
        check(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, Some(9));
        check(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90, Some(10));
    }
}
