//! A slice of a season played through the pure core: several companies, four
//! parties, approvals, a hold and its release, a rejection, a withdrawal, an
//! amendment, a suspension and resumption, an inspection failure and
//! re-inspection, and the accountability figures that follow. The log it
//! produces verifies, and replaying its events rebuilds the same state.

mod common;

use common::*;
use corridor_clearance::machine::*;
use corridor_ledger::decision::DecisionError;
use corridor_ledger::*;
use jiff::ToSpan;

#[test]
fn season_slice() {
    let start = t("2022-10-25T06:00:00Z");
    let mut w = World::new(bsgi(), start);
    let mut now = start;

    // Three companies register voyages.
    let a1 = w.submitted("atlas", "9000015", now);
    let a2 = w.submitted("boreas", "9000027", now);
    let a3 = w.submitted("cygnus", "9000003", now);
    let a4 = w.submitted("atlas", "9000041", now);
    assert_eq!(a1, "BSGI-2022-000001");
    assert_eq!(w.status(&a1), Status::UnderReview);

    // a1: all four approve -> approved.
    for (i, p) in ["TR", "UA", "UN", "RU"].iter().enumerate() {
        now = start + (i as i64 + 1).hours();
        w.decide(p, &a1, DecisionKind::Approve, now)
            .expect("approve");
    }
    assert_eq!(w.status(&a1), Status::Approved);

    // a2: Russia holds; Ukraine, Türkiye, UN approve; still held until released.
    now = start + 5.hours();
    w.decide("RU", &a2, hold("DOCS_MISSING"), now)
        .expect("hold");
    for p in ["UA", "TR", "UN"] {
        w.decide(p, &a2, DecisionKind::Approve, now)
            .expect("approve");
    }
    assert_eq!(w.status(&a2), Status::Held);
    // Another party cannot release Russia's hold, with Russia's signed
    // release or its own; a release signed before the hold is not about
    // it; Russia's signed release made after the hold lifts it.
    let early_release = w.signed("RU", &a2, DecisionKind::Release, now - 1.minutes());
    let err = w
        .run(
            &delegate("UA"),
            Command::ReleaseHold {
                application_id: a2.clone(),
                decision: w.signed("RU", &a2, DecisionKind::Release, now),
            },
            now,
        )
        .unwrap_err();
    assert!(matches!(err, ClearanceError::Denied(_)), "{err}");
    let err = w.release("UA", &a2, now).unwrap_err();
    assert!(matches!(err, ClearanceError::NoHold(_)), "{err}");
    // A release is not a decision, nor a decision a release.
    let err = w.decide("RU", &a2, DecisionKind::Release, now).unwrap_err();
    assert!(
        err.to_string().contains("a release is not a decision"),
        "{err}"
    );
    let approve = w.signed("RU", &a2, DecisionKind::Approve, now);
    let err = w
        .run(
            &delegate("RU"),
            Command::ReleaseHold {
                application_id: a2.clone(),
                decision: approve,
            },
            now,
        )
        .unwrap_err();
    assert!(err.to_string().contains("signed release"), "{err}");
    let old_hold = w.signed("RU", &a2, hold("DOCS_MISSING"), now);
    now += 3.hours();
    let err = w
        .run(
            &delegate("RU"),
            Command::ReleaseHold {
                application_id: a2.clone(),
                decision: early_release,
            },
            now,
        )
        .unwrap_err();
    assert!(matches!(err, ClearanceError::StaleDecision { .. }), "{err}");
    // Finding 2 of the 2026-11-29 review: a release without the party's
    // signature (here: signed by another party's key) is refused.
    let mut forged = w.signed("RU", &a2, DecisionKind::Release, now);
    forged.signature = w.signed("UA", &a2, DecisionKind::Release, now).signature;
    let err = w
        .run(
            &delegate("RU"),
            Command::ReleaseHold {
                application_id: a2.clone(),
                decision: forged,
            },
            now,
        )
        .unwrap_err();
    assert!(matches!(err, ClearanceError::Decision(_)), "{err}");
    w.release("RU", &a2, now).expect("release");
    assert_eq!(w.status(&a2), Status::UnderReview);
    // Russia's earlier signed hold cannot be replayed to undo the release.
    let err = w
        .run(
            &delegate("RU"),
            Command::Decide {
                application_id: a2.clone(),
                decision: old_hold,
            },
            now,
        )
        .unwrap_err();
    assert!(
        matches!(err, ClearanceError::AlreadyRecorded { .. }),
        "{err}"
    );

    // a3: Türkiye rejects -> rejected under unanimity.
    w.decide("TR", &a3, reject("PORT_CALL_HISTORY"), now)
        .expect("reject");
    assert_eq!(w.status(&a3), Status::Rejected);
    assert!(matches!(
        w.decide("UA", &a3, DecisionKind::Approve, now),
        Err(ClearanceError::IllegalTransition { .. })
    ));

    // Replays are refused: a signature over a1 presented for a4, and one over a changed a4.
    let for_a1 = w.signed("UA", &a1, DecisionKind::Approve, now);
    let err = w
        .run(
            &delegate("UA"),
            Command::Decide {
                application_id: a4.clone(),
                decision: for_a1,
            },
            now,
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            ClearanceError::Decision(DecisionError::WrongApplication { .. })
        ),
        "{err}"
    );
    let before_amend = w.signed("UA", &a4, DecisionKind::Approve, now);
    w.decide("UN", &a4, DecisionKind::Approve, now)
        .expect("approve");
    let mut amended = w.clearance.applications[&a4].content.clone();
    amended.cargo[0].tonnes = 31000;
    w.decide("RU", &a4, hold("CARGO_QUERY"), now).expect("hold");
    w.run(
        &agent("atlas"),
        Command::Amend {
            application_id: a4.clone(),
            content: amended,
        },
        now,
    )
    .expect("amend");
    assert!(
        w.clearance.applications[&a4].decisions.is_empty(),
        "amendment voids earlier decisions"
    );
    let err = w
        .run(
            &delegate("UA"),
            Command::Decide {
                application_id: a4.clone(),
                decision: before_amend,
            },
            now,
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            ClearanceError::Decision(DecisionError::ChangedApplication { .. })
        ),
        "{err}"
    );
    // A delegate cannot decide for another party, even with a valid signature of that party.
    let tr_sig = w.signed("TR", &a4, DecisionKind::Approve, now);
    let err = w
        .run(
            &delegate("UA"),
            Command::Decide {
                application_id: a4.clone(),
                decision: tr_sig,
            },
            now,
        )
        .unwrap_err();
    assert!(matches!(err, ClearanceError::Denied(_)));
    // An agent of another company cannot touch atlas's application.
    let err = w
        .run(
            &agent("boreas"),
            Command::Withdraw {
                application_id: a4.clone(),
                reason: "x".into(),
            },
            now,
        )
        .unwrap_err();
    assert!(matches!(err, ClearanceError::Denied(_)));

    let a5 = w.submitted("boreas", "9000053", t("2022-10-28T12:00:00Z"));

    // The corridor is suspended 29 Oct - 2 Nov 2022: no decisions meanwhile, deadlines pause.
    let suspend_at = t("2022-10-29T00:00:00Z");
    w.run(
        &coordinator(),
        Command::Suspend {
            reason_code: "PARTY_SUSPENDED".into(),
            text: "one party suspended its participation".into(),
        },
        suspend_at,
    )
    .expect("suspend");
    assert!(matches!(
        w.decide("UA", &a2, DecisionKind::Approve, suspend_at + 1.hours()),
        Err(ClearanceError::CorridorSuspended)
    ));
    // Agents may still withdraw.
    w.run(
        &agent("atlas"),
        Command::Withdraw {
            application_id: a4.clone(),
            reason: "charter cancelled".into(),
        },
        suspend_at + 2.hours(),
    )
    .expect("withdraw");
    assert_eq!(w.status(&a4), Status::Withdrawn);
    let resume_at = t("2022-11-02T00:00:00Z");
    w.run(&coordinator(), Command::Resume, resume_at)
        .expect("resume");

    // Russia has not re-decided a2 since its release (start+8h): its 24 h
    // deadline passed before the suspension, so it is overdue.
    let overdue = w.clearance.overdue(resume_at + 1.hours());
    assert!(
        overdue
            .iter()
            .any(|o| o.application_id == a2 && o.party == "RU"),
        "{overdue:?}"
    );
    let dl = w
        .clearance
        .deadline(&w.clearance.applications[&a2], "RU", resume_at)
        .expect("deadline");
    assert_eq!(dl, start + 8.hours() + 24.hours());
    // a5, submitted 12 h before the suspension: its deadlines are extended by the 96 h.
    assert!(
        !overdue.iter().any(|o| o.application_id == a5),
        "{overdue:?}"
    );
    let dl = w
        .clearance
        .deadline(&w.clearance.applications[&a5], "UN", resume_at + 1.hours())
        .expect("deadline");
    assert_eq!(
        dl,
        resume_at + 12.hours(),
        "suspension extends the deadline"
    );

    now = resume_at + 2.hours();
    w.decide("RU", &a2, DecisionKind::Approve, now)
        .expect("approve");
    assert_eq!(w.status(&a2), Status::Approved);
    for p in ["RU", "TR", "UA", "UN"] {
        w.decide(p, &a5, DecisionKind::Approve, resume_at + 3.hours())
            .expect("approve a5");
    }
    assert_eq!(w.status(&a5), Status::Approved);
    now = resume_at + 3.hours();

    // a1 goes through inspection: not ready (fumigant), re-inspected, sails, arrives, closes.
    let insp = inspector();
    w.run(
        &coordinator(),
        Command::ScheduleInspection {
            application_id: a1.clone(),
            at: now + 1.hours(),
        },
        now,
    )
    .expect("schedule");
    let not_ready = InspectionOutcome::NotReady {
        reason_code: "FUMIGANT_GAS".into(),
        text: "phosphine in hold 3".into(),
    };
    w.run(
        &insp,
        Command::RecordInspection {
            application_id: a1.clone(),
            outcome: not_ready,
            checked: vec!["papers".into(), "crew".into()],
        },
        now + 2.hours(),
    )
    .expect("inspect");
    assert_eq!(w.status(&a1), Status::FailedNotReady);
    now += 48.hours();
    w.run(
        &coordinator(),
        Command::ScheduleInspection {
            application_id: a1.clone(),
            at: now,
        },
        now,
    )
    .expect("reschedule");
    w.run(
        &insp,
        Command::RecordInspection {
            application_id: a1.clone(),
            outcome: InspectionOutcome::Passed,
            checked: all_checked(),
        },
        now + 3.hours(),
    )
    .expect("pass");
    w.run(
        &coordinator(),
        Command::Depart {
            application_id: a1.clone(),
        },
        now + 4.hours(),
    )
    .expect("depart");
    w.run(
        &coordinator(),
        Command::Arrive {
            application_id: a1.clone(),
        },
        now + 30.hours(),
    )
    .expect("arrive");
    w.run(
        &coordinator(),
        Command::Close {
            application_id: a1.clone(),
        },
        now + 31.hours(),
    )
    .expect("close");
    assert_eq!(w.status(&a1), Status::Closed);
    assert!(matches!(
        w.run(
            &coordinator(),
            Command::Depart {
                application_id: a1.clone()
            },
            now + 32.hours()
        ),
        Err(ClearanceError::IllegalTransition { .. })
    ));
    w.clearance.check_invariants().expect("invariants");

    // The log verifies, and replaying it rebuilds the same state.
    let summary = verify_chain(w.log.entries(), &w.keys, ORIGIN).expect("chain verifies");
    assert_eq!(summary.signatures, 17, "16 decisions and one release");
    let events = w.events();
    let replayed = Clearance::replay(bsgi(), events.iter().map(|(t, e)| (*t, e))).expect("replay");
    assert_eq!(replayed.applications, w.clearance.applications);
    assert_eq!(replayed.corridor, w.clearance.corridor);
    let from_log = Clearance::replay_log(bsgi(), w.log.entries()).expect("replay from the log");
    assert_eq!(from_log.applications, w.clearance.applications);
    // Key events in the log are not clearance events and are skipped.
    let mut with_keys = w.log.clone();
    let k = SecretKey::from_seed(&[90; 32]);
    let rec = KeyRecord {
        key_id: k.key_id(),
        party: "UN".into(),
        public_key: k.public_key(),
        valid_from: t("2023-01-01T00:00:00Z"),
        valid_until: None,
    };
    with_keys
        .append(
            "admin",
            t("2023-01-01T00:00:00Z"),
            key_events::key_registered_event(
                &rec,
                Some(&key_events::endorse(
                    w.key("UN"),
                    ORIGIN,
                    with_keys.state(),
                    t("2023-01-01T00:00:00Z"),
                    "UN",
                    &k.public_key(),
                )),
            ),
            None,
        )
        .expect("append");
    verify_chain(with_keys.entries(), &w.keys, ORIGIN).expect("rotation logged");
    let from_log =
        Clearance::replay_log(bsgi(), with_keys.entries()).expect("replay with key events");
    assert_eq!(from_log.applications, w.clearance.applications);
    let mut broken = w.log.clone();
    broken
        .append(
            "x",
            t("2023-01-02T00:00:00Z"),
            serde_json::json!({"type": "no_such_event"}),
            None,
        )
        .expect("append");
    let err = Clearance::replay_log(bsgi(), broken.entries()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("event #{}", broken.entries().len() - 1)),
        "{err}"
    );

    // Accountability.
    let acc = corridor_clearance::accountability(
        &bsgi(),
        &timetable(),
        events.iter().map(|(t, e)| (*t, e)),
        now + 40.hours(),
    )
    .expect("accountability");
    let ru = acc.parties.iter().find(|p| p.party == "RU").expect("RU");
    // RU decided a1 after 4 h, held a2 after 5 h and a4 after 8 h, approved a5
    // after 15 h and a2 after 84 h (180 h since the release, less 96 h suspended).
    assert_eq!(ru.decisions, 5);
    assert_eq!(ru.median_seconds_to_decide, Some(8 * 3600));
    assert_eq!(ru.p90_seconds_to_decide, Some(84 * 3600));
    assert_eq!(ru.holds_by_reason.get("DOCS_MISSING"), Some(&1));
    assert_eq!(ru.holds_by_reason.get("CARGO_QUERY"), Some(&1));
    let tr = acc.parties.iter().find(|p| p.party == "TR").expect("TR");
    assert_eq!(tr.rejections_by_reason.get("PORT_CALL_HISTORY"), Some(&1));
    assert!(acc.parties.iter().all(|p| p.overdue.is_empty()));
    let json = serde_json::to_value(&acc).expect("json");
    assert_eq!(json["parties"].as_array().map(Vec::len), Some(4));
}

