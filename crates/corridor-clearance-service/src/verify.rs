//! `corridor verify`: everything recomputed from the database alone.
//!
//! 1. The chain: every row decodes, `seq` is dense, each `prev_hash` links,
//!    each `entry_hash` is recomputed, times never decrease, and every
//!    decision's signature verifies against the party keys registered in
//!    the log itself ([`corridor_ledger::verify_stored_chain`]).
//! 2. The Merkle tree: every stored signed checkpoint verifies with the log
//!    key and its root is the recomputed root at its size (so a rewritten or
//!    truncated tail is caught even when the chain itself is consistent).
//! 3. The party key table matches the keys registered in the log.
//! 4. The clearance state replays from the log and keeps its invariants.
//! 5. Every stored document's bytes hash to the SHA-256 it is stored (and
//!    logged) under, and every document the record names is stored.
//! 6. The `clearance_applications` table, a projection kept for SQL
//!    readers, is exactly what the replay gives.
//!
//! A changed, deleted or reordered row is named at its own position; a row
//! inserted by someone who chained it correctly to its predecessor is named
//! at the entry after it (whose `prev_hash` no longer links); a tail rewritten
//! consistently, or truncated, is named by the checkpoint it contradicts.
//!
//! What the database alone cannot show: whoever can write to it holds the
//! log key too, so they can rewrite the log, re-sign its checkpoints and
//! pass every check above. [`Anchors`] are what a party holds from outside:
//! checkpoints it fetched earlier and the log's public key as published.
//! Each held checkpoint must verify with that key and match the log's root
//! at its size, so a log rewritten or truncated before it is caught.

use corridor_clearance::{Clearance, CorridorConfig};
use corridor_ledger::checkpoint::SignedCheckpoint;
use corridor_ledger::{
    ChainError, ChainFault, Hash, KeyEventError, KeyRegistry, MerkleTree, PublicKey,
};
use serde::Serialize;

use crate::db::Db;
use crate::error::ServiceError;
use crate::service::key_row;

/// What an intact record amounts to.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// Entries.
    pub size: u64,
    /// Hash of the last entry.
    pub head: Hash,
    /// Merkle root over all entries.
    pub root: Hash,
    /// Decision signatures verified.
    pub signatures: u64,
    /// Stored checkpoints verified.
    pub checkpoints: u64,
    /// Applications replayed.
    pub applications: usize,
    /// Checkpoints held outside the database, verified against the log.
    pub held_checkpoints: u64,
}

/// What a verifier brings from outside the database (see the module docs).
#[derive(Debug, Default, Clone)]
pub struct Anchors {
    /// Checkpoints fetched earlier (`GET /api/v1/log/checkpoint`).
    pub checkpoints: Vec<SignedCheckpoint>,
    /// The log's public key, as published; the database's must be it.
    pub log_key: Option<PublicKey>,
    /// Entries receipts were given for (`seq`, `entry_hash`): the log must
    /// still hold each as it was.
    pub receipts: Vec<(u64, Hash)>,
}

/// The first thing that does not check.
#[derive(Debug, thiserror::Error)]
pub enum VerifyFailure {
    /// A log entry does not check (named by position and seq).
    #[error("{0}")]
    Chain(ChainError),
    /// A stored checkpoint does not match the log.
    #[error("checkpoint at size {size}: {message}")]
    Checkpoint { size: i64, message: String },
    /// A checkpoint held outside the database, or the log key given, does
    /// not match the log: it was rewritten, truncated or re-keyed.
    #[error("held checkpoint at size {size}: {message}")]
    Held { size: u64, message: String },
    /// The party key table disagrees with the log.
    #[error("party key table: {0}")]
    Keys(String),
    /// The events do not replay into a consistent state.
    #[error("clearance state: {0}")]
    Replay(String),
    /// A stored document is altered or missing.
    #[error("document: {0}")]
    Document(String),
    /// The applications table disagrees with the log.
    #[error("applications table: {0}")]
    Projection(String),
    /// A key change could not be checked: with no configuration and no
    /// stored checkpoint, nothing names the log its signatures are for.
    #[error(
        "{0} (no corridor configuration given and no checkpoint stored, so the log's name is unknown)"
    )]
    UnknownOrigin(ChainError),
    /// The database could not be read.
    #[error(transparent)]
    Db(#[from] ServiceError),
}

