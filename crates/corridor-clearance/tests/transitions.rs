//! The transition matrix: every command against an application in every
//! status; allowed ones succeed, the others are `IllegalTransition`. Plus
//! expiry, suspension and overdue figures.

mod common;

use common::*;
use corridor_clearance::machine::*;
use corridor_clearance::roles::{Actor, Role};
use corridor_ledger::*;
use jiff::{Timestamp, ToSpan};

const ALL: [Status; 15] = [
    Status::Draft,
    Status::Submitted,
    Status::UnderReview,
    Status::Held,
    Status::Approved,
    Status::Rejected,
    Status::Withdrawn,
    Status::Expired,
    Status::AwaitingInspection,
    Status::InspectionPassed,
    Status::FailedNotReady,
    Status::FailedNonCompliant,
    Status::InTransit,
    Status::Arrived,
    Status::Closed,
];

/// A world with one application brought to `target`; returns it, its id and the time.
fn system() -> Actor {
    Actor::new("system", Role::System)
}

fn at_status(target: Status) -> (World, String, Timestamp) {
    let mut now = t("2022-11-10T06:00:00Z");
    let mut w = World::new(bsgi(), now);
    let company = "atlas";
    let id = w
        .run(
            &agent(company),
            Command::CreateDraft {
                company: company.into(),
                content: content("9000015", now + 72.hours()),
            },
            now,
        )
        .expect("create")
        .application_id()
        .expect("id")
        .to_string();
    let step = |w: &mut World, actor: &Actor, cmd: Command, now: Timestamp| {
        w.run(actor, cmd, now).expect("setup step");
    };
    use Status::*;
    if target == Draft {
        return (w, id, now);
    }
    if target == Expired {
        now = now + 72.hours() + 1.seconds();
        step(
            &mut w,
            &system(),
            Command::Expire {
                application_id: id.clone(),
            },
            now,
        );
        return (w, id, now);
    }
    step(
        &mut w,
        &agent(company),
        Command::Submit {
            application_id: id.clone(),
        },
        now,
    );
    if target == Submitted {
        return (w, id, now);
    }
    step(
        &mut w,
        &coordinator(),
        Command::StartReview {
            application_id: id.clone(),
        },
        now,
    );
    match target {
        UnderReview => return (w, id, now),
        Withdrawn => {
            step(
                &mut w,
                &agent(company),
                Command::Withdraw {
                    application_id: id.clone(),
                    reason: "r".into(),
                },
                now,
            );
            return (w, id, now);
        }
        Held => {
            w.decide("RU", &id, hold("DOCS"), now).expect("hold");
            return (w, id, now);
        }
        Rejected => {
            w.decide("TR", &id, reject("BANNED"), now).expect("reject");
            return (w, id, now);
        }
        _ => {}
    }
    for p in ["RU", "TR", "UA", "UN"] {
        w.decide(p, &id, DecisionKind::Approve, now)
            .expect("approve");
    }
    if target == Approved {
        return (w, id, now);
    }
    // Booked an hour ahead: still standing when the matrix's commands run
    // (a booking whose time has passed may be moved).
    step(
        &mut w,
        &coordinator(),
        Command::ScheduleInspection {
            application_id: id.clone(),
            at: now + 1.hours(),
        },
        now,
    );
    if target == AwaitingInspection {
        return (w, id, now);
    }
    let outcome = match target {
        FailedNotReady => InspectionOutcome::NotReady {
            reason_code: "FUMIGANT".into(),
            text: "found during the test".into(),
        },
        FailedNonCompliant => InspectionOutcome::NonCompliant {
            reason_code: "STOWAWAY".into(),
            text: "found during the test".into(),
        },
        _ => InspectionOutcome::Passed,
    };
    step(
        &mut w,
        &inspector(),
        Command::RecordInspection {
            application_id: id.clone(),
            outcome,
            checked: all_checked(),
        },
        now,
    );
    if matches!(
        target,
        InspectionPassed | FailedNotReady | FailedNonCompliant
    ) {
        return (w, id, now);
    }
    step(
        &mut w,
        &coordinator(),
        Command::Depart {
            application_id: id.clone(),
        },
        now,
    );
    if target == InTransit {
        return (w, id, now);
    }
    step(
        &mut w,
        &coordinator(),
        Command::Arrive {
            application_id: id.clone(),
        },
        now,
    );
    if target == Arrived {
        return (w, id, now);
    }
    step(
        &mut w,
        &coordinator(),
        Command::Close {
            application_id: id.clone(),
        },
        now,
    );
    (w, id, now)
}

/// Runs `name`'s command on an application in every status; it must succeed
/// exactly in `allowed` and be an `IllegalTransition` elsewhere.
fn check(
    name: &str,
    allowed: &[Status],
    make: &dyn Fn(&World, &str, Timestamp) -> (Actor, Command),
) {
    for status in ALL {
        let (mut w, id, now) = at_status(status);
        assert_eq!(w.status(&id), status, "setup for {status:?}");
        let (actor, cmd) = make(&w, &id, now);
        let result = w.run(&actor, cmd, now + 1.minutes());
        if allowed.contains(&status) {
            assert!(result.is_ok(), "{name} from {status:?}: {result:?}");
        } else {
            assert!(
                matches!(result, Err(ClearanceError::IllegalTransition { status: s, .. }) if s == status),
                "{name} from {status:?} should be illegal: {result:?}"
            );
            assert_eq!(w.status(&id), status, "a refused command changes nothing");
        }
        w.clearance.check_invariants().expect("invariants");
    }
}

#[test]
fn transition_matrix() {
    use Status::*;
    let id_cmd =
        |f: fn(String) -> Command| move |_: &World, id: &str, _| (coordinator(), f(id.to_string()));
    check("update", &[Draft], &|_, id, now| {
        (
            agent("atlas"),
            Command::UpdateDraft {
                application_id: id.into(),
                content: content("9000015", now + 80.hours()),
            },
        )
    });
    check("submit", &[Draft], &|_, id, _| {
        (
            agent("atlas"),
            Command::Submit {
                application_id: id.into(),
            },
        )
    });
    check(
        "start review",
        &[Submitted],
        &id_cmd(|id| Command::StartReview { application_id: id }),
    );
    check("decide", &[UnderReview, Held], &|w, id, now| {
        let d = w.signed("UA", id, DecisionKind::Approve, now + 1.minutes());
        (
            delegate("UA"),
            Command::Decide {
                application_id: id.into(),
                decision: d,
            },
        )
    });
    check("release", &[Held], &|w, id, now| {
        let d = w.signed("RU", id, DecisionKind::Release, now + 1.minutes());
        (
            delegate("RU"),
            Command::ReleaseHold {
                application_id: id.into(),
                decision: d,
            },
        )
    });
    check("amend", &[UnderReview, Held], &|w, id, _| {
        let mut c = w.clearance.applications[id].content.clone();
        c.crew_count += 1;
        (
            agent("atlas"),
            Command::Amend {
                application_id: id.into(),
                content: c,
            },
        )
    });
    check(
        "withdraw",
        &[
            Draft,
            Submitted,
            UnderReview,
            Held,
            Approved,
            AwaitingInspection,
            FailedNotReady,
        ],
        &|_, id, _| {
            (
                agent("atlas"),
                Command::Withdraw {
                    application_id: id.into(),
                    reason: "r".into(),
                },
            )
        },
    );
    check("schedule", &[Approved, FailedNotReady], &|_, id, now| {
        (
            coordinator(),
            Command::ScheduleInspection {
                application_id: id.into(),
                at: now + 2.hours(),
            },
        )
    });
    check("inspect", &[AwaitingInspection], &|_, id, _| {
        (
            inspector(),
            Command::RecordInspection {
                application_id: id.into(),
                outcome: InspectionOutcome::Passed,
                checked: all_checked(),
            },
        )
    });
    check(
        "depart",
        &[InspectionPassed],
        &id_cmd(|id| Command::Depart { application_id: id }),
    );
    check(
        "arrive",
        &[InTransit],
        &id_cmd(|id| Command::Arrive { application_id: id }),
    );
    check(
        "close",
        &[Arrived, FailedNonCompliant, Rejected, Withdrawn, Expired],
        &id_cmd(|id| Command::Close { application_id: id }),
    );
}

