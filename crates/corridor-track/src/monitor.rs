//! The monitor: consumes reports in event-time order, keeps vessel state and
//! emits events and alerts.

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
use crate::registry::{MapRegistry, Registry};
use crate::report::{PositionReport, Report, StaticReport};
use crate::state::{Fix, LastZone, MAX_AREAS, VesselState, Zone};

type SlowPoint = GeomWithData<[f64; 2], u32>;

/// Hashes the monitor's integer keys (MMSIs, alert ids) with one folded
/// multiply by a per-process random seed: several times cheaper than SipHash
/// on the per-report path, and still keyed, so crafted MMSIs cannot aim at
/// one bucket. Nothing depends on map order (every scan sorts).
#[derive(Debug, Clone, Copy)]
struct KeyHash {
    seed: u64,
}

impl KeyHash {
    fn new() -> Self {
        use std::hash::BuildHasher;
        Self {
            seed: std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64) | 1,
        }
    }
}

impl std::hash::BuildHasher for KeyHash {
    type Hasher = KeyHasher;
    fn build_hasher(&self) -> KeyHasher {
        KeyHasher(self.seed)
    }
}

#[derive(Debug, Clone, Copy)]
struct KeyHasher(u64);

impl KeyHasher {
    #[inline]
    fn mix(&mut self, x: u64) {
        let m = u128::from(self.0 ^ x) * 0x9e37_79b9_7f4a_7c15_u128;
        self.0 = (m as u64) ^ ((m >> 64) as u64);
    }
}

impl std::hash::Hasher for KeyHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for c in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..c.len()].copy_from_slice(c);
            self.mix(u64::from_le_bytes(b));
        }
    }
    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.mix(u64::from(n));
    }
    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }
}

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

