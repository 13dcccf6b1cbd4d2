//! corridor's HTTP server: the JSON API under `/api/v1` and the web
//! dashboard's files at `/`.
//!
//! The router is built by [`router`] from an [`AppState`]; tests drive it
//! with `tower::ServiceExt::oneshot`, no socket. Handlers are thin: they
//! parse and check the request, call the store, and shape the answer. Every
//! failure is an [`ApiError`], rendered as `{"error": {"code", "message"}}`
//! with a status that says whose fault it was; internal errors are logged
//! and never leak details.

mod error;
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
}

/// Where the dashboard's built files are; `None` serves the API only.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub web_dir: Option<PathBuf>,
}

/// The whole HTTP surface.
pub fn router(state: AppState, opts: &Options) -> Router {
    let api = Router::new()
        .route("/stats", get(record::stats))
        .route("/voyages", get(record::voyages))
        .route("/vessels/{imo}", get(record::vessel))
        .fallback(|| async { ApiError::NotFound("no such API route".into()) });
    let mut app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .nest("/api/v1", api)
        .with_state(state);
    if let Some(dir) = &opts.web_dir {
        let index = dir.join("index.html");
        app = app.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)));
    }
    app.layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(tower_http::compression::CompressionLayer::new())
}

/// Serves `app` on `addr` until ctrl-c.
pub async fn serve(app: Router, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "serving");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
