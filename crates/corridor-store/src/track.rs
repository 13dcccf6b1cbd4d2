//! Live tracking's storage: position history (batched writes: multi-row
//! INSERTs on SQLite, binary `COPY` on PostgreSQL; down-sampling of old data),
//! alerts (upsert by key, their evidence positions recorded so thinning
//! keeps them) and the MMSI registry.
//!
//! Its own pools and its own migrations (`migrations/track/*`, versions
//! from 1001) next to the record's, in the same database: the record's
//! migrator and this one each ignore the other's versions. The SQL is
//! written once, in PostgreSQL's dialect, and expanded for both backends by
//! `track_impl!` (the same pattern as `backend.rs`).
//!
//! Times are stored as Unix milliseconds (event time): exact, index-friendly
//! and the same in both databases.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sqlx::{Pool, Postgres, QueryBuilder, Row, Sqlite};

use crate::{StoreError, pool};

/// Rows per multi-row INSERT (9 columns: far below both bind limits).
const POSITION_CHUNK: usize = 2000;

/// One stored position report.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PositionRow {
    pub mmsi: u32,
    pub time: Timestamp,
    pub lat: f64,
    pub lon: f64,
    pub sog: Option<f32>,
    pub cog: Option<f32>,
    pub heading: Option<u16>,
    pub nav_status: u8,
}

/// One stored alert: its key (unique across restarts), the fields one
/// filters on, and the whole alert as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRow {
    pub key: String,
    pub kind: String,
    pub mmsi: u32,
    pub start: Timestamp,
    pub end: Timestamp,
    pub open: bool,
    pub body: serde_json::Value,
}

/// Filters for listing alerts (newest start first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AlertQuery {
    /// Exactly this alert.
    pub key: Option<String>,
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub kind: Option<String>,
    pub mmsi: Option<u32>,
    pub open: Option<bool>,
    pub limit: Option<u32>,
    /// None of these kinds (a screen of anomalies leaves out the routine
    /// entries and arrivals, which would otherwise fill its limit).
    #[serde(default)]
    pub except_kinds: Vec<String>,
}

/// A registered MMSI and the IMO it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryRow {
    pub mmsi: u32,
    pub imo: Option<u32>,
    pub name: Option<String>,
    /// Who registered it (e.g. "simulator", "import").
    pub source: String,
}

/// Held while a live pipeline tracks into a database, so that a second
/// tracker started on it is refused instead of raising every alert twice
/// (open finding 44). Given back by [`TrackingClaim::release`], or with its
/// connection or process when that ends any other way (a crash holds
/// nothing).
#[derive(Debug)]
pub struct TrackingClaim(Held);

/// The answer to [`TrackStore::claim_tracking`].
#[derive(Debug)]
pub enum Claim {
    /// Ours until released.
    Taken(TrackingClaim),
    /// Another tracker holds it: who, as far as the database can say.
    HeldBy(String),
}

#[derive(Debug)]
enum Held {
    /// A session-level advisory lock, on a connection of its own (none
    /// while it is being taken again).
    Postgres {
        conn: Option<sqlx::PgConnection>,
        store: PgTrackStore,
        /// Its session's backend, ended before the claim is taken again
        /// (a session the server still thinks alive keeps the lock).
        pid: i32,
    },
    /// An exclusive lock on a file beside the database.
    File {
        file: std::fs::File,
        store: SqliteTrackStore,
    },
    /// An in-memory database: no other process can reach it.
    Nothing,
}

/// How long a check of a claim waits for PostgreSQL.
const CLAIM_CHECK: std::time::Duration = std::time::Duration::from_secs(5);

impl TrackingClaim {
    /// Whether the claim still holds; `Some(holder)` when another tracker
    /// has it now. A PostgreSQL session can end under a running server (a
    /// database restart, an idle-session timeout, `pg_terminate_backend`),
    /// taking the lock with it, and a lock file can be removed: the claim
    /// is then taken again if no one else has it. An error: the database
    /// could not say (try again later).
    pub async fn keep(&mut self) -> Result<Option<String>, StoreError> {
        let again = match &mut self.0 {
            Held::Postgres { conn, store, pid } => {
                let held = match conn.as_mut() {
                    Some(c) => matches!(
                        tokio::time::timeout(CLAIM_CHECK, PgTrackStore::holds_claim(c)).await,
                        Ok(Ok(true))
                    ),
                    None => false,
                };
                if held {
                    return Ok(None);
                }
                *conn = None;
                store.end_session(*pid).await?;
                store.claim().await?
            }
            Held::File { file, store } => {
                if store.claim_file_is(file) {
                    return Ok(None);
                }
                store.claim().await?
            }
            Held::Nothing => return Ok(None),
        };
        match again {
            Claim::Taken(c) => {
                tracing::warn!("this database's tracking claim was lost and has been taken again");
                *self = c;
                Ok(None)
            }
            Claim::HeldBy(holder) => Ok(Some(holder)),
        }
    }

    /// Lets the next tracker in.
    pub async fn release(self) {
        match self.0 {
            Held::Postgres {
                conn: Some(mut c), ..
            } => {
                // A server that does not answer ends the session, and the
                // lock, when it notices the connection closed.
                let unlock = format!("SELECT pg_advisory_unlock({TRACKING_LOCK})");
                let _ = tokio::time::timeout(std::time::Duration::from_secs(2), async {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(unlock))
                        .execute(&mut c)
                        .await;
                    let _ = sqlx::Connection::close(c).await;
                })
                .await;
            }
            Held::File { file, .. } => {
                let _ = file.unlock();
            }
            Held::Postgres { conn: None, .. } | Held::Nothing => {}
        }
    }
}

