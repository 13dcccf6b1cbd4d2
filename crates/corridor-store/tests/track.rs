//! The tracking store on SQLite and on PostgreSQL (same rules as `store.rs`:
//! `CORRIDOR_TEST_POSTGRES`, and `CORRIDOR_REQUIRE_POSTGRES=1` makes a
//! missing server a failure).

use std::sync::Arc;

use corridor_store::{
    AlertQuery, AlertRow, Claim, PgTrackStore, PositionRow, RegistryRow, SqliteTrackStore,
    TrackStore,
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

    // Values come back exactly (binary COPY on PostgreSQL), a NaN speed as
    // unknown; a repeat within a call is stored once.
    let odd = |i: u32| PositionRow {
        mmsi: 211_000_003,
        time: t(i64::from(i)),
        lat: 43.123_456_789_012_34 + f64::from(i) * 1.1e-7,
        lon: -0.1 - f64::from(i) / 3.0,
        sog: Some(10.3 + i as f32 / 7.0),
        cog: Some(359.9),
        heading: Some(511),
        nav_status: 15,
    };
    let mut odd_rows: Vec<PositionRow> = (0..3).map(odd).collect();
    odd_rows.push(PositionRow {
        sog: Some(f32::NAN),
        heading: None,
        ..odd(3)
    });
    odd_rows.push(PositionRow { lat: 0.0, ..odd(1) });
    assert_eq!(s.insert_positions(&odd_rows).await.expect("insert"), 4);
    let back = s.track(211_000_003, t(0), t(10), 100).await.expect("track");
    let expected = [
        odd(0),
        odd(1),
        odd(2),
        PositionRow {
            sog: None,
            heading: None,
            ..odd(3)
        },
    ];
    assert_eq!(back, expected);

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
    let except = |kinds: &[&str]| AlertQuery {
        except_kinds: kinds.iter().map(|k| k.to_string()).collect(),
        ..AlertQuery::default()
    };
    assert!(
        s.alerts(&except(&["x", &all[0].kind]))
            .await
            .expect("alerts")
            .is_empty()
    );
    assert_eq!(s.alerts(&except(&["x", "y"])).await.expect("alerts"), all);
    let by_key = |key: &str| AlertQuery {
        key: Some(key.into()),
        ..AlertQuery::default()
    };
    assert_eq!(
        s.alerts(&by_key("run1:7")).await.expect("by key"),
        [alert(false, 900)]
    );
    assert!(
        s.alerts(&by_key("run1:8"))
            .await
            .expect("by key")
            .is_empty()
    );

    let reg = vec![RegistryRow {
        mmsi: 211_000_001,
        imo: Some(9_300_001),
        name: Some("A".into()),
        source: "test".into(),
    }];
    s.register(&reg).await.expect("register");
    s.register(&reg).await.expect("register twice");
    assert_eq!(s.registry().await.expect("registry"), reg);
    // The vessel registered again under a new MMSI (a change of flag): its
    // old MMSI no longer names it, else a restart picked one at random.
    let moved = vec![RegistryRow {
        mmsi: 538_000_002,
        imo: Some(9_300_001),
        name: Some("A".into()),
        source: "clearance".into(),
    }];
    s.register(&moved).await.expect("register the new MMSI");
    assert_eq!(s.registry().await.expect("registry"), moved);
}

async fn sqlite_store(dir: &tempfile::TempDir) -> SqliteTrackStore {
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
    s
}

/// A tracking store in its own schema, or `None` (skipped) when PostgreSQL
/// is unavailable and not required.
async fn pg_store(test: &str) -> Option<PgTrackStore> {
    let url = std::env::var("CORRIDOR_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("t_track_{test}_{}", std::process::id());
    match PgTrackStore::connect_in_schema(&url, &schema).await {
        Ok(s) => Some(s),
        Err(e) if std::env::var("CORRIDOR_REQUIRE_POSTGRES").as_deref() != Ok("1") => {
            eprintln!("note: PostgreSQL half of {test} skipped: {e}");
            None
        }
        Err(e) => panic!("PostgreSQL required (CORRIDOR_REQUIRE_POSTGRES=1) but unavailable: {e}"),
    }
}

/// Defines `name` as a test on each backend, running `body(store)`.
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                let dir = tempfile::tempdir().expect("tempdir");
                let s = super::sqlite_store(&dir).await;
                ($body)(Arc::new(s) as Arc<dyn TrackStore>).await;
            }
            #[tokio::test]
            async fn postgres() {
                if let Some(s) = super::pg_store(stringify!($name)).await {
                    ($body)(Arc::new(s) as Arc<dyn TrackStore>).await;
                }
            }
        }
    };
}

