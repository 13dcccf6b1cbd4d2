//! Vessels the parties approved, registered with live tracking.
//!
//! An application names its vessel's IMO number and MMSI; once approved,
//! tracking should know that MMSI as that vessel (its reports are linked, a
//! static report claiming another IMO is an `identity_mismatch`), without a
//! registry file kept by hand. The clearance log may grow from other
//! processes too, so approvals are looked for every few seconds rather than
//! announced: each new one goes into the store's tracking registry (source
//! `clearance`, so a restart starts with it) and to the running monitor.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use corridor_clearance::Clearance;
use corridor_store::RegistryRow;

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
        let imo: Option<u32> = v.imo.trim().parse().ok();
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
/// the pipeline stops.
pub fn forward_registrations(
    live: &corridor_ingest::LiveHandle,
    service: Arc<corridor_clearance_service::Service>,
) {
    let live = live.clone();
    tokio::spawn(async move {
        // What was last registered for each vessel (by IMO, else MMSI): a
        // vessel approved again under an MMSI it had before is registered
        // again, not taken as seen.
        let mut known: HashMap<Known, u32> = HashMap::new();
        let mut tick = tokio::time::interval(LOOK_EVERY);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = live.stopping() => break,
            }
            let new: Vec<RegistryRow> = approved_vessels(&service.clearance().await)
                .into_iter()
                .filter(|r| known.get(&Known::of(r)) != Some(&r.mmsi))
                .collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use corridor_clearance_service::seed::TrackedVessel;

    #[tokio::test]
    async fn approved_applications_name_their_vessels_for_tracking() {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("c.db").to_string_lossy().into_owned();
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
        corridor_clearance_service::seed::seed_demo_tracked(
            &url,
            &dir.path().join("keys"),
            start,
            &tracked,
        )
        .await
        .unwrap();
        let service = corridor_clearance_service::Service::open(
            &url,
            corridor_clearance::CorridorConfig::bsgi().unwrap(),
        )
        .await
        .unwrap();
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
}
