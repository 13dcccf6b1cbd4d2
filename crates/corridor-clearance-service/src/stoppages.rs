//! Days off and stoppages of the inspection teams, over HTTP.
//!
//! The coordinator declares them (weather, a day off, a party absent) and
//! lifts them, each with a reason, in the log. The queue's forecast and the
//! day's plan are made against the service's capacity less the stoppages in
//! force ([`crate::inspections::capacity_now`]): a party's absence stops only
//! the teams that need that party. What a stoppage stops is worked out when
//! it is declared, against the schedule as the stoppages already in force
//! leave it, and logged with it (its effect); from then on the planner, the
//! bookings and the plans all go by that record. A booked slot on a team it
//! stops, starting after the declaration, no longer holds (the vessel waits
//! again; a slot begun before may be under way), the inspectors' day lists
//! it as cancelled, and a plan that books such a team is neither submitted nor
//! approved until the coordinator revises it.
//!
//! | route | who |
//! |---|---|
//! | `GET /stoppages[?in_force=true]` | anyone (why nobody inspects is public, like the queue) |
//! | `POST /stoppages` | coordinator |
//! | `POST /stoppages/{id}/lift` | coordinator |

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use corridor_clearance::stoppage::kind_name;
use corridor_clearance::{
    Action, Actor, ClearanceError, Command, DayStops, Event, Resource, Stoppage, StoppageContent,
    StoppageEffect, StoppageKind, can,
};
use corridor_planner::CapacityConfig;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiJson, ApiPath, ApiQuery, ApiResult, Caller, Svc, json_response, ok};
use crate::error::{ErrorBody, ServiceError};
use crate::service::Service;

pub(crate) fn routes() -> Router<std::sync::Arc<Service>> {
    Router::new()
        .route("/stoppages", get(list).post(declare))
        .route("/stoppages/{id}/lift", post(lift))
}

/// Why the teams stop.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KindBody {
    /// Sea state or visibility too bad for boarding.
    Weather,
    /// A planned day off.
    DayOff,
    /// One or more delegations absent: their teams stop.
    PartyAbsent,
    /// Anything else (the reason says what).
    Other,
}

impl From<KindBody> for StoppageKind {
    fn from(k: KindBody) -> Self {
        match k {
            KindBody::Weather => Self::Weather,
            KindBody::DayOff => Self::DayOff,
            KindBody::PartyAbsent => Self::PartyAbsent,
            KindBody::Other => Self::Other,
        }
    }
}

impl From<StoppageKind> for KindBody {
    fn from(k: StoppageKind) -> Self {
        match k {
            StoppageKind::Weather => Self::Weather,
            StoppageKind::DayOff => Self::DayOff,
            StoppageKind::PartyAbsent => Self::PartyAbsent,
            StoppageKind::Other => Self::Other,
        }
    }
}

/// A stoppage to declare.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StoppageRequest {
    /// First day, `YYYY-MM-DD` on the centre's calendar (`time_zone` of `GET /queue`).
    pub from: String,
    /// Last day, inclusive (a stoppage is at most 366 days long).
    pub to: String,
    /// Why the teams stop.
    pub kind: KindBody,
    /// The absent parties' codes: required for, and only for, `party_absent`.
    #[serde(default)]
    pub absent: Vec<String>,
    /// At most this many teams still work (without it and without `absent`, none).
    #[serde(default)]
    pub teams: Option<u32>,
    /// Why, in words (required; public).
    pub reason: String,
}

/// Lifting a stoppage.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LiftRequest {
    /// Why (required; public).
    pub reason: String,
}

/// Who lifted a stoppage, when, why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LiftBody {
    /// Why.
    pub reason: String,
    /// Who.
    pub by: String,
    /// When it was logged (RFC 3339).
    pub at: String,
}

/// A declared stoppage.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StoppageBody {
    /// `STOP-n`.
    pub id: String,
    /// First day.
    pub from: String,
    /// Last day (inclusive).
    pub to: String,
    /// Why the teams stop.
    pub kind: KindBody,
    /// The absent parties.
    pub absent: Vec<String>,
    /// At most this many teams work, if set.
    pub teams: Option<u32>,
    /// Why.
    pub reason: String,
    /// Who declared it.
    pub by: String,
    /// When it was logged (RFC 3339).
    pub at: String,
    /// The teams it stops (by name), as worked out when it was declared.
    pub stops: Vec<String>,
    /// What it stops on each of its days, when that is not the same every
    /// day (`stops` then names every team it stops on one of them); empty
    /// otherwise.
    pub days: Vec<DayStopsBody>,
    /// No team works on its days.
    pub every_team: bool,
    /// Not lifted.
    pub in_force: bool,
    /// Set once lifted.
    pub lifted: Option<LiftBody>,
}

/// What a stoppage stops on one of its days.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayStopsBody {
    /// The day (YYYY-MM-DD, the centre's).
    pub date: String,
    /// The teams it stops that day.
    pub stops: Vec<String>,
}

