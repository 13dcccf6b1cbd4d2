//! Configuration, the authorisation matrix, and eligibility, each driven by a
//! table through one `check` helper.

mod common;

use common::*;
use corridor_clearance::application::*;
use corridor_clearance::config::*;
use corridor_clearance::eligibility::*;
use corridor_clearance::roles::*;
use jiff::ToSpan;

#[test]
fn shipped_configurations() {
    let b = CorridorConfig::bsgi().expect("bsgi");
    assert_eq!(
        b.party_codes().collect::<Vec<_>>(),
        ["RU", "TR", "UA", "UN"]
    );
    assert_eq!(b.consensus, ConsensusRule::Unanimity);
    assert_eq!(b.eligibility.min_notice_hours, 44);
    assert_eq!(b.eligibility.banned_port_calls[0].locodes.len(), 5);
    let u = CorridorConfig::unvim().expect("unvim");
    assert_eq!(u.parties.len(), 1);
    assert_eq!(u.eligibility.min_notice_hours, 5 * 24);
    assert_eq!(u.documents.required.len(), 16);
    assert_eq!(u.documents.max_file_bytes, 20 * 1024 * 1024);
}

/// The review of finding 66's fix: an UNVIM voyage whose itinerary named
/// Jeddah after Hodeidah was taken as bound out, and sailed into Hodeidah
/// uninspected with no alert. Every UNVIM voyage is bound in; a Black Sea
/// voyage is bound in only towards one of its ports.
#[test]
fn which_voyages_are_bound_in() {
    let it = |port: &str, from: &str, to: &str| Itinerary {
        port: port.into(),
        from_port: from.into(),
        to_port: to.into(),
        destination_country: "XX".into(),
    };
    let (b, u) = (
        CorridorConfig::bsgi().expect("bsgi"),
        CorridorConfig::unvim().expect("unvim"),
    );
    assert!(b.bound_in(&it("UAODS", "TRIST", "UAODS")));
    assert!(!b.bound_in(&it("UAODS", "UAODS", "EGALY")));
    assert!(!b.bound_in(&it("UAODS", "TRIST", "EGALY")));
    assert!(u.inbound_only && !b.inbound_only);
    assert!(u.bound_in(&it("YEHOD", "DJJIB", "SAJED")));
    assert!(u.bound_in(&it("YEHOD", "DJJIB", "YEHOD")));
}

