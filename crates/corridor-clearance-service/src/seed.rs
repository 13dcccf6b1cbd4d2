//! `corridor seed demo`: a realistic slice of a BSGI season, played through
//! the service (so every entry is a real, verified log entry).
//!
//! DEMO ONLY: the seed generates the four parties' private keys and writes
//! them to the directory it is given, so the demo can sign. In production
//! the server never holds a party's private key: each delegation makes its
//! own (`corridor keys new`) and publishes only the public key.
//! Every demo user's password is [`DEMO_PASSWORD`].

use std::path::Path;
use std::sync::Arc;

use corridor_clearance::{
    Actor, ApplicationContent, CargoLine, Command, CorridorConfig, Itinerary, PortCall, Readiness,
    Role, Vessel,
};
use corridor_ledger::{DecisionKind, DecisionPayload, SecretKey};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::error::ServiceError;
use crate::service::{Clock, Service};

/// Password of every demo user (demo only).
pub const DEMO_PASSWORD: &str = "corridor-demo";

/// The demo's companies (agent user name, company).
pub const AGENTS: [(&str, &str); 3] = [
    ("agent-navistar", "Navi-Star Shipping"),
    ("agent-aegean", "Aegean Bulk Carriers"),
    ("agent-danube", "Danube Grain Lines"),
];

/// What the seed made.
#[derive(Debug, Clone, Serialize)]
pub struct SeedSummary {
    /// Log entries written.
    pub entries: usize,
    /// Applications.
    pub applications: usize,
    /// Users (name, role).
    pub users: Vec<(String, String)>,
    /// Where the party keys were written.
    pub keys_dir: String,
}

fn t(s: &str) -> Result<Timestamp, ServiceError> {
    s.parse()
        .map_err(|e| ServiceError::Internal(format!("seed time {s}: {e}")))
}

fn io(e: std::io::Error) -> ServiceError {
    ServiceError::Internal(format!("writing keys: {e}"))
}

/// A plausible grain voyage from Odesa/Chornomorsk/Pivdennyi.
fn content(n: u32, eta: Timestamp) -> ApplicationContent {
    // One vessel per application: a vessel is in one live application at a time.
    const VESSELS: [(&str, &str, &str); 10] = [
        ("9209790", "NAVI STAR", "PA"),
        ("9419072", "RAZONI", "SL"),
        ("9301342", "BRAVE COMMANDER", "LR"),
        ("9375616", "POLARNET", "TR"),
        ("9612612", "ROJEN", "MT"),
        ("9221449", "SACURA", "MT"),
        ("9504798", "KARADENIZ POWERSHIP", "LR"),
        ("9584516", "MARIA", "MT"),
        ("9284544", "SSI AVENGER", "MH"),
        ("9799783", "SEA COMMANDER", "MT"),
    ];
    const PORTS: [&str; 3] = ["UAODS", "UAILK", "UAYUZ"];
    const CARGO: [(&str, u64); 4] = [
        ("corn", 26_000),
        ("wheat", 30_000),
        ("sunflower_meal", 12_000),
        ("barley", 27_500),
    ];
    let i = n as usize;
    let (imo, name, flag) = VESSELS[i % VESSELS.len()];
    let (commodity, tonnes) = CARGO[i % CARGO.len()];
    let call = |days: i64, locode: &str| PortCall {
        locode: locode.to_string(),
        arrived: eta
            .checked_sub(SignedDuration::from_hours(24 * days + 48))
            .unwrap_or(eta),
        departed: eta
            .checked_sub(SignedDuration::from_hours(24 * days))
            .unwrap_or(eta),
    };
    ApplicationContent {
        vessel: Vessel {
            imo: imo.to_string(),
            name: name.to_string(),
            flag: flag.to_string(),
            mmsi: None,
            deadweight_tonnes: 35_000 + 1_000 * u64::from(n),
        },
        itinerary: Itinerary {
            port: PORTS[i % PORTS.len()].to_string(),
            from_port: "TRIST".to_string(),
            to_port: ["EGALY", "ESBCN", "CNTXG", "NLRTM"][i % 4].to_string(),
            destination_country: ["EG", "ES", "CN", "NL"][i % 4].to_string(),
        },
        cargo: vec![CargoLine {
            commodity: commodity.to_string(),
            tonnes,
        }],
        crew_count: 19 + n % 5,
        passenger_count: 0,
        last_port_calls: vec![call(6, "TRIST"), call(20, "EGALY")],
        eta_inspection_area: eta,
        documents: Vec::new(),
        wfp: false,
        perishable: false,
    }
}

