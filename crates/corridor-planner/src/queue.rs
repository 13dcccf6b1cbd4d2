//! The queue: who waits for which inspection, in the order of a written, configurable rule,
//! with coordinator overrides that must carry a reason and are logged; and every waiting
//! vessel's place and predicted inspection date with a likely range.

use crate::config::CapacityConfig;
use crate::error::{PlannerError, Result};
use crate::model::{Direction, Voyage, add_days};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Base order of the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderBy {
    /// First come first served by arrival at the inspection area.
    #[default]
    Arrival,
    /// First come first served by declared readiness (arrival if not declared).
    Readiness,
}

/// The written queue rule. Priority classes are applied in this order: inbound first (if set),
/// WFP humanitarian cargo first (if set), perishable cargo first (if set); within a class the
/// base order applies; ties keep the input order (stable). Overrides are applied last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueuePolicy {
    /// Base order.
    #[serde(default)]
    pub order: OrderBy,
    /// Inbound inspections before outbound ones.
    #[serde(default)]
    pub inbound_first: bool,
    /// WFP-chartered cargo first.
    #[serde(default = "yes")]
    pub wfp_first: bool,
    /// Perishable cargo first.
    #[serde(default = "yes")]
    pub perishable_first: bool,
}

fn yes() -> bool {
    true
}

impl Default for QueuePolicy {
    fn default() -> Self {
        Self {
            order: OrderBy::Arrival,
            inbound_first: false,
            wfp_first: true,
            perishable_first: true,
        }
    }
}

impl QueuePolicy {
    /// Plain first come first served by arrival, no priority classes.
    pub fn fifo() -> Self {
        Self {
            order: OrderBy::Arrival,
            inbound_first: false,
            wfp_first: false,
            perishable_first: false,
        }
    }

    /// The rule in words, as the public queue shows it.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.inbound_first {
            parts.push("inbound inspections first".to_string());
        }
        if self.wfp_first {
            parts.push("WFP humanitarian cargo first".to_string());
        }
        if self.perishable_first {
            parts.push("perishable cargo first".to_string());
        }
        let base = match self.order {
            OrderBy::Arrival => {
                "first come, first served by the day of arrival at the inspection area"
            }
            OrderBy::Readiness => {
                "first come, first served by the day the vessel was declared ready (arrival if later)"
            }
        };
        let text = if parts.is_empty() {
            base.to_string()
        } else {
            format!("{}; then {base}", parts.join(", then "))
        };
        format!(
            "{}; equal days keep the order of registration; a coordinator may move a vessel, and every such override is logged with its reason and shown.",
            capitalise(&text)
        )
    }

    /// Sort key of a voyage (smaller = earlier).
    pub fn key(&self, v: &Voyage, transit_days: i32) -> (bool, bool, bool, Date) {
        self.key_eligible(v, transit_days, v.eligible_from(transit_days))
    }

    /// [`QueuePolicy::key`] for a vessel eligible from `eligible` (a re-queued one's new day).
    pub fn key_eligible(
        &self,
        v: &Voyage,
        transit_days: i32,
        eligible: Date,
    ) -> (bool, bool, bool, Date) {
        let base = match self.order {
            OrderBy::Arrival => v.arrival_at_area(transit_days),
            OrderBy::Readiness => eligible,
        };
        (
            self.inbound_first && v.direction != Direction::Inbound,
            self.wfp_first && !v.wfp,
            self.perishable_first && !v.perishable,
            base,
        )
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A coordinator override: move a vessel to a place, with a reason (required) and an author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    /// Voyage id.
    pub id: String,
    /// New place, 1-based (clamped to the queue length).
    pub place: usize,
    /// Why (required, logged).
    pub reason: String,
    /// Who decided.
    pub by: String,
}

/// The log line of an applied override.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverrideLog {
    /// Voyage id.
    pub id: String,
    /// Place under the rule.
    pub from_place: usize,
    /// Place after the override.
    pub to_place: usize,
    /// Reason given.
    pub reason: String,
    /// Author.
    pub by: String,
}

/// Order waiting voyages by the rule, then apply overrides in the given order.
/// Returns indices into `waiting` (queue order) and the override log.
pub fn order(
    waiting: &[Voyage],
    policy: &QueuePolicy,
    transit_days: i32,
    overrides: &[Override],
) -> Result<(Vec<usize>, Vec<OverrideLog>)> {
    let mut idx: Vec<usize> = (0..waiting.len()).collect();
    idx.sort_by_key(|&i| policy.key(&waiting[i], transit_days));
    let mut log = Vec::with_capacity(overrides.len());
    for o in overrides {
        if o.reason.trim().is_empty() {
            return Err(PlannerError::Override {
                id: o.id.clone(),
                why: "a reason is required".into(),
            });
        }
        let Some(pos) = idx.iter().position(|&i| waiting[i].id == o.id) else {
            return Err(PlannerError::Override {
                id: o.id.clone(),
                why: "not waiting".into(),
            });
        };
        let v = idx.remove(pos);
        let to = o.place.clamp(1, idx.len() + 1);
        idx.insert(to - 1, v);
        log.push(OverrideLog {
            id: o.id.clone(),
            from_place: pos + 1,
            to_place: to,
            reason: o.reason.clone(),
            by: o.by.clone(),
        });
    }
    Ok((idx, log))
}

