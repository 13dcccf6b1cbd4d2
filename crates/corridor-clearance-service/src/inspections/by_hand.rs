//! Inspections booked by hand beside a day's plan: where the plan leaves
//! a team free for them, and refusing a booking or a plan that crowds
//! the other out.

use super::*;

use super::planning::Planning;

/// Whether `at` is `id`'s own slot in `assignments`.
fn own_slot(assignments: &[PlanAssignment], id: &str, at: Timestamp) -> bool {
    assignments
        .iter()
        .any(|a| a.application_id == id && a.start_at == at)
}

/// Where `assignments` leave a team free for each of `bookings` (in time order).
fn fit_among(
    p: &DayProblem,
    assignments: &[PlanAssignment],
    bookings: Vec<HandBooking>,
) -> Vec<(HandBooking, corridor_planner::plan::Fit)> {
    let minutes = |t: &str| corridor_planner::config::parse_hhmm(t).ok();
    let busy: Vec<(usize, u32, u32)> = assignments
        .iter()
        .filter_map(|a| {
            let team = p.teams.iter().position(|t| t.name == a.team)?;
            Some((team, minutes(&a.start)?, minutes(&a.end)?))
        })
        .collect();
    let spans: Vec<(u32, u32)> = bookings.iter().map(|b| (b.start, b.minutes)).collect();
    let fits = corridor_planner::plan::fit_bookings(p, &busy, &spans);
    bookings.into_iter().zip(fits).collect()
}

/// Refuses booking `id` by hand at `at` when its day's submitted or
/// approved plan leaves no team free for it.
pub(crate) fn refuse_crowded_booking(
    s: &Service,
    clearance: &Clearance,
    now: Timestamp,
    id: &str,
    at: Timestamp,
) -> Result<(), ServiceError> {
    // One the machine refuses anyway (not waiting, a time past) is told
    // the machine's reason, not this one.
    let stands = |a: &Application| {
        a.status == Status::AwaitingInspection
            && clearance.booking_stopped_by(a).is_none()
            && a.inspection_at.is_some_and(|t| t >= now)
    };
    let Some(app) = clearance
        .applications
        .get(id)
        .filter(|a| a.waiting_for_inspection() && !stands(a) && at >= now)
    else {
        return Ok(());
    };
    let planning = Planning::new(s, clearance, now)?;
    match planning.crowded_booking(app, at)? {
        Some(why) => Err(ServiceError::Conflict(format!(
            "cannot book the inspection at {}: {why}",
            corridor_ledger::time::format(at)
        ))),
        None => Ok(()),
    }
}

/// An inspection booked by hand for a day, outside its plan.
#[derive(Debug, Clone)]
pub(super) struct HandBooking {
    pub(super) id: String,
    pub(super) vessel_name: String,
    /// The booked time.
    at: Timestamp,
    /// Minutes after local midnight.
    pub(super) start: u32,
    /// What a plan would book for it.
    pub(super) minutes: u32,
}

impl HandBooking {
    fn what(&self) -> String {
        format!("for {} ({}), booked by hand", self.vessel_name, self.id)
    }
}

impl<'a> Planning<'a> {
    /// `app` booked by hand at `at`: its clock time, and the time a plan
    /// would book for it.
    fn hand_booking(&self, app: &Application, at: Timestamp) -> HandBooking {
        let local = at.to_zoned(self.tz.clone());
        let v = self.voyage(app);
        HandBooking {
            id: app.id.clone(),
            vessel_name: app.content.vessel.name.clone(),
            at,
            start: u32::from(local.hour().unsigned_abs()) * 60
                + u32::from(local.minute().unsigned_abs()),
            minutes: self.cap.plan_minutes(v.direction, v.tonnes),
        }
    }

    /// The inspections booked by hand for `day` that stand (outside its
    /// plan, not stopped), in time order.
    fn hand_bookings(&self, day: Date) -> Vec<HandBooking> {
        let mut out: Vec<HandBooking> = self
            .clearance
            .applications
            .values()
            .filter(|app| self.booked_day(app) == Some(day) && !self.booked_by_plan(app, day))
            .filter_map(|app| Some(self.hand_booking(app, app.inspection_at?)))
            .collect();
        out.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
        out
    }

    /// Keeps a team's time clear for each booking by hand, so that a draft
    /// leaves room for them (the queue counts them as the day's).
    pub(super) fn keep_clear(&self, p: &mut DayProblem) {
        for b in self.hand_bookings(p.day) {
            p.reserve(b.start, b.minutes, &b.what());
        }
    }

