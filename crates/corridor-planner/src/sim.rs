//! The queue simulator: replays arrivals against a capacity schedule and a queue rule, day by
//! day, inbound and outbound inspections sharing the teams, and reports per day and per month.

use crate::config::CapacityConfig;
use crate::error::Result;
use crate::model::{Direction, Outcome, Voyage, add_days, days_between, month_key};
use crate::rng;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A what-if applied on top of a capacity config and arrivals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scenario {
    /// From `from` on, `teams` teams (e.g. "5 teams from November 2022").
    TeamsFrom {
        /// First day.
        from: Date,
        /// Teams.
        teams: u32,
    },
    /// One party stops registering for `days` days from `from`: vessels that would arrive at the
    /// inspection area in that window cannot be inspected before it ends.
    RegistrationStop {
        /// First day.
        from: Date,
        /// Length in days.
        days: i32,
    },
    /// At most `per_day` inspections a day.
    DailyCap {
        /// Inspections a day.
        per_day: u32,
    },
    /// No inspections for `days` days from `from` (weather, a party absent).
    Stoppage {
        /// First day.
        from: Date,
        /// Length in days.
        days: i32,
    },
}

/// Apply scenarios: returns the changed config and arrivals.
pub fn apply_scenarios(
    cfg: &CapacityConfig,
    voyages: &[Voyage],
    scenarios: &[Scenario],
) -> (CapacityConfig, Vec<Voyage>) {
    let mut c = cfg.clone();
    let mut v = voyages.to_vec();
    for s in scenarios {
        match *s {
            Scenario::TeamsFrom { from, teams } => c = c.with_teams_from(from, teams),
            Scenario::DailyCap { per_day } => c = c.with_daily_cap(per_day),
            Scenario::Stoppage { from, days } => {
                c = c.with_stoppage(from, days, "what-if stoppage")
            }
            Scenario::RegistrationStop { from, days } => {
                let end = add_days(from, days.max(1));
                for x in &mut v {
                    let a = x.arrival_at_area(c.transit_days);
                    if a >= from && a < end {
                        x.ready = Some(x.ready.map_or(end, |r| r.max(end)));
                    }
                }
            }
        }
    }
    (c, v)
}

/// Options of a simulation run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SimOptions {
    /// First simulated day (default: the earliest arrival).
    pub from: Option<Date>,
    /// Last simulated day (default: until the queue is empty or the capacity schedule has ended
    /// with every arrival in, at most 3 years after the last arrival).
    pub to: Option<Date>,
}

/// What happened to one voyage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoyageResult {
    /// Voyage id.
    pub id: String,
    /// Direction.
    pub direction: Direction,
    /// Reference day (departure from port, or arrival at the area).
    pub reference: Date,
    /// Day of the final inspection (passed or non-compliant); `None` if still waiting at the end.
    pub inspected: Option<Date>,
    /// Final outcome (`None` if still waiting).
    pub outcome: Option<Outcome>,
    /// Inspection attempts.
    pub attempts: u32,
}

impl VoyageResult {
    /// Days from the reference day to the final inspection.
    pub fn wait_days(&self) -> Option<i32> {
        self.inspected.map(|d| days_between(self.reference, d))
    }
}

/// One simulated day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayReport {
    /// Day.
    pub day: Date,
    /// Teams working.
    pub teams: u32,
    /// Inspections the capacity allowed (including carried fractions).
    pub capacity: f64,
    /// Outbound inspection attempts.
    pub outbound_inspections: u32,
    /// Inbound inspection attempts.
    pub inbound_inspections: u32,
    /// Attempts that failed not-ready (re-queued).
    pub failed_not_ready: u32,
    /// Attempts that ended non-compliant.
    pub failed_non_compliant: u32,
    /// Vessels waiting (arrived, not yet through), both directions, at the end of the day.
    pub queue: u32,
    /// Of those, waiting for an outbound inspection.
    pub outbound_queue: u32,
    /// Team hours with nothing to inspect.
    pub idle_team_hours: f64,
}

/// One month of a simulation (the JSON the CLI prints).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthReport {
    /// `YYYY-MM`.
    pub month: String,
    /// Outbound inspection attempts in the month.
    pub outbound_inspections: u32,
    /// Inbound inspection attempts in the month.
    pub inbound_inspections: u32,
    /// Median days from departure to outbound inspection, of the voyages that departed in the
    /// month; a voyage never inspected counts as waiting longer than any other, so this is
    /// `None` when half of them or more were never inspected.
    pub median_wait_days: Option<f64>,
    /// Mean of the same, over the voyages inspected.
    pub mean_wait_days: Option<f64>,
    /// Outbound voyages that departed in the month and were not inspected by the end of the run.
    pub not_inspected: u32,
    /// Median days from departure to outbound inspection, of the voyages inspected in the month.
    pub median_wait_days_inspected: Option<f64>,
    /// Outbound voyages that departed in the month.
    pub departures: u32,
    /// Largest end-of-day queue (both directions).
    pub max_queue: u32,
    /// Largest end-of-day outbound queue.
    pub max_outbound_queue: u32,
    /// Mean end-of-day queue.
    pub mean_queue: f64,
    /// Attempts that failed not-ready.
    pub failed_not_ready: u32,
    /// Idle team hours.
    pub idle_team_hours: f64,
}

