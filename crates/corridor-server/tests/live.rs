//! Live tracking routes, driven without a socket: a pipeline fed from a
//! recorded file, then geometry, live vessels, alerts, a track, SSE and metrics.

use std::io::Write;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use corridor_ingest::sim::NmeaEncoder;
use corridor_ingest::{PipelineConfig, SourceSpec, demo_corridor, spawn_pipeline};
use corridor_server::live::{LiveState, Notice, api_router, metrics_router};
use corridor_server::{AppState, Options, router};
use corridor_store::{SqliteStore, SqliteTrackStore, TrackStore};
use corridor_track::{NavStatus, PositionReport, Report};
use http_body_util::BodyExt;
use jiff::Timestamp;
use tower::ServiceExt;

mod common;

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, String) {
    let res = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn live_routes_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db");
    let record = SqliteStore::open(db.to_str().expect("path"))
        .await
        .expect("record");
    let track: Arc<dyn TrackStore> = Arc::new(
        SqliteTrackStore::open(db.to_str().expect("path"))
            .await
            .expect("track"),
    );

    // A short recorded feed: one ship sailing north for 10 minutes.
    let feed = dir.path().join("feed.nmea");
    let mut enc = NmeaEncoder::new(&[], "t");
    let mut f = std::fs::File::create(&feed).expect("feed");
    for i in 0..60 {
        let r = Report::Position(PositionReport {
            mmsi: 211_000_001,
            time: Timestamp::from_second(1_700_000_000 + i * 10).expect("time"),
            lat: 43.0 + i as f64 * 0.0005,
            lon: 34.0,
            sog_kn: Some(12.1),
            cog_deg: Some(0.0),
            heading_deg: Some(0),
            nav_status: NavStatus::UNDER_WAY,
        });
        f.write_all(enc.encode(&r).as_bytes()).expect("write");
        // Between the 31st and the 36th report, a second transmitter with
        // the same MMSI 130 nm away (a review of session 27 saw the public
        // track drawn through such positions).
        if (30..35).contains(&i) {
            let spoof = Report::Position(PositionReport {
                time: Timestamp::from_second(1_700_000_005 + i * 10).expect("time"),
                lat: 44.5,
                lon: 36.0,
                ..match r {
                    Report::Position(p) => p,
                    _ => unreachable!(),
                }
            });
            f.write_all(enc.encode(&spoof).as_bytes()).expect("write");
        }
    }
    drop(f);
    let mut cfg = PipelineConfig::new(
        demo_corridor().expect("corridor"),
        vec![SourceSpec::File {
            path: feed,
            speed: None,
        }],
    );
    cfg.position_batch = 10;
    let handle = spawn_pipeline(cfg, Some(Arc::clone(&track)))
        .await
        .expect("pipeline");
    // The replay ends by itself; the pipeline stays up for queries. Wait for the last position to be stored.
    for _ in 0..2000 {
        if track
            .track(
                211_000_001,
                Timestamp::from_second(0).expect("t"),
                Timestamp::MAX,
                1000,
            )
            .await
            .expect("track")
            .len()
            == 65
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }

    let notices = tokio::sync::broadcast::channel(8).0;
    let live = LiveState {
        handle,
        geometry: Arc::from(corridor_geo::BLACK_SEA_DEMO),
        notices: Some(notices.clone()),
    };
    let opts = Options {
        api: vec![api_router(live)],
        root: vec![metrics_router()],
        ..Options::default()
    };
    let app = router(AppState::new(Arc::new(record)), &opts);

    let (s, body) = get(&app, "/api/v1/geometry").await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("FeatureCollection"));

    let (s, body) = get(&app, "/api/v1/vessels/live").await;
    assert_eq!(s, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["count"], 1);
    assert_eq!(v["items"][0]["mmsi"], 211_000_001);
    // Speeds as reported, not an f32 widened to f64 (12.100000381469727).
    assert!(body.contains(r#""sog":12.1,"#), "{body}");

    let (s, body) = get(
        &app,
        "/api/v1/tracks/211000001?from=2023-11-14T00:00:00Z&until=2023-11-15T00:00:00Z",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let t: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(t["geometry"]["type"], "LineString");
    assert_eq!(
        t["geometry"]["coordinates"].as_array().map(Vec::len),
        Some(60)
    );
    assert_eq!(t["properties"]["not_believed"], 5, "{t}");
    // Asked from the first spoofed report on, the belief still rests on
    // the ship's own reports before it.
    let (s, body) = get(
        &app,
        "/api/v1/tracks/211000001?from=2023-11-14T22:18:25Z&until=2023-11-15T00:00:00Z",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let t2: serde_json::Value = serde_json::from_str(&body).expect("json");
    let lons: Vec<f64> = t2["geometry"]["coordinates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[0].as_f64().unwrap())
        .collect();
    assert_eq!(lons.len(), 29, "{t2}");
    assert!(lons.iter().all(|l| (*l - 34.0).abs() < 1e-6), "{lons:?}");
    assert_eq!(t2["properties"]["not_believed"], 5, "{t2}");

    assert_eq!(t["properties"]["truncated"], false, "{t}");
    assert_eq!(t["properties"]["next_from"], serde_json::Value::Null, "{t}");

    // Open finding 38: the live routes are in the OpenAPI document, and
    // their answers have exactly the members it names.
    let doc = serde_json::to_value(corridor_server::openapi::live_document()).expect("doc");
    let schema = |path: &str| {
        doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            .clone()
    };
    common::conforms(&doc, &schema("/api/v1/vessels/live"), &v, "vessels");
    common::conforms(&doc, &schema("/api/v1/tracks/{mmsi}"), &t, "track");
    // Two stored alerts, as the pipeline stores them: one with an area and
    // an IMO, one without.
    let pos = PositionReport {
        mmsi: 211_000_001,
        time: Timestamp::from_second(1_700_000_000).expect("time"),
        lat: 43.0,
        lon: 34.0,
        sog_kn: Some(0.4),
        cog_deg: None,
        heading_deg: None,
        nav_status: NavStatus::AT_ANCHOR,
    };
    let alert = |id: u64, area: Option<&str>, imo: Option<u32>| corridor_track::Alert {
        id,
        kind: corridor_track::AlertKind::Loitering,
        mmsi: pos.mmsi,
        start: pos.time,
        end: pos.time,
        open: true,
        place: corridor_track::Place {
            lat: Some(pos.lat),
            lon: Some(pos.lon),
            area: area.map(str::to_string),
        },
        other_mmsi: None,
        imo,
        detail: "stopped".into(),
        evidence: vec![corridor_track::Evidence::Position(pos)],
    };
    let rows: Vec<corridor_store::AlertRow> = [
        alert(1, Some("Odesa lane"), Some(9_086_526)),
        alert(2, None, None),
    ]
    .iter()
    .map(|a| corridor_store::AlertRow {
        key: format!("test:{}", a.id),
        kind: a.kind.as_str().to_string(),
        mmsi: a.mmsi,
        start: a.start,
        end: a.end,
        open: a.open,
        body: a.to_json(),
    })
    .collect();
    track.upsert_alerts(&rows).await.expect("alerts");
    let (_, body) = get(&app, "/api/v1/alerts").await;
    let all: serde_json::Value = serde_json::from_str(&body).expect("json");
    // The two stored here (the feed's spoof raises its own as well).
    let stored_here = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["key"].as_str().is_some_and(|k| k.starts_with("test:")))
        .count();
    assert_eq!(stored_here, 2, "{all}");
    common::conforms(&doc, &schema("/api/v1/alerts"), &all, "alerts");

    let (s, _) = get(&app, "/api/v1/tracks/nonsense").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // A path that is not UTF-8 gets the API's JSON error, like any bad input
    // (server review 7: axum's own plain-text rejection).
    let (s, body) = get(&app, "/api/v1/tracks/%FF").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let e: serde_json::Value = serde_json::from_str(&body).expect("a JSON error");
    assert!(
        e["error"]["message"].as_str().unwrap().starts_with("path:"),
        "{e}"
    );
    let (s, _) = get(&app, "/api/v1/alerts?open=maybe").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, body) = get(&app, "/api/v1/alerts?kind=deviation").await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("\"count\":0"));
    let (s, body) = get(&app, "/api/v1/alerts?events=false&limit=500").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, _) = get(&app, "/api/v1/alerts?events=maybe").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Hostile review (2026-11-30): limit=0 gave one alert, and a number too
    // large was "not a number".
    for (query, says) in [
        ("limit=0", "limit=0: not from 1 to 10000"),
        (
            "limit=99999999999",
            "limit=99999999999: not from 1 to 10000",
        ),
        ("mmsi=2x", "is not a whole number"),
        // Interface check (session 19): an unknown kind was a 200 and [].
        ("kind=bogus", "is not one of corridor_entry, corridor_exit,"),
    ] {
        let (s, body) = get(&app, &format!("/api/v1/alerts?{query}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert!(body.contains(says), "{query}: {body}");
    }

    let (s, _) = get(&app, "/metrics").await;
    assert_eq!(s, StatusCode::OK);

    // SSE: the first event is the current picture of the one tracked vessel.
    let res = app
        .clone()
        .oneshot(
            Request::get("/api/v1/live")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/event-stream")
    );
    let mut body = res.into_body();
    let frame = body.frame().await.expect("frame").expect("ok");
    let text = String::from_utf8_lossy(frame.data_ref().expect("data")).into_owned();
    assert!(
        text.contains("event: position") && text.contains("211000001"),
        "{text}"
    );

    // A notice from outside tracking (an acknowledgement) follows on the
    // same stream, under its own event name.
    notices
        .send(Notice {
            event: "acknowledgement",
            data: r#"{"key":"k1","mmsi":211000001}"#.into(),
        })
        .expect("a subscriber");
    let mut seen = String::new();
    while !seen.contains("event: acknowledgement") {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(10), body.frame())
            .await
            .expect("the notice within 10 s")
            .expect("frame")
            .expect("ok");
        if let Some(d) = frame.data_ref() {
            seen.push_str(&String::from_utf8_lossy(d));
        }
    }
    assert!(
        seen.contains(r#"data: {"key":"k1","mmsi":211000001}"#),
        "{seen}"
    );
}

/// A page too slow for every position still gets every alert: positions
/// and alerts travel apart, so a flood of positions (dropped, and said so
/// with `lagged`) never pushes an alert out. (A coordinator's screen once
/// missed alerts dropped with the positions around them.) Real sockets: the
/// simulator sends NMEA over TCP into the pipeline's TCP server source.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_too_slow_for_positions_still_gets_every_alert() {
    let corridor = demo_corridor().expect("corridor");
    let mut cfg = PipelineConfig::new(
        corridor.clone(),
        vec![SourceSpec::parse("tcp-server:127.0.0.1:0").expect("spec")],
    );
    // A tiny position backlog, so the unread page falls behind at once.
    cfg.live_capacity = 16;
    let (tap, mut tapped) = tokio::sync::mpsc::channel(4096);
    cfg.alert_tap = Some(tap);
    let scenario = corridor_track::sim::random_scenario(
        &corridor,
        Timestamp::from_second(1_700_000_000).expect("start"),
        2,
        12,
        6,
        1,
        11,
    );
    let sim_cfg = corridor_track::sim::SimConfig {
        seed: 11,
        ..Default::default()
    };
    cfg.registry = corridor_track::sim::simulate(&corridor, &scenario, &sim_cfg)
        .expect("simulate")
        .registry;
    let handle = spawn_pipeline(cfg, None).await.expect("pipeline");
    let addr = handle.bound()[0].1;
    let app = api_router(LiveState {
        handle,
        geometry: Arc::from(corridor_geo::BLACK_SEA_DEMO),
        notices: None,
    });
    // Subscribed now; not read until the whole feed has gone through.
    let res = app
        .oneshot(Request::get("/live").body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let mut body = res.into_body();
    let sim = corridor_ingest::spawn_simulator(
        &corridor,
        &scenario,
        &sim_cfg,
        corridor_ingest::sim::Serve::TcpClient(addr),
        corridor_ingest::sim::Pace {
            speed: None,
            head_start: std::time::Duration::ZERO,
        },
    )
    .expect("simulator");
    sim.task.await.expect("join").expect("feed sent");
    // Every alert the pipeline raised, as its tap saw them (quiet for 2 s: done).
    let mut raised = std::collections::BTreeSet::new();
    while let Ok(Some(a)) =
        tokio::time::timeout(std::time::Duration::from_secs(2), tapped.recv()).await
    {
        raised.insert(a.id);
    }
    assert!(
        raised.len() >= 5,
        "the scenario raises alerts: {}",
        raised.len()
    );
    // Now the page reads what it was sent.
    let (mut text, mut got, mut lagged) = (String::new(), std::collections::BTreeSet::new(), 0);
    // Everything it was sent (the stream stays open: until a quiet second).
    loop {
        let Ok(Some(Ok(frame))) =
            tokio::time::timeout(std::time::Duration::from_secs(1), body.frame()).await
        else {
            break;
        };
        if let Ok(data) = frame.into_data() {
            text.push_str(&String::from_utf8_lossy(&data));
        }
        while let Some((event, rest)) = text.split_once("\n\n") {
            if event.contains("event: lagged") {
                lagged += 1;
            }
            if event.contains("event: alert") {
                let data = event
                    .lines()
                    .find_map(|l| l.strip_prefix("data: "))
                    .expect("data");
                let a: serde_json::Value = serde_json::from_str(data).expect("alert json");
                // Web review (2026-11-30), finding 6: the page keyed alerts
                // by id, which starts again at 1 each run; each carries
                // the key it is stored under.
                let key = a["key"].as_str().expect("key");
                assert!(key.ends_with(&format!(":{}", a["id"])), "{key} for {a}");
                got.insert(a["id"].as_u64().expect("id"));
            }
            text = rest.to_string();
        }
    }
    assert!(lagged > 0, "the page fell behind on positions");
    assert_eq!(got, raised, "every alert reached the slow page");
}

/// Open finding 39: `/metrics` was empty until traffic came, and a line
/// with no AIS sentence was skipped without a count. Every series is now
/// there at zero, with its help text, from the pipeline's start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_name_every_series_before_traffic() {
    let opts = Options {
        root: vec![metrics_router()],
        ..Options::default()
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("m.db");
    let record = SqliteStore::open(db.to_str().expect("path"))
        .await
        .expect("record");
    let cfg = PipelineConfig::new(
        demo_corridor().expect("corridor"),
        vec![SourceSpec::parse("tcp-server:127.0.0.9:0").expect("spec")],
    );
    let handle = spawn_pipeline(cfg, None).await.expect("pipeline");
    let app = router(AppState::new(Arc::new(record)), &opts);
    let (s, body) = get(&app, "/metrics").await;
    assert_eq!(s, StatusCode::OK);
    // A source of its own: the other tests of this binary share the
    // process's recorder.
    let source = r#"source="tcp-server:127.0.0.9:0""#;
    for (name, _) in corridor_ingest::METRICS {
        assert!(
            corridor_ingest::ON_FIRST.contains(name) || body.contains(&format!("# HELP {name} ")),
            "{name}:\n{body}"
        );
    }
    for name in [
        "corridor_ingest_messages_total",
        "corridor_ingest_reports_total",
        "corridor_ingest_bad_sentences_total",
    ] {
        assert!(
            body.contains(&format!("{name}{{{source}}} 0")),
            "{name}:\n{body}"
        );
    }
    assert!(
        body.contains(r#"corridor_alerts_total{kind="ais_gap"}"#),
        "{body}"
    );

    // A receiver's GPS sentence and a line of text are counted, not lost.
    let addr = handle.bound()[0].1;
    let mut conn = tokio::net::TcpStream::connect(addr).await.expect("connect");
    tokio::io::AsyncWriteExt::write_all(
        &mut conn,
        b"$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\nhello\r\n\r\n",
    )
    .await
    .expect("write");
    drop(conn);
    let want = format!(r#"corridor_ingest_drops_total{{{source},reason="not_ais"}} 2"#);
    let mut last = String::new();
    for _ in 0..400 {
        last = get(&app, "/metrics").await.1;
        if last.contains(&want) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(last.contains(&want), "{want}:\n{last}");
    let stats = handle.stats().await;
    assert_eq!(stats.sources[0].drops, 2);
    assert_eq!(stats.sources[0].bad, 0);
}