#[derive(Debug, Clone)]
struct Pair {
    start: Timestamp,
    last: Timestamp,
    place: LatLon,
    evidence: [Option<PositionReport>; 2],
    alerts: Option<(u64, u64)>,
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
        let speed_kn = f64::from(v.avg_speed_kn.or(fix.sog_kn).unwrap_or(0.0));
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
    pub fn eta_next(&self, mmsi: u32) -> Option<Eta> {
        let v = self.vessels.get(&mmsi)?;
        let fix = v.fix?;
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
        let speed_kn = f64::from(v.avg_speed_kn.or(fix.sog_kn).unwrap_or(0.0));
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

    /// Refuses (counts `invalid`) every report dated after `wall` plus
    /// [`MonitorConfig::max_clock_lead_s`]: a live caller passes its wall
    /// clock before each batch, so that no report from the future can move
    /// the clock (two of them would confirm each other). `None`: no bound
    /// (replays, which have no wall clock of their own).
    pub fn set_wall_clock(&mut self, wall: Option<Timestamp>) {
        let lead = jiff::SignedDuration::from_secs(
            i64::try_from(self.config.max_clock_lead_s).unwrap_or(i64::MAX),
        );
        self.latest = wall.map(|w| w.checked_add(lead).unwrap_or(Timestamp::MAX));
    }

    /// Move the clock to `t` (event time) and raise `ais_gap` for vessels in
    /// the corridor that have been silent too long. Call it on a clock tick
    /// when reports may stop altogether; reports call it themselves. The
    /// caller's clock is trusted: a held report (see
    /// [`MonitorConfig::max_clock_lead_s`]) no more than the bound after `t`
    /// is applied first.
    pub fn advance_to(&mut self, t: Timestamp, out: &mut Vec<Alert>) {
        let lead = self.config.max_clock_lead_s as f64;
        if self
            .held
            .as_ref()
            .is_some_and(|h| secs(t, h.time()) <= lead)
            && let Some(h) = self.held.take()
        {
            self.apply(&h, out);
        }
        self.advance_clock(t, out);
    }

    /// The clock's sanity bound ([`MonitorConfig::max_clock_lead_s`]):
    /// whether a report at `t` may be applied now. A held report is settled
    /// first by this one: confirmed (not more than the bound before it: the
    /// feed really is there) it is applied, before this one as it came
    /// first; otherwise it is disowned, counted `invalid`. Then a report far
    /// ahead of the clock, or the very first, is held (`report` makes the
    /// copy) rather than applied. One after the wall clock's bound
    /// ([`Monitor::set_wall_clock`]) is refused outright. Sets what
    /// [`Monitor::last_refused`] says.
    fn admit(
        &mut self,
        t: Timestamp,
        report: impl FnOnce() -> Report,
        out: &mut Vec<Alert>,
    ) -> bool {
        // After the caller's wall clock (and the bound): never real.
        if self.latest.is_some_and(|l| t > l) {
            self.stats.invalid += 1;
            self.refused = true;
            return false;
        }
        if self.config.max_clock_lead_s == 0 {
            self.refused = false;
            return true;
        }
        let lead = self.config.max_clock_lead_s as f64;
        if let Some(h) = self.held.take() {
            if secs(h.time(), t) >= -lead {
                self.apply(&h, out);
            } else {
                self.stats.invalid += 1;
            }
        }
        // Whatever applying the held report set, this one is not refused
        // (held, or applied next, where an untracked vessel still is).
        self.refused = false;
        if self.now.is_none_or(|n| secs(n, t) > lead) {
            self.held = Some(report());
            return false;
        }
        true
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

    /// Applies an admitted report.
    fn apply(&mut self, r: &Report, out: &mut Vec<Alert>) {
        match r {
            Report::Position(p) => self.position(p, out),
            Report::Static(s) => self.static_report(s, out),
        }
    }

    fn advance_clock(&mut self, t: Timestamp, out: &mut Vec<Alert>) {
        if self.now.is_none_or(|n| t > n) {
            self.now = Some(t);
        }
        let now = self.now.unwrap_or(t);
        if self.next_scan.is_some_and(|n| now < n) {
            return;
        }
        self.next_scan = Some(plus(now, self.config.gap_scan_interval_s.max(1)));
        let gap = self.config.ais_gap_s as f64;
        let due: Vec<(u32, Timestamp)> = self
            .vessels
            .values()
            .filter(|v| v.in_corridor() && v.det.gap.is_none())
            .filter_map(|v| {
                v.last_seen
                    .filter(|ls| secs(*ls, now) > gap)
                    .map(|ls| (v.mmsi, ls))
            })
            .collect();
        // Hash-map order is random per process: sort so alert ids are reproducible.
        let mut due = due;
        due.sort_unstable();
        self.end_conflicts(now, out);
        self.prune(now, out);
        for (mmsi, last) in due {
            self.open_gap(mmsi, last, now, out);
        }
    }

    /// Opens `ais_gap` for `mmsi`, silent from `last` to `now`.
    fn open_gap(&mut self, mmsi: u32, last: Timestamp, now: Timestamp, out: &mut Vec<Alert>) {
        let Some(v) = self.vessels.get(&mmsi) else {
            return;
        };
        {
            let (place, evidence) = match v.fix {
                Some(f) => (
                    Place {
                        lat: Some(f.pos.lat),
                        lon: Some(f.pos.lon),
                        area: self.zone_name(v),
                    },
                    vec![Evidence::Position(f.to_report(mmsi))],
                ),
                None => (
                    Place {
                        lat: None,
                        lon: None,
                        area: None,
                    },
                    vec![],
                ),
            };
            let detail = format!(
                "no report for more than {} s while in the corridor",
                self.config.ais_gap_s
            );
            let id = self.open_alert(
                AlertKind::AisGap,
                mmsi,
                last,
                now,
                place,
                detail,
                evidence,
                out,
            );
            if let Some(v) = self.vessels.get_mut(&mmsi) {
                v.det.gap = Some(id);
            }
        }
    }

    /// Close the MMSI conflicts whose other ship has been silent for
    /// `mmsi_conflict_quiet_s`, at its last report.
    fn end_conflicts(&mut self, now: Timestamp, out: &mut Vec<Alert>) {
        let quiet = self.config.mmsi_conflict_quiet_s as f64;
        let mut done: Vec<(u32, u64, Timestamp)> = self
            .vessels
            .values()
            .filter_map(|v| {
                let id = v.det.conflict?;
                let end = self.open.get(&id).map_or(now, |a| a.end);
                (secs(end, now) > quiet).then_some((v.mmsi, id, end))
            })
            .collect();
        done.sort_unstable_by_key(|d| d.1);
        for (mmsi, id, end) in done {
            if let Some(v) = self.vessels.get_mut(&mmsi) {
                v.det.conflict = None;
            }
            self.close_alert(id, end, None, out);
        }
    }

    /// Opens `mmsi_conflict`: `r` and the earlier jump `q` agree with each
    /// other, and the believed fix `f` came between them. Any open
    /// `impossible_jump` ends: the conflict now speaks for those reports.
    fn open_conflict(
        &mut self,
        r: &PositionReport,
        q: PositionReport,
        f: Fix,
        out: &mut Vec<Alert>,
    ) {
        let Some(v) = self.vessels.get_mut(&r.mmsi) else {
            return;
        };
        let jump = v.det.jump.take().map(|id| (id, v.det.jump_last));
        let claims = identity(v.name.as_deref(), v.imo)
            .map(|i| format!("; static data claims {i}"))
            .unwrap_or_default();
        let frozen_track = v.det.frozen;
        if let Some((id, last)) = jump {
            self.close_alert(id, last.unwrap_or(r.time), None, out);
        }
        // A place that never moves while its reports say the ship is under
        // way is not a second ship's track: a frozen or made-up fix. Either
        // place may be it: the second, or the first, which the track follows.
        let why = if q.lat == r.lat && q.lon == r.lon && moving(q.sog_kn) && moving(r.sog_kn) {
            format!(
                "the second place does not move though its reports say {:.1} kn: one transponder alternating with a frozen or false fix, or a spoofer",
                r.sog_kn.unwrap_or_default()
            )
        } else if frozen_track {
            format!(
                "the first place does not move though its reports say {:.1} kn: one transponder alternating with a frozen or false fix, which the track follows; the second place, which moves, may be the ship's real one",
                f.sog_kn.unwrap_or_default()
            )
        } else {
            "two ships share it".to_string()
        };
        let detail = format!(
            "MMSI {} reported alternately at ({:.4}, {:.4}) and ({:.4}, {:.4}), {:.1} nm apart: {why}; the track follows the first place{claims}",
            r.mmsi,
            f.pos.lat,
            f.pos.lon,
            r.lat,
            r.lon,
            distance_m(f.pos, r.pos()) / NM,
        );
        let place = Place {
            lat: Some(q.lat),
            lon: Some(q.lon),
            area: None,
        };
        let evidence = vec![
            Evidence::Position(f.to_report(r.mmsi)),
            Evidence::Position(q),
            Evidence::Position(*r),
        ];
        let id = self.open_alert(
            AlertKind::MmsiConflict,
            r.mmsi,
            q.time,
            r.time,
            place,
            detail,
            evidence,
            out,
        );
        if let Some(v) = self.vessels.get_mut(&r.mmsi) {
            v.det.conflict = Some(id);
        }
    }

    /// Drop stale encounter candidates (closing their alerts at the last
    /// time the pair was seen together) and forget long-silent vessels.
    fn prune(&mut self, now: Timestamp, out: &mut Vec<Alert>) {
        let stale_pair = 2.0 * self.config.encounter_max_fix_age_s as f64;
        let mut old: Vec<(u32, u32)> = self
            .pairs
            .iter()
            .filter(|(_, p)| secs(p.last, now) > stale_pair)
            .map(|(k, _)| *k)
            .collect();
        old.sort_unstable();
        for (a, b) in old {
            self.end_pair(a, b, out);
        }
        let forget = self.config.forget_after_s as f64;
        if forget <= 0.0 {
            return;
        }
        let gone: Vec<u32> = self
            .vessels
            .values()
            .filter(|v| !v.in_corridor() && v.last_seen.is_some_and(|ls| secs(ls, now) > forget))
            .filter(|v| {
                let d = &v.det;
                d.loiter.is_none()
                    && d.deviation.is_none()
                    && d.gap.is_none()
                    && d.jump.is_none()
                    && d.conflict.is_none()
                    && d.identity.is_none()
                    && d.partners.is_empty()
            })
            .map(|v| v.mmsi)
            .collect();
        for m in gone {
            if let Some(v) = self.vessels.remove(&m)
                && let Some(pt) = v.det.indexed
            {
                self.slow.remove(&GeomWithData::new(pt, m));
            }
        }
    }

    /// Close every open alert at `t` (end of a replay), newest first.
    /// `wall_clock`: the time where the replay runs, if the caller knows it.
    pub fn finish(&mut self, t: Timestamp, wall_clock: Option<Timestamp>, out: &mut Vec<Alert>) {
        self.advance_to(t, out);
        // Still held: nothing after it confirmed it, and nothing will. Within
        // the gap limit of the clock it is kept (a sparse log's last report:
        // moving the clock less than that cannot by itself raise a gap).
        // Farther ahead it is kept only if it is not in the future where the
        // replay runs (a ship heard again after a long silence, the end of a
        // recorded log), and for its own vessel only: the fleet's clock does
        // not jump with it (one bad time would find every other ship
        // silent), its own silence is its gap. A report from the future is
        // refused.
        if let Some(h) = self.held.take() {
            let gap = self.config.ais_gap_s as f64;
            let skew = self.config.max_clock_lead_s as f64;
            let in_the_past = wall_clock.is_some_and(|w| secs(w, h.time()) <= skew);
            if self.now.is_none_or(|n| secs(n, h.time()) <= gap) {
                self.apply(&h, out);
            } else if in_the_past {
                self.apply_alone(&h, out);
            } else {
                self.stats.invalid += 1;
            }
        }
        let mut ids: Vec<u64> = self.open.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            let end = self.open.get(&id).map_or(t, |a| a.end);
            self.close_alert(id, end, None, out);
        }
        for v in self.vessels.values_mut() {
            let d = &mut v.det;
            d.loiter = None;
            d.deviation = None;
            d.gap = None;
            d.jump = None;
            d.conflict = None;
            d.identity = None;
        }
        for p in self.pairs.values_mut() {
            p.alerts = None;
        }
    }

    /// Applies `r`, far ahead of the clock, to its own vessel only: the
    /// vessel's silence up to it is an `ais_gap` (if it was in the
    /// corridor), and no fleet-wide scan runs at its time.
    fn apply_alone(&mut self, r: &Report, out: &mut Vec<Alert>) {
        let t = r.time();
        if let Report::Position(p) = r
            && let Some(v) = self.vessels.get(&p.mmsi)
            && v.in_corridor()
            && v.det.gap.is_none()
            && let Some(last) = v.last_seen
            && secs(last, t) > self.config.ais_gap_s as f64
        {
            self.open_gap(p.mmsi, last, t, out);
        }
        // The scan is due after this report: none runs at its time.
        self.next_scan = Some(plus(t, self.config.gap_scan_interval_s.max(1)));
        self.apply(r, out);
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

    fn static_report(&mut self, r: &StaticReport, out: &mut Vec<Alert>) {
        if !self.room_for(r.mmsi) {
            return;
        }
        self.advance_clock(r.time, out);
        let v = self
            .vessels
            .entry(r.mmsi)
            .or_insert_with(|| Box::new(VesselState::new(r.mmsi)));
        if v.last_seen.is_some_and(|ls| r.time < ls) {
            self.stats.stale += 1;
            return;
        }
        self.stats.statics += 1;
        let gap_open = v.det.gap.take();
        // A silence in the corridor that no scan has caught yet ends here
        // all the same (the position after this report would find none).
        let gap_found_now = v.last_seen.filter(|ls| {
            gap_open.is_none()
                && v.in_corridor()
                && secs(*ls, r.time) > self.config.ais_gap_s as f64
        });
        v.last_seen = Some(r.time);
        if let Some(n) = r.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            v.name = Some(n.into());
        }
        if let Some(c) = r
            .callsign
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            v.callsign = Some(c.into());
        }
        if r.ship_type.is_some() {
            v.ship_type = r.ship_type;
        }
        let imo = r.imo.filter(|i| *i != 0);
        if imo.is_some() {
            v.imo = imo;
        }
        let conflict = v.det.conflict;
        let gap = match gap_found_now {
            Some(last) => {
                self.open_gap(r.mmsi, last, r.time, out);
                self.vessels.get_mut(&r.mmsi).and_then(|v| v.det.gap.take())
            }
            None => gap_open,
        };
        if let Some(id) = gap {
            self.close_alert(id, r.time, Some(Evidence::Static(r.clone())), out);
        }
        // A ship sharing the MMSI names itself: the conflict keeps each
        // identity claimed (the vessel's state only keeps the latest).
        let claim = identity(r.name.as_deref(), imo);
        if let Some(id) = conflict
            && let Some(claim) = claim
            && let Some(a) = self.open.get_mut(&id)
            && !a.detail.contains(&claim)
            && a.detail.len() < MAX_CONFLICT_DETAIL
        {
            let _ = write!(a.detail, "; also {claim}");
            push_evidence(
                &mut a.evidence,
                Evidence::Static(r.clone()),
                self.config.max_evidence,
            );
        }
        // Link and check identity.
        let by_mmsi = self.registry.by_mmsi(r.mmsi);
        let by_imo = imo.and_then(|i| self.registry.by_imo(i));
        let mismatch = match (imo, by_imo, by_mmsi) {
            (Some(i), Some(reg), _) if reg.mmsi.is_some_and(|m| m != r.mmsi) => Some(format!(
                "MMSI {} claims IMO {i}, registered to MMSI {}",
                r.mmsi,
                reg.mmsi.unwrap_or_default()
            )),
            (Some(i), _, Some(reg)) if reg.imo.is_some_and(|ri| ri != i) => Some(format!(
                "MMSI {} is registered with IMO {} but claims IMO {i}",
                r.mmsi,
                reg.imo.unwrap_or_default()
            )),
            _ => None,
        };
        let registered = match (&mismatch, by_mmsi, by_imo) {
            (None, Some(reg), _) | (None, None, Some(reg)) => Some(reg.key),
            (Some(_), Some(reg), _) => Some(reg.key),
            _ => None,
        };
        let Some(v) = self.vessels.get_mut(&r.mmsi) else {
            return;
        };
        v.registered = registered.or(v.registered);
        let ev = Evidence::Static(r.clone());
        match (mismatch, v.det.identity) {
            (Some(_), Some(id)) => {
                v.det.identity_last = Some(r.time);
                self.extend_alert(id, r.time, Some(ev));
            }
            (Some(detail), None) => {
                let place = v.fix.map_or(
                    Place {
                        lat: None,
                        lon: None,
                        area: None,
                    },
                    |f| Place {
                        lat: Some(f.pos.lat),
                        lon: Some(f.pos.lon),
                        area: None,
                    },
                );
                let mmsi = r.mmsi;
                let id = self.open_alert(
                    AlertKind::IdentityMismatch,
                    mmsi,
                    r.time,
                    r.time,
                    place,
                    detail,
                    vec![ev],
                    out,
                );
                if let Some(v) = self.vessels.get_mut(&mmsi) {
                    v.det.identity = Some(id);
                    v.det.identity_last = Some(r.time);
                }
            }
            (None, Some(id)) if imo.is_some() => {
                let end = v.det.identity_last.unwrap_or(r.time);
                v.det.identity = None;
                self.close_alert(id, end, None, out);
            }
            (None, _) => {}
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

    fn position(&mut self, r: &PositionReport, out: &mut Vec<Alert>) {
        let r = *r;
        if !self.room_for(r.mmsi) {
            return;
        }
        self.advance_clock(r.time, out);
        let cfg = &self.config;
        let v = self
            .vessels
            .entry(r.mmsi)
            .or_insert_with(|| Box::new(VesselState::new(r.mmsi)));
        // Stale: not newer than the believed fix. (Statics do not count: a
        // position in the same second as a type 5 is normal.)
        if v.fix.is_some_and(|f| r.time <= f.time) {
            self.stats.stale += 1;
            return;
        }
        if v.last_seen.is_none() {
            // Link by MMSI at first sight; static reports refresh the link.
            v.registered = self.registry.by_mmsi(r.mmsi).map(|reg| reg.key);
        }
        let prev_seen = v.last_seen;
        // A position may share its second with (or trail) a static report:
        // the clock of the vessel never goes backwards.
        v.last_seen = Some(prev_seen.map_or(r.time, |ls| ls.max(r.time)));
        let in_corridor = v.in_corridor();
        let gap_open = v.det.gap.take();
        let jump = v
            .fix
            .and_then(|f| implausible(cfg, f.pos, f.time, &r).map(|(d, dt)| (f, d, dt)));
        // A run of jumps that agree with one another is a rival track; when it
        // outnumbers the believed one, the believed position was the outlier.
        let need = cfg.reanchor_fixes;
        // A jump that agrees with the previous one (`other`) is the other
        // ship's; with a believed fix between them (run 0), recently, the
        // reports alternate between two ships: an MMSI conflict.
        let mut other = None;
        let mut alternates = false;
        let reanchor = match jump {
            Some(_) => {
                let run = match v.det.rival {
                    Some((q, n)) if implausible(cfg, q.pos(), q.time, &r).is_none() => {
                        other = Some(q);
                        alternates =
                            n == 0 && secs(q.time, r.time) <= cfg.mmsi_conflict_quiet_s as f64;
                        n.saturating_add(1)
                    }
                    _ => 1,
                };
                v.det.rival = Some((r, run));
                need > 0 && run >= need.max(2) && run > v.det.support
            }
            None => false,
        };
        let conflict = v.det.conflict;
        let ev = Evidence::Position(r);

        // ais_gap: close an open one, or raise one found only now.
        if let Some(id) = gap_open {
            self.close_alert(id, r.time, Some(ev.clone()), out);
        } else if let Some(ls) = prev_seen
            && in_corridor
            && secs(ls, r.time) > self.config.ais_gap_s as f64
        {
            let Some(v) = self.vessels.get(&r.mmsi) else {
                return;
            };
            let place = v.fix.map_or(
                Place {
                    lat: Some(r.lat),
                    lon: Some(r.lon),
                    area: None,
                },
                |f| Place {
                    lat: Some(f.pos.lat),
                    lon: Some(f.pos.lon),
                    area: self.zone_name(v),
                },
            );
            let mut evidence: Vec<Evidence> = v
                .fix
                .map(|f| Evidence::Position(f.to_report(r.mmsi)))
                .into_iter()
                .collect();
            evidence.push(ev.clone());
            let detail = format!(
                "no report for {:.0} s while in the corridor",
                secs(ls, r.time)
            );
            let id = self.open_alert(
                AlertKind::AisGap,
                r.mmsi,
                ls,
                r.time,
                place,
                detail,
                evidence,
                out,
            );
            self.close_alert(id, r.time, None, out);
        }

        // mmsi_conflict: the other ship's reports are one alert, not a jump each.
        if let Some((f, ..)) = jump
            && !reanchor
            && let Some(q) = other
            && (conflict.is_some() || alternates)
        {
            self.stats.jumps += 1;
            match conflict {
                Some(id) => self.extend_alert(id, r.time, Some(ev)),
                None => self.open_conflict(&r, q, f, out),
            }
            return;
        }

        // impossible_jump: flag it, and do not believe it.
        if let Some((f, d, dt)) = jump
            && !reanchor
        {
            self.stats.jumps += 1;
            let v = self.vessels.get_mut(&r.mmsi).map(|v| {
                v.det.jump_last = Some(r.time);
                v.det.jump
            });
            match v.flatten() {
                Some(id) => self.extend_alert(id, r.time, Some(ev)),
                None => {
                    let detail = format!(
                        "{:.1} nm in {:.0} s ({:.0} kn) from the believed position; position not believed",
                        d / NM,
                        dt,
                        if dt > 0.0 {
                            d / dt / KNOT_MPS
                        } else {
                            f64::INFINITY
                        }
                    );
                    let evidence = vec![Evidence::Position(f.to_report(r.mmsi)), ev];
                    let place = Place {
                        lat: Some(r.lat),
                        lon: Some(r.lon),
                        area: None,
                    };
                    let id = self.open_alert(
                        AlertKind::ImpossibleJump,
                        r.mmsi,
                        r.time,
                        r.time,
                        place,
                        detail,
                        evidence,
                        out,
                    );
                    if let Some(v) = self.vessels.get_mut(&r.mmsi) {
                        v.det.jump = Some(id);
                    }
                }
            }
            return;
        }
        if let Some((outlier, ..)) = jump {
            self.reanchor(&r, outlier, out);
        } else if let Some(v) = self.vessels.get_mut(&r.mmsi)
            && let Some(id) = v.det.jump.take()
        {
            let end = v.det.jump_last.unwrap_or(r.time);
            self.close_alert(id, end, None, out);
        }

        self.stats.positions += 1;
        // Believe it.
        let tau = self.config.speed_time_constant_s.max(1) as f64;
        let gap = self.config.ais_gap_s as f64;
        if let Some(v) = self.vessels.get_mut(&r.mmsi) {
            v.det.believed = v.det.believed.saturating_add(1);
            v.det.support = match (reanchor, v.fix) {
                (true, _) => v.det.rival.map_or(1, |(_, n)| n),
                (false, Some(f)) if secs(f.time, r.time) <= gap => v.det.support.saturating_add(1),
                (false, _) => 1,
            };
            // The latest jump is remembered (run 0: a believed fix came
            // since), to see the reports come back to it. A re-anchoring
            // disowns the old track: in a conflict it is the other ship's,
            // otherwise it was an outlier, forgotten.
            v.det.rival = match (reanchor, v.fix) {
                (true, Some(f)) if v.det.conflict.is_some() => Some((f.to_report(r.mmsi), 0)),
                (true, _) => None,
                (false, _) => v.det.rival.map(|(q, _)| (q, 0)),
            };
            if let Some(s) = r.sog_kn {
                v.avg_speed_kn = Some(match (v.avg_speed_kn, v.fix) {
                    (Some(avg), Some(f)) => {
                        let a = 1.0 - (-(secs(f.time, r.time)) / tau).exp();
                        avg + (a as f32) * (s - avg)
                    }
                    _ => s,
                });
            }
            // Not the same broadcast heard twice: in the time between, the
            // speed both claim would have moved the ship measurably.
            v.det.frozen = v.fix.is_some_and(|f| {
                f.pos == r.pos()
                    && moving(f.sog_kn)
                    && moving(r.sog_kn)
                    && f64::from(r.sog_kn.unwrap_or_default()) * KNOT_MPS * secs(f.time, r.time)
                        >= FROZEN_FIX_MIN_MOVE_M
            });
            v.fix = Some(Fix::from_report(&r));
        }
        self.update_zones(&r, out);
        self.update_loitering(&r, out);
        self.update_encounters(&r, out);
    }

    /// The believed position `outlier` is disowned: `r` ends a run of
    /// consecutive, mutually consistent reports that each jumped from it.
    /// The open `impossible_jump` alert is re-aimed at the outlier (its time
    /// and place, ending at `r`) and closed; zones and speeds derived from the
    /// outlier are forgotten, so `r` counts as the vessel's first sight
    /// (nothing is "entered" on a teleport). The caller then believes `r`.
    fn reanchor(&mut self, r: &PositionReport, outlier: Fix, out: &mut Vec<Alert>) {
        let Some(v) = self.vessels.get_mut(&r.mmsi) else {
            return;
        };
        let run = v.det.rival.map_or(1, |(_, n)| n);
        let conflict = v.det.conflict;
        v.avg_speed_kn = None;
        v.det.zone_eval = None;
        // The disowned track was all the vessel had (a bad first fix): the
        // new one is its first sight.
        if v.det.believed <= u32::from(v.det.support) {
            v.det.placed = false;
        }
        if v.det.deviation.is_none() {
            v.zone = Zone::Unknown;
            v.last_zone = LastZone::None;
            v.areas = [u32::MAX; MAX_AREAS];
        }
        if v.det.loiter.is_none() {
            v.det.slow_since = None;
            v.det.slow_last = None;
            v.det.slow_first = None;
        }
        // Two ships share the MMSI: the track follows the one heard now; the
        // other was no outlier, and the conflict alert already says so.
        if let Some(id) = conflict {
            self.extend_alert(id, r.time, Some(Evidence::Position(*r)));
            return;
        }
        let open = v.det.jump.take();
        let detail = format!(
            "believed position ({:.4}, {:.4}) contradicted by the {run} consistent reports after it; track re-anchored on them",
            outlier.pos.lat, outlier.pos.lon
        );
        let place = Place {
            lat: Some(outlier.pos.lat),
            lon: Some(outlier.pos.lon),
            area: None,
        };
        let ev = Evidence::Position(*r);
        let id = match open.filter(|id| self.open.contains_key(id)) {
            Some(id) => {
                if let Some(a) = self.open.get_mut(&id) {
                    a.start = outlier.time;
                    a.place = place;
                    a.detail = detail;
                }
                id
            }
            None => self.open_alert(
                AlertKind::ImpossibleJump,
                r.mmsi,
                outlier.time,
                r.time,
                place,
                detail,
                vec![Evidence::Position(outlier.to_report(r.mmsi))],
                out,
            ),
        };
        self.close_alert(id, r.time, Some(ev), out);
    }

    fn update_zones(&mut self, r: &PositionReport, out: &mut Vec<Alert>) {
        let c = Arc::clone(&self.corridor);
        let hyst = self.config.boundary_hysteresis_m;
        let dev_m = self.config.deviation_nm * NM;
        let p = r.pos();
        let Some(v) = self.vessels.get(&r.mmsi) else {
            return;
        };
        // Safe radius: closer to the last evaluation than the nearest lane
        // threshold or area boundary, nothing can have changed. Skipping the
        // geometry here is what keeps the per-report cost low.
        if let Some((q, margin)) = v.det.zone_eval
            && approx_distance_m(p, q) < f64::from(margin) * 0.9 - 25.0
        {
            if let (Zone::Deviating, Some(id)) = (v.zone, v.det.deviation) {
                self.extend_alert(id, r.time, Some(Evidence::Position(*r)));
                if let Some(v) = self.vessels.get_mut(&r.mmsi) {
                    v.det.deviation_last = Some(r.time);
                }
            }
            return;
        }
        let first = v.zone == Zone::Unknown;
        let never_placed = !v.det.placed;
        let prev_areas: Vec<AreaId> = v.areas().collect();
        // Area membership with hysteresis: stay "in" until clearly out.
        let mut now_areas: Vec<AreaId> = c.areas_at(p).map(|a| a.id).collect();
        for a in &prev_areas {
            if !now_areas.contains(a) && c.distance_to_area_m(p, *a, hyst).is_some() {
                now_areas.push(*a);
            }
        }
        now_areas.truncate(MAX_AREAS);
        let kind_of = |a: &AreaId| c.area(*a).map(|a| a.kind);
        let widest = c
            .lanes()
            .iter()
            .map(|l| l.half_width_m())
            .fold(0.0, f64::max);
        let lane: Option<LaneHit> = c.nearest_lane(p, widest + dev_m + hyst);
        let staying = v.zone == Zone::Inside;
        let in_lane =
            lane.filter(|h| h.cross_m <= h.half_width_m + if staying { hyst } else { 0.0 });
        let c_area = now_areas.iter().copied().find(|a| {
            matches!(
                kind_of(a),
                Some(AreaKind::InspectionArea | AreaKind::WaitingArea)
            )
        });
        let port = now_areas
            .iter()
            .copied()
            .find(|a| kind_of(a) == Some(AreaKind::PortApproach));
        let anchorage = now_areas
            .iter()
            .copied()
            .find(|a| kind_of(a) == Some(AreaKind::Anchorage));
        let in_c = c_area.is_some() || in_lane.is_some();
        let name_area = |a: AreaId| c.area(a).map(|a| a.name.clone());
        let name_lane = |h: &LaneHit| c.lane(h.lane).map(|l| l.name.clone());

        // area_arrival: inspection areas (and the anchorages and waiting
        // areas where ships wait for inspection, `queue_arrival`) and ports
        // newly entered; and such an area a vessel is in when first seen
        // at all (it arrived before tracking saw it: the queue counts from
        // an arrival, a port call does not need one). Not again after a
        // re-anchored track.
        for a in &now_areas {
            let queue = c.area(*a).is_some_and(|x| x.queue_arrival);
            let arrived = if first {
                never_placed && queue
            } else {
                !prev_areas.contains(a) && (queue || kind_of(a) == Some(AreaKind::PortApproach))
            };
            if arrived {
                let area = c.area(*a);
                let detail = format!(
                    "{} {} {}",
                    if first { "first seen in" } else { "arrived at" },
                    area.map_or("", |a| a.kind.as_str()),
                    area.and_then(|a| a.locode.clone()).unwrap_or_default()
                );
                self.point_event(
                    AlertKind::AreaArrival,
                    r.mmsi,
                    r,
                    name_area(*a),
                    detail.trim().to_owned(),
                    out,
                );
            }
        }

        let Some(v) = self.vessels.get(&r.mmsi) else {
            return;
        };
        let (zone, last_zone, deviation) = (v.zone, v.last_zone, v.det.deviation);
        let mut new_zone = zone;
        let mut new_last = last_zone;
        if let Some(a) = c_area {
            new_last = LastZone::Area(a);
        } else if let Some(h) = &in_lane {
            new_last = LastZone::Lane(h.lane);
        }
        match zone {
            Zone::Unknown => new_zone = if in_c { Zone::Inside } else { Zone::Outside },
            Zone::Outside => {
                if in_c {
                    new_zone = Zone::Inside;
                    let place = c_area
                        .and_then(name_area)
                        .or_else(|| in_lane.as_ref().and_then(name_lane));
                    self.point_event(
                        AlertKind::CorridorEntry,
                        r.mmsi,
                        r,
                        place,
                        "entered the corridor".into(),
                        out,
                    );
                }
            }
            Zone::Inside if !in_c => {
                if let Some(pa) = port {
                    new_zone = Zone::Outside;
                    new_last = LastZone::None;
                    self.point_event(
                        AlertKind::CorridorExit,
                        r.mmsi,
                        r,
                        name_area(pa),
                        "left the corridor into a port".into(),
                        out,
                    );
                } else if let Some(an) = anchorage {
                    new_last = LastZone::Anchorage(an);
                } else if let LastZone::Area(a) = last_zone {
                    new_zone = Zone::Outside;
                    new_last = LastZone::None;
                    self.point_event(
                        AlertKind::CorridorExit,
                        r.mmsi,
                        r,
                        name_area(a),
                        "left the corridor".into(),
                        out,
                    );
                } else if lane.as_ref().is_none_or(|h| h.outside_by_m() > dev_m) {
                    new_zone = Zone::Deviating;
                    let detail = match &lane {
                        Some(h) => format!(
                            "{:.2} nm outside {} (tolerance {:.2} nm)",
                            h.outside_by_m() / NM,
                            name_lane(h).unwrap_or_default(),
                            self.config.deviation_nm
                        ),
                        None => "far from every lane".to_owned(),
                    };
                    let place = Place {
                        lat: Some(r.lat),
                        lon: Some(r.lon),
                        area: self.zone_name(v),
                    };
                    let id = self.open_alert(
                        AlertKind::Deviation,
                        r.mmsi,
                        r.time,
                        r.time,
                        place,
                        detail,
                        vec![Evidence::Position(*r)],
                        out,
                    );
                    if let Some(v) = self.vessels.get_mut(&r.mmsi) {
                        v.det.deviation = Some(id);
                        v.det.deviation_last = Some(r.time);
                    }
                }
            }
            Zone::Inside => {}
            Zone::Deviating => {
                if in_c || port.is_some() || anchorage.is_some() {
                    if let Some(id) = deviation {
                        let end = v.det.deviation_last.unwrap_or(r.time);
                        self.close_alert(id, end, Some(Evidence::Position(*r)), out);
                    }
                    if let Some(v) = self.vessels.get_mut(&r.mmsi) {
                        v.det.deviation = None;
                    }
                    new_zone = Zone::Inside;
                    if !in_c && let Some(pa) = port {
                        new_zone = Zone::Outside;
                        new_last = LastZone::None;
                        self.point_event(
                            AlertKind::CorridorExit,
                            r.mmsi,
                            r,
                            name_area(pa),
                            "left the corridor into a port".into(),
                            out,
                        );
                    } else if !in_c && let Some(an) = anchorage {
                        new_last = LastZone::Anchorage(an);
                    }
                } else if let Some(id) = deviation {
                    self.extend_alert(id, r.time, Some(Evidence::Position(*r)));
                    if let Some(v) = self.vessels.get_mut(&r.mmsi) {
                        v.det.deviation_last = Some(r.time);
                    }
                }
            }
        }
        // How far until a threshold could be crossed: lane edge (with and
        // without hysteresis), deviation limit, search radius, area boundaries.
        let search = widest + dev_m + hyst;
        let lane_margin = match &lane {
            Some(h) => [
                h.half_width_m,
                h.half_width_m + hyst,
                h.half_width_m + dev_m,
            ]
            .iter()
            .map(|t| (h.cross_m - t).abs())
            .fold(search - h.cross_m, f64::min),
            None => dev_m,
        };
        let area_margin = c.nearest_boundary_m(p, 20_000.0) - hyst;
        let margin = lane_margin.min(area_margin).max(0.0);
        if let Some(v) = self.vessels.get_mut(&r.mmsi) {
            v.det.zone_eval = Some((p, margin as f32));
            v.det.placed = true;
            v.zone = new_zone;
            v.last_zone = new_last;
            v.areas = [u32::MAX; MAX_AREAS];
            for (slot, a) in v.areas.iter_mut().zip(&now_areas) {
                *slot = a.0;
            }
        }
    }

    fn update_loitering(&mut self, r: &PositionReport, out: &mut Vec<Alert>) {
        let Some(sog) = r.sog_kn else { return };
        let c = Arc::clone(&self.corridor);
        let Some(v) = self.vessels.get(&r.mmsi) else {
            return;
        };
        let exempt = v.areas().any(|a| {
            c.area(a)
                .is_some_and(|a| self.config.loiter_exempt.contains(&a.kind))
        });
        let slow = f64::from(sog) < self.config.loiter_speed_kn && !exempt;
        let min = self.config.loiter_min_s as f64;
        let (since, open, last) = (v.det.slow_since, v.det.loiter, v.det.slow_last);
        if slow {
            let since = since.unwrap_or(r.time);
            if let Some(v) = self.vessels.get_mut(&r.mmsi) {
                v.det.slow_since = Some(since);
                v.det.slow_last = Some(r.time);
                if v.det.slow_first.is_none() {
                    v.det.slow_first = Some(*r);
                }
            }
            match open {
                Some(id) => self.extend_alert(id, r.time, Some(Evidence::Position(*r))),
                None if secs(since, r.time) > min => {
                    let first = self
                        .vessels
                        .get(&r.mmsi)
                        .and_then(|v| v.det.slow_first)
                        .unwrap_or(*r);
                    let place = Place {
                        lat: Some(first.lat),
                        lon: Some(first.lon),
                        area: None,
                    };
                    let detail = format!(
                        "below {} kn for more than {} s outside ports, anchorages and waiting areas",
                        self.config.loiter_speed_kn, self.config.loiter_min_s
                    );
                    let evidence = vec![Evidence::Position(first), Evidence::Position(*r)];
                    let id = self.open_alert(
                        AlertKind::Loitering,
                        r.mmsi,
                        since,
                        r.time,
                        place,
                        detail,
                        evidence,
                        out,
                    );
                    if let Some(v) = self.vessels.get_mut(&r.mmsi) {
                        v.det.loiter = Some(id);
                    }
                }
                None => {}
            }
        } else {
            if let Some(id) = open {
                self.close_alert(
                    id,
                    last.unwrap_or(r.time),
                    Some(Evidence::Position(*r)),
                    out,
                );
            }
            if let Some(v) = self.vessels.get_mut(&r.mmsi) {
                v.det.loiter = None;
                v.det.slow_since = None;
                v.det.slow_last = None;
                v.det.slow_first = None;
            }
        }
    }

    fn update_encounters(&mut self, r: &PositionReport, out: &mut Vec<Alert>) {
        let c = Arc::clone(&self.corridor);
        // Shared, not cloned: a clone would allocate its lists on every report.
        let cfg = Arc::clone(&self.config);
        let p = r.pos();
        let slow = r
            .sog_kn
            .is_some_and(|s| f64::from(s) < cfg.encounter_speed_kn);
        let eligible = slow
            && c.near_kind(p, &cfg.encounter_exempt, 0.0).is_none()
            && c.near_kind(
                p,
                &[AreaKind::Anchorage, AreaKind::PortApproach],
                cfg.encounter_anchorage_distance_m,
            )
            .is_none();
        let Some(v) = self.vessels.get_mut(&r.mmsi) else {
            return;
        };
        // Keep the R-tree holding exactly the eligible vessels' latest fixes.
        if let Some(old) = v.det.indexed.take() {
            self.slow.remove(&GeomWithData::new(old, r.mmsi));
        }
        let mut close_now: Vec<u32> = Vec::new();
        let mut near: Vec<(f64, u32)> = Vec::new();
        if eligible {
            let pt = [p.lon, p.lat];
            v.det.indexed = Some(pt);
            self.slow.insert(GeomWithData::new(pt, r.mmsi));
            let d = cfg.encounter_distance_m;
            let dlat = d / 110_500.0 * 1.02;
            let dlon = dlat / p.lat.abs().min(89.0).to_radians().cos();
            let env = rstar::AABB::from_corners(
                [p.lon - dlon, p.lat - dlat],
                [p.lon + dlon, p.lat + dlat],
            );
            let max_age = cfg.encounter_max_fix_age_s as f64;
            for n in self.slow.locate_in_envelope(&env) {
                if n.data == r.mmsi {
                    continue;
                }
                let Some(w) = self.vessels.get(&n.data) else {
                    continue;
                };
                let Some(wf) = w.fix else { continue };
                if secs(wf.time, r.time).abs() > max_age {
                    continue;
                }
                let dist = distance_m(wf.pos, p);
                if dist <= d {
                    near.push((dist, n.data));
                }
            }
            // The nearest few only (see `max_encounter_partners`).
            near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            close_now.extend(
                near.iter()
                    .take(cfg.max_encounter_partners)
                    .map(|(_, m)| *m),
            );
        }
        // Pairs with this vessel that are no longer close end here.
        let partners = self
            .vessels
            .get(&r.mmsi)
            .map(|v| v.det.partners.clone())
            .unwrap_or_default();
        // Still within the distance, though not among this vessel's nearest:
        // the pair the other one made stands, unless this vessel is in more
        // than twice as many pairs as it may make (a crowd whose nearest
        // keep changing), when only its nearest stay.
        let crowded = partners.len() > 2 * cfg.max_encounter_partners;
        for other in partners {
            let apart = !near.iter().any(|(_, m)| *m == other);
            if apart || (crowded && !close_now.contains(&other)) {
                self.end_pair(r.mmsi, other, out);
            }
        }
        let min = cfg.encounter_min_s as f64;
        for other in close_now {
            let key = (r.mmsi.min(other), r.mmsi.max(other));
            let other_fix = self
                .vessels
                .get(&other)
                .and_then(|w| w.fix)
                .map(|f| f.to_report(other));
            let pair = self.pairs.entry(key).or_insert_with(|| Pair {
                start: r.time,
                last: r.time,
                place: p,
                evidence: [Some(*r), other_fix],
                alerts: None,
            });
            pair.last = r.time;
            let (start, place, alerts) = (pair.start, pair.place, pair.alerts);
            let evidence: Vec<Evidence> = pair
                .evidence
                .iter()
                .flatten()
                .map(|e| Evidence::Position(*e))
                .collect();
            for (a, b) in [(r.mmsi, other), (other, r.mmsi)] {
                if let Some(v) = self.vessels.get_mut(&a)
                    && !v.det.partners.contains(&b)
                {
                    v.det.partners.push(b);
                }
            }
            match alerts {
                Some((x, y)) => {
                    self.extend_alert(x, r.time, None);
                    self.extend_alert(y, r.time, None);
                }
                None if secs(start, r.time) >= min => {
                    let detail = format!(
                        "within {} m at under {} kn for at least {} s, away from anchorages",
                        self.config.encounter_distance_m,
                        self.config.encounter_speed_kn,
                        self.config.encounter_min_s
                    );
                    let pl = Place {
                        lat: Some(place.lat),
                        lon: Some(place.lon),
                        area: None,
                    };
                    let mut ids = [0u64; 2];
                    for (i, (a, b)) in [(key.0, key.1), (key.1, key.0)].into_iter().enumerate() {
                        let mut ev = evidence.clone();
                        ev.push(Evidence::Position(*r));
                        let id = self.open_alert(
                            AlertKind::Encounter,
                            a,
                            start,
                            r.time,
                            pl.clone(),
                            detail.clone(),
                            ev,
                            out,
                        );
                        if let Some(al) = self.open.get_mut(&id) {
                            al.other_mmsi = Some(b);
                        }
                        if let Some(last) = out.last_mut() {
                            last.other_mmsi = Some(b);
                        }
                        ids[i] = id;
                    }
                    if let Some(pair) = self.pairs.get_mut(&key) {
                        pair.alerts = Some((ids[0], ids[1]));
                    }
                }
                None => {}
            }
        }
    }

    fn end_pair(&mut self, a: u32, b: u32, out: &mut Vec<Alert>) {
        let key = (a.min(b), a.max(b));
        if let Some(pair) = self.pairs.remove(&key)
            && let Some((x, y)) = pair.alerts
        {
            self.close_alert(x, pair.last, None, out);
            self.close_alert(y, pair.last, None, out);
        }
        for (m, other) in [(a, b), (b, a)] {
            if let Some(v) = self.vessels.get_mut(&m) {
                v.det.partners.retain(|p| *p != other);
                if v.det.partners.is_empty() {
                    v.det.partners = Vec::new();
                }
            }
        }
    }
}
