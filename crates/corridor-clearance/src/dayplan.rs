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

/// Why a plan, as the server shows it, is not one a party may sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShownPlanProblem {
    /// A member the plan needs is missing.
    #[error("the plan has no \"{0}\"")]
    Missing(&'static str),
    /// A draft (it shows a hash too) or an approved plan.
    #[error("the plan is {0}: only a plan submitted to the parties is signed")]
    NotSubmitted(String),
    /// `assignments` is not a list.
    #[error("the plan's \"assignments\" is not a list")]
    NotAList,
    /// An assignment (1-based) is not an object.
    #[error("assignment {0} is not an object")]
    NotAnObject(usize),
    /// An assignment (1-based) shows a member the hash does not cover.
    #[error("assignment {0} has {1:?}, which a plan's hash does not cover: refusing to sign")]
    Uncovered(usize, String),
    /// The plan names no hash.
    #[error("the plan has no \"plan_hash\" to sign")]
    NoHash,
    /// The content does not read as a plan's.
    #[error("the plan's content: {0}")]
    Content(String),
    /// The assignments shown hash to something else than the plan claims.
    #[error(
        "the plan's assignments hash to {computed}, not the {claimed} it claims: refusing to sign"
    )]
    HashMismatch {
        /// What the assignments shown hash to.
        computed: Hash,
        /// What the plan says its hash is.
        claimed: String,
    },
}

impl PlanContent {
    /// What a party signs for a plan as the server shows it (`GET
    /// /plans/{date}`): its id and the hash computed from the assignments
    /// shown, never the hash the server claims. Refused unless the plan is
    /// submitted, every assignment shows only what the hash covers (a field
    /// seen but not signed would be signed blind), and the hash computed is
    /// the one claimed. The browser's `planShownProblem` is the same rule.
    pub fn to_sign(shown: &serde_json::Value) -> Result<(String, Hash), ShownPlanProblem> {
        const SIGNED: [&str; 7] = [
            "application_id",
            "vessel_name",
            "team",
            "area",
            "start",
            "end",
            "start_at",
        ];
        let field = |name: &'static str| shown.get(name).ok_or(ShownPlanProblem::Missing(name));
        match shown.get("status").and_then(|v| v.as_str()) {
            Some("submitted") => {}
            other => {
                return Err(ShownPlanProblem::NotSubmitted(
                    other.unwrap_or("of no status").to_string(),
                ));
            }
        }
        let assignments = field("assignments")?;
        let list = assignments.as_array().ok_or(ShownPlanProblem::NotAList)?;
        for (i, a) in list.iter().enumerate() {
            let object = a.as_object().ok_or(ShownPlanProblem::NotAnObject(i + 1))?;
            if let Some(k) = object.keys().find(|k| !SIGNED.contains(&k.as_str())) {
                return Err(ShownPlanProblem::Uncovered(i + 1, k.clone()));
            }
        }
        let content: PlanContent = serde_json::from_value(serde_json::json!({
            "date": field("date")?,
            "version": field("version")?,
            "assignments": assignments,
        }))
        .map_err(|e| ShownPlanProblem::Content(e.to_string()))?;
        let hash = content
            .plan_hash()
            .map_err(|e| ShownPlanProblem::Content(e.to_string()))?;
        match shown.get("plan_hash").and_then(|v| v.as_str()) {
            Some(claimed) if Hash::from_hex(claimed).ok() == Some(hash) => {}
            Some(claimed) => {
                return Err(ShownPlanProblem::HashMismatch {
                    computed: hash,
                    claimed: claimed.to_string(),
                });
            }
            None => return Err(ShownPlanProblem::NoHash),
        }
        Ok((plan_id(&content.date), hash))
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// One check: the plan as shown, after `edit`, gives `Ok` with the
    /// computed hash, or the problem that starts with `refused`.
    fn check(edit: impl FnOnce(&mut serde_json::Value), refused: Option<&str>) {
        let content = PlanContent {
            date: "2022-10-06".into(),
            version: 2,
            assignments: vec![PlanAssignment {
                application_id: "BSGI-2022-000001".into(),
                vessel_name: "RAZONI".into(),
                team: "Team 1".into(),
                area: "Inspection Area Marmara".into(),
                start: "07:00".into(),
                end: "10:15".into(),
                start_at: "2022-10-06T04:00:00Z".parse().unwrap(),
            }],
        };
        let hash = content.plan_hash().unwrap();
        let mut shown = serde_json::to_value(&content).unwrap();
        shown["status"] = json!("submitted");
        shown["plan_hash"] = json!(hash.to_hex());
        edit(&mut shown);
        match (PlanContent::to_sign(&shown), refused) {
            (Ok((id, h)), None) => assert_eq!((id.as_str(), h), ("PLAN-2022-10-06", hash)),
            (Err(e), Some(says)) => assert!(e.to_string().starts_with(says), "{e}"),
            (got, want) => panic!("{got:?}, wanted refusal {want:?}"),
        }
    }

    #[test]
    fn a_plan_is_signed_over_what_it_shows_and_only_when_submitted() {
        check(|_| {}, None);
        check(|p| p["status"] = json!("draft"), Some("the plan is draft"));
        check(
            |p| {
                p.as_object_mut().unwrap().remove("status");
            },
            Some("the plan is of no status"),
        );
        check(
            |p| p["assignments"][0]["cargo"] = json!("wheat"),
            Some("assignment 1 has \"cargo\", which a plan's hash does not cover"),
        );
        check(
            |p| p["assignments"][0]["start"] = json!("08:00"),
            Some("the plan's assignments hash to"),
        );
        check(
            |p| p["assignments"] = json!({}),
            Some("the plan's \"assignments\" is not a list"),
        );
        check(
            |p| p["assignments"] = json!([1]),
            Some("assignment 1 is not an object"),
        );
        check(
            |p| {
                p.as_object_mut().unwrap().remove("plan_hash");
            },
            Some("the plan has no \"plan_hash\""),
        );
        check(|p| p["version"] = json!("two"), Some("the plan's content"));
    }
}
