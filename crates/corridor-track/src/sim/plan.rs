//! Kinematics: a vessel's plan as legs (moves along geodesic polylines and
//! holds), its true position at any time, and the reports it sends.

use corridor_geo::{KNOT_MPS, LatLon, NM, bearing_deg, destination, destination_azi, distance_m};

/// Offset `p` by `east_m`, `north_m` on a local plane (for noise and weave of
/// at most a few hundred metres, where the plane is exact enough).
fn nudge(p: LatLon, east_m: f64, north_m: f64) -> LatLon {
    let k = p.lat.to_radians().cos().max(1e-6);
    LatLon::new(
        p.lat + north_m / 110_574.0,
        p.lon + east_m / (111_320.0 * k),
    )
}
use jiff::{SignedDuration, Timestamp};

use super::rng::Rng;
use crate::report::{NavStatus, PositionReport, Report, StaticReport};

/// A polyline with cumulative geodesic lengths and segment bearings.
#[derive(Debug, Clone)]
pub(crate) struct Path {
    pub pts: Vec<LatLon>,
    pub cum: Vec<f64>,
    brg: Vec<f64>,
}

impl Path {
    pub fn new(mut pts: Vec<LatLon>) -> Self {
        pts.dedup_by(|a, b| distance_m(*a, *b) < 1.0);
        if pts.is_empty() {
            pts.push(LatLon::new(0.0, 0.0));
        }
        let mut cum = vec![0.0];
        let mut brg = Vec::new();
        for w in pts.windows(2) {
            let d = distance_m(w[0], w[1]);
            cum.push(cum.last().copied().unwrap_or(0.0) + d);
            brg.push(if d > 0.0 {
                bearing_deg(w[0], w[1])
            } else {
                0.0
            });
        }
        Self { pts, cum, brg }
    }
    pub fn len(&self) -> f64 {
        self.cum.last().copied().unwrap_or(0.0)
    }
    fn seg(&self, s: f64) -> usize {
        let i = self.cum.partition_point(|c| *c <= s).saturating_sub(1);
        i.min(self.brg.len().saturating_sub(1))
    }
    /// Position and course `s` metres along.
    pub fn at(&self, s: f64) -> (LatLon, f64) {
        let s = s.clamp(0.0, self.len());
        if self.brg.is_empty() {
            return (
                self.pts.first().copied().unwrap_or(LatLon::new(0.0, 0.0)),
                0.0,
            );
        }
        let i = self.seg(s);
        destination_azi(self.pts[i], self.brg[i], s - self.cum[i])
    }
    /// The part from `s0` to `s1` metres along.
    pub fn slice(&self, s0: f64, s1: f64) -> Path {
        let (a, _) = self.at(s0);
        let (b, _) = self.at(s1);
        let mut pts = vec![a];
        for (p, c) in self.pts.iter().zip(&self.cum) {
            if *c > s0 && *c < s1 {
                pts.push(*p);
            }
        }
        pts.push(b);
        Path::new(pts)
    }
    pub fn reversed(&self) -> Path {
        Path::new(self.pts.iter().rev().copied().collect())
    }
    /// This path with a detour: leave at `s0`, run `offset_m` to the right
    /// (negative: left) for `run_m`, rejoin `ramp_m` later.
    pub fn with_detour(&self, s0: f64, ramp_m: f64, run_m: f64, offset_m: f64) -> Path {
        let s1 = s0 + ramp_m;
        let s2 = s1 + run_m;
        let s3 = s2 + ramp_m;
        let side = |s: f64| {
            let (p, c) = self.at(s);
            destination(
                p,
                c + if offset_m >= 0.0 { 90.0 } else { -90.0 },
                offset_m.abs(),
            )
        };
        let mut pts = self.slice(0.0, s0).pts;
        pts.push(side(s1));
        pts.push(side(s2));
        pts.extend(self.slice(s3, self.len()).pts);
        Path::new(pts)
    }
}

/// One leg of a plan.
#[derive(Debug, Clone)]
pub(crate) enum Leg {
    /// Sail along `path` at `speed_kn`; `wander_m` is the amplitude of a
    /// smooth lateral weave (helmsman and autopilot), faded out near the ends.
    Move {
        t0: f64,
        path: Path,
        speed_kn: f64,
        wander_m: f64,
    },
    /// Stay: at anchor, moored, stopped or drifting (`drift_kn` along `drift_brg`).
    Hold {
        t0: f64,
        t1: f64,
        at: LatLon,
        drift_kn: f64,
        drift_brg: f64,
        sog_kn: f64,
        status: NavStatus,
    },
}

