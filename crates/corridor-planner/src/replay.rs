//! Replaying a record of outbound voyages (the JCC's vessel-movements table): the inbound
//! inspections it implies, the productivity it implies, and the side-by-side comparison of
//! simulated and real waits.

use crate::config::{CapacityConfig, InboundModel};
use crate::error::Result;
use crate::model::{Direction, Reference, Voyage, add_days, days_between, month_key};
use crate::sim::{SimOptions, SimReport, median_days, simulate};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The inbound inspections a record of outbound voyages implies (see [`InboundModel`]).
/// Ids are `"in-" + outbound id`; the inbound voyage is at the area (and ready) on
/// `departure - lead_days`.
pub fn implied_inbound(outbound: &[Voyage], model: &InboundModel) -> Vec<Voyage> {
    let mut order: Vec<usize> = (0..outbound.len())
        .filter(|&i| outbound[i].direction == Direction::Outbound)
        .collect();
    order.sort_by_key(|&i| (outbound[i].reference, i));
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for i in order {
        let v = &outbound[i];
        let day = add_days(v.reference, -model.lead_days);
        let first = v.vessel.as_deref().is_none_or(|imo| seen.insert(imo));
        if first && day < model.first_inbound {
            continue; // already in port when the corridor opened
        }
        out.push(Voyage {
            id: format!("in-{}", v.id),
            direction: Direction::Inbound,
            reference: day,
            reference_kind: Reference::ArrivedAtArea,
            tonnes: v.tonnes,
            wfp: false,
            perishable: false,
            ready: None,
            inspected: None,
            vessel: v.vessel.clone(),
            area: v.area.clone(),
        });
    }
    out
}

/// Outbound record plus implied inbound (if the config has an inbound model).
pub fn with_inbound(record: &[Voyage], cfg: &CapacityConfig) -> Vec<Voyage> {
    let mut all = record.to_vec();
    if let Some(m) = &cfg.inbound {
        all.extend(implied_inbound(record, m));
    }
    all
}

/// Replay the record (outbound voyages with their real dates) against the capacity config.
pub fn replay(record: &[Voyage], cfg: &CapacityConfig) -> Result<SimReport> {
    simulate(&with_inbound(record, cfg), cfg, &SimOptions::default())
}

/// Replay the record under what-if scenarios (applied after the inbound model), e.g.
/// `[Scenario::TeamsFrom { from: 2022-11-01, teams: 5 }]`.
pub fn replay_what_if(
    record: &[Voyage],
    cfg: &CapacityConfig,
    scenarios: &[crate::sim::Scenario],
) -> Result<SimReport> {
    let (c, v) = crate::sim::apply_scenarios(cfg, &with_inbound(record, cfg), scenarios);
    simulate(&v, &c, &SimOptions::default())
}

/// The real queue on a day, as the record shows it: outbound voyages at the area on or before
/// `day` and not inspected before it (a voyage with no inspection date is still waiting).
pub fn real_queue(record: &[Voyage], day: Date, transit_days: i32) -> usize {
    record
        .iter()
        .filter(|v| {
            v.direction == Direction::Outbound
                && v.arrival_at_area(transit_days) <= day
                && v.inspected.is_none_or(|x| x >= day)
        })
        .count()
}

/// Learn effective inspections per team-day for each month of the record.
///
/// Only *saturated* days count: days whose real queue (see [`real_queue`]) is at least
/// `saturation × teams`, so the throughput seen is the service capacity and not the demand;
/// days of periods with their own rate or `outbound_only` (the surge) are left out. Rate = (real outbound inspections + implied
/// inbound inspections on those days) / team-days. Months with fewer than `min_team_days`
/// saturated team-days get the season-wide rate. Uses only counts, never waits.
pub fn learn_rates(
    record: &[Voyage],
    cfg: &CapacityConfig,
    saturation: f64,
    min_team_days: f64,
) -> BTreeMap<String, f64> {
    let t = cfg.transit_days;
    let mut done: HashMap<Date, f64> = HashMap::new();
    for v in record {
        if let (Direction::Outbound, Some(d)) = (v.direction, v.inspected) {
            *done.entry(d).or_default() += 1.0;
        }
    }
    if let Some(m) = &cfg.inbound {
        for v in implied_inbound(record, m) {
            *done.entry(v.reference).or_default() += 1.0;
        }
    }
    let (Some(first), Some(last)) = (
        record.iter().map(|v| v.reference).min(),
        record.iter().filter_map(|v| v.inspected).max(),
    ) else {
        return BTreeMap::new();
    };
    // Real queue per day by a sweep.
    let mut arrive: HashMap<Date, i64> = HashMap::new();
    let mut leave: HashMap<Date, i64> = HashMap::new();
    for v in record.iter().filter(|v| v.direction == Direction::Outbound) {
        *arrive.entry(v.arrival_at_area(t)).or_default() += 1;
        if let Some(x) = v.inspected {
            *leave.entry(add_days(x, 1)).or_default() += 1;
        }
    }
    let mut acc: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let mut q: i64 = 0;
    let mut d = first;
    let mut all = (0.0, 0.0);
    while d <= last {
        q += arrive.get(&d).copied().unwrap_or(0) - leave.get(&d).copied().unwrap_or(0);
        let c = cfg.day(d);
        if c.teams > 0
            && !c.outbound_only
            && !c.special
            && (q as f64) >= saturation * f64::from(c.teams)
        {
            let n = done.get(&d).copied().unwrap_or(0.0);
            let e = acc.entry(month_key(d)).or_default();
            e.0 += n;
            e.1 += f64::from(c.teams);
            all.0 += n;
            all.1 += f64::from(c.teams);
        }
        d = add_days(d, 1);
    }
    let global = if all.1 > 0.0 {
        all.0 / all.1
    } else {
        cfg.derived_rate()
    };
    let mut out = BTreeMap::new();
    let mut d = first;
    while d <= last {
        let k = month_key(d);
        let r = acc
            .get(&k)
            .filter(|(_, td)| *td >= min_team_days)
            .map_or(global, |(n, td)| n / td);
        out.insert(k, (r * 100.0).round() / 100.0);
        d = add_days(d, 1);
    }
    out
}

