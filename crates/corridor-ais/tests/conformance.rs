//! Conformance against the expectations shipped with other decoders
//! (../shared/data/ais, see its SOURCES.md): decode each log, compare field
//! by field (numbers with a tolerance) and require every remaining
//! difference to be listed, with its reason, in KNOWN_DIFFERENCES.md.

use std::collections::BTreeMap;
use std::path::PathBuf;

use corridor_ais::{DecodeOptions, JsonOptions, decode_stream};
use serde_json::Value;

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/ais")
        .join(rel)
}

fn decode_file(rel: &str, scaled: bool, device: Option<&str>) -> Vec<Value> {
    let bytes = std::fs::read(data(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let mut out = Vec::new();
    let opts = DecodeOptions {
        json: JsonOptions {
            scaled,
            device: device.map(str::to_string),
        },
        ..DecodeOptions::default()
    };
    decode_stream(&bytes[..], &mut out, &opts).unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{rel}: bad JSON {e}: {l}")))
        .collect()
}

fn expected(rel: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(data(rel)).unwrap();
    let mut out: Vec<Value> = Vec::new();
    let mut echoed_since_last = true;
    for l in text.lines() {
        // gpsd's daemon regression output re-reports the last AIS object after
        // interleaved GNSS sentences; keep one copy per echoed sentence.
        if l.starts_with('!') {
            echoed_since_last = true;
        }
        let Some(v) = l
            .starts_with('{')
            .then(|| serde_json::from_str::<Value>(l).ok())
            .flatten()
        else {
            continue;
        };
        if v.get("class").is_some_and(|c| c != "AIS") {
            continue;
        }
        if !echoed_since_last && out.last() == Some(&v) {
            continue;
        }
        echoed_since_last = false;
        out.push(v);
    }
    out
}

/// How a peer's JSON maps onto ours.
#[derive(Clone, Copy)]
enum Peer {
    /// gpsd: identical schema, every expected key must match.
    Gpsd,
    /// libais: gpsd-like names but its own extras and float32 values; only
    /// keys we both have are compared.
    Libais,
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (num(a), num(b)) {
        // 1e-4 covers gpsd's 6- vs 7-decimal versions and libais float32 values.
        (Some(x), Some(y)) => (x - y).abs() <= 1e-4 * x.abs().max(1.0),
        _ => {
            a == b
                || (a.is_null() && b.as_str() == Some("n/a"))
                || (b.is_null() && a.as_str() == Some("n/a"))
        }
    }
}

fn key_of(file: &str, v: &Value) -> String {
    let t = v["type"].as_u64().unwrap_or(99);
    match (v.get("dac"), v.get("fid")) {
        (Some(d), Some(f)) => format!("{file} type={t} dac={d} fid={f}"),
        _ => format!("{file} type={t}"),
    }
}

/// Compare ours with the expected objects of one file; returns difference
/// keys (`file type=… field=…`) with an example each.
fn check(file: &str, ours: &[Value], want: &[Value], peer: Peer) -> BTreeMap<String, String> {
    let mut diffs = BTreeMap::new();
    let mut cursor = 0;
    let mut matched = 0;
    for w in want {
        let found = (cursor..ours.len().min(cursor + 8))
            .find(|&i| ours[i]["type"] == w["type"] && ours[i]["mmsi"] == w["mmsi"]);
        let Some(i) = found else {
            diffs
                .entry(format!("{} missing", key_of(file, w)))
                .or_insert_with(|| w.to_string());
            continue;
        };
        // Anything we decoded in between was not output by the peer.
        for extra in &ours[cursor..i] {
            diffs
                .entry(format!("{} extra", key_of(file, extra)))
                .or_insert_with(|| extra.to_string());
        }
        cursor = i + 1;
        matched += 1;
        let o = &ours[i];
        let Some(wm) = w.as_object() else { continue };
        for (k, wv) in wm {
            if matches!(k.as_str(), "device" | "class") {
                continue;
            }
            match (o.get(k), peer) {
                (None, Peer::Libais) => {}
                (None, Peer::Gpsd) => {
                    diffs
                        .entry(format!("{} field={k}", key_of(file, w)))
                        .or_insert_with(|| format!("absent, want {wv}"));
                }
                (Some(ov), _) if !same(ov, wv) => {
                    diffs
                        .entry(format!("{} field={k}", key_of(file, w)))
                        .or_insert_with(|| format!("mmsi {} ours {ov} want {wv}", w["mmsi"]));
                }
                _ => {}
            }
        }
        if let (Peer::Gpsd, Some(om)) = (peer, o.as_object()) {
            for k in om.keys().filter(|k| !wm.contains_key(*k) && *k != "device") {
                diffs
                    .entry(format!("{} field={k} extra", key_of(file, w)))
                    .or_insert_with(|| o.to_string());
            }
        }
    }
    for extra in ours.get(cursor..).unwrap_or(&[]) {
        diffs
            .entry(format!("{} extra", key_of(file, extra)))
            .or_insert_with(|| extra.to_string());
    }
    assert!(
        matched * 10 >= want.len() * 9,
        "{file}: only {matched} of {} expected messages matched",
        want.len()
    );
    diffs
}

fn known() -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/KNOWN_DIFFERENCES.md"),
    )
    .unwrap()
}