#[test]
fn invalid_configurations_are_refused() {
    fn check(edit: impl FnOnce(String) -> String, expected: &str) {
        let text = edit(BSGI_TOML.to_string());
        let got = CorridorConfig::from_toml(&text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(got.contains(expected), "expected {expected:?}, got {got:?}");
    }
    check(
        |s| s.replace("rule = \"unanimity\"", "rule = \"quorum\"\napprovals = 5"),
        "quorum of 5",
    );
    check(
        |s| s.replace("rule = \"unanimity\"", "rule = \"quorum\"\napprovals = 0"),
        "quorum of 0",
    );
    check(
        |s| s.replace("code = \"TR\"", "code = \"RU\""),
        "listed twice",
    );
    check(
        |s| {
            s.replace(
                "decision_deadline_hours = 24",
                "decision_deadline_hours = 0",
            )
        },
        "must be positive",
    );
    check(
        |s| s.replace("max_versions_per_kind = 10", "max_versions_per_kind = 0"),
        "documents.max_versions_per_kind must be positive",
    );
    check(
        |s| s.replace("min_notice_hours = 44", "min_notice_hours = \"44\""),
        "does not parse",
    );
    check(|s| s + "\nunexpected = 1\n", "does not parse");
    let q = CorridorConfig::from_toml(
        &BSGI_TOML.replace("rule = \"unanimity\"", "rule = \"quorum\"\napprovals = 3"),
    )
    .expect("quorum");
    assert_eq!(q.consensus, ConsensusRule::Quorum { approvals: 3 });
}

#[test]
fn authorisation_matrix() {
    use Action::*;
    let atlas = agent("atlas");
    let ua = delegate("UA");
    let public = Actor::new("anon", Role::Public);
    let admin = Actor::new("admin", Role::Admin);
    let system = Actor::new("system", Role::System);
    let own = Resource::Application { company: "atlas" };
    let other = Resource::Application { company: "boreas" };
    let ua_decision = Resource::Decision {
        party: "UA",
        company: "atlas",
    };
    let ru_decision = Resource::Decision {
        party: "RU",
        company: "atlas",
    };

    let check = |actor: &Actor,
                 action: Action,
                 resource: Resource<'_>,
                 expected: Result<(), DenyReason>| {
        let got = can(actor, action, resource).map_err(|d| d.reason);
        assert_eq!(got, expected, "{:?} {action:?} {resource:?}", actor.role);
        if let Err(d) = can(actor, action, resource) {
            assert_eq!(d.to_string(), "not permitted", "refusals say nothing more");
        }
    };
    let ok = Ok(());
    let role = Err(DenyReason::Role);
    // Agents: their own company's applications only.
    for a in [
        CreateApplication,
        EditApplication,
        SubmitApplication,
        WithdrawApplication,
        ReadApplication,
        ReadApplicationStatus,
    ] {
        check(&atlas, a, own, ok);
        check(&atlas, a, other, Err(DenyReason::OtherCompany));
    }
    for a in [
        Decide,
        ReleaseHold,
        StartReview,
        ScheduleInspection,
        RecordInspection,
        RecordMovement,
        SuspendCorridor,
        ManageUsers,
        ReadLog,
    ] {
        let r = if matches!(a, Decide | ReleaseHold) {
            ua_decision
        } else if matches!(a, SuspendCorridor | ReadLog) {
            Resource::Corridor
        } else if a == ManageUsers {
            Resource::Users
        } else {
            own
        };
        check(&atlas, a, r, role);
    }
    // Delegates: read all, decide for their own party only.
    check(&ua, ReadApplication, other, ok);
    check(&ua, Decide, ua_decision, ok);
    check(&ua, Decide, ru_decision, Err(DenyReason::OtherParty));
    check(&ua, ReleaseHold, ru_decision, Err(DenyReason::OtherParty));
    check(&ua, ManagePartyKeys, Resource::Party { party: "UA" }, ok);
    check(
        &ua,
        ManagePartyKeys,
        Resource::Party { party: "RU" },
        Err(DenyReason::OtherParty),
    );
    check(&ua, EditApplication, own, role);
    check(&ua, SuspendCorridor, Resource::Corridor, role);
    // Inspectors, coordinators, admins, the system.
    check(&inspector(), RecordInspection, own, ok);
    check(&inspector(), Decide, ua_decision, role);
    check(&coordinator(), SuspendCorridor, Resource::Corridor, ok);
    check(&coordinator(), ResumeCorridor, Resource::Corridor, ok);
    check(&coordinator(), AcknowledgeAlert, Resource::Corridor, ok);
    check(&ua, AcknowledgeAlert, Resource::Corridor, role);
    check(&inspector(), AcknowledgeAlert, Resource::Corridor, role);
    check(&atlas, AcknowledgeAlert, Resource::Corridor, role);
    check(&public, AcknowledgeAlert, Resource::Corridor, role);
    check(&coordinator(), DeclareStoppage, Resource::Corridor, ok);
    for who in [&ua, &inspector(), &atlas, &public, &admin] {
        check(who, DeclareStoppage, Resource::Corridor, role);
    }
    check(&coordinator(), ScheduleInspection, other, ok);
    check(&coordinator(), Decide, ua_decision, role);
    check(&coordinator(), EditApplication, own, role);
    check(&admin, ManageUsers, Resource::Users, ok);
    check(&admin, ManagePartyKeys, Resource::Party { party: "RU" }, ok);
    check(&admin, ReadApplication, own, role);
    // Nor through the log, which holds every application (hostile review, 2026-11-30).
    check(&admin, ReadLog, Resource::Corridor, role);
    check(&admin, Decide, ua_decision, role);
    check(&system, ExpireApplication, own, ok);
    check(&system, Decide, ua_decision, role);
    // The public: checkpoints and accountability only.
    check(&public, ReadCheckpoint, Resource::Corridor, ok);
    check(&public, ReadAccountability, Resource::Corridor, ok);
    for a in [
        ReadApplication,
        ReadApplicationStatus,
        CreateApplication,
        Decide,
        ReadLog,
        ListApplications,
    ] {
        let r = if a == Decide {
            ua_decision
        } else if matches!(a, ReadLog | ListApplications) {
            Resource::Corridor
        } else {
            own
        };
        check(&public, a, r, role);
    }
    // Wrong resource kinds are refused, never widened.
    check(&ua, Decide, own, Err(DenyReason::WrongResource));
    check(
        &atlas,
        ReadApplication,
        Resource::Corridor,
        Err(DenyReason::WrongResource),
    );
}

fn codes(r: Result<(), Vec<Ineligibility>>) -> Vec<String> {
    match r {
        Ok(()) => vec![],
        Err(v) => v
            .iter()
            .map(|i| {
                serde_json::to_value(i)
                    .ok()
                    .and_then(|j| j["code"].as_str().map(String::from))
                    .unwrap_or_default()
            })
            .collect(),
    }
}

#[test]
fn eligibility_rules() {
    let submitted = t("2022-11-10T08:00:00Z");
    let b = bsgi();
    let check =
        |config: &CorridorConfig, edit: &dyn Fn(&mut ApplicationContent), expected: &[&str]| {
            let mut c = content("9000015", submitted + 72.hours());
            edit(&mut c);
            let got = codes(check_eligibility(&c, config, submitted));
            assert_eq!(got, expected, "{c:?}");
        };
    check(&b, &|_| {}, &[]);
    // Review of open finding 22: the vessel's IMO number is checked (seven
    // digits and the check digit), as tracking's identity check goes by it.
    check(&b, &|c| c.vessel.imo = "IMO 9000015".into(), &[]);
    for bad in ["9000016", "900001", "", "IMO"] {
        check(&b, &|c| c.vessel.imo = bad.into(), &["invalid_imo"]);
    }
    // Notice period: 44 h for the Black Sea.
    check(&b, &|c| c.eta_inspection_area = submitted + 44.hours(), &[]);
    check(
        &b,
        &|c| c.eta_inspection_area = submitted + 43.hours() + 59.minutes(),
        &["notice_too_short"],
    );
    // Cargo: allowed categories, unknown commodities, minimum parcel.
    check(&b, &|c| c.cargo[0].commodity = "sunflower_oil".into(), &[]);
    check(&b, &|c| c.cargo[0].commodity = "urea".into(), &[]);
    check(
        &b,
        &|c| c.cargo[0].commodity = "steel".into(),
        &["cargo_not_allowed"],
    );
    check(
        &b,
        &|c| c.cargo[0].commodity = "tanks".into(),
        &["unknown_commodity"],
    );
    check(&b, &|c| c.cargo[0].tonnes = 24_999, &["parcel_too_small"]);
    check(&b, &|c| c.cargo.clear(), &["no_cargo"]);
    // Hostile review (2026-11-30): a blank name, no flag, 0 t deadweight,
    // u64::MAX t of cargo, 4 billion crew, country "ZZ" and a port call
    // leaving before it arrived were submitted and put before the parties.
    check(&b, &|c| c.vessel.name = "   ".into(), &["implausible"]);
    check(&b, &|c| c.vessel.flag = "".into(), &["implausible"]);
    check(&b, &|c| c.vessel.flag = "Panama".into(), &["implausible"]);
    check(
        &b,
        &|c| c.itinerary.destination_country = "ZZ".into(),
        &["implausible"],
    );
    check(&b, &|c| c.vessel.deadweight_tonnes = 0, &["implausible"]);
    check(&b, &|c| c.cargo[0].tonnes = u64::MAX, &["implausible"]);
    check(&b, &|c| c.crew_count = u32::MAX, &["implausible"]);
    check(&b, &|c| c.crew_count = 0, &["implausible"]);
    // Port calls: (arrived, departed) in hours from submission, and whether refused.
    for (arrived, departed, refused) in [
        (0, -1, true),   // leaves before it arrives
        (0, 100, true),  // leaves after the ETA at the inspection area (72 h)
        (-10, 6, false), // still in its last port when the agent applies: fine
    ] {
        check(
            &b,
            &|c| {
                c.last_port_calls.push(PortCall {
                    locode: "TRIST".into(),
                    arrived: submitted + arrived.hours(),
                    departed: submitted + departed.hours(),
                })
            },
            if refused { &["implausible"] } else { &[] },
        );
    }
    let said = check_eligibility(
        &{
            let mut c = content("9000015", submitted + 72.hours());
            c.cargo[0].tonnes = c.vessel.deadweight_tonnes + 1;
            c
        },
        &b,
        submitted,
    )
    .unwrap_err()[0]
        .to_string();
    assert!(
        said.starts_with("cargo: ") && said.contains("more than the vessel's deadweight"),
        "{said}"
    );
    // Port calls: Crimean ports since 2014 are refused; before 2014 or elsewhere are fine.
    let call = |locode: &str, when: &str| PortCall {
        locode: locode.into(),
        arrived: t(when) - 24.hours(),
        departed: t(when),
    };
    check(
        &b,
        &|c| {
            c.last_port_calls
                .push(call("UASVP", "2019-05-01T00:00:00Z"))
        },
        &["banned_port_call"],
    );
    check(
        &b,
        &|c| {
            c.last_port_calls
                .push(call("uakeh", "2014-03-01T00:00:00Z"))
        },
        &["banned_port_call"],
    );
    check(
        &b,
        &|c| {
            c.last_port_calls
                .push(call("UASVP", "2013-06-01T00:00:00Z"))
        },
        &[],
    );
    check(
        &b,
        &|c| {
            c.last_port_calls
                .push(call("UAODS", "2022-10-01T00:00:00Z"))
        },
        &[],
    );
    check(
        &b,
        &|c| {
            c.last_port_calls = (0..11)
                .map(|_| call("TRIST", "2022-01-01T00:00:00Z"))
                .collect()
        },
        &["too_many_port_calls"],
    );
    // Port and documents.
    check(
        &b,
        &|c| c.itinerary.port = "RUNVS".into(),
        &["unknown_port"],
    );
    check(
        &b,
        &|c| {
            c.documents.remove(0);
        },
        &["document"],
    );
    check(
        &b,
        &|c| c.documents[0].size_bytes = 30_000_000,
        &["document"],
    );
    check(
        &b,
        &|c| c.documents.push(doc("love_letter", 10)),
        &["document"],
    );
    // Several problems are all reported.
    check(
        &b,
        &|c| {
            c.eta_inspection_area = submitted + 1.hours();
            c.cargo[0].commodity = "steel".into();
        },
        &["notice_too_short", "cargo_not_allowed"],
    );

    // UNVIM: five days' notice and its own checklist.
    let u = CorridorConfig::unvim().expect("unvim");
    let unvim_content = |eta_hours: i64| {
        let mut c = content("9000091", submitted + eta_hours.hours());
        c.itinerary.port = "YEHOD".into();
        c.documents = u.documents.required.iter().map(|k| doc(k, 1000)).collect();
        c
    };
    assert_eq!(
        codes(check_eligibility(&unvim_content(120), &u, submitted)),
        Vec::<String>::new()
    );
    assert_eq!(
        codes(check_eligibility(&unvim_content(119), &u, submitted)),
        ["notice_too_short"]
    );
    let msg = check_eligibility(&unvim_content(100), &u, submitted).unwrap_err()[0].to_string();
    assert_eq!(
        msg,
        "submitted 100 h before arrival at the inspection area; at least 120 h are required"
    );
}

#[test]
fn documents_checklist_and_uploads() {
    let b = bsgi();
    assert!(check_upload("crew.pdf", 1000, &b).is_ok());
    assert!(matches!(
        check_upload("huge.pdf", 20 * 1024 * 1024 + 1, &b),
        Err(DocumentProblem::TooLarge { .. })
    ));
    assert!(matches!(
        check_upload("empty.pdf", 0, &b),
        Err(DocumentProblem::Empty { .. })
    ));
    assert_eq!(
        check_upload("huge.pdf", 20 * 1024 * 1024 + 1, &b)
            .unwrap_err()
            .to_string(),
        "document huge.pdf is 20971521 bytes, the limit is 20971520 (20 MiB)"
    );
    let mut c = content("9000015", t("2022-11-10T08:00:00Z"));
    c.documents.retain(|d| d.kind != "crew_list");
    assert_eq!(
        check_documents(&c, &b),
        [DocumentProblem::Missing {
            kind: "crew_list".into()
        }]
    );
}

#[test]
fn content_hash_is_canonical_and_sensitive() {
    let c = content("9000015", t("2022-11-10T08:00:00Z"));
    let h = c.content_hash().expect("hash");
    let json = serde_json::to_string(&c).expect("json");
    let back: ApplicationContent = serde_json::from_str(&json).expect("parse");
    assert_eq!(back.content_hash().expect("hash"), h);
    let mut d = c.clone();
    d.crew_count += 1;
    assert_ne!(d.content_hash().expect("hash"), h);
    // Unknown members are refused rather than silently dropped from the hash.
    let mut v: serde_json::Value = serde_json::from_str(&json).expect("value");
    v["vessel"]["extra"] = serde_json::json!(1);
    assert!(serde_json::from_value::<ApplicationContent>(v).is_err());
}

/// Uploads are told apart by content, not by name: what the parties can
/// open is accepted, anything else is refused saying what it looks like.
/// (`virus.exe` was once accepted as a port entry request.)
#[test]
fn uploads_are_documents_by_content() {
    let mut docx = b"PK\x03\x04".to_vec();
    docx.resize(30, 0);
    docx.extend_from_slice(b"[Content_Types].xml rest of the part");
    let mut zip = b"PK\x03\x04".to_vec();
    zip.resize(30, 0);
    zip.extend_from_slice(b"payload.bin");
    let cases: [(&[u8], Result<DocumentType, &str>); 13] = [
        (b"%PDF-1.7\n", Ok(DocumentType::Pdf)),
        (b"\x89PNG\r\n\x1a\n\0\0", Ok(DocumentType::Png)),
        (&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], Ok(DocumentType::Jpeg)),
        (b"II*\0\x08\0", Ok(DocumentType::Tiff)),
        (b"MM\0*\0\0", Ok(DocumentType::Tiff)),
        (&docx, Ok(DocumentType::OfficeOpenXml)),
        (&zip, Err("a zip archive")),
        (b"MZ\x90\0\x03", Err("a Windows program")),
        (b"\x7fELF\x02\x01", Err("a Linux program")),
        (b"#!/bin/sh\nrm -rf /", Err("a script")),
        (b"  <html><script>", Err("HTML or XML")),
        (b"crew list, typed", Err("plain text")),
        (&[0, 1, 2, 0xFE], Err("not recognised")),
    ];
    for (bytes, want) in cases {
        assert_eq!(document_type(bytes), want, "{bytes:?}");
    }
    assert_eq!(
        check_content("virus.exe", b"MZ\x90\0")
            .unwrap_err()
            .to_string(),
        "document virus.exe is not a PDF, PNG, JPEG, TIFF, DOCX or XLSX file: its content is a Windows program"
    );
}

proptest::proptest! {
    /// Any bytes get an answer, never a panic.
    #[test]
    fn any_upload_is_judged(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
        let _ = document_type(&bytes);
    }
}