on_both!(positions_alerts_registry, exercise);
on_both!(downsampling_rules, downsampling);
on_both!(repeated_positions_are_stored_once, repeats);
on_both!(each_vessels_last_position_for_a_restart, last_positions);

/// Open finding 37: a restarted monitor is placed from each vessel's
/// latest stored position in a window of time.
async fn last_positions(s: Arc<dyn TrackStore>) {
    let at = |mmsi: u32, minute: i64, lat: f64| PositionRow {
        mmsi,
        time: t(minute * 60),
        lat,
        lon: 34.0,
        sog: Some(0.2),
        cog: None,
        heading: Some(90),
        nav_status: 1,
    };
    let window = |from: i64, until: i64| (t(from * 60), t(until * 60));
    let (since, until) = window(60, 360);
    assert!(
        s.last_positions(since, until, 10)
            .await
            .expect("empty store")
            .is_empty()
    );
    let rows = vec![
        at(1, 0, 43.0),
        at(1, 100, 43.1),
        at(1, 300, 43.2),
        at(2, 10, 44.0),
        at(2, 30, 44.1),
        at(3, 60, 45.0),
        at(4, 360, 46.0),
        // From the future (after `until`): not where the vessel is.
        at(5, 400, 47.0),
        at(1, 420, 43.9),
    ];
    s.insert_positions(&rows).await.expect("insert");
    let got = s.last_positions(since, until, 10).await.expect("last");
    assert_eq!(
        got,
        vec![at(4, 360, 46.0), at(1, 300, 43.2), at(3, 60, 45.0)]
    );
    let (since, until) = window(0, 360);
    let wide = s.last_positions(since, until, 10).await.expect("last");
    assert_eq!(
        wide.iter().map(|p| (p.mmsi, p.lat)).collect::<Vec<_>>(),
        vec![(4, 46.0), (1, 43.2), (3, 45.0), (2, 44.1)]
    );
    let one = s.last_positions(since, until, 1).await.expect("last");
    assert_eq!(one, vec![at(4, 360, 46.0)]);
}

/// Open finding 9 (docs/open-findings.md, list of 30 Nov 2026): on
/// PostgreSQL a position delivered again, or heard by two receivers, was
/// stored twice. Now a repeat adds nothing on both backends, in a batch
/// with new rows or alone, whichever path the PostgreSQL store takes (its
/// plain `COPY` again after 16 batches).
async fn repeats(s: Arc<dyn TrackStore>) {
    let row = |minute: i64, lat: f64| PositionRow {
        mmsi: A,
        time: t(minute * 60),
        lat,
        lon: 34.0,
        sog: Some(10.0),
        cog: None,
        heading: None,
        nav_status: 0,
    };
    let first: Vec<PositionRow> = (0..10).map(|m| row(m, 43.0)).collect();
    assert_eq!(s.insert_positions(&first).await.expect("insert"), 10);
    // Five repeats (another receiver's copy: same ship, same time) and five new.
    let mixed: Vec<PositionRow> = (5..15).map(|m| row(m, 43.5)).collect();
    assert_eq!(s.insert_positions(&mixed).await.expect("insert"), 5);
    assert_eq!(s.insert_positions(&first[..3]).await.expect("insert"), 0);
    for m in 15..40 {
        assert_eq!(
            s.insert_positions(&[row(m, 43.0)]).await.expect("insert"),
            1,
            "minute {m}"
        );
    }
    assert_eq!(s.insert_positions(&mixed[..1]).await.expect("insert"), 0);
    let back = s.track(A, t(0), t(100_000), 1000).await.expect("track");
    assert_eq!(
        back.iter().map(|p| p.time).collect::<Vec<_>>(),
        (0..40).map(|m| t(m * 60)).collect::<Vec<_>>()
    );
    // The first copy stored stays.
    assert!(back[..10].iter().all(|p| p.lat == 43.0));
    assert!(back[10..15].iter().all(|p| p.lat == 43.5));
}

