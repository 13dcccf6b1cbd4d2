//! The export served at `GET /log/export` re-verifies with
//! `tools/verify_log.py` (hashlib + PyNaCl, none of our code), and a
//! tampered export fails there too. Skipped with a note when python3 or
//! PyNaCl is missing, unless `CORRIDOR_REQUIRE_ORACLES=1`.

mod common;

use std::path::PathBuf;
use std::process::Command;

use axum::http::StatusCode;
use common::*;

fn python_with_nacl() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import nacl.signing"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var("CORRIDOR_REQUIRE_ORACLES").as_deref() == Ok("1") {
            panic!(
                "python3 with PyNaCl is required (CORRIDOR_REQUIRE_ORACLES=1): pip install -r tools/requirements.txt"
            );
        }
        eprintln!("note: skipping the tools/verify_log.py oracle: python3 with PyNaCl not found");
    }
    ok
}

#[tokio::test]
async fn the_export_verifies_with_the_python_oracle() {
    if !python_with_nacl() {
        return;
    }
    let (dir, _service, app) = seeded("2022-10-20T08:00:00Z").await;
    let token = login_as(
        &app,
        "coordinator",
        corridor_clearance_service::seed::DEMO_PASSWORD,
    )
    .await;
    let (st, export) = call(&app, "GET", "/log/export", Some(&token), None).await;
    assert_eq!(st, StatusCode::OK);

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/verify_log.py");
    let good = dir.path().join("export.json");
    std::fs::write(&good, serde_json::to_string_pretty(&export).unwrap()).unwrap();
    let out = Command::new("python3")
        .arg(&script)
        .arg(&good)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // The log key from the checkpoint route matches the export's, out of band:
    // given as base64, or (as `corridor verify` takes it; docs review,
    // 2026-11-30) a file holding that or its PEM.
    let (_, cp) = call(&app, "GET", "/log/checkpoint", None, None).await;
    let key = cp["log_key"].as_str().unwrap();
    let pem = corridor_ledger::PublicKey::from_base64(key)
        .unwrap()
        .to_spki_pem()
        .unwrap();
    let (as_text, as_pem) = (dir.path().join("log.b64"), dir.path().join("log.pub.pem"));
    std::fs::write(&as_text, format!("{key}\n")).unwrap();
    std::fs::write(&as_pem, pem).unwrap();
    for given in [key, as_text.to_str().unwrap(), as_pem.to_str().unwrap()] {
        let out = Command::new("python3")
            .arg(&script)
            .arg(&good)
            .args(["--log-key", given])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{given}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    // A mistyped file, or one that is not text: a usage error (2), said so.
    let binary = dir.path().join("log.der");
    std::fs::write(&binary, [0x30, 0x82, 0xff]).unwrap();
    for (given, says) in [
        (dir.path().join("typo.pub"), "no such file"),
        (binary, "cannot read the log key"),
    ] {
        let out = Command::new("python3")
            .arg(&script)
            .arg(&good)
            .arg("--log-key")
            .arg(&given)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{given:?}: {err}");
        assert!(err.contains(says), "{given:?}: {err}");
    }
    // Another key, as PEM: refused.
    let other = corridor_ledger::SecretKey::from_seed(&[9; 32])
        .public_key()
        .to_spki_pem()
        .unwrap();
    std::fs::write(&as_pem, other).unwrap();
    let out = Command::new("python3")
        .arg(&script)
        .arg(&good)
        .args(["--log-key", as_pem.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("not the trusted log key"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Change one entry: the oracle names it.
    let mut bad = export.clone();
    bad["entries"][12]["actor"] = serde_json::json!("user:mallory");
    let bad_path = dir.path().join("bad.json");
    std::fs::write(&bad_path, bad.to_string()).unwrap();
    let out = Command::new("python3")
        .arg(&script)
        .arg(&bad_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("FAIL") && text.contains("12"), "{text}");
}

async fn login_as(app: &axum::Router, user: &str, password: &str) -> String {
    let (st, body) = call(
        app,
        "POST",
        "/auth/login",
        None,
        Some(&serde_json::json!({"username": user, "password": password})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    body["token"].as_str().unwrap().to_string()
}
