//! Opening databases: one place for the connection settings every table
//! set in corridor shares (record, tracking), so they cannot drift.

use std::collections::BTreeSet;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Postgres, Sqlite};

use crate::StoreError;

/// Where a `--database` URL points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location<'a> {
    /// A `postgres://` or `postgresql://` URL.
    Postgres(&'a str),
    /// An SQLite file path (from `sqlite://PATH`, `sqlite:PATH` or a plain path).
    Sqlite(&'a str),
}

/// Reads a store URL.
pub fn locate(url: &str) -> Location<'_> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Location::Postgres(url)
    } else {
        Location::Sqlite(
            url.strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url),
        )
    }
}

/// Page size of a new SQLite file (an existing file keeps its own). The
/// bulk writes (imports, position history) insert into several B-trees at
/// once; with 16 KiB pages SQLite splits and rebalances a quarter as
/// often as with its default 4 KiB. Measured with the `sqlite3` shell on 2M
/// positions in the tracking layout: 12.7-13.0 s at 4 KiB, 10.1-10.4 s at
/// 16 KiB (bench/ingest/README.md). The cost is a larger write for a small
/// transaction, which corridor has few of.
pub const SQLITE_PAGE_SIZE: u32 = 16 * 1024;

/// An SQLite file in WAL mode (readers never wait for a writer), created if missing.
pub async fn sqlite(path: &str) -> Result<Pool<Sqlite>, StoreError> {
    let conn = |cause| StoreError::Connect {
        url: path.to_string(),
        cause,
    };
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
        .map_err(conn)?
        .create_if_missing(true)
        .page_size(SQLITE_PAGE_SIZE)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    // Two whole-record downloads and two figures' sums at once still leave
    // two connections for the rest of the API (readers do not block one
    // another in WAL mode).
    SqlitePoolOptions::new()
        .max_connections(6)
        .connect_with(opts)
        .await
        .map_err(conn)
}

/// One connection of its own beside `pool`, with the same settings,
/// opened when first used: for the readiness check, which must not wait
/// behind a pool whose every connection is busy with long reads (a busy
/// database is working, not down).
pub fn beside<DB: sqlx::Database>(pool: &Pool<DB>) -> Pool<DB> {
    sqlx::pool::PoolOptions::<DB>::new()
        .max_connections(1)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy_with((*pool.connect_options()).clone())
}

/// The tables a database holds, read without creating, migrating or
/// changing anything; `None` when an SQLite file is not there. Commands
/// that only read look first, so a mistyped path, an empty file or another
/// program's database is refused instead of being given corridor's
/// tables and reported as an empty record.
pub async fn tables(url: &str) -> Result<Option<BTreeSet<String>>, StoreError> {
    match locate(url) {
        Location::Sqlite(path) => {
            if !std::path::Path::new(path).is_file() {
                return Ok(None);
            }
            let conn = |cause| StoreError::Connect {
                url: path.to_string(),
                cause,
            };
            // No journal mode or page size set: those would change a
            // foreign file. Nothing here writes.
            let opts = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
                .map_err(conn)?
                .create_if_missing(false)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(opts)
                .await
                .map_err(conn)?;
            let names = sqlx::query_scalar::<_, String>(
                "SELECT name FROM sqlite_master WHERE type = 'table'",
            )
            .fetch_all(&pool)
            .await
            .map_err(conn);
            pool.close().await;
            Ok(Some(names?.into_iter().collect()))
        }
        Location::Postgres(url) => {
            let pool = postgres(url, None, 1).await?;
            // Every table the search path reaches, as the store's queries
            // find them (not only the first schema's).
            let names = sqlx::query_scalar::<_, String>(
                "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('r', 'p') AND pg_table_is_visible(c.oid) \
                 AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
            )
            .fetch_all(&pool)
            .await;
            pool.close().await;
            Ok(Some(names?.into_iter().collect()))
        }
    }
}

/// A PostgreSQL pool; with `schema`, every table lives in that schema
/// (created if missing), which lets tests and deployments share a database.
pub async fn postgres(
    url: &str,
    schema: Option<&str>,
    max_connections: u32,
) -> Result<Pool<Postgres>, StoreError> {
    let conn = |cause| StoreError::Connect {
        url: redact(url),
        cause,
    };
    let mut opts = pg_options(url).map_err(conn)?;
    // One connection first, which also makes the schema: a pool that cannot
    // connect retries until its timeout and then says only that it timed
    // out, not why.
    {
        use sqlx::{ConnectOptions as _, Connection as _};
        let mut first = opts.connect().await.map_err(conn)?;
        if let Some(schema) = schema {
            // An identifier cannot be a bind parameter: keep it to [a-z0-9_].
            let schema: String = schema
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
                .to_lowercase();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}"
            )))
            .execute(&mut first)
            .await?;
            opts = opts.options([("search_path", schema.as_str())]);
        }
        let _ = first.close().await;
    }
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(|conn, _| {
            Box::pin(async move {
                // A query whose client went away (a download given up while
                // the server sorts) stops within half a second, instead of
                // running to its first row. PostgreSQL 14 and later; an older
                // server refuses the setting and goes on without it.
                let _ = sqlx::query("SET client_connection_check_interval = 500")
                    .execute(&mut *conn)
                    .await;
                Ok(())
            })
        })
        .connect_with(opts)
        .await
        .map_err(conn)
}