/// A signed body counts once: a party's hold, kept by whoever saw it, cannot
/// be posted again within the clock-skew allowance to undo its release, nor
/// an old release to lift a new hold.
#[test]
fn a_signed_hold_or_release_counts_once() {
    let start = t("2022-10-25T06:00:00Z");
    let mut w = World::new(bsgi(), start);
    let a = w.submitted("atlas", "9000015", start);
    let hold_at = start + 1.minutes();
    w.decide("RU", &a, hold("DOCS_MISSING"), hold_at)
        .expect("hold");
    let kept = w.signed("RU", &a, hold("DOCS_MISSING"), hold_at);
    let release_at = hold_at + 1.minutes();
    w.release("RU", &a, release_at).expect("release");
    let kept_release = w.signed("RU", &a, DecisionKind::Release, release_at);
    let err = w
        .run(
            &delegate("RU"),
            Command::Decide {
                application_id: a.clone(),
                decision: kept,
            },
            release_at + 1.minutes(),
        )
        .unwrap_err();
    assert!(
        matches!(err, ClearanceError::AlreadyRecorded { .. }),
        "{err}"
    );
    // A new hold, then the old release again: refused; a new release: taken.
    let again = release_at + 2.minutes();
    w.decide("RU", &a, hold("DOCS_MISSING"), again)
        .expect("a new hold");
    let err = w
        .run(
            &delegate("RU"),
            Command::ReleaseHold {
                application_id: a.clone(),
                decision: kept_release,
            },
            again,
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            ClearanceError::AlreadyRecorded { .. } | ClearanceError::StaleDecision { .. }
        ),
        "{err}"
    );
    w.release("RU", &a, again + 1.minutes())
        .expect("a new release");
    assert_eq!(w.status(&a), Status::UnderReview);
    let replayed = Clearance::replay_log(bsgi(), w.log.entries()).expect("replay");
    assert_eq!(replayed.applications, w.clearance.applications);

    // Replaying a log holds it to the same rules: a last release re-signed
    // as of before the hold it lifts, or logged as a decision, is refused.
    let entries = w.log.entries();
    let (last, before) = entries.split_last().expect("entries");
    assert_eq!(last.event["type"], "hold_released");
    let forged = |mutate: &dyn Fn(&mut serde_json::Value)| {
        let mut log = Log::new();
        for e in before {
            log.append(&e.actor, e.time, e.event.clone(), e.signature.clone())
                .expect("append");
        }
        let mut event = last.event.clone();
        mutate(&mut event);
        let payload: DecisionPayload =
            serde_json::from_value(event["decision"].clone()).expect("payload");
        let signed = payload.sign(w.key("RU")).expect("sign");
        let sig = EntrySignature {
            party: "RU".into(),
            key_id: w.key("RU").key_id(),
            signature: signed.signature,
        };
        log.append(&last.actor, last.time, event, Some(sig))
            .expect("append");
        Clearance::replay_log(bsgi(), log.entries()).map(|_| ())
    };
    assert!(forged(&|_| {}).is_ok(), "the log as it was replays");
    let early = corridor_ledger::time::format(again - 1.minutes());
    let err = forged(&|e| e["decision"]["time"] = early.clone().into()).unwrap_err();
    assert!(
        err.to_string().contains("does not lift its current hold"),
        "{err}"
    );
    let err = forged(&|e| e["type"] = "decision_recorded".into()).unwrap_err();
    assert!(
        err.to_string().contains("release logged as a decision"),
        "{err}"
    );
}

