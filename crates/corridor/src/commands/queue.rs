//! `corridor simulate queue`: replays arrivals against a capacity schedule.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args as ClapArgs;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use corridor_planner::sim::Scenario;
use corridor_planner::{CapacityConfig, Voyage, replay};
use corridor_store::VoyageQuery;
use jiff::civil::Date;
use serde::Serialize;

use super::Context;

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Take the arrivals from the record in the store (--database): every outbound voyage
    #[arg(long)]
    replay_record: bool,
    /// Capacity schedule (TOML, see config/capacity-bsgi.toml) [default: the real 2022-23 season's]
    #[arg(long)]
    capacity: Option<PathBuf>,
    /// What-if changes: teams-from=YYYY-MM-DD:N, registration-stop=YYYY-MM-DD:DAYS,
    /// daily-cap=N, stoppage=YYYY-MM-DD:DAYS (comma-separated)
    #[arg(long, value_delimiter = ',')]
    what_if: Vec<String>,
    /// Print a JSON array, one object per month (per day with --per-day)
    #[arg(long)]
    json: bool,
    /// Report each simulated day (teams, capacity, inspections, failures,
    /// queue, idle team hours) instead of each month
    #[arg(long)]
    per_day: bool,
}

/// One month of the replay, with the record's real figures beside it.
#[derive(Debug, Serialize)]
struct Month {
    month: String,
    outbound_inspections: u32,
    inbound_inspections: u32,
    median_wait_days: Option<f64>,
    max_queue: u32,
    max_outbound_queue: u32,
    idle_team_hours: f64,
    failed_not_ready: u32,
    departures: u32,
    /// Of those departures, voyages not inspected by the end of the run.
    not_inspected: u32,
    real_outbound_inspections: Option<u32>,
    real_median_wait_days: Option<f64>,
}

fn scenario(s: &str) -> anyhow::Result<Scenario> {
    let (kind, value) = s
        .split_once('=')
        .with_context(|| format!("--what-if {s:?}: expected KIND=VALUE"))?;
    let date_n = |v: &str| -> anyhow::Result<(Date, i64)> {
        let (d, n) = v
            .split_once(':')
            .with_context(|| format!("--what-if {s:?}: expected YYYY-MM-DD:N"))?;
        Ok((
            d.parse()
                .with_context(|| format!("--what-if {s:?}: bad date {d:?}"))?,
            n.parse()
                .with_context(|| format!("--what-if {s:?}: bad number {n:?}"))?,
        ))
    };
    // As a capacity file's limits (1,000 teams), and days within ten years.
    let within = |n: i64, range: std::ops::RangeInclusive<i64>, what: &str| {
        if range.contains(&n) {
            Ok(n)
        } else {
            Err(anyhow::anyhow!(
                "--what-if {s:?}: {what} {n} is outside {}..={}",
                range.start(),
                range.end()
            ))
        }
    };
    Ok(match kind {
        "teams-from" => {
            let (from, teams) = date_n(value)?;
            let teams = within(teams, 0..=1000, "teams")?;
            Scenario::TeamsFrom {
                from,
                teams: u32::try_from(teams)?,
            }
        }
        "registration-stop" => {
            let (from, days) = date_n(value)?;
            let days = within(days, 1..=3650, "days")?;
            Scenario::RegistrationStop {
                from,
                days: i32::try_from(days)?,
            }
        }
        "stoppage" => {
            let (from, days) = date_n(value)?;
            let days = within(days, 1..=3650, "days")?;
            Scenario::Stoppage {
                from,
                days: i32::try_from(days)?,
            }
        }
        "daily-cap" => Scenario::DailyCap {
            per_day: u32::try_from(within(
                value
                    .parse()
                    .with_context(|| format!("--what-if {s:?}: bad number"))?,
                0..=10_000,
                "inspections a day",
            )?)?,
        },
        other => anyhow::bail!(
            "--what-if: unknown change {other:?} (teams-from, registration-stop, daily-cap, stoppage)"
        ),
    })
}

