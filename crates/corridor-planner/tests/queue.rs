//! The queue rule, coordinator overrides and the public queue with predicted dates.

use corridor_planner::queue::{
    Override, QueuePolicy, QueueView, order, queue_view, queue_view_booked,
};
use corridor_planner::{CapacityConfig, Direction, Reference, Voyage};
use jiff::civil::{Date, date};

fn v(
    id: &str,
    dir: Direction,
    arrived: Date,
    wfp: bool,
    perishable: bool,
    ready: Option<Date>,
) -> Voyage {
    Voyage {
        id: id.into(),
        direction: dir,
        reference: arrived,
        reference_kind: Reference::ArrivedAtArea,
        tonnes: 30_000,
        wfp,
        perishable,
        ready,
        inspected: None,
        vessel: None,
        area: None,
    }
}

fn waiting() -> Vec<Voyage> {
    use Direction::*;
    vec![
        v(
            "a",
            Outbound,
            date(2022, 10, 1),
            false,
            false,
            Some(date(2022, 10, 5)),
        ),
        v("b", Outbound, date(2022, 10, 2), true, false, None),
        v("c", Inbound, date(2022, 10, 3), false, false, None),
        v("d", Outbound, date(2022, 10, 4), false, true, None),
        v("e", Outbound, date(2022, 10, 4), false, false, None),
    ]
}

/// The one check: order `waiting()` under a policy and overrides, compare ids (or the error).
fn check(policy: QueuePolicy, overrides: &[Override], expect: Result<&[&str], &str>) {
    let w = waiting();
    match (order(&w, &policy, 0, overrides), expect) {
        (Ok((idx, log)), Ok(ids)) => {
            let got: Vec<&str> = idx.iter().map(|&i| w[i].id.as_str()).collect();
            assert_eq!(got, ids, "{policy:?}");
            assert_eq!(log.len(), overrides.len());
            for (l, o) in log.iter().zip(overrides) {
                assert_eq!((&l.id, &l.reason, &l.by), (&o.id, &o.reason, &o.by));
            }
        }
        (Err(e), Err(what)) => assert!(e.to_string().contains(what), "{e}"),
        (r, e) => panic!("got {r:?}, expected {e:?}"),
    }
}

fn ov(id: &str, place: usize, reason: &str) -> Override {
    Override {
        id: id.into(),
        place,
        reason: reason.into(),
        by: "UN coordinator".into(),
    }
}

#[test]
fn examples() {
    let fifo = QueuePolicy::fifo();
    check(fifo.clone(), &[], Ok(&["a", "b", "c", "d", "e"]));
    check(
        QueuePolicy {
            order: corridor_planner::queue::OrderBy::Readiness,
            ..fifo.clone()
        },
        &[],
        Ok(&["b", "c", "d", "e", "a"]),
    );
    check(
        QueuePolicy {
            wfp_first: true,
            ..fifo.clone()
        },
        &[],
        Ok(&["b", "a", "c", "d", "e"]),
    );
    check(
        QueuePolicy {
            wfp_first: true,
            perishable_first: true,
            ..fifo.clone()
        },
        &[],
        Ok(&["b", "d", "a", "c", "e"]),
    );
    check(
        QueuePolicy {
            inbound_first: true,
            ..fifo.clone()
        },
        &[],
        Ok(&["c", "a", "b", "d", "e"]),
    );
    check(
        fifo.clone(),
        &[ov("e", 1, "medical evacuation of a crew member")],
        Ok(&["e", "a", "b", "c", "d"]),
    );
    check(
        fifo.clone(),
        &[ov("a", 99, "documents incomplete")],
        Ok(&["b", "c", "d", "e", "a"]),
    );
    check(fifo.clone(), &[ov("e", 1, "  ")], Err("reason is required"));
    check(fifo, &[ov("zz", 1, "x")], Err("not waiting"));
}

