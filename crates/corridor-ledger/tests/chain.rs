//! Tampering with a generated log is caught at the entry that was touched.

mod common;

use common::*;
use corridor_ledger::checkpoint::verify_chain_against_checkpoint;
use corridor_ledger::key_events::{self, KeyEventError};
use corridor_ledger::*;
use jiff::ToSpan;
use serde_json::json;

/// Applies `tamper` to the entries of a fresh season and expects
/// `verify_chain` to fail at `index` with a fault named `fault` (the variant
/// name), or to pass when `index` is `None`.
fn check(
    name: &str,
    tamper: impl FnOnce(&mut Vec<LogEntry>, &Season),
    expected: Option<(usize, &str)>,
) {
    let s = season(6);
    let mut entries = s.log.entries().to_vec();
    tamper(&mut entries, &s);
    let got = verify_chain(&entries, &s.keys, ORIGIN).err().map(|e| {
        (
            e.index,
            format!("{:?}", e.fault)
                .split([' ', '(', '{'])
                .next()
                .unwrap_or("")
                .to_string(),
        )
    });
    let expected = expected.map(|(i, f)| (i, f.to_string()));
    assert_eq!(got, expected, "case {name}");
}

fn rehash(e: &mut LogEntry) {
    e.entry_hash = e.recompute_hash().expect("canonical");
}

#[test]
fn tampering_is_caught_at_that_entry() {
    check("intact", |_, _| {}, None);
    check(
        "change an event",
        |es, _| es[5].event["type"] = json!("nothing_happened"),
        Some((5, "BadEntryHash")),
    );
    check(
        "change the actor",
        |es, _| es[7].actor = "delegate:xx".into(),
        Some((7, "BadEntryHash")),
    );
    check(
        "change the time",
        |es, _| es[3].time += 1.second(),
        Some((3, "BadEntryHash")),
    );
    check(
        "change and rehash",
        |es, _| {
            es[4].actor = "someone".into();
            rehash(&mut es[4]);
        },
        Some((5, "BadPrevHash")),
    );
    check(
        "delete an entry",
        |es, _| {
            es.remove(6);
        },
        Some((6, "SequenceGap")),
    );
    check(
        "delete the last entry",
        |es, _| {
            es.pop();
        },
        None,
    );
    check(
        "insert an entry",
        |es, _| {
            let mut fake = es[2].clone();
            fake.actor = "intruder".into();
            es.insert(3, fake);
        },
        Some((3, "SequenceGap")),
    );
    check(
        "insert and renumber",
        |es, _| {
            let fake = LogEntry::next(
                Some(&es[2]),
                "intruder",
                es[2].time,
                json!({"type": "x"}),
                None,
            )
            .unwrap();
            es.insert(3, fake);
            for (i, e) in es.iter_mut().enumerate().skip(4) {
                e.seq = i as u64;
                rehash(e);
            }
        },
        Some((4, "BadPrevHash")),
    );
    check(
        "swap two entries",
        |es, _| es.swap(8, 9),
        Some((8, "SequenceGap")),
    );
    check(
        "swap seq numbers too",
        |es, _| {
            es.swap(8, 9);
            es[8].seq = 8;
            es[9].seq = 9;
        },
        Some((8, "BadPrevHash")),
    );
    check(
        "flip a signature bit",
        |es, _| {
            let i = es.iter().position(|e| e.signature.is_some()).unwrap();
            es[i].signature.as_mut().unwrap().signature.0[10] ^= 1;
            rehash(&mut es[i]);
            // Make the next link consistent so only the signature is wrong.
            let h = es[i].entry_hash;
            es[i + 1].prev_hash = h;
            rehash(&mut es[i + 1]);
        },
        Some((2, "BadSignature")),
    );
    check(
        "edit a signed decision and rehash",
        |es, _| {
            es[3].event["decision"]["decision"] =
                json!({"kind": "reject", "reason_code": "X", "text": "y"});
            rehash(&mut es[3]);
        },
        Some((3, "BadSignature")),
    );
    check(
        "drop a signature",
        |es, _| {
            es[2].signature = None;
            rehash(&mut es[2]);
        },
        Some((2, "UnsignedDecision")),
    );
    check(
        "signed by another party's key",
        |es, s| {
            // Russia's key signs a decision claiming to be Türkiye's.
            let ru = &s.party_keys[0].1;
            let mut p: DecisionPayload =
                serde_json::from_value(es[3].event["decision"].clone()).unwrap();
            assert_eq!(p.party, "TR");
            p.key_id = ru.key_id();
            let signed = p.sign(ru).unwrap();
            es[3].event["decision"] = serde_json::to_value(&signed.payload).unwrap();
            es[3].signature = Some(EntrySignature {
                party: "TR".into(),
                key_id: ru.key_id(),
                signature: signed.signature,
            });
            rehash(&mut es[3]);
        },
        Some((3, "KeyNotValid")),
    );
    check(
        "signed by an unknown key",
        |es, _| {
            let k = SecretKey::from_seed(&[200; 32]);
            let mut p: DecisionPayload =
                serde_json::from_value(es[3].event["decision"].clone()).unwrap();
            p.key_id = k.key_id();
            let signed = p.sign(&k).unwrap();
            es[3].event["decision"] = serde_json::to_value(&signed.payload).unwrap();
            es[3].signature = Some(EntrySignature {
                party: "TR".into(),
                key_id: k.key_id(),
                signature: signed.signature,
            });
            rehash(&mut es[3]);
        },
        Some((3, "UnknownKey")),
    );
}

