//! Loading the demo corridor, validation errors, and the position queries.

use corridor_geo::{AreaKind, BLACK_SEA_DEMO, Corridor, GeoError, LatLon, NM, distance_m, eta};
use jiff::Timestamp;

fn demo() -> Corridor {
    Corridor::from_geojson_str(BLACK_SEA_DEMO).expect("demo corridor loads")
}

#[test]
fn demo_corridor_loads_and_is_marked_approximate() {
    let c = demo();
    assert!(c.is_approximate());
    assert_eq!(c.lanes().len(), 4);
    for locode in ["UAODS", "UAILK", "UAYUZ"] {
        assert!(c.port(locode).is_some(), "{locode}");
    }
    for kind in [
        AreaKind::InspectionArea,
        AreaKind::WaitingArea,
        AreaKind::Anchorage,
        AreaKind::PortApproach,
    ] {
        assert!(c.areas().iter().any(|a| a.kind == kind), "{kind:?}");
    }
    assert_eq!(c.buffers().len(), 1);
    // About 320 nm from the ports to the inspection areas off Istanbul.
    let odesa = c.lane_by_name("Odesa lane").expect("lane");
    let nm = odesa.length_m() / NM;
    assert!((250.0..360.0).contains(&nm), "{nm} nm");
}

#[test]
fn point_in_area_and_lane() {
    let c = demo();
    let in_north = LatLon::new(41.40, 29.30);
    let names: Vec<_> = c.areas_at(in_north).map(|a| a.name.clone()).collect();
    assert_eq!(names, ["Inspection Area North (Black Sea)"]);
    // On the trunk, mid-sea: in a lane, in no area, in the buffer.
    let mid = LatLon::new(44.60, 30.55);
    assert_eq!(c.areas_at(mid).count(), 0);
    let hit = c.in_lane(mid).expect("on the lane");
    assert!(hit.cross_m < 1.0);
    assert!(c.in_buffer(mid));
    // 20 nm east of the trunk: out of the lane and the buffer.
    let east = corridor_geo::destination(mid, 90.0, 20.0 * NM);
    assert!(c.in_lane(east).is_none());
    assert!(!c.in_buffer(east));
    let near = c
        .nearest_lane(east, 30.0 * NM)
        .expect("a lane within 30 nm");
    assert!((near.cross_m / NM - 20.0).abs() < 1.0, "{near:?}");
    assert!(near.outside_by_m() > 18.0 * NM);
}

#[test]
fn remaining_distance_and_eta() {
    let c = demo();
    let north = c
        .area_by_name("Inspection Area North (Black Sea)")
        .expect("area")
        .id;
    let marmara = c.area_by_name("Inspection Area Marmara").expect("area").id;
    let lane = c.lane_by_name("Odesa lane").expect("lane");
    let start = lane.point_at(0.0);
    let r = c.remaining_to(start, north, 3.0 * NM).expect("route");
    assert!((r.remaining_m - lane.length_m()).abs() < 1.0, "{r:?}");
    let half = lane.point_at(lane.length_m() / 2.0);
    let r = c.remaining_to(half, north, 3.0 * NM).expect("route");
    assert!((r.remaining_m - lane.length_m() / 2.0).abs() < 5.0, "{r:?}");
    // Via the Bosphorus transit lane to Marmara: further by that lane's length.
    let bos = c.lane_by_name("Bosphorus transit").expect("lane");
    let r2 = c.remaining_to(half, marmara, 3.0 * NM).expect("route");
    assert!(
        (r2.remaining_m - r.remaining_m - bos.length_m()).abs() < 5.0,
        "{r2:?}"
    );
    // The next area in the direction of travel.
    let south = corridor_geo::bearing_deg(half, lane.point_at(lane.length_m() / 2.0 + 1000.0));
    let next = c.next_area(half, south, 3.0 * NM).expect("next");
    assert_eq!(next.target, north);
    assert!(
        (next.remaining_m - lane.length_m() / 2.0).abs() < 5.0,
        "{next:?}"
    );
    // Heading back on the Odesa-only first segment (on the shared trunk the
    // way back is ambiguous: use `remaining_to` with the voyage's port).
    let near_port = lane.point_at(10_000.0);
    let north_bound = corridor_geo::bearing_deg(near_port, lane.point_at(9_000.0));
    let back = c
        .next_area(near_port, north_bound, 3.0 * NM)
        .expect("next back");
    assert_eq!(
        c.area(back.target).map(|a| a.name.as_str()),
        Some("Port of Odesa approach")
    );
    assert!((back.remaining_m - 10_000.0).abs() < 5.0, "{back:?}");
    assert!(
        c.next_area(LatLon::new(43.0, 35.0), 0.0, 3.0 * NM)
            .is_none()
    );
    assert!(c.next_area(half, f64::NAN, 3.0 * NM).is_none());
    // Inside the target: nothing left.
    assert_eq!(
        c.remaining_to(LatLon::new(40.88, 28.95), marmara, NM)
            .map(|r| r.remaining_m),
        Some(0.0)
    );
    let now: Timestamp = "2022-08-01T00:00:00Z".parse().expect("ts");
    let at = eta(now, 120.0 * NM, 12.0).expect("eta");
    assert_eq!(at.as_second() - now.as_second(), 36_000);
    assert!(eta(now, 1000.0, 0.0).is_none());
    assert!(eta(now, f64::NAN, 10.0).is_none());
}

