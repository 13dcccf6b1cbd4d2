//! The agent's declaration that a vessel is ready for inspection.

use super::*;

// ---- readiness ----

/// The agent's declaration that the vessel is ready for inspection; all four must be true.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadinessRequest {
    /// Holds ventilated after fumigation.
    pub holds_ventilated: bool,
    /// Gas readings show the holds free of fumigant.
    pub gas_free: bool,
    /// Gas-testing equipment aboard.
    pub testing_equipment_aboard: bool,
    /// Documents complete.
    pub documents_complete: bool,
    /// Free text.
    #[serde(default)]
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/readiness", tag = "inspections", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")), request_body = ReadinessRequest,
    responses((status = 200, body = Object, description = "the application, with `readiness`, `ready_at` and `not_ready_count`"),
        (status = "4XX", body = ErrorBody, description = "422 `not_ready` names the items not confirmed (details.missing)")))]
pub(crate) async fn declare_readiness(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ReadinessRequest>,
) -> ApiResult {
    visible_app(&s, &caller, &id).await?;
    s.execute(
        &caller.actor,
        Command::DeclareReadiness {
            application_id: id.clone(),
            readiness: Readiness {
                holds_ventilated: req.holds_ventilated,
                gas_free: req.gas_free,
                testing_equipment_aboard: req.testing_equipment_aboard,
                documents_complete: req.documents_complete,
                note: req.note,
            },
        },
    )
    .await
    .map_err(|e| match e {
        ServiceError::Clearance(ClearanceError::Denied(_)) => {
            ServiceError::ForbiddenRole("only the owning company's agent declares readiness")
        }
        other => other,
    })?;
    let app = readable_app(&s, &caller, &id).await?;
    ok(&app_body(&app, &s.config().inspection.checklist))
}
