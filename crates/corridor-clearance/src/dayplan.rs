//! Inspections: the agent's readiness declaration, the coordinator's queue
//! overrides, and the daily inspection plan that the parties approve with
//! signed decisions like any application.
//!
//! The plan's *content* ([`PlanContent`]: date, version, assignments) is
//! hashed like an application's content; a party signs a
//! [`corridor_ledger::DecisionPayload`] whose `application_id` is
//! [`plan_id`]`(date)` (`PLAN-YYYY-MM-DD`) and whose `application_hash` is the
//! plan hash of the current version. An edit makes a new version, so a
//! signature over an older version no longer matches. Which vessels may be
//! planned, and whether the times fit the teams' windows, is checked by the
//! caller with the planner before it builds the command: this crate keeps
//! the versions, the approvals and their effect on the applications.

use corridor_ledger::{CanonicalError, Hash, KeyId, to_canonical_bytes};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the agent declares when the vessel is ready for inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Readiness {
    /// Holds ventilated after fumigation.
    pub holds_ventilated: bool,
    /// Gas readings show the holds free of fumigant.
    pub gas_free: bool,
    /// Gas-testing equipment is aboard for the inspectors.
    pub testing_equipment_aboard: bool,
    /// Every document the inspectors need is aboard and complete.
    pub documents_complete: bool,
    /// Free text.
    #[serde(default)]
    pub note: Option<String>,
}

impl Readiness {
    /// The items not confirmed, by their field names, in declaration order.
    pub fn missing(&self) -> Vec<&'static str> {
        [
            ("holds_ventilated", self.holds_ventilated),
            ("gas_free", self.gas_free),
            ("testing_equipment_aboard", self.testing_equipment_aboard),
            ("documents_complete", self.documents_complete),
        ]
        .into_iter()
        .filter(|(_, ok)| !ok)
        .map(|(name, _)| name)
        .collect()
    }
}

/// Longest note kept with a declaration or an override reason (characters).
pub const MAX_TEXT_CHARS: usize = 2000;

/// A coordinator's move of one vessel in the queue, logged with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueOverride {
    /// The vessel's application.
    pub application_id: String,
    /// New place, 1-based (clamped to the queue's length), or …
    #[serde(default)]
    pub place: Option<u32>,
    /// … just before this application.
    #[serde(default)]
    pub before: Option<String>,
    /// Why (required).
    pub reason: String,
    /// Who decided (the log entry's actor).
    pub by: String,
    /// When it was logged.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub at: Timestamp,
}

/// One inspection in a daily plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanAssignment {
    /// The vessel's application.
    pub application_id: String,
    /// Vessel name (for people reading the plan).
    pub vessel_name: String,
    /// Team name.
    pub team: String,
    /// Inspection area.
    pub area: String,
    /// Start, `HH:MM` local time.
    pub start: String,
    /// End, `HH:MM` local time.
    pub end: String,
    /// Start as an instant (what the application is scheduled at).
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub start_at: Timestamp,
}

/// What a plan's hash covers and the parties sign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanContent {
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// Version, from 1 (the generated draft); every edit adds one.
    pub version: u32,
    /// The inspections.
    pub assignments: Vec<PlanAssignment>,
}

impl PlanContent {
    /// SHA-256 of the canonical JSON of the content.
    pub fn plan_hash(&self) -> Result<Hash, CanonicalError> {
        Ok(Hash::of(&to_canonical_bytes(self)?))
    }
}

/// The id a plan decision names: `PLAN-YYYY-MM-DD`.
pub fn plan_id(date: &str) -> String {
    format!("PLAN-{date}")
}

/// Where a daily plan is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Being prepared by the coordinator.
    Draft,
    /// Sent to the parties for their signed approval.
    Submitted,
    /// Every required party approved this version; the inspections are scheduled.
    Approved,
}

/// A party's signed decision on the current version of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanApproval {
    /// Party code.
    pub party: String,
    /// `approve`, `hold` or `reject`.
    pub decision: corridor_ledger::DecisionKind,
    /// When it was signed.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub signed_at: Timestamp,
    /// When it was logged.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub at: Timestamp,
    /// The key used.
    pub key_id: KeyId,
}

/// A stored daily plan (the latest version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayPlan {
    /// The current version's content.
    pub content: PlanContent,
    /// Its hash.
    pub plan_hash: Hash,
    /// Where it is.
    pub status: PlanStatus,
    /// Why the current version was made (an edit's reason; `None` for the generated draft).
    pub reason: Option<String>,
    /// Scores of the version as it was made (the optimiser's and FIFO's), kept for display.
    pub scores: serde_json::Value,
    /// Current decisions on the current version, by party.
    pub approvals: BTreeMap<String, PlanApproval>,
    /// When the current version was made.
    pub updated_at: Timestamp,
    /// When it was submitted.
    pub submitted_at: Option<Timestamp>,
    /// When it was approved.
    pub approved_at: Option<Timestamp>,
}
