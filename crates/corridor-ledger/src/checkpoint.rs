//! Signed checkpoints (tree heads), in the manner of Certificate Transparency.
//!
//! # Text format
//!
//! The signed body is exactly these five lines, each ending in `\n`:
//!
//! ```text
//! corridor-checkpoint-v1
//! <origin>                    e.g. "corridor.example/bsgi"
//! <tree size, decimal>
//! <root hash, standard base64 of the 32 bytes>
//! <time, YYYY-MM-DDTHH:MM:SSZ>
//! ```
//!
//! The signature is ed25519 over those bytes by the log's key. The full text
//! form adds one empty line and a signature line `— <key_id> <base64 signature>`
//! (an em dash U+2014 and a space, as in C2SP signed notes).
//!
//! # JSON form
//!
//! `{"origin":…,"size":N,"root":"<64 hex>","time":"…","key_id":"<16 hex>","signature":"<base64>"}`;
//! the signed body is rebuilt from these fields (the root converted from hex to base64).

use crate::hash::Hash;
use crate::keys::KeyRegistry;
use crate::keys::{KeyError, KeyId, PublicKey, SecretKey, Signature};
use crate::log::{ChainError, ChainSummary, LogEntry, verify_chain};
use crate::merkle::{self, MerkleError};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// First line of a checkpoint body.
pub const CHECKPOINT_HEADER: &str = "corridor-checkpoint-v1";

/// A tree head: size and root at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeHead {
    /// Name of the log.
    pub origin: String,
    /// Number of entries covered.
    pub size: u64,
    /// Merkle root over the first `size` entries.
    pub root: Hash,
    /// When the head was taken.
    #[serde(with = "crate::time::rfc3339")]
    pub time: Timestamp,
}

/// A tree head signed by the log key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCheckpoint {
    /// Name of the log.
    pub origin: String,
    /// Number of entries covered.
    pub size: u64,
    /// Merkle root over the first `size` entries.
    pub root: Hash,
    /// When the head was taken.
    #[serde(with = "crate::time::rfc3339")]
    pub time: Timestamp,
    /// The log key's id.
    pub key_id: KeyId,
    /// ed25519 over [`TreeHead::body`].
    pub signature: Signature,
}

/// Why a checkpoint is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// Text form does not parse.
    #[error("checkpoint text is malformed: {0}")]
    Malformed(String),
    /// The origin contains a newline or is empty.
    #[error("origin must be one non-empty line")]
    BadOrigin,
    /// Signed by another key than the one given.
    #[error("checkpoint is signed by key {found}, expected {expected}")]
    WrongKey { expected: KeyId, found: KeyId },
    /// The signature does not verify.
    #[error("checkpoint signature does not verify")]
    BadSignature,
    /// The checkpoint covers more entries than exist.
    #[error("checkpoint covers {size} entries but the log has {log_size}")]
    BeyondLog { size: u64, log_size: u64 },
    /// The log's root at the checkpoint's size is not the checkpoint's root.
    #[error("log root at size {size} is {computed}, checkpoint says {claimed}")]
    RootMismatch {
        size: u64,
        computed: Hash,
        claimed: Hash,
    },
    /// The chain itself does not verify.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// A Merkle proof problem.
    #[error(transparent)]
    Merkle(#[from] MerkleError),
}

impl TreeHead {
    /// The exact signed bytes.
    pub fn body(&self) -> Result<String, CheckpointError> {
        if self.origin.is_empty() || self.origin.contains('\n') || self.origin.contains('\r') {
            return Err(CheckpointError::BadOrigin);
        }
        Ok(format!(
            "{CHECKPOINT_HEADER}\n{}\n{}\n{}\n{}\n",
            self.origin,
            self.size,
            self.root.to_base64(),
            crate::time::format(self.time)
        ))
    }

    /// Signs with the log key.
    pub fn sign(&self, key: &SecretKey) -> Result<SignedCheckpoint, CheckpointError> {
        let time = crate::time::to_seconds(self.time);
        let head = TreeHead {
            time,
            ..self.clone()
        };
        let signature = key.sign(head.body()?.as_bytes());
        Ok(SignedCheckpoint {
            origin: head.origin,
            size: head.size,
            root: head.root,
            time,
            key_id: key.key_id(),
            signature,
        })
    }
}

impl SignedCheckpoint {
    /// The unsigned head.
    pub fn head(&self) -> TreeHead {
        TreeHead {
            origin: self.origin.clone(),
            size: self.size,
            root: self.root,
            time: self.time,
        }
    }

