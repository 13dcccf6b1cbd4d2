//! WGS 84 geodesic primitives (Karney's algorithms via `geographiclib-rs`).
//!
//! Every distance here is measured on the ellipsoid in metres; nothing is
//! computed in degrees except cheap bounding-box prefilters, which are always
//! followed by an exact geodesic check.

use std::sync::LazyLock;

use geographiclib_rs::{DirectGeodesic, Geodesic, InverseGeodesic};
use serde::{Deserialize, Serialize};

/// One international nautical mile in metres.
pub const NM: f64 = 1852.0;

/// Metres per second in one knot.
pub const KNOT_MPS: f64 = NM / 3600.0;

// Building the series coefficients is not free: do it once.
static WGS84: LazyLock<Geodesic> = LazyLock::new(Geodesic::wgs84);

/// A position on WGS 84, in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    /// Latitude, degrees north, in `[-90, 90]`.
    pub lat: f64,
    /// Longitude, degrees east, in `[-180, 180]`.
    pub lon: f64,
}

impl LatLon {
    /// A position; no validation (see [`LatLon::is_valid`]).
    pub const fn new(lat: f64, lon: f64) -> Self {
        Self { lat, lon }
    }

    /// Finite and within the latitude/longitude ranges.
    pub fn is_valid(self) -> bool {
        self.lat.is_finite()
            && self.lon.is_finite()
            && (-90.0..=90.0).contains(&self.lat)
            && (-180.0..=180.0).contains(&self.lon)
    }
}

/// Geodesic distance in metres between two positions.
pub fn distance_m(a: LatLon, b: LatLon) -> f64 {
    WGS84.inverse(a.lat, a.lon, b.lat, b.lon)
}

/// Distance in metres and the forward azimuths (degrees clockwise from north)
/// at `a` and at `b`.
pub fn inverse(a: LatLon, b: LatLon) -> (f64, f64, f64) {
    let (s12, azi1, azi2, _a12) = WGS84.inverse(a.lat, a.lon, b.lat, b.lon);
    (s12, azi1, azi2)
}

/// Initial bearing in degrees `[0, 360)` from `a` to `b`.
pub fn bearing_deg(a: LatLon, b: LatLon) -> f64 {
    let (_s, azi1, _azi2) = inverse(a, b);
    azi1.rem_euclid(360.0)
}

/// The position `dist_m` metres from `from` along the geodesic leaving at
/// `bearing_deg`.
pub fn destination(from: LatLon, bearing_deg: f64, dist_m: f64) -> LatLon {
    let (lat, lon) = WGS84.direct(from.lat, from.lon, bearing_deg, dist_m);
    LatLon::new(lat, normalize_lon(lon))
}

/// The position `dist_m` along the geodesic leaving `from` at `bearing_deg`,
/// and the geodesic's forward azimuth (course) there, degrees.
pub fn destination_azi(from: LatLon, bearing_deg: f64, dist_m: f64) -> (LatLon, f64) {
    let (lat, lon, azi2) = WGS84.direct(from.lat, from.lon, bearing_deg, dist_m);
    (LatLon::new(lat, normalize_lon(lon)), azi2)
}

fn normalize_lon(lon: f64) -> f64 {
    let l = (lon + 180.0).rem_euclid(360.0) - 180.0;
    if l == -180.0 && lon > 0.0 { 180.0 } else { l }
}

/// Where a point projects onto a geodesic segment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentProjection {
    /// Distance along the segment from its start to the closest point, metres,
    /// in `[0, length_m]`.
    pub along_m: f64,
    /// Geodesic distance from the point to the closest point of the segment,
    /// metres (non-negative).
    pub cross_m: f64,
    /// Length of the segment, metres.
    pub length_m: f64,
    /// The closest point of the segment.
    pub closest: LatLon,
    /// Which side of the segment the point is on, looking from start to end
    /// (`true` = starboard/right). Meaningless when `cross_m` is ~0.
    pub right: bool,
}

