//! # corridor-planner — inspections: the queue, the daily plan, the simulator and forecasts
//!
//! The pure core of corridor's inspection planning for an inspected maritime corridor (modelled
//! on the Joint Coordination Centre of the Black Sea Grain Initiative, 2022-23). No I/O, no
//! database, no clock: callers pass data in and get values back. The store, the CLI
//! (`corridor simulate queue`) and the server (`GET /api/v1/queue`) wire it in.
//!
//! ## API boundary
//! * Inputs: [`Voyage`] (one inspection need: id, direction, departure or arrival day, tonnes,
//!   WFP and perishable flags, readiness day, real inspection day if known, vessel identity) and
//!   [`CapacityConfig`] (TOML: time zone, working window, teams over time, learned productivity,
//!   stoppages, duration distributions, areas and travel, named teams, inbound model,
//!   readiness-failure model and the queue rule). Parse with [`CapacityConfig::from_toml`].
//! * The queue: [`queue::order`] (the rule plus logged overrides) and [`queue::queue_view`]
//!   (place, predicted day, likely range P10–P90 for every waiting vessel).
//! * The daily plan: [`plan::plan_fifo`], [`plan::plan_optimised`] and [`plan::PlanScore`]
//!   (the documented objective), for a [`plan::DayProblem`] built from the config.
//! * The simulator: [`sim::simulate`] with [`sim::Scenario`] what-ifs via
//!   [`sim::apply_scenarios`]; [`sim::MonthReport`] is the JSON the CLI prints.
//! * Replays of the record: [`replay::replay`], [`replay::compare`], [`replay::learn_rates`].
//! * Forecasts: [`forecast::replay_forecasts`] (MAE against the record).
//!
//! ## Invariants
//! * Determinism: every function is a pure function of its inputs (readiness failures are drawn
//!   from a hash of the voyage id and attempt number), so the same inputs give the same output.
//! * No panics on input: bad configuration or input returns [`PlannerError`].
//! * A vessel is never inspected before it is at the area and ready (`eligible_from`).
//! * The simulator never does more inspections on a day than the capacity allows
//!   (`teams × inspections_per_team_day`, capped, plus a carried fraction < 1; unused capacity
//!   is idle time, never banked).
//! * Overrides need a non-empty reason and are returned in a log; the rule alone never
//!   reorders vessels of the same priority class against their base order.
//! * The optimised daily plan is never worse than FIFO on [`plan::PlanScore`], every assignment
//!   fits in its team's window including travel, and no vessel appears twice.
//!
//! ## Model of the real season (documented in `config/capacity-bsgi.toml` and
//! `docs/queue-replay.md`)
//! Outbound voyages arrive at the inspection area `transit_days` after departure; inbound
//! inspections, absent from the record, are implied `lead_days` before each departure (none
//! for a vessel's first voyage if it was already in port); inbound inspections go first.
//! Productivity (inspections per team-day) is learned per month from the record's counts on
//! saturated days — never from its waits — and the waits are the out-of-sample check.

pub mod config;
pub mod duration;
pub mod error;
pub mod forecast;
pub mod model;
pub mod plan;
pub mod queue;
pub mod replay;
pub mod rng;
pub mod sim;

pub use config::CapacityConfig;
pub use error::{PlannerError, Result};
pub use model::{Direction, Outcome, Reference, Voyage};
