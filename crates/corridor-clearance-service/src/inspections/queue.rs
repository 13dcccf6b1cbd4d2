//! The public queue and the coordinator's overrides of it.

use super::*;

use super::planning::{Planning, Waiting, first_plannable_day};
use crate::arrivals::Whereabouts;
use corridor_clearance::Application;

// ---- the public queue ----

/// `mine=true`: only the calling agent's vessels.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
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
    /// ETA the agent declared), `late` (the ETA, passed without tracking
    /// seeing the vessel at the area: the coordinator records its arrival
    /// or moves it; once seen, its real arrival is its place), or
    /// `unconfirmed` (the ETA, passed where tracking could not see the
    /// vessel: no MMSI declared, or no live feed; the coordinator records
    /// its arrival), or `inspected` (the ETA, of a vessel with no arrival
    /// logged that was inspected at the area and failed, not ready).
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
    /// After failing not ready: the first day (local date) it may be
    /// inspected again, while that is after today (the re-queue delay);
    /// otherwise null.
    pub requeued_from: Option<String>,
    /// The day its inspection is booked for (local date), while that
    /// booking stands: not stopped, and not a day already past.
    pub booked: Option<String>,
    /// The calling agent's own vessel.
    pub mine: bool,
    /// Where tracking places the vessel now (by the MMSI its application
    /// declares), and when it was last heard; absent when tracking has not
    /// heard that MMSI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub now_at: Option<NowAt>,
    /// Its arrival counts, but tracking has heard it since in another area
    /// of the corridor than those where vessels wait for inspection (a port
    /// approach), or out of the corridor: it has left uninspected. The
    /// coordinator decides what follows; its place stands until then. (From
    /// tracking's live picture: a restart knows it again once the vessel
    /// is heard.)
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub away: bool,
}

/// Where tracking places a waiting vessel now.
#[derive(Debug, Serialize, ToSchema)]
pub struct NowAt {
    /// The corridor area it is in, or `in the corridor` / `outside the corridor`.
    pub place: String,
    /// When it was last heard (RFC 3339).
    pub heard_at: Option<String>,
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

/// An inspection area, as an arrival may name it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AreaBody {
    /// The area's name (the plan's `area`).
    pub name: String,
    /// The places of the corridor's geometry where its vessels wait; an
    /// arrival recorded at one is planned at this area.
    pub places: Vec<String>,
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
    /// The inspection areas where vessels wait, with their places (what an
    /// arrival is recorded at).
    pub areas: Vec<AreaBody>,
}

async fn queue_body(
    s: &Service,
    caller: &Caller,
    mine_only: bool,
) -> Result<QueueBody, ServiceError> {
    // Asked before the clearance state is held: tracking answers on its own time.
    let whereabouts = s.whereabouts().await;
    let clearance = s.clearance().await;
    let now = s.now().await;
    let planning = Planning::new(s, &clearance, now)?;
    let today = local_date(now, &planning.tz);
    let waiting = planning.waiting();
    let voyages: Vec<Voyage> = waiting.iter().map(|w| w.voyage.clone()).collect();
    let overrides = planning.overrides(&voyages)?;
    let (first_day, late) = first_plannable_day(now, &planning.tz, &planning.cap, &clearance);
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
            // Declared, and not waiting out a re-queue delay (the
            // voyage's own `ready` day also waits for an arrival too late
            // in its day: that is not the agent's readiness).
            ready: w.app.ready_at.is_some()
                && super::planning::requeued_from(w.app, &planning.cap, &planning.tz)
                    .is_none_or(|r| r <= today),
            predicted: p.to_string(),
            predicted_earliest: lo.min(p).to_string(),
            predicted_latest: hi.max(p).to_string(),
            wfp: w.app.content.wfp,
            not_ready_count: w.app.not_ready_count,
            requeued_from: super::planning::requeued_from(w.app, &planning.cap, &planning.tz)
                .filter(|d| *d > today)
                .map(|d| d.to_string()),
            booked: booked.map(|d| d.to_string()),
            mine,
            now_at: now_at(w.app, &whereabouts),
            away: away(w.app, &whereabouts, s.capacity()),
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
        areas: s
            .capacity()
            .areas
            .iter()
            .map(|a| AreaBody {
                name: a.name.clone(),
                places: a.geometry.clone(),
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

/// Where tracking places the vessel of `app` now, by its declared MMSI.
fn now_at(app: &Application, known: &HashMap<u32, Whereabouts>) -> Option<NowAt> {
    let w = known.get(&crate::arrivals::mmsi_of(app)?)?;
    let place = match (&w.area, w.in_corridor) {
        (Some(area), _) => area.clone(),
        (None, true) => "in the corridor".into(),
        (None, false) => "outside the corridor".into(),
    };
    Some(NowAt {
        place,
        heard_at: w.heard_at.map(corridor_ledger::time::format),
    })
}

/// Whether a vessel whose arrival counts has been heard since in another
/// area of the corridor (a port approach) or out of the corridor. Only in
/// the corridor's lanes, with no area, is not away: a vessel at anchor
/// that drifts over the edge of its area stays where it was.
fn away(
    app: &Application,
    known: &HashMap<u32, Whereabouts>,
    cap: &corridor_planner::CapacityConfig,
) -> bool {
    let (Some(arrival), Some(mmsi)) = (&app.area_arrival, crate::arrivals::mmsi_of(app)) else {
        return false;
    };
    let Some(w) = known.get(&mmsi) else {
        return false;
    };
    let elsewhere = match &w.area {
        // Not a place any inspection area names (`area_at`, as arrivals are matched).
        Some(a) => cap.area_at(a).is_none(),
        None => !w.in_corridor,
    };
    w.heard_at.is_some_and(|t| t > arrival.at) && elsewhere
}
