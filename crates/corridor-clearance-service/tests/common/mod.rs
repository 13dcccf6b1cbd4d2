//! Shared fixtures: a service on a temporary SQLite file or a fresh
//! PostgreSQL schema, users, keys, content, and a JSON request helper.
#![allow(dead_code)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use corridor_clearance::{
    ApplicationContent, CargoLine, CorridorConfig, Itinerary, PortCall, Role, Vessel,
};
use corridor_clearance_service::{Clock, Service, db};
use corridor_ledger::{DecisionKind, DecisionPayload, Hash, SecretKey, SignedDecision};
use http_body_util::BodyExt;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use tower::ServiceExt;

pub const PASSWORD: &str = "test-password-1";
pub const PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

pub fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub async fn sqlite_service(dir: &tempfile::TempDir, start: &str) -> Arc<Service> {
    let url = format!("sqlite://{}", dir.path().join("corridor.db").display());
    let db = db::open(&url).await.unwrap();
    Service::with_db(db, CorridorConfig::bsgi().unwrap(), Clock::manual(t(start)))
        .await
        .unwrap()
}

/// A service on a temporary SQLite file with its clock at `start`, every
/// role's users, and its router (keep the directory alive while testing).
pub async fn served(start: &str) -> (tempfile::TempDir, Arc<Service>, Router) {
    let dir = tempfile::tempdir().unwrap();
    let s = sqlite_service(&dir, start).await;
    create_users(&s).await;
    let app = corridor_clearance_service::router_for(s.clone());
    (dir, s, app)
}

/// The same as [`served`] on PostgreSQL (a fresh schema named after
/// `test`), or `None` where [`pg_db`] skips.
pub async fn served_pg(test: &str, start: &str) -> Option<(Arc<Service>, Router)> {
    let db = pg_db(test).await?;
    let s = Service::with_db(db, CorridorConfig::bsgi().unwrap(), Clock::manual(t(start)))
        .await
        .unwrap();
    create_users(&s).await;
    let app = corridor_clearance_service::router_for(s.clone());
    Some((s, app))
}

/// A service at `start` with the demo season seeded (party keys written
/// under the directory), and its router.
pub async fn seeded(start: &str) -> (tempfile::TempDir, Arc<Service>, Router) {
    let dir = tempfile::tempdir().unwrap();
    let s = sqlite_service(&dir, start).await;
    corridor_clearance_service::seed::seed_service(&s, &dir.path().join("keys"))
        .await
        .unwrap();
    let app = corridor_clearance_service::router_for(s.clone());
    (dir, s, app)
}

/// Publishes every party's public key, each with the token `token_for(party)` gives.
pub async fn publish_keys(
    app: &Router,
    keys: &[(String, SecretKey)],
    token_for: impl Fn(&str) -> String,
) {
    for p in PARTIES {
        let pem = key_of(keys, p).public_key().to_spki_pem().unwrap();
        let (st, body) = call(
            app,
            "POST",
            &format!("/parties/{p}/keys"),
            Some(&token_for(p)),
            Some(&serde_json::json!({"public_key": pem})),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{p}: {body}");
    }
}

/// A fresh schema on the test PostgreSQL, or `None` (skip) when it is
/// unreachable and `CORRIDOR_REQUIRE_POSTGRES` is not `1`.
pub async fn pg_db(test: &str) -> Option<db::Db> {
    let url = std::env::var("CORRIDOR_TEST_POSTGRES").unwrap_or_else(|_| PG_URL.to_string());
    let schema = format!("clearance_{test}_{}", std::process::id());
    match db::open_pg_in_schema(&url, &schema).await {
        Ok(db) => {
            // Start from an empty schema even if a previous run left one.
            for table in [
                "clearance_tokens",
                "clearance_users",
                "clearance_documents",
                "clearance_applications",
                "clearance_party_keys",
                "clearance_checkpoints",
                "clearance_log_key",
            ] {
                db.execute_raw(&format!("DELETE FROM {table}"))
                    .await
                    .unwrap();
            }
            db.execute_raw("ALTER TABLE clearance_log DISABLE TRIGGER USER")
                .await
                .unwrap();
            db.execute_raw("DELETE FROM clearance_log").await.unwrap();
            db.execute_raw("ALTER TABLE clearance_log ENABLE TRIGGER USER")
                .await
                .unwrap();
            Some(db)
        }
        Err(e) => {
            if std::env::var("CORRIDOR_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!(
                    "PostgreSQL required (CORRIDOR_REQUIRE_POSTGRES=1) but unreachable at {url}: {e}"
                );
            }
            eprintln!("note: skipping the PostgreSQL part: {url} unreachable ({e})");
            None
        }
    }
}

pub const PARTIES: [&str; 4] = ["RU", "TR", "UA", "UN"];
pub const COMPANIES: [(&str, &str); 3] = [
    ("agent-a", "Alpha Shipping"),
    ("agent-b", "Bravo Bulk"),
    ("agent-c", "Charlie Lines"),
];

