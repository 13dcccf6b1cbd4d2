//! Small building blocks: dates and duration distributions.

use corridor_planner::Direction;
use corridor_planner::duration::DurationModel;
use corridor_planner::model::{add_days, days_between, epoch_day, month_key};
use jiff::civil::date;
use proptest::prelude::*;

/// The one check for duration models: quantiles at u = 0, 0.1, 0.5, 0.9, 1 and the mean.
fn check(m: &DurationModel, q: [f64; 5], mean: f64) {
    for (u, want) in [0.0, 0.1, 0.5, 0.9, 1.0].iter().zip(q) {
        assert!(
            (m.quantile(*u) - want).abs() < 1e-9,
            "q({u}) = {} != {want}",
            m.quantile(*u)
        );
    }
    assert!((m.mean() - mean).abs() < 1e-9, "mean {}", m.mean());
}

#[test]
fn durations() {
    let m = DurationModel {
        direction: None,
        min_tonnes: 0,
        max_tonnes: None,
        p10_minutes: 100.0,
        p50_minutes: 200.0,
        p90_minutes: 300.0,
    };
    // mean = 0.1*(75+100)/2 + 0.4*(100+200)/2 + 0.4*(200+300)/2 + 0.1*(300+375)/2
    check(
        &m,
        [75.0, 100.0, 200.0, 300.0, 375.0],
        8.75 + 60.0 + 100.0 + 33.75,
    );
    let learned = DurationModel::learn(
        Some(Direction::Outbound),
        &(1..=100).map(f64::from).collect::<Vec<_>>(),
    )
    .expect("learns");
    assert_eq!(
        (
            learned.p10_minutes,
            learned.p50_minutes,
            learned.p90_minutes
        ),
        (10.0, 50.0, 90.0)
    );
    assert!(DurationModel::learn(None, &[1.0, f64::NAN]).is_none());
    assert!(m.matches(Direction::Inbound, 5));
    assert!((m.quantile(f64::NAN) - 200.0).abs() < 1e-9);
}

#[test]
fn dates() {
    assert_eq!(epoch_day(date(1970, 1, 1)), 0);
    assert_eq!(days_between(date(2022, 8, 1), date(2023, 6, 14)), 317);
    assert_eq!(add_days(date(2022, 10, 30), 3), date(2022, 11, 2));
    assert_eq!(add_days(jiff::civil::Date::MAX, 1), jiff::civil::Date::MAX);
    assert_eq!(month_key(date(2023, 5, 24)), "2023-05");
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn days_between_agrees_with_jiff(a in -100_000i32..100_000, b in -100_000i32..100_000) {
        let base = date(2000, 1, 1);
        let (x, y) = (add_days(base, a), add_days(base, b));
        prop_assert_eq!(days_between(x, y), b - a);
        let span = x.until(y).expect("span");
        prop_assert_eq!(i64::from(days_between(x, y)), i64::from(span.get_days()));
    }
}
