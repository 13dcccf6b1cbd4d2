//! The daily plan: tomorrow's assignment of waiting vessels to teams and start times, within the
//! teams' working windows, with inspection durations and travel between areas.
//!
//! ## Horizon
//! The optimiser may plan only vessels within the first `K` places of the queue, where
//! `K = max(⌈lookahead × B⌉, FIFO's furthest planned place + 1)` ([`horizon`]; `lookahead` =
//! [`DEFAULT_LOOKAHEAD`] unless given) and `B` is [`count_upper_bound`] of the whole queue: the
//! most inspections the day's windows could hold. It may reorder and skip within that horizon,
//! never bring a vessel from deep in the queue; FIFO's plan always lies inside it. (`K` once
//! scaled with FIFO's own count, so a day FIFO filled badly, with one long inspection, also
//! narrowed the search: two short ones just behind it were out of reach. When `K` covers the
//! whole queue, "exact" below is exact for the whole day.)
//!
//! ## Objective ([`PlanScore`], compared lexicographically, within the horizon)
//! 1. the most inspections (throughput: every inspection done today shortens all later waits);
//! 2. then the smallest sum of queue places of the inspected vessels (respect the queue rule as
//!    far as throughput allows: an earlier vessel is preferred to a later one);
//! 3. then the least travel minutes.
//!
//! [`plan_fifo`] is the baseline: vessels in queue order, each to the team where it finishes
//! earliest, skipped if it fits nowhere. [`plan_optimised`] searches from that plan and from a
//! shortest-first plan with insertion, swap and one-out-two-in moves over teams whose visits
//! are ordered to minimise travel; it returns the best plan found, so it is never worse than
//! FIFO. Small instances (at most [`EXACT_MAX_JOBS`] candidate vessels and [`EXACT_MAX_TEAMS`]
//! teams) are solved exactly by enumeration within the horizon (exact when travel times obey
//! the triangle inequality, as real distances do: a team then never gains by visiting an area
//! twice). Every plan carries a proven upper bound on the number of inspections within the
//! horizon ([`Plan::count_upper_bound`]): the largest k whose k shortest durations there fit
//! in the sum of the windows and in the per-team slot counts, so the gap to the optimum is
//! known.
//!
//! ## Vessels due later in the day
//! A job may be there only from a time of day ([`Job::ready`]: its arrival at the area, or its
//! ETA): no inspection starts before it, and a team waits for it. A team's visits are then the
//! order of least travel among the area-grouped order, the order given and the order in which
//! the vessels are there that it finishes within its window; the enumeration above is then a
//! search, not a proof (it is exact only when every vessel is there from the start), and the
//! upper bound, which ignores those times, still holds.

use crate::config::CapacityConfig;
use crate::error::{PlannerError, Result};
use crate::model::Voyage;
use crate::queue::{Override, order};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// A vessel to inspect, in queue order (`place` 0 = first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// Voyage id.
    pub id: String,
    /// Queue place, 0-based.
    pub place: usize,
    /// Area index.
    pub area: usize,
    /// Inspection minutes.
    pub minutes: u32,
    /// Earliest start, minutes after local midnight: a vessel due at the
    /// area later that day is not boarded before it is there (0: any time).
    #[serde(default)]
    pub ready: u32,
}

/// A team's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamDay {
    /// Name.
    pub name: String,
    /// Area index where the team starts.
    pub start_area: usize,
    /// Window start, minutes after local midnight.
    pub start: u32,
    /// Window end, minutes after local midnight.
    pub end: u32,
    /// What shortened the window (an inspection booked outside the plan), for messages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserved: Vec<String>,
    /// The times kept clear, minutes after local midnight (start, end).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<(u32, u32)>,
}

/// One day's planning problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayProblem {
    /// The day.
    pub day: Date,
    /// Waiting vessels, in queue order (`jobs[i].place == i`).
    pub jobs: Vec<Job>,
    /// Teams.
    pub teams: Vec<TeamDay>,
    /// Area names (index = area).
    pub areas: Vec<String>,
    /// Travel minutes between areas, `travel[a][b]`.
    pub travel: Vec<Vec<u32>>,
}

impl DayProblem {
    /// Build the problem for `day` from the config: eligible waiting vessels ordered by the
    /// queue rule and overrides, durations at the model's median, the `teams` given as indices
    /// into the config's numbering (usually [`CapacityConfig::working_teams`]; named from the
    /// config where it names them, otherwise `team-{i+1}`).
    pub fn from_config(
        cfg: &CapacityConfig,
        day: Date,
        waiting: &[Voyage],
        overrides: &[Override],
        teams: &[usize],
    ) -> Result<Self> {
        Self::from_config_keeping(cfg, day, waiting, overrides, teams, &|_| true)
    }

