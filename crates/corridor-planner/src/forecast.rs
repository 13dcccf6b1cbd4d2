//! The forecaster: on each day, for each vessel that departed that day, the predicted outbound
//! inspection date; evaluated by the mean absolute error in days against the real date.
//!
//! It is causal: on day `x` it uses only what the JCC knew that morning — which vessels had
//! departed by `x` and which had been inspected before `x` — plus the capacity schedule. The pace
//! is the record's outbound inspections per team-day over the most recent *saturated* days (queue
//! at least 2 × teams), at least `trailing_team_days` team-days of them. The queue is served
//! forward in the queue rule's order at that pace. Vessels with the same queue key (same arrival
//! day) are served in an order nobody knows, so each is given the median of the group's slots.
//!
//! Two readings of the schedule. With `use_announced_surges` the forecaster uses the schedule as
//! written, special periods included (the surge of 30 Oct - 1 Nov 2022 at its 10 teams; it was
//! decided at a few days' notice, so this variant knows a little of the future). Without it the
//! forecaster is strictly causal: it uses the regular periods' published team counts only, never a
//! special period's capacity, and a stoppage only once it has begun (before `x`). Past days of a
//! special period that has begun are left out of the pace in both readings.

use crate::config::CapacityConfig;
use crate::model::{Direction, Voyage, add_days, days_between, month_key};
use crate::queue::project_with;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Options of the forecaster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastOptions {
    /// Team-days of saturated history that set the pace.
    pub trailing_team_days: f64,
    /// Look back at most this many days.
    pub max_lookback_days: i32,
    /// Use the schedule as written, special periods (the surge) and future stoppages included;
    /// `false` is the strictly causal forecaster (published team counts only).
    pub use_announced_surges: bool,
    /// Give vessels with the same queue key the median of their slots.
    pub same_day_median: bool,
}

impl Default for ForecastOptions {
    fn default() -> Self {
        Self {
            trailing_team_days: 42.0,
            max_lookback_days: 120,
            use_announced_surges: true,
            same_day_median: true,
        }
    }
}

/// One forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forecast {
    /// Voyage id.
    pub id: String,
    /// Day the forecast was made (the departure day).
    pub made_on: Date,
    /// Predicted outbound inspection day.
    pub predicted: Date,
    /// Real day, if known.
    pub actual: Option<Date>,
}

/// Forecast accuracy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastEvaluation {
    /// All forecasts.
    pub forecasts: Vec<Forecast>,
    /// Forecasts with a real date.
    pub evaluated: usize,
    /// Mean absolute error in days (`None` if nothing to evaluate).
    pub mae_days: Option<f64>,
    /// Mean absolute error by month of departure.
    pub mae_by_month: BTreeMap<String, f64>,
}

/// Forecast, on each departure day, every vessel that departed that day; evaluate against the record.
pub fn replay_forecasts(
    record: &[Voyage],
    cfg: &CapacityConfig,
    opts: &ForecastOptions,
) -> ForecastEvaluation {
    let out: Vec<&Voyage> = record
        .iter()
        .filter(|v| v.direction == Direction::Outbound)
        .collect();
    let mut inspected_on: HashMap<Date, f64> = HashMap::new();
    for v in &out {
        if let Some(d) = v.inspected {
            *inspected_on.entry(d).or_default() += 1.0;
        }
    }
    let mut days: Vec<Date> = out.iter().map(|v| v.reference).collect();
    days.sort();
    days.dedup();
    let mut forecasts = Vec::new();
    for &x in &days {
        let departing: std::collections::HashSet<&str> = out
            .iter()
            .filter(|v| v.reference == x)
            .map(|v| v.id.as_str())
            .collect();
        forecasts.extend(
            forecast_day(&out, &inspected_on, x, cfg, opts)
                .into_iter()
                .filter(|f| departing.contains(f.id.as_str())),
        );
    }
    let mut by_month: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let mut sum = 0.0;
    let mut n = 0usize;
    for f in &forecasts {
        if let Some(a) = f.actual {
            let e = f64::from(days_between(a, f.predicted).abs());
            sum += e;
            n += 1;
            let m = by_month.entry(month_key(f.made_on)).or_default();
            m.0 += e;
            m.1 += 1.0;
        }
    }
    ForecastEvaluation {
        evaluated: n,
        mae_days: if n == 0 { None } else { Some(sum / n as f64) },
        mae_by_month: by_month.into_iter().map(|(k, (s, c))| (k, s / c)).collect(),
        forecasts,
    }
}