#[test]
fn retired_key_after_retirement_is_named() {
    let s = season(6);
    let mut es = s.log.entries().to_vec();
    let old = &s.party_keys[2].1;
    let i = es
        .iter()
        .position(|e| {
            e.signature.as_ref().is_some_and(|g| g.party == "UA")
                && e.time >= t("2022-08-11T00:00:00Z")
        })
        .unwrap();
    let mut p: DecisionPayload = serde_json::from_value(es[i].event["decision"].clone()).unwrap();
    p.key_id = old.key_id();
    let signed = p.sign(old).unwrap();
    es[i].event["decision"] = serde_json::to_value(&signed.payload).unwrap();
    es[i].signature = Some(EntrySignature {
        party: "UA".into(),
        key_id: old.key_id(),
        signature: signed.signature,
    });
    es[i].entry_hash = es[i].recompute_hash().unwrap();
    let err = verify_chain(&es, &s.keys, ORIGIN).unwrap_err();
    assert_eq!(err.index, i);
    assert!(
        matches!(
            err.fault,
            ChainFault::KeyNotValid(KeyUseError::Retired { .. })
        ),
        "{err}"
    );
    // And the old key's signatures from before the rotation still verify.
    assert!(s.log.entries()[..i].iter().any(|e| {
        e.signature
            .as_ref()
            .is_some_and(|g| g.key_id == old.key_id())
    }));
    verify_chain(s.log.entries(), &s.keys, ORIGIN).unwrap();
}

