//! Roles and the pure authorisation function [`can`].
//!
//! Every route of the server maps to one [`Action`] on one [`Resource`] and
//! calls `can(actor, action, resource)` before touching anything. Ownership
//! is part of the rule: an agent only touches their own company's
//! applications, a delegate only decides for their own party. A refusal
//! ([`Denied`]) displays as a fixed, uninformative message, so the HTTP
//! layer can return it (403, or 404 for things the actor may not even see)
//! without leaking what exists.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a user is, for authorisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Role {
    /// Acts for one shipping company.
    Agent { company: String },
    /// Delegate of one party (delegation).
    Delegate { party: String },
    /// Joint inspection team member.
    Inspector,
    /// Runs the daily plan: reviews, inspections, movements, suspension.
    Coordinator,
    /// Technical administration: users and keys.
    Admin,
    /// Scheduled jobs of the server itself (expiry).
    System,
    /// Anyone, not logged in.
    Public,
}

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Stable user id, written to the log as the entry's actor.
    pub id: String,
    /// The role.
    pub role: Role,
}

impl Actor {
    /// An actor with a role.
    pub fn new(id: &str, role: Role) -> Self {
        Actor {
            id: id.to_string(),
            role,
        }
    }
}

/// Everything a route can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Create a draft application.
    CreateApplication,
    /// Change a draft, or amend a held application.
    EditApplication,
    /// Submit a draft.
    SubmitApplication,
    /// Withdraw an application.
    WithdrawApplication,
    /// Read an application's full content.
    ReadApplication,
    /// Read an application's status page.
    ReadApplicationStatus,
    /// List applications.
    ListApplications,
    /// Start the review of a submitted application.
    StartReview,
    /// Record a party's signed decision.
    Decide,
    /// Release a hold the party placed.
    ReleaseHold,
    /// Schedule an inspection.
    ScheduleInspection,
    /// Record an inspection's result.
    RecordInspection,
    /// Record a departure, arrival or closing.
    RecordMovement,
    /// Expire applications past their time.
    ExpireApplication,
    /// Suspend the whole corridor.
    SuspendCorridor,
    /// Resume the corridor.
    ResumeCorridor,
    /// Register or rotate a party's public key.
    ManagePartyKeys,
    /// Manage users and tokens.
    ManageUsers,
    /// Read the full log and proofs.
    ReadLog,
    /// Read signed checkpoints.
    ReadCheckpoint,
    /// Read accountability figures.
    ReadAccountability,
    /// Declare a vessel ready for inspection.
    DeclareReadiness,
    /// Move a vessel in the inspection queue (with a reason).
    OverrideQueue,
    /// Read a daily inspection plan.
    ReadPlan,
    /// Change or submit a daily inspection plan.
    EditPlan,
    /// Record a party's signed decision on a daily plan.
    DecidePlan,
    /// Read the day's inspections (vessel, cargo, readiness).
    ReadInspections,
    /// Acknowledge a tracking alert (with a note of what was done).
    AcknowledgeAlert,
    /// Declare or lift a day off or a stoppage of the inspection teams.
    DeclareStoppage,
    /// Record that a vessel reached the inspection area (tracking or the coordinator).
    RecordAreaArrival,
    /// Require an inspection, with its cause, of a vessel the corridor's
    /// rules clear on its papers.
    RequireInspection,
}

/// What is acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    /// The corridor as a whole (suspension, lists, checkpoints, accountability).
    Corridor,
    /// One application, by its owning company.
    Application { company: &'a str },
    /// A party's decision or keys.
    Party { party: &'a str },
    /// A party's decision on one application.
    Decision { party: &'a str, company: &'a str },
    /// Users and tokens.
    Users,
}

/// Why an action was refused (kept for audit logs; not shown to the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyReason {
    /// The role may never do this.
    Role,
    /// The application belongs to another company.
    OtherCompany,
    /// The decision or key is another party's.
    OtherParty,
    /// The action does not apply to that kind of resource.
    WrongResource,
}

