//! Open finding 37: a restarted live pipeline raised `area_arrival` again
//! for a vessel already in an inspection area (its first report after the
//! restart was a first sighting there). It now carries on from where the
//! store last saw each vessel.

use std::sync::Arc;
use std::time::Duration;

use corridor_geo::NM;
use corridor_ingest::{PipelineConfig, SourceSpec, demo_corridor, spawn_pipeline};
use corridor_store::{AlertQuery, TrackStore};
use corridor_track::{NavStatus, PositionReport};
use jiff::{SignedDuration, Timestamp};

mod common;

const MMSI: u32 = 271_000_777;

/// A live pipeline on one TCP server source.
fn tcp_config() -> PipelineConfig {
    PipelineConfig::new(
        demo_corridor().expect("corridor"),
        vec![SourceSpec::parse("tcp-server:127.0.0.1:0").expect("spec")],
    )
}

/// One live run on `store`: the reports over TCP, then a graceful stop.
async fn run(store: &Arc<dyn TrackStore>, run_id: &str, reports: &[PositionReport]) {
    let mut cfg = tcp_config();
    cfg.run_id = run_id.to_string();
    cfg.position_batch = 1;
    let handle = spawn_pipeline(cfg, Some(Arc::clone(store)))
        .await
        .expect("pipeline");
    common::feed_tcp(&handle, reports).await;
    handle.shutdown().await;
}

/// A tracking store in a new SQLite file (kept while the directory lives).
async fn fresh_store() -> (tempfile::TempDir, Arc<dyn TrackStore>) {
    let (dir, store, _) = common::store_with_side_door().await;
    (dir, store)
}

/// Two tracking stores on one new SQLite file, as two servers open it, and
/// the file's path.
async fn two_stores() -> (
    tempfile::TempDir,
    Arc<dyn TrackStore>,
    Arc<dyn TrackStore>,
    std::path::PathBuf,
) {
    let (dir, store) = fresh_store().await;
    let path = dir.path().join("track.db");
    let other: Arc<dyn TrackStore> = Arc::new(
        corridor_store::SqliteTrackStore::open(path.to_str().expect("path"))
            .await
            .expect("store"),
    );
    (dir, store, other, path)
}

async fn kinds(store: &Arc<dyn TrackStore>, kind: &str) -> Vec<String> {
    store
        .alerts(&AlertQuery {
            kind: Some(kind.to_string()),
            mmsi: Some(MMSI),
            limit: Some(100),
            ..AlertQuery::default()
        })
        .await
        .expect("alerts")
        .into_iter()
        .map(|a| a.key)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_does_not_repeat_an_arrival() {
    let corridor = demo_corridor().expect("corridor");
    let lane = corridor.lane_by_name("Odesa lane").expect("lane");
    let len = lane.length_m();
    let (_dir, store) = fresh_store().await;
    let t0 = Timestamp::now() - SignedDuration::from_hours(2);
    let report =
        |minute: i64, along_m: f64, sog: f32| common::on_odesa_lane(MMSI, t0, minute, along_m, sog);
    // Along the lane into the inspection area at its end, then at anchor.
    let mut first: Vec<PositionReport> = (0..30)
        .map(|m| report(m, len - 5.0 * NM + f64::from(m as u32) * NM / 6.0, 10.0))
        .collect();
    first.extend((30..35).map(|m| report(m, len, 0.0)));
    run(&store, "run-1", &first).await;
    let arrivals = kinds(&store, "area_arrival").await;
    assert_eq!(arrivals.len(), 1, "the arrival: {arrivals:?}");
    let entries = kinds(&store, "corridor_entry").await.len();

    // Restarted: the vessel is still at anchor in the area.
    let again: Vec<PositionReport> = (40..43).map(|m| report(m, len, 0.0)).collect();
    run(&store, "run-2", &again).await;
    assert_eq!(
        kinds(&store, "area_arrival").await,
        arrivals,
        "the restart repeated the arrival"
    );
    assert_eq!(kinds(&store, "corridor_entry").await.len(), entries);
}

/// A store last written long ago (a replay's, or before a long outage)
/// places no one: a vessel now in the area has arrived, as far as this
/// run knows. (The first version measured the window from the newest
/// stored row, so a store from 2022 hid today's arrivals.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_store_places_no_one() {
    let corridor = demo_corridor().expect("corridor");
    let lane = corridor.lane_by_name("Odesa lane").expect("lane");
    let end = lane.point_at(lane.length_m());
    let (_dir, store) = fresh_store().await;
    let old: Timestamp = "2022-10-01T06:00:00Z".parse().expect("time");
    store
        .insert_positions(&[corridor_store::PositionRow {
            mmsi: MMSI,
            time: old,
            lat: end.lat,
            lon: end.lon,
            sog: Some(0.0),
            cog: None,
            heading: None,
            nav_status: 1,
        }])
        .await
        .expect("insert");
    let now = Timestamp::now() - SignedDuration::from_mins(10);
    let at_anchor: Vec<PositionReport> = (0..3)
        .map(|m| PositionReport {
            mmsi: MMSI,
            time: now + SignedDuration::from_mins(m),
            lat: end.lat,
            lon: end.lon,
            sog_kn: Some(0.0),
            cog_deg: None,
            heading_deg: None,
            nav_status: NavStatus::AT_ANCHOR,
        })
        .collect();
    run(&store, "run-now", &at_anchor).await;
    assert_eq!(kinds(&store, "area_arrival").await.len(), 1);
}

