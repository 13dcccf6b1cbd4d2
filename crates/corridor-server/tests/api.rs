//! The API over the real record, driven without a socket.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use corridor_domain::Snapshot;
use corridor_server::{AppState, Options, router};
use corridor_store::{ImportBatch, SqliteStore};
use http_body_util::BodyExt;
use tower::ServiceExt;

mod common;

async fn app() -> (tempfile::TempDir, axum::Router) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("r.db").to_str().unwrap())
        .await
        .unwrap();
    let csv = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/jcc/bsgi_outbound_shipments_2023-06-14.csv");
    let p = corridor_import::jcc::read_path(&csv).unwrap();
    use corridor_store::Store;
    store
        .import(ImportBatch {
            snapshot: Snapshot {
                source: "jcc.csv".into(),
                as_of: p.latest_departure().unwrap(),
            },
            format: "csv",
            recorded_at: jiff::Timestamp::from_second(1_780_000_000).unwrap(),
            voyages: p.voyages,
            progress: None,
        })
        .await
        .unwrap();
    let state = AppState::new(Arc::new(store));
    (dir, router(state, &Options::default()))
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, serde_json::Value) {
    let res = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

#[tokio::test]
async fn stats_match_the_published_figures() {
    let (_d, app) = app().await;
    let (status, s) = get(&app, "/api/v1/stats").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s["tonnes"], 31_744_756);
    assert_eq!(s["voyages"], 981);
    assert_eq!(s["cargo_lines"], 1120);
    assert_eq!(s["wfp_tonnes"], 625_169);
    assert_eq!(s["by_port"]["Chornomorsk"], 11_892_284);
    let (_, aug) = get(&app, "/api/v1/stats?from=2022-08-01&until=2022-08-31").await;
    assert_eq!(aug["by_month"].as_object().unwrap().len(), 1);
    insta::assert_json_snapshot!("stats_2022_08", aug);
}

#[tokio::test]
async fn bad_requests_say_what_is_wrong() {
    let (_d, app) = app().await;
    for (uri, status, message) in [
        (
            "/api/v1/stats?from=yesterday",
            400,
            "from: \"yesterday\" is not a date like 2022-08-01",
        ),
        (
            "/api/v1/stats?from=2023-01-02&until=2023-01-01",
            400,
            "from (2023-01-02) is after until (2023-01-01)",
        ),
        (
            "/api/v1/voyages?limit=5000",
            400,
            "limit: \"5000\" is not a whole number from 1 to 1000",
        ),
        (
            "/api/v1/voyages?limit=0",
            400,
            "limit: \"0\" is not a whole number from 1 to 1000",
        ),
        (
            "/api/v1/voyages?imo=12",
            400,
            "imo: IMO number \"12\" is not 7 digits",
        ),
        (
            "/api/v1/voyages?status=sunk",
            400,
            "status: \"sunk\" is not one of departed, inspected",
        ),
        (
            "/api/v1/vessels/9074729",
            404,
            "no vessel with IMO 9074729 in the record",
        ),
        ("/api/v1/nothing", 404, "no such API route"),
        // From a review of the open data (session 27): a misspelt
        // parameter was ignored, and the answer was the whole record.
        (
            "/api/v1/stats?form=2023-01-01",
            400,
            "query string: form: unknown field `form`, expected `from` or `until`",
        ),
        (
            "/api/v1/voyages?Port=Odesa",
            400,
            "query string: unknown parameter \"Port\" (this route takes from, until, port, commodity, country, imo, status, limit, offset)",
        ),
        (
            "/api/v1/voyages/export?country=Turkey&commodty=Wheat",
            400,
            "query string: unknown parameter \"commodty\" (this route takes from, until, port, commodity, country, imo, status, format)",
        ),
        // A repeated parameter is a JSON error too (it was plain text).
        (
            "/api/v1/voyages?limit=1&limit=2",
            400,
            "query string: duplicate field `limit`",
        ),
    ] {
        let (s, body) = get(&app, uri).await;
        assert_eq!(s.as_u16(), status, "{uri}");
        assert_eq!(body["error"]["message"], message, "{uri}");
    }
}

