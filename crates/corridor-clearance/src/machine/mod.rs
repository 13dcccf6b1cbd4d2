//! The voyage/application state machine, the corridor's suspension, and the
//! events they emit.
//!
//! ```text
//! draft ──submit──▶ submitted ──start_review──▶ under_review ◀──release/amend──▶ held
//!                                                   │  (consensus of the parties' decisions)
//!                                        approved ◀─┴─▶ rejected
//! approved ─schedule─▶ awaiting_inspection ─inspect─▶ inspection_passed ─depart─▶ in_transit ─arrive─▶ arrived ─close─▶ closed
//!                            │   ▲                     failed_non_compliant ─close─▶ closed
//!                            ▼   │ schedule
//!                      failed_not_ready
//! withdraw: from draft … awaiting_inspection / failed_not_ready;  expire: when past its time.
//! ```
//!
//! Under the on-cause policy ([`crate::config::InspectionPolicy::OnCause`],
//! UNVIM's) an approval with no cause given is *cleared on its papers*: it
//! departs from `approved` and never joins the queue. The coordinator's
//! `require_inspection` (with the cause) in review or of a cleared vessel
//! puts it in the queue once approved; of an `inspection_passed` one it
//! goes back to `approved` for a second inspection.
//!
//! [`Clearance::execute`] authorises ([`crate::roles::can`]), checks the
//! domain rules, and returns the [`Event`] to append to the log (with the
//! party's signature for decisions); the state changes only by
//! [`Clearance::apply`] of that same event, so replaying the log's events
//! rebuilds exactly the same state.

use crate::alerts::{AlertAck, AlertRef, MAX_KEY_CHARS};
use crate::application::ApplicationContent;
use crate::config::{CorridorConfig, InspectionPolicy, ValidityFrom};
use crate::consensus::{Consensus, consensus};
use crate::dayplan::{
    DayPlan, MAX_TEXT_CHARS, PlanApproval, PlanContent, PlanStatus, QueueOverride, Readiness,
    plan_id,
};
use crate::eligibility::{Ineligibility, check_eligibility};
use crate::roles::{Action, Actor, Denied, Resource, Role, can};
use crate::stoppage::{Stoppage, StoppageContent, StoppageEffect, StoppageLift};
use corridor_ledger::decision::{DecisionError, Expected};
use corridor_ledger::{
    CanonicalError, DecisionKind, DecisionPayload, EntrySignature, Hash, KeyId, KeyRegistry,
    SignedDecision,
};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Where an application is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    UnderReview,
    Held,
    Approved,
    Rejected,
    Withdrawn,
    Expired,
    AwaitingInspection,
    InspectionPassed,
    FailedNotReady,
    FailedNonCompliant,
    InTransit,
    Arrived,
    Closed,
}

impl Status {
    /// The status as the API and the log spell it (`under_review`).
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// The same, in words (`under review`).
    pub fn words(self) -> String {
        self.name().replace('_', " ")
    }

    /// Under review or held: parties may decide.
    pub fn in_review(self) -> bool {
        matches!(self, Status::UnderReview | Status::Held)
    }

    /// From submission (vessels wait at the area while the parties review)
    /// until the inspection: an arrival at the inspection area is recorded
    /// for it, and the queue counts from that arrival.
    pub fn awaits_arrival(self) -> bool {
        use Status::*;
        matches!(
            self,
            Submitted | UnderReview | Held | Approved | AwaitingInspection | FailedNotReady
        )
    }

    /// Submitted and not yet finished: the vessel is committed to this
    /// voyage (drafts, refusals, withdrawals, expiries, denied passages and
    /// arrivals free it).
    pub fn is_live(self) -> bool {
        use Status::*;
        matches!(
            self,
            Submitted
                | UnderReview
                | Held
                | Approved
                | AwaitingInspection
                | InspectionPassed
                | FailedNotReady
                | InTransit
        )
    }
}

/// An inspection's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum InspectionOutcome {
    /// Cleared to sail.
    Passed,
    /// Not ready (e.g. fumigant gas in holds, missing gas-testing equipment); re-inspect later.
    NotReady { reason_code: String, text: String },
    /// Cargo or crew do not match the papers, or prohibited items.
    NonCompliant { reason_code: String, text: String },
}