impl Leg {
    pub fn t0(&self) -> f64 {
        match self {
            Leg::Move { t0, .. } | Leg::Hold { t0, .. } => *t0,
        }
    }
    pub fn t1(&self) -> f64 {
        match self {
            Leg::Move {
                t0, path, speed_kn, ..
            } => t0 + path.len() / (speed_kn * KNOT_MPS),
            Leg::Hold { t1, .. } => *t1,
        }
    }
    pub fn end_pos(&self) -> LatLon {
        match self {
            Leg::Move { path, .. } => path.at(path.len()).0,
            Leg::Hold {
                t0,
                t1,
                at,
                drift_kn,
                drift_brg,
                ..
            } => {
                if *drift_kn > 0.0 {
                    destination(*at, *drift_brg, drift_kn * KNOT_MPS * (t1 - t0))
                } else {
                    *at
                }
            }
        }
    }
}

/// What a vessel truly does at an instant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TrueState {
    pub pos: LatLon,
    pub sog_kn: f64,
    pub cog: f64,
    pub status: NavStatus,
}

/// A vessel's whole plan, plus the anomalies injected into its reports.
#[derive(Debug, Clone)]
pub(crate) struct VesselPlan {
    pub mmsi: u32,
    pub imo: Option<u32>,
    pub name: String,
    pub ship_type: u8,
    pub class_b: bool,
    pub legs: Vec<Leg>,
    /// Reports suppressed in this window (AIS off).
    pub gap: Option<(f64, f64)>,
    /// Positions replaced by a spoofed location in this window.
    pub spoof: Option<(f64, f64, LatLon)>,
    /// Static reports claim this IMO in this window.
    pub wrong_imo: Option<(f64, f64, u32)>,
    /// GPS noise (1 sigma), metres.
    pub noise_m: f64,
    /// Phases of the lateral weave.
    pub phase: (f64, f64),
}

impl VesselPlan {
    pub fn appear(&self) -> f64 {
        self.legs.first().map_or(0.0, Leg::t0)
    }
    pub fn disappear(&self) -> f64 {
        self.legs.last().map_or(0.0, Leg::t1)
    }
    /// Append a move from the current end position.
    pub fn sail(&mut self, to: Vec<LatLon>, speed_kn: f64, wander_m: f64) {
        let (t0, from) = self.end();
        let mut pts = vec![from];
        pts.extend(to);
        self.legs.push(Leg::Move {
            t0,
            path: Path::new(pts),
            speed_kn,
            wander_m,
        });
    }
    /// Append a move along an explicit path (which should start at the end position).
    pub fn sail_path(&mut self, path: Path, speed_kn: f64, wander_m: f64) {
        let (t0, _) = self.end();
        self.legs.push(Leg::Move {
            t0,
            path,
            speed_kn,
            wander_m,
        });
    }
    /// Append a hold at the current end position.
    pub fn hold(&mut self, dur: f64, sog_kn: f64, drift_brg: f64, status: NavStatus) {
        let (t0, at) = self.end();
        self.legs.push(Leg::Hold {
            t0,
            t1: t0 + dur,
            at,
            drift_kn: sog_kn,
            drift_brg,
            sog_kn,
            status,
        });
    }
    fn end(&self) -> (f64, LatLon) {
        match self.legs.last() {
            Some(l) => (l.t1(), l.end_pos()),
            None => (0.0, LatLon::new(0.0, 0.0)),
        }
    }

    /// The true state at `t` (clamped to the plan).
    pub fn true_state(&self, t: f64) -> TrueState {
        let i = self.legs.partition_point(|l| l.t0() <= t).saturating_sub(1);
        let Some(leg) = self.legs.get(i) else {
            return TrueState {
                pos: LatLon::new(0.0, 0.0),
                sog_kn: 0.0,
                cog: 0.0,
                status: NavStatus::NOT_DEFINED,
            };
        };
        match leg {
            Leg::Move {
                t0,
                path,
                speed_kn,
                wander_m,
            } => {
                let s = ((t - t0) * speed_kn * KNOT_MPS).clamp(0.0, path.len());
                let (p, c) = path.at(s);
                let fade = (s / (5.0 * NM))
                    .min((path.len() - s) / (5.0 * NM))
                    .clamp(0.0, 1.0);
                let w = wander_m
                    * fade
                    * (0.7 * (std::f64::consts::TAU * t / 5400.0 + self.phase.0).sin()
                        + 0.3 * (std::f64::consts::TAU * t / 1300.0 + self.phase.1).sin());
                let r = (c + 90.0).to_radians();
                let pos = if w.abs() > 0.01 {
                    nudge(p, w * r.sin(), w * r.cos())
                } else {
                    p
                };
                TrueState {
                    pos,
                    sog_kn: *speed_kn,
                    cog: c,
                    status: NavStatus::UNDER_WAY,
                }
            }
            Leg::Hold {
                t0,
                at,
                drift_kn,
                drift_brg,
                sog_kn,
                status,
                ..
            } => {
                let pos = if *drift_kn > 0.0 {
                    destination(*at, *drift_brg, drift_kn * KNOT_MPS * (t - t0).max(0.0))
                } else {
                    *at
                };
                TrueState {
                    pos,
                    sog_kn: *sog_kn,
                    cog: *drift_brg,
                    status: *status,
                }
            }
        }
    }

