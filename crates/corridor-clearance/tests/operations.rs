//! Open finding 52: UNVIM publishes, every month, the vessels cleared and
//! the days they waited; corridor had no producer of such figures. A
//! slice of an on-cause season, played through the core, gives the monthly
//! operations figures a reader can check by hand.

mod common;

use common::*;
use corridor_clearance::machine::*;
use corridor_clearance::operations::{Days, MonthOperations};
use corridor_ledger::DecisionKind;
use jiff::{Timestamp, ToSpan};

fn istanbul() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Istanbul").expect("time zone")
}

fn arrive(w: &mut World, id: &str, at: Timestamp) {
    w.run(
        &coordinator(),
        Command::RecordAreaArrival {
            application_id: id.into(),
            at,
            area: "Djibouti anchorage".into(),
            evidence: "seen at anchor by the duty officer".into(),
        },
        at,
    )
    .expect("arrival");
}

fn inspect(w: &mut World, id: &str, outcome: InspectionOutcome, at: Timestamp) {
    w.run(
        &coordinator(),
        Command::ScheduleInspection {
            application_id: id.into(),
            at,
        },
        at - 2.hours(),
    )
    .expect("booked");
    w.run(
        &inspector(),
        Command::RecordInspection {
            application_id: id.into(),
            outcome,
            checked: vec!["papers".into(), "cargo".into(), "prohibited".into()],
        },
        at,
    )
    .expect("inspected");
}

fn depart(w: &mut World, id: &str, at: Timestamp) {
    w.run(
        &coordinator(),
        Command::Depart {
            application_id: id.into(),
        },
        at,
    )
    .expect("departed");
}

fn ready(w: &mut World, id: &str, at: Timestamp) {
    w.run(
        &agent_of(w, id),
        Command::DeclareReadiness {
            application_id: id.into(),
            readiness: all_ready(),
        },
        at,
    )
    .expect("ready");
}

fn agent_of(w: &World, id: &str) -> corridor_clearance::Actor {
    agent(&w.clearance.applications[id].company)
}

fn days(count: u64, mean: f64, median: f64) -> Days {
    Days {
        count,
        mean: Some(mean),
        median: Some(median),
    }
}

