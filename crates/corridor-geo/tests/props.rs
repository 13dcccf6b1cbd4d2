//! Property tests: geodesic sanity and "nothing panics on input".

use corridor_geo::{
    BLACK_SEA_DEMO, Corridor, LatLon, bearing_deg, destination, distance_m, project_on_segment,
};
use proptest::prelude::*;
use std::sync::LazyLock;

static DEMO: LazyLock<Corridor> =
    LazyLock::new(|| Corridor::from_geojson_str(BLACK_SEA_DEMO).expect("demo"));

fn black_sea() -> impl Strategy<Value = LatLon> {
    (40.0f64..47.5, 27.0f64..42.0).prop_map(|(lat, lon)| LatLon::new(lat, lon))
}

fn anywhere() -> impl Strategy<Value = LatLon> {
    (-89.0f64..89.0, -179.9f64..179.9).prop_map(|(lat, lon)| LatLon::new(lat, lon))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn distance_is_a_metric(a in anywhere(), b in anywhere(), c in anywhere()) {
        let ab = distance_m(a, b);
        prop_assert!(ab >= 0.0);
        prop_assert!((ab - distance_m(b, a)).abs() < 1e-6 * ab.max(1.0));
        prop_assert!(distance_m(a, a) < 1e-9);
        prop_assert!(distance_m(a, c) <= ab + distance_m(b, c) + 1e-6);
    }

    #[test]
    fn destination_inverts_distance(a in black_sea(), brg in 0.0f64..360.0, d in 1.0f64..500_000.0) {
        let b = destination(a, brg, d);
        prop_assert!((distance_m(a, b) - d).abs() < 1e-6 * d.max(1.0));
    }

    #[test]
    fn cross_track_matches_constructed_offset(
        a in black_sea(), brg in 0.0f64..360.0, len in 5_000.0f64..300_000.0,
        t in 0.05f64..0.95, off in -50_000.0f64..50_000.0,
    ) {
        let b = destination(a, brg, len);
        let foot = destination(a, brg, t * len);
        // Azimuth of the segment at the foot, then step off at right angles.
        let az = bearing_deg(foot, b);
        let p = destination(foot, az + 90.0, off);
        let pr = project_on_segment(p, a, b);
        prop_assert!((pr.cross_m - off.abs()).abs() < 0.05, "{pr:?} off={off}");
        prop_assert!((pr.along_m - t * len).abs() < 0.5, "{pr:?}");
        // Never farther than either end.
        prop_assert!(pr.cross_m <= distance_m(p, a) + 1e-6);
        prop_assert!(pr.cross_m <= distance_m(p, b) + 1e-6);
    }

    #[test]
    fn queries_are_total(lat in proptest::num::f64::ANY, lon in proptest::num::f64::ANY, m in proptest::num::f64::ANY) {
        let p = LatLon::new(lat, lon);
        let c = &*DEMO;
        let _ = c.areas_at(p).count();
        let _ = c.in_lane(p);
        let _ = c.lane_hits(p, m.abs().min(1e7));
        let _ = c.in_buffer(p);
        let _ = c.near_kind(p, &[corridor_geo::AreaKind::Anchorage], m.abs().min(1e6));
        if let Some(a) = c.areas().first() {
            let _ = c.remaining_to(p, a.id, 5_000.0);
        }
    }

    #[test]
    fn loader_never_panics(s in "\\PC{0,200}") {
        let _ = Corridor::from_geojson_str(&s);
    }

    #[test]
    fn lane_point_at_lies_on_lane(f in 0.0f64..1.0) {
        for lane in DEMO.lanes() {
            let p = lane.point_at(f * lane.length_m());
            let hit = DEMO.lane_hits(p, 100.0).into_iter().find(|h| h.lane == lane.id);
            prop_assert!(hit.is_some_and(|h| h.cross_m < 1.0), "{} at {f}", lane.name);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// The R-tree answers exactly what a scan of every area would.
    #[test]
    fn indexed_lookup_equals_brute_force(
        rects in proptest::collection::vec((40.0f64..47.0, 27.0f64..41.0, 0.01f64..0.5, 0.01f64..0.5), 1..300),
        probes in proptest::collection::vec((40.0f64..47.5, 27.0f64..41.5), 50),
    ) {
        let feats: Vec<String> = rects.iter().enumerate().map(|(i, (lat, lon, h, w))| {
            format!(
                r#"{{"type":"Feature","properties":{{"kind":"anchorage","name":"A{i}"}},"geometry":{{"type":"Polygon","coordinates":[[[{lon},{lat}],[{e},{lat}],[{e},{n}],[{lon},{n}],[{lon},{lat}]]]}}}}"#,
                e = lon + w, n = lat + h
            )
        }).collect();
        let doc = format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, feats.join(","));
        let c = Corridor::from_geojson_str(&doc).expect("loads");
        for (lat, lon) in probes {
            let p = LatLon::new(lat, lon);
            let mut fast: Vec<u32> = c.areas_at(p).map(|a| a.id.0).collect();
            fast.sort_unstable();
            let slow: Vec<u32> = c.areas().iter().filter(|a| c.contains(a.id, p)).map(|a| a.id.0).collect();
            prop_assert_eq!(fast, slow);
        }
    }
}
