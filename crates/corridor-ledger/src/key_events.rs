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
//! Both signed texts name the log (its origin, as in checkpoints), so a party
//! that uses one key in two corridors cannot have a change made in one
//! replayed into the other. A new key takes effect when it is logged (no
//! earlier, and at most [`MAX_KEY_LEAD_SECONDS`] later: whoever writes the log
//! cannot postpone a rotation and keep the old key current); a retirement
//! takes effect at the time the key signed, which may not be before the
//! entry's time. So neither the operator of the log nor an administrator can
//! give a party a key the party did not sign for: such an entry fails
//! [`crate::verify_chain`] at that entry.
//! (A party that loses its last private key cannot change its keys through
//! the log; that is deliberate, and recovery is a matter for the parties.)

use crate::keys::{KeyId, KeyRecord, KeyRegistry, PublicKey, RegistryError, Signature};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// `type` of the event that registers a party key.
pub const KEY_REGISTERED: &str = "party_key_registered";

/// `type` of the event that retires a key without a successor.
pub const KEY_RETIRED: &str = "party_key_retired";

/// How far after its entry's time a new key's `valid_from` may lie
/// (seconds): the log's clock skew allowance, as for signed decisions.
pub const MAX_KEY_LEAD_SECONDS: i64 = crate::decision::MAX_CLOCK_SKEW_SECONDS;

/// A party's signature, by its most recent key, over its next key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endorsement {
    /// The endorsing (previous) key.
    pub key_id: KeyId,
    /// Ed25519 over [`rotation_message`].
    pub signature: Signature,
}

/// The bytes a party's previous key signs to hand over to `new_key` in the
/// log named `origin`:
/// `corridor-key-rotation-v2\n<origin>\n<party>\n<previous key id>\n<new key, base64>\n`.
pub fn rotation_message(
    origin: &str,
    party: &str,
    previous: &KeyId,
    new_key: &PublicKey,
) -> Vec<u8> {
    format!(
        "corridor-key-rotation-v2\n{origin}\n{party}\n{previous}\n{}\n",
        new_key.to_base64()
    )
    .into_bytes()
}

/// The bytes a key signs to retire itself at `at` in the log named `origin`:
/// `corridor-key-retirement-v2\n<origin>\n<party>\n<key id>\n<at, RFC 3339>\n`.
pub fn retirement_message(origin: &str, party: &str, key_id: &KeyId, at: Timestamp) -> Vec<u8> {
    format!(
        "corridor-key-retirement-v2\n{origin}\n{party}\n{key_id}\n{}\n",
        crate::time::format(at)
    )
    .into_bytes()
}