#[test]
fn checkpoints_and_proofs() {
    let s = season(6);
    let log_pub = s.log_key.public_key();
    let summary =
        verify_chain_against_checkpoint(s.log.entries(), &s.keys, &s.checkpoint, &log_pub).unwrap();
    assert_eq!(summary.size, s.log.size());
    assert_eq!(summary.root, s.checkpoint.root);
    assert!(summary.signatures >= 24);

    // Text form round-trips and is what was signed.
    let text = s.checkpoint.to_text().unwrap();
    assert!(text.starts_with("corridor-checkpoint-v1\ncorridor.example/bsgi\n"));
    assert_eq!(SignedCheckpoint::from_text(&text).unwrap(), s.checkpoint);
    assert!(SignedCheckpoint::from_text(&text.replace("\n\n", "\n")).is_err());
    assert!(SignedCheckpoint::from_text("").is_err());

    // An older checkpoint is consistent with the newer one.
    let old = TreeHead {
        origin: ORIGIN.into(),
        size: 10,
        root: s.log.root_at(10).unwrap(),
        time: t("2022-08-02T00:00:00Z"),
    }
    .sign(&s.log_key)
    .unwrap();
    let proof = s.log.consistency_proof(10, s.log.size()).unwrap();
    checkpoint::verify_checkpoint_consistency(&old, &s.checkpoint, &proof, &log_pub).unwrap();
    let mut forged = old.clone();
    forged.size = 11;
    assert!(
        checkpoint::verify_checkpoint_consistency(&forged, &s.checkpoint, &proof, &log_pub)
            .is_err()
    );

    // Inclusion of every entry.
    for e in s.log.entries() {
        let p = s.log.inclusion_proof(e.seq, s.log.size()).unwrap();
        merkle::verify_inclusion(e.seq, s.log.size(), &e.leaf_hash(), &p, &s.checkpoint.root)
            .unwrap();
    }

    // A rewritten tail (every hash recomputed) no longer matches the checkpoint.
    let mut es = s.log.entries().to_vec();
    let cut = es.len() - 3;
    es.truncate(cut);
    let mut log2 = Log::from_entries(es, &s.keys, ORIGIN).unwrap();
    for _ in 0..3 {
        log2.append(
            "forger",
            t("2023-01-01T00:00:00Z"),
            json!({"type": "forged"}),
            None,
        )
        .unwrap();
    }
    let err = verify_chain_against_checkpoint(log2.entries(), &s.keys, &s.checkpoint, &log_pub)
        .unwrap_err();
    assert!(matches!(err, CheckpointError::RootMismatch { .. }), "{err}");

    // Checkpoint by another key, or with a changed size, fails.
    let other = SecretKey::from_seed(&[77; 32]);
    assert!(matches!(
        s.checkpoint.verify(&other.public_key()),
        Err(CheckpointError::WrongKey { .. })
    ));
    let mut c = s.checkpoint.clone();
    c.size -= 1;
    assert!(matches!(
        c.verify(&log_pub),
        Err(CheckpointError::BadSignature)
    ));
}

#[test]
fn export_round_trips_and_verifies() {
    let s = season(4);
    let ex = export_log(
        ORIGIN,
        &s.log_key.public_key(),
        &s.keys,
        s.log.entries(),
        &s.checkpoint,
    );
    let text = ex.to_json().unwrap();
    let back = LogExport::from_json(&text).unwrap();
    assert_eq!(back, ex);
    verify_export(&back).unwrap();
    let tampered = text.replacen("\"wheat\"", "\"maize\"", 1);
    let err = verify_export(&LogExport::from_json(&tampered).unwrap()).unwrap_err();
    assert!(err.to_string().contains("entry_hash"), "{err}");
}

#[test]
fn time_cannot_go_backwards_on_append() {
    let mut log = Log::new();
    log.append("a", t("2022-08-01T10:00:00Z"), json!({}), None)
        .unwrap();
    let err = log
        .append("a", t("2022-08-01T09:00:00Z"), json!({}), None)
        .unwrap_err();
    assert!(matches!(err, AppendError::TimeWentBackwards { .. }));
    let err = log
        .append("a", t("2022-08-01T11:00:00Z"), json!({"x": 0.5}), None)
        .unwrap_err();
    assert!(matches!(err, AppendError::Canonical(_)));
    assert_eq!(log.size(), 1);
}

