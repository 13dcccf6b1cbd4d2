//! The clearance routes (nested by the server under `/api/v1`).
//!
//! Handlers are thin: extract the caller, check role and ownership
//! ([`corridor_clearance::can`], directly or inside `Clearance::execute`),
//! call the [`Service`], shape the answer. An application the caller may not
//! see answers 404 exactly like one that does not exist.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use corridor_clearance::{
    Action, Actor, Application, Command, Resource, Role, can, check_eligibility,
};
use corridor_ledger::{Endorsement, Hash, KeyId, PublicKey, Signature, SignedDecision};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ErrorBody, ServiceError};
use crate::service::Service;

pub(crate) type Svc = State<Arc<Service>>;
pub(crate) type ApiResult = Result<Response, ServiceError>;

/// The clearance API over `service`, with its own state; nest it under `/api/v1`.
pub fn router_for(service: Arc<Service>) -> Router {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/auth/login", post(login))
        .route("/auth/me", get(me))
        .route("/auth/tokens", get(list_tokens).post(create_token))
        .route("/auth/tokens/{token_id}", delete(revoke_token))
        .route("/users", get(list_users).post(create_user))
        .route(
            "/applications",
            get(list_applications).post(create_application),
        )
        .route(
            "/applications/{id}",
            get(get_application).put(update_application),
        )
        .route("/applications/{id}/submit", post(submit))
        .route("/applications/{id}/status", get(status_page))
        .route("/applications/{id}/eligibility", get(eligibility))
        .route("/eligibility", post(eligibility_dry_run))
        .route(
            "/applications/{id}/documents",
            // The size limit is checked by the handler, with a JSON 413.
            post(upload_document).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/applications/{id}/documents/{sha256}",
            get(download_document),
        )
        .route("/applications/{id}/review", post(start_review))
        .route("/applications/{id}/decisions", post(decide))
        .route(
            "/applications/{id}/holds/{party}/release",
            post(release_hold),
        )
        .route("/applications/{id}/withdraw", post(withdraw))
        .route(
            "/applications/{id}/inspection/schedule",
            post(schedule_inspection),
        )
        .route("/applications/{id}/inspection", post(record_inspection))
        .route("/applications/{id}/depart", post(depart))
        .route("/applications/{id}/arrive", post(arrive))
        .route("/applications/{id}/close", post(close))
        .route("/applications/{id}/expire", post(expire))
        .route("/corridor", get(corridor_state))
        .route("/corridor/suspend", post(suspend))
        .route("/corridor/resume", post(resume))
        .route("/parties/keys", get(party_keys))
        .route("/parties/{party}/keys", post(register_key))
        .route("/log/checkpoint", get(checkpoint))
        .route("/log/entries/{seq}/proof", get(inclusion_proof))
        .route("/log/consistency", get(consistency_proof))
        .route("/log/export", get(export))
        .route("/accountability", get(accountability))
        .merge(crate::inspections::routes())
        .merge(crate::alerts::routes())
        .merge(crate::stoppages::routes())
        .merge(crate::arrivals::routes())
        .with_state(service)
        .layer(axum::middleware::from_fn(ask_to_sign_in))
}

/// A refusal by role to a request that carried no token is a 401 with
/// `WWW-Authenticate: Bearer`: what is missing is signing in, not
/// permission (RFC 9110 §15.5.2). It keeps the refusal's words, which say
/// who may (hostile review, 2026-11-30: the public was told 403).
async fn ask_to_sign_in(req: Request, next: axum::middleware::Next) -> Response {
    let anonymous = !req.headers().contains_key(header::AUTHORIZATION);
    let res = next.run(req).await;
    if !anonymous || res.status() != StatusCode::FORBIDDEN {
        return res;
    }
    let bytes = axum::body::to_bytes(res.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let said = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| "not permitted".into());
    let mut out = corridor_http::error_response(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        &format!("sign in first ({said})"),
        None,
    );
    out.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    out
}

// ---- extractors: every rejection is a JSON error ----

/// A JSON body; a malformed one is a 400/422 JSON error.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

/// axum's default limit on a request body (`DefaultBodyLimit`), as said.
const JSON_BODY_LIMIT_TEXT: &str = "2 MiB";

/// The routes the public may send a body to: signing in, and checking an
/// application's eligibility before applying.
const PUBLIC_BODIES: [&str; 2] = ["/auth/login", "/eligibility"];

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ServiceError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Who may send it comes before what is wrong with it: the public
        // was told what was wrong with a body it may not send at all (a
        // 422 where signing in was what was missing; open finding 35).
        let public = req
            .extensions()
            .get::<axum::extract::MatchedPath>()
            .map(|p| p.as_str())
            .is_some_and(|p| {
                let p = p.strip_prefix("/api/v1").unwrap_or(p);
                PUBLIC_BODIES.contains(&p)
            });
        if !public && !req.headers().contains_key(header::AUTHORIZATION) {
            return Err(ServiceError::Unauthorized(format!(
                "sign in first: only signed-in users may send {} here",
                req.method()
            )));
        }
        // No body at all is a missing body (400), not one of the wrong type.
        let h = req.headers();
        if !h.contains_key(header::CONTENT_TYPE)
            && h.get(header::CONTENT_LENGTH).is_none_or(|v| v == "0")
            && !h.contains_key(header::TRANSFER_ENCODING)
        {
            return Err(ServiceError::BadRequest(
                "the request has no body: send it as JSON, with content-type: application/json"
                    .into(),
            ));
        }
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => Err(
                ServiceError::Unprocessable(plain_json_error(&e.body_text())),
            ),
            // axum's own words name neither the limit nor the fix.
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ServiceError::TooLarge(
                format!("the request body is larger than the limit of {JSON_BODY_LIMIT_TEXT}"),
            )),
            Err(e) if e.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                Err(ServiceError::UnsupportedMediaType(
                    "send the body as JSON, with content-type: application/json".into(),
                ))
            }
            Err(e) => Err(ServiceError::BadRequest(e.body_text())),
        }
    }
}

