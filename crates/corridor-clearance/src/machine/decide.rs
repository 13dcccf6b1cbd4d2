//! Deciding a command: authorisation, the domain rules, and the event to log.

use super::checks::{check_effect, check_finding, check_free_text, check_reason, required_text};
use super::decision_rules::{
    plan_decision_in_time, same_decision, signed_before, stale_against_current,
};
use super::*;
use crate::application::check_text;

impl Clearance {
    pub(super) fn decide(
        &self,
        actor: &Actor,
        command: Command,
        now: Timestamp,
        keys: &KeyRegistry,
    ) -> Result<Outcome, ClearanceError> {
        use Command as C;
        let plain = |event| {
            Ok(Outcome {
                event,
                signature: None,
            })
        };
        match command {
            C::CreateDraft { company, content } => {
                can(
                    actor,
                    Action::CreateApplication,
                    Resource::Application { company: &company },
                )?;
                check_text(&content).map_err(ClearanceError::Invalid)?;
                // Each draft is an entry of the log for good: a company
                // keeps a bounded number open (hostile review, 2026-11-30:
                // 200 in a third of a second).
                let open = self
                    .applications
                    .values()
                    .filter(|a| a.company == company && a.status == Status::Draft)
                    .count();
                if open >= super::MAX_OPEN_DRAFTS {
                    return Err(ClearanceError::AtLimit(format!(
                        "{company} has {open} drafts open, the most a company may: submit or withdraw one first"
                    )));
                }
                let content_hash = content.content_hash()?;
                plain(Event::ApplicationCreated {
                    application_id: self.next_application_id(now),
                    company,
                    content,
                    content_hash,
                })
            }
            C::UpdateDraft {
                application_id,
                content,
            } => {
                let app = self.authorise_app(actor, Action::EditApplication, &application_id)?;
                if app.status != Status::Draft {
                    return Err(illegal("update", app.status));
                }
                check_text(&content).map_err(ClearanceError::Invalid)?;
                let content_hash = content.content_hash()?;
                plain(Event::DraftUpdated {
                    application_id,
                    content,
                    content_hash,
                })
            }
            C::Submit { application_id } => {
                let app = self.authorise_app(actor, Action::SubmitApplication, &application_id)?;
                if app.status != Status::Draft {
                    return Err(illegal("submit", app.status));
                }
                check_eligibility(&app.content, &self.config, now)
                    .map_err(ClearanceError::Ineligible)?;
                self.vessel_free(&app.id, &app.content.vessel, true)?;
                plain(Event::ApplicationSubmitted {
                    application_id,
                    content_hash: app.content_hash,
                })
            }
            C::StartReview { application_id } => {
                let app = self.authorise_app(actor, Action::StartReview, &application_id)?;
                if app.status != Status::Submitted {
                    return Err(illegal("start the review of", app.status));
                }
                self.require_active()?;
                plain(Event::ReviewStarted { application_id })
            }
            C::Decide {
                application_id,
                decision,
            } => {
                let app = self.app(&application_id)?;
                let party = decision.payload.party.clone();
                can(
                    actor,
                    Action::Decide,
                    Resource::Decision {
                        party: &party,
                        company: &app.company,
                    },
                )?;
                if !self.config.has_party(&party) {
                    return Err(ClearanceError::UnknownParty(party));
                }
                if !app.status.in_review() {
                    return Err(illegal("decide on", app.status));
                }
                self.require_active()?;
                let expected = Expected {
                    party: &party,
                    application_id: &app.id,
                    application_hash: &app.content_hash,
                };
                decision.verify_for(keys, &expected, now)?;
                check_reason(&decision.payload.decision)?;
                // The same signed decision sent again is not a second decision.
                self.signed_once(&decision.payload)?;
                // Nor is one that repeats the party's current decision: it
                // would only add to the party's count of decisions.
                // (A hold or rejection with the same reason code counts as
                // the same, whatever its words.)
                if app
                    .decisions
                    .get(&party)
                    .is_some_and(|d| same_decision(&d.kind, &decision.payload.decision))
                {
                    return Err(ClearanceError::Unchanged(format!(
                        "{party}'s decision on {} is already {}: a decision that changes nothing is not logged",
                        app.id,
                        decision.payload.decision.name()
                    )));
                }
                // A signed decision older than the party's last decision, release or
                // the review start cannot be replayed to undo what came after it.
                if let Some(since) = app.awaiting_since.get(&party)
                    && signed_before(decision.payload.time, *since)
                {
                    return Err(ClearanceError::StaleDecision {
                        signed: decision.payload.time,
                        since: *since,
                    });
                }
                // Nor, within the clock skew allowed above, one signed before
                // the party's current decision: an approval signed a minute
                // before the party's rejection must not undo it.
                stale_against_current(&party, &decision.payload, app.decisions.get(&party))?;
                let mut decisions = app.decisions.clone();
                decisions.insert(party.clone(), party_decision(&decision.payload, now));
                let status = self.status_after(&decisions, app.status);
                let (cleared_on_papers, carried_cause) = if status == Status::Approved {
                    self.clears_on_papers(app)
                } else {
                    (false, None)
                };
                let signature = Some(EntrySignature {
                    party,
                    key_id: decision.payload.key_id.clone(),
                    signature: decision.signature,
                });
                Ok(Outcome {
                    event: Event::DecisionRecorded {
                        application_id,
                        decision: decision.payload,
                        status,
                        cleared_on_papers,
                        carried_cause,
                    },
                    signature,
                })
            }
            C::ReleaseHold {
                application_id,
                decision,
            } => {
                let app = self.app(&application_id)?;
                let party = decision.payload.party.clone();
                can(
                    actor,
                    Action::ReleaseHold,
                    Resource::Decision {
                        party: &party,
                        company: &app.company,
                    },
                )?;
                if !self.config.has_party(&party) {
                    return Err(ClearanceError::UnknownParty(party));
                }
                if decision.payload.decision != DecisionKind::Release {
                    return Err(ClearanceError::Invalid(format!(
                        "a hold is lifted by a signed release, not by a signed {}",
                        decision.payload.decision.name()
                    )));
                }
                if app.status != Status::Held {
                    return Err(illegal("release", app.status));
                }
                let Some(hold) = app
                    .decisions
                    .get(&party)
                    .filter(|d| matches!(d.kind, DecisionKind::Hold { .. }))
                else {
                    return Err(ClearanceError::NoHold(party));
                };
                let expected = Expected {
                    party: &party,
                    application_id: &app.id,
                    application_hash: &app.content_hash,
                };
                decision.verify_for(keys, &expected, now)?;
                self.signed_once(&decision.payload)?;
                // A release signed before the hold it would lift was signed
                // is not about that hold (an old release replayed). Times are
                // whole seconds: the hold's own second counts as after it.
                if decision.payload.time < hold.signed_at {
                    return Err(ClearanceError::StaleDecision {
                        signed: decision.payload.time,
                        since: hold.signed_at,
                    });
                }
                let mut decisions = app.decisions.clone();
                decisions.remove(&party);
                let status = self.status_after(&decisions, app.status);
                let signature = Some(EntrySignature {
                    party: party.clone(),
                    key_id: decision.payload.key_id.clone(),
                    signature: decision.signature,
                });
                Ok(Outcome {
                    event: Event::HoldReleased {
                        application_id,
                        party,
                        decision: decision.payload,
                        status,
                    },
                    signature,
                })
            }
            C::Amend {
                application_id,
                content,
            } => {
                let app = self.authorise_app(actor, Action::EditApplication, &application_id)?;
                if !app.status.in_review() {
                    return Err(illegal("amend", app.status));
                }
                let submitted = app.submitted_at.unwrap_or(now);
                check_text(&content).map_err(ClearanceError::Invalid)?;
                // The queue counts from the ETA until an arrival is seen or
                // recorded: an ETA moved into the past would be an arrival
                // on the agent's word, ahead of vessels seen waiting.
                let eta = content.eta_inspection_area;
                if eta != app.content.eta_inspection_area && eta < now {
                    return Err(ClearanceError::Invalid(format!(
                        "eta_inspection_area: {} has passed; an amendment may move the ETA only to a time still to come (an arrival is seen by tracking or recorded by the coordinator)",
                        corridor_ledger::time::format(eta)
                    )));
                }
                // An IMO submitted before it was checked stays amendable
                // while it is not changed (as the MMSI below).
                let same_imo = content.vessel.imo == app.content.vessel.imo;
                if let Err(mut problems) = check_eligibility(&content, &self.config, submitted) {
                    if same_imo {
                        problems.retain(|p| !matches!(p, Ineligibility::InvalidImo { .. }));
                    }
                    // Likewise a value refused as implausible since it was
                    // submitted, while the amendment leaves it as it was.
                    let had = check_eligibility(&app.content, &self.config, submitted)
                        .err()
                        .unwrap_or_default();
                    problems.retain(|p| {
                        !(matches!(p, Ineligibility::Implausible { .. }) && had.contains(p))
                    });
                    if !problems.is_empty() {
                        return Err(ClearanceError::Ineligible(problems));
                    }
                }
                // The MMSI only when it changes: two applications that
                // shared one before it was checked can still be amended.
                let mmsi_changed = content.vessel.mmsi_digits() != app.content.vessel.mmsi_digits();
                self.vessel_free(&app.id, &content.vessel, mmsi_changed)?;
                let content_hash = content.content_hash()?;
                // An amendment restarts the review (decisions, holds and
                // deadlines): one that changes nothing must not.
                if content_hash == app.content_hash {
                    return Err(ClearanceError::Invalid(
                        "the amendment changes nothing: the parties' decisions on this content stand"
                            .into(),
                    ));
                }
                plain(Event::ApplicationAmended {
                    application_id,
                    content,
                    content_hash,
                })
            }
            C::Withdraw {
                application_id,
                reason,
            } => {
                let app =
                    self.authorise_app(actor, Action::WithdrawApplication, &application_id)?;
                use Status::*;
                if !matches!(
                    app.status,
                    Draft
                        | Submitted
                        | UnderReview
                        | Held
                        | Approved
                        | AwaitingInspection
                        | FailedNotReady
                ) {
                    return Err(illegal("withdraw", app.status));
                }
                // Public once logged: a withdrawal says why (the queue and
                // the accountability figures show it).
                if reason.trim().is_empty() {
                    return Err(ClearanceError::Invalid(
                        "reason: a withdrawal says why".into(),
                    ));
                }
                check_free_text("reason", &reason)?;
                plain(Event::ApplicationWithdrawn {
                    application_id,
                    reason,
                })
            }
            C::Expire { application_id } => {
                let app = self.authorise_app(actor, Action::ExpireApplication, &application_id)?;
                let expires_at = self
                    .lapses_at(app, now)
                    .ok_or_else(|| illegal("expire", app.status))?;
                if now < expires_at {
                    return Err(ClearanceError::NotYetExpired { expires_at });
                }
                plain(Event::ApplicationExpired {
                    application_id,
                    from: app.status,
                })
            }
            C::ScheduleInspection { application_id, at } => {
                let app = self.authorise_app(actor, Action::ScheduleInspection, &application_id)?;
                // A booking a stoppage stopped, or whose time passed without
                // a result, can be moved; one still standing cannot.
                let rebook = app.status == Status::AwaitingInspection
                    && (self.booking_stopped_by(app).is_some()
                        || app.inspection_at.is_none_or(|t| t < now));
                if !rebook && !matches!(app.status, Status::Approved | Status::FailedNotReady) {
                    return Err(illegal("schedule an inspection for", app.status));
                }
                if app.status == Status::Approved && app.cleared_on_papers {
                    return Err(ClearanceError::Invalid(format!(
                        "{application_id} is cleared on its papers: require an inspection, giving its cause, before booking one"
                    )));
                }
                self.require_active()?;
                let at = corridor_ledger::time::to_seconds(at);
                // The same time again is the same (stopped or passed) slot.
                if rebook && app.inspection_at == Some(at) {
                    return Err(ClearanceError::BookingConflict(format!(
                        "{} is booked at {} already; a stopped or missed booking is moved to another time",
                        app.id,
                        corridor_ledger::time::format(at)
                    )));
                }
                if at < now {
                    return Err(ClearanceError::InspectionInPast(at));
                }
                plain(Event::InspectionScheduled { application_id, at })
            }
            C::RecordInspection {
                application_id,
                outcome,
                checked,
            } => {
                let app = self.authorise_app(actor, Action::RecordInspection, &application_id)?;
                if app.status != Status::AwaitingInspection {
                    return Err(illegal("record an inspection of", app.status));
                }
                // The teams were told the slot is cancelled: a result for it
                // waits until the coordinator books it again or lifts the
                // stoppage.
                if let Some(st) = self.booking_stopped_by(app) {
                    return Err(ClearanceError::BookingConflict(format!(
                        "the inspection booked at {} is cancelled by {}: the coordinator books it again or lifts the stoppage first",
                        app.inspection_at
                            .map_or_else(String::new, corridor_ledger::time::format),
                        st.why()
                    )));
                }
                // A result is for a slot of the day: not days ahead of it
                // (a team may start early, so up to RESULT_LEAD_SECONDS before).
                if let Some(booked) = app.booking_for_result(now)
                    && booked.as_second().saturating_sub(now.as_second()) > RESULT_LEAD_SECONDS
                {
                    return Err(ClearanceError::BookingConflict(format!(
                        "{} is booked for {}: its result is recorded from {} hours before that, not earlier",
                        app.id,
                        corridor_ledger::time::format(booked),
                        RESULT_LEAD_SECONDS / 3600
                    )));
                }
                self.require_active()?;
                let status = match &outcome {
                    InspectionOutcome::Passed => Status::InspectionPassed,
                    InspectionOutcome::NotReady { reason_code, text }
                    | InspectionOutcome::NonCompliant { reason_code, text } => {
                        check_finding("a failed inspection", reason_code, text)?;
                        if matches!(outcome, InspectionOutcome::NotReady { .. }) {
                            Status::FailedNotReady
                        } else {
                            Status::FailedNonCompliant
                        }
                    }
                };
                let checked = self.checklist(&checked, status == Status::InspectionPassed)?;
                plain(Event::InspectionRecorded {
                    application_id,
                    outcome,
                    status,
                    checked,
                })
            }
            C::Depart { application_id } => {
                let app = self.authorise_app(actor, Action::RecordMovement, &application_id)?;
                let cleared = app.status == Status::InspectionPassed
                    || (app.status == Status::Approved && app.cleared_on_papers);
                if let (false, Status::Approved, Some(cause)) =
                    (cleared, app.status, &app.inspection_cause)
                {
                    return Err(ClearanceError::Invalid(format!(
                        "{application_id} waits for the inspection required of it ({}): it departs once that has passed",
                        cause.reason
                    )));
                }
                if !cleared {
                    return Err(illegal("depart", app.status));
                }
                self.require_active()?;
                plain(Event::VesselDeparted { application_id })
            }
            C::Arrive { application_id } => {
                let app = self.authorise_app(actor, Action::RecordMovement, &application_id)?;
                if app.status != Status::InTransit {
                    return Err(illegal("arrive", app.status));
                }
                plain(Event::VesselArrived { application_id })
            }
            C::Close { application_id } => {
                let app = self.authorise_app(actor, Action::RecordMovement, &application_id)?;
                use Status::*;
                if !matches!(
                    app.status,
                    Arrived | FailedNonCompliant | Rejected | Withdrawn | Expired
                ) {
                    return Err(illegal("close", app.status));
                }
                plain(Event::ApplicationClosed { application_id })
            }
            C::Suspend { reason_code, text } => {
                can(actor, Action::SuspendCorridor, Resource::Corridor)?;
                check_finding("a suspension", &reason_code, &text)?;
                if self.corridor.suspended.is_some() {
                    return Err(ClearanceError::AlreadySuspended);
                }
                plain(Event::CorridorSuspended { reason_code, text })
            }
            C::AcknowledgeAlert { alert, note } => {
                can(actor, Action::AcknowledgeAlert, Resource::Corridor)?;
                let key_len = alert.key.chars().count();
                if key_len == 0 || key_len > MAX_KEY_CHARS {
                    return Err(ClearanceError::Invalid(format!(
                        "alert key: 1 to {MAX_KEY_CHARS} characters"
                    )));
                }
                let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
                if let Some(n) = &note {
                    check_free_text("note", n)?;
                }
                if let Some(ack) = self.alert_acks.get(&alert.key) {
                    return Err(ClearanceError::AlreadyAcknowledged {
                        key: alert.key,
                        by: ack.by.clone(),
                        at: ack.at,
                    });
                }
                plain(Event::AlertAcknowledged {
                    alert,
                    note,
                    by: actor.id.clone(),
                })
            }
            C::DeclareStoppage { stoppage, effect } => {
                can(actor, Action::DeclareStoppage, Resource::Corridor)?;
                let stoppage = self.check_stoppage(stoppage)?;
                check_effect(&effect)?;
                // One entry a day, each of its days (what the planner and
                // the API pair them with).
                if let Some((first, last)) = stoppage.days()
                    && !effect.days.is_empty()
                    && first.until(last).map_or(true, |s| {
                        usize::try_from(s.get_days()).ok() != effect.days.len().checked_sub(1)
                    })
                {
                    return Err(ClearanceError::Invalid(format!(
                        "effect: {} days given for a stoppage from {first} to {last}",
                        effect.days.len()
                    )));
                }
                // One that changes nothing is not logged (hostile review,
                // 2026-11-30): it stops no team, or it repeats one in force.
                if effect.stops.is_empty() && !effect.every_team {
                    return Err(ClearanceError::Invalid(format!(
                        "the stoppage stops no team on its days{}",
                        stoppage.teams.map_or(String::new(), |n| format!(
                            " (teams = {n} leaves every team it concerns working)"
                        ))
                    )));
                }
                if let Some(same) = self.stoppages.iter().find(|s| {
                    s.lifted.is_none()
                        && s.effect == effect
                        && s.content.kind == stoppage.kind
                        && s.content.absent == stoppage.absent
                }) {
                    return Err(ClearanceError::Unchanged(format!(
                        "{} already stops the same teams on the same days ({} to {}); lift it to change it",
                        same.id, same.content.from, same.content.to
                    )));
                }
                plain(Event::StoppageDeclared {
                    stoppage_id: crate::stoppage::stoppage_id(self.stoppages.len() + 1),
                    stoppage,
                    effect,
                    by: actor.id.clone(),
                })
            }
            C::LiftStoppage {
                stoppage_id,
                reason,
            } => {
                can(actor, Action::DeclareStoppage, Resource::Corridor)?;
                let s = self
                    .stoppages
                    .iter()
                    .find(|s| s.id == stoppage_id)
                    .ok_or_else(|| ClearanceError::NotFound(stoppage_id.clone()))?;
                if let Some(l) = &s.lifted {
                    return Err(ClearanceError::Invalid(format!(
                        "{stoppage_id} was already lifted by {} at {}",
                        l.by, l.at
                    )));
                }
                let reason = required_text("reason", "lifting a stoppage", &reason)?;
                plain(Event::StoppageLifted {
                    stoppage_id,
                    reason,
                    by: actor.id.clone(),
                })
            }
            C::Resume => {
                can(actor, Action::ResumeCorridor, Resource::Corridor)?;
                if self.corridor.suspended.is_none() {
                    return Err(ClearanceError::NotSuspended);
                }
                plain(Event::CorridorResumed)
            }
            C::DeclareReadiness {
                application_id,
                readiness,
            } => {
                let app = self.authorise_app(actor, Action::DeclareReadiness, &application_id)?;
                if app.cleared_on_papers {
                    return Err(ClearanceError::Invalid(format!(
                        "{application_id} is cleared on its papers: no inspection waits for its readiness"
                    )));
                }
                if !app.waiting_for_inspection() {
                    return Err(illegal("declare readiness for", app.status));
                }
                let missing = readiness.missing();
                if !missing.is_empty() {
                    return Err(ClearanceError::NotReady {
                        missing: missing.into_iter().map(str::to_string).collect(),
                    });
                }
                if let Some(note) = &readiness.note {
                    check_free_text("note", note)?;
                }
                plain(Event::ReadinessDeclared {
                    application_id,
                    readiness,
                })
            }
            C::RecordAreaArrival {
                application_id,
                at,
                area,
                evidence,
            } => {
                let app = self.authorise_app(actor, Action::RecordAreaArrival, &application_id)?;
                if !app.status.awaits_arrival() {
                    return Err(illegal(
                        "record the arrival at the inspection area of",
                        app.status,
                    ));
                }
                // The first arrival stands, except that the coordinator may
                // correct it (a wrong MMSI's arrival, a vessel in the area
                // before tracking first saw it); the log keeps both.
                if let Some(first) = &app.area_arrival
                    && (actor.role != Role::Coordinator
                        || (first.at.as_second() == at.as_second()
                            // A place's name in another case is the same place.
                            && first.area.eq_ignore_ascii_case(area.trim())))
                {
                    return Err(ClearanceError::Unchanged(format!(
                        "{application_id} is already recorded at the inspection area since {} ({}): {}",
                        corridor_ledger::time::format(first.at),
                        first.evidence,
                        if actor.role == Role::Coordinator {
                            "a correction gives another time or area"
                        } else {
                            "the first arrival stands"
                        }
                    )));
                }
                if at.as_second()
                    > now.as_second() + corridor_ledger::decision::MAX_CLOCK_SKEW_SECONDS
                {
                    return Err(ClearanceError::Invalid(format!(
                        "at: {} is in the future (now {})",
                        corridor_ledger::time::format(at),
                        corridor_ledger::time::format(now)
                    )));
                }
                // Not before the application's lookback, as tracking's: an
                // arrival dated years back would move the vessel up the
                // public queue with no override logged (hostile review).
                let earliest = app.created_at.as_second() - super::ARRIVAL_LOOKBACK_DAYS * 86_400;
                if at.as_second() < earliest {
                    return Err(ClearanceError::Invalid(format!(
                        "at: {} is more than {} days before {application_id} was made ({}); to move a vessel in the queue, override its place with a reason",
                        corridor_ledger::time::format(at),
                        super::ARRIVAL_LOOKBACK_DAYS,
                        corridor_ledger::time::format(app.created_at)
                    )));
                }
                let area = area.trim().to_string();
                let evidence = evidence.trim().to_string();
                if area.is_empty() || evidence.is_empty() {
                    return Err(ClearanceError::Invalid(
                        "an arrival names the area and says how it is known (area, evidence)"
                            .into(),
                    ));
                }
                check_free_text("area", &area)?;
                check_free_text("evidence", &evidence)?;
                plain(Event::AreaArrivalRecorded {
                    application_id,
                    at: corridor_ledger::time::to_seconds(at),
                    area,
                    evidence,
                    by: actor.id.clone(),
                })
            }
            C::RequireInspection {
                application_id,
                reason,
            } => {
                let app = self.authorise_app(actor, Action::RequireInspection, &application_id)?;
                if self.config.inspection.policy != InspectionPolicy::OnCause {
                    return Err(ClearanceError::Invalid(
                        "every approved vessel is inspected under this corridor's rules: there is no inspection to require".into(),
                    ));
                }
                let reason = required_text("reason", "a required inspection", &reason)?;
                use Status::*;
                let status = match app.status {
                    Submitted | UnderReview | Held => app.status,
                    Approved if app.cleared_on_papers => Approved,
                    // A second inspection, if doubts persist.
                    InspectionPassed => Approved,
                    Approved | AwaitingInspection | FailedNotReady => {
                        return Err(ClearanceError::Invalid(format!(
                            "{application_id} already waits for an inspection"
                        )));
                    }
                    other => return Err(illegal("require an inspection of", other)),
                };
                if status != app.status {
                    self.require_active()?;
                }
                plain(Event::InspectionRequired {
                    application_id,
                    reason,
                    status,
                    by: actor.id.clone(),
                })
            }
            C::OverrideQueue {
                application_id,
                place,
                before,
                reason,
            } => {
                can(actor, Action::OverrideQueue, Resource::Corridor)?;
                let reason = required_text("reason", "an override", &reason)?;
                let app = self.app(&application_id)?;
                if !app.waiting_for_inspection() {
                    return Err(ClearanceError::Invalid(format!(
                        "{application_id} is not waiting for an inspection (it is {})",
                        app.status.words()
                    )));
                }
                match (&place, &before) {
                    (Some(p), None) if *p >= 1 => {}
                    (None, Some(b)) => {
                        if b == &application_id {
                            return Err(ClearanceError::Invalid(
                                "before: a vessel cannot be moved before itself".into(),
                            ));
                        }
                        let target = self
                            .applications
                            .get(b)
                            .filter(|a| a.waiting_for_inspection());
                        if target.is_none() {
                            return Err(ClearanceError::Invalid(format!(
                                "before: {b} is not waiting for an inspection"
                            )));
                        }
                    }
                    (Some(_), None) => {
                        return Err(ClearanceError::Invalid("place: 1 or more".into()));
                    }
                    _ => {
                        return Err(ClearanceError::Invalid(
                            "give exactly one of place and before".into(),
                        ));
                    }
                }
                plain(Event::QueueOverridden {
                    application_id,
                    place,
                    before,
                    reason,
                    by: actor.id.clone(),
                })
            }
            C::SetPlan {
                content,
                reason,
                scores,
            } => {
                can(actor, Action::EditPlan, Resource::Corridor)?;
                let date = canonical_date(&content.date)?;
                if date != content.date {
                    return Err(ClearanceError::Invalid(format!(
                        "date {:?} is not YYYY-MM-DD",
                        content.date
                    )));
                }
                if let Some(r) = &reason {
                    if r.trim().is_empty() {
                        return Err(ClearanceError::Invalid(format!(
                            "reason: an edit needs a reason (1 to {MAX_TEXT_CHARS} characters)"
                        )));
                    }
                    check_free_text("reason", r)?;
                }
                let expected = match self.plans.get(&date) {
                    Some(p) if p.status == PlanStatus::Approved => {
                        return Err(ClearanceError::PlanConflict(format!(
                            "the plan for {date} is approved (version {}); it can no longer be changed",
                            p.content.version
                        )));
                    }
                    Some(_) if reason.is_none() => {
                        return Err(ClearanceError::PlanConflict(format!(
                            "the plan for {date} already exists; a new version needs a reason"
                        )));
                    }
                    Some(p) => p.content.version.saturating_add(1),
                    // The generated draft is version 1, so a first edit is version 2.
                    None if reason.is_none() => 1,
                    None => 2,
                };
                if content.version != expected {
                    return Err(ClearanceError::PlanConflict(format!(
                        "the next version of the plan for {date} is {expected}, not {}",
                        content.version
                    )));
                }
                for a in &content.assignments {
                    self.app(&a.application_id)?;
                }
                let plan_hash = content.plan_hash()?;
                plain(Event::PlanSet {
                    content,
                    plan_hash,
                    reason,
                    scores,
                })
            }
            C::SubmitPlan { date } => {
                can(actor, Action::EditPlan, Resource::Corridor)?;
                let plan = self.plans.get(&date).ok_or_else(|| {
                    ClearanceError::PlanConflict(format!("there is no plan for {date} to submit"))
                })?;
                if plan.status != PlanStatus::Draft {
                    return Err(ClearanceError::PlanConflict(format!(
                        "the plan for {date} is already {}",
                        plan_status_text(plan.status)
                    )));
                }
                if let Some(why) = self.plan_unbookable(&plan.content, now) {
                    return Err(ClearanceError::PlanConflict(format!(
                        "the plan for {date} cannot be submitted: {why}; edit it first"
                    )));
                }
                plain(Event::PlanSubmitted {
                    date,
                    version: plan.content.version,
                    plan_hash: plan.plan_hash,
                })
            }
            C::DecidePlan { date, decision } => {
                let party = decision.payload.party.clone();
                can(actor, Action::DecidePlan, Resource::Party { party: &party })?;
                if !self.config.has_party(&party) {
                    return Err(ClearanceError::UnknownParty(party));
                }
                let plan = self.plans.get(&date).ok_or_else(|| {
                    ClearanceError::PlanConflict(format!(
                        "the plan for {date} has not been submitted"
                    ))
                })?;
                if plan.status != PlanStatus::Submitted {
                    return Err(ClearanceError::PlanConflict(format!(
                        "the plan for {date} is {}; only a submitted plan is decided on",
                        plan_status_text(plan.status)
                    )));
                }
                self.require_active()?;
                check_reason(&decision.payload.decision)?;
                let id = plan_id(&date);
                let expected = Expected {
                    party: &party,
                    application_id: &id,
                    application_hash: &plan.plan_hash,
                };
                decision.verify_for(keys, &expected, now)?;
                // The same signed decision sent again (an approval copied
                // from the log to undo the party's later hold) is not a
                // second decision; nor is one signed before the party's
                // current decision on this version.
                self.signed_once(&decision.payload)?;
                // Nor is one that repeats the party's current decision on
                // this version (it would only add to the party's count).
                if plan
                    .approvals
                    .get(&party)
                    .is_some_and(|a| same_decision(&a.decision, &decision.payload.decision))
                {
                    return Err(ClearanceError::Unchanged(format!(
                        "{party}'s decision on the plan for {date} is already {}: a decision that changes nothing is not logged",
                        decision.payload.decision.name()
                    )));
                }
                plan_decision_in_time(&date, plan, &decision.payload)?;
                let mut approvals = plan.approvals.clone();
                approvals.insert(party.clone(), plan_approval(&decision.payload, now));
                let status = self.plan_status_after(&approvals);
                if status == PlanStatus::Approved
                    && let Some(why) = self.plan_unbookable(&plan.content, now)
                {
                    return Err(ClearanceError::PlanConflict(format!(
                        "the plan for {date} can no longer be approved as it stands: {why}; the coordinator must submit a new version"
                    )));
                }
                let scheduled = if status == PlanStatus::Approved {
                    plan.content
                        .assignments
                        .iter()
                        .filter(|a| {
                            self.applications
                                .get(&a.application_id)
                                .is_some_and(Application::waiting_for_inspection)
                        })
                        .map(|a| a.application_id.clone())
                        .collect()
                } else {
                    Vec::new()
                };
                let signature = Some(EntrySignature {
                    party,
                    key_id: decision.payload.key_id.clone(),
                    signature: decision.signature,
                });
                Ok(Outcome {
                    event: Event::PlanDecisionRecorded {
                        date,
                        decision: decision.payload,
                        status,
                        scheduled,
                    },
                    signature,
                })
            }
        }
    }
}

/// How long before its booked time an inspection's result may be recorded.
const RESULT_LEAD_SECONDS: i64 = 12 * 3600;