/// Effective inspections per team-day over `[from, to]` regardless of saturation: (real
/// outbound + implied inbound inspections) / team-days. Used for short special periods such as
/// the October 2022 surge, whose rate is written in the capacity file.
pub fn period_rate(record: &[Voyage], cfg: &CapacityConfig, from: Date, to: Date) -> Option<f64> {
    let inb = cfg
        .inbound
        .as_ref()
        .map(|m| implied_inbound(record, m))
        .unwrap_or_default();
    let n = record.iter().chain(&inb).filter(|v| {
        let d = match v.direction {
            Direction::Outbound => v.inspected,
            Direction::Inbound => Some(v.reference),
        };
        d.is_some_and(|d| from <= d && d <= to)
    });
    let n = n.count() as f64;
    let mut td = 0.0;
    let mut d = from;
    while d <= to {
        td += f64::from(cfg.day(d).teams);
        d = add_days(d, 1);
    }
    (td > 0.0).then(|| (n / td * 100.0).round() / 100.0)
}

/// One month of the replay table: real and simulated side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayRow {
    /// `YYYY-MM`.
    pub month: String,
    /// Outbound voyages that departed in the month.
    pub departures: u32,
    /// Of those, how many have a real inspection date.
    pub with_dates: u32,
    /// Real median wait (departure → outbound inspection) of those voyages.
    pub real_median_wait_days: Option<f64>,
    /// Simulated median wait of the same voyages.
    pub sim_median_wait_days: Option<f64>,
    /// Simulated median wait of all voyages that departed in the month.
    pub sim_median_wait_days_all: Option<f64>,
    /// Real outbound inspections in the month.
    pub real_outbound_inspections: u32,
    /// Simulated outbound inspections in the month.
    pub sim_outbound_inspections: u32,
    /// Simulated largest queue in the month.
    pub sim_max_queue: u32,
}

impl ReplayRow {
    /// |simulated − real| median wait, if both exist.
    pub fn median_gap(&self) -> Option<f64> {
        Some((self.sim_median_wait_days? - self.real_median_wait_days?).abs())
    }
}

/// Compare a replay with the record, month by month (months of departure for waits, months of
/// inspection for counts).
pub fn compare(record: &[Voyage], report: &SimReport) -> Vec<ReplayRow> {
    let sim: HashMap<&str, Date> = report
        .voyages
        .iter()
        .filter_map(|r| Some((r.id.as_str(), r.inspected?)))
        .collect();
    #[derive(Default)]
    struct Acc {
        deps: u32,
        real: Vec<i32>,
        simw: Vec<i32>,
        sim_all: Vec<i32>,
        real_n: u32,
    }
    let mut m: BTreeMap<String, Acc> = BTreeMap::new();
    for v in record.iter().filter(|v| v.direction == Direction::Outbound) {
        let a = m.entry(month_key(v.reference)).or_default();
        a.deps += 1;
        let s = sim
            .get(v.id.as_str())
            .map(|d| days_between(v.reference, *d));
        if let Some(s) = s {
            a.sim_all.push(s);
        }
        if let Some(x) = v.inspected {
            a.real.push(days_between(v.reference, x));
            if let Some(s) = s {
                a.simw.push(s);
            }
            m.entry(month_key(x)).or_default().real_n += 1;
        }
    }
    let sim_months: HashMap<&str, &crate::sim::MonthReport> = report
        .months
        .iter()
        .map(|r| (r.month.as_str(), r))
        .collect();
    m.into_iter()
        .map(|(month, a)| {
            let sm = sim_months.get(month.as_str());
            ReplayRow {
                departures: a.deps,
                with_dates: u32::try_from(a.real.len()).unwrap_or(u32::MAX),
                real_median_wait_days: median_days(&a.real),
                sim_median_wait_days: median_days(&a.simw),
                sim_median_wait_days_all: median_days(&a.sim_all),
                real_outbound_inspections: a.real_n,
                sim_outbound_inspections: sm.map_or(0, |r| r.outbound_inspections),
                sim_max_queue: sm.map_or(0, |r| r.max_queue),
                month,
            }
        })
        .collect()
}

/// The replay table as Markdown.
pub fn table_markdown(rows: &[ReplayRow]) -> String {
    let f = |x: Option<f64>| x.map_or_else(|| "–".to_owned(), |v| format!("{v}"));
    let mut s = String::from(
        "| month | departures | with dates | real median wait | sim median wait (same voyages) | gap | sim median wait (all) | real outbound inspections | sim outbound inspections | sim max queue |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.month,
            r.departures,
            r.with_dates,
            f(r.real_median_wait_days),
            f(r.sim_median_wait_days),
            f(r.median_gap()),
            f(r.sim_median_wait_days_all),
            r.real_outbound_inspections,
            r.sim_outbound_inspections,
            r.sim_max_queue
        ));
    }
    s
}