/// A JSON body's rejection in the client's terms: the field and what it
/// should be, without the server's type names (`expected struct
/// LoginRequest with 3 elements` says nothing to a caller).
pub(crate) fn plain_json_error(text: &str) -> String {
    let text = text
        .strip_prefix("Failed to deserialize the JSON body into the target type: ")
        .unwrap_or(text);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let words: [(&str, &str); 3] = [
        (
            "expected internally tagged enum ",
            "expected an object with its kind named",
        ),
        ("expected struct ", "expected an object"),
        ("expected enum ", "expected one of the documented values"),
    ];
    'scan: while !rest.is_empty() {
        for (from, to) in words {
            if let Some(tail) = rest.strip_prefix(from) {
                out.push_str(to);
                // Skip the type name and a tuple-style "with N elements".
                let tail = tail.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_');
                rest = match tail.strip_prefix(" with ") {
                    Some(t) if t.split_once(" element").is_some() => t
                        .split_once(" element")
                        .map_or(t, |(_, r)| r.trim_start_matches('s')),
                    _ => tail,
                };
                continue 'scan;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    // With the range: a number too large is a whole number all the same
    // (open finding 35: it was told "expected a whole number, 0 or more").
    let mut out = out
        .replace("invalid type: sequence", "invalid type: an array")
        .replace("invalid type: map", "invalid type: an object");
    for (ty, range) in [
        ("u8", "from 0 to 255"),
        ("u16", "from 0 to 65535"),
        ("u32", "from 0 to 4294967295"),
        ("u64", "from 0 to 18446744073709551615"),
        ("i32", "from -2147483648 to 2147483647"),
        ("i64", "from -9223372036854775808 to 9223372036854775807"),
    ] {
        out = out.replace(
            &format!("expected {ty}"),
            &format!("expected a whole number {range}"),
        );
    }
    out
}

/// Query and path parameters whose rejections are the shared JSON error.
pub use corridor_http::{ApiPath, ApiQuery};

/// Who is calling: the public without a token, a user with a valid one.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The actor for authorisation and the log.
    pub actor: Actor,
    /// The user id, when logged in.
    pub user_id: Option<String>,
    /// The user name, when logged in.
    pub username: Option<String>,
    /// The id of the token the call came with, when logged in.
    pub token_id: Option<String>,
}

impl FromRequestParts<Arc<Service>> for Caller {
    type Rejection = ServiceError;
    async fn from_request_parts(
        parts: &mut Parts,
        service: &Arc<Service>,
    ) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Ok(Caller {
                actor: Actor::new("public", Role::Public),
                user_id: None,
                username: None,
                token_id: None,
            });
        };
        let token = value
            .to_str()
            .ok()
            // The scheme is case-insensitive (RFC 9110 §11.1).
            .and_then(|v| {
                v.split_once(' ')
                    .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            })
            .map(|(_, t)| t.trim())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ServiceError::Unauthorized("expected Authorization: Bearer <token>".into())
            })?;
        let (user, actor, token_id) = service.authenticate(token).await?;
        Ok(Caller {
            actor,
            user_id: Some(user.id),
            username: Some(user.username),
            token_id: Some(token_id),
        })
    }
}

pub(crate) fn json_response<T: Serialize>(status: StatusCode, body: &T) -> ApiResult {
    let value = serde_json::to_value(body).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok((status, Json(value)).into_response())
}

pub(crate) fn ok<T: Serialize>(body: &T) -> ApiResult {
    json_response(StatusCode::OK, body)
}

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

async fn status_of(service: &Service, caller: &Caller, id: &str) -> ApiResult {
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

// ---- OpenAPI ----

async fn openapi() -> Response {
    Json(openapi_document()).into_response()
}

// ---- auth ----

/// Password login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
    /// A label for the token (e.g. the device).
    #[serde(default)]
    pub label: Option<String>,
}

/// A new bearer token (shown once; only its SHA-256 is stored).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenBody {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Its id (to revoke it).
    pub token_id: String,
    /// Its label.
    pub label: String,
    /// When it stops working (RFC 3339 UTC).
    pub expires_at: String,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenBody), (status = "4XX", body = ErrorBody)))]
