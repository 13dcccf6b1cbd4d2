//! The AIS simulator's pure kinematics.
//!
//! Given voyages (port, departure time, inspection area) it plans each ship's
//! movements: moored at the berth, piloted out of the port approach at
//! pilot speed, along the lane(s) at 10–14 kn with a smooth lateral weave,
//! to an anchorage spot in the inspection area, waiting there, and away out
//! of the corridor (inbound voyages do the reverse and end at the berth).
//! Background traffic sails routes well away from the corridor. Chosen
//! anomalies are injected at known times, and the ground truth is returned
//! as [`TruthRecord`]s. Reports are streamed in time order by [`SimFeed`];
//! another crate encodes them as NMEA.
//!
//! Deterministic: the same corridor, scenario and seed give the same reports
//! and truth, bit for bit.
//!
//! ## Ground truth
//! - Anomalies: the injection window. `ais_gap`: reports are suppressed
//!   strictly inside `[start, end]`; `impossible_jump`: fixes in `[start,
//!   end]` are spoofed; `identity_mismatch`: statics in `[start, end]` claim
//!   another registered vessel's IMO; `loitering`: the stop; `encounter`: the
//!   two ships drifting together (one record per ship); `deviation`: the
//!   samples of the detour more than `truth_deviation_nm` beyond the lane edge.
//! - Events: the voyage's structure says which happen (entry when joining
//!   the lane or entering the inspection area from outside, arrival at each
//!   inspection area and port entered, exit when leaving the inspection area
//!   for open water or the lane for the berth); the time is found by sampling
//!   the true (noise-free) track every `truth_step_s`, and the record spans
//!   the sample before and the sample after the crossing.
//!
//! [`score`] matches alerts against the truth (see its docs).

mod plan;
mod rng;
mod score;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use corridor_geo::{AreaKind, Corridor, LatLon, NM, destination, distance_m};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::alert::AlertKind;
use crate::registry::RegisteredVessel;
use crate::report::{NavStatus, Report};
use plan::{Emitter, Leg, Path, VesselPlan};
pub use rng::Rng;
pub use score::{Score, score};

/// Why a scenario cannot be simulated.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A voyage names a port the corridor does not have, or no lane leads from it.
    #[error("voyage of MMSI {mmsi}: no port approach with LOCODE {port} and a lane from it")]
    NoPort {
        /// The voyage's vessel.
        mmsi: u32,
        /// The LOCODE asked for.
        port: String,
    },
    /// No lane route from the port to the inspection area.
    #[error("voyage of MMSI {mmsi}: no lane route from {from} to {to}")]
    NoRoute {
        /// The voyage's vessel.
        mmsi: u32,
        /// Start area.
        from: String,
        /// Target area.
        to: String,
    },
    /// The scenario needs something the configuration lacks.
    #[error("{0}")]
    Config(String),
}

/// One corridor voyage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Voyage {
    /// The ship's MMSI.
    pub mmsi: u32,
    /// Its IMO number (registered).
    pub imo: u32,
    /// Its name.
    pub name: String,
    /// UN/LOCODE of the Ukrainian port (UAODS, UAILK, UAYUZ).
    pub port: String,
    /// Departure from the berth (outbound) or arrival at the corridor's
    /// outer end (inbound).
    pub departure: Timestamp,
    /// Name of the inspection area (an area of kind `inspection_area`).
    pub inspection_area: String,
    /// Inbound (to the port) rather than outbound.
    #[serde(default)]
    pub inbound: bool,
    /// Time waiting in the inspection area, seconds.
    pub wait_s: u64,
}

/// What to simulate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Start of the simulated period.
    pub start: Timestamp,
    /// End of the simulated period (all voyages should finish before it).
    pub end: Timestamp,
    /// Corridor voyages.
    pub voyages: Vec<Voyage>,
    /// Background vessels sailing outside the corridor.
    pub background: usize,
    /// Anomalies to inject: kind and how many times (kinds that are events
    /// rather than anomalies are ignored: they happen on every voyage).
    pub anomalies: Vec<(AlertKind, usize)>,
}

/// One ground-truth record (one JSONL line of the truth file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthRecord {
    /// What the monitor should report.
    pub kind: AlertKind,
    /// For which vessel.
    pub mmsi: u32,
    /// Window start.
    pub start: Timestamp,
    /// Window end.
    pub end: Timestamp,
}

