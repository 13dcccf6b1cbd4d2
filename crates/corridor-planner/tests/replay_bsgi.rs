//! Calibration: replay the real 2022-23 season with the real capacity and compare with the record.
//! Run with `--nocapture` to see the table written to docs/queue-replay.md.

mod common;

use corridor_planner::forecast::{ForecastOptions, replay_forecasts};
use corridor_planner::replay::{compare, learn_rates, replay, table_markdown};

#[test]
fn record_parses_as_981_voyages() {
    let Some(rec) = common::record() else {
        eprintln!("record not found at {}; skipping", common::RECORD);
        return;
    };
    assert_eq!(rec.len(), 981);
    assert!(rec.iter().filter(|v| v.wfp).count() > 0);
}

#[test]
fn learned_rates_match_the_capacity_file() {
    let Some(rec) = common::record() else { return };
    let cfg = common::capacity();
    let learned = learn_rates(&rec, &cfg, 2.0, 10.0);
    println!("learned rates: {learned:?}");
    for r in &cfg.rates {
        let l = learned.get(&r.month).copied();
        assert!(l.is_some_and(|l| (l - r.inspections_per_team_day).abs() < 0.011), "{}: file {} learned {:?}", r.month, r.inspections_per_team_day, l);
    }
}

#[test]
fn replay_of_the_real_season() {
    let Some(rec) = common::record() else { return };
    let cfg = common::capacity();
    let report = replay(&rec, &cfg).expect("replay runs");
    let rows = compare(&rec, &report);
    println!("{}", table_markdown(&rows));
    let fc = replay_forecasts(&rec, &cfg, &ForecastOptions::default());
    let strict = replay_forecasts(&rec, &cfg, &ForecastOptions { use_announced_surges: false, ..ForecastOptions::default() });
    println!("forecast MAE {:?} over {} (without announced surges {:?}); by month {:?}", fc.mae_days, fc.evaluated, strict.mae_days, fc.mae_by_month);
}