#[test]
fn expiry_respects_validity_and_suspension() {
    let (mut w, id, now) = at_status(Status::Approved);
    let sys = system();
    // BSGI clearances are valid 336 h from approval.
    let err = w
        .run(
            &sys,
            Command::Expire {
                application_id: id.clone(),
            },
            now + 335.hours(),
        )
        .unwrap_err();
    assert_eq!(
        err,
        ClearanceError::NotYetExpired {
            expires_at: now + 336.hours()
        }
    );
    // A 48 h suspension in between extends the validity by 48 h.
    let s = now + 100.hours();
    w.run(
        &coordinator(),
        Command::Suspend {
            reason_code: "S".into(),
            text: "found during the test".into(),
        },
        s,
    )
    .expect("suspend");
    w.run(&coordinator(), Command::Resume, s + 48.hours())
        .expect("resume");
    let err = w
        .run(
            &sys,
            Command::Expire {
                application_id: id.clone(),
            },
            now + 340.hours(),
        )
        .unwrap_err();
    assert_eq!(
        err,
        ClearanceError::NotYetExpired {
            expires_at: now + 384.hours()
        }
    );
    w.run(
        &sys,
        Command::Expire {
            application_id: id.clone(),
        },
        now + 384.hours(),
    )
    .expect("expire");
    assert_eq!(w.status(&id), Status::Expired);
    // Agents cannot expire things; the public cannot suspend.
    let (mut w, id, now) = at_status(Status::Draft);
    assert!(matches!(
        w.run(
            &agent("atlas"),
            Command::Expire { application_id: id },
            now + 100.hours()
        ),
        Err(ClearanceError::Denied(_))
    ));
    let public = Actor::new("anon", Role::Public);
    assert!(matches!(
        w.run(
            &public,
            Command::Suspend {
                reason_code: "S".into(),
                text: "found during the test".into()
            },
            now
        ),
        Err(ClearanceError::Denied(_))
    ));
    assert!(matches!(
        w.run(&coordinator(), Command::Resume, now),
        Err(ClearanceError::NotSuspended)
    ));
}

#[test]
fn an_alert_is_acknowledged_once_by_the_coordinator_and_replays() {
    let now = t("2022-10-01T08:00:00Z");
    let mut w = World::new(bsgi(), now);
    let alert = corridor_clearance::AlertRef {
        key: "ais_gap:271000001:1664600000".into(),
        kind: "ais_gap".into(),
        mmsi: 271_000_001,
    };
    let ack = |note: Option<&str>| Command::AcknowledgeAlert {
        alert: alert.clone(),
        note: note.map(str::to_string),
    };
    for who in [delegate("UA"), inspector(), agent("atlas")] {
        assert!(
            matches!(w.run(&who, ack(None), now), Err(ClearanceError::Denied(_))),
            "{who:?} may not acknowledge"
        );
    }
    let long = "x".repeat(2001);
    assert!(matches!(
        w.run(&coordinator(), ack(Some(&long)), now),
        Err(ClearanceError::Invalid(m)) if m.starts_with("note:")
    ));
    let event = w
        .run(
            &coordinator(),
            ack(Some("  called the master; AIS back  ")),
            now,
        )
        .expect("acknowledge");
    assert_eq!(
        event,
        Event::AlertAcknowledged {
            alert: alert.clone(),
            note: Some("called the master; AIS back".into()),
            by: coordinator().id,
        }
    );
    let second = w
        .run(&coordinator(), ack(None), now + 1.hours())
        .unwrap_err();
    assert_eq!(
        second.to_string(),
        format!(
            "alert {} was already acknowledged by {} at {now}",
            alert.key,
            coordinator().id
        )
    );
    let events = w.events();
    let replayed = Clearance::replay(bsgi(), events.iter().map(|(t, e)| (*t, e))).expect("replay");
    assert_eq!(replayed.alert_acks, w.clearance.alert_acks);
    assert_eq!(replayed.alert_acks[&alert.key].at, now);
}

