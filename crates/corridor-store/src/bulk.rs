//! The writes of an import in each backend's bulk form: PostgreSQL's
//! `COPY … FROM STDIN` (text format) and SQLite's multi-row `INSERT`s on
//! one connection inside one `BEGIN IMMEDIATE` transaction. The import
//! itself (load, plan, order of writes, history) is the shared body in
//! `backend.rs`; these functions only move rows.

use std::io::Write as _;

use corridor_domain::{CargoLine, CurrentVoyage, Snapshot};
use jiff::civil::Date;
use sqlx::{
    Connection, PgConnection, Postgres, QueryBuilder, Row, Sqlite, SqliteConnection, Transaction,
};

use crate::StoreError;
use crate::backend::{PgStore, SqliteStore};

/// New voyages written per step of an import on SQLite (the progress bar
/// moves once a step); PostgreSQL streams them in one `COPY`.
const BATCH: usize = 20_000;

/// Rows per multi-row INSERT on SQLite: 13 columns × 1,000 rows stays well
/// inside its 32,766 bound parameters.
const SQLITE_ROWS: usize = 1000;

/// SQLite's page cache while importing (KiB, as `PRAGMA cache_size` takes a
/// negative size): large enough that index pages stay in memory instead of
/// spilling to the WAL mid-transaction. Memory is taken only as used.
const SQLITE_IMPORT_CACHE_KIB: i64 = 256 * 1024;

/// SQLite's default page cache (2,000 KiB), restored after an import.
const SQLITE_DEFAULT_CACHE_KIB: i64 = 2000;

/// Runs one multi-row `INSERT` per chunk, building the next chunk's
/// statement on this thread while SQLite's worker thread executes the
/// current one (the two would otherwise take turns on the two cores).
async fn insert_pipelined<C>(
    conn: &mut SqliteConnection,
    chunks: impl Iterator<Item = C>,
    build: impl Fn(C) -> QueryBuilder<Sqlite>,
) -> Result<(), StoreError> {
    let mut chunks = chunks;
    let Some(first) = chunks.next() else {
        return Ok(());
    };
    let mut current = build(first);
    loop {
        let next = chunks.next();
        let run = current.build().persistent(true).execute(&mut *conn);
        // `join!` polls `run` first: that hands the statement to the worker.
        let (done, next) = tokio::join!(run, async { next.map(&build) });
        done?;
        match next {
            Some(q) => current = q,
            None => return Ok(()),
        }
    }
}

/// A DDL statement naming something read from the catalog (never caller
/// text).
fn ddl(sql: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql)
}

