//! Tampering with the log directly in the database (after dropping the
//! append-only triggers) is caught by `verify_database` — what `corridor
//! verify` runs — at the entry that was changed, deleted, inserted or moved;
//! a consistently rewritten tail is caught by the stored signed checkpoint.
//! On SQLite always; on PostgreSQL when reachable (required in CI).

mod common;

use common::*;
use corridor_clearance::CorridorConfig;
use corridor_clearance_service::db::{Db, Projection};
use corridor_clearance_service::verify::{
    Anchors, VerifyFailure, verify_database, verify_database_anchored,
};
use corridor_clearance_service::{Clock, Service};
use corridor_ledger::{ChainFault, LogEntry, StoredEntry};

async fn seeded(db: Db, keys_dir: &std::path::Path) -> Vec<StoredEntry> {
    let s = Service::with_db(
        db.clone(),
        CorridorConfig::bsgi().unwrap(),
        Clock::manual(t("2022-10-20T08:00:00Z")),
    )
    .await
    .unwrap();
    corridor_clearance_service::seed::seed_service(&s, keys_dir)
        .await
        .unwrap();
    verify_database(&db, Some(&CorridorConfig::bsgi().unwrap()))
        .await
        .unwrap();
    db.log_rows().await.unwrap()
}

async fn drop_triggers(db: &Db) {
    if db.is_postgres() {
        db.execute_raw("DROP TRIGGER clearance_log_no_change ON clearance_log")
            .await
            .unwrap();
    } else {
        db.execute_raw("DROP TRIGGER clearance_log_no_update")
            .await
            .unwrap();
        db.execute_raw("DROP TRIGGER clearance_log_no_delete")
            .await
            .unwrap();
    }
}

async fn restore(db: &Db, rows: &[StoredEntry]) {
    db.execute_raw("DELETE FROM clearance_log").await.unwrap();
    for r in rows {
        db.append(r, &Projection::default()).await.unwrap();
    }
    verify_database(db, None).await.unwrap();
}

/// The position verification names, and its fault.
async fn failure(db: &Db) -> (usize, ChainFault) {
    match verify_database(db, None).await {
        Err(VerifyFailure::Chain(e)) => (e.index, e.fault),
        other => panic!("expected a chain failure, got {other:?}"),
    }
}

fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

async fn insert_row(db: &Db, r: &StoredEntry) {
    let sig = r.signature.as_deref().map_or("NULL".to_string(), sql_text);
    db.execute_raw(&format!(
        "INSERT INTO clearance_log (seq, prev_hash, actor, time, event, signature, entry_hash) VALUES ({}, {}, {}, {}, {}, {}, {})",
        r.seq,
        sql_text(&r.prev_hash),
        sql_text(&r.actor),
        sql_text(&r.time),
        sql_text(&r.event),
        sig,
        sql_text(&r.entry_hash)
    ))
    .await
    .unwrap();
}