/// Open finding 8: stoppages are declared and lifted by the coordinator only,
/// each with a reason; a bad one is refused naming its field; lifting keeps
/// the stoppage in the record; a replay rebuilds them.
#[test]
fn stoppages_are_declared_and_lifted_with_reasons_and_replay() {
    use corridor_clearance::{StoppageContent, StoppageEffect, StoppageKind as K};
    let now = t("2022-10-01T08:00:00Z");
    let mut w = World::new(bsgi(), now);
    let effect = |stops: &[&str]| StoppageEffect {
        starts_at: now,
        ends_at: now + 24.hours(),
        stops: stops.iter().map(|s| s.to_string()).collect(),
        every_team: stops.is_empty(),
        days: Vec::new(),
    };
    let day = |from: i64, to: i64, stops: &[&str]| corridor_clearance::DayStops {
        starts_at: now + from.hours(),
        ends_at: now + to.hours(),
        stops: stops.iter().map(|s| s.to_string()).collect(),
    };
    let stop =
        |from: &str, to: &str, kind: K, absent: &[&str], reason: &str| Command::DeclareStoppage {
            stoppage: StoppageContent {
                from: from.into(),
                to: to.into(),
                kind,
                absent: absent.iter().map(|p| p.to_string()).collect(),
                teams: None,
                reason: reason.into(),
            },
            effect: effect(if absent.is_empty() { &[] } else { &["JIT-2"] }),
        };
    // (command, the start of the refusal's message)
    let refused = [
        (
            stop("2022-10-05", "2022-10-04", K::Weather, &[], "gale"),
            "to: 2022-10-04 is before",
        ),
        (
            stop("5 Oct", "2022-10-05", K::Weather, &[], "gale"),
            "from: \"5 Oct\" is not",
        ),
        // Years the text would not sort by (the review's panic): refused.
        (
            stop("-000002-12-31", "-000001-01-01", K::Weather, &[], "gale"),
            "from: \"-000002-12-31\" is not",
        ),
        (
            stop("0999-12-31", "1000-01-01", K::Weather, &[], "gale"),
            "from: \"0999-12-31\" is not",
        ),
        (
            stop("2022-10-05", "2022-10-5", K::Weather, &[], "gale"),
            "to: \"2022-10-5\" is not",
        ),
        (
            stop("2022-10-05", "2023-10-06", K::Other, &[], "long"),
            "to: a stoppage lasts at most 366",
        ),
        (
            stop("2022-10-05", "2022-10-05", K::PartyAbsent, &[], "away"),
            "absent: name the absent",
        ),
        (
            stop("2022-10-05", "2022-10-05", K::Weather, &["RU"], "gale"),
            "absent: parties are named only",
        ),
        (
            stop(
                "2022-10-05",
                "2022-10-05",
                K::PartyAbsent,
                &["RU", "RU"],
                "away",
            ),
            "absent: RU is named twice",
        ),
        (
            stop("2022-10-05", "2022-10-05", K::Weather, &[], "  "),
            "reason: a stoppage needs a reason",
        ),
    ];
    let bad_effect =
        |e: StoppageEffect| match stop("2022-10-05", "2022-10-05", K::Weather, &[], "gale") {
            Command::DeclareStoppage { stoppage, .. } => Command::DeclareStoppage {
                stoppage,
                effect: e,
            },
            _ => unreachable!(),
        };
    let refused = refused.into_iter().chain([
        (
            bad_effect(StoppageEffect {
                ends_at: now,
                ..effect(&[])
            }),
            "effect: it ends before",
        ),
        (
            bad_effect(effect(&["JIT-1", "JIT-1"])),
            "effect: team JIT-1 is named twice",
        ),
        (bad_effect(effect(&["JIT\n1"])), "effect: team name"),
        // Open finding 64: day by day, over the whole stoppage, naming its teams.
        (
            bad_effect(StoppageEffect {
                days: vec![day(0, 12, &["JIT-1"])],
                ..effect(&["JIT-1"])
            }),
            "effect: its days do not span",
        ),
        (
            bad_effect(StoppageEffect {
                days: vec![day(0, 12, &["JIT-1"]), day(13, 24, &[])],
                ..effect(&["JIT-1"])
            }),
            "effect: day 2 does not follow",
        ),
        (
            bad_effect(StoppageEffect {
                days: vec![day(0, 12, &["JIT-1"]), day(12, 24, &["JIT-2"])],
                ..effect(&["JIT-1"])
            }),
            "effect: day 2 stops team JIT-2",
        ),
        (
            bad_effect(StoppageEffect {
                days: vec![day(0, 12, &["JIT-1"]), day(12, 24, &["JIT-1"])],
                ..effect(&["JIT-1", "JIT-2"])
            }),
            "effect: team JIT-2 is stopped on none",
        ),
        // Two entries for its one day (session 26's review).
        (
            bad_effect(StoppageEffect {
                days: vec![day(0, 12, &["JIT-1"]), day(12, 24, &[])],
                ..effect(&["JIT-1"])
            }),
            "effect: 2 days given for a stoppage from 2022-10-05 to 2022-10-05",
        ),
        // Hostile review (2026-11-30): one that stops no team was logged.
        (
            bad_effect(StoppageEffect {
                every_team: false,
                ..effect(&[])
            }),
            "the stoppage stops no team",
        ),
    ]);
    for (command, message) in refused {
        match w.run(&coordinator(), command, now) {
            Err(ClearanceError::Invalid(m)) => {
                assert!(m.starts_with(message), "{m:?} vs {message:?}")
            }
            other => panic!("{message}: {other:?}"),
        }
    }
    assert!(matches!(
        w.run(&coordinator(), stop("2022-10-05", "2022-10-05", K::PartyAbsent, &["XX"], "away"), now),
        Err(ClearanceError::UnknownParty(p)) if p == "XX"
    ));
    for who in [delegate("RU"), inspector(), agent("atlas")] {
        let c = stop("2022-10-05", "2022-10-05", K::Weather, &[], "gale");
        assert!(
            matches!(w.run(&who, c, now), Err(ClearanceError::Denied(_))),
            "{who:?}"
        );
    }
    assert!(w.clearance.stoppages.is_empty(), "nothing refused is kept");
    let event = w
        .run(
            &coordinator(),
            stop(
                "2022-10-29",
                "2022-10-29",
                K::PartyAbsent,
                &["RU"],
                " RU suspends ",
            ),
            now,
        )
        .expect("declared");
    let Event::StoppageDeclared {
        stoppage_id,
        stoppage,
        by,
        ..
    } = event
    else {
        panic!("{event:?}");
    };
    assert_eq!(
        (stoppage_id.as_str(), stoppage.reason.as_str(), by),
        ("STOP-1", "RU suspends", coordinator().id)
    );
    w.run(
        &coordinator(),
        stop("2022-10-05", "2022-10-06", K::Weather, &[], "gale"),
        now + 1.hours(),
    )
    .expect("declared");
    // The same again, while it is in force: one is enough (hostile review).
    let again = w.run(
        &coordinator(),
        stop(
            "2022-10-05",
            "2022-10-06",
            K::Weather,
            &[],
            "gale, said twice",
        ),
        now + 1.hours(),
    );
    assert!(
        matches!(&again, Err(ClearanceError::Unchanged(m)) if m.starts_with("STOP-2 already stops")),
        "{again:?}"
    );
    let lift = |id: &str, reason: &str| Command::LiftStoppage {
        stoppage_id: id.into(),
        reason: reason.into(),
    };
    assert!(matches!(
        w.run(&coordinator(), lift("STOP-9", "x"), now),
        Err(ClearanceError::NotFound(_))
    ));
    assert!(matches!(
        w.run(&coordinator(), lift("STOP-2", ""), now),
        Err(ClearanceError::Invalid(_))
    ));
    assert!(matches!(
        w.run(&inspector(), lift("STOP-2", "x"), now),
        Err(ClearanceError::Denied(_))
    ));
    w.run(
        &coordinator(),
        lift("STOP-2", "the wind dropped"),
        now + 2.hours(),
    )
    .expect("lifted");
    match w.run(&coordinator(), lift("STOP-2", "again"), now + 3.hours()) {
        Err(ClearanceError::Invalid(m)) => {
            assert!(m.starts_with("STOP-2 was already lifted by"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    let s = &w.clearance.stoppages;
    assert_eq!(s.len(), 2);
    assert!(s[0].in_force() && !s[1].in_force());
    assert_eq!(
        s[1].lifted.as_ref().map(|l| l.reason.as_str()),
        Some("the wind dropped")
    );
    let events = w.events();
    let replayed = Clearance::replay(bsgi(), events.iter().map(|(t, e)| (*t, e))).expect("replay");
    assert_eq!(replayed.stoppages, w.clearance.stoppages);
}

#[test]
fn overdue_parties_are_visible() {
    let (mut w, id, now) = at_status(Status::UnderReview);
    w.decide("UA", &id, DecisionKind::Approve, now + 1.hours())
        .expect("approve");
    w.decide("RU", &id, hold("DOCS_MISSING"), now + 2.hours())
        .expect("hold");
    let later = now + 25.hours();
    let overdue = w.clearance.overdue(later);
    let parties: Vec<&str> = overdue.iter().map(|o| o.party.as_str()).collect();
    assert_eq!(
        parties,
        ["TR", "UN"],
        "a party that held has decided; TR and UN have not"
    );
    let acc = w.figures(later);
    let tr = acc.parties.iter().find(|p| p.party == "TR").expect("TR");
    assert_eq!(tr.overdue.len(), 1);
    assert_eq!(tr.overdue[0].deadline, now + 24.hours());
    let ru = acc.parties.iter().find(|p| p.party == "RU").expect("RU");
    assert_eq!(
        (ru.decisions, ru.median_seconds_to_decide),
        (1, Some(2 * 3600))
    );
    assert!(ru.overdue.is_empty());
}

#[test]
fn status_pages_and_lists_respect_ownership() {
    let (mut w, id, now) = at_status(Status::UnderReview);
    let other = w.submitted("boreas", "9000027", now);
    w.decide("RU", &id, hold("DOCS_MISSING"), now + 1.hours())
        .expect("hold");
    let page = w
        .clearance
        .status_page(&agent("atlas"), &id, now + 30.hours())
        .expect("own page");
    assert_eq!(page.status, Status::Held);
    let ru = &page.parties[0];
    assert_eq!(
        (
            ru.party.as_str(),
            ru.decision.as_deref(),
            ru.reason_code.as_deref(),
            ru.overdue
        ),
        ("RU", Some("hold"), Some("DOCS_MISSING"), false)
    );
    assert!(page.parties[1].overdue, "TR has not decided within 24 h");
    // Another company's application is simply not found; the public sees nothing.
    assert_eq!(
        w.clearance.status_page(&agent("boreas"), &id, now),
        Err(ClearanceError::NotFound(id.clone()))
    );
    assert!(
        w.clearance
            .status_page(&Actor::new("anon", Role::Public), &id, now)
            .is_err()
    );
    let mine: Vec<&str> = w
        .clearance
        .visible_applications(&agent("boreas"))
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(mine, [other.as_str()]);
    assert_eq!(w.clearance.visible_applications(&delegate("UN")).len(), 2);
    assert_eq!(
        w.clearance
            .visible_applications(&Actor::new("anon", Role::Public))
            .len(),
        0
    );
}

/// One vessel, one live application: a second company's application for a
/// vessel already in a live one is refused at submission (not naming it to
/// another company); once
/// the first is finished (or only a draft) the vessel is free. (The demo
/// once queued and planned one ship twice through two companies.)
#[test]
fn a_vessel_is_in_one_live_application_at_a_time() {
    for status in ALL {
        let (mut w, _first, now) = at_status(status);
        let now = now + 1.hours();
        let other = "borealis";
        let second = w
            .run(
                &agent(other),
                Command::CreateDraft {
                    company: other.into(),
                    content: content("9000015", now + 72.hours()),
                },
                now,
            )
            .expect("a draft is always allowed")
            .application_id()
            .expect("id")
            .to_string();
        let submit = w.run(
            &agent(other),
            Command::Submit {
                application_id: second.clone(),
            },
            now,
        );
        if status.is_live() {
            assert_eq!(
                submit,
                Err(ClearanceError::VesselInAnotherApplication {
                    imo: "9000015".into(),
                    other: "a live application of another company".into(),
                }),
                "{status:?}"
            );
            assert_eq!(w.status(&second), Status::Draft, "{status:?}");
        } else {
            assert!(submit.is_ok(), "{status:?}: {submit:?}");
        }
    }
    // Live means committed to the voyage: from submission to departure.
    let live: Vec<Status> = ALL.into_iter().filter(|s| s.is_live()).collect();
    use Status::*;
    assert_eq!(
        live,
        [
            Submitted,
            UnderReview,
            Held,
            Approved,
            AwaitingInspection,
            InspectionPassed,
            FailedNotReady,
            InTransit
        ]
    );
}

/// The same signed decision sent twice is recorded once: the second is
/// refused, naming it, and nothing is logged. (A replay was once logged
/// twice, with the identical signature.)
#[test]
fn a_signed_decision_sent_twice_is_recorded_once() {
    let (mut w, id, now) = at_status(Status::UnderReview);
    let now = now + 1.hours();
    let hold = DecisionKind::Hold {
        reason_code: "DOCS".into(),
        text: "crew list missing".into(),
    };
    let d = w.signed("RU", &id, hold, now);
    let send = |w: &mut World, d: &SignedDecision| {
        w.run(
            &delegate("RU"),
            Command::Decide {
                application_id: id.clone(),
                decision: d.clone(),
            },
            now + 1.minutes(),
        )
    };
    assert!(send(&mut w, &d).is_ok());
    let logged = w.events().len();
    assert_eq!(
        send(&mut w, &d),
        Err(ClearanceError::AlreadyRecorded {
            party: "RU".into(),
            signed: d.payload.time,
        })
    );
    assert_eq!(w.events().len(), logged);
    // A new decision by the same party is a decision.
    let approve = w.signed("RU", &id, DecisionKind::Approve, now + 2.minutes());
    assert!(send(&mut w, &approve).is_ok());
}

/// What goes into the permanent record is plain text of a sane length: a
/// 100 kB vessel name, a direction override in a name, an empty or
/// 5,000-character reason code are refused, naming the field.
#[test]
fn text_in_the_record_is_plain_and_bounded() {
    let now = t("2022-11-10T06:00:00Z");
    let mut w = World::new(bsgi(), now);
    for (name, why) in [
        (
            "N".repeat(100_000),
            "vessel.name: 100000 characters; at most 200",
        ),
        (
            "NAVI \u{202e}RATS".to_string(),
            "vessel.name: holds the control character U+202E",
        ),
        (
            "NAVI\nSTAR".to_string(),
            "vessel.name: holds the control character U+000A",
        ),
    ] {
        let mut c = content("9000015", now + 72.hours());
        c.vessel.name = name;
        let r = w.run(
            &agent("atlas"),
            Command::CreateDraft {
                company: "atlas".into(),
                content: c,
            },
            now,
        );
        assert_eq!(r, Err(ClearanceError::Invalid(why.into())));
    }
    let (mut w, id, now) = at_status(Status::UnderReview);
    let now = now + 1.hours();
    for (code, text, why) in [
        (
            "",
            "crew list missing",
            "a hold needs a reason code and a reason",
        ),
        ("DOCS", " ", "a hold needs a reason code and a reason"),
        (
            &*"X".repeat(5000),
            "crew list missing",
            "reason_code: 5000 characters; at most 64",
        ),
        (
            "DOCS",
            "crew list\u{0}missing",
            "text: holds the control character U+0000",
        ),
    ] {
        let kind = DecisionKind::Hold {
            reason_code: code.into(),
            text: text.into(),
        };
        assert_eq!(
            w.decide("RU", &id, kind, now),
            Err(ClearanceError::Invalid(why.into())),
            "{code:?} {text:?}"
        );
    }
    // A reason over several lines is fine.
    let kind = DecisionKind::Hold {
        reason_code: "DOCS".into(),
        text: "crew list missing;\nregistry certificate expired".into(),
    };
    assert!(w.decide("RU", &id, kind, now).is_ok());
}

/// Every other text the log keeps for good (a suspension's reason, a
/// withdrawal's, a queue override's, a readiness note, a failed
/// inspection's finding) follows the same rule as decisions' reasons.
#[test]
fn every_reason_in_the_log_is_plain_and_bounded() {
    let bidi = "VIP \u{202e}\u{7}";
    let refused = |r: Result<_, ClearanceError>, why: &str| {
        assert_eq!(r.map(|_| ()), Err(ClearanceError::Invalid(why.into())));
    };
    let (mut w, id, now) = at_status(Status::AwaitingInspection);
    refused(
        w.run(
            &coordinator(),
            Command::Suspend {
                reason_code: "WEATHER".into(),
                text: bidi.into(),
            },
            now,
        ),
        "text: holds the control character U+202E",
    );
    refused(
        w.run(
            &coordinator(),
            Command::Suspend {
                reason_code: "WEATHER".into(),
                text: " ".into(),
            },
            now,
        ),
        "a suspension needs a reason code and a reason",
    );
    refused(
        w.run(
            &coordinator(),
            Command::OverrideQueue {
                application_id: id.clone(),
                place: Some(1),
                before: None,
                reason: bidi.into(),
            },
            now,
        ),
        "reason: holds the control character U+202E",
    );
    refused(
        w.run(
            &agent("atlas"),
            Command::DeclareReadiness {
                application_id: id.clone(),
                readiness: corridor_clearance::dayplan::Readiness {
                    note: Some("x".repeat(2001)),
                    ..all_ready()
                },
            },
            now,
        ),
        "note: 2001 characters; at most 2000",
    );
    for outcome in [
        InspectionOutcome::NotReady {
            reason_code: "GAS".into(),
            text: String::new(),
        },
        InspectionOutcome::NonCompliant {
            reason_code: String::new(),
            text: "stowaway".into(),
        },
    ] {
        refused(
            w.run(
                &inspector(),
                Command::RecordInspection {
                    application_id: id.clone(),
                    outcome,
                    checked: vec![],
                },
                now,
            ),
            "a failed inspection needs a reason code and a reason",
        );
    }
    refused(
        w.run(
            &agent("atlas"),
            Command::Withdraw {
                application_id: id.clone(),
                reason: format!("changed plans{bidi}"),
            },
            now,
        ),
        "reason: holds the control character U+202E",
    );
    // Nothing above reached the log.
    assert_eq!(
        w.clearance.applications[&id].status,
        Status::AwaitingInspection
    );
    assert!(w.clearance.corridor.suspended.is_none());
    assert!(w.clearance.queue_overrides.is_empty());
}

/// A pass confirms the whole checklist; a failure records what was
/// confirmed; ids not on the corridor's checklist are refused.
#[test]
fn an_inspection_records_its_checklist() {
    let (mut w, id, now) = at_status(Status::AwaitingInspection);
    let run = |w: &mut World, outcome: InspectionOutcome, checked: &[&str]| {
        w.run(
            &inspector(),
            Command::RecordInspection {
                application_id: id.clone(),
                outcome,
                checked: checked.iter().map(|c| c.to_string()).collect(),
            },
            now,
        )
    };
    assert_eq!(
        run(
            &mut w,
            InspectionOutcome::Passed,
            &["papers", "crew", "cargo"]
        )
        .map(|_| ()),
        Err(ClearanceError::ChecklistIncomplete {
            missing: vec![
                "No prohibited items or persons aboard".into(),
                "Holds gas free; readings taken".into()
            ]
        })
    );
    assert_eq!(
        run(&mut w, InspectionOutcome::Passed, &["papers", "crew", "cargo", "prohibited", "gas", "tea"])
            .map(|_| ()),
        Err(ClearanceError::Invalid(
            "checked: \"tea\" is not on this corridor's inspection checklist (papers, crew, cargo, prohibited, gas)"
                .into()
        ))
    );
    let not_ready = InspectionOutcome::NotReady {
        reason_code: "GAS".into(),
        text: "phosphine in hold 3".into(),
    };
    // Given in any order, kept in the checklist's.
    run(&mut w, not_ready.clone(), &["gas", "papers"]).expect("a failure with some checks");
    let last = w.clearance.applications[&id]
        .last_inspection
        .clone()
        .expect("recorded");
    assert_eq!(
        (last.outcome, last.checked),
        (not_ready, vec!["papers".to_string(), "gas".to_string()])
    );
}

/// An amendment restarts the review (every decision, hold and deadline), so
/// one that changes nothing is refused: re-saving the same content once
/// wiped the parties' signed decisions and reset the public record of who
/// was overdue.
#[test]
fn an_amendment_that_changes_nothing_is_refused() {
    let (mut w, id, now) = at_status(Status::Held);
    let held = w.clearance.applications[&id].clone();
    let same = held.content.clone();
    assert_eq!(
        w.run(
            &agent("atlas"),
            Command::Amend {
                application_id: id.clone(),
                content: same,
            },
            now,
        )
        .map(|_| ()),
        Err(ClearanceError::Invalid(
            "the amendment changes nothing: the parties' decisions on this content stand".into()
        ))
    );
    let after = &w.clearance.applications[&id];
    assert_eq!(
        (after.status, &after.decisions, &after.awaiting_since),
        (Status::Held, &held.decisions, &held.awaiting_since)
    );
}

/// Open finding 25: a plan decision refused live (the same signed approval
/// again, or one signed before the party's current hold) still replayed
/// when appended to the log, so whoever can write to the database could
/// undo a party's hold with an approval copied from the log. Replay now
/// holds plan decisions to the live rules.
#[test]
fn a_plan_decision_appended_past_the_live_rules_does_not_replay() {
    let now = t("2022-11-09T08:00:00Z");
    let mut w = World::new(bsgi(), now);
    let content = corridor_clearance::PlanContent {
        date: "2022-11-10".into(),
        version: 1,
        assignments: Vec::new(),
    };
    let hash = content.plan_hash().expect("hash");
    w.run(
        &coordinator(),
        Command::SetPlan {
            content,
            reason: None,
            scores: serde_json::json!({}),
        },
        now,
    )
    .expect("set");
    w.run(
        &coordinator(),
        Command::SubmitPlan {
            date: "2022-11-10".into(),
        },
        now,
    )
    .expect("submit");
    let signed = |w: &World, kind: DecisionKind, at: Timestamp| {
        w.signed_on("UA", "PLAN-2022-11-10", hash, kind, at)
    };
    let decide = |w: &mut World, d: SignedDecision, at: Timestamp| {
        w.run(
            &delegate("UA"),
            Command::DecidePlan {
                date: "2022-11-10".into(),
                decision: d,
            },
            at,
        )
    };
    let approve = signed(&w, DecisionKind::Approve, now + 1.hours());
    let approved = decide(&mut w, approve.clone(), now + 1.hours()).expect("approve");
    let hold_signed = signed(&w, hold("TEAM_SHORT"), now + 2.hours());
    let held = decide(&mut w, hold_signed, now + 2.hours()).expect("hold");
    // Refused now: the same approval again.
    assert!(matches!(
        decide(&mut w, approve, now + 3.hours()),
        Err(ClearanceError::AlreadyRecorded { .. })
    ));
    let replay = |w: &World, extra: Vec<(Timestamp, Event)>| {
        let mut events = w.events();
        events.extend(extra);
        Clearance::replay(bsgi(), events.iter().map(|(at, e)| (*at, e)))
    };
    let c = replay(&w, Vec::new()).expect("the log as written replays");
    assert_eq!(
        c.plans["2022-11-10"].approvals["UA"].decision,
        hold("TEAM_SHORT")
    );
    // The approval appended after the hold: older than it.
    let err = replay(&w, vec![(now + 3.hours(), approved)]).unwrap_err();
    assert!(
        err.to_string()
            .contains("before its current hold (signed at"),
        "{err}"
    );
    // The hold appended again: the same signed hold logged twice.
    let err = replay(&w, vec![(now + 3.hours(), held)]).unwrap_err();
    assert!(err.to_string().contains("logged twice"), "{err}");
    // A new approval, signed after the hold, replays.
    let fresh = signed(&w, DecisionKind::Approve, now + 3.hours());
    decide(&mut w, fresh, now + 3.hours()).expect("a newer approval");
    replay(&w, Vec::new()).expect("and the log with it replays");
}

/// Open finding 12 (docs/open-findings.md, list of 30 Nov 2026): a result
/// could be recorded days before the booked slot. Now from 12 hours before
/// it (a team may start early that day), not earlier.
#[test]
fn a_result_is_recorded_on_the_day_of_its_booking() {
    let (mut w, id, now) = at_status(Status::Approved);
    let booked = now + 48.hours();
    w.run(
        &coordinator(),
        Command::ScheduleInspection {
            application_id: id.clone(),
            at: booked,
        },
        now,
    )
    .expect("schedule");
    let record = |w: &mut World, at: Timestamp| {
        w.run(
            &inspector(),
            Command::RecordInspection {
                application_id: id.clone(),
                outcome: InspectionOutcome::Passed,
                checked: all_checked(),
            },
            at,
        )
    };
    let early = record(&mut w, booked - 12.hours() - 1.seconds());
    assert!(
        matches!(&early, Err(ClearanceError::BookingConflict(m)) if m.contains("12 hours before")),
        "{early:?}"
    );
    assert_eq!(w.status(&id), Status::AwaitingInspection);
    record(&mut w, booked - 12.hours()).expect("on the day");
    assert_eq!(w.status(&id), Status::InspectionPassed);
}

/// Accountability review 2026-11-30, finding 1: the time a party's hold kept
/// an application waiting was counted nowhere (its release restarted its
/// clock), so the party that held things up could show the fastest median.
/// Now each party's time held is counted, closed by its release, and open
/// holds up to now.
#[test]
fn the_time_a_partys_hold_keeps_an_application_waiting_is_counted() {
    let (mut w, id, now) = at_status(Status::UnderReview);
    let other = w.submitted("boreas", "9000027", now);
    w.decide("UA", &id, hold("DOCS_MISSING"), now + 1.hours())
        .expect("hold");
    w.release("UA", &id, now + 31.hours()).expect("release");
    w.decide("UA", &id, DecisionKind::Approve, now + 32.hours())
        .expect("approve");
    // A second hold, on the other application, still in place.
    w.decide("UA", &other, hold("DOCS_MISSING"), now + 40.hours())
        .expect("hold");
    let later = now + 50.hours();
    let acc = w.figures(later);
    let ua = acc.parties.iter().find(|p| p.party == "UA").expect("UA");
    assert_eq!(ua.seconds_held, (30 + 10) * 3600, "{ua:?}");
    assert_eq!(ua.holds_open, 1);
    let ru = acc.parties.iter().find(|p| p.party == "RU").expect("RU");
    assert_eq!((ru.seconds_held, ru.holds_open), (0, 0));
}

/// Accountability review 2026-11-30, finding 3: a party could repeat its
/// current decision, freshly signed, as often as it liked, and each counted
/// as a decision (ten approvals a second apart made a one-second median).
/// A decision that changes nothing is now refused; a change is not.
#[test]
fn a_decision_that_repeats_the_current_one_is_refused() {
    let (mut w, id, now) = at_status(Status::UnderReview);
    w.decide("UA", &id, DecisionKind::Approve, now + 1.hours())
        .expect("approve");
    let again = w.decide("UA", &id, DecisionKind::Approve, now + 2.hours());
    assert!(
        matches!(&again, Err(ClearanceError::Unchanged(m)) if m.contains("already approve")),
        "{again:?}"
    );
    w.decide("RU", &id, hold("DOCS_MISSING"), now + 1.hours())
        .expect("hold");
    assert!(matches!(
        w.decide("RU", &id, hold("DOCS_MISSING"), now + 2.hours()),
        Err(ClearanceError::Unchanged(_))
    ));
    // Other words for the same reason code are the same decision.
    let reworded = DecisionKind::Hold {
        reason_code: "DOCS_MISSING".into(),
        text: "still missing.".into(),
    };
    assert!(matches!(
        w.decide("RU", &id, reworded, now + 2.hours()),
        Err(ClearanceError::Unchanged(_))
    ));
    // Another reason is a change.
    w.decide("RU", &id, hold("CARGO"), now + 3.hours())
        .expect("another hold");
    let acc = w.figures(now + 4.hours());
    let ua = acc.parties.iter().find(|p| p.party == "UA").expect("UA");
    assert_eq!((ua.decisions, ua.approvals), (1, 1));
}

/// Open finding 17 (docs/open-findings.md): a party's hold on the day's
/// plan stops the day's inspections, and appeared nowhere on
/// /accountability. Now each party's plan decisions, time to decide, holds
/// by reason, time held (up to a new version, its next decision or the end
/// of the plan's day), late decisions and plans overdue now are counted.
#[test]
fn holds_on_the_days_plan_are_counted() {
    let now = t("2022-11-09T08:00:00Z"); // 11:00 in Istanbul
    let date = "2022-11-10";
    let mut w = World::new(bsgi(), now);
    let v1 = w.submit_plan(date, 1, now);
    w.decide_plan("UA", date, v1, hold("TEAM_SHORT"), now + 1.hours())
        .expect("hold");
    w.decide_plan("RU", date, v1, DecisionKind::Approve, now + 2.hours())
        .expect("approve");
    // The same hold again changes nothing and is refused.
    assert!(matches!(
        w.decide_plan("UA", date, v1, hold("TEAM_SHORT"), now + 3.hours()),
        Err(ClearanceError::Unchanged(m)) if m.contains("plan for 2022-11-10")
    ));
    // A new version ends the hold (3 h); UA holds that one too, after
    // 16:00 in Istanbul (13:00 UTC), and never lets go.
    let v2 = w.submit_plan(date, 2, now + 4.hours());
    w.decide_plan("UA", date, v2, hold("TEAM_SHORT"), now + 6.hours())
        .expect("late hold");

    // During the plan's day: the second hold is open; every party that
    // has not decided on the current version is overdue.
    let during = w.figures(t("2022-11-10T10:00:00Z"));
    let ua = |a: &corridor_clearance::Accountability, p: &str| {
        a.parties
            .iter()
            .find(|x| x.party == p)
            .expect("party")
            .clone()
    };
    let p = ua(&during, "UA").plans;
    assert_eq!((p.decisions, p.approvals, p.late), (2, 0, 1), "{p:?}");
    assert_eq!(p.holds_by_reason.get("TEAM_SHORT"), Some(&2));
    assert_eq!(p.seconds_held, (3 + 20) * 3600, "{p:?}");
    assert_eq!(p.holds_open, 1);
    // From submission to decision: 1 h on version 1, 2 h on version 2.
    assert_eq!(p.median_seconds_to_decide, Some(3600));
    assert!(p.overdue.is_empty(), "UA has decided (a hold)");
    for party in ["RU", "TR", "UN"] {
        assert_eq!(ua(&during, party).plans.overdue, vec![date.to_string()]);
    }
    assert_eq!(ua(&during, "RU").plans.approvals, 1);
    // Plan decisions are not application decisions.
    assert_eq!(ua(&during, "UA").decisions, 0);

    // After the day (ends 00:00 Istanbul, 21:00 UTC): the hold held the
    // day up to its end and is no longer open; nothing is overdue.
    let after = w.figures(t("2022-11-12T00:00:00Z"));
    let p = ua(&after, "UA").plans;
    assert_eq!(p.seconds_held, 3 * 3600 + 31 * 3600, "{p:?}");
    assert_eq!(p.holds_open, 0);
    assert!(ua(&after, "TR").plans.overdue.is_empty());
}

/// Open finding 15 (docs/open-findings.md): an amendment, a withdrawal or
/// an expiry ended every party's wait uncounted, so a party that never
/// answered until the agent gave up appeared in no figure. Now the time
/// past each deadline is counted until the party decided or the wait
/// ended, and waits that ended overdue without its decision are counted.
#[test]
fn time_overdue_is_counted_when_a_wait_ends_without_a_decision() {
    let (mut w, id, now) = at_status(Status::UnderReview);
    let ua = |w: &World, at: Timestamp| {
        w.figures(at)
            .parties
            .into_iter()
            .find(|p| p.party == "UA")
            .expect("UA")
    };
    // Deadline: 24 h after the review starts. UA approves 2 h late.
    w.decide("UA", &id, DecisionKind::Approve, now + 26.hours())
        .expect("late approval");
    // The agent amends after 30 h: TR, RU and UN were 6 h overdue and
    // never decided; every wait starts again.
    let mut changed = w.clearance.applications[&id].content.clone();
    changed.eta_inspection_area += 1.hours();
    w.run(
        &agent("atlas"),
        Command::Amend {
            application_id: id.clone(),
            content: changed,
        },
        now + 30.hours(),
    )
    .expect("amend");
    let f = ua(&w, now + 58.hours());
    // 2 h late, then 4 h overdue now on the amended version.
    assert_eq!(
        (f.seconds_overdue, f.overdue_undecided, f.overdue.len()),
        (6 * 3600, 0, 1)
    );
    let tr = w
        .figures(now + 31.hours())
        .parties
        .into_iter()
        .find(|p| p.party == "TR")
        .expect("TR");
    assert_eq!((tr.seconds_overdue, tr.overdue_undecided), (6 * 3600, 1));
    // Withdrawn after 60 h: every party 6 h past the new deadline, undecided.
    w.run(
        &agent("atlas"),
        Command::Withdraw {
            application_id: id.clone(),
            reason: "no answer".into(),
        },
        now + 60.hours(),
    )
    .expect("withdraw");
    let f = ua(&w, now + 100.hours());
    assert_eq!((f.seconds_overdue, f.overdue_undecided), (8 * 3600, 1));
    assert!(f.overdue.is_empty());
    let tr = w
        .figures(now + 100.hours())
        .parties
        .into_iter()
        .find(|p| p.party == "TR")
        .expect("TR");
    assert_eq!((tr.seconds_overdue, tr.overdue_undecided), (12 * 3600, 2));
}

/// Open finding 11: the arrival at the inspection area is a logged event,
/// recorded by tracking (the system) or the coordinator, from submission
/// until the inspection; the first stands against tracking, only the
/// coordinator may correct it (open finding 22), and it is nobody else's to
/// record.
#[test]
fn an_arrival_at_the_inspection_area_stands_unless_the_coordinator_corrects_it() {
    let (mut w, id, now) = at_status(Status::UnderReview);
    let arrive = |w: &mut World, actor: &Actor, at: Timestamp, now: Timestamp| {
        w.run(
            actor,
            Command::RecordAreaArrival {
                application_id: id.clone(),
                at,
                area: "Inspection Area Marmara".into(),
                evidence: "ais:run:42".into(),
            },
            now,
        )
    };
    assert!(matches!(
        arrive(&mut w, &agent("atlas"), now, now),
        Err(ClearanceError::Denied(_))
    ));
    assert!(matches!(
        arrive(&mut w, &delegate("UA"), now, now),
        Err(ClearanceError::Denied(_))
    ));
    let future = arrive(&mut w, &system(), now + 1.hours(), now);
    assert!(
        matches!(&future, Err(ClearanceError::Invalid(m)) if m.contains("in the future")),
        "{future:?}"
    );
    arrive(&mut w, &system(), now - 2.hours(), now).expect("seen by tracking");
    let again = arrive(&mut w, &system(), now - 1.hours(), now);
    assert!(
        matches!(&again, Err(ClearanceError::Unchanged(m)) if m.contains("first arrival stands")),
        "{again:?}"
    );
    let same = arrive(&mut w, &coordinator(), now - 2.hours(), now);
    assert!(
        matches!(&same, Err(ClearanceError::Unchanged(m)) if m.contains("a correction gives another time or area")),
        "{same:?}"
    );
    let a = w.clearance.applications[&id]
        .area_arrival
        .clone()
        .expect("arrival");
    assert_eq!(
        (a.at, a.by.as_str(), a.evidence.as_str()),
        (now - 2.hours(), "system", "ais:run:42")
    );
    arrive(&mut w, &coordinator(), now - 3.hours(), now).expect("corrected");
    let a = w.clearance.applications[&id]
        .area_arrival
        .clone()
        .expect("arrival");
    assert_eq!((a.at, a.by.as_str()), (now - 3.hours(), "coordinator:1"));
    // It survives an amendment (where the vessel is does not change with the papers).
    let mut changed = w.clearance.applications[&id].content.clone();
    changed.eta_inspection_area += 1.hours();
    w.run(
        &agent("atlas"),
        Command::Amend {
            application_id: id.clone(),
            content: changed,
        },
        now,
    )
    .expect("amend");
    assert!(w.clearance.applications[&id].area_arrival.is_some());
    // The log replays it.
    let events = w.events();
    let c = Clearance::replay(bsgi(), events.iter().map(|(at, e)| (*at, e))).expect("replay");
    assert_eq!(
        c.applications[&id].area_arrival,
        w.clearance.applications[&id].area_arrival
    );
    // An MMSI is nine digits, as the vessel's AIS sends it.
    let mut spaced = w.clearance.applications[&id].content.clone();
    spaced.vessel.mmsi = Some("271 000 001".into());
    let refused = w.run(
        &agent("atlas"),
        Command::Amend {
            application_id: id.clone(),
            content: spaced,
        },
        now,
    );
    assert!(
        matches!(&refused, Err(ClearanceError::Invalid(m)) if m.starts_with("vessel.mmsi")),
        "{refused:?}"
    );
    // Not for a draft, nor once the voyage is past its inspection.
    let (mut d, draft, now) = at_status(Status::Draft);
    let refused = d.run(
        &coordinator(),
        Command::RecordAreaArrival {
            application_id: draft,
            at: now,
            area: "Inspection Area Marmara".into(),
            evidence: "notice of readiness".into(),
        },
        now,
    );
    assert!(
        matches!(refused, Err(ClearanceError::IllegalTransition { .. })),
        "{refused:?}"
    );
}

/// Review of the accountability fixes (2026-11-30): a plan version the
/// coordinator submitted after the day-before deadline made every decision
/// on it "late" and every party "overdue" at once; a hold on a plan another
/// party had rejected kept counting to the end of the day; and under a
/// quorum a party whose decision was not needed counted as "never decided".
#[test]
fn plan_lateness_is_the_parties_only_for_a_version_submitted_in_time() {
    let party = |a: &corridor_clearance::Accountability, p: &str| {
        a.parties
            .iter()
            .find(|x| x.party == p)
            .expect("party")
            .clone()
    };
    let mut w = World::new(bsgi(), t("2022-11-09T08:00:00Z"));
    // Submitted at 17:00 in Istanbul, after the 16:00 deadline for the 10th.
    let late = w.submit_plan("2022-11-10", 1, t("2022-11-09T14:00:00Z"));
    let during = w.figures(t("2022-11-09T14:20:00Z"));
    assert!(party(&during, "RU").plans.overdue.is_empty(), "{during:?}");
    w.decide_plan(
        "UA",
        "2022-11-10",
        late,
        DecisionKind::Approve,
        t("2022-11-09T14:30:00Z"),
    )
    .expect("approve");
    assert_eq!(
        party(&w.figures(t("2022-11-09T15:00:00Z")), "UA")
            .plans
            .late,
        0
    );
    // Such a version is due when its day begins (00:00 in Istanbul, 21:00
    // UTC): a party still silent then is overdue, and a decision after it late.
    let night = w.figures(t("2022-11-09T21:30:00Z"));
    assert_eq!(
        party(&night, "RU").plans.overdue,
        ["2022-11-10"],
        "{night:?}"
    );
    w.decide_plan(
        "TR",
        "2022-11-10",
        late,
        DecisionKind::Approve,
        t("2022-11-09T22:00:00Z"),
    )
    .expect("approve");
    assert_eq!(
        party(&w.figures(t("2022-11-09T22:30:00Z")), "TR")
            .plans
            .late,
        1
    );

    // Submitted in time for the 11th: UA holds, RU rejects an hour later.
    let e = w.submit_plan("2022-11-11", 1, t("2022-11-10T08:00:00Z"));
    w.decide_plan(
        "UA",
        "2022-11-11",
        e,
        hold("TEAM_SHORT"),
        t("2022-11-10T09:00:00Z"),
    )
    .expect("hold");
    w.decide_plan(
        "RU",
        "2022-11-11",
        e,
        reject("UNSAFE"),
        t("2022-11-10T10:00:00Z"),
    )
    .expect("reject");
    let after = w.figures(t("2022-11-10T14:00:00Z"));
    let ua = party(&after, "UA").plans;
    assert_eq!((ua.seconds_held, ua.holds_open), (3600, 0), "{ua:?}");
    // A rejected plan awaits a new version, not the others' decisions.
    assert!(party(&after, "TR").plans.overdue.is_empty(), "{after:?}");
    // RU changes its rejection to an approval: UA's hold holds the plan up again.
    w.decide_plan(
        "RU",
        "2022-11-11",
        e,
        DecisionKind::Approve,
        t("2022-11-10T15:00:00Z"),
    )
    .expect("approve");
    let again = party(&w.figures(t("2022-11-10T16:00:00Z")), "UA").plans;
    assert_eq!(
        (again.seconds_held, again.holds_open),
        (2 * 3600, 1),
        "{again:?}"
    );

    // Quorum of three: UN's decision was not needed.
    let mut c = bsgi();
    c.consensus = corridor_clearance::ConsensusRule::Quorum { approvals: 3 };
    let now = t("2022-11-10T06:00:00Z");
    let mut q = World::new(c, now);
    let id = q.submitted("atlas", "9000015", now);
    for p in ["RU", "TR", "UA"] {
        q.decide(p, &id, DecisionKind::Approve, now + 30.hours())
            .expect("approve");
    }
    assert_eq!(q.status(&id), Status::Approved);
    let un = party(&q.figures(now + 40.hours()), "UN");
    assert_eq!(
        (un.seconds_overdue, un.overdue_undecided),
        (6 * 3600, 0),
        "{un:?}"
    );
}

/// Review of the arrival fix (open finding 22): two live applications could
/// declare the same MMSI, and tracking logged one vessel's arrival for
/// both. A second live application with an MMSI another declares is now
/// refused at submission, naming the other.
#[test]
fn an_mmsi_is_one_live_applications() {
    let (mut w, first, now) = at_status(Status::UnderReview);
    let mut c = w.clearance.applications[&first].content.clone();
    c.vessel.mmsi = Some("271000001".into());
    c.eta_inspection_area += 1.hours();
    w.run(
        &agent("atlas"),
        Command::Amend {
            application_id: first.clone(),
            content: c,
        },
        now,
    )
    .expect("declare the MMSI");
    let mut other = content("9000027", now + 72.hours());
    other.vessel.mmsi = Some("271000001".into());
    let second = w
        .run(
            &agent("borealis"),
            Command::CreateDraft {
                company: "borealis".into(),
                content: other,
            },
            now,
        )
        .expect("a draft is always allowed")
        .application_id()
        .expect("id")
        .to_string();
    let submit = w.run(
        &agent("borealis"),
        Command::Submit {
            application_id: second.clone(),
        },
        now,
    );
    assert_eq!(
        submit,
        Err(ClearanceError::MmsiInAnotherApplication {
            mmsi: "271000001".into(),
            other: "a live application of another company".into(),
        })
    );
    assert_eq!(w.status(&second), Status::Draft);
}

/// Hostile review (2026-11-30): the coordinator recorded an arrival in 1970
/// and moved a vessel up the public queue with no override logged. An
/// arrival is bounded as tracking's are: not more than 14 days before the
/// application was made.
#[test]
fn an_arrival_is_not_dated_before_the_applications_lookback() {
    let (mut w, id, now) = at_status(Status::Approved);
    let created = w.clearance.applications[&id].created_at;
    let record = |w: &mut World, at: Timestamp| {
        w.run(
            &coordinator(),
            Command::RecordAreaArrival {
                application_id: id.clone(),
                at,
                area: "Inspection Area Marmara".into(),
                evidence: "notice of readiness".into(),
            },
            now,
        )
    };
    let refused = record(&mut w, t("1970-01-01T00:00:00Z"));
    assert!(
        matches!(&refused, Err(ClearanceError::Invalid(m)) if m.contains("more than 14 days before")),
        "{refused:?}"
    );
    let refused = record(&mut w, created - (14 * 24).hours() - 1.seconds());
    assert!(
        matches!(refused, Err(ClearanceError::Invalid(_))),
        "{refused:?}"
    );
    record(&mut w, created - (14 * 24).hours()).expect("within the lookback");
}

/// Hostile review (2026-11-30): an agent learned, from the refusal of its
/// own submission, the id of another company's application for the vessel
/// (under review, 404 to that agent). Its own company's is still named.
#[test]
fn a_busy_vessel_is_named_only_to_its_own_company() {
    let (mut w, first, now) = at_status(Status::UnderReview);
    let submit_as = |w: &mut World, company: &str| {
        let second = w
            .run(
                &agent(company),
                Command::CreateDraft {
                    company: company.into(),
                    content: content("9000015", now + 72.hours()),
                },
                now,
            )
            .expect("a draft")
            .application_id()
            .expect("id")
            .to_string();
        w.run(
            &agent(company),
            Command::Submit {
                application_id: second,
            },
            now,
        )
        .unwrap_err()
        .to_string()
    };
    let theirs = submit_as(&mut w, "borealis");
    assert!(
        theirs.contains("a live application of another company") && !theirs.contains(&first),
        "{theirs}"
    );
    let ours = submit_as(&mut w, "atlas");
    assert!(
        ours.contains(&format!("live application {first}")),
        "{ours}"
    );
}

/// Review of the eligibility fix: an application submitted before a value
/// was checked (its crew count 0, say) stays amendable while the
/// amendment leaves that value as it was; a new implausible value is
/// refused.
#[test]
fn an_amendment_keeps_a_value_submitted_before_it_was_checked() {
    let (mut w, id, now) = at_status(Status::UnderReview);
    // As an earlier version let it through.
    w.clearance
        .applications
        .get_mut(&id)
        .expect("app")
        .content
        .crew_count = 0;
    let amend = |w: &mut World, edit: &dyn Fn(&mut corridor_clearance::ApplicationContent)| {
        let mut c = w.clearance.applications[&id].content.clone();
        edit(&mut c);
        w.run(
            &agent("atlas"),
            Command::Amend {
                application_id: id.clone(),
                content: c,
            },
            now,
        )
    };
    let refused = amend(&mut w, &|c| c.passenger_count = 5_000);
    assert!(
        matches!(&refused, Err(ClearanceError::Ineligible(p)) if p.len() == 1 && p[0].to_string().starts_with("passenger_count")),
        "{refused:?}"
    );
    amend(&mut w, &|c| c.eta_inspection_area += 1.hours()).expect("the old value stands");
}

/// Hostile review (2026-11-30): an agent made 200 drafts in a third of a
/// second, each a log entry for good. A company keeps at most
/// `MAX_OPEN_DRAFTS` open; another company is not held by it.
#[test]
fn a_company_keeps_a_bounded_number_of_drafts_open() {
    let now = t("2022-11-10T06:00:00Z");
    let mut w = World::new(bsgi(), now);
    let draft = |w: &mut World, company: &str| {
        w.run(
            &agent(company),
            Command::CreateDraft {
                company: company.into(),
                content: content("9000015", now + 72.hours()),
            },
            now,
        )
    };
    for _ in 0..MAX_OPEN_DRAFTS {
        draft(&mut w, "atlas").expect("within the limit");
    }
    let refused = draft(&mut w, "atlas");
    assert!(
        matches!(&refused, Err(ClearanceError::AtLimit(m)) if m.contains("50 drafts open")),
        "{refused:?}"
    );
    draft(&mut w, "borealis").expect("another company");
}

/// Code review (session 19): the refusal named the status as Rust spells
/// it ("UnderReview") instead of as the API does.
#[test]
fn a_queue_override_of_a_vessel_not_waiting_names_its_status_in_words() {
    let (mut w, id, now) = at_status(Status::UnderReview);
    let refused = w.run(
        &coordinator(),
        Command::OverrideQueue {
            application_id: id.clone(),
            place: Some(1),
            before: None,
            reason: "perishable cargo".into(),
        },
        now,
    );
    assert!(
        matches!(&refused, Err(e) if e.to_string().ends_with(&format!("{id} is not waiting for an inspection (it is under review)"))),
        "{refused:?}"
    );
}

/// Open finding 50: UNVIM clears most vessels on their papers and inspects
/// only on cause (then perhaps a second time); every approval used to join
/// the inspection queue.
#[test]
fn a_corridor_that_inspects_on_cause_lets_vessels_cleared_on_their_papers_sail() {
    let mut now = t("2022-11-10T06:00:00Z");
    let mut w = World::new(unvim_like(), now);
    let unvim_checked = || vec!["papers".into(), "cargo".into(), "prohibited".into()];
    let require = |w: &mut World, actor: &Actor, id: &str, reason: &str, now| {
        w.run(
            actor,
            Command::RequireInspection {
                application_id: id.into(),
                reason: reason.into(),
            },
            now,
        )
    };
    let depart = |w: &mut World, id: &str, now| {
        w.run(
            &coordinator(),
            Command::Depart {
                application_id: id.into(),
            },
            now,
        )
    };
    let book_and_pass = |w: &mut World, id: &str, now: Timestamp| {
        w.run(
            &coordinator(),
            Command::ScheduleInspection {
                application_id: id.into(),
                at: now + 1.hours(),
            },
            now,
        )
        .expect("booked");
        w.run(
            &inspector(),
            Command::RecordInspection {
                application_id: id.into(),
                outcome: InspectionOutcome::Passed,
                checked: unvim_checked(),
            },
            now + 1.hours(),
        )
        .expect("passed");
    };

    // Approved with no cause: out of the queue, and it may sail at once.
    let plain = w.submitted("atlas", "9000015", now);
    w.decide("UNVIM", &plain, DecisionKind::Approve, now)
        .expect("approve");
    let app = &w.clearance.applications[&plain];
    assert_eq!(app.status, Status::Approved);
    assert!(app.cleared_on_papers && !app.waiting_for_inspection());
    let page = w
        .clearance
        .status_page(&agent("atlas"), &plain, now)
        .expect("page");
    assert!(page.cleared_on_papers && page.inspection_cause.is_none());
    let err = w
        .run(
            &coordinator(),
            Command::ScheduleInspection {
                application_id: plain.clone(),
                at: now + 1.hours(),
            },
            now,
        )
        .expect_err("no booking without a cause");
    assert!(err.to_string().contains("cleared on its papers"), "{err}");
    depart(&mut w, &plain, now).expect("sails uninspected");
    assert_eq!(w.status(&plain), Status::InTransit);
    assert!(!w.clearance.applications[&plain].cleared_on_papers);

    // A cause given in review: approved, it waits for its inspection and
    // cannot sail before a pass.
    now += 1.hours();
    let doubted = w.submitted("boreas", "9000027", now);
    let err =
        require(&mut w, &agent("boreas"), &doubted, "papers", now).expect_err("an agent may not");
    assert!(matches!(err, ClearanceError::Denied(_)), "{err:?}");
    let err = require(&mut w, &coordinator(), &doubted, "  ", now).expect_err("no cause");
    assert!(err.to_string().contains("reason"), "{err}");
    require(
        &mut w,
        &coordinator(),
        &doubted,
        "Manifest weights disagree with the draught",
        now,
    )
    .expect("required in review");
    assert_eq!(w.status(&doubted), Status::UnderReview);
    w.decide("UNVIM", &doubted, DecisionKind::Approve, now)
        .expect("approve");
    let app = &w.clearance.applications[&doubted];
    assert!(!app.cleared_on_papers && app.waiting_for_inspection());
    let page = w
        .clearance
        .status_page(&agent("boreas"), &doubted, now)
        .expect("page");
    assert_eq!(
        page.inspection_cause.as_deref(),
        Some("Manifest weights disagree with the draught")
    );
    let err = depart(&mut w, &doubted, now).expect_err("waits for its inspection");
    assert!(
        err.to_string()
            .contains("waits for the inspection required of it (Manifest weights"),
        "{err}"
    );
    let err = require(&mut w, &coordinator(), &doubted, "again", now).expect_err("waits");
    assert!(err.to_string().contains("already waits"), "{err}");

    // Passed, then doubts persist: a second inspection, then it sails.
    // Asked past the approval's validity (480 h), the second inspection
    // has its own: the centre's doubt does not lapse the clearance
    // (session 24's review), and the readiness declared for the first
    // inspection is spent.
    w.run(
        &agent("boreas"),
        Command::DeclareReadiness {
            application_id: doubted.clone(),
            readiness: all_ready(),
        },
        now,
    )
    .expect("ready");
    book_and_pass(&mut w, &doubted, now);
    now += 500.hours();
    require(
        &mut w,
        &coordinator(),
        &doubted,
        "Tracking shows a ship-to-ship meeting after the inspection",
        now,
    )
    .expect("a second inspection");
    let app = &w.clearance.applications[&doubted];
    assert_eq!(app.status, Status::Approved);
    assert!(app.waiting_for_inspection() && !app.cleared_on_papers);
    assert!(app.ready_at.is_none() && app.readiness.is_none());
    let expire = Command::Expire {
        application_id: doubted.clone(),
    };
    assert!(matches!(
        w.run(&system(), expire, now),
        Err(ClearanceError::NotYetExpired { .. })
    ));
    book_and_pass(&mut w, &doubted, now);
    depart(&mut w, &doubted, now + 2.hours()).expect("sails after its second pass");
    assert_eq!(w.clearance.applications[&doubted].inspections, 2);

    // A cause is the vessel's until an inspection resolves it: withdrawn
    // and applied for again, it is not cleared on its papers (session
    // 24's review: the cause was shed by applying again).
    now += 3.hours();
    let dodger = w.submitted("cygnus", "9000039", now);
    require(&mut w, &coordinator(), &dodger, "AIS off for 9 hours", now).expect("cause");
    w.run(
        &agent("cygnus"),
        Command::Withdraw {
            application_id: dodger.clone(),
            reason: "plans changed".into(),
        },
        now,
    )
    .expect("withdrawn");
    let again = w.submitted("cygnus", "9000039", now);
    w.decide("UNVIM", &again, DecisionKind::Approve, now)
        .expect("approve");
    let app = &w.clearance.applications[&again];
    assert!(!app.cleared_on_papers && app.waiting_for_inspection());
    let carried = &app.inspection_cause.as_ref().expect("carried").reason;
    assert!(
        carried.contains(&dodger) && carried.contains("AIS off for 9 hours"),
        "{carried}"
    );

    w.clearance.check_invariants().expect("invariants");
    let events = w.events();
    let replayed =
        Clearance::replay(unvim_like(), events.iter().map(|(t, e)| (*t, e))).expect("replay");
    assert_eq!(replayed.applications, w.clearance.applications);
    // The log, not the rules it is read under, says who was cleared on
    // the papers (session 24's review: a log read under other rules freed
    // vessels approved for inspection, or the other way round).
    let mut every = unvim_like();
    every.inspection.policy = corridor_clearance::InspectionPolicy::EveryVessel;
    let replayed = Clearance::replay(every, events.iter().map(|(t, e)| (*t, e)))
        .expect("replay under other rules");
    assert_eq!(replayed.applications, w.clearance.applications);

    // The Black Sea's rule: every approved vessel is inspected.
    let (mut w, id, now) = at_status(Status::Approved);
    assert!(!w.clearance.applications[&id].cleared_on_papers);
    let err = require(&mut w, &coordinator(), &id, "cause", now).expect_err("no such thing");
    assert!(
        err.to_string()
            .contains("every approved vessel is inspected"),
        "{err}"
    );
    assert!(matches!(
        depart(&mut w, &id, now),
        Err(ClearanceError::IllegalTransition { .. })
    ));
}

/// Open finding 51: UNVIM's clearance is valid 20 days from the vessel's
/// arrival at the anchorage, not from its approval.
#[test]
fn a_clearance_can_run_from_the_vessels_arrival_at_the_anchorage() {
    let start = t("2022-11-10T06:00:00Z");
    let mut w = World::new(unvim_like(), start);
    // ETA start + 72 h (the fixture's), approved at once.
    let id = w.submitted("atlas", "9000015", start);
    w.decide("UNVIM", &id, DecisionKind::Approve, start)
        .expect("approve");
    let eta = start + 72.hours();
    let expire = |w: &mut World, now| {
        w.run(
            &coordinator(),
            Command::Expire {
                application_id: id.clone(),
            },
            now,
        )
    };
    // Not yet arrived: the hours run from the ETA, the later of the two.
    assert_eq!(
        w.clearance.expires_at(&w.clearance.applications[&id]),
        Some(eta + 480.hours())
    );
    // Arrived four days late: from the arrival.
    let arrived = eta + 96.hours();
    w.run(
        &coordinator(),
        Command::RecordAreaArrival {
            application_id: id.clone(),
            at: arrived,
            area: "Djibouti anchorage".into(),
            evidence: "seen at anchor by the duty officer".into(),
        },
        arrived,
    )
    .expect("arrival");
    let now = eta + 481.hours();
    assert!(matches!(
        expire(&mut w, now),
        Err(ClearanceError::NotYetExpired { expires_at }) if expires_at == arrived + 480.hours()
    ));
    expire(&mut w, arrived + 480.hours()).expect("lapsed 20 days after arriving");
    assert_eq!(w.status(&id), Status::Expired);

    // Arrived before its approval (waiting at anchor for the decision):
    // from the approval, not the arrival (session 24's review: a vessel
    // held 20 days could be expired the moment it was approved).
    let now = arrived + 481.hours();
    let early = w.submitted("boreas", "9000027", now);
    w.run(
        &coordinator(),
        Command::RecordAreaArrival {
            application_id: early.clone(),
            at: now,
            area: "Djibouti anchorage".into(),
            evidence: "seen at anchor".into(),
        },
        now,
    )
    .expect("arrival while in review");
    let approved = now + 100.hours();
    w.decide("UNVIM", &early, DecisionKind::Approve, approved)
        .expect("approve");
    assert_eq!(
        w.clearance.expires_at(&w.clearance.applications[&early]),
        Some(approved + 480.hours())
    );
    // The agent's status page says when, suspended time added (as the
    // expiry counts it): the reviewer could learn it only from a refusal.
    w.run(
        &coordinator(),
        Command::Suspend {
            reason_code: "WEATHER".into(),
            text: "storm".into(),
        },
        approved + 1.hours(),
    )
    .expect("suspend");
    w.run(&coordinator(), Command::Resume, approved + 11.hours())
        .expect("resume");
    let page = w
        .clearance
        .status_page(&agent("boreas"), &early, approved + 12.hours())
        .expect("page");
    assert_eq!(page.lapses_at, Some(approved + 490.hours()));

    // The Black Sea's rules: from the approval, arrival or not.
    let (w, id, now) = at_status(Status::Approved);
    assert_eq!(
        w.clearance.expires_at(&w.clearance.applications[&id]),
        Some(now + 336.hours())
    );
}

/// A review of a day at the centre (session 25): a delegate deciding on an
/// application whose review had not started was told only that it is
/// submitted, not what lets the decision through.
#[test]
fn a_decision_before_the_review_says_who_starts_it() {
    let (mut w, id, now) = at_status(Status::Submitted);
    let err = w
        .decide("UA", &id, DecisionKind::Approve, now)
        .expect_err("not in review");
    assert_eq!(
        err.to_string(),
        "cannot decide on an application that is submitted: the coordinator starts its review first \
         (POST /api/v1/applications/{id}/review)"
    );
}
