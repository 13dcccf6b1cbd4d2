//! The coordinator's acknowledgement of tracking alerts, over HTTP.
//!
//! Alerts are raised and stored by the tracking pipeline, which this crate
//! does not know; the binary hands the service an [`AlertLookup`] that finds
//! an alert by key, so an acknowledgement names an alert that exists and
//! copies its kind and vessel into the log entry. Without a lookup (a
//! server with no tracking) every key is unknown.
//!
//! | route | who |
//! |---|---|
//! | `POST /alerts/{key}/acknowledgement` | coordinator |
//! | `GET /alerts/acknowledgements[?mmsi]` | anyone (what the centre did is public, like the alerts) |
//!
//! Each logged acknowledgement is also published on
//! [`Service::acknowledgements`](crate::Service::acknowledgements), which
//! the binary joins to the live feed (`event: acknowledgement`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use corridor_clearance::{Action, AlertAck, AlertRef, Command, Resource, can};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiJson, ApiPath, ApiQuery, ApiResult, Caller, Svc, json_response, ok};
use crate::error::{ErrorBody, ServiceError};
use crate::service::Service;

/// What the tracking store has under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// An alert (deviation, AIS gap, loitering, …): it can be acknowledged.
    Alert(AlertRef),
    /// A routine event stored beside the alerts (corridor entry or exit,
    /// arrival at an area): nothing to acknowledge.
    Routine { kind: String },
}

/// Finds a stored alert by its key: `Ok(None)` when there is none, `Err`
/// with a message when the store cannot be read.
pub type AlertLookup = Arc<
    dyn Fn(String) -> Pin<Box<dyn Future<Output = Result<Option<Found>, String>> + Send>>
        + Send
        + Sync,
>;

/// The acknowledgement routes (merged into the clearance router).
pub fn routes() -> Router<Arc<Service>> {
    Router::new()
        .route("/alerts/acknowledgements", get(list_acknowledgements))
        .route("/alerts/{key}/acknowledgement", post(acknowledge))
}

/// The coordinator's note.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeRequest {
    /// What was done about it (at most 2,000 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// One logged acknowledgement.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AckBody {
    /// The alert's key (as `GET /alerts` gives it).
    pub key: String,
    /// The alert's kind.
    pub kind: String,
    /// The vessel.
    pub mmsi: u32,
    /// The coordinator's note.
    pub note: Option<String>,
    /// Who acknowledged.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
}

impl From<&AlertAck> for AckBody {
    fn from(a: &AlertAck) -> Self {
        AckBody {
            key: a.alert.key.clone(),
            kind: a.alert.kind.clone(),
            mmsi: a.alert.mmsi,
            note: a.note.clone(),
            by: a.by.clone(),
            at: a.at.to_string(),
        }
    }
}

/// The list.
#[derive(Debug, Serialize, ToSchema)]
pub struct AckListBody {
    /// How many.
    pub count: usize,
    /// Newest first.
    pub items: Vec<AckBody>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AckParams {
    /// Only this vessel's.
    pub mmsi: Option<u32>,
}

#[utoipa::path(post, path = "/api/v1/alerts/{key}/acknowledgement", tag = "alerts", security(("bearer" = [])),
    params(("key" = String, Path, description = "the alert's key")),
    request_body = AcknowledgeRequest,
    responses((status = 201, body = AckBody, description = "logged"), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn acknowledge(
    State(s): Svc,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
    ApiJson(req): ApiJson<AcknowledgeRequest>,
) -> ApiResult {
    can(&caller.actor, Action::AcknowledgeAlert, Resource::Corridor)
        .map_err(|_| ServiceError::ForbiddenRole("only the coordinator acknowledges alerts"))?;
    let unknown = || ServiceError::NotFound(format!("no alert {key:?}"));
    let lookup = s.alert_lookup.get().ok_or_else(unknown)?;
    let alert = match lookup(key.clone())
        .await
        .map_err(|e| ServiceError::Internal(format!("reading alert {key:?}: {e}")))?
    {
        Some(Found::Alert(alert)) => alert,
        Some(Found::Routine { kind }) => {
            return Err(ServiceError::Unprocessable(format!(
                "{key:?} is a routine {kind} event, not an alert: there is nothing to acknowledge"
            )));
        }
        None => return Err(unknown()),
    };
    s.execute(
        &caller.actor,
        Command::AcknowledgeAlert {
            alert,
            note: req.note,
        },
    )
    .await?;
    let body = {
        let st = s.state.lock().await;
        let ack = st
            .clearance
            .alert_acks
            .get(&key)
            .ok_or_else(|| ServiceError::Internal("acknowledgement not in state".into()))?;
        AckBody::from(ack)
    };
    // Logged: other coordinators' screens hear of it now (none listening is fine).
    let _ = s.acks.send(body.clone());
    json_response(StatusCode::CREATED, &body)
}

#[utoipa::path(get, path = "/api/v1/alerts/acknowledgements", tag = "alerts",
    params(AckParams),
    responses((status = 200, body = AckListBody), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn list_acknowledgements(
    State(s): Svc,
    ApiQuery(p): ApiQuery<AckParams>,
) -> ApiResult {
    let st = s.state.lock().await;
    let mut acks: Vec<&AlertAck> = st
        .clearance
        .alert_acks
        .values()
        .filter(|a| p.mmsi.is_none_or(|m| a.alert.mmsi == m))
        .collect();
    acks.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.alert.key.cmp(&b.alert.key)));
    let items: Vec<AckBody> = acks.into_iter().map(AckBody::from).collect();
    ok(&AckListBody {
        count: items.len(),
        items,
    })
}
