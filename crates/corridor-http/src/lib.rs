//! # corridor-http — what both APIs say the same way
//!
//! corridor serves two APIs from one server: the record and live tracking
//! (`corridor-server`) and clearance (`corridor-clearance-service`). Each
//! keeps its own error enum, because each knows its own failures; this crate
//! is what they must not differ on:
//!
//! * **The error body.** Every error, from either API, is
//!   `{"error": {"code": "<stable code>", "message": "<for people>", "details"?: …}}`
//!   and is built by [`error_response`]; [`ErrorBody`] describes it once
//!   for both APIs' OpenAPI documents.
//! * **Bad query strings and paths.** [`ApiQuery`] and [`ApiPath`] replace
//!   axum's `Query` and `Path`, whose rejections are plain text; theirs is
//!   [`BadInput`], a 400 in the body above, worded the same on every route.
//! * **Who the client is.** [`ClientAddr`]: the socket's peer address, or,
//!   when that peer is one of the [`TrustedProxies`] the server was told
//!   of, the address that proxy says it forwarded for (`X-Forwarded-For`).
//!
//! Deliberately absent: routing, authentication, state. This crate does no
//! I/O beyond rendering a response.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// The error body as the OpenAPI documents describe it (what
/// [`error_response`] writes). One definition for both APIs, so their
/// documents cannot describe it two ways.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// Code and message.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `bad_request`, `not_found`,
    /// `forbidden`, `decision_refused`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// Structured details (e.g. every eligibility failure), when any.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

/// The one error body: `status`, a stable `code`, a `message` for people and,
/// when there are any, structured `details`.
pub fn error_response(
    status: StatusCode,
    code: &str,
    message: &str,
    details: Option<serde_json::Value>,
) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_owned(),
            message: message.to_owned(),
            details,
        },
    };
    (status, axum::Json(body)).into_response()
}

/// A query string or path that does not parse: 400 `bad_request`, saying
/// which part and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadInput(pub String);

impl IntoResponse for BadInput {
    fn into_response(self) -> Response {
        error_response(StatusCode::BAD_REQUEST, "bad_request", &self.0, None)
    }
}

/// Query parameters; a bad query string is [`BadInput`]
/// (`query string: duplicate field `limit``).
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = BadInput;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e| {
                let text = e.body_text();
                let why = text
                    .strip_prefix("Failed to deserialize query string: ")
                    .unwrap_or(&text);
                BadInput(format!("query string: {why}"))
            })
    }
}

/// Path parameters; a bad one is [`BadInput`] (`path: …`).
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = BadInput;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e| BadInput(format!("path: {}", e.body_text())))
    }
}

/// Reverse proxies whose `X-Forwarded-For` is believed (a request
/// extension the server adds; none by default).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Vec<std::net::IpAddr>);

