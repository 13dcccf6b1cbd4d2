//! Vessels the parties approved, registered with live tracking.
//!
//! An application names its vessel's IMO number and MMSI; once approved,
//! tracking should know that MMSI as that vessel (its reports are linked, a
//! static report claiming another IMO is an `identity_mismatch`), without a
//! registry file kept by hand. The clearance log may grow from other
//! processes too, so approvals are looked for every few seconds rather than
//! announced: each new one goes into the store's tracking registry (source
//! `clearance`, so a restart starts with it) and to the running monitor.
//! One registration per vessel: a newer one replaces the older. The
//! registry keeps no dates, so at a start the approvals already made do
//! not replace what another source (a simulator, an operator) registered
//! for the same vessel; approvals made while it runs do.
//!
//! At each look the running monitor is also told which vessels still await
//! their inspection (`Clearance::awaited_inspections`), so one bound in
//! that reaches a port, or bound out that leaves the corridor, before it
//! raises `skipped_inspection`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use corridor_clearance::Clearance;
use corridor_store::RegistryRow;
use corridor_track::{Before, InspectionsDue};

/// How often the clearance state is read for new approvals.
const LOOK_EVERY: Duration = Duration::from_secs(5);

/// The registry's rows for every application the parties approved (at any
/// time: an approval that later expired or closed still names the vessel
/// right) whose vessel declares an MMSI. One row per MMSI and per IMO:
/// where two approvals declare one, the later stands (a vessel that changed
/// flag between them keeps only its newer MMSI).
pub fn approved_vessels(c: &Clearance) -> Vec<RegistryRow> {
    let mut approved: Vec<_> = c
        .applications
        .values()
        .filter_map(|a| Some((a.approved_at?, a)))
        .collect();
    approved.sort_by_key(|(at, a)| (*at, a.id.clone()));
    let mut rows: std::collections::BTreeMap<u32, RegistryRow> = Default::default();
    for (_, a) in approved {
        let v = &a.content.vessel;
        let Some(mmsi) = v.mmsi_digits().and_then(|m| m.parse::<u32>().ok()) else {
            continue;
        };
        let imo = v.imo_number();
        if imo.is_some() {
            rows.retain(|m, r| *m == mmsi || r.imo != imo);
        }
        rows.insert(
            mmsi,
            RegistryRow {
                mmsi,
                imo,
                name: Some(v.name.clone()).filter(|n| !n.trim().is_empty()),
                source: "clearance".into(),
            },
        );
    }
    rows.into_values().collect()
}

/// What the monitor is told of the vessels awaiting their inspection, as of `now`.
pub fn inspections_due(c: &Clearance, now: jiff::Timestamp) -> InspectionsDue {
    let mut due = InspectionsDue::new();
    for a in c.awaited_inspections(now) {
        let before = if a.bound_in {
            Before::Port
        } else {
            Before::Exit
        };
        due.add(before, a.mmsi, a.imo, &a.what);
    }
    due
}

/// A vessel, as the registry keeps one registration of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Known {
    Imo(u32),
    Mmsi(u32),
}

impl Known {
    fn of(r: &RegistryRow) -> Known {
        r.imo.map_or(Known::Mmsi(r.mmsi), Known::Imo)
    }
}

