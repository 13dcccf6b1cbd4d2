//! A generated, realistic-looking log shared by the integration tests: four
//! delegations with keys (Ukraine rotates its key mid-season), applications,
//! signed approvals, a hold and its release, a rejection, a suspension.

#![allow(dead_code)]

use corridor_ledger::*;
use jiff::{Timestamp, ToSpan};
use serde_json::json;

pub const ORIGIN: &str = "corridor.example/bsgi";
pub const PARTIES: [&str; 4] = ["RU", "TR", "UA", "UN"];

pub struct Season {
    pub log: Log,
    pub keys: KeyRegistry,
    pub log_key: SecretKey,
    pub party_keys: Vec<(String, SecretKey)>,
    pub checkpoint: SignedCheckpoint,
}

pub fn t(s: &str) -> Timestamp {
    s.parse().expect("test time")
}

fn key(seed: u8) -> SecretKey {
    SecretKey::from_seed(&[seed; 32])
}

/// Deterministic season of `apps` applications.
pub fn season(apps: usize) -> Season {
    let start = t("2022-08-01T08:00:00Z");
    let mut keys = KeyRegistry::new();
    let mut party_keys = Vec::new();
    for (i, p) in PARTIES.iter().enumerate() {
        let k = key(10 + i as u8);
        keys.register(p, k.public_key(), start).expect("register");
        party_keys.push((p.to_string(), k));
    }
    let rotation = t("2022-08-10T00:00:00Z");
    let ua_new = key(99);
    keys.rotate("UA", ua_new.public_key(), rotation)
        .expect("rotate");

    let mut log = Log::new();
    let mut now = start;
    log.append(
        "system",
        now,
        json!({"type": "corridor_opened", "corridor": "bsgi", "parties": PARTIES}),
        None,
    )
    .expect("append");
    for a in 0..apps {
        now += 48.hours();
        let app_id = format!("BSGI-2022-{:06}", a + 1);
        let content = json!({"vessel": {"imo": 9000000 + a as u64, "name": format!("MV Example {a}")},
                             "cargo": [{"commodity": "wheat", "tonnes": 25000 + 1000 * a as u64}]});
        let content_hash = Hash::of(&to_canonical_bytes(&content).expect("canonical"));
        log.append(
            &format!("agent:company-{}", a % 3),
            now,
            json!({
            "type": "application_submitted", "application_id": app_id,
            "content_hash": content_hash, "content": content}),
            None,
        )
        .expect("append");
        for (i, p) in PARTIES.iter().enumerate() {
            now += (1 + i as i64).hours();
            let k = if *p == "UA" && now >= rotation {
                &ua_new
            } else {
                &party_keys[i].1
            };
            let decision = match (a % 5, *p) {
                (2, "RU") => DecisionKind::Hold {
                    reason_code: "DOCS_MISSING".into(),
                    text: "stowage plan missing".into(),
                },
                (4, "TR") => DecisionKind::Reject {
                    reason_code: "PORT_CALL_HISTORY".into(),
                    text: "called at a banned port".into(),
                },
                _ => DecisionKind::Approve,
            };
            let signed = DecisionPayload {
                party: p.to_string(),
                application_id: app_id.clone(),
                application_hash: content_hash,
                decision,
                time: now - 2.minutes(),
                key_id: k.key_id(),
            }
            .sign(k)
            .expect("sign");
            signed
                .verify_for(
                    &keys,
                    &Expected {
                        party: p,
                        application_id: &app_id,
                        application_hash: &content_hash,
                    },
                    now,
                )
                .expect("accepted");
            let sig = EntrySignature {
                party: p.to_string(),
                key_id: k.key_id(),
                signature: signed.signature,
            };
            log.append(
                &format!("delegate:{}", p.to_lowercase()),
                now,
                json!({
                "type": "decision_recorded", "application_id": app_id,
                "decision": signed.payload}),
                Some(sig),
            )
            .expect("append");
        }
        if a == 3 {
            log.append("coordinator:1", now, json!({"type": "corridor_suspended", "reason_code": "PARTY_WITHDREW", "text": "one party suspended participation"}), None).expect("append");
            now += 96.hours();
            log.append(
                "coordinator:1",
                now,
                json!({"type": "corridor_resumed"}),
                None,
            )
            .expect("append");
        }
    }
    let log_key = key(1);
    let checkpoint = TreeHead {
        origin: ORIGIN.into(),
        size: log.size(),
        root: log.root(),
        time: now,
    }
    .sign(&log_key)
    .expect("checkpoint");
    Season {
        log,
        keys,
        log_key,
        party_keys,
        checkpoint,
    }
}

/// A log that records its own keys: registration, rotation by registering a
/// successor, retirement; verified from an empty registry.
pub fn logged_keys_log() -> (Log, SecretKey, SecretKey) {
    let ua1 = SecretKey::from_seed(&[31; 32]);
    let ua2 = SecretKey::from_seed(&[32; 32]);
    let mut log = Log::new();
    let rec = |k: &SecretKey, from: &str| KeyRecord {
        key_id: k.key_id(),
        party: "UA".into(),
        public_key: k.public_key(),
        valid_from: t(from),
        valid_until: None,
    };
    let decision = |k: &SecretKey, at: &str| {
        let signed = DecisionPayload {
            party: "UA".into(),
            application_id: "A-1".into(),
            application_hash: Hash::of(b"v1"),
            decision: DecisionKind::Approve,
            time: t(at),
            key_id: k.key_id(),
        }
        .sign(k)
        .expect("sign");
        let sig = EntrySignature {
            party: "UA".into(),
            key_id: k.key_id(),
            signature: signed.signature,
        };
        (
            json!({"type": "decision_recorded", "decision": signed.payload}),
            Some(sig),
        )
    };
    log.append(
        "admin",
        t("2022-08-01T00:00:00Z"),
        key_events::key_registered_event(&rec(&ua1, "2022-08-01T00:00:00Z"), None),
        None,
    )
    .expect("append");
    let (e, s) = decision(&ua1, "2022-08-02T00:00:00Z");
    log.append("delegate:ua", t("2022-08-02T00:00:00Z"), e, s)
        .expect("append");
    log.append(
        "delegate:ua",
        t("2022-08-03T00:00:00Z"),
        key_events::key_registered_event(
            &rec(&ua2, "2022-08-03T00:00:00Z"),
            Some(&key_events::endorse(
                &ua1,
                ORIGIN,
                log.state(),
                t("2022-08-03T00:00:00Z"),
                "UA",
                &ua2.public_key(),
            )),
        ),
        None,
    )
    .expect("append");
    let (e, s) = decision(&ua2, "2022-08-04T00:00:00Z");
    log.append("delegate:ua", t("2022-08-04T00:00:00Z"), e, s)
        .expect("append");
    log.append(
        "admin",
        t("2022-08-05T00:00:00Z"),
        key_events::key_retired_event(&ua2, ORIGIN, log.state(), "UA", t("2022-08-05T00:00:00Z")),
        None,
    )
    .expect("append");
    (log, ua1, ua2)
}
