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

mod accounts;
mod applications;
mod corridor;
mod decisions;
mod extract;
mod ledger;
mod movements;

// The handlers, extractors and request and response types, where `router_for`,
// `ApiDoc` (which also needs utoipa's `__path_*` item beside each handler),
// the other modules of the crate and other crates name them.
pub use accounts::*;
pub use applications::*;
pub use corridor::*;
pub use decisions::*;
pub use extract::*;
pub use ledger::*;
pub use movements::*;

pub(crate) type Svc = State<Arc<Service>>;
pub(crate) type ApiResult = Result<Response, ServiceError>;

/// The clearance API over `service`, with its own state; nest it under `/api/v1`.
pub fn router_for(service: Arc<Service>) -> Router {
    router_with_document(service, openapi_document())
}

/// [`router_for`], serving `document` at `/openapi.json`: the binary
/// gives the whole server's (this API's merged with the record's and live
/// tracking's).
pub fn router_with_document(service: Arc<Service>, document: utoipa::openapi::OpenApi) -> Router {
    let document = Arc::new(document);
    Router::new()
        .route(
            "/openapi.json",
            get(move || {
                let document = Arc::clone(&document);
                async move { Json(&*document).into_response() }
            }),
        )
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
        .route(
            "/applications/{id}/inspection/require",
            post(require_inspection),
        )
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
        .route("/operations", get(operations))
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

pub(crate) fn json_response<T: Serialize>(status: StatusCode, body: &T) -> ApiResult {
    let value = serde_json::to_value(body).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok((status, Json(value)).into_response())
}

pub(crate) fn ok<T: Serialize>(body: &T) -> ApiResult {
    json_response(StatusCode::OK, body)
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
        schedule_inspection, record_inspection, require_inspection, depart, arrive, close, expire,
        corridor_state, suspend, resume, party_keys, register_key,
        checkpoint, inclusion_proof, consistency_proof, export, accountability, operations,
        crate::inspections::declare_readiness, crate::inspections::get_queue, crate::inspections::override_queue,
        crate::inspections::get_plan, crate::inspections::put_plan, crate::inspections::submit_plan, crate::inspections::redraft_plan,
        crate::inspections::decide_plan, crate::inspections::get_inspections,
        crate::alerts::acknowledge, crate::alerts::list_acknowledgements,
        crate::stoppages::list, crate::stoppages::declare, crate::stoppages::lift,
        crate::arrivals::record_arrival,
    ),
    components(schemas(ErrorBody, crate::error::ErrorDetail, LoginRequest, TokenBody, MeBody, TokenInfo, NewTokenRequest, NewUserRequest, UserBody,
        ApplicationSummary, ContentRequest, EligibilityBody, WithdrawRequest, CorridorBody, PortBody, PartyBody, SuspendRequest, KeyRequest, EndorsementRequest,
        ScheduleRequest, InspectionRequest, RequireInspectionRequest,
        crate::inspections::ReadinessRequest, crate::inspections::QueueBody, crate::inspections::QueueEntryBody, crate::inspections::NowAt, crate::inspections::AreaBody,
        crate::inspections::OverrideBody, crate::inspections::OverrideRequest, crate::inspections::PlanEditRequest, crate::inspections::RedraftRequest,
        crate::inspections::AssignmentRequest,
        crate::alerts::AcknowledgeRequest, crate::alerts::AckBody, crate::alerts::AckListBody,
        crate::stoppages::KindBody, crate::stoppages::StoppageRequest, crate::stoppages::LiftRequest,
        crate::stoppages::LiftBody, crate::stoppages::StoppageBody, crate::stoppages::DayStopsBody, crate::stoppages::StoppageListBody)),
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