    /// [`DayProblem::from_config`] with only the vessels `keep` accepts as
    /// jobs, in the order of the whole queue: a caller that plans only
    /// some of the waiting vessels (those declared ready) keeps the order,
    /// and the overrides' places, that everyone sees in the queue.
    pub fn from_config_keeping(
        cfg: &CapacityConfig,
        day: Date,
        waiting: &[Voyage],
        overrides: &[Override],
        teams: &[usize],
        keep: &dyn Fn(&Voyage) -> bool,
    ) -> Result<Self> {
        Self::from_config_timed(cfg, day, waiting, overrides, teams, keep, &|_| 0)
    }

    /// [`DayProblem::from_config_keeping`] with each job's earliest start
    /// (minutes after local midnight) from `ready`: a vessel expected at the
    /// area later that day is planned from then.
    pub fn from_config_timed(
        cfg: &CapacityConfig,
        day: Date,
        waiting: &[Voyage],
        overrides: &[Override],
        teams: &[usize],
        keep: &dyn Fn(&Voyage) -> bool,
        ready: &dyn Fn(&Voyage) -> u32,
    ) -> Result<Self> {
        let (idx, _) = order(waiting, &cfg.queue, cfg.transit_days, overrides)?;
        let (ws, we) = cfg.window.minutes()?;
        let mut areas: Vec<String> = cfg.areas.iter().map(|a| a.name.clone()).collect();
        if areas.is_empty() {
            areas.push("area".into());
        }
        let area_of = |name: Option<&str>| {
            name.and_then(|n| areas.iter().position(|a| a == n))
                .unwrap_or(0)
        };
        let jobs: Vec<Job> = idx
            .iter()
            .map(|&i| &waiting[i])
            .filter(|v| v.eligible_from(cfg.transit_days) <= day && keep(v))
            .enumerate()
            .map(|(place, v)| Job {
                id: v.id.clone(),
                place,
                area: area_of(v.area.as_deref()),
                minutes: cfg.plan_minutes(v.direction, v.tonnes),
                ready: ready(v),
            })
            .collect();
        let teams = teams
            .iter()
            .map(|&t| {
                let spec = cfg.teams.get(t);
                TeamDay {
                    name: cfg.team_name(t),
                    start_area: area_of(spec.and_then(|s| s.home_area.as_deref())),
                    start: ws,
                    end: we,
                    reserved: Vec::new(),
                    kept: Vec::new(),
                }
            })
            .collect();
        let travel = areas
            .iter()
            .map(|a| areas.iter().map(|b| cfg.travel_minutes(a, b)).collect())
            .collect();
        Ok(Self {
            day,
            jobs,
            teams,
            areas,
            travel,
        })
    }

    /// Takes `minutes` from `start` (minutes after local midnight) out of
    /// one team's window, for an inspection booked outside the plan, so
    /// the plan does not count that time twice. A window is one interval,
    /// so the team either stops at the booking or starts after it: of
    /// every team and both cuts, the one that loses least working time.
    /// `what` says why, in the messages that cite the window. Returns the
    /// team, or `None` when the booking overlaps no team's window.
    pub fn reserve(&mut self, start: u32, minutes: u32, what: &str) -> Option<usize> {
        let end = start.saturating_add(minutes);
        // (lost minutes, team, new window)
        let mut best: Option<(u32, usize, (u32, u32))> = None;
        for (i, t) in self.teams.iter().enumerate() {
            // A team whose window another booking already cut is busy with
            // that one: it cannot also take an overlapping one.
            let busy = t.kept.iter().any(|&(s, e)| start < e && end > s);
            if busy || end <= t.start || start >= t.end {
                continue;
            }
            let stop_before = (t.end - start.max(t.start), (t.start, start.max(t.start)));
            let start_after = (end.min(t.end) - t.start, (end.min(t.end), t.end));
            for (lost, window) in [stop_before, start_after] {
                if best.is_none_or(|(l, _, _)| lost < l) {
                    best = Some((lost, i, window));
                }
            }
        }
        let (_, i, (from, to)) = best?;
        let t = &mut self.teams[i];
        (t.start, t.end) = (from, to);
        t.kept.push((start, end));
        t.reserved
            .push(format!("{}-{} {what}", hhmm(start), hhmm(end)));
        Some(i)
    }

    fn travel(&self, a: usize, b: usize) -> u32 {
        if a == b {
            return 0;
        }
        self.travel
            .get(a)
            .and_then(|r| r.get(b))
            .copied()
            .unwrap_or(0)
    }

    /// Check the problem is well formed: places match the order, areas exist, durations are
    /// 1..=1440 minutes, windows lie within two days, travel times are at most a day and the
    /// travel matrix is square over the areas. Bounds keep all minute sums far from overflow.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(PlannerError::Input(m));
        let n_areas = self.areas.len().max(1);
        for (i, j) in self.jobs.iter().enumerate() {
            if j.place != i {
                return bad(format!("job {:?} has place {} at index {i}", j.id, j.place));
            }
            if j.area >= n_areas || !(1..=1440).contains(&j.minutes) {
                return bad(format!(
                    "job {:?}: bad area or minutes outside 1..=1440",
                    j.id
                ));
            }
        }
        for t in &self.teams {
            if t.end < t.start || t.end > 2880 || t.start_area >= n_areas {
                return bad(format!("team {:?}: bad window or area", t.name));
            }
        }
        if !self.travel.is_empty()
            && (self.travel.len() != self.areas.len()
                || self.travel.iter().any(|r| r.len() != self.areas.len()))
        {
            return bad("travel matrix is not areas x areas".into());
        }
        if self.travel.iter().flatten().any(|&m| m > 1440) {
            return bad("travel time over a day".into());
        }
        Ok(())
    }
}