/// Ledger review (2026-11-30), finding 4: an approval signed a minute
/// before the party's hold, and sent after it, was taken (it was inside the
/// clock skew allowed against the time the hold was logged) and undid the
/// hold. Refused live, and a log that holds one does not replay.
#[test]
fn an_older_signed_decision_does_not_undo_the_partys_newer_one() {
    let start = t("2022-10-25T06:00:00Z");
    let mut w = World::new(bsgi(), start);
    let a = w.submitted("atlas", "9000015", start);
    let signed_at = start + 1.minutes();
    let approval = w.signed("UA", &a, DecisionKind::Approve, signed_at);
    w.decide("UA", &a, hold("DOCS_MISSING"), signed_at + 1.minutes())
        .expect("hold");
    assert_eq!(w.status(&a), Status::Held);
    let err = w
        .run(
            &delegate("UA"),
            Command::Decide {
                application_id: a.clone(),
                decision: approval.clone(),
            },
            signed_at + 2.minutes(),
        )
        .unwrap_err();
    assert!(
        matches!(err, ClearanceError::SignedBeforeCurrent { .. }),
        "{err}"
    );
    assert_eq!(w.status(&a), Status::Held);
    // The same approval appended to the log by hand, chained and signed.
    let entries = w.log.entries();
    let last = entries.last().expect("entries");
    assert_eq!(last.event["type"], "decision_recorded");
    let append = |decision: &SignedDecision, status: &str| {
        let mut log = Log::new();
        for e in entries {
            log.append(&e.actor, e.time, e.event.clone(), e.signature.clone())
                .expect("append");
        }
        let mut event = last.event.clone();
        event["decision"] = serde_json::to_value(&decision.payload).expect("payload");
        event["status"] = status.into();
        let sig = EntrySignature {
            party: "UA".into(),
            key_id: w.key("UA").key_id(),
            signature: decision.signature,
        };
        log.append(&last.actor, last.time + 2.minutes(), event, Some(sig))
            .expect("append");
        Clearance::replay_log(bsgi(), log.entries()).map(|_| ())
    };
    let err = append(&approval, "under_review").unwrap_err();
    assert!(
        err.to_string().contains("older than its current hold"),
        "{err}"
    );
    // A new approval, signed after the hold, replays.
    let fresh = w.signed("UA", &a, DecisionKind::Approve, signed_at + 3.minutes());
    append(&fresh, "under_review").expect("a newer approval replays");
}

/// Ledger review (2026-11-30), finding 2: replay took the content hash an
/// event stated, so a log could show the parties one content while their
/// signatures were asked for another's hash. The hash must be the content's.
#[test]
fn a_logged_content_hash_must_be_the_contents() {
    let start = t("2022-10-25T06:00:00Z");
    let mut w = World::new(bsgi(), start);
    w.submitted("atlas", "9000015", start);
    let entries = w.log.entries();
    assert_eq!(entries[0].event["type"], "application_created");
    let replay = |first: serde_json::Value| {
        let mut log = Log::new();
        log.append(&entries[0].actor, entries[0].time, first, None)
            .expect("append");
        Clearance::replay_log(bsgi(), log.entries()).map(|_| ())
    };
    replay(entries[0].event.clone()).expect("the log as it was replays");
    let mut other = entries[0].event.clone();
    other["content_hash"] = serde_json::to_value(Hash::of(b"another content")).expect("hash");
    let err = replay(other).unwrap_err();
    assert!(err.to_string().contains("is not the content's"), "{err}");
}