/// An identifier in double quotes, as both databases read it.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl SqliteStore {
    pub(crate) async fn before_import(conn: &mut SqliteConnection) -> Result<(), StoreError> {
        sqlx::query(ddl(format!(
            "PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}"
        )))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    pub(crate) async fn after_import(conn: &mut SqliteConnection) -> Result<(), StoreError> {
        sqlx::query(ddl(format!(
            "PRAGMA cache_size = -{SQLITE_DEFAULT_CACHE_KIB}"
        )))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Takes the write lock up front, so the record read for the merge is
    /// the one written to (a second importer waits rather than races).
    pub(crate) async fn begin_import(
        conn: &mut SqliteConnection,
    ) -> Result<Transaction<'_, Sqlite>, StoreError> {
        Ok(conn.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Drops the secondary indexes of `voyages` and `cargo_lines`; returns
    /// the statements that rebuild them.
    pub(crate) async fn suspend_indexes(
        conn: &mut SqliteConnection,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
             AND tbl_name IN ('voyages', 'cargo_lines') AND sql IS NOT NULL ORDER BY name",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut restore = Vec::with_capacity(rows.len());
        for r in rows {
            let name: String = r.try_get(0)?;
            restore.push(r.try_get::<String, _>(1)?);
            sqlx::query(ddl(format!("DROP INDEX {}", quoted(&name))))
                .execute(&mut *conn)
                .await?;
        }
        Ok(restore)
    }

    pub(crate) async fn restore_indexes(
        conn: &mut SqliteConnection,
        statements: &[String],
    ) -> Result<(), StoreError> {
        for s in statements {
            sqlx::query(ddl(s.clone())).execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// The first of `n` consecutive free voyage ids (the transaction holds
    /// the write lock, so they stay free).
    pub(crate) async fn reserve_voyage_ids(
        conn: &mut SqliteConnection,
        _n: usize,
    ) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM voyages")
                .fetch_one(&mut *conn)
                .await?,
        )
    }

    /// New voyages (ids from `first_id` on) and their cargo lines, a step
    /// of `BATCH` voyages at a time, calling `report` with the voyages
    /// written after each step.
    pub(crate) async fn write_inserts(
        conn: &mut SqliteConnection,
        first_id: i64,
        inserts: &[CurrentVoyage],
        report: &(dyn Fn(u64) + Sync),
    ) -> Result<(), StoreError> {
        let mut lines: Vec<(i64, usize, &CargoLine)> = Vec::new();
        let mut written = 0u64;
        for (n, chunk) in inserts.chunks(BATCH).enumerate() {
            let first = first_id + (n * BATCH) as i64;
            Self::write_voyages(conn, first, chunk).await?;
            lines.clear();
            for (i, c) in chunk.iter().enumerate() {
                lines.extend(
                    c.record
                        .cargo
                        .iter()
                        .enumerate()
                        .map(|(no, l)| (first + i as i64, no, l)),
                );
            }
            Self::write_lines(conn, &lines).await?;
            written += chunk.len() as u64;
            report(written);
        }
        Ok(())
    }

    pub(crate) async fn write_voyages(
        conn: &mut SqliteConnection,
        first_id: i64,
        voyages: &[CurrentVoyage],
    ) -> Result<(), StoreError> {
        let chunks = voyages.chunks(SQLITE_ROWS).enumerate();
        insert_pipelined(conn, chunks, |(n, chunk)| {
            let mut qb = QueryBuilder::<Sqlite>::new(
                "INSERT INTO voyages (id, direction, seq, imo, vessel_name, flag_name, flag, port, departure, \
                 inspection_cleared, status, as_of, source) ",
            );
            let mut id = first_id + (n * SQLITE_ROWS) as i64;
            qb.push_values(chunk, |mut b, c| {
                let r = &c.record;
                b.push_bind(id)
                    .push_bind(r.key.direction.as_str())
                    .push_bind(r.key.seq as i64)
                    .push_bind(r.imo.get() as i64)
                    .push_bind(r.vessel_name.clone())
                    .push_bind(r.flag_name.clone())
                    .push_bind(r.flag.clone())
                    .push_bind(r.port.clone())
                    .push_bind(r.departure.to_string())
                    .push_bind(r.inspection_cleared.map(|d| d.to_string()))
                    .push_bind(r.status().as_str())
                    .push_bind(c.snapshot.as_of.to_string())
                    .push_bind(c.snapshot.source.clone());
                id += 1;
            });
            qb
        })
        .await
    }

    pub(crate) async fn write_lines(
        conn: &mut SqliteConnection,
        lines: &[(i64, usize, &CargoLine)],
    ) -> Result<(), StoreError> {
        insert_pipelined(conn, lines.chunks(SQLITE_ROWS), |chunk| {
            let mut qb = QueryBuilder::<Sqlite>::new(
                "INSERT INTO cargo_lines (voyage_id, line_no, commodity, tonnes_kg, destination, destination_iso3, \
                 income_group, world_bank_region, un_region, development_category, wfp) ",
            );
            qb.push_values(chunk, |mut b, (voyage, no, c)| {
                b.push_bind(*voyage)
                    .push_bind(*no as i64 + 1)
                    .push_bind(c.commodity.name())
                    .push_bind(c.tonnes.kg())
                    .push_bind(c.destination.clone())
                    .push_bind(c.destination_iso3.clone())
                    .push_bind(c.income_group.clone())
                    .push_bind(c.world_bank_region.clone())
                    .push_bind(c.un_region.clone())
                    .push_bind(c.development_category.clone())
                    .push_bind(c.wfp);
            });
            qb
        })
        .await
    }

    /// Fills the temporary table `voyage_updates` with the new values of
    /// changed voyages.
    pub(crate) async fn stage_updates(
        conn: &mut SqliteConnection,
        updates: &[(i64, CurrentVoyage)],
    ) -> Result<(), StoreError> {
        sqlx::query(
            "CREATE TEMP TABLE voyage_updates (id INTEGER PRIMARY KEY, imo INTEGER, vessel_name TEXT, \
             flag_name TEXT, flag TEXT, port TEXT, departure TEXT, inspection_cleared TEXT, status TEXT, \
             as_of TEXT, source TEXT)",
        )
        .execute(&mut *conn)
        .await?;
        for chunk in updates.chunks(SQLITE_ROWS) {
            let mut qb = QueryBuilder::<Sqlite>::new(
                "INSERT INTO voyage_updates (id, imo, vessel_name, flag_name, flag, port, departure, \
                 inspection_cleared, status, as_of, source) ",
            );
            qb.push_values(chunk, |mut b, (id, c)| {
                let r = &c.record;
                b.push_bind(*id)
                    .push_bind(r.imo.get() as i64)
                    .push_bind(r.vessel_name.as_str())
                    .push_bind(r.flag_name.as_str())
                    .push_bind(r.flag.as_deref())
                    .push_bind(r.port.as_str())
                    .push_bind(r.departure.to_string())
                    .push_bind(r.inspection_cleared.map(|d| d.to_string()))
                    .push_bind(r.status().as_str())
                    .push_bind(c.snapshot.as_of.to_string())
                    .push_bind(c.snapshot.source.as_str());
            });
            qb.build().execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Moves voyages `ids` to snapshot `s` (values unchanged).
    pub(crate) async fn confirm(
        conn: &mut SqliteConnection,
        s: &Snapshot,
        ids: &[i64],
    ) -> Result<(), StoreError> {
        let mut list = String::with_capacity(ids.len() * 8 + 2);
        list.push('[');
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                list.push(',');
            }
            list.push_str(&id.to_string());
        }
        list.push(']');
        sqlx::query(
            "UPDATE voyages SET as_of = $1, source = $2 WHERE id IN (SELECT value FROM json_each($3))",
        )
        .bind(s.as_of.to_string())
        .bind(&s.source)
        .bind(list)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

/// Rows in PostgreSQL's `COPY` text format: tab-separated, `\N` for NULL,
/// backslash escapes for backslash, tab, newline and carriage return.
#[derive(Default)]
pub(crate) struct CopyText {
    buf: Vec<u8>,
    in_row: bool,
}

impl CopyText {
    fn sep(&mut self) {
        if self.in_row {
            self.buf.push(b'\t');
        }
        self.in_row = true;
    }

    pub(crate) fn text(&mut self, s: &str) -> &mut Self {
        self.sep();
        let bytes = s.as_bytes();
        if !bytes
            .iter()
            .any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
        {
            self.buf.extend_from_slice(bytes);
            return self;
        }
        for &b in bytes {
            match b {
                b'\\' => self.buf.extend_from_slice(b"\\\\"),
                b'\t' => self.buf.extend_from_slice(b"\\t"),
                b'\n' => self.buf.extend_from_slice(b"\\n"),
                b'\r' => self.buf.extend_from_slice(b"\\r"),
                b => self.buf.push(b),
            }
        }
        self
    }

    pub(crate) fn null(&mut self) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(b"\\N");
        self
    }

    pub(crate) fn opt_text(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }

    pub(crate) fn int(&mut self, n: i64) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{n}");
        self
    }

    pub(crate) fn date(&mut self, d: Date) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{d}");
        self
    }

    pub(crate) fn opt_date(&mut self, d: Option<Date>) -> &mut Self {
        match d {
            Some(d) => self.date(d),
            None => self.null(),
        }
    }

    pub(crate) fn opt_bool(&mut self, b: Option<bool>) -> &mut Self {
        match b {
            Some(true) => self.text("t"),
            Some(false) => self.text("f"),
            None => self.null(),
        }
    }

    pub(crate) fn end_row(&mut self) {
        self.buf.push(b'\n');
        self.in_row = false;
    }
}

/// Streams the rows of `items` (`row` writes those of one item) to
/// `COPY {target} FROM STDIN` in `COPY_SEND` messages, so the client
/// encodes the next message while the server stores the previous one.
/// `sent` gets the number of items sent after each message.
async fn copy_rows<T>(
    conn: &mut PgConnection,
    target: &str,
    items: &[T],
    mut row: impl FnMut(&mut CopyText, usize, &T),
    sent: impl Fn(u64),
) -> Result<(), StoreError> {
    let mut copy = conn
        .copy_in_raw(&format!("COPY {target} FROM STDIN"))
        .await?;
    let mut out = CopyText::default();
    for (i, item) in items.iter().enumerate() {
        row(&mut out, i, item);
        if out.buf.len() >= COPY_SEND {
            copy.send(out.buf.as_slice()).await?;
            out.buf.clear();
            sent(i as u64 + 1);
        }
    }
    copy.send(out.buf.as_slice()).await?;
    copy.finish().await?;
    sent(items.len() as u64);
    Ok(())
}

fn voyage_row(out: &mut CopyText, c: &CurrentVoyage) {
    let r = &c.record;
    out.text(&r.vessel_name)
        .text(&r.flag_name)
        .opt_text(r.flag.as_deref())
        .text(&r.port)
        .date(r.departure)
        .opt_date(r.inspection_cleared)
        .text(r.status().as_str())
        .date(c.snapshot.as_of)
        .text(&c.snapshot.source);
    out.end_row();
}

/// The `voyages` columns a new voyage fills, as `COPY` names them.
const VOYAGE_COLUMNS: &str = "voyages (id, direction, seq, imo, vessel_name, flag_name, flag, port, departure, \
     inspection_cleared, status, as_of, source)";

/// The `cargo_lines` columns, as `COPY` names them.
const LINE_COLUMNS: &str = "cargo_lines (voyage_id, line_no, commodity, tonnes_kg, destination, destination_iso3, \
     income_group, world_bank_region, un_region, development_category, wfp)";

/// Bytes of `COPY` data per message.
const COPY_SEND: usize = 1 << 20;

/// A new voyage's row in `VOYAGE_COLUMNS` order.
fn voyage_insert_row(out: &mut CopyText, id: i64, c: &CurrentVoyage) {
    let r = &c.record;
    out.int(id)
        .text(r.key.direction.as_str())
        .int(r.key.seq as i64)
        .int(r.imo.get() as i64);
    voyage_row(out, c);
}

/// Cargo line `no` (from 0) of voyage `voyage`, in `LINE_COLUMNS` order.
fn line_row(out: &mut CopyText, voyage: i64, no: usize, c: &CargoLine) {
    out.int(voyage)
        .int(no as i64 + 1)
        .text(c.commodity.name())
        .int(c.tonnes.kg())
        .text(&c.destination)
        .text(&c.destination_iso3)
        .text(&c.income_group)
        .text(&c.world_bank_region)
        .text(&c.un_region)
        .text(&c.development_category)
        .opt_bool(c.wfp)
        .end_row();
}

impl PgStore {
    pub(crate) async fn before_import(_conn: &mut PgConnection) -> Result<(), StoreError> {
        Ok(())
    }

    pub(crate) async fn after_import(_conn: &mut PgConnection) -> Result<(), StoreError> {
        Ok(())
    }

    /// One importer at a time: the lock conflicts with every other writer
    /// of `voyages` (so the record read for the merge is the one written
    /// to, and reserved ids stay free) but not with readers.
    pub(crate) async fn begin_import(
        conn: &mut PgConnection,
    ) -> Result<Transaction<'_, Postgres>, StoreError> {
        let mut tx = conn.begin().await?;
        sqlx::query("LOCK TABLE voyages IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    /// Drops the foreign keys and the non-unique indexes of `voyages` and
    /// `cargo_lines`; returns the statements that rebuild them (indexes
    /// first, then the keys, each checked over the whole table).
    pub(crate) async fn suspend_indexes(
        conn: &mut PgConnection,
    ) -> Result<Vec<String>, StoreError> {
        let mut drop = Vec::new();
        let mut restore = Vec::new();
        let indexes = sqlx::query(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index \
             WHERE indrelid IN ('voyages'::regclass, 'cargo_lines'::regclass) \
             AND NOT indisprimary AND NOT indisunique ORDER BY 1",
        )
        .fetch_all(&mut *conn)
        .await?;
        for r in indexes {
            drop.push(format!("DROP INDEX {}", r.try_get::<String, _>(0)?));
            restore.push(r.try_get(1)?);
        }
        let keys = sqlx::query(
            "SELECT conrelid::regclass::text, conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE contype = 'f' AND conrelid IN ('voyages'::regclass, 'cargo_lines'::regclass) ORDER BY 1, 2",
        )
        .fetch_all(&mut *conn)
        .await?;
        for r in keys {
            let table: String = r.try_get(0)?;
            let name = quoted(&r.try_get::<String, _>(1)?);
            let def: String = r.try_get(2)?;
            drop.push(format!("ALTER TABLE {table} DROP CONSTRAINT {name}"));
            restore.push(format!("ALTER TABLE {table} ADD CONSTRAINT {name} {def}"));
        }
        for s in drop {
            sqlx::query(ddl(s)).execute(&mut *conn).await?;
        }
        Ok(restore)
    }

    pub(crate) async fn restore_indexes(
        conn: &mut PgConnection,
        statements: &[String],
    ) -> Result<(), StoreError> {
        for s in statements {
            sqlx::query(ddl(s.clone())).execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// The first of `n` consecutive voyage ids, taken from the table's
    /// sequence in one step (the import's lock keeps other writers out).
    pub(crate) async fn reserve_voyage_ids(
        conn: &mut PgConnection,
        n: usize,
    ) -> Result<i64, StoreError> {
        if n == 0 {
            return Ok(0);
        }
        let first: i64 =
            sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence('voyages', 'id'))")
                .fetch_one(&mut *conn)
                .await?;
        if n > 1 {
            sqlx::query("SELECT setval(pg_get_serial_sequence('voyages', 'id'), $1)")
                .bind(first + n as i64 - 1)
                .execute(&mut *conn)
                .await?;
        }
        Ok(first)
    }

    /// New voyages (ids from `first_id` on), then their cargo lines, each
    /// in one streamed `COPY` (a `COPY` per step left each side idle half
    /// the time). `report` gets the voyages written, counting a voyage half
    /// done once its row and done once its cargo lines are sent.
    pub(crate) async fn write_inserts(
        conn: &mut PgConnection,
        first_id: i64,
        inserts: &[CurrentVoyage],
        report: &(dyn Fn(u64) + Sync),
    ) -> Result<(), StoreError> {
        if inserts.is_empty() {
            return Ok(());
        }
        let n = inserts.len() as u64;
        let id = |i: usize| first_id + i as i64;
        copy_rows(
            conn,
            VOYAGE_COLUMNS,
            inserts,
            |out, i, c| voyage_insert_row(out, id(i), c),
            |k| report(k / 2),
        )
        .await?;
        copy_rows(
            conn,
            LINE_COLUMNS,
            inserts,
            |out, i, c| {
                for (no, l) in c.record.cargo.iter().enumerate() {
                    line_row(out, id(i), no, l);
                }
            },
            |k| report(n / 2 + k.div_ceil(2)),
        )
        .await
    }

    pub(crate) async fn write_lines(
        conn: &mut PgConnection,
        lines: &[(i64, usize, &CargoLine)],
    ) -> Result<(), StoreError> {
        if lines.is_empty() {
            return Ok(());
        }
        copy_rows(
            conn,
            LINE_COLUMNS,
            lines,
            |out, _, (voyage, no, c)| line_row(out, *voyage, *no, c),
            |_| {},
        )
        .await
    }

    /// Fills the temporary table `voyage_updates` with the new values of
    /// changed voyages.
    pub(crate) async fn stage_updates(
        conn: &mut PgConnection,
        updates: &[(i64, CurrentVoyage)],
    ) -> Result<(), StoreError> {
        sqlx::query(
            "CREATE TEMP TABLE voyage_updates (id BIGINT PRIMARY KEY, imo INTEGER, vessel_name TEXT, \
             flag_name TEXT, flag TEXT, port TEXT, departure DATE, inspection_cleared DATE, status TEXT, \
             as_of DATE, source TEXT) ON COMMIT DROP",
        )
        .execute(&mut *conn)
        .await?;
        copy_rows(
            conn,
            "voyage_updates (id, imo, vessel_name, flag_name, flag, port, departure, inspection_cleared, \
             status, as_of, source)",
            updates,
            |out, _, (id, c)| {
                out.int(*id).int(c.record.imo.get() as i64);
                voyage_row(out, c);
            },
            |_| {},
        )
        .await
    }

    /// Moves voyages `ids` to snapshot `s` (values unchanged).
    pub(crate) async fn confirm(
        conn: &mut PgConnection,
        s: &Snapshot,
        ids: &[i64],
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE voyages SET as_of = $1::date, source = $2 WHERE id = ANY($3)")
            .bind(s.as_of.to_string())
            .bind(&s.source)
            .bind(ids)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes() {
        let mut c = CopyText::default();
        c.text("a\tb\\c\nd\re")
            .null()
            .int(-7)
            .opt_bool(Some(true))
            .date(jiff::civil::date(2022, 8, 1))
            .end_row();
        c.text("x").end_row();
        assert_eq!(
            String::from_utf8(c.buf).unwrap(),
            "a\\tb\\\\c\\nd\\re\t\\N\t-7\tt\t2022-08-01\nx\n"
        );
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quoted("voyages_imo"), "\"voyages_imo\"");
        assert_eq!(quoted("a\"b"), "\"a\"\"b\"");
    }
}