/// What the user asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    CreateDraft {
        company: String,
        content: ApplicationContent,
    },
    UpdateDraft {
        application_id: String,
        content: ApplicationContent,
    },
    Submit {
        application_id: String,
    },
    StartReview {
        application_id: String,
    },
    Decide {
        application_id: String,
        decision: SignedDecision,
    },
    /// The party's signed [`DecisionKind::Release`] of its own hold.
    ReleaseHold {
        application_id: String,
        decision: SignedDecision,
    },
    Amend {
        application_id: String,
        content: ApplicationContent,
    },
    Withdraw {
        application_id: String,
        reason: String,
    },
    Expire {
        application_id: String,
    },
    ScheduleInspection {
        application_id: String,
        #[serde(with = "corridor_ledger::time::rfc3339")]
        at: Timestamp,
    },
    RecordInspection {
        application_id: String,
        outcome: InspectionOutcome,
        /// Ids of the inspection checklist's items the team confirmed.
        #[serde(default)]
        checked: Vec<String>,
    },
    Depart {
        application_id: String,
    },
    Arrive {
        application_id: String,
    },
    Close {
        application_id: String,
    },
    Suspend {
        reason_code: String,
        text: String,
    },
    Resume,
    /// The agent declares the vessel ready for inspection.
    DeclareReadiness {
        application_id: String,
        readiness: Readiness,
    },
    /// The vessel is at the inspection area: seen there by tracking (the
    /// server, with the alert that saw it) or recorded by the coordinator
    /// (saying how it is known). The queue orders by this arrival, not the
    /// ETA the agent declared. Tracking's first arrival stands; the
    /// coordinator may correct a recorded one (another time or area).
    RecordAreaArrival {
        application_id: String,
        /// When it arrived.
        #[serde(with = "corridor_ledger::time::rfc3339")]
        at: Timestamp,
        /// Which inspection area.
        area: String,
        /// How it is known: `ais:<alert key>`, or the coordinator's words.
        evidence: String,
    },
    /// Under the on-cause policy, the coordinator requires an inspection of
    /// a vessel in review, cleared on its papers, or already inspected (a
    /// second one), saying why.
    RequireInspection {
        application_id: String,
        reason: String,
    },
    /// The coordinator moves a waiting vessel to a place, or before another one.
    OverrideQueue {
        application_id: String,
        place: Option<u32>,
        before: Option<String>,
        reason: String,
    },
    /// A new version of a day's plan: the generated draft (`reason` `None`,
    /// version 1) or the coordinator's edit (with its reason).
    SetPlan {
        content: PlanContent,
        reason: Option<String>,
        scores: serde_json::Value,
    },
    /// Sends the day's plan to the parties.
    SubmitPlan {
        date: String,
    },
    /// A party's signed decision on the day's plan.
    DecidePlan {
        date: String,
        decision: SignedDecision,
    },
    /// The coordinator acknowledges a tracking alert, with a note of what was done.
    AcknowledgeAlert {
        alert: AlertRef,
        note: Option<String>,
    },
    /// The coordinator declares a day off or a stoppage; the service gives
    /// what it stops.
    DeclareStoppage {
        stoppage: StoppageContent,
        effect: StoppageEffect,
    },
    /// The coordinator lifts a stoppage, saying why.
    LiftStoppage {
        stoppage_id: String,
        reason: String,
    },
}

/// What happened; appended to the log as its `event`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    ApplicationCreated {
        application_id: String,
        company: String,
        content: ApplicationContent,
        content_hash: Hash,
    },
    DraftUpdated {
        application_id: String,
        content: ApplicationContent,
        content_hash: Hash,
    },
    ApplicationSubmitted {
        application_id: String,
        content_hash: Hash,
    },
    ReviewStarted {
        application_id: String,
    },
    /// `decision` is the signed payload; the signature travels in the log entry.
    DecisionRecorded {
        application_id: String,
        decision: DecisionPayload,
        status: Status,
        /// Whether the approval clears the vessel on its papers (the
        /// on-cause policy): logged, so the log means the same under
        /// whatever rules it is read. Absent (false) before it existed.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        cleared_on_papers: bool,
        /// A cause carried from the vessel's earlier application that no
        /// inspection resolved: the approval does not clear it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        carried_cause: Option<String>,
    },
    /// `decision` is the party's signed release; the signature travels in
    /// the log entry, as a decision's does.
    HoldReleased {
        application_id: String,
        party: String,
        decision: DecisionPayload,
        status: Status,
    },
    ApplicationAmended {
        application_id: String,
        content: ApplicationContent,
        content_hash: Hash,
    },
    ApplicationWithdrawn {
        application_id: String,
        reason: String,
    },
    ApplicationExpired {
        application_id: String,
        from: Status,
    },
    InspectionScheduled {
        application_id: String,
        #[serde(with = "corridor_ledger::time::rfc3339")]
        at: Timestamp,
    },
    InspectionRecorded {
        application_id: String,
        outcome: InspectionOutcome,
        status: Status,
        /// Checklist items confirmed, in checklist order (absent in events
        /// logged before the checklist was recorded, so theirs hash the same).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        checked: Vec<String>,
    },
    VesselDeparted {
        application_id: String,
    },
    VesselArrived {
        application_id: String,
    },
    ApplicationClosed {
        application_id: String,
    },
    CorridorSuspended {
        reason_code: String,
        text: String,
    },
    CorridorResumed,
    AreaArrivalRecorded {
        application_id: String,
        #[serde(with = "corridor_ledger::time::rfc3339")]
        at: Timestamp,
        area: String,
        evidence: String,
        by: String,
    },
    ReadinessDeclared {
        application_id: String,
        readiness: Readiness,
    },
    /// An inspection required with its cause; `status` is the
    /// application's after it (an inspected vessel is approved again, to
    /// wait for its second inspection).
    InspectionRequired {
        application_id: String,
        reason: String,
        status: Status,
        by: String,
    },
    QueueOverridden {
        application_id: String,
        place: Option<u32>,
        before: Option<String>,
        reason: String,
        by: String,
    },
    PlanSet {
        content: PlanContent,
        plan_hash: Hash,
        reason: Option<String>,
        scores: serde_json::Value,
    },
    PlanSubmitted {
        date: String,
        version: u32,
        plan_hash: Hash,
    },
    /// `decision` is the signed payload (its `application_id` is `PLAN-<date>`);
    /// on approval, `scheduled` lists the applications now awaiting inspection.
    PlanDecisionRecorded {
        date: String,
        decision: DecisionPayload,
        status: PlanStatus,
        scheduled: Vec<String>,
    },
    AlertAcknowledged {
        alert: AlertRef,
        note: Option<String>,
        by: String,
    },
    StoppageDeclared {
        stoppage_id: String,
        stoppage: StoppageContent,
        effect: StoppageEffect,
        by: String,
    },
    StoppageLifted {
        stoppage_id: String,
        reason: String,
        by: String,
    },
}

