//! Property tests: the monitor never panics on any input, keeps its
//! invariants, and never believes an impossible jump.

use std::sync::{Arc, LazyLock};

use corridor_geo::{BLACK_SEA_DEMO, Corridor};
use corridor_track::{
    MapRegistry, Monitor, MonitorConfig, NavStatus, PositionReport, RegisteredVessel, StaticReport,
};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

static CORRIDOR: LazyLock<Arc<Corridor>> =
    LazyLock::new(|| Arc::new(Corridor::from_geojson_str(BLACK_SEA_DEMO).expect("demo corridor")));

#[derive(Debug, Clone)]
enum Input {
    Pos {
        mmsi: u32,
        dt: i64,
        lat: f64,
        lon: f64,
        sog: Option<f32>,
        cog: Option<f32>,
        status: u8,
    },
    Static {
        mmsi: u32,
        dt: i64,
        imo: Option<u32>,
    },
    Tick {
        dt: i64,
    },
}

fn input() -> impl Strategy<Value = Input> {
    let coord = prop_oneof![
        4 => (40.5f64..46.7, 28.0f64..32.0).boxed(),
        1 => (proptest::num::f64::ANY, proptest::num::f64::ANY).boxed(),
        1 => (Just(91.0), Just(181.0)).boxed(),
    ];
    let sog = prop_oneof![
        Just(None),
        (0.0f32..30.0).prop_map(Some),
        Just(Some(102.3)),
        Just(Some(f32::NAN))
    ];
    prop_oneof![
        8 => (1u32..6, -60i64..7200, coord, sog, proptest::option::of(0.0f32..400.0), 0u8..16).prop_map(
            |(mmsi, dt, (lat, lon), sog, cog, status)| Input::Pos { mmsi, dt, lat, lon, sog, cog, status }
        ),
        1 => (1u32..6, -60i64..3600, proptest::option::of(9_000_000u32..9_000_004)).prop_map(|(mmsi, dt, imo)| Input::Static { mmsi, dt, imo }),
        1 => (0i64..20_000).prop_map(|dt| Input::Tick { dt }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn monitor_is_total_and_keeps_invariants(
        inputs in proptest::collection::vec(input(), 1..120),
        lead in prop_oneof![Just(0u64), Just(600)],
    ) {
        let reg: MapRegistry = (0..4u32)
            .map(|i| RegisteredVessel { key: u64::from(i), imo: Some(9_000_000 + i), mmsi: Some(i + 1) })
            .collect();
        // With the clock bound on, a report may be held and applied with the
        // next one, so "before" is only this report's own state with it off.
        let config = MonitorConfig { max_clock_lead_s: lead, ..MonitorConfig::default() };
        let mut m = Monitor::new(Arc::clone(&CORRIDOR), config, reg);
        let mut t: Timestamp = "2022-08-01T00:00:00Z".parse().expect("time");
        let mut out = Vec::new();
        for i in inputs {
            match i {
                Input::Pos { mmsi, dt, lat, lon, sog, cog, status } => {
                    t += SignedDuration::from_secs(dt);
                    let before = m.vessel(mmsi).and_then(|v| v.fix);
                    let jumps = m.stats().jumps;
                    let r = PositionReport { mmsi, time: t, lat, lon, sog_kn: sog, cog_deg: cog, heading_deg: Some(511), nav_status: NavStatus(status) };
                    m.on_position(&r, &mut out);
                    if lead == 0 && m.stats().jumps > jumps {
                        // An impossible jump never moves the believed position.
                        prop_assert_eq!(m.vessel(mmsi).and_then(|v| v.fix), before);
                    }
                }
                Input::Static { mmsi, dt, imo } => {
                    t += SignedDuration::from_secs(dt);
                    m.on_static(&StaticReport { mmsi, time: t, imo, name: Some("X".into()), callsign: None, ship_type: None }, &mut out);
                }
                Input::Tick { dt } => {
                    t += SignedDuration::from_secs(dt);
                    m.advance_to(t, &mut out);
                }
            }
        }
        m.finish(t, None, &mut out);
        for a in &out {
            prop_assert!(a.start <= a.end, "{:?}", a);
            prop_assert!(!a.evidence.is_empty() || a.kind == corridor_track::AlertKind::AisGap, "{:?}", a);
            prop_assert!(a.evidence.len() <= m.config().max_evidence.max(2) + 1);
        }
        prop_assert_eq!(m.open_alerts().count(), 0);
    }
}
