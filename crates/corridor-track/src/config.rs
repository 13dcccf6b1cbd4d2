//! Alert thresholds, with documented defaults.

use corridor_geo::AreaKind;
use serde::{Deserialize, Serialize};

/// Monitor thresholds. Every field has a default (see [`MonitorConfig::default`]);
/// a JSON/TOML config may give only the fields it changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MonitorConfig {
    /// `deviation`: how far beyond a lane's edge (nm) a vessel may stray
    /// before it counts as a deviation. Default 1.0 nm.
    pub deviation_nm: f64,
    /// Hysteresis at lane and area boundaries (m): a vessel must get this far
    /// outside before it counts as having left, so GPS noise on a boundary
    /// does not flap entry/exit. Default 100 m.
    pub boundary_hysteresis_m: f64,
    /// `ais_gap`: silence (s) that raises an alert while in the corridor or
    /// waiting. Default 14 400 s (4 h, UNVIM's rule).
    pub ais_gap_s: u64,
    /// How often (s of event time) the monitor scans for silent vessels when
    /// reports or `advance_to` move its clock. Default 60 s.
    pub gap_scan_interval_s: u64,
    /// `loitering`: speed below which a vessel is stopped (kn). Default 0.5.
    pub loiter_speed_kn: f64,
    /// `loitering`: how long stopped before an alert (s). Default 3600 (1 h).
    pub loiter_min_s: u64,
    /// `loitering`: area kinds where stopping is normal. Default: port
    /// approach, anchorage, waiting area, inspection area (ships wait for
    /// inspection at anchor or drifting).
    pub loiter_exempt: Vec<AreaKind>,
    /// `encounter`: maximum distance between the two vessels (m). Default 500.
    pub encounter_distance_m: f64,
    /// `encounter`: both vessels slower than this (kn). Default 2.0.
    pub encounter_speed_kn: f64,
    /// `encounter`: minimum duration (s). Default 7200 (2 h).
    pub encounter_min_s: u64,
    /// `encounter`: minimum distance from an anchorage or port approach (m).
    /// Default 10 000 (Global Fishing Watch's 10 km).
    pub encounter_anchorage_distance_m: f64,
    /// `encounter`: area kinds inside which vessels lie close by routine.
    /// Default: inspection area, waiting area.
    pub encounter_exempt: Vec<AreaKind>,
    /// `encounter`: a neighbour's fix older than this (s) is not compared.
    /// Default 600.
    pub encounter_max_fix_age_s: u64,
    /// `impossible_jump`: fastest plausible speed (kn). Default 50.
    pub max_speed_kn: f64,
    /// `impossible_jump`: allowance for GPS noise on top of the speed (m).
    /// Default 1000.
    pub jump_slack_m: f64,
    /// `impossible_jump`: this many consecutive reports that are each an
    /// impossible jump from the believed position but consistent with one
    /// another, and more of them than the believed track's own consecutive
    /// fixes, re-anchor the track on them: the believed position was the
    /// outlier (a bad first fix such as 0°N 0°E). Default 3; at least 2 (one
    /// report never moves the track); 0 never re-anchors.
    pub reanchor_fixes: u16,
    /// `mmsi_conflict`: an impossible jump that agrees with an earlier one,
    /// with a believed fix between them and not more than this (s) after it,
    /// shows the MMSI's reports alternating between two ships: one
    /// `mmsi_conflict` alert then stands for their jumps, and it ends when
    /// the other ship has not been heard for this long. Default 14 400 (4 h,
    /// as `ais_gap_s`: the two ships are often seen by different receivers).
    pub mmsi_conflict_quiet_s: u64,
    /// The clock's sanity bound (s): a report dated more than this after
    /// the monitor's clock (or the first report of all) is held, neither
    /// moving the clock nor counting for its vessel, until the next report
    /// settles it: one not more than this before it confirms it (it is then
    /// applied, in arrival order: a sparse feed loses nothing), an earlier
    /// one disowns it (counted `invalid`); so does `finish`, unless the
    /// report is not in the future where the replay runs, and a clock tick
    /// (`advance_to`) that reaches it confirms it. One report dated a day
    /// ahead thus neither raises `ais_gap` for every ship nor makes its
    /// vessel's real reports stale. Default 600 (10 min: receivers' clocks
    /// and live sources differ by seconds to minutes; far below `ais_gap_s`
    /// and `loiter_min_s`); 0 turns the bound off.
    pub max_clock_lead_s: u64,
    /// How many reports an alert keeps as evidence. Default 6.
    pub max_evidence: usize,
    /// Time constant of the recent-speed average used for ETAs (s). Default 1800.
    pub speed_time_constant_s: u64,
    /// Forget a vessel silent this long (s) that is outside the corridor and
    /// has no open alert, so state does not grow without bound. Default
    /// 259 200 (3 days); 0 keeps every vessel.
    pub forget_after_s: u64,
    /// Most vessels tracked at once. Beyond it a new MMSI that is not in the
    /// registry is not tracked (counted `untracked`), so made-up MMSIs cannot
    /// grow the state without bound; registered vessels always are. Default
    /// 100 000 (about 100 MiB at the budget of 1 KiB a vessel).
    pub max_vessels: usize,
    /// How many pairs one vessel's report makes: with its nearest this
    /// many. A pair another vessel made stands while the two are close,
    /// unless the vessel is in more than twice this many pairs. A transfer
    /// involves two or three ships; a crowd of fakes at one point must not
    /// make pairs (and alerts) quadratic in its size. Default 8.
    pub max_encounter_partners: usize,
    /// `skipped_inspection`, bound out: how far from every lane and area a
    /// vessel due an inspection before leaving must be (having been in the
    /// corridor or a port since) to have left, not merely drifted off its
    /// anchorage or crossed open water between two areas. Default 3 nm.
    pub skipped_exit_nm: f64,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        Self {
            deviation_nm: 1.0,
            boundary_hysteresis_m: 100.0,
            ais_gap_s: 4 * 3600,
            gap_scan_interval_s: 60,
            loiter_speed_kn: 0.5,
            loiter_min_s: 3600,
            loiter_exempt: vec![
                AreaKind::PortApproach,
                AreaKind::Anchorage,
                AreaKind::WaitingArea,
                AreaKind::InspectionArea,
            ],
            encounter_distance_m: 500.0,
            encounter_speed_kn: 2.0,
            encounter_min_s: 2 * 3600,
            encounter_anchorage_distance_m: 10_000.0,
            encounter_exempt: vec![AreaKind::InspectionArea, AreaKind::WaitingArea],
            encounter_max_fix_age_s: 600,
            max_speed_kn: 50.0,
            jump_slack_m: 1000.0,
            reanchor_fixes: 3,
            mmsi_conflict_quiet_s: 4 * 3600,
            max_clock_lead_s: 600,
            max_evidence: 6,
            speed_time_constant_s: 1800,
            forget_after_s: 3 * 86_400,
            max_vessels: 100_000,
            max_encounter_partners: 8,
            skipped_exit_nm: 3.0,
        }
    }
}
