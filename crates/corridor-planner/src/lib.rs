//! # corridor-planner — inspections: the queue, the daily plan, the simulator and forecasts
//!
//! The pure core of corridor's inspection planning for an inspected maritime corridor (modelled
//! on the Joint Coordination Centre of the Black Sea Grain Initiative, 2022-23). No I/O, no
//! database, no clock: callers pass data in and get values back. The clearance service
//! (`GET /api/v1/queue`, the daily plans) and the CLI (`corridor simulate queue`) wire it in.
//!
//! ## API boundary
//! * Inputs: [`Voyage`] (one inspection need: id, direction, departure or arrival day, tonnes,
//!   WFP and perishable flags, readiness day, real inspection day if known, vessel identity) and
//!   [`CapacityConfig`] (TOML: time zone, working window, teams over time, learned productivity,
//!   stoppages, duration distributions, areas and travel, named teams, inbound model,
//!   readiness-failure model and the queue rule). Parse with [`CapacityConfig::from_toml`].
//!   [`CapacityConfig::bsgi`] is the real 2022-23 season (`config/capacity-bsgi.toml`, embedded).
//! * The queue: [`queue::order`] (the rule plus logged overrides) and [`queue::queue_view`]
//!   (place, predicted day, likely range P10–P90 for every waiting vessel, from the schedule).
//! * The daily plan: [`plan::DayProblem::from_config`], then [`plan::plan_fifo`] and
//!   [`plan::plan_optimised`]; [`plan::PlanScore`] is the documented objective, [`plan::check_plan`]
//!   validates a plan, [`plan::timed`] puts it on the configured time zone's clock.
//! * The simulator: [`sim::simulate`] with [`sim::Scenario`] what-ifs via
//!   [`sim::apply_scenarios`]; [`sim::MonthReport`] is the JSON the CLI prints.
//! * Replays of the record: [`replay::replay`] (record + modelled inbound → [`sim::SimReport`]),
//!   [`replay::compare`] and [`replay::table_markdown`] (real vs simulated per month),
//!   [`replay::learn_rates`] and [`replay::period_rate`] (productivity from the record's counts).
//! * Forecasts: [`forecast::forecast_queue`] (live: every waiting vessel's predicted day from the
//!   history known that morning) and [`forecast::replay_forecasts`] (MAE against the record).
//!
//! ## What the CLI and the server call
//! ```
//! use corridor_planner::{CapacityConfig, replay};
//! let cfg = CapacityConfig::bsgi()?;                 // or CapacityConfig::from_toml(&text)?
//! let record: Vec<corridor_planner::Voyage> = Vec::new(); // outbound voyages from the store
//! let months = replay::replay(&record, &cfg)?.months; // serde_json::to_string(&months)
//! assert!(months.is_empty());
//! # Ok::<(), corridor_planner::PlannerError>(())
//! ```
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
//! * The optimised daily plan is never worse than FIFO on [`plan::PlanScore`], plans only within
//!   the horizon ([`plan::horizon`]), every assignment fits in its team's window including
//!   travel, and no vessel appears twice; its count never exceeds `count_upper_bound`.
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