async fn login(
    State(s): Svc,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult {
    let label = req.label.unwrap_or_else(|| "login".into());
    let t = s
        .login(&req.username, &req.password, &label, client)
        .await?;
    ok(&token_body(t))
}

fn token_body(t: crate::auth::NewToken) -> TokenBody {
    TokenBody {
        token: t.token,
        token_id: t.row.token_id,
        label: t.row.label,
        expires_at: t.row.expires_at.unwrap_or_default(),
    }
}

/// Who the caller is.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeBody {
    /// Actor id as written to the log.
    pub actor: String,
    /// The role (`{"role":"agent","company":…}`, `{"role":"delegate","party":…}`, …).
    #[schema(value_type = Object)]
    pub role: Role,
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeBody), (status = "4XX", body = ErrorBody)))]
async fn me(caller: Caller) -> ApiResult {
    require_user(&caller)?;
    ok(&MeBody {
        actor: caller.actor.id,
        role: caller.actor.role,
    })
}

/// A token as listed (never the secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    /// Id.
    pub token_id: String,
    /// Label.
    pub label: String,
    /// Created.
    pub created_at: String,
    /// Revoked, if it was.
    pub revoked_at: Option<String>,
    /// When it stops working (`null`: issued before tokens expired; it no longer works).
    pub expires_at: Option<String>,
    /// The token it was minted with, if any.
    pub parent_token_id: Option<String>,
}

/// Who the client is (through trusted proxies only): the login limiter's key.
pub use corridor_http::ClientAddr;

/// The signed-in user; without a token that is 401 (sign in), not 403.
fn require_user(caller: &Caller) -> Result<&str, ServiceError> {
    caller.user_id.as_deref().ok_or_else(|| {
        ServiceError::Unauthorized("sign in first: send Authorization: Bearer <token>".into())
    })
}

#[utoipa::path(get, path = "/api/v1/auth/tokens", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenInfo>), (status = "4XX", body = ErrorBody)))]
async fn list_tokens(State(s): Svc, caller: Caller) -> ApiResult {
    let user = require_user(&caller)?;
    let rows = s.db().tokens_of(user).await?;
    let list: Vec<TokenInfo> = rows
        .into_iter()
        .map(|r| TokenInfo {
            token_id: r.token_id,
            label: r.label,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
            expires_at: r.expires_at,
            parent_token_id: r.parent_token_id,
        })
        .collect();
    ok(&list)
}

/// The caller's own password, asked again before something that outlives
/// their token (a script token, an account): checked and rate-limited like
/// a login. A wrong one is the request's fault, not the token's: 422 naming
/// `field`, so a client does not take it for a dead session (401).
async fn confirm_password(
    s: &Service,
    caller: &Caller,
    password: &str,
    client: Option<std::net::IpAddr>,
    field: &str,
) -> Result<(), ServiceError> {
    let user = require_user(caller)?;
    let username = caller
        .actor
        .id
        .strip_prefix("user:")
        .ok_or(ServiceError::Forbidden)?;
    let confirmed = s
        .check_credentials(username, password, client)
        .await
        .map_err(|e| match e {
            ServiceError::Unauthorized(_) => {
                ServiceError::Unprocessable(format!("{field}: not this user's password"))
            }
            other => other,
        })?;
    if confirmed.id != user {
        return Err(ServiceError::Forbidden);
    }
    Ok(())
}

/// A new token for scripts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenRequest {
    /// The user's password, again: a token alone (a stolen browser's) cannot
    /// mint one that outlives it.
    pub password: String,
    /// Label (e.g. `ci`, `laptop`).
    #[serde(default)]
    pub label: Option<String>,
    /// Lifetime in days (default 30, at most 365).
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/auth/tokens", tag = "auth", security(("bearer" = [])), request_body = NewTokenRequest,
    responses((status = 201, body = TokenBody, description = "the token; revoking the token it was made with revokes it too"), (status = "4XX", body = ErrorBody)))]
async fn create_token(
    State(s): Svc,
    caller: Caller,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<NewTokenRequest>,
) -> ApiResult {
    let user = require_user(&caller)?;
    confirm_password(&s, &caller, &req.password, client, "password").await?;
    let (default_days, max_days) = crate::auth::API_TOKEN_DAYS;
    let days = req.expires_in_days.unwrap_or(default_days);
    if !(1..=max_days).contains(&days) {
        return Err(ServiceError::Unprocessable(format!(
            "expires_in_days: 1 to {max_days}, not {days}"
        )));
    }
    let t = s
        .issue_token(
            user,
            req.label.as_deref().unwrap_or("api"),
            jiff::SignedDuration::from_hours(days * 24),
            caller.token_id.as_deref(),
        )
        .await?;
    json_response(StatusCode::CREATED, &token_body(t))
}

#[utoipa::path(delete, path = "/api/v1/auth/tokens/{token_id}", tag = "auth", security(("bearer" = [])),
    params(("token_id" = String, Path, description = "token id")),
    responses((status = 204, description = "revoked"), (status = "4XX", body = ErrorBody)))]
