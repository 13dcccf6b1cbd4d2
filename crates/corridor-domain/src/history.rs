//! Merging a new snapshot of a voyage into the record, keeping what it
//! replaces.
//!
//! Rule: for each voyage, the values of the newest snapshot stand, whatever
//! the order in which snapshots are imported. Values that lose (replaced by
//! a newer snapshot, or arriving from an older one) are kept as history
//! rows, never dropped. Two snapshots with the same date: the later import
//! wins, since it is the later word of the same day.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::voyage::VoyageRecord;

/// Where a set of values came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The source, e.g. the file name imported.
    pub source: String,
    /// The date the source describes the world as of.
    pub as_of: Date,
}

/// The voyage as the record holds it now, with the snapshot its values come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentVoyage {
    pub record: VoyageRecord,
    pub snapshot: Snapshot,
}

/// One value that lost to another: kept so nothing is overwritten silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    /// The value that no longer stands (`None`: the field did not exist, e.g. a new cargo line).
    pub old_value: Option<String>,
    pub old_snapshot: Snapshot,
    /// The value that stands.
    pub new_value: Option<String>,
    pub new_snapshot: Snapshot,
}

/// A history row as stored: a change plus when it was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    #[serde(flatten)]
    pub change: FieldChange,
    pub recorded_at: Timestamp,
}

/// What merging one incoming voyage did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merge {
    /// The voyage was not in the record.
    New(CurrentVoyage),
    /// Same values (or an older snapshot that agrees): nothing to write.
    Unchanged,
    /// The incoming snapshot is newer (or as new) and differs: it stands.
    Updated {
        current: CurrentVoyage,
        changes: Vec<FieldChange>,
    },
    /// The incoming snapshot is older and differs: the record stands, and
    /// the older values go into the history. `filled`: the record with the
    /// values its own snapshot does not publish (a WFP flag) taken from the
    /// older one, which `changes` then says (from nothing to the older
    /// value, credited to the older snapshot).
    Superseded {
        changes: Vec<FieldChange>,
        filled: Option<CurrentVoyage>,
    },
    /// Newer and equal in value: only the snapshot date moves forward.
    Confirmed(CurrentVoyage),
}

/// Merges `incoming` (from `snapshot`) into the current record of its voyage.
/// Takes `incoming` by value: a new voyage, or one whose newer values stand,
/// becomes the record without a copy.
pub fn merge(
    existing: Option<&CurrentVoyage>,
    incoming: VoyageRecord,
    snapshot: &Snapshot,
) -> Merge {
    let Some(existing) = existing else {
        return Merge::New(CurrentVoyage {
            record: incoming,
            snapshot: snapshot.clone(),
        });
    };
    if snapshot.as_of < existing.snapshot.as_of {
        // Older: the record's values stand; the older ones that differ go
        // into the history.
        let merged = overlay(&incoming, existing.record.clone());
        let mut changes = diff(&incoming, snapshot, &merged, &existing.snapshot);
        // What the record lacks and the older snapshot has is taken (else
        // that value would be in neither the record nor the history, and
        // the figures would depend on the order of imports).
        let fills = filled_in(&existing.record, &existing.snapshot, &merged, snapshot);
        if changes.is_empty() && fills.is_empty() {
            return Merge::Unchanged;
        }
        let filled = (!fills.is_empty()).then(|| CurrentVoyage {
            record: merged,
            snapshot: existing.snapshot.clone(),
        });
        changes.extend(fills);
        return Merge::Superseded { changes, filled };
    }
    // Newer or as new: the incoming values over the record's; the record's
    // values that differ go into the history.
    let merged = overlay(&existing.record, incoming);
    let changes = diff(&existing.record, &existing.snapshot, &merged, snapshot);
    if changes.is_empty() && (snapshot == &existing.snapshot || existing.record == merged) {
        return if snapshot.as_of > existing.snapshot.as_of {
            Merge::Confirmed(CurrentVoyage {
                record: merged,
                snapshot: snapshot.clone(),
            })
        } else {
            Merge::Unchanged
        };
    }
    Merge::Updated {
        current: CurrentVoyage {
            record: merged,
            snapshot: snapshot.clone(),
        },
        changes,
    }
}