/// Refusal. `Display` is deliberately the same for every cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("not permitted")]
pub struct Denied {
    /// The refused action.
    pub action: Action,
    /// The internal reason.
    pub reason: DenyReason,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

/// The authorisation rule. Pure: same inputs, same answer.
pub fn can(actor: &Actor, action: Action, resource: Resource<'_>) -> Result<(), Denied> {
    use Action::*;
    let deny = |reason| Err(Denied { action, reason });
    let ok = Ok(());
    // Public reads are open to everyone.
    if matches!(action, ReadCheckpoint | ReadAccountability) {
        return match resource {
            Resource::Corridor => ok,
            _ => deny(DenyReason::WrongResource),
        };
    }
    match &actor.role {
        Role::Public => deny(DenyReason::Role),
        Role::Agent { company } => match action {
            CreateApplication
            | EditApplication
            | SubmitApplication
            | WithdrawApplication
            | ReadApplication
            | ReadApplicationStatus
            | DeclareReadiness => match resource {
                Resource::Application { company: owner } if owner == company => ok,
                Resource::Application { .. } => deny(DenyReason::OtherCompany),
                _ => deny(DenyReason::WrongResource),
            },
            // Agents list only their own company's applications (the server filters by company).
            ListApplications => match resource {
                Resource::Corridor => ok,
                _ => deny(DenyReason::WrongResource),
            },
            _ => deny(DenyReason::Role),
        },
        Role::Delegate { party } => match action {
            ReadApplication | ReadApplicationStatus => match resource {
                Resource::Application { .. } => ok,
                _ => deny(DenyReason::WrongResource),
            },
            ListApplications | ReadLog | ReadPlan => match resource {
                Resource::Corridor => ok,
                _ => deny(DenyReason::WrongResource),
            },
            DecidePlan => match resource {
                Resource::Party { party: p } if p == party => ok,
                Resource::Party { .. } => deny(DenyReason::OtherParty),
                _ => deny(DenyReason::WrongResource),
            },
            Decide | ReleaseHold => match resource {
                Resource::Decision { party: p, .. } if p == party => ok,
                Resource::Decision { .. } => deny(DenyReason::OtherParty),
                _ => deny(DenyReason::WrongResource),
            },
            // A delegate may publish their own party's new public key (rotation).
            ManagePartyKeys => match resource {
                Resource::Party { party: p } if p == party => ok,
                Resource::Party { .. } => deny(DenyReason::OtherParty),
                _ => deny(DenyReason::WrongResource),
            },
            _ => deny(DenyReason::Role),
        },
        Role::Inspector => match action {
            ReadApplication | ReadApplicationStatus => match resource {
                Resource::Application { .. } => ok,
                _ => deny(DenyReason::WrongResource),
            },
            RecordInspection => match resource {
                Resource::Application { .. } => ok,
                _ => deny(DenyReason::WrongResource),
            },
            ListApplications | ReadLog | ReadPlan | ReadInspections => match resource {
                Resource::Corridor => ok,
                _ => deny(DenyReason::WrongResource),
            },
            _ => deny(DenyReason::Role),
        },
        Role::Coordinator => match action {
            ReadApplication
            | ReadApplicationStatus
            | StartReview
            | ScheduleInspection
            | RecordMovement
            | RecordAreaArrival
            | RequireInspection
            | ExpireApplication => match resource {
                Resource::Application { .. } => ok,
                _ => deny(DenyReason::WrongResource),
            },
            ListApplications | ReadLog | SuspendCorridor | ResumeCorridor | OverrideQueue
            | ReadPlan | EditPlan | ReadInspections | AcknowledgeAlert | DeclareStoppage => {
                match resource {
                    Resource::Corridor => ok,
                    _ => deny(DenyReason::WrongResource),
                }
            }
            _ => deny(DenyReason::Role),
        },
        Role::Admin => match action {
            ManageUsers => match resource {
                Resource::Users => ok,
                _ => deny(DenyReason::WrongResource),
            },
            ManagePartyKeys => match resource {
                Resource::Party { .. } => ok,
                _ => deny(DenyReason::WrongResource),
            },
            // Not the log: it holds every application's content, which the
            // admin may not read (hostile review, 2026-11-30). Its
            // checkpoint and the key events are public.
            _ => deny(DenyReason::Role),
        },
        Role::System => match action {
            ExpireApplication | StartReview | RecordAreaArrival => match resource {
                Resource::Application { .. } => ok,
                _ => deny(DenyReason::WrongResource),
            },
            _ => deny(DenyReason::Role),
        },
    }
}
