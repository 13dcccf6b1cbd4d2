//! The hash-chained, append-only log.
//!
//! # Entry
//!
//! ```json
//! {"seq":0,"prev_hash":"00…00","actor":"user:ua-delegate","time":"2022-10-29T10:00:00Z",
//!  "event":{…},"signature":null | {"party":"UA","key_id":"…","signature":"<base64>"},
//!  "entry_hash":"<64 hex>"}
//! ```
//!
//! * `seq` starts at 0 and increases by exactly 1.
//! * `prev_hash` is the previous entry's `entry_hash`; the first entry's is 64 zeros.
//! * `time` is canonical RFC 3339 UTC with whole seconds and never decreases.
//! * `event` is any JSON value with a canonical form ([`crate::canonical`]).
//! * `entry_hash = SHA-256("corridor-log-entry-v1\n" || canonical(entry without "entry_hash"))`,
//!   i.e. the canonical JSON of the object with members `actor`, `event`,
//!   `prev_hash`, `seq`, `signature`, `time`.
//! * Signed entries: when `event` has a top-level member `"decision"`, the
//!   entry **must** carry `signature`; the member must be a
//!   [`DecisionPayload`] whose `party` and `key_id` equal the signature's; the
//!   signature is ed25519 over [`DecisionPayload::signing_bytes`]; the key must
//!   be registered for that party and current both at the payload's `time` and
//!   at the entry's `time`; the payload may not be dated after the entry by
//!   more than [`crate::decision::MAX_CLOCK_SKEW_SECONDS`].
//! * Key changes can be logged too ([`crate::key_events`]): a party's first
//!   key, and later keys or retirements signed by the party's own key for
//!   this log (its origin); neither may take effect before the entry's
//!   `time`, and a new key takes effect within 300 s of it. [`verify_chain`]
//!   starts from the registry it is given (keys known out of band) and
//!   applies these events in order, so a log that records every key needs no
//!   separate key table.
//! * Merkle leaf `i` is the 32 raw bytes of entry `i`'s `entry_hash`, so the
//!   leaf hash is `SHA-256(0x00 || entry_hash)`.
//!
//! No function here removes or rewrites an entry: [`Log`] only appends, and
//! [`LogEntry::next`] only builds the successor of a given entry.

use crate::canonical::{CanonicalError, to_canonical_bytes};
use crate::decision::{DecisionPayload, MAX_CLOCK_SKEW_SECONDS};
use crate::hash::Hash;
use crate::key_events::KeyEventError;
use crate::keys::{KeyId, KeyRegistry, KeyUseError, Signature};
use crate::merkle::{self, MerkleError, MerkleTree};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Domain-separation prefix of entry hashes.
pub const ENTRY_CONTEXT: &[u8] = b"corridor-log-entry-v1\n";

/// The member of an event that holds a signed decision payload.
pub const SIGNED_MEMBER: &str = "decision";

/// The `prev_hash` of the first entry.
pub const GENESIS_PREV: Hash = Hash([0; 32]);

/// A party's signature carried by an entry (over the event's `decision` payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntrySignature {
    /// The signing party.
    pub party: String,
    /// The key used.
    pub key_id: KeyId,
    /// ed25519 signature over the decision payload's signing bytes.
    pub signature: Signature,
}

/// One log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Position in the log, from 0.
    pub seq: u64,
    /// `entry_hash` of the previous entry ([`GENESIS_PREV`] for the first).
    pub prev_hash: Hash,
    /// Who caused the event (user or system id).
    pub actor: String,
    /// When it was appended.
    #[serde(with = "crate::time::rfc3339")]
    pub time: Timestamp,
    /// The event, as JSON with a canonical form.
    pub event: Value,
    /// The party's signature, for decision events.
    pub signature: Option<EntrySignature>,
    /// Hash of everything above.
    pub entry_hash: Hash,
}

#[derive(Serialize)]
struct EntryBody<'a> {
    seq: u64,
    prev_hash: &'a Hash,
    actor: &'a str,
    #[serde(with = "crate::time::rfc3339")]
    time: Timestamp,
    event: &'a Value,
    signature: &'a Option<EntrySignature>,
}

/// Why an entry cannot be appended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppendError {
    /// The event has no canonical form.
    #[error(transparent)]
    Canonical(#[from] CanonicalError),
    /// The time is before the previous entry's.
    #[error("time {time} is before the previous entry's {previous}")]
    TimeWentBackwards {
        previous: Timestamp,
        time: Timestamp,
    },
    /// The sequence number would overflow.
    #[error("log is full")]
    Full,
}