impl Event {
    /// Parses a log entry's `event`. Ledger-level events that are not about
    /// clearance (party key registrations and retirements) give `Ok(None)`.
    pub fn from_log_event(value: &serde_json::Value) -> Result<Option<Event>, ReplayError> {
        let kind = value.get("type").and_then(serde_json::Value::as_str);
        if matches!(
            kind,
            Some(
                corridor_ledger::key_events::KEY_REGISTERED
                    | corridor_ledger::key_events::KEY_RETIRED
            )
        ) {
            return Ok(None);
        }
        serde_json::from_value(value.clone())
            .map(Some)
            .map_err(|e| ReplayError::Inconsistent {
                index: 0,
                message: format!("event does not parse: {e}"),
            })
    }

    /// The application the event is about (none for corridor events).
    pub fn application_id(&self) -> Option<&str> {
        use Event::*;
        match self {
            ApplicationCreated { application_id, .. }
            | DraftUpdated { application_id, .. }
            | ApplicationSubmitted { application_id, .. }
            | ReviewStarted { application_id }
            | DecisionRecorded { application_id, .. }
            | HoldReleased { application_id, .. }
            | ApplicationAmended { application_id, .. }
            | ApplicationWithdrawn { application_id, .. }
            | ApplicationExpired { application_id, .. }
            | InspectionScheduled { application_id, .. }
            | InspectionRecorded { application_id, .. }
            | VesselDeparted { application_id }
            | VesselArrived { application_id }
            | ApplicationClosed { application_id }
            | ReadinessDeclared { application_id, .. }
            | AreaArrivalRecorded { application_id, .. }
            | InspectionRequired { application_id, .. }
            | QueueOverridden { application_id, .. } => Some(application_id),
            CorridorSuspended { .. }
            | CorridorResumed
            | PlanSet { .. }
            | PlanSubmitted { .. }
            | PlanDecisionRecorded { .. }
            | AlertAcknowledged { .. }
            | StoppageDeclared { .. }
            | StoppageLifted { .. } => None,
        }
    }

    /// Every application whose state the event changes (a plan's approval
    /// schedules several).
    pub fn affected_applications(&self) -> Vec<&str> {
        match self {
            Event::PlanDecisionRecorded { scheduled, .. } => {
                scheduled.iter().map(String::as_str).collect()
            }
            other => other.application_id().into_iter().collect(),
        }
    }
}

/// The outcome of a command: the event to append, and the party's signature
/// for decision events (goes into the entry's `signature`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The event.
    pub event: Event,
    /// The signature for the log entry.
    pub signature: Option<EntrySignature>,
}

impl Outcome {
    /// The event as the JSON value the log stores.
    pub fn event_json(&self) -> Result<serde_json::Value, ClearanceError> {
        serde_json::to_value(&self.event).map_err(|e| ClearanceError::Encoding(e.to_string()))
    }
}

/// One party's current decision on the current version of an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyDecision {
    /// What was decided.
    pub kind: DecisionKind,
    /// When it was logged.
    pub at: Timestamp,
    /// When it was signed.
    pub signed_at: Timestamp,
    /// The key used.
    pub key_id: KeyId,
    /// The content hash signed (always the application's current one).
    pub application_hash: Hash,
}