/// `winner`'s values, keeping `base`'s for fields `winner` does not publish
/// (a cargo line's WFP flag missing from a table without that column).
fn overlay(base: &VoyageRecord, mut winner: VoyageRecord) -> VoyageRecord {
    for (i, line) in winner.cargo.iter_mut().enumerate() {
        if line.wfp.is_none() {
            line.wfp = base.cargo.get(i).and_then(|b| b.wfp);
        }
    }
    winner
}

/// The fields `merged` has and `record` lacks: values `record`'s snapshot
/// does not publish, filled in from `from` (an older snapshot).
fn filled_in(
    record: &VoyageRecord,
    record_snap: &Snapshot,
    merged: &VoyageRecord,
    from: &Snapshot,
) -> Vec<FieldChange> {
    let (a, b) = (record.fields(), merged.fields());
    b.into_iter()
        .filter(|(k, _)| !a.contains_key(k))
        .map(|(field, v)| FieldChange {
            field,
            old_value: None,
            old_snapshot: record_snap.clone(),
            new_value: Some(v),
            new_snapshot: from.clone(),
        })
        .collect()
}

fn diff(
    old: &VoyageRecord,
    old_snap: &Snapshot,
    new: &VoyageRecord,
    new_snap: &Snapshot,
) -> Vec<FieldChange> {
    let (a, b) = (old.fields(), new.fields());
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (x, y) = (a.get(k), b.get(k));
            // A field the losing source does not publish is not a difference.
            if x == y || x.is_none() && !old_has_line(old, k) {
                return None;
            }
            Some(FieldChange {
                field: k.clone(),
                old_value: x.cloned(),
                old_snapshot: old_snap.clone(),
                new_value: y.cloned(),
                new_snapshot: new_snap.clone(),
            })
        })
        .collect()
}