/// The client's address: the socket's peer, or, when the peer is a trusted
/// proxy, the right-most `X-Forwarded-For` address that is not itself a
/// trusted proxy (the left-most entries are whatever the client claimed).
/// `None` when the router runs without a socket (tests).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl ClientAddr {
    /// The client of a request with these `parts`.
    pub fn of(parts: &Parts) -> Self {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_canonical());
        let trusted = parts.extensions.get::<TrustedProxies>();
        let is_trusted = |ip: &std::net::IpAddr| trusted.is_some_and(|t| t.0.contains(ip));
        let Some(peer) = peer else {
            return ClientAddr(None);
        };
        if !is_trusted(&peer) {
            return ClientAddr(Some(peer));
        }
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for hop in forwarded.iter().rev() {
            // An address, or one with its port (`1.2.3.4:5`, `[v6]:5`).
            let ip = hop
                .parse::<std::net::IpAddr>()
                .ok()
                .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()));
            match ip.map(|ip| ip.to_canonical()) {
                Some(ip) if is_trusted(&ip) => continue,
                Some(ip) => return ClientAddr(Some(ip)),
                // Garbage where an address should be: stop at the proxy.
                None => break,
            }
        }
        ClientAddr(Some(peer))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr::of(parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Page {
        limit: Option<u32>,
    }

    async fn check(uri: &str, expected: (u16, &str)) {
        let app = Router::new()
            .route("/q", get(|ApiQuery(_): ApiQuery<Page>| async { "ok" }))
            .route("/p/{n}", get(|ApiPath(_): ApiPath<u32>| async { "ok" }));
        let resp = app
            .oneshot(axum::http::Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).to_string();
        assert_eq!(status, expected.0, "{uri}: {text}");
        assert!(text.contains(expected.1), "{uri}: {text}");
    }

    #[tokio::test]
    async fn bad_queries_and_paths_are_json_errors() {
        check("/q?limit=5", (200, "ok")).await;
        check(
            "/q?limit=5&limit=6",
            (
                400,
                r#"{"error":{"code":"bad_request","message":"query string: duplicate field `limit`"}}"#,
            ),
        )
        .await;
        check(
            "/q?limit=-1",
            (400, r#""message":"query string: limit: invalid digit"#),
        )
        .await;
        check("/p/7", (200, "ok")).await;
        check("/p/x", (400, r#""code":"bad_request","message":"path: "#)).await;
    }

    /// Open finding 38: each API described the error body in its own
    /// words and the served document kept one of them. One definition now,
    /// and it names exactly the members `error_response` writes.
    #[tokio::test]
    async fn the_described_error_body_is_the_one_written() {
        use utoipa::PartialSchema as _;
        // An object's member names (serde_json keeps them sorted).
        let names = |v: &serde_json::Value| -> Vec<String> {
            v.as_object().unwrap().keys().cloned().collect()
        };
        let schema = serde_json::to_value(ErrorDetail::schema()).unwrap();
        let r = error_response(StatusCode::CONFLICT, "c", "m", Some(serde_json::json!(1)));
        let bytes = r.into_body().collect().await.unwrap().to_bytes();
        let written: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(names(&schema["properties"]), names(&written["error"]));
        let outer = serde_json::to_value(ErrorBody::schema()).unwrap();
        assert!(outer["properties"]["error"].is_object(), "{outer}");
    }

    #[tokio::test]
    async fn details_are_included_only_when_present() {
        let body = |r: Response| async move {
            let bytes = r.into_body().collect().await.unwrap().to_bytes();
            String::from_utf8_lossy(&bytes).to_string()
        };
        let with = error_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            "ineligible",
            "no",
            Some(serde_json::json!([1])),
        );
        assert_eq!(with.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            body(with).await,
            r#"{"error":{"code":"ineligible","message":"no","details":[1]}}"#
        );
        let without = error_response(StatusCode::NOT_FOUND, "not_found", "gone", None);
        assert_eq!(
            body(without).await,
            r#"{"error":{"code":"not_found","message":"gone"}}"#
        );
    }

    fn client(peer: &str, trusted: &[&str], forwarded: &[&str]) -> Option<String> {
        let mut req = axum::http::Request::get("/").body(()).unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(
                peer.parse().unwrap(),
                4000,
            )));
        req.extensions_mut().insert(TrustedProxies(
            trusted.iter().map(|t| t.parse().unwrap()).collect(),
        ));
        for f in forwarded {
            req.headers_mut()
                .append("x-forwarded-for", f.parse().unwrap());
        }
        let (parts, ()) = req.into_parts();
        ClientAddr::of(&parts).0.map(|ip| ip.to_string())
    }

    #[test]
    fn the_client_is_believed_only_through_a_trusted_proxy() {
        let some = |s: &str| Some(s.to_string());
        // No proxy trusted: the header is the client's own claim.
        assert_eq!(
            client("203.0.113.9", &[], &["10.1.1.1"]),
            some("203.0.113.9")
        );
        // Through the trusted proxy: the address it saw.
        assert_eq!(
            client("127.0.0.1", &["127.0.0.1"], &["198.51.100.7"]),
            some("198.51.100.7")
        );
        // A client's forged entry sits left of what the proxy appended.
        assert_eq!(
            client("127.0.0.1", &["127.0.0.1"], &["10.9.9.9, 198.51.100.7"]),
            some("198.51.100.7")
        );
        // Two trusted hops, one header each.
        assert_eq!(
            client(
                "127.0.0.1",
                &["127.0.0.1", "10.0.0.2"],
                &["198.51.100.7", "10.0.0.2"]
            ),
            some("198.51.100.7")
        );
        // With a port, or IPv6 in brackets with one.
        assert_eq!(
            client("127.0.0.1", &["127.0.0.1"], &["198.51.100.7:5123"]),
            some("198.51.100.7")
        );
        assert_eq!(
            client("127.0.0.1", &["127.0.0.1"], &["[2001:db8::7]:443"]),
            some("2001:db8::7")
        );
        // An IPv4 peer seen through an IPv6 socket is still that IPv4 proxy.
        assert_eq!(
            client("::ffff:127.0.0.1", &["127.0.0.1"], &["198.51.100.7"]),
            some("198.51.100.7")
        );
        // Garbage or nothing from the proxy: the proxy itself.
        assert_eq!(
            client("127.0.0.1", &["127.0.0.1"], &["nonsense"]),
            some("127.0.0.1")
        );
        assert_eq!(client("127.0.0.1", &["127.0.0.1"], &[]), some("127.0.0.1"));
    }
}
