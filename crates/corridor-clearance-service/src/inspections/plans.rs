//! The daily plan: drafts, the coordinator's versions, submission and
//! the parties' signed decisions.

use super::*;

use super::planning::Planning;

/// Refuses `plan` (if any), in `refusal`'s words, when [`requeue_problem`]
/// refuses one of its assignments, or when it leaves no team free for one
/// of its day's bookings by hand (made after the version was drafted).
fn refuse_plan(
    s: &Service,
    clearance: &Clearance,
    now: Timestamp,
    plan: Option<&DayPlan>,
    refusal: impl FnOnce(String) -> String,
) -> Result<(), ServiceError> {
    let Some(plan) = plan else {
        return Ok(());
    };
    let cap = s.capacity();
    let tz = centre_tz(cap)?;
    let mut why = plan.content.assignments.iter().find_map(|a| {
        let app = clearance.applications.get(&a.application_id)?;
        requeue_problem(app, a.start_at, cap, &tz)
    });
    if why.is_none() {
        let day = parse_day(&plan.content.date)?;
        let planning = Planning::new(s, clearance, now)?;
        let p = planning.teams_of(day)?;
        why = planning.crowds_out_by_hand(&p, &plan.content.assignments);
    }
    match why {
        Some(why) => Err(ClearanceError::PlanConflict(refusal(why)).into()),
        None => Ok(()),
    }
}

fn score_json(s: &PlanScore, plan: &Plan) -> Value {
    json!({
        "inspections": s.inspections,
        "place_sum": s.place_sum,
        "travel_minutes": s.travel_minutes,
        "count_upper_bound": plan.count_upper_bound,
        "method": plan.method,
    })
}

/// How far ahead a daily plan may be made and sent to the parties.
const PLAN_AHEAD_DAYS: i32 = 60;

/// A day whose plan may still be changed or sent to the parties: from the
/// centre's today to [`PLAN_AHEAD_DAYS`] on (a plan for a day gone by, or
/// for the year 9999, was stored and put before the delegations).
async fn plannable(s: &Service, day: Date) -> Result<(), ServiceError> {
    let tz = centre_tz(s.capacity())?;
    let today = s.now().await.to_zoned(tz).date();
    let last = today
        .checked_add(jiff::Span::new().days(PLAN_AHEAD_DAYS))
        .unwrap_or(today);
    if day < today {
        return Err(ServiceError::Conflict(format!(
            "the plan for {day} cannot be changed or sent: the day has passed (today is {today} at the centre)"
        )));
    }
    if day > last {
        return Err(ServiceError::Unprocessable(format!(
            "the plan for {day} is more than {PLAN_AHEAD_DAYS} days ahead (until {last})"
        )));
    }
    Ok(())
}

// ---- the daily plan ----

/// One assignment as the coordinator edits it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentRequest {
    /// The vessel's application (waiting and declared ready on that day).
    pub application_id: String,
    /// Team name (as in the plan's `teams`).
    pub team: String,
    /// Start, `HH:MM` local time.
    pub start: String,
    /// End, `HH:MM`; must be the start plus the inspection's duration (default: exactly that).
    #[serde(default)]
    pub end: Option<String>,
    /// Area (default: the vessel's).
    #[serde(default)]
    pub area: Option<String>,
    /// Ignored (the server fills it in); accepted so a plan's assignments can be sent back as they came.
    #[serde(default)]
    pub vessel_name: Option<String>,
    /// Ignored, likewise.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub start_at: Option<Value>,
}

/// A new version of the day's plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanEditRequest {
    /// The version this edit was made from: `version` as GET showed it (1
    /// for the optimiser's draft). Another version stored since is a 409,
    /// so one coordinator's edit never silently undoes another's.
    pub based_on: u32,
    /// Why the plan is changed (required, logged).
    pub reason: String,
    /// Every inspection of the day (replaces the previous assignments).
    pub assignments: Vec<AssignmentRequest>,
}

/// The optimiser's draft of a stored plan's day, drawn again.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedraftRequest {
    /// The version shown (`version` of GET): another version stored since
    /// is a 409, as for an edit.
    pub based_on: u32,
    /// Why the plan is drawn again (required, logged): a withdrawal, a
    /// hold, a rejection, a stoppage.
    pub reason: String,
}

