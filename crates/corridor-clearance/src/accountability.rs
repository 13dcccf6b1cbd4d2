//! Accountability figures from the log's events: per party, decisions made,
//! median and 90th-percentile time to decide, holds and rejections by reason
//! code, and what is overdue now.
//!
//! Time to decide runs from when the party's decision became awaited (review
//! start, a release, an amendment, or its own previous decision) to the
//! logged time of the decision, minus any time the corridor was suspended.
//! Percentiles use the nearest-rank method on whole seconds.
//!
//! Time held is the other side: from the logged time of a party's hold to
//! when it stopped holding the application up (its release, its own next
//! decision, an amendment, or the application leaving review: approved by
//! the rule, rejected, withdrawn, expired), minus suspensions; a hold still
//! in place counts up to now and is counted open.

use crate::config::CorridorConfig;
use crate::machine::{Clearance, Event, Overdue, ReplayError};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One party's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyAccountability {
    /// Party code.
    pub party: String,
    /// Decisions recorded (approve, hold, reject).
    pub decisions: u64,
    /// Approvals.
    pub approvals: u64,
    /// Median time to decide, seconds.
    pub median_seconds_to_decide: Option<i64>,
    /// 90th-percentile time to decide, seconds.
    pub p90_seconds_to_decide: Option<i64>,
    /// Holds by reason code.
    pub holds_by_reason: BTreeMap<String, u64>,
    /// Rejections by reason code.
    pub rejections_by_reason: BTreeMap<String, u64>,
    /// Seconds the party's holds kept applications waiting, up to now.
    pub seconds_held: i64,
    /// The party's holds still in place now.
    pub holds_open: u64,
    /// Decisions overdue now.
    pub overdue: Vec<Overdue>,
}

/// Figures for every party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accountability {
    /// When computed.
    #[serde(with = "corridor_ledger::time::rfc3339")]
    pub as_of: Timestamp,
    /// Per party, in configuration order.
    pub parties: Vec<PartyAccountability>,
}

/// Nearest-rank percentile (`p` in 1..=100) of sorted values.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let rank = (u64::from(p.clamp(1, 100)) * n as u64).div_ceil(100) as usize;
    sorted.get(rank.clamp(1, n) - 1).copied()
}

/// Replays `events` (with their log times) and computes the figures at `now`.
pub fn accountability<'a>(
    config: &CorridorConfig,
    events: impl IntoIterator<Item = (Timestamp, &'a Event)>,
    now: Timestamp,
) -> Result<Accountability, ReplayError> {
    let mut state = Clearance::new(config.clone());
    let mut durations: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    // (application, party) → when its hold began, while it holds.
    let mut held_since: BTreeMap<(String, String), Timestamp> = BTreeMap::new();
    let mut figures: BTreeMap<String, PartyAccountability> = config
        .party_codes()
        .map(|p| {
            (
                p.to_string(),
                PartyAccountability {
                    party: p.to_string(),
                    decisions: 0,
                    approvals: 0,
                    median_seconds_to_decide: None,
                    p90_seconds_to_decide: None,
                    holds_by_reason: BTreeMap::new(),
                    rejections_by_reason: BTreeMap::new(),
                    seconds_held: 0,
                    holds_open: 0,
                    overdue: Vec::new(),
                },
            )
        })
        .collect();
    for (at, event) in events {
        if let Event::DecisionRecorded {
            application_id,
            decision,
            ..
        } = event
        {
            let since = state
                .applications
                .get(application_id)
                .and_then(|a| a.awaiting_since.get(&decision.party))
                .copied();
            if let (Some(since), Some(f)) = (since, figures.get_mut(&decision.party)) {
                let secs = (at.as_second()
                    - since.as_second()
                    - state.corridor.suspended_seconds(since, at))
                .max(0);
                durations
                    .entry(decision.party.clone())
                    .or_default()
                    .push(secs);
                f.decisions += 1;
                match &decision.decision {
                    corridor_ledger::DecisionKind::Approve => f.approvals += 1,
                    corridor_ledger::DecisionKind::Hold { reason_code, .. } => {
                        *f.holds_by_reason.entry(reason_code.clone()).or_default() += 1;
                    }
                    corridor_ledger::DecisionKind::Reject { reason_code, .. } => {
                        *f.rejections_by_reason
                            .entry(reason_code.clone())
                            .or_default() += 1;
                    }
                    // Logged as `HoldReleased`, never as a decision.
                    corridor_ledger::DecisionKind::Release => {}
                }
            }
        }
        state.apply(event, at)?;
        // Holds: opened by a hold, closed once the party no longer holds
        // the application in review (the state says so after any event).
        if let Event::DecisionRecorded {
            application_id,
            decision,
            ..
        } = event
            && matches!(
                decision.decision,
                corridor_ledger::DecisionKind::Hold { .. }
            )
        {
            held_since
                .entry((application_id.clone(), decision.party.clone()))
                .or_insert(at);
        }
        held_since.retain(|(app, party), since| {
            if holds(&state, app, party) {
                return true;
            }
            if let Some(f) = figures.get_mut(party) {
                f.seconds_held += held(&state, *since, at);
            }
            false
        });
    }
    for ((_, party), since) in &held_since {
        if let Some(f) = figures.get_mut(party) {
            f.seconds_held += held(&state, *since, now);
            f.holds_open += 1;
        }
    }
    for o in state.overdue(now) {
        if let Some(f) = figures.get_mut(&o.party) {
            f.overdue.push(o);
        }
    }
    for (party, mut ds) in durations {
        ds.sort_unstable();
        if let Some(f) = figures.get_mut(&party) {
            f.median_seconds_to_decide = percentile(&ds, 50);
            f.p90_seconds_to_decide = percentile(&ds, 90);
        }
    }
    let parties = config
        .party_codes()
        .filter_map(|p| figures.remove(p))
        .collect();
    Ok(Accountability {
        as_of: corridor_ledger::time::to_seconds(now),
        parties,
    })
}

/// `party`'s current decision on `app` is a hold, and the application is in review.
fn holds(state: &Clearance, app: &str, party: &str) -> bool {
    state.applications.get(app).is_some_and(|a| {
        a.status.in_review()
            && a.decisions
                .get(party)
                .is_some_and(|d| matches!(d.kind, corridor_ledger::DecisionKind::Hold { .. }))
    })
}

/// Seconds from `since` to `until` outside suspensions.
fn held(state: &Clearance, since: Timestamp, until: Timestamp) -> i64 {
    (until.as_second() - since.as_second() - state.corridor.suspended_seconds(since, until)).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let check = |v: &[i64], p, expected| assert_eq!(percentile(v, p), expected, "{v:?} p{p}");
        check(&[], 50, None);
        check(&[5], 50, Some(5));
        check(&[5], 90, Some(5));
        check(&[1, 2, 3, 4], 50, Some(2));
        check(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, Some(9));
        check(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90, Some(10));
    }
}
