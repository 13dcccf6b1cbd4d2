//! The rules of signed decisions that hold both live and on replay: what a
//! decision leads to, whether it is in time, signed once, and not older than
//! the party's current one.

use super::*;

impl Clearance {
    /// Whether `payload`, a party's decision on the submitted plan it
    /// names, would approve that plan (the consensus rule then met).
    pub fn would_approve_plan(&self, date: &str, payload: &DecisionPayload) -> bool {
        let Some(plan) = self.plans.get(date).filter(|p| {
            p.status == PlanStatus::Submitted && p.plan_hash == payload.application_hash
        }) else {
            return false;
        };
        let mut approvals = plan.approvals.clone();
        approvals.insert(payload.party.clone(), plan_approval(payload, payload.time));
        self.plan_status_after(&approvals) == PlanStatus::Approved
    }

    /// Whether the parties' decisions on `date`'s submitted plan reject it
    /// under the consensus rule (until a party changes its decision, or a
    /// new version replaces it).
    pub fn plan_rejected(&self, date: &str) -> bool {
        self.plans
            .get(date)
            .filter(|p| p.status == PlanStatus::Submitted)
            .is_some_and(|p| {
                let ds: Vec<Option<&DecisionKind>> = self
                    .config
                    .party_codes()
                    .map(|party| p.approvals.get(party).map(|d| &d.decision))
                    .collect();
                consensus(self.config.consensus, &ds) == Consensus::Rejected
            })
    }

    /// A plan is approved when the consensus rule is met by the parties' approvals.
    pub(super) fn plan_status_after(
        &self,
        approvals: &BTreeMap<String, PlanApproval>,
    ) -> PlanStatus {
        let ds: Vec<Option<&DecisionKind>> = self
            .config
            .party_codes()
            .map(|p| approvals.get(p).map(|d| &d.decision))
            .collect();
        match consensus(self.config.consensus, &ds) {
            Consensus::Approved => PlanStatus::Approved,
            _ => PlanStatus::Submitted,
        }
    }

    pub(super) fn status_after(
        &self,
        decisions: &BTreeMap<String, PartyDecision>,
        current: Status,
    ) -> Status {
        let ds: Vec<Option<&DecisionKind>> = self
            .config
            .party_codes()
            .map(|p| decisions.get(p).map(|d| &d.kind))
            .collect();
        match consensus(self.config.consensus, &ds) {
            Consensus::Approved => Status::Approved,
            Consensus::Rejected => Status::Rejected,
            Consensus::Held => Status::Held,
            Consensus::Pending if current.in_review() => Status::UnderReview,
            Consensus::Pending => current,
        }
    }

    /// Why `plan` cannot book its inspections as of `now`, if it cannot:
    /// an application planned twice, no longer waiting, not declared
    /// ready, already scheduled for another slot still to come, or a slot
    /// already begun. Checked when a plan is submitted and again when the
    /// last approval would book it: a plan built from yesterday's state
    /// (two days planned from one queue, a vessel failed not ready since)
    /// once booked such vessels anyway.
    pub fn plan_unbookable(&self, plan: &PlanContent, now: Timestamp) -> Option<String> {
        let mut seen = std::collections::BTreeSet::new();
        for a in &plan.assignments {
            let id = &a.application_id;
            if !seen.insert(id.as_str()) {
                return Some(format!("{id} is planned twice"));
            }
            let Some(app) = self.applications.get(id) else {
                return Some(format!("there is no application {id}"));
            };
            let vessel = &app.content.vessel.name;
            if !app.waiting_for_inspection() {
                return Some(format!(
                    "{id} ({vessel}) is {} and no longer waits for an inspection",
                    app.status.name()
                ));
            }
            if app.ready_at.is_none() {
                return Some(format!(
                    "{id} ({vessel}) has not declared readiness for inspection"
                ));
            }
            if app.status == Status::AwaitingInspection
                && let Some(t) = app.inspection_at
                && t != a.start_at
                && t >= now
                && self.booking_stopped_by(app).is_none()
            {
                return Some(format!(
                    "{id} ({vessel}) is already scheduled for {}",
                    corridor_ledger::time::format(t)
                ));
            }
            if a.start_at <= now {
                return Some(format!(
                    "{id} ({vessel}): the slot at {} has begun",
                    corridor_ledger::time::format(a.start_at)
                ));
            }
            if let Some(s) = self
                .stoppages
                .iter()
                .rev()
                .find(|s| s.stops(a.start_at, Some(&a.team)))
            {
                return Some(format!(
                    "{id} ({vessel}) is booked with team {} at {}, which {} stops",
                    a.team,
                    corridor_ledger::time::format(a.start_at),
                    s.why()
                ));
            }
        }
        None
    }

    /// A signed payload counts once: the same body posted again (to undo
    /// what the party did since) is refused.
    pub(super) fn signed_once(&self, payload: &DecisionPayload) -> Result<(), ClearanceError> {
        if self.signed_payloads.contains(&super::payload_key(payload)?) {
            return Err(ClearanceError::AlreadyRecorded {
                party: payload.party.clone(),
                signed: payload.time,
            });
        }
        Ok(())
    }
}

/// The same decision: the same kind and, for a hold or a rejection, the same reason code.
pub(super) fn same_decision(a: &DecisionKind, b: &DecisionKind) -> bool {
    match (a, b) {
        (DecisionKind::Hold { reason_code: x, .. }, DecisionKind::Hold { reason_code: y, .. })
        | (
            DecisionKind::Reject { reason_code: x, .. },
            DecisionKind::Reject { reason_code: y, .. },
        ) => x == y,
        _ => a == b,
    }
}

/// Signed more than the allowed clock skew before `since`: too early to be
/// a decision on what stood from then (live and on replay).
pub(super) fn signed_before(signed: Timestamp, since: Timestamp) -> bool {
    signed
        .as_second()
        .saturating_add(corridor_ledger::decision::MAX_CLOCK_SKEW_SECONDS)
        < since.as_second()
}

/// A party's signed decision on the submitted plan for `date`, in time:
/// not signed before the party's current decision on it, nor before this
/// version was submitted (an approval signed earlier cannot be replayed
/// onto it). Live and on replay: `apply` holds logged decisions to it.
pub(super) fn plan_decision_in_time(
    date: &str,
    plan: &DayPlan,
    payload: &corridor_ledger::DecisionPayload,
) -> Result<(), ClearanceError> {
    let party = &payload.party;
    if let Some(current) = plan.approvals.get(party)
        && payload.time < current.signed_at
    {
        return Err(ClearanceError::PlanConflict(format!(
            "{party}'s decision on the plan for {date} was signed at {}, before its current {} (signed at {}): sign a new one",
            corridor_ledger::time::format(payload.time),
            current.decision.name(),
            corridor_ledger::time::format(current.signed_at)
        )));
    }
    if let Some(since) = plan.submitted_at
        && signed_before(payload.time, since)
    {
        return Err(ClearanceError::StaleDecision {
            signed: payload.time,
            since,
        });
    }
    Ok(())
}

/// Refuses a signed decision dated before the party's current decision on
/// the application (live and on replay: `apply` checks the same).
pub(super) fn stale_against_current(
    party: &str,
    payload: &corridor_ledger::DecisionPayload,
    current: Option<&PartyDecision>,
) -> Result<(), ClearanceError> {
    match current {
        Some(c) if payload.time < c.signed_at => Err(ClearanceError::SignedBeforeCurrent {
            party: party.to_string(),
            signed: payload.time,
            current: c.kind.name().to_string(),
            current_signed: c.signed_at,
        }),
        _ => Ok(()),
    }
}
