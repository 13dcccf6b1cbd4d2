//! Must-show 2: stop corridor while it consumes from NATS JetStream, start
//! it again: no message lost, none counted twice.
//!
//! Needs the NATS server at 127.0.0.1:4222 (override: `CORRIDOR_TEST_NATS`)
//! with JetStream. Without it the test prints a note and passes, unless
//! `CORRIDOR_REQUIRE_NATS=1` (CI sets it), when it fails.

mod common;

use std::time::Duration;

use async_nats::jetstream::consumer::PullConsumer;
use corridor_geo::NM;
use corridor_ingest::sim::NmeaEncoder;
use corridor_ingest::{LiveHandle, PipelineConfig, SourceSpec, demo_corridor, spawn_pipeline};
use corridor_track::{NavStatus, PositionReport, Report, StaticReport};
use jiff::Timestamp;
use std::sync::Arc;

const N: u64 = 3000;

/// The pipeline's stats once `cond` holds, or after about 30 s (the
/// caller's assertions then say what was missing).
async fn stats_until(
    handle: &LiveHandle,
    cond: impl Fn(&corridor_ingest::PipelineStats) -> bool,
) -> corridor_ingest::PipelineStats {
    let mut st = handle.stats().await;
    for _ in 0..6000 {
        if cond(&st) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        st = handle.stats().await;
    }
    st
}

/// Positions processed once `cond` holds on them; panics if it never does.
async fn run_until(handle: &LiveHandle, cond: impl Fn(u64) -> bool) -> u64 {
    let st = stats_until(handle, |st| cond(st.monitor.positions)).await;
    assert!(
        cond(st.monitor.positions),
        "pipeline made no progress: {st:?}"
    );
    st.monitor.positions
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
    let mut consumer: PullConsumer = st.get_consumer("tracker").await.expect("consumer");
    settle_until(&mut consumer, Duration::from_secs(10), |s| s == (0, 0)).await;
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
    let (_dir, store, side) = common::store_with_side_door().await;
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
    settle_until(&mut c, Duration::from_secs(40), |s| s == (0, 0)).await;
    second.shutdown().await;
    let info = c.info().await.expect("info").clone();
    assert_eq!((info.num_pending, info.num_ack_pending), (0, 0));
    assert_eq!(
        stored(&store, 211_000_778, M).await,
        M,
        "every position stored after redelivery"
    );
    let _ = js.delete_stream(&stream).await;
}