#[test]
fn monthly_operations_figures_count_what_the_log_shows() {
    let mut w = World::new(unvim_like(), t("2022-10-01T00:00:00Z"));

    // Cleared on its papers in two days; a day and a half at anchor.
    let p = w.submitted("atlas", "9000015", t("2022-10-10T06:00:00Z"));
    w.decide(
        "UNVIM",
        &p,
        DecisionKind::Approve,
        t("2022-10-12T06:00:00Z"),
    )
    .expect("approve");
    arrive(&mut w, &p, t("2022-10-13T06:00:00Z"));
    depart(&mut w, &p, t("2022-10-14T18:00:00Z"));

    // Inspected on cause: cleared in a day, found not ready, passed after
    // 9.9375 days at anchor, on 31 October UTC, which is 1 November on
    // the centre's clock.
    let q = w.submitted("boreas", "9000027", t("2022-10-20T06:00:00Z"));
    w.run(
        &coordinator(),
        Command::RequireInspection {
            application_id: q.clone(),
            reason: "Manifest weights disagree with the draught".into(),
        },
        t("2022-10-20T07:00:00Z"),
    )
    .expect("cause");
    w.decide(
        "UNVIM",
        &q,
        DecisionKind::Approve,
        t("2022-10-21T06:00:00Z"),
    )
    .expect("approve");
    arrive(&mut w, &q, t("2022-10-22T00:00:00Z"));
    ready(&mut w, &q, t("2022-10-23T00:00:00Z"));
    inspect(
        &mut w,
        &q,
        InspectionOutcome::NotReady {
            reason_code: "GAS_IN_HOLDS".into(),
            text: "phosphine".into(),
        },
        t("2022-10-25T09:00:00Z"),
    );
    ready(&mut w, &q, t("2022-10-31T06:00:00Z"));
    inspect(
        &mut w,
        &q,
        InspectionOutcome::Passed,
        t("2022-10-31T22:30:00Z"),
    );
    depart(&mut w, &q, t("2022-11-02T00:00:00Z"));

    // Rejected, and withdrawn, in November; nothing in December; one
    // submitted in January.
    let r = w.submitted("cygnus", "9000039", t("2022-11-03T06:00:00Z"));
    w.decide(
        "UNVIM",
        &r,
        reject("PROHIBITED_CARGO"),
        t("2022-11-04T06:00:00Z"),
    )
    .expect("reject");
    let s = w.submitted("delphi", "9000041", t("2022-11-05T06:00:00Z"));
    w.run(
        &agent("delphi"),
        Command::Withdraw {
            application_id: s,
            reason: "charter cancelled".into(),
        },
        t("2022-11-06T06:00:00Z"),
    )
    .expect("withdrawn");
    // Cleared on its papers, then inspected on cause: its first inspection
    // is waited for from its arrival, the second (asked after the pass)
    // from its cause (session 25's review: every inspection with a cause
    // was timed from the cause).
    let v = w.submitted("atlas", "9000065", t("2022-11-07T06:00:00Z"));
    w.decide(
        "UNVIM",
        &v,
        DecisionKind::Approve,
        t("2022-11-07T06:00:00Z"),
    )
    .expect("approve");
    arrive(&mut w, &v, t("2022-11-08T06:00:00Z"));
    let require = |w: &mut World, at| {
        w.run(
            &coordinator(),
            Command::RequireInspection {
                application_id: v.clone(),
                reason: "AIS off for 5 hours".into(),
            },
            at,
        )
        .expect("cause");
    };
    require(&mut w, t("2022-11-09T06:00:00Z"));
    ready(&mut w, &v, t("2022-11-09T07:00:00Z"));
    inspect(
        &mut w,
        &v,
        InspectionOutcome::Passed,
        t("2022-11-10T06:00:00Z"),
    );
    require(&mut w, t("2022-11-11T06:00:00Z"));
    ready(&mut w, &v, t("2022-11-11T07:00:00Z"));
    inspect(
        &mut w,
        &v,
        InspectionOutcome::Passed,
        t("2022-11-12T06:00:00Z"),
    );
    // Arrived on 30 December, logged on 6 January: a December arrival.
    let late = w.submitted("atlas", "9000053", t("2023-01-05T06:00:00Z"));
    let record = |w: &mut World, at, logged| {
        w.run(
            &coordinator(),
            Command::RecordAreaArrival {
                application_id: late.clone(),
                at,
                area: "Djibouti anchorage".into(),
                evidence: "the agent's noon report".into(),
            },
            logged,
        )
        .expect("arrival")
    };
    record(&mut w, t("2022-12-30T06:00:00Z"), t("2023-01-06T06:00:00Z"));
    let ops_then = corridor_clearance::operations(
        &w.clearance.config,
        istanbul(),
        w.events().iter().map(|(t, e)| (*t, e)),
    )
    .expect("figures");
    assert_eq!(ops_then.months[2].arrived, 1, "{:?}", ops_then.months[2]);
    // Corrected to 1 January: it moves to January (the review of session
    // 25's fixes: it stayed in its first month).
    record(&mut w, t("2023-01-01T06:00:00Z"), t("2023-01-07T06:00:00Z"));

    let events = w.events();
    let ops = corridor_clearance::operations(
        &w.clearance.config,
        istanbul(),
        events.iter().map(|(t, e)| (*t, e)),
    )
    .expect("figures");
    assert_eq!(ops.time_zone, "Europe/Istanbul");
    let tonnes = w.clearance.applications[&p].content.total_tonnes();
    let month = |m: &str| MonthOperations {
        month: m.into(),
        ..MonthOperations::default()
    };
    let mut oct = month("2022-10");
    oct.submitted = 2;
    oct.cleared = 2;
    oct.cleared_on_papers = 1;
    oct.tonnes_cleared = 2 * tonnes;
    oct.arrived = 2;
    oct.inspections.failed_not_ready = 1;
    oct.departed = 1;
    oct.days_to_clear = days(2, 1.5, 1.5);
    oct.days_in_inspection_area = days(1, 1.5, 1.5);
    let mut nov = month("2022-11");
    nov.submitted = 3;
    nov.cleared = 1;
    nov.cleared_on_papers = 1;
    nov.tonnes_cleared = tonnes;
    nov.rejected = 1;
    nov.withdrawn = 1;
    nov.arrived = 1;
    nov.inspections.passed = 3;
    nov.departed = 1;
    nov.days_to_clear = days(1, 0.0, 0.0);
    nov.days_waiting_for_inspection = days(3, 4.31, 2.0);
    nov.days_in_inspection_area = days(1, 11.0, 11.0);
    let dec = month("2022-12");
    let mut jan = month("2023-01");
    jan.submitted = 1;
    jan.arrived = 1;
    assert_eq!(ops.months, vec![oct, nov, dec, jan]);

    // The same figures one event at a time, as a server keeps them.
    let mut tally =
        corridor_clearance::OperationsTally::new(w.clearance.config.clone(), istanbul());
    for (at, e) in &events {
        tally.add(*at, e).expect("event");
    }
    assert_eq!(tally.figures(), ops);
}

#[test]
fn an_empty_log_has_no_months() {
    let ops = corridor_clearance::operations(&unvim_like(), istanbul(), []).expect("figures");
    assert!(ops.months.is_empty());
}