/// A `postgres://` URL's connection settings. When the URL names no user,
/// the user is chosen as libpq chooses it: `PGUSER`, else the name the
/// system's user table (`/etc/passwd`) gives the process's user. sqlx reads
/// `PGUSER` too but otherwise asks a library that can answer a name no
/// server knows ("anonymous" where that lookup fails). The user goes into
/// the URL, so that a password in `~/.pgpass` is looked up for it.
pub fn pg_options(url: &str) -> Result<PgConnectOptions, sqlx::Error> {
    let pguser = std::env::var_os("PGUSER").is_some_and(|u| !u.is_empty());
    match login_name().filter(|_| !pguser && !names_user(url)) {
        Some(user) => PgConnectOptions::from_str(&with_user(url, &user)),
        None => PgConnectOptions::from_str(url),
    }
}

/// Whether a `postgres://` URL names its user (before `@`, or `user=`),
/// not as empty.
fn names_user(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let query = rest.split_once('?').map_or("", |(_, q)| q);
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| !userinfo.split(':').next().unwrap_or_default().is_empty())
        || query
            .split('&')
            .any(|kv| kv.strip_prefix("user=").is_some_and(|u| !u.is_empty()))
}

/// `url` with `user` as its `user=` parameter (the last one counts).
fn with_user(url: &str, user: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    // Percent-encoded but for RFC 3986's unreserved bytes.
    const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let encoded = percent_encoding::utf8_percent_encode(user, UNRESERVED);
    format!("{url}{sep}user={encoded}")
}

/// The name `/etc/passwd` gives this process's user (Linux: `/proc/self`
/// belongs to it), for a login that sets no `USER`.
fn login_name() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
    std::fs::read_to_string("/etc/passwd")
        .ok()?
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() > 2 && f[2] == uid)
        .map(|f| f[0].to_string())
}

/// A URL without its password, for error messages: the one before the
/// host (`user:PASSWORD@`) and any given as a query option
/// (`?password=…`, `sslpassword=…`).
pub fn redact(url: &str) -> String {
    // The user part first, up to the last '@' (a password may hold '?').
    let (mut out, host_from) = match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].split_once(':') {
            Some((user, _)) => (format!("{}{user}:***@", &url[..s + 3]), at + 1),
            None => (url[..=at].to_string(), at + 1),
        },
        (Some(s), _) => (url[..s + 3].to_string(), s + 3),
        _ => (String::new(), 0),
    };
    let rest = &url[host_from..];
    let (base, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    out.push_str(base);
    if let Some(q) = query {
        let options: Vec<String> = q
            .split('&')
            .map(|o| match o.split_once('=') {
                Some((k, _)) if k.to_ascii_lowercase().ends_with("password") => format!("{k}=***"),
                _ => o.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&options.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
        // A review (session 21): a password given as a query option.
        assert_eq!(
            redact("postgres://u@h/db?sslmode=require&password=hunter2&application_name=c"),
            "postgres://u@h/db?sslmode=require&password=***&application_name=c"
        );
        assert_eq!(
            redact("postgres://u:pw@h/db?sslpassword=x"),
            "postgres://u:***@h/db?sslpassword=***"
        );
        assert_eq!(redact("postgres://u:pa?ss@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("a.db"), "a.db");
        assert_eq!(redact("sqlite://a.db?mode=ro"), "sqlite://a.db?mode=ro");
        assert_eq!(locate("sqlite://a.db"), Location::Sqlite("a.db"));
        assert_eq!(locate("sqlite:a.db"), Location::Sqlite("a.db"));
        assert_eq!(locate("a.db"), Location::Sqlite("a.db"));
        assert_eq!(
            locate("postgresql://h/db"),
            Location::Postgres("postgresql://h/db")
        );
    }

    /// Interface check (session 19): `postgres://host/db` connected as
    /// "anonymous", a name sqlx's user lookup gave, not the process's user.
    #[test]
    fn a_url_without_a_user_connects_as_the_login() {
        for (url, named) in [
            ("postgres://127.0.0.1:5432/test", false),
            ("postgres://127.0.0.1/test?options=-csearch_path%3Dx", false),
            ("postgres://@127.0.0.1/test", false),
            ("postgres://127.0.0.1/test?user=", false),
            ("postgres://alice@127.0.0.1/test", true),
            ("postgres://alice:pw@127.0.0.1/test", true),
            ("postgres:///test?host=/run/postgresql&user=bob", true),
        ] {
            assert_eq!(names_user(url), named, "{url}");
        }
        assert_eq!(
            with_user("postgres://h/db", "root"),
            "postgres://h/db?user=root"
        );
        assert_eq!(
            with_user("postgres://h/db?sslmode=disable", "a b"),
            "postgres://h/db?sslmode=disable&user=a%20b"
        );
        let opts = PgConnectOptions::from_str(&with_user("postgres://h/db?user=", "root")).unwrap();
        assert_eq!(opts.get_username(), "root");
    }
}