/// An application's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    /// Tracking number.
    pub id: String,
    /// Owning shipping company.
    pub company: String,
    /// Where it is.
    pub status: Status,
    /// What the agent declared (current version).
    pub content: ApplicationContent,
    /// Hash of `content`.
    pub content_hash: Hash,
    /// Created.
    pub created_at: Timestamp,
    /// Submitted.
    pub submitted_at: Option<Timestamp>,
    /// Each party's current decision on the current version.
    pub decisions: BTreeMap<String, PartyDecision>,
    /// Since when each party's decision has been awaited (set when the review
    /// starts, on a release, an amendment, or after the party's previous decision).
    pub awaiting_since: BTreeMap<String, Timestamp>,
    /// Approved at.
    pub approved_at: Option<Timestamp>,
    /// Number of inspections recorded.
    pub inspections: u32,
    /// Last change.
    pub updated_at: Timestamp,
    /// The agent's current readiness declaration (cleared by a failed-not-ready inspection).
    #[serde(default)]
    pub readiness: Option<Readiness>,
    /// When it was declared.
    #[serde(default)]
    pub ready_at: Option<Timestamp>,
    /// Inspections that ended failed, not ready.
    #[serde(default)]
    pub not_ready_count: u32,
    /// When the last failed-not-ready inspection was recorded.
    #[serde(default)]
    pub not_ready_at: Option<Timestamp>,
    /// When the inspection is scheduled (by an approved plan or the coordinator).
    #[serde(default)]
    pub inspection_at: Option<Timestamp>,
    /// The last inspection's result, findings and confirmed checklist
    /// items, and when it was recorded: what the agent must put right
    /// before a re-inspection.
    #[serde(default)]
    pub last_inspection: Option<LastInspection>,
    /// Each inspection recorded against a booking: the booked time and
    /// how it ended, so that a day's list keeps an inspection that took
    /// place after the vessel is booked again.
    #[serde(default)]
    pub booked_results: Vec<BookedResult>,
    /// The booking a move by hand replaced, while the new one stands: a
    /// result recorded before the new time is that earlier slot's.
    #[serde(default)]
    pub moved_from: Option<Timestamp>,
    /// When the vessel reached the inspection area (seen by tracking or
    /// recorded by the coordinator), with how it is known.
    #[serde(default)]
    pub area_arrival: Option<AreaArrival>,
    /// Approved and, under the on-cause policy, free to sail without an
    /// inspection: no cause has been given.
    #[serde(default)]
    pub cleared_on_papers: bool,
    /// Why an inspection was required (the latest cause), under the
    /// on-cause policy.
    #[serde(default)]
    pub inspection_cause: Option<InspectionCause>,
    /// The version the parties last decided on, replaced by an amendment
    /// that voided those decisions (later amendments before anyone decides
    /// again leave it): so everyone sees what changed since, and a hold's
    /// reason is not lost with the version it was given on.
    #[serde(default)]
    pub before_amendment: Option<Box<Replaced>>,
}

/// A version an amendment replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replaced {
    /// When it was replaced.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub at: Timestamp,
    /// Its content.
    pub content: ApplicationContent,
    /// Its hash.
    pub content_hash: Hash,
    /// Each party's decision on it when it was replaced.
    pub decisions: BTreeMap<String, PartyDecision>,
}

/// Why the coordinator required an inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionCause {
    /// The coordinator's words (public once logged).
    pub reason: String,
    /// Who required it.
    pub by: String,
    /// When.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub at: Timestamp,
}

/// A vessel's arrival at the inspection area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaArrival {
    /// When it arrived.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub at: Timestamp,
    /// Which inspection area.
    pub area: String,
    /// `ais:<alert key>`, or the coordinator's words.
    pub evidence: String,
    /// Who recorded it (the log entry's actor).
    pub by: String,
    /// The first arrival recorded, when this one corrects it (the first
    /// alone can be tracking's; corrections in between are in the log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<Box<AreaArrival>>,
}

impl AreaArrival {
    /// This arrival and the first one, if it corrects it.
    pub fn history(&self) -> impl Iterator<Item = &AreaArrival> {
        std::iter::successors(Some(self), |a| a.corrects.as_deref())
    }
}

/// An inspection recorded against a booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookedResult {
    /// The booked time.
    pub booked_at: Timestamp,
    /// The status it left the application in.
    pub status: Status,
    /// When it was recorded.
    pub at: Timestamp,
}

/// An application's most recent inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastInspection {
    pub outcome: InspectionOutcome,
    /// When it was recorded.
    pub at: Timestamp,
    /// Ids of the checklist items the team confirmed.
    #[serde(default)]
    pub checked: Vec<String>,
}

impl Application {
    /// The booking a result recorded at `at` is for: the current one, or,
    /// when that is still to come and a move by hand replaced a slot that
    /// had begun, that earlier slot.
    pub fn booking_for_result(&self, at: Timestamp) -> Option<Timestamp> {
        match (self.inspection_at, self.moved_from) {
            (Some(b), Some(m)) if at < b && m <= at => Some(m),
            (b, _) => b,
        }
    }

    /// Approved and not yet inspected (or to be inspected again), unless
    /// cleared on its papers: in the inspection queue.
    pub fn waiting_for_inspection(&self) -> bool {
        match self.status {
            Status::Approved => !self.cleared_on_papers,
            Status::AwaitingInspection | Status::FailedNotReady => true,
            _ => false,
        }
    }
}

/// The corridor's operating state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorridorState {
    /// Current suspension (start, reason code).
    pub suspended: Option<(Timestamp, String)>,
    /// The current suspension's text.
    #[serde(default)]
    pub suspended_text: Option<String>,
    /// Closed suspension intervals.
    pub past_suspensions: Vec<(Timestamp, Timestamp)>,
}

