//! Benchmark of corridor-planner (not a test): prints the median of several runs.
//!
//! `CARGO_TARGET_DIR=/work/target-planner cargo run --release --manifest-path bench/planner/Cargo.toml`

use corridor_planner::plan::{DayProblem, Job, TeamDay, plan_fifo, plan_optimised};
use corridor_planner::rng::SplitMix;
use corridor_planner::sim::{SimOptions, simulate};
use corridor_planner::{CapacityConfig, Direction, Reference, Voyage};
use std::time::{Duration, Instant};

fn median_time(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut t: Vec<Duration> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed()
        })
        .collect();
    t.sort();
    t[t.len() / 2]
}

fn day_problem(seed: u64, n: usize, teams: usize) -> DayProblem {
    let mut r = SplitMix::new(seed);
    DayProblem {
        day: jiff::civil::date(2022, 10, 10),
        jobs: (0..n)
            .map(|i| Job { id: format!("v{i}"), place: i, area: r.below(2) as usize, minutes: 90 + 15 * r.below(15) as u32, ready: 0 })
            .collect(),
        teams: (0..teams).map(|k| TeamDay { name: format!("t{k}"), start_area: k % 2, start: 420, end: 930, reserved: Vec::new(), kept: Vec::new() }).collect(),
        areas: vec!["marmara".into(), "bosphorus-north".into()],
        travel: vec![vec![0, 90], vec![90, 0]],
    }
}

fn year(seed: u64) -> (Vec<Voyage>, CapacityConfig) {
    let mut r = SplitMix::new(seed);
    let start = jiff::civil::date(2022, 8, 1);
    let mut v = Vec::new();
    for d in 0..365 {
        let day = corridor_planner::model::add_days(start, d);
        for k in 0..(2 + r.below(5)) {
            let dir = if k % 2 == 0 { Direction::Outbound } else { Direction::Inbound };
            v.push(Voyage {
                id: format!("{d}-{k}"),
                direction: dir,
                reference: day,
                reference_kind: Reference::DepartedPort,
                tonnes: 10_000 + 1_000 * r.below(60) as u32,
                wfp: r.below(50) == 0,
                perishable: false,
                ready: None,
                inspected: None,
                vessel: None,
                area: None,
            });
        }
    }
    let cfg = CapacityConfig::from_toml(
        "[[period]]\nfrom = \"2022-08-01\"\nteams = 3\ninspections_per_team_day = 2.0\n[readiness]\nnot_ready_probability = 0.1\n[queue]\nwfp_first = true\n",
    )
    .expect("config");
    (v, cfg)
}

fn main() {
    let p = day_problem(7, 500, 10);
    let (f, o) = (plan_fifo(&p).expect("fifo"), plan_optimised(&p).expect("plan"));
    let t_fifo = median_time(11, || {
        let _ = plan_fifo(&p);
    });
    let t_plan = median_time(11, || {
        let _ = plan_optimised(&p);
    });
    println!(
        "daily plan, 500 vessels, 10 teams: optimiser {:.1} ms (FIFO {:.2} ms); inspections {} vs FIFO {} (bound {}), place sum {} vs {}",
        t_plan.as_secs_f64() * 1e3,
        t_fifo.as_secs_f64() * 1e3,
        o.score.inspections,
        f.score.inspections,
        o.count_upper_bound,
        o.score.place_sum,
        f.score.place_sum
    );
    let (v, cfg) = year(11);
    let r = simulate(&v, &cfg, &SimOptions::default()).expect("sim");
    let t_year = median_time(11, || {
        let _ = simulate(&v, &cfg, &SimOptions::default());
    });
    println!(
        "simulated year: {} voyages, {} days: {:.1} ms",
        v.len(),
        r.days.len(),
        t_year.as_secs_f64() * 1e3
    );
}
