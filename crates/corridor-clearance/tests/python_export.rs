//! The log of a played season (with a key rotation) exported in
//! `corridor-log-export-v1` and re-verified by `tools/verify_log.py`
//! (hashlib + json + PyNaCl), intact and tampered.
//!
//! Without python3 + PyNaCl the test is skipped with a note, unless
//! `CORRIDOR_REQUIRE_ORACLES=1` (CI), where it fails.

mod common;

use common::*;
use corridor_clearance::machine::*;
use corridor_ledger::*;
use jiff::ToSpan;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command as Process;

fn python() -> String {
    std::env::var("CORRIDOR_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn oracle_available() -> bool {
    let ok = Process::new(python())
        .args(["-c", "import nacl.signing"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let msg = format!(
            "{} with PyNaCl is not available (pip install -r tools/requirements.txt)",
            python()
        );
        if std::env::var("CORRIDOR_REQUIRE_ORACLES").as_deref() == Ok("1") {
            panic!("CORRIDOR_REQUIRE_ORACLES=1 but {msg}");
        }
        eprintln!("note: skipping the Python verifier test: {msg}");
    }
    ok
}

/// Runs the verifier on `export` after `tamper`; `expected` is `None` for OK
/// or a fragment of the FAIL line.
fn check(name: &str, export: &Value, tamper: impl FnOnce(&mut Value), expected: Option<&str>) {
    let mut v = export.clone();
    tamper(&mut v);
    let dir = std::env::temp_dir().join(format!(
        "corridor-clearance-pyexport-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("{}.json", name.replace(' ', "-")));
    std::fs::write(&path, serde_json::to_string_pretty(&v).expect("json")).expect("write");
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let script = manifest
        .canonicalize()
        .unwrap_or(manifest)
        .join("../../tools/verify_log.py");
    let out = Process::new(python())
        .arg(script)
        .arg(&path)
        .output()
        .expect("run verify_log.py");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    match expected {
        None => assert!(
            out.status.success() && stdout.starts_with("OK:"),
            "{name}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Some(f) => {
            assert_eq!(out.status.code(), Some(1), "{name}: {stdout}");
            assert!(stdout.contains(f), "{name}: expected {f:?} in {stdout}");
        }
    }
    let _ = std::fs::remove_file(&path);
}

#[test]
fn season_export_verifies_independently() {
    if !oracle_available() {
        return;
    }
    let start = t("2022-10-25T06:00:00Z");
    let mut w = World::new(bsgi(), start);
    let a1 = w.submitted("atlas", "9000015", start);
    let a2 = w.submitted("boreas", "9000027", start);
    for p in ["RU", "TR", "UA", "UN"] {
        w.decide(p, &a1, DecisionKind::Approve, start + 1.hours())
            .expect("approve");
    }
    w.decide("RU", &a2, hold("DOCS_MISSING"), start + 2.hours())
        .expect("hold");
    // Ukraine rotates its key; its next decision uses the new one.
    let rotation = start + 3.hours();
    let new_ua = SecretKey::from_seed(&[77; 32]);
    let old_ua = w.key("UA").clone();
    w.keys
        .rotate("UA", new_ua.public_key(), rotation)
        .expect("rotate");
    for (p, k) in w.party_keys.iter_mut() {
        if p == "UA" {
            *k = new_ua.clone();
        }
    }
    w.run(
        &coordinator(),
        Command::Suspend {
            reason_code: "PARTY_SUSPENDED".into(),
            text: "suspension".into(),
        },
        t("2022-10-29T00:00:00Z"),
    )
    .expect("suspend");
    w.run(&coordinator(), Command::Resume, t("2022-11-02T00:00:00Z"))
        .expect("resume");
    let now = t("2022-11-02T01:00:00Z");
    w.release("RU", &a2, now).expect("release");
    for p in ["UA", "TR", "UN", "RU"] {
        w.decide(p, &a2, DecisionKind::Approve, now)
            .expect("approve");
    }
    assert_eq!(w.status(&a2), Status::Approved);

    let log_key = SecretKey::from_seed(&[1; 32]);
    let origin = "corridor.example/bsgi";
    let cp = TreeHead {
        origin: origin.into(),
        size: w.log.size(),
        root: w.log.root(),
        time: now,
    }
    .sign(&log_key)
    .expect("checkpoint");
    let export = export_log(origin, &log_key.public_key(), &w.keys, w.log.entries(), &cp);
    verify_export(&export).expect("rust verifies");
    let base = serde_json::to_value(&export).expect("json");

    check("intact", &base, |_| {}, None);
    check(
        "cargo changed",
        &base,
        |v| v["entries"][0]["event"]["content"]["cargo"][0]["tonnes"] = json!(1),
        Some("position 0 (seq 0): entry_hash"),
    );
    check(
        "decision row deleted",
        &base,
        |v| {
            v["entries"].as_array_mut().expect("entries").remove(8);
        },
        Some("position 8 (seq 9): sequence number"),
    );
    // The last UA decision re-signed with the retired key (hashes recomputed, tail relinked).
    let i = w
        .log
        .entries()
        .iter()
        .rposition(|e| e.signature.as_ref().is_some_and(|s| s.party == "UA"))
        .expect("UA decision");
    check(
        "retired key",
        &base,
        |v| {
            let mut p: DecisionPayload =
                serde_json::from_value(v["entries"][i]["event"]["decision"].clone())
                    .expect("payload");
            p.key_id = old_ua.key_id();
            let s = p.sign(&old_ua).expect("sign");
            v["entries"][i]["event"]["decision"] = serde_json::to_value(&s.payload).expect("json");
            v["entries"][i]["signature"] =
                json!({"party": "UA", "key_id": old_ua.key_id(), "signature": s.signature});
            let mut prev: Option<Hash> = None;
            for e in v["entries"]
                .as_array_mut()
                .expect("entries")
                .iter_mut()
                .skip(i)
            {
                if let Some(h) = prev {
                    e["prev_hash"] = json!(h);
                }
                let le: LogEntry = serde_json::from_value(e.clone()).expect("entry");
                let h = le.recompute_hash().expect("hash");
                e["entry_hash"] = json!(h);
                prev = Some(h);
            }
        },
        Some(&format!(
            "position {i} (seq {i}): key {} was retired",
            old_ua.key_id()
        )),
    );
}