impl LogEntry {
    /// Computes the entry hash of the given fields.
    pub fn compute_hash(
        seq: u64,
        prev_hash: &Hash,
        actor: &str,
        time: Timestamp,
        event: &Value,
        signature: &Option<EntrySignature>,
    ) -> Result<Hash, CanonicalError> {
        let body = EntryBody {
            seq,
            prev_hash,
            actor,
            time,
            event,
            signature,
        };
        let bytes = to_canonical_bytes(&body)?;
        Ok(Hash::of_parts(&[ENTRY_CONTEXT, &bytes]))
    }

    /// Recomputes this entry's hash from its fields.
    pub fn recompute_hash(&self) -> Result<Hash, CanonicalError> {
        Self::compute_hash(
            self.seq,
            &self.prev_hash,
            &self.actor,
            self.time,
            &self.event,
            &self.signature,
        )
    }

    /// Builds the entry that follows `prev` (`None` for the first entry). The
    /// time is truncated to whole seconds; it may not be before `prev`'s.
    pub fn next(
        prev: Option<&LogEntry>,
        actor: &str,
        time: Timestamp,
        event: Value,
        signature: Option<EntrySignature>,
    ) -> Result<LogEntry, AppendError> {
        let time = crate::time::to_seconds(time);
        let (seq, prev_hash) = match prev {
            None => (0, GENESIS_PREV),
            Some(p) => {
                if time < p.time {
                    return Err(AppendError::TimeWentBackwards {
                        previous: p.time,
                        time,
                    });
                }
                (p.seq.checked_add(1).ok_or(AppendError::Full)?, p.entry_hash)
            }
        };
        let entry_hash = Self::compute_hash(seq, &prev_hash, actor, time, &event, &signature)?;
        Ok(LogEntry {
            seq,
            prev_hash,
            actor: actor.to_string(),
            time,
            event,
            signature,
            entry_hash,
        })
    }

    /// The Merkle leaf hash of this entry: `SHA-256(0x00 || entry_hash)`.
    pub fn leaf_hash(&self) -> Hash {
        merkle::leaf_hash(&self.entry_hash.0)
    }
}

/// What is wrong with an entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainFault {
    /// A stored field does not even decode (see [`StoredEntry`]).
    #[error("field {field} does not decode: {message}")]
    Undecodable {
        field: &'static str,
        message: String,
    },
    /// A stored field decodes, but not from the bytes the log writes for
    /// it (upper-case hex, white space, keys reordered or repeated): the
    /// same meaning, edited bytes. The hash covers the meaning, so this is
    /// checked apart.
    #[error("field {field} is not stored in its canonical form: the row was edited")]
    NotCanonical { field: &'static str },
    /// `seq` is not the previous one plus one (an entry was deleted, inserted or moved).
    #[error("sequence number {found}, expected {expected} (entry deleted, inserted or reordered)")]
    SequenceGap { expected: u64, found: u64 },
    /// `prev_hash` is not the previous entry's hash.
    #[error("prev_hash {found} does not match the previous entry's hash {expected}")]
    BadPrevHash { expected: Hash, found: Hash },
    /// The stored hash is not the hash of the entry's fields (the entry was changed).
    #[error(
        "entry_hash {stored} does not match its content (recomputed {computed}): the entry was changed"
    )]
    BadEntryHash { stored: Hash, computed: Hash },
    /// The event has no canonical form.
    #[error("event is not canonicalisable: {0}")]
    NonCanonicalEvent(CanonicalError),
    /// The time is before the previous entry's.
    #[error("time {time} is before the previous entry's {previous}")]
    TimeWentBackwards {
        previous: Timestamp,
        time: Timestamp,
    },
    /// A decision event carries no signature.
    #[error("decision event is not signed")]
    UnsignedDecision,
    /// A signature on an event that has no decision payload.
    #[error("signature on an event without a decision payload")]
    SignatureWithoutPayload,
    /// The decision payload does not parse.
    #[error("decision payload is malformed: {0}")]
    MalformedPayload(String),
    /// The signature header names another party or key than the payload.
    #[error(
        "signature header (party {header_party}, key {header_key}) does not match the payload (party {payload_party}, key {payload_key})"
    )]
    HeaderMismatch {
        header_party: String,
        header_key: KeyId,
        payload_party: String,
        payload_key: KeyId,
    },
    /// The payload is dated after the entry.
    #[error("decision signed at {signed}, after it was logged at {logged}")]
    SignedAfterLogged {
        signed: Timestamp,
        logged: Timestamp,
    },
    /// The key is unknown.
    #[error("unknown key {0}")]
    UnknownKey(KeyId),
    /// The key cannot sign for this party at this time.
    #[error("key not usable: {0}")]
    KeyNotValid(KeyUseError),
    /// The signature does not verify.
    #[error("bad signature by key {0}")]
    BadSignature(KeyId),
    /// A logged key registration or retirement does not apply.
    #[error("key event refused: {0}")]
    KeyEvent(KeyEventError),
}

