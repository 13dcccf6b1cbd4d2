//! Key files interoperate with OpenSSL: a key made by `openssl genpkey` loads,
//! and OpenSSL derives from our PKCS#8 file the same SPKI public key we write.
//! Skipped with a note when `openssl` is not installed, unless
//! `CORRIDOR_REQUIRE_ORACLES=1` (set by `tools/test-all.sh`, which installs it).

use corridor_ledger::keys::{PublicKey, SecretKey};
use std::process::Command;

fn openssl(args: &[&str]) -> Option<String> {
    let out = Command::new("openssl").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).to_string())
}

#[test]
fn key_files_interoperate_with_openssl() {
    if openssl(&["version"]).is_none() {
        assert_ne!(
            std::env::var("CORRIDOR_REQUIRE_ORACLES").as_deref(),
            Ok("1"),
            "CORRIDOR_REQUIRE_ORACLES=1 but openssl is not installed"
        );
        eprintln!("note: openssl not installed; skipping the key-file interoperability test");
        return;
    }
    let dir = std::env::temp_dir().join(format!("corridor-ledger-openssl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let theirs = dir.join("theirs.pem");
    let theirs_path = theirs.to_string_lossy().to_string();
    openssl(&["genpkey", "-algorithm", "ed25519", "-out", &theirs_path]).expect("openssl genpkey");
    let pem = std::fs::read_to_string(&theirs).expect("read");
    let key = SecretKey::from_pkcs8_pem(&pem).expect("OpenSSL's PKCS#8 loads");
    let their_pub = openssl(&["pkey", "-in", &theirs_path, "-pubout"]).expect("openssl pkey");
    assert_eq!(
        PublicKey::from_spki_pem(&their_pub).expect("SPKI"),
        key.public_key()
    );

    let ours = dir.join("ours.pem");
    let ours_path = ours.to_string_lossy().to_string();
    let mine = SecretKey::from_seed(&[42; 32]);
    std::fs::write(&ours, mine.to_pkcs8_pem().expect("pem")).expect("write");
    let derived =
        openssl(&["pkey", "-in", &ours_path, "-pubout"]).expect("OpenSSL reads our PKCS#8");
    assert_eq!(
        derived.trim(),
        mine.public_key().to_spki_pem().expect("spki").trim()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
