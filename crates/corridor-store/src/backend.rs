//! The two backends, expanded from one body by `store_impl!`.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use async_trait::async_trait;
use corridor_domain::{
    CargoFact, CargoLine, Commodity, CurrentVoyage, DateRange, FieldChange, FiguresByDay, Imo,
    Snapshot, Stats, Tonnes, VoyageKey, VoyageRecord, country, port,
};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::{PgConnection, Pool, Postgres, QueryBuilder, Row, Sqlite, SqliteConnection};

use crate::model::{
    HistoryRow, ImportBatch, ImportOutcome, Page, VesselDetail, VesselRow, VoyageQuery, VoyageView,
};
use crate::plan::plan;
use crate::{Backend, Store, StoreError, VoyageStream, pool};

/// A date bound as SQL text, no earlier than 1 January of year 1: jiff
/// parses year 0 and earlier, PostgreSQL has no year 0 (a bound there was a
/// 500 on PostgreSQL and fine on SQLite), and no voyage left before year 1.
fn sql_day(d: Date) -> String {
    d.max(jiff::civil::date(1, 1, 1)).to_string()
}

/// Rows per multi-row INSERT: well inside SQLite's 32,766 and PostgreSQL's
/// 65,535 bound parameters at 13 columns.
const CHUNK: usize = 1000;

/// New voyages from which an import that at least doubles the record loads
/// in bulk: it drops the secondary indexes (and on PostgreSQL the foreign
/// keys) of `voyages` and `cargo_lines` inside its transaction and rebuilds
/// them before committing, which checks every key set-wise. SQLite readers
/// keep reading the previous state meanwhile; PostgreSQL readers of those
/// two tables wait for the import to commit.
pub const BULK_LOAD_MIN: usize = 100_000;

/// The whole record's figures by departure day, with the record's version
/// they were read at (how many imports it holds; every import adds a row
/// to `imports` in its own transaction, so any import changes it). A
/// million cargo lines take seconds to read; any date range's figures are
/// then a merge of its days ([`FiguresByDay::stats`]), so once the whole
/// record is summed for a version no range reads rows again.
#[derive(Debug)]
struct FiguresCache {
    kept: std::sync::Mutex<Option<KeptFigures>>,
    /// One sum of the whole record at a time: its first callers after a
    /// start or an import wait for it instead of each running its own.
    turn: tokio::sync::Mutex<()>,
    /// Reads of one range at once before the whole record is summed, each
    /// on one connection: the rest of the pool stays for the rest of the API.
    ranges: tokio::sync::Semaphore,
    /// How many times the figures were summed from the rows.
    sums: std::sync::atomic::AtomicU64,
}

/// Ranges read at once before the whole record is summed.
const RANGES_AT_ONCE: usize = 2;

impl Default for FiguresCache {
    fn default() -> Self {
        FiguresCache {
            kept: Default::default(),
            turn: Default::default(),
            ranges: tokio::sync::Semaphore::new(RANGES_AT_ONCE),
            sums: Default::default(),
        }
    }
}

/// The record's version the figures were read at, and the figures.
type KeptFigures = ((i64, i64), Arc<FiguresByDay>);

/// A pooled connection given back when its work finished, and closed
/// (taken out of the pool) when the work was dropped half-way: handed back
/// then, the pool would first read what the query has left.
struct UnlessFinished<DB: sqlx::Database>(Option<sqlx::pool::PoolConnection<DB>>);

impl<DB: sqlx::Database> UnlessFinished<DB> {
    fn get(&mut self) -> &mut DB::Connection {
        self.0.as_mut().expect("held until finished or dropped")
    }

    fn finish(mut self) {
        drop(self.0.take());
    }
}

impl<DB: sqlx::Database> Drop for UnlessFinished<DB> {
    fn drop(&mut self) {
        if let Some(conn) = self.0.take() {
            drop(conn.detach());
        }
    }
}

impl FiguresCache {
    fn get(&self, version: (i64, i64)) -> Option<Arc<FiguresByDay>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.as_ref()
            .filter(|(v, _)| *v == version)
            .map(|(_, f)| Arc::clone(f))
    }

    fn put(&self, version: (i64, i64), figures: Arc<FiguresByDay>) {
        *self.kept.lock().unwrap_or_else(|e| e.into_inner()) = Some((version, figures));
    }
}

/// The record in one SQLite file, in WAL mode so readers never wait for the
/// importer.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: Pool<Sqlite>,
    /// The readiness check's own connection (`pool::beside`).
    health: Pool<Sqlite>,
    bulk_min: usize,
    figures: Arc<FiguresCache>,
}

impl SqliteStore {
    pub async fn open(path: &str) -> Result<Self, StoreError> {
        let pool = pool::sqlite(path).await?;
        let mut m = sqlx::migrate!("migrations/sqlite");
        // Other crates (clearance, tracking) keep their own migrations, numbered 1000 up, in the same database.
        m.set_ignore_missing(true);
        m.run(&pool).await?;
        let store = SqliteStore {
            health: pool::beside(&pool),
            pool,
            bulk_min: BULK_LOAD_MIN,
            figures: Arc::default(),
        };
        store.seed_reference().await?;
        Ok(store)
    }

    /// Sets how many new voyages make an import load in bulk (see
    /// [`BULK_LOAD_MIN`]); 0 means every import that at least doubles the
    /// record, which lets tests cover that path on small files.
    pub fn with_bulk_load_min(mut self, n: usize) -> Self {
        self.bulk_min = n;
        self
    }
}

/// The record in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: Pool<Postgres>,
    /// The readiness check's own connection (`pool::beside`).
    health: Pool<Postgres>,
    bulk_min: usize,
    figures: Arc<FiguresCache>,
}