impl CorridorState {
    /// Moves `deadline` (set at `since`) later by every suspension that began
    /// before it fell due: a closed one by its length (from `since` at the
    /// earliest), an open one by keeping the remaining time in reserve from `now`.
    pub fn extend_deadline(
        &self,
        since: Timestamp,
        deadline: Timestamp,
        now: Timestamp,
    ) -> Timestamp {
        let mut deadline = deadline;
        let mut intervals: Vec<(Timestamp, Option<Timestamp>)> = self
            .past_suspensions
            .iter()
            .map(|(s, e)| (*s, Some(*e)))
            .collect();
        if let Some((s, _)) = &self.suspended {
            intervals.push((*s, None));
        }
        intervals.sort();
        for (s, e) in intervals {
            if s >= deadline {
                break;
            }
            let s = s.max(since);
            match e {
                Some(e) if e > s => {
                    deadline = deadline
                        .checked_add(s.duration_until(e))
                        .unwrap_or(deadline);
                }
                Some(_) => {}
                None => {
                    let remaining = s.duration_until(deadline);
                    deadline = now.max(s).checked_add(remaining).unwrap_or(deadline);
                }
            }
        }
        deadline
    }

    /// Seconds the corridor was suspended within `[from, to)`.
    pub fn suspended_seconds(&self, from: Timestamp, to: Timestamp) -> i64 {
        let overlap = |s: Timestamp, e: Timestamp| {
            let a = s.max(from);
            let b = e.min(to);
            (b.as_second() - a.as_second()).max(0)
        };
        let mut total: i64 = self
            .past_suspensions
            .iter()
            .map(|(s, e)| overlap(*s, *e))
            .sum();
        if let Some((s, _)) = &self.suspended {
            total += overlap(*s, to);
        }
        total
    }
}

/// Why a command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClearanceError {
    /// Not permitted for this actor.
    #[error(transparent)]
    Denied(#[from] Denied),
    /// No such application.
    #[error("no application {0}")]
    NotFound(String),
    /// The command does not apply in the application's status.
    #[error("cannot {command} an application that is {}{}", status.words(), transition_hint(command, *status))]
    IllegalTransition {
        command: &'static str,
        status: Status,
    },
    /// Not eligible; every reason is listed.
    #[error("application is not eligible: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Ineligible(Vec<Ineligibility>),
    /// The signed decision is refused.
    #[error("decision refused: {0}")]
    Decision(#[from] DecisionError),
    /// The party is not one of this corridor's.
    #[error("party {0} is not a party of this corridor")]
    UnknownParty(String),
    /// The signed decision predates the party's last decision, release or the review start.
    #[error("decision signed at {signed}, before the party's decision was last awaited ({since})")]
    StaleDecision { signed: Timestamp, since: Timestamp },
    /// The signed decision predates the party's current decision on the
    /// application: a copy of an earlier signature, or one overtaken.
    #[error(
        "{party}'s decision signed at {signed} is older than its current {current} (signed at {current_signed}): sign a new one"
    )]
    SignedBeforeCurrent {
        party: String,
        signed: Timestamp,
        current: String,
        current_signed: Timestamp,
    },
    /// This very signed decision is already in the log.
    #[error("{party}'s decision signed at {signed} is already recorded")]
    AlreadyRecorded { party: String, signed: Timestamp },
    /// The party has no hold to release.
    #[error("party {0} has no hold on this application")]
    NoHold(String),
    /// Refused while the corridor is suspended.
    #[error("the corridor is suspended")]
    CorridorSuspended,
    /// Already suspended.
    #[error("the corridor is already suspended")]
    AlreadySuspended,
    /// Not suspended.
    #[error("the corridor is not suspended")]
    NotSuspended,
    /// Expiry asked too early.
    #[error("application does not expire before {expires_at}")]
    NotYetExpired { expires_at: Timestamp },
    /// The vessel is already in another live application. `other` names
    /// it for its own company ("live application BSGI-…"), and only says
    /// "a live application of another company" to anyone else: another
    /// company's application is not theirs to see.
    #[error("vessel IMO {imo} is already in {other}; a vessel is cleared for one voyage at a time")]
    VesselInAnotherApplication { imo: String, other: String },
    /// Another live application declares the same MMSI for another vessel.
    /// (`other` as for [`Self::VesselInAnotherApplication`], with the
    /// other vessel's IMO for its own company.)
    #[error(
        "MMSI {mmsi} is declared by {other} for another vessel; tracking matches a vessel's arrival by its MMSI, which is one vessel's"
    )]
    MmsiInAnotherApplication { mmsi: String, other: String },
    /// Inspection scheduled in the past.
    #[error("inspection time {0} is in the past")]
    InspectionInPast(Timestamp),
    /// An inspection recorded as passed without every checklist item confirmed.
    #[error("a pass needs every checklist item confirmed; not confirmed: {}", missing.join("; "))]
    ChecklistIncomplete { missing: Vec<String> },
    /// A readiness declaration that does not confirm every item.
    #[error("not ready: not confirmed: {}; all four items must be confirmed", missing.iter().map(|m| readiness_item(m)).collect::<Vec<_>>().join("; "))]
    NotReady { missing: Vec<String> },
    /// A queue override or plan that is well formed but refused (says why).
    #[error("{0}")]
    Invalid(String),
    /// A plan command that does not fit the plan's state (says why).
    #[error("{0}")]
    PlanConflict(String),
    /// A company at the most it may keep open (drafts).
    #[error("{0}")]
    AtLimit(String),
    /// An inspection booked or recorded against what its booking allows (says why).
    #[error("{0}")]
    BookingConflict(String),
    /// A command that would change nothing (says why).
    #[error("{0}")]
    Unchanged(String),
    /// The alert was acknowledged before; the first acknowledgement stands.
    #[error("alert {key} was already acknowledged by {by} at {at}")]
    AlreadyAcknowledged {
        key: String,
        by: String,
        at: Timestamp,
    },
    /// Content has no canonical form.
    #[error(transparent)]
    Canonical(#[from] CanonicalError),
    /// Event could not be encoded.
    #[error("event encoding failed: {0}")]
    Encoding(String),
}

