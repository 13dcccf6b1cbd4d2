//! Applications: what the caller may see, the application's content, its
//! submission, status, eligibility, documents and withdrawal.

use super::*;

fn not_found() -> ServiceError {
    ServiceError::NotFound("no such application".into())
}

/// The application, if the caller may at least see its status; otherwise 404.
pub(crate) async fn visible_app(
    service: &Service,
    caller: &Caller,
    id: &str,
) -> Result<Application, ServiceError> {
    let app = service.application(id).await.ok_or_else(not_found)?;
    can(
        &caller.actor,
        Action::ReadApplicationStatus,
        Resource::Application {
            company: &app.company,
        },
    )
    .map_err(|_| not_found())?;
    Ok(app)
}

/// The caller's view of an application: its full content if they may read it.
pub(crate) async fn readable_app(
    service: &Service,
    caller: &Caller,
    id: &str,
) -> Result<Application, ServiceError> {
    let app = visible_app(service, caller, id).await?;
    can(
        &caller.actor,
        Action::ReadApplication,
        Resource::Application {
            company: &app.company,
        },
    )
    .map_err(|_| not_found())?;
    Ok(app)
}

pub(super) async fn status_of(service: &Service, caller: &Caller, id: &str) -> ApiResult {
    let now = service.now().await;
    let page = service
        .clearance()
        .await
        .status_page(&caller.actor, id, now)?;
    ok(&page)
}

pub(crate) fn app_body(app: &Application, checklist: &[corridor_clearance::CheckItem]) -> Value {
    json!({
        "id": app.id,
        "company": app.company,
        "status": app.status,
        "content_hash": app.content_hash,
        "content": app.content,
        "created_at": corridor_ledger::time::format(app.created_at),
        "submitted_at": app.submitted_at.map(corridor_ledger::time::format),
        "updated_at": corridor_ledger::time::format(app.updated_at),
        "readiness": app.readiness,
        "ready_at": app.ready_at.map(corridor_ledger::time::format),
        "not_ready_count": app.not_ready_count,
        "not_ready_at": app.not_ready_at.map(corridor_ledger::time::format),
        "inspection_at": app.inspection_at.map(corridor_ledger::time::format),
        // When it reached the inspection area (seen by tracking or recorded
        // by the coordinator): the queue counts its place from then.
        "area_arrival": app.area_arrival,
        "cleared_on_papers": app.cleared_on_papers,
        // The version the last amendment replaced (every decision on it
        // voided): what changed is there to be seen.
        "amended_from": app.before_amendment.as_ref().map(|r| json!({
            "at": corridor_ledger::time::format(r.at),
            "content_hash": r.content_hash,
            "content": r.content,
        })),
        // Why an inspection was required (the coordinator's words, or a
        // cause carried from the vessel's earlier application), and when.
        "inspection_cause": app.inspection_cause.as_ref().map(|c| &c.reason),
        "inspection_required_at": app.inspection_cause.as_ref().map(|c| corridor_ledger::time::format(c.at)),
        "last_inspection": app.last_inspection.as_ref().map(|last| json!({
            "outcome": last.outcome,
            "recorded_at": corridor_ledger::time::format(last.at),
            "checked": last.checked,
            // What the agent must put right, in the checklist's words.
            "not_confirmed": checklist.iter()
                .filter(|i| !last.checked.contains(&i.id))
                .map(|i| i.label.as_str())
                .collect::<Vec<_>>(),
        })),
    })
}

/// One line of the application list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationSummary {
    /// Tracking number.
    pub id: String,
    /// Owning company.
    pub company: String,
    /// Status (`draft`, `submitted`, `under_review`, `held`, `approved`, …).
    pub status: String,
    /// Vessel name.
    pub vessel: String,
    /// IMO number.
    pub imo: String,
    /// Content hash of the current version.
    pub content_hash: String,
    /// When the agent declared the vessel ready for inspection (RFC 3339), if it stands.
    pub ready_at: Option<String>,
    /// When its inspection is scheduled (RFC 3339), by an approved plan or the coordinator.
    pub inspection_at: Option<String>,
    /// Why a vessel awaiting inspection has no standing booking, when it
    /// has none (a stoppage stopped it, or its time passed without a
    /// result): the coordinator may book it again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebook: Option<String>,
    /// Approved and free to sail without an inspection (a corridor that
    /// inspects on cause, no cause given).
    pub cleared_on_papers: bool,
    /// Why an inspection was required, where the corridor inspects on cause.
    pub inspection_cause: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/applications", tag = "applications", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApplicationSummary>), (status = "4XX", body = ErrorBody)))]
