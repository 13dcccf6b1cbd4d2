//! Each party's review, signed decision and release of a hold.

use super::*;

#[utoipa::path(post, path = "/api/v1/applications/{id}/review", tag = "decisions", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")),
    responses((status = 200, body = Object, description = "the status page"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn start_review(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult {
    visible_app(&s, &caller, &id).await?;
    s.execute(
        &caller.actor,
        Command::StartReview {
            application_id: id.clone(),
        },
    )
    .await?;
    status_of(&s, &caller, &id).await
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/decisions", tag = "decisions", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number")),
    request_body(content = Object, description = "a signed decision as `corridor sign` writes it: {payload:{party, application_id, application_hash, decision, time, key_id}, signature}"),
    responses((status = 200, body = Object, description = "the status page, and `receipt`: {seq, entry_hash, leaf_hash, checkpoint (signed, `text` its signed-note form), proof} for the entry logged"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn decide(
    State(s): Svc,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(decision): ApiJson<SignedDecision>,
) -> ApiResult {
    visible_app(&s, &caller, &id).await?;
    // Say why, where saying it reveals nothing: a delegate signs for their
    // own party only.
    if let Role::Delegate { party } = &caller.actor.role
        && *party != decision.payload.party
    {
        return Err(ServiceError::ForbiddenRole(
            "a party's delegate records decisions for their own party only",
        ));
    }
    let signature = decision.signature;
    s.execute(
        &caller.actor,
        Command::Decide {
            application_id: id.clone(),
            decision,
        },
    )
    .await?;
    with_receipt(&s, &caller, &id, &signature).await
}

/// The status page with a receipt for the signed entry just logged
/// (`Service::receipt`): the party keeps proof of what the log holds.
async fn with_receipt(
    s: &Service,
    caller: &Caller,
    id: &str,
    signature: &corridor_ledger::Signature,
) -> ApiResult {
    let now = s.now().await;
    let page = s.clearance().await.status_page(&caller.actor, id, now)?;
    let mut v = serde_json::to_value(&page).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let (receipt, why) = s.receipt_or_reason(signature).await;
    if let Some(m) = v.as_object_mut() {
        m.insert("receipt".into(), receipt);
        if let Some(why) = why {
            m.insert("receipt_error".into(), Value::String(why));
        }
    }
    ok(&v)
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/holds/{party}/release", tag = "decisions", security(("bearer" = [])),
    params(("id" = String, Path, description = "tracking number"), ("party" = String, Path, description = "party code")),
    request_body(content = Object, description = "the party's signed release: a SignedDecision whose decision is {\"kind\":\"release\"}"),
    responses((status = 200, body = Object, description = "the status page"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn release_hold(
    State(s): Svc,
    caller: Caller,
    ApiPath((id, party)): ApiPath<(String, String)>,
    ApiJson(decision): ApiJson<SignedDecision>,
) -> ApiResult {
    visible_app(&s, &caller, &id).await?;
    if decision.payload.party != party {
        return Err(ServiceError::Unprocessable(format!(
            "the release is signed by {}, not by {party}",
            decision.payload.party
        )));
    }
    if let Role::Delegate { party: own } = &caller.actor.role
        && *own != party
    {
        return Err(ServiceError::ForbiddenRole(
            "a party's delegate releases their own party's hold only",
        ));
    }
    let signature = decision.signature;
    s.execute(
        &caller.actor,
        Command::ReleaseHold {
            application_id: id.clone(),
            decision,
        },
    )
    .await?;
    with_receipt(&s, &caller, &id, &signature).await
}
