//! Must-show 2: stop corridor while it consumes from NATS JetStream, start
//! it again: no message lost, none counted twice.
//!
//! Needs the NATS server at 127.0.0.1:4222 (override: `CORRIDOR_TEST_NATS`)
//! with JetStream. Without it the test prints a note and passes, unless
//! `CORRIDOR_REQUIRE_NATS=1` (CI sets it), when it fails.

use std::time::Duration;

use corridor_ingest::sim::NmeaEncoder;
use corridor_ingest::{LiveHandle, PipelineConfig, SourceSpec, demo_corridor, spawn_pipeline};
use corridor_store::{SqliteTrackStore, TrackStore};
use corridor_track::{NavStatus, PositionReport, Report};
use jiff::Timestamp;
use std::sync::Arc;

const N: u64 = 3000;

async fn run_until(handle: &LiveHandle, cond: impl Fn(u64) -> bool) -> u64 {
    for _ in 0..6000 {
        let p = handle.stats().await.monitor.positions;
        if cond(p) {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("pipeline made no progress: {:?}", handle.stats().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_loses_nothing_and_counts_nothing_twice() {
    let Some((url, client)) = nats().await else {
        return;
    };
    let js = async_nats::jetstream::new(client.clone());
    // N position reports of one ship, one second apart: a redelivered one would be counted stale or twice.
    let (stream, subject) = positions_stream(&js, "TEST", 211_000_777, N).await;

    let spec = SourceSpec::Nats {
        url: url.clone(),
        stream: stream.clone(),
        subject: subject.clone(),
        durable: "tracker".into(),
    };
    let corridor = demo_corridor().expect("corridor");
    let start = || {
        let mut cfg = PipelineConfig::new(corridor.clone(), vec![spec.clone()]);
        cfg.channel_capacity = 2;
        spawn_pipeline(cfg, None)
    };

    // First run: stop mid-stream.
    let first = start().await.expect("pipeline");
    run_until(&first, |p| p >= 100).await;
    first.shutdown().await;
    let a = first.stats().await;
    drop(first);
    assert!(a.monitor.positions >= 100);

    // Second run: the same durable consumer picks up where the first stopped.
    let second = start().await.expect("pipeline");
    let js2 = async_nats::jetstream::new(client.clone());
    let mut st = js2.get_stream(&stream).await.expect("stream");
    let _ = st.info().await;
    run_until(&second, |p| a.monitor.positions + p >= N).await;
    // Everything delivered has been acknowledged (nothing pending, nothing in flight).
    let consumer: async_nats::jetstream::consumer::PullConsumer =
        st.get_consumer("tracker").await.expect("consumer");
    let mut consumer = consumer;
    for _ in 0..2000 {
        let info = consumer.info().await.expect("info");
        if info.num_pending == 0 && info.num_ack_pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    second.shutdown().await;
    let b = second.stats().await;
    println!("first run {:?}, second run {:?}", a.monitor, b.monitor);
    if a.monitor.positions == N {
        eprintln!("note: the first run consumed everything before it was stopped");
    }
    assert_eq!(
        a.monitor.positions + b.monitor.positions,
        N,
        "every message processed exactly once across the restart"
    );
    assert_eq!(
        a.monitor.stale + b.monitor.stale,
        0,
        "no redelivered report"
    );
    let info = consumer.info().await.expect("info");
    assert_eq!((info.num_pending, info.num_ack_pending), (0, 0));
    let _ = js.delete_stream(&stream).await;
}

/// NATS, or `None` (skip with a note) unless `CORRIDOR_REQUIRE_NATS=1`.
async fn nats() -> Option<(String, async_nats::Client)> {
    let url = std::env::var("CORRIDOR_TEST_NATS").unwrap_or_else(|_| "127.0.0.1:4222".into());
    match async_nats::connect(&url).await {
        Ok(c) => Some((url, c)),
        Err(e) if std::env::var("CORRIDOR_REQUIRE_NATS").as_deref() != Ok("1") => {
            eprintln!("note: NATS test skipped: no NATS at {url}: {e}");
            None
        }
        Err(e) => panic!("NATS required (CORRIDOR_REQUIRE_NATS=1) but unreachable at {url}: {e}"),
    }
}

/// A fresh stream (`CORRIDOR_<what>_<run>`) holding `n` position reports of
/// `mmsi`, one second apart; its name and subject.
async fn positions_stream(
    js: &async_nats::jetstream::Context,
    what: &str,
    mmsi: u32,
    n: u64,
) -> (String, String) {
    let run = format!(
        "{}_{}",
        std::process::id(),
        Timestamp::now().as_nanosecond() % 1_000_000_000
    );
    let stream = format!("CORRIDOR_{what}_{run}");
    let subject = format!("corridor.{}.{run}.ais", what.to_lowercase());
    js.create_stream(async_nats::jetstream::stream::Config {
        name: stream.clone(),
        subjects: vec![subject.clone()],
        ..Default::default()
    })
    .await
    .expect("stream");
    let mut enc = NmeaEncoder::new(&[], "t");
    for i in 0..n {
        let line = enc.encode(&Report::Position(PositionReport {
            mmsi,
            time: Timestamp::from_second(1_700_000_000 + i as i64).expect("time"),
            lat: 43.0 + i as f64 * 1e-5,
            lon: 34.0,
            sog_kn: Some(10.0),
            cog_deg: Some(0.0),
            heading_deg: Some(0),
            nav_status: NavStatus::UNDER_WAY,
        }));
        js.publish(subject.clone(), line.into())
            .await
            .expect("publish")
            .await
            .expect("publish ack");
    }
    (stream, subject)
}

/// Finding 17 of the 2026-11-29 review: a message was acknowledged as soon
/// as its alerts were queued, before its positions and alerts were stored,
/// so a crash in between lost them. Now a message whose positions could not
/// be stored is not acknowledged (JetStream is asked to redeliver it), and
/// once the store works again every one of them is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_is_acknowledged_only_once_what_it_gave_is_stored() {
    let Some((url, client)) = nats().await else {
        return;
    };
    const M: u64 = 40;
    let js = async_nats::jetstream::new(client.clone());
    let (stream, subject) = positions_stream(&js, "STORED", 211_000_778, M).await;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("track.db");
    let path = path.to_str().expect("path");
    let store: Arc<dyn TrackStore> = Arc::new(SqliteTrackStore::open(path).await.expect("store"));
    let side = sqlx::SqlitePool::connect(&format!("sqlite://{path}"))
        .await
        .expect("second connection");
    let spec = SourceSpec::Nats {
        url,
        stream: stream.clone(),
        subject,
        durable: "tracker".into(),
    };
    let corridor = demo_corridor().expect("corridor");
    let start = || {
        let cfg = PipelineConfig::new(corridor.clone(), vec![spec.clone()]);
        spawn_pipeline(cfg, Some(Arc::clone(&store)))
    };
    let consumer = || async {
        let js = async_nats::jetstream::new(client.clone());
        let st = js.get_stream(&stream).await.expect("stream");
        let c: async_nats::jetstream::consumer::PullConsumer =
            st.get_consumer("tracker").await.expect("consumer");
        c
    };

    // The positions table is gone: nothing can be stored.
    sqlx::query("ALTER TABLE track_positions RENAME TO track_positions_away")
        .execute(&side)
        .await
        .expect("rename");
    let first = start().await.expect("pipeline");
    run_until(&first, |p| p >= M).await;
    first.shutdown().await;
    drop(first);
    let info = consumer().await.info().await.expect("info").clone();
    assert_eq!(
        (
            info.delivered.stream_sequence,
            info.ack_floor.stream_sequence
        ),
        (M, 0),
        "every message delivered, none acknowledged: {info:?}"
    );

    // The table is back: the redelivered messages are processed and stored, then acknowledged.
    sqlx::query("ALTER TABLE track_positions_away RENAME TO track_positions")
        .execute(&side)
        .await
        .expect("rename back");
    let second = start().await.expect("pipeline");
    let mut c = consumer().await;
    for _ in 0..4000 {
        let info = c.info().await.expect("info");
        if info.num_pending == 0 && info.num_ack_pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    second.shutdown().await;
    let info = c.info().await.expect("info").clone();
    assert_eq!((info.num_pending, info.num_ack_pending), (0, 0));
    let stored = store
        .track(
            211_000_778,
            Timestamp::from_second(1_700_000_000).expect("time"),
            Timestamp::from_second(1_700_000_000 + M as i64).expect("time"),
            1000,
        )
        .await
        .expect("track");
    assert_eq!(
        stored.len() as u64,
        M,
        "every position stored after redelivery"
    );
    let _ = js.delete_stream(&stream).await;
}
