//! Key changes written in the log, and who may make them.
//!
//! A party's keys are its own: after its first key, only the party can change
//! them. The log therefore carries, with every change, the party's signature
//! over what changes:
//!
//! * `{"type":"party_key_registered","key":<KeyRecord>}` registers a party's
//!   **first** key. Who may do that is the corridor's business (its
//!   configuration can pin each party's first key, and a verifier compares
//!   first keys with copies obtained out of band); the log cannot know.
//! * `{"type":"party_key_registered","key":<KeyRecord>,"endorsement":{"key_id":…,"signature":…}}`
//!   registers a **later** key. The endorsement is the party's most recent
//!   key (current, or retired if the party has none current) signing
//!   [`rotation_message`]. The party's current key, if any, is retired at the
//!   new key's `valid_from`.
//! * `{"type":"party_key_retired","party":…,"key_id":…,"at":…,"signature":…}`
//!   retires a key without a successor; the signature is the retired key's
//!   own, over [`retirement_message`].
//!
//! Both signed texts name the log twice: by its origin (as in checkpoints)
//! and by a state of it the party has seen, a checkpoint's size and root
//! ([`LogState`]). The state must be this log's own at that size, so a party
//! that uses one key in two corridors, or in two deployments of one corridor
//! (staging and production share the origin, not the entries), cannot have a
//! change made in one replayed into the other; and it must be recent, so a
//! change the party signed but never sent goes stale: it is refused once an
//! entry the party had not seen is more than [`MAX_KEY_CHANGE_AGE_SECONDS`]
//! older than the change's own entry, and a new key's endorsement also
//! carries its signing time and is refused a day after it (so even where
//! nothing else is logged). A new key takes effect when it is logged (no
//! earlier, and at most [`MAX_KEY_LEAD_SECONDS`] later: whoever writes the log
//! cannot postpone a rotation and keep the old key current); a retirement
//! takes effect at the time the key signed, which may not be before the
//! entry's time. So neither the operator of the log nor an administrator can
//! give a party a key the party did not sign for: such an entry fails
//! [`crate::verify_chain`] at that entry.
//! (A party that loses its last private key cannot change its keys through
//! the log; that is deliberate, and recovery is a matter for the parties.)

use crate::Hash;
use crate::keys::{KeyId, KeyRecord, KeyRegistry, PublicKey, RegistryError, Signature};
use crate::log::LogEntry;
use crate::merkle::MerkleTree;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// `type` of the event that registers a party key.
pub const KEY_REGISTERED: &str = "party_key_registered";

/// `type` of the event that retires a key without a successor.
pub const KEY_RETIRED: &str = "party_key_retired";

/// How far after its entry's time a new key's `valid_from` may lie
/// (seconds): the log's clock skew allowance, as for signed decisions.
pub const MAX_KEY_LEAD_SECONDS: i64 = crate::decision::MAX_CLOCK_SKEW_SECONDS;

/// How long a signed key change stays good (seconds): a new key's
/// endorsement for this long from its own signing time, and any change
/// this long once the log has moved past the state it names. A day, for a
/// party that signs away from the network and sends it later; not longer,
/// so that a change signed and never sent cannot be logged by whoever kept
/// it weeks later. (A retirement carries its own time, `at`, and is
/// refused once that has passed.)
pub const MAX_KEY_CHANGE_AGE_SECONDS: i64 = 86_400;

/// A state of the log a party saw when it signed a key change: the size and
/// root of a checkpoint (`GET /api/v1/log/checkpoint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogState {
    /// Entries in the log then (at least one: every log begins empty).
    pub size: u64,
    /// Its Merkle root then.
    pub root: Hash,
}

/// The log before a key change's own entry: what its [`LogState`] is
/// checked against. `entries` and `tree` hold the same entries.
#[derive(Debug, Clone, Copy)]
pub struct LogBefore<'a> {
    /// Every entry before the change's.
    pub entries: &'a [LogEntry],
    /// Their Merkle tree.
    pub tree: &'a MerkleTree,
}