/// One inspection in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// Voyage id.
    pub id: String,
    /// Queue place, 0-based.
    pub place: usize,
    /// Team index.
    pub team: usize,
    /// Start, minutes after local midnight.
    pub start: u32,
    /// End, minutes after local midnight.
    pub end: u32,
    /// Area index.
    pub area: usize,
}

/// The objective (see the module docs); `Ord` puts the **better** score last (`max` = best).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanScore {
    /// Inspections planned.
    pub inspections: usize,
    /// Sum of the queue places (0-based) of the inspected vessels.
    pub place_sum: usize,
    /// Travel minutes of all teams.
    pub travel_minutes: u32,
}

impl Ord for PlanScore {
    fn cmp(&self, o: &Self) -> Ordering {
        self.inspections
            .cmp(&o.inspections)
            .then(o.place_sum.cmp(&self.place_sum))
            .then(o.travel_minutes.cmp(&self.travel_minutes))
    }
}
impl PartialOrd for PlanScore {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// A daily plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Inspections, by team then start time.
    pub assignments: Vec<Assignment>,
    /// Its score.
    pub score: PlanScore,
    /// Proven upper bound on the number of inspections of any plan (for the optimiser: of any
    /// plan within its horizon).
    pub count_upper_bound: usize,
    /// How it was produced: "fifo", "heuristic" or "exact".
    pub method: String,
}

/// Per-team job lists → a plan with times (visits ordered to minimise travel).
/// Returns `None` if some team's jobs do not fit its window.
fn build(p: &DayProblem, teams: &[Vec<usize>], method: &str, ub: usize) -> Option<Plan> {
    let mut assignments = Vec::new();
    let (mut n, mut place_sum, mut travel) = (0usize, 0usize, 0u32);
    for (t, js) in teams.iter().enumerate() {
        let team = p.teams.get(t)?;
        let (seq, tr) = route(p, team, js)?;
        let mut now = team.start;
        let mut at = team.start_area;
        for j in seq {
            let job = &p.jobs[j];
            now = (now + p.travel(at, job.area)).max(job.ready);
            at = job.area;
            assignments.push(Assignment {
                id: job.id.clone(),
                place: job.place,
                team: t,
                start: now,
                end: now + job.minutes,
                area: job.area,
            });
            now += job.minutes;
            n += 1;
            place_sum += job.place;
        }
        travel += tr;
    }
    Some(Plan {
        assignments,
        score: PlanScore {
            inspections: n,
            place_sum,
            travel_minutes: travel,
        },
        count_upper_bound: ub,
        method: method.into(),
    })
}

/// Best visiting order of a team's jobs: areas visited once each, in the order of least travel
/// (all orders for up to 6 areas, nearest-neighbour beyond); within an area by queue place.
/// Returns the job sequence and travel minutes, or `None` if it does not fit the window.
fn route(p: &DayProblem, team: &TeamDay, js: &[usize]) -> Option<(Vec<usize>, u32)> {
    let work: u32 = js.iter().map(|&j| p.jobs[j].minutes).sum();
    let mut areas: Vec<usize> = js.iter().map(|&j| p.jobs[j].area).collect();
    areas.sort_unstable();
    areas.dedup();
    let cost = |ord: &[usize]| {
        let mut at = team.start_area;
        let mut c = 0;
        for &a in ord {
            c += p.travel(at, a);
            at = a;
        }
        c
    };
    let best = if areas.len() <= 1 {
        areas.clone()
    } else if areas.len() <= 6 {
        let mut best = areas.clone();
        let mut best_c = cost(&best);
        let mut perm = areas.clone();
        permutations(&mut perm, 0, &mut |o| {
            let c = cost(o);
            if c < best_c {
                best_c = c;
                best = o.to_vec();
            }
        });
        best
    } else {
        let mut left = areas.clone();
        let mut ord = Vec::new();
        let mut at = team.start_area;
        while !left.is_empty() {
            let (k, _) = left
                .iter()
                .enumerate()
                .min_by_key(|(_, a)| p.travel(at, **a))?;
            at = left.remove(k);
            ord.push(at);
        }
        ord
    };
    let mut tr = cost(&best);
    let mut seq: Vec<usize> = js.to_vec();
    // The given order may be cheaper if travel times break the triangle inequality.
    let given: Vec<usize> = js.iter().map(|&j| p.jobs[j].area).collect();
    let given_tr = cost(&given);
    if given_tr < tr {
        tr = given_tr;
    } else {
        seq.sort_by_key(|&j| {
            (
                best.iter().position(|&a| a == p.jobs[j].area),
                p.jobs[j].place,
            )
        });
    }
    if work + tr > team.end.saturating_sub(team.start) {
        return None;
    }
    if js.iter().all(|&j| p.jobs[j].ready <= team.start) {
        return Some((seq, tr));
    }
    // Some are there only later in the day: of the order found, the order
    // given (a list schedule's, which it checked) and the order in which
    // the vessels are there, the one of least travel the team finishes
    // within its window, waiting for each vessel.
    let mut by_time = js.to_vec();
    by_time.sort_by_key(|&j| (p.jobs[j].ready, p.jobs[j].place));
    [seq, js.to_vec(), by_time]
        .into_iter()
        .filter(|s| finishes(p, team, s).is_some())
        .map(|s| {
            let mut at = team.start_area;
            let tr: u32 = s
                .iter()
                .map(|&j| {
                    let t = p.travel(at, p.jobs[j].area);
                    at = p.jobs[j].area;
                    t
                })
                .sum();
            (s, tr)
        })
        .min_by_key(|(_, tr)| *tr)
}