/// Verifies the clearance record in `db`; with `config`, also replays it.
/// Key changes are checked as signed for the corridor's log. Without
/// `config` they are checked for the log the stored checkpoints name, which
/// the database itself says (so a change replayed from another corridor's
/// log is caught only with `config`); with neither, a log with a party's
/// later key does not verify.
pub async fn verify_database(
    db: &Db,
    config: Option<&CorridorConfig>,
) -> Result<VerifyReport, VerifyFailure> {
    verify_database_anchored(db, config, &Anchors::default()).await
}

/// [`verify_database`], and the log against what the verifier holds from
/// outside the database.
pub async fn verify_database_anchored(
    db: &Db,
    config: Option<&CorridorConfig>,
    anchors: &Anchors,
) -> Result<VerifyReport, VerifyFailure> {
    let rows = db.log_rows().await?;
    let checkpoints = db.checkpoints().await?;
    let origin = match config {
        Some(c) => Some(crate::log_origin(c)),
        None => checkpoints
            .last()
            .map(|c| c.origin.clone())
            .or_else(|| anchors.checkpoints.last().map(|c| c.origin.clone())),
    };
    let summary = corridor_ledger::verify_stored_chain(
        &rows,
        &KeyRegistry::new(),
        origin.as_deref().unwrap_or(""),
    )
    .map_err(|e| match (&origin, &e.fault) {
        (None, ChainFault::KeyEvent(KeyEventError::BadSignature(_))) => {
            VerifyFailure::UnknownOrigin(e)
        }
        _ => VerifyFailure::Chain(e),
    })?;
    let origin = origin.unwrap_or_default();
    // The rows decode: verify_stored_chain has checked each one.
    let entries: Vec<_> = rows.iter().filter_map(|r| r.to_entry().ok()).collect();
    let tree = MerkleTree::from_leaf_hashes(
        entries
            .iter()
            .map(corridor_ledger::LogEntry::leaf_hash)
            .collect(),
    );

    let log_key = match db.log_public_key().await? {
        Some(text) => Some(
            PublicKey::from_text(&text).map_err(|e| VerifyFailure::Checkpoint {
                size: 0,
                message: format!("stored log key: {e}"),
            })?,
        ),
        None => None,
    };
    if let Some(given) = &anchors.log_key {
        match &log_key {
            Some(stored) if stored == given => {}
            Some(stored) => {
                return Err(VerifyFailure::Held {
                    size: 0,
                    message: format!(
                        "the database's log key is {}, not the log key given ({}): the log was re-keyed",
                        stored.key_id(),
                        given.key_id()
                    ),
                });
            }
            None => {
                return Err(VerifyFailure::Held {
                    size: 0,
                    message: "the database holds no log key".into(),
                });
            }
        }
    }
    for held in &anchors.checkpoints {
        let fail = |message: String| VerifyFailure::Held {
            size: held.size,
            message,
        };
        let key = anchors
            .log_key
            .as_ref()
            .or(log_key.as_ref())
            .ok_or_else(|| fail("no log key to verify it".into()))?;
        commits_to_log(held, key, &origin, &tree).map_err(fail)?;
    }
    for (seq, hash) in &anchors.receipts {
        let found = usize::try_from(*seq)
            .ok()
            .and_then(|i| entries.get(i))
            .map(|e| e.entry_hash);
        if found != Some(*hash) {
            return Err(VerifyFailure::Held {
                size: *seq,
                message: match found {
                    Some(other) => format!(
                        "a receipt says entry {seq} is {hash}, but the log's is {other}: the entry was rewritten"
                    ),
                    None => format!(
                        "a receipt says entry {seq} is {hash}, but the log has no entry {seq}: it was deleted"
                    ),
                },
            });
        }
    }
    for c in &checkpoints {
        let fail = |message: String| VerifyFailure::Checkpoint {
            size: c.size,
            message,
        };
        let key = log_key
            .as_ref()
            .ok_or_else(|| fail("no log key stored to verify it".into()))?;
        let signed = c.to_signed().map_err(fail)?;
        commits_to_log(&signed, key, &origin, &tree).map_err(fail)?;
    }

    let mut table = db.key_rows().await?;
    table.sort_by(|a, b| a.key_id.cmp(&b.key_id));
    let mut logged: Vec<_> = summary.keys.records().iter().map(key_row).collect();
    logged.sort_by(|a, b| a.key_id.cmp(&b.key_id));
    if table != logged {
        let diff = table
            .iter()
            .find(|r| !logged.contains(r))
            .map(|r| {
                format!(
                    "key {} of {} is not as the log registered it",
                    r.key_id, r.party
                )
            })
            .or_else(|| {
                logged.iter().find(|r| !table.contains(r)).map(|r| {
                    format!(
                        "key {} of {} registered in the log is missing or changed",
                        r.key_id, r.party
                    )
                })
            })
            .unwrap_or_else(|| "differs from the log".into());
        return Err(VerifyFailure::Keys(diff));
    }

    let mut applications = 0;
    // Every stored document by (application, SHA-256), read once for both checks.
    let stored: std::collections::BTreeSet<(String, String)> =
        db.document_keys().await?.into_iter().collect();
    if let Some(config) = config {
        // A party's first key is the one its configuration pins, if it pins one.
        for party in config.party_codes() {
            let (Some(pinned), Some(first)) = (
                config.first_key(party),
                summary
                    .keys
                    .records()
                    .iter()
                    .filter(|k| k.party == party)
                    .min_by_key(|k| k.valid_from),
            ) else {
                continue;
            };
            if first.public_key != pinned {
                return Err(VerifyFailure::Keys(format!(
                    "the first key of {party} is {}, but the corridor's configuration pins {}",
                    first.key_id,
                    pinned.key_id()
                )));
            }
        }
        let c = Clearance::replay_log(config.clone(), &entries)
            .map_err(|e| VerifyFailure::Replay(e.to_string()))?;
        c.check_invariants().map_err(VerifyFailure::Replay)?;
        applications = c.applications.len();
        check_projection(db, &c, &stored).await?;
    }
    check_documents(db, &stored).await?;
    Ok(VerifyReport {
        size: summary.size,
        head: summary.head,
        root: summary.root,
        signatures: summary.signatures,
        checkpoints: checkpoints.len() as u64,
        applications,
        held_checkpoints: anchors.checkpoints.len() as u64,
    })
}

