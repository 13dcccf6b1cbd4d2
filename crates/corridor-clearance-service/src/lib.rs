//! # corridor-clearance-service — clearance on disk and over HTTP
//!
//! The I/O half of issue 5 over the pure cores [`corridor_ledger`] and
//! [`corridor_clearance`]: persistence on SQLite or PostgreSQL, the
//! `/api/v1` clearance routes (axum), `corridor verify`, and the demo seed.
//!
//! ## API boundary
//!
//! * [`router`]`(url)` opens the database named by the same `--database` URL as
//!   the record (`sqlite path`, `sqlite://…`, `postgres://…`), runs this
//!   crate's migrations (2001 on, sharing `_sqlx_migrations`), verifies and
//!   replays the stored log, and returns an axum [`axum::Router`] with its own
//!   state, to be nested under `/api/v1` (`corridor_server::Options::api`).
//!   [`router_for`] does the same over an open [`Service`].
//! * [`Service`]: [`Service::open`] / [`Service::with_db`] (tests pass a
//!   [`Clock::manual`]), [`Service::execute`] for clearance commands,
//!   [`Service::register_key`], [`Service::checkpoint`], proofs,
//!   [`Service::export`], [`Service::accountability`], users and tokens.
//! * [`verify::verify_database`] recomputes everything from the database
//!   alone and names the first entry (or checkpoint, or key row) that does
//!   not check.
//! * [`seed::seed_demo`] fills a store with a slice of a season.
//! * [`api::ApiDoc`] / [`api::openapi_document`] is this API's OpenAPI document, served at `/api/v1/openapi.json` by [`router_for`], or merged with the rest of the server's by [`router_with_document`].
//!
//! ## Routes (relative to `/api/v1`; who may, by [`corridor_clearance::can`])
//!
//! | route | who |
//! |---|---|
//! | `POST /auth/login` (rate-limited), `GET /auth/me`, `GET/POST /auth/tokens` (a new token asks for the password again), `DELETE /auth/tokens/{id}` | anyone / any user |
//! | `GET/POST /users` (a new account asks for the administrator's password again) | admin |
//! | `POST /eligibility` (a dry run on unsaved content) | anyone |
//! | `GET /applications`, `POST /applications` | readers (agents see their company's) / agents |
//! | `GET/PUT /applications/{id}`, `POST …/submit`, `GET …/status`, `GET …/eligibility`, `POST …/documents?kind&filename`, `GET …/documents/{sha256}`, `POST …/withdraw` | the owning company's agent (reads also delegates, inspectors, coordinators) |
//! | `POST …/review`, `…/inspection/schedule`, `…/inspection/require` (a corridor that inspects on cause), `…/arrival` (an arrival at the inspection area tracking did not see, or a correction), `…/depart`, `…/arrive`, `…/close`, `…/expire` | coordinator |
//! | `POST …/inspection` | inspector |
//! | `POST …/decisions` (a [`corridor_ledger::SignedDecision`]), `POST …/holds/{party}/release` (the party's signed release) | that party's delegate |
//! | `GET /corridor`, `POST /corridor/suspend`, `POST /corridor/resume` | public / coordinator |
//! | `GET /parties/keys`, `POST /parties/{party}/keys` | public / admin or that party's delegate (a party's first key; later keys need the party's endorsement) |
//! | `GET /log/checkpoint`, `GET /log/consistency?first&second`, `GET /log/entries/{seq}/proof?size`, `GET /accountability`, `GET /operations`, `GET /openapi.json` | public (a proof carries its entry only for the log's readers) |
//! | `GET /log/export` | delegates, inspectors, coordinators (not the admin: the log holds every application) |
//! | `POST /applications/{id}/readiness` | the owning company's agent |
//! | `GET /queue[?mine=true]` | public (`mine=true`: an agent's own vessels) |
//! | `POST /queue/overrides` | coordinator |
//! | `GET /plans/{date}` | coordinator, delegates, inspectors |
//! | `PUT /plans/{date}`, `POST /plans/{date}/submit`, `POST /plans/{date}/redraft` | coordinator |
//! | `POST /plans/{date}/decisions` (a [`corridor_ledger::SignedDecision`] on `PLAN-YYYY-MM-DD`) | that party's delegate |
//! | `GET /inspections?date` | inspectors, coordinator |
//! | `GET /stoppages[?in_force]` | public |
//! | `POST /stoppages`, `POST /stoppages/{id}/lift` (logged, with a reason) | coordinator |
//! | `POST /alerts/{key}/acknowledgement` (logged, once per alert) | coordinator |
//! | `GET /alerts/acknowledgements[?mmsi]` | public |
//!
//! The inspection routes (issue 6) live in [`inspections`]: the queue and the
//! daily plan come from [`corridor_planner`] over the clearance state, with
//! the service's capacity (`config/capacity-service.toml` of this crate).
//!
//! ## Tables (migrations `2001_clearance.sql`)
//!
//! `clearance_log` (one row per [`corridor_ledger::StoredEntry`]; triggers
//! refuse UPDATE, DELETE and TRUNCATE), `clearance_applications` (projection
//! of the log), `clearance_documents` (bytes with SHA-256 and size),
//! `clearance_users` (argon2id hashes), `clearance_tokens` (SHA-256 of the
//! token only), `clearance_party_keys` (public keys, mirrored from the log's
//! key events), `clearance_checkpoints` (signed tree heads handed out),
//! `clearance_log_key` (the checkpoint key: the only private key the server
//! holds).
//!
//! ## Invariants
//!
//! * The log is append-only: the service only ever inserts the successor of
//!   the last entry, in the same transaction as its projections, before the
//!   in-memory state changes or the caller is answered; the database
//!   refuses UPDATE/DELETE on it, and whoever bypasses that (dropping the
//!   triggers) is caught by `corridor verify` at the first altered entry.
//! * The server never holds a party's private key: delegates sign on their
//!   side (`corridor sign`, or the browser, `web/src/sign.js`); the server stores public keys
//!   only, registered through the log. The demo seed generates party keys
//!   and writes them to a directory it is given — demo only.
//! * A decision counts only with a valid signature by that party's current
//!   key over the canonical decision naming the application and its current
//!   content hash ([`corridor_ledger::SignedDecision::verify_for`] inside
//!   [`corridor_clearance::Clearance::execute`]).
//! * Every route checks role and ownership with [`corridor_clearance::can`];
//!   an application the caller may not see is 404, an action they may not
//!   take is 403, and neither says more than that (a refusal by role may
//!   say which role may: `not permitted: only the coordinator …`).
//! * Nothing panics on input; every failure is `{"error":{"code","message"}}`.