/// The plan of `date`: the stored one, or a fresh draft from the optimiser.
async fn plan_body(s: &Service, date: &str, day: Date) -> Result<Value, ServiceError> {
    let clearance = s.clearance().await;
    // One reading of the clock: two could fall either side of midnight
    // or the day's deadline.
    let now = s.now().await;
    let planning = Planning::new(s, &clearance, now)?;
    let (base, _) = planning.problem(day, now, false)?;
    let stored = clearance.plans.get(date);
    // A draft keeps a team's time clear for each booking by hand; a stored
    // version says which team it leaves free for each (`by_hand`).
    let mut p = base.clone();
    if stored.is_none() {
        planning.keep_clear(&mut p);
    }
    let (content, hash, status, scores, reason, stored_plan) = match stored {
        Some(plan) => (
            plan.content.clone(),
            plan.plan_hash,
            plan.status,
            plan.scores.clone(),
            plan.reason.clone(),
            Some(plan),
        ),
        None => {
            let (content, scores) = generate(&planning, &p, date)?;
            let hash = content
                .plan_hash()
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            (content, hash, PlanStatus::Draft, scores, None, None)
        }
    };
    let approvals: Vec<Value> = stored_plan
        .map(|pl| {
            pl.approvals
                .values()
                .map(|a| {
                    json!({
                        "party": a.party,
                        "decision": a.decision.name(),
                        "reason_code": a.decision.reason_code(),
                        // The party's own words: the coordinator revises by them before 16:00.
                        "reason": match &a.decision {
                            DecisionKind::Hold { text, .. } | DecisionKind::Reject { text, .. } => Some(text.as_str()),
                            _ => None,
                        },
                        "time": corridor_ledger::time::format(a.signed_at),
                        "logged_at": corridor_ledger::time::format(a.at),
                        "key_id": a.key_id,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let teams: Vec<Value> = p
        .teams
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "start": hhmm(t.start),
                "end": hhmm(t.end),
                "home_area": p.areas.get(t.start_area),
                // Time left clear in the window for bookings made by hand.
                "kept_clear": t.reserved,
            })
        })
        .collect();
    let by_hand: Vec<Value> = planning
        .fit_by_hand(&base, &content.assignments, status == PlanStatus::Approved)
        .into_iter()
        .map(|(b, fit)| {
            use corridor_planner::plan::Fit;
            json!({
                "application_id": b.id,
                "vessel_name": b.vessel_name,
                "start": hhmm(b.start),
                "end": hhmm(b.start + b.minutes),
                // The team the plan leaves free for it; null when none is
                // (`fits` false) or it falls outside every window (overtime).
                "team": match fit {
                    Fit::Team(t) => base.teams.get(t).map(|t| Value::String(t.name.clone())).unwrap_or(Value::Null),
                    Fit::Overtime | Fit::NoTeam => Value::Null,
                },
                "fits": fit != Fit::NoTeam,
            })
        })
        .collect();
    let time = |t: Option<Timestamp>| t.map(corridor_ledger::time::format);
    // A version with the parties that the last approval could no longer
    // book (a vessel withdrawn, failed not ready or booked elsewhere since):
    // said now, not when a party's approval is refused (session 25's
    // review: the coordinator learned it only from that party).
    let blocked = match stored_plan {
        Some(pl) if pl.status == PlanStatus::Submitted => {
            clearance.plan_unbookable(&pl.content, now).or_else(|| {
                refuse_plan(s, &clearance, now, Some(pl), |why| why)
                    .err()
                    .map(|e| e.to_string())
            })
        }
        _ => None,
    };
    Ok(json!({
        "date": date,
        "cannot_be_approved": blocked,
        "by_hand": by_hand,
        "application_id": plan_id(date),
        "status": plan_status_text(status),
        // Submitted, and the parties' decisions reject it under the
        // consensus rule: the coordinator revises it or draws it again
        // (until then it stays `submitted`, since a party may still change
        // its decision on this version).
        "rejected": clearance.plan_rejected(date),
        "stored": stored_plan.is_some(),
        "version": content.version,
        "assignments": content.assignments,
        "score": scores.get("score").cloned().unwrap_or(Value::Null),
        "fifo_score": scores.get("fifo_score").cloned().unwrap_or(Value::Null),
        "plan_hash": hash,
        "reason": reason,
        "approvals": approvals,
        "required_parties": clearance.config.party_codes().collect::<Vec<_>>(),
        "deadlines": {
            "departure_plan": s.capacity().deadlines.departure_plan,
            "approved_plan": s.capacity().deadlines.approved_plan,
        },
        "time_zone": s.capacity().time_zone,
        "teams": teams,
        "areas": p.areas,
        "updated_at": time(stored_plan.map(|pl| pl.updated_at)),
        "submitted_at": time(stored_plan.and_then(|pl| pl.submitted_at)),
        "approved_at": time(stored_plan.and_then(|pl| pl.approved_at)),
    }))
}

/// The optimiser's draft (version 1) with its score and FIFO's.
fn generate(
    planning: &Planning<'_>,
    p: &DayProblem,
    date: &str,
) -> Result<(PlanContent, Value), ServiceError> {
    let best = plan_optimised(p).map_err(planner_error)?;
    let fifo = plan_fifo(p).map_err(planner_error)?;
    let content = PlanContent {
        date: date.to_string(),
        version: 1,
        assignments: planning.assignments(p, &best)?,
    };
    let scores = json!({
        "score": score_json(&best.score, &best),
        "fifo_score": score_json(&fifo.score, &fifo),
    });
    Ok((content, scores))
}

fn require_plan_reader(caller: &Caller) -> Result<(), ServiceError> {
    can(&caller.actor, Action::ReadPlan, Resource::Corridor).map_err(|_| {
        ServiceError::ForbiddenRole(
            "the daily plan is for the coordinator, the parties' delegates and inspectors",
        )
    })
}

fn require_plan_editor(caller: &Caller) -> Result<(), ServiceError> {
    can(&caller.actor, Action::EditPlan, Resource::Corridor).map_err(|_| {
        ServiceError::ForbiddenRole("only the coordinator changes or submits the daily plan")
    })
}

#[utoipa::path(get, path = "/api/v1/plans/{date}", tag = "inspections", security(("bearer" = [])),
    params(("date" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 200, body = Object, description = "{date, application_id (PLAN-date), status (draft|submitted|approved), version, assignments[{application_id, vessel_name, team, area, start, end, start_at}], score, fifo_score, plan_hash, approvals[{party, decision, time, key_id}], required_parties, deadlines, teams, areas, cannot_be_approved (why a submitted version could no longer be booked, else null), rejected (true when the parties' decisions on the submitted version reject it: revise it or draw it again, POST /plans/{date}/redraft)}; without a stored plan, a draft from the optimiser drawn as the queue stands"),
        (status = "4XX", body = ErrorBody)))]
