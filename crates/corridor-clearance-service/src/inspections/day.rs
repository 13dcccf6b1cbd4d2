//! The inspector's day: the approved plan's inspections and the bookings
//! made by hand.

use super::*;

// ---- the inspector's day ----

/// The day (`YYYY-MM-DD`, default: today, local time).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InspectionsQuery {
    /// The day.
    pub date: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/inspections", tag = "inspections", security(("bearer" = [])),
    params(InspectionsQuery),
    responses((status = 200, body = Object, description = "{date, plan_status, plan_version, time_zone, inspections[{application_id, vessel, team, area, start, end, start_at, status, cargo, readiness, ready_at, not_ready_count}], cancelled[{application_id, vessel_name, team, start, start_at, why}]}: the approved plan's inspections (empty until the plan is approved) and the bookings made by hand for the day (team and end null; area: where the vessel was seen or recorded arriving, else null), standing or inspected (status: how it ended), in time order; `cancelled` lists its slots a stoppage stopped, the vessel was booked again elsewhere since, or whose application was withdrawn or expired before them, and bookings made by hand for the day that a stoppage stopped or whose application ended before them (team null)"),
        (status = "4XX", body = ErrorBody)))]
pub(crate) async fn get_inspections(
    State(s): Svc,
    caller: Caller,
    ApiQuery(q): ApiQuery<InspectionsQuery>,
) -> ApiResult {
    can(&caller.actor, Action::ReadInspections, Resource::Corridor).map_err(|_| {
        ServiceError::ForbiddenRole("the day's inspections are for inspectors and the coordinator")
    })?;
    let clearance = s.clearance().await;
    let tz = centre_tz(s.capacity())?;
    let date = match q.date {
        Some(d) => {
            parse_day(&d)?;
            d
        }
        None => local_date(s.now().await, &tz).to_string(),
    };
    let plan = clearance.plans.get(&date);
    let approved = plan.filter(|p| p.status == PlanStatus::Approved);
    // The inspection recorded against a slot, if one was: the slot took
    // place, whatever was booked since.
    let result = |a: &PlanAssignment, app: &'_ Application| {
        app.booked_results
            .iter()
            .rev()
            .find(|r| r.booked_at == a.start_at)
            .map(|r| r.status)
    };
    // A vessel withdrawn, or whose clearance expired, before its slot at
    // `at`: the slot is cancelled, not listed with that status (open
    // finding 63). Nothing changes an application once it ended, so its
    // last change is when.
    let ended = |app: &Application, at: Timestamp| {
        (matches!(app.status, Status::Withdrawn | Status::Expired) && app.updated_at <= at)
            .then(|| format!("its application was {}", app.status.words()))
    };
    // An approved slot no longer stands once a stoppage stops it, the
    // vessel is booked at another time or its application ended: the
    // inspectors are told, not sent.
    let gone = |a: &PlanAssignment, app: &Application| -> Option<String> {
        if result(a, app).is_some() {
            return None;
        }
        if app.inspection_at != Some(a.start_at) {
            return Some(match app.inspection_at {
                // On the centre's clock, as the list's times are.
                Some(t) => format!(
                    "booked again for {}",
                    t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M UTC%:z")
                ),
                None => "no longer booked".into(),
            });
        }
        if let Some(why) = ended(app, a.start_at) {
            return Some(why);
        }
        clearance.booking_stopped_by(app).map(|st| st.why())
    };
    let cancelled: Vec<Value> = approved
        .map(|p| {
            p.content
                .assignments
                .iter()
                .filter_map(|a| {
                    let app = clearance.applications.get(&a.application_id)?;
                    let why = gone(a, app)?;
                    Some(json!({
                        "application_id": a.application_id,
                        "vessel_name": a.vessel_name,
                        "team": a.team,
                        "start": a.start,
                        "start_at": corridor_ledger::time::format(a.start_at),
                        "why": why,
                    }))
                })
                .collect()
        })
        .unwrap_or_default();
    // Whether `at` is `app`'s slot in the approved plan (not merely whether
    // the vessel is in the plan: it may have been booked again by hand).
    let plan_slot = |app: &Application, at: Timestamp| {
        approved.is_some_and(|p| {
            p.content
                .assignments
                .iter()
                .any(|a| a.application_id == app.id && a.start_at == at)
        })
    };
    // Of a booking made by hand at `at` whose application ended: inspected
    // at that time, or earlier that day (at the slot it was moved from:
    // that ended this booking too, and a vessel that failed waits out days
    // before it is booked again), so not a booking that stood when it
    // ended. (A slot moved to a later day and ended by its inspection is
    // not told apart.)
    let inspected_by = |app: &Application, at: Timestamp| {
        app.booked_results
            .iter()
            .any(|r| r.booked_at == at || (r.at <= at && local_date(r.at, &tz).to_string() == date))
    };
    // The stoppage that stopped a booking made by hand at `at`, whether
    // or not its application has ended since.
    let stopped = |app: &Application, at: Timestamp| {
        clearance.booking_stopped_by(app).or_else(|| {
            matches!(app.status, Status::Withdrawn | Status::Expired)
                .then(|| clearance.stoppages.iter().rev().find(|s| s.stops(at, None)))
                .flatten()
        })
    };
    // Bookings made by hand (outside the plan) for this day that a
    // stoppage stopped, or whose application ended before them: cancelled
    // too, also when the vessel's plan slot was moved by hand first (code
    // review, session 19).
    let cancelled: Vec<Value> = cancelled
        .into_iter()
        .chain(clearance.applications.values().filter_map(|app| {
            let at = app.inspection_at?;
            if plan_slot(app, at) || local_date(at, &tz).to_string() != date {
                return None;
            }
            let why = match (stopped(app, at), ended(app, at)) {
                (Some(st), _) => st.why(),
                (None, Some(_)) if inspected_by(app, at) => return None,
                (None, Some(why)) => why,
                (None, None) => return None,
            };
            Some(json!({
                "application_id": app.id,
                "vessel_name": app.content.vessel.name,
                "team": Value::Null,
                "start": clock_time(at, &tz),
                "start_at": corridor_ledger::time::format(at),
                "why": why,
            }))
        }))
        .collect();
    let entry = |app: &Application, slot: Value, status: Status| {
        let mut e = json!({
            "application_id": app.id,
            "status": status,
            "company": app.company,
            "vessel": app.content.vessel,
            "itinerary": app.content.itinerary,
            "cargo": app.content.cargo,
            "wfp": app.content.wfp,
            "readiness": app.readiness,
            "ready_at": app.ready_at.map(corridor_ledger::time::format),
            "not_ready_count": app.not_ready_count,
            "inspections": app.inspections,
        });
        if let (Some(e), Value::Object(slot)) = (e.as_object_mut(), slot) {
            e.extend(slot);
        }
        e
    };
    let mut inspections: Vec<(Timestamp, Value)> = approved
        .map(|p| {
            p.content
                .assignments
                .iter()
                .filter_map(|a| {
                    let app = clearance.applications.get(&a.application_id)?;
                    if gone(a, app).is_some() {
                        return None;
                    }
                    let slot = json!({
                        "team": a.team,
                        "area": a.area,
                        "start": a.start,
                        "end": a.end,
                        "start_at": corridor_ledger::time::format(a.start_at),
                    });
                    // How this slot ended, if it has (the vessel may be
                    // booked again since), else where the vessel stands.
                    let status = result(a, app).unwrap_or(app.status);
                    Some((a.start_at, entry(app, slot, status)))
                })
                .collect()
        })
        .unwrap_or_default();
    // Bookings made by hand for this day: no team, no end; the area where
    // the vessel was seen or recorded arriving (a review of session 27: the
    // team did not know which of two areas 90 minutes apart to go to).
    // Those that stand, and those already inspected, with how they ended.
    let by_hand = |app: &Application, at: Timestamp, status: Status| {
        let slot = json!({
            "team": Value::Null,
            "area": app.area_arrival.as_ref().map(|a| a.area.clone()),
            "start": clock_time(at, &tz),
            "end": Value::Null,
            "start_at": corridor_ledger::time::format(at),
        });
        (at, entry(app, slot, status))
    };
    for app in clearance.applications.values() {
        let on_day = |at: Timestamp| local_date(at, &tz).to_string() == date;
        // One entry per booked time: the standing booking, else the
        // latest result recorded against that time.
        // One whose time passed without a result before its application
        // ended stays listed with that status, as a plan's slot does.
        let missed_then_ended = |at: Timestamp| {
            matches!(app.status, Status::Withdrawn | Status::Expired)
                && app.updated_at > at
                && !inspected_by(app, at)
                && stopped(app, at).is_none()
        };
        let standing = app.inspection_at.filter(|at| {
            (app.status == Status::AwaitingInspection || missed_then_ended(*at))
                && on_day(*at)
                && !plan_slot(app, *at)
                && clearance.booking_stopped_by(app).is_none()
        });
        let mut done: BTreeMap<Timestamp, Status> = BTreeMap::new();
        for r in &app.booked_results {
            if on_day(r.booked_at) && !plan_slot(app, r.booked_at) && Some(r.booked_at) != standing
            {
                done.insert(r.booked_at, r.status);
            }
        }
        inspections.extend(
            done.into_iter()
                .map(|(at, status)| by_hand(app, at, status)),
        );
        if let Some(at) = standing {
            inspections.push(by_hand(app, at, app.status));
        }
    }
    inspections.sort_by_key(|(at, _)| *at);
    let inspections: Vec<Value> = inspections.into_iter().map(|(_, e)| e).collect();
    ok(&json!({
        "date": date,
        "plan_status": plan.map(|p| plan_status_text(p.status)),
        "plan_version": plan.map(|p| p.content.version),
        // `start` and `end` are clock times in this zone.
        "time_zone": s.capacity().time_zone,
        "inspections": inspections,
        "cancelled": cancelled,
    }))
}