/// Closest point to `p` on the geodesic segment `a`–`b`.
///
/// Why iterate: the foot of the perpendicular on an ellipsoid has no closed
/// form. Starting from the along-track estimate at `a`, each step moves the
/// foot by the along-track component of the geodesic to `p` measured at the
/// current foot; at corridor scales (segments < ~1000 km, offsets < ~100 km)
/// this converges to millimetres in 2–4 steps. The result is clamped to the
/// segment, so beyond an end the distance is to that end point.
pub fn project_on_segment(p: LatLon, a: LatLon, b: LatLon) -> SegmentProjection {
    let (len, az_a, _) = inverse(a, b);
    if len < 1e-3 {
        let (d, _, _) = inverse(a, p);
        return SegmentProjection {
            along_m: 0.0,
            cross_m: d,
            length_m: len,
            closest: a,
            right: false,
        };
    }
    let (d_ap, az_ap, _) = inverse(a, p);
    let mut s = (d_ap * (az_ap - az_a).to_radians().cos()).clamp(0.0, len);
    let mut foot;
    let mut az_foot;
    let mut d = d_ap;
    let mut az_fp = az_ap;
    for _ in 0..8 {
        (foot, az_foot) = if s == 0.0 {
            (a, az_a)
        } else {
            destination_azi(a, az_a, s)
        };
        let (dd, azz, _) = inverse(foot, p);
        d = dd;
        az_fp = azz;
        let step = d * (az_fp - az_foot).to_radians().cos();
        let next = (s + step).clamp(0.0, len);
        let moved = (next - s).abs();
        s = next;
        if moved < 1e-3 {
            break;
        }
    }
    // One last evaluation at the final `s` so `cross_m` and `closest` agree.
    (foot, az_foot) = if s == 0.0 {
        (a, az_a)
    } else {
        destination_azi(a, az_a, s)
    };
    if d > 0.0 {
        let (dd, azz, _) = inverse(foot, p);
        d = dd;
        az_fp = azz;
    }
    let right = (az_fp - az_foot).to_radians().sin() > 0.0;
    SegmentProjection {
        along_m: s,
        cross_m: d,
        length_m: len,
        closest: foot,
        right,
    }
}

/// Closest approach of `p` to a polyline (several geodesic segments).
///
/// Returns the index of the nearest segment and its projection, or `None` for
/// fewer than two points.
pub fn project_on_polyline(p: LatLon, line: &[LatLon]) -> Option<(usize, SegmentProjection)> {
    let mut best: Option<(usize, SegmentProjection)> = None;
    for (i, w) in line.windows(2).enumerate() {
        let proj = project_on_segment(p, w[0], w[1]);
        if best.is_none_or(|(_, b)| proj.cross_m < b.cross_m) {
            best = Some((i, proj));
        }
    }
    best
}

/// A cheap lower-bound-ish estimate of the distance from `p` to the segment
/// `a`–`b` in metres, on a local plane at `p` (for prefilters only: it may be
/// off by a few percent and by the geodesic's bulge, so callers must allow a
/// generous margin before skipping the exact computation).
pub(crate) fn approx_segment_distance_m(p: LatLon, a: LatLon, b: LatLon) -> f64 {
    let k = p.lat.to_radians().cos().max(1e-6);
    let xy = |q: LatLon| {
        let mut dlon = q.lon - p.lon;
        if dlon > 180.0 {
            dlon -= 360.0;
        } else if dlon < -180.0 {
            dlon += 360.0;
        }
        (dlon * k * 111_320.0, (q.lat - p.lat) * 110_574.0)
    };
    let (ax, ay) = xy(a);
    let (bx, by) = xy(b);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (cx, cy) = (ax + t * dx, ay + t * dy);
    (cx * cx + cy * cy).sqrt()
}

/// Degrees of latitude and longitude that certainly cover `m` metres around
/// `at` (for bounding-box prefilters only: never a distance).
pub(crate) fn degree_margin(at: LatLon, m: f64) -> (f64, f64) {
    // 1 degree of latitude is at least 110.5 km on WGS 84; pad by 2 %.
    let dlat = m / 110_500.0 * 1.02;
    let coslat = at.lat.abs().min(89.0).to_radians().cos();
    (dlat, (dlat / coslat).min(360.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equator_degree_is_known_length() {
        // One degree of longitude on the WGS 84 equator: a * pi / 180.
        let d = distance_m(LatLon::new(0.0, 0.0), LatLon::new(0.0, 1.0));
        assert!((d - 111_319.490_793_273_6).abs() < 1e-6, "{d}");
    }

    #[test]
    fn projection_of_point_abeam() {
        let a = LatLon::new(44.0, 30.0);
        let b = LatLon::new(43.0, 30.0);
        let mid = destination(a, bearing_deg(a, b), 50_000.0);
        let (_, az_mid, _) = inverse(mid, b);
        let p = destination(mid, az_mid + 90.0, 3_000.0);
        let pr = project_on_segment(p, a, b);
        assert!((pr.cross_m - 3_000.0).abs() < 0.5, "{pr:?}");
        assert!((pr.along_m - 50_000.0).abs() < 0.5, "{pr:?}");
        // Heading south, +90 degrees is west: the right-hand side.
        assert!(pr.right);
    }

    #[test]
    fn projection_beyond_end_is_distance_to_end() {
        let a = LatLon::new(44.0, 30.0);
        let b = LatLon::new(43.9, 30.0);
        let p = LatLon::new(43.5, 30.1);
        let pr = project_on_segment(p, a, b);
        assert!((pr.cross_m - distance_m(p, b)).abs() < 0.01);
        assert!((pr.along_m - pr.length_m).abs() < 1e-6);
    }
}