async fn revoke_token(
    State(s): Svc,
    caller: Caller,
    ApiPath(token_id): ApiPath<String>,
) -> ApiResult {
    let user = require_user(&caller)?;
    let at = corridor_ledger::time::format(s.now().await);
    if s.db().revoke_token(user, &token_id, &at).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ServiceError::NotFound("no such token".into()))
    }
}

/// A new user (admin only).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    /// User name.
    pub username: String,
    /// Initial password: at least 12 characters, not containing the user
    /// name, not a common password.
    pub password: String,
    /// `{"role":"agent","company":…}`, `{"role":"delegate","party":…}`, `{"role":"inspector"}`, `{"role":"coordinator"}` or `{"role":"admin"}`.
    #[schema(value_type = Object)]
    pub role: Role,
    /// The administrator's own password, again: a token alone (a stolen
    /// browser's) cannot make an account that outlives it.
    pub admin_password: String,
}

#[utoipa::path(post, path = "/api/v1/users", tag = "auth", security(("bearer" = [])), request_body = NewUserRequest,
    responses((status = 201, body = Object), (status = "4XX", body = ErrorBody)))]
async fn create_user(
    State(s): Svc,
    caller: Caller,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<NewUserRequest>,
) -> ApiResult {
    can(&caller.actor, Action::ManageUsers, Resource::Users)
        .map_err(|_| ServiceError::Forbidden)?;
    confirm_password(&s, &caller, &req.admin_password, client, "admin_password").await?;
    s.create_user(&req.username, &req.password, &req.role)
        .await?;
    json_response(
        StatusCode::CREATED,
        &json!({"username": req.username, "role": req.role}),
    )
}

/// A user as the administrator sees it (never a password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserBody {
    /// User name.
    pub username: String,
    /// Role, as `POST /users` takes it (`{"role": "agent", "company": …}`, `{"role": "coordinator"}`, …).
    #[schema(value_type = Object)]
    pub role: Role,
    /// When the account was made (RFC 3339).
    pub created_at: String,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserBody>, description = "every account, by user name"), (status = "4XX", body = ErrorBody)))]
async fn list_users(State(s): Svc, caller: Caller) -> ApiResult {
    can(&caller.actor, Action::ManageUsers, Resource::Users)
        .map_err(|_| ServiceError::Forbidden)?;
    let users = s.db().users().await?;
    let body: Vec<UserBody> = users
        .into_iter()
        .map(|(username, role, created_at)| {
            let role = serde_json::from_str(&role)
                .map_err(|e| ServiceError::Internal(format!("role of {username}: {e}")))?;
            Ok(UserBody {
                username,
                role,
                created_at,
            })
        })
        .collect::<Result<_, ServiceError>>()?;
    ok(&body)
}

// ---- applications ----

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
}

#[utoipa::path(get, path = "/api/v1/applications", tag = "applications", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApplicationSummary>), (status = "4XX", body = ErrorBody)))]
async fn list_applications(State(s): Svc, caller: Caller) -> ApiResult {
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
async fn create_application(
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
async fn get_application(State(s): Svc, caller: Caller, ApiPath(id): ApiPath<String>) -> ApiResult {
    let app = readable_app(&s, &caller, &id).await?;
    ok(&app_body(&app, &s.config().inspection.checklist))
}

#[utoipa::path(put, path = "/api/v1/applications/{id}", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")), request_body = ContentRequest,
    responses((status = 200, body = Object, description = "a draft is updated; an application in review is amended (every decision is voided)"), (status = "4XX", body = ErrorBody)))]
