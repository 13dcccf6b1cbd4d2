//! The monitor: consumes reports in event-time order, keeps vessel state and
//! emits events and alerts.
//!
//! This file holds the state, the alerts' bookkeeping and the entry points
//! (`on_report`, `on_position`, `on_static`); each concern is an `impl
//! Monitor` block of its own: `clock` (time order, the scan for silent
//! vessels, reports far ahead, the end of a feed), `position` (the track,
//! jumps and shared MMSIs), `identity` (static reports), `zones`,
//! `loitering` and `encounters`, one detector each.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use corridor_geo::{
    AreaId, AreaKind, Corridor, KNOT_MPS, LaneHit, LatLon, NM, RouteEstimate, distance_m, eta,
};
use jiff::{SignedDuration, Timestamp};
use rstar::RTree;
use rstar::primitives::GeomWithData;
use serde::Serialize;

use crate::alert::{Alert, AlertKind, Evidence, Place};
use crate::config::MonitorConfig;
use crate::due::{Before, InspectionsDue};
use crate::registry::{MapRegistry, RegisteredVessel, Registry};
use crate::report::{PositionReport, Report, StaticReport};
use crate::state::{Fix, LastZone, MAX_AREAS, VesselState, Zone};

mod clock;
mod encounters;
mod identity;
mod key_hash;
mod loitering;
mod position;
mod zones;

use encounters::Pair;
use key_hash::KeyHash;

type SlowPoint = GeomWithData<[f64; 2], u32>;

type Map<K, V> = HashMap<K, V, KeyHash>;

/// Counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MonitorStats {
    /// Position reports accepted.
    pub positions: u64,
    /// Static reports accepted.
    pub statics: u64,
    /// Reports older than (or as old as) the vessel's latest: ignored.
    pub stale: u64,
    /// Reports with an unusable position, or dated more than
    /// [`MonitorConfig::max_clock_lead_s`] ahead of the clock and not
    /// confirmed by the report after them: ignored.
    pub invalid: u64,
    /// Positions rejected as impossible jumps.
    pub jumps: u64,
    /// Reports of new, unregistered MMSIs not tracked because
    /// [`MonitorConfig::max_vessels`] are.
    pub untracked: u64,
}

/// An ETA to an area.
#[derive(Debug, Clone, PartialEq)]
pub struct Eta {
    /// Remaining route.
    pub route: RouteEstimate,
    /// Recent speed used, knots.
    pub speed_kn: f64,
    /// Estimated arrival (`None` when the vessel is (nearly) stopped).
    pub at: Option<Timestamp>,
}

/// The corridor monitor. See the crate docs for the rules.
#[derive(Debug)]
pub struct Monitor<R = MapRegistry> {
    corridor: Arc<Corridor>,
    config: Arc<MonitorConfig>,
    registry: R,
    /// Boxed: the table holds 16-byte slots, so the memory per vessel does
    /// not depend on the table's load factor (see the crate docs' budget).
    vessels: Map<u32, Box<VesselState>>,
    open: Map<u64, Alert>,
    next_id: u64,
    now: Option<Timestamp>,
    next_scan: Option<Timestamp>,
    /// A report far ahead of the clock, until the next one settles it.
    held: Option<Report>,
    /// No report after this is real ([`Monitor::set_wall_clock`]).
    latest: Option<Timestamp>,
    /// See [`Monitor::last_refused`].
    refused: bool,
    slow: RTree<SlowPoint>,
    pairs: Map<(u32, u32), Pair>,
    stats: MonitorStats,
    /// Who may not reach a port or leave the corridor yet (the caller's).
    due: InspectionsDue,
    /// `skipped_inspection` raised, by vessel and place, with what was due
    /// (the application): one alert a wait, not one each time it crosses
    /// a boundary; a new application is a new wait.
    raised: HashMap<(u32, Before), String>,
}

/// Local-plane distance, metres: within ~1 % of the geodesic for points a
/// few tens of km apart away from the poles; only used to decide whether an
/// exact computation is needed.
fn approx_distance_m(a: LatLon, b: LatLon) -> f64 {
    let k = ((a.lat + b.lat) / 2.0).to_radians().cos();
    let mut dlon = (b.lon - a.lon).abs();
    if dlon > 180.0 {
        dlon = 360.0 - dlon;
    }
    let x = dlon * k * 111_320.0;
    let y = (b.lat - a.lat) * 110_574.0;
    (x * x + y * y).sqrt()
}

