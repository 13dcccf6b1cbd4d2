//! Property tests: random sequences of commands, by random actors, never
//! panic and never reach an inconsistent state (e.g. approved without every
//! required signature), and the log they produce verifies and replays to the
//! same state.

mod common;

use common::*;
use corridor_clearance::config::{ConsensusRule, CorridorConfig};
use corridor_clearance::machine::*;
use corridor_clearance::roles::{Actor, Role};
use corridor_ledger::*;
use jiff::ToSpan;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Create(usize),
    Submit(usize, usize),
    StartReview(usize),
    Decide {
        app: usize,
        party: usize,
        as_party: usize,
        kind: usize,
        stale: bool,
    },
    Release(usize, usize, usize),
    Amend(usize, usize),
    Withdraw(usize, usize),
    Expire(usize),
    Schedule(usize),
    Inspect(usize, usize),
    Depart(usize),
    /// An inspection required by actor `.1` (the coordinator mostly).
    RequireInspection(usize, usize),
    Arrive(usize),
    Close(usize),
    Suspend(usize),
    Resume(usize),
    /// A stoppage by actor `.0` of kind `.1` (an invalid one now and then), from `.2` days on.
    DeclareStoppage(usize, usize, u8),
    /// Lifting stoppage `.1` (maybe unknown or lifted) by actor `.0`.
    LiftStoppage(usize, usize),
    Wait(u8),
}

fn decide() -> impl Strategy<Value = Op> {
    (
        0..8usize,
        0..4usize,
        0..4usize,
        0..10usize,
        proptest::bool::weighted(0.1),
    )
        .prop_map(|(app, party, as_party, kind, stale)| {
            // Mostly the delegate of the signing party.
            let as_party = if as_party == 3 {
                (party + 1) % 4
            } else {
                party
            };
            Op::Decide {
                app,
                party,
                as_party,
                kind,
                stale,
            }
        })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..3usize).prop_map(Op::Create),
        (0..8usize, 0..3usize).prop_map(|(a, c)| Op::Submit(a, c)),
        (0..8usize, 0..3usize).prop_map(|(a, c)| Op::Submit(a, c)),
        (0..8usize).prop_map(Op::StartReview),
        (0..8usize).prop_map(Op::StartReview),
        decide(),
        decide(),
        decide(),
        (0..8usize, 0..4usize, 0..4usize).prop_map(|(a, p, q)| Op::Release(a, p, q)),
        (0..8usize, 0..3usize).prop_map(|(a, c)| Op::Amend(a, c)),
        (0..8usize, 0..3usize).prop_map(|(a, c)| Op::Withdraw(a, c)),
        (0..8usize).prop_map(Op::Expire),
        (0..8usize).prop_map(Op::Schedule),
        (0..8usize, 0..3usize).prop_map(|(a, o)| Op::Inspect(a, o)),
        (0..8usize).prop_map(Op::Depart),
        (0..8usize, 0..4usize).prop_map(|(a, i)| Op::RequireInspection(a, i)),
        (0..8usize).prop_map(Op::Arrive),
        (0..8usize).prop_map(Op::Close),
        (0..3usize).prop_map(Op::Suspend),
        (0..3usize).prop_map(Op::Resume),
        (0..3usize, 0..6usize, 0..10u8).prop_map(|(a, k, d)| Op::DeclareStoppage(a, k, d)),
        (0..3usize, 0..4usize).prop_map(|(a, s)| Op::LiftStoppage(a, s)),
        (1..30u8).prop_map(Op::Wait),
    ]
}

const COMPANIES: [&str; 3] = ["atlas", "boreas", "cygnus"];

fn some_actor(i: usize) -> Actor {
    match i % 3 {
        0 => coordinator(),
        1 => agent(COMPANIES[i % 3]),
        _ => Actor::new("anon", Role::Public),
    }
}