impl From<&Stoppage> for StoppageBody {
    fn from(s: &Stoppage) -> Self {
        let c = &s.content;
        let days = s
            .day_stops()
            .map(|(date, d)| DayStopsBody {
                date: date.to_string(),
                stops: d.stops.clone(),
            })
            .collect();
        Self {
            id: s.id.clone(),
            from: c.from.clone(),
            to: c.to.clone(),
            kind: c.kind.into(),
            absent: c.absent.clone(),
            teams: c.teams,
            reason: c.reason.clone(),
            by: s.by.clone(),
            at: corridor_ledger::time::format(s.at),
            stops: s.effect.stops.clone(),
            days,
            every_team: s.effect.every_team,
            in_force: s.in_force(),
            lifted: s.lifted.as_ref().map(|l| LiftBody {
                reason: l.reason.clone(),
                by: l.by.clone(),
                at: corridor_ledger::time::format(l.at),
            }),
        }
    }
}

/// Every declared stoppage, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoppageListBody {
    /// The zone whose days `from` and `to` are (IANA name).
    pub time_zone: String,
    /// The stoppages.
    pub stoppages: Vec<StoppageBody>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only those in force (`true`) or only lifted ones (`false`).
    pub in_force: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/stoppages", tag = "inspections",
    params(ListParams),
    responses((status = 200, body = StoppageListBody), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn list(State(s): Svc, ApiQuery(p): ApiQuery<ListParams>) -> ApiResult {
    let clearance = s.clearance().await;
    let stoppages = clearance
        .stoppages
        .iter()
        .rev()
        .filter(|st| p.in_force.is_none_or(|f| st.in_force() == f))
        .map(StoppageBody::from)
        .collect();
    ok(&StoppageListBody {
        time_zone: s.capacity().time_zone.clone(),
        stoppages,
    })
}

fn require_coordinator(caller: &Caller) -> Result<(), ServiceError> {
    can(&caller.actor, Action::DeclareStoppage, Resource::Corridor).map_err(|_| {
        ServiceError::ForbiddenRole("only the coordinator declares and lifts stoppages")
    })
}

/// The stoppage `id` as the state now has it.
async fn body_of(s: &Service, id: &str) -> Result<StoppageBody, ServiceError> {
    s.clearance()
        .await
        .stoppages
        .iter()
        .find(|st| st.id == id)
        .map(StoppageBody::from)
        .ok_or_else(|| ServiceError::Internal(format!("{id} not in state")))
}

#[utoipa::path(post, path = "/api/v1/stoppages", tag = "inspections", security(("bearer" = [])),
    request_body = StoppageRequest,
    responses((status = 201, body = StoppageBody, description = "logged; the queue and the plans now count it"),
        (status = "4XX", body = ErrorBody)))]
pub(crate) async fn declare(
    State(s): Svc,
    caller: Caller,
    ApiJson(req): ApiJson<StoppageRequest>,
) -> ApiResult {
    require_coordinator(&caller)?;
    let stoppage = StoppageContent {
        from: req.from,
        to: req.to,
        kind: req.kind.into(),
        absent: req.absent,
        teams: req.teams,
        reason: req.reason,
    };
    let id = declare_stoppage(&s, &caller.actor, stoppage).await?;
    let body = body_of(&s, &id).await?;
    json_response(StatusCode::CREATED, &body)
}

#[utoipa::path(post, path = "/api/v1/stoppages/{id}/lift", tag = "inspections", security(("bearer" = [])),
    params(("id" = String, Path, description = "STOP-n")),
    request_body = LiftRequest,
    responses((status = 200, body = StoppageBody, description = "lifted; the queue and the plans no longer count it"),
        (status = "4XX", body = ErrorBody)))]
pub(crate) async fn lift(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<LiftRequest>,
) -> ApiResult {
    require_coordinator(&caller)?;
    s.execute(
        &caller.actor,
        Command::LiftStoppage {
            stoppage_id: id.clone(),
            reason: req.reason,
        },
    )
    .await
    .map_err(|e| match e {
        ServiceError::Clearance(ClearanceError::NotFound(id)) => {
            ServiceError::NotFound(format!("no stoppage {id}"))
        }
        other => unprocessable(other),
    })?;
    ok(&body_of(&s, &id).await?)
}

