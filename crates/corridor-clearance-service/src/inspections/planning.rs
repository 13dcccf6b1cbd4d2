//! The planning problem built from the clearance state: the waiting
//! vessels as planner voyages, their arrivals, the queue overrides, and
//! the day's plan as the assignments the parties sign.

use super::*;

// ---- the queue, from the clearance state ----

/// One waiting application as the planner sees it.
pub(super) struct Waiting<'a> {
    pub(super) app: &'a Application,
    pub(super) voyage: Voyage,
}

/// The first day a vessel that failed not ready may be inspected again:
/// the day it failed, on the centre's clock, plus the re-queue delay.
pub(super) fn requeued_from(
    app: &Application,
    cap: &CapacityConfig,
    tz: &jiff::tz::TimeZone,
) -> Option<Date> {
    app.not_ready_at
        .filter(|_| app.status == Status::FailedNotReady)
        .map(|t| {
            corridor_planner::model::add_days(local_date(t, tz), cap.readiness.requeue_delay_days)
        })
}

/// Why `app` may not be booked at `start_at` yet, if it may not: a vessel
/// that failed not ready must declare readiness again and waits out
/// [`requeued_from`], whether it is booked by hand or by a plan drafted
/// before it failed.
pub(crate) fn requeue_problem(
    app: &Application,
    start_at: Timestamp,
    cap: &CapacityConfig,
    tz: &jiff::tz::TimeZone,
) -> Option<String> {
    let from = requeued_from(app, cap, tz)?;
    let (id, vessel) = (&app.id, &app.content.vessel.name);
    let failed_on = local_date(app.not_ready_at?, tz);
    if app.ready_at.is_none() {
        return Some(format!(
            "{id} ({vessel}) failed not ready on {failed_on} and has not declared readiness again"
        ));
    }
    let delay = cap.readiness.requeue_delay_days;
    (local_date(start_at, tz) < from).then(|| {
        format!(
            "{id} ({vessel}) failed not ready on {failed_on}: after the re-queue delay of {delay} days it may be inspected from {from}"
        )
    })
}

/// The first day whose plan can still take a vessel not yet scheduled, and
/// whether that plan is late. Today's plan is fixed. Tomorrow's is open
/// until it is approved: on the JCC's timetable that is by 16:00 today, so
/// a vessel first predicted for tomorrow after 16:00 is in a late plan and
/// may slip a day. Once tomorrow's plan is approved (early or late), it is
/// the first later day whose plan is not approved. (The queue once predicted "today" for vessels no
/// plan could reach, and then "the day after tomorrow" after 16:00 for
/// vessels in tomorrow's unapproved plan.)
pub(super) fn first_plannable_day(
    now: Timestamp,
    tz: &jiff::tz::TimeZone,
    cap: &CapacityConfig,
    clearance: &Clearance,
) -> (Date, bool) {
    let local = now.to_zoned(tz.clone());
    let approved_by = approved_by(cap);
    let day = |n: i64| {
        local
            .date()
            .checked_add(jiff::Span::new().days(n))
            .unwrap_or(local.date())
    };
    let approved = |d: Date| {
        clearance
            .plans
            .get(&d.to_string())
            .is_some_and(|p| p.status == PlanStatus::Approved)
    };
    // Plans approved ahead (a weekend's) are fixed too; a fortnight bounds it.
    let first = (1..=14).map(day).find(|d| !approved(*d)).unwrap_or(day(15));
    (first, first == day(1) && local.time() >= approved_by)
}