/// Tracking storage. Every write is one statement or one transaction.
#[async_trait]
pub trait TrackStore: Send + Sync + std::fmt::Debug {
    /// Appends positions in one transaction (SQLite: multi-row INSERTs;
    /// PostgreSQL: one binary `COPY`, or `ON CONFLICT DO NOTHING` through a
    /// temporary table while batches repeat stored rows or are dated before
    /// what down-sampling has passed, which the same transaction notes for
    /// its next run). Of several
    /// positions of one vessel at the same millisecond in `rows` only the
    /// first is stored, and one whose `(mmsi, time)` is already stored is
    /// ignored. Returns how many rows were stored.
    async fn insert_positions(&self, rows: &[PositionRow]) -> Result<u64, StoreError>;
    /// Inserts or replaces alerts by key (an alert is emitted open, then again closed).
    async fn upsert_alerts(&self, rows: &[AlertRow]) -> Result<(), StoreError>;
    /// Alerts matching `q`, newest start first.
    async fn alerts(&self, q: &AlertQuery) -> Result<Vec<AlertRow>, StoreError>;
    /// Positions of `mmsi` in `[from, until]`, oldest first, at most `limit`.
    async fn track(
        &self,
        mmsi: u32,
        from: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> Result<Vec<PositionRow>, StoreError>;
    /// Each vessel's latest position in `[since, until]`, at most `limit`
    /// of them, newest first: where a restarted monitor last saw each
    /// vessel.
    async fn last_positions(
        &self,
        since: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> Result<Vec<PositionRow>, StoreError>;
    /// Thins positions older than `before`: per
    /// vessel, keeps the first position of every `bucket_s` seconds, every
    /// position whose navigational status changed, whose speed changed by
    /// `sog_change_kn` or more or whose course changed by `cog_change_deg`
    /// or more since the vessel's previous position, and every position that
    /// is evidence of a stored alert. Returns how many rows were deleted.
    /// Each run reads only the positions after the previous run's `before`
    /// (and one bucket before it), and, for each vessel with positions
    /// stored since dated before that (a feed filling in the past), that
    /// vessel's window from the earliest of them, up to 1,000 such vessels
    /// a run, earliest first (the rest wait for the next run); positions
    /// thinned once are final.
    async fn downsample(
        &self,
        before: Timestamp,
        bucket_s: u32,
        sog_change_kn: f32,
        cog_change_deg: f32,
    ) -> Result<u64, StoreError>;
    /// Registers MMSIs (insert or replace).
    async fn register(&self, rows: &[RegistryRow]) -> Result<(), StoreError>;
    /// Every registered MMSI.
    async fn registry(&self) -> Result<Vec<RegistryRow>, StoreError>;
    /// This database's tracking for one live pipeline, until released,
    /// unless another (in this process or any other) holds it.
    async fn claim_tracking(&self) -> Result<Claim, StoreError>;
}

/// Tracking tables in an SQLite file (WAL, like the record).
#[derive(Debug, Clone)]
pub struct SqliteTrackStore {
    pool: Pool<Sqlite>,
    /// The file whose lock is the [`TrackingClaim`] (`None` in memory).
    claim_file: Option<std::path::PathBuf>,
}

/// Tracking tables in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgTrackStore {
    pool: Pool<Postgres>,
    /// Batches left to write through the de-duplicating path after one
    /// repeated a stored position (see [`PgTrackStore::insert_rows`]).
    repeats_expected: Arc<std::sync::atomic::AtomicU32>,
}

impl SqliteTrackStore {
    pub async fn open(path: &str) -> Result<Self, StoreError> {
        let pool = pool::sqlite(path).await?;
        let mut m = sqlx::migrate!("migrations/track/sqlite");
        // The record's (and clearance's) migrations live in the same database.
        m.set_ignore_missing(true);
        m.run(&pool).await?;
        // Not the database file itself: closing a second handle on it would
        // drop SQLite's own locks (POSIX locks are per process).
        // Named from the file's real path: the same database reached
        // through a link or another spelling is one claim.
        let claim_file = (!path.contains(":memory:") && !path.contains("mode=memory")).then(|| {
            let file = path.split('?').next().unwrap_or(path);
            let file = std::fs::canonicalize(file).unwrap_or_else(|_| file.into());
            let mut name = file.into_os_string();
            name.push("-tracker");
            std::path::PathBuf::from(name)
        });
        Ok(Self { pool, claim_file })
    }