/// Registers approved vessels with `live` (and its store) from now on, until
/// the pipeline stops. Who awaits an inspection is told before this
/// returns, so the feed is judged by it from the first report on.
pub async fn forward_registrations(
    live: &corridor_ingest::LiveHandle,
    service: Arc<corridor_clearance_service::Service>,
) {
    let first = inspections_due(&service.clearance().await, service.now().await);
    let mut told_due = live
        .set_inspections_due(first.clone())
        .await
        .then_some(first);
    let live = live.clone();
    tokio::spawn(async move {
        // What was last registered for each vessel (by IMO, else MMSI): a
        // vessel approved again under an MMSI it had before is registered
        // again, not taken as seen.
        let mut known: HashMap<Known, u32> = HashMap::new();
        // What the store holds at start. Approvals made before it are not
        // sent again over a registration someone else made since (a
        // simulator's, an operator's): the registry keeps no dates, so
        // only approvals made while this runs replace those.
        let mut others: Option<HashMap<Known, u32>> = None;
        if let Some(store) = live.store() {
            match store.registry().await {
                Ok(rows) => {
                    let mut o = HashMap::new();
                    for r in &rows {
                        known.insert(Known::of(r), r.mmsi);
                        if r.source != "clearance" {
                            o.insert(Known::of(r), r.mmsi);
                        }
                    }
                    others = Some(o);
                }
                Err(e) => tracing::warn!(error = %e, "the tracking registry could not be read"),
            }
        }
        let mut tick = tokio::time::interval(LOOK_EVERY);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = live.stopping() => break,
            }
            let clearance = service.clearance().await;
            let due = inspections_due(&clearance, service.now().await);
            if told_due.as_ref() != Some(&due) {
                if !live.set_inspections_due(due.clone()).await {
                    break;
                }
                told_due = Some(due);
            }
            let approved = approved_vessels(&clearance);
            drop(clearance);
            if let Some(o) = &others {
                // Left to the other source: seen, so later looks skip them too.
                for r in approved.iter().filter(|r| o.contains_key(&Known::of(r))) {
                    known.insert(Known::of(r), r.mmsi);
                }
            }
            let new = to_register(approved, &known, others.take());
            if new.is_empty() {
                continue;
            }
            if let Some(store) = live.store()
                && let Err(e) = store.register(&new).await
            {
                // Tried again at the next look: nothing is marked known.
                tracing::warn!(error = %e, "approved vessels could not be stored in the tracking registry");
                continue;
            }
            if !live.register(super::track::registry_from_rows(&new)).await {
                break;
            }
            tracing::info!(
                vessels = new.len(),
                "approved vessels registered for tracking"
            );
            known.extend(new.iter().map(|r| (Known::of(r), r.mmsi)));
        }
    });
}

