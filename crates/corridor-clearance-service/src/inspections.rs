//! Inspections over HTTP: readiness, the public queue, the daily plan and the
//! inspector's day (issue 6).
//!
//! The queue is built from the clearance state (every application that is
//! approved, awaiting inspection or failed not-ready), ordered by the
//! planner's written rule ([`corridor_planner::queue::QueuePolicy`]) plus the
//! coordinator's logged overrides, and forecast with
//! [`corridor_planner::queue::queue_view_booked`] (vessels an approved plan
//! has booked keep their place and their booked day) against the service's capacity
//! ([`service_capacity`]). A day's plan is generated with the planner's
//! optimiser beside its FIFO plan; edits are checked with
//! [`corridor_planner::plan::check_plan`]. Every change (readiness, override,
//! plan version, submission, each party's signed decision) is an event of the
//! clearance log, so a replay rebuilds it.
//!
//! | route | who |
//! |---|---|
//! | `POST /applications/{id}/readiness` | the owning company's agent |
//! | `GET /queue[?mine=true]` | anyone (`mine` needs an agent) |
//! | `POST /queue/overrides` | coordinator |
//! | `GET /plans/{date}` | coordinator, delegates, inspectors |
//! | `PUT /plans/{date}`, `POST /plans/{date}/submit` | coordinator |
//! | `POST /plans/{date}/decisions` | that party's delegate |
//! | `GET /inspections?date=` | inspectors, coordinator |

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use corridor_clearance::machine::{canonical_date, plan_status_text};
use corridor_clearance::{
    Action, Application, Clearance, ClearanceError, Command, DayPlan, PlanAssignment, PlanContent,
    PlanStatus, Readiness, Resource, Role, Status, can, plan_id,
};
use corridor_ledger::{DecisionError, DecisionKind, SignedDecision};
use corridor_planner::plan::{
    Assignment, DayProblem, Plan, PlanScore, check_plan, hhmm, plan_fifo, plan_optimised,
    score_plan,
};
use corridor_planner::queue::{Override, order, queue_view_booked};
use corridor_planner::{CapacityConfig, Direction, PlannerError, Reference, Voyage};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

use crate::api::{
    ApiJson, ApiPath, ApiQuery, ApiResult, Caller, Svc, app_body, ok, readable_app, visible_app,
};
use crate::error::{ErrorBody, ServiceError};
use crate::service::Service;

/// `config/capacity-service.toml` of this crate: the service's inspection resources.
pub const SERVICE_CAPACITY_TOML: &str = include_str!("../config/capacity-service.toml");

/// The JCC's timetable for a day's plan (local time): the ports' departure plan, and the approved plan.
pub const DEADLINES: [(&str, &str); 2] = [("departure_plan", "12:00"), ("approved_plan", "16:00")];

/// The hour the day before by which a day's plan is approved ([`DEADLINES`]).
fn approved_by() -> jiff::civil::Time {
    DEADLINES
        .iter()
        .find(|(k, _)| *k == "approved_plan")
        .and_then(|(_, t)| t.parse::<jiff::civil::Time>().ok())
        .unwrap_or(jiff::civil::time(16, 0, 0, 0))
}

/// When the centre's plans are due and their days end, for the accountability figures.
pub(crate) fn plan_timetable(
    cap: &CapacityConfig,
) -> Result<corridor_clearance::PlanTimetable, ServiceError> {
    Ok(corridor_clearance::PlanTimetable::new(
        centre_tz(cap)?,
        approved_by(),
    ))
}

/// The service's default capacity ([`SERVICE_CAPACITY_TOML`]).
pub fn service_capacity() -> Result<CapacityConfig, ServiceError> {
    CapacityConfig::from_toml(SERVICE_CAPACITY_TOML)
        .map_err(|e| ServiceError::Internal(format!("service capacity: {e}")))
}

/// The inspection routes (merged into the clearance router).
pub fn routes() -> Router<Arc<Service>> {
    Router::new()
        .route("/applications/{id}/readiness", post(declare_readiness))
        .route("/queue", get(get_queue))
        .route("/queue/overrides", post(override_queue))
        .route("/plans/{date}", get(get_plan).put(put_plan))
        .route("/plans/{date}/submit", post(submit_plan))
        .route("/plans/{date}/decisions", post(decide_plan))
        .route("/inspections", get(get_inspections))
}

fn planner_error(e: PlannerError) -> ServiceError {
    match e {
        PlannerError::Input(m) => ServiceError::Unprocessable(m),
        PlannerError::Override { .. } => ServiceError::Unprocessable(e.to_string()),
        other => ServiceError::Internal(other.to_string()),
    }
}

// ---- the queue, from the clearance state ----

/// One waiting application as the planner sees it.
struct Waiting<'a> {
    app: &'a Application,
    voyage: Voyage,
}

/// The centre's time zone, from the capacity file (checked when it is read).
pub(crate) fn centre_tz(cap: &CapacityConfig) -> Result<jiff::tz::TimeZone, ServiceError> {
    cap.tz().map_err(|e| ServiceError::Internal(e.to_string()))
}

/// The first day a vessel that failed not ready may be inspected again:
/// the day it failed, on the centre's clock, plus the re-queue delay.
fn requeued_from(app: &Application, cap: &CapacityConfig, tz: &jiff::tz::TimeZone) -> Option<Date> {
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

/// Refuses `plan` (if any), in `refusal`'s words, when [`requeue_problem`]
/// refuses one of its assignments, or when it leaves no team free for one
/// of its day's bookings by hand (made after the version was drafted).
fn refuse_plan(
    s: &Service,
    clearance: &Clearance,
    now: Timestamp,
    plan: Option<&DayPlan>,
    refusal: impl FnOnce(String) -> String,
) -> Result<(), ServiceError> {
    let Some(plan) = plan else {
        return Ok(());
    };
    let cap = s.capacity();
    let tz = centre_tz(cap)?;
    let mut why = plan.content.assignments.iter().find_map(|a| {
        let app = clearance.applications.get(&a.application_id)?;
        requeue_problem(app, a.start_at, cap, &tz)
    });
    if why.is_none() {
        let day = parse_day(&plan.content.date)?;
        let planning = Planning::new(s, clearance, now)?;
        let p = planning.teams_of(day)?;
        why = planning.crowds_out_by_hand(&p, &plan.content.assignments);
    }
    match why {
        Some(why) => Err(ClearanceError::PlanConflict(refusal(why)).into()),
        None => Ok(()),
    }
}

/// `HH:MM` of `t` on the centre's clock (a booking made by hand has no plan time).
fn clock_time(t: Timestamp, tz: &jiff::tz::TimeZone) -> String {
    let clock = t.to_zoned(tz.clone()).time();
    hhmm(u32::try_from(i32::from(clock.hour()) * 60 + i32::from(clock.minute())).unwrap_or(0))
}

fn local_date(t: Timestamp, tz: &jiff::tz::TimeZone) -> Date {
    t.to_zoned(tz.clone()).date()
}

/// The first day whose plan can still take a vessel not yet scheduled, and
/// whether that plan is late. Today's plan is fixed. Tomorrow's is open
/// until it is approved: on the JCC's timetable that is by 16:00 today, so
/// a vessel first predicted for tomorrow after 16:00 is in a late plan and
/// may slip a day. Once tomorrow's plan is approved (early or late), it is
/// the first later day whose plan is not approved. (The queue once predicted "today" for vessels no
/// plan could reach, and then "the day after tomorrow" after 16:00 for
/// vessels in tomorrow's unapproved plan.)
fn first_plannable_day(
    now: Timestamp,
    tz: &jiff::tz::TimeZone,
    clearance: &Clearance,
) -> (Date, bool) {
    let local = now.to_zoned(tz.clone());
    let approved_by = approved_by();
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
        c.stoppages.push(corridor_planner::config::Stoppage {
            from,
            to,
            // Every team, or exactly the teams it named.
            teams: None,
            absent: Vec::new(),
            stops: if s.effect.every_team {
                Vec::new()
            } else {
                s.effect.stops.clone()
            },
            kind: corridor_clearance::stoppage::kind_name(s.content.kind).into(),
            note: format!("{}: {}", s.id, s.content.reason),
        });
    }
    Cow::Owned(c)
}