    async fn claim(&self) -> Result<Claim, StoreError> {
        let Some(path) = &self.claim_file else {
            return Ok(Claim::Taken(TrackingClaim(Held::Nothing)));
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(sqlx::Error::Io)?;
        match file.try_lock() {
            Ok(()) => {
                // Who holds it, for the next one refused.
                let _ = file.set_len(0);
                let _ = std::io::Write::write_all(
                    &mut &file,
                    format!("{}\n", std::process::id()).as_bytes(),
                );
                Ok(Claim::Taken(TrackingClaim(Held::File {
                    file,
                    store: self.clone(),
                })))
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                let pid = std::fs::read_to_string(path).unwrap_or_default();
                Ok(Claim::HeldBy(format!(
                    "process {} on this machine holds the lock on {}",
                    pid.trim(),
                    path.display()
                )))
            }
            Err(std::fs::TryLockError::Error(e)) => Err(sqlx::Error::Io(e).into()),
        }
    }

    /// Whether the lock file is still the one `file` locked (not removed,
    /// nor made again by another process that then locked its own).
    fn claim_file_is(&self, file: &std::fs::File) -> bool {
        use std::os::unix::fs::MetadataExt as _;
        let Some(path) = &self.claim_file else {
            return true;
        };
        match (std::fs::metadata(path), file.metadata()) {
            (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
            _ => false,
        }
    }
}

impl SqliteTrackStore {
    /// A transaction that writes: it takes SQLite's write lock at `BEGIN`,
    /// so it waits its turn (busy timeout) instead of failing with
    /// "database is locked" when a read turns into a write while another
    /// connection writes (the demo's import and the feed start together).
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }
}

impl SqliteTrackStore {
    /// Nothing to take: SQLite's write lock (`BEGIN IMMEDIATE`) already
    /// keeps a thinning run and a batch apart.
    async fn lock_for_thinning(_tx: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
        Ok(())
    }

    /// As [`Self::lock_for_thinning`]: nothing to take.
    async fn share_thinning_lock(_tx: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
        Ok(())
    }
}

/// The advisory lock that keeps a thinning run and the batches stored
/// meanwhile apart on PostgreSQL: keyed by the positions table itself, as
/// the search path finds it (each deployment's schema its own lock).
const THINNING_LOCK: &str = "1668248178, 'track_positions'::regclass::oid::int";

/// The advisory lock a [`TrackingClaim`] holds on PostgreSQL (per schema too).
const TRACKING_LOCK: &str = "1668248179, 'track_positions'::regclass::oid::int";

impl PgTrackStore {
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Postgres>, sqlx::Error> {
        self.pool.begin().await
    }

    /// A thinning run holds the lock alone until it commits: a batch reads
    /// how far thinning has gone and stores its rows under the shared lock
    /// (open finding 9), so no run passes a batch's rows between the two
    /// and leaves them unthinned and unnoted.
    async fn lock_for_thinning(tx: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT pg_advisory_xact_lock({THINNING_LOCK})::text"
        )))
        .execute(&mut *tx)
        .await
        .map(|_| ())
    }

    /// A batch's share of the thinning lock, until its transaction ends.
    async fn share_thinning_lock(tx: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT pg_advisory_xact_lock_shared({THINNING_LOCK})::text"
        )))
        .execute(&mut *tx)
        .await
        .map(|_| ())
    }

    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::with_pool(pool::postgres(url, None, 4).await?).await
    }

    /// Ends the backend `pid` (a claim's session whose connection this
    /// side lost) and waits up to 2 s for it to be gone, with its locks.
    async fn end_session(&self, pid: i32) -> Result<(), StoreError> {
        let _ = sqlx::query(q("SELECT pg_terminate_backend($1)::text"))
            .bind(pid)
            .execute(&self.pool)
            .await?;
        for _ in 0..20 {
            let alive: bool = sqlx::query_scalar(q(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)",
            ))
            .bind(pid)
            .fetch_one(&self.pool)
            .await?;
            if !alive {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Whether the session of `conn` holds the tracking lock.
    async fn holds_claim(conn: &mut sqlx::PgConnection) -> Result<bool, sqlx::Error> {
        sqlx::query_scalar(q(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() \
             AND locktype = 'advisory' AND granted AND classid = 1668248179 \
             AND objid = 'track_positions'::regclass::oid)",
        ))
        .fetch_one(conn)
        .await
    }

    /// On a connection taken out of the pool: the lock lives as long as
    /// its session, so it must not go back to be shared.
    async fn claim(&self) -> Result<Claim, StoreError> {
        let mut conn = self.pool.acquire().await?.detach();
        let lock = format!("SELECT pg_try_advisory_lock({TRACKING_LOCK})");
        let got: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(lock))
            .fetch_one(&mut conn)
            .await?;
        if got {
            let pid: i32 = sqlx::query_scalar(q("SELECT pg_backend_pid()"))
                .fetch_one(&mut conn)
                .await?;
            return Ok(Claim::Taken(TrackingClaim(Held::Postgres {
                conn: Some(conn),
                store: self.clone(),
                pid,
            })));
        }
        // Who: a server whose host died keeps its session (and the lock)
        // until PostgreSQL notices, which the operator can hasten.
        let holder: Option<(i32, Option<String>, Option<String>)> = sqlx::query_as(q(
            "SELECT a.pid, host(a.client_addr), to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') \
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 1668248179 \
               AND l.objid = 'track_positions'::regclass::oid AND l.database = \
               (SELECT oid FROM pg_database WHERE datname = current_database())",
        ))
        .fetch_optional(&mut conn)
        .await
        .ok()
        .flatten();
        let _ = sqlx::Connection::close(conn).await;
        Ok(Claim::HeldBy(match holder {
            Some((pid, addr, since)) => format!(
                "PostgreSQL session {pid} holds it (from {}, since {}); if that server is gone, \
                 end the session with SELECT pg_terminate_backend({pid})",
                addr.as_deref().unwrap_or("a local socket"),
                since.as_deref().unwrap_or("an unknown time"),
            ),
            None => "a PostgreSQL session holds it".to_string(),
        }))
    }

    /// Connects with every table in `schema` (created if missing), for tests.
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        Self::with_pool(pool::postgres(url, Some(schema), 4).await?).await
    }

    async fn with_pool(pool: Pool<Postgres>) -> Result<Self, StoreError> {
        let mut m = sqlx::migrate!("migrations/track/postgres");
        m.set_ignore_missing(true);
        m.run(&pool).await?;
        Ok(Self {
            pool,
            repeats_expected: Arc::default(),
        })
    }
}