pub(crate) async fn get_plan(
    State(s): Svc,
    caller: Caller,
    ApiPath(date): ApiPath<String>,
) -> ApiResult {
    require_plan_reader(&caller)?;
    let day = parse_day(&date)?;
    ok(&plan_body(&s, &date, day).await?)
}

#[utoipa::path(put, path = "/api/v1/plans/{date}", tag = "inspections", security(("bearer" = [])),
    params(("date" = String, Path, description = "YYYY-MM-DD")), request_body = PlanEditRequest,
    responses((status = 200, body = Object, description = "the plan's new version (a draft again: it must be submitted anew)"),
        (status = "4XX", body = ErrorBody, description = "422 names the assignment and what is wrong (team window, duration, travel, double booking)")))]
pub(crate) async fn put_plan(
    State(s): Svc,
    caller: Caller,
    ApiPath(date): ApiPath<String>,
    ApiJson(req): ApiJson<PlanEditRequest>,
) -> ApiResult {
    require_plan_editor(&caller)?;
    let day = parse_day(&date)?;
    plannable(&s, day).await?;
    if req.reason.trim().is_empty() {
        return Err(ServiceError::Unprocessable(
            "reason: a plan edit needs a reason".into(),
        ));
    }
    let clearance = s.clearance().await;
    stale_plan(&clearance, &date, Some(req.based_on))?;
    let now = s.now().await;
    let planning = Planning::new(&s, &clearance, now)?;
    let (p, _) = planning.problem(day, now, true)?;
    let mut assignments = Vec::with_capacity(req.assignments.len());
    for (i, a) in req.assignments.iter().enumerate() {
        let n = i + 1;
        let what = |m: String| {
            ServiceError::Unprocessable(format!("assignment {n} ({}): {m}", a.application_id))
        };
        let start = corridor_planner::config::parse_hhmm(&a.start)
            .map_err(|_| what(format!("start {:?} is not HH:MM", a.start)))?;
        let team = p
            .teams
            .iter()
            .position(|t| t.name == a.team)
            .ok_or_else(|| {
                what(format!(
                    "there is no team {:?} on {date} (teams: {})",
                    a.team,
                    p.teams
                        .iter()
                        .map(|t| t.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        let job = p
            .jobs
            .iter()
            .find(|j| j.id == a.application_id)
            .ok_or_else(|| what(planning.why_not_plannable(&a.application_id, day)))?;
        let area = match &a.area {
            Some(name) => p.areas.iter().position(|x| x == name).ok_or_else(|| {
                what(format!(
                    "no inspection area {name:?} (areas: {})",
                    p.areas.join(", ")
                ))
            })?,
            None => job.area,
        };
        let end = match &a.end {
            Some(e) => corridor_planner::config::parse_hhmm(e)
                .map_err(|_| what(format!("end {e:?} is not HH:MM")))?,
            None => start + job.minutes,
        };
        if end < start {
            return Err(what(format!(
                "ends ({}) before it starts ({})",
                hhmm(end),
                hhmm(start)
            )));
        }
        assignments.push(Assignment {
            id: job.id.clone(),
            place: job.place,
            team,
            start,
            end,
            area,
        });
    }
    let mut plan = Plan {
        assignments,
        score: PlanScore {
            inspections: 0,
            place_sum: 0,
            travel_minutes: 0,
        },
        count_upper_bound: corridor_planner::plan::count_upper_bound(&p),
        method: "coordinator".into(),
    };
    check_plan(&p, &plan).map_err(planner_error)?;
    plan.score = score_plan(&p, &plan);
    let fifo = plan_fifo(&p).map_err(planner_error)?;
    let version = match clearance.plans.get(&date) {
        Some(DayPlan { content, .. }) => content.version.saturating_add(1),
        None => 2,
    };
    let content = PlanContent {
        date: date.clone(),
        version,
        assignments: planning.assignments(&p, &plan)?,
    };
    if let Some(why) = planning.crowds_out_by_hand(&p, &content.assignments) {
        return Err(ServiceError::Unprocessable(format!(
            "{why}: leave a team free for it, or move the booking"
        )));
    }
    let scores = json!({
        "score": score_json(&plan.score, &plan),
        "fifo_score": score_json(&fifo.score, &fifo),
    });
    drop(planning);
    s.execute_if(
        &caller.actor,
        Command::SetPlan {
            content,
            reason: Some(req.reason.trim().to_string()),
            scores,
        },
        // Checked again where the write is made: another edit may have
        // been stored since this one read the plan.
        |c| stale_plan(c, &date, Some(req.based_on)),
    )
    .await?;
    ok(&plan_body(&s, &date, day).await?)
}

#[utoipa::path(post, path = "/api/v1/plans/{date}/redraft", tag = "inspections", security(("bearer" = [])),
    params(("date" = String, Path, description = "YYYY-MM-DD")), request_body = RedraftRequest,
    responses((status = 200, body = Object, description = "the plan's new version: the optimiser's draft from the queue, the teams working and the bookings by hand as they stand now (a draft: it must be sent to the parties anew)"),
        (status = "4XX", body = ErrorBody, description = "409 when no version is stored (GET already shows the optimiser's draft as the queue stands), the plan is approved, or another version was stored since `based_on`")))]
pub(crate) async fn redraft_plan(
    State(s): Svc,
    caller: Caller,
    ApiPath(date): ApiPath<String>,
    ApiJson(req): ApiJson<RedraftRequest>,
) -> ApiResult {
    require_plan_editor(&caller)?;
    let day = parse_day(&date)?;
    plannable(&s, day).await?;
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(ServiceError::Unprocessable(
            "reason: drawing the plan again needs a reason".into(),
        ));
    }
    let clearance = s.clearance().await;
    // A stored version stays as it was made, whatever the queue does since
    // (open finding 62: after a withdrawal or a hold the coordinator had
    // to rebuild it by hand); this makes the optimiser's draft of now its
    // next version.
    let Some(stored) = clearance.plans.get(&date) else {
        return Err(ServiceError::Conflict(format!(
            "the plan for {date} has no stored version: what it shows is already the optimiser's draft, \
             drawn as the queue stands"
        )));
    };
    if stored.status == PlanStatus::Approved {
        return Err(ServiceError::Conflict(format!(
            "the plan for {date} is approved (version {}); it can no longer be changed",
            stored.content.version
        )));
    }
    stale_plan(&clearance, &date, Some(req.based_on))?;
    let now = s.now().await;
    let planning = Planning::new(&s, &clearance, now)?;
    let (mut p, _) = planning.problem(day, now, false)?;
    planning.keep_clear(&mut p);
    let (mut content, scores) = generate(&planning, &p, &date)?;
    content.version = stored.content.version.saturating_add(1);
    drop(planning);
    // The same plan again would only drop the parties' decisions on it.
    if content.assignments == stored.content.assignments {
        return Err(ServiceError::Conflict(format!(
            "drawn again, the plan for {date} is version {} as it stands: nothing is stored (if it was \
             sent, the parties' decisions on it stand)",
            stored.content.version
        )));
    }
    // Nor is a version stored that could not be sent (today's, with slots
    // already begun): the coordinator keeps the one that could.
    if let Some(why) = clearance.plan_unbookable(&content, now) {
        return Err(ServiceError::Conflict(format!(
            "drawn again, the plan for {date} could not be sent as it stands ({why}): nothing is \
             stored; edit the plan by hand"
        )));
    }
    s.execute_if(
        &caller.actor,
        Command::SetPlan {
            content,
            reason: Some(reason.to_string()),
            scores,
        },
        |c| stale_plan(c, &date, Some(req.based_on)),
    )
    .await?;
    ok(&plan_body(&s, &date, day).await?)
}

/// A 409 when the stored version of `date`'s plan is not `seen` (the
/// optimiser's draft, not stored, is version 1; `None`: not asked).
fn stale_plan(
    c: &corridor_clearance::Clearance,
    date: &str,
    seen: Option<u32>,
) -> Result<(), ServiceError> {
    let Some(seen) = seen else { return Ok(()) };
    let stored = c.plans.get(date);
    let now = stored.map_or(1, |p| p.content.version);
    if now == seen {
        return Ok(());
    }
    let why = stored
        .and_then(|p| p.reason.as_deref())
        .map(|r| format!(", \"{r}\""))
        .unwrap_or_default();
    Err(ServiceError::Conflict(format!(
        "the plan for {date} is at version {now}{why}, not version {seen}: it changed since it was read; \
         reload it and make the change again"
    )))
}

/// Which version a submission is of.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SubmitQuery {
    /// The version shown when submitting (`version` of GET): another
    /// version stored since is a 409, so no one sends the parties a plan
    /// they have not seen. Without it, whatever version is stored goes.
    pub version: Option<u32>,
    /// The `plan_hash` shown: a plan that changed since is a 409. The
    /// optimiser's draft (version 1, not stored) is drawn again as the
    /// queue moves, so only its hash says it is the one that was shown.
    pub plan_hash: Option<String>,
}

/// A 409 when the plan about to be sent is not the one shown (`seen`).
fn unseen_plan(
    date: &str,
    now: &corridor_ledger::Hash,
    seen: Option<&str>,
) -> Result<(), ServiceError> {
    match seen {
        Some(seen) if !now.to_hex().eq_ignore_ascii_case(seen.trim()) => {
            Err(ServiceError::Conflict(format!(
                "the plan for {date} changed since it was shown (its hash is now {}; the queue, the teams, \
             another coordinator or, for today's, the clock moved it): reload it and send it again",
                now.to_hex()
            )))
        }
        _ => Ok(()),
    }
}

/// Not an answer: tells `submit_plan` that another request stored a
/// version of the day's plan between its look and its write.
const FROZEN_MEANWHILE: &str = "the draft was stored meanwhile";

#[utoipa::path(post, path = "/api/v1/plans/{date}/submit", tag = "inspections", security(("bearer" = [])),
    params(("date" = String, Path, description = "YYYY-MM-DD"), SubmitQuery),
    responses((status = 200, body = Object, description = "the plan, now `submitted` to the parties (a generated draft is stored as version 1 first)"), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn submit_plan(
    State(s): Svc,
    caller: Caller,
    ApiPath(date): ApiPath<String>,
    ApiQuery(q): ApiQuery<SubmitQuery>,
) -> ApiResult {
    require_plan_editor(&caller)?;
    let day = parse_day(&date)?;
    plannable(&s, day).await?;
    let clearance = s.clearance().await;
    stale_plan(&clearance, &date, q.version)?;
    if !clearance.plans.contains_key(&date) {
        // Freeze the generated draft as version 1, so the parties sign what was shown.
        let now = s.now().await;
        let planning = Planning::new(&s, &clearance, now)?;
        let (mut p, _) = planning.problem(day, now, false)?;
        planning.keep_clear(&mut p);
        let (content, scores) = generate(&planning, &p, &date)?;
        drop(planning);
        let drawn = content
            .plan_hash()
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        unseen_plan(&date, &drawn, q.plan_hash.as_deref())?;
        let frozen = s
            .execute_if(
                &caller.actor,
                Command::SetPlan {
                    content,
                    reason: None,
                    scores,
                },
                // Another request stored a version meanwhile (a submission
                // at the same moment, or an edit): submit what is stored,
                // as a submission that raced nobody does (the loser of two
                // submissions was told "a new version needs a reason";
                // open finding 35).
                |c| match c.plans.contains_key(&date) {
                    true => Err(ServiceError::Conflict(FROZEN_MEANWHILE.into())),
                    false => Ok(()),
                },
            )
            .await;
        match frozen {
            Err(ServiceError::Conflict(m)) if m == FROZEN_MEANWHILE => {}
            Err(e) => return Err(e),
            Ok(_) => {}
        }
    }
    let now = s.now().await;
    s.execute_if(
        &caller.actor,
        Command::SubmitPlan { date: date.clone() },
        // A draft only: the machine says what else is wrong.
        |c| {
            stale_plan(c, &date, q.version)?;
            if let Some(stored) = c.plans.get(&date) {
                unseen_plan(&date, &stored.plan_hash, q.plan_hash.as_deref())?;
            }
            let draft = c.plans.get(&date).filter(|p| p.status == PlanStatus::Draft);
            refuse_plan(&s, c, now, draft, |why| {
                format!("the plan for {date} cannot be submitted as it stands: {why}; revise it")
            })
        },
    )
    .await?;
    ok(&plan_body(&s, &date, day).await?)
}

#[utoipa::path(post, path = "/api/v1/plans/{date}/decisions", tag = "inspections", security(("bearer" = [])),
    params(("date" = String, Path, description = "YYYY-MM-DD")),
    request_body(content = Object, description = "a signed decision exactly like an application's: {payload:{party, application_id: \"PLAN-YYYY-MM-DD\", application_hash: the plan_hash of the current version, decision, time, key_id}, signature}"),
    responses((status = 200, body = Object, description = "the plan; `approved` once every required party approved this version (its inspections are then scheduled); `receipt` for the entry logged, as for an application's decision"), (status = "4XX", body = ErrorBody)))]