/// Simulator settings (defaults fit the demo Black Sea corridor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SimConfig {
    /// Seed for everything random.
    pub seed: u64,
    /// Class A report interval under way, s. Default 10.
    pub underway_interval_s: u32,
    /// Report interval at anchor or moored (and Class B below 2 kn), s. Default 180.
    pub stationary_interval_s: u32,
    /// Class B report interval above 2 kn, s. Default 30.
    pub class_b_interval_s: u32,
    /// Static report interval, s. Default 360.
    pub static_interval_s: u32,
    /// Cruise speed range in the corridor, kn. Default 10–14.
    pub cruise_kn: (f64, f64),
    /// Speed with a pilot in the port approach and in the inspection area, kn. Default 6.
    pub pilot_kn: f64,
    /// GPS noise, 1 sigma, m. Default 5.
    pub gps_noise_m: f64,
    /// Lateral weave amplitude on lanes at least 2 nm wide, nm. Default 0.3.
    pub wander_nm: f64,
    /// Berth per port LOCODE; ports without one use the port area's centre.
    pub berths: Vec<(String, LatLon)>,
    /// Where ships leave to (and inbound ships come from), per inspection area name.
    pub exits: Vec<(String, LatLon)>,
    /// Background routes (outside the corridor).
    pub background_routes: Vec<Vec<LatLon>>,
    /// Open-sea spots for injected encounters.
    pub encounter_spots: Vec<LatLon>,
    /// How far away spoofed fixes appear, nm. Default 150.
    pub spoof_offset_nm: f64,
    /// How far off the lane centre a deviation goes, nm. Default 5.
    pub deviation_offset_nm: f64,
    /// Deviation threshold beyond the lane edge used for the truth (match the
    /// monitor's `deviation_nm`), nm. Default 1.
    pub truth_deviation_nm: f64,
    /// Sampling step of the true track for event truth, s. Default 30.
    pub truth_step_s: u32,
}

impl Default for SimConfig {
    fn default() -> Self {
        let ll = LatLon::new;
        Self {
            seed: 1,
            underway_interval_s: 10,
            stationary_interval_s: 180,
            class_b_interval_s: 30,
            static_interval_s: 360,
            cruise_kn: (10.0, 14.0),
            pilot_kn: 6.0,
            gps_noise_m: 5.0,
            wander_nm: 0.3,
            berths: vec![
                ("UAODS".into(), ll(46.50, 30.74)),
                ("UAILK".into(), ll(46.305, 30.655)),
                ("UAYUZ".into(), ll(46.625, 31.00)),
            ],
            exits: vec![
                ("Inspection Area North (Black Sea)".into(), ll(41.40, 29.90)),
                ("Inspection Area Marmara".into(), ll(40.75, 28.40)),
            ],
            background_routes: vec![
                vec![ll(44.10, 28.90), ll(43.20, 28.10)],
                vec![ll(44.60, 37.90), ll(43.00, 37.20), ll(41.45, 36.40)],
                vec![ll(41.70, 41.50), ll(41.30, 40.60), ll(41.05, 39.80)],
                vec![ll(42.10, 35.20), ll(43.50, 36.80), ll(44.60, 37.90)],
                vec![ll(41.55, 31.70), ll(41.90, 33.80), ll(41.45, 36.40)],
                vec![ll(42.55, 27.90), ll(43.30, 28.40), ll(44.10, 28.90)],
            ],
            encounter_spots: vec![
                ll(43.20, 34.50),
                ll(42.70, 33.20),
                ll(43.80, 36.20),
                ll(42.90, 38.50),
            ],
            spoof_offset_nm: 150.0,
            deviation_offset_nm: 5.0,
            truth_deviation_nm: 1.0,
            truth_step_s: 30,
        }
    }
}

/// The simulation's result: the report stream, the truth, and the registry
/// the monitor should be given.
#[derive(Debug)]
pub struct Simulation {
    /// Time-ordered reports.
    pub feed: SimFeed,
    /// Ground truth, sorted by start.
    pub truth: Vec<TruthRecord>,
    /// Registered vessels (every corridor voyage's ship). The tracker must
    /// be given the same registry for `identity_mismatch` to be found.
    pub registry: Vec<RegisteredVessel>,
    /// Every simulated vessel (what an NMEA encoder needs beyond the reports:
    /// Class A ships send types 1-3 and 5, Class B types 18 and 24).
    pub vessels: Vec<SimVessel>,
}

/// A simulated vessel's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimVessel {
    /// MMSI.
    pub mmsi: u32,
    /// IMO number broadcast (Class B: none).
    pub imo: Option<u32>,
    /// Name.
    pub name: String,
    /// AIS ship type.
    pub ship_type: u8,
    /// Class B transponder.
    pub class_b: bool,
    /// A corridor voyage's ship (not background or an encounter pair).
    pub corridor: bool,
}

