//! The signed decision: what a party's delegate signs to approve, hold or
//! reject one application in one exact version.
//!
//! The signed bytes are `"corridor-decision-v1\n"` followed by the canonical
//! JSON ([`crate::canonical`]) of the [`DecisionPayload`]:
//!
//! ```json
//! {"application_hash":"<64 hex>","application_id":"BSGI-2022-000123",
//!  "decision":{"kind":"hold","reason_code":"DOCS_MISSING","text":"..."},
//!  "key_id":"<16 hex>","party":"UA","time":"2022-10-29T12:00:00Z"}
//! ```
//!
//! `decision` is `{"kind":"approve"}`, `{"kind":"hold","reason_code":..,"text":..}`
//! or `{"kind":"reject","reason_code":..,"text":..}`. Because the payload names
//! the party, the application id and the SHA-256 of the application's
//! canonical content, a signature cannot be replayed onto another application,
//! a changed version of the same one, or by another party; `key_id` and `time`
//! bind it to the key that was current when it was made.

use crate::canonical::{CanonicalError, to_canonical_bytes};
use crate::hash::Hash;
use crate::keys::{KeyId, KeyRegistry, KeyUseError, SecretKey, Signature};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Domain-separation prefix of the signed bytes.
pub const DECISION_CONTEXT: &[u8] = b"corridor-decision-v1\n";

/// How far a signer's clock may run ahead of the log's when the decision is
/// received (seconds).
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 300;

/// What a party decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecisionKind {
    /// The party agrees to the registration.
    Approve,
    /// The party holds the registration pending more information.
    Hold { reason_code: String, text: String },
    /// The party refuses the registration.
    Reject { reason_code: String, text: String },
    /// The party lifts its own hold; it has not decided yet. Signed like a
    /// decision, so no one but the party can drop its hold.
    Release,
}

impl DecisionKind {
    /// `approve`, `hold`, `reject` or `release`.
    pub fn name(&self) -> &'static str {
        match self {
            DecisionKind::Approve => "approve",
            DecisionKind::Hold { .. } => "hold",
            DecisionKind::Reject { .. } => "reject",
            DecisionKind::Release => "release",
        }
    }

    /// The reason code of a hold or rejection.
    pub fn reason_code(&self) -> Option<&str> {
        match self {
            DecisionKind::Approve | DecisionKind::Release => None,
            DecisionKind::Hold { reason_code, .. } | DecisionKind::Reject { reason_code, .. } => {
                Some(reason_code)
            }
        }
    }
}

/// The signed content of a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionPayload {
    /// The deciding party's code (e.g. `UA`).
    pub party: String,
    /// The application's tracking number.
    pub application_id: String,
    /// SHA-256 of the application's canonical content at the time of the decision.
    pub application_hash: Hash,
    /// Approve / hold / reject.
    pub decision: DecisionKind,
    /// When the delegate signed (canonical RFC 3339 UTC, whole seconds).
    #[serde(with = "crate::time::rfc3339")]
    pub time: Timestamp,
    /// The id of the key that signs.
    pub key_id: KeyId,
}

impl DecisionPayload {
    /// The exact bytes that are signed.
    pub fn signing_bytes(&self) -> Result<Vec<u8>, CanonicalError> {
        let mut out = DECISION_CONTEXT.to_vec();
        out.extend(to_canonical_bytes(self)?);
        Ok(out)
    }

    /// Signs with `key` (on the party's side). `key_id` must be `key`'s id.
    pub fn sign(mut self, key: &SecretKey) -> Result<SignedDecision, DecisionError> {
        self.time = crate::time::to_seconds(self.time);
        if self.key_id != key.key_id() {
            return Err(DecisionError::KeyIdMismatch {
                payload: self.key_id,
                key: key.key_id(),
            });
        }
        let bytes = self.signing_bytes()?;
        let signature = key.sign(&bytes);
        Ok(SignedDecision {
            payload: self,
            signature,
        })
    }
}

/// A decision payload with the party's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedDecision {
    /// What was signed.
    pub payload: DecisionPayload,
    /// ed25519 over [`DecisionPayload::signing_bytes`].
    pub signature: Signature,
}