/// When `team` finishes `seq` in that order, waiting for each vessel to be
/// there; `None` past its window.
fn finishes(p: &DayProblem, team: &TeamDay, seq: &[usize]) -> Option<u32> {
    let (mut now, mut at) = (team.start, team.start_area);
    for &j in seq {
        let job = &p.jobs[j];
        now = (now + p.travel(at, job.area)).max(job.ready) + job.minutes;
        at = job.area;
    }
    (now <= team.end).then_some(now)
}

fn permutations(v: &mut [usize], k: usize, f: &mut impl FnMut(&[usize])) {
    if k == v.len() {
        f(v);
        return;
    }
    for i in k..v.len() {
        v.swap(k, i);
        permutations(v, k + 1, f);
        v.swap(k, i);
    }
}

/// Proven upper bound on the number of inspections (see the module docs).
pub fn count_upper_bound(p: &DayProblem) -> usize {
    let mut mins: Vec<u32> = p.jobs.iter().map(|j| j.minutes).collect();
    mins.sort_unstable();
    let total: u64 = p
        .teams
        .iter()
        .map(|t| u64::from(t.end.saturating_sub(t.start)))
        .sum();
    let slots: usize = match mins.first() {
        Some(&m) if m > 0 => p
            .teams
            .iter()
            .map(|t| (t.end.saturating_sub(t.start) / m) as usize)
            .sum(),
        _ => 0,
    };
    let mut acc = 0u64;
    let mut k = 0;
    for m in mins {
        acc += u64::from(m);
        if acc > total || k >= slots {
            break;
        }
        k += 1;
    }
    k
}

/// List scheduling in the given job order: each job to the team where it ends earliest
/// (appended at the end of that team's day), skipped if it fits nowhere.
fn list_schedule(p: &DayProblem, order: impl Iterator<Item = usize>) -> Vec<Vec<usize>> {
    let mut teams: Vec<Vec<usize>> = vec![Vec::new(); p.teams.len()];
    let mut state: Vec<(u32, usize)> = p.teams.iter().map(|t| (t.start, t.start_area)).collect();
    for j in order {
        let job = &p.jobs[j];
        let best = state
            .iter()
            .enumerate()
            .filter_map(|(t, &(now, at))| {
                let end = (now + p.travel(at, job.area)).max(job.ready) + job.minutes;
                (end <= p.teams[t].end).then_some((end, t))
            })
            .min();
        if let Some((end, t)) = best {
            teams[t].push(j);
            state[t] = (end, job.area);
        }
    }
    teams
}

/// The FIFO baseline.
pub fn plan_fifo(p: &DayProblem) -> Result<Plan> {
    p.validate()?;
    let ub = count_upper_bound(p);
    let teams = list_schedule(p, 0..p.jobs.len());
    // The appended order is feasible and `route` never travels more than it, so `build` succeeds.
    build(p, &teams, "fifo", ub)
        .ok_or_else(|| PlannerError::Input("internal: FIFO plan infeasible".into()))
}

/// Largest candidate set solved exactly by enumeration.
pub const EXACT_MAX_JOBS: usize = 8;
/// Largest team count solved exactly by enumeration.
pub const EXACT_MAX_TEAMS: usize = 3;

/// Candidate jobs: per (area, minutes) class only the earliest `ub` places can be in an optimal
/// plan (swapping a later vessel for an earlier one of the same class keeps feasibility and
/// improves the score).
fn candidates(p: &DayProblem, ub: usize) -> Vec<usize> {
    let mut seen: std::collections::HashMap<(usize, u32, u32), usize> =
        std::collections::HashMap::new();
    let mut out = Vec::new();
    for (i, j) in p.jobs.iter().enumerate() {
        let c = seen.entry((j.area, j.minutes, j.ready)).or_default();
        if *c < ub {
            *c += 1;
            out.push(i);
        }
    }
    out
}