async fn update_application(
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
async fn submit(State(s): Svc, caller: Caller, ApiPath(id): ApiPath<String>) -> ApiResult {
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
async fn status_page(State(s): Svc, caller: Caller, ApiPath(id): ApiPath<String>) -> ApiResult {
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
async fn eligibility(State(s): Svc, caller: Caller, ApiPath(id): ApiPath<String>) -> ApiResult {
    let app = readable_app(&s, &caller, &id).await?;
    let at = app.submitted_at.unwrap_or(s.now().await);
    ok(&eligibility_body(&app.content, s.config(), at))
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
async fn eligibility_dry_run(State(s): Svc, ApiJson(req): ApiJson<ContentRequest>) -> ApiResult {
    let now = s.now().await;
    ok(&eligibility_body(&req.content, s.config(), now))
}

/// Which checklist item an upload is.
#[derive(Debug, Deserialize, IntoParams)]
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
async fn upload_document(
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
async fn download_document(
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

#[utoipa::path(post, path = "/api/v1/applications/{id}/review", tag = "decisions", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")),
    responses((status = 200, body = Object, description = "the status page"), (status = "4XX", body = ErrorBody)))]
async fn start_review(State(s): Svc, caller: Caller, ApiPath(id): ApiPath<String>) -> ApiResult {
    visible_app(&s, &caller, &id).await?;
    s.execute(
        &caller.actor,
        Command::StartReview {
            application_id: id.clone(),
        },
    )
    .await?;
    status_of(&s, &caller, &id).await
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/decisions", tag = "decisions", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")),
    request_body(content = Object, description = "a signed decision as `corridor sign` writes it: {payload:{party, application_id, application_hash, decision, time, key_id}, signature}"),
    responses((status = 200, body = Object, description = "the status page, and `receipt`: {seq, entry_hash, leaf_hash, checkpoint (signed, `text` its signed-note form), proof} for the entry logged"), (status = "4XX", body = ErrorBody)))]
async fn decide(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(decision): ApiJson<SignedDecision>,
) -> ApiResult {
    visible_app(&s, &caller, &id).await?;
    // Say why, where saying it reveals nothing: a delegate signs for their
    // own party only.
    if let Role::Delegate { party } = &caller.actor.role
        && *party != decision.payload.party
    {
        return Err(ServiceError::ForbiddenRole(
            "a party's delegate records decisions for their own party only",
        ));
    }
    let signature = decision.signature;
    s.execute(
        &caller.actor,
        Command::Decide {
            application_id: id.clone(),
            decision,
        },
    )
    .await?;
    with_receipt(&s, &caller, &id, &signature).await
}

/// The status page with a receipt for the signed entry just logged
/// (`Service::receipt`): the party keeps proof of what the log holds.
async fn with_receipt(
    s: &Service,
    caller: &Caller,
    id: &str,
    signature: &corridor_ledger::Signature,
) -> ApiResult {
    let now = s.now().await;
    let page = s.clearance().await.status_page(&caller.actor, id, now)?;
    let mut v = serde_json::to_value(&page).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let (receipt, why) = s.receipt_or_reason(signature).await;
    if let Some(m) = v.as_object_mut() {
        m.insert("receipt".into(), receipt);
        if let Some(why) = why {
            m.insert("receipt_error".into(), Value::String(why));
        }
    }
    ok(&v)
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/holds/{party}/release", tag = "decisions", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number"), ("party" = String, Path, description = "party code")),
    request_body(content = Object, description = "the party's signed release: a SignedDecision whose decision is {\"kind\":\"release\"}"),
    responses((status = 200, body = Object, description = "the status page"), (status = "4XX", body = ErrorBody)))]
async fn release_hold(
    State(s): Svc,
    caller: Caller,
    ApiPath((id, party)): ApiPath<(String, String)>,
    ApiJson(decision): ApiJson<SignedDecision>,
) -> ApiResult {
    visible_app(&s, &caller, &id).await?;
    if decision.payload.party != party {
        return Err(ServiceError::Unprocessable(format!(
            "the release is signed by {}, not by {party}",
            decision.payload.party
        )));
    }
    if let Role::Delegate { party: own } = &caller.actor.role
        && *own != party
    {
        return Err(ServiceError::ForbiddenRole(
            "a party's delegate releases their own party's hold only",
        ));
    }
    let signature = decision.signature;
    s.execute(
        &caller.actor,
        Command::ReleaseHold {
            application_id: id.clone(),
            decision,
        },
    )
    .await?;
    with_receipt(&s, &caller, &id, &signature).await
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
async fn withdraw(
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
async fn schedule_inspection(
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
async fn record_inspection(
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

async fn movement(s: &Service, caller: &Caller, id: String, command: Command) -> ApiResult {
    visible_app(s, caller, &id).await?;
    s.execute(&caller.actor, command).await?;
    status_of(s, caller, &id).await
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/depart", tag = "inspections", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")),
    responses((status = 200, body = Object, description = "the status page"), (status = "4XX", body = ErrorBody)))]
async fn depart(State(s): Svc, caller: Caller, ApiPath(id): ApiPath<String>) -> ApiResult {
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
async fn arrive(State(s): Svc, caller: Caller, ApiPath(id): ApiPath<String>) -> ApiResult {
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
async fn close(State(s): Svc, caller: Caller, ApiPath(id): ApiPath<String>) -> ApiResult {
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
async fn expire(State(s): Svc, caller: Caller, ApiPath(id): ApiPath<String>) -> ApiResult {
    movement(
        &s,
        &caller,
        id.clone(),
        Command::Expire { application_id: id },
    )
    .await
}

// ---- corridor ----

/// The corridor's operating state.
#[derive(Debug, Serialize, ToSchema)]
pub struct CorridorBody {
    /// Corridor id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Where vessels are inspected.
    pub inspection_area: String,
    /// The ports the corridor serves, in the configuration's order, so an
    /// application form offers exactly these.
    pub ports: Vec<PortBody>,
    /// The parties whose approval decisions need, in the configuration's
    /// order.
    pub parties: Vec<PartyBody>,
    /// Suspended now.
    pub suspended: bool,
    /// Since when.
    pub suspended_since: Option<String>,
    /// Reason code.
    pub reason_code: Option<String>,
    /// The suspension's text.
    pub reason: Option<String>,
    /// The eligibility rules applications are checked against (notice,
    /// cargo, parcels, `max_port_calls`, `banned_port_calls`), so a form can
    /// check as it is filled.
    #[schema(value_type = Object)]
    pub eligibility: corridor_clearance::config::Eligibility,
    /// Overdue party decisions now.
    #[schema(value_type = Vec<Object>)]
    pub overdue: Vec<corridor_clearance::Overdue>,
    /// What an inspection confirms (`id`, `label`), in order.
    #[schema(value_type = Vec<Object>)]
    pub inspection_checklist: Vec<corridor_clearance::CheckItem>,
    /// The document checklist (`required`, `optional` kinds, and
    /// `max_file_bytes`), so a form offers exactly these.
    #[schema(value_type = Object)]
    pub documents: corridor_clearance::config::Documents,
}

/// A port the corridor serves.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortBody {
    /// UN/LOCODE.
    pub locode: String,
    /// The published name; the LOCODE itself for a port corridor does not
    /// know by name.
    pub name: String,
}

/// A party to the corridor.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyBody {
    /// Party code (as in actors, signatures and keys).
    pub code: String,
    /// Its name.
    pub name: String,
}

async fn corridor_body(s: &Service) -> ApiResult {
    let c = s.clearance().await;
    let now = s.now().await;
    let (since, reason) = match &c.corridor.suspended {
        Some((t, r)) => (Some(corridor_ledger::time::format(*t)), Some(r.clone())),
        None => (None, None),
    };
    let config = s.config();
    ok(&CorridorBody {
        id: config.id.clone(),
        name: config.name.clone(),
        inspection_area: config.inspection_area.clone(),
        ports: config
            .ports
            .iter()
            .map(|locode| PortBody {
                locode: locode.clone(),
                name: corridor_domain::port::by_locode(locode)
                    .map_or_else(|| locode.clone(), |p| p.name.to_owned()),
            })
            .collect(),
        parties: config
            .parties
            .iter()
            .map(|p| PartyBody {
                code: p.code.clone(),
                name: p.name.clone(),
            })
            .collect(),
        suspended: since.is_some(),
        suspended_since: since,
        reason_code: reason,
        reason: c.corridor.suspended_text.clone(),
        eligibility: s.config().eligibility.clone(),
        overdue: c.overdue(now),
        inspection_checklist: s.config().inspection.checklist.clone(),
        documents: s.config().documents.clone(),
    })
}

#[utoipa::path(get, path = "/api/v1/corridor", tag = "corridor",
    responses((status = 200, body = CorridorBody), (status = "4XX", body = ErrorBody)))]
