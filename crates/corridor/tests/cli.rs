//! The `corridor` command as users and reviewers' scripts run it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn shared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/jcc")
        .join(name)
}

const CSV: &str = "bsgi_outbound_shipments_2023-06-14.csv";
const XLSX: &str = "hdx_black_sea_initiative_vessel_movements_2023-01-07.xlsx";

fn corridor(db: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .arg("--database")
        .arg(db)
        .args(args)
        .env_remove("CORRIDOR_DATABASE")
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `corridor ais decode FILE`, run to its end.
fn ais_decode(file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["ais", "decode"])
        .arg(file)
        .output()
        .unwrap()
}

fn stats(db: &Path, extra: &[&str]) -> serde_json::Value {
    let out = corridor(db, &[&["stats", "--json"], extra].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn import(db: &Path, file: &Path, extra: &[&str]) -> Output {
    corridor(
        db,
        &[&["import", "jcc", file.to_str().unwrap()], extra].concat(),
    )
}

#[test]
fn issue_2_csv_gives_the_published_figures() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let out = import(&db, &shared(CSV), &[]);
    assert!(out.status.success());
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("read 1120 rows (981 voyages, 1120 cargo lines); imported 981, updated 0, unchanged 0, superseded 0, rejected 0 rows"), "{summary}");
    let s = stats(&db, &[]);
    assert_eq!(
        (
            s["tonnes"].as_i64(),
            s["voyages"].as_i64(),
            s["cargo_lines"].as_i64()
        ),
        (Some(31_744_756), Some(981), Some(1120))
    );
    assert_eq!(s["wfp_tonnes"], 625_169);
    assert_eq!(s["by_port"]["Yuzhny/Pivdennyi"], 10_451_061);
    assert_eq!(
        s["by_income_group"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_i64().unwrap())
            .sum::<i64>(),
        31_744_756
    );
    assert!(s["by_month"]["2022-08"].is_number());
    let aug = stats(&db, &["--from", "2022-08-01", "--until", "2022-08-31"]);
    assert_eq!(aug["tonnes"], s["by_month"]["2022-08"]);
}

#[test]
fn issue_2_both_files_in_either_order_leave_one_record() {
    let mut results = Vec::new();
    for order in [[CSV, XLSX], [XLSX, CSV]] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("r.db");
        for f in order {
            assert!(import(&db, &shared(f), &[]).status.success());
        }
        // Again: idempotent.
        let again = import(&db, &shared(order[0]), &["--json"]);
        let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
        assert_eq!(
            (
                again["imported"].as_i64(),
                again["updated"].as_i64(),
                again["history_added"].as_i64()
            ),
            (Some(0), Some(0), Some(0))
        );
        let s = stats(&db, &[]);
        assert_eq!(
            (s["voyages"].as_i64(), s["tonnes"].as_i64()),
            (Some(981), Some(31_744_756))
        );
        results.push(s);
    }
    assert_eq!(results[0], results[1]);
}

#[test]
fn issue_2_bad_rows_are_reported_and_strict_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(shared(CSV)).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // Row 6 (line index 5): a commodity nobody trades; row 7: a bad tonnage.
    lines[5] = lines[5].replacen("Corn", "Plutonium", 1);
    lines[6] = lines[6].replacen(",\"", ",\"-", 1);
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, lines.join("\n")).unwrap();

    let strict_db = dir.path().join("strict.db");
    let out = import(&strict_db, &bad, &["--strict"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv: row 6: column \"Commodity\": unknown commodity \"Plutonium\""),
        "{err}"
    );
    assert!(
        err.contains("row 7: column \"Metric tons\": tonnage"),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    // Refused before the store is opened: not even an empty file is left.
    assert!(!strict_db.exists());

    let db = dir.path().join("lenient.db");
    let out = import(&db, &bad, &["--json"]);
    assert!(out.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["rejected_rows"], 2);
    assert_eq!(summary["imported"], 979);
}

/// Review of the import (2026-11-30), finding 4: one mistyped inspection
/// date (October for June) became the file's snapshot date without a word,
/// and an --as-of before it was refused without saying which voyage held
/// it. The warning and the refusal both name the voyage.
#[test]
fn a_snapshot_date_far_past_the_last_departure_is_traced_to_its_voyage() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(shared(CSV)).unwrap();
    let typo = text.replacen(
        "Outbound,972,SUPER MARTINELLI,9542831,Odesa,Spain,Corn,\"33,394\",7-Jun-2023,11-Jun-2023,",
        "Outbound,972,SUPER MARTINELLI,9542831,Odesa,Spain,Corn,\"33,394\",7-Jun-2023,11-Oct-2023,",
        1,
    );
    assert_ne!(typo, text);
    let file = dir.path().join("typo.csv");
    std::fs::write(&file, typo).unwrap();
    let out = import(&dir.path().join("a.db"), &file, &[]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the snapshot date is 2023-10-11, the inspection date of voyage #972, more than a month after the file's last departure (2023-06-14)"),
        "{err}"
    );
    let out = import(&dir.path().join("b.db"), &file, &["--as-of", "2023-06-14"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("(2023-10-11, the inspection date of voyage #972)"),
        "{err}"
    );
}

/// CLI review (2026-11-30), finding 5: the import left its changes in
/// `r.db-wal`, so a copy of `r.db` alone (a backup, a move) showed an
/// empty record. The store is closed before the command exits, which folds
/// the log into the file.
#[test]
fn after_an_import_the_database_file_alone_is_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    assert!(import(&db, &shared(CSV), &[]).status.success());
    let copy = dir.path().join("copy.db");
    std::fs::copy(&db, &copy).unwrap();
    assert_eq!(stats(&copy, &[])["voyages"], 981);
}

