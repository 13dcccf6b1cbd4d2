//! # corridor-clearance — applications, decisions and the voyage state machine
//!
//! The pure domain core of clearance (issue 5): no I/O, no database, no
//! HTTP, no clock reads (callers pass `now`). The store persists the events
//! this crate emits into the log of [`corridor_ledger`]; the server maps its
//! routes onto [`roles::can`] and [`machine::Clearance::execute`].
//!
//! | module | what |
//! |---|---|
//! | [`config`] | [`CorridorConfig`] from TOML: parties, consensus rule, deadlines, eligibility, document checklist (`config/parties-bsgi.toml`, `config/parties-unvim.toml`) |
//! | [`roles`] | [`Role`], [`Actor`], [`Action`], [`Resource`], and `can(actor, action, resource) -> Result<(), Denied>` |
//! | [`application`] | [`ApplicationContent`] (vessel, itinerary, cargo plan, crew, last port calls, ETA, documents) and its canonical content hash; document checklist and upload limits |
//! | [`eligibility`] | notice period, a valid IMO number (check digit), allowed cargo, minimum parcel, banned port calls; every failure says why |
//! | [`consensus`] | unanimity or quorum over the parties' current decisions |
//! | [`machine`] | [`Clearance`]: the application state machine, corridor suspension, deadlines and overdue parties, replay |
//! | [`dayplan`] | inspections: the agent's [`Readiness`] declaration, the coordinator's [`QueueOverride`]s, and the daily plan ([`PlanContent`], its hash and versions) the parties approve with signed decisions on `PLAN-YYYY-MM-DD` |
//! | [`stoppage`] | days off and stoppages the coordinator declares ([`Stoppage`]): weather, a day off, a party absent (only its teams stop); logged with a reason, lifted with one |
//! | [`alerts`] | the coordinator's logged acknowledgement of a tracking alert ([`AlertRef`], [`AlertAck`]): once per alert, with a note; and the vessels tracking is told await an inspection ([`Clearance::awaited_inspections`]), for its `skipped_inspection` alert |
//! | [`mod@operations`] | monthly operations figures from the log, for the public: [`Operations`], kept up to date one event at a time by [`OperationsTally`] (`GET /operations`) |
//! | [`mod@accountability`] | per party: decisions, median / p90 time to decide, holds and rejections by reason, time held, time overdue and waits that ended undecided, overdue now; the same for the daily plans ([`PlanTimetable`] says when a plan is due); [`Tally`] keeps them up to date one event at a time |
//!
//! ## API boundary (what the server and store use)
//!
//! 1. Load the configuration: `CorridorConfig::from_toml(text)`.
//! 2. Rebuild state at start-up: `Clearance::replay_log(config, &entries)`
//!    after `corridor_ledger::verify_chain` (ledger-level key events are
//!    skipped), or `Clearance::replay(config, events)` over `(time, event)` pairs.
//! 3. For each request: build a [`Command`], call
//!    `clearance.execute(&actor, command, now, &key_registry)`. On `Ok(outcome)`
//!    append `outcome.event_json()` with `outcome.signature` to the log
//!    (`corridor_ledger::LogEntry::next`) **before** answering; the in-memory
//!    state has already applied the event. On `Err`, nothing changed:
//!    [`ClearanceError::Denied`] and [`ClearanceError::NotFound`] map to 403/404
//!    (display text carries nothing sensitive), the rest to 409/422 with
//!    their message.
//! 4. Reads: `can(actor, Action::ReadApplication, Resource::Application { company })`
//!    before returning an application's content; `clearance.status_page(&actor, id, now)`
//!    (not found for what the actor may not see); `clearance.visible_applications(&actor)`
//!    for lists; `clearance.overdue(now)`;
//!    `accountability::Tally` (or `accountability(config, timetable, events, now)`) for the public figures.
//!
//! ## Invariants
//!
//! * State changes only through [`Clearance::apply`] of an event; `execute`
//!   applies exactly the event it returns, so replaying the log rebuilds the
//!   same state (checked by the property tests).
//! * Every transition emits one serde-serialisable [`Event`]; illegal
//!   transitions are typed errors and change nothing.
//! * A decision counts only with a valid signature by the deciding party's
//!   current key over the application's id and *current* content hash; an
//!   amendment voids every earlier decision. Under unanimity an application
//!   is approved only when every configured party's current decision is an
//!   approval of the current version ([`Clearance::check_invariants`]).
//! * A delegate decides and releases holds only for their own party; an agent
//!   only touches their own company's applications.
//! * While the corridor is suspended no decision, review start, inspection or
//!   departure is accepted; suspended time does not count against deadlines
//!   or clearance validity.
//! * Nothing panics on input; content with non-integer numbers or unknown
//!   members is refused.

pub mod accountability;
pub mod alerts;
pub mod application;
pub mod config;
pub mod consensus;
pub mod dayplan;
pub mod eligibility;
pub mod machine;
pub mod operations;
pub mod roles;
pub mod stoppage;

pub use accountability::{
    Accountability, PartyAccountability, PlanAccountability, PlanTimetable, Tally, accountability,
};
pub use alerts::{AlertAck, AlertRef, AwaitedInspection};
pub use application::{ApplicationContent, CargoLine, Document, Itinerary, PortCall, Vessel};
pub use config::{
    CheckItem, ConsensusRule, CorridorConfig, InspectionPolicy, InspectionRules, Party,
    ValidityFrom,
};
pub use dayplan::{
    DayPlan, PlanApproval, PlanAssignment, PlanContent, PlanStatus, QueueOverride, Readiness,
    ShownPlanProblem, plan_id,
};
pub use eligibility::{Ineligibility, check_eligibility};
pub use machine::{
    Application, AreaArrival, BookedResult, Clearance, ClearanceError, Command, Event,
    InspectionCause, InspectionOutcome, LastInspection, Outcome, Overdue, PartyLine, Status,
    StatusPage,
};
pub use operations::{Operations, OperationsTally, operations};
pub use roles::{Action, Actor, Denied, Resource, Role, can};
pub use stoppage::{
    DayStops, Stoppage, StoppageContent, StoppageEffect, StoppageKind, StoppageLift,
};
