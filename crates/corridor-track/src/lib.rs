//! # corridor-track: vessel state, the corridor monitor, and the simulator
//!
//! ## Purpose
//! The coordination centre "technically monitors" every ship in the
//! corridor. This crate is the pure core of that: it turns a time-ordered
//! stream of position and static reports into per-vessel state and into
//! events and alerts a coordinator can trust, each with the vessel, the
//! times, the place and the evidence (the reports that triggered it). It
//! also holds the AIS simulator's kinematics ([`sim`]), which produces
//! realistic reports with injected anomalies and the ground truth for them.
//!
//! ## API boundary
//! - Input: [`PositionReport`] and [`StaticReport`] (or [`Report`]), the
//!   crate's own types, so it does not depend on the AIS codec. The ingest
//!   adapter maps decoded AIS messages onto them (sentinels → `None`).
//! - [`Monitor::new`]`(Arc<Corridor>, MonitorConfig, registry)`; then
//!   [`Monitor::on_position`], [`Monitor::on_static`] and
//!   [`Monitor::advance_to`] (a clock tick, so silence is noticed without new
//!   reports), each appending [`Alert`]s to a caller's `Vec`;
//!   [`Monitor::finish`] at the end of a replay. Queries:
//!   [`Monitor::vessel`], [`Monitor::vessels`], [`Monitor::eta`], [`Monitor::eta_next`],
//!   [`Monitor::open_alerts`], [`Monitor::stats`].
//! - The registry of registered vessels is the caller's: anything that
//!   implements [`Registry`] (by MMSI, by IMO); [`MapRegistry`] is a simple one.
//! - Alerts are emitted when detected (`open: true`) and again, same `id`,
//!   when they end (`open: false`): upsert by `id`. Point events (entry,
//!   exit, arrival) come once, closed. Serialized, every alert has `kind`,
//!   `mmsi`, `start`, `end` (RFC 3339), `place`, `evidence`.
//! - No I/O, no async, no threads, no clock reads: the caller owns all of that.
//!
//! ## The rules (thresholds in [`MonitorConfig`], defaults in brackets)
//! - **Corridor** = within a lane's half-width, or inside an inspection or
//!   waiting area. `corridor_entry` when a vessel seen outside comes in (a
//!   vessel first seen inside enters silently: we did not see it enter).
//! - `corridor_exit`: leaving the corridor from an inspection/waiting area
//!   into open water, or from a lane into a port approach. Leaving a lane
//!   into an anchorage keeps the vessel "in" (it is allowed there).
//! - `deviation`: a vessel in the corridor more than `deviation_nm` [1 nm]
//!   beyond a lane's edge and in no allowed area (inspection, waiting,
//!   anchorage, port approach); ends when it is back in the corridor or in an
//!   allowed area. Between the edge and the limit nothing happens (tolerance).
//! - Boundaries have `boundary_hysteresis_m` [100 m] so GPS noise on an edge
//!   does not flap entry/exit/arrival.
//! - `ais_gap`: no report (of any kind) for more than `ais_gap_s` [4 h] while
//!   in the corridor or waiting; opened by the clock, closed by the next report.
//! - `loitering`: SOG below `loiter_speed_kn` [0.5] for more than
//!   `loiter_min_s` [1 h] outside ports, anchorages, waiting and inspection areas.
//! - `encounter`: two vessels within `encounter_distance_m` [500 m], both
//!   below `encounter_speed_kn` [2 kn], for at least `encounter_min_s` [2 h],
//!   at least `encounter_anchorage_distance_m` [10 km] from anchorages and
//!   ports (Global Fishing Watch's definition); one alert per vessel, each
//!   naming the other. Neighbours come from an R-tree of slow vessels.
//! - `identity_mismatch`: a static report claims an IMO registered to another
//!   MMSI, or a registered MMSI claims another IMO; lasts while the claim does.
//! - `impossible_jump`: a fix farther from the believed position than
//!   `max_speed_kn` [50 kn] × elapsed time + `jump_slack_m` [1 km]. Flagged
//!   and **not believed**: it changes no position, zone or speed state.
//!   Unless the believed position is the outlier (a bad first fix, 0°N
//!   0°E): when `reanchor_fixes` (3) consecutive jumps agree with one
//!   another and outnumber the believed track's consecutive fixes (a fix
//!   after a silence over `ais_gap_s` starts a new track), the track is
//!   re-anchored on them; the alert is re-aimed at the outlier (its time and
//!   place, ending at the re-anchoring) and closed, and the vessel's zones
//!   start afresh there (no entry or arrival for the teleport).
//! - `mmsi_conflict`: one MMSI's reports alternating between two places
//!   no ship could travel between (two ships transmitting it): an impossible
//!   jump that agrees with an earlier one (plausible from it), with a
//!   believed fix between them and not more than `mmsi_conflict_quiet_s`
//!   [4 h] after it. The first such jump is an `impossible_jump` (nothing
//!   yet says why); from the second, one alert stands for them, with both
//!   places and every name/IMO the static reports claim during it, and no
//!   `impossible_jump` is raised for the other ship's reports. The track
//!   keeps following the believed ship (a run of the other's re-anchors it
//!   as usual, silently). It ends, at the other ship's last report, when
//!   that one has been silent for `mmsi_conflict_quiet_s`.
//! - `area_arrival`: entering an inspection area or a port approach; or
//!   already in an inspection area at the vessel's first sight ("first
//!   seen in": it arrived before; not again for a re-anchored track, unless
//!   the track it disowned was all there was).
//! - `skipped_inspection`: a vessel the caller's [`InspectionsDue`] names
//!   (clearance knows who awaits an inspection; set it with
//!   [`Monitor::set_inspections_due`]), by its MMSI or the IMO its AIS
//!   names, that goes where only an inspected vessel may. Bound in: it
//!   arrives at a port approach, is first seen in one (a dark transit), or,
//!   having reached one before its AIS named any IMO, names a due one there
//!   (checked once: a vessel long in port whose next voyage is applied for
//!   has skipped nothing). Bound out: having been
//!   in the corridor or a port while due, it is more than `skipped_exit_nm`
//!   [3 nm] from every lane and area (crossing open water between two
//!   areas, or drifting off an anchorage, is not leaving). A point event,
//!   once per vessel and place while it stays due (judged afresh once it
//!   is due again); its detail says what the caller said of it (which
//!   application, where it stands). An anomaly, not routine.
//! - Speed-based rules (loitering, encounter) use the reported SOG; a report
//!   without SOG neither starts nor ends them.
//!
//! ## Invariants
//! - Event time only: no wall-clock reads anywhere; time advances with the
//!   reports and with `advance_to`. Same input, same output.
//! - The clock has a sanity bound (`max_clock_lead_s` [600 s]): a report
//!   dated further ahead of it, or the first of all, is held until the next
//!   report confirms the time (then both apply, in arrival order) or
//!   disowns it (counted invalid). One report dated a day ahead moves no
//!   clock, raises no `ais_gap` and makes no real report stale.
//! - An impossible jump never moves the believed position; only a run of
//!   consistent ones, longer than the believed track's, re-anchors it.
//! - Reports older than (or as old as) a vessel's latest are counted stale and
//!   ignored; unusable positions are counted invalid. Nothing panics on input.
//! - Every alert has `start <= end` and at least one evidence report;
//!   evidence is bounded (`max_evidence`).
//! - Live state is under 1 KiB per tracked vessel (fixed-size state, small
//!   heap: names, a partner list), checked by a test on `size_of` plus heap.
//! - Zone geometry is only re-evaluated when a vessel has moved farther than
//!   its "safe radius" (the distance to the nearest lane threshold or area
//!   boundary at the last evaluation), so cost per report stays low without
//!   changing any result.
//!
//! ## Simulator
//! See [`sim`]: deterministic from a seed, streams reports in time order,
//! returns [`sim::TruthRecord`]s; [`sim::score`] defines how alerts match
//! truth (same kind, same MMSI, overlapping windows with a tolerance).

pub mod alert;
pub mod config;
pub mod due;
pub mod monitor;
pub mod registry;
pub mod report;
pub mod sim;
pub mod state;

pub use alert::{Alert, AlertKind, Evidence, Place};
pub use config::MonitorConfig;
pub use due::{Before, InspectionsDue};
pub use monitor::{Eta, Monitor, MonitorStats, belief_lookback, believed_positions};
pub use registry::{MapRegistry, RegisteredVessel, Registry};
pub use report::{NavStatus, PositionReport, Report, StaticReport};
pub use state::{Fix, LastZone, VesselState, Zone};