/// A party's signature, by its most recent key, over its next key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endorsement {
    /// The endorsing (previous) key.
    pub key_id: KeyId,
    /// The size of the log the party saw ([`LogState`]).
    pub log_size: u64,
    /// Its root.
    pub log_root: Hash,
    /// When the party signed it (by its own clock): the change is good for
    /// [`MAX_KEY_CHANGE_AGE_SECONDS`] from then, even in a log where nothing
    /// else is logged.
    #[serde(with = "crate::time::rfc3339")]
    pub signed_at: Timestamp,
    /// Ed25519 over [`rotation_message`].
    pub signature: Signature,
}

impl Endorsement {
    /// The log state it names.
    pub fn seen(&self) -> LogState {
        LogState {
            size: self.log_size,
            root: self.log_root,
        }
    }
}

/// The bytes a party's previous key signs at `signed_at` to hand over to
/// `new_key` in the log named `origin`, having seen it at `seen`:
/// `corridor-key-rotation-v3\n<origin>\n<log size>\n<log root, hex>\n<signed at, RFC 3339>\n<party>\n<previous key id>\n<new key, base64>\n`.
pub fn rotation_message(
    origin: &str,
    seen: LogState,
    signed_at: Timestamp,
    party: &str,
    previous: &KeyId,
    new_key: &PublicKey,
) -> Vec<u8> {
    format!(
        "corridor-key-rotation-v3\n{origin}\n{}\n{}\n{}\n{party}\n{previous}\n{}\n",
        seen.size,
        seen.root,
        crate::time::format(signed_at),
        new_key.to_base64()
    )
    .into_bytes()
}

/// The bytes a key signs to retire itself at `at` in the log named `origin`,
/// having seen it at `seen`:
/// `corridor-key-retirement-v3\n<origin>\n<log size>\n<log root, hex>\n<party>\n<key id>\n<at, RFC 3339>\n`.
pub fn retirement_message(
    origin: &str,
    seen: LogState,
    party: &str,
    key_id: &KeyId,
    at: Timestamp,
) -> Vec<u8> {
    format!(
        "corridor-key-retirement-v3\n{origin}\n{}\n{}\n{party}\n{key_id}\n{}\n",
        seen.size,
        seen.root,
        crate::time::format(at)
    )
    .into_bytes()
}

/// The endorsement of `new_key` for `party` by the party's `previous` key,
/// signed at `signed_at` for the log named `origin` as the party saw it at
/// `seen`.
pub fn endorse(
    previous: &crate::keys::SecretKey,
    origin: &str,
    seen: LogState,
    signed_at: Timestamp,
    party: &str,
    new_key: &PublicKey,
) -> Endorsement {
    let key_id = previous.key_id();
    let signed_at = crate::time::to_seconds(signed_at);
    let signature = previous.sign(&rotation_message(
        origin, seen, signed_at, party, &key_id, new_key,
    ));
    Endorsement {
        key_id,
        log_size: seen.size,
        log_root: seen.root,
        signed_at,
        signature,
    }
}

/// The event registering `record`; `endorsement` is required unless it is
/// the party's first key.
pub fn key_registered_event(
    record: &KeyRecord,
    endorsement: Option<&Endorsement>,
) -> serde_json::Value {
    match endorsement {
        None => serde_json::json!({"type": KEY_REGISTERED, "key": record}),
        Some(e) => serde_json::json!({"type": KEY_REGISTERED, "key": record, "endorsement": e}),
    }
}

/// The event retiring `key`'s own `party` key at `at` in the log named
/// `origin` (seen at `seen`), signed by that key.
pub fn key_retired_event(
    key: &crate::keys::SecretKey,
    origin: &str,
    seen: LogState,
    party: &str,
    at: Timestamp,
) -> serde_json::Value {
    let key_id = key.key_id();
    let signature = key.sign(&retirement_message(origin, seen, party, &key_id, at));
    retired_json(party, &key_id, at, seen, &signature)
}