#[test]
fn unreadable_inputs_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let out = import(&db, &dir.path().join("missing.csv"), &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.csv"));
    let out = corridor(
        &db,
        &["stats", "--from", "2023-01-02", "--until", "2023-01-01"],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("--from 2023-01-02 is after --until 2023-01-01")
    );
    let out = corridor(&db, &["stats", "--from", "soon"]);
    assert!(!out.status.success());
}

#[test]
fn settings_come_from_env_and_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let env_db = dir.path().join("env.db");
    let out = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["import", "jcc", shared(CSV).to_str().unwrap()])
        .env("CORRIDOR_DATABASE", &env_db)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(env_db.exists());
    let conf = dir.path().join("c.toml");
    std::fs::write(
        &conf,
        format!("database = {:?}\n", env_db.display().to_string()),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["--config", conf.to_str().unwrap(), "stats", "--json"])
        .env_remove("CORRIDOR_DATABASE")
        .output()
        .unwrap();
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["voyages"], 981);
    std::fs::write(&conf, "databse = \"typo.db\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["--config", conf.to_str().unwrap(), "stats"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field `databse`"));
}

#[test]
fn every_command_has_help() {
    let help = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_corridor"))
            .args(args)
            .arg("--help")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let top = help(&[]);
    let commands = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.is_empty());
    // Wrapped descriptions continue on lines indented further.
    for line in commands.filter(|l| !l.starts_with("   ")) {
        let cmd = line.split_whitespace().next().unwrap();
        if cmd != "help" {
            help(&[cmd]);
        }
    }
    help(&["import", "jcc"]);
    help(&["simulate", "queue"]);
    help(&["simulate", "ais"]);
    help(&["ais", "decode"]);
}

#[test]
fn ais_decode_writes_gpsd_json() {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/ais/gpsd/sample.aivdm");
    let out = ais_decode(&sample);
    assert!(out.status.success());
    let first: serde_json::Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(first["class"], "AIS");
    assert!(first["mmsi"].is_number());
    let out = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["ais", "decode", "--stats"])
        .arg(&sample)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("messages:"));
}

#[test]
fn issue_6_queue_replay_of_the_real_season() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    assert!(import(&db, &shared(CSV), &[]).status.success());
    let capacity =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config/capacity-bsgi.toml");
    let run = |extra: &[&str]| -> Vec<serde_json::Value> {
        let out = corridor(
            &db,
            &[&["simulate", "queue", "--replay-record", "--json"], extra].concat(),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let default = run(&[]);
    assert_eq!(
        default,
        run(&["--capacity", capacity.to_str().unwrap()]),
        "the default capacity is the season's file"
    );
    // --capacity is read: the season with 2 teams where it had 4 waits longer.
    let text = std::fs::read_to_string(&capacity).unwrap();
    assert!(text.contains("\nteams = 4\n"));
    let fewer = dir.path().join("fewer-teams.toml");
    std::fs::write(&fewer, text.replace("\nteams = 4\n", "\nteams = 2\n")).unwrap();
    let thin = run(&["--capacity", fewer.to_str().unwrap()]);
    let worst_wait = |ms: &[serde_json::Value]| {
        ms.iter()
            .filter_map(|m| m["median_wait_days"].as_f64())
            .fold(0.0, f64::max)
    };
    assert!(
        worst_wait(&thin) > worst_wait(&default),
        "{} vs {}",
        worst_wait(&thin),
        worst_wait(&default)
    );
    for m in &default {
        for key in [
            "month",
            "outbound_inspections",
            "median_wait_days",
            "max_queue",
        ] {
            assert!(
                !m[key].is_null() || key == "median_wait_days",
                "{key} in {m}"
            );
        }
        // Within 3 days of the real median wherever the record has inspection dates.
        if let (Some(sim), Some(real)) = (
            m["median_wait_days"].as_f64(),
            m["real_median_wait_days"].as_f64(),
        ) {
            assert!((sim - real).abs() <= 3.0, "{m}");
        }
    }
    let total = |ms: &[serde_json::Value]| {
        ms.iter()
            .map(|m| m["outbound_inspections"].as_u64().unwrap())
            .sum::<u64>()
    };
    assert!(total(&default) >= 950);
    // Capping inspections at 6 a day makes the queue far longer.
    let capped = run(&["--what-if", "daily-cap=6"]);
    let max_q = |ms: &[serde_json::Value]| {
        ms.iter()
            .map(|m| m["max_queue"].as_u64().unwrap())
            .max()
            .unwrap()
    };
    assert!(max_q(&capped) > 2 * max_q(&default));
    // Interface check (session 19): the capped season ran on through
    // years of empty months once the schedule ended, and the vessels it
    // never inspected were in no figure. The run ends with the schedule
    // (17 Jul 2023); they are counted by month of departure.
    assert_eq!(capped.last().unwrap()["month"], "2023-07");
    // A period with no team never works, so it does not keep the run going.
    let idle = run(&["--what-if", "daily-cap=6,teams-from=2023-08-01:0"]);
    assert_eq!(idle.last().unwrap()["month"], "2023-07");
    let never = |ms: &[serde_json::Value]| {
        ms.iter()
            .map(|m| m["not_inspected"].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(never(&default), 0);
    assert_eq!(never(&capped) + total(&capped), 981, "each voyage once");
    assert!(never(&capped) > 0);
    // Day by day on request.
    let days = run(&["--per-day"]);
    assert_eq!(days.first().unwrap()["day"], "2022-08-03", "{}", days[0]);
    for key in [
        "teams",
        "capacity",
        "outbound_inspections",
        "queue",
        "idle_team_hours",
    ] {
        assert!(days.iter().all(|d| d[key].is_number()), "{key}");
    }
    assert_eq!(
        days.iter()
            .map(|d| d["outbound_inspections"].as_u64().unwrap())
            .sum::<u64>(),
        total(&default)
    );
    // A schedule without a period is refused, not run with nobody working.
    let empty = dir.path().join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    let refused = corridor(
        &db,
        &[
            "simulate",
            "queue",
            "--replay-record",
            "--capacity",
            empty.to_str().unwrap(),
        ],
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no [[period]]"));
    // Unless a what-if gives it teams.
    let given = run(&[
        "--capacity",
        empty.to_str().unwrap(),
        "--what-if",
        "teams-from=2022-08-01:3",
    ]);
    assert!(total(&given) >= 950);
    let bad = corridor(
        &db,
        &[
            "simulate",
            "queue",
            "--replay-record",
            "--what-if",
            "teams-from=tomorrow:5",
        ],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("bad date \"tomorrow\""));
}

/// `GET path` on `port` over a plain socket: the status and the JSON body.
fn get(port: u16, path: &str) -> Option<(u16, serde_json::Value)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw);
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        // One JSON document in chunks: drop the chunk-size lines.
        let mut out = String::new();
        let mut rest = body;
        while let Some((size, tail)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).ok()?;
            if n == 0 {
                break;
            }
            out.push_str(tail.get(..n)?);
            rest = tail.get(n + 2..)?;
        }
        out
    } else {
        body.to_string()
    };
    Some((status, serde_json::from_str(&body).ok()?))
}

