//! Fixtures shared by the clearance integration tests.

#![allow(dead_code)]

use corridor_clearance::application::*;
use corridor_clearance::config::CorridorConfig;
use corridor_clearance::machine::*;
use corridor_clearance::roles::{Actor, Role};
use corridor_ledger::*;
use jiff::{Timestamp, ToSpan};

pub fn t(s: &str) -> Timestamp {
    s.parse().expect("test time")
}

/// The JCC's timetable: a day's plan approved by 16:00 Istanbul time the day before.
pub fn timetable() -> corridor_clearance::PlanTimetable {
    corridor_clearance::PlanTimetable::new(
        jiff::tz::TimeZone::get("Europe/Istanbul").expect("time zone"),
        jiff::civil::time(16, 0, 0, 0),
    )
}

/// The log's name, as the service names the BSGI corridor's log.
pub const ORIGIN: &str = "corridor/bsgi";

pub fn bsgi() -> CorridorConfig {
    CorridorConfig::bsgi().expect("shipped bsgi config")
}

/// A readiness declaration with every item confirmed.
pub fn all_ready() -> corridor_clearance::dayplan::Readiness {
    corridor_clearance::dayplan::Readiness {
        holds_ventilated: true,
        gas_free: true,
        testing_equipment_aboard: true,
        documents_complete: true,
        note: None,
    }
}

/// Every item of the BSGI inspection checklist, as a pass confirms them.
pub fn all_checked() -> Vec<String> {
    bsgi()
        .inspection
        .checklist
        .into_iter()
        .map(|i| i.id)
        .collect()
}

pub fn doc(kind: &str, size: u64) -> Document {
    Document {
        kind: kind.into(),
        filename: format!("{kind}.pdf"),
        sha256: Hash::of(kind.as_bytes()),
        size_bytes: size,
    }
}

/// An eligible BSGI application with ETA `eta`.
pub fn content(imo: &str, eta: Timestamp) -> ApplicationContent {
    ApplicationContent {
        vessel: Vessel {
            imo: imo.into(),
            name: format!("MV {imo}"),
            flag: "MT".into(),
            mmsi: None,
            deadweight_tonnes: 60000,
        },
        itinerary: Itinerary {
            port: "UAODS".into(),
            from_port: "TRIST".into(),
            to_port: "EGALY".into(),
            destination_country: "EG".into(),
        },
        cargo: vec![CargoLine {
            commodity: "wheat".into(),
            tonnes: 30000,
        }],
        crew_count: 21,
        passenger_count: 0,
        last_port_calls: vec![PortCall {
            locode: "TRIST".into(),
            arrived: eta - 400.hours(),
            departed: eta - 390.hours(),
        }],
        eta_inspection_area: eta,
        documents: [
            "port_entry_request",
            "crew_list",
            "cargo_manifest",
            "stowage_plan",
            "registry_certificate",
        ]
        .iter()
        .map(|k| doc(k, 200_000))
        .collect(),
        wfp: false,
        perishable: false,
    }
}

pub struct World {
    pub clearance: Clearance,
    pub keys: KeyRegistry,
    pub party_keys: Vec<(String, SecretKey)>,
    pub log: Log,
}

pub fn agent(company: &str) -> Actor {
    Actor::new(
        &format!("agent:{company}"),
        Role::Agent {
            company: company.into(),
        },
    )
}

pub fn delegate(party: &str) -> Actor {
    Actor::new(
        &format!("delegate:{party}"),
        Role::Delegate {
            party: party.into(),
        },
    )
}

pub fn coordinator() -> Actor {
    Actor::new("coordinator:1", Role::Coordinator)
}

pub fn inspector() -> Actor {
    Actor::new("inspector:1", Role::Inspector)
}

impl World {
    pub fn new(config: CorridorConfig, start: Timestamp) -> Self {
        let mut keys = KeyRegistry::new();
        let mut party_keys = Vec::new();
        for (i, p) in config.parties.iter().enumerate() {
            let k = SecretKey::from_seed(&[20 + i as u8; 32]);
            keys.register(&p.code, k.public_key(), start)
                .expect("register");
            party_keys.push((p.code.clone(), k));
        }
        World {
            clearance: Clearance::new(config),
            keys,
            party_keys,
            log: Log::new(),
        }
    }

    pub fn key(&self, party: &str) -> &SecretKey {
        &self
            .party_keys
            .iter()
            .find(|(p, _)| p == party)
            .expect("party key")
            .1
    }

    /// Executes and appends to the log.
    pub fn run(
        &mut self,
        actor: &Actor,
        cmd: Command,
        now: Timestamp,
    ) -> Result<Event, corridor_clearance::machine::ClearanceError> {
        let out = self.clearance.execute(actor, cmd, now, &self.keys)?;
        let json = out.event_json()?;
        self.log
            .append(&actor.id, now, json, out.signature.clone())
            .expect("append");
        Ok(out.event)
    }

