//! Runs every RFC 6962 test vector in `/work/shared/data/merkle/testdata`
//! (from transparency-dev/merkle): valid proofs must verify, corrupted ones
//! must fail. The directory can be overridden with `CORRIDOR_MERKLE_VECTORS`.

use corridor_ledger::hash::Hash;
use corridor_ledger::merkle;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn vectors_dir() -> Option<PathBuf> {
    if let Ok(d) = std::env::var("CORRIDOR_MERKLE_VECTORS") {
        return Some(PathBuf::from(d));
    }
    // /work/main/crates/corridor-ledger -> ../../../shared/data/merkle/testdata (the repo's sibling `shared`).
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = manifest
        .canonicalize()
        .unwrap_or_else(|_| manifest.to_path_buf());
    for base in manifest.ancestors() {
        let cand = base.join("shared/data/merkle/testdata");
        if cand.is_dir() {
            return Some(cand);
        }
    }
    None
}

/// A root field decoded from base64. A value that is not 32 bytes cannot be
/// a SHA-256 hash: it is mapped to a sentinel (a hash of its
/// text) that no tree produces, so it fails wherever it is compared and is
/// ignored where the algorithm does not look at it, as in the reference
/// implementation.
fn hash_field(v: &Value, name: &str) -> Hash {
    let raw = v[name].as_str().unwrap_or("");
    Hash::from_base64(raw).unwrap_or_else(|_| Hash::of(format!("malformed root {raw}").as_bytes()))
}

/// The leaf hash, or `None` when it is not 32 bytes (refused before hashing).
fn leaf_field(v: &Value) -> Option<Hash> {
    v["leafHash"]
        .as_str()
        .and_then(|s| Hash::from_base64(s).ok())
}

/// The proof, or `None` when one of its entries is not a 32-byte hash (a
/// malformed proof, which a verifier refuses before hashing).
fn proof_field(v: &Value) -> Option<Vec<Hash>> {
    match v {
        Value::Null => Some(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().and_then(|s| Hash::from_base64(s).ok()))
            .collect(),
        _ => None,
    }
}

fn u(v: &Value, k: &str) -> u64 {
    v[k].as_u64().unwrap_or_else(|| panic!("field {k} missing"))
}

/// Runs one vector file of the given kind; returns (passed, description).
fn check(kind: &str, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let want_err = v["wantErr"].as_bool().unwrap_or(false);
    let leaf = leaf_field(&v);
    let needs_leaf = kind.ends_with("inclusion");
    let result: Result<(), String> = match proof_field(&v["proof"]) {
        None => Err("malformed proof entry".into()),
        Some(_) if needs_leaf && leaf.is_none() => Err("malformed leaf hash".into()),
        Some(proof) => {
            let leaf = leaf.unwrap_or_default();
            let r = match kind {
                "inclusion" => merkle::verify_inclusion(
                    u(&v, "leafIdx"),
                    u(&v, "treeSize"),
                    &leaf,
                    &proof,
                    &hash_field(&v, "root"),
                ),
                "consistency" => merkle::verify_consistency(
                    u(&v, "size1"),
                    u(&v, "size2"),
                    &proof,
                    &hash_field(&v, "root1"),
                    &hash_field(&v, "root2"),
                ),
                "subtreeinclusion" => merkle::verify_subtree_inclusion(
                    u(&v, "leafIdx"),
                    u(&v, "start"),
                    u(&v, "end"),
                    &leaf,
                    &proof,
                    &hash_field(&v, "root"),
                ),
                "subtreeconsistency" => merkle::verify_subtree_consistency(
                    u(&v, "start"),
                    u(&v, "end"),
                    u(&v, "size"),
                    &proof,
                    &hash_field(&v, "root1"),
                    &hash_field(&v, "root2"),
                ),
                other => panic!("unknown kind {other}"),
            };
            r.map_err(|e| e.to_string())
        }
    };
    match (want_err, result) {
        (false, Ok(())) | (true, Err(_)) => Ok(()),
        (false, Err(e)) => Err(format!("valid vector rejected: {e}")),
        (true, Ok(())) => Err("corrupted vector accepted".into()),
    }
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

#[test]
fn all_rfc6962_vectors() {
    let Some(dir) = vectors_dir() else {
        if std::env::var("CORRIDOR_REQUIRE_ORACLES").as_deref() == Ok("1") {
            panic!("Merkle test vectors not found (shared/data/merkle/testdata)");
        }
        eprintln!("note: Merkle test vectors not found; skipping");
        return;
    };
    let mut failures = Vec::new();
    let mut total = 0;
    for kind in [
        "inclusion",
        "consistency",
        "subtreeinclusion",
        "subtreeconsistency",
    ] {
        let mut files = Vec::new();
        json_files(&dir.join(kind), &mut files);
        files.sort();
        assert!(!files.is_empty(), "no vectors for {kind}");
        for f in files {
            total += 1;
            if let Err(e) = check(kind, &f) {
                failures.push(format!("{}: {e}", f.display()));
            }
        }
    }
    assert_eq!(total, 518, "expected all 518 vector files");
    assert!(
        failures.is_empty(),
        "{} of {total} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