/// Everything the planner needs about the service's state at one moment.
struct Planning<'a> {
    clearance: &'a Clearance,
    cap: Cow<'a, CapacityConfig>,
    tz: jiff::tz::TimeZone,
    /// The first day a vessel not declared ready can be counted on: the day
    /// after the first plan still open, which is drafted from declared
    /// vessels only.
    undeclared_from: Date,
    /// Today, on the centre's clock.
    today: Date,
    /// Tracking reports arrivals at the inspection area (see [`Arrival`]).
    tracked: bool,
}

/// Whether `at` is `id`'s own slot in `assignments`.
fn own_slot(assignments: &[PlanAssignment], id: &str, at: Timestamp) -> bool {
    assignments
        .iter()
        .any(|a| a.application_id == id && a.start_at == at)
}

/// Where `assignments` leave a team free for each of `bookings` (in time order).
fn fit_among(
    p: &DayProblem,
    assignments: &[PlanAssignment],
    bookings: Vec<HandBooking>,
) -> Vec<(HandBooking, corridor_planner::plan::Fit)> {
    let minutes = |t: &str| corridor_planner::config::parse_hhmm(t).ok();
    let busy: Vec<(usize, u32, u32)> = assignments
        .iter()
        .filter_map(|a| {
            let team = p.teams.iter().position(|t| t.name == a.team)?;
            Some((team, minutes(&a.start)?, minutes(&a.end)?))
        })
        .collect();
    let spans: Vec<(u32, u32)> = bookings.iter().map(|b| (b.start, b.minutes)).collect();
    let fits = corridor_planner::plan::fit_bookings(p, &busy, &spans);
    bookings.into_iter().zip(fits).collect()
}

/// Refuses booking `id` by hand at `at` when its day's submitted or
/// approved plan leaves no team free for it.
pub(crate) fn refuse_crowded_booking(
    s: &Service,
    clearance: &Clearance,
    now: Timestamp,
    id: &str,
    at: Timestamp,
) -> Result<(), ServiceError> {
    // One the machine refuses anyway (not waiting, a time past) is told
    // the machine's reason, not this one.
    let stands = |a: &Application| {
        a.status == Status::AwaitingInspection
            && clearance.booking_stopped_by(a).is_none()
            && a.inspection_at.is_some_and(|t| t >= now)
    };
    let Some(app) = clearance
        .applications
        .get(id)
        .filter(|a| a.waiting_for_inspection() && !stands(a) && at >= now)
    else {
        return Ok(());
    };
    let planning = Planning::new(s, clearance, now)?;
    match planning.crowded_booking(app, at)? {
        Some(why) => Err(ServiceError::Conflict(format!(
            "cannot book the inspection at {}: {why}",
            corridor_ledger::time::format(at)
        ))),
        None => Ok(()),
    }
}

/// An inspection booked by hand for a day, outside its plan.
#[derive(Debug, Clone)]
struct HandBooking {
    id: String,
    vessel_name: String,
    /// The booked time.
    at: Timestamp,
    /// Minutes after local midnight.
    start: u32,
    /// What a plan would book for it.
    minutes: u32,
}

impl HandBooking {
    fn what(&self) -> String {
        format!("for {} ({}), booked by hand", self.vessel_name, self.id)
    }
}

/// What a waiting vessel's place in the queue counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arrival {
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
}

impl Arrival {
    fn day(self) -> Date {
        match self {
            Arrival::Seen(d) | Arrival::Recorded(d) | Arrival::Expected(d) | Arrival::Late(d) => d,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Arrival::Seen(_) => "seen",
            Arrival::Recorded(_) => "recorded",
            Arrival::Expected(_) => "expected",
            Arrival::Late(_) => "late",
        }
    }
}