/// Every role's users: admin, coordinator, inspector, a delegate per party, an agent per company.
pub async fn create_users(s: &Service) {
    s.create_user("admin", PASSWORD, &Role::Admin)
        .await
        .unwrap();
    s.create_user("coordinator", PASSWORD, &Role::Coordinator)
        .await
        .unwrap();
    s.create_user("inspector", PASSWORD, &Role::Inspector)
        .await
        .unwrap();
    for p in PARTIES {
        s.create_user(&delegate(p), PASSWORD, &Role::Delegate { party: p.into() })
            .await
            .unwrap();
    }
    for (u, c) in COMPANIES {
        s.create_user(u, PASSWORD, &Role::Agent { company: c.into() })
            .await
            .unwrap();
    }
}

pub fn delegate(party: &str) -> String {
    format!("{}-delegate", party.to_lowercase())
}

pub fn keys() -> Vec<(String, SecretKey)> {
    PARTIES
        .iter()
        .enumerate()
        .map(|(i, p)| (p.to_string(), SecretKey::from_seed(&[i as u8 + 1; 32])))
        .collect()
}

pub fn key_of<'a>(keys: &'a [(String, SecretKey)], party: &str) -> &'a SecretKey {
    &keys.iter().find(|(p, _)| p == party).unwrap().1
}

pub fn content(eta: Timestamp, imo: &str) -> ApplicationContent {
    ApplicationContent {
        vessel: Vessel {
            imo: imo.into(),
            name: format!("VESSEL {imo}"),
            flag: "MT".into(),
            mmsi: None,
            deadweight_tonnes: 40_000,
        },
        itinerary: Itinerary {
            port: "UAODS".into(),
            from_port: "TRIST".into(),
            to_port: "EGALY".into(),
            destination_country: "EG".into(),
        },
        cargo: vec![CargoLine {
            commodity: "wheat".into(),
            tonnes: 30_000,
        }],
        crew_count: 21,
        passenger_count: 0,
        last_port_calls: vec![PortCall {
            locode: "TRIST".into(),
            arrived: eta.checked_sub(SignedDuration::from_hours(200)).unwrap(),
            departed: eta.checked_sub(SignedDuration::from_hours(150)).unwrap(),
        }],
        eta_inspection_area: eta,
        documents: vec![],
        wfp: false,
        perishable: false,
    }
}

pub fn sign(
    key: &SecretKey,
    party: &str,
    id: &str,
    hash: Hash,
    decision: DecisionKind,
    time: Timestamp,
) -> SignedDecision {
    DecisionPayload {
        party: party.into(),
        application_id: id.into(),
        application_hash: hash,
        decision,
        time,
        key_id: key.key_id(),
    }
    .sign(key)
    .unwrap()
}

/// One request through the router; the body is JSON (or `Value::Null` when empty / not JSON).
pub async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    call_from(app, None, method, uri, token, body).await
}

/// [`call`] as from `peer`, the address the server's socket would report.
pub async fn call_from(
    app: &Router,
    peer: Option<std::net::SocketAddr>,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if let Some(p) = peer {
        req = req.extension(axum::extract::ConnectInfo(p));
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string()))
            .unwrap(),
        None => req.body(Body::empty()).unwrap(),
    };
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A GET with no token, answered as text: (status, content type, body).
pub async fn get_text(app: &Router, uri: &str) -> (StatusCode, String, String) {
    let req = Request::builder().uri(uri).body(Body::empty()).unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let kind = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, kind, String::from_utf8_lossy(&bytes).into_owned())
}

/// Raw bytes upload.
/// A file that passes for a PDF (uploads are checked by content).
/// A draft made by the agent holding `token` for vessel `imo`, due at the
/// inspection area 100 h from the service's clock; its tracking number.
pub async fn draft(s: &Service, app: &Router, token: &str, imo: &str) -> String {
    let eta = s
        .clock()
        .now()
        .checked_add(SignedDuration::from_hours(100))
        .unwrap();
    let body = serde_json::json!({"content": content(eta, imo)});
    let (st, body) = call(app, "POST", "/applications", Some(token), Some(&body)).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_string()
}

pub fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes()
}

pub async fn upload(app: &Router, uri: &str, token: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let req = Request::builder()
        .method("POST")
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/octet-stream")
        .body(Body::from(bytes))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

pub async fn login(app: &Router, user: &str) -> String {
    let (st, body) = call(
        app,
        "POST",
        "/auth/login",
        None,
        Some(&serde_json::json!({"username": user, "password": PASSWORD})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "login {user}: {body}");
    // A login token lasts a working day of the service's clock, and these
    // tests move that clock by days: they work with a script's token.
    let (st, body) = call(
        app,
        "POST",
        "/auth/tokens",
        body["token"].as_str(),
        Some(&serde_json::json!({"label": "tests", "expires_in_days": 365, "password": PASSWORD})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "token for {user}: {body}");
    body["token"].as_str().unwrap().to_string()
}
