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
//! [`Clearance::execute`] authorises ([`crate::roles::can`]), checks the
//! domain rules, and returns the [`Event`] to append to the log (with the
//! party's signature for decisions); the state changes only by
//! [`Clearance::apply`] of that same event, so replaying the log's events
//! rebuilds exactly the same state.

use crate::alerts::{AlertAck, AlertRef, MAX_KEY_CHARS};
use crate::application::ApplicationContent;
use crate::config::CorridorConfig;
use crate::consensus::{Consensus, consensus};
use crate::dayplan::{
    DayPlan, MAX_TEXT_CHARS, PlanApproval, PlanContent, PlanStatus, QueueOverride, Readiness,
    plan_id,
};
use crate::eligibility::{Ineligibility, check_eligibility};
use crate::roles::{Action, Actor, Denied, Resource, Role, can};
use corridor_ledger::decision::{DecisionError, Expected};
use corridor_ledger::{
    CanonicalError, DecisionKind, DecisionPayload, EntrySignature, Hash, KeyId, KeyRegistry,
    SignedDecision,
};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// Under review or held: parties may decide.
    pub fn in_review(self) -> bool {
        matches!(self, Status::UnderReview | Status::Held)
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
    ReleaseHold {
        application_id: String,
        party: String,
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
    },
    HoldReleased {
        application_id: String,
        party: String,
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
    ReadinessDeclared {
        application_id: String,
        readiness: Readiness,
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
}

impl Event {
    /// Parses a log entry's `event`. Ledger-level events that are not about
    /// clearance (party key registrations and retirements) give `Ok(None)`.
    pub fn from_log_event(value: &serde_json::Value) -> Result<Option<Event>, ReplayError> {
        let kind = value.get("type").and_then(serde_json::Value::as_str);
        if matches!(
            kind,
            Some(corridor_ledger::keys::KEY_REGISTERED | corridor_ledger::keys::KEY_RETIRED)
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
            | QueueOverridden { application_id, .. } => Some(application_id),
            CorridorSuspended { .. }
            | CorridorResumed
            | PlanSet { .. }
            | PlanSubmitted { .. }
            | PlanDecisionRecorded { .. }
            | AlertAcknowledged { .. } => None,
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
}

impl Application {
    /// Approved and not yet inspected (or to be inspected again): in the inspection queue.
    pub fn waiting_for_inspection(&self) -> bool {
        matches!(
            self.status,
            Status::Approved | Status::AwaitingInspection | Status::FailedNotReady
        )
    }
}

/// The corridor's operating state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorridorState {
    /// Current suspension (start, reason code).
    pub suspended: Option<(Timestamp, String)>,
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
    #[error("cannot {command} an application that is {status:?}")]
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
    /// Inspection scheduled in the past.
    #[error("inspection time {0} is in the past")]
    InspectionInPast(Timestamp),
    /// A readiness declaration that does not confirm every item.
    #[error("not ready: {} not confirmed (all four of holds_ventilated, gas_free, testing_equipment_aboard, documents_complete must be true)", missing.join(", "))]
    NotReady { missing: Vec<String> },
    /// A queue override or plan that is well formed but refused (says why).
    #[error("{0}")]
    Invalid(String),
    /// A plan command that does not fit the plan's state (says why).
    #[error("{0}")]
    PlanConflict(String),
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

fn illegal(command: &'static str, status: Status) -> ClearanceError {
    ClearanceError::IllegalTransition { command, status }
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
            events_applied: 0,
        }
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
            Status::Approved | Status::AwaitingInspection | Status::FailedNotReady => {
                app.approved_at.and_then(|t| t.checked_add(validity).ok())
            }
            Status::Draft => Some(app.content.eta_inspection_area),
            Status::Submitted | Status::UnderReview | Status::Held => {
                app.content.eta_inspection_area.checked_add(validity).ok()
            }
            _ => None,
        }
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

    fn decide(
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
                // A signed decision older than the party's last decision, release or
                // the review start cannot be replayed to undo what came after it.
                if let Some(since) = app.awaiting_since.get(&party) {
                    let signed = decision.payload.time.as_second();
                    if signed.saturating_add(corridor_ledger::decision::MAX_CLOCK_SKEW_SECONDS)
                        < since.as_second()
                    {
                        return Err(ClearanceError::StaleDecision {
                            signed: decision.payload.time,
                            since: *since,
                        });
                    }
                }
                let mut decisions = app.decisions.clone();
                decisions.insert(party.clone(), party_decision(&decision.payload, now));
                let status = self.status_after(&decisions, app.status);
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
                    },
                    signature,
                })
            }
            C::ReleaseHold {
                application_id,
                party,
            } => {
                let app = self.app(&application_id)?;
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
                if app.status != Status::Held {
                    return Err(illegal("release", app.status));
                }
                if !matches!(
                    app.decisions.get(&party).map(|d| &d.kind),
                    Some(DecisionKind::Hold { .. })
                ) {
                    return Err(ClearanceError::NoHold(party));
                }
                let mut decisions = app.decisions.clone();
                decisions.remove(&party);
                let status = self.status_after(&decisions, app.status);
                plain(Event::HoldReleased {
                    application_id,
                    party,
                    status,
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
                check_eligibility(&content, &self.config, submitted)
                    .map_err(ClearanceError::Ineligible)?;
                let content_hash = content.content_hash()?;
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
                plain(Event::ApplicationWithdrawn {
                    application_id,
                    reason,
                })
            }
            C::Expire { application_id } => {
                let app = self.authorise_app(actor, Action::ExpireApplication, &application_id)?;
                let expires_at = self
                    .expires_at(app)
                    .ok_or_else(|| illegal("expire", app.status))?;
                // Suspended time extends a clearance's validity.
                let expires_at = match app.approved_at {
                    Some(t)
                        if matches!(
                            app.status,
                            Status::Approved | Status::AwaitingInspection | Status::FailedNotReady
                        ) =>
                    {
                        self.corridor.extend_deadline(t, expires_at, now)
                    }
                    _ => expires_at,
                };
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
                if !matches!(app.status, Status::Approved | Status::FailedNotReady) {
                    return Err(illegal("schedule an inspection for", app.status));
                }
                self.require_active()?;
                let at = corridor_ledger::time::to_seconds(at);
                if at < now {
                    return Err(ClearanceError::InspectionInPast(at));
                }
                plain(Event::InspectionScheduled { application_id, at })
            }
            C::RecordInspection {
                application_id,
                outcome,
            } => {
                let app = self.authorise_app(actor, Action::RecordInspection, &application_id)?;
                if app.status != Status::AwaitingInspection {
                    return Err(illegal("record an inspection of", app.status));
                }
                self.require_active()?;
                let status = match &outcome {
                    InspectionOutcome::Passed => Status::InspectionPassed,
                    InspectionOutcome::NotReady { .. } => Status::FailedNotReady,
                    InspectionOutcome::NonCompliant { .. } => Status::FailedNonCompliant,
                };
                plain(Event::InspectionRecorded {
                    application_id,
                    outcome,
                    status,
                })
            }
            C::Depart { application_id } => {
                let app = self.authorise_app(actor, Action::RecordMovement, &application_id)?;
                if app.status != Status::InspectionPassed {
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
                if note
                    .as_ref()
                    .is_some_and(|n| n.chars().count() > MAX_TEXT_CHARS)
                {
                    return Err(ClearanceError::Invalid(format!(
                        "note: at most {MAX_TEXT_CHARS} characters"
                    )));
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
                if !app.waiting_for_inspection() {
                    return Err(illegal("declare readiness for", app.status));
                }
                let missing = readiness.missing();
                if !missing.is_empty() {
                    return Err(ClearanceError::NotReady {
                        missing: missing.into_iter().map(str::to_string).collect(),
                    });
                }
                if readiness
                    .note
                    .as_ref()
                    .is_some_and(|n| n.chars().count() > MAX_TEXT_CHARS)
                {
                    return Err(ClearanceError::Invalid(format!(
                        "note: at most {MAX_TEXT_CHARS} characters"
                    )));
                }
                plain(Event::ReadinessDeclared {
                    application_id,
                    readiness,
                })
            }
            C::OverrideQueue {
                application_id,
                place,
                before,
                reason,
            } => {
                can(actor, Action::OverrideQueue, Resource::Corridor)?;
                let reason = reason.trim().to_string();
                if reason.is_empty() || reason.chars().count() > MAX_TEXT_CHARS {
                    return Err(ClearanceError::Invalid(format!(
                        "reason: an override needs a reason (1 to {MAX_TEXT_CHARS} characters)"
                    )));
                }
                let app = self.app(&application_id)?;
                if !app.waiting_for_inspection() {
                    return Err(ClearanceError::Invalid(format!(
                        "{application_id} is not waiting for an inspection (it is {:?})",
                        app.status
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
                    if r.trim().is_empty() || r.chars().count() > MAX_TEXT_CHARS {
                        return Err(ClearanceError::Invalid(format!(
                            "reason: an edit needs a reason (1 to {MAX_TEXT_CHARS} characters)"
                        )));
                    }
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
                let id = plan_id(&date);
                let expected = Expected {
                    party: &party,
                    application_id: &id,
                    application_hash: &plan.plan_hash,
                };
                decision.verify_for(keys, &expected, now)?;
                // An approval signed before this version was submitted cannot be replayed onto it.
                if let Some(since) = plan.submitted_at {
                    let signed = decision.payload.time.as_second();
                    if signed.saturating_add(corridor_ledger::decision::MAX_CLOCK_SKEW_SECONDS)
                        < since.as_second()
                    {
                        return Err(ClearanceError::StaleDecision {
                            signed: decision.payload.time,
                            since,
                        });
                    }
                }
                let mut approvals = plan.approvals.clone();
                approvals.insert(party.clone(), plan_approval(&decision.payload, now));
                let status = self.plan_status_after(&approvals);
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

    /// A plan is approved when the consensus rule is met by the parties' approvals.
    fn plan_status_after(&self, approvals: &BTreeMap<String, PlanApproval>) -> PlanStatus {
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

    fn status_after(&self, decisions: &BTreeMap<String, PartyDecision>, current: Status) -> Status {
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

    /// Applies a logged event at its log time. This is the only way state
    /// changes; [`Clearance::execute`] calls it with the event it produced.
    pub fn apply(&mut self, event: &Event, at: Timestamp) -> Result<(), ReplayError> {
        let index = self.events_applied;
        let bad = |message: String| ReplayError::Inconsistent { index, message };
        use Event as E;
        match event {
            E::CorridorSuspended { reason_code, .. } => {
                if self.corridor.suspended.is_some() {
                    return Err(bad("suspended twice".into()));
                }
                self.corridor.suspended = Some((at, reason_code.clone()));
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
            E::CorridorResumed => {
                let (since, _) = self
                    .corridor
                    .suspended
                    .take()
                    .ok_or_else(|| bad("resumed while active".into()))?;
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
                        decision, status, ..
                    } => {
                        if decision.application_hash != app.content_hash {
                            return Err(bad(
                                "decision on another version of the application".into()
                            ));
                        }
                        app.decisions
                            .insert(decision.party.clone(), party_decision(decision, at));
                        app.awaiting_since.insert(decision.party.clone(), at);
                        let computed = self.status_after(&app.decisions, app.status);
                        if computed != *status {
                            return Err(bad(format!(
                                "decision leads to {computed:?}, event says {status:?}"
                            )));
                        }
                        app.status = computed;
                        if computed == Status::Approved {
                            app.approved_at = Some(at);
                        }
                    }
                    E::HoldReleased { party, status, .. } => {
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
                        app.content = content.clone();
                        app.content_hash = *content_hash;
                        app.decisions.clear();
                        app.awaiting_since = parties.iter().map(|p| (p.clone(), at)).collect();
                        app.status = Status::UnderReview;
                    }
                    E::ApplicationWithdrawn { .. } => app.status = Status::Withdrawn,
                    E::ApplicationExpired { .. } => app.status = Status::Expired,
                    E::InspectionScheduled { at: when, .. } => {
                        app.status = Status::AwaitingInspection;
                        app.inspection_at = Some(*when);
                    }
                    E::InspectionRecorded { status, .. } => {
                        app.inspections += 1;
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
                    E::VesselDeparted { .. } => app.status = Status::InTransit,
                    E::VesselArrived { .. } => app.status = Status::Arrived,
                    E::ApplicationClosed { .. } => app.status = Status::Closed,
                    E::ApplicationCreated { .. }
                    | E::CorridorSuspended { .. }
                    | E::CorridorResumed
                    | E::QueueOverridden { .. }
                    | E::PlanSet { .. }
                    | E::PlanSubmitted { .. }
                    | E::PlanDecisionRecorded { .. }
                    | E::AlertAcknowledged { .. } => {}
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
                Status::InspectionPassed | Status::InTransit | Status::Arrived
                    if app.inspections == 0 =>
                {
                    return Err(format!(
                        "{}: {:?} without an inspection",
                        app.id, app.status
                    ));
                }
                Status::Draft if app.submitted_at.is_some() => {
                    return Err(format!("{}: draft after submission", app.id));
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

/// One party's line on a status page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyLine {
    /// Party code.
    pub party: String,
    /// `approve`, `hold`, `reject`, or `None` while awaited.
    pub decision: Option<String>,
    /// Reason code of a hold or rejection.
    pub reason_code: Option<String>,
    /// When the decision is due, while awaited in review.
    pub deadline: Option<Timestamp>,
    /// Whether the deadline has passed.
    pub overdue: bool,
}

/// What the status page of an application shows (no content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusPage {
    /// Tracking number.
    pub application_id: String,
    /// Status.
    pub status: Status,
    /// Submitted at.
    pub submitted_at: Option<Timestamp>,
    /// Content hash of the current version (what decisions are bound to).
    pub content_hash: Hash,
    /// One line per configured party.
    pub parties: Vec<PartyLine>,
}

impl Clearance {
    /// The applications `actor` may list: an agent's own company's; all for
    /// delegates, inspectors and coordinators; none for anyone else.
    pub fn visible_applications(&self, actor: &Actor) -> Vec<&Application> {
        if can(actor, Action::ListApplications, Resource::Corridor).is_err() {
            return Vec::new();
        }
        self.applications
            .values()
            .filter(|a| {
                can(
                    actor,
                    Action::ReadApplicationStatus,
                    Resource::Application {
                        company: &a.company,
                    },
                )
                .is_ok()
            })
            .collect()
    }

    /// The status page of an application, if `actor` may read it. An
    /// application the actor may not see is reported as not found.
    pub fn status_page(
        &self,
        actor: &Actor,
        application_id: &str,
        now: Timestamp,
    ) -> Result<StatusPage, ClearanceError> {
        let app = self.app(application_id)?;
        if can(
            actor,
            Action::ReadApplicationStatus,
            Resource::Application {
                company: &app.company,
            },
        )
        .is_err()
        {
            return Err(ClearanceError::NotFound(application_id.to_string()));
        }
        let parties = self
            .config
            .party_codes()
            .map(|p| {
                let d = app.decisions.get(p);
                let deadline = self.deadline(app, p, now);
                PartyLine {
                    party: p.to_string(),
                    decision: d.map(|d| d.kind.name().to_string()),
                    reason_code: d.and_then(|d| d.kind.reason_code().map(str::to_string)),
                    deadline,
                    overdue: deadline.is_some_and(|dl| now >= dl),
                }
            })
            .collect();
        Ok(StatusPage {
            application_id: app.id.clone(),
            status: app.status,
            submitted_at: app.submitted_at,
            content_hash: app.content_hash,
            parties,
        })
    }
}

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
