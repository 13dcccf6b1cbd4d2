//! corridor's record on disk: SQLite by default, PostgreSQL in production.
//!
//! Both backends implement one [`Store`] trait with runtime SQL (no compile
//! time database needed) and embedded migrations. The SQL is written once,
//! in PostgreSQL's dialect with `$n` parameters; for SQLite the `::type`
//! casts are dropped (SQLite keeps dates as ISO text, which sorts and
//! compares the same). One code path, expanded for each backend by a macro,
//! means the two cannot drift apart; the same test suite runs on both.
//!
//! # Importing
//! An import reads the record, plans the merge in Rust
//! (`corridor_domain::history`) and writes the plan in the backend's bulk
//! form (`bulk.rs`): `COPY … FROM STDIN` on PostgreSQL, multi-row `INSERT`s
//! on SQLite, with new voyage ids reserved in one step and changed voyages
//! applied set-wise from a temporary table. An import that at least doubles
//! a large record ([`BULK_LOAD_MIN`] new voyages) also drops the secondary
//! indexes (and on PostgreSQL the foreign keys) of `voyages` and
//! `cargo_lines` and rebuilds them before it commits, so they are built and
//! checked once, set-wise; on PostgreSQL readers of the record wait for such
//! an import to finish, on SQLite they read the previous state meanwhile.
//!
//! # Invariants
//! - The store decides nothing about the record: merge rules live in
//!   `corridor_domain::history`; the store loads, applies a plan, writes.
//! - An import is one transaction: all of it lands or none of it does.
//! - `voyage_history` is append-only, enforced by triggers in both schemas.

mod backend;
mod bulk;
mod error;
mod model;
mod plan;
pub mod pool;
mod track;

use std::sync::Arc;

use async_trait::async_trait;
use corridor_domain::{DateRange, Imo, Stats, VoyageKey, VoyageRecord};

pub use backend::{BULK_LOAD_MIN, PgStore, SqliteStore};
pub use error::StoreError;
pub use model::{
    HistoryRow, ImportBatch, ImportOutcome, Page, Progress, VesselDetail, VesselRow, VoyageQuery,
    VoyageView,
};
pub use track::{
    AlertQuery, AlertRow, Claim, PgTrackStore, PositionRow, RegistryRow, SqliteTrackStore,
    TrackStore, TrackingClaim, open_track,
};

/// Voyages read one by one from the store (see [`Store::export`]).
pub type VoyageStream = futures_util::stream::BoxStream<'static, Result<VoyageRecord, StoreError>>;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The record's storage. Every method is one consistent read or one
/// transaction.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    fn backend(&self) -> Backend;

    /// Merges a snapshot of voyages into the record (see
    /// `corridor_domain::history` for the rule), in one transaction.
    async fn import(&self, batch: ImportBatch<'_>) -> Result<ImportOutcome, StoreError>;

    /// The published figures over departures in `range`: a merge of the
    /// days in it from the whole record's figures by day, which are summed
    /// from the rows once per version of the record by the first
    /// whole-record call; before that, a range reads its own rows.
    async fn stats(&self, range: DateRange) -> Result<Stats, StoreError>;

    /// Voyages matching `q`, newest departure first.
    async fn voyages(&self, q: &VoyageQuery) -> Result<Page<VoyageView>, StoreError>;

    /// Every voyage matching `q` (its paging ignored), whole with its
    /// cargo lines, in [`Store::voyages`]' order, as a stream from one
    /// query on one connection: memory stays a few hundred voyages
    /// however large the record, and a reader that stops reading holds
    /// the query back. Dropping the stream ends the query; a failure
    /// mid-way is the stream's last item.
    fn export(&self, q: VoyageQuery) -> VoyageStream;

    /// A vessel with its voyages and their change history.
    async fn vessel(&self, imo: Imo) -> Result<Option<VesselDetail>, StoreError>;

    /// The change history of one voyage, oldest first.
    async fn history(&self, key: VoyageKey) -> Result<Vec<HistoryRow>, StoreError>;

    /// Records the MMSI each vessel transmits under (the published tables
    /// name none; a tracking registry does). Vessels not in the record are
    /// left out. Returns how many vessels were updated.
    async fn set_mmsi(&self, pairs: &[(Imo, u32)]) -> Result<u64, StoreError>;

    /// How many times this store read the figures from the rows since it
    /// opened (a whole-record sum or a range's own read); every other
    /// [`Store::stats`] call was answered from the figures by day kept for
    /// the record's version. One whole-record sum runs at a time (callers
    /// that arrive during it wait for it), and at most two ranges are read
    /// at once.
    fn figures_summed(&self) -> u64;

    /// Whether the database answers now (one trivial query on a connection
    /// of its own, so a pool busy with long reads is not called down), for
    /// a readiness check.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Closes the store's connections. On SQLite the last one to close
    /// folds the write-ahead log into the file, so the `.db` file alone is
    /// the record (a command that exits without it leaves a `-wal` file
    /// beside it that a copy of the `.db` misses).
    async fn close(&self);
}

/// Opens (creating and migrating if needed) the store a URL names:
/// `postgres://…` or `postgresql://…` for PostgreSQL; `sqlite://PATH`,
/// `sqlite:PATH` or a plain file path for SQLite.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match pool::locate(url) {
        pool::Location::Postgres(url) => Arc::new(PgStore::connect(url).await?),
        pool::Location::Sqlite(path) => Arc::new(SqliteStore::open(path).await?),
    })
}