/// A vessel resumed in the corridor and never heard again gets its
/// `ais_gap` with no report at all on the feed (a live clock used to wait
/// for the first report before it ran).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_vessel_never_heard_again_gets_its_gap() {
    let corridor = demo_corridor().expect("corridor");
    let lane = corridor.lane_by_name("Odesa lane").expect("lane");
    let p = lane.point_at(100.0 * NM);
    let (_dir, store) = fresh_store().await;
    // Whole milliseconds, as stored.
    let heard = Timestamp::from_millisecond(
        (Timestamp::now() - SignedDuration::from_secs(1)).as_millisecond(),
    )
    .expect("time");
    store
        .insert_positions(&[corridor_store::PositionRow {
            mmsi: MMSI,
            time: heard,
            lat: p.lat,
            lon: p.lon,
            sog: Some(11.0),
            cog: None,
            heading: None,
            nav_status: 0,
        }])
        .await
        .expect("insert");
    let (tap_tx, mut tap_rx) = tokio::sync::mpsc::channel(16);
    let mut cfg = tcp_config();
    cfg.monitor.ais_gap_s = 5;
    cfg.monitor.gap_scan_interval_s = 1;
    cfg.tick = Duration::from_millis(100);
    cfg.alert_tap = Some(tap_tx);
    let handle = spawn_pipeline(cfg, Some(Arc::clone(&store)))
        .await
        .expect("pipeline");
    // The guard only stops a broken build from hanging.
    let gap = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let a: corridor_track::Alert = tap_rx.recv().await.expect("tap open");
            if a.kind == corridor_track::AlertKind::AisGap {
                return a;
            }
        }
    })
    .await
    .expect("an ais_gap for the resumed vessel");
    assert_eq!(gap.mmsi, MMSI);
    assert_eq!(gap.start, heard);
    handle.shutdown().await;
}

/// Open finding 40: until a resumed vessel was heard, `/vessels/live`
/// listed it with its area but no position, so the map lost it at every
/// restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_vessel_is_shown_where_it_was_last_heard() {
    let corridor = demo_corridor().expect("corridor");
    let lane = corridor.lane_by_name("Odesa lane").expect("lane");
    let end = lane.point_at(lane.length_m());
    let (_dir, store) = fresh_store().await;
    // Whole seconds, as the feed's tag blocks carry them.
    let t0 = Timestamp::from_second(Timestamp::now().as_second() - 1800).expect("t0");
    let at_anchor: Vec<PositionReport> = (0..5)
        .map(|m| PositionReport {
            mmsi: MMSI,
            time: t0 + SignedDuration::from_mins(m),
            lat: end.lat,
            lon: end.lon,
            sog_kn: Some(0.2),
            cog_deg: Some(90.0),
            heading_deg: None,
            nav_status: NavStatus::AT_ANCHOR,
        })
        .collect();
    run(&store, "run-1", &at_anchor).await;

    let handle = spawn_pipeline(tcp_config(), Some(Arc::clone(&store)))
        .await
        .expect("pipeline");
    let vessels = handle.vessels().await;
    handle.shutdown().await;
    let v = vessels
        .iter()
        .find(|v| v.mmsi == MMSI)
        .expect("the vessel resumed");
    let last = at_anchor.last().expect("a report");
    // As AIS carries it (1/10,000 of a minute).
    let near = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-5);
    assert!(near(v.lat, last.lat) && near(v.lon, last.lon), "{v:?}");
    assert_eq!(v.last_seen, Some(last.time));
    assert_eq!(v.sog, Some(0.2));
    assert!(v.area.is_some(), "{v:?}");
}

