//! Item 3 of issue 4's follow-up: on a live source the pipeline's clock
//! (wall time anchored on the feed) ticks the monitor, so a vessel that falls
//! silent in the corridor gets its `ais_gap` alert with no further message
//! at all. Runs on tokio's paused clock: time only moves when every task is
//! idle, so the test is deterministic and contains no timings.

use std::time::Duration;

use corridor_geo::NM;
use corridor_ingest::sim::NmeaEncoder;
use corridor_ingest::{ClockMode, PipelineConfig, SourceSpec, demo_corridor, spawn_pipeline};
use corridor_track::{Alert, AlertKind, NavStatus, PositionReport, Report};
use jiff::{SignedDuration, Timestamp};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

#[tokio::test(start_paused = true)]
async fn a_vessel_silent_in_the_corridor_gets_ais_gap_without_another_message() {
    let corridor = demo_corridor().expect("corridor");
    let lane = corridor.lane_by_name("Odesa lane").expect("lane");
    let (tap_tx, mut tap_rx) = tokio::sync::mpsc::channel::<Alert>(64);
    let mut cfg = PipelineConfig::new(
        corridor.clone(),
        vec![SourceSpec::parse("tcp-server:127.0.0.1:0").expect("spec")],
    );
    cfg.alert_tap = Some(tap_tx);
    cfg.clock = Some(ClockMode::Live);
    let handle = spawn_pipeline(cfg, None).await.expect("pipeline");
    let addr = handle.bound()[0].1;

    // Six reports a minute apart at 10 kn along the lane, with tag-block
    // times of another era (the live clock keeps the feed's era), then silence.
    let t0: Timestamp = "2022-10-01T06:00:00Z".parse().expect("time");
    let mmsi = 271_000_123;
    let mut enc = NmeaEncoder::new(&[], "t");
    let mut feed = String::new();
    let mut last = t0;
    for i in 0..6 {
        let p = lane.point_at(100.0 * NM + f64::from(i) * 10.0 * NM / 60.0);
        last = t0 + SignedDuration::from_mins(i64::from(i));
        feed.push_str(&enc.encode(&Report::Position(PositionReport {
            mmsi,
            time: last,
            lat: p.lat,
            lon: p.lon,
            sog_kn: Some(10.0),
            cog_deg: None,
            heading_deg: None,
            nav_status: NavStatus::UNDER_WAY,
        })));
    }
    let mut conn = TcpStream::connect(addr).await.expect("connect");
    conn.write_all(feed.as_bytes()).await.expect("write");
    conn.flush().await.expect("flush");

    // The connection stays open and quiet. (The guard is virtual time: it
    // only stops a broken build from hanging.)
    let gap = tokio::time::timeout(Duration::from_secs(2 * 86_400), async {
        loop {
            let a = tap_rx.recv().await.expect("alert tap open");
            if a.kind == AlertKind::AisGap {
                return a;
            }
        }
    })
    .await
    .expect("an ais_gap alert within two days of silence");
    assert_eq!(gap.mmsi, mmsi);
    assert!(gap.open, "still silent: the alert is open");
    assert_eq!(gap.start, last, "the gap starts at the last report");
    let silent = gap.end.duration_since(gap.start);
    assert!(
        silent > SignedDuration::from_hours(4)
            && silent <= SignedDuration::from_hours(4) + SignedDuration::from_mins(2),
        "raised once 4 h have passed (tick 15 s, scan 60 s): {silent:?}"
    );
    let stats = handle.stats().await;
    assert_eq!(stats.monitor.positions, 6, "no further message: {stats:?}");
    drop(conn);
    handle.shutdown().await;
}

/// Open finding 49: NATS servers that did not answer at the start were
/// asked one after another, each for the start check's 5 s. They are asked
/// at once: two silent servers hold the start for one bound (the clock is
/// tokio's paused one, so this measures no real time).
#[tokio::test(start_paused = true)]
async fn silent_nats_servers_hold_the_start_once() {
    let mut silent = Vec::new();
    let mut sources = Vec::new();
    for _ in 0..2 {
        // Accepts connections (the kernel does) and never says a word.
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("listener");
        let addr = l.local_addr().expect("addr");
        silent.push(l);
        sources.push(SourceSpec::parse(&format!("nats:{addr}|S|s.ais|d")).expect("spec"));
    }
    let corridor = demo_corridor().expect("corridor");
    let began = tokio::time::Instant::now();
    let handle = spawn_pipeline(PipelineConfig::new(corridor, sources), None)
        .await
        .expect("the sources retry on their own");
    let held = began.elapsed();
    // Also open finding 49's other half: the sources, still connecting to
    // servers that never answer, stop at once.
    handle.shutdown().await;
    assert!(
        held >= Duration::from_secs(5) && held < Duration::from_secs(10),
        "the start waited {held:?}: once for both servers, not once each"
    );
}
