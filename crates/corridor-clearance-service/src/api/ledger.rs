//! The parties' keys and the log: checkpoints, proofs, export and
//! accountability.

use super::*;

// ---- party keys ----

#[utoipa::path(get, path = "/api/v1/parties/keys", tag = "keys",
    responses((status = 200, body = Vec<Object>, description = "every party key, current and retired (public keys only)"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn party_keys(State(s): Svc) -> ApiResult {
    ok(&s.keys().await.records())
}

/// A party's new public key.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRequest {
    /// SPKI PEM or base64 of the 32 raw bytes.
    pub public_key: String,
    /// Required for every key after the party's first: the party's most
    /// recent key signing the new one.
    #[serde(default)]
    pub endorsement: Option<EndorsementRequest>,
}

/// The party's most recent key signing
/// `corridor-key-rotation-v3\n<origin>\n<log size>\n<log root>\n<signed at>\n<party>\n<that key's id>\n<new key, base64>\n`,
/// where `<origin>`, `<log size>` and `<log root>` (hex) are those of a
/// recent `GET /api/v1/log/checkpoint` and `<signed at>` the time of signing
/// (RFC 3339, whole seconds, UTC) (`corridor keys rotate` does this with
/// the party's key file). It is refused a day after its signing, and once
/// an entry logged after that checkpoint is more than a day old.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndorsementRequest {
    /// Id of the endorsing key.
    pub key_id: String,
    /// `size` of the checkpoint signed over.
    pub log_size: u64,
    /// Its `root`, 64 lowercase hex characters.
    pub log_root: String,
    /// When it was signed: `YYYY-MM-DDTHH:MM:SSZ`.
    pub signed_at: String,
    /// Ed25519 signature, standard base64.
    pub signature: String,
}