/// Default lookahead factor of the horizon.
pub const DEFAULT_LOOKAHEAD: f64 = 2.0;

/// The planning horizon `K` (see the module docs) given the FIFO plan.
pub fn horizon(p: &DayProblem, fifo: &Plan, lookahead: f64) -> usize {
    let la = if lookahead.is_finite() {
        lookahead.clamp(1.0, 1000.0)
    } else {
        DEFAULT_LOOKAHEAD
    };
    let by_count = (la * count_upper_bound(p).max(fifo.score.inspections) as f64).ceil() as usize;
    let furthest = fifo
        .assignments
        .iter()
        .map(|a| a.place + 1)
        .max()
        .unwrap_or(0);
    by_count.max(furthest).min(p.jobs.len())
}

/// The optimiser with the default lookahead.
pub fn plan_optimised(p: &DayProblem) -> Result<Plan> {
    plan_optimised_with(p, DEFAULT_LOOKAHEAD)
}

/// The optimiser: exact on small instances, otherwise local search from FIFO and from a
/// shortest-first plan; never worse than FIFO.
pub fn plan_optimised_with(p: &DayProblem, lookahead: f64) -> Result<Plan> {
    let fifo = plan_fifo(p)?;
    let k = horizon(p, &fifo, lookahead);
    // The bound that matters is the one over the horizon (FIFO's plan lies inside it).
    let ub = {
        let mut h = p.clone();
        h.jobs.truncate(k);
        count_upper_bound(&h)
    };
    let fifo = Plan {
        count_upper_bound: ub,
        ..fifo
    };
    let mut cand = candidates(p, ub);
    cand.retain(|&j| j < k);
    if cand.len() <= EXACT_MAX_JOBS && p.teams.len() <= EXACT_MAX_TEAMS {
        let best = exact(p, &cand, ub);
        return Ok(match best {
            Some(b) if b.score >= fifo.score => b,
            _ => fifo,
        });
    }
    let mut starts = vec![list_schedule(p, 0..k)];
    let mut spt = cand.clone();
    spt.sort_by_key(|&j| (p.jobs[j].minutes, j));
    starts.push(list_schedule(p, spt.into_iter()));
    let mut best = fifo;
    for s in starts {
        let teams = improve(p, &cand, s);
        if let Some(plan) = build(p, &teams, "heuristic", ub).filter(|pl| pl.score > best.score) {
            best = plan;
        }
    }
    Ok(best)
}

fn fits(p: &DayProblem, t: usize, js: &[usize]) -> Option<u32> {
    route(p, &p.teams[t], js).map(|(_, tr)| tr)
}

fn score_of(p: &DayProblem, teams: &[Vec<usize>]) -> Option<PlanScore> {
    let mut s = PlanScore {
        inspections: 0,
        place_sum: 0,
        travel_minutes: 0,
    };
    for (t, js) in teams.iter().enumerate() {
        s.travel_minutes += fits(p, t, js)?;
        s.inspections += js.len();
        s.place_sum += js.iter().map(|&j| p.jobs[j].place).sum::<usize>();
    }
    Some(s)
}

/// Local search: insert, swap (earlier for later), one out two in, move between teams.
fn improve(p: &DayProblem, cand: &[usize], mut teams: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    let Some(mut cur) = score_of(p, &teams) else {
        return teams;
    };
    let mut used = vec![false; p.jobs.len()];
    for js in &teams {
        for &j in js {
            used[j] = true;
        }
    }
    for _round in 0..50 {
        let mut changed = false;
        // 1. insert unused candidates, earliest place first.
        for &u in cand {
            if used[u] {
                continue;
            }
            for (t, team) in teams.iter_mut().enumerate() {
                team.push(u);
                if fits(p, t, team).is_some() {
                    used[u] = true;
                    changed = true;
                    break;
                }
                team.pop();
            }
        }
        // 2. swap an assigned job for an earlier unused one (or two unused for one assigned).
        for (t, team) in teams.iter_mut().enumerate() {
            let mut k = 0;
            while k < team.len() {
                let j = team[k];
                let mut done = false;
                for &u in cand {
                    if used[u] || p.jobs[u].place >= p.jobs[j].place {
                        continue;
                    }
                    team[k] = u;
                    if fits(p, t, team).is_some() {
                        used[u] = true;
                        used[j] = false;
                        changed = true;
                        done = true;
                        break;
                    }
                    team[k] = j;
                }
                if !done {
                    // one out, two in
                    'outer: for (a, &u1) in cand.iter().enumerate() {
                        if used[u1] || p.jobs[u1].minutes >= p.jobs[j].minutes {
                            continue;
                        }
                        for &u2 in &cand[a + 1..] {
                            if used[u2] {
                                continue;
                            }
                            team[k] = u1;
                            team.push(u2);
                            if fits(p, t, team).is_some() {
                                used[u1] = true;
                                used[u2] = true;
                                used[j] = false;
                                changed = true;
                                break 'outer;
                            }
                            team.pop();
                            team[k] = j;
                        }
                    }
                }
                k += 1;
            }
        }
        // 3. move a job to another team if that lets an unused candidate in.
        'mv: for a in 0..teams.len() {
            for k in 0..teams[a].len() {
                for b in 0..teams.len() {
                    if a == b {
                        continue;
                    }
                    let j = teams[a][k];
                    teams[b].push(j);
                    if fits(p, b, &teams[b]).is_none() {
                        teams[b].pop();
                        continue;
                    }
                    teams[a].swap_remove(k);
                    for &u in cand {
                        if used[u] {
                            continue;
                        }
                        teams[a].push(u);
                        if fits(p, a, &teams[a]).is_some() {
                            used[u] = true;
                            changed = true;
                            break 'mv;
                        }
                        teams[a].pop();
                    }
                    // undo
                    teams[a].push(j);
                    let last = teams[a].len() - 1;
                    teams[a].swap(k, last);
                    teams[b].pop();
                }
            }
        }
        let Some(s) = score_of(p, &teams) else { break };
        if !changed || s <= cur {
            cur = cur.max(s);
            if !changed {
                break;
            }
        } else {
            cur = s;
        }
    }
    teams
}