/// Whether `cp` is signed by `key` for the log named `origin` and commits
/// to a prefix of `tree`: the checks a stored checkpoint and one held
/// outside the database both pass.
fn commits_to_log(
    cp: &SignedCheckpoint,
    key: &PublicKey,
    origin: &str,
    tree: &MerkleTree,
) -> Result<(), String> {
    cp.verify(key).map_err(|e| e.to_string())?;
    if cp.origin != origin {
        return Err(format!(
            "signed for log {:?}, but this is log {origin:?}",
            cp.origin
        ));
    }
    if cp.size > tree.size() {
        return Err(format!(
            "signed over {} entries but the log has {}: entries from seq {} on were deleted",
            cp.size,
            tree.size(),
            tree.size()
        ));
    }
    let root = tree.root_at(cp.size).map_err(|e| e.to_string())?;
    if root != cp.root {
        return Err(format!(
            "signed root {} but the log's first {} entries give {root}: the log was rewritten",
            cp.root, cp.size
        ));
    }
    Ok(())
}

/// Every stored file hashes to its key; every document the log's latest
/// versions name is stored.
async fn check_documents(
    db: &Db,
    stored: &std::collections::BTreeSet<(String, String)>,
) -> Result<(), VerifyFailure> {
    for (app, sha) in stored {
        let doc = db
            .document(app, sha)
            .await?
            .ok_or_else(|| VerifyFailure::Document(format!("{app} {sha}: vanished while read")))?;
        let actual = Hash::of(&doc.content).to_hex();
        if actual != *sha {
            return Err(VerifyFailure::Document(format!(
                "{app}: {} is stored as {sha} but its bytes hash to {actual}: the file was altered",
                doc.filename
            )));
        }
    }
    Ok(())
}