/// Every difference key must appear (in backticks) in KNOWN_DIFFERENCES.md.
fn assert_known(diffs: &BTreeMap<String, String>) {
    let known = known();
    for k in diffs.keys() {
        println!("known difference: `{k}`");
    }
    let unexplained: Vec<_> = diffs
        .iter()
        .filter(|(k, _)| !known.contains(&format!("`{k}`")))
        .map(|(k, ex)| format!("`{k}`  e.g. {ex}"))
        .collect();
    assert!(
        unexplained.is_empty(),
        "unexplained differences:\n{}",
        unexplained.join("\n")
    );
}

#[test]
fn gpsd_sample_scaled_and_unscaled() {
    let mut diffs = BTreeMap::new();
    let ours = decode_file("gpsd/sample.aivdm", true, Some("stdin"));
    diffs.extend(check(
        "sample.aivdm.js.chk",
        &ours,
        &expected("gpsd/sample.aivdm.js.chk"),
        Peer::Gpsd,
    ));
    let ours = decode_file("gpsd/sample.aivdm", false, Some("stdin"));
    diffs.extend(check(
        "sample.aivdm.ju.chk",
        &ours,
        &expected("gpsd/sample.aivdm.ju.chk"),
        Peer::Gpsd,
    ));
    assert_known(&diffs);
}

#[test]
fn gpsd_daemon_logs() {
    let mut diffs = BTreeMap::new();
    for f in [
        "ais-18-27.log",
        "ais-nmea-type6-fid55.log",
        "ais-nmea.log",
        "ais-raw-messages.log",
        "ais_unpack_sixbit.log",
    ] {
        let ours = decode_file(&format!("gpsd/{f}"), false, None);
        diffs.extend(check(
            f,
            &ours,
            &expected(&format!("gpsd/{f}.chk")),
            Peer::Gpsd,
        ));
    }
    assert_known(&diffs);
}

#[test]
fn libais_typeexamples_and_tagblocks() {
    let mut diffs = BTreeMap::new();
    for f in ["typeexamples", "tagblock"] {
        let ours = decode_file(&format!("libais/{f}.nmea"), true, Some("stdin"));
        diffs.extend(check(
            &format!("{f}.json"),
            &ours,
            &expected(&format!("libais/{f}.json")),
            Peer::Libais,
        ));
    }
    assert_known(&diffs);
}

#[test]
fn sar_log_yields_at_least_12751_messages() {
    let bytes = std::fs::read(data("aisparser/SAR.log")).unwrap();
    let opts = DecodeOptions {
        stats_only: true,
        ..DecodeOptions::default()
    };
    let s = decode_stream(&bytes[..], std::io::sink(), &opts).unwrap();
    assert!(s.stats.messages >= 12_751, "{}", s);
    // The tag-blocked copy of the same log decodes to the same count.
    let bytes = std::fs::read(data("derived/SAR_tagblock.nmea")).unwrap();
    let t = decode_stream(&bytes[..], std::io::sink(), &opts).unwrap();
    assert_eq!(t.stats.messages, s.stats.messages, "{t}");
}

#[test]
fn every_corpus_decodes_without_unexplained_rejects() {
    // (file, minimum messages): a floor that catches regressions.
    let files = [
        ("aislib/ais250.txt", 243),
        ("aislib/replay_dump.txt", 40),
        ("aislib/small_cb_example.txt", 10),
        ("aisparser/seattle.log", 610),
        ("aisparser/tidemsg8.log", 170),
        ("aisparser/unknown.log", 6700),
        ("libais/test.aivdm", 260),
        ("pyais/nmea_data_sample.txt", 770),
        ("pyais/gatehouse.nmea", 1),
        ("pyais/mixed.txt", 1),
        ("pyais/sample.ais", 1),
        ("pyais/timestamped.ais", 1),
        ("pyais/messages.ais", 1),
        ("pyais/ais_test_messages", 1),
        ("derived/real_combined.nmea", 25_800),
    ];
    for (f, min) in files {
        let bytes = std::fs::read(data(f)).unwrap();
        let s = decode_stream(
            &bytes[..],
            std::io::sink(),
            &DecodeOptions {
                stats_only: true,
                ..DecodeOptions::default()
            },
        )
        .unwrap();
        assert!(s.stats.messages >= min, "{f}: {s}");
    }
}