/// Migration 1004 (PostgreSQL): repeats stored before it are removed, a
/// thinned copy kept, before the unique key is made.
#[tokio::test]
async fn postgres_repeats_stored_before_the_key_are_removed() {
    let url = std::env::var("CORRIDOR_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("t_track_old_repeats_{}", std::process::id());
    let pool = match corridor_store::pool::postgres(&url, Some(&schema), 1).await {
        Ok(p) => p,
        Err(e) if std::env::var("CORRIDOR_REQUIRE_POSTGRES").as_deref() != Ok("1") => {
            eprintln!("note: skipped: {e}");
            return;
        }
        Err(e) => panic!("PostgreSQL required (CORRIDOR_REQUIRE_POSTGRES=1) but unavailable: {e}"),
    };
    // The tables as migrations 1001-1003 left them, with repeats.
    for sql in [
        include_str!("../migrations/track/postgres/1001_tracking.sql"),
        include_str!("../migrations/track/postgres/1002_downsample.sql"),
        include_str!("../migrations/track/postgres/1003_positions_layout.sql"),
        "INSERT INTO track_positions (mmsi, time, lat, lon, nav_status, downsampled) VALUES \
         (1, 60000, 1, 1, 0, FALSE), (1, 60000, 2, 2, 0, TRUE), (1, 60000, 3, 3, 0, FALSE), \
         (1, 120000, 4, 4, 0, FALSE), (1, 120000, 5, 5, 0, FALSE), (2, 60000, 6, 6, 0, FALSE)",
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&pool)
            .await
            .expect("old tables");
    }
    pool.close().await;
    let s = PgTrackStore::connect_in_schema(&url, &schema)
        .await
        .expect("migrated");
    let lats = |mmsi| {
        let s = s.clone();
        async move {
            s.track(mmsi, Timestamp::UNIX_EPOCH, t(0), 10)
                .await
                .expect("track")
                .iter()
                .map(|p| p.lat)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(lats(1).await, [2.0, 5.0]);
    assert_eq!(lats(2).await, [6.0]);
    let p = |minute: i64| PositionRow {
        mmsi: 1,
        time: Timestamp::from_second(minute * 60).expect("time"),
        lat: 9.0,
        lon: 9.0,
        sog: None,
        cog: None,
        heading: None,
        nav_status: 0,
    };
    assert_eq!(s.insert_positions(&[p(1), p(3)]).await.expect("insert"), 1);
}

const A: u32 = 211_000_011;
const B: u32 = 211_000_012;
const C: u32 = 211_000_013;

fn at(mmsi: u32, minute: i64, sog: Option<f32>, cog: Option<f32>, nav_status: u8) -> PositionRow {
    PositionRow {
        mmsi,
        time: t(minute * 60),
        lat: 43.0 + minute as f64 * 1e-3,
        lon: 34.0,
        sog,
        cog,
        heading: None,
        nav_status,
    }
}

/// Minutes of `mmsi`'s stored positions in `[from, until)` minutes.
async fn minutes(s: &dyn TrackStore, mmsi: u32, from: i64, until: i64) -> Vec<i64> {
    s.track(mmsi, t(from * 60), t(until * 60 - 1), 100_000)
        .await
        .expect("track")
        .iter()
        .map(|p| p.time.duration_since(t(0)).as_secs() / 60)
        .collect()
}

async fn downsampling(s: Arc<dyn TrackStore>) {
    // Two hours of one report a minute (the base time is a multiple of 600 s).
    // A: course change at 25, anchored (status and speed) from 47, speed
    // unknown at 90 and known again at 91, a duplicate (two receivers) at 12.
    // B: steady throughout.
    let mut rows = Vec::new();
    for m in 0..120 {
        let cog = if m >= 25 { 150.0 } else { 90.0 };
        let (sog, nav) = match m {
            _ if m < 47 => (Some(10.0), 0),
            90 => (None, 1),
            _ => (Some(0.2), 1),
        };
        rows.push(at(A, m, sog, Some(cog), nav));
        // Course noise across north stays steady for B: 355° then 5°.
        rows.push(at(
            B,
            m,
            Some(12.0),
            Some(if m % 2 == 0 { 355.0 } else { 5.0 }),
            0,
        ));
    }
    rows.push(at(A, 12, Some(10.0), Some(90.0), 0));
    // The repeat of A's report at 12 adds nothing.
    assert_eq!(s.insert_positions(&rows).await.expect("insert"), 240);
    // An alert citing A's report at minute 33 (and B's at 61, in the second hour).
    let evidence = |mmsi: u32, minute: i64| {
        serde_json::json!({ "type": "position", "mmsi": mmsi, "time": t(minute * 60).to_string(),
            "lat": 43.0, "lon": 34.0, "sog_kn": 10.0, "cog_deg": 90.0, "heading_deg": null, "nav_status": 0 })
    };
    let alert = AlertRow {
        key: "run1:1".into(),
        kind: "deviation".into(),
        mmsi: A,
        start: t(33 * 60),
        end: t(61 * 60),
        open: false,
        body: serde_json::json!({ "id": 1, "evidence": [evidence(A, 33), evidence(B, 61),
            { "type": "static", "mmsi": A, "time": t(0).to_string() }] }),
    };
    s.upsert_alerts(std::slice::from_ref(&alert))
        .await
        .expect("alert");
    s.upsert_alerts(&[alert]).await.expect("alert again");

    // Older than the first hour: one per vessel and 10 minutes, plus changes and evidence.
    let deleted = s
        .downsample(t(3600), 600, 2.0, 30.0)
        .await
        .expect("downsample");
    assert_eq!(
        minutes(&*s, A, 0, 60).await,
        [0, 10, 20, 25, 30, 33, 40, 47, 50]
    );
    assert_eq!(minutes(&*s, B, 0, 60).await, [0, 10, 20, 30, 40, 50]);
    assert_eq!(deleted, 60 - 9 + 60 - 6);
    // Newer data is untouched.
    assert_eq!(minutes(&*s, A, 60, 120).await.len(), 60);
    // Nothing new to thin: the same cut-off, or an earlier one.
    assert_eq!(
        s.downsample(t(3600), 600, 2.0, 30.0).await.expect("again"),
        0
    );
    assert_eq!(
        s.downsample(t(1800), 600, 2.0, 30.0)
            .await
            .expect("earlier"),
        0
    );

    // The next run reads on from there; what the first kept stays.
    s.downsample(t(7200), 600, 2.0, 30.0)
        .await
        .expect("second hour");
    assert_eq!(
        minutes(&*s, A, 0, 60).await,
        [0, 10, 20, 25, 30, 33, 40, 47, 50]
    );
    assert_eq!(
        minutes(&*s, A, 60, 120).await,
        [60, 70, 80, 90, 91, 100, 110]
    );
    assert_eq!(
        minutes(&*s, B, 60, 120).await,
        [60, 61, 70, 80, 90, 100, 110]
    );

    // Open finding 9: a feed fills in the past after both runs had passed
    // it: C's first hour, its second half first; and A's minutes 1-9
    // around what the first run kept, turning to 120° at 5. The next run
    // thins them by the same rules, and nothing else.
    let c = |from: i64, until: i64| -> Vec<PositionRow> {
        (from..until)
            .map(|m| at(C, m, Some(11.0), Some(45.0), 0))
            .collect()
    };
    assert_eq!(s.insert_positions(&c(30, 60)).await.expect("late"), 30);
    assert_eq!(s.insert_positions(&c(0, 30)).await.expect("earlier"), 30);
    let a: Vec<PositionRow> = (1..10)
        .map(|m| at(A, m, Some(10.0), Some(if m >= 5 { 120.0 } else { 90.0 }), 0))
        .collect();
    assert_eq!(s.insert_positions(&a).await.expect("filled in"), 9);
    assert_eq!(minutes(&*s, C, 0, 60).await.len(), 60);
    let deleted = s
        .downsample(t(7800), 600, 2.0, 30.0)
        .await
        .expect("third run");
    assert_eq!(minutes(&*s, C, 0, 60).await, [0, 10, 20, 30, 40, 50]);
    assert_eq!(
        minutes(&*s, A, 0, 60).await,
        [0, 5, 10, 20, 25, 30, 33, 40, 47, 50]
    );
    assert_eq!(deleted, 54 + 8);
    // Thinned once, they are final: nothing more on the next run.
    assert_eq!(minutes(&*s, C, 0, 60).await.len(), 6);
    s.downsample(t(8400), 600, 2.0, 30.0)
        .await
        .expect("fourth run");
    assert_eq!(minutes(&*s, C, 0, 60).await, [0, 10, 20, 30, 40, 50]);
}

/// The page size of the SQLite file at `path`, opened as corridor opens it.
async fn page_size(path: &std::path::Path) -> i64 {
    let pool = corridor_store::pool::sqlite(path.to_str().unwrap())
        .await
        .unwrap();
    let size = sqlx::query_scalar("PRAGMA page_size")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    size
}

/// A new SQLite file gets corridor's page size; an existing file keeps the
/// size it was made with (SQLite cannot change it in WAL mode).
#[tokio::test]
async fn sqlite_page_size() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        page_size(&dir.path().join("fresh.db")).await,
        i64::from(corridor_store::pool::SQLITE_PAGE_SIZE)
    );

    let old = dir.path().join("old.db");
    // Made by another program with SQLite's default page size.
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&old)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
    let p = sqlx::SqlitePool::connect_with(opts).await.unwrap();
    sqlx::query("CREATE TABLE t (x)").execute(&p).await.unwrap();
    p.close().await;
    assert_eq!(page_size(&old).await, 4096);
}

