//! The inspection and the vessel's movement: schedule, record, depart,
//! arrive, close, expire.

use super::*;

/// When the inspection is to take place.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleRequest {
    /// RFC 3339 time (e.g. `2022-11-03T10:00:00Z`), not in the past.
    #[schema(value_type = String)]
    pub at: jiff::Timestamp,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/inspection/schedule", tag = "inspections", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")), request_body = ScheduleRequest,
    responses((status = 200, body = Object, description = "the status page"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn schedule_inspection(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ScheduleRequest>,
) -> ApiResult {
    visible_app(&s, &caller, &id).await?;
    let cap = s.capacity();
    let tz = crate::inspections::centre_tz(cap)?;
    let now = s.now().await;
    s.execute_if(
        &caller.actor,
        Command::ScheduleInspection {
            application_id: id.clone(),
            at: req.at,
        },
        |c| {
            let why = c
                .applications
                .get(&id)
                .and_then(|app| crate::inspections::requeue_problem(app, req.at, cap, &tz));
            if let Some(why) = why {
                return Err(ServiceError::Conflict(format!(
                    "cannot book the inspection at {}: {why}",
                    corridor_ledger::time::format(req.at)
                )));
            }
            // As a plan does: a team boards only a vessel whose agent has
            // declared it ready (holds ventilated, gas free, equipment and
            // papers aboard). A booking by hand skipped that (session 25's
            // review of a day at the centre).
            if let Some(app) = c.applications.get(&id)
                && app.waiting_for_inspection()
                && app.ready_at.is_none()
            {
                return Err(ServiceError::Conflict(format!(
                    "cannot book the inspection of {id} ({}): its agent has not declared it ready for inspection \
                     (POST /api/v1/applications/{id}/readiness)",
                    app.content.vessel.name
                )));
            }
            // Nor before it is there, as a plan does not: its declared ETA
            // stands until its arrival is recorded (session 25's review).
            if let Some(app) = c.applications.get(&id)
                && app.waiting_for_inspection()
                && app.area_arrival.is_none()
                && req.at < app.content.eta_inspection_area
            {
                return Err(ServiceError::Conflict(format!(
                    "cannot book the inspection of {id} ({}) at {}: it is expected at the inspection area only at {} \
                     (its declared ETA); if it is there earlier, record its arrival first",
                    app.content.vessel.name,
                    corridor_ledger::time::format(req.at),
                    corridor_ledger::time::format(app.content.eta_inspection_area)
                )));
            }
            // Once the day's plan is with the parties or approved, a
            // booking by hand needs a team that plan leaves free.
            crate::inspections::refuse_crowded_booking(&s, c, now, &id, req.at)
        },
    )
    .await?;
    status_of(&s, &caller, &id).await
}

/// The joint inspection team's finding.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionRequest {
    /// `{"result":"passed"}`, `{"result":"not_ready","reason_code":…,"text":…}` or `{"result":"non_compliant","reason_code":…,"text":…}`.
    #[schema(value_type = Object)]
    pub outcome: corridor_clearance::InspectionOutcome,
    /// Ids of the inspection checklist's items the team confirmed
    /// (`GET /api/v1/corridor` lists them); a pass needs every one.
    #[serde(default)]
    pub checked: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/inspection", tag = "inspections", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")), request_body = InspectionRequest,
    responses((status = 200, body = Object, description = "the status page"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn record_inspection(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<InspectionRequest>,
) -> ApiResult {
    visible_app(&s, &caller, &id).await?;
    s.execute(
        &caller.actor,
        Command::RecordInspection {
            application_id: id.clone(),
            outcome: req.outcome,
            checked: req.checked,
        },
    )
    .await?;
    status_of(&s, &caller, &id).await
}

/// Why the vessel is to be inspected.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequireInspectionRequest {
    /// The cause (public once logged; the agent is told it).
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/inspection/require", tag = "inspections", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")), request_body = RequireInspectionRequest,
    responses((status = 200, body = Object, description = "the status page; the vessel waits for an inspection once approved (now, if it is; a second one, if it passed one)"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn require_inspection(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<RequireInspectionRequest>,
) -> ApiResult {
    movement(
        &s,
        &caller,
        id.clone(),
        Command::RequireInspection {
            application_id: id,
            reason: req.reason,
        },
    )
    .await
}

async fn movement(s: &Service, caller: &Caller, id: String, command: Command) -> ApiResult {
    visible_app(s, caller, &id).await?;
    s.execute(&caller.actor, command).await?;
    status_of(s, caller, &id).await
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/depart", tag = "inspections", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")),
    responses((status = 200, body = Object, description = "the status page"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn depart(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    movement(
        &s,
        &caller,
        id.clone(),
        Command::Depart { application_id: id },
    )
    .await
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/arrive", tag = "inspections", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")),
    responses((status = 200, body = Object, description = "the status page"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn arrive(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    movement(
        &s,
        &caller,
        id.clone(),
        Command::Arrive { application_id: id },
    )
    .await
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/close", tag = "inspections", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")),
    responses((status = 200, body = Object, description = "the status page"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn close(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    movement(
        &s,
        &caller,
        id.clone(),
        Command::Close { application_id: id },
    )
    .await
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/expire", tag = "inspections", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")),
    responses((status = 200, body = Object, description = "the status page"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn expire(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    movement(
        &s,
        &caller,
        id.clone(),
        Command::Expire { application_id: id },
    )
    .await
}