#[utoipa::path(post, path = "/api/v1/parties/{party}/keys", tag = "keys", security(("bearer" = [])),
    params(("party" = String, Path, description = "party code")), request_body = KeyRequest,
    responses((status = 201, body = Object, description = "the key record; the party's previous key is retired from now"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn register_key(
    State(s): Svc,
    caller: Caller,
    ApiPath(party): ApiPath<String>,
    ApiJson(req): ApiJson<KeyRequest>,
) -> ApiResult {
    can(
        &caller.actor,
        Action::ManagePartyKeys,
        Resource::Party { party: &party },
    )
    .map_err(|_| ServiceError::Forbidden)?;
    let key = PublicKey::from_text(&req.public_key)
        .map_err(|e| ServiceError::Unprocessable(format!("public_key: {e}")))?;
    let endorsement = req
        .endorsement
        .map(|e| {
            let signature = Signature::from_base64(&e.signature).map_err(|err| {
                ServiceError::Unprocessable(format!("endorsement.signature: {err}"))
            })?;
            // Lowercase only: the signed text carries the root as written.
            let log_root = Hash::from_hex(&e.log_root)
                .ok()
                .filter(|h| h.to_hex() == e.log_root)
                .ok_or_else(|| {
                    ServiceError::Unprocessable(
                        "endorsement.log_root: not 64 lowercase hex characters".into(),
                    )
                })?;
            // One spelling, as signed: the text carries the time as written.
            let signed_at = corridor_ledger::time::parse(&e.signed_at)
                .ok()
                .filter(|t| corridor_ledger::time::format(*t) == e.signed_at)
                .ok_or_else(|| {
                    ServiceError::Unprocessable(
                        "endorsement.signed_at: not a time like 2023-06-14T09:30:00Z".into(),
                    )
                })?;
            Ok::<_, ServiceError>(Endorsement {
                key_id: KeyId(e.key_id),
                log_size: e.log_size,
                log_root,
                signed_at,
                signature,
            })
        })
        .transpose()?;
    let record = s
        .register_key(&caller.actor, &party, key, endorsement)
        .await?;
    json_response(StatusCode::CREATED, &record)
}

// ---- log ----

#[utoipa::path(get, path = "/api/v1/log/checkpoint", tag = "log",
    responses((status = 200, body = Object, description = "signed tree head {origin, size, root, time, key_id, signature}; `text` is the signed-note form and `log_key` the public key"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn checkpoint(State(s): Svc) -> ApiResult {
    let c = s.checkpoint().await?;
    let mut v = serde_json::to_value(&c).map_err(|e| ServiceError::Internal(e.to_string()))?;
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "text".into(),
            Value::String(
                c.to_text()
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
            ),
        );
        o.insert(
            "log_key".into(),
            Value::String(s.log_public_key().to_base64()),
        );
    }
    ok(&v)
}

/// Tree size for a proof.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SizeQuery {
    /// Tree size (default: the whole log).
    pub size: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/log/entries/{seq}/proof", tag = "log", security((), ("bearer" = [])),
    params(("seq" = u64, Path, description = "entry seq"), SizeQuery),
    responses((status = 200, body = Object, description = "{seq, leaf_hash, size, root, proof[]}, and the entry itself for those who may read the log (anyone holding the entry, or a receipt's leaf hash, can check it against a published checkpoint)"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn inclusion_proof(
    State(s): Svc,
    caller: Caller,
    ApiPath(seq): ApiPath<String>,
    ApiQuery(q): ApiQuery<SizeQuery>,
) -> ApiResult {
    // The proof is hashes only, for anyone: checkpoints are public, and a
    // proof is what lets an outsider check an entry against one (issue 5;
    // the interface check, session 19, found it for log readers only).
    // The entry itself stays with those who may read the log.
    let reads_log = can(&caller.actor, Action::ReadLog, Resource::Corridor).is_ok();
    let seq: u64 = seq
        .parse()
        .map_err(|_| ServiceError::BadRequest("seq must be a non-negative integer".into()))?;
    let size = match q.size {
        Some(n) => n,
        None => s.checkpoint().await?.size,
    };
    let (entry, root, proof) = s.inclusion_proof(seq, size).await?;
    let mut body = json!({"seq": seq, "size": size, "leaf_hash": entry.leaf_hash(), "root": root, "proof": proof});
    if reads_log {
        body["entry"] =
            serde_json::to_value(&entry).map_err(|e| ServiceError::Internal(e.to_string()))?;
    }
    ok(&body)
}

/// Two tree sizes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The older size.
    pub first: u64,
    /// The newer size.
    pub second: u64,
}

#[utoipa::path(get, path = "/api/v1/log/consistency", tag = "log",
    params(ConsistencyQuery),
    responses((status = 200, body = Object, description = "{first, second, first_root, second_root, proof[]}"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn consistency_proof(
    State(s): Svc,
    caller: Caller,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> ApiResult {
    can(&caller.actor, Action::ReadCheckpoint, Resource::Corridor)
        .map_err(|_| ServiceError::Forbidden)?;
    let (first_root, second_root, proof) = s.consistency_proof(q.first, q.second).await?;
    ok(
        &json!({"first": q.first, "second": q.second, "first_root": first_root, "second_root": second_root, "proof": proof}),
    )
}

#[utoipa::path(get, path = "/api/v1/log/export", operation_id = "export_log", tag = "log", security(("bearer" = [])),
    responses((status = 200, body = Object, description = "corridor-log-export-v1, as tools/verify_log.py reads it"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn export(State(s): Svc, caller: Caller) -> ApiResult {
    can(&caller.actor, Action::ReadLog, Resource::Corridor).map_err(|_| ServiceError::Forbidden)?;
    ok(&s.export().await?)
}

#[utoipa::path(get, path = "/api/v1/accountability", tag = "log",
    responses((status = 200, body = Object, description = "per party: decisions, approvals, median and p90 seconds to decide, holds and rejections by reason, seconds_held (how long its holds kept applications waiting, up to now) and holds_open, seconds_overdue (past its deadlines without its decision, up to now) and overdue_undecided (waits that ended overdue without its decision), overdue now; plans: the same for its decisions on the daily inspection plans, with late decisions and the days overdue now"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn accountability(State(s): Svc, caller: Caller) -> ApiResult {
    can(
        &caller.actor,
        Action::ReadAccountability,
        Resource::Corridor,
    )
    .map_err(|_| ServiceError::Forbidden)?;
    ok(&s.accountability().await?)
}

/// How the monthly operations figures are given.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OperationsQuery {
    /// `json` (the default) or `csv` (one row a month, as open data).
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/operations", tag = "log", params(OperationsQuery),
    responses(
        (status = 200, description = "per month on the centre's clock (time_zone), from the log: applications submitted, cleared (and cleared on their papers, with the tonnes they declared), rejected, withdrawn, expired; first arrivals at the inspection area; inspections by outcome; departures; and days to clear (submission to approval), days waiting for inspection (arrival to the verdict) and days in the inspection area (arrival to departure), each as count, mean and median",
            content((Object = "application/json"), (String = "text/csv"))),
        (status = "4XX", body = ErrorBody)))]
pub(super) async fn operations(
    State(s): Svc,
    caller: Caller,
    ApiQuery(q): ApiQuery<OperationsQuery>,
) -> ApiResult {
    can(
        &caller.actor,
        Action::ReadAccountability,
        Resource::Corridor,
    )
    .map_err(|_| ServiceError::Forbidden)?;
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ServiceError::BadRequest(format!(
                "format: {other:?} is not one of json, csv"
            )));
        }
    };
    let figures = s.operations().await?;
    if !csv {
        return ok(&figures);
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"corridor-operations.csv\"",
            ),
        ],
        operations_csv(&figures),
    )
        .into_response())
}

/// The figures as CSV, one row a month; a duration's empty cells mean no
/// such wait ended that month.
fn operations_csv(f: &corridor_clearance::Operations) -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "month,time_zone,submitted,cleared,cleared_on_papers,tonnes_cleared,rejected,withdrawn,expired,\
         arrived,inspections_passed,inspections_failed_not_ready,inspections_failed_non_compliant,departed,\
         days_to_clear_count,days_to_clear_mean,days_to_clear_median,\
         days_waiting_for_inspection_count,days_waiting_for_inspection_mean,days_waiting_for_inspection_median,\
         days_in_inspection_area_count,days_in_inspection_area_mean,days_in_inspection_area_median\n",
    );
    let num = |v: Option<f64>| v.map(|d| format!("{d:.2}")).unwrap_or_default();
    for m in &f.months {
        let i = &m.inspections;
        let _ = write!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            m.month,
            f.time_zone,
            m.submitted,
            m.cleared,
            m.cleared_on_papers,
            m.tonnes_cleared,
            m.rejected,
            m.withdrawn,
            m.expired,
            m.arrived,
            i.passed,
            i.failed_not_ready,
            i.failed_non_compliant,
            m.departed
        );
        for d in [
            &m.days_to_clear,
            &m.days_waiting_for_inspection,
            &m.days_in_inspection_area,
        ] {
            let _ = write!(out, ",{},{},{}", d.count, num(d.mean), num(d.median));
        }
        out.push('\n');
    }
    out
}