#[test]
fn public_queue_predicts_in_order_with_a_range() {
    let cfg = CapacityConfig::from_toml(
        "transit_days = 0\n[queue]\nwfp_first = false\nperishable_first = false\n[[period]]\nfrom = \"2022-10-01\"\nteams = 1\ninspections_per_team_day = 2.0\n",
    )
    .expect("config");
    let view = queue_view(&waiting(), date(2022, 10, 4), &cfg, &[]).expect("view");
    let places: Vec<usize> = view.entries.iter().map(|e| e.place).collect();
    assert_eq!(places, vec![1, 2, 3, 4, 5]);
    // 2 a day: a is first but not ready before 5 Oct, so b and c go on 4 Oct, then a and d, then e.
    let got: Vec<(&str, Date)> = view
        .entries
        .iter()
        .map(|e| (e.id.as_str(), e.predicted))
        .collect();
    assert_eq!(
        got,
        vec![
            ("a", date(2022, 10, 5)),
            ("b", date(2022, 10, 4)),
            ("c", date(2022, 10, 4)),
            ("d", date(2022, 10, 5)),
            ("e", date(2022, 10, 6))
        ]
    );
    for e in &view.entries {
        assert!(e.earliest_likely <= e.predicted && e.predicted <= e.latest_likely);
        assert!(e.predicted >= e.eligible_from);
    }
}

/// Found in review (2026-11-29): once tomorrow's plan was approved, the
/// vessels it booked still took the first open day's capacity in the
/// forecast, so those behind them were predicted a day late.
#[test]
fn booked_vessels_keep_their_place_and_take_no_capacity() {
    let cfg = CapacityConfig::from_toml(
        "transit_days = 0\n[queue]\nwfp_first = false\nperishable_first = false\n[[period]]\nfrom = \"2022-10-01\"\nteams = 1\ninspections_per_team_day = 2.0\n",
    )
    .expect("config");
    // b and c are booked for 4 Oct by an approved plan; the view is for 5 Oct.
    let booked = |v: &Voyage| (v.id == "b" || v.id == "c").then_some(date(2022, 10, 4));
    let view = queue_view_booked(&waiting(), date(2022, 10, 5), &cfg, &[], &booked).expect("view");
    let got: Vec<(&str, usize, Date, Date)> = view
        .entries
        .iter()
        .map(|e| (e.id.as_str(), e.place, e.predicted, e.latest_likely))
        .collect();
    assert_eq!(
        got[1..3],
        [
            ("b", 2, date(2022, 10, 4), date(2022, 10, 4)),
            ("c", 3, date(2022, 10, 4), date(2022, 10, 4)),
        ]
    );
    assert_eq!((got[0].0, got[0].1, got[0].2), ("a", 1, date(2022, 10, 5)));
    for e in &view.entries[1..3] {
        assert_eq!(e.earliest_likely, date(2022, 10, 4), "{e:?}");
    }
    // 2 a day from 5 Oct, b and c not among them: a and d on 5 Oct, e on 6 Oct
    // (counted, they would have pushed d and e a day later).
    let day = |id: &str| predicted(&view, id);
    assert_eq!(day("d"), Some(date(2022, 10, 5)));
    assert_eq!(day("e"), Some(date(2022, 10, 6)));
    let counted = queue_view(&waiting(), date(2022, 10, 5), &cfg, &[]).expect("view");
    assert!(predicted(&counted, "e") > day("e"), "{counted:?}");
}

/// The same review: a vessel booked for the view's day or later (scheduled
/// on its own, or in a plan approved ahead) takes its place out of that
/// day's capacity, not out of whichever day the projection would give it.
#[test]
fn a_booking_on_a_later_day_takes_that_days_capacity() {
    let cfg = CapacityConfig::from_toml(
        "transit_days = 0\n[queue]\nwfp_first = false\nperishable_first = false\n[[period]]\nfrom = \"2022-10-01\"\nteams = 1\ninspections_per_team_day = 2.0\n",
    )
    .expect("config");
    // b is booked for 6 Oct: on 5 Oct a and c go, on 6 Oct d and b (so e waits for 7 Oct).
    let booked = |v: &Voyage| (v.id == "b").then_some(date(2022, 10, 6));
    let view = queue_view_booked(&waiting(), date(2022, 10, 5), &cfg, &[], &booked).expect("view");
    let day = |id: &str| predicted(&view, id);
    assert_eq!(day("b"), Some(date(2022, 10, 6)));
    assert_eq!(day("a"), Some(date(2022, 10, 5)));
    assert_eq!(day("c"), Some(date(2022, 10, 5)));
    assert_eq!(day("d"), Some(date(2022, 10, 6)));
    assert_eq!(day("e"), Some(date(2022, 10, 7)));
}

/// The day `view` predicts for vessel `id`.
fn predicted(view: &QueueView, id: &str) -> Option<Date> {
    view.entries
        .iter()
        .find(|e| e.id == id)
        .map(|e| e.predicted)
}
