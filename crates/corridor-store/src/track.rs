//! Live tracking's storage: position history (batched multi-row inserts,
//! down-sampling of old data), alerts (upsert by key) and the MMSI registry.
//!
//! Its own pools and its own migrations (`migrations/track/*`, versions
//! from 1001) next to the record's, in the same database: the record's
//! migrator and this one each ignore the other's versions. The SQL is
//! written once, in PostgreSQL's dialect, and expanded for both backends by
//! `track_impl!` (the same pattern as `backend.rs`).
//!
//! Times are stored as Unix milliseconds (event time): exact, index-friendly
//! and the same in both databases.

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
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub kind: Option<String>,
    pub mmsi: Option<u32>,
    pub open: Option<bool>,
    pub limit: Option<u32>,
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

/// Tracking storage. Every method is one statement or one transaction.
#[async_trait]
pub trait TrackStore: Send + Sync + std::fmt::Debug {
    /// Appends positions with multi-row inserts, in one transaction.
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
    /// Keeps one position per vessel and `bucket_s` seconds for data older
    /// than `before`; returns how many rows were deleted.
    async fn downsample(&self, before: Timestamp, bucket_s: u32) -> Result<u64, StoreError>;
    /// Registers MMSIs (insert or replace).
    async fn register(&self, rows: &[RegistryRow]) -> Result<(), StoreError>;
    /// Every registered MMSI.
    async fn registry(&self) -> Result<Vec<RegistryRow>, StoreError>;
}

/// Tracking tables in an SQLite file (WAL, like the record).
#[derive(Debug, Clone)]
pub struct SqliteTrackStore {
    pool: Pool<Sqlite>,
}

/// Tracking tables in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgTrackStore {
    pool: Pool<Postgres>,
}

impl SqliteTrackStore {
    pub async fn open(path: &str) -> Result<Self, StoreError> {
        let pool = pool::sqlite(path).await?;
        let mut m = sqlx::migrate!("migrations/track/sqlite");
        // The record's (and clearance's) migrations live in the same database.
        m.set_ignore_missing(true);
        m.run(&pool).await?;
        Ok(Self { pool })
    }
}

impl PgTrackStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::with_pool(pool::postgres(url, None, 4).await?).await
    }

    /// Connects with every table in `schema` (created if missing), for tests.
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        Self::with_pool(pool::postgres(url, Some(schema), 4).await?).await
    }

    async fn with_pool(pool: Pool<Postgres>) -> Result<Self, StoreError> {
        let mut m = sqlx::migrate!("migrations/track/postgres");
        m.set_ignore_missing(true);
        m.run(&pool).await?;
        Ok(Self { pool })
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

macro_rules! track_impl {
    ($store:ident, $db:ty) => {
        impl $store {
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
                let mut tx = self.pool.begin().await?;
                let mut n = 0;
                for chunk in rows.chunks(POSITION_CHUNK) {
                    let mut qb = QueryBuilder::<$db>::new(format!("INSERT INTO track_positions ({POSITION_COLUMNS}) "));
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
                tx.commit().await?;
                Ok(n)
            }

            async fn upsert_alerts(&self, rows: &[AlertRow]) -> Result<(), StoreError> {
                if rows.is_empty() {
                    return Ok(());
                }
                let mut tx = self.pool.begin().await?;
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
                tx.commit().await?;
                Ok(())
            }

            async fn alerts(&self, aq: &AlertQuery) -> Result<Vec<AlertRow>, StoreError> {
                let mut qb = QueryBuilder::<$db>::new("SELECT key, kind, mmsi, start_ms, end_ms, open, body FROM track_alerts WHERE 1 = 1");
                if let Some(t) = aq.from {
                    qb.push(" AND end_ms >= ").push_bind(millis(t));
                }
                if let Some(t) = aq.until {
                    qb.push(" AND start_ms <= ").push_bind(millis(t));
                }
                if let Some(k) = &aq.kind {
                    qb.push(" AND kind = ").push_bind(k.clone());
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

            async fn downsample(&self, before: Timestamp, bucket_s: u32) -> Result<u64, StoreError> {
                let bucket = i64::from(bucket_s.max(1)) * 1000;
                let mut tx = self.pool.begin().await?;
                // Keep the earliest report of each vessel in each bucket.
                let deleted = sqlx::query(q(
                    "DELETE FROM track_positions WHERE time < $1 AND NOT downsampled AND EXISTS ( \
                       SELECT 1 FROM track_positions p2 WHERE p2.mmsi = track_positions.mmsi \
                       AND p2.time / $2 = track_positions.time / $2 AND p2.time < track_positions.time)",
                ))
                .bind(millis(before))
                .bind(bucket)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                sqlx::query(q("UPDATE track_positions SET downsampled = TRUE WHERE time < $1 AND NOT downsampled"))
                    .bind(millis(before))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(deleted)
            }

            async fn register(&self, rows: &[RegistryRow]) -> Result<(), StoreError> {
                if rows.is_empty() {
                    return Ok(());
                }
                let mut tx = self.pool.begin().await?;
                for chunk in rows.chunks(1000) {
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
        }
    };
}

track_impl!(SqliteTrackStore, Sqlite);
track_impl!(PgTrackStore, Postgres);