/// The applications table row by row against the replayed state.
async fn check_projection(
    db: &Db,
    c: &Clearance,
    documents: &std::collections::BTreeSet<(String, String)>,
) -> Result<(), VerifyFailure> {
    let stored = db.application_rows().await?;
    for row in &stored {
        let Some(app) = c.applications.get(&row.id) else {
            return Err(VerifyFailure::Projection(format!(
                "{} is in the table but not in the log",
                row.id
            )));
        };
        let want = crate::service::app_row(app)?;
        for (field, have, log) in [
            ("company", &row.company, &want.company),
            ("status", &row.status, &want.status),
            ("content", &row.content, &want.content),
            ("content_hash", &row.content_hash, &want.content_hash),
        ] {
            if have != log {
                return Err(VerifyFailure::Projection(format!(
                    "{}: {field} {}",
                    row.id,
                    first_difference(have, log)
                )));
            }
        }
        for d in &app.content.documents {
            if !documents.contains(&(row.id.clone(), d.sha256.to_hex())) {
                return Err(VerifyFailure::Document(format!(
                    "{}: {} ({}) is named in the log but not stored",
                    row.id,
                    d.filename,
                    d.sha256.to_hex()
                )));
            }
        }
    }
    if let Some(missing) = c
        .applications
        .keys()
        .find(|id| !stored.iter().any(|r| &r.id == *id))
    {
        return Err(VerifyFailure::Projection(format!(
            "{missing} is in the log but not in the table"
        )));
    }
    Ok(())
}

/// Where two values first differ, with a little of each around it: two
/// long values cut to their first characters looked the same (the
/// interface check, session 19).
fn first_difference(have: &str, log: &str) -> String {
    let at = have
        .chars()
        .zip(log.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let around = |v: &str| {
        let from = at.saturating_sub(20);
        let cut: String = v.chars().skip(from).take(60).collect();
        let lead = if from > 0 { "…" } else { "" };
        let tail = if v.chars().count() > from + 60 {
            "…"
        } else {
            ""
        };
        format!("{lead}{cut}{tail}")
    };
    if at == 0 {
        format!("is {:?} but the log gives {:?}", around(have), around(log))
    } else {
        format!(
            "differs from the log at character {}: {:?} but the log gives {:?}",
            at + 1,
            around(have),
            around(log)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::first_difference;

    #[test]
    fn a_difference_is_shown_where_it_is() {
        assert_eq!(
            first_difference("approved", "rejected"),
            r#"is "approved" but the log gives "rejected""#
        );
        let long = format!(
            r#"{{"vessel":{{"imo":"9209790","name":"{}"}},"crew":21}}"#,
            "A".repeat(80)
        );
        let changed = long.replace("\"crew\":21", "\"crew\":12");
        let said = first_difference(&changed, &long);
        assert!(
            said.starts_with("differs from the log at character "),
            "{said}"
        );
        assert!(
            said.contains(r#"\"crew\":12"#) && said.contains(r#"\"crew\":21"#),
            "{said}"
        );
    }
}
