//! What an actor may see of applications: the list and an application's status page.

use super::*;

/// One party's line on a status page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyLine {
    /// Party code.
    pub party: String,
    /// `approve`, `hold`, `reject`, or `None` while awaited.
    pub decision: Option<String>,
    /// Reason code of a hold or rejection.
    pub reason_code: Option<String>,
    /// The party's own words with a hold or rejection: what the agent must
    /// put right.
    pub reason: Option<String>,
    /// When the decision is due, while awaited in review.
    pub deadline: Option<Timestamp>,
    /// Whether the deadline has passed.
    pub overdue: bool,
    /// The party's decision on the version the last amendment replaced,
    /// which the amendment voided (a hold's reason stays in view).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_amendment: Option<EarlierDecision>,
}

/// A decision an amendment voided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlierDecision {
    /// `approve`, `hold` or `reject`.
    pub decision: String,
    /// Reason code of a hold or rejection.
    pub reason_code: Option<String>,
    /// The party's words with a hold or rejection.
    pub reason: Option<String>,
}

fn reason_text(d: &PartyDecision) -> Option<String> {
    match &d.kind {
        DecisionKind::Hold { text, .. } | DecisionKind::Reject { text, .. } => Some(text.clone()),
        _ => None,
    }
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
    /// Approved and free to sail without an inspection (the on-cause
    /// policy, no cause given).
    #[serde(default)]
    pub cleared_on_papers: bool,
    /// Why an inspection was required, under the on-cause policy: what the
    /// agent is told.
    #[serde(default)]
    pub inspection_cause: Option<String>,
    /// When the application lapses unless it moves on: a draft or one in
    /// review by its ETA, an approved vessel's clearance by its validity
    /// (suspensions added). `None` once inspected or ended.
    #[serde(default)]
    pub lapses_at: Option<Timestamp>,
    /// When the last amendment replaced the version before (every
    /// decision on it voided; `parties[].before_amendment` says which).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amended_at: Option<Timestamp>,
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
                    reason: d.and_then(reason_text),
                    deadline,
                    overdue: deadline.is_some_and(|dl| now >= dl),
                    before_amendment: app
                        .before_amendment
                        .as_ref()
                        .and_then(|r| r.decisions.get(p))
                        .map(|d| EarlierDecision {
                            decision: d.kind.name().to_string(),
                            reason_code: d.kind.reason_code().map(str::to_string),
                            reason: reason_text(d),
                        }),
                }
            })
            .collect();
        Ok(StatusPage {
            application_id: app.id.clone(),
            status: app.status,
            submitted_at: app.submitted_at,
            content_hash: app.content_hash,
            parties,
            cleared_on_papers: app.cleared_on_papers,
            inspection_cause: app.inspection_cause.as_ref().map(|c| c.reason.clone()),
            lapses_at: self.lapses_at(app, now),
            amended_at: app.before_amendment.as_ref().map(|r| r.at),
        })
    }
}
