//! The simulator: determinism, kinematics, background traffic, errors, truth
//! format, and the matching rule.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use corridor_geo::{AreaKind, BLACK_SEA_DEMO, Corridor};
use corridor_track::sim::{
    Scenario, SimConfig, SimError, TruthRecord, Voyage, imo_from_base, random_scenario, score,
    simulate,
};
use corridor_track::{
    Alert, AlertKind, Evidence, MapRegistry, Monitor, MonitorConfig, Place, Report,
};
use jiff::{SignedDuration, Timestamp};

static CORRIDOR: LazyLock<Arc<Corridor>> =
    LazyLock::new(|| Arc::new(Corridor::from_geojson_str(BLACK_SEA_DEMO).expect("demo corridor")));

fn start() -> Timestamp {
    "2022-08-01T00:00:00Z".parse().expect("time")
}

fn small(seed: u64) -> (Vec<Report>, Vec<TruthRecord>) {
    let sc = random_scenario(&CORRIDOR, start(), 7, 6, 2, 1, 3);
    let sim = simulate(
        &CORRIDOR,
        &sc,
        &SimConfig {
            seed,
            ..SimConfig::default()
        },
    )
    .expect("simulate");
    (sim.feed.take(40_000).collect(), sim.truth)
}

#[test]
fn deterministic_from_the_seed() {
    let (a, ta) = small(5);
    let (b, tb) = small(5);
    assert_eq!(a, b);
    assert_eq!(ta, tb);
    let (c, _) = small(6);
    assert_ne!(a, c);
}

fn one_voyage(inbound: bool, area: &str) -> Scenario {
    Scenario {
        start: start(),
        end: start() + SignedDuration::from_hours(24 * 6),
        voyages: vec![Voyage {
            mmsi: 538_000_001,
            imo: imo_from_base(930_001),
            name: "TEST CARRIER".into(),
            port: "UAODS".into(),
            departure: start() + SignedDuration::from_hours(8),
            inspection_area: area.into(),
            inbound,
            wait_s: 12 * 3600,
        }],
        background: 4,
        anomalies: vec![],
    }
}

#[test]
fn kinematics_are_realistic_and_background_stays_outside() {
    let sc = one_voyage(false, "Inspection Area Marmara");
    let sim = simulate(&CORRIDOR, &sc, &SimConfig::default()).expect("simulate");
    assert_eq!(sim.vessels.len(), 5);
    assert_eq!(sim.vessels.iter().filter(|v| v.corridor).count(), 1);
    assert!(sim.vessels.iter().any(|v| v.class_b && v.imo.is_none()));
    let mut last: HashMap<u32, Timestamp> = HashMap::new();
    let mut cruise = Vec::new();
    let mut prev_time = start();
    let mut statics = 0;
    for r in sim.feed {
        assert!(r.time() >= prev_time, "time-ordered");
        prev_time = r.time();
        let Report::Position(p) = r else {
            statics += 1;
            continue;
        };
        assert!(p.pos().is_valid());
        if let Some(t) = last.insert(p.mmsi, p.time) {
            let dt = p.time.duration_since(t).as_secs_f64();
            assert!((8.0..=200.0).contains(&dt), "report interval {dt} s");
        }
        if p.mmsi == 538_000_001 {
            let sog = f64::from(p.sog_kn.expect("sog"));
            // Mid-corridor (away from the port approach and the Bosphorus).
            if CORRIDOR.in_lane(p.pos()).is_some() && (42.0..46.0).contains(&p.lat) {
                cruise.push(sog);
            }
        } else {
            // Background: never in a lane, inspection area or port approach.
            assert!(
                CORRIDOR.in_lane(p.pos()).is_none(),
                "background in a lane: {p:?}"
            );
            assert!(
                CORRIDOR
                    .areas_at(p.pos())
                    .all(|a| a.kind == AreaKind::Anchorage),
                "background in a corridor area: {p:?}"
            );
        }
    }
    assert!(statics > 10);
    assert!(cruise.len() > 1000);
    assert!(
        cruise.iter().all(|s| (9.5..=14.5).contains(s)),
        "cruise speeds 10-14 kn with noise"
    );
}