fn secs(a: Timestamp, b: Timestamp) -> f64 {
    b.duration_since(a).as_secs_f64()
}

fn plus(t: Timestamp, s: u64) -> Timestamp {
    t.checked_add(SignedDuration::from_secs(s.min(i64::MAX as u64) as i64))
        .unwrap_or(Timestamp::MAX)
}

/// Which of a vessel's stored positions (oldest first) the monitor's rule
/// believes: a position an impossible jump from the believed one is not,
/// unless a run of `reanchor_fixes` that agree with one another outnumbers
/// the believed positions since the last jump (then the run is the ship,
/// from that position on). Stored positions keep what the monitor doubted
/// as evidence; a track drawn for people leaves them out.
///
/// This is the monitor's rule without its alerts and its MMSI-conflict
/// bookkeeping: support counts believed positions no more than `ais_gap_s`
/// apart, and a believed position sets the rival run back to nothing, so
/// positions that alternate between two ships never re-anchor. What the
/// monitor believed depends on what came before: give the positions from
/// at least `ais_gap_s` before the first one wanted (see
/// [`belief_lookback`]), and keep only the answers for those wanted.
pub fn believed_positions(cfg: &MonitorConfig, track: &[PositionReport]) -> Vec<bool> {
    let need = cfg.reanchor_fixes;
    let mut fix: Option<&PositionReport> = None;
    let mut support: u32 = 0;
    let mut rival: Option<(&PositionReport, u32)> = None;
    track
        .iter()
        .map(|r| {
            let Some(f) = fix else {
                fix = Some(r);
                support = 1;
                return true;
            };
            if r.time <= f.time {
                return false;
            }
            if implausible(cfg, f.pos(), f.time, r).is_none() {
                support = if secs(f.time, r.time) <= cfg.ais_gap_s as f64 {
                    support.saturating_add(1)
                } else {
                    1
                };
                fix = Some(r);
                rival = rival.map(|(q, _)| (q, 0));
                return true;
            }
            let run = match rival {
                Some((q, n)) if implausible(cfg, q.pos(), q.time, r).is_none() => {
                    n.saturating_add(1)
                }
                _ => 1,
            };
            rival = Some((r, run));
            if need > 0 && run >= u32::from(need).max(2) && run > support {
                fix = Some(r);
                support = run;
                rival = None;
                return true;
            }
            false
        })
        .collect()
}

/// How far before the first position wanted [`believed_positions`] should
/// start, at least: the monitor's belief then rests on positions no older
/// than its gap. (Capped: a configured gap of days would read days.)
pub fn belief_lookback(cfg: &MonitorConfig) -> jiff::SignedDuration {
    jiff::SignedDuration::from_secs(
        i64::try_from(cfg.ais_gap_s)
            .unwrap_or(i64::MAX)
            .clamp(3600, 86_400),
    )
}

/// Whether `r` is an impossible jump from `pos` at `time`: the distance and
/// elapsed seconds when it is.
fn implausible(
    cfg: &MonitorConfig,
    pos: LatLon,
    time: Timestamp,
    r: &PositionReport,
) -> Option<(f64, f64)> {
    let dt = secs(time, r.time).max(0.0);
    let allowed = cfg.max_speed_kn * KNOT_MPS * dt + cfg.jump_slack_m;
    // The planar estimate is within a few percent at these ranges.
    if approx_distance_m(pos, r.pos()) < allowed * 0.9 {
        return None;
    }
    let d = distance_m(pos, r.pos());
    (d > allowed).then_some((d, dt))
}

/// Speed (knots) above which a report at exactly its previous place says the
/// fix is frozen: the ship claims to move and does not.
const FROZEN_FIX_MIN_SOG_KN: f32 = 1.0;

/// How far (m) the claimed speed must have moved the ship between two
/// reports at one place for them to show a frozen fix: copies of one
/// broadcast from two receivers, milliseconds apart, do not.
const FROZEN_FIX_MIN_MOVE_M: f64 = 30.0;

/// A speed over ground that says the ship is under way.
fn moving(sog_kn: Option<f32>) -> bool {
    sog_kn.is_some_and(|v| v >= FROZEN_FIX_MIN_SOG_KN)
}

/// An `mmsi_conflict`'s detail grows with each identity claimed, up to this.
const MAX_CONFLICT_DETAIL: usize = 512;

/// A static report's identity as an alert names it: "NAME (IMO n)".
fn identity(name: Option<&str>, imo: Option<u32>) -> Option<String> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    match (name, imo.filter(|i| *i != 0)) {
        (Some(n), Some(i)) => Some(format!("{n} (IMO {i})")),
        (Some(n), None) => Some(n.to_owned()),
        (None, Some(i)) => Some(format!("IMO {i}")),
        (None, None) => None,
    }
}