    /// Verifies the signature with the log's public key.
    pub fn verify(&self, log_key: &PublicKey) -> Result<(), CheckpointError> {
        if self.key_id != log_key.key_id() {
            return Err(CheckpointError::WrongKey {
                expected: log_key.key_id(),
                found: self.key_id.clone(),
            });
        }
        let body = self.head().body()?;
        log_key
            .verify(body.as_bytes(), &self.signature)
            .map_err(|_| CheckpointError::BadSignature)
    }

    /// The full text form: body, empty line, signature line.
    pub fn to_text(&self) -> Result<String, CheckpointError> {
        Ok(format!(
            "{}\n\u{2014} {} {}\n",
            self.head().body()?,
            self.key_id,
            self.signature.to_base64()
        ))
    }

    /// Parses the full text form (does not verify the signature).
    pub fn from_text(text: &str) -> Result<Self, CheckpointError> {
        let bad = |m: &str| CheckpointError::Malformed(m.to_string());
        let (body, sig_part) = text
            .split_once("\n\n")
            .ok_or_else(|| bad("no empty line before the signature"))?;
        let lines: Vec<&str> = body.split('\n').collect();
        let [header, origin, size, root, time] = lines[..] else {
            return Err(bad("body must have 5 lines"));
        };
        if header != CHECKPOINT_HEADER {
            return Err(bad("unknown header line"));
        }
        let size: u64 = size
            .parse()
            .map_err(|_| bad("size is not a decimal number"))?;
        if size.to_string().len() != lines[2].len() {
            return Err(bad("size is not canonical"));
        }
        let root = Hash::from_base64(root).map_err(|_| bad("root is not base64 of 32 bytes"))?;
        let time =
            crate::time::parse(time).map_err(|e| CheckpointError::Malformed(e.to_string()))?;
        let sig_line = sig_part
            .strip_suffix('\n')
            .ok_or_else(|| bad("signature line must end with a newline"))?;
        let rest = sig_line
            .strip_prefix("\u{2014} ")
            .ok_or_else(|| bad("signature line must start with an em dash"))?;
        let (key_id, sig) = rest
            .split_once(' ')
            .ok_or_else(|| bad("signature line is '— <key_id> <signature>'"))?;
        let signature = Signature::from_base64(sig)
            .map_err(|e: KeyError| CheckpointError::Malformed(e.to_string()))?;
        let cp = SignedCheckpoint {
            origin: origin.to_string(),
            size,
            root,
            time,
            key_id: KeyId(key_id.to_string()),
            signature,
        };
        // Canonical form only: re-serialising must give the same text.
        if cp.to_text()? != text {
            return Err(bad("not in canonical form"));
        }
        Ok(cp)
    }
}

/// Verifies a chain and that a signed checkpoint commits to a prefix of it:
/// the checkpoint signature, its size within the log, and the log's Merkle
/// root at that size. Key changes are checked against the checkpoint's
/// origin (the log's name).
pub fn verify_chain_against_checkpoint(
    entries: &[LogEntry],
    keys: &KeyRegistry,
    checkpoint: &SignedCheckpoint,
    log_key: &PublicKey,
) -> Result<ChainSummary, CheckpointError> {
    let summary = verify_chain(entries, keys, &checkpoint.origin)?;
    checkpoint.verify(log_key)?;
    if checkpoint.size > summary.size {
        return Err(CheckpointError::BeyondLog {
            size: checkpoint.size,
            log_size: summary.size,
        });
    }
    let leaves: Vec<Hash> = entries[..checkpoint.size as usize]
        .iter()
        .map(LogEntry::leaf_hash)
        .collect();
    let computed = merkle::root_from_leaf_hashes(&leaves);
    if computed != checkpoint.root {
        return Err(CheckpointError::RootMismatch {
            size: checkpoint.size,
            computed,
            claimed: checkpoint.root,
        });
    }
    Ok(summary)
}

/// Checks that `new` extends `old` (same log key, consistency proof).
pub fn verify_checkpoint_consistency(
    old: &SignedCheckpoint,
    new: &SignedCheckpoint,
    proof: &[Hash],
    log_key: &PublicKey,
) -> Result<(), CheckpointError> {
    old.verify(log_key)?;
    new.verify(log_key)?;
    if old.size == 0 {
        // Every log extends the empty one; only the empty root is acceptable.
        if old.root != merkle::empty_root() {
            return Err(CheckpointError::RootMismatch {
                size: 0,
                computed: merkle::empty_root(),
                claimed: old.root,
            });
        }
        return Ok(());
    }
    merkle::verify_consistency(old.size, new.size, proof, &old.root, &new.root)?;
    Ok(())
}