/// The first entry that does not check, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("log entry at position {index} (seq {seq}): {fault}")]
pub struct ChainError {
    /// 0-based position in the list that was verified.
    pub index: usize,
    /// The `seq` the entry claims.
    pub seq: u64,
    /// What is wrong.
    pub fault: ChainFault,
}

/// What a verified chain amounts to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainSummary {
    /// Number of entries.
    pub size: u64,
    /// Hash of the last entry ([`GENESIS_PREV`] when empty).
    pub head: Hash,
    /// Merkle root over all entries.
    pub root: Hash,
    /// Number of signatures verified.
    pub signatures: u64,
    /// The key registry after every logged key event.
    pub keys: KeyRegistry,
}

/// Verifies the whole chain from its first entry: sequence, links, entry
/// hashes, time order, and every signature against `keys` (key changes
/// signed for the log named `origin`). Returns the first entry that does
/// not check.
pub fn verify_chain(
    entries: &[LogEntry],
    keys: &KeyRegistry,
    origin: &str,
) -> Result<ChainSummary, ChainError> {
    let mut keys = keys.clone();
    let mut prev: Option<&LogEntry> = None;
    let mut tree = MerkleTree::new();
    let mut signatures = 0u64;
    for (index, e) in entries.iter().enumerate() {
        let fail = |fault| ChainError {
            index,
            seq: e.seq,
            fault,
        };
        let expected_seq = index as u64;
        if e.seq != expected_seq {
            return Err(fail(ChainFault::SequenceGap {
                expected: expected_seq,
                found: e.seq,
            }));
        }
        let expected_prev = prev.map_or(GENESIS_PREV, |p| p.entry_hash);
        if e.prev_hash != expected_prev {
            return Err(fail(ChainFault::BadPrevHash {
                expected: expected_prev,
                found: e.prev_hash,
            }));
        }
        let computed = e
            .recompute_hash()
            .map_err(|c| fail(ChainFault::NonCanonicalEvent(c)))?;
        if computed != e.entry_hash {
            return Err(fail(ChainFault::BadEntryHash {
                stored: e.entry_hash,
                computed,
            }));
        }
        if let Some(p) = prev {
            if e.time < p.time {
                return Err(fail(ChainFault::TimeWentBackwards {
                    previous: p.time,
                    time: e.time,
                }));
            }
        }
        if verify_entry_signature(e, &keys).map_err(fail)? {
            signatures += 1;
        }
        let before = crate::key_events::LogBefore {
            entries: &entries[..index],
            tree: &tree,
        };
        keys.apply_logged_event(&e.event, e.time, origin, before)
            .map_err(|k| fail(ChainFault::KeyEvent(k)))?;
        tree.push_leaf_hash(e.leaf_hash());
        prev = Some(e);
    }
    Ok(ChainSummary {
        size: entries.len() as u64,
        head: prev.map_or(GENESIS_PREV, |p| p.entry_hash),
        root: tree.root(),
        signatures,
        keys,
    })
}

