//! The tracking store on SQLite and on PostgreSQL (same rules as `store.rs`:
//! `CORRIDOR_TEST_POSTGRES`, and `CORRIDOR_REQUIRE_POSTGRES=1` makes a
//! missing server a failure).

use std::sync::Arc;

use corridor_store::{
    AlertQuery, AlertRow, PgTrackStore, PositionRow, RegistryRow, SqliteTrackStore, TrackStore,
};
use jiff::Timestamp;

fn t(s: i64) -> Timestamp {
    Timestamp::from_second(1_699_999_800 + s).expect("time")
}

async fn exercise(s: Arc<dyn TrackStore>) {
    // 5,000 positions of two ships in one call: several multi-row chunks.
    let rows: Vec<PositionRow> = (0..5000)
        .map(|i| PositionRow {
            mmsi: 211_000_001 + (i % 2) as u32,
            time: t(i64::from(i) * 5),
            lat: 43.0 + f64::from(i) * 1e-4,
            lon: 34.0,
            sog: (i % 3 != 0).then_some(10.5),
            cog: Some(90.0),
            heading: None,
            nav_status: 0,
        })
        .collect();
    assert_eq!(s.insert_positions(&rows).await.expect("insert"), 5000);
    let track = s
        .track(211_000_001, t(0), t(100_000), 100_000)
        .await
        .expect("track");
    assert_eq!(track.len(), 2500);
    assert!(track.windows(2).all(|w| w[0].time < w[1].time));
    assert_eq!(track[0], rows[0]);

    // Down-sample the first hour to one per 10 minutes and vessel (the base time is a multiple of 600 s).
    let deleted = s.downsample(t(3600), 600).await.expect("downsample");
    let kept = s
        .track(211_000_001, t(0), t(3599), 100_000)
        .await
        .expect("track");
    assert_eq!(kept.len(), 6, "one per 10-minute bucket");
    assert!(deleted > 0);
    assert_eq!(
        s.downsample(t(3600), 600).await.expect("again"),
        0,
        "idempotent"
    );

    // Alerts upsert by key: the closed version replaces the open one.
    let alert = |open: bool, end: i64| AlertRow {
        key: "run1:7".into(),
        kind: "loitering".into(),
        mmsi: 211_000_001,
        start: t(100),
        end: t(end),
        open,
        body: serde_json::json!({ "id": 7, "open": open }),
    };
    s.upsert_alerts(&[alert(true, 200)]).await.expect("open");
    s.upsert_alerts(&[alert(false, 900)]).await.expect("close");
    let all = s.alerts(&AlertQuery::default()).await.expect("alerts");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0], alert(false, 900));
    let none = s
        .alerts(&AlertQuery {
            kind: Some("deviation".into()),
            ..AlertQuery::default()
        })
        .await
        .expect("alerts");
    assert!(none.is_empty());
    let open = s
        .alerts(&AlertQuery {
            open: Some(true),
            ..AlertQuery::default()
        })
        .await
        .expect("alerts");
    assert!(open.is_empty());

    let reg = vec![RegistryRow {
        mmsi: 211_000_001,
        imo: Some(9_300_001),
        name: Some("A".into()),
        source: "test".into(),
    }];
    s.register(&reg).await.expect("register");
    s.register(&reg).await.expect("register twice");
    assert_eq!(s.registry().await.expect("registry"), reg);
}

#[tokio::test]
async fn sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.db");
    // The record's store and the tracking store share one file, each migrator ignoring the other's versions.
    corridor_store::SqliteStore::open(path.to_str().expect("path"))
        .await
        .expect("record");
    let s = SqliteTrackStore::open(path.to_str().expect("path"))
        .await
        .expect("track");
    corridor_store::SqliteStore::open(path.to_str().expect("path"))
        .await
        .expect("record again");
    exercise(Arc::new(s)).await;
}

#[tokio::test]
async fn postgres() {
    let url = std::env::var("CORRIDOR_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("t_track_{}", std::process::id());
    match PgTrackStore::connect_in_schema(&url, &schema).await {
        Ok(s) => exercise(Arc::new(s)).await,
        Err(e) if std::env::var("CORRIDOR_REQUIRE_POSTGRES").as_deref() != Ok("1") => {
            eprintln!("note: PostgreSQL half skipped: {e}");
        }
        Err(e) => panic!("PostgreSQL required (CORRIDOR_REQUIRE_POSTGRES=1) but unavailable: {e}"),
    }
}