/// Result of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimReport {
    /// Per day.
    pub days: Vec<DayReport>,
    /// Per month.
    pub months: Vec<MonthReport>,
    /// Per voyage (input order).
    pub voyages: Vec<VoyageResult>,
}

const SALT_OUTCOME: u64 = 0x006f_7574_636f_6d65;

/// Simulate. Deterministic: the same inputs give the same report.
///
/// Each day: vessels whose arrival day has come join the queue; the day's capacity is
/// `teams × inspections_per_team_day` (capped by `max_inspections_per_day`) plus the fraction
/// carried from the day before (unused capacity is not carried: it is idle time); the first
/// eligible vessels in queue order are inspected (only outbound on `outbound_only` days).
pub fn simulate(voyages: &[Voyage], cfg: &CapacityConfig, opts: &SimOptions) -> Result<SimReport> {
    cfg.validate()?;
    let t = cfg.transit_days;
    let mut results: Vec<VoyageResult> = voyages
        .iter()
        .map(|v| VoyageResult {
            id: v.id.clone(),
            direction: v.direction,
            reference: v.reference,
            inspected: None,
            outcome: None,
            attempts: 0,
        })
        .collect();
    let mut by_arrival: Vec<usize> = (0..voyages.len()).collect();
    by_arrival.sort_by_key(|&i| (voyages[i].arrival_at_area(t), i));
    let Some(&first) = by_arrival.first() else {
        return Ok(SimReport {
            days: vec![],
            months: vec![],
            voyages: results,
        });
    };
    let start = opts
        .from
        .unwrap_or_else(|| voyages[first].arrival_at_area(t));
    let last_arrival = by_arrival
        .last()
        .map_or(start, |&i| voyages[i].eligible_from(t));
    let hard_end = opts.to.unwrap_or_else(|| add_days(last_arrival, 3 * 365));
    let last_working = cfg.last_working_day();
    let window_h = f64::from(cfg.window_minutes()) / 60.0;
    let r = &cfg.readiness;

    // Waiting: (voyage index, eligible day).
    let mut waiting: Vec<(usize, Date)> = Vec::new();
    let mut next = 0usize;
    let mut carry = 0.0_f64;
    let mut days = Vec::new();
    let mut d = start;
    while d <= hard_end {
        while next < by_arrival.len() && voyages[by_arrival[next]].arrival_at_area(t) <= d {
            let i = by_arrival[next];
            waiting.push((i, voyages[i].eligible_from(t)));
            next += 1;
        }
        // Past the schedule's last working day nothing more happens: the
        // vessels still waiting are reported as never inspected (running on
        // printed years of empty months; interface check, session 19).
        if opts.to.is_none()
            && next >= by_arrival.len()
            && (waiting.is_empty() || last_working.is_some_and(|l| d > l))
        {
            break;
        }
        let cap_day = cfg.day(d);
        let mut cap = cap_day.inspections();
        if let Some(m) = cfg.max_inspections_per_day {
            cap = cap.min(f64::from(m));
        }
        let cap = if cap.is_finite() { cap.max(0.0) } else { 0.0 } + carry;
        let slots = cap.floor() as u32;
        carry = cap - f64::from(slots);
        // A re-queued vessel ranks by its new eligible day under `order = "readiness"`.
        waiting.sort_by_key(|&(i, e)| (cfg.queue.key_eligible(&voyages[i], t, e), i));
        let mut rep = DayReport {
            day: d,
            teams: cap_day.teams,
            capacity: cap,
            outbound_inspections: 0,
            inbound_inspections: 0,
            failed_not_ready: 0,
            failed_non_compliant: 0,
            queue: 0,
            outbound_queue: 0,
            idle_team_hours: 0.0,
        };
        let mut used = 0u32;
        let mut k = 0usize;
        while k < waiting.len() && used < slots {
            let (i, elig) = waiting[k];
            let v = &voyages[i];
            if elig > d || (cap_day.outbound_only && v.direction == Direction::Inbound) {
                k += 1;
                continue;
            }
            used += 1;
            match v.direction {
                Direction::Outbound => rep.outbound_inspections += 1,
                Direction::Inbound => rep.inbound_inspections += 1,
            }
            let res = &mut results[i];
            res.attempts += 1;
            let u = rng::unit(
                &v.id,
                SALT_OUTCOME ^ u64::from(v.direction == Direction::Inbound),
                u64::from(res.attempts),
            );
            if u < r.not_ready_probability {
                rep.failed_not_ready += 1;
                waiting[k].1 = add_days(d, r.requeue_delay_days.max(1));
                k += 1;
            } else {
                let outcome = if u < r.not_ready_probability + r.non_compliant_probability {
                    rep.failed_non_compliant += 1;
                    Outcome::FailedNonCompliant
                } else {
                    Outcome::Passed
                };
                res.inspected = Some(d);
                res.outcome = Some(outcome);
                waiting.remove(k);
            }
        }
        if used < slots {
            carry = 0.0;
        }
        let per_team = cap_day.per_team;
        if per_team > 0.0 {
            rep.idle_team_hours = f64::from(slots - used) * window_h / per_team;
        }
        rep.queue = u32::try_from(waiting.len()).unwrap_or(u32::MAX);
        let out_q = waiting
            .iter()
            .filter(|(i, _)| voyages[*i].direction == Direction::Outbound)
            .count();
        rep.outbound_queue = u32::try_from(out_q).unwrap_or(u32::MAX);
        days.push(rep);
        d = add_days(d, 1);
        if d == Date::MAX {
            break;
        }
    }
    let months = month_reports(voyages, &results, &days);
    Ok(SimReport {
        days,
        months,
        voyages: results,
    })
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// The median of `v` and `unfinished` more values longer than any in it
/// (`None` if that median is one of those, or there is nothing).
fn median_with_unfinished(v: &mut [f64], unfinished: u32) -> Option<f64> {
    let n = v.len() + unfinished as usize;
    if n == 0 {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let at = |i: usize| v.get(i).copied();
    if n % 2 == 1 {
        at(n / 2)
    } else {
        Some((at(n / 2 - 1)? + at(n / 2)?) / 2.0)
    }
}

/// Median of a list of day counts and `unfinished` more that never ended
/// (waits longer than any listed): `None` if that median is one of them.
pub fn median_days_unfinished(v: &[i32], unfinished: u32) -> Option<f64> {
    let mut f: Vec<f64> = v.iter().map(|&x| f64::from(x)).collect();
    median_with_unfinished(&mut f, unfinished)
}

/// Median of a list of day counts (`None` if empty).
pub fn median_days(v: &[i32]) -> Option<f64> {
    let mut f: Vec<f64> = v.iter().map(|&x| f64::from(x)).collect();
    median(&mut f)
}

fn month_reports(
    voyages: &[Voyage],
    results: &[VoyageResult],
    days: &[DayReport],
) -> Vec<MonthReport> {
    #[derive(Default)]
    struct Acc {
        out: u32,
        inb: u32,
        fails: u32,
        idle: f64,
        max_q: u32,
        max_out_q: u32,
        sum_q: f64,
        n_days: u32,
        deps: u32,
        never: u32,
        waits: Vec<f64>,
        waits_insp: Vec<f64>,
    }
    let mut m: BTreeMap<String, Acc> = BTreeMap::new();
    for r in days {
        let a = m.entry(month_key(r.day)).or_default();
        a.out += r.outbound_inspections;
        a.inb += r.inbound_inspections;
        a.fails += r.failed_not_ready;
        a.idle += r.idle_team_hours;
        a.max_q = a.max_q.max(r.queue);
        a.max_out_q = a.max_out_q.max(r.outbound_queue);
        a.sum_q += f64::from(r.queue);
        a.n_days += 1;
    }
    for (v, r) in voyages.iter().zip(results) {
        if v.direction != Direction::Outbound {
            continue;
        }
        let a = m.entry(month_key(v.reference)).or_default();
        a.deps += 1;
        if r.inspected.is_none() {
            a.never += 1;
        }
        if let Some(w) = r.wait_days() {
            a.waits.push(f64::from(w));
            if let Some(d) = r.inspected {
                m.entry(month_key(d))
                    .or_default()
                    .waits_insp
                    .push(f64::from(w));
            }
        }
    }
    m.into_iter()
        .map(|(month, mut a)| {
            let mean = if a.waits.is_empty() {
                None
            } else {
                Some(a.waits.iter().sum::<f64>() / a.waits.len() as f64)
            };
            MonthReport {
                month,
                outbound_inspections: a.out,
                inbound_inspections: a.inb,
                median_wait_days: median_with_unfinished(&mut a.waits, a.never),
                mean_wait_days: mean,
                not_inspected: a.never,
                median_wait_days_inspected: median(&mut a.waits_insp),
                departures: a.deps,
                max_queue: a.max_q,
                max_outbound_queue: a.max_out_q,
                mean_queue: if a.n_days == 0 {
                    0.0
                } else {
                    a.sum_q / f64::from(a.n_days)
                },
                failed_not_ready: a.fails,
                idle_team_hours: a.idle,
            }
        })
        .collect()
}