async fn tamper_suite(db: Db) {
    let keys_dir = tempfile::tempdir().unwrap();
    let rows = seeded(db.clone(), keys_dir.path()).await;
    assert!(rows.len() > 60, "{}", rows.len());
    let signed = rows.iter().position(|r| r.signature.is_some()).unwrap();
    let k = 10;

    // The database itself refuses changes while the triggers are in place.
    assert!(
        db.execute_raw("UPDATE clearance_log SET actor = 'x' WHERE seq = 3")
            .await
            .is_err()
    );
    assert!(
        db.execute_raw("DELETE FROM clearance_log WHERE seq = 3")
            .await
            .is_err()
    );
    drop_triggers(&db).await;

    // Change a field.
    db.execute_raw(&format!(
        "UPDATE clearance_log SET actor = 'user:mallory' WHERE seq = {k}"
    ))
    .await
    .unwrap();
    let (i, fault) = failure(&db).await;
    assert_eq!(i, k);
    assert!(matches!(fault, ChainFault::BadEntryHash { .. }), "{fault}");
    restore(&db, &rows).await;

    // Ledger review (2026-11-30), finding 7: the same meaning in other bytes
    // (upper-case hex, white space, keys reordered) passed; each is named.
    for (set, field) in [
        ("prev_hash = UPPER(prev_hash)", "prev_hash"),
        ("entry_hash = UPPER(entry_hash)", "entry_hash"),
        ("event = ' ' || event", "event"),
    ] {
        db.execute_raw(&format!("UPDATE clearance_log SET {set} WHERE seq = {k}"))
            .await
            .unwrap();
        let (i, fault) = failure(&db).await;
        assert_eq!(i, k, "{field}");
        assert!(
            matches!(fault, ChainFault::NotCanonical { field: f } if f == field),
            "{field}: {fault}"
        );
        restore(&db, &rows).await;
    }
    let sig = rows[signed].signature.clone().unwrap();
    let spaced = sig.replacen(",", ", ", 1).replace('\'', "''");
    db.execute_raw(&format!(
        "UPDATE clearance_log SET signature = '{spaced}' WHERE seq = {signed}"
    ))
    .await
    .unwrap();
    let (i, fault) = failure(&db).await;
    assert_eq!(i, signed);
    assert!(
        matches!(fault, ChainFault::NotCanonical { field: "signature" }),
        "{fault}"
    );
    restore(&db, &rows).await;

    // Change a signed decision's event (approve -> the same with another time) and its hash, so only the signature is wrong.
    let mut e = rows[signed].to_entry().unwrap();
    let time = e.event["decision"]["time"].as_str().unwrap().to_string();
    let later = corridor_ledger::time::format(
        t(&time)
            .checked_add(jiff::SignedDuration::from_secs(1))
            .unwrap(),
    );
    e.event["decision"]["time"] = serde_json::Value::String(later);
    e.entry_hash = e.recompute_hash().unwrap();
    let forged = StoredEntry::from_entry(&e).unwrap();
    db.execute_raw(&format!(
        "UPDATE clearance_log SET event = {}, entry_hash = {} WHERE seq = {signed}",
        sql_text(&forged.event),
        sql_text(&forged.entry_hash)
    ))
    .await
    .unwrap();
    let (i, fault) = failure(&db).await;
    assert_eq!(i, signed);
    assert!(matches!(fault, ChainFault::BadSignature(_)), "{fault}");
    restore(&db, &rows).await;

    // Corrupt a field into something that does not decode.
    db.execute_raw(&format!(
        "UPDATE clearance_log SET event = '{{not json' WHERE seq = {k}"
    ))
    .await
    .unwrap();
    let (i, fault) = failure(&db).await;
    assert_eq!(i, k);
    assert!(
        matches!(fault, ChainFault::Undecodable { field: "event", .. }),
        "{fault}"
    );
    restore(&db, &rows).await;

    // Delete a row.
    db.execute_raw(&format!("DELETE FROM clearance_log WHERE seq = {k}"))
        .await
        .unwrap();
    let (i, fault) = failure(&db).await;
    assert_eq!(i, k);
    assert!(
        matches!(fault, ChainFault::SequenceGap { expected, found } if expected == k as u64 && found == k as u64 + 1),
        "{fault}"
    );
    restore(&db, &rows).await;

    // Insert a row (shifting the rest up, as a careful forger would).
    db.execute_raw(&format!(
        "UPDATE clearance_log SET seq = seq + 1000000 WHERE seq >= {k}"
    ))
    .await
    .unwrap();
    db.execute_raw("UPDATE clearance_log SET seq = seq - 999999 WHERE seq >= 1000000")
        .await
        .unwrap();
    let prev = rows[k - 1].to_entry().unwrap();
    let inserted = LogEntry::next(
        Some(&prev),
        "user:mallory",
        prev.time,
        serde_json::json!({"type": "corridor_resumed"}),
        None,
    )
    .unwrap();
    insert_row(&db, &StoredEntry::from_entry(&inserted).unwrap()).await;
    let (i, fault) = failure(&db).await;
    // The inserted entry itself links correctly; the entry after it no longer does.
    assert_eq!(i, k + 1);
    assert!(matches!(fault, ChainFault::BadPrevHash { .. }), "{fault}");
    restore(&db, &rows).await;

    // Reorder two rows.
    db.execute_raw(&format!(
        "UPDATE clearance_log SET seq = -1 WHERE seq = {k}"
    ))
    .await
    .unwrap();
    db.execute_raw(&format!(
        "UPDATE clearance_log SET seq = {k} WHERE seq = {}",
        k + 1
    ))
    .await
    .unwrap();
    db.execute_raw(&format!(
        "UPDATE clearance_log SET seq = {} WHERE seq = -1",
        k + 1
    ))
    .await
    .unwrap();
    let (i, fault) = failure(&db).await;
    assert_eq!(i, k);
    assert!(matches!(fault, ChainFault::BadPrevHash { .. }), "{fault}");
    restore(&db, &rows).await;

    // Rewrite the whole tail from k consistently (every hash recomputed): the
    // chain checks, but the signed checkpoint the seed kept does not.
    let mut prev = rows[k - 1].to_entry().unwrap();
    db.execute_raw(&format!("DELETE FROM clearance_log WHERE seq >= {k}"))
        .await
        .unwrap();
    for (j, r) in rows[k..].iter().enumerate() {
        let e = r.to_entry().unwrap();
        let actor = if j == 0 {
            "user:mallory".to_string()
        } else {
            e.actor.clone()
        };
        let next = LogEntry::next(
            Some(&prev),
            &actor,
            e.time,
            e.event.clone(),
            e.signature.clone(),
        )
        .unwrap();
        insert_row(&db, &StoredEntry::from_entry(&next).unwrap()).await;
        prev = next;
    }
    match verify_database(&db, None).await {
        Err(VerifyFailure::Checkpoint { message, .. }) => {
            assert!(message.contains("rewritten"), "{message}")
        }
        other => panic!("expected a checkpoint failure, got {other:?}"),
    }
    restore(&db, &rows).await;

    // Truncating the tail is caught by the checkpoint too.
    db.execute_raw(&format!(
        "DELETE FROM clearance_log WHERE seq >= {}",
        rows.len() - 2
    ))
    .await
    .unwrap();
    match verify_database(&db, None).await {
        Err(VerifyFailure::Checkpoint { message, .. }) => {
            assert!(message.contains("deleted"), "{message}")
        }
        other => panic!("expected a checkpoint failure, got {other:?}"),
    }
    restore(&db, &rows).await;

    // A stored document's bytes changed: the file no longer hashes to the
    // SHA-256 the log names (it once verified as intact, and was served).
    let blob = |bytes: &[u8]| {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        if db.is_postgres() {
            format!("'\\x{hex}'::bytea")
        } else {
            format!("X'{hex}'")
        }
    };
    let (app, sha) = db.document_keys().await.unwrap().remove(0);
    let original = db.document(&app, &sha).await.unwrap().unwrap().content;
    let set = |bytes: &[u8]| {
        format!(
            "UPDATE clearance_documents SET content = {} WHERE application_id = '{app}' AND sha256 = '{sha}'",
            blob(bytes)
        )
    };
    db.execute_raw(&set(b"%PDF-1.4\nEVIL")).await.unwrap();
    match verify_database(&db, None).await {
        Err(VerifyFailure::Document(m)) => {
            assert!(m.contains("altered") && m.contains(&sha), "{m}")
        }
        other => panic!("expected a document failure, got {other:?}"),
    }
    db.execute_raw(&set(&original)).await.unwrap();
    let config = CorridorConfig::bsgi().unwrap();
    verify_database(&db, Some(&config)).await.unwrap();

    // The applications table edited behind the log's back: a rejection
    // turned into an approval, then a row deleted.
    db.execute_raw(
        "UPDATE clearance_applications SET status = 'approved' WHERE status = 'rejected'",
    )
    .await
    .unwrap();
    match verify_database(&db, Some(&config)).await {
        Err(VerifyFailure::Projection(m)) => {
            assert!(
                m.contains("status is \"approved\" but the log gives \"rejected\""),
                "{m}"
            )
        }
        other => panic!("expected a projection failure, got {other:?}"),
    }
    db.execute_raw("DELETE FROM clearance_applications WHERE status = 'approved'")
        .await
        .unwrap();
    match verify_database(&db, Some(&config)).await {
        Err(VerifyFailure::Projection(m)) => {
            assert!(m.contains("is in the log but not in the table"), "{m}")
        }
        other => panic!("expected a projection failure, got {other:?}"),
    }

    // A key row changed behind the log's back.
    db.execute_raw("UPDATE clearance_party_keys SET public_key = 'AAAA' WHERE party = 'UA'")
        .await
        .unwrap();
    assert!(matches!(
        verify_database(&db, None).await,
        Err(VerifyFailure::Keys(_))
    ));
    db.close().await;
}