/// Why a list of events does not replay.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// An event names an application that does not exist (or one that already does).
    #[error("event #{index}: {message}")]
    Inconsistent { index: usize, message: String },
}

/// All clearance state of one corridor: the corridor and its applications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clearance {
    /// Configuration.
    pub config: CorridorConfig,
    /// Suspension state.
    pub corridor: CorridorState,
    /// Applications by tracking number.
    pub applications: BTreeMap<String, Application>,
    /// Daily inspection plans by date (`YYYY-MM-DD`), latest version.
    pub plans: BTreeMap<String, DayPlan>,
    /// The coordinator's queue overrides, in the order they were logged.
    pub queue_overrides: Vec<QueueOverride>,
    /// Acknowledged tracking alerts by key.
    pub alert_acks: BTreeMap<String, AlertAck>,
    /// Declared stoppages, in the order declared (`STOP-1` first), lifted ones included.
    pub stoppages: Vec<Stoppage>,
    /// The hash of every signed decision or release payload logged on an
    /// application: a signed body counts once, so one kept by whoever saw it
    /// cannot be posted again to undo what the party did since.
    signed_payloads: BTreeSet<Hash>,
    events_applied: usize,
}

/// A party whose decision is overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overdue {
    /// Application.
    pub application_id: String,
    /// Party.
    pub party: String,
    /// The deadline that passed.
    pub deadline: Timestamp,
}

/// What would let the command go on, where the refusal alone leaves the
/// caller guessing (a delegate deciding on an application whose review has
/// not started was told only its status; session 25's review).
fn transition_hint(command: &str, status: Status) -> &'static str {
    match (command, status) {
        ("decide on", Status::Submitted) => {
            ": the coordinator starts its review first (POST /api/v1/applications/{id}/review)"
        }
        _ => "",
    }
}

fn illegal(command: &'static str, status: Status) -> ClearanceError {
    ClearanceError::IllegalTransition { command, status }
}

/// The most drafts a company keeps open at once.
pub const MAX_OPEN_DRAFTS: usize = 50;

/// How long before an application was made an arrival at the inspection
/// area still counts for it (tracking's lookback, and the bound on the
/// coordinator's own record of one).
pub const ARRIVAL_LOOKBACK_DAYS: i64 = 14;

/// What identifies a signed payload (see `Clearance::signed_payloads`).
fn payload_key(p: &DecisionPayload) -> Result<Hash, CanonicalError> {
    Ok(Hash::of(&p.signing_bytes()?))
}

impl Clearance {
    /// Counts a logged signed payload; one logged before is an error.
    fn note_signed(&mut self, p: &DecisionPayload) -> Result<(), String> {
        let key = payload_key(p).map_err(|e| e.to_string())?;
        if self.signed_payloads.insert(key) {
            Ok(())
        } else {
            Err(format!(
                "{}'s signed {} logged twice",
                p.party,
                p.decision.name()
            ))
        }
    }
}

impl Clearance {
    /// An empty corridor.
    pub fn new(config: CorridorConfig) -> Self {
        Clearance {
            config,
            corridor: CorridorState::default(),
            applications: BTreeMap::new(),
            plans: BTreeMap::new(),
            queue_overrides: Vec::new(),
            alert_acks: BTreeMap::new(),
            stoppages: Vec::new(),
            signed_payloads: BTreeSet::new(),
            events_applied: 0,
        }
    }