/// The service's capacity with the coordinator's stoppages in force (and
/// not over by `now`) added to its schedule, each stopping exactly what its
/// logged effect says: what the queue forecasts and the day's plan are
/// made against.
pub(crate) fn capacity_now<'a>(
    cap: &'a CapacityConfig,
    clearance: &Clearance,
    now: Timestamp,
) -> Cow<'a, CapacityConfig> {
    let mut in_force = clearance
        .stoppages
        .iter()
        .filter(|s| s.in_force() && s.effect.ends_at > now)
        // One that stops no team changes nothing.
        .filter(|s| s.effect.every_team || !s.effect.stops.is_empty())
        .peekable();
    if in_force.peek().is_none() {
        return Cow::Borrowed(cap);
    }
    let mut c = cap.clone();
    for s in in_force {
        // Dates were checked when it was declared.
        let Some((from, to)) = s.content.days() else {
            continue;
        };
        // Every team, or exactly the teams it named: the same every day,
        // or (open finding 64) each day's own.
        let spans: Vec<(Date, Date, Vec<String>)> = if s.effect.every_team {
            vec![(from, to, Vec::new())]
        } else if s.effect.days.is_empty() {
            vec![(from, to, s.effect.stops.clone())]
        } else {
            s.day_stops()
                // A day that stops no team is not a stoppage of every team.
                .filter(|(_, d)| !d.stops.is_empty())
                .map(|(day, d)| (day, day, d.stops.clone()))
                .collect()
        };
        for (from, to, stops) in spans {
            c.stoppages.push(corridor_planner::config::Stoppage {
                from,
                to,
                teams: None,
                absent: Vec::new(),
                stops,
                kind: corridor_clearance::stoppage::kind_name(s.content.kind).into(),
                note: format!("{}: {}", s.id, s.content.reason),
            });
        }
    }
    Cow::Owned(c)
}

/// How far ahead of now today's draft starts its first inspection: time
/// for the parties to approve it before it begins.
const TODAY_LEAD_MINUTES: i32 = 60;

/// Everything the planner needs about the service's state at one moment.
pub(super) struct Planning<'a> {
    pub(super) clearance: &'a Clearance,
    pub(super) cap: Cow<'a, CapacityConfig>,
    pub(super) tz: jiff::tz::TimeZone,
    /// The first day a vessel not declared ready can be counted on: the day
    /// after the first plan still open, which is drafted from declared
    /// vessels only.
    undeclared_from: Date,
    /// Today, on the centre's clock.
    today: Date,
    /// Tracking reports arrivals at the inspection area (see [`Arrival`]).
    tracked: bool,
}

/// What a waiting vessel's place in the queue counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Arrival {
    /// Tracking saw it arrive at the inspection area.
    Seen(Date),
    /// The coordinator recorded its arrival.
    Recorded(Date),
    /// Not arrived: the ETA the agent declared.
    Expected(Date),
    /// The ETA has passed and tracking, which would have seen the vessel
    /// arrive, has not. It keeps its ETA's place (tracking may have missed
    /// it: out of coverage, or an arrival held for the vessel's IMO),
    /// flagged for the coordinator, who records the arrival or moves it;
    /// once seen, its real arrival is its place.
    Late(Date),
    /// The ETA has passed and nothing would have told the centre of the
    /// arrival (no MMSI declared, or no live feed): the coordinator records
    /// it. It keeps its ETA's place, flagged, so no one passes for arrived
    /// on the agent's word alone.
    Unconfirmed(Date),
    /// No arrival logged, but an inspection was held at the area (it
    /// failed, not ready): the vessel was there; its place still counts
    /// from its ETA.
    Inspected(Date),
}

impl Arrival {
    fn day(self) -> Date {
        match self {
            Arrival::Seen(d)
            | Arrival::Recorded(d)
            | Arrival::Expected(d)
            | Arrival::Late(d)
            | Arrival::Unconfirmed(d)
            | Arrival::Inspected(d) => d,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Arrival::Seen(_) => "seen",
            Arrival::Recorded(_) => "recorded",
            Arrival::Expected(_) => "expected",
            Arrival::Late(_) => "late",
            Arrival::Unconfirmed(_) => "unconfirmed",
            Arrival::Inspected(_) => "inspected",
        }
    }
}