impl<'a> Planning<'a> {
    fn new(s: &'a Service, clearance: &'a Clearance, now: Timestamp) -> Result<Self, ServiceError> {
        let cap = s.capacity();
        let tz = centre_tz(cap)?;
        let (first, _) = first_plannable_day(now, &tz, clearance);
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
    /// with an MMSI, on a server whose tracking reports arrivals).
    fn arrival(&self, app: &Application) -> Arrival {
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
        if self.tracked
            && crate::arrivals::mmsi_of(app).is_some()
            && app.waiting_for_inspection()
            && eta < self.today
        {
            Arrival::Late(eta)
        } else {
            Arrival::Expected(eta)
        }
    }

    /// The day the vessel's inspection is booked for (by an approved plan or
    /// by hand), unless a stoppage declared since stops it: then the booking
    /// no longer holds and the vessel waits again.
    fn booked_day(&self, app: &Application) -> Option<Date> {
        if app.status != Status::AwaitingInspection
            || self.clearance.booking_stopped_by(app).is_some()
        {
            return None;
        }
        Some(local_date(app.inspection_at?, &self.tz))
    }

    /// Every application waiting for an inspection, as planner voyages.
    fn waiting(&self) -> Vec<Waiting<'a>> {
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
    fn voyage(&self, app: &Application) -> Voyage {
        let ports = &self.clearance.config.ports;
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
        Voyage {
            id: app.id.clone(),
            // A voyage towards a corridor port is inbound; anything else leaves laden.
            direction: if ports.contains(&c.itinerary.to_port) {
                Direction::Inbound
            } else {
                Direction::Outbound
            },
            reference: self.arrival(app).day(),
            reference_kind: Reference::ArrivedAtArea,
            tonnes: u32::try_from(c.total_tonnes()).unwrap_or(u32::MAX),
            wfp: c.wfp,
            perishable: c.perishable,
            ready,
            inspected: None,
            vessel: Some(c.vessel.imo.clone()),
            area: None,
        }
    }

    /// The logged overrides that concern `voyages`, as the planner's overrides
    /// (a `before` is resolved against the order at the time it applies).
    fn overrides(&self, voyages: &[Voyage]) -> Result<Vec<Override>, ServiceError> {
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
    fn problem(
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
        let p =
            DayProblem::from_config_keeping(&self.cap, day, &voyages, &overrides, &teams, &|v| {
                keep.contains_key(v.id.as_str())
            })
            .map_err(planner_error)?;
        let candidates = waiting.into_iter().filter(|w| plannable(w)).collect();
        Ok((p, candidates))
    }

    /// The vessel's booking is its slot in `day`'s approved plan.
    fn booked_by_plan(&self, app: &Application, day: Date) -> bool {
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
    fn teams_of(&self, day: Date) -> Result<DayProblem, ServiceError> {
        let teams = self.cap.working_teams(day);
        DayProblem::from_config(&self.cap, day, &[], &[], &teams).map_err(planner_error)
    }

    /// `app` booked by hand at `at`: its clock time, and the time a plan
    /// would book for it.
    fn hand_booking(&self, app: &Application, at: Timestamp) -> HandBooking {
        let local = at.to_zoned(self.tz.clone());
        let v = self.voyage(app);
        HandBooking {
            id: app.id.clone(),
            vessel_name: app.content.vessel.name.clone(),
            at,
            start: u32::from(local.hour().unsigned_abs()) * 60
                + u32::from(local.minute().unsigned_abs()),
            minutes: self.cap.plan_minutes(v.direction, v.tonnes),
        }
    }

    /// The inspections booked by hand for `day` that stand (outside its
    /// plan, not stopped), in time order.
    fn hand_bookings(&self, day: Date) -> Vec<HandBooking> {
        let mut out: Vec<HandBooking> = self
            .clearance
            .applications
            .values()
            .filter(|app| self.booked_day(app) == Some(day) && !self.booked_by_plan(app, day))
            .filter_map(|app| Some(self.hand_booking(app, app.inspection_at?)))
            .collect();
        out.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
        out
    }

    /// Keeps a team's time clear for each booking by hand, so that a draft
    /// leaves room for them (the queue counts them as the day's).
    fn keep_clear(&self, p: &mut DayProblem) {
        for b in self.hand_bookings(p.day) {
            p.reserve(b.start, b.minutes, &b.what());
        }
    }

    /// Where `assignments` (a version of `p.day`'s plan) leave a team free
    /// for each booking by hand: `(booking, fit)`.
    fn fit_by_hand(
        &self,
        p: &DayProblem,
        assignments: &[PlanAssignment],
        approved: bool,
    ) -> Vec<(HandBooking, corridor_planner::plan::Fit)> {
        // A vessel the version itself plans is judged by the machine (its
        // slot and its booking must be the same time), not as a booking
        // competing with its own slot.
        let bookings: Vec<HandBooking> = self
            .hand_bookings(p.day)
            .into_iter()
            .filter(|b| !own_slot(assignments, &b.id, b.at))
            .collect();
        fit_among(p, &self.standing(assignments, approved), bookings)
    }

    /// The assignments of a plan version that still take a team's time:
    /// all of a version not yet approved (nothing is booked before); of an
    /// approved plan, the slots whose vessel still holds them (not gone,
    /// not inspected, not moved, not stopped).
    fn standing(&self, assignments: &[PlanAssignment], approved: bool) -> Vec<PlanAssignment> {
        assignments
            .iter()
            .filter(|a| {
                !approved
                    || self
                        .clearance
                        .applications
                        .get(&a.application_id)
                        .is_some_and(|app| {
                            app.inspection_at == Some(a.start_at)
                                && app.status == Status::AwaitingInspection
                                && self.clearance.booking_stopped_by(app).is_none()
                        })
            })
            .cloned()
            .collect()
    }

    /// Why booking `app` by hand at `at` cannot stand beside its day's plan
    /// once submitted or approved: every team working then is busy with
    /// the plan or with the day's other bookings by hand.
    fn crowded_booking(
        &self,
        app: &Application,
        at: Timestamp,
    ) -> Result<Option<String>, ServiceError> {
        let day = local_date(at, &self.tz);
        let Some(plan) = self
            .clearance
            .plans
            .get(&day.to_string())
            .filter(|p| p.status != PlanStatus::Draft)
        else {
            return Ok(None);
        };
        let all = &plan.content.assignments;
        let approved = plan.status == PlanStatus::Approved;
        // Its own slot in the plan, while it stands: the machine judges
        // that booking. (A slot freed since may have been taken by hand.)
        if own_slot(&self.standing(all, approved), &app.id, at) {
            return Ok(None);
        }
        let p = self.teams_of(day)?;
        // Its slot elsewhere in the plan is no longer its own once it is
        // booked here: that time is free.
        let mut assignments = self.standing(all, approved);
        assignments.retain(|a| a.application_id != app.id);
        let assignments = &assignments[..];
        let others: Vec<HandBooking> = self
            .hand_bookings(day)
            .into_iter()
            .filter(|b| b.id != app.id && !own_slot(all, &b.id, b.at))
            .collect();
        let unserved = |fits: &[(HandBooking, corridor_planner::plan::Fit)]| {
            fits.iter()
                .filter(|(_, f)| *f == corridor_planner::plan::Fit::NoTeam)
                .count()
        };
        let before = unserved(&fit_among(&p, assignments, others.clone()));
        let new = self.hand_booking(app, at);
        let (start, end) = (new.start, new.start + new.minutes);
        let mut with = others;
        with.push(new);
        with.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
        Ok((unserved(&fit_among(&p, assignments, with)) > before).then(|| {
            format!(
                "no team is free at {}-{} on {day}: the {} plan has every team working then busy (with its inspections or other bookings by hand); choose another time, or revise the plan",
                hhmm(start),
                hhmm(end),
                plan_status_text(plan.status)
            )
        }))
    }

    /// Why `assignments` cannot stand beside the day's bookings by hand: the
    /// first one no team is left free for.
    fn crowds_out_by_hand(&self, p: &DayProblem, assignments: &[PlanAssignment]) -> Option<String> {
        self.fit_by_hand(p, assignments, false)
            .into_iter()
            .find(|(_, fit)| *fit == corridor_planner::plan::Fit::NoTeam)
            .map(|(b, _)| {
                format!(
                    "no team is free at {}-{} {} (every team working then has an inspection of the plan)",
                    hhmm(b.start),
                    hhmm(b.start + b.minutes),
                    b.what()
                )
            })
    }

    /// Why `id` is not among the vessels a plan for `day` may take, in
    /// words (the first reason that holds).
    fn why_not_plannable(&self, id: &str, day: Date) -> String {
        let Some(app) = self.clearance.applications.get(id) else {
            return "there is no such application".into();
        };
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
        if let Some(from) = self.voyage(app).ready.filter(|r| *r > day) {
            return format!(
                "it may be inspected from {from} (the re-queue delay after it failed not ready)"
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
    fn assignments(
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

fn score_json(s: &PlanScore, plan: &Plan) -> Value {
    json!({
        "inspections": s.inspections,
        "place_sum": s.place_sum,
        "travel_minutes": s.travel_minutes,
        "count_upper_bound": plan.count_upper_bound,
        "method": plan.method,
    })
}

fn parse_day(text: &str) -> Result<Date, ServiceError> {
    let canon = canonical_date(text).map_err(|e| ServiceError::BadRequest(e.to_string()))?;
    if canon != text {
        return Err(ServiceError::BadRequest(format!(
            "date {text:?} is not YYYY-MM-DD"
        )));
    }
    let day: Date = text
        .parse()
        .map_err(|_| ServiceError::BadRequest(format!("date {text:?} is not YYYY-MM-DD")))?;
    // A day the centre's clock can name (9999-12-31 at +03:00 is past
    // what a timestamp holds): said so, not in the time library's words.
    if !(1900..=9000).contains(&day.year()) {
        return Err(ServiceError::Unprocessable(format!(
            "date {text}: no inspection plan is made for a year outside 1900-9000"
        )));
    }
    Ok(day)
}

/// How far ahead a daily plan may be made and sent to the parties.
const PLAN_AHEAD_DAYS: i32 = 60;

/// A day whose plan may still be changed or sent to the parties: from the
/// centre's today to [`PLAN_AHEAD_DAYS`] on (a plan for a day gone by, or
/// for the year 9999, was stored and put before the delegations).
async fn plannable(s: &Service, day: Date) -> Result<(), ServiceError> {
    let tz = centre_tz(s.capacity())?;
    let today = s.now().await.to_zoned(tz).date();
    let last = today
        .checked_add(jiff::Span::new().days(PLAN_AHEAD_DAYS))
        .unwrap_or(today);
    if day < today {
        return Err(ServiceError::Conflict(format!(
            "the plan for {day} cannot be changed or sent: the day has passed (today is {today} at the centre)"
        )));
    }
    if day > last {
        return Err(ServiceError::Unprocessable(format!(
            "the plan for {day} is more than {PLAN_AHEAD_DAYS} days ahead (until {last})"
        )));
    }
    Ok(())
}

// ---- readiness ----

/// The agent's declaration that the vessel is ready for inspection; all four must be true.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadinessRequest {
    /// Holds ventilated after fumigation.
    pub holds_ventilated: bool,
    /// Gas readings show the holds free of fumigant.
    pub gas_free: bool,
    /// Gas-testing equipment aboard.
    pub testing_equipment_aboard: bool,
    /// Documents complete.
    pub documents_complete: bool,
    /// Free text.
    #[serde(default)]
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/readiness", tag = "inspections", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")), request_body = ReadinessRequest,
    responses((status = 200, body = Object, description = "the application, with `readiness`, `ready_at` and `not_ready_count`"),
        (status = "4XX", body = ErrorBody, description = "422 `not_ready` names the items not confirmed (details.missing)")))]
pub(crate) async fn declare_readiness(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ReadinessRequest>,
) -> ApiResult {
    visible_app(&s, &caller, &id).await?;
    s.execute(
        &caller.actor,
        Command::DeclareReadiness {
            application_id: id.clone(),
            readiness: Readiness {
                holds_ventilated: req.holds_ventilated,
                gas_free: req.gas_free,
                testing_equipment_aboard: req.testing_equipment_aboard,
                documents_complete: req.documents_complete,
                note: req.note,
            },
        },
    )
    .await
    .map_err(|e| match e {
        ServiceError::Clearance(ClearanceError::Denied(_)) => {
            ServiceError::ForbiddenRole("only the owning company's agent declares readiness")
        }
        other => other,
    })?;
    let app = readable_app(&s, &caller, &id).await?;
    ok(&app_body(&app, &s.config().inspection.checklist))
}

// ---- the public queue ----

/// `mine=true`: only the calling agent's vessels.
#[derive(Debug, Deserialize, IntoParams)]
pub struct QueueQuery {
    /// Only the caller's own vessels (agents).
    pub mine: Option<bool>,
}

/// One waiting vessel.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueEntryBody {
    /// Place in the queue, from 1.
    pub place: usize,
    /// Tracking number.
    pub application_id: String,
    /// Vessel name.
    pub vessel_name: String,
    /// IMO number.
    pub imo: String,
    /// `inbound` or `outbound`.
    pub direction: String,
    /// Application status (`approved`, `awaiting_inspection`, `failed_not_ready`).
    pub status: String,
    /// Day of arrival at the inspection area (what the rule orders by), local date.
    pub waiting_since: String,
    /// What `waiting_since` is: `seen` (tracking saw the vessel arrive),
    /// `recorded` (the coordinator recorded its arrival), `expected` (the
    /// ETA the agent declared), or `late` (the ETA, passed without tracking
    /// seeing the vessel at the area: the coordinator records its arrival
    /// or moves it; once seen, its real arrival is its place).
    pub arrival: String,
    /// Why an arrival tracking saw was not counted (its AIS names another
    /// IMO number, or none yet): shown to the coordinator and the vessel's
    /// own agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrival_note: Option<String>,
    /// When the vessel arrived at the inspection area, once seen or
    /// recorded (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrived_at: Option<String>,
    /// Which inspection area it arrived at, once seen or recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrival_area: Option<String>,
    /// The agent has declared the vessel ready (and it is not waiting out a re-queue delay).
    pub ready: bool,
    /// Predicted inspection day (the forecaster's median; the scheduled day once planned).
    pub predicted: String,
    /// Early end of the likely range.
    pub predicted_earliest: String,
    /// Late end of the likely range.
    pub predicted_latest: String,
    /// WFP humanitarian cargo.
    pub wfp: bool,
    /// Failed-not-ready inspections so far.
    pub not_ready_count: u32,
    /// The day its inspection is booked for (local date), while that
    /// booking stands: not stopped, and not a day already past.
    pub booked: Option<String>,
    /// The calling agent's own vessel.
    pub mine: bool,
}

/// An applied override as shown with the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverrideBody {
    /// Tracking number.
    pub application_id: String,
    /// Place under the rule.
    pub from_place: usize,
    /// Place after the override.
    pub to_place: usize,
    /// The reason logged.
    pub reason: String,
    /// Who decided.
    pub by: String,
}

/// The public queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueBody {
    /// When this view was computed (RFC 3339).
    pub as_of: String,
    /// The written rule.
    pub rule: String,
    /// The zone whose days `waiting_since` and the predictions are (IANA name).
    pub time_zone: String,
    /// Waiting vessels in queue order.
    pub entries: Vec<QueueEntryBody>,
    /// The coordinator's overrides in force, as applied.
    pub overrides: Vec<OverrideBody>,
    /// The stoppages in force that have not ended (the predictions count them), soonest first.
    pub stoppages: Vec<crate::stoppages::StoppageBody>,
}

async fn queue_body(
    s: &Service,
    caller: &Caller,
    mine_only: bool,
) -> Result<QueueBody, ServiceError> {
    let clearance = s.clearance().await;
    let now = s.now().await;
    let planning = Planning::new(s, &clearance, now)?;
    let today = local_date(now, &planning.tz);
    let waiting = planning.waiting();
    let voyages: Vec<Voyage> = waiting.iter().map(|w| w.voyage.clone()).collect();
    let overrides = planning.overrides(&voyages)?;
    let (first_day, late) = first_plannable_day(now, &planning.tz, &clearance);
    let by_id: HashMap<&str, &Waiting<'_>> =
        waiting.iter().map(|w| (w.app.id.as_str(), w)).collect();
    // The day an approved plan scheduled a vessel for, if any (and no
    // stoppage has stopped its team that day since).
    let scheduled_day = |w: &Waiting<'_>| planning.booked_day(w.app);
    // Scheduled from today on: its day, and that day's capacity, are taken.
    // (One overdue, not recorded, waits in the queue like the others.)
    let booked = |v: &Voyage| {
        by_id
            .get(v.id.as_str())
            .and_then(|w| scheduled_day(w))
            .filter(|d| *d >= today)
    };
    let view = queue_view_booked(&voyages, first_day, &planning.cap, &overrides, &booked)
        .map_err(planner_error)?;
    let company = match &caller.actor.role {
        Role::Agent { company } => Some(company.as_str()),
        _ => None,
    };
    let mut entries = Vec::with_capacity(view.entries.len());
    for e in &view.entries {
        let Some(w) = by_id.get(e.id.as_str()) else {
            continue;
        };
        let mine = company.is_some_and(|c| c == w.app.company);
        if mine_only && !mine {
            continue;
        }
        // Once an approved plan has scheduled it, the scheduled day is the
        // prediction (until that day has passed without a record).
        let booked = scheduled_day(w).filter(|d| *d >= today);
        let (p, lo, hi) = match booked {
            Some(d) => (d, d, d),
            // Tomorrow's plan is past its deadline: it may slip a day.
            None if late && e.predicted == first_day => (
                e.predicted,
                e.earliest_likely,
                e.latest_likely
                    .max(first_day.tomorrow().unwrap_or(first_day)),
            ),
            None => (e.predicted, e.earliest_likely, e.latest_likely),
        };
        entries.push(QueueEntryBody {
            place: e.place,
            application_id: w.app.id.clone(),
            vessel_name: w.app.content.vessel.name.clone(),
            imo: w.app.content.vessel.imo.clone(),
            direction: match e.direction {
                Direction::Inbound => "inbound".into(),
                Direction::Outbound => "outbound".into(),
            },
            status: w.app.status.name(),
            waiting_since: w.voyage.reference.to_string(),
            arrival: planning.arrival(w.app).name().into(),
            // Until an arrival counts (the coordinator may record one).
            arrival_note: ((mine || caller.actor.role == Role::Coordinator)
                && w.app.area_arrival.is_none())
            .then(|| s.arrival_note(&w.app.id))
            .flatten(),
            arrived_at: w
                .app
                .area_arrival
                .as_ref()
                .map(|a| corridor_ledger::time::format(a.at)),
            arrival_area: w.app.area_arrival.as_ref().map(|a| a.area.clone()),
            ready: w.app.ready_at.is_some() && w.voyage.ready.is_none_or(|r| r <= today),
            predicted: p.to_string(),
            predicted_earliest: lo.min(p).to_string(),
            predicted_latest: hi.max(p).to_string(),
            wfp: w.app.content.wfp,
            not_ready_count: w.app.not_ready_count,
            booked: booked.map(|d| d.to_string()),
            mine,
        });
    }
    let mut stoppages: Vec<&corridor_clearance::Stoppage> = clearance
        .stoppages
        .iter()
        .filter(|st| st.in_force() && st.content.days().is_some_and(|(_, to)| to >= today))
        .collect();
    stoppages.sort_by(|a, b| a.content.from.cmp(&b.content.from).then(a.id.cmp(&b.id)));
    let stoppages = stoppages.into_iter().map(Into::into).collect();
    Ok(QueueBody {
        stoppages,
        as_of: corridor_ledger::time::format(now),
        rule: s.capacity().queue.describe(),
        time_zone: s.capacity().time_zone.clone(),
        entries,
        overrides: view
            .overrides
            .into_iter()
            .map(|o| OverrideBody {
                application_id: o.id,
                from_place: o.from_place,
                to_place: o.to_place,
                reason: o.reason,
                by: o.by,
            })
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/queue", tag = "inspections", params(QueueQuery),
    responses((status = 200, body = QueueBody, description = "every vessel waiting for an inspection, in the rule's order, with its predicted day and likely range"),
        (status = "4XX", body = ErrorBody)))]
pub(crate) async fn get_queue(
    State(s): Svc,
    caller: Caller,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> ApiResult {
    let mine = q.mine.unwrap_or(false);
    if mine && !matches!(caller.actor.role, Role::Agent { .. }) {
        return Err(ServiceError::ForbiddenRole(
            "mine=true lists an agent's own vessels; log in as an agent",
        ));
    }
    ok(&queue_body(&s, &caller, mine).await?)
}

/// A coordinator's override: exactly one of `place` and `before`, and a reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideRequest {
    /// The vessel's application.
    pub application_id: String,
    /// New place, from 1.
    #[serde(default)]
    pub place: Option<u32>,
    /// Or: just before this application.
    #[serde(default)]
    pub before: Option<String>,
    /// Why (required; logged and shown with the queue).
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/queue/overrides", tag = "inspections", security(("bearer" = [])),
    request_body = OverrideRequest,
    responses((status = 200, body = QueueBody, description = "the queue after the override"), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn override_queue(
    State(s): Svc,
    caller: Caller,
    ApiJson(req): ApiJson<OverrideRequest>,
) -> ApiResult {
    can(&caller.actor, Action::OverrideQueue, Resource::Corridor)
        .map_err(|_| ServiceError::ForbiddenRole("only the coordinator overrides the queue"))?;
    let queue = queue_body(&s, &caller, false).await?;
    check_override(&queue.entries, &req).map_err(ServiceError::Unprocessable)?;
    // A place is logged as the vessel it puts this one just before, so the
    // move holds as the vessels ahead are inspected. (A bare place was
    // re-applied as that place on every read: the vessels behind moved up
    // past it as the head of the queue emptied.) The last place has nobody
    // to go before and stays a place.
    let (place, before) = match (req.place, req.before) {
        (Some(p), None) => {
            let next = queue
                .entries
                .iter()
                .filter(|e| e.application_id != req.application_id)
                .nth((p as usize).saturating_sub(1));
            match next {
                Some(e) => (None, Some(e.application_id.clone())),
                None => (Some(p), None),
            }
        }
        other => other,
    };
    s.execute(
        &caller.actor,
        Command::OverrideQueue {
            application_id: req.application_id,
            place,
            before,
            reason: req.reason,
        },
    )
    .await
    .map_err(|e| match e {
        ServiceError::Clearance(ClearanceError::NotFound(id)) => {
            ServiceError::Unprocessable(format!("no application {id}"))
        }
        other => other,
    })?;
    ok(&queue_body(&s, &caller, false).await?)
}

/// Refuses an override that would log a move that does not happen: a
/// vessel not in the queue, a place outside it, the place it already has,
/// or "before" itself or a vessel not waiting. (The log would otherwise
/// show a public "5 → 5" with a reason, for nothing.)
fn check_override(queue: &[QueueEntryBody], req: &OverrideRequest) -> Result<(), String> {
    let place_of = |id: &str| {
        queue
            .iter()
            .find(|e| e.application_id == id)
            .map(|e| e.place)
    };
    let id = &req.application_id;
    let Some(now) = place_of(id) else {
        return Err(format!("{id} is not waiting in the inspection queue"));
    };
    match (req.place, req.before.as_deref()) {
        (Some(p), None) if p == 0 || p as usize > queue.len() => Err(format!(
            "place {p} is outside the queue: choose 1 to {}",
            queue.len()
        )),
        (Some(p), None) if p as usize == now => Err(format!("{id} is already at place {p}")),
        (None, Some(b)) if b == id => Err(format!("{id} cannot be moved before itself")),
        (None, Some(b)) => match place_of(b) {
            None => Err(format!("{b} is not waiting in the inspection queue")),
            Some(p) if p == now + 1 => Err(format!("{id} is already just before {b}")),
            Some(_) => Ok(()),
        },
        // The state machine says which of the two is missing.
        _ => Ok(()),
    }
}

// ---- the daily plan ----

/// One assignment as the coordinator edits it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentRequest {
    /// The vessel's application (waiting and declared ready on that day).
    pub application_id: String,
    /// Team name (as in the plan's `teams`).
    pub team: String,
    /// Start, `HH:MM` local time.
    pub start: String,
    /// End, `HH:MM`; must be the start plus the inspection's duration (default: exactly that).
    #[serde(default)]
    pub end: Option<String>,
    /// Area (default: the vessel's).
    #[serde(default)]
    pub area: Option<String>,
    /// Ignored (the server fills it in); accepted so a plan's assignments can be sent back as they came.
    #[serde(default)]
    pub vessel_name: Option<String>,
    /// Ignored, likewise.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub start_at: Option<Value>,
}

/// A new version of the day's plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanEditRequest {
    /// Why the plan is changed (required, logged).
    pub reason: String,
    /// Every inspection of the day (replaces the previous assignments).
    pub assignments: Vec<AssignmentRequest>,
}

/// The plan of `date`: the stored one, or a fresh draft from the optimiser.
async fn plan_body(s: &Service, date: &str, day: Date) -> Result<Value, ServiceError> {
    let clearance = s.clearance().await;
    // One reading of the clock: two could fall either side of midnight
    // or the day's deadline.
    let now = s.now().await;
    let planning = Planning::new(s, &clearance, now)?;
    let (base, _) = planning.problem(day, now, false)?;
    let stored = clearance.plans.get(date);
    // A draft keeps a team's time clear for each booking by hand; a stored
    // version says which team it leaves free for each (`by_hand`).
    let mut p = base.clone();
    if stored.is_none() {
        planning.keep_clear(&mut p);
    }
    let (content, hash, status, scores, reason, stored_plan) = match stored {
        Some(plan) => (
            plan.content.clone(),
            plan.plan_hash,
            plan.status,
            plan.scores.clone(),
            plan.reason.clone(),
            Some(plan),
        ),
        None => {
            let (content, scores) = generate(&planning, &p, date)?;
            let hash = content
                .plan_hash()
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            (content, hash, PlanStatus::Draft, scores, None, None)
        }
    };
    let approvals: Vec<Value> = stored_plan
        .map(|pl| {
            pl.approvals
                .values()
                .map(|a| {
                    json!({
                        "party": a.party,
                        "decision": a.decision.name(),
                        "reason_code": a.decision.reason_code(),
                        // The party's own words: the coordinator revises by them before 16:00.
                        "reason": match &a.decision {
                            DecisionKind::Hold { text, .. } | DecisionKind::Reject { text, .. } => Some(text.as_str()),
                            _ => None,
                        },
                        "time": corridor_ledger::time::format(a.signed_at),
                        "logged_at": corridor_ledger::time::format(a.at),
                        "key_id": a.key_id,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let teams: Vec<Value> = p
        .teams
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "start": hhmm(t.start),
                "end": hhmm(t.end),
                "home_area": p.areas.get(t.start_area),
                // Time left clear in the window for bookings made by hand.
                "kept_clear": t.reserved,
            })
        })
        .collect();
    let by_hand: Vec<Value> = planning
        .fit_by_hand(&base, &content.assignments, status == PlanStatus::Approved)
        .into_iter()
        .map(|(b, fit)| {
            use corridor_planner::plan::Fit;
            json!({
                "application_id": b.id,
                "vessel_name": b.vessel_name,
                "start": hhmm(b.start),
                "end": hhmm(b.start + b.minutes),
                // The team the plan leaves free for it; null when none is
                // (`fits` false) or it falls outside every window (overtime).
                "team": match fit {
                    Fit::Team(t) => base.teams.get(t).map(|t| Value::String(t.name.clone())).unwrap_or(Value::Null),
                    Fit::Overtime | Fit::NoTeam => Value::Null,
                },
                "fits": fit != Fit::NoTeam,
            })
        })
        .collect();
    let time = |t: Option<Timestamp>| t.map(corridor_ledger::time::format);
    Ok(json!({
        "date": date,
        "by_hand": by_hand,
        "application_id": plan_id(date),
        "status": plan_status_text(status),
        "stored": stored_plan.is_some(),
        "version": content.version,
        "assignments": content.assignments,
        "score": scores.get("score").cloned().unwrap_or(Value::Null),
        "fifo_score": scores.get("fifo_score").cloned().unwrap_or(Value::Null),
        "plan_hash": hash,
        "reason": reason,
        "approvals": approvals,
        "required_parties": clearance.config.party_codes().collect::<Vec<_>>(),
        "deadlines": DEADLINES.iter().map(|(k, v)| (k.to_string(), Value::String(v.to_string()))).collect::<serde_json::Map<_, _>>(),
        "time_zone": s.capacity().time_zone,
        "teams": teams,
        "areas": p.areas,
        "updated_at": time(stored_plan.map(|pl| pl.updated_at)),
        "submitted_at": time(stored_plan.and_then(|pl| pl.submitted_at)),
        "approved_at": time(stored_plan.and_then(|pl| pl.approved_at)),
    }))
}

/// The optimiser's draft (version 1) with its score and FIFO's.
fn generate(
    planning: &Planning<'_>,
    p: &DayProblem,
    date: &str,
) -> Result<(PlanContent, Value), ServiceError> {
    let best = plan_optimised(p).map_err(planner_error)?;
    let fifo = plan_fifo(p).map_err(planner_error)?;
    let content = PlanContent {
        date: date.to_string(),
        version: 1,
        assignments: planning.assignments(p, &best)?,
    };
    let scores = json!({
        "score": score_json(&best.score, &best),
        "fifo_score": score_json(&fifo.score, &fifo),
    });
    Ok((content, scores))
}

fn require_plan_reader(caller: &Caller) -> Result<(), ServiceError> {
    can(&caller.actor, Action::ReadPlan, Resource::Corridor).map_err(|_| {
        ServiceError::ForbiddenRole(
            "the daily plan is for the coordinator, the parties' delegates and inspectors",
        )
    })
}

fn require_plan_editor(caller: &Caller) -> Result<(), ServiceError> {
    can(&caller.actor, Action::EditPlan, Resource::Corridor).map_err(|_| {
        ServiceError::ForbiddenRole("only the coordinator changes or submits the daily plan")
    })
}

#[utoipa::path(get, path = "/api/v1/plans/{date}", tag = "inspections", security(("bearer" = [])),
    params(("date" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 200, body = Object, description = "{date, application_id (PLAN-date), status (draft|submitted|approved), version, assignments[{application_id, vessel_name, team, area, start, end, start_at}], score, fifo_score, plan_hash, approvals[{party, decision, time, key_id}], required_parties, deadlines, teams, areas}; without a stored plan, a draft from the optimiser"),
        (status = "4XX", body = ErrorBody)))]
pub(crate) async fn get_plan(
    State(s): Svc,
    caller: Caller,
    ApiPath(date): ApiPath<String>,
) -> ApiResult {
    require_plan_reader(&caller)?;
    let day = parse_day(&date)?;
    ok(&plan_body(&s, &date, day).await?)
}

#[utoipa::path(put, path = "/api/v1/plans/{date}", tag = "inspections", security(("bearer" = [])),
    params(("date" = String, Path, description = "YYYY-MM-DD")), request_body = PlanEditRequest,
    responses((status = 200, body = Object, description = "the plan's new version (a draft again: it must be submitted anew)"),
        (status = "4XX", body = ErrorBody, description = "422 names the assignment and what is wrong (team window, duration, travel, double booking)")))]