pub async fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.replay_record,
        "say where the arrivals come from: --replay-record (the record in --database)"
    );
    let cfg = match &args.capacity {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            CapacityConfig::from_toml(&text)
                .with_context(|| format!("capacity file {}", p.display()))?
        }
        None => CapacityConfig::bsgi()?,
    };
    let scenarios = args
        .what_if
        .iter()
        .map(|s| scenario(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    anyhow::ensure!(
        cfg.span().is_some()
            || scenarios
                .iter()
                .any(|s| matches!(s, Scenario::TeamsFrom { .. })),
        "the capacity schedule has no [[period]]: no team would ever work, so nothing would be \
         inspected (see config/capacity-bsgi.toml)"
    );
    let store = ctx.existing_store().await?;
    let mut record = Vec::new();
    let mut offset = 0;
    loop {
        let q = VoyageQuery {
            limit: Some(VoyageQuery::MAX_LIMIT),
            offset: Some(offset),
            ..VoyageQuery::default()
        };
        let page = store.voyages(&q).await?;
        for v in &page.items {
            record.push(Voyage::from_record(
                v.seq,
                v.departure,
                v.tonnes.kg(),
                v.cargo.iter().any(|c| c.wfp == Some(true)),
                v.inspection_cleared,
                v.imo.to_string(),
            ));
        }
        offset += page.items.len() as u32;
        if page.items.is_empty() || u64::from(offset) >= page.total {
            break;
        }
    }
    anyhow::ensure!(
        !record.is_empty(),
        "the record in {} has no voyages: import one first",
        ctx.database_shown()
    );
    record.sort_by(|a, b| (a.reference, &a.id).cmp(&(b.reference, &b.id)));
    let report = if scenarios.is_empty() {
        replay::replay(&record, &cfg)?
    } else {
        replay::replay_what_if(&record, &cfg, &scenarios)?
    };
    if args.per_day {
        return print_days(&report.days, args.json);
    }
    let real = replay::compare(&record, &report);
    let months: Vec<Month> = report
        .months
        .iter()
        .map(|m| {
            let r = real.iter().find(|r| r.month == m.month);
            Month {
                month: m.month.clone(),
                outbound_inspections: m.outbound_inspections,
                inbound_inspections: m.inbound_inspections,
                median_wait_days: m.median_wait_days,
                max_queue: m.max_queue,
                max_outbound_queue: m.max_outbound_queue,
                idle_team_hours: m.idle_team_hours,
                failed_not_ready: m.failed_not_ready,
                departures: m.departures,
                not_inspected: m.not_inspected,
                real_outbound_inspections: r.map(|r| r.real_outbound_inspections),
                real_median_wait_days: r.and_then(|r| r.real_median_wait_days),
            }
        })
        .collect();
    if args.json {
        return super::print(&format!("{}\n", serde_json::to_string_pretty(&months)?))
            .map(|()| ExitCode::SUCCESS);
    }
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "month",
        "outbound inspections (real)",
        "inbound",
        "median wait, days (real)",
        "not inspected",
        "max queue",
        "idle team hours",
    ]);
    let opt = |x: Option<f64>| x.map_or("–".to_string(), |v| format!("{v}"));
    for m in &months {
        t.add_row(vec![
            m.month.clone(),
            format!(
                "{} ({})",
                m.outbound_inspections,
                m.real_outbound_inspections
                    .map_or("–".into(), |r| r.to_string())
            ),
            m.inbound_inspections.to_string(),
            format!(
                "{} ({})",
                opt(m.median_wait_days),
                opt(m.real_median_wait_days)
            ),
            m.not_inspected.to_string(),
            m.max_queue.to_string(),
            format!("{:.0}", m.idle_team_hours),
        ]);
    }
    super::print(&format!("{t}\n"))?;
    Ok(ExitCode::SUCCESS)
}

/// The simulation's days, as a table or a JSON array.
fn print_days(days: &[corridor_planner::sim::DayReport], json: bool) -> anyhow::Result<ExitCode> {
    if json {
        return super::print(&format!("{}\n", serde_json::to_string_pretty(days)?))
            .map(|()| ExitCode::SUCCESS);
    }
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "day",
        "teams",
        "capacity",
        "outbound",
        "inbound",
        "failed not ready",
        "queue",
        "idle team hours",
    ]);
    for d in days {
        t.add_row(vec![
            d.day.to_string(),
            d.teams.to_string(),
            format!("{:.1}", d.capacity),
            d.outbound_inspections.to_string(),
            d.inbound_inspections.to_string(),
            d.failed_not_ready.to_string(),
            d.queue.to_string(),
            format!("{:.0}", d.idle_team_hours),
        ]);
    }
    super::print(&format!("{t}\n"))?;
    Ok(ExitCode::SUCCESS)
}
