//! Open finding 53: a vessel approved while tracking runs is registered with
//! the running monitor; one already tracked is linked at once, not only at
//! its next static report (every six minutes at best).

use corridor_ingest::{PipelineConfig, SourceSpec, demo_corridor, spawn_pipeline};
use corridor_track::RegisteredVessel;

mod common;

/// A live pipeline over the demo corridor with one TCP server source.
async fn live_tcp_pipeline() -> corridor_ingest::LiveHandle {
    let mut cfg = PipelineConfig::new(
        demo_corridor().expect("corridor"),
        vec![SourceSpec::parse("tcp-server:127.0.0.1:0").expect("spec")],
    );
    cfg.clock = Some(corridor_ingest::ClockMode::Live);
    spawn_pipeline(cfg, None).await.expect("pipeline")
}

#[tokio::test]
async fn a_vessel_approved_while_tracked_is_linked_at_once() {
    let handle = live_tcp_pipeline().await;
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

/// Open finding 66: a vessel whose application still awaits its inspection
/// sailed into port and nothing was raised. The running monitor is told who
/// is due, and the one that reaches the port before its inspection is an
/// alert; the one not due, sailing beside it, is routine.
#[tokio::test]
async fn a_vessel_due_an_inspection_that_reaches_port_is_an_alert() {
    use corridor_track::{AlertKind, Before, InspectionsDue};
    let handle = live_tcp_pipeline().await;
    let mut alerts = handle.subscribe_alerts();
    let (due, free) = (271_000_777, 271_000_888);
    let mut told = InspectionsDue::new();
    told.add(Before::Port, Some(due), None, "application A");
    told.add(Before::Exit, Some(free), None, "application B");
    assert!(handle.set_inspections_due(told).await);
    let t0 = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(2);
    // Both sail from 20 km out into the Odesa port approach, 2 km a report.
    let reports: Vec<_> = (0..=10)
        .flat_map(|i| {
            let along = 20_000.0 - 2_000.0 * f64::from(i);
            [due, free].map(|m| common::on_odesa_lane(m, t0, i64::from(i) * 6, along, 10.0))
        })
        .collect();
    common::feed_tcp(&handle, &reports).await;
    let mut skipped = Vec::new();
    let mut arrived = Vec::new();
    while let Ok(Ok(a)) =
        tokio::time::timeout(std::time::Duration::from_millis(500), alerts.recv()).await
    {
        match a.kind {
            AlertKind::SkippedInspection => skipped.push((a.mmsi, a.detail.clone())),
            AlertKind::AreaArrival => arrived.push(a.mmsi),
            _ => {}
        }
    }
    assert!(
        arrived.contains(&due) && arrived.contains(&free),
        "both reach the port: {arrived:?}"
    );
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].0, due);
    assert_eq!(
        skipped[0].1,
        "reached Port of Odesa approach (UAODS): application A"
    );
}