#[tokio::test]
async fn voyages_and_vessels() {
    let (_d, app) = app().await;
    let (_, page) = get(
        &app,
        "/api/v1/voyages?port=Odesa&commodity=Wheat&limit=3&offset=1",
    )
    .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    assert_eq!(page["offset"], 1);
    assert!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["port_name"] == "Odesa")
    );
    let (s, v) = get(&app, "/api/v1/vessels/9086526").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["vessel"]["name"], "RAZONI");
    let (s, e) = get(&app, "/api/v1/vessels/%FF").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        e["error"]["message"].as_str().unwrap().starts_with("path:"),
        "{e}"
    );
    insta::assert_json_snapshot!("vessel_razoni", v);
}

/// Issue 7: with no directory named, the dashboard is the binary's own
/// (read from web/dist on disk in a debug build, embedded in a release one).
#[tokio::test]
async fn issue_7_the_dashboard_is_served_from_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("r.db").to_str().unwrap())
        .await
        .unwrap();
    let app = router(AppState::new(Arc::new(store)), &Options::default());
    let send = |uri: &str, etag: Option<&str>| {
        let mut req = Request::get(uri);
        if let Some(tag) = etag {
            req = req.header("if-none-match", tag);
        }
        app.clone().oneshot(req.body(Body::empty()).unwrap())
    };
    let index = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/dist/index.html");
    let res = send("/", None).await.unwrap();
    if !index.exists() {
        // Built without the dashboard: the API only, and it says so.
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(!corridor_server::assets::available());
        return;
    }
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body.as_ref(), std::fs::read(&index).unwrap().as_slice());

    // A route of the page (a bookmark without the #) still lands on it.
    let res = send("/agent", None).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The script, with a JavaScript type; a missing file is a 404, not the page.
    let res = send("/app.js", None).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert_eq!(
        send("/no-such.js", None).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // Unchanged since the browser's copy: 304, nothing sent again.
    let res = send("/", Some(&etag)).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    // The API is still the API.
    let (status, body) = get(&app, "/api/v1/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
}

/// Over a real socket: the client a handler sees (the login limiter's key)
/// is the peer, or, through a trusted proxy, the address that proxy
/// forwarded for; an untrusted peer's `X-Forwarded-For` is ignored.
#[tokio::test]
async fn the_client_is_the_peer_or_who_a_trusted_proxy_forwarded_for() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqliteStore::open(dir.path().join("r.db").to_str().unwrap())
            .await
            .unwrap(),
    );
    let whoami = axum::Router::new().route(
        "/whoami",
        axum::routing::get(|c: corridor_http::ClientAddr| async move {
            c.0.map(|ip| ip.to_string()).unwrap_or_default()
        }),
    );
    for (trusted, expected) in [
        (Vec::new(), "127.0.0.1"),
        (vec!["127.0.0.1".parse().unwrap()], "198.51.100.7"),
    ] {
        let opts = Options {
            api: vec![whoami.clone()],
            trusted_proxies: trusted,
            ..Options::default()
        };
        let app = router(AppState::new(store.clone()), &opts);
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let server = tokio::spawn(corridor_server::serve(app, addr));
        let mut conn = None;
        for _ in 0..200 {
            if let Ok(c) = tokio::net::TcpStream::connect(addr).await {
                conn = Some(c);
                break;
            }
            tokio::task::yield_now().await;
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let mut conn = conn.expect("the server listens");
        conn.write_all(
            b"GET /api/v1/whoami HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.7\r\nConnection: close\r\n\r\n",
        )
        .await
        .unwrap();
        let mut raw = String::new();
        conn.read_to_string(&mut raw).await.unwrap();
        server.abort();
        let body = raw.split("\r\n\r\n").nth(1).unwrap_or_default();
        assert!(body.contains(expected), "{expected}: {raw}");
    }
}