#[tokio::test]
async fn tampering_is_caught_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = corridor_clearance_service::db::open(&format!(
        "sqlite://{}",
        dir.path().join("t.db").display()
    ))
    .await
    .unwrap();
    tamper_suite(db).await;
}

#[tokio::test]
async fn tampering_is_caught_on_postgres() {
    if let Some(db) = pg_db("tamper").await {
        tamper_suite(db).await;
    }
}

/// Finding 3 of the 2026-11-29 server review: when a client hung up while
/// its request's append was committing, the entry was stored but the
/// service's memory never took it, so the next write collided with it
/// (409) and the process kept showing the old state. The append and the
/// state change now run on a task of their own. Requests are dropped here
/// at a hundred points from the start to past the end of a whole request;
/// after each, memory and the stored log hold the same entries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_dropped_mid_append_leaves_memory_and_the_log_in_step() {
    let (_dir, s, app) = served("2022-10-03T06:00:00Z").await;
    let agent = login(&app, "agent-a").await;
    // Three companies take turns: one alone would reach the open-draft limit.
    let agents = [
        agent.clone(),
        login(&app, "agent-b").await,
        login(&app, "agent-c").await,
    ];
    let eta = t("2022-10-10T06:00:00Z");
    let body = |k: u32| {
        let imo = format!(
            "{}{}",
            940_000 + k,
            corridor_domain::Imo::check_digit(940_000 + k)
        );
        serde_json::json!({ "content": content(eta, &imo) })
    };
    // How many turns one whole request takes here.
    let whole = {
        let turns = std::cell::Cell::new(0u32);
        let counting = async {
            loop {
                turns.set(turns.get() + 1);
                tokio::task::yield_now().await;
            }
        };
        let b = body(0);
        tokio::select! {
            biased;
            () = counting => unreachable!(),
            (st, _) = call(&app, "POST", "/applications", Some(&agent), Some(&b)) => assert!(st.is_success()),
        }
        turns.get()
    };
    let (mut dropped, mut completed) = (0, 0);
    // A hundred drop points spread evenly over 1.25 whole requests.
    for i in 1..=100u32 {
        let k = (u64::from(whole) * u64::from(i) / 80).max(1) as u32;
        let b = body(i);
        let request = call(
            &app,
            "POST",
            "/applications",
            Some(&agents[i as usize % 3]),
            Some(&b),
        );
        let turns = async {
            for _ in 0..k {
                tokio::task::yield_now().await;
            }
        };
        tokio::select! {
            biased;
            () = turns => dropped += 1,
            (st, _) = request => {
                assert!(st.is_success(), "{st}");
                completed += 1;
            }
        }
        // (Memory first: its lock waits for an append still committing.)
        let in_memory = s.entries().await.len();
        let stored = s.db().log_rows().await.unwrap().len();
        assert_eq!(
            in_memory, stored,
            "request dropped after {k} of about {whole} turns"
        );
    }
    assert!(
        dropped > 0 && completed > 0,
        "dropped {dropped}, completed {completed}"
    );
}

