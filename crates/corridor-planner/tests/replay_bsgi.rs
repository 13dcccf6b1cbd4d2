//! Calibration: replay the real 2022-23 season with the real capacity and compare with the record.
//! Run with `--nocapture` to see the table written to docs/queue-replay.md.

mod common;

use corridor_planner::Voyage;
use corridor_planner::forecast::{ForecastEvaluation, ForecastOptions, replay_forecasts};
use corridor_planner::model::{add_days, days_between, month_key};
use corridor_planner::replay::{compare, learn_rates, period_rate, replay, table_markdown};
use jiff::civil::{Date, date};

#[test]
fn record_parses_as_981_voyages() {
    let rec = common::record();
    assert_eq!(rec.len(), 981);
    assert!(rec.iter().filter(|v| v.wfp).count() > 0);
}

#[test]
fn learned_rates_match_the_capacity_file() {
    let rec = common::record();
    let cfg = common::capacity();
    let learned = learn_rates(&rec, &cfg, 2.0, 10.0);
    let surge = period_rate(
        &rec,
        &cfg,
        jiff::civil::date(2022, 10, 30),
        jiff::civil::date(2022, 11, 1),
    );
    println!("surge rate {surge:?}");
    assert_eq!(surge, Some(3.5));
    println!("learned rates: {learned:?}");
    for r in &cfg.rates {
        let l = learned.get(&r.month).copied();
        assert!(
            l.is_some_and(|l| (l - r.inspections_per_team_day).abs() < 0.011),
            "{}: file {} learned {:?}",
            r.month,
            r.inspections_per_team_day,
            l
        );
    }
}

#[test]
fn replay_of_the_real_season() {
    let rec = common::record();
    let cfg = common::capacity();
    let report = replay(&rec, &cfg).expect("replay runs");
    let rows = compare(&rec, &report);
    println!("{}", table_markdown(&rows));
    // Goal met: the simulated median wait within 3 days of the real one in every month where
    // the record has inspection dates (June 2023: only 9 of 23 voyages have dates).
    for r in rows.iter().filter(|r| r.with_dates > 0) {
        let gap = r.median_gap().expect("both medians");
        assert!(
            gap <= 3.0,
            "{}: real {:?} sim {:?}",
            r.month,
            r.real_median_wait_days,
            r.sim_median_wait_days
        );
    }
    // Outbound inspections per month within 10 % (or 8) up to April 2023; May and June 2023
    // differ because the record stops on 14 Jun 2023 (later clearances are missing from it).
    for r in rows.iter().filter(|r| r.month.as_str() <= "2023-04") {
        let (a, b) = (
            f64::from(r.real_outbound_inspections),
            f64::from(r.sim_outbound_inspections),
        );
        assert!(
            (a - b).abs() <= (0.1 * a).max(8.0),
            "{}: real {a} sim {b}",
            r.month
        );
    }
}

fn strict(trailing_team_days: f64) -> ForecastOptions {
    ForecastOptions {
        use_announced_surges: false,
        trailing_team_days,
        ..ForecastOptions::default()
    }
}

fn mae(e: &ForecastEvaluation) -> String {
    e.mae_days
        .map_or_else(|| "–".to_owned(), |m| format!("{m:.2}"))
}