/// A loopback port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `corridor --database db ARGS` (a `serve` on `port`), once it answers
/// `/healthz`; killed, and the test failed, if it never does.
fn serve_until_up(db: &Path, args: &[&str], port: u16) -> std::process::Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .arg("--database")
        .arg(db)
        .args(args)
        .env_remove("CORRIDOR_DATABASE")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..120 {
        if get(port, "/healthz").is_some() || get(port, "/api/v1/stats").is_some() {
            return child;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

/// The main job, as README starts it: the real record, a clearance season
/// that ends today, and a live feed whose times never run ahead of the
/// clock; no error in its log. (The demo once logged "database is locked"
/// at every start, dated alerts tomorrow, and showed vessels waiting since
/// 2022 next to 2026 predictions.)
#[test]
fn the_demo_serves_a_coherent_present() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("demo.log")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["demo", "--listen", &format!("127.0.0.1:{port}"), "--dir"])
        .arg(dir.path().join("store"))
        // Open finding 39: the demo's store is its own, and it says so.
        .env("CORRIDOR_DATABASE", dir.path().join("elsewhere.db"))
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let kill = |child: &mut std::process::Child| {
        let _ = child.kill();
        let _ = child.wait();
    };
    let until = |secs: u64, mut f: Box<dyn FnMut() -> bool + '_>| {
        let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        while std::time::Instant::now() < end {
            if f() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
        false
    };
    let up = until(
        180,
        Box::new(|| get(port, "/api/v1/stats").is_some_and(|(st, _)| st == 200)),
    );
    if !up {
        kill(&mut child);
        panic!(
            "the demo did not serve within 180 s:\n{}",
            std::fs::read_to_string(dir.path().join("demo.log")).unwrap_or_default()
        );
    }
    let (_, stats) = get(port, "/api/v1/stats").unwrap();
    assert_eq!(stats["voyages"], 981);
    // Open finding 38: one OpenAPI document for the record, live tracking
    // and clearance, with the clearance API's sign-in scheme.
    let (_, doc) = get(port, "/api/v1/openapi.json").unwrap();
    for path in [
        "/api/v1/voyages",
        "/api/v1/vessels/{imo}",
        "/api/v1/vessels/live",
        "/api/v1/alerts",
        "/api/v1/applications",
        "/api/v1/queue",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} is not in the document"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // From a review of the open data (session 27): two operations shared
    // the id `export`; OpenAPI asks each to be unique (client generators
    // clash on it).
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|ops| ops.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "operation ids repeated: {ids:?}");
    // Live traffic arrives over the simulated feed.
    let moving = until(
        120,
        Box::new(|| {
            get(port, "/api/v1/vessels/live").is_some_and(|(_, v)| v["count"].as_u64() > Some(0))
        }),
    );
    // Tracking sees a waiting vessel of the feed reach the inspection
    // area, and the queue counts its place from then.
    let seen = until(
        90,
        Box::new(|| {
            get(port, "/api/v1/queue").is_some_and(|(_, q)| {
                q["entries"]
                    .as_array()
                    .is_some_and(|es| es.iter().any(|e| e["arrival"] == "seen"))
            })
        }),
    );
    let now = jiff::Timestamp::now();
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let (_, queue) = get(port, "/api/v1/queue").unwrap();
    let (_, alerts) = get(port, "/api/v1/alerts").unwrap();
    kill(&mut child);
    let log = std::fs::read_to_string(dir.path().join("demo.log")).unwrap();
    assert!(moving, "no live vessel within 120 s:\n{log}");
    assert!(
        seen,
        "no arrival seen by AIS in the queue within 90 s:\n{log}"
    );
    let entries = queue["entries"].as_array().unwrap();
    assert!(entries.len() >= 4, "{queue}");
    let month_ago = today.checked_sub(jiff::Span::new().days(30)).unwrap();
    for e in entries {
        let since: jiff::civil::Date = e["waiting_since"].as_str().unwrap().parse().unwrap();
        let predicted: jiff::civil::Date = e["predicted"].as_str().unwrap().parse().unwrap();
        // Waiting since arrival at the area (in days, not years), or due there.
        assert!(since >= month_ago, "{e}");
        assert!(predicted > today && predicted >= since, "{e}");
    }
    for a in alerts["items"].as_array().unwrap() {
        let start: jiff::Timestamp = a["start"].as_str().unwrap().parse().unwrap();
        assert!(start <= now, "an alert from the future: {a}");
    }
    for line in log.lines() {
        assert!(
            !line.contains("ERROR") && !line.contains("panicked"),
            "{line}\n{log}"
        );
    }
    assert!(
        log.contains("elsewhere.db is not used"),
        "the ignored database is not named:\n{log}"
    );
    assert!(!dir.path().join("elsewhere.db").exists());
}