pub(crate) async fn decide_plan(
    State(s): Svc,
    caller: Caller,
    ApiPath(date): ApiPath<String>,
    ApiJson(decision): ApiJson<SignedDecision>,
) -> ApiResult {
    can(
        &caller.actor,
        Action::DecidePlan,
        Resource::Party {
            party: &decision.payload.party,
        },
    )
    .map_err(|_| {
        ServiceError::ForbiddenRole(
            "a party's delegate decides on the plan for their own party only",
        )
    })?;
    let day = parse_day(&date)?;
    let current = s
        .clearance()
        .await
        .plans
        .get(&date)
        .map(|p| (p.content.version, p.plan_hash));
    // The approval that would approve a plan drafted before one of its
    // vessels failed not ready would book it inside its re-queue delay.
    let payload = decision.payload.clone();
    let signature = decision.signature;
    let now = s.now().await;
    s.execute_if(
        &caller.actor,
        Command::DecidePlan {
            date: date.clone(),
            decision,
        },
        |c| {
            let approving = c.plans.get(&date).filter(|_| c.would_approve_plan(&date, &payload));
            refuse_plan(&s, c, now, approving, |why| {
                format!(
                    "the plan for {date} can no longer be approved as it stands: {why}; the coordinator must submit a new version"
                )
            })
        },
    )
    .await
    .map_err(|e| match (e, current) {
        (ServiceError::Clearance(ClearanceError::Decision(DecisionError::ChangedApplication { signed, expected })), Some((version, _))) => {
            ServiceError::Unprocessable(format!(
                "the signature covers another version of the plan for {date} (plan hash {signed}); the current version is {version} (plan hash {expected}): fetch the plan and sign it again"
            ))
        }
        (other, _) => other,
    })?;
    // With a receipt for the signed entry, as an application's decision.
    let mut body = plan_body(&s, &date, day).await?;
    let (receipt, why) = s.receipt_or_reason(&signature).await;
    if let Some(m) = body.as_object_mut() {
        m.insert("receipt".into(), receipt);
        if let Some(why) = why {
            m.insert("receipt_error".into(), Value::String(why));
        }
    }
    ok(&body)
}