/// Whether `field` belongs to a cargo line beyond those `rec` has: then its
/// absence is a real difference (a line added), not an unpublished column.
fn old_has_line(rec: &VoyageRecord, field: &str) -> bool {
    let Some(rest) = field.strip_prefix("cargo[") else {
        return false;
    };
    let Some((n, col)) = rest.split_once("].") else {
        return false;
    };
    let n: usize = n.parse().unwrap_or(0);
    n > rec.cargo.len() && col != "wfp"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voyage::{CargoLine, Direction, VoyageKey};
    use crate::{Commodity, Tonnes};

    fn voyage(tonnes: i64, wfp: Option<bool>) -> VoyageRecord {
        VoyageRecord {
            key: VoyageKey {
                direction: Direction::Outbound,
                seq: 34,
            },
            vessel_name: "KAFKAM ETLER".into(),
            imo: "9001112".parse().unwrap(),
            flag_name: "Türkiye".into(),
            flag: Some("TR".into()),
            port: "UAILK".into(),
            departure: jiff::civil::date(2022, 8, 23),
            inspection_cleared: Some(jiff::civil::date(2022, 8, 25)),
            cargo: vec![CargoLine {
                commodity: Commodity::Corn,
                tonnes: Tonnes::from_kg(tonnes),
                destination: "Türkiye".into(),
                destination_iso3: "TUR".into(),
                income_group: "upper-middle-income".into(),
                world_bank_region: "Europe & Central Asia".into(),
                un_region: "Asia-Pacific".into(),
                development_category: "developing".into(),
                wfp,
            }],
        }
    }

    fn snap(src: &str, d: i8) -> Snapshot {
        Snapshot {
            source: src.into(),
            as_of: jiff::civil::date(2023, 1, d),
        }
    }

    /// The record and its history after importing `order`, as the store
    /// applies each merge.
    fn import_in(order: [&(VoyageRecord, Snapshot); 2]) -> (CurrentVoyage, Vec<FieldChange>) {
        let mut current = None::<CurrentVoyage>;
        let mut history = Vec::new();
        for (rec, s) in order {
            match merge(current.as_ref(), rec.clone(), s) {
                Merge::New(c) | Merge::Confirmed(c) => current = Some(c),
                Merge::Updated {
                    current: c,
                    changes,
                } => {
                    current = Some(c);
                    history.extend(changes);
                }
                Merge::Superseded { changes, filled } => {
                    history.extend(changes);
                    if let Some(c) = filled {
                        current = Some(c);
                    }
                }
                Merge::Unchanged => {}
            }
        }
        (current.expect("a voyage imported"), history)
    }

    #[test]
    fn newest_snapshot_stands_in_either_order() {
        let csv = (voyage(2_437_000, Some(false)), snap("csv", 20));
        let xlsx = (voyage(2_436_990, None), snap("xlsx", 7));
        for order in [[&csv, &xlsx], [&xlsx, &csv]] {
            let (current, history) = import_in(order);
            assert_eq!(current.record, csv.0);
            assert_eq!(current.snapshot, csv.1);
            assert_eq!(history.len(), 1, "{history:?}");
            assert_eq!(history[0].field, "cargo[1].tonnes");
            assert_eq!(history[0].old_value.as_deref(), Some("2436.99"));
            assert_eq!(history[0].new_value.as_deref(), Some("2437"));
        }
    }

    /// Review of the import (2026-11-30), finding 1: a newer snapshot
    /// without the WFP column imported first, then an older one with it:
    /// the older flags were in neither the record nor the history, so the
    /// WFP tonnes depended on the order of imports. The record takes them,
    /// and the history says where they came from.
    #[test]
    fn an_older_snapshot_fills_in_what_the_newer_does_not_publish() {
        let csv = (voyage(2_437_000, Some(true)), snap("csv", 7));
        let xlsx = (voyage(2_436_990, None), snap("xlsx", 20));
        for order in [[&csv, &xlsx], [&xlsx, &csv]] {
            let (current, history) = import_in(order);
            assert_eq!(current.snapshot, xlsx.1, "{order:?}");
            assert_eq!(current.record.cargo[0].wfp, Some(true));
            assert_eq!(current.record.cargo[0].tonnes, xlsx.0.cargo[0].tonnes);
            let tonnes: Vec<_> = history
                .iter()
                .filter(|c| c.field == "cargo[1].tonnes")
                .collect();
            assert_eq!(tonnes.len(), 1, "{history:?}");
            assert_eq!(tonnes[0].old_snapshot, csv.1);
        }
        // Where the flag came from, when the newer snapshot came first.
        let Merge::New(cur) = merge(None, xlsx.0.clone(), &xlsx.1) else {
            panic!()
        };
        let Merge::Superseded { changes, filled } = merge(Some(&cur), csv.0.clone(), &csv.1) else {
            panic!()
        };
        assert!(filled.is_some());
        let wfp: Vec<_> = changes
            .iter()
            .filter(|c| c.field == "cargo[1].wfp")
            .collect();
        assert_eq!(wfp.len(), 1, "{changes:?}");
        assert_eq!(
            (wfp[0].old_value.as_deref(), wfp[0].new_value.as_deref()),
            (None, Some("true"))
        );
        assert_eq!(wfp[0].new_snapshot, csv.1);
        // Imported again, the older snapshot fills in nothing more.
        let Merge::Superseded { filled, .. } = merge(filled.as_ref(), csv.0.clone(), &csv.1) else {
            panic!()
        };
        assert_eq!(filled, None);
    }

    #[test]
    fn reimport_is_unchanged() {
        let rec = voyage(1000, Some(true));
        let s = snap("csv", 20);
        let Merge::New(cur) = merge(None, rec.clone(), &s) else {
            panic!()
        };
        assert_eq!(merge(Some(&cur), rec, &s), Merge::Unchanged);
        // An older table without the WFP column agrees: no history.
        assert_eq!(
            merge(Some(&cur), voyage(1000, None), &snap("xlsx", 7)),
            Merge::Unchanged
        );
    }

    #[test]
    fn added_cargo_line_is_a_change() {
        let one = voyage(1000, None);
        let mut two = one.clone();
        two.cargo.push(two.cargo[0].clone());
        let Merge::New(cur) = merge(None, one, &snap("a", 1)) else {
            panic!()
        };
        let Merge::Updated { changes, .. } = merge(Some(&cur), two, &snap("b", 2)) else {
            panic!()
        };
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert!(fields.contains(&"cargo_lines"));
        assert!(fields.contains(&"cargo[2].tonnes"));
        assert!(changes.iter().all(|c| c.field != "cargo[2].wfp"));
    }
}