    /// Seconds until the next position report, by speed and status (AIS
    /// reporting rates: Class A 10 s under way, 3 min at anchor or moored;
    /// Class B 30 s above 2 kn, else 3 min).
    pub fn interval(&self, st: &TrueState, cfg: &super::SimConfig) -> f64 {
        let stationary = st.status.is_stationary() || st.sog_kn < 0.05;
        let base = if self.class_b {
            if st.sog_kn > 2.0 {
                cfg.class_b_interval_s
            } else {
                cfg.stationary_interval_s
            }
        } else if stationary {
            cfg.stationary_interval_s
        } else {
            cfg.underway_interval_s
        };
        f64::from(base.max(1))
    }
}

/// Emits one vessel's reports in time order.
#[derive(Debug, Clone)]
pub(crate) struct Emitter {
    pub plan: VesselPlan,
    rng: Rng,
    t_pos: f64,
    t_static: f64,
    start: Timestamp,
    pub done: bool,
}

impl Emitter {
    pub fn new(plan: VesselPlan, rng: Rng, start: Timestamp) -> Self {
        let t = plan.appear();
        Self {
            plan,
            rng,
            t_pos: t,
            t_static: t,
            start,
            done: false,
        }
    }

    fn stamp(&self, t: f64) -> Timestamp {
        self.start
            .checked_add(SignedDuration::from_secs(t.round() as i64))
            .unwrap_or(self.start)
    }

    fn suppressed(&self, t: f64) -> bool {
        self.plan.gap.is_some_and(|(a, b)| t > a && t < b)
    }

    /// The next report (skipping suppressed ones).
    pub fn next_report(&mut self, cfg: &super::SimConfig) -> Option<Report> {
        loop {
            if self.done {
                return None;
            }
            let end = self.plan.disappear();
            if self.t_pos > end && self.t_static > end {
                self.done = true;
                return None;
            }
            if self.t_static <= self.t_pos {
                let t = self.t_static;
                self.t_static +=
                    f64::from(cfg.static_interval_s.max(1)) * self.rng.range(0.95, 1.05);
                if t > end || self.suppressed(t) {
                    continue;
                }
                let imo = match self.plan.wrong_imo {
                    Some((a, b, imo)) if t >= a && t <= b => Some(imo),
                    _ => self.plan.imo,
                };
                return Some(Report::Static(StaticReport {
                    mmsi: self.plan.mmsi,
                    time: self.stamp(t),
                    imo,
                    name: Some(self.plan.name.clone()),
                    callsign: None,
                    ship_type: Some(self.plan.ship_type),
                }));
            }
            let t = self.t_pos;
            let st = self.plan.true_state(t);
            self.t_pos += self.plan.interval(&st, cfg) * self.rng.range(0.9, 1.1);
            if t > end || self.suppressed(t) {
                continue;
            }
            let noisy = nudge(
                st.pos,
                self.rng.normal() * self.plan.noise_m,
                self.rng.normal() * self.plan.noise_m,
            );
            let pos = match self.plan.spoof {
                Some((a, b, centre)) if t >= a && t <= b => {
                    // Spoofed fixes circle a point far away (as seen in the Black Sea).
                    destination(centre, (t - a) * 0.5 % 360.0, 1500.0)
                }
                _ => noisy,
            };
            let sog_sigma = if st.sog_kn > 2.0 { 0.1 } else { 0.03 };
            let sog = (st.sog_kn + self.rng.normal() * sog_sigma).max(0.0);
            let cog = (st.cog + self.rng.normal() * 1.0).rem_euclid(360.0);
            return Some(Report::Position(PositionReport {
                mmsi: self.plan.mmsi,
                time: self.stamp(t),
                lat: pos.lat,
                lon: pos.lon,
                sog_kn: Some(((sog * 10.0).round() / 10.0) as f32),
                cog_deg: Some(((cog * 10.0).round() / 10.0) as f32 % 360.0),
                heading_deg: Some((cog.round() as u16) % 360),
                nav_status: st.status,
            }));
        }
    }
}