/// Time-ordered reports of all simulated vessels (an iterator; memory stays
/// proportional to the number of vessels, not reports).
#[derive(Debug)]
pub struct SimFeed {
    cfg: SimConfig,
    emitters: Vec<Emitter>,
    pending: Vec<Option<Report>>,
    heap: BinaryHeap<Reverse<(Timestamp, usize)>>,
}

impl SimFeed {
    fn new(cfg: SimConfig, mut emitters: Vec<Emitter>) -> Self {
        let mut pending = Vec::with_capacity(emitters.len());
        let mut heap = BinaryHeap::new();
        for (i, e) in emitters.iter_mut().enumerate() {
            let r = e.next_report(&cfg);
            if let Some(r) = &r {
                heap.push(Reverse((r.time(), i)));
            }
            pending.push(r);
        }
        Self {
            cfg,
            emitters,
            pending,
            heap,
        }
    }
}

impl Iterator for SimFeed {
    type Item = Report;
    fn next(&mut self) -> Option<Report> {
        let Reverse((_, i)) = self.heap.pop()?;
        let out = self.pending.get_mut(i)?.take();
        if let Some(e) = self.emitters.get_mut(i) {
            let n = e.next_report(&self.cfg);
            if let Some(r) = &n {
                self.heap.push(Reverse((r.time(), i)));
            }
            self.pending[i] = n;
        }
        out
    }
}

/// IMO number with a valid check digit from a 6-digit base.
pub fn imo_from_base(base: u32) -> u32 {
    let b = base % 1_000_000;
    let digits: Vec<u32> = (0..6).rev().map(|k| (b / 10u32.pow(k)) % 10).collect();
    let sum: u32 = digits.iter().zip((2..=7).rev()).map(|(d, w)| d * w).sum();
    b * 10 + sum % 10
}

/// A month-like scenario on `corridor`: `voyages` voyages from the three
/// ports (every third inbound), alternating inspection areas, departures
/// spread so all finish before the end, `background` other vessels, and
/// `per_kind` injections of every anomaly kind.
pub fn random_scenario(
    corridor: &Corridor,
    start: Timestamp,
    days: u32,
    voyages: usize,
    background: usize,
    per_kind: usize,
    seed: u64,
) -> Scenario {
    let mut rng = Rng::new(seed ^ 0xC0FF_EE00);
    let ports: Vec<String> = ["UAODS", "UAILK", "UAYUZ"]
        .into_iter()
        .filter(|p| corridor.port(p).is_some())
        .map(str::to_owned)
        .collect();
    let areas: Vec<String> = corridor
        .areas()
        .iter()
        .filter(|a| a.kind == AreaKind::InspectionArea)
        .map(|a| a.name.clone())
        .collect();
    let span = (f64::from(days) - 5.0).max(0.5) * 86_400.0;
    let mut out = Vec::new();
    for i in 0..voyages {
        let dep = start
            .checked_add(SignedDuration::from_secs(
                (6.0 * 3600.0 + rng.range(0.0, span)) as i64,
            ))
            .unwrap_or(start);
        out.push(Voyage {
            mmsi: 538_000_000 + i as u32 * 17 + 1,
            imo: imo_from_base(930_000 + i as u32 * 37),
            name: format!("GRAIN CARRIER {}", i + 1),
            port: ports
                .get(i % ports.len().max(1))
                .cloned()
                .unwrap_or_default(),
            departure: dep,
            inspection_area: areas
                .get((i / 3) % areas.len().max(1))
                .cloned()
                .unwrap_or_default(),
            inbound: i % 3 == 2,
            wait_s: rng.range(6.0, 40.0) as u64 * 3600,
        });
    }
    let end = start
        .checked_add(SignedDuration::from_secs(i64::from(days) * 86_400))
        .unwrap_or(start);
    let kinds = [
        AlertKind::Deviation,
        AlertKind::AisGap,
        AlertKind::Loitering,
        AlertKind::Encounter,
        AlertKind::IdentityMismatch,
        AlertKind::ImpossibleJump,
    ];
    Scenario {
        start,
        end,
        voyages: out,
        background,
        anomalies: kinds.iter().map(|k| (*k, per_kind)).collect(),
    }
}

fn secs_between(a: Timestamp, b: Timestamp) -> f64 {
    b.duration_since(a).as_secs_f64()
}

struct Route {
    /// The lanes' paths in travel order (outbound direction).
    lanes: Vec<(Path, f64)>,
    port_area: String,
}