pub mod alerts;
pub mod api;
pub mod arrivals;
pub mod auth;
pub mod db;
pub mod error;
pub mod inspections;
pub mod service;
pub mod stoppages;
pub mod verify;

pub mod seed;

pub use alerts::{AckBody, AlertLookup, Found as FoundAlert};
pub use api::{ApiDoc, openapi_document, router_for, router_with_document};
pub use arrivals::{Whereabouts, WhereaboutsLookup};
pub use error::ServiceError;
pub use service::{Clock, Service, log_origin};

/// Opens the clearance database at `url` (the record's `--database` URL)
/// with the Black Sea configuration, and returns the clearance routes to
/// nest under `/api/v1`. `alerts` finds tracking alerts for the
/// coordinator's acknowledgements (none: no alert can be acknowledged).
pub async fn router(url: &str, alerts: Option<AlertLookup>) -> Result<axum::Router, ServiceError> {
    Ok(router_for(open(url, alerts).await?))
}

/// The service behind [`router`], for a caller that also wants its
/// [`Service::acknowledgements`]; `router_for` gives its routes.
pub async fn open(
    url: &str,
    alerts: Option<AlertLookup>,
) -> Result<std::sync::Arc<Service>, ServiceError> {
    let config = corridor_clearance::CorridorConfig::bsgi()
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    open_with(url, config, None, alerts).await
}

/// As [`open`], under the corridor's own rules and, if given, its centre's
/// inspection resources (else [`inspections::service_capacity`]).
pub async fn open_with(
    url: &str,
    config: corridor_clearance::CorridorConfig,
    capacity: Option<corridor_planner::CapacityConfig>,
    alerts: Option<AlertLookup>,
) -> Result<std::sync::Arc<Service>, ServiceError> {
    let capacity = match capacity {
        Some(c) => c,
        None => inspections::service_capacity()?,
    };
    let db = db::open(url).await?;
    let service = Service::with_capacity(db, config, capacity, Clock::System).await?;
    if let Some(lookup) = alerts {
        service.set_alert_lookup(lookup);
    }
    Ok(service)
}