/// A command that only reads refuses a database that is not there, and
/// leaves nothing behind; a URL that cannot name a database says so, once.
/// (A mistyped path once printed "0 t in 0 voyages" and created the file;
/// errors repeated their cause three times.)
#[test]
fn read_only_commands_refuse_a_missing_database() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo.db");
    for args in [&["stats"][..], &["stats", "--json"], &["verify"]] {
        let out = corridor(&missing, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            err.contains(&format!("no database at {}", missing.display())),
            "{err}"
        );
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "files were created"
    );
    let out = corridor(Path::new("mysql://u:pw@db/record"), &["stats"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mysql:// databases are not supported"),
        "{err}"
    );
    assert!(!err.contains("pw@"), "a password shown: {err}");
    // An operator review (session 21): a URL pasted with a space before it.
    let out = corridor(Path::new(" postgres://u:pw@db/record"), &["stats"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("spaces around it"), "{err}");
    assert!(!err.contains("pw@"), "a password shown: {err}");
    let out = corridor(
        &dir.path().join("no/such/dir/x.db"),
        &["import", "jcc", shared(CSV).to_str().unwrap()],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(
        err.matches("unable to open database file").count(),
        1,
        "{err}"
    );
}

/// Open finding 31: a command that only reads gave any SQLite file it was
/// pointed at corridor's tables (an empty file, a text file's neighbour,
/// another program's database) and reported an empty record. It now looks
/// first and changes nothing.
#[test]
fn read_only_commands_refuse_a_database_that_is_not_corridors() {
    let dir = tempfile::tempdir().unwrap();
    let check = |db: &Path, args: &[&str], says: &str| {
        let before = std::fs::read(db).unwrap();
        let out = corridor(db, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} on {}: {err}", db.display());
        assert!(err.contains(says), "{args:?}: {err}");
        assert_eq!(
            std::fs::read(db).unwrap(),
            before,
            "{args:?} changed {}",
            db.display()
        );
    };
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "these are notes, not a database\n".repeat(200)).unwrap();
    for args in [
        &["stats", "--json"][..],
        &["verify"],
        &["simulate", "queue", "--replay-record"],
    ] {
        check(&empty, args, "is an empty database, not a corridor record");
        check(&text, args, "file is not a database");
    }
    let feed = dir.path().join("feed.nmea");
    std::fs::write(&feed, "").unwrap();
    let alerts = dir.path().join("alerts.jsonl");
    check(
        &empty,
        &[
            "track",
            feed.to_str().unwrap(),
            "--alerts",
            alerts.to_str().unwrap(),
        ],
        "is an empty database",
    );
    // With no database, `track` is told where its vessels can come from.
    let out = corridor(
        &dir.path().join("missing.db"),
        &[
            "track",
            feed.to_str().unwrap(),
            "--alerts",
            alerts.to_str().unwrap(),
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--registry FILE"), "{err}");
    // A record with no clearance log: nothing to verify, and it says so.
    let record = dir.path().join("record.db");
    assert!(import(&record, &shared(CSV), &[]).status.success());
    check(&record, &["verify"], "holds no clearance log");
    assert_eq!(stats(&record, &[])["voyages"], 981);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        4,
        "no other file was made"
    );
}

/// Open finding 30: `seed demo` created its users before it found that the
/// keys folder could not be written, leaving a store that could not be
/// seeded again; and it overwrote the party keys another store had logged.
#[test]
fn seed_demo_checks_its_keys_folder_before_writing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clearance.db");
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let keys_in_file = blocker.join("keys");
    let out = corridor(
        &db,
        &["seed", "demo", "--keys-dir", keys_in_file.to_str().unwrap()],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("cannot create the keys folder"), "{err}");
    assert!(err.contains("nothing was seeded"), "{err}");
    // The same store seeds now.
    let keys = dir.path().join("keys");
    let out = corridor(&db, &["seed", "demo", "--keys-dir", keys.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let held = std::fs::read(keys.join("RU.key.pem")).unwrap();
    // Another store seeded into the same folder would overwrite them.
    let other = dir.path().join("other.db");
    let out = corridor(
        &other,
        &["seed", "demo", "--keys-dir", keys.to_str().unwrap()],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("RU.key.pem already exists"), "{err}");
    assert_eq!(
        std::fs::read(keys.join("RU.key.pem")).unwrap(),
        held,
        "a held key was overwritten"
    );
    let fresh = dir.path().join("other-keys");
    // A check file left by a crash does not block the folder.
    std::fs::create_dir(&fresh).unwrap();
    std::fs::write(fresh.join(".corridor-seed-check"), "").unwrap();
    let out = corridor(
        &other,
        &["seed", "demo", "--keys-dir", fresh.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Open finding 33: a mistyped --log-key file was called "not a public key".
    let typo = dir.path().join("keys/log.pub");
    let out = corridor(&db, &["verify", "--log-key", typo.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("no such file, and not a public key written out"),
        "{err}"
    );
    // The wrong half of a pair is named for what it is.
    let pair = dir.path().join("keys/RU.key.pem");
    let out = corridor(&db, &["verify", "--log-key", pair.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("this is a private key"), "{err}");
}

/// `--as-of` before the file's own departures is refused before anything is
/// written (it was accepted, ranking the file below older snapshots).
#[test]
fn an_as_of_date_before_the_files_departures_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let out = import(&db, &shared(CSV), &["--as-of", "1900-01-01"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("--as-of 1900-01-01 is before the latest date in")
            && err.contains("(2023-06-14, the departure of voyage #981)"),
        "{err}"
    );
    assert!(!db.exists());
    // Review of 2026-11-30, finding 4: nor after today, which would outrank
    // every real edition for good.
    let out = import(&db, &shared(CSV), &["--as-of", "2999-06-14"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("--as-of 2999-06-14 is after tomorrow ("),
        "{err}"
    );
    assert!(!db.exists());
    assert!(
        import(&db, &shared(CSV), &["--as-of", "2023-06-14"])
            .status
            .success()
    );
}

/// Review of 2026-11-30, finding 3: an edition that only adds an inspection
/// date had the same snapshot date (its latest departure) as the one before
/// it, so re-importing the older one erased the date. The default snapshot
/// date is now the file's latest date, inspections included.
#[test]
fn an_edition_that_adds_an_inspection_date_is_the_newer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let text = std::fs::read_to_string(shared(CSV)).unwrap();
    // Voyage 981 (the first row, departed 14 Jun 2023) cleared on 15 Jun.
    let first = text.lines().nth(1).unwrap();
    assert!(first.starts_with("Outbound,981,"), "{first}");
    assert!(
        first.contains(",14-Jun-2023,,"),
        "not inspected in the 14 Jun edition: {first}"
    );
    let later = text.replacen(
        first,
        &first.replacen(",14-Jun-2023,,", ",14-Jun-2023,15-Jun-2023,", 1),
        1,
    );
    assert_ne!(later, text);
    let later_file = dir.path().join("bsgi_outbound_shipments_2023-06-15.csv");
    std::fs::write(&later_file, later).unwrap();
    let out = import(&db, &later_file, &["--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["as_of"], "2023-06-15");
    let out = import(&db, &shared(CSV), &["--json"]);
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (&summary["updated"], &summary["superseded"]),
        (&serde_json::json!(0), &serde_json::json!(1)),
        "{summary}"
    );
}

/// Review of 2026-11-30, finding 8: `simulate ais` wrote its made-up
/// MMSIs into the database's tracking registry every time (creating the
/// database if there was none), where identity checks would trust them.
/// Now only with `--register`.
#[test]
fn simulating_a_feed_registers_its_vessels_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let args = [
        "simulate",
        "ais",
        "--days",
        "2",
        "--voyages",
        "4",
        "--background",
        "1",
        "--anomalies",
        "ais_gap=1",
    ];
    let out = corridor(&db, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.stdout.is_empty());
    assert!(!db.exists(), "no database was asked for");
    let out = corridor(&db, &[&args[..], &["--register"]].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(db.exists());
    // Interface check (session 19): served over TCP with no client
    // connected, it said it had sent every report.
    let out = corridor(
        &db,
        &[&args[..], &["--tcp-listen", "127.0.0.1:0", "--speed", "0"]].concat(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("sent 0 reports"), "{err}");
    assert!(err.contains("no client was connected"), "{err}");
}

/// Review of 2026-11-30, finding 9: the file's name is stored as the
/// voyages' source, so it is plain text like any other name.
#[test]
fn a_file_name_with_a_direction_override_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let odd = dir.path().join("jcc\u{202e}vsc.csv");
    std::fs::copy(shared(CSV), &odd).unwrap();
    let out = import(&db, &odd, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("the file's name holds the control character U+202E; rename the file"),
        "{err}"
    );
    assert!(!db.exists());
}

/// `corridor ais decode FILE | head -1` ends quietly when the reader goes
/// away (it said "error: decoding: Broken pipe" and exited 1).
#[test]
fn decoding_into_a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader, Write};
    let dir = tempfile::tempdir().unwrap();
    let one = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/ais/libais/typeexamples.nmea"),
    )
    .unwrap();
    let big = dir.path().join("big.nmea");
    let mut f = std::fs::File::create(&big).unwrap();
    for _ in 0..2000 {
        f.write_all(&one).unwrap();
    }
    drop(f);
    let mut child = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["ais", "decode"])
        .arg(&big)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("{\"class\":\"AIS\""), "{first}");
    // The reader is gone now (dropped above).
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("error"), "{err}");
}

/// `corridor sign` refuses what the server would refuse later, before
/// touching a key: a party the corridor does not have, and a reason on an
/// approval (it was dropped silently).
#[test]
fn sign_refuses_a_party_or_reason_that_cannot_be() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_corridor"))
            .args(["sign", "--key", "no.pem", "--application", "no.json"])
            .args(args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = run(&["--party", "XX", "--decision", "approve"]);
    assert!(
        err.contains("--party XX: not a party of this corridor (RU, TR, UA, UN)"),
        "{err}"
    );
    let err = run(&["--party", "RU", "--decision", "approve", "--text", "fine"]);
    assert!(
        err.contains("an approval or a release carries no --reason-code or --text"),
        "{err}"
    );
    // A hold without its reason is refused too (after the key is read).
    let err = run(&["--party", "RU", "--decision", "hold"]);
    assert!(err.contains("reading no.pem"), "{err}");
}

/// Open finding 53: `corridor sign` signed applications only, so a
/// delegate approving a day's plan signed by hand. `--plan` signs the plan
/// as `GET /plans/{date}` shows it, over the hash of what it shows.
#[test]
fn sign_signs_a_days_plan_over_what_it_shows() {
    use corridor_clearance::{PlanAssignment, PlanContent};
    let dir = tempfile::tempdir().unwrap();
    let made = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["keys", "new", "RU", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let content = PlanContent {
        date: "2022-10-06".into(),
        version: 2,
        assignments: vec![PlanAssignment {
            application_id: "JCC-2022-000001".into(),
            vessel_name: "MV A".into(),
            team: "JIT-1".into(),
            area: "Area A".into(),
            start: "07:00".into(),
            end: "10:15".into(),
            start_at: "2022-10-06T04:00:00Z".parse().unwrap(),
        }],
    };
    let hash = content.plan_hash().unwrap();
    // As the server shows it: more than the signed content.
    let mut shown = serde_json::to_value(&content).unwrap();
    shown["plan_hash"] = serde_json::json!(hash.to_hex());
    shown["status"] = serde_json::json!("submitted");
    shown["score"] = serde_json::json!(12.5);
    let plan = dir.path().join("plan.json");
    std::fs::write(&plan, shown.to_string()).unwrap();
    let sign = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_corridor"))
            .arg("sign")
            .arg("--key")
            .arg(dir.path().join("RU.key.pem"))
            .arg("--plan")
            .arg(&plan)
            .args(["--party", "RU"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = sign(&["--decision", "approve"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signed: corridor_ledger::SignedDecision = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(signed.payload.application_id, "PLAN-2022-10-06");
    assert_eq!(signed.payload.application_hash, hash);
    let public = std::fs::read_to_string(dir.path().join("RU.pub.pem")).unwrap();
    let mut keys = corridor_ledger::KeyRegistry::new();
    keys.register(
        "RU",
        corridor_ledger::PublicKey::from_text(&public).unwrap(),
        "2022-01-01T00:00:00Z".parse().unwrap(),
    )
    .unwrap();
    signed.verify_signature(&keys).unwrap();

    // A plan whose assignments are not what its hash says, or show what
    // it does not cover, or that is still a draft, is not signed.
    let refused = |shown: &serde_json::Value, says: &str| {
        std::fs::write(&plan, shown.to_string()).unwrap();
        let out = sign(&["--decision", "approve"]);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!out.status.success() && err.contains(says), "{err}");
    };
    let mut extra = shown.clone();
    extra["assignments"][0]["cargo"] = serde_json::json!("wheat");
    refused(
        &extra,
        "assignment 1 has \"cargo\", which a plan's hash does not cover",
    );
    let mut draft = shown.clone();
    draft["status"] = serde_json::json!("draft");
    refused(
        &draft,
        "the plan is draft: only a plan submitted to the parties is signed",
    );
    shown["assignments"][0]["start"] = serde_json::json!("08:00");
    std::fs::write(&plan, shown.to_string()).unwrap();
    let out = sign(&["--decision", "approve"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("refusing to sign"),
        "{err}"
    );
    let out = sign(&["--decision", "release"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("replaces its hold on a plan"),
        "{err}"
    );
}

/// Every refused NMEA sentence is named by file, line and reason on stderr,
/// and the good ones still decode (it only counted them).
#[test]
fn refused_nmea_sentences_are_named_by_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.nmea");
    let good = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";
    std::fs::write(
        &feed,
        format!(
            "{good}\n{}\n!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0\n{good}\n",
            good.replace("*4A", "*00")
        ),
    )
    .unwrap();
    let out = ais_decode(&feed);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let name = feed.display();
    assert!(
        err.contains(&format!("{name}:2: bad sentence checksum: !AIVDM")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{name}:3: missing checksum: !AIVDM")),
        "{err}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
}

/// Open finding 10: a dropped fragment of a multi-sentence message was only
/// counted; it is named like a refused sentence, by the line it came on.
#[test]
fn dropped_fragments_are_named_by_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.nmea");
    let good = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";
    let lines = [
        good,
        // A second part whose first never came.
        "!AIVDM,2,2,4,A,88888888880,2*20",
        // A whole type 5.
        "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C",
        "!AIVDM,2,2,1,A,88888888880,2*25",
        // A first part whose second never comes.
        "!AIVDM,2,1,7,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1A",
        good,
    ];
    std::fs::write(&feed, lines.join("\n") + "\n").unwrap();
    let out = ais_decode(&feed);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let name = feed.display();
    assert!(
        err.contains(&format!(
            "{name}:2: inconsistent fragment: !AIVDM,2,2,4,A,88888888880,2*20\n"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{name}:5: incomplete at end of input: !AIVDM,2,1,7,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1A\n"
        )),
        "{err}"
    );
    // Named and still counted; nothing else named.
    assert!(err.contains("dropped fragments: 2\n"), "{err}");
    assert_eq!(err.matches(&format!("{name}:")).count(), 2, "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
}

/// `corridor keys`: the party's current key file endorses its successor; a
/// key registered without it is refused (finding 1 of the 2026-11-29 review).
#[test]
fn a_party_key_is_replaced_only_with_the_current_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.db");
    let ours = dir.path().join("ours");
    let theirs = dir.path().join("theirs");
    let s = |a: &[&str]| {
        let out = corridor(&db, a);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let path = |d: &Path, f: &str| d.join(f).display().to_string();
    assert!(s(&["keys", "new", "UA", "--out", &path(&ours, "")]).0);
    assert!(s(&["keys", "new", "UA", "--out", &path(&theirs, "")]).0);
    let (ok, text) = s(&[
        "keys",
        "register",
        "UA",
        "--public",
        &path(&ours, "UA.pub.pem"),
    ]);
    assert!(ok, "{text}");
    let (ok, text) = s(&[
        "keys",
        "register",
        "UA",
        "--public",
        &path(&theirs, "UA.pub.pem"),
    ]);
    assert!(
        !ok && text.contains("a new key must be endorsed by that key"),
        "{text}"
    );
    let (ok, text) = s(&[
        "keys",
        "register",
        "UA",
        "--public",
        &path(&theirs, "UA.pub.pem"),
        "--endorse-with",
        &path(&theirs, "UA.key.pem"),
    ]);
    assert!(!ok && text.contains("must be endorsed by key"), "{text}");
    let (ok, text) = s(&["keys", "rotate", "UA", "--out", &path(&ours, "")]);
    assert!(ok && text.contains("retired"), "{text}");
    // The new private key is its owner's alone, and nothing is left under
    // the name it was saved as before it was registered.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(ours.join("UA.key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let names: Vec<String> = std::fs::read_dir(&ours)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.iter().filter(|n| n.ends_with(".key.pem")).count(),
        2,
        "{names:?}"
    );
    let (ok, text) = s(&[
        "keys",
        "register",
        "UA",
        "--public",
        &path(&theirs, "UA.pub.pem"),
        "--endorse-with",
        &path(&ours, "UA.key.pem"),
    ]);
    assert!(ok, "{text}");
    let (ok, text) = s(&["verify"]);
    assert!(ok && text.contains("3 entries"), "{text}");
}

/// The review of 2026-11-30 (ingest), finding 2: with a dashboard open, a
/// stopping `serve` waited for ever for the live stream to end, and
/// SIGTERM killed it outright (what the pipeline held was lost). Now ctrl-c
/// or SIGTERM drains the pipeline, which ends the live streams, and the
/// server exits cleanly.
#[test]
fn serve_stops_on_sigterm_with_a_live_stream_open() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    assert!(import(&db, &shared(CSV), &[]).status.success());
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let args = [
        "serve",
        "--listen",
        &listen,
        "--ingest",
        "tcp-server:127.0.0.1:0",
    ];
    let mut child = serve_until_up(&db, &args, port);
    // A dashboard's live stream, open.
    let mut sse = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        sse,
        "GET /api/v1/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut head = [0u8; 64];
    let n = sse.read(&mut head).unwrap();
    assert!(String::from_utf8_lossy(&head[..n]).starts_with("HTTP/1.1 200"));
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    // A guard against a hang, not a timing: the server has its own 10 s grace.
    let mut status = None;
    for _ in 0..240 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    let Some(status) = status else {
        let _ = child.kill();
        panic!("serve did not stop on SIGTERM with a live stream open");
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{status:?}: {err}");
    assert!(!err.contains("still open"), "the live stream ended: {err}");
    // The stream was ended by the server, not cut: the rest reads to its
    // end (the chunked body's last, empty chunk).
    sse.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut rest = Vec::new();
    sse.read_to_end(&mut rest).expect("the stream ends cleanly");
    assert!(
        String::from_utf8_lossy(&rest).ends_with("0\r\n\r\n"),
        "{:?}",
        String::from_utf8_lossy(&rest)
    );
}

/// Open finding 33: `serve` and `demo` announced their address before
/// binding it, so a port in use printed "serving on …" and then failed
/// (the demo after building its whole store). Both bind first now.
#[test]
fn a_port_in_use_is_refused_before_anything_is_announced() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let demo_dir = dir.path().join("demo");
    for args in [
        vec!["serve", "--listen", addr.as_str()],
        vec![
            "demo",
            "--listen",
            addr.as_str(),
            "--dir",
            demo_dir.to_str().unwrap(),
        ],
    ] {
        let out = corridor(&dir.path().join("r.db"), &args);
        let (said, err) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(!out.status.success(), "{args:?}");
        assert!(
            err.contains(&format!("cannot listen on {addr}")),
            "{args:?}: {err}"
        );
        assert!(
            !format!("{said}{err}").contains("http://"),
            "{args:?} announced an address: {said}{err}"
        );
    }
    assert!(!demo_dir.exists(), "the demo built its store first");
    // A folder left by an earlier demo, its store removed but not its
    // keys: refused before the store is built, saying what to remove.
    std::fs::create_dir_all(demo_dir.join("party-keys")).unwrap();
    let out = corridor(
        &dir.path().join("r.db"),
        &[
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--dir",
            demo_dir.to_str().unwrap(),
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("party-keys already exists (an earlier demo's party keys): remove it"),
        "{err}"
    );
    assert!(!demo_dir.join("corridor-demo.db").exists());
}

/// Open finding 33: `simulate` took days, vessel counts and what-if values
/// without limits (a year of 10 million teams, a feed of a billion ships).
#[test]
fn simulate_refuses_values_past_its_limits() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    for (args, says) in [
        (
            &["simulate", "ais", "--days", "100000"][..],
            "100000 is not in 1..=366",
        ),
        (
            &["simulate", "ais", "--voyages", "1000000000"],
            "1000000000 is not in 0..=1000",
        ),
        (
            &["simulate", "ais", "--anomalies", "deviation=1000000000"],
            "the count is not a number from 0 to 1000",
        ),
        (
            &["simulate", "ais", "--speed", "NaN"],
            "NaN is not a speed-up",
        ),
        (&["simulate", "ais", "--speed=-1"], "-1 is not a speed-up"),
    ] {
        let out = corridor(&db, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert!(import(&db, &shared(CSV), &[]).status.success());
    for (what_if, says) in [
        (
            "teams-from=2022-11-01:5000000",
            "teams 5000000 is outside 0..=1000",
        ),
        (
            "stoppage=2022-11-01:99999999",
            "days 99999999 is outside 1..=3650",
        ),
        ("daily-cap=-3", "inspections a day -3 is outside 0..=10000"),
    ] {
        let out = corridor(
            &db,
            &["simulate", "queue", "--replay-record", "--what-if", what_if],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{what_if}");
        assert!(err.contains(says), "{what_if}: {err}");
    }
}

/// Open finding 33: a file saved in another encoding got one error per row
/// and nothing saying why. The rows are still named one by one, and one
/// note says what the file looks like and what to do.
#[test]
fn a_file_in_another_encoding_is_named_once_for_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let utf8 = std::fs::read(shared(CSV)).unwrap();
    // "Türkiye" as Windows-1252 writes it: ü is one byte, 0xFC.
    let mut cp1252 = Vec::with_capacity(utf8.len());
    let mut i = 0;
    while i < utf8.len() {
        if utf8[i..].starts_with("ü".as_bytes()) {
            cp1252.push(0xFC);
            i += 2;
        } else {
            cp1252.push(utf8[i]);
            i += 1;
        }
    }
    let file = dir.path().join("windows.csv");
    std::fs::write(&file, &cp1252).unwrap();
    let out = import(&dir.path().join("r.db"), &file, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let rows = err.matches("not valid UTF-8 text").count();
    assert!(rows > 100, "{rows} rows named");
    assert_eq!(err.matches("note: ").count(), 1, "{err}");
    assert!(
        err.contains("row(s) are not UTF-8 text: the file looks saved in another encoding"),
        "{err}"
    );
}

#[test]
fn bad_settings_from_the_environment_are_named_as_such() {
    // An operator review (session 21): a bad CORRIDOR_LISTEN was reported
    // as `--listen`, and a mistyped CORRIDOR_LOG was silently ignored.
    let dir = tempfile::tempdir().unwrap();
    let run = |env: &[(&str, &str)], args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_corridor"));
        c.arg("--database")
            .arg(dir.path().join("r.db"))
            .args(args)
            .env_remove("CORRIDOR_DATABASE")
            .env_remove("CORRIDOR_LISTEN")
            .env_remove("CORRIDOR_LOG");
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        (
            out.status,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (status, err) = run(&[("CORRIDOR_LISTEN", "nonsense")], &["serve"]);
    assert!(!status.success());
    assert!(
        err.contains(r#"CORRIDOR_LISTEN "nonsense" is not an address"#),
        "{err}"
    );
    let (status, err) = run(&[], &["serve", "--listen", "nonsense"]);
    assert!(!status.success());
    assert!(
        err.contains(r#"--listen "nonsense" is not an address"#),
        "{err}"
    );
    let (status, err) = run(&[("CORRIDOR_LOG", "corridor=loud")], &["stats"]);
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(
        err.contains("CORRIDOR_LOG=\"corridor=loud\" is not a log filter"),
        "{err}"
    );
    // Logs into a file carry no terminal colour codes.
    let csv = shared(CSV);
    let (_, err) = run(
        &[("CORRIDOR_LOG", "debug")],
        &["import", "jcc", csv.to_str().unwrap()],
    );
    assert!(err.contains("DEBUG"), "no log lines to check: {err}");
    assert!(!err.contains('\u{1b}'), "{err}");
}

/// A review deploying corridor for UNVIM (session 22): every command ran
/// under the Black Sea's rules, inspection resources and geometry, whatever
/// was configured (`keys register UNVIM` was "no party UNVIM", and `serve`
/// tracked Red Sea traffic against the Black Sea). `--rules`, and `serve`'s
/// `--capacity` and `--geometry` (or the config file's `rules`, `capacity`
/// and `geometry`), name the corridor's own; what cannot go with the rules
/// is refused, saying what to give.
#[test]
fn another_corridor_runs_under_its_own_rules_resources_and_geometry() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("u.db");
    let config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config");
    let keys = dir.path().join("keys");
    let keys_s = keys.to_str().unwrap();
    let ok = |out: Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let refused = |out: Output, says: &str| {
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!out.status.success() && err.contains(says), "{err}");
    };
    ok(corridor(&db, &["keys", "new", "UNVIM", "--out", keys_s]));
    let public = keys.join("UNVIM.pub.pem");
    let register = [
        "keys",
        "register",
        "UNVIM",
        "--public",
        public.to_str().unwrap(),
    ];
    refused(corridor(&db, &register), "no party UNVIM");
    ok(corridor(
        &db,
        &[&["--rules", "unvim"][..], &register].concat(),
    ));
    refused(
        corridor(&db, &["--rules", "unvimm", "verify"]),
        "--rules \"unvimm\": not bsgi, unvim or a file",
    );
    refused(
        corridor(
            &db,
            &["--rules", "unvim", "seed", "demo", "--keys-dir", keys_s],
        ),
        "seed demo fills a store with the Black Sea",
    );
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    refused(
        corridor(&db, &["--rules", "unvim", "serve", "--listen", &listen]),
        "give the centre's own with --capacity (config/capacity-unvim.toml",
    );

    // The rest from a config file, as a deployment would keep them.
    let file = dir.path().join("corridor.toml");
    std::fs::write(
        &file,
        format!(
            "rules = {:?}\ncapacity = {:?}\ngeometry = {:?}\n",
            config.join("parties-unvim.toml"),
            config.join("capacity-unvim.toml"),
            config.join("corridor-unvim.geojson"),
        ),
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let args = [
        "--config",
        file,
        "serve",
        "--listen",
        &listen,
        "--ingest",
        "tcp-server:127.0.0.1:0",
    ];
    let mut child = serve_until_up(&db, &args, port);
    let corridor_doc = get(port, "/api/v1/corridor");
    let geometry = get(port, "/api/v1/geometry");
    let queue = get(port, "/api/v1/queue");
    let _ = child.kill();
    let _ = child.wait();
    let (_, c) = corridor_doc.expect("the server did not start");
    assert_eq!(c["id"], "unvim");
    // Open finding 50: UNVIM clears on the papers and inspects on cause.
    assert_eq!(c["inspection_policy"], "on_cause", "{c}");
    let (_, g) = geometry.expect("geometry");
    assert!(
        g["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["properties"]["locode"] == "YEHOD"),
        "{g}"
    );
    let (_, q) = queue.expect("queue");
    assert_eq!(q["time_zone"], "Africa/Djibouti", "{q}");
}

/// The same review: a new deployment had no way to its first account but
/// `seed demo` (the Black Sea demo, with its published password).
/// `corridor users add` makes one on the database, its password from
/// standard input, checked as the API checks it; it can sign in.
#[test]
fn the_first_administrator_is_made_on_the_database() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let add = |args: &[&str], password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_corridor"))
            .arg("--database")
            .arg(&db)
            .args([&["users", "add"][..], args].concat())
            .env_remove("CORRIDOR_DATABASE")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let weak = add(&["alice", "--role", "admin"], "short");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 12 characters"));
    let made = add(&["alice", "--role", "admin"], "a-long-Passphrase-2026");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let again = add(
        &["Alice", "--role", "coordinator"],
        "a-long-Passphrase-2027",
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("is taken"));
    let listed = corridor(&db, &["users", "list"]);
    assert!(String::from_utf8_lossy(&listed.stdout).starts_with("alice\t{\"role\":\"admin\"}"));

    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut child = serve_until_up(&db, &["serve", "--listen", &listen], port);
    let body = r#"{"username":"alice","password":"a-long-Passphrase-2026","label":"cli test"}"#;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"token\""), "{answer}");
}