/// Hostile review (2026-11-30): a method a route does not take got an empty
/// 405, and `/api/v1/` or `/api/v2/queue` the dashboard's HTML. Both are
/// API errors in JSON now.
#[tokio::test]
async fn api_errors_are_json_for_a_wrong_method_or_an_unknown_api() {
    let (_dir, app) = app().await;
    let res = app
        .clone()
        .oneshot(Request::patch("/api/v1/stats").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(v["error"]["code"], "method_not_allowed", "{v}");
    assert_eq!(
        v["error"]["message"], "PATCH is not a method /api/v1/stats takes",
        "{v}"
    );
    for uri in ["/api/v2/queue", "/api/v1/", "/api", "/api/v1/nothing"] {
        let (st, v) = get(&app, uri).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{uri}: {v}");
        assert!(v["error"]["message"].as_str().is_some(), "{uri}: {v}");
    }
    // The dashboard is still served where it lives.
    let res = app
        .clone()
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// Open finding 38: `/healthz` and `/metrics` were left out of the
/// document. Described now as what they are, plain text at the root; the
/// readiness answer is that text.
#[tokio::test]
async fn the_operations_routes_are_in_the_document() {
    let doc = serde_json::to_value(corridor_server::openapi::whole_document(
        utoipa::openapi::OpenApiBuilder::new().build(),
    ))
    .unwrap();
    for (path, statuses) in [("/healthz", &["200", "503"][..]), ("/metrics", &["200"])] {
        for status in statuses {
            let content = &doc["paths"][path]["get"]["responses"][status]["content"];
            assert!(
                content["text/plain"].is_object(),
                "{path} {status}: {content}"
            );
        }
    }
    let (_d, app) = app().await;
    let res = app
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let kind = res.headers()[axum::http::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(kind.starts_with("text/plain"), "{kind}");
    let body = res.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"ok");
}

/// Open finding 38: the OpenAPI document described the clearance API only.
/// The record's routes are in it now; each real answer has exactly the
/// members its schema names (a member added to a type, or dropped, fails
/// here as well as in schemathesis).
#[tokio::test]
async fn the_record_routes_answer_as_their_schemas_say() {
    let doc = serde_json::to_value(corridor_server::openapi::record_document()).unwrap();
    let (_d, app) = app().await;
    for (uri, path) in [
        ("/api/v1/stats", "/api/v1/stats"),
        ("/api/v1/voyages?limit=5", "/api/v1/voyages"),
        ("/api/v1/vessels/9086526", "/api/v1/vessels/{imo}"),
    ] {
        let (status, body) = get(&app, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        let schema =
            &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert!(schema.is_object(), "{path} has no 200 schema");
        common::conforms(&doc, schema, &body, uri);
    }
    let (_, v) = get(&app, "/api/v1/vessels/9086526").await;
    assert!(!v["voyages"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn healthz_says_when_the_database_does_not_answer() {
    // An operator review (session 21): `/healthz` said "ok" with the
    // database down, so a load balancer kept sending requests that failed.
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn corridor_store::Store> = Arc::new(
        SqliteStore::open(dir.path().join("r.db").to_str().unwrap())
            .await
            .unwrap(),
    );
    let app = router(AppState::new(Arc::clone(&store)), &Options::default());
    let health = || async {
        let res = app
            .clone()
            .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    };
    assert_eq!(health().await, (StatusCode::OK, "ok".to_string()));
    store.close().await;
    let (status, body) = health().await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.contains("does not answer"), "{body}");
}

fn published_csv() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/jcc/bsgi_outbound_shipments_2023-06-14.csv")
}

async fn download(app: &axum::Router, uri: &str) -> axum::response::Response {
    app.clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap()
}

// Open finding 55: the dashboard's download paged through /voyages, an hour
// at a million voyages; the server now streams the table from one query.
#[tokio::test]
async fn the_download_is_the_jccs_table_and_reads_back_as_the_record() {
    let (_d, app) = app().await;
    let res = download(&app, "/api/v1/voyages/export").await;
    assert_eq!(res.status(), StatusCode::OK);
    let header = |name: &str| res.headers()[name].to_str().unwrap().to_string();
    assert_eq!(header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"corridor-voyages-all.csv\""
    );
    let body = res.into_body().collect().await.unwrap().to_bytes();
    let text = std::str::from_utf8(&body).unwrap();
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 1 + 1120);
    // Voyage 981's two rows, byte for byte as the JCC published them.
    let published = std::fs::read_to_string(published_csv()).unwrap();
    let published: Vec<&str> = published.lines().take(3).collect();
    assert_eq!(lines[..3], published[..]);
    // Read back by the importer: the same record and figures.
    let again = corridor_import::jcc::read_bytes("download.csv", &body).unwrap();
    assert_eq!(again.errors, vec![]);
    assert_eq!(again.voyages.len(), 981);
    let total: corridor_domain::Tonnes = again.voyages.iter().map(|v| v.tonnes()).sum();
    assert_eq!(total, corridor_domain::Tonnes::whole(31_744_756));

    let res = download(
        &app,
        "/api/v1/voyages/export?format=json&port=Odesa&until=2022-12-31",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"corridor-voyages-start-to-2022-12-31-port-Odesa.json\""
    );
    // A name in another script is given as UTF-8 beside an ASCII stand-in
    // (a review of session 27 saw `T-rkiye`).
    let named = download(&app, "/api/v1/voyages/export?country=T%C3%BCrkiye").await;
    assert_eq!(
        named.headers()["content-disposition"],
        "attachment; filename=\"corridor-voyages-all-country-T_rkiye.csv\"; filename*=UTF-8''corridor-voyages-all-country-T%C3%BCrkiye.csv"
    );
    let rows: Vec<serde_json::Value> =
        serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let (_, stats) = get(&app, "/api/v1/stats?until=2022-12-31").await;
    let kg: i64 = rows
        .iter()
        .map(|r| (r["Metric tons"].as_f64().unwrap() * 1000.0).round() as i64)
        .sum();
    assert_eq!(
        kg,
        (stats["by_port"]["Odesa"].as_f64().unwrap() * 1000.0).round() as i64
    );
    assert!(
        rows.iter().all(|r| r["Departure port"] == "Odesa"
            && r["Departure date"].as_str().unwrap() <= "2022-12-31")
    );

    // Compressed, as a browser asks for it (the compression layer asks the
    // body again after its end: it once panicked there).
    for format in ["csv", "json"] {
        let res = app
            .clone()
            .oneshot(
                Request::get(format!("/api/v1/voyages/export?format={format}"))
                    .header("accept-encoding", "gzip")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.headers()["content-encoding"], "gzip");
        let gz = res.into_body().collect().await.unwrap().to_bytes();
        assert!(gz.len() > 10_000, "{format}: {} bytes", gz.len());
    }

    // Nothing matches: the header alone, or an empty array.
    for (format, expected) in [("csv", None), ("json", Some("[\n]\n"))] {
        let res = download(
            &app,
            &format!("/api/v1/voyages/export?format={format}&imo=9999995"),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let text = std::str::from_utf8(&body).unwrap();
        match expected {
            Some(e) => assert_eq!(text, e),
            None => assert_eq!(
                text,
                format!("{}\r\n", corridor_import::jcc::CSV_HEADER.join(","))
            ),
        }
    }
}

#[tokio::test]
async fn a_download_is_refused_clearly_when_asked_wrongly_or_too_often() {
    let (_d, app) = app().await;
    let (status, e) = get(&app, "/api/v1/voyages/export?format=xml").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        e["error"]["message"],
        "format: \"xml\" is not one of csv, json"
    );
    let (status, e) = get(
        &app,
        "/api/v1/voyages/export?from=2023-01-02&until=2023-01-01",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        e["error"]["message"],
        "from (2023-01-02) is after until (2023-01-01)"
    );
    // Open finding 60: paging is /voyages'; a download asked for a page
    // gave everything.
    let (status, e) = get(&app, "/api/v1/voyages/export?limit=10").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("limit: a download holds every voyage the filters pick"),
        "{e}"
    );
    let (status, _) = get(&app, "/api/v1/voyages/export?offset=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A name with a control character: refused before anything is sent
    // (on PostgreSQL it was a download cut short after its header row).
    for uri in [
        "/api/v1/voyages/export?commodity=Wheat%00",
        "/api/v1/voyages?country=Spain%00",
        "/api/v1/voyages/export?port=Odesa%1b",
    ] {
        let (status, e) = get(&app, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("control character"),
            "{uri}: {e}"
        );
    }

    // HTTP/1.0 ends a body by closing: a download cut short would look whole.
    let res = app
        .clone()
        .oneshot(
            Request::get("/api/v1/voyages/export")
                .version(axum::http::Version::HTTP_10)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::HTTP_VERSION_NOT_SUPPORTED);

    // Two downloads under way (their bodies not read yet) hold the two
    // places; a third is told to come back, and the API goes on.
    let held = [
        download(&app, "/api/v1/voyages/export").await,
        download(&app, "/api/v1/voyages/export?format=json").await,
    ];
    assert!(held.iter().all(|r| r.status() == StatusCode::OK));
    let busy = download(&app, "/api/v1/voyages/export").await;
    assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(busy.headers()["retry-after"], "30");
    let body = busy.into_body().collect().await.unwrap().to_bytes();
    let e: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(e["error"]["code"], "busy");
    let (status, _) = get(&app, "/api/v1/voyages?limit=5").await;
    assert_eq!(status, StatusCode::OK);
    // A download given up frees its place.
    drop(held);
    let again = download(&app, "/api/v1/voyages/export").await;
    assert_eq!(again.status(), StatusCode::OK);
}
