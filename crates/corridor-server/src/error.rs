//! One error type for every handler, rendered as JSON with the right status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use corridor_store::StoreError;

/// What a request can fail with. The message is for the client; internal
/// details are logged, never sent.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    /// The server is doing as much of this as it will at once; try again
    /// after the given seconds.
    #[error("{0}")]
    Busy(String, u32),
    /// Asked over an HTTP version the route cannot answer faithfully.
    #[error("{0}")]
    HttpVersion(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ApiError {
    fn status(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Busy(..) => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            ApiError::HttpVersion(_) => (StatusCode::HTTP_VERSION_NOT_SUPPORTED, "http_version"),
            ApiError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status();
        let message = match &self {
            ApiError::Store(e) => {
                tracing::error!(error = %e, "store error");
                "the server could not complete the request".to_string()
            }
            other => other.to_string(),
        };
        let mut response = corridor_http::error_response(status, code, &message, None);
        if let ApiError::Busy(_, after) = self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(after),
            );
        }
        response
    }
}

/// Query parameters whose rejection is a JSON error like every other
/// (axum's own `Query` answers a repeated `limit` in plain text).
pub use corridor_http::{ApiPath, ApiQuery};