/// The review of the fixes of 2026-11-30: a report redelivered after its
/// storing failed is stale to the same running monitor, and was then not
/// stored at all though acknowledged. Without a restart, the store back,
/// every position is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivery_to_the_same_pipeline_is_stored() {
    let Some((url, client)) = nats().await else {
        return;
    };
    const M: u64 = 40;
    const MMSI: u32 = 211_000_782;
    let js = async_nats::jetstream::new(client.clone());
    let (stream, subject) = positions_stream(&js, "AGAIN", MMSI, M).await;
    let (_dir, store, side) = common::store_with_side_door().await;
    sqlx::query("ALTER TABLE track_positions RENAME TO track_positions_away")
        .execute(&side)
        .await
        .expect("rename");
    let spec = SourceSpec::Nats {
        url,
        stream: stream.clone(),
        subject,
        durable: "tracker".into(),
    };
    let cfg = PipelineConfig::new(demo_corridor().expect("corridor"), vec![spec]);
    let run = spawn_pipeline(cfg, Some(Arc::clone(&store)))
        .await
        .expect("pipeline");
    run_until(&run, |p| p >= M).await;
    // Its first storing failed (the table is away); then the table is back.
    let mut c = tracker(&js, &stream).await;
    let mut failed = false;
    for _ in 0..400 {
        let info = c.info().await.expect("info").clone();
        if info.delivered.consumer_sequence > M {
            failed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(failed, "the failed messages were delivered again");
    sqlx::query("ALTER TABLE track_positions_away RENAME TO track_positions")
        .execute(&side)
        .await
        .expect("rename back");
    settle_until(&mut c, Duration::from_secs(40), |s| s == (0, 0)).await;
    run.shutdown().await;
    assert_eq!(
        stored(&store, MMSI, M).await,
        M,
        "every position stored after redelivery"
    );
    let _ = js.delete_stream(&stream).await;
}

/// How many of the `n` positions of `mmsi` that `positions_stream`
/// published the store holds.
async fn stored(store: &Arc<dyn corridor_store::TrackStore>, mmsi: u32, n: u64) -> u64 {
    let from = Timestamp::from_second(1_700_000_000).expect("time");
    let until = Timestamp::from_second(1_700_000_000 + n as i64).expect("time");
    let track = store.track(mmsi, from, until, 1000).await.expect("track");
    track.len() as u64
}

/// Publishes `line` and waits for the stream to have it.
async fn publish(js: &async_nats::jetstream::Context, subject: &str, line: &str) {
    js.publish(subject.to_string(), line.to_string().into())
        .await
        .expect("publish")
        .await
        .expect("publish ack");
}

/// The two sentences of a type 5 report of `mmsi`.
fn two_parts(mmsi: u32, name: &str) -> (String, String) {
    let text = NmeaEncoder::new(&[], "t").encode(&Report::Static(StaticReport {
        mmsi,
        time: Timestamp::from_second(1_700_000_000).expect("time"),
        imo: Some(9_074_729),
        name: Some(name.into()),
        callsign: Some("TP01".into()),
        ship_type: Some(70),
    }));
    let parts: Vec<&str> = text.lines().collect();
    assert_eq!(parts.len(), 2, "a type 5 is two sentences: {text}");
    (parts[0].to_string(), parts[1].to_string())
}

fn sum(st: &corridor_ingest::PipelineStats, f: fn(&corridor_ingest::SourceStats) -> u64) -> u64 {
    st.sources.iter().map(f).sum()
}

/// The pipeline's durable consumer `tracker` on `stream`, once it exists.
async fn tracker(js: &async_nats::jetstream::Context, stream: &str) -> PullConsumer {
    let st = js.get_stream(stream).await.expect("stream");
    for _ in 0..1000 {
        if let Ok(c) = st.get_consumer("tracker").await {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the pipeline made no consumer");
}

/// (messages not delivered yet, delivered but not acknowledged), once `want`
/// holds or `limit` has passed.
async fn settle_until(
    consumer: &mut PullConsumer,
    limit: Duration,
    want: impl Fn((u64, usize)) -> bool,
) -> (u64, usize) {
    let began = std::time::Instant::now();
    loop {
        let info = consumer.info().await.expect("info");
        let now = (info.num_pending, info.num_ack_pending);
        if want(now) || began.elapsed() > limit {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Open finding 6 of docs/open-findings.md: the message carrying the first
/// part of a two-part AIS message was acknowledged before the second part
/// came, so a stop in between lost the report (the restarted consumer had
/// only the second part). Now that message stays unacknowledged, and a stop
/// asks for it again at once: the report is decoded whole after the restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_part_is_acknowledged_only_with_the_rest_of_its_message() {
    let Some((url, client)) = nats().await else {
        return;
    };
    const MMSI: u32 = 211_000_779;
    let js = async_nats::jetstream::new(client.clone());
    let (stream, subject) = positions_stream(&js, "PARTS", MMSI, 0).await;
    let (part1, part2) = two_parts(MMSI, "TWO PARTS");
    let spec = SourceSpec::Nats {
        url,
        stream: stream.clone(),
        subject: subject.clone(),
        durable: "tracker".into(),
    };
    let corridor = demo_corridor().expect("corridor");
    let start = || {
        spawn_pipeline(
            PipelineConfig::new(corridor.clone(), vec![spec.clone()]),
            None,
        )
    };

    publish(&js, &subject, &part1).await;
    let first = start().await.expect("pipeline");
    stats_until(&first, |st| sum(st, |s| s.messages) >= 1).await;
    first.shutdown().await;
    let a = first.stats().await;
    drop(first);
    assert_eq!(sum(&a, |s| s.messages), 1, "{a:?}");
    assert_eq!(sum(&a, |s| s.reports), 0, "{a:?}");

    publish(&js, &subject, &part2).await;
    let second = start().await.expect("pipeline");
    let b = stats_until(&second, |st| sum(st, |s| s.reports) >= 1).await;
    let mut consumer = tracker(&js, &stream).await;
    let settled = settle_until(&mut consumer, Duration::from_secs(10), |s| s == (0, 0)).await;
    second.shutdown().await;
    assert_eq!(sum(&b, |s| s.reports), 1, "the report came whole: {b:?}");
    assert_eq!(sum(&b, |s| s.drops), 0, "no part dropped: {b:?}");
    assert_eq!(settled, (0, 0), "both messages acknowledged");
    let _ = js.delete_stream(&stream).await;
}

/// What the first attempt at the test above got wrong (reverted after
/// review): a waiting part held every acknowledgement behind it, and giving
/// up on it dropped the part. Now only the message that carries the part
/// waits, the others are acknowledged as they are stored, the hold ends
/// after `FRAGMENT_HOLD`, and the part stays with the decoder: a rest that
/// comes later still completes the report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_part_holds_only_its_own_message_and_not_for_long() {
    let Some((url, client)) = nats().await else {
        return;
    };
    const MMSI: u32 = 211_000_780;
    const N: u64 = 50;
    let js = async_nats::jetstream::new(client.clone());
    let (stream, subject) = positions_stream(&js, "HOLD", MMSI, 0).await;
    let (part1, part2) = two_parts(MMSI, "LATE REST");
    publish(&js, &subject, &part1).await;
    let mut enc = NmeaEncoder::new(&[], "t");
    for i in 0..N {
        let line = enc.encode(&Report::Position(PositionReport {
            mmsi: MMSI + 1,
            time: Timestamp::from_second(1_700_000_000 + i as i64).expect("time"),
            lat: 43.0,
            lon: 34.0 + i as f64 * 1e-5,
            sog_kn: Some(10.0),
            cog_deg: Some(90.0),
            heading_deg: Some(90),
            nav_status: NavStatus::UNDER_WAY,
        }));
        publish(&js, &subject, &line).await;
    }
    let spec = SourceSpec::Nats {
        url,
        stream: stream.clone(),
        subject: subject.clone(),
        durable: "tracker".into(),
    };
    let corridor = demo_corridor().expect("corridor");
    let run = spawn_pipeline(PipelineConfig::new(corridor, vec![spec]), None)
        .await
        .expect("pipeline");
    let mut consumer = tracker(&js, &stream).await;
    // Everything delivered; all acknowledged but the one waiting message
    // (looked for before the hold could have ended).
    let holding = settle_until(&mut consumer, Duration::from_secs(8), |s| s == (0, 1)).await;
    assert_eq!(holding, (0, 1), "only the part's own message waits");
    // Then it is acknowledged too, well inside JetStream's 30 s ack wait.
    let released = settle_until(
        &mut consumer,
        corridor_ingest::FRAGMENT_HOLD + Duration::from_secs(10),
        |s| s == (0, 0),
    )
    .await;
    assert_eq!(released, (0, 0), "the hold ends");
    // The part was kept: its rest, coming now, completes the report.
    publish(&js, &subject, &part2).await;
    let st = stats_until(&run, |st| sum(st, |s| s.reports) > N).await;
    let after = settle_until(&mut consumer, Duration::from_secs(10), |s| s == (0, 0)).await;
    run.shutdown().await;
    assert_eq!(
        sum(&st, |s| s.reports),
        N + 1,
        "the report came whole: {st:?}"
    );
    assert_eq!(sum(&st, |s| s.drops), 0, "no part dropped: {st:?}");
    assert_eq!(after, (0, 0));
    let _ = js.delete_stream(&stream).await;
}

/// Open finding 6 of docs/open-findings.md (2026-11-30 list: 5): while the
/// pipeline was busy (here the store is locked by another writer for three
/// ack waits), acknowledgements came after the consumer's ack wait and
/// JetStream delivered the messages again. Now unanswered messages are
/// reported in progress three times per ack wait (the consumer's own, here
/// one second): nothing comes twice, and everything is stored once the
/// store is free.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_pipeline_keeps_its_messages_past_the_ack_wait() {
    busy_pipeline("BUSY", 211_000_780, false).await;
}

/// The review of those fixes: with the monitor's queue full, the rest of a
/// pull waited unread in the client, outside the progress reports, and was
/// delivered again. A pull is now read whole, every message reported in
/// progress from the start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_waiting_behind_a_full_queue_is_kept_past_the_ack_wait() {
    busy_pipeline("BLOCKED", 211_000_781, true).await;
}

async fn busy_pipeline(what: &str, mmsi: u32, blocked_monitor: bool) {
    let Some((url, client)) = nats().await else {
        return;
    };
    const M: u64 = 40;
    let js = async_nats::jetstream::new(client.clone());
    let (stream, subject) = positions_stream(&js, what, mmsi, M).await;
    // The operator's consumer, with a short ack wait; the pipeline takes it as it is.
    js.get_stream(&stream)
        .await
        .expect("stream")
        .create_consumer(async_nats::jetstream::consumer::pull::Config {
            durable_name: Some("tracker".into()),
            ack_policy: async_nats::jetstream::consumer::AckPolicy::Explicit,
            filter_subject: subject.clone(),
            ack_wait: Duration::from_secs(1),
            ..Default::default()
        })
        .await
        .expect("consumer");
    // Another writer holds the database: the pipeline's writes wait (busy timeout 10 s).
    let (_dir, store, side) = common::store_with_side_door().await;
    let mut writer = side.acquire().await.expect("connection");
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *writer)
        .await
        .expect("lock");
    let spec = SourceSpec::Nats {
        url,
        stream: stream.clone(),
        subject,
        durable: "tracker".into(),
    };
    let mut cfg = PipelineConfig::new(demo_corridor().expect("corridor"), vec![spec]);
    if blocked_monitor {
        // Every batch waits for the store: the monitor, then its queue,
        // then the source stop, with most of a pull still unread.
        cfg.channel_capacity = 1;
        cfg.position_batch = 1;
    }
    let run = spawn_pipeline(cfg, Some(Arc::clone(&store)))
        .await
        .expect("pipeline");
    if !blocked_monitor {
        run_until(&run, |p| p >= M).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    sqlx::query("COMMIT")
        .execute(&mut *writer)
        .await
        .expect("unlock");
    drop(writer);
    let mut c = tracker(&js, &stream).await;
    let left = settle_until(&mut c, Duration::from_secs(20), |s| s == (0, 0)).await;
    run.shutdown().await;
    let st = run.stats().await;
    let info = c.info().await.expect("info").clone();
    assert_eq!(left, (0, 0), "{info:?}");
    // Each delivery, redeliveries included, takes a consumer sequence number.
    assert_eq!(
        (
            info.delivered.consumer_sequence,
            st.monitor.positions,
            st.monitor.stale
        ),
        (M, M, 0),
        "nothing delivered twice: {info:?} {:?}",
        st.monitor
    );
    assert_eq!(stored(&store, mmsi, M).await, M, "every position stored");
    let _ = js.delete_stream(&stream).await;
}

/// Open finding 46: a subject the stream does not take, or a durable that
/// reads another subject, was retried for ever (or read the other
/// subject): refused at start, saying why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_or_durable_that_never_gives_the_subject_is_refused_at_start() {
    let Some((url, client)) = nats().await else {
        return;
    };
    let js = async_nats::jetstream::new(client.clone());
    let (stream, subject) = positions_stream(&js, "OTHER", 211_000_790, 1).await;
    let start = |subject: String, durable: &str| {
        let spec = SourceSpec::Nats {
            url: url.clone(),
            stream: stream.clone(),
            subject,
            durable: durable.into(),
        };
        spawn_pipeline(
            PipelineConfig::new(demo_corridor().expect("corridor"), vec![spec]),
            None,
        )
    };
    let other = format!("{subject}.other");
    let e = start(other.clone(), "tracker")
        .await
        .expect_err("a subject outside the stream");
    let e = e.to_string();
    assert!(e.contains(&format!("{other:?} is not among them")), "{e}");

    // A durable made for another subject of the stream.
    js.update_stream(async_nats::jetstream::stream::Config {
        name: stream.clone(),
        subjects: vec![subject.clone(), other.clone()],
        ..Default::default()
    })
    .await
    .expect("widen the stream");
    js.get_stream(&stream)
        .await
        .expect("stream")
        .create_consumer(async_nats::jetstream::consumer::pull::Config {
            durable_name: Some("elsewhere".into()),
            filter_subject: subject.clone(),
            ..Default::default()
        })
        .await
        .expect("consumer");
    let e = start(other.clone(), "elsewhere")
        .await
        .expect_err("a durable reading another subject");
    let e = e.to_string();
    assert!(
        e.contains(&format!("reads [{subject:?}], not {other:?}")),
        "{e}"
    );
    // The subject it reads is taken.
    start(subject.clone(), "elsewhere")
        .await
        .expect("the durable's own subject")
        .shutdown()
        .await;
    let _ = js.delete_stream(&stream).await;
}

/// Open finding 42: after a stop, a NATS durable replays what was published
/// meanwhile. When that backlog was longer than `ais_gap_s`, the restart
/// placed no one (its window ended at the wall clock, not where the
/// backlog begins): a vessel at anchor in the area arrived a second time,
/// and one silent across the stop never got its `ais_gap`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_after_a_backlog_longer_than_the_gap_carries_on() {
    let Some((url, client)) = nats().await else {
        return;
    };
    const A: u32 = 211_000_791;
    const B: u32 = 211_000_792;
    let js = async_nats::jetstream::new(client.clone());
    let (stream, subject) = positions_stream(&js, "BACKLOG", A, 0).await;
    let corridor = demo_corridor().expect("corridor");
    let lane = corridor.lane_by_name("Odesa lane").expect("lane");
    let len = lane.length_m();
    let t0 = Timestamp::now() - jiff::SignedDuration::from_hours(24);
    let report = |mmsi: u32, minute: i64, along_m: f64, sog: f32| {
        Report::Position(common::on_odesa_lane(mmsi, t0, minute, along_m, sog))
    };
    let mut enc = NmeaEncoder::new(&[], "t");
    let mut send = async |reports: Vec<Report>| {
        for r in &reports {
            publish(&js, &subject, &enc.encode(r)).await;
        }
        reports.len() as u64
    };
    // A sails into the inspection area at the lane's end and anchors; B is
    // under way mid-lane, then silent.
    let mut first: Vec<Report> = (0..30)
        .map(|m| report(A, m, len - 5.0 * NM + m as f64 * NM / 6.0, 10.0))
        .collect();
    first.extend((30..35).map(|m| report(A, m, len, 0.0)));
    first.extend((0..31).map(|m| report(B, m, len / 2.0 + m as f64 * NM / 6.0, 10.0)));
    let n1 = send(first).await;
    let (_dir, store, _) = common::store_with_side_door().await;
    let start = |run: &str| {
        let spec = SourceSpec::Nats {
            url: url.clone(),
            stream: stream.clone(),
            subject: subject.clone(),
            durable: "tracker".into(),
        };
        let mut cfg = PipelineConfig::new(corridor.clone(), vec![spec]);
        cfg.run_id = run.into();
        cfg.position_batch = 1;
        cfg.monitor.ais_gap_s = 1800;
        spawn_pipeline(cfg, Some(Arc::clone(&store)))
    };
    let first = start("run-1").await.expect("pipeline");
    run_until(&first, |p| p == n1).await;
    first.shutdown().await;
    let alerts = |kind: &'static str, mmsi: u32| stored_alerts(Arc::clone(&store), kind, mmsi);
    assert_eq!(alerts("area_arrival", A).await, 1);
    let entries = alerts("corridor_entry", A).await;

    // Stopped an hour of feed time: A still at anchor, B silent. The
    // backlog's first message is a receiver's own sentence, with no time.
    publish(&js, &subject, "$GPZDA,201530.00,04,07,2002,00,00*60").await;
    let n2 = send(
        (40..=100)
            .step_by(5)
            .map(|m| report(A, m, len, 0.0))
            .collect(),
    )
    .await;
    let second = start("run-2").await.expect("pipeline");
    run_until(&second, |p| p == n2).await;
    for _ in 0..100 {
        if alerts("ais_gap", B).await > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    second.shutdown().await;
    assert_eq!(alerts("area_arrival", A).await, 1, "the arrival repeated");
    assert_eq!(alerts("corridor_entry", A).await, entries);
    assert_eq!(alerts("ais_gap", B).await, 1, "B's silence across the stop");
    let _ = js.delete_stream(&stream).await;
}

/// Open finding 48: a live TCP source beside a NATS backlog moved the
/// pipeline's one clock to the wall clock while the backlog was still
/// hours behind, so every vessel it had yet to bring was reported silent.
/// The live source now waits until the backlog is replayed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_source_waits_for_the_nats_backlog() {
    use tokio::io::AsyncWriteExt;
    let Some((url, client)) = nats().await else {
        return;
    };
    const D: u32 = 211_000_793;
    const B: u32 = 211_000_794;
    const LIVE: u32 = 211_000_795;
    let js = async_nats::jetstream::new(client.clone());
    let (stream, subject) = positions_stream(&js, "LIVEBESIDE", D, 0).await;
    let corridor = demo_corridor().expect("corridor");
    let len = corridor
        .lane_by_name("Odesa lane")
        .expect("lane")
        .length_m();
    let t0 = Timestamp::now() - jiff::SignedDuration::from_hours(2);
    let report = |mmsi: u32, minute: i64, along_m: f64, sog: f32| {
        Report::Position(common::on_odesa_lane(mmsi, t0, minute, along_m, sog))
    };
    let mut enc = NmeaEncoder::new(&[], "t");
    let mut send = async |reports: Vec<Report>| {
        for r in &reports {
            publish(&js, &subject, &enc.encode(r)).await;
        }
        reports.len() as u64
    };
    // D and B under way on the lane at 4 kn; then B falls silent.
    let along = |m: i64| len / 3.0 + m as f64 * NM / 15.0;
    let mut first: Vec<Report> = (0..31).map(|m| report(D, m, along(m), 4.0)).collect();
    first.extend((0..31).map(|m| report(B, m, len / 4.0 + m as f64 * NM / 15.0, 4.0)));
    let n1 = send(first).await;
    let (_dir, store, _) = common::store_with_side_door().await;
    let nats_spec = SourceSpec::Nats {
        url: url.clone(),
        stream: stream.clone(),
        subject: subject.clone(),
        durable: "tracker".into(),
    };
    let start = |run: &str, sources: Vec<SourceSpec>| {
        let mut cfg = PipelineConfig::new(corridor.clone(), sources);
        cfg.run_id = run.into();
        cfg.position_batch = 1;
        cfg.monitor.ais_gap_s = 1800;
        spawn_pipeline(cfg, Some(Arc::clone(&store)))
    };
    let first = start("run-1", vec![nats_spec.clone()])
        .await
        .expect("pipeline");
    run_until(&first, |p| p == n1).await;
    first.shutdown().await;

    // Stopped 80 minutes: D sailed on, heard until five minutes ago.
    let n2 = send(
        (35..=115)
            .step_by(5)
            .map(|m| report(D, m, along(m), 4.0))
            .collect(),
    )
    .await;
    // A receiver that sends a ship of now, every 10 ms, from the moment
    // the pipeline connects.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listener");
    let addr = listener.local_addr().expect("addr").to_string();
    let receiver = tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.expect("accept");
        let mut enc = NmeaEncoder::new(&[], "r");
        for i in 0..1000 {
            let mut p = common::on_odesa_lane(LIVE, t0, 0, len / 2.0 + f64::from(i) * 5.0, 6.0);
            p.time = Timestamp::now();
            if sock
                .write_all(enc.encode(&Report::Position(p)).as_bytes())
                .await
                .is_err()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    let live_spec = SourceSpec::TcpClient { addr };
    let second = start("run-2", vec![live_spec, nats_spec])
        .await
        .expect("pipeline");
    // The backlog, and live reports after it.
    run_until(&second, |p| p > n2 + 5).await;
    let alerts = |kind: &'static str, mmsi: u32| stored_alerts(Arc::clone(&store), kind, mmsi);
    for _ in 0..100 {
        if alerts("ais_gap", B).await > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    second.shutdown().await;
    receiver.abort();
    assert_eq!(alerts("ais_gap", B).await, 1, "B's silence across the stop");
    assert_eq!(
        alerts("ais_gap", D).await,
        0,
        "D was heard all along: its backlog came before the live reports"
    );
    let _ = js.delete_stream(&stream).await;
}

/// How many alerts of `kind` about `mmsi` the store holds.
async fn stored_alerts(store: Arc<dyn corridor_store::TrackStore>, kind: &str, mmsi: u32) -> usize {
    let q = corridor_store::AlertQuery {
        kind: Some(kind.into()),
        mmsi: Some(mmsi),
        limit: Some(100),
        ..corridor_store::AlertQuery::default()
    };
    store.alerts(&q).await.expect("alerts").len()
}
