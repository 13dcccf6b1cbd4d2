//! # corridor-ledger — the record no one can rewrite
//!
//! The pure core of corridor's tamper-evident record (issue 5). No I/O, no
//! database, no HTTP: the store and the server build on these types.
//!
//! ## What is here
//!
//! | module | what |
//! |---|---|
//! | [`canonical`] | canonical JSON: the one byte string hashed or signed for a value (integer-only JCS; Python: `json.dumps(v, sort_keys=True, separators=(",",":"), ensure_ascii=False)`) |
//! | [`hash`] | [`struct@Hash`]: SHA-256, hex in JSON |
//! | [`time`] | times in hashed data: UTC whole seconds, `YYYY-MM-DDTHH:MM:SSZ` |
//! | [`keys`] | ed25519 keys (PKCS#8 PEM private, SPKI PEM or base64 public), key ids, [`KeyRegistry`] with rotation |
//! | [`key_events`] | key changes in the log; after its first key, each change carries the party's own signature |
//! | [`decision`] | [`DecisionPayload`] / [`SignedDecision`]: what a party signs, and the server's acceptance check |
//! | [`log`] | [`LogEntry`], [`Log`], [`verify_chain`] naming the first bad entry |
//! | [`merkle`] | RFC 6962/9162 tree, inclusion and consistency proofs (plus subtree proofs), passing all transparency-dev vectors |
//! | [`checkpoint`] | [`SignedCheckpoint`]: signed tree heads, text and JSON forms |
//! | [`export`] | [`LogExport`]: the JSON export re-verified by `tools/verify_log.py` |
//!
//! ## API boundary (what the store and server use)
//!
//! * Appending: `LogEntry::next(prev, actor, time, event_json, signature)` builds
//!   the next entry (seq, prev hash, entry hash); the store persists every
//!   field verbatim. [`Log`] is the same over an in-memory vector, with proofs.
//! * Accepting a decision: the delegate sends a [`SignedDecision`]; the server
//!   calls [`SignedDecision::verify_for`] with the party the user delegates
//!   for, the application id and its current content hash, and `now`; then it
//!   appends an event whose `"decision"` member is the payload, with an
//!   [`EntrySignature`] carrying the signature.
//! * Storing: one row per entry, [`StoredEntry::from_entry`] (all fields as
//!   text, event as canonical JSON text); reading back with
//!   [`StoredEntry::to_entry`].
//! * Verifying: [`verify_stored_chain`] over the rows (a row that no longer
//!   decodes is named too), [`verify_chain`] over entries, or
//!   [`checkpoint::verify_chain_against_checkpoint`]; `corridor verify` reports
//!   the returned [`ChainError`] (position, seq, fault) and exits non-zero.
//! * Publishing: [`TreeHead::sign`] with the log key for
//!   `GET /log/checkpoint`; [`Log::inclusion_proof`], [`Log::consistency_proof`]
//!   (or [`merkle`] over stored leaf hashes) for the proof routes.
//! * Exporting: [`export::export_log`] then [`LogExport::to_json`].
//!
//! ## Invariants
//!
//! * The log is append-only: no API here removes or rewrites an entry; an
//!   entry is only ever built as the successor of the current last one.
//! * `seq` is dense from 0; each `prev_hash` is the previous `entry_hash`;
//!   `entry_hash` covers every other field, the signature included; times
//!   never decrease. Changing, deleting, inserting or reordering any entry is
//!   therefore caught at that entry (or, if the whole tail is rewritten, by the
//!   Merkle root of any earlier signed checkpoint).
//! * Every event with a `"decision"` member is signed by a key of the
//!   payload's party, current when signed and when logged; signatures over the
//!   payload bind party, application id and application content hash, so they
//!   cannot be replayed onto another application or a changed one.
//! * Keys are never deleted, only retired ([`KeyRegistry::rotate`],
//!   [`KeyRegistry::retire`]): old signatures keep verifying; anything a
//!   retired key signs dated after its retirement fails. At most one key per
//!   party is current at a time.
//! * The server never holds a party's private key: parties sign on their own
//!   side ([`DecisionPayload::sign`] runs in `corridor sign` or the browser);
//!   the only private key a server holds is the log's checkpoint key.
//! * Hashing and signing always go through the canonical encoding, with a
//!   domain prefix per purpose (`corridor-log-entry-v1\n`,
//!   `corridor-decision-v1\n`, `corridor-checkpoint-v1\n`).
//! * Nothing here panics on input: malformed data is a typed error.

pub mod canonical;
pub mod checkpoint;
pub mod decision;
pub mod export;
pub mod hash;
pub mod key_events;
pub mod keys;
pub mod log;
pub mod merkle;
pub mod time;

pub use canonical::{CanonicalError, to_canonical_bytes};
pub use checkpoint::{CheckpointError, SignedCheckpoint, TreeHead};
pub use decision::{DecisionError, DecisionKind, DecisionPayload, Expected, SignedDecision};
pub use export::{ExportError, LogExport, export_log, verify_export};
pub use hash::Hash;
pub use key_events::{Endorsement, KeyEventError, LogBefore, LogState};
pub use keys::{
    KeyId, KeyRecord, KeyRegistry, KeyUseError, PublicKey, RegistryError, SecretKey, Signature,
};
pub use log::{
    AppendError, ChainError, ChainFault, ChainSummary, EntrySignature, Log, LogEntry, StoredEntry,
    verify_chain, verify_stored_chain,
};
pub use merkle::{MerkleError, MerkleTree};