/// A vessel of the demo's simulated AIS feed, seeded as an approved
/// application declaring its MMSI: tracking's arrival at the inspection
/// area then sets its place in the queue, live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedVessel {
    /// IMO number.
    pub imo: u32,
    /// Name.
    pub name: String,
    /// MMSI, as its AIS sends it.
    pub mmsi: u32,
    /// The corridor port it loads at, or sails to when `inbound`.
    pub port: String,
    /// Sailing to the port (inbound inspection) rather than from it.
    pub inbound: bool,
}

struct Season {
    s: Arc<Service>,
    keys: Vec<(String, SecretKey)>,
    coordinator: Actor,
}

impl Season {
    fn delegate(&self, party: &str) -> Actor {
        Actor::new(
            &format!("user:{}-delegate", party.to_lowercase()),
            Role::Delegate {
                party: party.to_string(),
            },
        )
    }

    fn advance(&self, hours: i64) {
        self.s.clock().advance(SignedDuration::from_hours(hours));
    }

    fn agent(&self, agent: usize) -> Actor {
        let (user, company) = AGENTS[agent % AGENTS.len()];
        Actor::new(
            &format!("user:{user}"),
            Role::Agent {
                company: company.to_string(),
            },
        )
    }

    /// The agent declares the vessel ready for inspection.
    async fn ready(&self, agent: usize, id: &str) -> Result<(), ServiceError> {
        self.s
            .execute(
                &self.agent(agent),
                Command::DeclareReadiness {
                    application_id: id.to_string(),
                    readiness: Readiness {
                        holds_ventilated: true,
                        gas_free: true,
                        testing_equipment_aboard: true,
                        documents_complete: true,
                        note: Some(
                            "Holds ventilated 48 h after fumigation; readings attached".into(),
                        ),
                    },
                },
            )
            .await?;
        Ok(())
    }

    async fn draft(&self, agent: usize, n: u32) -> Result<String, ServiceError> {
        self.draft_with(agent, n, false).await
    }

    async fn draft_with(&self, agent: usize, n: u32, wfp: bool) -> Result<String, ServiceError> {
        self.draft_vessel(agent, n, wfp, None).await
    }

    /// A draft for application `n`, as `vessel` if given.
    async fn draft_vessel(
        &self,
        agent: usize,
        n: u32,
        wfp: bool,
        vessel: Option<&TrackedVessel>,
    ) -> Result<String, ServiceError> {
        let company = AGENTS[agent % AGENTS.len()].1;
        let actor = self.agent(agent);
        let eta = self
            .s
            .now()
            .await
            .checked_add(SignedDuration::from_hours(72))
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let ev = self
            .s
            .execute(
                &actor,
                Command::CreateDraft {
                    company: company.to_string(),
                    content: {
                        let mut c = ApplicationContent {
                            wfp,
                            ..content(n, eta)
                        };
                        if let Some(v) = vessel {
                            c.vessel.imo = v.imo.to_string();
                            c.vessel.name = v.name.clone();
                            c.vessel.mmsi = Some(v.mmsi.to_string());
                            c.itinerary.port = v.port.clone();
                            if v.inbound {
                                c.itinerary.to_port = v.port.clone();
                                c.itinerary.destination_country = "UA".into();
                            }
                        }
                        c
                    },
                },
            )
            .await?;
        let id = ev.application_id().unwrap_or_default().to_string();
        let required = self.s.config().documents.required.clone();
        for kind in required {
            let title = kind.replace('_', " ");
            let body = demo_pdf(&[
                &title,
                &format!("Application {id}"),
                "corridor demo document",
            ]);
            self.s
                .attach_document(&actor, &id, &kind, &format!("{kind}.pdf"), body)
                .await?;
        }
        Ok(id)
    }

    async fn submit_and_review(&self, agent: usize, n: u32) -> Result<String, ServiceError> {
        self.submit_and_review_with(agent, n, false).await
    }