/// Checks an entry's signature rules; `Ok(true)` when a signature was verified.
pub fn verify_entry_signature(e: &LogEntry, keys: &KeyRegistry) -> Result<bool, ChainFault> {
    let payload = e.event.get(SIGNED_MEMBER);
    match (payload, &e.signature) {
        (None, None) => Ok(false),
        (None, Some(_)) => Err(ChainFault::SignatureWithoutPayload),
        (Some(_), None) => Err(ChainFault::UnsignedDecision),
        (Some(p), Some(sig)) => {
            let raw = p;
            let p: DecisionPayload = serde_json::from_value(raw.clone())
                .map_err(|err| ChainFault::MalformedPayload(err.to_string()))?;
            // The payload must be exactly what re-serialising it gives (no extra
            // members), so the signed bytes are the bytes the entry shows.
            if serde_json::to_value(&p).ok().as_ref() != Some(raw) {
                return Err(ChainFault::MalformedPayload(
                    "payload has extra or non-canonical members".into(),
                ));
            }
            if p.party != sig.party || p.key_id != sig.key_id {
                return Err(ChainFault::HeaderMismatch {
                    header_party: sig.party.clone(),
                    header_key: sig.key_id.clone(),
                    payload_party: p.party,
                    payload_key: p.key_id,
                });
            }
            if p.time.as_second() > e.time.as_second().saturating_add(MAX_CLOCK_SKEW_SECONDS) {
                return Err(ChainFault::SignedAfterLogged {
                    signed: p.time,
                    logged: e.time,
                });
            }
            let key_fault = |k: KeyUseError| match k {
                KeyUseError::UnknownKey(id) => ChainFault::UnknownKey(id),
                other => ChainFault::KeyNotValid(other),
            };
            keys.check_key(&p.party, &p.key_id, e.time)
                .map_err(key_fault)?;
            let bytes = p
                .signing_bytes()
                .map_err(|c| ChainFault::MalformedPayload(c.to_string()))?;
            keys.verify(&p.party, &p.key_id, p.time, &bytes, &sig.signature)
                .map_err(|k| match k {
                    KeyUseError::BadSignature(id) => ChainFault::BadSignature(id),
                    other => key_fault(other),
                })?;
            Ok(true)
        }
    }
}

/// A log entry as a database row holds it: every field as text (the event
/// and signature as JSON text). A store writes rows with
/// [`StoredEntry::from_entry`] and `corridor verify` reads them back with
/// [`verify_stored_chain`], so a row edited into something that does not
/// even parse is still reported at its position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEntry {
    /// `seq` as stored (an integer column).
    pub seq: i64,
    /// Lowercase hex.
    pub prev_hash: String,
    /// Actor id.
    pub actor: String,
    /// Canonical time text.
    pub time: String,
    /// The event's canonical JSON text.
    pub event: String,
    /// The signature's JSON text, or `None`.
    pub signature: Option<String>,
    /// Lowercase hex.
    pub entry_hash: String,
}

impl StoredEntry {
    /// The row for an entry.
    pub fn from_entry(e: &LogEntry) -> Result<Self, CanonicalError> {
        let signature = match &e.signature {
            None => None,
            Some(s) => Some(
                String::from_utf8(to_canonical_bytes(s)?)
                    .map_err(|err| CanonicalError::Serialize(err.to_string()))?,
            ),
        };
        Ok(StoredEntry {
            seq: i64::try_from(e.seq).map_err(|err| CanonicalError::Serialize(err.to_string()))?,
            prev_hash: e.prev_hash.to_hex(),
            actor: e.actor.clone(),
            time: crate::time::format(e.time),
            event: crate::canonical::canonical_string(&e.event)?,
            signature,
            entry_hash: e.entry_hash.to_hex(),
        })
    }

    /// The first field of this row that is not the canonical text of `e`,
    /// what it decodes to (see [`ChainFault::NotCanonical`]).
    pub fn not_canonical(&self, e: &LogEntry) -> Option<&'static str> {
        let Ok(canonical) = Self::from_entry(e) else {
            return Some("event");
        };
        [
            ("prev_hash", self.prev_hash == canonical.prev_hash),
            ("time", self.time == canonical.time),
            ("event", self.event == canonical.event),
            ("signature", self.signature == canonical.signature),
            ("entry_hash", self.entry_hash == canonical.entry_hash),
        ]
        .into_iter()
        .find_map(|(field, same)| (!same).then_some(field))
    }

    /// Decodes the row; the fault names the first field that does not decode.
    pub fn to_entry(&self) -> Result<LogEntry, ChainFault> {
        let bad = |field: &'static str, message: String| ChainFault::Undecodable { field, message };
        let seq = u64::try_from(self.seq).map_err(|e| bad("seq", e.to_string()))?;
        let prev_hash =
            Hash::from_hex(&self.prev_hash).map_err(|e| bad("prev_hash", e.to_string()))?;
        let time = crate::time::parse(&self.time).map_err(|e| bad("time", e.to_string()))?;
        let event: Value =
            serde_json::from_str(&self.event).map_err(|e| bad("event", e.to_string()))?;
        let signature = match &self.signature {
            None => None,
            Some(text) => Some(
                serde_json::from_str::<EntrySignature>(text)
                    .map_err(|e| bad("signature", e.to_string()))?,
            ),
        };
        let entry_hash =
            Hash::from_hex(&self.entry_hash).map_err(|e| bad("entry_hash", e.to_string()))?;
        Ok(LogEntry {
            seq,
            prev_hash,
            actor: self.actor.clone(),
            time,
            event,
            signature,
            entry_hash,
        })
    }
}