#[test]
fn forecast_accuracy() {
    let rec = common::record();
    let cfg = common::capacity();
    let announced = replay_forecasts(&rec, &cfg, &ForecastOptions::default());
    let causal = replay_forecasts(&rec, &cfg, &strict(42.0));
    // The pace windows tried for the strictly causal forecaster (the chosen one is 42 team-days).
    let windows: Vec<(f64, ForecastEvaluation)> = [21.0, 84.0, 126.0]
        .into_iter()
        .map(|w| (w, replay_forecasts(&rec, &cfg, &strict(w))))
        .collect();
    println!("| variant | MAE (days) |\n|---|---|");
    println!(
        "| with the schedule's announced special days (the 30 Oct - 1 Nov surge at its scheduled capacity) | **{}** |",
        mae(&announced)
    );
    println!(
        "| strictly causal (published team counts only; pace window 42 team-days) | **{}** |",
        mae(&causal)
    );
    for (w, e) in &windows {
        println!(
            "| strictly causal, pace window {w} team-days (tried, not kept) | {} |",
            mae(e)
        );
    }
    let plain = |o: ForecastOptions| {
        replay_forecasts(
            &rec,
            &cfg,
            &ForecastOptions {
                same_day_median: false,
                ..o
            },
        )
    };
    println!(
        "| announced surge, without the same-day median | {} |",
        mae(&plain(ForecastOptions::default()))
    );
    println!(
        "| strictly causal, without the same-day median | {} |",
        mae(&plain(strict(42.0)))
    );
    println!();
    println!("| month | forecasts | MAE announced | MAE strictly causal |\n|---|---|---|---|");
    for (m, a) in &announced.mae_by_month {
        let n = announced
            .forecasts
            .iter()
            .filter(|f| f.actual.is_some() && month_key(f.made_on) == *m)
            .count();
        let c = causal.mae_by_month.get(m).copied().unwrap_or(f64::NAN);
        println!("| {m} | {n} | {a:.2} | {c:.2} |");
    }
    let oct = |e: &ForecastEvaluation| {
        let (mut s, mut n) = (0.0, 0usize);
        for f in &e.forecasts {
            if let Some(a) = f.actual.filter(|_| month_key(f.made_on) != "2022-10") {
                s += f64::from(days_between(a, f.predicted).abs());
                n += 1;
            }
        }
        s / n as f64
    };
    println!(
        "\nwithout October 2022's forecasts: announced {:.2}, strictly causal {:.2}",
        oct(&announced),
        oct(&causal)
    );

    assert!(announced.evaluated >= 950 && causal.evaluated == announced.evaluated);
    // Goal (under 3 days) met with the announced surge; strictly causal it is not met (the surge of
    // 30 Oct - 1 Nov 2022 cannot be foreseen): assert what is reached.
    let a = announced.mae_days.expect("forecasts");
    assert!(a < 3.0, "announced-surge forecast MAE {a}");
    let c = causal.mae_days.expect("forecasts");
    assert!(c < 4.1, "strictly causal forecast MAE {c}");
}

/// The replay's forecasts made on day `d` are the same when everything after the morning of `d` is
/// removed or changed: departures after `d` dropped, inspection dates from `d` on moved or erased.
#[test]
fn forecasts_use_only_the_past() {
    let rec = common::record();
    let cfg = common::capacity();
    for opts in [ForecastOptions::default(), strict(42.0)] {
        let full = replay_forecasts(&rec, &cfg, &opts);
        let made_on = |e: &ForecastEvaluation, d: Date| -> Vec<(String, Date)> {
            e.forecasts
                .iter()
                .filter(|f| f.made_on == d)
                .map(|f| (f.id.clone(), f.predicted))
                .collect()
        };
        for d in [
            date(2022, 9, 20),
            date(2022, 10, 20),
            date(2022, 10, 31),
            date(2022, 11, 20),
            date(2023, 1, 13),
            date(2023, 5, 9),
        ] {
            let cut: Vec<Voyage> = rec
                .iter()
                .filter(|v| v.reference <= d)
                .enumerate()
                .map(|(i, v)| Voyage {
                    inspected: match v.inspected {
                        Some(x) if x >= d && i % 2 == 0 => None,
                        Some(x) if x >= d => Some(add_days(d, 1)),
                        x => x,
                    },
                    ..v.clone()
                })
                .collect();
            let part = replay_forecasts(&cut, &cfg, &opts);
            let expect = made_on(&full, d);
            assert!(!expect.is_empty(), "{d}: no forecasts");
            assert_eq!(made_on(&part, d), expect, "{d}");
            if !opts.use_announced_surges {
                // Nor does the strictly causal forecaster read events that had not begun by `d`:
                // special periods (the surge) and stoppages that begin on `d` or later. (Once begun,
                // a special period's past days are left out of the pace; its future capacity is
                // never used.)
                let mut unannounced = cfg.clone();
                unannounced.periods.retain(|p| {
                    (p.inspections_per_team_day.is_none() && !p.outbound_only) || p.from < d
                });
                unannounced.stoppages.retain(|s| s.from < d);
                let plain = replay_forecasts(&cut, &unannounced, &opts);
                assert_eq!(made_on(&plain, d), expect, "{d} (schedule)");
            }
        }
    }
}