    async fn submit_and_review_with(
        &self,
        agent: usize,
        n: u32,
        wfp: bool,
    ) -> Result<String, ServiceError> {
        self.submit_and_review_vessel(agent, n, wfp, None).await
    }

    async fn submit_and_review_vessel(
        &self,
        agent: usize,
        n: u32,
        wfp: bool,
        vessel: Option<&TrackedVessel>,
    ) -> Result<String, ServiceError> {
        let id = self.draft_vessel(agent, n, wfp, vessel).await?;
        let actor = self.agent(agent);
        self.s
            .execute(
                &actor,
                Command::Submit {
                    application_id: id.clone(),
                },
            )
            .await?;
        self.advance(2);
        self.s
            .execute(
                &self.coordinator,
                Command::StartReview {
                    application_id: id.clone(),
                },
            )
            .await?;
        Ok(id)
    }

    async fn decide(
        &self,
        id: &str,
        party: &str,
        decision: DecisionKind,
    ) -> Result<(), ServiceError> {
        let key = &self
            .keys
            .iter()
            .find(|(p, _)| p == party)
            .ok_or_else(|| ServiceError::Internal(format!("no key for {party}")))?
            .1;
        let hash = self
            .s
            .clearance()
            .await
            .applications
            .get(id)
            .map(|a| a.content_hash)
            .ok_or_else(|| ServiceError::NotFound(id.into()))?;
        // The delegate signs on their side; here the demo plays the delegate.
        let release = decision == DecisionKind::Release;
        let signed = DecisionPayload {
            party: party.to_string(),
            application_id: id.to_string(),
            application_hash: hash,
            decision,
            time: self.s.now().await,
            key_id: key.key_id(),
        }
        .sign(key)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let application_id = id.to_string();
        let command = if release {
            Command::ReleaseHold {
                application_id,
                decision: signed,
            }
        } else {
            Command::Decide {
                application_id,
                decision: signed,
            }
        };
        self.s.execute(&self.delegate(party), command).await?;
        Ok(())
    }

    async fn approve_all(&self, id: &str, delays: [i64; 4]) -> Result<(), ServiceError> {
        for (party, hours) in ["UA", "UN", "TR", "RU"].into_iter().zip(delays) {
            self.advance(hours);
            self.decide(id, party, DecisionKind::Approve).await?;
        }
        Ok(())
    }
}

/// When the demo season starts by default: 20 Oct 2022, the month the
/// queue peaked (the suspension of 29 Oct - 2 Nov falls inside it).
pub const SEASON_START: &str = "2022-10-20T08:00:00Z";

/// How long the demo season runs (its last entry is about 15 days in).
pub const SEASON_DAYS: i64 = 16;

/// Seeds an empty clearance store at `url` with the demo season and writes
/// the parties' demo keys to `keys_dir` (`RU.key.pem`, `RU.pub.pem`, …).
pub async fn seed_demo(url: &str, keys_dir: &Path) -> Result<SeedSummary, ServiceError> {
    seed_demo_from(url, keys_dir, t(SEASON_START)?).await
}

/// [`seed_demo`], the season starting at `start` (every event keeps its
/// place in it): `corridor demo` ends it just before now, so the queue's
/// vessels have waited days, not years.
pub async fn seed_demo_from(
    url: &str,
    keys_dir: &Path,
    start: Timestamp,
) -> Result<SeedSummary, ServiceError> {
    seed_demo_tracked(url, keys_dir, start, &[]).await
}

/// [`seed_demo_from`], with `tracked` (vessels of a simulated feed) as
/// approved applications that declare their MMSIs, ready and waiting.
pub async fn seed_demo_tracked(
    url: &str,
    keys_dir: &Path,
    start: Timestamp,
    tracked: &[TrackedVessel],
) -> Result<SeedSummary, ServiceError> {
    let db = crate::db::open(url).await?;
    let config = CorridorConfig::bsgi().map_err(|e| ServiceError::Internal(e.to_string()))?;
    let service = Service::with_db(db, config, Clock::manual(start)).await?;
    seed_service_tracked(&service, keys_dir, tracked).await
}

