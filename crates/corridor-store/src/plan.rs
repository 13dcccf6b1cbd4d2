//! Turning an incoming snapshot into writes, given what the record holds.

use std::collections::HashMap;

use corridor_domain::history::{self, Merge};
use corridor_domain::{CurrentVoyage, FieldChange, Snapshot, VoyageKey, VoyageRecord};

/// The writes one import needs.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub inserts: Vec<CurrentVoyage>,
    pub updates: Vec<(i64, CurrentVoyage)>,
    pub confirms: Vec<(i64, Snapshot)>,
    /// Values that lost, and whether the record moved off them at this
    /// import (`true`: a change that may happen again, see
    /// `0003_history_repeats.sql`) or they came from an older snapshot.
    pub history: Vec<(VoyageKey, FieldChange, bool)>,
    pub unchanged: u64,
    pub superseded: u64,
    /// Of `updates`, those of superseded voyages whose record only took
    /// values its snapshot does not publish: counted as superseded, not
    /// updated, so the counts still add up to the voyages read.
    pub filled: u64,
    /// Of the updated voyages, those whose only change is values the record
    /// lacked (a WFP flag from a table that has the column): no history.
    pub filled_in: u64,
}

/// Plans the merge of `incoming` into `existing` (keyed, with row ids).
pub(crate) fn plan(
    existing: &HashMap<VoyageKey, (i64, CurrentVoyage)>,
    incoming: Vec<VoyageRecord>,
    snapshot: &Snapshot,
) -> Plan {
    let mut p = Plan::default();
    // Voyages added by this very batch, should a key repeat within it.
    let mut fresh: HashMap<VoyageKey, usize> = HashMap::new();
    for rec in incoming {
        let key = rec.key;
        let (id, current) = match existing.get(&key) {
            Some((id, c)) => (Some(*id), Some(c)),
            None => (None, fresh.get(&key).map(|&i| &p.inserts[i])),
        };
        match history::merge(current, rec, snapshot) {
            Merge::New(c) => {
                fresh.insert(key, p.inserts.len());
                p.inserts.push(c);
            }
            Merge::Unchanged => p.unchanged += 1,
            Merge::Superseded { changes, filled } => {
                p.superseded += 1;
                p.history
                    .extend(changes.into_iter().map(|c| (key, c, false)));
                // Values the record lacked, taken from the older snapshot.
                if let Some(current) = filled {
                    match id {
                        Some(id) => {
                            p.filled += 1;
                            p.updates.push((id, current));
                        }
                        None => {
                            if let Some(&i) = fresh.get(&key) {
                                p.inserts[i] = current;
                            }
                        }
                    }
                }
            }
            Merge::Confirmed(c) => match id {
                Some(id) => p.confirms.push((id, c.snapshot)),
                None => p.unchanged += 1,
            },
            Merge::Updated { current, changes } => {
                if changes.is_empty() && id.is_some() {
                    p.filled_in += 1;
                }
                p.history
                    .extend(changes.into_iter().map(|c| (key, c, true)));
                match id {
                    Some(id) => p.updates.push((id, current)),
                    None => {
                        if let Some(&i) = fresh.get(&key) {
                            p.inserts[i] = current;
                        }
                    }
                }
            }
        }
    }
    p
}