pub(super) async fn list_applications(State(s): Svc, caller: Caller) -> ApiResult {
    can(&caller.actor, Action::ListApplications, Resource::Corridor)
        .map_err(|_| ServiceError::Forbidden)?;
    let now = s.now().await;
    let clearance = s.clearance().await;
    // The rule the machine books again by (decide.rs, ScheduleInspection).
    let rebook = |a: &corridor_clearance::machine::Application| {
        if a.status != corridor_clearance::machine::Status::AwaitingInspection {
            return None;
        }
        if let Some(stop) = clearance.booking_stopped_by(a) {
            return Some(format!("its booking was stopped by {}", stop.id));
        }
        a.inspection_at
            .is_none_or(|t| t < now)
            .then(|| "its booked time passed without a result".to_string())
    };
    let list: Vec<ApplicationSummary> = clearance
        .visible_applications(&caller.actor)
        .into_iter()
        .map(|a| ApplicationSummary {
            rebook: rebook(a),
            cleared_on_papers: a.cleared_on_papers,
            inspection_cause: a.inspection_cause.as_ref().map(|c| c.reason.clone()),
            id: a.id.clone(),
            company: a.company.clone(),
            status: a.status.name(),
            vessel: a.content.vessel.name.clone(),
            imo: a.content.vessel.imo.clone(),
            content_hash: a.content_hash.to_hex(),
            ready_at: a.ready_at.map(corridor_ledger::time::format),
            inspection_at: a.inspection_at.map(corridor_ledger::time::format),
        })
        .collect();
    ok(&list)
}

/// An application's content (see `ApplicationContent`: vessel, itinerary,
/// cargo, crew_count, passenger_count, last_port_calls, eta_inspection_area, documents).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContentRequest {
    /// The content.
    #[schema(value_type = Object)]
    pub content: corridor_clearance::ApplicationContent,
}

#[utoipa::path(post, path = "/api/v1/applications", tag = "applications", security(("bearer" = [])), request_body = ContentRequest,
    responses((status = 201, body = Object, description = "the draft"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn create_application(
    State(s): Svc,
    caller: Caller,
    ApiJson(req): ApiJson<ContentRequest>,
) -> ApiResult {
    let company = match &caller.actor.role {
        Role::Agent { company } => company.clone(),
        _ => return Err(ServiceError::Forbidden),
    };
    let event = s
        .execute(
            &caller.actor,
            Command::CreateDraft {
                company,
                content: req.content,
            },
        )
        .await?;
    let id = event.application_id().unwrap_or_default().to_string();
    let app = readable_app(&s, &caller, &id).await?;
    json_response(
        StatusCode::CREATED,
        &app_body(&app, &s.config().inspection.checklist),
    )
}

#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")),
    responses((status = 200, body = Object), (status = "4XX", body = ErrorBody)))]
pub(super) async fn get_application(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    let app = readable_app(&s, &caller, &id).await?;
    ok(&app_body(&app, &s.config().inspection.checklist))
}

#[utoipa::path(put, path = "/api/v1/applications/{id}", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")), request_body = ContentRequest,
    responses((status = 200, body = Object, description = "a draft is updated; an application in review is amended (every decision is voided)"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn update_application(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ContentRequest>,
) -> ApiResult {
    let app = visible_app(&s, &caller, &id).await?;
    let command = if app.status == corridor_clearance::Status::Draft {
        Command::UpdateDraft {
            application_id: id.clone(),
            content: req.content,
        }
    } else {
        Command::Amend {
            application_id: id.clone(),
            content: req.content,
        }
    };
    s.execute(&caller.actor, command).await?;
    let app = readable_app(&s, &caller, &id).await?;
    ok(&app_body(&app, &s.config().inspection.checklist))
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/submit", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")),
    responses((status = 200, body = Object, description = "the status page"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn submit(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    visible_app(&s, &caller, &id).await?;
    s.execute(
        &caller.actor,
        Command::Submit {
            application_id: id.clone(),
        },
    )
    .await?;
    status_of(&s, &caller, &id).await
}

#[utoipa::path(get, path = "/api/v1/applications/{id}/status", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")),
    responses((status = 200, body = Object, description = "status, and per party its decision, deadline and whether it is overdue"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn status_page(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    status_of(&s, &caller, &id).await
}

/// Whether the application, submitted now, would be eligible; every failure says why.
#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityBody {
    /// No reasons.
    pub eligible: bool,
    /// Each failure: `code`, `message` and the figures.
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Value>,
}

#[utoipa::path(get, path = "/api/v1/applications/{id}/eligibility", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")),
    responses((status = 200, body = EligibilityBody), (status = "4XX", body = ErrorBody)))]
pub(super) async fn eligibility(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    let app = readable_app(&s, &caller, &id).await?;
    let at = app.submitted_at.unwrap_or(s.now().await);
    let mut body = eligibility_body(&app.content, s.config(), at);
    // A draft whose vessel another live application holds would be refused
    // on submission: said here, where the agent looks before submitting.
    if let Some(e) = s.clearance().await.vessel_taken(&id) {
        body.reasons
            .push(json!({"code": "vessel_taken", "message": e.to_string()}));
        body.eligible = false;
    }
    ok(&body)
}

/// The corridor's rules applied to `content` as if submitted at `at`.
fn eligibility_body(
    content: &corridor_clearance::ApplicationContent,
    config: &corridor_clearance::CorridorConfig,
    at: jiff::Timestamp,
) -> EligibilityBody {
    let reasons: Vec<Value> = match check_eligibility(content, config, at) {
        Ok(()) => Vec::new(),
        Err(rs) => rs
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
                if let Some(o) = v.as_object_mut() {
                    o.insert("message".into(), Value::String(r.to_string()));
                }
                v
            })
            .collect(),
    };
    EligibilityBody {
        eligible: reasons.is_empty(),
        reasons,
    }
}