/// [`seed_demo`] over an open service (its clock must be manual; the season
/// starts at its time).
pub async fn seed_service(
    service: &Arc<Service>,
    keys_dir: &Path,
) -> Result<SeedSummary, ServiceError> {
    seed_service_tracked(service, keys_dir, &[]).await
}

/// [`seed_service`], with `tracked` as in [`seed_demo_tracked`].
pub async fn seed_service_tracked(
    service: &Arc<Service>,
    keys_dir: &Path,
    tracked: &[TrackedVessel],
) -> Result<SeedSummary, ServiceError> {
    if !service.entries().await.is_empty() {
        return Err(ServiceError::Conflict(
            "the clearance log is not empty; seed an empty store".into(),
        ));
    }
    // Before anything is written: a folder that cannot take the keys left
    // the users created and the store unseedable again.
    keys_folder_is_free(keys_dir)?;
    let s = service.clone();
    let start = s.now().await;
    // A moment of the season, as days and hours after its start.
    let at = |days: i64, hours: i64| {
        start
            .checked_add(SignedDuration::from_hours(24 * days + hours))
            .map_err(|e| ServiceError::Internal(e.to_string()))
    };
    let mut users = Vec::new();
    let mut add = |name: &str, role: Role| {
        users.push((name.to_string(), role));
    };
    add("admin", Role::Admin);
    add("coordinator", Role::Coordinator);
    add("inspector", Role::Inspector);
    for p in PARTIES {
        add(
            &format!("{}-delegate", p.to_lowercase()),
            Role::Delegate {
                party: p.to_string(),
            },
        );
    }
    for (user, company) in AGENTS {
        add(
            user,
            Role::Agent {
                company: company.to_string(),
            },
        );
    }
    for (name, role) in &users {
        s.create_user(name, DEMO_PASSWORD, role).await?;
    }

    let admin = Actor::new("user:admin", Role::Admin);
    let mut keys = Vec::new();
    for p in PARTIES {
        let k = SecretKey::generate();
        let pem = k
            .to_pkcs8_pem()
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let public = k
            .public_key()
            .to_spki_pem()
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        write_private(&keys_dir.join(format!("{p}.key.pem")), &pem)?;
        std::fs::write(keys_dir.join(format!("{p}.pub.pem")), public).map_err(io)?;
        s.register_key(&admin, p, k.public_key(), None).await?;
        keys.push((p.to_string(), k));
    }

    let season = Season {
        s: s.clone(),
        keys,
        coordinator: Actor::new("user:coordinator", Role::Coordinator),
    };
    let hold = |code: &str, text: &str| DecisionKind::Hold {
        reason_code: code.into(),
        text: text.into(),
    };

    // 1-2: ordinary approvals, at different speeds.
    let a1 = season.submit_and_review(0, 0).await?;
    season.approve_all(&a1, [1, 2, 3, 9]).await?;
    let a2 = season.submit_and_review(1, 1).await?;
    season.approve_all(&a2, [2, 1, 4, 20]).await?;

    // 3: a hold for missing documents, released after an amendment brings them.
    let a3 = season.submit_and_review(2, 2).await?;
    season.advance(3);
    season
        .decide(
            &a3,
            "UA",
            hold(
                "DOCS_MISSING",
                "Gas-free certificate for holds 3 and 4 missing",
            ),
        )
        .await?;
    season.advance(5);
    let agent = Actor::new(
        "user:agent-danube",
        Role::Agent {
            company: AGENTS[2].1.to_string(),
        },
    );
    s.attach_document(
        &agent,
        &a3,
        "gas_free_certificate",
        "gas-free.pdf",
        demo_pdf(&[
            "gas free certificate",
            "holds 3 and 4",
            "corridor demo document",
        ]),
    )
    .await?;
    season.approve_all(&a3, [2, 3, 1, 6]).await?;

    // 4: a hold released by the party without an amendment.
    let a4 = season.submit_and_review(0, 3).await?;
    season.advance(4);
    season
        .decide(
            &a4,
            "RU",
            hold(
                "CREW_LIST",
                "Crew list does not match the registry certificate",
            ),
        )
        .await?;
    season.advance(7);
    season.decide(&a4, "RU", DecisionKind::Release).await?;
    season.approve_all(&a4, [1, 1, 2, 3]).await?;

    // 5: a rejection.
    let a5 = season.submit_and_review(1, 4).await?;
    season.advance(6);
    season
        .decide(
            &a5,
            "RU",
            DecisionKind::Reject {
                reason_code: "DESTINATION".into(),
                text: "Declared destination inconsistent with charter party".into(),
            },
        )
        .await?;

    // 6: withdrawn by the agent.
    let a6 = season.submit_and_review(2, 5).await?;
    season.advance(3);
    s.execute(
        &agent,
        Command::Withdraw {
            application_id: a6,
            reason: "Charter cancelled".into(),
        },
    )
    .await?;

    // The corridor is suspended (29 Oct - 2 Nov 2022), then resumed.
    season.s.clock().set(at(9, 6)?); // 29 Oct 14:00 by default
    let a7 = season.submit_and_review(0, 6).await?;
    season.advance(1);
    season.decide(&a7, "UA", DecisionKind::Approve).await?;
    season.s.clock().set(at(9, 10)?);
    s.execute(
        &season.coordinator,
        Command::Suspend {
            reason_code: "PARTY_WITHDREW".into(),
            text: "A party suspended its participation".into(),
        },
    )
    .await?;
    season.s.clock().set(at(13, 4)?); // 2 Nov 12:00 by default
    s.execute(&season.coordinator, Command::Resume).await?;
    season.advance(2);
    season.decide(&a7, "UN", DecisionKind::Approve).await?;
    season.advance(3);
    season.decide(&a7, "TR", DecisionKind::Approve).await?;
    // RU is left overdue on a7.
    season.advance(30);

    // 8: awaiting every party; 9: a draft.
    let _a8 = season.submit_and_review(1, 7).await?;
    let _a9 = season.draft(2, 8).await?;

    // The inspection queue (issue 6): 1, 2 and 4 are approved and waiting;
    // 1 and 2 are declared ready; 10 carries WFP humanitarian cargo and goes
    // first; 4 failed an inspection as not ready (gas in a hold) and waits
    // out the re-queue delay. `GET /plans/{tomorrow}` drafts a plan from them.
    season.ready(0, &a1).await?;
    season.advance(1);
    season.ready(1, &a2).await?;
    let a10 = season.submit_and_review_with(0, 9, true).await?;
    season.approve_all(&a10, [1, 1, 2, 2]).await?;
    season.ready(0, &a10).await?;
    let inspector = Actor::new("user:inspector", Role::Inspector);
    let soon = s
        .now()
        .await
        .checked_add(SignedDuration::from_hours(1))
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    s.execute(
        &season.coordinator,
        Command::ScheduleInspection {
            application_id: a4.clone(),
            at: soon,
        },
    )
    .await?;
    season.advance(3);
    s.execute(
        &inspector,
        Command::RecordInspection {
            application_id: a4.clone(),
            outcome: corridor_clearance::InspectionOutcome::NotReady {
                reason_code: "GAS".into(),
                text: "Phosphine above the limit in hold 3".into(),
            },
            // Everything but the holds' gas readings was in order.
            checked: ["papers", "crew", "cargo", "prohibited"]
                .map(String::from)
                .to_vec(),
        },
    )
    .await?;

    // Vessels of the simulated AIS feed, approved and ready: each takes
    // its place in the queue when tracking sees it reach the inspection area.
    for (k, v) in tracked.iter().enumerate() {
        let agent = k % AGENTS.len();
        let n = 10 + u32::try_from(k).unwrap_or(0);
        let id = season
            .submit_and_review_vessel(agent, n, false, Some(v))
            .await?;
        season.approve_all(&id, [1, 1, 1, 1]).await?;
        season.ready(agent, &id).await?;
    }

    // A gale is forecast two or three days ahead (the demo runs up to a day
    // more than SEASON_DAYS after the season's start, which is aligned on a
    // working day): no inspections then, and the queue's predictions step
    // over it, while tomorrow's plan still has its vessels.
    let tz = s
        .capacity()
        .tz()
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let gale = at(SEASON_DAYS + 3, 0)?.to_zoned(tz).date().to_string();
    crate::stoppages::declare_stoppage(
        &s,
        &season.coordinator,
        corridor_clearance::StoppageContent {
            from: gale.clone(),
            to: gale,
            kind: corridor_clearance::StoppageKind::Weather,
            absent: Vec::new(),
            teams: None,
            reason: "Gale warning for the Marmara anchorage: no boarding".into(),
        },
    )
    .await?;

    // A checkpoint over the season, kept so `corridor verify` checks the tree.
    s.checkpoint().await?;
    Ok(SeedSummary {
        entries: s.entries().await.len(),
        applications: s.clearance().await.applications.len(),
        users: users
            .iter()
            .map(|(n, r)| {
                (
                    n.clone(),
                    serde_json::to_value(r)
                        .map(|v| v.to_string())
                        .unwrap_or_default(),
                )
            })
            .collect(),
        keys_dir: keys_dir.display().to_string(),
    })
}