async fn corridor_state(State(s): Svc) -> ApiResult {
    corridor_body(&s).await
}

/// Why the corridor is suspended.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendRequest {
    /// Reason code.
    pub reason_code: String,
    /// Text.
    pub text: String,
}

#[utoipa::path(post, path = "/api/v1/corridor/suspend", tag = "corridor", security(("bearer" = [])), request_body = SuspendRequest,
    responses((status = 200, body = CorridorBody), (status = "4XX", body = ErrorBody)))]
async fn suspend(
    State(s): Svc,
    caller: Caller,
    ApiJson(req): ApiJson<SuspendRequest>,
) -> ApiResult {
    s.execute(
        &caller.actor,
        Command::Suspend {
            reason_code: req.reason_code,
            text: req.text,
        },
    )
    .await?;
    corridor_body(&s).await
}

#[utoipa::path(post, path = "/api/v1/corridor/resume", tag = "corridor", security(("bearer" = [])),
    responses((status = 200, body = CorridorBody), (status = "4XX", body = ErrorBody)))]
async fn resume(State(s): Svc, caller: Caller) -> ApiResult {
    s.execute(&caller.actor, Command::Resume).await?;
    corridor_body(&s).await
}

// ---- party keys ----

#[utoipa::path(get, path = "/api/v1/parties/keys", tag = "keys",
    responses((status = 200, body = Vec<Object>, description = "every party key, current and retired (public keys only)"), (status = "4XX", body = ErrorBody)))]
async fn party_keys(State(s): Svc) -> ApiResult {
    ok(&s.keys().await.records())
}

/// A party's new public key.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRequest {
    /// SPKI PEM or base64 of the 32 raw bytes.
    pub public_key: String,
    /// Required for every key after the party's first: the party's most
    /// recent key signing the new one.
    #[serde(default)]
    pub endorsement: Option<EndorsementRequest>,
}

/// The party's most recent key signing
/// `corridor-key-rotation-v3\n<origin>\n<log size>\n<log root>\n<signed at>\n<party>\n<that key's id>\n<new key, base64>\n`,
/// where `<origin>`, `<log size>` and `<log root>` (hex) are those of a
/// recent `GET /api/v1/log/checkpoint` and `<signed at>` the time of signing
/// (RFC 3339, whole seconds, UTC) (`corridor keys rotate` does this with
/// the party's key file). It is refused a day after its signing, and once
/// an entry logged after that checkpoint is more than a day old.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndorsementRequest {
    /// Id of the endorsing key.
    pub key_id: String,
    /// `size` of the checkpoint signed over.
    pub log_size: u64,
    /// Its `root`, 64 lowercase hex characters.
    pub log_root: String,
    /// When it was signed: `YYYY-MM-DDTHH:MM:SSZ`.
    pub signed_at: String,
    /// Ed25519 signature, standard base64.
    pub signature: String,
}

#[utoipa::path(post, path = "/api/v1/parties/{party}/keys", tag = "keys", security(("bearer" = [])),
    params(("party" = String, Path, description = "party code")), request_body = KeyRequest,
    responses((status = 201, body = Object, description = "the key record; the party's previous key is retired from now"), (status = "4XX", body = ErrorBody)))]