/// Exact enumeration over candidates: each to no team or to one team.
fn exact(p: &DayProblem, cand: &[usize], ub: usize) -> Option<Plan> {
    let nt = p.teams.len();
    let mut teams: Vec<Vec<usize>> = vec![Vec::new(); nt];
    let mut best: Option<(PlanScore, Vec<Vec<usize>>)> = None;
    fn rec(
        p: &DayProblem,
        cand: &[usize],
        k: usize,
        teams: &mut Vec<Vec<usize>>,
        best: &mut Option<(PlanScore, Vec<Vec<usize>>)>,
    ) {
        if k == cand.len() {
            if let Some(s) = score_of(p, teams).filter(|s| best.as_ref().is_none_or(|(b, _)| s > b))
            {
                *best = Some((s, teams.clone()));
            }
            return;
        }
        rec(p, cand, k + 1, teams, best);
        for t in 0..teams.len() {
            teams[t].push(cand[k]);
            if fits(p, t, &teams[t]).is_some() {
                rec(p, cand, k + 1, teams, best);
            }
            teams[t].pop();
        }
    }
    rec(p, cand, 0, &mut teams, &mut best);
    let (_, t) = best?;
    build(p, &t, "exact", ub)
}

/// `HH:MM` of minutes after local midnight.
pub fn hhmm(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Where an inspection booked outside the plan fits among the plan's inspections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// This team is free for it.
    Team(usize),
    /// It overlaps no team's window: overtime, it takes none of the plan's time.
    Overtime,
    /// Every team whose window it overlaps is busy then.
    NoTeam,
}

/// For inspections booked outside the plan (`(start, minutes)`, minutes
/// after local midnight), a team each can be done by: one whose window it
/// overlaps and that is busy neither with the plan's inspections (`busy`:
/// team, start, end) nor with another booking given to it. Serves as many
/// bookings as any sharing of the free teams can: bookings that overlap
/// one another are searched together, and teams alike at a step (same
/// window, same busy times then) are tried once. Past a search budget per
/// group, the best sharing found so far (never worse than giving each the
/// first free team in turn).
pub fn fit_bookings(
    p: &DayProblem,
    busy: &[(usize, u32, u32)],
    bookings: &[(u32, u32)],
) -> Vec<Fit> {
    let spans: Vec<(u32, u32)> = bookings
        .iter()
        .map(|&(s, m)| (s, s.saturating_add(m)))
        .collect();
    let overlaps = |t: &TeamDay, (s, e): (u32, u32)| s < t.end && e > t.start;
    let mut out: Vec<Fit> = spans
        .iter()
        .map(|&span| {
            if p.teams.iter().any(|t| overlaps(t, span)) {
                Fit::NoTeam
            } else {
                Fit::Overtime
            }
        })
        .collect();
    let mut inside: Vec<usize> = (0..spans.len())
        .filter(|&i| out[i] == Fit::NoTeam)
        .collect();
    inside.sort_by_key(|&i| (spans[i].0, i));
    // Groups of bookings that overlap one another (a chain): no team's
    // choice in one group can matter to another.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut reach = 0;
    for &i in &inside {
        let (s, e) = spans[i];
        match groups.last_mut() {
            Some(g) if s < reach => g.push(i),
            _ => groups.push(vec![i]),
        }
        // A new group starts at or after `reach`, so `e` is past it too.
        reach = reach.max(e);
    }
    for group in groups {
        let lo = group.iter().map(|&i| spans[i].0).min().unwrap_or(0);
        let hi = group.iter().map(|&i| spans[i].1).max().unwrap_or(0);
        // What tells two teams apart within the group's hours.
        let signature: Vec<TeamSignature> = p
            .teams
            .iter()
            .enumerate()
            .map(|(t, team)| {
                let mut b: Vec<(u32, u32)> = busy
                    .iter()
                    .filter(|&&(k, s, e)| k == t && s < hi && e > lo)
                    .map(|&(_, s, e)| (s.max(lo), e.min(hi)))
                    .collect();
                b.sort_unstable();
                (team.start.max(lo).min(hi), team.end.min(hi).max(lo), b)
            })
            .collect();
        let candidates: Vec<Vec<usize>> = group
            .iter()
            .map(|&i| {
                let (s, e) = spans[i];
                (0..p.teams.len())
                    .filter(|&t| overlaps(&p.teams[t], (s, e)))
                    .filter(|&t| !busy.iter().any(|&(k, bs, be)| k == t && s < be && e > bs))
                    .collect()
            })
            .collect();
        let mut search = Search {
            spans: &spans,
            group: &group,
            candidates: &candidates,
            signature: &signature,
            taken: vec![Vec::new(); p.teams.len()],
            chosen: vec![None; group.len()],
            best: (0, vec![None; group.len()]),
            budget: FIT_BUDGET,
        };
        search.go(0, 0);
        for (k, &i) in group.iter().enumerate() {
            if let Some(t) = search.best.1[k] {
                out[i] = Fit::Team(t);
            }
        }
    }
    out
}