/// Opens the tracking tables in the database `url` names (same rules as [`crate::open`]).
pub async fn open_track(url: &str) -> Result<Arc<dyn TrackStore>, StoreError> {
    Ok(match pool::locate(url) {
        pool::Location::Postgres(url) => Arc::new(PgTrackStore::connect(url).await?),
        pool::Location::Sqlite(path) => Arc::new(SqliteTrackStore::open(path).await?),
    })
}

fn millis(t: Timestamp) -> i64 {
    t.as_millisecond()
}

fn from_millis(ms: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(ms).map_err(|e| StoreError::Corrupt(format!("time {ms}: {e}")))
}

fn u32_of(n: i64, what: &str) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("{what} {n}")))
}

// Every statement is a constant of this file with `$n` parameters: nothing
// from callers is spliced into SQL.
fn q(sql: &'static str) -> sqlx::AssertSqlSafe<&'static str> {
    sqlx::AssertSqlSafe(sql)
}

const POSITION_COLUMNS: &str = "mmsi, time, lat, lon, sog, cog, heading, nav_status";

/// [`DOWNSAMPLE_SQL`] with `filter` added to the rows read and deleted.
macro_rules! downsample_sql {
    ($filter:literal) => {
        concat!(
            "WITH w AS ( \
  SELECT mmsi, time, downsampled, \
    time > MIN(time) OVER (PARTITION BY mmsi, time / $3) AS later, \
    nav_status = LAG(nav_status, 1, nav_status) OVER v AS same_status, \
    ABS(COALESCE(sog, CAST(-1000 AS REAL)) - LAG(COALESCE(sog, CAST(-1000 AS REAL)), 1, COALESCE(sog, CAST(-1000 AS REAL))) OVER v) AS dsog, \
    ABS(COALESCE(cog, CAST(-1000 AS REAL)) - LAG(COALESCE(cog, CAST(-1000 AS REAL)), 1, COALESCE(cog, CAST(-1000 AS REAL))) OVER v) AS dcog \
  FROM track_positions WHERE time >= $1 AND time < $2 ",
            $filter,
            " WINDOW v AS (PARTITION BY mmsi ORDER BY time) \
), doomed AS ( \
  SELECT mmsi, time FROM w WHERE NOT downsampled GROUP BY mmsi, time \
  HAVING MIN(CASE WHEN later AND same_status AND dsog < $4 \
                   AND (dcog < $5 OR (dcog > 360 - $5 AND dcog <= 360)) THEN 1 ELSE 0 END) = 1 \
) \
DELETE FROM track_positions WHERE time >= $1 AND time < $2 AND NOT downsampled ",
            $filter,
            " AND (mmsi, time) IN (SELECT mmsi, time FROM doomed) \
  AND NOT EXISTS (SELECT 1 FROM track_evidence e WHERE e.mmsi = track_positions.mmsi AND e.time = track_positions.time)"
        )
    };
}
/// Down-sampling, one statement for both databases. `$1..$2`: the window of
/// event time read (`$1` reaches one bucket back into what the previous run
/// kept, for context); `$3`: bucket (ms); `$4`: speed change (kn); `$5`:
/// course change (degrees). A `(mmsi, time)` is deleted when it is not
/// thinned yet, is not the first of its vessel's bucket, no row at that
/// `(mmsi, time)` changed status, speed or course from the vessel's
/// previous position, and it is not the evidence of an alert. Unknown speed
/// or course counts as a value of its own (a change to or from unknown is a
/// change).
const DOWNSAMPLE_SQL: &str = downsample_sql!("");
/// One vessel's positions stored late (`$6`: its MMSI), in a window an
/// earlier run had passed.
const DOWNSAMPLE_LATE_SQL: &str = downsample_sql!("AND mmsi = $6");

/// Vessels with late positions one down-sampling run thins at most (the
/// earliest first; the rest wait for the next run).
const LATE_PER_RUN: i64 = 1000;

/// The rows in `(mmsi, time)` order (consecutive inserts then land on the
/// same index pages; the order rows are stored in is not observable),
/// without repeats: of several reports of one vessel at the same
/// millisecond (e.g. heard by two receivers) the first is kept, a repeat
/// adds nothing.
fn by_index_order(rows: &[PositionRow]) -> Vec<PositionRow> {
    let mut v = rows.to_vec();
    v.sort_by_key(|p| (p.mmsi, p.time));
    v.dedup_by_key(|p| (p.mmsi, p.time));
    v
}

/// `(mmsi, time ms)` of every position report that `rows` cite as evidence
/// (`body.evidence[]` items of type `position`), deduplicated.
fn evidence_of(rows: &[AlertRow]) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = rows
        .iter()
        .filter_map(|r| r.body.get("evidence")?.as_array())
        .flatten()
        .filter(|e| e.get("type").and_then(|t| t.as_str()) == Some("position"))
        .filter_map(|e| {
            let mmsi = e.get("mmsi")?.as_i64()?;
            let time: Timestamp = e.get("time")?.as_str()?.parse().ok()?;
            Some((mmsi, millis(time)))
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Per vessel, the earliest of `rows` dated before `done` (how far
/// down-sampling has gone), if it has begun.
fn late_by_vessel(rows: &[PositionRow], done: Option<i64>) -> Vec<(u32, i64)> {
    let Some(done) = done else {
        return Vec::new();
    };
    let mut late: BTreeMap<u32, i64> = BTreeMap::new();
    for r in rows {
        let t = millis(r.time);
        if t < done {
            let e = late.entry(r.mmsi).or_insert(t);
            *e = (*e).min(t);
        }
    }
    late.into_iter().collect()
}

macro_rules! track_impl {
    ($store:ident, $db:ty) => {
        impl $store {
            /// Notes, per vessel, the earliest of `rows` dated before what
            /// down-sampling has passed, so that its next run thins them
            /// too: in the transaction that stores them (one small read; a
            /// write only when a feed fills in the past).
            async fn note_late(
                conn: &mut <$db as sqlx::Database>::Connection,
                rows: &[PositionRow],
            ) -> Result<(), StoreError> {
                let done: Option<i64> = sqlx::query_scalar(q("SELECT done_until FROM track_downsample WHERE id = 1"))
                    .fetch_optional(&mut *conn)
                    .await?;
                let late = late_by_vessel(rows, done);
                if late.is_empty() {
                    return Ok(());
                }
                for chunk in late.chunks(1000) {
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO track_late (mmsi, since) ");
                    qb.push_values(chunk, |mut b, (mmsi, since)| {
                        b.push_bind(i64::from(*mmsi)).push_bind(*since);
                    });
                    qb.push(
                        " ON CONFLICT (mmsi) DO UPDATE SET since = \
                         CASE WHEN excluded.since < track_late.since THEN excluded.since ELSE track_late.since END",
                    );
                    qb.build().execute(&mut *conn).await?;
                }
                Ok(())
            }

            fn position(r: &<$db as sqlx::Database>::Row) -> Result<PositionRow, StoreError> {
                let heading: Option<i32> = r.try_get(6)?;
                let nav: i32 = r.try_get(7)?;
                Ok(PositionRow {
                    mmsi: u32_of(r.try_get(0)?, "MMSI")?,
                    time: from_millis(r.try_get(1)?)?,
                    lat: r.try_get(2)?,
                    lon: r.try_get(3)?,
                    sog: r.try_get(4)?,
                    cog: r.try_get(5)?,
                    heading: heading.and_then(|h| u16::try_from(h).ok()),
                    nav_status: u8::try_from(nav).unwrap_or(15),
                })
            }

            fn alert(r: &<$db as sqlx::Database>::Row) -> Result<AlertRow, StoreError> {
                let body: String = r.try_get(6)?;
                Ok(AlertRow {
                    key: r.try_get(0)?,
                    kind: r.try_get(1)?,
                    mmsi: u32_of(r.try_get(2)?, "MMSI")?,
                    start: from_millis(r.try_get(3)?)?,
                    end: from_millis(r.try_get(4)?)?,
                    open: r.try_get(5)?,
                    body: serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(format!("alert body: {e}")))?,
                })
            }
        }

        #[async_trait]
        impl TrackStore for $store {
            async fn insert_positions(&self, rows: &[PositionRow]) -> Result<u64, StoreError> {
                if rows.is_empty() {
                    return Ok(0);
                }
                self.insert_rows(rows).await
            }

            async fn upsert_alerts(&self, rows: &[AlertRow]) -> Result<(), StoreError> {
                if rows.is_empty() {
                    return Ok(());
                }
                let mut tx = self.begin_write().await?;
                // Their evidence keeps positions from thinning: not written
                // while a run decides what to delete.
                Self::share_thinning_lock(&mut tx).await?;
                for chunk in rows.chunks(500) {
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO track_alerts (key, kind, mmsi, start_ms, end_ms, open, body) ");
                    qb.push_values(chunk, |mut b, a| {
                        b.push_bind(a.key.clone())
                            .push_bind(a.kind.clone())
                            .push_bind(i64::from(a.mmsi))
                            .push_bind(millis(a.start))
                            .push_bind(millis(a.end))
                            .push_bind(a.open)
                            .push_bind(a.body.to_string());
                    });
                    qb.push(
                        " ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, mmsi = excluded.mmsi, start_ms = excluded.start_ms, \
                         end_ms = excluded.end_ms, open = excluded.open, body = excluded.body",
                    );
                    qb.build().execute(&mut *tx).await?;
                }
                // Positions that are evidence are kept when old data is thinned.
                let evidence = evidence_of(rows);
                for chunk in evidence.chunks(1000) {
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO track_evidence (mmsi, time) ");
                    qb.push_values(chunk, |mut b, (mmsi, time)| {
                        b.push_bind(*mmsi).push_bind(*time);
                    });
                    qb.push(" ON CONFLICT (mmsi, time) DO NOTHING");
                    qb.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn alerts(&self, aq: &AlertQuery) -> Result<Vec<AlertRow>, StoreError> {
                let mut qb = QueryBuilder::<$db>::new("SELECT key, kind, mmsi, start_ms, end_ms, open, body FROM track_alerts WHERE 1 = 1");
                if let Some(k) = &aq.key {
                    qb.push(" AND key = ").push_bind(k.clone());
                }
                if let Some(t) = aq.from {
                    qb.push(" AND end_ms >= ").push_bind(millis(t));
                }
                if let Some(t) = aq.until {
                    qb.push(" AND start_ms <= ").push_bind(millis(t));
                }
                if let Some(k) = &aq.kind {
                    qb.push(" AND kind = ").push_bind(k.clone());
                }
                if !aq.except_kinds.is_empty() {
                    qb.push(" AND kind NOT IN (");
                    let mut list = qb.separated(", ");
                    for k in &aq.except_kinds {
                        list.push_bind(k.clone());
                    }
                    qb.push(")");
                }
                if let Some(m) = aq.mmsi {
                    qb.push(" AND mmsi = ").push_bind(i64::from(m));
                }
                if let Some(o) = aq.open {
                    qb.push(" AND open = ").push_bind(o);
                }
                qb.push(" ORDER BY start_ms DESC, key LIMIT ").push_bind(i64::from(aq.limit.unwrap_or(100).clamp(1, 10_000)));
                let rows = qb.build().fetch_all(&self.pool).await?;
                rows.iter().map(Self::alert).collect()
            }

            async fn track(&self, mmsi: u32, from: Timestamp, until: Timestamp, limit: u32) -> Result<Vec<PositionRow>, StoreError> {
                let rows = sqlx::query(q(
                    "SELECT mmsi, time, lat, lon, sog, cog, heading, nav_status FROM track_positions \
                     WHERE mmsi = $1 AND time >= $2 AND time <= $3 ORDER BY time LIMIT $4",
                ))
                .bind(i64::from(mmsi))
                .bind(millis(from))
                .bind(millis(until))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(Self::position).collect()
            }

            async fn last_positions(&self, since: Timestamp, until: Timestamp, limit: u32) -> Result<Vec<PositionRow>, StoreError> {
                // One pass over the window (the time index), then each
                // vessel's row by its key.
                let rows = sqlx::query(q(
                    "SELECT p.mmsi, p.time, p.lat, p.lon, p.sog, p.cog, p.heading, p.nav_status \
                     FROM track_positions p JOIN \
                     (SELECT mmsi, MAX(time) AS latest FROM track_positions \
                      WHERE time >= $1 AND time <= $2 GROUP BY mmsi) l \
                     ON p.mmsi = l.mmsi AND p.time = l.latest \
                     ORDER BY p.time DESC, p.mmsi LIMIT $3",
                ))
                .bind(millis(since))
                .bind(millis(until))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                let mut out: Vec<PositionRow> = rows.iter().map(Self::position).collect::<Result<_, _>>()?;
                // A vessel with two rows at its latest millisecond: one.
                let mut seen = std::collections::HashSet::new();
                out.retain(|r| seen.insert(r.mmsi));
                Ok(out)
            }

            async fn downsample(&self, before: Timestamp, bucket_s: u32, sog_change_kn: f32, cog_change_deg: f32) -> Result<u64, StoreError> {
                let bucket = i64::from(bucket_s.max(1)) * 1000;
                let before = millis(before);
                let mut tx = self.begin_write().await?;
                Self::lock_for_thinning(&mut tx).await?;
                let done: Option<i64> = sqlx::query_scalar(q("SELECT done_until FROM track_downsample WHERE id = 1"))
                    .fetch_optional(&mut *tx)
                    .await?;
                if done.is_some_and(|d| d >= before) {
                    return Ok(0);
                }
                // Positions stored after an earlier run had passed their
                // time: each such vessel's window again, up to that run's end.
                let mut deleted = 0;
                if let Some(done) = done {
                    let late: Vec<(i64, i64)> = sqlx::query_as(q("SELECT mmsi, since FROM track_late ORDER BY since, mmsi LIMIT $1"))
                        .bind(LATE_PER_RUN)
                        .fetch_all(&mut *tx)
                        .await?;
                    for (mmsi, since) in late {
                        let from = since.saturating_sub(bucket);
                        deleted += sqlx::query(q(DOWNSAMPLE_LATE_SQL))
                            .bind(from)
                            .bind(done)
                            .bind(bucket)
                            .bind(f64::from(sog_change_kn.max(0.0)))
                            .bind(f64::from(cog_change_deg.clamp(0.0, 180.0)))
                            .bind(mmsi)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                        sqlx::query(q("UPDATE track_positions SET downsampled = TRUE WHERE mmsi = $1 AND time >= $2 AND time < $3 AND NOT downsampled"))
                            .bind(mmsi)
                            .bind(from)
                            .bind(done)
                            .execute(&mut *tx)
                            .await?;
                        // Only the note read: one lowered meanwhile waits for the next run.
                        sqlx::query(q("DELETE FROM track_late WHERE mmsi = $1 AND since = $2"))
                            .bind(mmsi)
                            .bind(since)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                // One bucket before the previous run's end: the context that
                // run kept (first of the bucket, previous status/speed/course).
                let from = done.map_or(i64::MIN, |d| d.saturating_sub(bucket));
                deleted += sqlx::query(q(DOWNSAMPLE_SQL))
                    .bind(from)
                    .bind(before)
                    .bind(bucket)
                    .bind(f64::from(sog_change_kn.max(0.0)))
                    .bind(f64::from(cog_change_deg.clamp(0.0, 180.0)))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                sqlx::query(q("UPDATE track_positions SET downsampled = TRUE WHERE time >= $1 AND time < $2 AND NOT downsampled"))
                    .bind(from)
                    .bind(before)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(q(
                    "INSERT INTO track_downsample (id, done_until) VALUES (1, $1) \
                     ON CONFLICT (id) DO UPDATE SET done_until = excluded.done_until",
                ))
                .bind(before)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(deleted)
            }

            async fn register(&self, rows: &[RegistryRow]) -> Result<(), StoreError> {
                if rows.is_empty() {
                    return Ok(());
                }
                let mut tx = self.begin_write().await?;
                for chunk in rows.chunks(1000) {
                    // One registration per vessel: an IMO registered again
                    // under another MMSI leaves its old one.
                    if chunk.iter().any(|r| r.imo.is_some()) {
                        let mut qb = QueryBuilder::<$db>::new("DELETE FROM track_registry WHERE imo IN (");
                        let mut sep = qb.separated(", ");
                        for imo in chunk.iter().filter_map(|r| r.imo) {
                            sep.push_bind(i64::from(imo));
                        }
                        qb.push(") AND mmsi NOT IN (");
                        let mut sep = qb.separated(", ");
                        for r in chunk {
                            sep.push_bind(i64::from(r.mmsi));
                        }
                        qb.push(")");
                        qb.build().execute(&mut *tx).await?;
                    }
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO track_registry (mmsi, imo, name, source) ");
                    qb.push_values(chunk, |mut b, r| {
                        b.push_bind(i64::from(r.mmsi)).push_bind(r.imo.map(i64::from)).push_bind(r.name.clone()).push_bind(r.source.clone());
                    });
                    qb.push(" ON CONFLICT (mmsi) DO UPDATE SET imo = excluded.imo, name = excluded.name, source = excluded.source");
                    qb.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn registry(&self) -> Result<Vec<RegistryRow>, StoreError> {
                let rows = sqlx::query(q("SELECT mmsi, imo, name, source FROM track_registry ORDER BY mmsi")).fetch_all(&self.pool).await?;
                rows.iter()
                    .map(|r| {
                        let imo: Option<i64> = r.try_get(1)?;
                        Ok(RegistryRow {
                            mmsi: u32_of(r.try_get(0)?, "MMSI")?,
                            imo: imo.map(|i| u32_of(i, "IMO")).transpose()?,
                            name: r.try_get(2)?,
                            source: r.try_get(3)?,
                        })
                    })
                    .collect()
            }

            async fn claim_tracking(&self) -> Result<Claim, StoreError> {
                self.claim().await
            }
        }
    };
}

impl SqliteTrackStore {
    /// Multi-row INSERTs of [`POSITION_CHUNK`] rows (one cached prepared
    /// statement for every full chunk), all in one transaction, in index
    /// order. The table is clustered on `(time, mmsi)` (migration 1003): a
    /// position already stored at the same `(mmsi, time)` is ignored (a
    /// repeated report adds nothing). The connection gets a page cache big
    /// enough for a batch's index pages: with the default 2 MB, SQLite
    /// spills dirty pages to the WAL in mid-transaction and writes the same
    /// page several times. And it checkpoints the WAL when it reaches 16,384
    /// pages (64 MB) instead of 1,000: a batch re-dirties the last index
    /// page of every vessel, which a checkpoint after every batch would copy
    /// into the database file again each time.
    async fn insert_rows(&self, rows: &[PositionRow]) -> Result<u64, StoreError> {
        use sqlx::Connection as _;
        let rows = by_index_order(rows);
        let mut conn = self.pool.acquire().await?;
        sqlx::query(q("PRAGMA cache_size = -65536"))
            .execute(&mut *conn)
            .await?;
        sqlx::query(q("PRAGMA wal_autocheckpoint = 16384"))
            .execute(&mut *conn)
            .await?;
        let mut tx = conn.begin().await?;
        let mut n = 0;
        for chunk in rows.chunks(POSITION_CHUNK) {
            let mut qb = QueryBuilder::<Sqlite>::new(format!(
                "INSERT OR IGNORE INTO track_positions ({POSITION_COLUMNS}) "
            ));
            qb.push_values(chunk, |mut b, p| {
                b.push_bind(i64::from(p.mmsi))
                    .push_bind(millis(p.time))
                    .push_bind(p.lat)
                    .push_bind(p.lon)
                    .push_bind(p.sog)
                    .push_bind(p.cog)
                    .push_bind(p.heading.map(i32::from))
                    .push_bind(i32::from(p.nav_status));
            });
            n += qb.build().execute(&mut *tx).await?.rows_affected();
        }
        // Under the write lock the INSERTs took: no thinning run between.
        Self::note_late(&mut tx, &rows).await?;
        tx.commit().await?;
        Ok(n)
    }
}

/// Batches that skip the plain `COPY` after one repeated a stored position:
/// repeats come in runs (a redelivered stream, two receivers hearing the
/// same ships), and a `COPY` that fails on one wastes its work.
const REPEAT_BATCHES: u32 = 16;

impl PgTrackStore {
    /// One binary `COPY` per call into the table itself: atomic like a
    /// transaction and several times faster than multi-row INSERTs. The
    /// table's unique key (migration 1004) refuses a batch that repeats a
    /// stored `(mmsi, time)`; then the batch, and the next
    /// [`REPEAT_BATCHES`], go through a temporary table and
    /// `INSERT … ON CONFLICT DO NOTHING` (about 1.6 times the server's work),
    /// so a repeated report adds nothing, as on SQLite.
    async fn insert_rows(&self, rows: &[PositionRow]) -> Result<u64, StoreError> {
        use std::sync::atomic::Ordering::Relaxed;
        let rows = by_index_order(rows);
        let expected = self.repeats_expected.load(Relaxed);
        if expected == 0 {
            let mut conn = self.pool.acquire().await?;
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            Self::share_thinning_lock(&mut tx).await?;
            // A batch dated before what thinning has passed goes through the
            // transaction below, which notes it (rare: a feed filling in the past).
            let done: Option<i64> =
                sqlx::query_scalar(q("SELECT done_until FROM track_downsample WHERE id = 1"))
                    .fetch_optional(&mut *tx)
                    .await?;
            if late_by_vessel(&rows, done).is_empty() {
                match copy_positions(&mut tx, "track_positions", &rows).await {
                    Ok(n) => {
                        tx.commit().await?;
                        return Ok(n);
                    }
                    Err(e) => {
                        drop(tx);
                        // A connection whose COPY failed is not handed back.
                        conn.close_on_drop();
                        if !is_unique_violation(&e) {
                            return Err(e.into());
                        }
                        tracing::debug!(
                            "a batch repeats stored positions: storing only the new ones"
                        );
                        self.repeats_expected.store(REPEAT_BATCHES, Relaxed);
                    }
                }
            }
        } else {
            self.repeats_expected.store(expected - 1, Relaxed);
        }
        let mut tx = self.pool.begin().await?;
        Self::share_thinning_lock(&mut tx).await?;
        sqlx::query(q(
            "CREATE TEMPORARY TABLE track_positions_in (LIKE track_positions INCLUDING DEFAULTS) ON COMMIT DROP",
        ))
        .execute(&mut *tx)
        .await?;
        copy_positions(&mut tx, "track_positions_in", &rows).await?;
        let n = sqlx::query(q(
            "INSERT INTO track_positions SELECT * FROM track_positions_in ON CONFLICT (mmsi, time) DO NOTHING",
        ))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        Self::note_late(&mut tx, &rows).await?;
        tx.commit().await?;
        Ok(n)
    }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("23505"))
}

/// One `COPY … FROM STDIN (FORMAT binary)` of `rows` into `table`: no text
/// parsing on the server (floats are sent as their IEEE 754 bits, so
/// PostgreSQL stores the exact values). Sent in 1 MiB messages.
async fn copy_positions(
    conn: &mut sqlx::PgConnection,
    table: &'static str,
    rows: &[PositionRow],
) -> Result<u64, sqlx::Error> {
    const SEND_AT: usize = 1 << 20;
    /// A field: its length, then its bytes (network order).
    fn field<const N: usize>(buf: &mut Vec<u8>, bytes: [u8; N]) {
        let len = i32::try_from(N).unwrap_or(i32::MAX); // 4 or 8
        buf.extend_from_slice(&len.to_be_bytes());
        buf.extend_from_slice(&bytes);
    }
    /// A NULL field: length -1.
    fn null(buf: &mut Vec<u8>) {
        buf.extend_from_slice(&(-1i32).to_be_bytes());
    }
    let mut copy = conn
        .copy_in_raw(&format!(
            "COPY {table} (mmsi, time, lat, lon, sog, cog, heading, nav_status) FROM STDIN (FORMAT binary)"
        ))
        .await?;
    let mut buf: Vec<u8> = Vec::with_capacity(SEND_AT + 128);
    // Signature, flags (no OIDs), header extension length.
    buf.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
    buf.extend_from_slice(&0i32.to_be_bytes());
    buf.extend_from_slice(&0i32.to_be_bytes());
    for p in rows {
        buf.extend_from_slice(&8i16.to_be_bytes());
        field(&mut buf, i64::from(p.mmsi).to_be_bytes());
        field(&mut buf, millis(p.time).to_be_bytes());
        field(&mut buf, p.lat.to_be_bytes());
        field(&mut buf, p.lon.to_be_bytes());
        for v in [p.sog, p.cog] {
            match v {
                Some(v) if v.is_finite() => field(&mut buf, v.to_be_bytes()),
                _ => null(&mut buf),
            }
        }
        match p.heading {
            Some(v) => field(&mut buf, i32::from(v).to_be_bytes()),
            None => null(&mut buf),
        }
        field(&mut buf, i32::from(p.nav_status).to_be_bytes());
        if buf.len() >= SEND_AT {
            copy.send(buf.as_slice()).await?;
            buf.clear();
        }
    }
    // File trailer.
    buf.extend_from_slice(&(-1i16).to_be_bytes());
    copy.send(buf.as_slice()).await?;
    copy.finish().await
}

track_impl!(SqliteTrackStore, Sqlite);
track_impl!(PgTrackStore, Postgres);