/// Feed a simulation through a monitor; final alerts.
fn monitor(sc: &Scenario) -> (Vec<Alert>, Vec<TruthRecord>) {
    let sim = simulate(&CORRIDOR, sc, &SimConfig::default()).expect("simulate");
    let reg: MapRegistry = sim.registry.iter().copied().collect();
    let mut m = Monitor::new(Arc::clone(&CORRIDOR), MonitorConfig::default(), reg);
    let mut out = Vec::new();
    for r in sim.feed {
        match r {
            Report::Position(p) => m.on_position(&p, &mut out),
            Report::Static(s) => m.on_static(&s, &mut out),
        }
    }
    m.finish(sc.end, None, &mut out);
    (out, sim.truth)
}

#[test]
fn outbound_and_inbound_voyages_give_their_events() {
    for (inbound, area, want) in [
        (
            false,
            "Inspection Area North (Black Sea)",
            vec![
                AlertKind::CorridorEntry,
                AlertKind::AreaArrival,
                AlertKind::CorridorExit,
            ],
        ),
        (
            false,
            "Inspection Area Marmara",
            vec![
                AlertKind::CorridorEntry,
                AlertKind::AreaArrival,
                AlertKind::AreaArrival,
                AlertKind::CorridorExit,
            ],
        ),
        (
            true,
            "Inspection Area Marmara",
            vec![
                AlertKind::CorridorEntry,
                AlertKind::AreaArrival,
                AlertKind::AreaArrival,
                AlertKind::AreaArrival,
                AlertKind::CorridorExit,
            ],
        ),
    ] {
        let (alerts, truth) = monitor(&one_voyage(inbound, area));
        let mut got: Vec<(Timestamp, AlertKind)> =
            alerts.iter().map(|a| (a.start, a.kind)).collect();
        got.sort();
        let kinds: Vec<AlertKind> = got.iter().map(|g| g.1).collect();
        assert_eq!(kinds, want, "{area} inbound={inbound}: {got:?}");
        let s = score(&truth, &alerts, SignedDuration::from_mins(10));
        assert_eq!((s.recall, s.precision), (1.0, 1.0), "{s:?}");
    }
}

#[test]
fn scenario_errors_are_reported() {
    let mut sc = one_voyage(false, "Inspection Area North (Black Sea)");
    sc.voyages[0].port = "UAXXX".into();
    assert!(matches!(
        simulate(&CORRIDOR, &sc, &SimConfig::default()),
        Err(SimError::NoPort { .. })
    ));
    let mut sc = one_voyage(false, "Nowhere");
    sc.voyages[0].port = "UAODS".into();
    assert!(matches!(
        simulate(&CORRIDOR, &sc, &SimConfig::default()),
        Err(SimError::NoRoute { .. })
    ));
    let mut sc = one_voyage(false, "Inspection Area North (Black Sea)");
    sc.anomalies = vec![(AlertKind::Loitering, 2)];
    let err = simulate(&CORRIDOR, &sc, &SimConfig::default()).expect_err("only one voyage");
    assert!(err.to_string().contains("loitering"), "{err}");
}

#[test]
fn truth_serializes_as_jsonl_with_rfc3339_times() {
    let t = TruthRecord {
        kind: AlertKind::AisGap,
        mmsi: 538_000_001,
        start: start(),
        end: start() + SignedDuration::from_hours(5),
    };
    let line = serde_json::to_string(&t).expect("json");
    assert_eq!(
        line,
        r#"{"kind":"ais_gap","mmsi":538000001,"start":"2022-08-01T00:00:00Z","end":"2022-08-01T05:00:00Z"}"#
    );
    let back: TruthRecord = serde_json::from_str(&line).expect("parse");
    assert_eq!(back, t);
    assert_eq!(
        AlertKind::parse("impossible_jump"),
        Some(AlertKind::ImpossibleJump)
    );
    assert_eq!(imo_from_base(907_472), 9_074_729, "IMO check digit");
}