    /// The stoppage in force that stops the vessel's booked inspection, if
    /// one does: it covers the booked time and stops the team an approved
    /// plan booked it with (or every team, for a booking made by hand). Such
    /// a booking no longer holds: the vessel waits to be planned again.
    pub fn booking_stopped_by(&self, app: &Application) -> Option<&Stoppage> {
        if app.status != Status::AwaitingInspection {
            return None;
        }
        let at = app.inspection_at?;
        self.stoppages.iter().rev().find(|s| {
            // Cheap first: in force over the booked time (most are not).
            if !s.covers(at) {
                return false;
            }
            // The booking's team, from an approved plan of the stoppage's
            // days (canonical dates: the text sorts as the days do).
            let c = &s.content;
            let team = self
                .plans
                .range(c.from.clone()..=c.to.clone())
                .filter(|(_, p)| p.status == PlanStatus::Approved)
                .find_map(|(_, p)| {
                    p.content
                        .assignments
                        .iter()
                        .find(|a| a.application_id == app.id && a.start_at == at)
                })
                .map(|a| a.team.as_str());
            s.stops(at, team)
        })
    }

    /// Rebuilds the state from logged events in order.
    pub fn replay<'a>(
        config: CorridorConfig,
        events: impl IntoIterator<Item = (Timestamp, &'a Event)>,
    ) -> Result<Self, ReplayError> {
        let mut c = Clearance::new(config);
        for (at, e) in events {
            c.apply(e, at)?;
        }
        Ok(c)
    }

    /// Rebuilds the state from log entries (skipping ledger-level key events).
    /// The entries should have been verified first ([`corridor_ledger::verify_chain`]).
    pub fn replay_log(
        config: CorridorConfig,
        entries: &[corridor_ledger::LogEntry],
    ) -> Result<Self, ReplayError> {
        let mut c = Clearance::new(config);
        for (index, e) in entries.iter().enumerate() {
            let parsed = Event::from_log_event(&e.event).map_err(|err| match err {
                ReplayError::Inconsistent { message, .. } => {
                    ReplayError::Inconsistent { index, message }
                }
            })?;
            if let Some(event) = parsed {
                c.apply(&event, e.time).map_err(|err| match err {
                    ReplayError::Inconsistent { message, .. } => {
                        ReplayError::Inconsistent { index, message }
                    }
                })?;
            }
        }
        Ok(c)
    }

    /// The tracking number the next application will get.
    pub fn next_application_id(&self, now: Timestamp) -> String {
        let year = now.to_zoned(jiff::tz::TimeZone::UTC).year();
        format!(
            "{}-{}-{:06}",
            self.config.tracking_prefix,
            year,
            self.applications.len() + 1
        )
    }

    fn app(&self, id: &str) -> Result<&Application, ClearanceError> {
        self.applications
            .get(id)
            .ok_or_else(|| ClearanceError::NotFound(id.to_string()))
    }

    fn require_active(&self) -> Result<(), ClearanceError> {
        if self.corridor.suspended.is_some() {
            Err(ClearanceError::CorridorSuspended)
        } else {
            Ok(())
        }
    }

    /// When `party`'s decision on `app` is due (none if it has decided or the
    /// application is not in review). Suspended time does not count.
    pub fn deadline(&self, app: &Application, party: &str, now: Timestamp) -> Option<Timestamp> {
        if !app.status.in_review() || app.decisions.contains_key(party) {
            return None;
        }
        let since = *app.awaiting_since.get(party)?;
        let base = since
            .checked_add(SignedDuration::from_hours(
                self.config.timing.decision_deadline_hours,
            ))
            .ok()?;
        Some(self.corridor.extend_deadline(since, base, now))
    }

    /// Every party decision that is overdue at `now`.
    pub fn overdue(&self, now: Timestamp) -> Vec<Overdue> {
        let mut out = Vec::new();
        for app in self.applications.values() {
            for party in self.config.party_codes() {
                if let Some(deadline) = self.deadline(app, party, now) {
                    if now >= deadline {
                        out.push(Overdue {
                            application_id: app.id.clone(),
                            party: party.to_string(),
                            deadline,
                        });
                    }
                }
            }
        }
        out
    }

    /// When an application expires (if it can).
    pub fn expires_at(&self, app: &Application) -> Option<Timestamp> {
        let validity = SignedDuration::from_hours(self.config.timing.clearance_validity_hours);
        match app.status {
            Status::Approved | Status::AwaitingInspection | Status::FailedNotReady => self
                .validity_start(app)
                .and_then(|t| t.checked_add(validity).ok()),
            Status::Draft => Some(app.content.eta_inspection_area),
            Status::Submitted | Status::UnderReview | Status::Held => {
                app.content.eta_inspection_area.checked_add(validity).ok()
            }
            _ => None,
        }
    }

