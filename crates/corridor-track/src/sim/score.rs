//! Matching alerts against the simulator's ground truth.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::TruthRecord;
use crate::alert::{Alert, AlertKind};

/// Recall and precision of a run, with what did not match.
#[derive(Debug, Clone, Serialize)]
pub struct Score {
    /// Matched truth records / truth records (1.0 when there is no truth).
    pub recall: f64,
    /// Matched alerts / alerts (1.0 when there are no alerts).
    pub precision: f64,
    /// Truth records, alerts (after de-duplication by id) and matches.
    pub counts: (usize, usize, usize),
    /// Per kind: (truth, alerts, matched).
    pub per_kind: Vec<(AlertKind, usize, usize, usize)>,
    /// Truth records no alert matched.
    pub missed: Vec<TruthRecord>,
    /// Alerts no truth record matched.
    pub spurious: Vec<Alert>,
}

/// Match `alerts` to `truth`.
///
/// Definition: an alert matches a truth record when it has the same `kind`,
/// the same `mmsi`, and its window `[start, end]` overlaps the truth window
/// widened by `tolerance` on both sides: `[start - tol, end + tol]`.
/// Matching is one-to-one: truth records in start order each take the
/// unmatched overlapping alert whose start is closest to theirs. Alerts are
/// de-duplicated by `id` first (the last version wins: an alert is emitted
/// open and again closed).
pub fn score(truth: &[TruthRecord], alerts: &[Alert], tolerance: SignedDuration) -> Score {
    let mut latest: HashMap<u64, &Alert> = HashMap::new();
    for a in alerts {
        latest.insert(a.id, a);
    }
    let mut finals: Vec<&Alert> = latest.into_values().collect();
    finals.sort_by_key(|a| (a.start, a.id));
    let mut by_key: HashMap<(AlertKind, u32), Vec<usize>> = HashMap::new();
    for (i, a) in finals.iter().enumerate() {
        by_key.entry((a.kind, a.mmsi)).or_default().push(i);
    }
    let mut taken = vec![false; finals.len()];
    let mut order: Vec<&TruthRecord> = truth.iter().collect();
    order.sort_by_key(|t| (t.start, t.mmsi, t.kind));
    let widen = |t: Timestamp, d: SignedDuration| t.checked_add(d).unwrap_or(t);
    let mut missed = Vec::new();
    let mut matched = 0usize;
    let mut per: HashMap<AlertKind, (usize, usize, usize)> = HashMap::new();
    for t in order {
        per.entry(t.kind).or_default().0 += 1;
        let lo = widen(t.start, -tolerance);
        let hi = widen(t.end, tolerance);
        let cands = by_key
            .get(&(t.kind, t.mmsi))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let best = cands
            .iter()
            .copied()
            .filter(|i| !taken[*i] && finals[*i].start <= hi && finals[*i].end >= lo)
            .min_by_key(|i| finals[*i].start.duration_since(t.start).abs());
        match best {
            Some(i) => {
                taken[i] = true;
                matched += 1;
                per.entry(t.kind).or_default().2 += 1;
            }
            None => missed.push(t.clone()),
        }
    }
    for a in &finals {
        per.entry(a.kind).or_default().1 += 1;
    }
    let spurious: Vec<Alert> = finals
        .iter()
        .zip(&taken)
        .filter(|(_, t)| !**t)
        .map(|(a, _)| (*a).clone())
        .collect();
    let ratio = |m: usize, n: usize| if n == 0 { 1.0 } else { m as f64 / n as f64 };
    let mut per_kind: Vec<(AlertKind, usize, usize, usize)> =
        per.into_iter().map(|(k, (a, b, c))| (k, a, b, c)).collect();
    per_kind.sort();
    Score {
        recall: ratio(matched, truth.len()),
        precision: ratio(matched, finals.len()),
        counts: (truth.len(), finals.len(), matched),
        per_kind,
        missed,
        spurious,
    }
}
