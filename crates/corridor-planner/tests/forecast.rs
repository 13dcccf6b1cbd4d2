//! The live forecaster: predictions follow the queue order and use only the past.

use corridor_planner::forecast::{ForecastOptions, forecast_queue, replay_forecasts};
use corridor_planner::{CapacityConfig, Direction, Reference, Voyage};
use jiff::civil::{Date, date};

fn v(id: &str, dep: Date, insp: Option<Date>) -> Voyage {
    Voyage {
        id: id.into(),
        direction: Direction::Outbound,
        reference: dep,
        reference_kind: Reference::DepartedPort,
        tonnes: 30_000,
        wfp: false,
        perishable: false,
        ready: None,
        inspected: insp,
        vessel: None,
        area: None,
    }
}

fn cfg() -> CapacityConfig {
    CapacityConfig::from_toml("transit_days = 1\n[[period]]\nfrom = \"2022-09-01\"\nteams = 1\n")
        .expect("config")
}

/// The one check: forecasts of the queue on `day` as (id, predicted).
fn check(history: &[Voyage], day: Date, expect: &[(&str, Date)]) {
    let f = forecast_queue(
        history,
        day,
        &cfg(),
        &ForecastOptions {
            trailing_team_days: 5.0,
            ..ForecastOptions::default()
        },
    );
    let got: Vec<(&str, Date)> = f.iter().map(|x| (x.id.as_str(), x.predicted)).collect();
    assert_eq!(got, expect);
    assert!(f.iter().all(|x| x.actual.is_none()));
}

#[test]
fn examples() {
    // History: one vessel a day departs from 1 Sep; the queue is served 1 a day with a backlog of
    // 4, so the pace learned is 1 per team-day.
    let mut h = Vec::new();
    for i in 0..20 {
        let dep = corridor_planner::model::add_days(date(2022, 9, 1), i);
        let insp = (i < 14).then(|| corridor_planner::model::add_days(dep, 5));
        h.push(v(&format!("v{i}"), dep, insp));
    }
    // On 20 Sep, waiting: v14 (dep 15 Sep) ... v19 (dep 20 Sep); v13 was inspected on 19 Sep.
    check(
        &h,
        date(2022, 9, 20),
        &[
            ("v14", date(2022, 9, 20)),
            ("v15", date(2022, 9, 21)),
            ("v16", date(2022, 9, 22)),
            ("v17", date(2022, 9, 23)),
            ("v18", date(2022, 9, 24)),
            ("v19", date(2022, 9, 25)),
        ],
    );
    // Inspection dates after the forecast day are not used (no peeking).
    let mut peek = h.clone();
    peek[15].inspected = Some(date(2022, 9, 20));
    check(
        &peek,
        date(2022, 9, 20),
        &[
            ("v14", date(2022, 9, 20)),
            ("v15", date(2022, 9, 21)),
            ("v16", date(2022, 9, 22)),
            ("v17", date(2022, 9, 23)),
            ("v18", date(2022, 9, 24)),
            ("v19", date(2022, 9, 25)),
        ],
    );
    check(&[], date(2022, 9, 20), &[]);
    // Three vessels arriving on the same day are served in an order nobody knows: each is given
    // the middle of their three slots (25, 26, 27 Sep), which minimises the absolute error.
    let mut same = h.clone();
    same.push(v("v19b", date(2022, 9, 20), None));
    same.push(v("v19c", date(2022, 9, 20), None));
    check(
        &same,
        date(2022, 9, 20),
        &[
            ("v14", date(2022, 9, 20)),
            ("v15", date(2022, 9, 21)),
            ("v16", date(2022, 9, 22)),
            ("v17", date(2022, 9, 23)),
            ("v18", date(2022, 9, 24)),
            ("v19", date(2022, 9, 26)),
            ("v19b", date(2022, 9, 26)),
            ("v19c", date(2022, 9, 26)),
        ],
    );
    // Replay evaluation on the same history: every vessel with a date is evaluated.
    let e = replay_forecasts(&h, &cfg(), &ForecastOptions::default());
    assert_eq!(e.evaluated, 14);
    assert!(e.mae_days.is_some());
}
