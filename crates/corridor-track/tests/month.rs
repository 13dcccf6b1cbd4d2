//! The key test: a simulated month fed through the monitor.
//!
//! Matching (see `corridor_track::sim::score`): same kind, same MMSI, and the
//! alert's [start, end] overlaps the truth window widened by 10 minutes each
//! side; one-to-one. Recall must be 1.0 (every injected anomaly and every
//! routine event found) and precision 1.0 (nothing else, so nothing on the
//! clean tracks).

use std::sync::Arc;

use corridor_geo::{BLACK_SEA_DEMO, Corridor};
use corridor_track::sim::{SimConfig, random_scenario, score, simulate};
use corridor_track::{AlertKind, MapRegistry, Monitor, MonitorConfig, Report};
use jiff::{SignedDuration, Timestamp};

#[test]
fn simulated_month_has_full_recall_and_precision() {
    let corridor = Arc::new(Corridor::from_geojson_str(BLACK_SEA_DEMO).expect("demo corridor"));
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
    let registry: MapRegistry = sim.registry.iter().copied().collect();
    let mut m = Monitor::new(Arc::clone(&corridor), MonitorConfig::default(), registry);
    let mut alerts = Vec::new();
    let (mut positions, mut statics) = (0usize, 0usize);
    let mut vessels = std::collections::BTreeSet::new();
    for r in sim.feed {
        vessels.insert(r.mmsi());
        match r {
            Report::Position(p) => {
                positions += 1;
                m.on_position(&p, &mut alerts);
            }
            Report::Static(s) => {
                statics += 1;
                m.on_static(&s, &mut alerts);
            }
        }
    }
    m.finish(sc.end, None, &mut alerts);
    let s = score(&sim.truth, &alerts, SignedDuration::from_mins(10));
    println!(
        "{} vessels, {positions} positions, {statics} statics; truth {}, alerts {}, matched {}; recall {:.3} precision {:.3}",
        vessels.len(),
        s.counts.0,
        s.counts.1,
        s.counts.2,
        s.recall,
        s.precision
    );
    for (k, t, a, mt) in &s.per_kind {
        println!("  {k:<18} truth {t:>3} alerts {a:>3} matched {mt:>3}");
    }
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
    for k in [
        AlertKind::CorridorEntry,
        AlertKind::CorridorExit,
        AlertKind::AreaArrival,
    ] {
        assert!(
            sim.truth.iter().filter(|t| t.kind == k).count() >= 30,
            "{k} on every voyage"
        );
    }
    assert!(
        s.missed.is_empty() && s.spurious.is_empty(),
        "missed {:#?}\nspurious {:#?}",
        s.missed,
        s.spurious
    );
    assert_eq!(s.recall, 1.0);
    assert_eq!(s.precision, 1.0);
}