/// An operator review (session 21, open finding 43): an alert open when a
/// live run stopped stayed open for good, and the next run opened a second
/// copy if it still held. The next run closes it, saying why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_closes_what_the_previous_run_left_open() {
    let corridor = demo_corridor().expect("corridor");
    let lane = corridor.lane_by_name("Odesa lane").expect("lane");
    let mid = lane.point_at(lane.length_m() / 2.0);
    let (_dir, store) = fresh_store().await;
    let t0 = Timestamp::from_second(Timestamp::now().as_second() - 3 * 3600).expect("t0");
    // Stopped in the middle of the lane for 75 minutes: loitering, still open.
    let stopped = |m: i64| PositionReport {
        mmsi: MMSI,
        time: t0 + SignedDuration::from_mins(m),
        lat: mid.lat,
        lon: mid.lon,
        sog_kn: Some(0.1),
        cog_deg: None,
        heading_deg: None,
        nav_status: NavStatus::UNDER_WAY,
    };
    let first: Vec<PositionReport> = (0..75).map(stopped).collect();
    run(&store, "run-1", &first).await;
    let open = |store: Arc<dyn TrackStore>| async move {
        store
            .alerts(&AlertQuery {
                kind: Some("loitering".into()),
                open: Some(true),
                ..AlertQuery::default()
            })
            .await
            .expect("alerts")
    };
    assert_eq!(
        open(Arc::clone(&store)).await.len(),
        1,
        "loitering open at the stop"
    );

    let again: Vec<PositionReport> = (80..83).map(stopped).collect();
    run(&store, "run-2", &again).await;
    assert!(
        open(Arc::clone(&store)).await.is_empty(),
        "left open by run-1"
    );
    let all = kinds(&store, "loitering").await;
    assert_eq!(all.len(), 1, "{all:?}");
    let row = store
        .alerts(&AlertQuery {
            kind: Some("loitering".into()),
            ..AlertQuery::default()
        })
        .await
        .expect("alerts")
        .remove(0);
    assert_eq!(row.body["open"], false);
    assert!(
        row.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("closed at a restart")),
        "{}",
        row.body
    );
}

/// Open finding 44: two tracking servers on one database each raised every
/// alert (and the second closed the first's open alerts at its start). The
/// second is refused until the first stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_tracker_on_the_database_is_refused() {
    let (_dir, store, other, _) = two_stores().await;
    let start = |store: &Arc<dyn TrackStore>| spawn_pipeline(tcp_config(), Some(Arc::clone(store)));
    let first = start(&store).await.expect("the first tracker");
    let e = start(&other).await.expect_err("a second tracker");
    assert!(
        matches!(e, corridor_ingest::StartError::TrackedElsewhere { .. }),
        "{e}"
    );
    assert!(
        e.to_string().contains("one tracking server per database"),
        "{e}"
    );
    // Serving the API without sources is not tracking.
    let cfg = PipelineConfig::new(demo_corridor().expect("corridor"), vec![]);
    spawn_pipeline(cfg, Some(Arc::clone(&other)))
        .await
        .expect("no sources")
        .shutdown()
        .await;
    first.shutdown().await;
    start(&other)
        .await
        .expect("once the first has stopped")
        .shutdown()
        .await;
}

/// The operator's review of the fix above: the claim could go from under a
/// running tracker (on PostgreSQL with its session; here its lock file
/// removed) and a second tracker then started beside it, unknown to the
/// first. The first now finds the claim taken by another, and stops
/// tracking, saying why (`serve` exits with it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tracker_whose_claim_is_taken_stops() {
    let (_dir, store, other, path) = two_stores().await;
    let start = |store: &Arc<dyn TrackStore>| {
        let mut cfg = tcp_config();
        cfg.claim_check = Duration::from_millis(500);
        spawn_pipeline(cfg, Some(Arc::clone(store)))
    };
    let first = start(&store).await.expect("the first tracker");
    let lock = std::fs::canonicalize(&path).expect("path");
    std::fs::remove_file(format!("{}-tracker", lock.display())).expect("the lock file");
    let second = start(&other).await.expect("a tracker on a claim made anew");
    let why = tokio::time::timeout(Duration::from_secs(10), first.gave_up())
        .await
        .expect("the first never noticed");
    assert!(why.contains("took this database's tracking"), "{why}");
    tokio::time::timeout(Duration::from_secs(10), first.join())
        .await
        .expect("the first stopped tracking");
    second.shutdown().await;
}