/// Forecast, on the morning of `day`, the outbound inspection day of every vessel waiting then,
/// from the history known that morning: `history` holds outbound voyages with their departure day
/// and, if inspected before `day`, their inspection day (later dates are ignored). Returns
/// forecasts in queue order. This is the live API behind a public queue's predicted dates.
pub fn forecast_queue(
    history: &[Voyage],
    day: Date,
    cfg: &CapacityConfig,
    opts: &ForecastOptions,
) -> Vec<Forecast> {
    let known: Vec<Voyage> = history
        .iter()
        .filter(|v| v.direction == Direction::Outbound && v.reference <= day)
        .map(|v| Voyage {
            inspected: v.inspected.filter(|d| *d < day),
            ..v.clone()
        })
        .collect();
    let refs: Vec<&Voyage> = known.iter().collect();
    let mut inspected_on: HashMap<Date, f64> = HashMap::new();
    for v in &refs {
        if let Some(d) = v.inspected {
            *inspected_on.entry(d).or_default() += 1.0;
        }
    }
    let mut f = forecast_day(&refs, &inspected_on, day, cfg, opts);
    for x in &mut f {
        x.actual = None;
    }
    f
}

fn forecast_day(
    out: &[&Voyage],
    inspected_on: &HashMap<Date, f64>,
    x: Date,
    cfg: &CapacityConfig,
    opts: &ForecastOptions,
) -> Vec<Forecast> {
    let t = cfg.transit_days;
    // Queue known on the morning of x: departed by x, not inspected before x.
    let mut known: Vec<&Voyage> = out
        .iter()
        .copied()
        .filter(|v| v.reference <= x && v.inspected.is_none_or(|d| d >= x))
        .collect();
    known.sort_by_key(|v| cfg.queue.key(v, t));
    let pace = trailing_pace(out, inspected_on, x, cfg, opts);
    let pred = project_with(&known, x, t, |d| {
        let c = cfg.day(d);
        let mut n = if opts.use_announced_surges {
            if c.special {
                c.inspections()
            } else {
                f64::from(c.teams) * pace
            }
        } else {
            f64::from(published_teams(cfg, d, x)) * pace
        };
        if let Some(m) = cfg.max_inspections_per_day {
            n = n.min(f64::from(m));
        }
        n
    });
    let pred = if opts.same_day_median {
        same_key_median(&known, &pred, |v| cfg.queue.key(v, t))
    } else {
        pred
    };
    known
        .iter()
        .zip(pred)
        .map(|(v, p)| Forecast {
            id: v.id.clone(),
            made_on: x,
            predicted: p,
            actual: v.inspected,
        })
        .collect()
}

/// Vessels with the same queue key (same arrival day, same priority) are served in an order the
/// forecaster cannot know: each one's slot is equally likely to be any of the group's slots. The
/// absolute error is smallest at the median of those slots, so every vessel of the group is given
/// the group's (lower) median date. `ordered` is sorted by key, so groups are runs.
fn same_key_median<K: PartialEq>(
    ordered: &[&Voyage],
    pred: &[Date],
    key: impl Fn(&Voyage) -> K,
) -> Vec<Date> {
    let mut out = pred.to_vec();
    let mut start = 0;
    while start < ordered.len() {
        let k = key(ordered[start]);
        let mut end = start + 1;
        while end < ordered.len() && key(ordered[end]) == k {
            end += 1;
        }
        let mut slots = pred[start..end].to_vec();
        slots.sort();
        let median = slots[(slots.len() - 1) / 2];
        out[start..end].fill(median);
        start = end;
    }
    out
}

/// Teams on day `d` as known on the morning of `x` without announced events: the regular periods'
/// team counts (periods with their own rate, such as the surge, are ignored) and only the stoppages
/// that had begun before `x`.
fn published_teams(cfg: &CapacityConfig, d: Date, x: Date) -> u32 {
    let teams = cfg
        .periods
        .iter()
        .rev()
        .find(|p| {
            p.inspections_per_team_day.is_none()
                && !p.outbound_only
                && p.from <= d
                && p.to.is_none_or(|t| d <= t)
        })
        .map_or(0, |p| p.teams);
    let begun = cfg
        .stoppages
        .iter()
        .filter(|s| s.from < x && s.from <= d && d <= s.to);
    let left = crate::config::working_after(cfg, (0..teams as usize).collect(), begun);
    u32::try_from(left.len()).unwrap_or(u32::MAX)
}

/// Outbound inspections per team-day on recent saturated days before `x`.
fn trailing_pace(
    out: &[&Voyage],
    inspected_on: &HashMap<Date, f64>,
    x: Date,
    cfg: &CapacityConfig,
    opts: &ForecastOptions,
) -> f64 {
    let t = cfg.transit_days;
    let (mut n, mut td) = (0.0, 0.0);
    for back in 1..=opts.max_lookback_days.max(1) {
        if td >= opts.trailing_team_days {
            break;
        }
        let z = add_days(x, -back);
        let c = cfg.day(z);
        if c.teams == 0 || c.special || c.outbound_only {
            continue;
        }
        let q = out
            .iter()
            .filter(|v| v.arrival_at_area(t) <= z && v.inspected.is_none_or(|d| d >= z))
            .count();
        if q as f64 >= 2.0 * f64::from(c.teams) {
            n += inspected_on.get(&z).copied().unwrap_or(0.0);
            td += f64::from(c.teams);
        }
    }
    if td > 0.0 && n > 0.0 {
        n / td
    } else {
        cfg.derived_rate() / 2.0
    }
}