async fn register_key(
    State(s): Svc,
    caller: Caller,
    ApiPath(party): ApiPath<String>,
    ApiJson(req): ApiJson<KeyRequest>,
) -> ApiResult {
    can(
        &caller.actor,
        Action::ManagePartyKeys,
        Resource::Party { party: &party },
    )
    .map_err(|_| ServiceError::Forbidden)?;
    let key = PublicKey::from_text(&req.public_key)
        .map_err(|e| ServiceError::Unprocessable(format!("public_key: {e}")))?;
    let endorsement = req
        .endorsement
        .map(|e| {
            let signature = Signature::from_base64(&e.signature).map_err(|err| {
                ServiceError::Unprocessable(format!("endorsement.signature: {err}"))
            })?;
            // Lowercase only: the signed text carries the root as written.
            let log_root = Hash::from_hex(&e.log_root)
                .ok()
                .filter(|h| h.to_hex() == e.log_root)
                .ok_or_else(|| {
                    ServiceError::Unprocessable(
                        "endorsement.log_root: not 64 lowercase hex characters".into(),
                    )
                })?;
            // One spelling, as signed: the text carries the time as written.
            let signed_at = corridor_ledger::time::parse(&e.signed_at)
                .ok()
                .filter(|t| corridor_ledger::time::format(*t) == e.signed_at)
                .ok_or_else(|| {
                    ServiceError::Unprocessable(
                        "endorsement.signed_at: not a time like 2023-06-14T09:30:00Z".into(),
                    )
                })?;
            Ok::<_, ServiceError>(Endorsement {
                key_id: KeyId(e.key_id),
                log_size: e.log_size,
                log_root,
                signed_at,
                signature,
            })
        })
        .transpose()?;
    let record = s
        .register_key(&caller.actor, &party, key, endorsement)
        .await?;
    json_response(StatusCode::CREATED, &record)
}

// ---- log ----

#[utoipa::path(get, path = "/api/v1/log/checkpoint", tag = "log",
    responses((status = 200, body = Object, description = "signed tree head {origin, size, root, time, key_id, signature}; `text` is the signed-note form and `log_key` the public key"), (status = "4XX", body = ErrorBody)))]
async fn checkpoint(State(s): Svc) -> ApiResult {
    let c = s.checkpoint().await?;
    let mut v = serde_json::to_value(&c).map_err(|e| ServiceError::Internal(e.to_string()))?;
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "text".into(),
            Value::String(
                c.to_text()
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
            ),
        );
        o.insert(
            "log_key".into(),
            Value::String(s.log_public_key().to_base64()),
        );
    }
    ok(&v)
}

/// Tree size for a proof.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SizeQuery {
    /// Tree size (default: the whole log).
    pub size: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/log/entries/{seq}/proof", tag = "log", security(("bearer" = [])),
    params(("seq" = u64, Path, description = "entry seq"), SizeQuery),
    responses((status = 200, body = Object, description = "{entry, leaf_hash, size, root, proof[]}"), (status = "4XX", body = ErrorBody)))]
async fn inclusion_proof(
    State(s): Svc,
    caller: Caller,
    ApiPath(seq): ApiPath<String>,
    ApiQuery(q): ApiQuery<SizeQuery>,
) -> ApiResult {
    can(&caller.actor, Action::ReadLog, Resource::Corridor).map_err(|_| ServiceError::Forbidden)?;
    let seq: u64 = seq
        .parse()
        .map_err(|_| ServiceError::BadRequest("seq must be a non-negative integer".into()))?;
    let size = match q.size {
        Some(n) => n,
        None => s.checkpoint().await?.size,
    };
    let (entry, root, proof) = s.inclusion_proof(seq, size).await?;
    ok(
        &json!({"seq": seq, "size": size, "leaf_hash": entry.leaf_hash(), "root": root, "proof": proof, "entry": entry}),
    )
}

/// Two tree sizes.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ConsistencyQuery {
    /// The older size.
    pub first: u64,
    /// The newer size.
    pub second: u64,
}

#[utoipa::path(get, path = "/api/v1/log/consistency", tag = "log",
    params(ConsistencyQuery),
    responses((status = 200, body = Object, description = "{first, second, first_root, second_root, proof[]}"), (status = "4XX", body = ErrorBody)))]
async fn consistency_proof(
    State(s): Svc,
    caller: Caller,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> ApiResult {
    can(&caller.actor, Action::ReadCheckpoint, Resource::Corridor)
        .map_err(|_| ServiceError::Forbidden)?;
    let (first_root, second_root, proof) = s.consistency_proof(q.first, q.second).await?;
    ok(
        &json!({"first": q.first, "second": q.second, "first_root": first_root, "second_root": second_root, "proof": proof}),
    )
}

#[utoipa::path(get, path = "/api/v1/log/export", tag = "log", security(("bearer" = [])),
    responses((status = 200, body = Object, description = "corridor-log-export-v1, as tools/verify_log.py reads it"), (status = "4XX", body = ErrorBody)))]