/// Logs `stoppage` by `actor` with what it stops under the service's
/// schedule; returns its id.
pub async fn declare_stoppage(
    s: &Service,
    actor: &Actor,
    stoppage: StoppageContent,
) -> Result<String, ServiceError> {
    let (first, last) = corridor_clearance::stoppage::check_days(&stoppage.from, &stoppage.to)?;
    let effect = {
        let clearance = s.clearance().await;
        let now = s.now().await;
        let in_force = crate::inspections::capacity_now(s.capacity(), &clearance, now);
        // Of teams alike, the one with fewer inspections booked that day
        // stops first (a review in session 25 saw a one-boat day stop the
        // two teams with bookings and keep the idle one).
        let mut booked: std::collections::BTreeMap<(Date, String), usize> = Default::default();
        for (date, plan) in &clearance.plans {
            let Some(on) = date
                .parse::<Date>()
                .ok()
                .filter(|d| (first..=last).contains(d))
            else {
                continue;
            };
            if !matches!(
                plan.status,
                corridor_clearance::PlanStatus::Submitted
                    | corridor_clearance::PlanStatus::Approved
            ) {
                continue;
            }
            for a in &plan.content.assignments {
                let waits = clearance
                    .applications
                    .get(&a.application_id)
                    .is_some_and(|app| app.waiting_for_inspection());
                if waits {
                    *booked.entry((on, a.team.clone())).or_default() += 1;
                }
            }
        }
        effect_of(s.capacity(), &in_force, &stoppage, (first, last), &booked)?
    };
    let event = s
        .execute(actor, Command::DeclareStoppage { stoppage, effect })
        .await
        .map_err(unprocessable)?;
    match event {
        Event::StoppageDeclared { stoppage_id, .. } => Ok(stoppage_id),
        _ => Err(ServiceError::Internal(
            "a declaration logged another event".into(),
        )),
    }
}

/// What `st` stops under the service's schedule `cap`, day by day from
/// `first` to `last`, and when it starts and ends on the centre's clock.
///
/// It is worked out against the schedule itself, not what other stoppages
/// leave of it: its effect is kept as the teams it names, and those must
/// still be right once the others are lifted (a cap of two teams over a
/// day of bad weather stops one team, not all of them). Each day is worked
/// out on its own (open finding 64: one list for every day kept an idle
/// team on a day whose bookings were on another). A cap keeps first the
/// teams that `in_force` (the schedule with the stoppages in force) still
/// has working that day, so a cap of one team on a day a party is absent
/// keeps one of the teams that can work without it; then those with the
/// most inspections `booked` that day; then those it did not stop the day
/// before.
fn effect_of(
    cap: &CapacityConfig,
    in_force: &CapacityConfig,
    st: &StoppageContent,
    (first, last): (Date, Date),
    booked: &std::collections::BTreeMap<(Date, String), usize>,
) -> Result<StoppageEffect, ServiceError> {
    let tz = cap
        .tz()
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let midnight = |field: &str, d: Date| {
        d.to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .map_err(|e| ServiceError::Unprocessable(format!("{field}: {d}: {e}")))
    };
    let as_planned = corridor_planner::config::Stoppage {
        from: first,
        to: last,
        teams: st.teams,
        absent: st.absent.clone(),
        stops: Vec::new(),
        kind: kind_name(st.kind).into(),
        note: String::new(),
    };
    let next = |d: Date| {
        d.tomorrow()
            .map_err(|e| ServiceError::Unprocessable(format!("to: {e}")))
    };
    let mut stops: Vec<String> = Vec::new();
    let mut days: Vec<DayStops> = Vec::new();
    let mut every_team = true;
    let mut day = first;
    while day <= last {
        let teams = cap.working_teams(day);
        let still = in_force.working_teams(day);
        // Teams the other stoppages leave working that day first, then
        // those with the most bookings that day, then those it did not
        // stop the day before (the same teams rest while nothing says
        // otherwise).
        let yesterday = days.last().map_or(&[][..], |d: &DayStops| &d.stops);
        let mut ordered = teams.clone();
        ordered.sort_by_key(|t| {
            let name = cap.team_name(*t);
            (
                std::cmp::Reverse(still.contains(t)),
                std::cmp::Reverse(booked.get(&(day, name.clone())).copied().unwrap_or(0)),
                yesterday.contains(&name),
                *t,
            )
        });
        let left = as_planned.working(cap, ordered);
        // A day without teams says nothing of whether it stops them all.
        if !teams.is_empty() {
            every_team &= left.is_empty();
        }
        let today: Vec<String> = teams
            .into_iter()
            .filter(|t| !left.contains(t))
            .map(|t| cap.team_name(t))
            .collect();
        for name in &today {
            if !stops.contains(name) {
                stops.push(name.clone());
            }
        }
        let after = next(day)?;
        days.push(DayStops {
            starts_at: midnight("from", day)?,
            ends_at: midnight("to", after)?,
            stops: today,
        });
        if day == last {
            break;
        }
        day = after;
    }
    // The same every day (or every team): one list says it, as the log
    // has always kept it.
    if every_team || days.windows(2).all(|w| w[0].stops == w[1].stops) {
        days.clear();
    }
    Ok(StoppageEffect {
        starts_at: midnight("from", first)?,
        ends_at: midnight("to", next(last)?)?,
        stops,
        every_team,
        days,
    })
}

/// An unknown absent party is named as the field it came in.
fn unprocessable(e: ServiceError) -> ServiceError {
    match e {
        ServiceError::Clearance(ClearanceError::UnknownParty(p)) => {
            ServiceError::Unprocessable(format!("absent: {p} is not a party of this corridor"))
        }
        other => other,
    }
}