/// Ledger review (2026-11-30), finding 1: whoever can write to the database
/// holds the log key too, so a log cut short with its later checkpoints
/// deleted passes the database's own checks. A checkpoint a party kept from
/// before, and the log key as published, catch it.
async fn held_checkpoint_suite(db: Db) {
    let keys = tempfile::tempdir().unwrap();
    let rows = seeded(db.clone(), keys.path()).await;
    let stored = db.checkpoints().await.unwrap();
    let held = stored.last().expect("a checkpoint").to_signed().unwrap();
    assert_eq!(held.size as usize, rows.len());
    let log_key =
        corridor_ledger::PublicKey::from_text(&db.log_public_key().await.unwrap().unwrap())
            .unwrap();
    // A receipt for the last entry, as a decision's answer gives one.
    let last_entry = rows.last().unwrap().to_entry().unwrap();
    let anchors = Anchors {
        checkpoints: vec![held.clone()],
        log_key: Some(log_key),
        receipts: vec![(last_entry.seq, last_entry.entry_hash)],
    };
    let config = CorridorConfig::bsgi().unwrap();
    let report = verify_database_anchored(&db, Some(&config), &anchors)
        .await
        .unwrap();
    assert_eq!(report.held_checkpoints, 1);
    // The last entry deleted, and every checkpoint that covered it.
    drop_triggers(&db).await;
    let last = rows.len() - 1;
    db.execute_raw(&format!("DELETE FROM clearance_log WHERE seq >= {last}"))
        .await
        .unwrap();
    db.execute_raw(&format!(
        "DELETE FROM clearance_checkpoints WHERE size > {last}"
    ))
    .await
    .unwrap();
    verify_database(&db, None)
        .await
        .expect("the database alone cannot tell");
    match verify_database_anchored(&db, None, &anchors).await {
        Err(VerifyFailure::Held { size, message }) => {
            assert_eq!(size as usize, rows.len());
            assert!(message.contains("deleted"), "{message}");
        }
        other => panic!("expected a held-checkpoint failure, got {other:?}"),
    }
    // A decision's receipt alone names its entry, deleted since.
    let only_receipt = Anchors {
        checkpoints: Vec::new(),
        log_key: None,
        receipts: vec![(last_entry.seq, last_entry.entry_hash)],
    };
    match verify_database_anchored(&db, None, &only_receipt).await {
        Err(VerifyFailure::Held { message, .. }) => {
            assert!(message.contains("it was deleted"), "{message}")
        }
        other => panic!("expected a receipt's entry missing, got {other:?}"),
    }
    // A log key other than the published one: the log was re-keyed.
    let other = corridor_ledger::SecretKey::from_seed(&[9; 32]).public_key();
    let rekeyed = Anchors {
        checkpoints: Vec::new(),
        log_key: Some(other),
        receipts: Vec::new(),
    };
    match verify_database_anchored(&db, None, &rekeyed).await {
        Err(VerifyFailure::Held { message, .. }) => {
            assert!(message.contains("re-keyed"), "{message}")
        }
        other => panic!("expected a re-keyed log, got {other:?}"),
    }
    db.close().await;
}

#[tokio::test]
async fn a_held_checkpoint_catches_a_log_cut_short_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = corridor_clearance_service::db::open(&format!(
        "sqlite://{}",
        dir.path().join("t.db").display()
    ))
    .await
    .unwrap();
    held_checkpoint_suite(db).await;
}

#[tokio::test]
async fn a_held_checkpoint_catches_a_log_cut_short_on_postgres() {
    if let Some(db) = pg_db("held").await {
        held_checkpoint_suite(db).await;
    }
}