async fn export(State(s): Svc, caller: Caller) -> ApiResult {
    can(&caller.actor, Action::ReadLog, Resource::Corridor).map_err(|_| ServiceError::Forbidden)?;
    ok(&s.export().await?)
}

#[utoipa::path(get, path = "/api/v1/accountability", tag = "log",
    responses((status = 200, body = Object, description = "per party: decisions, approvals, median and p90 seconds to decide, holds and rejections by reason, seconds_held (how long its holds kept applications waiting, up to now) and holds_open, seconds_overdue (past its deadlines without its decision, up to now) and overdue_undecided (waits that ended overdue without its decision), overdue now; plans: the same for its decisions on the daily inspection plans, with late decisions and the days overdue now"), (status = "4XX", body = ErrorBody)))]
async fn accountability(State(s): Svc, caller: Caller) -> ApiResult {
    can(
        &caller.actor,
        Action::ReadAccountability,
        Resource::Corridor,
    )
    .map_err(|_| ServiceError::Forbidden)?;
    ok(&s.accountability().await?)
}

// ---- the OpenAPI document ----

/// The clearance API's OpenAPI document (paths include `/api/v1`).
#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    info(title = "corridor clearance API", description = "Applications, each party's signed decision, and the append-only log with signed checkpoints and proofs."),
    paths(
        login, me, list_tokens, create_token, revoke_token, create_user, list_users,
        list_applications, create_application, get_application, update_application, submit, status_page, eligibility, eligibility_dry_run,
        upload_document, download_document, start_review, decide, release_hold, withdraw,
        schedule_inspection, record_inspection, depart, arrive, close, expire,
        corridor_state, suspend, resume, party_keys, register_key,
        checkpoint, inclusion_proof, consistency_proof, export, accountability,
        crate::inspections::declare_readiness, crate::inspections::get_queue, crate::inspections::override_queue,
        crate::inspections::get_plan, crate::inspections::put_plan, crate::inspections::submit_plan,
        crate::inspections::decide_plan, crate::inspections::get_inspections,
        crate::alerts::acknowledge, crate::alerts::list_acknowledgements,
        crate::stoppages::list, crate::stoppages::declare, crate::stoppages::lift,
        crate::arrivals::record_arrival,
    ),
    components(schemas(ErrorBody, crate::error::ErrorDetail, LoginRequest, TokenBody, MeBody, TokenInfo, NewTokenRequest, NewUserRequest, UserBody,
        ApplicationSummary, ContentRequest, EligibilityBody, WithdrawRequest, CorridorBody, PortBody, PartyBody, SuspendRequest, KeyRequest, EndorsementRequest,
        ScheduleRequest, InspectionRequest,
        crate::inspections::ReadinessRequest, crate::inspections::QueueBody, crate::inspections::QueueEntryBody,
        crate::inspections::OverrideBody, crate::inspections::OverrideRequest, crate::inspections::PlanEditRequest,
        crate::inspections::AssignmentRequest,
        crate::alerts::AcknowledgeRequest, crate::alerts::AckBody, crate::alerts::AckListBody,
        crate::stoppages::KindBody, crate::stoppages::StoppageRequest, crate::stoppages::LiftRequest,
        crate::stoppages::LiftBody, crate::stoppages::StoppageBody, crate::stoppages::StoppageListBody)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

#[derive(Debug)]
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document as served at `/api/v1/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

#[cfg(test)]
mod tests {
    use super::plain_json_error;

    /// Rejections name the field and what it should be, not our types.
    #[test]
    fn json_errors_are_in_the_callers_terms() {
        for (axum, plain) in [
            (
                "Failed to deserialize the JSON body into the target type: invalid length 0, expected struct LoginRequest with 3 elements at line 1 column 2",
                "invalid length 0, expected an object at line 1 column 2",
            ),
            (
                "Failed to deserialize the JSON body into the target type: role: expected internally tagged enum Role at line 1 column 30",
                "role: expected an object with its kind named at line 1 column 30",
            ),
            (
                "Failed to deserialize the JSON body into the target type: content.cargo[0].tonnes: invalid value: integer `-5`, expected u64 at line 1 column 9",
                "content.cargo[0].tonnes: invalid value: integer `-5`, expected a whole number from 0 to 18446744073709551615 at line 1 column 9",
            ),
            (
                "crew: invalid value: integer `5000000000`, expected u32 at line 1 column 20",
                "crew: invalid value: integer `5000000000`, expected a whole number from 0 to 4294967295 at line 1 column 20",
            ),
            (
                "seq: invalid value: integer `70000`, expected u16",
                "seq: invalid value: integer `70000`, expected a whole number from 0 to 65535",
            ),
            (
                "Failed to deserialize the JSON body into the target type: payload: invalid type: integer `5`, expected struct DecisionPayload at line 1 column 12",
                "payload: invalid type: integer `5`, expected an object at line 1 column 12",
            ),
            (
                "invalid type: sequence, expected struct X",
                "invalid type: an array, expected an object",
            ),
        ] {
            assert_eq!(plain_json_error(axum), plain);
        }
    }
}
