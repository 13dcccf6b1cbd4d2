//! Applying a logged event: the only way the state changes, and the invariants it keeps.

use super::*;

impl Clearance {
    /// Applies a logged event at its log time. This is the only way state
    /// changes; [`Clearance::execute`] calls it with the event it produced.
    pub fn apply(&mut self, event: &Event, at: Timestamp) -> Result<(), ReplayError> {
        let index = self.events_applied;
        let bad = |message: String| ReplayError::Inconsistent { index, message };
        use Event as E;
        match event {
            E::CorridorSuspended { reason_code, text } => {
                if self.corridor.suspended.is_some() {
                    return Err(bad("suspended twice".into()));
                }
                self.corridor.suspended = Some((at, reason_code.clone()));
                self.corridor.suspended_text = Some(text.clone());
            }
            E::AlertAcknowledged { alert, note, by } => {
                if self.alert_acks.contains_key(&alert.key) {
                    return Err(bad(format!("alert {} acknowledged twice", alert.key)));
                }
                self.alert_acks.insert(
                    alert.key.clone(),
                    AlertAck {
                        alert: alert.clone(),
                        note: note.clone(),
                        by: by.clone(),
                        at,
                    },
                );
            }
            E::StoppageDeclared {
                stoppage_id,
                stoppage,
                effect,
                by,
            } => {
                let expected = crate::stoppage::stoppage_id(self.stoppages.len() + 1);
                if *stoppage_id != expected {
                    return Err(bad(format!("stoppage {stoppage_id} logged as {expected}")));
                }
                self.stoppages.push(Stoppage {
                    id: stoppage_id.clone(),
                    content: stoppage.clone(),
                    effect: effect.clone(),
                    by: by.clone(),
                    at,
                    lifted: None,
                });
            }
            E::StoppageLifted {
                stoppage_id,
                reason,
                by,
            } => {
                let s = self
                    .stoppages
                    .iter_mut()
                    .find(|s| s.id == *stoppage_id)
                    .ok_or_else(|| bad(format!("lift of unknown stoppage {stoppage_id}")))?;
                if s.lifted.is_some() {
                    return Err(bad(format!("stoppage {stoppage_id} lifted twice")));
                }
                s.lifted = Some(StoppageLift {
                    reason: reason.clone(),
                    by: by.clone(),
                    at,
                });
            }
            E::CorridorResumed => {
                let (since, _) = self
                    .corridor
                    .suspended
                    .take()
                    .ok_or_else(|| bad("resumed while active".into()))?;
                self.corridor.suspended_text = None;
                self.corridor.past_suspensions.push((since, at));
            }
            E::QueueOverridden {
                application_id,
                place,
                before,
                reason,
                by,
            } => {
                if !self.applications.contains_key(application_id) {
                    return Err(bad(format!("override of unknown {application_id}")));
                }
                self.queue_overrides.push(QueueOverride {
                    application_id: application_id.clone(),
                    place: *place,
                    before: before.clone(),
                    reason: reason.clone(),
                    by: by.clone(),
                    at,
                });
            }
            E::PlanSet {
                content,
                plan_hash,
                reason,
                scores,
            } => {
                if content.plan_hash().ok() != Some(*plan_hash) {
                    return Err(bad(format!("plan {} hash does not match", content.date)));
                }
                self.plans.insert(
                    content.date.clone(),
                    DayPlan {
                        content: content.clone(),
                        plan_hash: *plan_hash,
                        status: PlanStatus::Draft,
                        reason: reason.clone(),
                        scores: scores.clone(),
                        approvals: BTreeMap::new(),
                        updated_at: at,
                        submitted_at: None,
                        approved_at: None,
                    },
                );
            }
            E::PlanSubmitted {
                date, plan_hash, ..
            } => {
                let plan = self
                    .plans
                    .get_mut(date)
                    .filter(|p| p.plan_hash == *plan_hash && p.status == PlanStatus::Draft)
                    .ok_or_else(|| bad(format!("submission of an unknown plan for {date}")))?;
                plan.status = PlanStatus::Submitted;
                plan.submitted_at = Some(at);
            }
            E::PlanDecisionRecorded {
                date,
                decision,
                status,
                scheduled,
            } => {
                let mut plan = self
                    .plans
                    .get(date)
                    .cloned()
                    .filter(|p| p.status == PlanStatus::Submitted)
                    .ok_or_else(|| bad(format!("decision on an unsubmitted plan for {date}")))?;
                if decision.application_hash != plan.plan_hash {
                    return Err(bad(format!(
                        "decision on another version of the plan for {date}"
                    )));
                }
                // The live rules again (open finding 25), so that an entry
                // appended past them (an approval copied from the log to
                // undo the party's later hold) does not replay: the
                // corridor not suspended, signed not before this version
                // was submitted nor before the party's current decision,
                // and never logged before.
                if self.corridor.suspended.is_some() {
                    return Err(bad(format!(
                        "{}'s decision on the plan for {date} while the corridor is suspended",
                        decision.party
                    )));
                }
                super::decision_rules::plan_decision_in_time(date, &plan, decision)
                    .map_err(|e| bad(e.to_string()))?;
                self.note_signed(decision).map_err(bad)?;
                plan.approvals
                    .insert(decision.party.clone(), plan_approval(decision, at));
                let computed = self.plan_status_after(&plan.approvals);
                if computed != *status {
                    return Err(bad(format!(
                        "plan decision leads to {computed:?}, event says {status:?}"
                    )));
                }
                plan.status = computed;
                if computed == PlanStatus::Approved {
                    plan.approved_at = Some(at);
                    for id in scheduled {
                        let start = plan
                            .content
                            .assignments
                            .iter()
                            .find(|a| &a.application_id == id)
                            .map(|a| a.start_at)
                            .ok_or_else(|| bad(format!("{id} scheduled but not in the plan")))?;
                        let app = self
                            .applications
                            .get_mut(id)
                            .filter(|a| a.waiting_for_inspection())
                            .ok_or_else(|| bad(format!("{id} scheduled but not waiting")))?;
                        app.status = Status::AwaitingInspection;
                        app.inspection_at = Some(start);
                        app.moved_from = None;
                        app.updated_at = at;
                    }
                } else if !scheduled.is_empty() {
                    return Err(bad("inspections scheduled by a plan not approved".into()));
                }
                self.plans.insert(date.clone(), plan);
            }
            E::ApplicationCreated {
                application_id,
                company,
                content,
                content_hash,
            } => {
                if self.applications.contains_key(application_id) {
                    return Err(bad(format!("application {application_id} created twice")));
                }
                content_is(content, content_hash).map_err(bad)?;
                self.applications.insert(
                    application_id.clone(),
                    Application {
                        id: application_id.clone(),
                        company: company.clone(),
                        status: Status::Draft,
                        content: content.clone(),
                        content_hash: *content_hash,
                        created_at: at,
                        submitted_at: None,
                        decisions: BTreeMap::new(),
                        awaiting_since: BTreeMap::new(),
                        approved_at: None,
                        inspections: 0,
                        updated_at: at,
                        readiness: None,
                        ready_at: None,
                        not_ready_count: 0,
                        not_ready_at: None,
                        inspection_at: None,
                        last_inspection: None,
                        booked_results: Vec::new(),
                        moved_from: None,
                        area_arrival: None,
                        cleared_on_papers: false,
                        inspection_cause: None,
                        before_amendment: None,
                    },
                );
            }
            other => {
                let id = other.application_id().unwrap_or_default().to_string();
                let parties: Vec<String> = self.config.party_codes().map(str::to_string).collect();
                let mut app = self
                    .applications
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| bad(format!("no application {id}")))?;
                match other {
                    E::DraftUpdated {
                        content,
                        content_hash,
                        ..
                    } => {
                        // Only a draft is edited in place: past it, a change
                        // is an amendment, which clears the decisions.
                        if app.status != Status::Draft {
                            return Err(bad(format!(
                                "{id} edited in place while {:?}",
                                app.status
                            )));
                        }
                        content_is(content, content_hash).map_err(bad)?;
                        app.content = content.clone();
                        app.content_hash = *content_hash;
                    }
                    E::ApplicationSubmitted { .. } => {
                        app.status = Status::Submitted;
                        app.submitted_at = Some(at);
                    }
                    E::ReviewStarted { .. } => {
                        app.status = Status::UnderReview;
                        app.awaiting_since = parties.iter().map(|p| (p.clone(), at)).collect();
                    }
                    E::DecisionRecorded {
                        decision,
                        status,
                        cleared_on_papers,
                        carried_cause,
                        ..
                    } => {
                        if decision.application_id != *id
                            || decision.application_hash != app.content_hash
                        {
                            return Err(bad(
                                "decision on another application or version of it".into()
                            ));
                        }
                        if decision.decision == DecisionKind::Release {
                            return Err(bad("a release logged as a decision".into()));
                        }
                        // The live rules again, so that an entry appended
                        // past them (a signed approval copied from the log
                        // to undo the party's later rejection) does not
                        // replay: in review, the corridor not suspended,
                        // signed after the party's decision was last awaited
                        // and not before its current decision.
                        if !app.status.in_review() {
                            return Err(bad(format!(
                                "{}'s decision on {id} while {:?}",
                                decision.party, app.status
                            )));
                        }
                        if self.corridor.suspended.is_some() {
                            return Err(bad(format!(
                                "{}'s decision on {id} while the corridor is suspended",
                                decision.party
                            )));
                        }
                        if let Some(since) = app.awaiting_since.get(&decision.party)
                            && super::decision_rules::signed_before(decision.time, *since)
                        {
                            return Err(bad(format!(
                                "{}'s decision on {id} signed before it was last awaited",
                                decision.party
                            )));
                        }
                        super::decision_rules::stale_against_current(
                            &decision.party,
                            decision,
                            app.decisions.get(&decision.party),
                        )
                        .map_err(|e| bad(e.to_string()))?;
                        self.note_signed(decision).map_err(bad)?;
                        app.decisions
                            .insert(decision.party.clone(), party_decision(decision, at));
                        app.awaiting_since.insert(decision.party.clone(), at);
                        let computed = self.status_after(&app.decisions, app.status);
                        if computed != *status {
                            return Err(bad(format!(
                                "decision leads to {computed:?}, event says {status:?}"
                            )));
                        }
                        // What the approval did under the on-cause policy is
                        // the log's, not the rules' of the day it is read.
                        if (*cleared_on_papers || carried_cause.is_some())
                            && (computed != Status::Approved
                                || app.inspection_cause.is_some()
                                || (*cleared_on_papers && carried_cause.is_some()))
                        {
                            return Err(bad(format!(
                                "{}'s decision clears {id} on its papers or carries a cause where it cannot",
                                decision.party
                            )));
                        }
                        app.status = computed;
                        if computed == Status::Approved {
                            app.approved_at = Some(at);
                            app.cleared_on_papers = *cleared_on_papers;
                            if let Some(reason) = carried_cause {
                                app.inspection_cause = Some(InspectionCause {
                                    reason: reason.clone(),
                                    by: "corridor".into(),
                                    at,
                                });
                            }
                        }
                    }
                    E::HoldReleased {
                        party,
                        decision,
                        status,
                        ..
                    } => {
                        if decision.party != *party || decision.decision != DecisionKind::Release {
                            return Err(bad(format!(
                                "{party}'s release is not a signed release by {party}"
                            )));
                        }
                        if decision.application_id != *id
                            || decision.application_hash != app.content_hash
                        {
                            return Err(bad(
                                "release of another application or version of it".into()
                            ));
                        }
                        let Some(hold) = app
                            .decisions
                            .get(party)
                            .filter(|d| matches!(d.kind, DecisionKind::Hold { .. }))
                        else {
                            return Err(bad(format!("{party} has no hold to release")));
                        };
                        // The live rules again: only a held application, and
                        // a release signed no earlier than the hold it lifts.
                        if app.status != Status::Held || decision.time < hold.signed_at {
                            return Err(bad(format!(
                                "{party}'s release does not lift its current hold"
                            )));
                        }
                        self.note_signed(decision).map_err(bad)?;
                        app.decisions.remove(party);
                        app.awaiting_since.insert(party.clone(), at);
                        let computed = self.status_after(&app.decisions, app.status);
                        if computed != *status {
                            return Err(bad(format!(
                                "release leads to {computed:?}, event says {status:?}"
                            )));
                        }
                        app.status = computed;
                    }
                    E::ApplicationAmended {
                        content,
                        content_hash,
                        ..
                    } => {
                        content_is(content, content_hash).map_err(bad)?;
                        let replaced = std::mem::replace(&mut app.content, content.clone());
                        // Amended again before anyone decided: the version
                        // the parties last decided on stays the one shown.
                        if !(app.decisions.is_empty() && app.before_amendment.is_some()) {
                            app.before_amendment = Some(Box::new(Replaced {
                                at,
                                content: replaced,
                                content_hash: app.content_hash,
                                decisions: std::mem::take(&mut app.decisions),
                            }));
                        }
                        app.content_hash = *content_hash;
                        app.awaiting_since = parties.iter().map(|p| (p.clone(), at)).collect();
                        app.status = Status::UnderReview;
                    }
                    E::ApplicationWithdrawn { .. } => app.status = Status::Withdrawn,
                    E::ApplicationExpired { .. } => app.status = Status::Expired,
                    E::InspectionScheduled { at: when, .. } => {
                        app.moved_from = if app.status == Status::AwaitingInspection {
                            app.inspection_at
                        } else {
                            None
                        };
                        app.status = Status::AwaitingInspection;
                        app.inspection_at = Some(*when);
                    }
                    E::InspectionRecorded {
                        status,
                        outcome,
                        checked,
                        ..
                    } => {
                        app.inspections += 1;
                        // A result before the booked time, after a move by
                        // hand from a slot that had begun, is that slot's.
                        if let Some(booked_at) = app.booking_for_result(at) {
                            app.booked_results.push(BookedResult {
                                booked_at,
                                status: *status,
                                at,
                            });
                        }
                        // The moved slot has its result: a later one is the next booking's.
                        app.moved_from = None;
                        app.last_inspection = Some(LastInspection {
                            outcome: outcome.clone(),
                            at,
                            checked: checked.clone(),
                        });
                        app.status = *status;
                        if *status == Status::FailedNotReady {
                            // Back into the queue: the agent must declare readiness again.
                            app.readiness = None;
                            app.ready_at = None;
                            app.not_ready_count += 1;
                            app.not_ready_at = Some(at);
                        }
                    }
                    E::ReadinessDeclared { readiness, .. } => {
                        app.readiness = Some(readiness.clone());
                        app.ready_at = Some(at);
                    }
                    E::AreaArrivalRecorded {
                        at: arrived,
                        area,
                        evidence,
                        by,
                        ..
                    } => {
                        // Tracking logs one; a later one is the coordinator's
                        // correction (`decide` refuses any other).
                        // Only the first is kept beside the correction: it
                        // alone can be tracking's (bounded, however many).
                        let corrects = app.area_arrival.take().map(|prior| {
                            let first = prior.corrects.clone();
                            first.unwrap_or_else(|| Box::new(prior))
                        });
                        app.area_arrival = Some(AreaArrival {
                            at: *arrived,
                            area: area.clone(),
                            evidence: evidence.clone(),
                            by: by.clone(),
                            corrects,
                        });
                    }
                    E::InspectionRequired {
                        reason, status, by, ..
                    } => {
                        // The transitions `decide` allows, and no other.
                        let expected = match app.status {
                            Status::Submitted | Status::UnderReview | Status::Held => app.status,
                            Status::Approved if app.cleared_on_papers => Status::Approved,
                            Status::InspectionPassed => Status::Approved,
                            other => {
                                return Err(bad(format!(
                                    "an inspection required of {id} while {}",
                                    other.words()
                                )));
                            }
                        };
                        if expected != *status {
                            return Err(bad(format!(
                                "a required inspection leads to {expected:?}, event says {status:?}"
                            )));
                        }
                        app.inspection_cause = Some(InspectionCause {
                            reason: reason.clone(),
                            by: by.clone(),
                            at,
                        });
                        app.cleared_on_papers = false;
                        // A second inspection: the first one's booking and
                        // readiness are spent (the agent declares it again).
                        if app.status == Status::InspectionPassed {
                            app.inspection_at = None;
                            app.moved_from = None;
                            app.readiness = None;
                            app.ready_at = None;
                        }
                        app.status = *status;
                    }
                    E::VesselDeparted { .. } => {
                        if app.status != Status::InspectionPassed
                            && !(app.status == Status::Approved && app.cleared_on_papers)
                        {
                            return Err(bad(format!(
                                "{id} departed while {} and not cleared",
                                app.status.words()
                            )));
                        }
                        app.status = Status::InTransit;
                    }
                    E::VesselArrived { .. } => app.status = Status::Arrived,
                    E::ApplicationClosed { .. } => app.status = Status::Closed,
                    E::ApplicationCreated { .. }
                    | E::CorridorSuspended { .. }
                    | E::CorridorResumed
                    | E::QueueOverridden { .. }
                    | E::PlanSet { .. }
                    | E::PlanSubmitted { .. }
                    | E::PlanDecisionRecorded { .. }
                    | E::AlertAcknowledged { .. }
                    | E::StoppageDeclared { .. }
                    | E::StoppageLifted { .. } => {}
                }
                // Cleared on its papers only while approved (a withdrawal,
                // an expiry, a departure or an amendment ends it).
                if app.status != Status::Approved {
                    app.cleared_on_papers = false;
                }
                app.updated_at = at;
                self.applications.insert(id, app);
            }
        }
        self.events_applied += 1;
        Ok(())
    }

    /// Checks the invariants that must hold in every reachable state; returns
    /// the first violation. Used by the property tests and by `corridor verify`
    /// after a replay.
    pub fn check_invariants(&self) -> Result<(), String> {
        for app in self.applications.values() {
            for (party, d) in &app.decisions {
                if !self.config.has_party(party) {
                    return Err(format!("{}: decision by unknown party {party}", app.id));
                }
                if d.application_hash != app.content_hash {
                    return Err(format!(
                        "{}: decision by {party} is on another version",
                        app.id
                    ));
                }
            }
            let ds: Vec<Option<&DecisionKind>> = self
                .config
                .party_codes()
                .map(|p| app.decisions.get(p).map(|d| &d.kind))
                .collect();
            let c = consensus(self.config.consensus, &ds);
            let reached_approval = app.approved_at.is_some();
            match app.status {
                Status::Approved if c != Consensus::Approved => {
                    return Err(format!(
                        "{}: approved without the required approvals",
                        app.id
                    ));
                }
                Status::Rejected if c != Consensus::Rejected => {
                    return Err(format!(
                        "{}: rejected without the rejections the rule needs",
                        app.id
                    ));
                }
                Status::Held if c != Consensus::Held => {
                    return Err(format!("{}: held without a hold", app.id));
                }
                Status::UnderReview if c != Consensus::Pending => {
                    return Err(format!(
                        "{}: under review although consensus is {c:?}",
                        app.id
                    ));
                }
                Status::AwaitingInspection
                | Status::InspectionPassed
                | Status::FailedNotReady
                | Status::FailedNonCompliant
                | Status::InTransit
                | Status::Arrived
                    if !reached_approval || c != Consensus::Approved =>
                {
                    return Err(format!("{}: {:?} without an approval", app.id, app.status));
                }
                Status::InspectionPassed if app.inspections == 0 => {
                    return Err(format!("{}: passed without an inspection", app.id));
                }
                // Sailed without an inspection: only cleared on its papers
                // (no cause given; the departure's replay checks the rest).
                Status::InTransit | Status::Arrived
                    if app.inspections == 0 && app.inspection_cause.is_some() =>
                {
                    return Err(format!(
                        "{}: {:?} without an inspection",
                        app.id, app.status
                    ));
                }
                Status::Draft if app.submitted_at.is_some() => {
                    return Err(format!("{}: draft after submission", app.id));
                }
                _ if app.cleared_on_papers
                    && (app.status != Status::Approved || app.inspection_cause.is_some()) =>
                {
                    return Err(format!(
                        "{}: cleared on its papers while {:?}",
                        app.id, app.status
                    ));
                }
                _ => {}
            }
            if app.content.content_hash().ok() != Some(app.content_hash) {
                return Err(format!("{}: content hash is stale", app.id));
            }
        }
        Ok(())
    }
}

/// Whether `hash` is the hash of `content`: the log states both, and a
/// decision is signed over the hash, so they must agree (else the parties
/// could be shown one content and sign another's hash).
fn content_is(
    content: &crate::application::ApplicationContent,
    hash: &corridor_ledger::Hash,
) -> Result<(), String> {
    match content.content_hash() {
        Ok(h) if h == *hash => Ok(()),
        Ok(h) => Err(format!("content hash {hash} is not the content's ({h})")),
        Err(e) => Err(format!("content does not encode: {e}")),
    }
}