impl PgStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::with_pool(pool::postgres(url, None, 8).await?).await
    }

    /// Connects with every table in `schema` (created if missing): lets
    /// tests and several deployments share one database.
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        Self::with_pool(pool::postgres(url, Some(schema), 8).await?).await
    }

    async fn with_pool(pool: Pool<Postgres>) -> Result<Self, StoreError> {
        let mut m = sqlx::migrate!("migrations/postgres");
        m.set_ignore_missing(true);
        m.run(&pool).await?;
        let store = PgStore {
            health: pool::beside(&pool),
            pool,
            bulk_min: BULK_LOAD_MIN,
            figures: Arc::default(),
        };
        store.seed_reference().await?;
        Ok(store)
    }

    /// Sets how many new voyages make an import load in bulk (see
    /// [`BULK_LOAD_MIN`]); 0 means every import that at least doubles the
    /// record.
    pub fn with_bulk_load_min(mut self, n: usize) -> Self {
        self.bulk_min = n;
        self
    }
}

/// SQLite spelling of the shared SQL: PostgreSQL casts dropped.
fn sqlite_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(i) = rest.find("::") {
        out.push_str(&rest[..i]);
        rest = rest[i + 2..].trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
    }
    out.push_str(rest);
    out
}

fn pg_sql(sql: &str) -> String {
    sql.to_string()
}

// Every statement is a constant of this file with `$n` parameters; no
// caller text is ever spliced into SQL, which is what sqlx asks us to assert.
fn sqlite_q(sql: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sqlite_sql(sql))
}

fn pg_q(sql: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql.to_string())
}

fn date(s: &str) -> Result<Date, StoreError> {
    s.parse()
        .map_err(|e| StoreError::Corrupt(format!("date {s:?}: {e}")))
}

fn opt_date(s: Option<String>) -> Result<Option<Date>, StoreError> {
    s.as_deref().map(date).transpose()
}

fn timestamp(s: &str) -> Result<Timestamp, StoreError> {
    // PostgreSQL prints "2026-11-28 15:00:00+00"; SQLite holds RFC 3339.
    s.parse()
        .or_else(|_| format!("{}:00", s.replacen(' ', "T", 1)).parse())
        .map_err(|e| StoreError::Corrupt(format!("timestamp {s:?}: {e}")))
}

fn imo(n: i64) -> Result<Imo, StoreError> {
    u32::try_from(n)
        .ok()
        .and_then(|n| Imo::published(n).ok())
        .ok_or_else(|| StoreError::Corrupt(format!("IMO {n}")))
}

fn port_name(locode: &str) -> String {
    port::by_locode(locode)
        .map(|p| p.name.to_string())
        .unwrap_or_else(|| locode.to_string())
}

/// A stored voyage as the record's domain type, and the snapshot it stands on.
fn record_of(
    view: VoyageView,
    cargo: Vec<CargoLine>,
) -> Result<(VoyageRecord, Snapshot), StoreError> {
    let record = VoyageRecord {
        key: VoyageKey {
            direction: view.direction.parse().map_err(StoreError::Corrupt)?,
            seq: view.seq,
        },
        vessel_name: view.vessel_name,
        imo: view.imo,
        flag_name: view.flag_name,
        flag: view.flag,
        port: view.port,
        departure: view.departure,
        inspection_cleared: view.inspection_cleared,
        cargo,
    };
    Ok((
        record,
        Snapshot {
            source: view.source,
            as_of: view.as_of,
        },
    ))
}

const VOYAGE_COLUMNS: &str = "v.id, v.direction, v.seq::bigint, v.imo::bigint, v.vessel_name, v.flag_name, v.flag, v.port, \
     v.departure::text, v.inspection_cleared::text, v.status, v.as_of::text, v.source";
const LINE_COLUMNS: &str = "voyage_id, line_no::bigint, commodity, tonnes_kg, destination, destination_iso3, income_group, \
     world_bank_region, un_region, development_category, wfp";

/// The export's cargo-line columns beside `VOYAGE_COLUMNS` (13 of them):
/// the line number, NULL for a voyage without lines, then `line_at`'s.
const EXPORT_LINE_COLUMNS: &str = "l.line_no::bigint, l.commodity, l.tonnes_kg, l.destination, l.destination_iso3, \
     l.income_group, l.world_bank_region, l.un_region, l.development_category, l.wfp";

/// Voyages an export reads ahead of a slow reader: enough to keep the
/// query busy, few enough that a stalled download holds little.
const EXPORT_AHEAD: usize = 256;

/// How long an export waits for its reader to take the next voyage before
/// it gives up: a stalled reader holds a connection, an open snapshot (on
/// PostgreSQL, vacuum waits) and on SQLite keeps the write-ahead log from
/// being reset.
pub const EXPORT_STALL: std::time::Duration = std::time::Duration::from_secs(60);

/// What an export's task sends: the voyages, then how the read ended. A
/// channel closed without `Done` or `Failed` is an export cut short.
enum ExportMsg {
    Voyage(VoyageRecord),
    Failed(StoreError),
    Done,
}

/// How an export's read ended.
enum ExportEnd {
    Done,
    /// The reader went away or stalled: the query is abandoned mid-way.
    Abandoned,
}

