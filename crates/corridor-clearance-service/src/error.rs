//! Errors of the service and their HTTP form `{"error": {"code", "message"}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use corridor_clearance::ClearanceError;

/// Why a service operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Opening or migrating the database failed.
    #[error("cannot open the clearance database: {0}")]
    Connect(String),
    /// A database statement failed.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// The stored log does not verify (the service refuses to serve it).
    #[error("the stored log does not verify: {0}")]
    Tampered(String),
    /// A domain refusal.
    #[error(transparent)]
    Clearance(#[from] ClearanceError),
    /// Not logged in, or a bad token.
    #[error("{0}")]
    Unauthorized(String),
    /// Not permitted (fixed text: says nothing about what exists).
    #[error("not permitted")]
    Forbidden,
    /// Not permitted, with who may (about roles only, never about what exists).
    #[error("not permitted: {0}")]
    ForbiddenRole(&'static str),
    /// Not found, or not visible to the caller.
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// Well-formed but refused by a rule.
    #[error("{0}")]
    Unprocessable(String),
    /// Conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// Upload over the size limit.
    #[error("{0}")]
    TooLarge(String),
    /// A body not sent as the route takes it (JSON without its content type).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Too many failed logins: refused until `retry_at`, `seconds` from now
    /// (unless the guessing goes on).
    #[error("too many failed sign-ins; try again from {} ({seconds} s from now)", corridor_ledger::time::format(*retry_at))]
    RateLimited {
        /// The earliest time a sign-in is looked at again.
        retry_at: jiff::Timestamp,
        /// Seconds from now until then (at least 1).
        seconds: i64,
    },
    /// Anything else (logged, not shown).
    #[error("internal error: {0}")]
    Internal(String),
}

pub use corridor_http::{ErrorBody, ErrorDetail};

impl ServiceError {
    /// Status, code, message and details as sent to the client.
    pub fn parts(&self) -> (StatusCode, &'static str, String, Option<serde_json::Value>) {
        use ClearanceError as C;
        match self {
            ServiceError::Clearance(c) => match c {
                C::Denied(_) => (
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    "not permitted".into(),
                    None,
                ),
                C::NotFound(_) => (
                    StatusCode::NOT_FOUND,
                    "not_found",
                    "no such application".into(),
                    None,
                ),
                C::Ineligible(reasons) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "ineligible",
                    c.to_string(),
                    serde_json::to_value(reasons).ok(),
                ),
                C::Decision(_) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "decision_refused",
                    c.to_string(),
                    None,
                ),
                C::NotReady { missing } => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "not_ready",
                    c.to_string(),
                    Some(serde_json::json!({ "missing": missing })),
                ),
                C::ChecklistIncomplete { missing } => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "checklist_incomplete",
                    c.to_string(),
                    Some(serde_json::json!({ "missing": missing })),
                ),
                C::UnknownParty(_) | C::InspectionInPast(_) | C::Canonical(_) | C::Invalid(_) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unprocessable",
                    c.to_string(),
                    None,
                ),
                C::IllegalTransition { .. }
                | C::StaleDecision { .. }
                | C::SignedBeforeCurrent { .. }
                | C::NoHold(_)
                | C::CorridorSuspended
                | C::AlreadySuspended
                | C::NotSuspended
                | C::PlanConflict(_)
                | C::AtLimit(_)
                | C::BookingConflict(_)
                | C::Unchanged(_)
                | C::VesselInAnotherApplication { .. }
                | C::MmsiInAnotherApplication { .. }
                | C::AlreadyRecorded { .. }
                | C::AlreadyAcknowledged { .. }
                | C::NotYetExpired { .. } => {
                    (StatusCode::CONFLICT, "conflict", c.to_string(), None)
                }
                C::Encoding(_) => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error".into(),
                    None,
                ),
            },
            ServiceError::Unauthorized(m) => {
                (StatusCode::UNAUTHORIZED, "unauthorized", m.clone(), None)
            }
            ServiceError::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "not permitted".into(),
                None,
            ),
            ServiceError::ForbiddenRole(_) => {
                (StatusCode::FORBIDDEN, "forbidden", self.to_string(), None)
            }
            ServiceError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m.clone(), None),
            ServiceError::BadRequest(m) => {
                (StatusCode::BAD_REQUEST, "bad_request", m.clone(), None)
            }
            ServiceError::Unprocessable(m) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable",
                m.clone(),
                None,
            ),
            ServiceError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m.clone(), None),
            ServiceError::TooLarge(m) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                m.clone(),
                None,
            ),
            ServiceError::UnsupportedMediaType(m) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                m.clone(),
                None,
            ),
            ServiceError::RateLimited { retry_at, seconds } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                self.to_string(),
                Some(serde_json::json!({
                    "retry_at": corridor_ledger::time::format(*retry_at),
                    "retry_after_seconds": seconds,
                })),
            ),
            ServiceError::Connect(_)
            | ServiceError::Db(_)
            | ServiceError::Tampered(_)
            | ServiceError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error".into(),
                None,
            ),
        }
    }
}

impl IntoResponse for ServiceError {
    fn into_response(self) -> Response {
        let (status, code, message, details) = self.parts();
        if status.is_server_error() {
            tracing::error!(error = %self, "clearance request failed");
        }
        let mut response = corridor_http::error_response(status, code, &message, details);
        match self {
            ServiceError::RateLimited { seconds, .. } => {
                response.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(seconds),
                );
            }
            // A 401 says how to authenticate (RFC 9110 §15.5.2).
            ServiceError::Unauthorized(_) => {
                response.headers_mut().insert(
                    axum::http::header::WWW_AUTHENTICATE,
                    axum::http::HeaderValue::from_static("Bearer"),
                );
            }
            _ => {}
        }
        response
    }
}
