//! corridor's HTTP server: the JSON API under `/api/v1` and the web
//! dashboard's files at `/`.
//!
//! The router is built by [`router`] from an [`AppState`]; tests drive it
//! with `tower::ServiceExt::oneshot`, no socket. Handlers are thin: they
//! parse and check the request, call the store, and shape the answer. Every
//! failure is an [`ApiError`], rendered as `{"error": {"code", "message"}}`
//! with a status that says whose fault it was; internal errors are logged
//! and never leak details.

pub mod assets;
mod error;
pub mod live;
pub mod openapi;
mod record;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use corridor_store::Store;
use tower_http::services::{ServeDir, ServeFile};

pub use error::ApiError;

/// What handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Whole-record downloads under way: each holds one of the pool's
    /// connections for as long as its reader takes.
    exports: Arc<tokio::sync::Semaphore>,
}

/// Whole-record downloads served at once; more are told to come back.
/// Each holds a database connection, so the pool's others stay for the
/// rest of the API.
pub const EXPORTS_AT_ONCE: usize = 2;

impl AppState {
    pub fn new(store: Arc<dyn Store>) -> AppState {
        AppState {
            store,
            exports: Arc::new(tokio::sync::Semaphore::new(EXPORTS_AT_ONCE)),
        }
    }
}

/// How to assemble the server.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Where the dashboard's built files are on disk; `None` serves the
    /// files built into the binary ([`assets`]), if it has any.
    pub web_dir: Option<PathBuf>,
    /// Further routers, each with its own state, nested under `/api/v1`
    /// (clearance, live tracking): features plug in without this crate
    /// knowing their internals.
    pub api: Vec<Router>,
    /// Further routers merged at the root (e.g. `/metrics`).
    pub root: Vec<Router>,
    /// Reverse proxies whose `X-Forwarded-For` names the client
    /// ([`corridor_http::ClientAddr`]); none by default.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// The whole HTTP surface.
pub fn router(state: AppState, opts: &Options) -> Router {
    let mut api = Router::new()
        .route("/stats", get(record::stats))
        .route("/voyages", get(record::voyages))
        .route("/voyages/export", get(record::export))
        .route("/vessels/{imo}", get(record::vessel))
        .with_state(state.clone());
    for extra in &opts.api {
        api = api.merge(extra.clone());
    }
    let api = api
        .fallback(|| async { ApiError::NotFound("no such API route".into()) })
        // A route asked with a method it does not take: said in JSON, as
        // every API error is, with the methods it takes.
        .method_not_allowed_fallback(
            |method: axum::http::Method,
             axum::extract::OriginalUri(uri): axum::extract::OriginalUri| async move {
                corridor_http::error_response(
                    axum::http::StatusCode::METHOD_NOT_ALLOWED,
                    "method_not_allowed",
                    &format!("{method} is not a method {} takes", uri.path()),
                    None,
                )
            },
        );
    // Anything else under /api is an API route that does not exist (another
    // version, a typo), not a page of the dashboard.
    let no_api = || async { ApiError::NotFound("no such API route".into()) };
    let mut app = Router::new()
        .route("/healthz", get(healthz).with_state(state.clone()))
        .nest("/api/v1", api)
        .route("/api", axum::routing::any(no_api))
        .route("/api/{*rest}", axum::routing::any(no_api));
    for extra in &opts.root {
        app = app.merge(extra.clone());
    }
    if let Some(dir) = &opts.web_dir {
        let index = dir.join("index.html");
        app = app.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)));
    } else {
        app = app.fallback(assets::serve);
    }
    app.layer(axum::Extension(corridor_http::TrustedProxies(
        opts.trusted_proxies.clone(),
    )))
    .layer(tower_http::trace::TraceLayer::new_for_http().on_failure(log_failure))
    .layer(tower_http::compression::CompressionLayer::new())
}