#[test]
fn keys_recorded_in_the_log() {
    let (log, ua1, ua2) = logged_keys_log();
    let summary = verify_chain(log.entries(), &KeyRegistry::new(), ORIGIN)
        .expect("verifies from an empty registry");
    assert_eq!(summary.signatures, 2);
    let k1 = summary.keys.get(&ua1.key_id()).expect("ua1");
    assert_eq!(
        k1.valid_until,
        Some(t("2022-08-03T00:00:00Z")),
        "rotation retired the first key"
    );
    assert_eq!(
        summary.keys.get(&ua2.key_id()).and_then(|k| k.valid_until),
        Some(t("2022-08-05T00:00:00Z"))
    );

    let fault = |entries: &[LogEntry]| {
        verify_chain(entries, &KeyRegistry::new(), ORIGIN)
            .map(|_| ())
            .map_err(|e| (e.index, e.fault))
    };
    let mut es = log.entries().to_vec();
    // A backdated registration (hash recomputed) is refused at that entry.
    es[2].event["key"]["valid_from"] = json!("2022-08-02T12:00:00Z");
    es[2].entry_hash = es[2].recompute_hash().expect("hash");
    assert!(matches!(
        fault(&es[..3]),
        Err((2, ChainFault::KeyEvent(KeyEventError::Backdated { .. })))
    ));
    // Retiring another party's key, or a malformed key event, is refused.
    let mut l2 =
        Log::from_entries(log.entries().to_vec(), &KeyRegistry::new(), ORIGIN).expect("load");
    let state = l2.state();
    l2.append(
        "admin",
        t("2022-08-06T00:00:00Z"),
        key_events::key_retired_event(&ua1, ORIGIN, state, "RU", t("2022-08-06T00:00:00Z")),
        None,
    )
    .expect("append");
    assert!(matches!(
        fault(l2.entries()),
        Err((5, ChainFault::KeyEvent(KeyEventError::WrongParty { .. })))
    ));
    let mut l3 =
        Log::from_entries(log.entries().to_vec(), &KeyRegistry::new(), ORIGIN).expect("load");
    l3.append(
        "admin",
        t("2022-08-06T00:00:00Z"),
        json!({"type": "party_key_registered", "key": {"party": "UA"}}),
        None,
    )
    .expect("append");
    assert!(matches!(
        fault(l3.entries()),
        Err((5, ChainFault::KeyEvent(KeyEventError::Malformed(_))))
    ));
    // The first decision is signed before any key is logged if the registration is dropped.
    let es: Vec<LogEntry> = log.entries()[1..].to_vec();
    let mut relinked = Log::new();
    for e in &es {
        let _ = relinked.append(&e.actor, e.time, e.event.clone(), e.signature.clone());
    }
    assert!(matches!(
        fault(relinked.entries()),
        Err((0, ChainFault::UnknownKey(_)))
    ));
}

#[test]
fn stored_rows_round_trip_and_bad_rows_are_named() {
    let s = season(3);
    let rows: Vec<StoredEntry> = s
        .log
        .entries()
        .iter()
        .map(|e| StoredEntry::from_entry(e).expect("row"))
        .collect();
    let summary = verify_stored_chain(&rows, &s.keys, ORIGIN).expect("rows verify");
    assert_eq!(summary.root, s.log.root());
    for (row, e) in rows.iter().zip(s.log.entries()) {
        assert_eq!(&row.to_entry().expect("decode"), e);
    }
    let check = |edit: &dyn Fn(&mut Vec<StoredEntry>), index: usize, what: &str| {
        let mut r = rows.clone();
        edit(&mut r);
        let err = verify_stored_chain(&r, &s.keys, ORIGIN).expect_err("tampered rows");
        assert_eq!(err.index, index, "{what}: {err}");
        assert!(err.to_string().contains(what), "{what}: {err}");
    };
    check(
        &|r| r[4].time = "yesterday".into(),
        4,
        "field time does not decode",
    );
    check(
        &|r| r[4].event = "{not json".into(),
        4,
        "field event does not decode",
    );
    check(
        &|r| r[2].signature = Some("{}".into()),
        2,
        "field signature does not decode",
    );
    check(
        &|r| r[3].entry_hash = "zz".into(),
        3,
        "field entry_hash does not decode",
    );
    check(&|r| r[5].seq = -1, 5, "field seq does not decode");
    // An earlier, decodable but wrong row is reported first.
    check(
        &|r| {
            r[1].actor = "someone else".into();
            r[6].time = "garbage".into();
        },
        1,
        "entry_hash",
    );
    // Whitespace-only edits to the event text change nothing that is
    // hashed, but the row was edited all the same (ledger review,
    // 2026-11-30, finding 7): named as such.
    check(
        &|r| r[1].event = r[1].event.replacen(':', ": ", 1),
        1,
        "field event is not stored in its canonical form",
    );
    // A value edit in the event text is caught.
    check(
        &|r| r[1].event = r[1].event.replacen("wheat", "maize", 1),
        1,
        "entry_hash",
    );
}
