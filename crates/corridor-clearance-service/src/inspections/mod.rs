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

mod by_hand;
mod day;
mod planning;
mod plans;
mod queue;
mod readiness;

// The handlers and their request and response types, where `routes`, the
// OpenAPI document (`crate::api::ApiDoc`, which also needs utoipa's
// `__path_*` item beside each handler) and other crates name them.
pub use day::*;
pub use plans::*;
pub use queue::*;
pub use readiness::*;

pub(crate) use by_hand::refuse_crowded_booking;
pub(crate) use planning::{capacity_now, requeue_problem};

/// `config/capacity-service.toml` of this crate: the service's inspection resources.
pub const SERVICE_CAPACITY_TOML: &str = include_str!("../../config/capacity-service.toml");

/// The hour the day before by which a day's plan is approved (the
/// capacity file's `deadlines`, checked when it was read).
fn approved_by(cap: &CapacityConfig) -> jiff::civil::Time {
    cap.deadlines
        .approved_plan
        .parse::<jiff::civil::Time>()
        .unwrap_or(jiff::civil::time(16, 0, 0, 0))
}

/// When the centre's plans are due and their days end, for the accountability figures.
pub(crate) fn plan_timetable(
    cap: &CapacityConfig,
) -> Result<corridor_clearance::PlanTimetable, ServiceError> {
    Ok(corridor_clearance::PlanTimetable::new(
        centre_tz(cap)?,
        approved_by(cap),
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
        .route("/plans/{date}/redraft", post(redraft_plan))
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

/// The centre's time zone, from the capacity file (checked when it is read).
pub(crate) fn centre_tz(cap: &CapacityConfig) -> Result<jiff::tz::TimeZone, ServiceError> {
    cap.tz().map_err(|e| ServiceError::Internal(e.to_string()))
}

/// `HH:MM` of `t` on the centre's clock (a booking made by hand has no plan time).
fn clock_time(t: Timestamp, tz: &jiff::tz::TimeZone) -> String {
    let clock = t.to_zoned(tz.clone()).time();
    hhmm(u32::try_from(i32::from(clock.hour()) * 60 + i32::from(clock.minute())).unwrap_or(0))
}

fn local_date(t: Timestamp, tz: &jiff::tz::TimeZone) -> Date {
    t.to_zoned(tz.clone()).date()
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