pub(crate) async fn put_plan(
    State(s): Svc,
    caller: Caller,
    ApiPath(date): ApiPath<String>,
    ApiJson(req): ApiJson<PlanEditRequest>,
) -> ApiResult {
    require_plan_editor(&caller)?;
    let day = parse_day(&date)?;
    plannable(&s, day).await?;
    if req.reason.trim().is_empty() {
        return Err(ServiceError::Unprocessable(
            "reason: a plan edit needs a reason".into(),
        ));
    }
    let clearance = s.clearance().await;
    let now = s.now().await;
    let planning = Planning::new(&s, &clearance, now)?;
    let (p, _) = planning.problem(day, now, true)?;
    let mut assignments = Vec::with_capacity(req.assignments.len());
    for (i, a) in req.assignments.iter().enumerate() {
        let n = i + 1;
        let what = |m: String| {
            ServiceError::Unprocessable(format!("assignment {n} ({}): {m}", a.application_id))
        };
        let start = corridor_planner::config::parse_hhmm(&a.start)
            .map_err(|_| what(format!("start {:?} is not HH:MM", a.start)))?;
        let team = p
            .teams
            .iter()
            .position(|t| t.name == a.team)
            .ok_or_else(|| {
                what(format!(
                    "there is no team {:?} on {date} (teams: {})",
                    a.team,
                    p.teams
                        .iter()
                        .map(|t| t.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        let job = p
            .jobs
            .iter()
            .find(|j| j.id == a.application_id)
            .ok_or_else(|| what(planning.why_not_plannable(&a.application_id, day)))?;
        let area = match &a.area {
            Some(name) => p.areas.iter().position(|x| x == name).ok_or_else(|| {
                what(format!(
                    "no inspection area {name:?} (areas: {})",
                    p.areas.join(", ")
                ))
            })?,
            None => job.area,
        };
        let end = match &a.end {
            Some(e) => corridor_planner::config::parse_hhmm(e)
                .map_err(|_| what(format!("end {e:?} is not HH:MM")))?,
            None => start + job.minutes,
        };
        if end < start {
            return Err(what(format!(
                "ends ({}) before it starts ({})",
                hhmm(end),
                hhmm(start)
            )));
        }
        assignments.push(Assignment {
            id: job.id.clone(),
            place: job.place,
            team,
            start,
            end,
            area,
        });
    }
    let mut plan = Plan {
        assignments,
        score: PlanScore {
            inspections: 0,
            place_sum: 0,
            travel_minutes: 0,
        },
        count_upper_bound: corridor_planner::plan::count_upper_bound(&p),
        method: "coordinator".into(),
    };
    check_plan(&p, &plan).map_err(planner_error)?;
    plan.score = score_plan(&p, &plan);
    let fifo = plan_fifo(&p).map_err(planner_error)?;
    let version = match clearance.plans.get(&date) {
        Some(DayPlan { content, .. }) => content.version.saturating_add(1),
        None => 2,
    };
    let content = PlanContent {
        date: date.clone(),
        version,
        assignments: planning.assignments(&p, &plan)?,
    };
    if let Some(why) = planning.crowds_out_by_hand(&p, &content.assignments) {
        return Err(ServiceError::Unprocessable(format!(
            "{why}: leave a team free for it, or move the booking"
        )));
    }
    let scores = json!({
        "score": score_json(&plan.score, &plan),
        "fifo_score": score_json(&fifo.score, &fifo),
    });
    drop(planning);
    s.execute(
        &caller.actor,
        Command::SetPlan {
            content,
            reason: Some(req.reason.trim().to_string()),
            scores,
        },
    )
    .await?;
    ok(&plan_body(&s, &date, day).await?)
}

/// Not an answer: tells `submit_plan` that another submission stored the
/// day's draft between its look and its write.
const FROZEN_MEANWHILE: &str = "the draft was stored meanwhile";

#[utoipa::path(post, path = "/api/v1/plans/{date}/submit", tag = "inspections", security(("bearer" = [])),
    params(("date" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 200, body = Object, description = "the plan, now `submitted` to the parties (a generated draft is stored as version 1 first)"), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn submit_plan(
    State(s): Svc,
    caller: Caller,
    ApiPath(date): ApiPath<String>,
) -> ApiResult {
    require_plan_editor(&caller)?;
    let day = parse_day(&date)?;
    plannable(&s, day).await?;
    let clearance = s.clearance().await;
    if !clearance.plans.contains_key(&date) {
        // Freeze the generated draft as version 1, so the parties sign what was shown.
        let now = s.now().await;
        let planning = Planning::new(&s, &clearance, now)?;
        let (mut p, _) = planning.problem(day, now, false)?;
        planning.keep_clear(&mut p);
        let (content, scores) = generate(&planning, &p, &date)?;
        drop(planning);
        let frozen = s
            .execute_if(
                &caller.actor,
                Command::SetPlan {
                    content,
                    reason: None,
                    scores,
                },
                // A submission at the same moment froze it first: submit
                // that one (its loser was told "a new version needs a
                // reason"; open finding 35).
                |c| match c.plans.contains_key(&date) {
                    true => Err(ServiceError::Conflict(FROZEN_MEANWHILE.into())),
                    false => Ok(()),
                },
            )
            .await;
        match frozen {
            Err(ServiceError::Conflict(m)) if m == FROZEN_MEANWHILE => {}
            Err(e) => return Err(e),
            Ok(_) => {}
        }
    }
    let now = s.now().await;
    s.execute_if(
        &caller.actor,
        Command::SubmitPlan { date: date.clone() },
        // A draft only: the machine says what else is wrong.
        |c| {
            let draft = c.plans.get(&date).filter(|p| p.status == PlanStatus::Draft);
            refuse_plan(&s, c, now, draft, |why| {
                format!("the plan for {date} cannot be submitted as it stands: {why}; revise it")
            })
        },
    )
    .await?;
    ok(&plan_body(&s, &date, day).await?)
}

#[utoipa::path(post, path = "/api/v1/plans/{date}/decisions", tag = "inspections", security(("bearer" = [])),
    params(("date" = String, Path, description = "YYYY-MM-DD")),
    request_body(content = Object, description = "a signed decision exactly like an application's: {payload:{party, application_id: \"PLAN-YYYY-MM-DD\", application_hash: the plan_hash of the current version, decision, time, key_id}, signature}"),
    responses((status = 200, body = Object, description = "the plan; `approved` once every required party approved this version (its inspections are then scheduled); `receipt` for the entry logged, as for an application's decision"), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn decide_plan(
    State(s): Svc,
    caller: Caller,
    ApiPath(date): ApiPath<String>,
    ApiJson(decision): ApiJson<SignedDecision>,
) -> ApiResult {
    can(
        &caller.actor,
        Action::DecidePlan,
        Resource::Party {
            party: &decision.payload.party,
        },
    )
    .map_err(|_| {
        ServiceError::ForbiddenRole(
            "a party's delegate decides on the plan for their own party only",
        )
    })?;
    let day = parse_day(&date)?;
    let current = s
        .clearance()
        .await
        .plans
        .get(&date)
        .map(|p| (p.content.version, p.plan_hash));
    // The approval that would approve a plan drafted before one of its
    // vessels failed not ready would book it inside its re-queue delay.
    let payload = decision.payload.clone();
    let signature = decision.signature;
    let now = s.now().await;
    s.execute_if(
        &caller.actor,
        Command::DecidePlan {
            date: date.clone(),
            decision,
        },
        |c| {
            let approving = c.plans.get(&date).filter(|_| c.would_approve_plan(&date, &payload));
            refuse_plan(&s, c, now, approving, |why| {
                format!(
                    "the plan for {date} can no longer be approved as it stands: {why}; the coordinator must submit a new version"
                )
            })
        },
    )
    .await
    .map_err(|e| match (e, current) {
        (ServiceError::Clearance(ClearanceError::Decision(DecisionError::ChangedApplication { signed, expected })), Some((version, _))) => {
            ServiceError::Unprocessable(format!(
                "the signature covers another version of the plan for {date} (plan hash {signed}); the current version is {version} (plan hash {expected}): fetch the plan and sign it again"
            ))
        }
        (other, _) => other,
    })?;
    // With a receipt for the signed entry, as an application's decision.
    let mut body = plan_body(&s, &date, day).await?;
    let (receipt, why) = s.receipt_or_reason(&signature).await;
    if let Some(m) = body.as_object_mut() {
        m.insert("receipt".into(), receipt);
        if let Some(why) = why {
            m.insert("receipt_error".into(), Value::String(why));
        }
    }
    ok(&body)
}

// ---- the inspector's day ----

/// The day (`YYYY-MM-DD`, default: today, local time).
#[derive(Debug, Deserialize, IntoParams)]
pub struct InspectionsQuery {
    /// The day.
    pub date: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/inspections", tag = "inspections", security(("bearer" = [])),
    params(InspectionsQuery),
    responses((status = 200, body = Object, description = "{date, plan_status, plan_version, time_zone, inspections[{application_id, vessel, team, area, start, end, start_at, status, cargo, readiness, ready_at, not_ready_count}], cancelled[{application_id, vessel_name, team, start, start_at, why}]}: the approved plan's inspections (empty until the plan is approved) and the bookings made by hand for the day (team, area and end null), standing or inspected (status: how it ended), in time order; `cancelled` lists its slots a stoppage stopped or the vessel was booked again elsewhere since, and bookings made by hand for the day that a stoppage stopped (team null)"),
        (status = "4XX", body = ErrorBody)))]
pub(crate) async fn get_inspections(
    State(s): Svc,
    caller: Caller,
    ApiQuery(q): ApiQuery<InspectionsQuery>,
) -> ApiResult {
    can(&caller.actor, Action::ReadInspections, Resource::Corridor).map_err(|_| {
        ServiceError::ForbiddenRole("the day's inspections are for inspectors and the coordinator")
    })?;
    let clearance = s.clearance().await;
    let tz = s
        .capacity()
        .tz()
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let date = match q.date {
        Some(d) => {
            parse_day(&d)?;
            d
        }
        None => local_date(s.now().await, &tz).to_string(),
    };
    let plan = clearance.plans.get(&date);
    let approved = plan.filter(|p| p.status == PlanStatus::Approved);
    // The inspection recorded against a slot, if one was: the slot took
    // place, whatever was booked since.
    let result = |a: &PlanAssignment, app: &'_ Application| {
        app.booked_results
            .iter()
            .rev()
            .find(|r| r.booked_at == a.start_at)
            .map(|r| r.status)
    };
    // An approved slot no longer stands once a stoppage stops it or the
    // vessel is booked at another time: the inspectors are told, not sent.
    let gone = |a: &PlanAssignment, app: &Application| -> Option<String> {
        if result(a, app).is_some() {
            return None;
        }
        if app.inspection_at != Some(a.start_at) {
            return Some(match app.inspection_at {
                Some(t) => format!("booked again for {}", corridor_ledger::time::format(t)),
                None => "no longer booked".into(),
            });
        }
        clearance.booking_stopped_by(app).map(|st| st.why())
    };
    let cancelled: Vec<Value> = approved
        .map(|p| {
            p.content
                .assignments
                .iter()
                .filter_map(|a| {
                    let app = clearance.applications.get(&a.application_id)?;
                    let why = gone(a, app)?;
                    Some(json!({
                        "application_id": a.application_id,
                        "vessel_name": a.vessel_name,
                        "team": a.team,
                        "start": a.start,
                        "start_at": corridor_ledger::time::format(a.start_at),
                        "why": why,
                    }))
                })
                .collect()
        })
        .unwrap_or_default();
    // Whether `at` is `app`'s slot in the approved plan (not merely whether
    // the vessel is in the plan: it may have been booked again by hand).
    let plan_slot = |app: &Application, at: Timestamp| {
        approved.is_some_and(|p| {
            p.content
                .assignments
                .iter()
                .any(|a| a.application_id == app.id && a.start_at == at)
        })
    };
    // Bookings made by hand (outside the plan) for this day that a
    // stoppage stopped: cancelled too, also when the vessel's plan slot
    // was moved by hand first (code review, session 19).
    let cancelled: Vec<Value> = cancelled
        .into_iter()
        .chain(clearance.applications.values().filter_map(|app| {
            let at = app.inspection_at?;
            if plan_slot(app, at) || local_date(at, &tz).to_string() != date {
                return None;
            }
            let st = clearance.booking_stopped_by(app)?;
            Some(json!({
                "application_id": app.id,
                "vessel_name": app.content.vessel.name,
                "team": Value::Null,
                "start": clock_time(at, &tz),
                "start_at": corridor_ledger::time::format(at),
                "why": st.why(),
            }))
        }))
        .collect();
    let entry = |app: &Application, slot: Value, status: Status| {
        let mut e = json!({
            "application_id": app.id,
            "status": status,
            "company": app.company,
            "vessel": app.content.vessel,
            "itinerary": app.content.itinerary,
            "cargo": app.content.cargo,
            "wfp": app.content.wfp,
            "readiness": app.readiness,
            "ready_at": app.ready_at.map(corridor_ledger::time::format),
            "not_ready_count": app.not_ready_count,
            "inspections": app.inspections,
        });
        if let (Some(e), Value::Object(slot)) = (e.as_object_mut(), slot) {
            e.extend(slot);
        }
        e
    };
    let mut inspections: Vec<(Timestamp, Value)> = approved
        .map(|p| {
            p.content
                .assignments
                .iter()
                .filter_map(|a| {
                    let app = clearance.applications.get(&a.application_id)?;
                    if gone(a, app).is_some() {
                        return None;
                    }
                    let slot = json!({
                        "team": a.team,
                        "area": a.area,
                        "start": a.start,
                        "end": a.end,
                        "start_at": corridor_ledger::time::format(a.start_at),
                    });
                    // How this slot ended, if it has (the vessel may be
                    // booked again since), else where the vessel stands.
                    let status = result(a, app).unwrap_or(app.status);
                    Some((a.start_at, entry(app, slot, status)))
                })
                .collect()
        })
        .unwrap_or_default();
    // Bookings made by hand for this day: no team, no end. Those that
    // stand, and those already inspected, with how they ended.
    let by_hand = |app: &Application, at: Timestamp, status: Status| {
        let slot = json!({
            "team": Value::Null,
            "area": Value::Null,
            "start": clock_time(at, &tz),
            "end": Value::Null,
            "start_at": corridor_ledger::time::format(at),
        });
        (at, entry(app, slot, status))
    };
    for app in clearance.applications.values() {
        let on_day = |at: Timestamp| local_date(at, &tz).to_string() == date;
        // One entry per booked time: the standing booking, else the
        // latest result recorded against that time.
        let standing = app.inspection_at.filter(|at| {
            app.status == Status::AwaitingInspection
                && on_day(*at)
                && !plan_slot(app, *at)
                && clearance.booking_stopped_by(app).is_none()
        });
        let mut done: BTreeMap<Timestamp, Status> = BTreeMap::new();
        for r in &app.booked_results {
            if on_day(r.booked_at) && !plan_slot(app, r.booked_at) && Some(r.booked_at) != standing
            {
                done.insert(r.booked_at, r.status);
            }
        }
        inspections.extend(
            done.into_iter()
                .map(|(at, status)| by_hand(app, at, status)),
        );
        if let Some(at) = standing {
            inspections.push(by_hand(app, at, app.status));
        }
    }
    inspections.sort_by_key(|(at, _)| *at);
    let inspections: Vec<Value> = inspections.into_iter().map(|(_, e)| e).collect();
    ok(&json!({
        "date": date,
        "plan_status": plan.map(|p| plan_status_text(p.status)),
        "plan_version": plan.map(|p| p.content.version),
        // `start` and `end` are clock times in this zone.
        "time_zone": s.capacity().time_zone,
        "inspections": inspections,
        "cancelled": cancelled,
    }))
}