/// The endorsement of `new_key` for `party` by the party's `previous` key,
/// for the log named `origin`.
pub fn endorse(
    previous: &crate::keys::SecretKey,
    origin: &str,
    party: &str,
    new_key: &PublicKey,
) -> Endorsement {
    let key_id = previous.key_id();
    let signature = previous.sign(&rotation_message(origin, party, &key_id, new_key));
    Endorsement { key_id, signature }
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
/// `origin`, signed by that key.
pub fn key_retired_event(
    key: &crate::keys::SecretKey,
    origin: &str,
    party: &str,
    at: Timestamp,
) -> serde_json::Value {
    let key_id = key.key_id();
    let signature = key.sign(&retirement_message(origin, party, &key_id, at));
    serde_json::json!({"type": KEY_RETIRED, "party": party, "key_id": key_id,
        "at": crate::time::format(at), "signature": signature})
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
    /// The registry refuses the change.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

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
    signature: Signature,
}

impl KeyRegistry {
    /// Checks `endorsement` of `new_key` for `party` against this registry:
    /// required (and by the party's most recent key) when the party has a
    /// key, refused when it has none.
    fn check_endorsement(
        &self,
        origin: &str,
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
                        &rotation_message(origin, party, &prev.key_id, new_key),
                        &e.signature,
                    )
                    .map_err(|_| KeyEventError::BadSignature(e.key_id.clone()))
            }
        }
    }

    /// Applies a key event logged at `logged_at` in the log named `origin`.
    /// Returns `Ok(false)` when the event is not a key event. Registrations
    /// start when logged (within [`MAX_KEY_LEAD_SECONDS`]), retirements may
    /// not take effect before `logged_at`; each must carry the party's
    /// signature as the module documentation says.
    pub fn apply_logged_event(
        &mut self,
        event: &serde_json::Value,
        logged_at: Timestamp,
        origin: &str,
    ) -> Result<bool, KeyEventError> {
        let malformed = |m: String| KeyEventError::Malformed(m);
        match event.get("type").and_then(serde_json::Value::as_str) {
            Some(KEY_REGISTERED) => {
                // A first key has no endorsement member at all (not null).
                if event.get("endorsement") == Some(&serde_json::Value::Null) {
                    return Err(malformed("endorsement is null".into()));
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
                let ev: RetiredEvent =
                    serde_json::from_value(event.clone()).map_err(|e| malformed(e.to_string()))?;
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
                        &retirement_message(origin, &ev.party, &ev.key_id, ev.at),
                        &ev.signature,
                    )
                    .map_err(|_| KeyEventError::BadSignature(ev.key_id.clone()))?;
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

    /// Applies `events` in order (each logged at its key's or retirement's
    /// time) and names how the last one fared.
    fn check(events: &[serde_json::Value], expected: &str) {
        let mut reg = KeyRegistry::new();
        let mut got = "ok".to_string();
        for (i, e) in events.iter().enumerate() {
            let at = e["key"]["valid_from"]
                .as_str()
                .or(e["at"].as_str())
                .map_or(t("2022-08-01T00:00:00Z"), t);
            let r = reg.apply_logged_event(e, at, ORIGIN);
            let name = match r {
                Ok(_) => "ok",
                Err(KeyEventError::NotEndorsed { .. }) => "not-endorsed",
                Err(KeyEventError::NothingToEndorse { .. }) => "nothing-to-endorse",
                Err(KeyEventError::WrongEndorser { .. }) => "wrong-endorser",
                Err(KeyEventError::BadSignature(_)) => "bad-signature",
                Err(KeyEventError::Malformed(_)) => "malformed",
                Err(KeyEventError::WrongParty { .. }) => "wrong-party",
                Err(KeyEventError::Postdated { .. }) => "postdated",
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
        let second = |by: &SecretKey| {
            key_registered_event(
                &record(&ua2, "UA", "2022-09-01T00:00:00Z"),
                Some(&endorse(by, ORIGIN, "UA", &ua2.public_key())),
            )
        };
        check(std::slice::from_ref(&first), "ok");
        check(&[first.clone(), second(&ua1)], "ok");
        // Finding 1 of docs/open-findings.md: a key the party did not sign for.
        check(
            &[
                first.clone(),
                key_registered_event(&record(&ua2, "UA", "2022-09-01T00:00:00Z"), None),
            ],
            "not-endorsed",
        );
        check(&[first.clone(), second(&admin)], "wrong-endorser");
        // The right key id with another key's signature.
        let mut forged = endorse(&admin, ORIGIN, "UA", &ua2.public_key());
        forged.key_id = ua1.key_id();
        check(
            &[
                first.clone(),
                key_registered_event(&record(&ua2, "UA", "2022-09-01T00:00:00Z"), Some(&forged)),
            ],
            "bad-signature",
        );
        // An endorsement is for one new key: reused for another it fails.
        let for_ua2 = endorse(&ua1, ORIGIN, "UA", &ua2.public_key());
        check(
            &[
                first.clone(),
                key_registered_event(&record(&ua3, "UA", "2022-09-01T00:00:00Z"), Some(&for_ua2)),
            ],
            "bad-signature",
        );
        check(
            &[key_registered_event(
                &record(&ua1, "UA", "2022-08-01T00:00:00Z"),
                Some(&for_ua2),
            )],
            "nothing-to-endorse",
        );
        // After retirement the retired key still hands over (and only it).
        let retire = key_retired_event(&ua1, ORIGIN, "UA", t("2022-08-15T00:00:00Z"));
        check(&[first.clone(), retire.clone(), second(&ua1)], "ok");
        check(
            &[
                first.clone(),
                retire.clone(),
                key_registered_event(&record(&ua2, "UA", "2022-09-01T00:00:00Z"), None),
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
        let mut extra = second(&ua1);
        extra["note"] = "x".into();
        check(&[first.clone(), extra], "malformed");
        // The 2026-11-29 review of the fixes (a key change bound to no log): a change signed for
        // another corridor's log does not apply in this one.
        let elsewhere = key_registered_event(
            &record(&ua2, "UA", "2022-09-01T00:00:00Z"),
            Some(&endorse(&ua1, "corridor/other", "UA", &ua2.public_key())),
        );
        check(&[first.clone(), elsewhere], "bad-signature");
        let retired_elsewhere =
            key_retired_event(&ua1, "corridor/other", "UA", t("2022-08-15T00:00:00Z"));
        check(&[first.clone(), retired_elsewhere], "bad-signature");
        // A first key has no endorsement member, not a null one (as
        // tools/verify_log.py reads it).
        let mut null = first;
        null["endorsement"] = serde_json::Value::Null;
        check(&[null], "malformed");
    }

    /// The 2026-11-29 review of the fixes (a key change bound to no log): whoever writes the log cannot
    /// postpone a new key (and keep the old one current) by dating it ahead.
    #[test]
    fn a_new_key_takes_effect_when_logged() {
        let ua1 = SecretKey::from_seed(&[1; 32]);
        let logged = t("2022-08-01T00:00:00Z");
        let apply = |from: &str| {
            KeyRegistry::new().apply_logged_event(
                &key_registered_event(&record(&ua1, "UA", from), None),
                logged,
                ORIGIN,
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
