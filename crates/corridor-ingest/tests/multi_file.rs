//! Open finding 5: `corridor track` with several files interleaved them at
//! random. Several files are one feed: their reports are merged by time
//! (ties in the order the files are given), so two files give the same
//! alerts on every run, and the same as one file of their lines in time order.

use std::path::Path;

use corridor_geo::{Corridor, LatLon, NM, bearing_deg, destination};
use corridor_ingest::sim::NmeaEncoder;
use corridor_ingest::{PipelineConfig, SourceSpec, SourceStats, demo_corridor, spawn_pipeline};
use corridor_track::{Alert, AlertKind, NavStatus, PositionReport, Report};
use jiff::{SignedDuration, Timestamp};

const A: u32 = 271_000_001;
const B: u32 = 271_000_002;
const C: u32 = 271_000_003;

/// `along_nm` down the Odesa lane, `cross_nm` to its right.
fn lane(c: &Corridor, along_nm: f64, cross_nm: f64) -> LatLon {
    let l = c.lane_by_name("Odesa lane").expect("lane");
    let p = l.point_at(along_nm * NM);
    let brg = bearing_deg(p, l.point_at(along_nm * NM + 100.0));
    destination(p, brg + 90.0, cross_nm * NM)
}

fn report(mmsi: u32, min: i64, p: LatLon) -> Report {
    let t0: Timestamp = "2022-10-01T06:00:00Z".parse().expect("time");
    Report::Position(PositionReport {
        mmsi,
        time: t0 + SignedDuration::from_mins(min),
        lat: p.lat,
        lon: p.lon,
        sog_kn: Some(10.0),
        cog_deg: None,
        heading_deg: None,
        nav_status: NavStatus::UNDER_WAY,
    })
}

fn write(path: &Path, reports: &[Report], extra: &str) {
    let mut enc = NmeaEncoder::new(&[], "t");
    let mut text: String = reports.iter().map(|r| enc.encode(r)).collect();
    text.push_str(extra);
    std::fs::write(path, text).expect("write feed");
}

/// Replays `files` as `corridor track` does: every alert's final version, and each file's counters.
async fn track(files: &[&Path]) -> (Vec<Alert>, Vec<SourceStats>) {
    let (tap_tx, mut tap_rx) = tokio::sync::mpsc::channel::<Alert>(64);
    let sources = files
        .iter()
        .map(|p| SourceSpec::File {
            path: p.to_path_buf(),
            speed: None,
        })
        .collect();
    let mut cfg = PipelineConfig::new(demo_corridor().expect("corridor"), sources);
    cfg.finish_at_end = true;
    cfg.alert_tap = Some(tap_tx);
    let handle = spawn_pipeline(cfg, None).await.expect("pipeline");
    let collect = tokio::spawn(async move {
        let mut latest = std::collections::BTreeMap::new();
        while let Some(a) = tap_rx.recv().await {
            latest.insert(a.id, a);
        }
        latest.into_values().collect::<Vec<Alert>>()
    });
    handle.join().await;
    let stats = handle.source_stats();
    drop(handle);
    (collect.await.expect("collector"), stats)
}

#[tokio::test]
async fn several_files_are_merged_by_time_not_interleaved_at_random() {
    let c = demo_corridor().expect("corridor");
    // Two receivers hear A and B in turns: in the lane on one, 5 nm off it
    // on the other. Only in time order is each a deviation from 100 to 200
    // minutes; file after file, one gets a gap or an entry instead.
    let mut one = vec![
        report(A, 0, lane(&c, 20.0, 0.0)),
        report(B, 100, lane(&c, 76.0, 5.0)),
        report(A, 300, lane(&c, 70.0, 0.0)),
        report(B, 200, lane(&c, 93.0, 5.0)),
        report(C, 140, lane(&c, 150.0, 0.0)),
        // A tie: the first file given wins, the second's is as old, so stale.
        report(C, 150, lane(&c, 151.0, 0.0)),
        report(C, 160, lane(&c, 153.0, 0.0)),
    ];
    one.sort_by_key(Report::time);
    let two = vec![
        report(B, 0, lane(&c, 60.0, 0.0)),
        report(A, 100, lane(&c, 36.0, 5.0)),
        report(C, 150, lane(&c, 151.0, 5.0)),
        report(A, 200, lane(&c, 53.0, 5.0)),
        report(B, 300, lane(&c, 110.0, 0.0)),
    ];
    // A sentence without a time cannot be placed in the merge: counted, not used.
    let tagged = NmeaEncoder::new(&[], "t").encode(&report(271_000_004, 120, lane(&c, 40.0, 0.0)));
    let untimed = tagged.rsplit('\\').next().expect("sentence");
    assert!(untimed.starts_with("!AIVDM"), "{untimed}");
    let mut merged: Vec<Report> = one.iter().chain(&two).cloned().collect();
    merged.sort_by_key(Report::time); // stable: the first file's report first on a tie

    let dir = tempfile::tempdir().expect("tempdir");
    let (p1, p2, pm) = (
        dir.path().join("one.nmea"),
        dir.path().join("two.nmea"),
        dir.path().join("merged.nmea"),
    );
    write(&p1, &one, "");
    write(&p2, &two, untimed);
    write(&pm, &merged, "");

    let (want, _) = track(&[&pm]).await;
    let kinds: Vec<(AlertKind, u32)> = want.iter().map(|a| (a.kind, a.mmsi)).collect();
    assert_eq!(
        kinds,
        [(AlertKind::Deviation, B), (AlertKind::Deviation, A)],
        "the merged feed: {want:#?}"
    );
    for run in 0..3 {
        let (got, stats) = track(&[&p1, &p2]).await;
        assert_eq!(
            got, want,
            "run {run}: two files give the merged file's alerts"
        );
        assert_eq!(
            (stats[1].reports, stats[1].drops),
            (5, 1),
            "the untimed sentence is dropped, counted: {stats:?}"
        );
    }
}

/// The first report of all waits for a second to confirm the time; a replay
/// of one report ends with it applied, not lost.
#[tokio::test]
async fn a_replay_of_one_report_keeps_it() {
    let c = demo_corridor().expect("corridor");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("one.nmea");
    write(&path, &[report(A, 0, lane(&c, 20.0, 0.0))], "");
    let mut cfg = PipelineConfig::new(c, vec![SourceSpec::File { path, speed: None }]);
    cfg.finish_at_end = true;
    let handle = spawn_pipeline(cfg, None).await.expect("pipeline");
    handle.join().await;
    let stats = handle.stats().await;
    assert_eq!(
        (stats.monitor.positions, stats.monitor.invalid),
        (1, 0),
        "{stats:?}"
    );
}