/// A one-page PDF showing `lines`, for the demo's documents: small, but a
/// real file that a delegate's viewer opens.
pub fn demo_pdf(lines: &[&str]) -> Vec<u8> {
    let escape = |t: &str| {
        t.chars()
            .filter(|c| c.is_ascii() && !c.is_ascii_control())
            .flat_map(|c| match c {
                '(' | ')' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect::<String>()
    };
    let mut text = String::from("BT /F1 14 Tf 72 770 Td 18 TL");
    for l in lines {
        text.push_str(&format!(" ({}) Tj T*", escape(l)));
    }
    text.push_str(" ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// The demo parties, whose keys the seed writes.
const PARTIES: [&str; 4] = ["RU", "TR", "UA", "UN"];

/// Makes `dir` and checks it can take the parties' keys: it must be
/// writable and hold none of them already, since overwriting them would
/// leave the store that logged them with keys nobody holds.
fn keys_folder_is_free(dir: &Path) -> Result<(), ServiceError> {
    let shown = dir.display();
    std::fs::create_dir_all(dir).map_err(|e| {
        ServiceError::BadRequest(format!(
            "cannot create the keys folder {shown}: {e}; nothing was seeded"
        ))
    })?;
    for p in PARTIES {
        for name in [format!("{p}.key.pem"), format!("{p}.pub.pem")] {
            let path = dir.join(&name);
            if path.exists() {
                return Err(ServiceError::Conflict(format!(
                    "{} already exists: the keys folder holds another store's party keys, which seeding would overwrite; give an empty folder (nothing was seeded)",
                    path.display()
                )));
            }
        }
    }
    // Writable: made and removed, so a read-only folder is refused now,
    // not after the users are in the store (one left by a crash is reused).
    let probe = dir.join(".corridor-seed-check");
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&probe)
        .and_then(|_| std::fs::remove_file(&probe))
        .map_err(|e| {
            ServiceError::BadRequest(format!(
                "cannot write to the keys folder {shown}: {e}; nothing was seeded"
            ))
        })
}

/// Writes a private key readable by its owner only (where the OS has modes).
pub fn write_private(path: &Path, pem: &str) -> Result<(), ServiceError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    // Created readable by its owner only, never for a moment by others.
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path).map_err(io)?;
    // An existing file keeps its mode when opened: made private too.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(io)?;
    }
    f.write_all(pem.as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::demo_pdf;

    /// The demo's PDFs are well formed: every cross-reference points at its
    /// object and `startxref` at the table, so a viewer opens them.
    #[test]
    fn demo_pdfs_have_a_true_cross_reference_table() {
        let pdf = demo_pdf(&[
            "crew list",
            "Application BSGI-2022-000001",
            "(brackets) \\ back",
        ]);
        let text = String::from_utf8(pdf.clone()).unwrap();
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .unwrap()
            .parse()
            .unwrap();
        assert!(text[start..].starts_with("xref\n0 6\n"));
        let offsets: Vec<usize> = text[start..]
            .lines()
            .skip(3)
            .take(5)
            .map(|l| l[..10].parse().unwrap())
            .collect();
        for (i, off) in offsets.iter().enumerate() {
            assert!(
                text[*off..].starts_with(&format!("{} 0 obj\n", i + 1)),
                "object {}",
                i + 1
            );
        }
        assert!(text.contains("(\\(brackets\\) \\\\ back) Tj"));
        assert_eq!(
            corridor_clearance::application::document_type(&pdf),
            Ok(corridor_clearance::application::DocumentType::Pdf)
        );
    }
}