/// The receiving end of an export as a stream that never ends quietly
/// before the task said `Done`.
fn export_stream(rx: tokio::sync::mpsc::Receiver<ExportMsg>) -> VoyageStream {
    let items = futures_util::stream::unfold(Some(rx), |rx| async move {
        let mut rx = rx?;
        match rx.recv().await {
            Some(ExportMsg::Voyage(v)) => Some((Ok(v), Some(rx))),
            Some(ExportMsg::Failed(e)) => Some((Err(e), None)),
            Some(ExportMsg::Done) => None,
            None => Some((
                Err(StoreError::Cut(
                    "the export's reader fell silent or the task ended".into(),
                )),
                None,
            )),
        }
    });
    // Fused: asked again after its end, it says so again.
    Box::pin(futures_util::StreamExt::fuse(items))
}

macro_rules! store_impl {
    ($store:ident, $db:ty, $conn:ty, $backend:expr, $sql:path, $q:path, $date_cast:expr, $ts_cast:expr) => {
        impl $store {
            /// Country and port reference data, kept current on every open.
            /// Writes the built-in countries and ports, unless the database
            /// already holds exactly them: opening a record to read it must
            /// not wait for (or fail beside) an import that holds the write
            /// lock.
            async fn seed_reference(&self) -> Result<(), StoreError> {
                type CountryRow = (String, String, String, Option<String>, Option<String>, Option<String>, Option<String>, Option<bool>);
                let want: std::collections::BTreeSet<CountryRow> = country::all()
                    .iter()
                    .map(|c| {
                        let g = c.groups.as_ref();
                        (
                            c.alpha3.to_string(),
                            c.alpha2.to_string(),
                            c.name.to_string(),
                            g.map(|g| g.income_group.to_string()),
                            g.map(|g| g.world_bank_region.to_string()),
                            g.map(|g| g.un_region.to_string()),
                            g.map(|g| g.development_category.to_string()),
                            g.map(|g| g.least_developed),
                        )
                    })
                    .collect();
                let have: std::collections::BTreeSet<CountryRow> = sqlx::query_as(
                    "SELECT iso3, iso2, name, income_group, world_bank_region, un_region, development_category, least_developed FROM countries",
                )
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .collect();
                let want_ports: std::collections::BTreeSet<(String, String)> = port::PORTS
                    .iter()
                    .map(|p| (p.locode.to_string(), p.name.to_string()))
                    .collect();
                let have_ports: std::collections::BTreeSet<(String, String)> =
                    sqlx::query_as("SELECT locode, name FROM ports")
                        .fetch_all(&self.pool)
                        .await?
                        .into_iter()
                        .collect();
                if want.is_subset(&have) && want_ports.is_subset(&have_ports) {
                    return Ok(());
                }
                let mut tx = self.pool.begin().await?;
                let mut qb = QueryBuilder::<$db>::new(
                    "INSERT INTO countries (iso3, iso2, name, income_group, world_bank_region, un_region, development_category, least_developed) ",
                );
                qb.push_values(country::all(), |mut b, c| {
                    let g = c.groups.as_ref();
                    b.push_bind(c.alpha3)
                        .push_bind(c.alpha2)
                        .push_bind(c.name)
                        .push_bind(g.map(|g| g.income_group))
                        .push_bind(g.map(|g| g.world_bank_region))
                        .push_bind(g.map(|g| g.un_region))
                        .push_bind(g.map(|g| g.development_category))
                        .push_bind(g.map(|g| g.least_developed));
                });
                qb.push(
                    " ON CONFLICT (iso3) DO UPDATE SET iso2 = excluded.iso2, name = excluded.name, \
                     income_group = excluded.income_group, world_bank_region = excluded.world_bank_region, \
                     un_region = excluded.un_region, development_category = excluded.development_category, \
                     least_developed = excluded.least_developed",
                );
                qb.build().execute(&mut *tx).await?;
                let mut qb = QueryBuilder::<$db>::new("INSERT INTO ports (locode, name) ");
                qb.push_values(port::PORTS, |mut b, p| {
                    b.push_bind(p.locode).push_bind(p.name);
                });
                qb.push(" ON CONFLICT (locode) DO UPDATE SET name = excluded.name");
                qb.build().execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn load_current(
                tx: &mut $conn,
            ) -> Result<HashMap<VoyageKey, (i64, CurrentVoyage)>, StoreError> {
                let rows = sqlx::query($q(&format!("SELECT {VOYAGE_COLUMNS} FROM voyages v"))).fetch_all(&mut *tx).await?;
                let mut lines = Self::lines(&mut *tx, None).await?;
                let mut out = HashMap::with_capacity(rows.len());
                for r in rows {
                    let (id, view) = Self::voyage_row(&r)?;
                    let (record, snapshot) = record_of(view, lines.remove(&id).unwrap_or_default())?;
                    out.insert(record.key, (id, CurrentVoyage { record, snapshot }));
                }
                Ok(out)
            }

            /// Cargo lines by voyage id, in line order; all, or those of `ids`.
            async fn lines<'e, E>(ex: E, ids: Option<&[i64]>) -> Result<HashMap<i64, Vec<CargoLine>>, StoreError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let mut qb = QueryBuilder::<$db>::new($sql(&format!("SELECT {LINE_COLUMNS} FROM cargo_lines")));
                if let Some(ids) = ids {
                    if ids.is_empty() {
                        return Ok(HashMap::new());
                    }
                    qb.push(" WHERE voyage_id IN (");
                    let mut sep = qb.separated(", ");
                    for id in ids {
                        sep.push_bind(*id);
                    }
                    qb.push(")");
                }
                qb.push(" ORDER BY voyage_id, line_no");
                let rows = qb.build().fetch_all(ex).await?;
                let mut out: HashMap<i64, Vec<CargoLine>> = HashMap::new();
                for r in rows {
                    out.entry(r.try_get(0)?).or_default().push(Self::line_at(&r, 2)?);
                }
                Ok(out)
            }

            /// The cargo line in `LINE_COLUMNS`' order from column `at` on
            /// (its commodity first).
            fn line_at(r: &<$db as sqlx::Database>::Row, at: usize) -> Result<CargoLine, StoreError> {
                let commodity: String = r.try_get(at)?;
                Ok(CargoLine {
                    commodity: Commodity::from_str(&commodity).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    tonnes: Tonnes::from_kg(r.try_get(at + 1)?),
                    destination: r.try_get(at + 2)?,
                    destination_iso3: r.try_get(at + 3)?,
                    income_group: r.try_get(at + 4)?,
                    world_bank_region: r.try_get(at + 5)?,
                    un_region: r.try_get(at + 6)?,
                    development_category: r.try_get(at + 7)?,
                    wfp: r.try_get(at + 8)?,
                })
            }

            fn voyage_row(r: &<$db as sqlx::Database>::Row) -> Result<(i64, VoyageView), StoreError> {
                let id: i64 = r.try_get(0)?;
                let locode: String = r.try_get(7)?;
                let seq: i64 = r.try_get(2)?;
                Ok((
                    id,
                    VoyageView {
                        id,
                        direction: r.try_get(1)?,
                        seq: u32::try_from(seq).map_err(|_| StoreError::Corrupt(format!("voyage number {seq}")))?,
                        imo: imo(r.try_get(3)?)?,
                        vessel_name: r.try_get(4)?,
                        flag_name: r.try_get(5)?,
                        flag: r.try_get(6)?,
                        port_name: port_name(&locode),
                        port: locode,
                        departure: date(&r.try_get::<String, _>(8)?)?,
                        inspection_cleared: opt_date(r.try_get(9)?)?,
                        status: r.try_get(10)?,
                        as_of: date(&r.try_get::<String, _>(11)?)?,
                        source: r.try_get(12)?,
                        tonnes: Tonnes::ZERO,
                        cargo: Vec::new(),
                    },
                ))
            }

            /// Names and flags each vessel of `changed` after its latest
            /// voyage in the whole record once `changed` is written (not
            /// only among `changed`: an older voyage corrected later must
            /// not rename the vessel), and so the vessel a changed voyage
            /// was moved away from (its IMO corrected). Equal departures:
            /// the higher number.
            async fn upsert_vessels(
                tx: &mut $conn,
                existing: &HashMap<VoyageKey, (i64, CurrentVoyage)>,
                changed: &[&VoyageRecord],
            ) -> Result<(), StoreError> {
                let rank = |r: &VoyageRecord| (r.departure, r.key.seq);
                let written: std::collections::HashSet<VoyageKey> =
                    changed.iter().map(|r| r.key).collect();
                let mut named: std::collections::HashSet<Imo> =
                    changed.iter().map(|r| r.imo).collect();
                named.extend(
                    changed
                        .iter()
                        .filter_map(|r| existing.get(&r.key))
                        .map(|(_, c)| c.record.imo),
                );
                let mut latest: HashMap<Imo, &VoyageRecord> = HashMap::new();
                let unchanged = existing
                    .iter()
                    .filter(|(key, _)| !written.contains(*key))
                    .map(|(_, (_, c))| &c.record);
                for r in changed.iter().copied().chain(unchanged) {
                    if !named.contains(&r.imo) {
                        continue;
                    }
                    let e = latest.entry(r.imo).or_insert(r);
                    if rank(r) > rank(e) {
                        *e = r;
                    }
                }
                let mut vessels: Vec<&VoyageRecord> = latest.into_values().collect();
                vessels.sort_by_key(|r| r.imo);
                for chunk in vessels.chunks(CHUNK) {
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO vessels (imo, name, flag, flag_name, imo_check_ok) ");
                    qb.push_values(chunk, |mut b, r| {
                        b.push_bind(r.imo.get() as i32)
                            .push_bind(r.vessel_name.clone())
                            .push_bind(r.flag.clone())
                            .push_bind(r.flag_name.clone())
                            .push_bind(r.imo.check().is_ok());
                    });
                    qb.push(
                        " ON CONFLICT (imo) DO UPDATE SET name = excluded.name, flag = excluded.flag, \
                         flag_name = excluded.flag_name, imo_check_ok = excluded.imo_check_ok",
                    );
                    qb.build().execute(&mut *tx).await?;
                }
                Ok(())
            }

            fn push_filters(qb: &mut QueryBuilder<$db>, q: &VoyageQuery) {
                qb.push(" WHERE 1 = 1");
                if let Some(d) = q.from {
                    qb.push(" AND v.departure >= ").push_bind(sql_day(d)).push($date_cast);
                }
                if let Some(d) = q.until {
                    qb.push(" AND v.departure <= ").push_bind(sql_day(d)).push($date_cast);
                }
                if let Some(p) = &q.port {
                    let locode = port::lookup(p).map(|p| p.locode.to_string()).unwrap_or_else(|| p.clone());
                    qb.push(" AND v.port = ").push_bind(locode);
                }
                if let Some(imo) = q.imo {
                    qb.push(" AND v.imo = ").push_bind(imo as i32);
                }
                if let Some(s) = &q.status {
                    qb.push(" AND v.status = ").push_bind(s.clone());
                }
                if let Some(c) = &q.commodity {
                    let name = Commodity::from_str(c).map(|c| c.name().to_string()).unwrap_or_else(|_| c.clone());
                    // `IN`, not a correlated `EXISTS`: SQLite then reads the
                    // lines once instead of probing them for every voyage
                    // (a count at a million rows: 0.1 s instead of 5-13 s).
                    qb.push(" AND v.id IN (SELECT voyage_id FROM cargo_lines WHERE commodity = ")
                        .push_bind(name)
                        .push(")");
                }
                if let Some(c) = &q.country {
                    let iso3 = country::lookup(c).map(|c| c.alpha3.to_string()).unwrap_or_else(|| c.clone());
                    qb.push(" AND v.id IN (SELECT voyage_id FROM cargo_lines WHERE destination_iso3 = ")
                        .push_bind(iso3)
                        .push(")");
                }
            }

            /// The figures by day of the voyages that departed in `range`
            /// (the whole record for the default range), summed from the
            /// rows as they are read.
            async fn sum_figures(&self, range: DateRange) -> Result<FiguresByDay, StoreError> {
                // A sum whose caller went away mid-read leaves its connection
                // closed, not handed back to be drained (on PostgreSQL, the
                // rest of the range's rows) while its place is free again.
                let mut conn = UnlessFinished(Some(self.pool.acquire().await?));
                let mut rows = sqlx::query($q(
                    "SELECT v.id, v.port, v.departure::text, c.commodity, c.tonnes_kg, c.destination, c.income_group, \
                     c.development_category, c.un_region, c.world_bank_region, COALESCE(c.wfp, false), v.inspection_cleared::text \
                     FROM cargo_lines c JOIN voyages v ON v.id = c.voyage_id \
                     WHERE ($1::text IS NULL OR v.departure >= $1::date) AND ($2::text IS NULL OR v.departure <= $2::date)",
                ))
                .bind(range.from.map(sql_day))
                .bind(range.until.map(sql_day))
                // A row at a time into the sums: memory stays that of the
                // figures, not of the record (1.6 GB a call for a million
                // cargo lines, and as much again per call at once).
                .fetch(conn.get());
                let mut b = FiguresByDay::new();
                while let Some(r) = futures_util::TryStreamExt::try_next(&mut rows).await? {
                    b.add(&CargoFact {
                        voyage_id: r.try_get(0)?,
                        port: port_name(&r.try_get::<String, _>(1)?),
                        departure: date(&r.try_get::<String, _>(2)?)?,
                        commodity: r.try_get(3)?,
                        tonnes: Tonnes::from_kg(r.try_get(4)?),
                        country: r.try_get(5)?,
                        income_group: r.try_get(6)?,
                        development_category: r.try_get(7)?,
                        un_region: r.try_get(8)?,
                        world_bank_region: r.try_get(9)?,
                        wfp: r.try_get(10)?,
                        inspection_cleared: opt_date(r.try_get(11)?)?,
                    });
                }
                drop(rows);
                conn.finish();
                Ok(b.finish())
            }

            /// The record's version: its count of imports and the latest
            /// import's id, which every import's transaction raises.
            async fn record_version(&self) -> Result<(i64, i64), StoreError> {
                Ok(sqlx::query_as($q("SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM imports"))
                    .fetch_one(&self.pool)
                    .await?)
            }

            /// Sends the voyages `q` picks, whole with their cargo lines, in
            /// `voyages`' order, from one query; abandons it when the
            /// receiver is gone or has not taken a voyage for `EXPORT_STALL`.
            async fn export_into(
                conn: &mut $conn,
                q: &VoyageQuery,
                tx: &tokio::sync::mpsc::Sender<ExportMsg>,
            ) -> Result<ExportEnd, StoreError> {
                let send = |v: VoyageRecord| async move {
                    matches!(tokio::time::timeout(EXPORT_STALL, tx.send(ExportMsg::Voyage(v))).await, Ok(Ok(())))
                };
                let mut qb = QueryBuilder::<$db>::new(format!(
                    "SELECT {}, {} FROM voyages v LEFT JOIN cargo_lines l ON l.voyage_id = v.id",
                    $sql(VOYAGE_COLUMNS),
                    $sql(EXPORT_LINE_COLUMNS)
                ));
                Self::push_filters(&mut qb, q);
                qb.push(" ORDER BY v.departure DESC, v.seq DESC, v.direction, v.id, l.line_no");
                let mut rows = qb.build().fetch(&mut *conn);
                let mut current: Option<(i64, VoyageView, Vec<CargoLine>)> = None;
                loop {
                    // A reader gone while the database still sorts (the first
                    // row of a whole-record download takes a second or more)
                    // ends the query now, not at the first voyage sent.
                    let next = tokio::select! {
                        r = futures_util::TryStreamExt::try_next(&mut rows) => r?,
                        () = tx.closed() => return Ok(ExportEnd::Abandoned),
                    };
                    let Some(r) = next else { break };
                    let id: i64 = r.try_get(0)?;
                    if current.as_ref().map(|c| c.0) != Some(id) {
                        if let Some((_, view, cargo)) = current.take()
                            && !send(record_of(view, cargo)?.0).await
                        {
                            return Ok(ExportEnd::Abandoned);
                        }
                        current = Some((id, Self::voyage_row(&r)?.1, Vec::new()));
                    }
                    if r.try_get::<Option<i64>, _>(13)?.is_some()
                        && let Some((_, _, cargo)) = current.as_mut()
                    {
                        cargo.push(Self::line_at(&r, 14)?);
                    }
                }
                if let Some((_, view, cargo)) = current
                    && !send(record_of(view, cargo)?.0).await
                {
                    return Ok(ExportEnd::Abandoned);
                }
                Ok(ExportEnd::Done)
            }

            /// The import, on a connection prepared by `before_import`: one
            /// transaction, the merge planned in `corridor_domain::history`,
            /// the writes streamed in the backend's bulk form.
            /// Stores history rows (each with its `recurrence`) unless stored
            /// already; returns the (voyage id, field) of the rows stored.
            async fn insert_history(
                conn: &mut $conn,
                rows: &[(&(VoyageKey, FieldChange, bool), i64)],
                id_of: &impl Fn(&VoyageKey) -> Option<i64>,
                recorded_at: &str,
                import_id: i64,
            ) -> Result<std::collections::HashSet<(i64, String)>, StoreError> {
                if rows.is_empty() {
                    return Ok(Default::default());
                }
                let mut qb = QueryBuilder::<$db>::new(
                    "INSERT INTO voyage_history (voyage_id, field, old_value, old_source, old_as_of, new_value, \
                     new_source, new_as_of, recorded_at, import_id, recurrence) ",
                );
                qb.push_values(rows, |mut b, ((key, c, _), recurrence)| {
                    b.push_bind(id_of(key).unwrap_or(-1))
                        .push_bind(c.field.clone())
                        .push_bind(c.old_value.clone())
                        .push_bind(c.old_snapshot.source.clone())
                        .push_bind(c.old_snapshot.as_of.to_string())
                        .push_unseparated($date_cast)
                        .push_bind(c.new_value.clone())
                        .push_bind(c.new_snapshot.source.clone())
                        .push_bind(c.new_snapshot.as_of.to_string())
                        .push_unseparated($date_cast)
                        .push_bind(recorded_at.to_string())
                        .push_unseparated($ts_cast)
                        .push_bind(import_id)
                        .push_bind(*recurrence);
                });
                qb.push(" ON CONFLICT DO NOTHING RETURNING voyage_id, field");
                let stored = qb.build().fetch_all(&mut *conn).await?;
                stored
                    .iter()
                    .map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?)))
                    .collect::<Result<_, sqlx::Error>>()
                    .map_err(StoreError::from)
            }

            async fn import_on(&self, conn: &mut $conn, batch: ImportBatch<'_>) -> Result<ImportOutcome, StoreError> {
                let mut tx = Self::begin_import(conn).await?;
                let existing = Self::load_current(&mut tx).await?;
                let p = plan(&existing, batch.voyages, &batch.snapshot);
                let as_of = batch.snapshot.as_of.to_string();
                // Whole seconds: the two backends keep sub-seconds differently.
                let recorded_at = batch
                    .recorded_at
                    .round(jiff::Unit::Second)
                    .unwrap_or(batch.recorded_at)
                    .to_string();
                let import_id: i64 = sqlx::query_scalar($q(
                    "INSERT INTO imports (source, format, as_of, recorded_at, voyages_new, voyages_updated, voyages_unchanged, history_added) \
                     VALUES ($1, $2, $3::date, $4::timestamptz, 0, 0, 0, 0) RETURNING id",
                ))
                .bind(&batch.snapshot.source)
                .bind(batch.format)
                .bind(&as_of)
                .bind(&recorded_at)
                .fetch_one(&mut *tx)
                .await?;

                let to_write = (p.inserts.len() + p.updates.len()) as u64;
                let mut written = 0u64;
                let report = |n: u64| {
                    if let Some(f) = batch.progress {
                        f(n, to_write);
                    }
                };
                report(0);
                let changed: Vec<&VoyageRecord> =
                    p.inserts.iter().map(|c| &c.record).chain(p.updates.iter().map(|(_, c)| &c.record)).collect();
                Self::upsert_vessels(&mut tx, &existing, &changed).await?;

                // A load that at least doubles a large record rebuilds the
                // secondary indexes (and on PostgreSQL re-checks the foreign
                // keys) once, set-wise, instead of row by row.
                let bulk = p.inserts.len() >= self.bulk_min.max(1) && p.inserts.len() >= existing.len();
                let suspended = if bulk { Self::suspend_indexes(&mut tx).await? } else { Vec::new() };

                // New voyages get ids from a block reserved in this transaction.
                let first_id = Self::reserve_voyage_ids(&mut tx, p.inserts.len()).await?;
                Self::write_inserts(&mut tx, first_id, &p.inserts, &report).await?;
                written += p.inserts.len() as u64;
                let mut lines: Vec<(i64, usize, &CargoLine)> = Vec::new();

                if !p.updates.is_empty() {
                    // Changed voyages go to a temporary table, then into the
                    // record in three set-wise statements.
                    Self::stage_updates(&mut tx, &p.updates).await?;
                    sqlx::query($q(
                        "UPDATE voyages SET imo = u.imo, vessel_name = u.vessel_name, flag_name = u.flag_name, flag = u.flag, \
                         port = u.port, departure = u.departure, inspection_cleared = u.inspection_cleared, status = u.status, \
                         as_of = u.as_of, source = u.source FROM voyage_updates u WHERE voyages.id = u.id",
                    ))
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query($q("DELETE FROM cargo_lines WHERE voyage_id IN (SELECT id FROM voyage_updates)"))
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query($q("DROP TABLE voyage_updates")).execute(&mut *tx).await?;
                    lines.clear();
                    for (id, c) in &p.updates {
                        lines.extend(c.record.cargo.iter().enumerate().map(|(no, l)| (*id, no, l)));
                    }
                    Self::write_lines(&mut tx, &lines).await?;
                    written += p.updates.len() as u64;
                }
                drop(lines);
                report(written);

                // Same values from a newer snapshot: only the snapshot moves.
                let mut confirms: Vec<(&Snapshot, Vec<i64>)> = Vec::new();
                for (id, s) in &p.confirms {
                    match confirms.iter_mut().find(|(x, _)| *x == s) {
                        Some((_, ids)) => ids.push(*id),
                        None => confirms.push((s, vec![*id])),
                    }
                }
                for (s, ids) in &confirms {
                    Self::confirm(&mut tx, s, ids).await?;
                }

                Self::restore_indexes(&mut tx, &suspended).await?;

                let mut history_added = 0;
                if !p.history.is_empty() {
                    let new_ids: HashMap<VoyageKey, i64> =
                        p.inserts.iter().enumerate().map(|(i, c)| (c.record.key, first_id + i as i64)).collect();
                    let id_of = |k: &VoyageKey| existing.get(k).map(|(id, _)| *id).or_else(|| new_ids.get(k).copied());
                    // First as a change's first row (recurrence 0): a value
                    // already recorded as lost adds nothing. Then a change
                    // the record made at this import and met again (a value
                    // put back and replaced again) as a row of its own.
                    let mut again: Vec<&(VoyageKey, FieldChange, bool)> = Vec::new();
                    for chunk in p.history.chunks(CHUNK) {
                        let rows: Vec<_> = chunk.iter().map(|h| (h, 0i64)).collect();
                        let stored = Self::insert_history(&mut tx, &rows, &id_of, &recorded_at, import_id).await?;
                        history_added += stored.len() as u64;
                        again.extend(chunk.iter().filter(|h| {
                            h.2 && !stored.contains(&(id_of(&h.0).unwrap_or(-1), h.1.field.clone()))
                        }));
                    }
                    for chunk in again.chunks(CHUNK) {
                        let rows: Vec<_> = chunk.iter().map(|h| (*h, import_id)).collect();
                        history_added +=
                            Self::insert_history(&mut tx, &rows, &id_of, &recorded_at, import_id).await?.len() as u64;
                    }
                }
                let outcome = ImportOutcome {
                    import_id,
                    imported: p.inserts.len() as u64,
                    updated: p.updates.len() as u64 - p.filled,
                    filled_in: p.filled_in,
                    unchanged: p.unchanged + p.confirms.len() as u64,
                    superseded: p.superseded,
                    history_added,
                };
                sqlx::query($q(
                    "UPDATE imports SET voyages_new = $1, voyages_updated = $2, voyages_unchanged = $3, history_added = $4, voyages_superseded = $5 WHERE id = $6",
                ))
                .bind(outcome.imported as i64)
                .bind(outcome.updated as i64)
                .bind(outcome.unchanged as i64)
                .bind(outcome.history_added as i64)
                .bind(outcome.superseded as i64)
                .bind(import_id)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(outcome)
            }

            async fn history_where(&self, column: &str, value: i64, dir: Option<&str>) -> Result<Vec<HistoryRow>, StoreError> {
                let mut qb = QueryBuilder::<$db>::new($sql(
                    "SELECT v.seq::bigint, v.direction, h.field, h.old_value, h.old_source, h.old_as_of::text, \
                     h.new_value, h.new_source, h.new_as_of::text, h.recorded_at::text \
                     FROM voyage_history h JOIN voyages v ON v.id = h.voyage_id WHERE ",
                ));
                qb.push(column).push(" = ").push_bind(value as i32);
                if let Some(d) = dir {
                    qb.push(" AND v.direction = ").push_bind(d.to_string());
                }
                qb.push(" ORDER BY h.id");
                let rows = qb.build().fetch_all(&self.pool).await?;
                rows.iter()
                    .map(|r| {
                        Ok(HistoryRow {
                            voyage_seq: r.try_get::<i64, _>(0)? as u32,
                            direction: r.try_get(1)?,
                            change: FieldChange {
                                field: r.try_get(2)?,
                                old_value: r.try_get(3)?,
                                old_snapshot: Snapshot { source: r.try_get(4)?, as_of: date(&r.try_get::<String, _>(5)?)? },
                                new_value: r.try_get(6)?,
                                new_snapshot: Snapshot { source: r.try_get(7)?, as_of: date(&r.try_get::<String, _>(8)?)? },
                            },
                            recorded_at: timestamp(&r.try_get::<String, _>(9)?)?,
                        })
                    })
                    .collect()
            }
        }

        #[async_trait]
        impl Store for $store {
            fn backend(&self) -> Backend {
                $backend
            }

            fn figures_summed(&self) -> u64 {
                self.figures.sums.load(std::sync::atomic::Ordering::Relaxed)
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(&self.health).await?;
                Ok(())
            }

            async fn import(&self, batch: ImportBatch<'_>) -> Result<ImportOutcome, StoreError> {
                let mut conn = self.pool.acquire().await?;
                Self::before_import(&mut conn).await?;
                let result = self.import_on(&mut conn, batch).await;
                let reset = Self::after_import(&mut conn).await;
                let outcome = result?;
                reset?;
                Ok(outcome)
            }

            async fn stats(&self, range: DateRange) -> Result<Stats, StoreError> {
                if let Some(f) = self.figures.get(self.record_version().await?) {
                    return Ok(f.stats(range));
                }
                // Before the whole record is summed for this version, a
                // range reads its own lines (milliseconds for a day, by the
                // departure index), not the whole record: the command line
                // asks once, and `serve` sums the whole record within 30 s
                // of a start or an import.
                if range != DateRange::default() {
                    let _slot = self
                        .figures
                        .ranges
                        .acquire()
                        .await
                        .map_err(|e| StoreError::Cut(e.to_string()))?;
                    self.figures.sums.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return Ok(self.sum_figures(range).await?.stats(range));
                }
                let _turn = self.figures.turn.lock().await;
                // Read before the figures: an import committed in between
                // leaves them under the older version, summed again next
                // time. Read again after the wait: the sum waited for may
                // be of this version.
                let version = self.record_version().await?;
                if let Some(f) = self.figures.get(version) {
                    return Ok(f.stats(range));
                }
                self.figures.sums.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let figures = Arc::new(self.sum_figures(range).await?);
                self.figures.put(version, Arc::clone(&figures));
                Ok(figures.stats(range))
            }

            async fn voyages(&self, q: &VoyageQuery) -> Result<Page<VoyageView>, StoreError> {
                let (limit, offset) = (q.limit(), q.offset.unwrap_or(0));
                let mut count = QueryBuilder::<$db>::new("SELECT COUNT(*) FROM voyages v");
                Self::push_filters(&mut count, q);
                let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;
                let mut qb = QueryBuilder::<$db>::new(format!("SELECT {} FROM voyages v", $sql(VOYAGE_COLUMNS)));
                Self::push_filters(&mut qb, q);
                qb.push(" ORDER BY v.departure DESC, v.seq DESC, v.direction, v.id LIMIT ").push_bind(limit as i64).push(" OFFSET ").push_bind(offset as i64);
                let rows = qb.build().fetch_all(&self.pool).await?;
                let mut items = Vec::with_capacity(rows.len());
                for r in &rows {
                    items.push(Self::voyage_row(r)?.1);
                }
                let ids: Vec<i64> = items.iter().map(|v| v.id).collect();
                let mut lines = Self::lines(&self.pool, Some(&ids)).await?;
                for v in &mut items {
                    v.cargo = lines.remove(&v.id).unwrap_or_default();
                    v.tonnes = v.cargo.iter().map(|c| c.tonnes).sum();
                }
                Ok(Page { items, total: total as u64, limit, offset })
            }

            fn export(&self, q: VoyageQuery) -> VoyageStream {
                let pool = self.pool.clone();
                let (tx, rx) = tokio::sync::mpsc::channel(EXPORT_AHEAD);
                tokio::spawn(async move {
                    // Given back only when the read ended: abandoned or failed
                    // half-way, the connection closes, since handed back the
                    // pool would first read the rest of the result (on
                    // PostgreSQL, the whole record).
                    let end = match pool.acquire().await {
                        Ok(conn) => {
                            let mut conn = UnlessFinished(Some(conn));
                            let end = Self::export_into(conn.get(), &q, &tx).await;
                            match end {
                                Ok(ExportEnd::Done) => {
                                    conn.finish();
                                    Ok(())
                                }
                                Ok(ExportEnd::Abandoned) => return,
                                Err(e) => Err(e),
                            }
                        }
                        Err(e) => Err(e.into()),
                    };
                    let last = match end {
                        Ok(()) => ExportMsg::Done,
                        Err(e) => ExportMsg::Failed(e),
                    };
                    let _ = tokio::time::timeout(EXPORT_STALL, tx.send(last)).await;
                });
                export_stream(rx)
            }

            async fn vessel(&self, imo: Imo) -> Result<Option<VesselDetail>, StoreError> {
                let row = sqlx::query($q(
                    "SELECT imo::bigint, name, flag, flag_name, mmsi::bigint, imo_check_ok FROM vessels WHERE imo = $1",
                ))
                .bind(imo.get() as i32)
                .fetch_optional(&self.pool)
                .await?;
                let Some(r) = row else { return Ok(None) };
                let vessel = VesselRow {
                    imo,
                    name: r.try_get(1)?,
                    flag: r.try_get(2)?,
                    flag_name: r.try_get(3)?,
                    mmsi: r.try_get::<Option<i64>, _>(4)?.map(|m| m as u32),
                    mmsi_flag: None,
                    imo_check_ok: r.try_get(5)?,
                };
                let vessel = VesselRow {
                    mmsi_flag: vessel
                        .mmsi
                        .and_then(|m| corridor_domain::Mmsi::new(m).ok())
                        .and_then(|m| m.flag())
                        .map(|c| c.alpha2.to_string()),
                    ..vessel
                };
                let q = VoyageQuery { imo: Some(imo.get()), limit: Some(VoyageQuery::MAX_LIMIT), ..VoyageQuery::default() };
                let voyages = self.voyages(&q).await?.items;
                let history = self.history_where("v.imo", imo.get() as i64, None).await?;
                Ok(Some(VesselDetail { vessel, voyages, history }))
            }

            async fn history(&self, key: VoyageKey) -> Result<Vec<HistoryRow>, StoreError> {
                self.history_where("v.seq", key.seq as i64, Some(key.direction.as_str())).await
            }

            async fn close(&self) {
                self.pool.close().await;
                self.health.close().await;
            }

            async fn set_mmsi(&self, pairs: &[(Imo, u32)]) -> Result<u64, StoreError> {
                let mut tx = self.pool.begin().await?;
                let mut updated = 0;
                for (imo, mmsi) in pairs {
                    updated += sqlx::query($q("UPDATE vessels SET mmsi = $1 WHERE imo = $2 AND mmsi IS DISTINCT FROM $1"))
                        .bind(i64::from(*mmsi))
                        .bind(imo.get() as i32)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                }
                tx.commit().await?;
                Ok(updated)
            }
        }
    };
}

store_impl!(
    SqliteStore,
    Sqlite,
    SqliteConnection,
    Backend::Sqlite,
    sqlite_sql,
    sqlite_q,
    "",
    ""
);
store_impl!(
    PgStore,
    Postgres,
    PgConnection,
    Backend::Postgres,
    pg_sql,
    pg_q,
    "::date",
    "::timestamptz"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_spelling_drops_casts() {
        assert_eq!(
            sqlite_sql("SELECT a::text, b FROM t WHERE $1::date IS NULL"),
            "SELECT a, b FROM t WHERE $1 IS NULL"
        );
    }
}
