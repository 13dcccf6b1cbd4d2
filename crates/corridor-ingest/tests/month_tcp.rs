//! Must-show 1: a simulated month, every anomaly kind injected several
//! times, encoded as NMEA by our encoder and sent through a real TCP socket
//! into a running pipeline (TCP server source → decode → monitor → alert
//! sink with a SQLite store). Scored against the simulator's truth with
//! `corridor_track::sim::score` (same kind, same MMSI, windows overlapping
//! within 10 minutes, one-to-one): recall 1.0 and precision 1.0.

use std::collections::HashMap;
use std::sync::Arc;

use corridor_ingest::sim::{NmeaEncoder, Pace, Serve, serve_feed};
use corridor_ingest::{PipelineConfig, SourceSpec, demo_corridor, spawn_pipeline};
use corridor_store::{AlertQuery, SqliteTrackStore, TrackStore};
use corridor_track::sim::{SimConfig, random_scenario, score, simulate};
use corridor_track::{Alert, AlertKind};
use jiff::{SignedDuration, Timestamp};
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_month_over_tcp_has_full_recall_and_precision() {
    let corridor = demo_corridor().expect("corridor");
    let start: Timestamp = "2022-10-01T00:00:00Z".parse().expect("time");
    let per_kind = 3;
    let sc = random_scenario(&corridor, start, 30, 36, 8, per_kind, 7);
    let sim = simulate(
        &corridor,
        &sc,
        &SimConfig {
            seed: 42,
            ..SimConfig::default()
        },
    )
    .expect("simulate");
    for k in [
        AlertKind::Deviation,
        AlertKind::AisGap,
        AlertKind::Loitering,
        AlertKind::IdentityMismatch,
        AlertKind::ImpossibleJump,
    ] {
        assert_eq!(
            sim.truth.iter().filter(|t| t.kind == k).count(),
            per_kind,
            "{k} injected {per_kind} times"
        );
    }
    assert_eq!(
        sim.truth
            .iter()
            .filter(|t| t.kind == AlertKind::Encounter)
            .count(),
        2 * per_kind
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("track.db");
    let store: Arc<dyn TrackStore> = Arc::new(
        SqliteTrackStore::open(db.to_str().expect("path"))
            .await
            .expect("store"),
    );

    let (tap_tx, mut tap_rx) = tokio::sync::mpsc::channel::<Alert>(256);
    let mut cfg = PipelineConfig::new(
        Arc::clone(&corridor),
        vec![SourceSpec::parse("tcp-server:127.0.0.1:0").expect("spec")],
    );
    cfg.registry = sim.registry.clone();
    cfg.finish_at_end = true;
    cfg.store_positions = false;
    cfg.alert_tap = Some(tap_tx);
    let handle = spawn_pipeline(cfg, Some(Arc::clone(&store)))
        .await
        .expect("pipeline");
    let addr = handle.bound()[0].1;
    let collector = tokio::spawn(async move {
        let mut all = Vec::new();
        while let Some(a) = tap_rx.recv().await {
            all.push(a);
        }
        all
    });

    // The simulator connects to the pipeline's TCP server and sends as fast as it is read.
    let enc = NmeaEncoder::new(&sim.vessels, "sim");
    let sent = serve_feed(
        sim.feed,
        enc,
        Serve::TcpClient(addr),
        Pace::speed(None),
        CancellationToken::new(),
    )
    .await
    .expect("feed");
    assert!(sent > 100_000, "a month of traffic ({sent} reports)");

    // Wait for the connection to end on the pipeline's side (it has read everything), then drain.
    // Bounded, so a pipeline that never sees the end fails here instead of hanging.
    let mut waited = 0;
    while handle.source_stats()[0].closed < 1 {
        waited += 1;
        assert!(
            waited < 6000,
            "the pipeline never saw the feed's connection close"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    handle.shutdown().await;
    let stats = handle.source_stats();
    drop(handle);
    let alerts = collector.await.expect("collector");

    let s = score(&sim.truth, &alerts, SignedDuration::from_mins(10));
    println!("sources {stats:?}");
    println!(
        "truth {}, alerts {}, matched {}; recall {:.3} precision {:.3}",
        s.counts.0, s.counts.1, s.counts.2, s.recall, s.precision
    );
    for (k, t, a, m) in &s.per_kind {
        println!("  {k:<18} truth {t:>3} alerts {a:>3} matched {m:>3}");
    }
    assert_eq!(stats[0].bad, 0, "our own encoder's sentences all decode");
    assert!(
        s.missed.is_empty() && s.spurious.is_empty(),
        "missed {:#?}\nspurious {:#?}",
        s.missed,
        s.spurious
    );
    assert_eq!(s.recall, 1.0);
    assert_eq!(s.precision, 1.0);

    // Every alert is in the store, in its final (closed) version.
    let mut latest: HashMap<u64, &Alert> = HashMap::new();
    for a in &alerts {
        latest.insert(a.id, a);
    }
    let stored = store
        .alerts(&AlertQuery {
            limit: Some(10_000),
            ..AlertQuery::default()
        })
        .await
        .expect("alerts");
    assert_eq!(stored.len(), latest.len());
    assert!(
        stored.iter().all(|r| !r.open),
        "every alert closed at the end of the replay"
    );
}