fn alert(id: u64, kind: AlertKind, mmsi: u32, s_min: i64, e_min: i64) -> Alert {
    Alert {
        id,
        kind,
        mmsi,
        start: start() + SignedDuration::from_mins(s_min),
        end: start() + SignedDuration::from_mins(e_min),
        open: false,
        place: Place {
            lat: Some(41.3),
            lon: Some(29.3),
            area: None,
        },
        other_mmsi: None,
        imo: None,
        detail: String::new(),
        evidence: vec![Evidence::Static(corridor_track::StaticReport {
            mmsi,
            time: start(),
            imo: None,
            name: None,
            callsign: None,
            ship_type: None,
        })],
    }
}

#[test]
fn matching_rule() {
    let tr = |kind, mmsi, s: i64, e: i64| TruthRecord {
        kind,
        mmsi,
        start: start() + SignedDuration::from_mins(s),
        end: start() + SignedDuration::from_mins(e),
    };
    let tol = SignedDuration::from_mins(10);
    let truth = vec![
        tr(AlertKind::Loitering, 1, 100, 200),
        tr(AlertKind::Loitering, 1, 300, 400),
    ];
    // Overlap within tolerance matches; one alert cannot match two truths.
    let s = score(&truth, &[alert(1, AlertKind::Loitering, 1, 205, 250)], tol);
    assert_eq!(s.counts, (2, 1, 1));
    assert_eq!(s.recall, 0.5);
    assert_eq!(s.precision, 1.0);
    // Outside the tolerance, another kind, or another vessel: no match.
    for a in [
        alert(1, AlertKind::Loitering, 1, 215, 250),
        alert(1, AlertKind::Deviation, 1, 100, 200),
        alert(1, AlertKind::Loitering, 2, 100, 200),
    ] {
        let s = score(&truth[..1], &[a], tol);
        assert_eq!((s.recall, s.precision), (0.0, 0.0));
    }
    // Open then closed versions of one alert count once (last version wins).
    let mut open = alert(7, AlertKind::Loitering, 1, 100, 120);
    open.open = true;
    let s = score(
        &truth,
        &[
            open,
            alert(7, AlertKind::Loitering, 1, 100, 200),
            alert(8, AlertKind::Loitering, 1, 310, 390),
        ],
        tol,
    );
    assert_eq!((s.recall, s.precision), (1.0, 1.0));
}

#[test]
fn alert_json_has_the_interface_fields() {
    let a = alert(3, AlertKind::IdentityMismatch, 538_000_001, 0, 90);
    let v: serde_json::Value = serde_json::to_value(&a).expect("json");
    assert_eq!(v["kind"], "identity_mismatch");
    assert_eq!(v["mmsi"], 538_000_001);
    assert_eq!(v["start"], "2022-08-01T00:00:00Z");
    assert_eq!(v["end"], "2022-08-01T01:30:00Z");
    assert!(v["place"].is_object() && v["evidence"].is_array());
    let back: Alert = serde_json::from_value(v).expect("parse");
    assert_eq!(back, a);
}

#[test]
fn config_defaults_and_strictness() {
    let c: MonitorConfig = serde_json::from_str("{}").expect("empty config is the default");
    assert_eq!(c, MonitorConfig::default());
    assert_eq!(c.ais_gap_s, 4 * 3600);
    assert_eq!(c.encounter_distance_m, 500.0);
    let c: MonitorConfig = serde_json::from_str(r#"{"ais_gap_s": 7200}"#).expect("partial");
    assert_eq!(c.ais_gap_s, 7200);
    assert!(
        serde_json::from_str::<MonitorConfig>(r#"{"ais_gap": 1}"#).is_err(),
        "typos are refused"
    );
    let c: SimConfig = serde_json::from_str(r#"{"seed": 9}"#).expect("sim config");
    assert_eq!(c.seed, 9);
}

#[test]
fn monitor_output_is_reproducible() {
    let sc = random_scenario(&CORRIDOR, start(), 8, 6, 2, 1, 11);
    let (a, _) = monitor(&sc);
    let (b, _) = monitor(&sc);
    assert!(!a.is_empty());
    assert_eq!(a, b, "same input, same alerts, same ids, same order");
}
