//! The JSON export that an independent verifier (`tools/verify_log.py`)
//! re-checks without corridor's code.
//!
//! # Format `corridor-log-export-v1`
//!
//! ```json
//! {
//!   "format": "corridor-log-export-v1",
//!   "origin": "corridor.example/bsgi",
//!   "log_key": {"key_id": "<16 hex>", "public_key": "<base64 raw 32 bytes>"},
//!   "keys": [ {"key_id": "…", "party": "UA", "public_key": "<base64>",
//!              "valid_from": "2022-08-01T00:00:00Z", "valid_until": null | "…"} ],
//!                                        // keys known before the first entry; key
//!                                        // events in the log are applied where they occur
//!   "entries": [ <LogEntry>, … ],          // see crate::log, in seq order
//!   "checkpoint": <SignedCheckpoint JSON>  // see crate::checkpoint
//! }
//! ```
//!
//! A verifier must: (1) for every entry in order, check `seq`, `prev_hash`,
//! recompute `entry_hash`, check time order and the signature rules of
//! [`crate::log`]; (2) check that each key's id is the first 16 hex of
//! SHA-256 of its raw bytes; (3) verify the checkpoint's signature with
//! `log_key` and recompute the Merkle root over its first `size` entries
//! (leaf data = the 32 bytes of `entry_hash`). The keys and the log key
//! should also be compared with copies obtained out of band (each party
//! publishes its own), since whoever writes the export also writes its keys.

use crate::checkpoint::{CheckpointError, SignedCheckpoint, verify_chain_against_checkpoint};
use crate::keys::{KeyId, KeyRecord, KeyRegistry, PublicKey, RegistryError};
use crate::log::{ChainSummary, LogEntry};
use serde::{Deserialize, Serialize};

/// The format tag.
pub const EXPORT_FORMAT: &str = "corridor-log-export-v1";

/// The log's checkpoint key as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogKey {
    /// Its id.
    pub key_id: KeyId,
    /// The key.
    pub public_key: PublicKey,
}

/// A complete, self-describing export of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogExport {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    /// The log's name (as in checkpoints).
    pub origin: String,
    /// The checkpoint key.
    pub log_key: LogKey,
    /// The party keys known before the first entry (key registrations and
    /// retirements recorded in the log are applied as they occur).
    pub keys: Vec<KeyRecord>,
    /// All entries in order.
    pub entries: Vec<LogEntry>,
    /// A checkpoint over a prefix (normally all) of the entries.
    pub checkpoint: SignedCheckpoint,
}

/// Why an export does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// Unknown format tag.
    #[error("unknown export format {0:?}")]
    Format(String),
    /// The export is not valid JSON of the expected shape.
    #[error("export does not parse: {0}")]
    Parse(String),
    /// The key list is inconsistent.
    #[error(transparent)]
    Keys(#[from] RegistryError),
    /// The log key id is not the key's id.
    #[error("log key id {0} does not match its key")]
    LogKeyId(KeyId),
    /// The checkpoint's origin is not the export's.
    #[error("checkpoint origin {found:?} is not {expected:?}")]
    Origin { expected: String, found: String },
    /// The chain or checkpoint does not verify.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
}

/// Builds an export. `initial_keys` is the registry as it was before the
/// first entry (empty when every key is registered in the log). Nothing is
/// verified here; see [`verify_export`].
pub fn export_log(
    origin: &str,
    log_key: &PublicKey,
    initial_keys: &KeyRegistry,
    entries: &[LogEntry],
    checkpoint: &SignedCheckpoint,
) -> LogExport {
    LogExport {
        format: EXPORT_FORMAT.to_string(),
        origin: origin.to_string(),
        log_key: LogKey {
            key_id: log_key.key_id(),
            public_key: *log_key,
        },
        keys: initial_keys.records().to_vec(),
        entries: entries.to_vec(),
        checkpoint: checkpoint.clone(),
    }
}

impl LogExport {
    /// Pretty JSON text.
    pub fn to_json(&self) -> Result<String, ExportError> {
        serde_json::to_string_pretty(self).map_err(|e| ExportError::Parse(e.to_string()))
    }

    /// Parses JSON text.
    pub fn from_json(text: &str) -> Result<Self, ExportError> {
        serde_json::from_str(text).map_err(|e| ExportError::Parse(e.to_string()))
    }
}

/// Verifies an export the way `tools/verify_log.py` does.
pub fn verify_export(export: &LogExport) -> Result<ChainSummary, ExportError> {
    if export.format != EXPORT_FORMAT {
        return Err(ExportError::Format(export.format.clone()));
    }
    if export.log_key.public_key.key_id() != export.log_key.key_id {
        return Err(ExportError::LogKeyId(export.log_key.key_id.clone()));
    }
    if export.checkpoint.origin != export.origin {
        return Err(ExportError::Origin {
            expected: export.origin.clone(),
            found: export.checkpoint.origin.clone(),
        });
    }
    let keys = KeyRegistry::from_records(export.keys.clone())?;
    Ok(verify_chain_against_checkpoint(
        &export.entries,
        &keys,
        &export.checkpoint,
        &export.log_key.public_key,
    )?)
}
