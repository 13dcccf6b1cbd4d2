//! Oracle: our geodesic distances, destinations and cross-track distances
//! against Python's
//! `geographiclib` (Karney's reference implementation, pinned in
//! tools/requirements.txt).
//!
//! With `CORRIDOR_REQUIRE_ORACLES=1` (CI) a missing python3 or geographiclib
//! fails the test; otherwise the test is skipped with a note.

use std::io::Write;
use std::process::{Command, Stdio};

use corridor_geo::{LatLon, destination, distance_m};

const SCRIPT: &str = r#"
import sys
from geographiclib.geodesic import Geodesic
g = Geodesic.WGS84
for line in sys.stdin:
    f = line.split()
    if not f: continue
    if f[0] == 'inv':
        lat1, lon1, lat2, lon2 = map(float, f[1:])
        print(repr(g.Inverse(lat1, lon1, lat2, lon2)['s12']))
    elif f[0] == 'xtk':
        # Independent cross-track: golden-section search along the segment's
        # geodesic for the closest point, with geographiclib doing every step.
        plat, plon, alat, alon, blat, blon = map(float, f[1:])
        line = g.InverseLine(alat, alon, blat, blon)
        def d(s):
            q = line.Position(s)
            return g.Inverse(plat, plon, q['lat2'], q['lon2'])['s12']
        lo, hi = 0.0, line.s13
        r = (5 ** 0.5 - 1) / 2
        for _ in range(200):
            a, b = hi - r * (hi - lo), lo + r * (hi - lo)
            if d(a) < d(b): hi = b
            else: lo = a
        print(repr(min(d((lo + hi) / 2), d(0.0), d(line.s13))))
    else:
        lat1, lon1, azi, s = map(float, f[1:])
        r = g.Direct(lat1, lon1, azi, s)
        print(repr(r['lat2']), repr(r['lon2']))
"#;

fn required() -> bool {
    std::env::var("CORRIDOR_REQUIRE_ORACLES").is_ok_and(|v| v == "1")
}

fn skip_or_fail(why: &str) {
    assert!(
        !required(),
        "CORRIDOR_REQUIRE_ORACLES=1 but {why}: pip install -r tools/requirements.txt"
    );
    println!("note: skipping the geographiclib oracle test: {why}");
}

#[test]
fn distances_and_destinations_match_python_geographiclib() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = Command::new(&python)
        .args(["-c", "import geographiclib"])
        .output();
    match probe {
        Err(e) => return skip_or_fail(&format!("{python} not runnable ({e})")),
        Ok(o) if !o.status.success() => {
            return skip_or_fail("python module geographiclib is not installed");
        }
        Ok(_) => {}
    }
    // Corridor-scale pairs plus a few hard ones (antipodal, equatorial, polar).
    let mut pairs = vec![
        (46.49, 30.74, 41.23, 29.12),
        (46.30, 30.66, 40.88, 28.95),
        (46.62, 31.02, 46.62, 31.03),
        (0.0, 0.0, 0.5, 179.5),
        (-30.0, 0.0, 29.9, 179.8),
        (0.0, 0.0, 0.0, 90.0),
        (89.9, 10.0, -89.9, -170.0),
    ];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..200 {
        pairs.push((
            40.0 + 7.0 * next(),
            27.0 + 15.0 * next(),
            40.0 + 7.0 * next(),
            27.0 + 15.0 * next(),
        ));
    }
    let directs: Vec<(f64, f64, f64, f64)> = pairs
        .iter()
        .map(|&(a, b, _, _)| (a, b, 360.0 * (a.fract()), 1000.0 + 600_000.0 * (b.fract())))
        .collect();
    let mut input = String::new();
    for (a, b, c, d) in &pairs {
        input.push_str(&format!("inv {a:?} {b:?} {c:?} {d:?}\n"));
    }
    for (a, b, c, d) in &directs {
        input.push_str(&format!("dir {a:?} {b:?} {c:?} {d:?}\n"));
    }
    // Cross-track cases: corridor-scale segments, points up to ~60 km off.
    let xtk: Vec<[f64; 6]> = (0..40)
        .map(|_| {
            let (alat, alon) = (41.0 + 5.0 * next(), 29.0 + 2.0 * next());
            let (blat, blon) = (alat + 2.0 * next() - 1.0, alon + 2.0 * next() - 1.0);
            let (plat, plon) = (
                (alat + blat) / 2.0 + next() - 0.5,
                (alon + blon) / 2.0 + next() - 0.5,
            );
            [plat, plon, alat, alon, blat, blon]
        })
        .collect();
    for x in &xtk {
        input.push_str(&format!(
            "xtk {:?} {:?} {:?} {:?} {:?} {:?}\n",
            x[0], x[1], x[2], x[3], x[4], x[5]
        ));
    }
    let mut child = Command::new(&python)
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python output");
    assert!(out.status.success(), "python failed");
    let text = String::from_utf8(out.stdout).expect("utf8");
    let mut lines = text.lines();
    for &(a, b, c, d) in &pairs {
        let want: f64 = lines.next().expect("line").trim().parse().expect("number");
        let got = distance_m(LatLon::new(a, b), LatLon::new(c, d));
        assert!(
            (got - want).abs() < 1e-6,
            "inverse {a},{b} -> {c},{d}: {got} vs {want}"
        );
    }
    for &(a, b, az, s) in &directs {
        let l = lines.next().expect("line");
        let mut f = l
            .split_whitespace()
            .map(|v| v.parse::<f64>().expect("number"));
        let (lat, lon) = (f.next().expect("lat"), f.next().expect("lon"));
        let got = destination(LatLon::new(a, b), az, s);
        assert!(
            (got.lat - lat).abs() < 1e-9 && (got.lon - lon).abs() < 1e-9,
            "direct: {got:?} vs {lat},{lon}"
        );
    }
    for x in &xtk {
        let want: f64 = lines.next().expect("line").trim().parse().expect("number");
        let got = corridor_geo::project_on_segment(
            LatLon::new(x[0], x[1]),
            LatLon::new(x[2], x[3]),
            LatLon::new(x[4], x[5]),
        )
        .cross_m;
        assert!(
            (got - want).abs() < 0.01,
            "cross-track {x:?}: {got} vs {want}"
        );
    }
}