/// A retirement event's one spelling.
fn retired_json(
    party: &str,
    key_id: &KeyId,
    at: Timestamp,
    seen: LogState,
    signature: &Signature,
) -> serde_json::Value {
    serde_json::json!({"type": KEY_RETIRED, "party": party, "key_id": key_id,
        "at": crate::time::format(at), "log_size": seen.size, "log_root": seen.root,
        "signature": signature})
}

/// Why a logged key event does not apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyEventError {
    /// The event does not have the documented shape.
    #[error("key event is malformed: {0}")]
    Malformed(String),
    /// Keys change only going forward: validity cannot start or end before the entry's time.
    #[error("key change dated {at}, before it was logged at {logged}")]
    Backdated { at: Timestamp, logged: Timestamp },
    /// A new key takes effect when logged: the log's writer may not postpone it.
    #[error(
        "new key valid from {at}, more than {MAX_KEY_LEAD_SECONDS} s after it was logged at {logged}"
    )]
    Postdated { at: Timestamp, logged: Timestamp },
    /// The retired key belongs to another party.
    #[error("key {key_id} is not a key of party {party}")]
    WrongParty { key_id: KeyId, party: String },
    /// A later key of a party without the party's own endorsement.
    #[error("party {party} already has key {previous}: a new key must be endorsed by that key")]
    NotEndorsed { party: String, previous: KeyId },
    /// An endorsement on a party's first key (there is no key to endorse it).
    #[error("party {party} has no earlier key to endorse its first key")]
    NothingToEndorse { party: String },
    /// The endorsement is by another key than the party's most recent one.
    #[error("the new key of party {party} must be endorsed by key {expected}, not {found}")]
    WrongEndorser {
        party: String,
        expected: KeyId,
        found: KeyId,
    },
    /// The endorsement or retirement signature does not verify.
    #[error("the signature of key {0} over this key change does not verify")]
    BadSignature(KeyId),
    /// The log state a key change names is not one of this log's.
    #[error("the key change names the log at size {size} with root {root}: {why}")]
    NotThisLog {
        size: u64,
        root: Hash,
        why: &'static str,
    },
    /// A new key's endorsement was signed more than a day before it was
    /// logged, or after it (beyond the clock skew allowance).
    #[error(
        "the new key's endorsement was signed at {signed} and logged at {logged}: it is good from its signing for {MAX_KEY_CHANGE_AGE_SECONDS} s (and not logged before it, beyond the clock skew); sign it again"
    )]
    SignedOutOfTime {
        signed: Timestamp,
        logged: Timestamp,
    },
    /// The log had moved on for too long since the state the change names.
    #[error(
        "the key change names the log at size {size}, and entry {size} was logged at {unseen}, more than {MAX_KEY_CHANGE_AGE_SECONDS} s before the change at {logged}: sign it again against a recent checkpoint"
    )]
    Stale {
        size: u64,
        unseen: Timestamp,
        logged: Timestamp,
    },
    /// The registry refuses the change.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

