//! A slice of a season over HTTP: three agents of different companies, the
//! four parties, approvals, a hold and its release, a rejection, a
//! withdrawal, a suspension and its resumption, refused signatures, proofs,
//! the export, and the accountability figures that follow.

mod common;

use axum::http::StatusCode;
use common::*;
use corridor_ledger::{DecisionKind, Hash, LogExport, verify_export};
use jiff::SignedDuration;
use serde_json::{Value, json};

fn hash_of(body: &Value) -> Hash {
    Hash::from_hex(body["content_hash"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn a_season_over_http() {
    let (_dir, s, app) = served("2022-08-01T08:00:00Z").await;
    a_season_over_http_on(s, app).await;
}

/// The same season on PostgreSQL (finding 19 of the 2026-11-29 review).
#[tokio::test]
async fn a_season_over_http_on_postgres() {
    let Some((s, app)) = served_pg("season", "2022-08-01T08:00:00Z").await else {
        return;
    };
    a_season_over_http_on(s, app).await;
}

async fn a_season_over_http_on(
    s: std::sync::Arc<corridor_clearance_service::Service>,
    app: axum::Router,
) {
    let clock = s.clock().clone();
    let hours = |h: i64| clock.advance(SignedDuration::from_hours(h));

    let agent: Vec<String> = futures_tokens(&app, &COMPANIES.map(|c| c.0)).await;
    let coord = login(&app, "coordinator").await;
    let mut del = std::collections::BTreeMap::new();
    for p in PARTIES {
        del.insert(p, login(&app, &delegate(p)).await);
    }
    let keys = keys();

    // Each delegation publishes its public key (the private key never leaves the test's "delegate side").
    publish_keys(&app, &keys, |p| del[p].clone()).await;

    // An agent drafts, uploads the checklist, checks eligibility, submits; the coordinator starts the review.
    async fn new_application(
        app: &axum::Router,
        token: &str,
        coord: &str,
        imo: &str,
        eta: jiff::Timestamp,
    ) -> (String, Value) {
        let (st, body) = call(
            app,
            "POST",
            "/applications",
            Some(token),
            Some(&json!({"content": content(eta, imo)})),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
        let id = body["id"].as_str().unwrap().to_string();
        let (st, body) = call(
            app,
            "GET",
            &format!("/applications/{id}/eligibility"),
            Some(token),
            None,
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(body["eligible"], false, "documents are missing: {body}");
        assert!(
            body["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["message"].as_str().unwrap().contains("crew_list"))
        );
        for kind in [
            "port_entry_request",
            "crew_list",
            "cargo_manifest",
            "stowage_plan",
            "registry_certificate",
        ] {
            let (st, body) = upload(
                app,
                &format!("/applications/{id}/documents?kind={kind}&filename={kind}.pdf"),
                token,
                pdf(&format!("{kind} of {imo}")),
            )
            .await;
            assert_eq!(st, StatusCode::CREATED, "{body}");
        }
        let (st, body) = call(
            app,
            "GET",
            &format!("/applications/{id}/eligibility"),
            Some(token),
            None,
        )
        .await;
        assert_eq!(
            (st, &body["eligible"]),
            (StatusCode::OK, &json!(true)),
            "{body}"
        );
        let (st, body) = call(
            app,
            "POST",
            &format!("/applications/{id}/submit"),
            Some(token),
            None,
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "submitted");
        let (st, body) = call(
            app,
            "POST",
            &format!("/applications/{id}/review"),
            Some(coord),
            None,
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "under_review");
        let (_, full) = call(
            app,
            "GET",
            &format!("/applications/{id}"),
            Some(token),
            None,
        )
        .await;
        (id, full)
    }

    let decide = |id: &str, party: &'static str, hash: Hash, d: DecisionKind| {
        let signed = sign(key_of(&keys, party), party, id, hash, d, clock.now());
        let uri = format!("/applications/{id}/decisions");
        let token = del[party].clone();
        let app = app.clone();
        async move {
            call(
                &app,
                "POST",
                &uri,
                Some(&token),
                Some(&serde_json::to_value(&signed).unwrap()),
            )
            .await
        }
    };
    let eta = |s: &corridor_clearance_service::Service| {
        s.clock()
            .now()
            .checked_add(SignedDuration::from_hours(72))
            .unwrap()
    };

    // A: approved by all four (UA +1 h, UN +2 h, TR +3 h, RU +5 h).
    let (a, full_a) = new_application(&app, &agent[0], &coord, "9301342", eta(&s)).await;
    let ha = hash_of(&full_a);
    for (party, wait) in [("UA", 1), ("UN", 1), ("TR", 1), ("RU", 2)] {
        hours(wait);
        let (st, body) = decide(&a, party, ha, DecisionKind::Approve).await;
        assert_eq!(st, StatusCode::OK, "{party}: {body}");
        // Ledger review (2026-11-30), finding 27: the party gets a receipt,
        // a signed checkpoint that covers its entry and the entry's
        // inclusion proof, and can check both itself.
        let r = &body["receipt"];
        let cp =
            corridor_ledger::SignedCheckpoint::from_text(r["checkpoint"]["text"].as_str().unwrap())
                .expect("checkpoint text");
        cp.verify(&s.log_public_key())
            .expect("signed by the log key");
        let proof: Vec<Hash> = serde_json::from_value(r["proof"].clone()).unwrap();
        let leaf: Hash = serde_json::from_value(r["leaf_hash"].clone()).unwrap();
        corridor_ledger::merkle::verify_inclusion(
            r["seq"].as_u64().unwrap(),
            cp.size,
            &leaf,
            &proof,
            &cp.root,
        )
        .expect("the entry is in the checkpoint's tree");
        let (_, entry) = call(
            &app,
            "GET",
            &format!("/log/entries/{}/proof", r["seq"]),
            Some(&coord),
            None,
        )
        .await;
        assert_eq!(entry["entry"]["signature"]["party"], party, "{entry}");
        // Review of a delegation's week (session 27): the receipt alone
        // shows what was signed: it carries that entry, whose hash is the
        // one its proof leads from.
        let held: corridor_ledger::LogEntry =
            serde_json::from_value(r["entry"].clone()).expect("the receipt's entry");
        assert_eq!(r["entry"], entry["entry"]);
        assert_eq!(
            corridor_ledger::LogEntry::compute_hash(
                held.seq,
                &held.prev_hash,
                &held.actor,
                held.time,
                &held.event,
                &held.signature
            )
            .unwrap(),
            held.entry_hash
        );
        assert_eq!(
            serde_json::to_value(held.entry_hash).unwrap(),
            r["entry_hash"]
        );
    }
    let (_, page) = call(
        &app,
        "GET",
        &format!("/applications/{a}/status"),
        Some(&agent[0]),
        None,
    )
    .await;
    assert_eq!(page["status"], "approved", "{page}");

    // A sails: arrived early (recorded, so it may be booked before its
    // ETA), declared ready, inspection scheduled and passed, departure,
    // arrival, closed.
    let arrived = json!({"at": corridor_ledger::time::format(clock.now()),
                         "area": "Inspection Area Marmara", "evidence": "seen at anchor by the duty officer"});
    let (st, body) = call(
        &app,
        "POST",
        &format!("/applications/{a}/arrival"),
        Some(&coord),
        Some(&arrived),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let ready = json!({"holds_ventilated": true, "gas_free": true,
                       "testing_equipment_aboard": true, "documents_complete": true});
    let (st, body) = call(
        &app,
        "POST",
        &format!("/applications/{a}/readiness"),
        Some(&agent[0]),
        Some(&ready),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let at = corridor_ledger::time::format(
        clock
            .now()
            .checked_add(SignedDuration::from_hours(2))
            .unwrap(),
    );
    let (st, body) = call(
        &app,
        "POST",
        &format!("/applications/{a}/inspection/schedule"),
        Some(&coord),
        Some(&json!({"at": at})),
    )
    .await;
    assert_eq!(
        (st, body["status"].as_str()),
        (StatusCode::OK, Some("awaiting_inspection")),
        "{body}"
    );
    hours(2);
    let inspector = login(&app, "inspector").await;
    // A pass needs the whole checklist; the refusal names what is missing.
    let (st, body) = call(
        &app,
        "POST",
        &format!("/applications/{a}/inspection"),
        Some(&inspector),
        Some(&json!({"outcome": {"result": "passed"}, "checked": ["papers", "crew", "cargo", "prohibited"]})),
    )
    .await;
    assert_eq!(
        (
            st,
            body["error"]["code"].as_str(),
            &body["error"]["details"]["missing"]
        ),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("checklist_incomplete"),
            &json!(["Holds gas free; readings taken"])
        ),
        "{body}"
    );
    let (st, body) = call(
        &app,
        "POST",
        &format!("/applications/{a}/inspection"),
        Some(&inspector),
        Some(&json!({"outcome": {"result": "passed"}, "checked": ["gas", "papers", "prohibited", "crew", "cargo"]})),
    )
    .await;
    assert_eq!(
        (st, body["status"].as_str()),
        (StatusCode::OK, Some("inspection_passed")),
        "{body}"
    );
    for (step, status) in [
        ("depart", "in_transit"),
        ("arrive", "arrived"),
        ("close", "closed"),
    ] {
        let (st, body) = call(
            &app,
            "POST",
            &format!("/applications/{a}/{step}"),
            Some(&coord),
            None,
        )
        .await;
        assert_eq!(
            (st, body["status"].as_str()),
            (StatusCode::OK, Some(status)),
            "{step}: {body}"
        );
    }

    // B: UA holds, then releases; all approve.
    let (b, full_b) = new_application(&app, &agent[1], &coord, "9419072", eta(&s)).await;
    let hb = hash_of(&full_b);
    hours(1);
    let (st, body) = decide(
        &b,
        "UA",
        hb,
        DecisionKind::Hold {
            reason_code: "DOCS_MISSING".into(),
            text: "gas-free certificate".into(),
        },
    )
    .await;
    assert_eq!(
        (st, body["status"].as_str()),
        (StatusCode::OK, Some("held")),
        "{body}"
    );
    // Another party cannot release UA's hold, even with UA's signed release;
    // the release needs UA's signature (finding 2 of the 2026-11-29 review).
    let release = |by: &'static str| {
        serde_json::to_value(sign(
            key_of(&keys, by),
            by,
            &b,
            hb,
            DecisionKind::Release,
            clock.now(),
        ))
        .unwrap()
    };
    let (st, _) = call(
        &app,
        "POST",
        &format!("/applications/{b}/holds/UA/release"),
        Some(&del["RU"]),
        Some(&release("UA")),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    hours(1);
    let (st, body) = call(
        &app,
        "POST",
        &format!("/applications/{b}/holds/UA/release"),
        Some(&del["UA"]),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "unsigned: {body}");
    let mut forged = release("UA");
    forged["signature"] = release("RU")["signature"].clone();
    let (st, body) = call(
        &app,
        "POST",
        &format!("/applications/{b}/holds/UA/release"),
        Some(&del["UA"]),
        Some(&forged),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "forged: {body}");
    let (st, body) = call(
        &app,
        "POST",
        &format!("/applications/{b}/holds/UA/release"),
        Some(&del["UA"]),
        Some(&release("UA")),
    )
    .await;
    assert_eq!(
        (st, body["status"].as_str()),
        (StatusCode::OK, Some("under_review")),
        "{body}"
    );
    for (party, wait) in [("UA", 1), ("UN", 1), ("TR", 1), ("RU", 0)] {
        hours(wait);
        let (st, body) = decide(&b, party, hb, DecisionKind::Approve).await;
        assert_eq!(st, StatusCode::OK, "{party}: {body}");
    }
    let (_, page) = call(
        &app,
        "GET",
        &format!("/applications/{b}/status"),
        Some(&agent[1]),
        None,
    )
    .await;
    assert_eq!(page["status"], "approved");

    // C: RU rejects.
    let (c, full_c) = new_application(&app, &agent[2], &coord, "9209790", eta(&s)).await;
    let hc = hash_of(&full_c);

    // Refused signatures, each with a clear error: wrong key, another application, a changed application.
    let wrong_key = sign(
        key_of(&keys, "RU"),
        "UA",
        &c,
        hc,
        DecisionKind::Approve,
        clock.now(),
    );
    let (st, body) = call(
        &app,
        "POST",
        &format!("/applications/{c}/decisions"),
        Some(&del["UA"]),
        Some(&serde_json::to_value(&wrong_key).unwrap()),
    )
    .await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("decision_refused")),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("belongs to party RU"),
        "{body}"
    );
    let other_app = sign(
        key_of(&keys, "UA"),
        "UA",
        &a,
        ha,
        DecisionKind::Approve,
        clock.now(),
    );
    let (st, body) = call(
        &app,
        "POST",
        &format!("/applications/{c}/decisions"),
        Some(&del["UA"]),
        Some(&serde_json::to_value(&other_app).unwrap()),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("is for application {a}")),
        "{body}"
    );
    let signed_before_change = sign(
        key_of(&keys, "UA"),
        "UA",
        &c,
        hc,
        DecisionKind::Approve,
        clock.now(),
    );
    let mut changed = full_c["content"].clone();
    changed["crew_count"] = json!(22);
    let (st, body) = call(
        &app,
        "PUT",
        &format!("/applications/{c}"),
        Some(&agent[2]),
        Some(&json!({"content": changed})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let hc2 = hash_of(&body);
    let (st, body) = call(
        &app,
        "POST",
        &format!("/applications/{c}/decisions"),
        Some(&del["UA"]),
        Some(&serde_json::to_value(&signed_before_change).unwrap()),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("the application is now"),
        "{body}"
    );
    // A forged signature.
    let mut forged = sign(
        key_of(&keys, "UA"),
        "UA",
        &c,
        hc2,
        DecisionKind::Approve,
        clock.now(),
    );
    forged.signature.0[0] ^= 1;
    let (st, body) = call(
        &app,
        "POST",
        &format!("/applications/{c}/decisions"),
        Some(&del["UA"]),
        Some(&serde_json::to_value(&forged).unwrap()),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not verify"),
        "{body}"
    );

    hours(5);
    let (st, body) = decide(
        &c,
        "RU",
        hc2,
        DecisionKind::Reject {
            reason_code: "DESTINATION".into(),
            text: "destination inconsistent".into(),
        },
    )
    .await;
    assert_eq!(
        (st, body["status"].as_str()),
        (StatusCode::OK, Some("rejected")),
        "{body}"
    );

    // D: withdrawn by its agent (another company's agent cannot).
    let (d, _) = new_application(&app, &agent[0], &coord, "9375616", eta(&s)).await;
    let (st, _) = call(
        &app,
        "POST",
        &format!("/applications/{d}/withdraw"),
        Some(&agent[1]),
        Some(&json!({"reason": "x"})),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, body) = call(
        &app,
        "POST",
        &format!("/applications/{d}/withdraw"),
        Some(&agent[0]),
        Some(&json!({"reason": "charter cancelled"})),
    )
    .await;
    assert_eq!(
        (st, body["status"].as_str()),
        (StatusCode::OK, Some("withdrawn")),
        "{body}"
    );

    // E: the corridor is suspended during the review, then resumed; RU decides 5 h of open corridor after the review began.
    let (e, full_e) = new_application(&app, &agent[1], &coord, "9612612", eta(&s)).await;
    let he = hash_of(&full_e);
    hours(1);
    let (st, body) = call(&app, "POST", "/corridor/suspend", Some(&coord), Some(&json!({"reason_code": "PARTY_WITHDREW", "text": "a party suspended its participation"}))).await;
    assert_eq!(
        (st, body["suspended"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{body}"
    );
    hours(96);
    let (st, body) = decide(&e, "RU", he, DecisionKind::Approve).await;
    assert_eq!(
        (st, body["error"]["message"].as_str()),
        (StatusCode::CONFLICT, Some("the corridor is suspended"))
    );
    let (st, body) = call(&app, "POST", "/corridor/resume", Some(&coord), None).await;
    assert_eq!(
        (st, body["suspended"].as_bool()),
        (StatusCode::OK, Some(false)),
        "{body}"
    );
    hours(4);
    let (st, body) = decide(&e, "RU", he, DecisionKind::Approve).await;
    assert_eq!(st, StatusCode::OK, "{body}");

    // Accountability (public, no token).
    let (st, acc) = call(&app, "GET", "/accountability", None, None).await;
    assert_eq!(st, StatusCode::OK, "{acc}");
    let party = |p: &str| {
        acc["parties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["party"] == p)
            .unwrap()
            .clone()
    };
    let ru = party("RU");
    assert_eq!(ru["decisions"], 4, "{ru}");
    assert_eq!(ru["approvals"], 3);
    assert_eq!(ru["rejections_by_reason"], json!({"DESTINATION": 1}));
    // Every RU decision came 5 h of open corridor after it was awaited (the suspension does not count).
    assert_eq!(
        (
            ru["median_seconds_to_decide"].as_i64(),
            ru["p90_seconds_to_decide"].as_i64()
        ),
        (Some(18_000), Some(18_000)),
        "{ru}"
    );
    let ua = party("UA");
    assert_eq!(ua["holds_by_reason"], json!({"DOCS_MISSING": 1}), "{ua}");
    assert_eq!(ua["decisions"], 3);
    assert_eq!(ua["median_seconds_to_decide"].as_i64(), Some(3_600));
    // E is still awaited by UA, UN, TR: overdue now (24 h deadline).
    hours(30);
    let (_, acc) = call(&app, "GET", "/accountability", None, None).await;
    let overdue: Vec<String> = acc["parties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["overdue"].as_array().unwrap().is_empty())
        .map(|p| p["party"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(overdue, ["TR", "UA", "UN"]);

    // Monthly operations (public, no token; open finding 52): what the
    // season did, by month, the same as the core computes from the log.
    let (st, ops) = call(&app, "GET", "/operations", None, None).await;
    assert_eq!(st, StatusCode::OK, "{ops}");
    assert_eq!(ops["time_zone"], "Europe/Istanbul");
    let months = ops["months"].as_array().unwrap();
    let total = |f: &str| months.iter().map(|m| m[f].as_u64().unwrap()).sum::<u64>();
    assert_eq!(
        ["submitted", "cleared", "rejected", "withdrawn", "departed"].map(total),
        [5, 2, 1, 1, 1],
        "{ops}"
    );
    let passed: u64 = months
        .iter()
        .map(|m| m["inspections"]["passed"].as_u64().unwrap())
        .sum();
    assert_eq!(passed, 1, "{ops}");
    let events: Vec<(jiff::Timestamp, corridor_clearance::Event)> = s
        .export()
        .await
        .unwrap()
        .entries
        .iter()
        .filter_map(|e| {
            corridor_clearance::Event::from_log_event(&e.event)
                .unwrap()
                .map(|ev| (e.time, ev))
        })
        .collect();
    let core = corridor_clearance::operations(
        &corridor_clearance::CorridorConfig::bsgi().unwrap(),
        jiff::tz::TimeZone::get("Europe/Istanbul").unwrap(),
        events.iter().map(|(t, e)| (*t, e)),
    )
    .unwrap();
    assert_eq!(ops, serde_json::to_value(&core).unwrap());
    // As open data: a row a month, the header naming each column.
    let (st, kind, csv) = get_text(&app, "/operations?format=csv").await;
    assert_eq!(
        (st, kind.as_str()),
        (StatusCode::OK, "text/csv; charset=utf-8")
    );
    let mut rows = csv.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    assert_eq!(header.len(), 23, "{csv}");
    let rows: Vec<Vec<&str>> = rows.map(|r| r.split(',').collect()).collect();
    assert_eq!(rows.len(), months.len(), "{csv}");
    for (row, month) in rows.iter().zip(months) {
        assert_eq!(row.len(), header.len(), "{csv}");
        for (name, cell) in header.iter().zip(row) {
            let want = match *name {
                "time_zone" => ops["time_zone"].clone(),
                "month" => month["month"].clone(),
                n if n.starts_with("inspections_") => {
                    month["inspections"][n.trim_start_matches("inspections_")].clone()
                }
                n => match [
                    "days_to_clear",
                    "days_waiting_for_inspection",
                    "days_in_inspection_area",
                ]
                .into_iter()
                .find(|d| n.starts_with(d) && n != *d)
                {
                    Some(d) => month[d][&n[d.len() + 1..]].clone(),
                    None => month[n].clone(),
                },
            };
            let want = match want {
                Value::String(s) => s,
                Value::Null => String::new(),
                Value::Number(n) if n.is_f64() => format!("{:.2}", n.as_f64().unwrap()),
                v => v.to_string(),
            };
            assert_eq!(*cell, want, "{name} of {}", month["month"]);
        }
    }
    let (st, body) = call(&app, "GET", "/operations?format=xml", None, None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("format"),
        "{body}"
    );

    // Lists: each agent sees only their company's applications.
    let (_, list) = call(&app, "GET", "/applications", Some(&agent[0]), None).await;
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [a.as_str(), d.as_str()]);
    let (_, list) = call(&app, "GET", "/applications", Some(&del["UN"]), None).await;
    assert_eq!(list.as_array().unwrap().len(), 5);

    // Checkpoint, inclusion and consistency proofs.
    let (st, cp1) = call(&app, "GET", "/log/checkpoint", None, None).await;
    assert_eq!(st, StatusCode::OK);
    let size1 = cp1["size"].as_u64().unwrap();
    hours(1);
    let (st, _) = call(
        &app,
        "POST",
        "/applications",
        Some(&agent[2]),
        Some(&json!({"content": content(eta(&s), "9221449")})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, cp2) = call(&app, "GET", "/log/checkpoint", None, None).await;
    let size2 = cp2["size"].as_u64().unwrap();
    assert_eq!(size2, size1 + 1);
    // One stored checkpoint per size, however often the head is asked for
    // (server review 2: every anonymous GET wrote a row).
    let stored = s.db().checkpoints().await.unwrap().len();
    for _ in 0..3 {
        let (_, again) = call(&app, "GET", "/log/checkpoint", None, None).await;
        assert_eq!(again["root"], cp2["root"]);
    }
    assert_eq!(s.db().checkpoints().await.unwrap().len(), stored);
    let root = |v: &Value, k: &str| Hash::from_hex(v[k].as_str().unwrap()).unwrap();
    let (st, cons) = call(
        &app,
        "GET",
        &format!("/log/consistency?first={size1}&second={size2}"),
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{cons}");
    let proof: Vec<Hash> = serde_json::from_value(cons["proof"].clone()).unwrap();
    corridor_ledger::merkle::verify_consistency(
        size1,
        size2,
        &proof,
        &root(&cp1, "root"),
        &root(&cp2, "root"),
    )
    .unwrap();
    let (st, inc) = call(
        &app,
        "GET",
        &format!("/log/entries/7/proof?size={size2}"),
        Some(&del["TR"]),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{inc}");
    let proof: Vec<Hash> = serde_json::from_value(inc["proof"].clone()).unwrap();
    let leaf = root(&inc, "leaf_hash");
    corridor_ledger::merkle::verify_inclusion(7, size2, &leaf, &proof, &root(&cp2, "root"))
        .unwrap();
    let (st, _) = call(
        &app,
        "GET",
        "/log/consistency?first=9&second=99999",
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);

    // The export verifies independently of the service; so does the database.
    let (st, export) = call(&app, "GET", "/log/export", Some(&coord), None).await;
    assert_eq!(st, StatusCode::OK);
    let export: LogExport = serde_json::from_value(export).unwrap();
    let summary = verify_export(&export).unwrap();
    assert_eq!(summary.size, size2);
    assert_eq!(
        summary.signatures,
        4 + 5 + 1 + 1 + 1,
        "the release is signed too"
    );
    let report = corridor_clearance_service::verify::verify_database(s.db(), Some(s.config()))
        .await
        .unwrap();
    assert_eq!(report.size, size2);

    // A restarted service replays the same state from the database.
    let restarted = corridor_clearance_service::Service::with_db(
        s.db().clone(),
        s.config().clone(),
        s.clock().clone(),
    )
    .await
    .unwrap();
    assert_eq!(restarted.clearance().await, s.clearance().await);
}

async fn futures_tokens(app: &axum::Router, users: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for u in users {
        out.push(login(app, u).await);
    }
    out
}

#[tokio::test]
async fn a_second_writer_is_read_before_a_write_and_within_seconds() {
    // An operator review (session 21): a key `corridor keys rotate` gave a
    // party on the live database was refused as unknown until the server
    // restarted, and a second server's entries were unseen until its own
    // next write failed with a conflict.
    let dir = tempfile::tempdir().unwrap();
    let a = sqlite_service(&dir, "2022-08-01T08:00:00Z").await;
    // Another process on the same database (e.g. `corridor keys rotate`).
    let b = corridor_clearance_service::Service::with_db(
        a.db().clone(),
        a.config().clone(),
        a.clock().clone(),
    )
    .await
    .unwrap();
    let admin = corridor_clearance::Actor::new("cli:keys", corridor_clearance::Role::Admin);
    let keys = keys();
    b.register_key(&admin, "UA", key_of(&keys, "UA").public_key(), None)
        .await
        .unwrap();
    // A write reads the other's entry first: no conflict, and it counts.
    a.register_key(&admin, "RU", key_of(&keys, "RU").public_key(), None)
        .await
        .unwrap();
    assert_eq!(a.entries().await.len(), 2);
    assert!(
        a.keys().await.latest_key("UA").is_some(),
        "b's key unknown to a"
    );
    let report = corridor_clearance_service::verify::verify_database(a.db(), None)
        .await
        .unwrap();
    assert_eq!(report.size, 2);
    // A reader (b, which wrote nothing since) sees a's entry within seconds.
    for _ in 0..100 {
        if b.entries().await.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(b.entries().await.len(), 2, "b never read a's entry");
    assert!(b.keys().await.latest_key("RU").is_some());
    // A stored log that lost entries is refused, not read as the truth.
    a.db()
        .execute_raw("DROP TRIGGER clearance_log_no_delete")
        .await
        .unwrap();
    a.db()
        .execute_raw("DELETE FROM clearance_log WHERE seq = 1")
        .await
        .unwrap();
    let err = a
        .register_key(&admin, "TR", key_of(&keys, "TR").public_key(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, corridor_clearance_service::ServiceError::Tampered(_)),
        "{err}"
    );
}

/// The form asks the server while it is filled: the rules applied to
/// unsaved content, nothing stored, every reason named.
#[tokio::test]
async fn issue_7_eligibility_dry_run_on_unsaved_content() {
    let (_dir, s, app) = served("2022-08-01T08:00:00Z").await;
    let now = s.clock().now();
    let codes = |body: &Value| -> Vec<String> {
        body["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_string())
            .collect()
    };
    let dry_run = |c: Value| {
        let app = app.clone();
        async move {
            call(
                &app,
                "POST",
                "/eligibility",
                None,
                Some(&json!({ "content": c })),
            )
            .await
        }
    };

    // Too little notice and a parcel of barley under the minimum; documents not yet attached.
    let mut c =
        serde_json::to_value(content(now + SignedDuration::from_hours(2), "9074729")).unwrap();
    c["cargo"] =
        json!([{"commodity": "wheat", "tonnes": 30000}, {"commodity": "barley", "tonnes": 10}]);
    let (st, body) = dry_run(c.clone()).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["eligible"], false);
    let got = codes(&body);
    assert_eq!(got[0], "notice_too_short", "{body}");
    assert!(got.contains(&"parcel_too_small".to_string()), "{body}");
    assert!(got.contains(&"document".to_string()), "{body}");
    assert!(
        body["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .contains("h are required")
    );

    // Enough notice, one parcel: only the documents remain.
    c["eta_inspection_area"] = json!((now + SignedDuration::from_hours(96)).to_string());
    c["cargo"] = json!([{"commodity": "wheat", "tonnes": 30000}]);
    let (_, body) = dry_run(c.clone()).await;
    assert!(codes(&body).iter().all(|c| c == "document"), "{body}");

    // Malformed content names the field; nothing was stored.
    c["cargo"][0]["tonnes"] = json!("lots");
    let (st, body) = dry_run(c).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"].as_str().unwrap().contains("cargo"),
        "{body}"
    );
    assert!(
        s.entries()
            .await
            .iter()
            .all(|e| e.event["type"] != "application_created")
    );
}