/// What the receiving side expects a decision to be about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected<'a> {
    /// The party the delegate acts for.
    pub party: &'a str,
    /// The application being decided.
    pub application_id: &'a str,
    /// Its current content hash.
    pub application_hash: &'a Hash,
}

/// Why a signed decision is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    /// The payload has no canonical form.
    #[error(transparent)]
    Canonical(#[from] CanonicalError),
    /// The payload's key id is not the signing key's.
    #[error("payload names key {payload} but the signing key is {key}")]
    KeyIdMismatch { payload: KeyId, key: KeyId },
    /// The decision is for another party than the one the delegate acts for.
    #[error("decision is signed for party {signed}, expected {expected}")]
    WrongParty { signed: String, expected: String },
    /// The decision is about another application (replay).
    #[error("decision is for application {signed}, not {expected}")]
    WrongApplication { signed: String, expected: String },
    /// The application changed since it was signed (or the hash is forged).
    #[error("decision covers application content {signed}, but the application is now {expected}")]
    ChangedApplication { signed: Hash, expected: Hash },
    /// Signed too far in the future relative to the receiving time.
    #[error("decision is dated {signed}, after the time it was received ({received})")]
    FromTheFuture {
        signed: Timestamp,
        received: Timestamp,
    },
    /// Key problem or bad signature.
    #[error(transparent)]
    Key(#[from] KeyUseError),
}

impl SignedDecision {
    /// Verifies the signature with the key named in the payload, which must
    /// belong to the payload's party and be current at the payload's time.
    pub fn verify_signature(&self, keys: &KeyRegistry) -> Result<(), DecisionError> {
        let bytes = self.payload.signing_bytes()?;
        keys.verify(
            &self.payload.party,
            &self.payload.key_id,
            self.payload.time,
            &bytes,
            &self.signature,
        )?;
        Ok(())
    }

    /// The full acceptance check a server makes when a decision arrives at
    /// `now`: bound to the expected party, application and content hash, not
    /// dated after `now` (beyond [`MAX_CLOCK_SKEW_SECONDS`]), signed by a key of
    /// that party current both when signed and now, and a valid signature.
    pub fn verify_for(
        &self,
        keys: &KeyRegistry,
        expected: &Expected<'_>,
        now: Timestamp,
    ) -> Result<(), DecisionError> {
        let p = &self.payload;
        if p.party != expected.party {
            return Err(DecisionError::WrongParty {
                signed: p.party.clone(),
                expected: expected.party.to_string(),
            });
        }
        if p.application_id != expected.application_id {
            return Err(DecisionError::WrongApplication {
                signed: p.application_id.clone(),
                expected: expected.application_id.to_string(),
            });
        }
        if p.application_hash != *expected.application_hash {
            return Err(DecisionError::ChangedApplication {
                signed: p.application_hash,
                expected: *expected.application_hash,
            });
        }
        check_not_future(p.time, now)?;
        keys.check_key(&p.party, &p.key_id, now)?;
        self.verify_signature(keys)
    }
}

/// Fails when `signed` is later than `received` plus the allowed clock skew.
pub fn check_not_future(signed: Timestamp, received: Timestamp) -> Result<(), DecisionError> {
    if signed.as_second() > received.as_second().saturating_add(MAX_CLOCK_SKEW_SECONDS) {
        return Err(DecisionError::FromTheFuture { signed, received });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn setup() -> (KeyRegistry, SecretKey, SecretKey) {
        let ua = SecretKey::from_seed(&[1; 32]);
        let ru = SecretKey::from_seed(&[2; 32]);
        let mut reg = KeyRegistry::new();
        reg.register("UA", ua.public_key(), t("2022-08-01T00:00:00Z"))
            .unwrap();
        reg.register("RU", ru.public_key(), t("2022-08-01T00:00:00Z"))
            .unwrap();
        (reg, ua, ru)
    }

    fn payload(key: &SecretKey, party: &str, app: &str, content: &[u8]) -> DecisionPayload {
        DecisionPayload {
            party: party.into(),
            application_id: app.into(),
            application_hash: Hash::of(content),
            decision: DecisionKind::Hold {
                reason_code: "DOCS".into(),
                text: "stowage plan missing".into(),
            },
            time: t("2022-10-29T10:00:00Z"),
            key_id: key.key_id(),
        }
    }

    /// Verifies `signed` as received by a delegate of `party` for `app` with `content` at `now`.
    fn check(
        reg: &KeyRegistry,
        signed: &SignedDecision,
        party: &str,
        app: &str,
        content: &[u8],
        now: &str,
        expected: Result<(), &str>,
    ) {
        let h = Hash::of(content);
        let got = signed
            .verify_for(
                reg,
                &Expected {
                    party,
                    application_id: app,
                    application_hash: &h,
                },
                t(now),
            )
            .map_err(|e| match e {
                DecisionError::WrongParty { .. } => "wrong-party",
                DecisionError::WrongApplication { .. } => "wrong-app",
                DecisionError::ChangedApplication { .. } => "changed",
                DecisionError::FromTheFuture { .. } => "future",
                DecisionError::Key(KeyUseError::BadSignature(_)) => "bad-signature",
                DecisionError::Key(KeyUseError::WrongParty { .. }) => "key-of-other-party",
                DecisionError::Key(KeyUseError::Retired { .. }) => "retired",
                DecisionError::Key(_) => "key",
                _ => "other",
            });
        assert_eq!(got, expected);
    }

    /// Hostile review (2026-11-30): a member added to a signed payload,
    /// which the signature does not cover, was accepted and dropped. What
    /// is signed is read exactly, as the Python verifier reads it.
    #[test]
    fn a_signed_decision_with_a_member_it_did_not_sign_is_refused() {
        let (_, ua, _) = setup();
        let signed = payload(&ua, "UA", "A-1", b"v1").sign(&ua).unwrap();
        let mut v = serde_json::to_value(&signed).unwrap();
        assert!(serde_json::from_value::<SignedDecision>(v.clone()).is_ok());
        v["payload"]["note"] = serde_json::json!("added later");
        let e = serde_json::from_value::<SignedDecision>(v.clone()).unwrap_err();
        assert!(e.to_string().contains("unknown field `note`"), "{e}");
        v["payload"].as_object_mut().unwrap().remove("note");
        v["extra"] = serde_json::json!(1);
        assert!(serde_json::from_value::<SignedDecision>(v).is_err());
    }

    #[test]
    fn decisions_bind_party_application_and_content() {
        let (reg, ua, ru) = setup();
        let now = "2022-10-29T10:01:00Z";
        let good = payload(&ua, "UA", "A-1", b"v1").sign(&ua).unwrap();
        check(&reg, &good, "UA", "A-1", b"v1", now, Ok(()));
        check(&reg, &good, "UA", "A-2", b"v1", now, Err("wrong-app"));
        check(&reg, &good, "UA", "A-1", b"v2", now, Err("changed"));
        check(&reg, &good, "RU", "A-1", b"v1", now, Err("wrong-party"));
        check(
            &reg,
            &good,
            "UA",
            "A-1",
            b"v1",
            "2022-10-29T09:00:00Z",
            Err("future"),
        );

        // Editing the payload after signing breaks the signature.
        let mut edited = good.clone();
        edited.payload.decision = DecisionKind::Approve;
        check(&reg, &edited, "UA", "A-1", b"v1", now, Err("bad-signature"));

        // Signed by Russia's key while claiming to be Ukraine.
        let mut p = payload(&ru, "UA", "A-1", b"v1");
        p.key_id = ru.key_id();
        let forged = p.sign(&ru).unwrap();
        check(
            &reg,
            &forged,
            "UA",
            "A-1",
            b"v1",
            now,
            Err("key-of-other-party"),
        );

        // Payload naming a key that is not the signer's is refused at signing.
        assert!(matches!(
            payload(&ua, "UA", "A-1", b"v1").sign(&ru),
            Err(DecisionError::KeyIdMismatch { .. })
        ));
    }

    #[test]
    fn signed_bytes_are_stable() {
        let (_, ua, _) = setup();
        let p = payload(&ua, "UA", "A-1", b"v1");
        let s = String::from_utf8(p.signing_bytes().unwrap()).unwrap();
        assert!(s.starts_with("corridor-decision-v1\n{\"application_hash\":\""));
        assert!(s.contains(
            r#""decision":{"kind":"hold","reason_code":"DOCS","text":"stowage plan missing"}"#
        ));
        assert!(s.ends_with(r#""party":"UA","time":"2022-10-29T10:00:00Z"}"#));
    }
}