/// Why a key change of the first form does not verify.
const OLD_FORM: &str = "a key change signed in an earlier form (before 2026-11-30), without the log state it was signed against (log_size, log_root) or, for a new key, its signing time (signed_at), which this log no longer takes";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisteredEvent {
    #[serde(rename = "type")]
    _type: String,
    key: serde_json::Value,
    endorsement: Option<Endorsement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RetiredEvent {
    #[serde(rename = "type")]
    _type: String,
    party: String,
    key_id: KeyId,
    #[serde(with = "crate::time::rfc3339")]
    at: Timestamp,
    log_size: u64,
    log_root: Hash,
    signature: Signature,
}

/// Checks that `seen` is a state of the log before this change, and a
/// recent one (see the module documentation).
fn check_seen(
    seen: LogState,
    log: LogBefore<'_>,
    logged_at: Timestamp,
) -> Result<(), KeyEventError> {
    let not_this = |why| KeyEventError::NotThisLog {
        size: seen.size,
        root: seen.root,
        why,
    };
    if seen.size == 0 {
        return Err(not_this("every log begins empty, so that names no log"));
    }
    if seen.size > log.tree.size() {
        return Err(not_this("this log had fewer entries"));
    }
    if log.tree.root_at(seen.size).ok() != Some(seen.root) {
        return Err(not_this("this log's root at that size differs"));
    }
    let unseen = usize::try_from(seen.size)
        .ok()
        .and_then(|i| log.entries.get(i))
        .map(|e| e.time);
    if let Some(unseen) = unseen
        && logged_at.as_second() - unseen.as_second() > MAX_KEY_CHANGE_AGE_SECONDS
    {
        return Err(KeyEventError::Stale {
            size: seen.size,
            unseen,
            logged: logged_at,
        });
    }
    Ok(())
}

impl KeyRegistry {
    /// Checks `endorsement` of `new_key` for `party` against this registry:
    /// required (and by the party's most recent key) when the party has a
    /// key, refused when it has none.
    fn check_endorsement(
        &self,
        origin: &str,
        log: LogBefore<'_>,
        logged_at: Timestamp,
        party: &str,
        new_key: &PublicKey,
        endorsement: Option<&Endorsement>,
    ) -> Result<(), KeyEventError> {
        match (self.latest_key(party), endorsement) {
            (None, None) => Ok(()),
            (None, Some(_)) => Err(KeyEventError::NothingToEndorse {
                party: party.to_string(),
            }),
            (Some(prev), None) => Err(KeyEventError::NotEndorsed {
                party: party.to_string(),
                previous: prev.key_id.clone(),
            }),
            (Some(prev), Some(e)) => {
                if e.key_id != prev.key_id {
                    return Err(KeyEventError::WrongEndorser {
                        party: party.to_string(),
                        expected: prev.key_id.clone(),
                        found: e.key_id.clone(),
                    });
                }
                prev.public_key
                    .verify(
                        &rotation_message(
                            origin,
                            e.seen(),
                            e.signed_at,
                            party,
                            &prev.key_id,
                            new_key,
                        ),
                        &e.signature,
                    )
                    .map_err(|_| KeyEventError::BadSignature(e.key_id.clone()))?;
                let age = logged_at.as_second() - e.signed_at.as_second();
                if !(-crate::decision::MAX_CLOCK_SKEW_SECONDS..=MAX_KEY_CHANGE_AGE_SECONDS)
                    .contains(&age)
                {
                    return Err(KeyEventError::SignedOutOfTime {
                        signed: e.signed_at,
                        logged: logged_at,
                    });
                }
                check_seen(e.seen(), log, logged_at)
            }
        }
    }

    /// Applies a key event logged at `logged_at` in the log named `origin`,
    /// after the entries of `log`. Returns `Ok(false)` when the event is not
    /// a key event. Registrations start when logged (within
    /// [`MAX_KEY_LEAD_SECONDS`]), retirements may not take effect before
    /// `logged_at`; each must carry the party's signature over a recent state
    /// of `log`, as the module documentation says.
    pub fn apply_logged_event(
        &mut self,
        event: &serde_json::Value,
        logged_at: Timestamp,
        origin: &str,
        log: LogBefore<'_>,
    ) -> Result<bool, KeyEventError> {
        let malformed = |m: String| KeyEventError::Malformed(m);
        match event.get("type").and_then(serde_json::Value::as_str) {
            Some(KEY_REGISTERED) => {
                // A first key has no endorsement member at all (not null).
                if event.get("endorsement") == Some(&serde_json::Value::Null) {
                    return Err(malformed("endorsement is null".into()));
                }
                if event
                    .get("endorsement")
                    .is_some_and(|e| e.get("log_size").is_none() || e.get("signed_at").is_none())
                {
                    return Err(malformed(OLD_FORM.into()));
                }
                let ev: RegisteredEvent =
                    serde_json::from_value(event.clone()).map_err(|e| malformed(e.to_string()))?;
                let rec: KeyRecord =
                    serde_json::from_value(ev.key.clone()).map_err(|e| malformed(e.to_string()))?;
                if serde_json::to_value(&rec).ok().as_ref() != Some(&ev.key) {
                    return Err(malformed(
                        "key record has extra or non-canonical members".into(),
                    ));
                }
                // One spelling only (a root in capitals would sign another text).
                if let Some(e) = &ev.endorsement
                    && serde_json::to_value(e).ok().as_ref() != event.get("endorsement")
                {
                    return Err(malformed("endorsement has non-canonical members".into()));
                }
                if rec.valid_from < logged_at {
                    return Err(KeyEventError::Backdated {
                        at: rec.valid_from,
                        logged: logged_at,
                    });
                }
                if rec.valid_from.as_second() - logged_at.as_second() > MAX_KEY_LEAD_SECONDS {
                    return Err(KeyEventError::Postdated {
                        at: rec.valid_from,
                        logged: logged_at,
                    });
                }
                self.check_endorsement(
                    origin,
                    log,
                    logged_at,
                    &rec.party,
                    &rec.public_key,
                    ev.endorsement.as_ref(),
                )?;
                let mut next = self.clone();
                if let Some(current) = next
                    .current_key(&rec.party, rec.valid_from)
                    .map(|k| k.key_id.clone())
                {
                    next.retire(&current, rec.valid_from)?;
                }
                next.add(rec)?;
                *self = next;
                Ok(true)
            }
            Some(KEY_RETIRED) => {
                if event.get("log_size").is_none() {
                    return Err(malformed(OLD_FORM.into()));
                }
                let ev: RetiredEvent =
                    serde_json::from_value(event.clone()).map_err(|e| malformed(e.to_string()))?;
                // One spelling only, as the Python verifier reads it.
                let seen = LogState {
                    size: ev.log_size,
                    root: ev.log_root,
                };
                if &retired_json(&ev.party, &ev.key_id, ev.at, seen, &ev.signature) != event {
                    return Err(malformed("retirement has non-canonical members".into()));
                }
                if ev.at < logged_at {
                    return Err(KeyEventError::Backdated {
                        at: ev.at,
                        logged: logged_at,
                    });
                }
                let k = self
                    .get(&ev.key_id)
                    .ok_or_else(|| RegistryError::UnknownKey(ev.key_id.clone()))?;
                if k.party != ev.party {
                    return Err(KeyEventError::WrongParty {
                        key_id: ev.key_id,
                        party: ev.party,
                    });
                }
                k.public_key
                    .verify(
                        &retirement_message(origin, seen, &ev.party, &ev.key_id, ev.at),
                        &ev.signature,
                    )
                    .map_err(|_| KeyEventError::BadSignature(ev.key_id.clone()))?;
                check_seen(seen, log, logged_at)?;
                self.retire(&ev.key_id, ev.at)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SecretKey;

    const ORIGIN: &str = "corridor/test";

    fn t(s: &str) -> Timestamp {
        s.parse().expect("time")
    }

    fn record(key: &SecretKey, party: &str, from: &str) -> KeyRecord {
        KeyRecord {
            key_id: key.key_id(),
            party: party.into(),
            public_key: key.public_key(),
            valid_from: t(from),
            valid_until: None,
        }
    }

    /// A log of key events, each logged at its key's or retirement's time.
    #[derive(Default)]
    struct Chain {
        entries: Vec<LogEntry>,
        tree: MerkleTree,
        keys: KeyRegistry,
    }

    impl Chain {
        fn apply(&mut self, e: &serde_json::Value) -> Result<bool, KeyEventError> {
            let at = e["key"]["valid_from"]
                .as_str()
                .or(e["at"].as_str())
                .map_or(t("2022-08-01T00:00:00Z"), t);
            self.apply_at(e, at)
        }

        fn apply_at(
            &mut self,
            e: &serde_json::Value,
            at: Timestamp,
        ) -> Result<bool, KeyEventError> {
            let log = LogBefore {
                entries: &self.entries,
                tree: &self.tree,
            };
            let r = self.keys.apply_logged_event(e, at, ORIGIN, log)?;
            let entry =
                LogEntry::next(self.entries.last(), "test", at, e.clone(), None).expect("entry");
            self.tree.push_leaf_hash(entry.leaf_hash());
            self.entries.push(entry);
            Ok(r)
        }

        fn seen(&self) -> LogState {
            LogState {
                size: self.tree.size(),
                root: self.tree.root(),
            }
        }
    }

    /// The log state after `events`, which must all apply.
    fn seen_after(events: &[serde_json::Value]) -> LogState {
        let mut c = Chain::default();
        for e in events {
            c.apply(e).expect("applies");
        }
        c.seen()
    }

    /// Applies `events` in order (each logged at its key's or retirement's
    /// time) and names how the last one fared.
    fn check(events: &[serde_json::Value], expected: &str) {
        let mut chain = Chain::default();
        let mut got = "ok".to_string();
        for (i, e) in events.iter().enumerate() {
            let r = chain.apply(e);
            let name = match r {
                Ok(_) => "ok",
                Err(KeyEventError::NotEndorsed { .. }) => "not-endorsed",
                Err(KeyEventError::NothingToEndorse { .. }) => "nothing-to-endorse",
                Err(KeyEventError::WrongEndorser { .. }) => "wrong-endorser",
                Err(KeyEventError::BadSignature(_)) => "bad-signature",
                Err(KeyEventError::Malformed(_)) => "malformed",
                Err(KeyEventError::WrongParty { .. }) => "wrong-party",
                Err(KeyEventError::Postdated { .. }) => "postdated",
                Err(KeyEventError::NotThisLog { .. }) => "not-this-log",
                Err(KeyEventError::Stale { .. }) => "stale",
                Err(e) => panic!("{e}"),
            };
            if i + 1 < events.len() {
                assert_eq!(name, "ok", "event {i} of a check must apply");
            }
            got = name.to_string();
        }
        assert_eq!(got, expected, "{events:?}");
    }

    #[test]
    fn a_party_alone_changes_its_keys() {
        let ua1 = SecretKey::from_seed(&[1; 32]);
        let ua2 = SecretKey::from_seed(&[2; 32]);
        let ua3 = SecretKey::from_seed(&[3; 32]);
        let admin = SecretKey::from_seed(&[9; 32]);
        let first = key_registered_event(&record(&ua1, "UA", "2022-08-01T00:00:00Z"), None);
        let seen = seen_after(std::slice::from_ref(&first));
        // ua2 endorsed by `by` at noon, for the log `origin` as seen at `state`.
        let for_ua2 = |by: &SecretKey, origin: &str, state: LogState| {
            endorse(
                by,
                origin,
                state,
                t("2022-08-01T12:00:00Z"),
                "UA",
                &ua2.public_key(),
            )
        };
        let second = |by: &SecretKey| {
            key_registered_event(
                &record(&ua2, "UA", "2022-08-01T12:00:00Z"),
                Some(&for_ua2(by, ORIGIN, seen)),
            )
        };
        check(std::slice::from_ref(&first), "ok");
        check(&[first.clone(), second(&ua1)], "ok");
        // Finding 1 of docs/open-findings.md: a key the party did not sign for.
        check(
            &[
                first.clone(),
                key_registered_event(&record(&ua2, "UA", "2022-08-01T12:00:00Z"), None),
            ],
            "not-endorsed",
        );
        check(&[first.clone(), second(&admin)], "wrong-endorser");
        // The right key id with another key's signature.
        let mut forged = for_ua2(&admin, ORIGIN, seen);
        forged.key_id = ua1.key_id();
        check(
            &[
                first.clone(),
                key_registered_event(&record(&ua2, "UA", "2022-08-01T12:00:00Z"), Some(&forged)),
            ],
            "bad-signature",
        );
        // An endorsement is for one new key: reused for another it fails.
        let ua1_for_ua2 = for_ua2(&ua1, ORIGIN, seen);
        check(
            &[
                first.clone(),
                key_registered_event(
                    &record(&ua3, "UA", "2022-08-01T12:00:00Z"),
                    Some(&ua1_for_ua2),
                ),
            ],
            "bad-signature",
        );
        check(
            &[key_registered_event(
                &record(&ua1, "UA", "2022-08-01T00:00:00Z"),
                Some(&ua1_for_ua2),
            )],
            "nothing-to-endorse",
        );
        // After retirement the retired key still hands over (and only it).
        let retire = key_retired_event(&ua1, ORIGIN, seen, "UA", t("2022-08-01T06:00:00Z"));
        let after_retire = seen_after(&[first.clone(), retire.clone()]);
        let third = key_registered_event(
            &record(&ua2, "UA", "2022-08-01T12:00:00Z"),
            Some(&for_ua2(&ua1, ORIGIN, after_retire)),
        );
        check(&[first.clone(), retire.clone(), third], "ok");
        check(
            &[
                first.clone(),
                retire.clone(),
                key_registered_event(&record(&ua2, "UA", "2022-08-01T12:00:00Z"), None),
            ],
            "not-endorsed",
        );
        // A retirement must be signed by the retired key itself.
        let mut unsigned = retire.clone();
        unsigned["signature"] = serde_json::to_value(admin.sign(b"x")).expect("json");
        check(&[first.clone(), unsigned], "bad-signature");
        let mut bare = retire.clone();
        bare.as_object_mut().expect("object").remove("signature");
        check(&[first.clone(), bare], "malformed");
        // A retirement's signature with a trailing newline reads as base64
        // to Rust but not to Python: one spelling only.
        let mut spaced = retire.clone();
        spaced["signature"] = format!("{}\n", retire["signature"].as_str().expect("sig")).into();
        check(&[first.clone(), spaced], "malformed");
        // The earlier forms are named as such: without the log state, and
        // (the same day's) without the signing time.
        for gone in [&["log_size", "log_root", "signed_at"][..], &["signed_at"]] {
            let mut old = second(&ua1);
            for k in gone {
                old["endorsement"]
                    .as_object_mut()
                    .expect("object")
                    .remove(*k);
            }
            let mut c = Chain::default();
            c.apply(&first).expect("first");
            assert!(
                matches!(c.apply(&old), Err(KeyEventError::Malformed(m)) if m.contains("an earlier form (before 2026-11-30)")),
                "{gone:?}"
            );
        }
        let mut upper = second(&ua1);
        upper["endorsement"]["log_root"] = seen.root.to_hex().to_uppercase().into();
        check(&[first.clone(), upper], "malformed");
        let mut extra = second(&ua1);
        extra["note"] = "x".into();
        check(&[first.clone(), extra], "malformed");
        // The 2026-11-29 review of the fixes (a key change bound to no log): a change signed for
        // another corridor's log does not apply in this one.
        let elsewhere = key_registered_event(
            &record(&ua2, "UA", "2022-08-01T12:00:00Z"),
            Some(&for_ua2(&ua1, "corridor/other", seen)),
        );
        check(&[first.clone(), elsewhere], "bad-signature");
        let retired_elsewhere = key_retired_event(
            &ua1,
            "corridor/other",
            seen,
            "UA",
            t("2022-08-01T06:00:00Z"),
        );
        check(&[first.clone(), retired_elsewhere], "bad-signature");
        // Open finding 3: nor for another deployment of this corridor (same
        // origin, another log), nor for a log state that never was, nor for
        // the empty log every log begins with.
        let other_log = seen_after(&[key_registered_event(
            &record(&ua1, "UA", "2022-08-01T00:00:01Z"),
            None,
        )]);
        for (state, what) in [
            (other_log, "another deployment"),
            (LogState { size: 2, ..seen }, "a size this log never had"),
            (
                LogState {
                    size: 0,
                    root: crate::merkle::empty_root(),
                },
                "the empty log",
            ),
        ] {
            let e = key_registered_event(
                &record(&ua2, "UA", "2022-08-01T12:00:00Z"),
                Some(&for_ua2(&ua1, ORIGIN, state)),
            );
            let mut c = Chain::default();
            c.apply(&first).expect("first");
            assert!(
                matches!(c.apply(&e), Err(KeyEventError::NotThisLog { .. })),
                "{what}"
            );
            let r = key_retired_event(&ua1, ORIGIN, state, "UA", t("2022-08-01T06:00:00Z"));
            assert!(
                matches!(c.apply(&r), Err(KeyEventError::NotThisLog { .. })),
                "{what}: retirement"
            );
        }
        // The signature covers the named state: another state in its place fails.
        let mut moved = for_ua2(&ua1, ORIGIN, seen);
        moved.log_size = 1;
        moved.log_root = other_log.root;
        check(
            &[
                first.clone(),
                key_registered_event(&record(&ua2, "UA", "2022-08-01T12:00:00Z"), Some(&moved)),
            ],
            "bad-signature",
        );
        // A first key has no endorsement member, not a null one (as
        // tools/verify_log.py reads it).
        let mut null = first;
        null["endorsement"] = serde_json::Value::Null;
        check(&[null], "malformed");
    }

    /// Open finding 3: a key change the party signed but never sent cannot
    /// be logged by whoever kept it a day later: not once the log has moved
    /// on for a day, nor (by its signing time) in a log where nothing moved.
    #[test]
    fn a_key_change_goes_stale_a_day_after_the_log_moves_on() {
        let ua1 = SecretKey::from_seed(&[1; 32]);
        let ua2 = SecretKey::from_seed(&[2; 32]);
        let first = key_registered_event(&record(&ua1, "UA", "2022-08-01T00:00:00Z"), None);
        // Signed at `signed`, logged at `at`, after an unrelated entry at
        // `other` (if any).
        let apply = |other: Option<&str>, signed: &str, at: &str| {
            let mut c = Chain::default();
            c.apply(&first).expect("first");
            let seen = c.seen();
            if let Some(o) = other {
                c.apply_at(&serde_json::json!({"type": "note"}), t(o))
                    .expect("note");
            }
            let e = key_registered_event(
                &record(&ua2, "UA", at),
                Some(&endorse(
                    &ua1,
                    ORIGIN,
                    seen,
                    t(signed),
                    "UA",
                    &ua2.public_key(),
                )),
            );
            c.apply(&e)
        };
        // A quiet log: good for a day from its signing, not for ever.
        assert_eq!(
            apply(None, "2022-08-31T00:00:00Z", "2022-09-01T00:00:00Z"),
            Ok(true)
        );
        assert!(matches!(
            apply(None, "2022-08-31T00:00:00Z", "2022-09-01T00:00:01Z"),
            Err(KeyEventError::SignedOutOfTime { .. })
        ));
        // Nor signed after it was logged (beyond the clock skew).
        assert!(matches!(
            apply(None, "2022-09-01T00:05:01Z", "2022-09-01T00:00:00Z"),
            Err(KeyEventError::SignedOutOfTime { .. })
        ));
        // The log moved: good for a day after the first entry the party had
        // not seen, however fresh the signature.
        assert_eq!(
            apply(
                Some("2022-08-02T00:00:00Z"),
                "2022-08-02T12:00:00Z",
                "2022-08-03T00:00:00Z"
            ),
            Ok(true)
        );
        assert!(matches!(
            apply(
                Some("2022-08-02T00:00:00Z"),
                "2022-08-02T12:00:00Z",
                "2022-08-03T00:00:01Z"
            ),
            Err(KeyEventError::Stale { size: 1, .. })
        ));
    }

    /// The 2026-11-29 review of the fixes (a key change bound to no log): whoever writes the log cannot
    /// postpone a new key (and keep the old one current) by dating it ahead.
    #[test]
    fn a_new_key_takes_effect_when_logged() {
        let ua1 = SecretKey::from_seed(&[1; 32]);
        let logged = t("2022-08-01T00:00:00Z");
        let apply = |from: &str| {
            Chain::default().apply_at(
                &key_registered_event(&record(&ua1, "UA", from), None),
                logged,
            )
        };
        assert_eq!(apply("2022-08-01T00:05:00Z"), Ok(true));
        assert!(matches!(
            apply("2022-08-01T00:05:01Z"),
            Err(KeyEventError::Postdated { .. })
        ));
        assert!(matches!(
            apply("2022-07-31T23:59:59Z"),
            Err(KeyEventError::Backdated { .. })
        ));
    }
}