fn route(corridor: &Corridor, v: &Voyage) -> Result<Route, SimError> {
    let port = corridor.port(&v.port).ok_or_else(|| SimError::NoPort {
        mmsi: v.mmsi,
        port: v.port.clone(),
    })?;
    let no_route = || SimError::NoRoute {
        mmsi: v.mmsi,
        from: port.name.clone(),
        to: v.inspection_area.clone(),
    };
    // Depth-first over lanes by from/to names (the graph is tiny).
    fn walk<'a>(
        c: &'a Corridor,
        at: &str,
        to: &str,
        seen: &mut Vec<&'a str>,
    ) -> Option<Vec<&'a corridor_geo::Lane>> {
        if at == to {
            return Some(vec![]);
        }
        for l in c.lanes() {
            if l.from.as_deref() == Some(at) && !seen.contains(&l.name.as_str()) {
                seen.push(&l.name);
                if let Some(next) = l.to.as_deref()
                    && let Some(mut rest) = walk(c, next, to, seen)
                {
                    rest.insert(0, l);
                    return Some(rest);
                }
            }
        }
        None
    }
    let lanes = walk(corridor, &port.name, &v.inspection_area, &mut vec![]).ok_or_else(no_route)?;
    if lanes.is_empty() {
        return Err(no_route());
    }
    Ok(Route {
        lanes: lanes
            .iter()
            .map(|l| (Path::new(l.waypoints.clone()), l.width_nm))
            .collect(),
        port_area: port.name.clone(),
    })
}

/// A random point inside `area`, at least `margin_m` from its edges.
fn spot_in(corridor: &Corridor, area: &str, margin_m: f64, rng: &mut Rng) -> Option<LatLon> {
    let a = corridor.area_by_name(area)?;
    let bb = geo::BoundingRect::bounding_rect(&a.shape)?;
    for _ in 0..1000 {
        let p = LatLon::new(
            rng.range(bb.min().y, bb.max().y),
            rng.range(bb.min().x, bb.max().x),
        );
        if corridor.contains(a.id, p) && corridor.distance_to_area_m(p, a.id, 0.0).is_some() {
            let inner = [0.0, 90.0, 180.0, 270.0]
                .iter()
                .all(|b| corridor.contains(a.id, destination(p, *b, margin_m)));
            if inner {
                return Some(p);
            }
        }
    }
    None
}

struct Planned {
    plan: VesselPlan,
    /// Index of the main lane leg in `plan.legs` (for injections).
    main_leg: Option<usize>,
    /// Events expected, with the legs (index ranges) to look for them in.
    expect: Vec<Expect>,
    taken: bool,
}

#[derive(Debug, Clone)]
enum Expect {
    /// Entry into the corridor within these legs.
    Entry(usize),
    /// Arrival at the named area within these legs.
    Arrival(usize, String),
    /// Exit within this leg.
    Exit(usize),
}