/// Returns once a session waits for the thinning lock of `conn`'s schema
/// (`pg_locks`: that advisory lock, not granted): the writer just started
/// is blocked on it, not merely not yet run. No time is assumed; the
/// timeout only ends a test whose writer never waits.
async fn until_the_lock_is_waited_for(conn: &mut sqlx::PgConnection) {
    let waiting = async {
        loop {
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted \
                 AND classid = 1668248178 AND objid = 'track_positions'::regclass::oid AND objsubid = 2",
            )
            .fetch_one(&mut *conn)
            .await
            .expect("pg_locks");
            if n > 0 {
                return;
            }
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), waiting)
        .await
        .expect("the writer never waited for the thinning lock");
}

/// Open finding 9: on PostgreSQL a thinning run by another process, between
/// a batch's reading how far thinning had gone and its `COPY`, could leave
/// that batch unthinned and unnoted. A batch and a thinning run now take
/// one advisory lock (shared by batches, alone by a run): each waits for
/// the other to commit. Here another session holds the lock as each would.
#[tokio::test]
async fn a_batch_and_a_thinning_run_wait_for_each_other_on_postgres() {
    let Some(s) = pg_store("thinning_lock").await else {
        return;
    };
    let url = std::env::var("CORRIDOR_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("t_track_thinning_lock_{}", std::process::id());
    let pool = corridor_store::pool::postgres(&url, Some(&schema), 1)
        .await
        .expect("pool");
    let mut other = pool.acquire().await.expect("connection");
    let lock = |how: &str| {
        format!("SELECT pg_{how}(1668248178, 'track_positions'::regclass::oid::int)::text")
    };
    let run = |sql: String| sqlx::query(sqlx::AssertSqlSafe(sql));
    let s = Arc::new(s);
    let row = |minute: i64| PositionRow {
        mmsi: 211_000_009,
        time: t(minute * 60),
        lat: 43.0,
        lon: 34.0,
        sog: Some(10.0),
        cog: Some(90.0),
        heading: None,
        nav_status: 0,
    };
    // A thinning run in progress: a batch waits until it commits.
    run(lock("advisory_lock"))
        .execute(&mut *other)
        .await
        .expect("lock");
    let batch = {
        let s = Arc::clone(&s);
        tokio::spawn(async move { s.insert_positions(&[row(1)]).await })
    };
    until_the_lock_is_waited_for(&mut other).await;
    assert!(
        !batch.is_finished(),
        "a batch was stored during a thinning run"
    );
    run(lock("advisory_unlock"))
        .execute(&mut *other)
        .await
        .expect("unlock");
    assert_eq!(batch.await.expect("task").expect("stored"), 1);
    // A batch in flight: a thinning run waits until it commits.
    run(lock("advisory_lock_shared"))
        .execute(&mut *other)
        .await
        .expect("share");
    let thinning = {
        let s = Arc::clone(&s);
        tokio::spawn(async move { s.downsample(t(86_400), 60, 1.0, 10.0).await })
    };
    until_the_lock_is_waited_for(&mut other).await;
    assert!(
        !thinning.is_finished(),
        "a thinning run passed a batch in flight"
    );
    run(lock("advisory_unlock_shared"))
        .execute(&mut *other)
        .await
        .expect("unshare");
    thinning.await.expect("task").expect("thinned");
    // An alert's evidence keeps positions from thinning: it waits for a run too.
    run(lock("advisory_lock"))
        .execute(&mut *other)
        .await
        .expect("lock");
    let alert = {
        let s = Arc::clone(&s);
        tokio::spawn(async move {
            s.upsert_alerts(&[AlertRow {
                key: "run1:9".into(),
                kind: "loitering".into(),
                mmsi: 211_000_009,
                start: t(60),
                end: t(120),
                open: false,
                body: serde_json::json!({ "id": 9 }),
            }])
            .await
        })
    };
    until_the_lock_is_waited_for(&mut other).await;
    assert!(
        !alert.is_finished(),
        "an alert was stored during a thinning run"
    );
    run(lock("advisory_unlock"))
        .execute(&mut *other)
        .await
        .expect("unlock");
    alert.await.expect("task").expect("stored");
}

/// Open finding 44: two trackers on one database raised every alert twice.
/// The second (another store on the same database) is told the first holds
/// it, until the first lets go or ends without a word.
async fn one_tracker_at_a_time(a: Arc<dyn TrackStore>, b: Arc<dyn TrackStore>) {
    let claim = async |s: &Arc<dyn TrackStore>| match s.claim_tracking().await.expect("claim") {
        Claim::Taken(c) => Ok(c),
        Claim::HeldBy(who) => Err(who),
    };
    let first = claim(&a).await.expect("first");
    let who = claim(&b).await.expect_err("a second tracker let in");
    assert!(who.contains("holds"), "{who}");
    claim(&a).await.expect_err("the same store twice");
    first.release().await;
    let second = claim(&b).await.expect("after a release");
    // A crash: the claim goes with its connection or file handle.
    drop(second);
    let mut again = Err(String::new());
    for _ in 0..50 {
        again = claim(&a).await;
        if again.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    again.expect("after a crash").release().await;
}

#[tokio::test]
async fn one_tracker_at_a_time_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = sqlite_store(&dir).await;
    let b = sqlite_store(&dir).await;
    one_tracker_at_a_time(Arc::new(a), Arc::new(b)).await;
}

#[tokio::test]
async fn one_tracker_at_a_time_postgres() {
    if let Some(a) = pg_store("one_tracker").await
        && let Some(b) = pg_store("one_tracker").await
    {
        one_tracker_at_a_time(Arc::new(a), Arc::new(b)).await;
    }
}

/// The operator's review of finding 44's fix: the PostgreSQL lock went with
/// its session (a database restart, an idle-session timeout,
/// `pg_terminate_backend`) and the first server never knew, so a second
/// one started beside it. A claim now says whether it still holds: taken
/// again when no one else has it, or who has it now. `steal` takes the
/// claim away from under `a` (ends its session, removes its lock file).
async fn a_lost_claim_is_known(
    a: Arc<dyn TrackStore>,
    b: Arc<dyn TrackStore>,
    steal: impl AsyncFn(),
) {
    let Claim::Taken(mut first) = a.claim_tracking().await.expect("claim") else {
        panic!("first");
    };
    assert_eq!(first.keep().await.expect("keep"), None, "held");
    steal().await;
    assert_eq!(first.keep().await.expect("keep"), None, "taken again");
    assert!(
        matches!(b.claim_tracking().await.expect("claim"), Claim::HeldBy(_)),
        "taken again for real"
    );
    steal().await;
    let Claim::Taken(second) = b.claim_tracking().await.expect("claim") else {
        panic!("b after the steal");
    };
    let holder = first.keep().await.expect("keep").expect("lost to b");
    assert!(holder.contains("holds"), "{holder}");
    second.release().await;
}

#[tokio::test]
async fn a_lost_claim_is_known_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = sqlite_store(&dir).await;
    let b = sqlite_store(&dir).await;
    let lock = std::fs::canonicalize(dir.path().join("t.db")).expect("path");
    let lock = std::path::PathBuf::from(format!("{}-tracker", lock.display()));
    a_lost_claim_is_known(Arc::new(a), Arc::new(b), async || {
        std::fs::remove_file(&lock).expect("the lock file");
    })
    .await;
}

#[tokio::test]
async fn a_lost_claim_is_known_postgres() {
    let url = std::env::var("CORRIDOR_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("t_track_lost_claim_{}", std::process::id());
    if let Some(a) = pg_store("lost_claim").await
        && let Some(b) = pg_store("lost_claim").await
    {
        let admin = sqlx::PgPool::connect(&url).await.expect("admin");
        let end = format!(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' \
             AND classid = 1668248179 AND objid = '{schema}.track_positions'::regclass::oid"
        );
        let held = format!(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
             AND classid = 1668248179 AND objid = '{schema}.track_positions'::regclass::oid"
        );
        a_lost_claim_is_known(Arc::new(a), Arc::new(b), async || {
            sqlx::query(sqlx::AssertSqlSafe(end.clone()))
                .execute(&admin)
                .await
                .expect("end the session");
            // Gone with its session (which ends a moment later).
            for _ in 0..50 {
                let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(held.clone()))
                    .fetch_one(&admin)
                    .await
                    .expect("locks");
                if n == 0 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        })
        .await;
    }
}