#[test]
fn distance_to_area() {
    let c = demo();
    let kilyos = c.area_by_name("Kilyos anchorage").expect("area").id;
    let inside = LatLon::new(41.30, 28.90);
    assert_eq!(c.distance_to_area_m(inside, kilyos, 1000.0), Some(0.0));
    // 0.05 degrees of latitude north of its northern edge (41.33).
    let north = LatLon::new(41.38, 28.90);
    let d = c.distance_to_area_m(north, kilyos, 20_000.0).expect("near");
    let expect = distance_m(north, LatLon::new(41.33, 28.90));
    assert!((d - expect).abs() < 5.0, "{d} vs {expect}");
    assert_eq!(c.distance_to_area_m(north, kilyos, 1000.0), None);
    assert_eq!(
        c.near_kind(north, &[AreaKind::Anchorage], 10_000.0),
        Some(kilyos)
    );
    assert_eq!(c.near_kind(north, &[AreaKind::Anchorage], 1_000.0), None);
}

/// One data-driven check: a broken document and the words its error must contain.
fn refused(doc: &str, words: &[&str]) {
    let err = Corridor::from_geojson_str(doc).expect_err(doc).to_string();
    for w in words {
        assert!(err.contains(w), "error {err:?} should mention {w:?}");
    }
}

fn fc(feature: &str) -> String {
    format!(r#"{{"type":"FeatureCollection","features":[{feature}]}}"#)
}

#[test]
fn errors_name_feature_and_property() {
    let lane = |props: &str| {
        fc(&format!(
            r#"{{"type":"Feature","properties":{props},"geometry":{{"type":"LineString","coordinates":[[30,45],[30,44]]}}}}"#
        ))
    };
    refused("nope", &["not valid JSON"]);
    refused(r#"{"type":"Feature"}"#, &["FeatureCollection"]);
    refused(
        &lane(r#"{"kind":"lane"}"#),
        &["#0", "<unnamed>", "`name`", "missing"],
    );
    refused(
        &lane(r#"{"kind":"lane","name":"L1"}"#),
        &["#0", "L1", "`width_nm`", "missing"],
    );
    refused(
        &lane(r#"{"kind":"lane","name":"L1","width_nm":-2}"#),
        &["L1", "`width_nm`", "positive"],
    );
    refused(
        &lane(r#"{"kind":"lane","name":"L1","width_nm":"3"}"#),
        &["L1", "`width_nm`", "not a number"],
    );
    refused(
        &lane(r#"{"kind":"road","name":"L1"}"#),
        &["L1", "`kind`", "unknown kind"],
    );
    refused(
        &lane(r#"{"kind":"lane","name":"L1","width_nm":3,"to":"Nowhere"}"#),
        &["L1", "`to`", "Nowhere"],
    );
    refused(
        &lane(r#"{"kind":"port_approach","name":"P"}"#),
        &["P", "Polygon"],
    );
    let port = |props: &str| {
        fc(&format!(
            r#"{{"type":"Feature","properties":{props},"geometry":{{"type":"Polygon","coordinates":[[[30,45],[31,45],[31,46],[30,45]]]}}}}"#
        ))
    };
    refused(
        &port(r#"{"kind":"port_approach","name":"P"}"#),
        &["P", "`locode`", "missing"],
    );
    refused(
        &port(r#"{"kind":"port_approach","name":"P","locode":"odesa"}"#),
        &["P", "`locode`", "UN/LOCODE"],
    );
    // Open finding 21: `queue_arrival` marks where ships wait for inspection.
    refused(
        &port(r#"{"kind":"port_approach","name":"P","locode":"UAODS","queue_arrival":true}"#),
        &[
            "P",
            "`queue_arrival`",
            "only an anchorage or a waiting area",
        ],
    );
    refused(
        &port(r#"{"kind":"anchorage","name":"A","queue_arrival":"yes"}"#),
        &["A", "`queue_arrival`", "boolean"],
    );
    let waits = Corridor::from_geojson_str(&port(
        r#"{"kind":"anchorage","name":"A","queue_arrival":true}"#,
    ))
    .expect("an anchorage where ships wait");
    assert!(waits.area_by_name("A").is_some_and(|a| a.queue_arrival));
    refused(
        &fc(
            r#"{"type":"Feature","properties":{"kind":"anchorage","name":"A"},"geometry":{"type":"Polygon","coordinates":[[[30,45],[31,45],[31,46],[30,46.5]]]}}"#,
        ),
        &["A", "closed"],
    );
    refused(
        &fc(
            r#"{"type":"Feature","properties":{"kind":"anchorage","name":"A"},"geometry":{"type":"Polygon","coordinates":[[[45,30],[45,310],[46,31],[45,30]]]}}"#,
        ),
        &["A", "out of range"],
    );
    let two = format!(
        r#"{{"type":"FeatureCollection","features":[{a},{a}]}}"#,
        a = r#"{"type":"Feature","properties":{"kind":"lane","name":"L","width_nm":1},"geometry":{"type":"LineString","coordinates":[[30,45],[30,44]]}}"#
    );
    refused(&two, &["#1", "same name"]);
    assert!(matches!(
        Corridor::from_geojson_str("[]"),
        Err(GeoError::Document(_))
    ));
}

#[test]
fn real_waypoints_load_the_same_way() {
    // A NAVTEX-style lane given as plain waypoints, no `approximate` flag.
    let doc = fc(
        r#"{"type":"Feature","properties":{"kind":"lane","name":"NAVTEX lane","width_nm":3},"geometry":{"type":"LineString","coordinates":[[30.7,46.3],[30.5,45.0],[29.2,41.3]]}}"#,
    );
    let c = Corridor::from_geojson_str(&doc).expect("loads");
    assert!(!c.is_approximate());
    assert!(c.in_lane(LatLon::new(45.0, 30.5)).is_some());
}