/// A team as a group of bookings sees it: its window and its busy times
/// within the group's hours.
type TeamSignature = (u32, u32, Vec<(u32, u32)>);

/// Search steps per group of overlapping bookings in [`fit_bookings`].
const FIT_BUDGET: u32 = 200_000;

/// Depth-first search for [`fit_bookings`]: the most bookings of a group served.
struct Search<'a> {
    spans: &'a [(u32, u32)],
    group: &'a [usize],
    candidates: &'a [Vec<usize>],
    signature: &'a [TeamSignature],
    /// Bookings given to each team so far.
    taken: Vec<Vec<(u32, u32)>>,
    chosen: Vec<Option<usize>>,
    best: (usize, Vec<Option<usize>>),
    budget: u32,
}

impl Search<'_> {
    fn go(&mut self, k: usize, served: usize) {
        if served + (self.group.len() - k) <= self.best.0 || self.budget == 0 {
            return;
        }
        self.budget -= 1;
        if k == self.group.len() {
            self.best = (served, self.chosen.clone());
            return;
        }
        let (s, e) = self.spans[self.group[k]];
        let mut tried: Vec<usize> = Vec::new();
        let candidates = self.candidates;
        for &t in &candidates[k] {
            if self.taken[t].iter().any(|&(ts, te)| s < te && e > ts) {
                continue;
            }
            // A team alike one tried at this step gives the same outcomes.
            if tried
                .iter()
                .any(|&u| self.signature[u] == self.signature[t] && self.taken[u] == self.taken[t])
            {
                continue;
            }
            tried.push(t);
            self.taken[t].push((s, e));
            self.chosen[k] = Some(t);
            self.go(k + 1, served + 1);
            self.taken[t].pop();
            self.chosen[k] = None;
        }
        self.go(k + 1, served);
    }
}

/// `" (window kept clear: …)"` when something outside the plan shortened the team's window.
fn reserved(team: &TeamDay) -> String {
    if team.reserved.is_empty() {
        return String::new();
    }
    format!(" (window kept clear: {})", team.reserved.join("; "))
}