fn push_evidence(ev: &mut Vec<Evidence>, e: Evidence, max: usize) {
    // Keep the first reports and always the latest one.
    if ev.len() < max.max(1) {
        ev.push(e);
    } else if let Some(last) = ev.last_mut() {
        *last = e;
    }
}

impl Monitor<MapRegistry> {
    /// Registers a vessel while tracking runs (approved since the start):
    /// one already tracked under its MMSI is linked at once, not only at
    /// its next static report.
    pub fn register(&mut self, v: RegisteredVessel) {
        self.registry.insert(v);
        if let Some(state) = v.mmsi.and_then(|m| self.vessels.get_mut(&m)) {
            state.registered = Some(v.key);
        }
        // The vessel's old MMSI (a change of flag) is no longer it.
        for (mmsi, state) in self.vessels.iter_mut() {
            if state.registered == Some(v.key) && Some(*mmsi) != v.mmsi {
                state.registered = self.registry.by_mmsi(*mmsi).map(|r| r.key);
            }
        }
    }
}

impl<R: Registry> Monitor<R> {
    /// A monitor over `corridor` with `config`, linking vessels via `registry`.
    pub fn new(corridor: Arc<Corridor>, config: MonitorConfig, registry: R) -> Self {
        Self {
            corridor,
            config: Arc::new(config),
            registry,
            vessels: Map::with_hasher(KeyHash::new()),
            open: Map::with_hasher(KeyHash::new()),
            next_id: 1,
            now: None,
            next_scan: None,
            held: None,
            latest: None,
            refused: false,
            slow: RTree::new(),
            pairs: Map::with_hasher(KeyHash::new()),
            stats: MonitorStats::default(),
            due: InspectionsDue::new(),
            raised: HashMap::new(),
        }
    }

    /// The corridor.
    pub fn corridor(&self) -> &Arc<Corridor> {
        &self.corridor
    }
    /// The thresholds.
    pub fn config(&self) -> &MonitorConfig {
        &self.config
    }
    /// The vessels awaiting an inspection they must pass before a port or
    /// before leaving the corridor, replacing the previous ones: from now
    /// on, one seen going there raises `skipped_inspection`.
    pub fn set_inspections_due(&mut self, due: InspectionsDue) {
        self.due = due;
        // A vessel no longer due (inspected, or its application ended) is
        // judged afresh if it is ever due again.
        let (due, vessels) = (&self.due, &mut self.vessels);
        let imo = |m: &u32| vessels.get(m).and_then(|v| v.imo);
        self.raised
            .retain(|(m, b), what| due.due(*b, *m, imo(m)) == Some(what.as_str()));
        for (m, v) in vessels.iter_mut() {
            if v.det.bound_out_seen && due.due(Before::Exit, *m, v.imo).is_none() {
                v.det.bound_out_seen = false;
            }
        }
    }
    /// The vessels awaiting an inspection, as last set.
    pub fn inspections_due(&self) -> &InspectionsDue {
        &self.due
    }
    /// The registry (to add registrations while running).
    pub fn registry_mut(&mut self) -> &mut R {
        &mut self.registry
    }
    /// The monitor's clock: the latest event time applied (a report held
    /// for being far ahead of it does not move it).
    pub fn now(&self) -> Option<Timestamp> {
        self.now
    }