impl<'a> Planning<'a> {
    pub(super) fn new(
        s: &'a Service,
        clearance: &'a Clearance,
        now: Timestamp,
    ) -> Result<Self, ServiceError> {
        let cap = s.capacity();
        let tz = centre_tz(cap)?;
        let (first, _) = first_plannable_day(now, &tz, cap, clearance);
        Ok(Planning {
            clearance,
            cap: capacity_now(cap, clearance, now),
            undeclared_from: first.tomorrow().unwrap_or(first),
            today: local_date(now, &tz),
            tracked: s.arrivals_tracked(),
            tz,
        })
    }

    /// Where the vessel's place counts from: its arrival at the inspection
    /// area once known, else its declared ETA (flagged late once passed
    /// where tracking would have seen the vessel arrive: an application
    /// with an MMSI, on a server whose tracking reports arrivals; else
    /// unconfirmed once passed).
    pub(super) fn arrival(&self, app: &Application) -> Arrival {
        if let Some(a) = &app.area_arrival {
            let day = local_date(a.at, &self.tz);
            // By who logged it: a coordinator's words cannot pass for AIS.
            return if a.by == crate::arrivals::TRACKING_ACTOR {
                Arrival::Seen(day)
            } else {
                Arrival::Recorded(day)
            };
        }
        let eta = local_date(app.content.eta_inspection_area, &self.tz);
        if app.last_inspection.is_some() {
            // A review of session 27 found a vessel failed not ready
            // called "arrival not confirmed".
            Arrival::Inspected(eta)
        } else if !(app.waiting_for_inspection() && eta < self.today) {
            Arrival::Expected(eta)
        } else if self.tracked && crate::arrivals::mmsi_of(app).is_some() {
            Arrival::Late(eta)
        } else {
            Arrival::Unconfirmed(eta)
        }
    }

    /// When the vessel is at the inspection area, on the centre's clock
    /// (day, minutes after its midnight): its recorded arrival, else its
    /// declared ETA. Plans start no inspection before it.
    pub(super) fn there_from(&self, app: &Application) -> (Date, u32) {
        let at = app
            .area_arrival
            .as_ref()
            .map_or(app.content.eta_inspection_area, |a| a.at)
            .to_zoned(self.tz.clone());
        let minute =
            u32::from(at.hour().unsigned_abs()) * 60 + u32::from(at.minute().unsigned_abs());
        (at.date(), minute)
    }

    /// The day the vessel's inspection is booked for (by an approved plan or
    /// by hand), unless a stoppage declared since stops it: then the booking
    /// no longer holds and the vessel waits again.
    pub(super) fn booked_day(&self, app: &Application) -> Option<Date> {
        if app.status != Status::AwaitingInspection
            || self.clearance.booking_stopped_by(app).is_some()
        {
            return None;
        }
        Some(local_date(app.inspection_at?, &self.tz))
    }