    /// A signed decision by `party` on the application's current version.
    pub fn signed(
        &self,
        party: &str,
        app: &str,
        kind: DecisionKind,
        at: Timestamp,
    ) -> SignedDecision {
        let hash = self.clearance.applications[app].content_hash;
        self.signed_on(party, app, hash, kind, at)
    }

    /// A signed decision by `party` on `id` (an application, or a day's
    /// plan, `PLAN-YYYY-MM-DD`) in the version `hash`.
    pub fn signed_on(
        &self,
        party: &str,
        id: &str,
        hash: Hash,
        kind: DecisionKind,
        at: Timestamp,
    ) -> SignedDecision {
        let k = self.key(party);
        DecisionPayload {
            party: party.into(),
            application_id: id.into(),
            application_hash: hash,
            decision: kind,
            time: at,
            key_id: k.key_id(),
        }
        .sign(k)
        .expect("sign")
    }

    pub fn decide(
        &mut self,
        party: &str,
        app: &str,
        kind: DecisionKind,
        at: Timestamp,
    ) -> Result<Event, corridor_clearance::machine::ClearanceError> {
        let d = self.signed(party, app, kind, at);
        self.run(
            &delegate(party),
            Command::Decide {
                application_id: app.into(),
                decision: d,
            },
            at,
        )
    }

    /// `party` lifts its hold with a signed release made at `at`.
    pub fn release(
        &mut self,
        party: &str,
        app: &str,
        at: Timestamp,
    ) -> Result<Event, corridor_clearance::machine::ClearanceError> {
        let d = self.signed(party, app, DecisionKind::Release, at);
        self.run(
            &delegate(party),
            Command::ReleaseHold {
                application_id: app.into(),
                decision: d,
            },
            at,
        )
    }

    pub fn status(&self, app: &str) -> Status {
        self.clearance.applications[app].status
    }

    /// Creates, submits and starts the review of an application; returns its id.
    pub fn submitted(&mut self, company: &str, imo: &str, now: Timestamp) -> String {
        let ev = self
            .run(
                &agent(company),
                Command::CreateDraft {
                    company: company.into(),
                    content: content(imo, now + 72.hours()),
                },
                now,
            )
            .expect("create");
        let id = ev.application_id().expect("id").to_string();
        self.run(
            &agent(company),
            Command::Submit {
                application_id: id.clone(),
            },
            now,
        )
        .expect("submit");
        self.run(
            &coordinator(),
            Command::StartReview {
                application_id: id.clone(),
            },
            now,
        )
        .expect("review");
        id
    }

    /// Sets a new version of `date`'s plan (no inspections) and submits
    /// it; returns the hash the parties sign.
    pub fn submit_plan(&mut self, date: &str, version: u32, at: Timestamp) -> Hash {
        let content = corridor_clearance::PlanContent {
            date: date.into(),
            version,
            assignments: Vec::new(),
        };
        let hash = content.plan_hash().expect("hash");
        let reason = (version > 1).then(|| "revised".to_string());
        self.run(
            &coordinator(),
            Command::SetPlan {
                content,
                reason,
                scores: serde_json::json!({}),
            },
            at,
        )
        .expect("set plan");
        self.run(
            &coordinator(),
            Command::SubmitPlan { date: date.into() },
            at,
        )
        .expect("submit plan");
        hash
    }

    /// `party`'s signed decision on version `hash` of `date`'s plan.
    pub fn decide_plan(
        &mut self,
        party: &str,
        date: &str,
        hash: Hash,
        kind: DecisionKind,
        at: Timestamp,
    ) -> Result<Event, ClearanceError> {
        let decision = self.signed_on(party, &format!("PLAN-{date}"), hash, kind, at);
        self.run(
            &delegate(party),
            Command::DecidePlan {
                date: date.into(),
                decision,
            },
            at,
        )
    }

    /// The accountability figures of the log at `now`, on [`timetable`].
    pub fn figures(&self, now: Timestamp) -> corridor_clearance::Accountability {
        let events = self.events();
        corridor_clearance::accountability(
            &self.clearance.config,
            &timetable(),
            events.iter().map(|(t, e)| (*t, e)),
            now,
        )
        .expect("figures")
    }

    /// The events of the log with their times.
    pub fn events(&self) -> Vec<(Timestamp, Event)> {
        self.log
            .entries()
            .iter()
            .map(|e| {
                (
                    e.time,
                    serde_json::from_value(e.event.clone()).expect("event parses"),
                )
            })
            .collect()
    }
}

pub fn hold(code: &str) -> DecisionKind {
    DecisionKind::Hold {
        reason_code: code.into(),
        text: format!("{code} text"),
    }
}

pub fn reject(code: &str) -> DecisionKind {
    DecisionKind::Reject {
        reason_code: code.into(),
        text: format!("{code} text"),
    }
}

/// The UNVIM rules (one party, inspections on cause) with the Black Sea
/// fixtures' ports, documents and notice, so [`content`] can be submitted.
pub fn unvim_like() -> CorridorConfig {
    let mut c = CorridorConfig::unvim().expect("unvim");
    let b = bsgi();
    c.ports = b.ports;
    c.documents = b.documents;
    c.eligibility.min_notice_hours = 44;
    c
}