    /// What an approval of `app` now does under the on-cause policy:
    /// clears it on its papers (`true`), or not, with the cause carried
    /// from an earlier application of the same vessel that no inspection
    /// resolved (withdrawn or failed before its inspection passed, or found
    /// non-compliant), so that applying again does not shed a cause.
    fn clears_on_papers(&self, app: &Application) -> (bool, Option<String>) {
        if self.config.inspection.policy != InspectionPolicy::OnCause
            || app.inspection_cause.is_some()
        {
            return (false, None);
        }
        let unresolved = self
            .applications
            .values()
            .filter(|o| o.id != app.id && o.content.vessel.imo == app.content.vessel.imo)
            .filter_map(|o| {
                let last = o.last_inspection.as_ref();
                if let Some(l) = last
                    && let InspectionOutcome::NonCompliant { text, .. } = &l.outcome
                {
                    return Some((l.at, format!("{} was found non-compliant: {text}", o.id)));
                }
                let cause = o.inspection_cause.as_ref()?;
                let passed_since = last
                    .is_some_and(|l| l.outcome == InspectionOutcome::Passed && l.at >= cause.at);
                (!passed_since).then(|| {
                    (
                        cause.at,
                        format!("{}: {} (no inspection resolved it)", o.id, cause.reason),
                    )
                })
            })
            .max_by_key(|(at, _)| *at);
        match unresolved {
            Some((_, why)) => (false, Some(format!("carried from {why}"))),
            None => (true, None),
        }
    }

    /// Since when an approved vessel's clearance runs: its approval (or,
    /// by the rules' `validity_from`, its arrival at the inspection area,
    /// until then the later of approval and ETA), or a cause given after
    /// that (the wait for that inspection is the centre's).
    pub fn validity_start(&self, app: &Application) -> Option<Timestamp> {
        let approved = app.approved_at?;
        let start = match self.config.timing.validity_from {
            ValidityFrom::Approval => approved,
            // Never before the approval: a vessel that waited at anchor
            // for its decision does not lose those days of its clearance.
            ValidityFrom::AreaArrival => match &app.area_arrival {
                Some(a) => a.at.max(approved),
                None => approved.max(app.content.eta_inspection_area),
            },
        };
        Some(
            app.inspection_cause
                .as_ref()
                .map_or(start, |c| c.at.max(start)),
        )
    }

    /// When `app` may be expired, as of `now`: [`Clearance::expires_at`],
    /// moved later by the corridor's suspensions for an approved vessel
    /// (suspended time does not count against its clearance).
    pub fn lapses_at(&self, app: &Application, now: Timestamp) -> Option<Timestamp> {
        let expires_at = self.expires_at(app)?;
        Some(match self.validity_start(app) {
            Some(t)
                if matches!(
                    app.status,
                    Status::Approved | Status::AwaitingInspection | Status::FailedNotReady
                ) =>
            {
                self.corridor.extend_deadline(t, expires_at, now)
            }
            _ => expires_at,
        })
    }

    /// Authorises and checks `command`, applies its event, and returns it.
    pub fn execute(
        &mut self,
        actor: &Actor,
        command: Command,
        now: Timestamp,
        keys: &KeyRegistry,
    ) -> Result<Outcome, ClearanceError> {
        let now = corridor_ledger::time::to_seconds(now);
        let outcome = self.decide(actor, command, now, keys)?;
        self.apply(&outcome.event, now)
            .map_err(|e| ClearanceError::Encoding(e.to_string()))?;
        Ok(outcome)
    }

    fn authorise_app(
        &self,
        actor: &Actor,
        action: Action,
        id: &str,
    ) -> Result<&Application, ClearanceError> {
        let app = self.app(id)?;
        can(
            actor,
            action,
            Resource::Application {
                company: &app.company,
            },
        )?;
        Ok(app)
    }
}

mod apply;
mod checks;
mod decide;
mod decision_rules;
mod status_page;

pub use status_page::{PartyLine, StatusPage};

fn plan_approval(p: &DecisionPayload, at: Timestamp) -> PlanApproval {
    PlanApproval {
        party: p.party.clone(),
        decision: p.decision.clone(),
        signed_at: p.time,
        at,
        key_id: p.key_id.clone(),
    }
}

/// `draft`, `submitted` or `approved`.
pub fn plan_status_text(s: PlanStatus) -> &'static str {
    match s {
        PlanStatus::Draft => "draft",
        PlanStatus::Submitted => "submitted",
        PlanStatus::Approved => "approved",
    }
}

/// A `YYYY-MM-DD` date in its canonical form, or why not.
pub fn canonical_date(text: &str) -> Result<String, ClearanceError> {
    text.parse::<jiff::civil::Date>()
        .map(|d| d.to_string())
        .map_err(|_| ClearanceError::Invalid(format!("date {text:?} is not YYYY-MM-DD")))
}

fn party_decision(p: &DecisionPayload, at: Timestamp) -> PartyDecision {
    PartyDecision {
        kind: p.decision.clone(),
        at,
        signed_at: p.time,
        key_id: p.key_id.clone(),
        application_hash: p.application_hash,
    }
}

/// The role's party, for delegates.
pub fn delegate_party(actor: &Actor) -> Option<&str> {
    match &actor.role {
        Role::Delegate { party } => Some(party),
        _ => None,
    }
}

/// A readiness item as the agent's form words it, with its field name.
fn readiness_item(field: &str) -> String {
    let words = match field {
        "holds_ventilated" => "holds ventilated after fumigation",
        "gas_free" => "gas readings within limits",
        "testing_equipment_aboard" => "gas-testing equipment aboard",
        "documents_complete" => "documents complete and aboard",
        other => other,
    };
    format!("{words} ({field})")
}