    /// Every application waiting for an inspection, as planner voyages.
    pub(super) fn waiting(&self) -> Vec<Waiting<'a>> {
        self.clearance
            .applications
            .values()
            .filter(|a| a.waiting_for_inspection())
            .map(|app| Waiting {
                app,
                voyage: self.voyage(app),
            })
            .collect()
    }

    /// An application as the planner's voyage (waiting or not).
    pub(super) fn voyage(&self, app: &Application) -> Voyage {
        let c = &app.content;
        let declared = app.ready_at.map(|t| local_date(t, &self.tz));
        // A failed-not-ready vessel comes back after the configured delay.
        let requeued = requeued_from(app, &self.cap, &self.tz);
        // Not declared (or not again since failing): not before the day
        // after the first open plan, which takes declared vessels only. (It
        // was counted as ready on arrival, taking that plan's places from
        // declared vessels behind it.)
        let ready = match (declared, requeued) {
            (Some(d), Some(r)) => Some(d.max(r)),
            (Some(d), None) => Some(d),
            (None, r) => Some(r.map_or(self.undeclared_from, |r| r.max(self.undeclared_from))),
        };
        // A voyage towards a corridor port is inbound; anything else leaves laden.
        let direction = if self.clearance.config.bound_in(&c.itinerary) {
            Direction::Inbound
        } else {
            Direction::Outbound
        };
        let tonnes = u32::try_from(c.total_tonnes()).unwrap_or(u32::MAX);
        // There too late in its day for its inspection to end within the
        // teams' window: not that day, as a plan does not take it (the
        // review of session 25's changes: the queue predicted a day no plan
        // could give it).
        let (there_on, at_minute) = self.there_from(app);
        let window_end = self.cap.window.minutes().map_or(24 * 60, |(_, end)| end);
        let ready = match there_on.tomorrow() {
            Ok(next) if at_minute + self.cap.plan_minutes(direction, tonnes) > window_end => {
                Some(ready.map_or(next, |r| r.max(next)))
            }
            _ => ready,
        };
        Voyage {
            id: app.id.clone(),
            direction,
            reference: self.arrival(app).day(),
            reference_kind: Reference::ArrivedAtArea,
            tonnes,
            wfp: c.wfp,
            perishable: c.perishable,
            ready,
            inspected: None,
            vessel: Some(c.vessel.imo.clone()),
            // Where its arrival was recorded, as the capacity's areas name
            // the geometry's places (a review in session 25 found every
            // vessel planned at the first area, wherever it waited).
            area: app
                .area_arrival
                .as_ref()
                .and_then(|a| self.cap.area_at(&a.area))
                .map(str::to_string),
        }
    }

    /// The logged overrides that concern `voyages`, as the planner's overrides
    /// (a `before` is resolved against the order at the time it applies).
    pub(super) fn overrides(&self, voyages: &[Voyage]) -> Result<Vec<Override>, ServiceError> {
        let ids: HashMap<&str, ()> = voyages.iter().map(|v| (v.id.as_str(), ())).collect();
        let mut out: Vec<Override> = Vec::new();
        for o in &self.clearance.queue_overrides {
            if !ids.contains_key(o.application_id.as_str()) {
                continue;
            }
            let place = match (o.place, &o.before) {
                (Some(p), _) => p as usize,
                (None, Some(b)) => {
                    let (idx, _) = order(voyages, &self.cap.queue, self.cap.transit_days, &out)
                        .map_err(planner_error)?;
                    let others: Vec<&Voyage> = idx
                        .iter()
                        .map(|&i| &voyages[i])
                        .filter(|v| v.id != o.application_id)
                        .collect();
                    match others.iter().position(|v| v.id == *b) {
                        Some(p) => p + 1,
                        // The vessel it was put before has gone (inspected,
                        // withdrawn): it keeps that vessel's rank, ahead of
                        // every vessel the rule puts after it.
                        None => {
                            let Some(anchor) = self.clearance.applications.get(b) else {
                                continue;
                            };
                            let rank = |v: &Voyage| {
                                (self.cap.queue.key(v, self.cap.transit_days), v.id.clone())
                            };
                            let at = rank(&self.voyage(anchor));
                            // Vessels moved by earlier overrides stand where
                            // those put them, not where the rule does: passed over.
                            let moved = |v: &Voyage| out.iter().any(|m| m.id == v.id);
                            others
                                .iter()
                                .position(|v| !moved(v) && rank(v) > at)
                                .unwrap_or(others.len())
                                + 1
                        }
                    }
                }
                _ => continue,
            };
            out.push(Override {
                id: o.application_id.clone(),
                place,
                reason: o.reason.clone(),
                by: o.by.clone(),
            });
        }
        Ok(out)
    }

    /// The day's planning problem: the vessels declared ready (and past any
    /// re-queue delay), not scheduled on another day still to come, in the
    /// public queue's order (its overrides and places included). One whose
    /// scheduled day passed without a record waits again. (The plan once
    /// ordered only the ready vessels, so an override's place meant another
    /// thing in the plan than in the queue; and a missed inspection left
    /// the vessel out of every later plan.)
    pub(super) fn problem(
        &self,
        day: Date,
        now: Timestamp,
        by_hand: bool,
    ) -> Result<(DayProblem, Vec<Waiting<'a>>), ServiceError> {
        let today = local_date(now, &self.tz);
        let waiting = self.waiting();
        // Booked for another day still to come (today's included: its
        // inspection may be under way): not this day's. One booked for a
        // day gone without a record waits again. The coordinator, who
        // knows, may also put one whose slot today has begun into a later
        // day by hand (the draft leaves it out).
        // A booking a stoppage has since stopped does not hold. One made by
        // hand for this day stays as it is, outside the plan (drafted at
        // another time, the plan could not be submitted).
        let by_this_plan = |app: &Application| self.booked_by_plan(app, day);
        let plannable = |w: &Waiting<'_>| {
            w.app.ready_at.is_some()
                && self.booked_day(w.app).is_none_or(|booked| {
                    let begun = w.app.inspection_at.is_some_and(|t| t < now);
                    (booked == day && by_this_plan(w.app))
                        || booked < today
                        || (by_hand && booked == today && begun && day > today)
                })
        };
        let keep: HashMap<&str, ()> = waiting
            .iter()
            .filter(|w| plannable(w))
            .map(|w| (w.app.id.as_str(), ()))
            .collect();
        let voyages: Vec<Voyage> = waiting.iter().map(|w| w.voyage.clone()).collect();
        let overrides = self.overrides(&voyages)?;
        let teams = self.cap.working_teams(day);
        // A vessel due at the area later on the day is not boarded before
        // it is there: from its recorded arrival, else its declared ETA (a
        // review of a day at the centre found drafts booking at 07:00
        // vessels due at 14:00).
        // Nor does today's draft start an inspection before the parties
        // can approve it (session 26's review: drawn again at noon, it
        // booked 07:00 slots that could never be sent; from the next
        // minute, it changed every minute and was stale before anyone
        // signed): at least [`TODAY_LEAD_MINUTES`] ahead, on the half
        // hour. An edit by hand is checked as typed.
        let begun = if !by_hand && day == today {
            let clock = now.to_zoned(self.tz.clone()).time();
            let lead =
                i32::from(clock.hour()) * 60 + i32::from(clock.minute()) + TODAY_LEAD_MINUTES;
            u32::try_from((lead + 29) / 30 * 30).unwrap_or(0)
        } else {
            0
        };
        let there_from: HashMap<&str, u32> = waiting
            .iter()
            .map(|w| {
                let (on, minute) = self.there_from(w.app);
                let minutes = match on.cmp(&day) {
                    std::cmp::Ordering::Less => 0,
                    std::cmp::Ordering::Equal => minute,
                    std::cmp::Ordering::Greater => 24 * 60,
                };
                (w.app.id.as_str(), minutes.max(begun))
            })
            .collect();
        let p = DayProblem::from_config_timed(
            &self.cap,
            day,
            &voyages,
            &overrides,
            &teams,
            &|v| keep.contains_key(v.id.as_str()),
            &|v| there_from.get(v.id.as_str()).copied().unwrap_or(0),
        )
        .map_err(planner_error)?;
        let candidates = waiting.into_iter().filter(|w| plannable(w)).collect();
        Ok((p, candidates))
    }

    /// The vessel's booking is its slot in `day`'s approved plan.
    pub(super) fn booked_by_plan(&self, app: &Application, day: Date) -> bool {
        self.clearance.plans.get(&day.to_string()).is_some_and(|p| {
            p.status == PlanStatus::Approved
                && p.content
                    .assignments
                    .iter()
                    .any(|a| a.application_id == app.id && Some(a.start_at) == app.inspection_at)
        })
    }

    /// `day`'s working teams and their windows, with no vessel: all a
    /// check of bookings by hand needs (under the state's lock, without
    /// ordering the whole queue).
    pub(super) fn teams_of(&self, day: Date) -> Result<DayProblem, ServiceError> {
        let teams = self.cap.working_teams(day);
        DayProblem::from_config(&self.cap, day, &[], &[], &teams).map_err(planner_error)
    }

    /// Why `id` is not among the vessels a plan for `day` may take, in
    /// words (the first reason that holds).
    pub(super) fn why_not_plannable(&self, id: &str, day: Date) -> String {
        let Some(app) = self.clearance.applications.get(id) else {
            return "there is no such application".into();
        };
        if app.cleared_on_papers {
            return "it is cleared on its papers and waits for no inspection".into();
        }
        if !app.waiting_for_inspection() {
            return format!(
                "it is {} and does not wait for an inspection",
                app.status.name()
            );
        }
        if app.ready_at.is_none() {
            return "it has not declared readiness for inspection".into();
        }
        if let (Some(booked), Some(at)) = (self.booked_day(app), app.inspection_at)
            && booked != day
        {
            return format!("it is booked for {}", corridor_ledger::time::format(at));
        }
        if let Some(from) = requeued_from(app, &self.cap, &self.tz).filter(|r| *r > day) {
            return format!(
                "it may be inspected from {from} (the re-queue delay after it failed not ready)"
            );
        }
        if let Some(from) = self.voyage(app).ready.filter(|r| *r > day) {
            // Due (or arrived) too late in its day for its inspection to
            // end within the teams' window (the review of session 25's
            // fixes: this was called a re-queue delay).
            let (on, minute) = self.there_from(app);
            return format!(
                "it is at the inspection area only from {on} {} (its {}), too late for its inspection to end \
                 within the teams' window that day: it may be inspected from {from}",
                corridor_planner::plan::hhmm(minute),
                if app.area_arrival.is_some() {
                    "recorded arrival"
                } else {
                    "declared ETA"
                }
            );
        }
        if self.booked_day(app) == Some(day) {
            return "it is booked by hand for that day, outside the plan".into();
        }
        format!("it is not among the vessels the plan for {day} may take")
    }

    fn vessel_name(&self, id: &str) -> String {
        self.clearance
            .applications
            .get(id)
            .map(|a| a.content.vessel.name.clone())
            .unwrap_or_default()
    }

    /// `minutes` after `day`'s local midnight (1440 is the next midnight).
    fn instant(&self, day: Date, minutes: u32) -> Result<Timestamp, ServiceError> {
        let bad =
            |e: jiff::Error| ServiceError::Unprocessable(format!("{day} {}: {e}", hhmm(minutes)));
        day.to_datetime(jiff::civil::Time::midnight())
            .checked_add(jiff::SignedDuration::from_mins(i64::from(minutes)))
            .map_err(bad)?
            .to_zoned(self.tz.clone())
            .map(|z| z.timestamp())
            .map_err(bad)
    }

    /// A planner plan as the assignments the parties sign.
    pub(super) fn assignments(
        &self,
        p: &DayProblem,
        plan: &Plan,
    ) -> Result<Vec<PlanAssignment>, ServiceError> {
        let mut sorted = plan.assignments.clone();
        sorted.sort_by_key(|a| (a.start, a.team));
        sorted
            .iter()
            .map(|a| {
                Ok(PlanAssignment {
                    application_id: a.id.clone(),
                    vessel_name: self.vessel_name(&a.id),
                    team: p
                        .teams
                        .get(a.team)
                        .map(|t| t.name.clone())
                        .unwrap_or_default(),
                    area: p.areas.get(a.area).cloned().unwrap_or_default(),
                    start: hhmm(a.start),
                    end: hhmm(a.end),
                    start_at: self.instant(p.day, a.start)?,
                })
            })
            .collect()
    }
}