/// The approvals to register: those not registered as they stand, leaving
/// out at the first look (`others` given) those of vessels another source
/// registered (the registry keeps no dates: which came later is unknown).
fn to_register(
    approved: Vec<RegistryRow>,
    known: &HashMap<Known, u32>,
    others: Option<HashMap<Known, u32>>,
) -> Vec<RegistryRow> {
    approved
        .into_iter()
        .filter(|r| {
            !others
                .as_ref()
                .is_some_and(|o| o.contains_key(&Known::of(r)))
        })
        .filter(|r| known.get(&Known::of(r)) != Some(&r.mmsi))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(mmsi: u32, imo: u32, source: &str) -> RegistryRow {
        RegistryRow {
            mmsi,
            imo: Some(imo),
            name: None,
            source: source.into(),
        }
    }

    // Review of session 23: every start sent every approval ever made
    // again, over a registration another source had made since.
    #[test]
    fn a_start_does_not_undo_another_sources_registration() {
        let stored = [
            row(538_999_999, 9_300_001, "simulator"),
            row(211_000_002, 9_300_002, "clearance"),
        ];
        let known: HashMap<Known, u32> = stored.iter().map(|r| (Known::of(r), r.mmsi)).collect();
        let others: HashMap<Known, u32> =
            stored[..1].iter().map(|r| (Known::of(r), r.mmsi)).collect();
        let approved = vec![
            row(538_000_001, 9_300_001, "clearance"), // the simulator's since
            row(211_000_002, 9_300_002, "clearance"), // as stored
            row(211_000_003, 9_300_003, "clearance"), // never stored
        ];
        let first = to_register(approved.clone(), &known, Some(others));
        assert_eq!(first, [approved[2].clone()]);
        // Approved again later under another MMSI: that one is newer.
        let later = vec![row(538_000_009, 9_300_001, "clearance")];
        assert_eq!(to_register(later.clone(), &known, None), later);
    }
    use corridor_clearance_service::seed::TrackedVessel;

    /// A clearance store in `dir` seeded with the demo season from `start`,
    /// `tracked` among its waiting applications, and its service.
    async fn seeded(
        dir: &std::path::Path,
        start: jiff::Timestamp,
        tracked: &[TrackedVessel],
    ) -> Arc<corridor_clearance_service::Service> {
        let url = dir.join("c.db").to_string_lossy().into_owned();
        corridor_clearance_service::seed::seed_demo_tracked(
            &url,
            &dir.join("keys"),
            start,
            tracked,
        )
        .await
        .unwrap();
        corridor_clearance_service::Service::open(
            &url,
            corridor_clearance::CorridorConfig::bsgi().unwrap(),
        )
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn approved_applications_name_their_vessels_for_tracking() {
        let dir = tempfile::tempdir().unwrap();
        let tracked = [
            TrackedVessel {
                imo: 9_284_544,
                name: "SSI AVENGER".into(),
                mmsi: 538_001_234,
                port: "UAODS".into(),
                inbound: false,
            },
            TrackedVessel {
                imo: 9_086_526,
                name: "RAZONI".into(),
                mmsi: 667_001_235,
                port: "UAILK".into(),
                inbound: false,
            },
        ];
        let start = jiff::Timestamp::from_second(1_780_000_000).unwrap();
        let service = seeded(dir.path(), start, &tracked).await;
        let rows = approved_vessels(&service.clearance().await);
        for v in &tracked {
            let row = rows
                .iter()
                .find(|r| r.mmsi == v.mmsi)
                .unwrap_or_else(|| panic!("{} not registered: {rows:?}", v.name));
            assert_eq!(row.imo, Some(v.imo));
            assert_eq!(row.name.as_deref(), Some(v.name.as_str()));
            assert_eq!(row.source, "clearance");
        }
        // Only approved applications: none still under review or refused.
        let clearance = service.clearance().await;
        for r in &rows {
            assert!(
                clearance
                    .applications
                    .values()
                    .any(|a| a.approved_at.is_some()
                        && a.content.vessel.mmsi_digits() == Some(r.mmsi.to_string().as_str()))
            );
        }
        assert!(
            clearance
                .applications
                .values()
                .any(|a| a.approved_at.is_none()),
            "the seeded season has applications not approved"
        );
    }

    /// Open finding 66, wired as `serve` and `demo` wire it: a tracked
    /// vessel whose application still awaits its inspection sails into
    /// the port it is bound for, and tracking raises `skipped_inspection`.
    #[tokio::test]
    async fn a_vessel_sailing_into_port_before_its_inspection_is_an_alert() {
        use corridor_ingest::{ClockMode, PipelineConfig, SourceSpec, spawn_pipeline};
        use tokio::io::AsyncWriteExt as _;
        let dir = tempfile::tempdir().unwrap();
        let (mmsi, imo) = (538_001_299, 9_284_544);
        let tracked = [TrackedVessel {
            imo,
            name: "SSI AVENGER".into(),
            mmsi,
            port: "UAODS".into(),
            inbound: true,
        }];
        let start = jiff::Timestamp::now()
            - jiff::SignedDuration::from_hours(24 * corridor_clearance_service::seed::SEASON_DAYS);
        let service = seeded(dir.path(), start, &tracked).await;
        let due = inspections_due(&service.clearance().await, service.now().await);
        let what = due.due(Before::Port, mmsi, None).map(str::to_owned);
        assert!(
            what.as_deref()
                .is_some_and(|w| w.ends_with("approved, not yet inspected")),
            "the seeded voyage awaits its inspection: {what:?}"
        );
        let corridor = corridor_ingest::demo_corridor().unwrap();
        let mut cfg = PipelineConfig::new(
            corridor.clone(),
            vec![SourceSpec::parse("tcp-server:127.0.0.1:0").unwrap()],
        );
        cfg.clock = Some(ClockMode::Live);
        let live = spawn_pipeline(cfg, None).await.unwrap();
        let mut alerts = live.subscribe_alerts();
        // Who is due is told before it returns, ahead of any report.
        forward_registrations(&live, service.clone()).await;
        // Down the Odesa lane into the port approach, 2 km a report.
        let lane = corridor.lane_by_name("Odesa lane").unwrap();
        let t0 = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(2);
        let mut enc = corridor_ingest::sim::NmeaEncoder::new(&[], "t");
        let feed: String = (0..=10)
            .map(|i| {
                let p = lane.point_at(20_000.0 - 2_000.0 * f64::from(i));
                enc.encode(&corridor_track::Report::Position(
                    corridor_track::PositionReport {
                        mmsi,
                        time: t0 + jiff::SignedDuration::from_mins(i64::from(i) * 6),
                        lat: p.lat,
                        lon: p.lon,
                        sog_kn: Some(10.0),
                        cog_deg: None,
                        heading_deg: None,
                        nav_status: corridor_track::NavStatus::UNDER_WAY,
                    },
                ))
            })
            .collect();
        let mut conn = tokio::net::TcpStream::connect(live.bound()[0].1)
            .await
            .unwrap();
        conn.write_all(feed.as_bytes()).await.unwrap();
        drop(conn);
        let skipped = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            loop {
                match alerts.recv().await {
                    Ok(a) if a.kind == corridor_track::AlertKind::SkippedInspection => break a,
                    Ok(_) => {}
                    Err(e) => panic!("alerts ended: {e}"),
                }
            }
        })
        .await
        .expect("a skipped_inspection alert");
        assert_eq!(skipped.mmsi, mmsi);
        assert_eq!(
            skipped.detail,
            format!("reached Port of Odesa approach (UAODS): {}", what.unwrap())
        );
        live.shutdown().await;
    }
}