/// A server error is logged at ERROR, except the refusals that say the
/// server is busy or asked over HTTP/1.0 (503, 505): the client is told
/// what to do, and an operator needs no alarm for each.
fn log_failure(
    class: tower_http::classify::ServerErrorsFailureClass,
    latency: std::time::Duration,
    _span: &tracing::Span,
) {
    use tower_http::classify::ServerErrorsFailureClass::StatusCode;
    let latency_ms = latency.as_millis();
    match class {
        StatusCode(s) if matches!(s.as_u16(), 503 | 505) => {
            tracing::warn!(status = s.as_u16(), latency_ms, "request refused");
        }
        other => tracing::error!(classification = %other, latency_ms, "response failed"),
    }
}

/// How long `/healthz` waits for the database before calling it down.
const HEALTH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Readiness: 200 `ok` when the record's database answers, else 503 with
/// why (a load balancer then stops sending requests that would fail).
async fn healthz(
    axum::extract::State(s): axum::extract::State<AppState>,
) -> (axum::http::StatusCode, String) {
    use axum::http::StatusCode;
    match tokio::time::timeout(HEALTH_TIMEOUT, s.store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ok".into()),
        Ok(Err(e)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the record's database does not answer: {e}"),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the record's database did not answer within {} s",
                HEALTH_TIMEOUT.as_secs()
            ),
        ),
    }
}

/// How long a stopping server waits for open requests to finish.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves `app` on `addr` until ctrl-c or SIGTERM.
pub async fn serve(app: Router, addr: SocketAddr) -> std::io::Result<()> {
    serve_on(app, bind(addr).await?, async {
        shutdown_signal().await;
    })
    .await
    .map(|_| ())
}

/// The signal that asked the process to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    /// ctrl-c (SIGINT).
    Interrupt,
    /// SIGTERM.
    Terminate,
}

impl StopSignal {
    /// The exit status of a process that this signal ends at once: 128 plus
    /// the signal's number, as shells and supervisors report it.
    pub fn exit_status(self) -> u8 {
        match self {
            Self::Interrupt => 130,
            Self::Terminate => 143,
        }
    }
}

/// Resolves on ctrl-c (SIGINT) or, on Unix, SIGTERM (what systemd and
/// container runtimes send), saying which.
pub async fn shutdown_signal() -> StopSignal {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    let signal = tokio::select! {
        () = interrupt => StopSignal::Interrupt,
        () = terminate => StopSignal::Terminate,
    };
    tracing::info!(?signal, "stopping");
    signal
}

/// Binds `addr` for [`serve_on`]. A command binds before it says where it
/// serves, so a port in use fails before any start-up line claims it, and
/// port 0 is announced as the port it got (`local_addr`).
pub async fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await
}

/// Serves `app` on `listener` (from [`bind`]) until `stop` resolves (it may do its own
/// stopping first, such as draining the tracking pipeline, which also ends
/// the live streams); then stops taking connections and waits up to
/// [`SHUTDOWN_GRACE`] for open requests, or until another ctrl-c or
/// SIGTERM, which it returns (the process should then exit with that
/// signal's status).
pub async fn serve_on(
    app: Router,
    listener: tokio::net::TcpListener,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<Option<StopSignal>> {
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "serving");
    let (stopped, stopping) = tokio::sync::oneshot::channel::<()>();
    // The peer address reaches handlers (the login limiter counts by client).
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        stop.await;
        let _ = stopped.send(());
    });
    // The grace ends early on another signal: a second ctrl-c stops now.
    let grace = async move {
        if stopping.await.is_ok() {
            tokio::select! {
                () = tokio::time::sleep(SHUTDOWN_GRACE) => None,
                s = shutdown_signal() => Some(s),
            }
        } else {
            std::future::pending::<Option<StopSignal>>().await
        }
    };
    tokio::select! {
        r = server => r.map(|()| None),
        cut = grace => {
            tracing::warn!("requests still open after the stop: ending them");
            Ok(cut)
        }
    }
}
