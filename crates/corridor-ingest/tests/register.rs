//! Open finding 53: a vessel approved while tracking runs is registered with
//! the running monitor; one already tracked is linked at once, not only at
//! its next static report (every six minutes at best).

use corridor_ingest::{PipelineConfig, SourceSpec, demo_corridor, spawn_pipeline};
use corridor_track::RegisteredVessel;

mod common;

#[tokio::test]
async fn a_vessel_approved_while_tracked_is_linked_at_once() {
    let mut cfg = PipelineConfig::new(
        demo_corridor().expect("corridor"),
        vec![SourceSpec::parse("tcp-server:127.0.0.1:0").expect("spec")],
    );
    cfg.clock = Some(corridor_ingest::ClockMode::Live);
    let handle = spawn_pipeline(cfg, None).await.expect("pipeline");
    let t0: jiff::Timestamp = "2026-11-30T06:00:00Z".parse().unwrap();
    let (mmsi, other) = (271_000_123, 271_000_456);
    let reports: Vec<_> = [mmsi, other]
        .iter()
        .map(|m| common::on_odesa_lane(*m, t0, 0, 20_000.0, 10.0))
        .collect();
    common::feed_tcp(&handle, &reports).await;
    let registered = |vs: &[corridor_ingest::LiveVessel], m: u32| {
        vs.iter().find(|v| v.mmsi == m).map(|v| v.registered)
    };
    let before = handle.vessels().await;
    assert_eq!(registered(&before, mmsi), Some(false));

    assert!(
        handle
            .register(vec![RegisteredVessel {
                key: 9_284_544,
                imo: Some(9_284_544),
                mmsi: Some(mmsi),
            }])
            .await
    );
    let after = handle.vessels_since(tokio::time::Instant::now()).await;
    assert_eq!(registered(&after, mmsi), Some(true));
    assert_eq!(
        registered(&after, other),
        Some(false),
        "only the MMSI registered"
    );
}