    /// The time of a report held for being far ahead of the clock (or for
    /// being the first of all), until the next report settles it.
    pub fn held_time(&self) -> Option<Timestamp> {
        self.held.as_ref().map(Report::time)
    }
    /// Counters.
    pub fn stats(&self) -> MonitorStats {
        self.stats
    }
    /// One vessel's state.
    pub fn vessel(&self, mmsi: u32) -> Option<&VesselState> {
        self.vessels.get(&mmsi).map(|v| &**v)
    }
    /// All tracked vessels.
    pub fn vessels(&self) -> impl Iterator<Item = &VesselState> + '_ {
        self.vessels.values().map(|v| &**v)
    }
    /// Number of tracked vessels.
    pub fn vessel_count(&self) -> usize {
        self.vessels.len()
    }
    /// Alerts still open (latest version of each).
    pub fn open_alerts(&self) -> impl Iterator<Item = &Alert> + '_ {
        self.open.values()
    }

    /// Estimated arrival of `mmsi` at `target` from its recent speed and the
    /// remaining distance along the lanes.
    pub fn eta(&self, mmsi: u32, target: AreaId) -> Option<Eta> {
        let v = self.vessels.get(&mmsi)?;
        let fix = v.fix?;
        let search = self
            .corridor
            .lanes()
            .iter()
            .map(|l| l.half_width_m())
            .fold(0.0, f64::max)
            + self.config.deviation_nm * NM;
        let route = self.corridor.remaining_to(fix.pos, target, search)?;
        let speed_kn = eta_speed_kn(v, &fix, self.config.max_speed_kn);
        let at = if route.remaining_m == 0.0 {
            Some(fix.time)
        } else {
            eta(fix.time, route.remaining_m, speed_kn)
        };
        Some(Eta {
            route,
            speed_kn,
            at,
        })
    }

    /// Estimated arrival of `mmsi` at the next area along the lane it is on,
    /// in its direction of travel (course over ground, else heading).
    ///
    /// `None` for a stopped vessel (below `loiter_speed_kn`): its course is
    /// GPS noise, so "the next area" could be one behind it. Also `None` when
    /// that area is one the vessel is in already.
    pub fn eta_next(&self, mmsi: u32) -> Option<Eta> {
        let v = self.vessels.get(&mmsi)?;
        let fix = v.fix?;
        if fix
            .sog_kn
            .filter(|kn| believable_kn(*kn, self.config.max_speed_kn))
            .or(v.avg_speed_kn)
            .is_some_and(|kn| f64::from(kn) < self.config.loiter_speed_kn)
        {
            return None;
        }
        let course = fix
            .cog_deg
            .map(f64::from)
            .or(fix.heading_deg.map(f64::from))?;
        let search = self
            .corridor
            .lanes()
            .iter()
            .map(|l| l.half_width_m())
            .fold(0.0, f64::max)
            + self.config.deviation_nm * NM;
        let route = self.corridor.next_area(fix.pos, course, search)?;
        if v.areas().any(|a| a == route.target) {
            return None;
        }
        let speed_kn = eta_speed_kn(v, &fix, self.config.max_speed_kn);
        let at = eta(fix.time, route.remaining_m, speed_kn);
        Some(Eta {
            route,
            speed_kn,
            at,
        })
    }

    fn new_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn point_event(
        &mut self,
        kind: AlertKind,
        mmsi: u32,
        r: &PositionReport,
        area: Option<String>,
        detail: String,
        out: &mut Vec<Alert>,
    ) {
        let id = self.new_id();
        let imo = self.vessels.get(&mmsi).and_then(|v| v.imo);
        out.push(Alert {
            id,
            kind,
            mmsi,
            start: r.time,
            end: r.time,
            open: false,
            place: Place {
                lat: Some(r.lat),
                lon: Some(r.lon),
                area,
            },
            other_mmsi: None,
            imo,
            detail,
            evidence: vec![Evidence::Position(*r)],
        });
    }

    /// What `mmsi` (by itself or the IMO its AIS names) awaits before
    /// going `before`, unless nothing is or it was raised already.
    fn due_now(&self, before: Before, mmsi: u32) -> Option<String> {
        if self.due.is_empty() {
            return None;
        }
        let imo = self.vessels.get(&mmsi).and_then(|v| v.imo);
        let what = self.due.due(before, mmsi, imo)?;
        (self.raised.get(&(mmsi, before)).map(String::as_str) != Some(what))
            .then(|| what.to_owned())
    }

    /// Raises `skipped_inspection` for `mmsi` at `r`, once a wait (`what`).
    fn skipped(
        &mut self,
        before: Before,
        r: &PositionReport,
        area: Option<String>,
        (what, detail): (String, String),
        out: &mut Vec<Alert>,
    ) {
        self.raised.insert((r.mmsi, before), what);
        self.point_event(AlertKind::SkippedInspection, r.mmsi, r, area, detail, out);
    }

    #[allow(clippy::too_many_arguments)]
    fn open_alert(
        &mut self,
        kind: AlertKind,
        mmsi: u32,
        start: Timestamp,
        end: Timestamp,
        place: Place,
        detail: String,
        evidence: Vec<Evidence>,
        out: &mut Vec<Alert>,
    ) -> u64 {
        let id = self.new_id();
        let a = Alert {
            id,
            kind,
            mmsi,
            start,
            end,
            open: true,
            place,
            other_mmsi: None,
            imo: None,
            detail,
            evidence,
        };
        out.push(a.clone());
        self.open.insert(id, a);
        id
    }

    fn extend_alert(&mut self, id: u64, end: Timestamp, e: Option<Evidence>) {
        let max = self.config.max_evidence;
        if let Some(a) = self.open.get_mut(&id) {
            if end > a.end {
                a.end = end;
            }
            if let Some(e) = e {
                push_evidence(&mut a.evidence, e, max);
            }
        }
    }

    fn close_alert(&mut self, id: u64, end: Timestamp, e: Option<Evidence>, out: &mut Vec<Alert>) {
        let max = self.config.max_evidence;
        if let Some(mut a) = self.open.remove(&id) {
            a.end = end.max(a.start);
            a.open = false;
            if let Some(e) = e {
                push_evidence(&mut a.evidence, e, max);
            }
            out.push(a);
        }
    }

    /// Pairs of vessels close together now (encounter candidates).
    pub fn pair_count(&self) -> usize {
        self.pairs.len()
    }

    /// Whether the report fed last was refused as no report at all:
    /// unusable, from the future ([`Monitor::set_wall_clock`]), or of an
    /// untracked vessel. A stale one is not (a report redelivered after its
    /// storing failed is stale to the monitor, and must still be stored),
    /// nor is a held one (it may be disowned later, once stored). A caller
    /// that stores reports stores only those not refused.
    pub fn last_refused(&self) -> bool {
        self.refused
    }

    fn zone_name(&self, v: &VesselState) -> Option<String> {
        match v.last_zone {
            LastZone::None => None,
            LastZone::Lane(l) => self.corridor.lane(l).map(|l| l.name.clone()),
            LastZone::Area(a) | LastZone::Anchorage(a) => {
                self.corridor.area(a).map(|a| a.name.clone())
            }
        }
    }

    /// Feed any report.
    pub fn on_report(&mut self, r: &Report, out: &mut Vec<Alert>) {
        match r {
            Report::Position(p) => self.on_position(p, out),
            Report::Static(s) => self.on_static(s, out),
        }
    }

    /// Feed a static report (AIS type 5 / 24): merges static data, links the
    /// registered vessel and checks the claimed IMO.
    pub fn on_static(&mut self, r: &StaticReport, out: &mut Vec<Alert>) {
        if self.admit(r.time, || Report::Static(r.clone()), out) {
            self.static_report(r, out);
        }
    }

    /// Feed a position report. Reports must come in event-time order per
    /// vessel; older ones are counted as stale and ignored.
    pub fn on_position(&mut self, raw: &PositionReport, out: &mut Vec<Alert>) {
        let Some(r) = raw.normalized() else {
            self.stats.invalid += 1;
            self.refused = true;
            return;
        };
        if self.admit(r.time, || Report::Position(r), out) {
            self.position(&r, out);
        }
    }

    /// Whether a report of `mmsi` may be tracked: a known vessel, a
    /// registered one, or room for one more (else counted `untracked`).
    fn room_for(&mut self, mmsi: u32) -> bool {
        if self.vessels.contains_key(&mmsi)
            || self.vessels.len() < self.config.max_vessels
            || self.registry.by_mmsi(mmsi).is_some()
        {
            return true;
        }
        self.stats.untracked += 1;
        self.refused = true;
        false
    }
}

/// The speed an ETA is reckoned at: the recent average, which smooths the
/// report-to-report noise of speed over ground, unless the latest report
/// differs from it by more than that noise. Then the vessel has changed
/// speed (got under way, slowed for an anchorage) and the average, which
/// takes `speed_time_constant_s` to follow, would be far off.
fn eta_speed_kn(v: &VesselState, fix: &Fix, max_speed_kn: f64) -> f64 {
    /// Report-to-report spread of a steady ship's speed over ground.
    const SOG_NOISE_KN: f32 = 1.0;
    let latest = fix.sog_kn.filter(|s| believable_kn(*s, max_speed_kn));
    match (latest, v.avg_speed_kn) {
        (Some(now), Some(avg)) if (now - avg).abs() <= SOG_NOISE_KN.max(0.2 * now) => {
            f64::from(avg)
        }
        (Some(now), _) => f64::from(now),
        (None, avg) => f64::from(avg.unwrap_or(0.0)),
    }
}

/// A reported speed a merchant ship can make: beyond `max_speed_kn` it is a
/// bad field (kept out of the average and of ETAs), not a change of speed.
pub(super) fn believable_kn(sog_kn: f32, max_speed_kn: f64) -> bool {
    f64::from(sog_kn) <= max_speed_kn
}