/// Plays `ops` on a world with `config`; checks invariants after every step.
fn check(config: CorridorConfig, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let start = t("2022-10-01T06:00:00Z");
    let mut w = World::new(config.clone(), start);
    let parties: Vec<String> = config.party_codes().map(String::from).collect();
    let mut now = start;
    for op in ops {
        now += 10.minutes();
        let ids: Vec<String> = w.clearance.applications.keys().cloned().collect();
        let app = |i: usize| ids.get(i % ids.len().max(1)).cloned().unwrap_or_default();
        // Prefer an application in one of `statuses` (most commands apply to
        // few statuses); otherwise any, so illegal transitions are tried too.
        let app_in = |i: usize, statuses: &[Status]| {
            let fit: Vec<&String> = ids
                .iter()
                .filter(|id| statuses.contains(&w.clearance.applications[*id].status))
                .collect();
            if fit.is_empty() || i == 7 {
                app(i)
            } else {
                fit[i % fit.len()].clone()
            }
        };
        let company_of = |id: &str| {
            w.clearance
                .applications
                .get(id)
                .map(|a| a.company.clone())
                .unwrap_or_default()
        };
        let result = match op {
            Op::Wait(h) => {
                now += i64::from(h).hours();
                continue;
            }
            Op::Create(c) => w.run(
                &agent(COMPANIES[c]),
                Command::CreateDraft {
                    company: COMPANIES[c].into(),
                    content: content("9000015", now + 72.hours()),
                },
                now,
            ),
            Op::Submit(a, c) => {
                // Mostly the owner; sometimes another company (must be refused).
                let id = app_in(a, &[Status::Draft]);
                let company = if c < 2 {
                    company_of(&id)
                } else {
                    COMPANIES[a % 3].to_string()
                };
                w.run(
                    &agent(&company),
                    Command::Submit { application_id: id },
                    now,
                )
            }
            Op::StartReview(a) => w.run(
                &coordinator(),
                Command::StartReview {
                    application_id: app_in(a, &[Status::Submitted]),
                },
                now,
            ),
            Op::Decide {
                app: a,
                party,
                as_party,
                kind,
                stale,
            } => {
                let id = app_in(a, &[Status::UnderReview, Status::Held]);
                if !w.clearance.applications.contains_key(&id) {
                    continue;
                }
                let p = &parties[party % parties.len()];
                let kind = match kind {
                    0..=6 => DecisionKind::Approve,
                    7 | 8 => hold("DOCS"),
                    _ => reject("BANNED"),
                };
                let mut d = w.signed(p, &id, kind, now);
                if stale {
                    // A signature over another version of the application.
                    d.payload.application_hash = Hash::of(b"old version");
                    d = d
                        .payload
                        .clone()
                        .sign(w.key(p))
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
                let actor = delegate(&parties[as_party % parties.len()]);
                let r = w.run(
                    &actor,
                    Command::Decide {
                        application_id: id.clone(),
                        decision: d,
                    },
                    now,
                );
                if stale {
                    prop_assert!(r.is_err(), "a decision over a stale version was accepted");
                }
                if as_party % parties.len() != party % parties.len() {
                    prop_assert!(r.is_err(), "a delegate decided for another party");
                }
                r
            }
            Op::Release(a, p, q) => {
                let id = app_in(a, &[Status::Held]);
                let party = &parties[p % parties.len()];
                let hash = w
                    .clearance
                    .applications
                    .get(&id)
                    .map_or(Hash::of(b"no such application"), |x| x.content_hash);
                let d = DecisionPayload {
                    party: party.clone(),
                    application_id: id.clone(),
                    application_hash: hash,
                    decision: DecisionKind::Release,
                    time: now,
                    key_id: w.key(party).key_id(),
                }
                .sign(w.key(party))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
                w.run(
                    &delegate(&parties[q % parties.len()]),
                    Command::ReleaseHold {
                        application_id: id,
                        decision: d,
                    },
                    now,
                )
            }
            Op::Amend(a, c) => {
                let id = app_in(a, &[Status::UnderReview, Status::Held]);
                let mut content = w
                    .clearance
                    .applications
                    .get(&id)
                    .map(|x| x.content.clone())
                    .unwrap_or_else(|| common::content("1", now));
                content.crew_count += 1;
                let company = if c == 0 {
                    company_of(&id)
                } else {
                    COMPANIES[c].to_string()
                };
                let r = w.run(
                    &agent(&company),
                    Command::Amend {
                        application_id: id.clone(),
                        content,
                    },
                    now,
                );
                if r.is_ok() {
                    prop_assert!(w.clearance.applications[&id].decisions.is_empty());
                }
                r
            }
            Op::Withdraw(a, c) => {
                let id = app(a);
                let owner = company_of(&id);
                let r = w.run(
                    &agent(COMPANIES[c]),
                    Command::Withdraw {
                        application_id: id,
                        reason: "r".into(),
                    },
                    now,
                );
                if COMPANIES[c] != owner {
                    prop_assert!(
                        r.is_err(),
                        "an agent withdrew another company's application"
                    );
                }
                r
            }
            Op::Expire(a) => w.run(
                &Actor::new("system", Role::System),
                Command::Expire {
                    application_id: app(a),
                },
                now,
            ),
            Op::Schedule(a) => w.run(
                &coordinator(),
                Command::ScheduleInspection {
                    application_id: app_in(a, &[Status::Approved, Status::FailedNotReady]),
                    at: now + 1.hours(),
                },
                now,
            ),
            Op::Inspect(a, o) => {
                let outcome = match o {
                    0 => InspectionOutcome::Passed,
                    1 => InspectionOutcome::NotReady {
                        reason_code: "FUMIGANT".into(),
                        text: "found during the test".into(),
                    },
                    _ => InspectionOutcome::NonCompliant {
                        reason_code: "STOWAWAY".into(),
                        text: "found during the test".into(),
                    },
                };
                w.run(
                    &inspector(),
                    Command::RecordInspection {
                        application_id: app_in(a, &[Status::AwaitingInspection]),
                        outcome,
                        checked: all_checked(),
                    },
                    now,
                )
            }
            Op::Depart(a) => {
                let id = app_in(a, &[Status::InspectionPassed, Status::Approved]);
                let cleared = w
                    .clearance
                    .applications
                    .get(&id)
                    .is_some_and(|x| x.status == Status::Approved && x.cleared_on_papers);
                let r = w.run(
                    &coordinator(),
                    Command::Depart {
                        application_id: id.clone(),
                    },
                    now,
                );
                // Sailing without a pass needs a clearance on the papers.
                if r.is_ok() && w.clearance.applications[&id].inspections == 0 {
                    prop_assert!(
                        cleared,
                        "{id} sailed uninspected without being cleared on its papers"
                    );
                }
                r
            }
            Op::RequireInspection(a, i) => {
                let id = app_in(
                    a,
                    &[
                        Status::Approved,
                        Status::InspectionPassed,
                        Status::UnderReview,
                    ],
                );
                let actor = if i == 0 { some_actor(1) } else { coordinator() };
                let r = w.run(
                    &actor,
                    Command::RequireInspection {
                        application_id: id.clone(),
                        reason: "papers give cause".into(),
                    },
                    now,
                );
                if r.is_ok() {
                    let x = &w.clearance.applications[&id];
                    prop_assert!(
                        !x.cleared_on_papers && x.inspection_cause.is_some(),
                        "{id}: an inspection required but not awaited"
                    );
                    prop_assert!(
                        x.status.in_review()
                            || x.status == Status::Submitted
                            || x.waiting_for_inspection(),
                        "{id}: an inspection required of a vessel left out of the queue"
                    );
                }
                r
            }
            Op::Arrive(a) => w.run(
                &coordinator(),
                Command::Arrive {
                    application_id: app_in(a, &[Status::InTransit]),
                },
                now,
            ),
            Op::Close(a) => w.run(
                &coordinator(),
                Command::Close {
                    application_id: app_in(
                        a,
                        &[
                            Status::Arrived,
                            Status::FailedNonCompliant,
                            Status::Rejected,
                        ],
                    ),
                },
                now,
            ),
            Op::Suspend(i) => w.run(
                &some_actor(i),
                Command::Suspend {
                    reason_code: "S".into(),
                    text: "found during the test".into(),
                },
                now,
            ),
            Op::Resume(i) => w.run(&some_actor(i), Command::Resume, now),
            Op::DeclareStoppage(i, kind, days) => {
                use corridor_clearance::{StoppageContent, StoppageKind as K};
                let day = |d: u8| format!("2022-10-{:02}", 1 + d);
                let (kind, absent) = match kind {
                    0 => (K::Weather, vec![]),
                    1 => (K::DayOff, vec![]),
                    2 => (K::PartyAbsent, vec![parties[0].clone()]),
                    3 => (K::Other, vec![]),
                    // Refused: a party_absent naming nobody, a weather stoppage naming one.
                    4 => (K::PartyAbsent, vec![]),
                    _ => (K::Weather, vec![parties[0].clone()]),
                };
                w.run(
                    &some_actor(i),
                    Command::DeclareStoppage {
                        stoppage: StoppageContent {
                            from: day(days),
                            to: day(days + days % 3),
                            kind,
                            absent,
                            teams: (days % 2 == 0).then_some(1),
                            reason: "found during the test".into(),
                        },
                        effect: corridor_clearance::StoppageEffect {
                            starts_at: start,
                            ends_at: start + 24.hours(),
                            stops: vec!["JIT-1".into()],
                            every_team: days % 2 == 1,
                            days: Vec::new(),
                        },
                    },
                    now,
                )
            }
            Op::LiftStoppage(i, s) => w.run(
                &some_actor(i),
                Command::LiftStoppage {
                    stoppage_id: format!("STOP-{}", s + 1),
                    reason: "over".into(),
                },
                now,
            ),
        };
        let _ = result;
        if let Err(e) = w.clearance.check_invariants() {
            return Err(TestCaseError::fail(e));
        }
        let _ = w.clearance.overdue(now);
    }
    let summary = verify_chain(w.log.entries(), &w.keys, ORIGIN)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(summary.size, w.log.size());
    let events = w.events();
    let replayed = Clearance::replay(config.clone(), events.iter().map(|(t, e)| (*t, e)))
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&replayed.applications, &w.clearance.applications);
    prop_assert_eq!(&replayed.corridor, &w.clearance.corridor);
    prop_assert_eq!(&replayed.stoppages, &w.clearance.stoppages);
    let whole = corridor_clearance::accountability(
        &config,
        &timetable(),
        events.iter().map(|(t, e)| (*t, e)),
        now,
    )
    .map_err(|e| TestCaseError::fail(e.to_string()))?;
    // What the figures must say of any log: every decision is an
    // approval, a hold or a rejection; time is never negative; what is
    // overdue now is what the state says; open holds are the holds in place.
    for p in &whole.parties {
        let holds: u64 = p.holds_by_reason.values().sum();
        let rejections: u64 = p.rejections_by_reason.values().sum();
        prop_assert_eq!(p.decisions, p.approvals + holds + rejections, "{:?}", p);
        prop_assert!(p.seconds_held >= 0 && p.seconds_overdue >= 0, "{:?}", p);
        prop_assert!(p.holds_open <= holds, "{:?}", p);
        let overdue = w
            .clearance
            .overdue(now)
            .into_iter()
            .filter(|o| o.party == p.party)
            .count();
        prop_assert_eq!(p.overdue.len(), overdue);
        let in_place = w
            .clearance
            .applications
            .values()
            .filter(|a| {
                a.status.in_review()
                    && a.decisions
                        .get(&p.party)
                        .is_some_and(|d| matches!(d.kind, DecisionKind::Hold { .. }))
            })
            .count() as u64;
        prop_assert_eq!(p.holds_open, in_place, "{:?}", p);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn unanimity_never_inconsistent(ops in proptest::collection::vec(op(), 1..120)) {
        check(bsgi(), ops)?;
    }

    #[test]
    fn quorum_never_inconsistent(ops in proptest::collection::vec(op(), 1..120)) {
        let mut c = bsgi();
        c.consensus = ConsensusRule::Quorum { approvals: 3 };
        check(c, ops)?;
    }

    #[test]
    fn single_party_never_inconsistent(ops in proptest::collection::vec(op(), 1..60)) {
        let mut c = CorridorConfig::unvim().map_err(|e| TestCaseError::fail(e.to_string()))?;
        // Reuse the Black Sea fixtures' ports and documents so applications can be submitted.
        let b = bsgi();
        c.ports = b.ports;
        c.documents = b.documents;
        c.eligibility.min_notice_hours = 44;
        check(c, ops)?;
    }
}