/// Plan and run a scenario.
pub fn simulate(
    corridor: &Corridor,
    sc: &Scenario,
    cfg: &SimConfig,
) -> Result<Simulation, SimError> {
    let mut rng = Rng::new(cfg.seed);
    let mut planned: Vec<Planned> = Vec::new();
    let find =
        |list: &[(String, LatLon)], key: &str| list.iter().find(|(k, _)| k == key).map(|(_, p)| *p);
    for v in &sc.voyages {
        let mut vr = rng.fork();
        let r = route(corridor, v)?;
        let berth = find(&cfg.berths, &v.port)
            .or_else(|| {
                let a = corridor.area_by_name(&r.port_area)?;
                let c = geo::Centroid::centroid(&a.shape)?;
                Some(LatLon::new(c.y(), c.x()))
            })
            .ok_or_else(|| SimError::Config(format!("no berth for {}", v.port)))?;
        let exit = find(&cfg.exits, &v.inspection_area)
            .ok_or_else(|| SimError::Config(format!("no exit point for {}", v.inspection_area)))?;
        let anchor = spot_in(corridor, &v.inspection_area, 1500.0, &mut vr)
            .ok_or_else(|| SimError::Config(format!("no room in {}", v.inspection_area)))?;
        let cruise = vr.range(cfg.cruise_kn.0, cfg.cruise_kn.1);
        let wander = |width_nm: f64| {
            if width_nm >= 2.0 {
                cfg.wander_nm * NM
            } else {
                0.0
            }
        };
        let t_dep = secs_between(sc.start, v.departure);
        let mut plan = VesselPlan {
            mmsi: v.mmsi,
            imo: Some(v.imo),
            name: v.name.clone(),
            ship_type: 70,
            class_b: false,
            legs: vec![],
            gap: None,
            spoof: None,
            wrong_imo: None,
            noise_m: cfg.gps_noise_m,
            phase: (vr.range(0.0, 6.3), vr.range(0.0, 6.3)),
        };
        let mut expect = Vec::new();
        let mut main_leg = None;
        let ia = v.inspection_area.clone();
        if !v.inbound {
            let moored = vr.range(2.0, 6.0) * 3600.0;
            plan.legs.push(Leg::Hold {
                t0: t_dep - moored,
                t1: t_dep,
                at: berth,
                drift_kn: 0.0,
                drift_brg: 0.0,
                sog_kn: 0.0,
                status: NavStatus::MOORED,
            });
            let (first, _) = &r.lanes[0];
            plan.sail(vec![first.pts[0]], cfg.pilot_kn, 0.0);
            expect.push(Expect::Entry(plan.legs.len() - 1));
            for (k, (path, width)) in r.lanes.iter().enumerate() {
                let speed = if *width >= 2.0 {
                    cruise
                } else {
                    cruise.min(9.0)
                };
                plan.sail_path(path.clone(), speed, wander(*width));
                if k == 0 {
                    main_leg = Some(plan.legs.len() - 1);
                }
                let to = corridor
                    .lanes()
                    .iter()
                    .find(|l| l.waypoints == path.pts)
                    .and_then(|l| l.to.clone());
                if let Some(to) = to
                    && corridor
                        .area_by_name(&to)
                        .is_some_and(|a| a.kind == AreaKind::InspectionArea)
                {
                    expect.push(Expect::Arrival(plan.legs.len() - 1, to));
                }
            }
            plan.sail(vec![anchor], cfg.pilot_kn, 0.0);
            plan.hold(v.wait_s as f64, 0.0, 0.0, NavStatus::AT_ANCHOR);
            plan.sail(vec![exit], cruise, 0.0);
            expect.push(Expect::Exit(plan.legs.len() - 1));
        } else {
            // Inbound: from the exit point to the inspection area, wait, then
            // the lanes in reverse to the berth.
            let approach = distance_m(exit, anchor) / (cruise * corridor_geo::KNOT_MPS);
            plan.legs.push(Leg::Move {
                t0: t_dep - approach,
                path: Path::new(vec![exit, anchor]),
                speed_kn: cruise,
                wander_m: 0.0,
            });
            expect.push(Expect::Entry(0));
            expect.push(Expect::Arrival(0, ia.clone()));
            plan.hold(v.wait_s as f64, 0.0, 0.0, NavStatus::AT_ANCHOR);
            let last_lane = r.lanes.last().map(|(p, _)| p.pts[p.pts.len() - 1]);
            if let Some(p) = last_lane {
                plan.sail(vec![p], cfg.pilot_kn, 0.0);
            }
            let n = r.lanes.len();
            for (k, (path, width)) in r.lanes.iter().enumerate().rev() {
                let speed = if *width >= 2.0 {
                    cruise
                } else {
                    cruise.min(9.0)
                };
                plan.sail_path(path.reversed(), speed, wander(*width));
                if k == 0 {
                    main_leg = Some(plan.legs.len() - 1);
                    expect.push(Expect::Arrival(plan.legs.len() - 1, r.port_area.clone()));
                } else if let Some(from) = corridor
                    .lanes()
                    .iter()
                    .find(|l| l.waypoints == path.pts)
                    .and_then(|l| l.from.clone())
                    && corridor
                        .area_by_name(&from)
                        .is_some_and(|a| a.kind == AreaKind::InspectionArea)
                    && k < n
                {
                    expect.push(Expect::Arrival(plan.legs.len() - 1, from));
                }
            }
            plan.sail(vec![berth], cfg.pilot_kn, 0.0);
            expect.push(Expect::Exit(plan.legs.len() - 1));
            plan.hold(vr.range(2.0, 4.0) * 3600.0, 0.0, 0.0, NavStatus::MOORED);
        }
        planned.push(Planned {
            plan,
            main_leg,
            expect,
            taken: false,
        });
    }

    let mut truth: Vec<TruthRecord> = Vec::new();
    let stamp = |t: f64| {
        sc.start
            .checked_add(SignedDuration::from_secs(t.round() as i64))
            .unwrap_or(sc.start)
    };
    let registry: Vec<RegisteredVessel> = sc
        .voyages
        .iter()
        .enumerate()
        .map(|(i, v)| RegisteredVessel {
            key: i as u64 + 1,
            imo: Some(v.imo),
            mmsi: Some(v.mmsi),
        })
        .collect();

    // Background traffic and encounter pairs.
    let mut extra: Vec<VesselPlan> = Vec::new();
    let total_s = secs_between(sc.start, sc.end);
    for b in 0..sc.background {
        let mut br = rng.fork();
        if cfg.background_routes.is_empty() {
            return Err(SimError::Config(
                "background traffic needs background_routes".into(),
            ));
        }
        let route = &cfg.background_routes[b % cfg.background_routes.len()];
        let class_b = b % 2 == 1;
        let mut plan = VesselPlan {
            mmsi: 271_000_000 + b as u32 * 13 + 7,
            imo: if class_b {
                None
            } else {
                Some(imo_from_base(800_000 + b as u32 * 11))
            },
            name: format!("BACKGROUND {}", b + 1),
            ship_type: if class_b { 37 } else { 80 },
            class_b,
            legs: vec![],
            gap: None,
            spoof: None,
            wrong_imo: None,
            noise_m: cfg.gps_noise_m,
            phase: (0.0, 0.0),
        };
        let mut t = br.range(0.0, 86_400.0);
        let mut forward = br.unit() < 0.5;
        while t < total_s - 86_400.0 {
            let pts: Vec<LatLon> = if forward {
                route.clone()
            } else {
                route.iter().rev().copied().collect()
            };
            let speed = br.range(9.0, 15.0);
            let leg = Leg::Move {
                t0: t,
                path: Path::new(pts),
                speed_kn: speed,
                wander_m: 0.0,
            };
            t = leg.t1() + br.range(12.0, 48.0) * 3600.0; // out of coverage in port
            plan.legs.push(leg);
            forward = !forward;
        }
        extra.push(plan);
    }

    // Injections.
    let mut want: Vec<AlertKind> = Vec::new();
    for (k, n) in &sc.anomalies {
        for _ in 0..*n {
            want.push(*k);
        }
    }
    let mut enc_no = 0u32;
    for kind in want {
        match kind {
            AlertKind::Encounter => {
                let spots = &cfg.encounter_spots;
                if spots.is_empty() {
                    return Err(SimError::Config("encounters need encounter_spots".into()));
                }
                let spot = destination(
                    spots[enc_no as usize % spots.len()],
                    rng.range(0.0, 360.0),
                    rng.range(0.0, 10.0) * NM,
                );
                let t_meet = rng.range(86_400.0, (total_s - 2.0 * 86_400.0).max(86_400.0 + 1.0));
                let dur = rng.range(2.5, 3.5) * 3600.0;
                let drift_brg = rng.range(0.0, 360.0);
                let from_brg = rng.range(0.0, 360.0);
                let pair = [
                    spot,
                    destination(spot, drift_brg + 90.0, rng.range(100.0, 300.0)),
                ];
                for (k, at) in pair.into_iter().enumerate() {
                    let mmsi = 273_000_000 + enc_no * 2 + k as u32 + 1;
                    let start = destination(at, from_brg + 40.0 * k as f64, 30.0 * NM);
                    let speed = 12.0;
                    let approach = distance_m(start, at) / (speed * corridor_geo::KNOT_MPS);
                    let mut plan = VesselPlan {
                        mmsi,
                        imo: Some(imo_from_base(700_000 + mmsi % 100_000)),
                        name: format!("TANKER {}", mmsi % 1000),
                        ship_type: 80,
                        class_b: false,
                        legs: vec![Leg::Move {
                            t0: t_meet - approach,
                            path: Path::new(vec![start, at]),
                            speed_kn: speed,
                            wander_m: 0.0,
                        }],
                        gap: None,
                        spoof: None,
                        wrong_imo: None,
                        noise_m: cfg.gps_noise_m,
                        phase: (0.0, 0.0),
                    };
                    plan.hold(dur, 1.0, drift_brg, NavStatus::UNDER_WAY);
                    plan.sail(
                        vec![destination(
                            at,
                            from_brg + 180.0 + 40.0 * k as f64,
                            30.0 * NM,
                        )],
                        speed,
                        0.0,
                    );
                    truth.push(TruthRecord {
                        kind,
                        mmsi,
                        start: stamp(t_meet),
                        end: stamp(t_meet + dur),
                    });
                    extra.push(plan);
                }
                enc_no += 1;
            }
            AlertKind::Deviation
            | AlertKind::AisGap
            | AlertKind::Loitering
            | AlertKind::IdentityMismatch
            | AlertKind::ImpossibleJump => {
                // One anomaly per voyage, on its main lane leg.
                let free: Vec<usize> = (0..planned.len())
                    .filter(|i| !planned[*i].taken && planned[*i].main_leg.is_some())
                    .collect();
                if free.is_empty() {
                    return Err(SimError::Config(format!(
                        "not enough voyages to inject every {kind}"
                    )));
                }
                let i = free[rng.below(free.len())];
                let others: Vec<u32> = sc
                    .voyages
                    .iter()
                    .map(|v| v.imo)
                    .filter(|imo| Some(*imo) != planned[i].plan.imo)
                    .collect();
                let p = &mut planned[i];
                p.taken = true;
                let Some(li) = p.main_leg else { continue };
                let (t0, t1) = (p.plan.legs[li].t0(), p.plan.legs[li].t1());
                let mmsi = p.plan.mmsi;
                match kind {
                    AlertKind::AisGap => {
                        let a = t0 + (t1 - t0) * rng.range(0.25, 0.35);
                        let b = a + rng.range(5.0, 7.0) * 3600.0;
                        p.plan.gap = Some((a, b));
                        truth.push(TruthRecord {
                            kind,
                            mmsi,
                            start: stamp(a),
                            end: stamp(b),
                        });
                    }
                    AlertKind::ImpossibleJump => {
                        let a = t0 + (t1 - t0) * rng.range(0.3, 0.6);
                        let b = a + rng.range(20.0, 45.0) * 60.0;
                        let here = p.plan.true_state(a).pos;
                        p.plan.spoof =
                            Some((a, b, destination(here, 90.0, cfg.spoof_offset_nm * NM)));
                        truth.push(TruthRecord {
                            kind,
                            mmsi,
                            start: stamp(a),
                            end: stamp(b),
                        });
                    }
                    AlertKind::IdentityMismatch => {
                        let a = t0 + (t1 - t0) * rng.range(0.2, 0.4);
                        let b = a + rng.range(3.0, 8.0) * 3600.0;
                        let imo = others
                            .get(rng.below(others.len()))
                            .copied()
                            .unwrap_or(1_000_007);
                        p.plan.wrong_imo = Some((a, b, imo));
                        truth.push(TruthRecord {
                            kind,
                            mmsi,
                            start: stamp(a),
                            end: stamp(b),
                        });
                    }
                    AlertKind::Loitering => {
                        let Leg::Move {
                            path,
                            speed_kn,
                            wander_m,
                            ..
                        } = p.plan.legs[li].clone()
                        else {
                            continue;
                        };
                        let s = path.len() * rng.range(0.35, 0.6);
                        let dur = rng.range(1.5, 3.0) * 3600.0;
                        let drift = 0.2;
                        let (at, brg) = path.at(s);
                        let t_stop = t0 + s / (speed_kn * corridor_geo::KNOT_MPS);
                        let drifted = drift * corridor_geo::KNOT_MPS * dur;
                        let rest = path.slice(s + drifted, path.len());
                        let mut legs: Vec<Leg> = p.plan.legs.drain(li..).collect();
                        legs.remove(0);
                        p.plan.legs.push(Leg::Move {
                            t0,
                            path: path.slice(0.0, s),
                            speed_kn,
                            wander_m,
                        });
                        p.plan.legs.push(Leg::Hold {
                            t0: t_stop,
                            t1: t_stop + dur,
                            at,
                            drift_kn: drift,
                            drift_brg: brg,
                            sog_kn: drift,
                            status: NavStatus::UNDER_WAY,
                        });
                        p.plan.legs.push(Leg::Move {
                            t0: t_stop + dur,
                            path: rest,
                            speed_kn,
                            wander_m,
                        });
                        shift(
                            &mut legs,
                            dur - drifted / (speed_kn * corridor_geo::KNOT_MPS),
                        );
                        p.plan.legs.extend(legs);
                        // Legs after the stop moved: expectations index legs, so shift them.
                        for e in &mut p.expect {
                            match e {
                                Expect::Entry(k) | Expect::Exit(k) | Expect::Arrival(k, _)
                                    if *k > li =>
                                {
                                    *k += 2
                                }
                                _ => {}
                            }
                        }
                        if let Some(Expect::Arrival(k, _)) = p
                            .expect
                            .iter_mut()
                            .find(|e| matches!(e, Expect::Arrival(k, _) if *k == li))
                        {
                            *k = li + 2;
                        }
                        truth.push(TruthRecord {
                            kind,
                            mmsi,
                            start: stamp(t_stop),
                            end: stamp(t_stop + dur),
                        });
                    }
                    AlertKind::Deviation => {
                        let Leg::Move {
                            path,
                            speed_kn,
                            wander_m,
                            ..
                        } = p.plan.legs[li].clone()
                        else {
                            continue;
                        };
                        let s = path.len() * rng.range(0.35, 0.55);
                        let side = if rng.unit() < 0.5 { 1.0 } else { -1.0 };
                        let run = rng.range(8.0, 20.0) * NM;
                        let detour =
                            path.with_detour(s, 6.0 * NM, run, side * cfg.deviation_offset_nm * NM);
                        let extra_t =
                            (detour.len() - path.len()) / (speed_kn * corridor_geo::KNOT_MPS);
                        p.plan.legs[li] = Leg::Move {
                            t0,
                            path: detour,
                            speed_kn,
                            wander_m,
                        };
                        let mut later: Vec<Leg> = p.plan.legs.drain(li + 1..).collect();
                        shift(&mut later, extra_t);
                        p.plan.legs.extend(later);
                        // Truth: the samples beyond the threshold.
                        let dev_m = cfg.truth_deviation_nm * NM;
                        let widest = corridor
                            .lanes()
                            .iter()
                            .map(|l| l.half_width_m())
                            .fold(0.0, f64::max);
                        let (a, b) = (p.plan.legs[li].t0(), p.plan.legs[li].t1());
                        let mut win: Option<(f64, f64)> = None;
                        let mut t = a;
                        while t <= b {
                            let pos = p.plan.true_state(t).pos;
                            let off = corridor
                                .nearest_lane(pos, widest + 20.0 * NM)
                                .is_none_or(|h| h.outside_by_m() > dev_m);
                            if off {
                                win = Some(win.map_or((t, t), |(w0, _)| (w0, t)));
                            }
                            t += f64::from(cfg.truth_step_s.max(1));
                        }
                        if let Some((w0, w1)) = win {
                            truth.push(TruthRecord {
                                kind,
                                mmsi,
                                start: stamp(w0),
                                end: stamp(w1),
                            });
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    // Event truth from the voyages' structure, timed on the true track.
    let step = f64::from(cfg.truth_step_s.max(1));
    let widest = corridor
        .lanes()
        .iter()
        .map(|l| l.half_width_m())
        .fold(0.0, f64::max);
    let in_c = |p: LatLon| {
        corridor
            .areas_at(p)
            .any(|a| matches!(a.kind, AreaKind::InspectionArea | AreaKind::WaitingArea))
            || corridor.lane_hits(p, widest).iter().any(|h| h.inside())
    };
    for p in &planned {
        let mmsi = p.plan.mmsi;
        for e in &p.expect {
            let (k, cond): (usize, Box<dyn Fn(LatLon) -> bool>) = match e {
                Expect::Entry(k) => (*k, Box::new(in_c)),
                Expect::Exit(k) => (*k, Box::new(move |q| !in_c(q))),
                Expect::Arrival(k, name) => {
                    let Some(id) = corridor.area_by_name(name).map(|a| a.id) else {
                        continue;
                    };
                    (*k, Box::new(move |q| corridor.contains(id, q)))
                }
            };
            let Some(leg) = p.plan.legs.get(k) else {
                continue;
            };
            let (a, b) = (leg.t0(), leg.t1());
            let mut prev = a;
            let mut t = a;
            let mut found = None;
            while t <= b + step {
                if cond(p.plan.true_state(t.min(b)).pos) {
                    found = Some((prev, t.min(b)));
                    break;
                }
                prev = t;
                t += step;
            }
            if let Some((w0, w1)) = found {
                let kind = match e {
                    Expect::Entry(_) => AlertKind::CorridorEntry,
                    Expect::Exit(_) => AlertKind::CorridorExit,
                    Expect::Arrival(..) => AlertKind::AreaArrival,
                };
                truth.push(TruthRecord {
                    kind,
                    mmsi,
                    start: stamp(w0),
                    end: stamp(w1),
                });
            }
        }
    }
    truth.sort_by_key(|r| (r.start, r.mmsi, r.kind));

    let mut emitters: Vec<Emitter> = Vec::new();
    let mut vessels = Vec::new();
    let describe = |p: &VesselPlan, corridor: bool| SimVessel {
        mmsi: p.mmsi,
        imo: p.imo,
        name: p.name.clone(),
        ship_type: p.ship_type,
        class_b: p.class_b,
        corridor,
    };
    for p in planned {
        vessels.push(describe(&p.plan, true));
        emitters.push(Emitter::new(p.plan, rng.fork(), sc.start));
    }
    for plan in extra {
        vessels.push(describe(&plan, false));
        emitters.push(Emitter::new(plan, rng.fork(), sc.start));
    }
    Ok(Simulation {
        feed: SimFeed::new(cfg.clone(), emitters),
        truth,
        registry,
        vessels,
    })
}

fn shift(legs: &mut [Leg], dt: f64) {
    for l in legs {
        match l {
            Leg::Move { t0, .. } => *t0 += dt,
            Leg::Hold { t0, t1, .. } => {
                *t0 += dt;
                *t1 += dt;
            }
        }
    }
}