    /// Where `assignments` (a version of `p.day`'s plan) leave a team free
    /// for each booking by hand: `(booking, fit)`.
    pub(super) fn fit_by_hand(
        &self,
        p: &DayProblem,
        assignments: &[PlanAssignment],
        approved: bool,
    ) -> Vec<(HandBooking, corridor_planner::plan::Fit)> {
        // A vessel the version itself plans is judged by the machine (its
        // slot and its booking must be the same time), not as a booking
        // competing with its own slot.
        let bookings: Vec<HandBooking> = self
            .hand_bookings(p.day)
            .into_iter()
            .filter(|b| !own_slot(assignments, &b.id, b.at))
            .collect();
        fit_among(p, &self.standing(assignments, approved), bookings)
    }

    /// The assignments of a plan version that still take a team's time:
    /// all of a version not yet approved (nothing is booked before); of an
    /// approved plan, the slots whose vessel still holds them (not gone,
    /// not inspected, not moved, not stopped).
    fn standing(&self, assignments: &[PlanAssignment], approved: bool) -> Vec<PlanAssignment> {
        assignments
            .iter()
            .filter(|a| {
                !approved
                    || self
                        .clearance
                        .applications
                        .get(&a.application_id)
                        .is_some_and(|app| {
                            app.inspection_at == Some(a.start_at)
                                && app.status == Status::AwaitingInspection
                                && self.clearance.booking_stopped_by(app).is_none()
                        })
            })
            .cloned()
            .collect()
    }

    /// Why booking `app` by hand at `at` cannot stand beside its day's plan
    /// once submitted or approved: every team working then is busy with
    /// the plan or with the day's other bookings by hand.
    fn crowded_booking(
        &self,
        app: &Application,
        at: Timestamp,
    ) -> Result<Option<String>, ServiceError> {
        let day = local_date(at, &self.tz);
        let Some(plan) = self
            .clearance
            .plans
            .get(&day.to_string())
            .filter(|p| p.status != PlanStatus::Draft)
        else {
            return Ok(None);
        };
        let all = &plan.content.assignments;
        let approved = plan.status == PlanStatus::Approved;
        // Its own slot in the plan, while it stands: the machine judges
        // that booking. (A slot freed since may have been taken by hand.)
        if own_slot(&self.standing(all, approved), &app.id, at) {
            return Ok(None);
        }
        let p = self.teams_of(day)?;
        // Its slot elsewhere in the plan is no longer its own once it is
        // booked here: that time is free.
        let mut assignments = self.standing(all, approved);
        assignments.retain(|a| a.application_id != app.id);
        let assignments = &assignments[..];
        let others: Vec<HandBooking> = self
            .hand_bookings(day)
            .into_iter()
            .filter(|b| b.id != app.id && !own_slot(all, &b.id, b.at))
            .collect();
        let unserved = |fits: &[(HandBooking, corridor_planner::plan::Fit)]| {
            fits.iter()
                .filter(|(_, f)| *f == corridor_planner::plan::Fit::NoTeam)
                .count()
        };
        let before = unserved(&fit_among(&p, assignments, others.clone()));
        let new = self.hand_booking(app, at);
        let (start, end) = (new.start, new.start + new.minutes);
        let mut with = others;
        with.push(new);
        with.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
        Ok((unserved(&fit_among(&p, assignments, with)) > before).then(|| {
            format!(
                "no team is free at {}-{} on {day}: the {} plan has every team working then busy (with its inspections or other bookings by hand); choose another time, or revise the plan",
                hhmm(start),
                hhmm(end),
                plan_status_text(plan.status)
            )
        }))
    }

    /// Why `assignments` cannot stand beside the day's bookings by hand: the
    /// first one no team is left free for.
    pub(super) fn crowds_out_by_hand(
        &self,
        p: &DayProblem,
        assignments: &[PlanAssignment],
    ) -> Option<String> {
        self.fit_by_hand(p, assignments, false)
            .into_iter()
            .find(|(_, fit)| *fit == corridor_planner::plan::Fit::NoTeam)
            .map(|(b, _)| {
                format!(
                    "no team is free at {}-{} {} (every team working then has an inspection of the plan)",
                    hhmm(b.start),
                    hhmm(b.start + b.minutes),
                    b.what()
                )
            })
    }
}