/// [`verify_chain`] over stored rows: a row that does not decode is reported
/// at its position with [`ChainFault::Undecodable`].
pub fn verify_stored_chain(
    rows: &[StoredEntry],
    keys: &KeyRegistry,
    origin: &str,
) -> Result<ChainSummary, ChainError> {
    let mut entries = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let decoded = row.to_entry().and_then(|e| match row.not_canonical(&e) {
            Some(field) => Err(ChainFault::NotCanonical { field }),
            None => Ok(e),
        });
        match decoded {
            Ok(e) => entries.push(e),
            Err(fault) => {
                // Entries before this one may already be wrong: report the first problem.
                verify_chain(&entries, keys, origin)?;
                return Err(ChainError {
                    index,
                    seq: u64::try_from(row.seq).unwrap_or(u64::MAX),
                    fault,
                });
            }
        }
    }
    verify_chain(&entries, keys, origin)
}

/// An in-memory log: entries plus their Merkle tree. Append-only.
#[derive(Debug, Clone, Default)]
pub struct Log {
    entries: Vec<LogEntry>,
    tree: MerkleTree,
}

impl Log {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads the entries of the log named `origin` after verifying them.
    pub fn from_entries(
        entries: Vec<LogEntry>,
        keys: &KeyRegistry,
        origin: &str,
    ) -> Result<Self, ChainError> {
        verify_chain(&entries, keys, origin)?;
        let tree = MerkleTree::from_leaf_hashes(entries.iter().map(LogEntry::leaf_hash).collect());
        Ok(Log { entries, tree })
    }

    /// Appends an event; returns the new entry.
    pub fn append(
        &mut self,
        actor: &str,
        time: Timestamp,
        event: Value,
        signature: Option<EntrySignature>,
    ) -> Result<&LogEntry, AppendError> {
        let e = LogEntry::next(self.entries.last(), actor, time, event, signature)?;
        self.tree.push_leaf_hash(e.leaf_hash());
        self.entries.push(e);
        let last = self.entries.len() - 1;
        Ok(&self.entries[last])
    }

    /// All entries.
    pub fn entries(&self) -> &[LogEntry] {
        &self.entries
    }

    /// Number of entries.
    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// Merkle root of the first `size` entries.
    pub fn root_at(&self, size: u64) -> Result<Hash, MerkleError> {
        self.tree.root_at(size)
    }

    /// Merkle root of the whole log.
    pub fn root(&self) -> Hash {
        self.tree.root()
    }

    /// Its size and root now, as a key change names them.
    pub fn state(&self) -> crate::key_events::LogState {
        crate::key_events::LogState {
            size: self.size(),
            root: self.root(),
        }
    }

    /// Inclusion proof of entry `seq` in the tree of the first `size` entries.
    pub fn inclusion_proof(&self, seq: u64, size: u64) -> Result<Vec<Hash>, MerkleError> {
        self.tree.inclusion_proof(seq, size)
    }

    /// Consistency proof between the first `old` and the first `new` entries.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, MerkleError> {
        self.tree.consistency_proof(old, new)
    }

    /// The Merkle tree.
    pub fn tree(&self) -> &MerkleTree {
        &self.tree
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The entry hash definition, pinned: this value was computed
    /// independently with Python's hashlib and json.dumps.
    #[test]
    fn entry_hash_is_pinned() {
        let t: Timestamp = "2022-07-27T00:00:00Z".parse().unwrap();
        let e = LogEntry::next(
            None,
            "system",
            t,
            json!({"type": "corridor_opened", "parties": ["RU", "TR", "UA", "UN"]}),
            None,
        )
        .unwrap();
        assert_eq!(
            e.entry_hash.to_hex(),
            "abb6e83a529a00237e888857d7abec1ae85a7269df57359cb28e2adb2ba88857"
        );
        assert_eq!(
            e.leaf_hash().to_hex(),
            "f4d2bfe69173dad0c7ae5a25141b075e19561d0eb2fa01a406b4ae6aa757073d"
        );
        assert_eq!(e.prev_hash, GENESIS_PREV);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["time"], "2022-07-27T00:00:00Z");
        assert_eq!(json["signature"], serde_json::Value::Null);
    }
}
