//! The corridor's record: who sailed, carrying what, to where.
//!
//! This crate is the vocabulary every other corridor crate speaks: ship
//! identifiers ([`Imo`], [`Mmsi`]), [`Commodity`], exact [`Tonnes`],
//! [`country`] and [`port`] reference data, the [`VoyageRecord`] a source
//! publishes, the merge rule that keeps a change history ([`history`]) and
//! the published figures ([`Stats`]).
//!
//! # Invariants
//! - No I/O, no async, no clock reads: callers pass times in. Everything
//!   here is a plain value that can be tested with a literal.
//! - Constructors validate: an [`Imo`] is always seven digits and says
//!   whether its check digit holds; [`Tonnes`] from a parser is never negative.
//! - Nothing is overwritten silently: [`history::merge`] returns every value
//!   it displaces.

pub mod commodity;
pub mod country;
pub mod history;
pub mod ids;
pub mod port;
pub mod stats;
pub mod text;
pub mod tonnes;
pub mod voyage;

pub use commodity::Commodity;
pub use history::{CurrentVoyage, FieldChange, HistoryEntry, Merge, Snapshot};
pub use ids::{IdError, Imo, Mmsi};
pub use stats::{CargoFact, DateRange, FiguresByDay, InspectionDay, Stats, StatsBuilder};
pub use tonnes::Tonnes;
pub use voyage::{CargoLine, Direction, Vessel, VoyageKey, VoyageRecord, VoyageStatus};