/// A dry run: the rules (public, like the configuration they come from)
/// applied to content that is not saved, as if submitted now, so the form
/// shows the server's verdict while it is filled.
#[utoipa::path(post, path = "/api/v1/eligibility", tag = "applications", request_body = ContentRequest,
    responses((status = 200, body = EligibilityBody), (status = "4XX", body = ErrorBody)))]
pub(super) async fn eligibility_dry_run(
    State(s): Svc,
    ApiJson(req): ApiJson<ContentRequest>,
) -> ApiResult {
    let now = s.now().await;
    ok(&eligibility_body(&req.content, s.config(), now))
}

/// Which checklist item an upload is.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// Checklist kind (e.g. `crew_list`).
    pub kind: String,
    /// Original file name.
    pub filename: String,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/documents", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number"), UploadQuery),
    request_body(content = String, content_type = "application/octet-stream", description = "the file"),
    responses((status = 201, body = Object, description = "the application with the document attached"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn upload_document(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    body: Body,
) -> ApiResult {
    let app = visible_app(&s, &caller, &id).await?;
    can(
        &caller.actor,
        Action::EditApplication,
        Resource::Application {
            company: &app.company,
        },
    )
    .map_err(|_| ServiceError::Forbidden)?;
    // Said before the file is read (up to the limit): an application that
    // takes no documents now refuses at once, as `attach_document` would.
    let status = app.status;
    if !(status == corridor_clearance::machine::Status::Draft || status.in_review()) {
        return Err(ServiceError::Conflict(format!(
            "documents cannot be added to an application that is {}",
            status.words()
        )));
    }
    // So is a kind at its bound on stored versions (checked again when
    // the file is stored).
    s.room_for_a_file(&id, &q.kind).await?;
    let max = s.config().documents.max_file_bytes;
    let limit = usize::try_from(max).unwrap_or(usize::MAX);
    let bytes = axum::body::to_bytes(body, limit.saturating_add(1))
        .await
        .map_err(|_| {
            ServiceError::TooLarge(format!(
                "document {} is larger than the limit of {max} bytes ({})",
                q.filename,
                corridor_clearance::application::mib(max)
            ))
        })?;
    s.attach_document(&caller.actor, &id, &q.kind, &q.filename, bytes.to_vec())
        .await?;
    let app = readable_app(&s, &caller, &id).await?;
    json_response(
        StatusCode::CREATED,
        &app_body(&app, &s.config().inspection.checklist),
    )
}

#[utoipa::path(get, path = "/api/v1/applications/{id}/documents/{sha256}", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number"), ("sha256" = String, Path, description = "the file's SHA-256 (hex)")),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn download_document(
    State(s): Svc,
    caller: Caller,
    ApiPath((id, sha256)): ApiPath<(String, String)>,
) -> ApiResult {
    readable_app(&s, &caller, &id).await?;
    let doc = s
        .db()
        .document(&id, &sha256.to_ascii_lowercase())
        .await?
        .ok_or_else(|| ServiceError::NotFound("no such document".into()))?;
    // The bytes must still be the ones logged: never serve an altered file.
    if corridor_ledger::Hash::of(&doc.content).to_hex() != doc.sha256 {
        return Err(ServiceError::Tampered(format!(
            "document {} of {id} does not match its SHA-256 {}",
            doc.filename, doc.sha256
        )));
    }
    let mut resp = Response::new(Body::from(doc.content));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    Ok(resp)
}

/// Why the agent withdraws.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawRequest {
    /// Free text.
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/withdraw", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")), request_body = WithdrawRequest,
    responses((status = 200, body = Object, description = "the status page"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn withdraw(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<WithdrawRequest>,
) -> ApiResult {
    visible_app(&s, &caller, &id).await?;
    s.execute(
        &caller.actor,
        Command::Withdraw {
            application_id: id.clone(),
            reason: req.reason,
        },
    )
    .await?;
    status_of(&s, &caller, &id).await
}