/// Check a plan against its problem: windows, travel, no vessel twice, times consistent.
/// Each team's assignments are taken in order of start time, so a plan given in any order is
/// judged by what the team would do; the first violation is returned with the vessel, the team,
/// the times and the reason (e.g. a team booked twice at once).
pub fn check_plan(p: &DayProblem, plan: &Plan) -> Result<()> {
    let bad = |m: String| Err(PlannerError::Input(m));
    let team_name = |t: usize| {
        p.teams
            .get(t)
            .map_or_else(|| format!("team {t}"), |x| x.name.clone())
    };
    let area_name = |a: usize| {
        p.areas
            .get(a)
            .cloned()
            .unwrap_or_else(|| format!("area {a}"))
    };
    if let Some(a) = plan.assignments.iter().find(|a| a.team >= p.teams.len()) {
        return bad(format!(
            "assignment of {} is to team {}, which does not work that day ({} teams)",
            a.id,
            a.team + 1,
            p.teams.len()
        ));
    }
    let mut seen: std::collections::HashMap<usize, &Assignment> = std::collections::HashMap::new();
    for a in &plan.assignments {
        if let Some(first) = seen.insert(a.place, a) {
            return bad(format!(
                "vessel {} is planned twice ({} {}-{} and {} {}-{})",
                a.id,
                team_name(first.team),
                hhmm(first.start),
                hhmm(first.end),
                team_name(a.team),
                hhmm(a.start),
                hhmm(a.end)
            ));
        }
        let job = p
            .jobs
            .get(a.place)
            .filter(|j| j.id == a.id)
            .ok_or_else(|| {
                PlannerError::Input(format!("{} is not waiting for inspection", a.id))
            })?;
        if job.area != a.area {
            return bad(format!(
                "{} is at {}, not {}",
                a.id,
                area_name(job.area),
                area_name(a.area)
            ));
        }
        if a.start < job.ready {
            return bad(format!(
                "{} is expected at {} only at {}: it cannot be inspected at {}",
                a.id,
                area_name(job.area),
                hhmm(job.ready),
                hhmm(a.start)
            ));
        }
        if a.end != a.start + job.minutes {
            return bad(format!(
                "{} on {}: {}-{} lasts {} min, but its inspection takes {} min (it would end at {})",
                a.id,
                team_name(a.team),
                hhmm(a.start),
                hhmm(a.end),
                i64::from(a.end) - i64::from(a.start),
                job.minutes,
                hhmm(a.start + job.minutes)
            ));
        }
    }
    for (t, team) in p.teams.iter().enumerate() {
        let mut mine: Vec<&Assignment> = plan.assignments.iter().filter(|a| a.team == t).collect();
        mine.sort_by_key(|a| (a.start, a.place));
        let mut now = team.start;
        let mut at = team.start_area;
        let mut prev: Option<&Assignment> = None;
        for a in mine {
            let travel = p.travel(at, a.area);
            if a.start < now + travel {
                return bad(match prev {
                    Some(b) if a.start < b.end => format!(
                        "{} is double-booked: {} at {}-{} overlaps {} at {}-{}",
                        team.name,
                        a.id,
                        hhmm(a.start),
                        hhmm(a.end),
                        b.id,
                        hhmm(b.start),
                        hhmm(b.end)
                    ),
                    Some(b) => format!(
                        "{} cannot start {} at {}: after {} (until {}) it needs {travel} min to reach {}, so {} at the earliest",
                        team.name,
                        a.id,
                        hhmm(a.start),
                        b.id,
                        hhmm(b.end),
                        area_name(a.area),
                        hhmm(now + travel)
                    ),
                    None => format!(
                        "{} cannot start {} at {}: its day starts at {} at {} and it needs {travel} min to reach {}, so {} at the earliest{}",
                        team.name,
                        a.id,
                        hhmm(a.start),
                        hhmm(team.start),
                        area_name(team.start_area),
                        area_name(a.area),
                        hhmm(now + travel),
                        reserved(team)
                    ),
                });
            }
            if a.end > team.end {
                return bad(format!(
                    "{} works past its window: {} at {}-{} ends after {}{}",
                    team.name,
                    a.id,
                    hhmm(a.start),
                    hhmm(a.end),
                    hhmm(team.end),
                    reserved(team)
                ));
            }
            now = a.end;
            at = a.area;
            prev = Some(a);
        }
    }
    Ok(())
}

/// The score of any plan of the problem (inspections, sum of queue places, travel minutes of
/// each team visiting its assignments in start order).
pub fn score_plan(p: &DayProblem, plan: &Plan) -> PlanScore {
    let mut s = PlanScore {
        inspections: plan.assignments.len(),
        place_sum: plan.assignments.iter().map(|a| a.place).sum(),
        travel_minutes: 0,
    };
    for (t, team) in p.teams.iter().enumerate() {
        let mut mine: Vec<&Assignment> = plan.assignments.iter().filter(|a| a.team == t).collect();
        mine.sort_by_key(|a| (a.start, a.place));
        let mut at = team.start_area;
        for a in mine {
            s.travel_minutes += p.travel(at, a.area);
            at = a.area;
        }
    }
    s
}

/// An assignment with time-zone-aware start and end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimedAssignment {
    /// Voyage id.
    pub id: String,
    /// Team name.
    pub team: String,
    /// Area name.
    pub area: String,
    /// Start, in the configured time zone.
    pub start: jiff::Zoned,
    /// End.
    pub end: jiff::Zoned,
}

/// Put the plan on the clock of the config's time zone.
pub fn timed(p: &DayProblem, plan: &Plan, cfg: &CapacityConfig) -> Result<Vec<TimedAssignment>> {
    let tz = cfg.tz()?;
    // Minutes after the day's local midnight; 1440 (a window to 24:00) is
    // the next day's midnight, not 23:00 as it once read.
    let at = |m: u32| -> Result<jiff::Zoned> {
        let bad = |e: jiff::Error| PlannerError::Input(format!("minute {m}: {e}"));
        p.day
            .to_datetime(jiff::civil::Time::midnight())
            .checked_add(jiff::SignedDuration::from_mins(i64::from(m)))
            .map_err(bad)?
            .to_zoned(tz.clone())
            .map_err(bad)
    };
    plan.assignments
        .iter()
        .map(|a| {
            Ok(TimedAssignment {
                id: a.id.clone(),
                team: p
                    .teams
                    .get(a.team)
                    .map_or_else(String::new, |t| t.name.clone()),
                area: p.areas.get(a.area).cloned().unwrap_or_default(),
                start: at(a.start)?,
                end: at(a.end)?,
            })
        })
        .collect()
}
