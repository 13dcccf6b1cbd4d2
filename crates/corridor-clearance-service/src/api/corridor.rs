//! The corridor's operating state, its suspension and resumption.

use super::*;

/// The corridor's operating state.
#[derive(Debug, Serialize, ToSchema)]
pub struct CorridorBody {
    /// Corridor id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Where vessels are inspected.
    pub inspection_area: String,
    /// The ports the corridor serves, in the configuration's order, so an
    /// application form offers exactly these.
    pub ports: Vec<PortBody>,
    /// The parties whose approval decisions need, in the configuration's
    /// order.
    pub parties: Vec<PartyBody>,
    /// Suspended now.
    pub suspended: bool,
    /// Since when.
    pub suspended_since: Option<String>,
    /// Reason code.
    pub reason_code: Option<String>,
    /// The suspension's text.
    pub reason: Option<String>,
    /// The eligibility rules applications are checked against (notice,
    /// cargo, parcels, `max_port_calls`, `banned_port_calls`), so a form can
    /// check as it is filled.
    #[schema(value_type = Object)]
    pub eligibility: corridor_clearance::config::Eligibility,
    /// Overdue party decisions now.
    #[schema(value_type = Vec<Object>)]
    pub overdue: Vec<corridor_clearance::Overdue>,
    /// What an inspection confirms (`id`, `label`), in order.
    #[schema(value_type = Vec<Object>)]
    pub inspection_checklist: Vec<corridor_clearance::CheckItem>,
    /// `every_vessel` (every approved vessel waits for a passed inspection)
    /// or `on_cause` (an approved vessel is cleared on its papers; the
    /// coordinator requires an inspection where there is cause).
    #[schema(value_type = String)]
    pub inspection_policy: corridor_clearance::InspectionPolicy,
    /// The document checklist (`required`, `optional` kinds, and
    /// `max_file_bytes`), so a form offers exactly these.
    #[schema(value_type = Object)]
    pub documents: corridor_clearance::config::Documents,
}

/// A port the corridor serves.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortBody {
    /// UN/LOCODE.
    pub locode: String,
    /// The published name; the LOCODE itself for a port corridor does not
    /// know by name.
    pub name: String,
}

/// A party to the corridor.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyBody {
    /// Party code (as in actors, signatures and keys).
    pub code: String,
    /// Its name.
    pub name: String,
}

async fn corridor_body(s: &Service) -> ApiResult {
    let c = s.clearance().await;
    let now = s.now().await;
    let (since, reason) = match &c.corridor.suspended {
        Some((t, r)) => (Some(corridor_ledger::time::format(*t)), Some(r.clone())),
        None => (None, None),
    };
    let config = s.config();
    ok(&CorridorBody {
        id: config.id.clone(),
        name: config.name.clone(),
        inspection_area: config.inspection_area.clone(),
        ports: config
            .ports
            .iter()
            .map(|locode| PortBody {
                locode: locode.clone(),
                name: corridor_domain::port::by_locode(locode)
                    .map_or_else(|| locode.clone(), |p| p.name.to_owned()),
            })
            .collect(),
        parties: config
            .parties
            .iter()
            .map(|p| PartyBody {
                code: p.code.clone(),
                name: p.name.clone(),
            })
            .collect(),
        suspended: since.is_some(),
        suspended_since: since,
        reason_code: reason,
        reason: c.corridor.suspended_text.clone(),
        eligibility: s.config().eligibility.clone(),
        overdue: c.overdue(now),
        inspection_checklist: s.config().inspection.checklist.clone(),
        inspection_policy: s.config().inspection.policy,
        documents: s.config().documents.clone(),
    })
}

#[utoipa::path(get, path = "/api/v1/corridor", tag = "corridor",
    responses((status = 200, body = CorridorBody), (status = "4XX", body = ErrorBody)))]
pub(super) async fn corridor_state(State(s): Svc) -> ApiResult {
    corridor_body(&s).await
}

/// Why the corridor is suspended.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendRequest {
    /// Reason code.
    pub reason_code: String,
    /// Text.
    pub text: String,
}

#[utoipa::path(post, path = "/api/v1/corridor/suspend", tag = "corridor", security(("bearer" = [])), request_body = SuspendRequest,
    responses((status = 200, body = CorridorBody), (status = "4XX", body = ErrorBody)))]
pub(super) async fn suspend(
    State(s): Svc,
    caller: Caller,
    ApiJson(req): ApiJson<SuspendRequest>,
) -> ApiResult {
    s.execute(
        &caller.actor,
        Command::Suspend {
            reason_code: req.reason_code,
            text: req.text,
        },
    )
    .await?;
    corridor_body(&s).await
}

#[utoipa::path(post, path = "/api/v1/corridor/resume", tag = "corridor", security(("bearer" = [])),
    responses((status = 200, body = CorridorBody), (status = "4XX", body = ErrorBody)))]
pub(super) async fn resume(State(s): Svc, caller: Caller) -> ApiResult {
    s.execute(&caller.actor, Command::Resume).await?;
    corridor_body(&s).await
}