/// One waiting vessel as everyone sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    /// Voyage id.
    pub id: String,
    /// Place, 1-based.
    pub place: usize,
    /// Inspection it waits for.
    pub direction: Direction,
    /// First day it can be inspected (arrived and ready).
    pub eligible_from: Date,
    /// Predicted inspection day (P50).
    pub predicted: Date,
    /// Early end of the likely range (P10: inspections as fast as the duration P10).
    pub earliest_likely: Date,
    /// Late end of the likely range (P90: inspections as slow as the duration P90).
    pub latest_likely: Date,
}

/// The public queue of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    /// Day the view is for.
    pub day: Date,
    /// Entries in queue order.
    pub entries: Vec<QueueEntry>,
    /// Applied overrides.
    pub overrides: Vec<OverrideLog>,
}

/// Build the public queue on `day`: order by the config's rule plus overrides, and predict each
/// vessel's date by serving the queue forward against the capacity schedule (no new arrivals).
/// The likely range scales capacity by mean/P10 (early) and mean/P90 (late) of the durations.
/// `waiting` should hold both directions: inbound and outbound inspections share the teams, and
/// the schedule's capacity counts both.
pub fn queue_view(
    waiting: &[Voyage],
    day: Date,
    cfg: &CapacityConfig,
    overrides: &[Override],
) -> Result<QueueView> {
    queue_view_booked(waiting, day, cfg, overrides, &|_| None)
}

/// As [`queue_view`], with the vessels already booked for a day (`booked`
/// gives it: an approved plan, or an inspection the coordinator scheduled).
/// They keep their place in the order and their predicted day and range are
/// the booked day; they are left out of the projection, and a booking on
/// `day` or later takes its place out of that day's capacity instead.
pub fn queue_view_booked(
    waiting: &[Voyage],
    day: Date,
    cfg: &CapacityConfig,
    overrides: &[Override],
    booked: &dyn Fn(&Voyage) -> Option<Date>,
) -> Result<QueueView> {
    let (idx, log) = order(waiting, &cfg.queue, cfg.transit_days, overrides)?;
    let ordered: Vec<&Voyage> = idx.iter().map(|&i| &waiting[i]).collect();
    // Asked once: the mapping back to entries relies on the same answers.
    let on: Vec<Option<Date>> = ordered.iter().map(|v| booked(v)).collect();
    let served: Vec<&Voyage> = ordered
        .iter()
        .zip(&on)
        .filter(|(_, b)| b.is_none())
        .map(|(v, _)| *v)
        .collect();
    let mut taken: std::collections::HashMap<Date, f64> = std::collections::HashMap::new();
    for d in on.iter().flatten().filter(|d| **d >= day) {
        *taken.entry(*d).or_default() += 1.0;
    }
    let d = cfg.duration(Direction::Outbound, 30_000);
    let mean = d.mean();
    let serve = |factor: f64| {
        project_with(&served, day, cfg.transit_days, |d| {
            day_capacity(cfg, d, factor) - taken.get(&d).copied().unwrap_or(0.0)
        })
    };
    let p50 = serve(1.0);
    let early = serve(mean / d.p10_minutes);
    let late = serve(mean / d.p90_minutes);
    let mut next = 0;
    let entries = ordered
        .iter()
        .zip(&on)
        .enumerate()
        .map(|(k, (v, b))| {
            let (a, b, c) = match b {
                Some(on) => (*on, *on, *on),
                None => {
                    next += 1;
                    (early[next - 1], p50[next - 1], late[next - 1])
                }
            };
            QueueEntry {
                id: v.id.clone(),
                place: k + 1,
                direction: v.direction,
                eligible_from: v.eligible_from(cfg.transit_days),
                predicted: b,
                earliest_likely: a.min(b),
                latest_likely: c.max(b),
            }
        })
        .collect();
    Ok(QueueView {
        day,
        entries,
        overrides: log,
    })
}

/// Longest projection horizon, days; vessels not served within it get `day + HORIZON`.
pub const HORIZON: i32 = 730;

/// Serve an ordered queue forward from `day` with the schedule's capacity times `factor`;
/// returns each vessel's predicted inspection day (same order).
pub fn project(ordered: &[&Voyage], day: Date, cfg: &CapacityConfig, factor: f64) -> Vec<Date> {
    project_with(ordered, day, cfg.transit_days, |d| {
        day_capacity(cfg, d, factor)
    })
}

/// Inspections the schedule allows on `d`, its capacity times `factor`.
fn day_capacity(cfg: &CapacityConfig, d: Date, factor: f64) -> f64 {
    let n = cfg.day(d).inspections() * factor;
    match cfg.max_inspections_per_day {
        Some(m) => n.min(f64::from(m)),
        None => n,
    }
}

/// As [`project`], with any capacity function (inspections available on a day).
pub fn project_with(
    ordered: &[&Voyage],
    day: Date,
    transit_days: i32,
    mut capacity: impl FnMut(Date) -> f64,
) -> Vec<Date> {
    let mut out = vec![add_days(day, HORIZON); ordered.len()];
    let mut pending: Vec<usize> = (0..ordered.len()).collect();
    let mut carry = 0.0_f64;
    let mut d = day;
    for _ in 0..HORIZON {
        if pending.is_empty() {
            break;
        }
        let cap = capacity(d).max(0.0);
        let cap = if cap.is_finite() { cap } else { 0.0 } + carry;
        let mut n = cap.floor() as usize;
        carry = cap - n as f64;
        let mut k = 0;
        while k < pending.len() && n > 0 {
            let i = pending[k];
            if ordered[i].eligible_from(transit_days) <= d {
                out[i] = d;
                pending.remove(k);
                n -= 1;
            } else {
                k += 1;
            }
        }
        if n > 0 {
            // Unused capacity is idle time, not banked.
            carry = 0.0;
        }
        d = add_days(d, 1);
    }
    out
}
