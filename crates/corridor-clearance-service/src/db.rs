//! The clearance tables on SQLite or PostgreSQL, one body for both.
//!
//! Every statement is a constant of this file with `$n` parameters in
//! ascending order of first use (SQLite numbers `$n` by first appearance);
//! no caller text is ever spliced into SQL, which is what
//! [`sqlx::AssertSqlSafe`] asserts.

use std::str::FromStr;
use std::time::Duration;

use corridor_ledger::StoredEntry;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Postgres, Row, Sqlite};

use crate::error::ServiceError;

/// A connection pool on one of the two backends.
#[derive(Debug, Clone)]
pub enum Db {
    /// One SQLite file.
    Sqlite(Pool<Sqlite>),
    /// A PostgreSQL database (possibly one schema of it).
    Pg(Pool<Postgres>),
}

/// Marks a statement of this file: a literal, never caller text.
fn q(sql: &'static str) -> &'static str {
    sql
}

/// Runs `$body` with `$pool` bound to the concrete pool of either backend.
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            Db::Sqlite($pool) => $body,
            Db::Pg($pool) => $body,
        }
    };
}

/// One row of `clearance_applications` (a projection of the log).
#[derive(Debug, Clone)]
pub struct AppRow {
    pub id: String,
    pub company: String,
    pub status: String,
    pub content: String,
    pub content_hash: String,
    pub updated_at: String,
}

/// A stored document.
#[derive(Debug, Clone)]
pub struct DocRow {
    pub application_id: String,
    pub sha256: String,
    pub kind: String,
    pub filename: String,
    pub size_bytes: i64,
    pub content: Vec<u8>,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// A user.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub role: String,
}

/// An API token (its hash only).
#[derive(Debug, Clone)]
pub struct TokenRow {
    pub token_id: String,
    pub user_id: String,
    pub label: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// `None` only for tokens issued before tokens expired: they no longer work.
    pub expires_at: Option<String>,
    /// The token it was minted with, if any: revoking that one revokes this one.
    pub parent_token_id: Option<String>,
}

/// A party's public key as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    pub key_id: String,
    pub party: String,
    pub public_key: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
}

/// A stored signed checkpoint.
#[derive(Debug, Clone)]
pub struct CheckpointRow {
    pub size: i64,
    pub origin: String,
    pub root: String,
    pub time: String,
    pub key_id: String,
    pub signature: String,
}

impl CheckpointRow {
    /// The signed checkpoint the row stores (its signature not verified).
    pub fn to_signed(&self) -> Result<corridor_ledger::SignedCheckpoint, String> {
        Ok(corridor_ledger::SignedCheckpoint {
            origin: self.origin.clone(),
            size: u64::try_from(self.size).map_err(|e| e.to_string())?,
            root: corridor_ledger::Hash::from_hex(&self.root).map_err(|e| e.to_string())?,
            time: corridor_ledger::time::parse(&self.time).map_err(|e| e.to_string())?,
            key_id: corridor_ledger::KeyId(self.key_id.clone()),
            signature: corridor_ledger::Signature::from_base64(&self.signature)
                .map_err(|e| e.to_string())?,
        })
    }
}

/// What one append writes besides the log row, in the same transaction.
#[derive(Debug, Clone, Default)]
pub struct Projection {
    pub applications: Vec<AppRow>,
    pub keys: Vec<KeyRow>,
    pub document: Option<DocRow>,
}

/// Opens the database at `url` (`postgres://…`, `sqlite://PATH`, `sqlite:PATH`
/// or a plain path) and brings the clearance tables up to date.
pub async fn open(url: &str) -> Result<Db, ServiceError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let opts = corridor_store::pool::pg_options(url)
            .map_err(|e| ServiceError::Connect(e.to_string()))?;
        connect_pg(opts).await
    } else {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
            .map_err(|e| ServiceError::Connect(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await
            .map_err(|e| ServiceError::Connect(e.to_string()))?;
        let mut m = sqlx::migrate!("migrations/sqlite");
        // The record (< 1000) and tracking (>= 1001) keep their own migrations in the same table.
        m.set_ignore_missing(true);
        refuse_case_twins(sqlx::query_as(CASE_TWINS).fetch_all(&pool).await)?;
        m.run(&pool)
            .await
            .map_err(|e| ServiceError::Connect(e.to_string()))?;
        Ok(Db::Sqlite(pool))
    }
}

/// User names that differ only in case, grouped: the same `lower()` as the
/// unique index of migration 2003, so exactly what that index would refuse.
const CASE_TWINS: &str = "SELECT lower(username) AS name, count(*) AS n FROM clearance_users \
     GROUP BY lower(username) HAVING count(*) > 1 ORDER BY lower(username)";

/// Before the migrations: a store whose user names differ only in case
/// cannot take the unique index on `lower(username)` (migration 2003). Say
/// which names and what to do, rather than the database's own error. (No
/// users table yet, on a new store, is no twin.)
fn refuse_case_twins(found: Result<Vec<(String, i64)>, sqlx::Error>) -> Result<(), ServiceError> {
    let Ok(twins) = found else { return Ok(()) };
    if twins.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = twins
        .iter()
        .map(|(name, n)| format!("{name:?} ({n} accounts)"))
        .collect();
    Err(ServiceError::Connect(format!(
        "user names now differ by more than case, and these are each held by several accounts: {}; \
         rename all but one of each (UPDATE clearance_users SET username = 'new-name' WHERE username = 'old-name'), \
         then start again",
        names.join(", ")
    )))
}

/// Opens PostgreSQL with every table in `schema` (created if missing), for
/// tests and deployments sharing one database.
pub async fn open_pg_in_schema(url: &str, schema: &str) -> Result<Db, ServiceError> {
    let opts =
        corridor_store::pool::pg_options(url).map_err(|e| ServiceError::Connect(e.to_string()))?;
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(opts.clone())
        .await
        .map_err(|e| ServiceError::Connect(e.to_string()))?;
    // An identifier cannot be a bind parameter: keep it to [a-z0-9_].
    let schema: String = schema
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<String>()
        .to_lowercase();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE SCHEMA IF NOT EXISTS {schema}"
    )))
    .execute(&pool)
    .await?;
    pool.close().await;
    connect_pg(opts.options([("search_path", schema.as_str())])).await
}

async fn connect_pg(opts: PgConnectOptions) -> Result<Db, ServiceError> {
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(opts)
        .await
        .map_err(|e| ServiceError::Connect(e.to_string()))?;
    let mut m = sqlx::migrate!("migrations/postgres");
    m.set_ignore_missing(true);
    refuse_case_twins(sqlx::query_as(CASE_TWINS).fetch_all(&pool).await)?;
    m.run(&pool)
        .await
        .map_err(|e| ServiceError::Connect(e.to_string()))?;
    Ok(Db::Pg(pool))
}

impl Db {
    /// Every log row in `seq` order.
    pub async fn log_rows(&self) -> Result<Vec<StoredEntry>, ServiceError> {
        on_db!(self, pool => {
            let rows = sqlx::query(q("SELECT seq, prev_hash, actor, time, event, signature, entry_hash FROM clearance_log ORDER BY seq"))
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(StoredEntry {
                        seq: r.try_get("seq")?,
                        prev_hash: r.try_get("prev_hash")?,
                        actor: r.try_get("actor")?,
                        time: r.try_get("time")?,
                        event: r.try_get("event")?,
                        signature: r.try_get("signature")?,
                        entry_hash: r.try_get("entry_hash")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(ServiceError::from)
        })
    }

    /// How many entries the stored log holds (one look at its key).
    pub async fn log_size(&self) -> Result<u64, ServiceError> {
        on_db!(self, pool => {
            let n: i64 = sqlx::query_scalar(q("SELECT COALESCE(MAX(seq) + 1, 0) FROM clearance_log"))
                .fetch_one(pool)
                .await?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    /// Appends one log row and its projections in one transaction.
    pub async fn append(&self, row: &StoredEntry, p: &Projection) -> Result<(), ServiceError> {
        on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(q("INSERT INTO clearance_log (seq, prev_hash, actor, time, event, signature, entry_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)"))
                .bind(row.seq)
                .bind(&row.prev_hash)
                .bind(&row.actor)
                .bind(&row.time)
                .bind(&row.event)
                .bind(&row.signature)
                .bind(&row.entry_hash)
                .execute(&mut *tx)
                .await?;
            for a in &p.applications {
                sqlx::query(q("INSERT INTO clearance_applications (id, company, status, content, content_hash, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                               ON CONFLICT (id) DO UPDATE SET company = excluded.company, status = excluded.status, content = excluded.content, \
                               content_hash = excluded.content_hash, updated_at = excluded.updated_at"))
                    .bind(&a.id)
                    .bind(&a.company)
                    .bind(&a.status)
                    .bind(&a.content)
                    .bind(&a.content_hash)
                    .bind(&a.updated_at)
                    .execute(&mut *tx)
                    .await?;
            }
            for k in &p.keys {
                sqlx::query(q("INSERT INTO clearance_party_keys (key_id, party, public_key, valid_from, valid_until) VALUES ($1, $2, $3, $4, $5) \
                               ON CONFLICT (key_id) DO UPDATE SET valid_until = excluded.valid_until"))
                    .bind(&k.key_id)
                    .bind(&k.party)
                    .bind(&k.public_key)
                    .bind(&k.valid_from)
                    .bind(&k.valid_until)
                    .execute(&mut *tx)
                    .await?;
            }
            // The same bytes attached again (another kind or name) take the
            // latest upload's details, as the log has them.
            if let Some(d) = &p.document {
                sqlx::query(q("INSERT INTO clearance_documents (application_id, sha256, kind, filename, size_bytes, content, uploaded_by, uploaded_at) \
                               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                               ON CONFLICT (application_id, sha256) DO UPDATE SET kind = excluded.kind, filename = excluded.filename, \
                               uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at"))
                    .bind(&d.application_id)
                    .bind(&d.sha256)
                    .bind(&d.kind)
                    .bind(&d.filename)
                    .bind(d.size_bytes)
                    .bind(&d.content)
                    .bind(&d.uploaded_by)
                    .bind(&d.uploaded_at)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// How many files of `kind` are stored for an application: every
    /// version, since the log names each replaced one by its hash.
    pub async fn document_count(
        &self,
        application_id: &str,
        kind: &str,
    ) -> Result<u64, ServiceError> {
        on_db!(self, pool => {
            let n: i64 = sqlx::query_scalar(q("SELECT COUNT(*) FROM clearance_documents WHERE application_id = $1 AND kind = $2"))
                .bind(application_id)
                .bind(kind)
                .fetch_one(pool)
                .await?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    /// A stored document's bytes.
    pub async fn document(
        &self,
        application_id: &str,
        sha256: &str,
    ) -> Result<Option<DocRow>, ServiceError> {
        on_db!(self, pool => {
            let row = sqlx::query(q("SELECT application_id, sha256, kind, filename, size_bytes, content, uploaded_by, uploaded_at \
                                     FROM clearance_documents WHERE application_id = $1 AND sha256 = $2"))
                .bind(application_id)
                .bind(sha256)
                .fetch_optional(pool)
                .await?;
            row.map(|r| {
                Ok(DocRow {
                    application_id: r.try_get("application_id")?,
                    sha256: r.try_get("sha256")?,
                    kind: r.try_get("kind")?,
                    filename: r.try_get("filename")?,
                    size_bytes: r.try_get("size_bytes")?,
                    content: r.try_get("content")?,
                    uploaded_by: r.try_get("uploaded_by")?,
                    uploaded_at: r.try_get("uploaded_at")?,
                })
            })
            .transpose()
            .map_err(|e: sqlx::Error| e.into())
        })
    }

    /// Every stored document's application and SHA-256 (hex) as stored.
    pub async fn document_keys(&self) -> Result<Vec<(String, String)>, ServiceError> {
        on_db!(self, pool => {
            let rows = sqlx::query(q("SELECT application_id, sha256 FROM clearance_documents ORDER BY application_id, sha256"))
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| Ok((r.try_get("application_id")?, r.try_get("sha256")?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(Into::into)
        })
    }

    /// Every row of the `clearance_applications` projection.
    pub async fn application_rows(&self) -> Result<Vec<AppRow>, ServiceError> {
        on_db!(self, pool => {
            let rows = sqlx::query(q("SELECT id, company, status, content, content_hash, updated_at FROM clearance_applications ORDER BY id"))
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(AppRow {
                        id: r.try_get("id")?,
                        company: r.try_get("company")?,
                        status: r.try_get("status")?,
                        content: r.try_get("content")?,
                        content_hash: r.try_get("content_hash")?,
                        updated_at: r.try_get("updated_at")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(Into::into)
        })
    }

    /// Every party key row.
    pub async fn key_rows(&self) -> Result<Vec<KeyRow>, ServiceError> {
        on_db!(self, pool => {
            let rows = sqlx::query(q("SELECT key_id, party, public_key, valid_from, valid_until FROM clearance_party_keys ORDER BY key_id"))
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(KeyRow {
                        key_id: r.try_get("key_id")?,
                        party: r.try_get("party")?,
                        public_key: r.try_get("public_key")?,
                        valid_from: r.try_get("valid_from")?,
                        valid_until: r.try_get("valid_until")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(ServiceError::from)
        })
    }

    /// Adds a user; `false` when the user name is taken.
    pub async fn insert_user(&self, u: &UserRow, created_at: &str) -> Result<bool, ServiceError> {
        on_db!(self, pool => {
            // Names differing only in case are one name: `Admin` is not a
            // second `admin` for someone to be mistaken for.
            let done = sqlx::query(q("INSERT INTO clearance_users (id, username, password_hash, role, created_at) \
                                      SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS TEXT), CAST($5 AS TEXT) \
                                      WHERE NOT EXISTS (SELECT 1 FROM clearance_users WHERE lower(username) = lower(CAST($2 AS TEXT))) \
                                      ON CONFLICT DO NOTHING"))
                .bind(&u.id)
                .bind(&u.username)
                .bind(&u.password_hash)
                .bind(&u.role)
                .bind(created_at)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Every account: (user name, role as stored JSON, created at), by name.
    pub async fn users(&self) -> Result<Vec<(String, String, String)>, ServiceError> {
        on_db!(self, pool => {
            let rows = sqlx::query(q("SELECT username, role, created_at FROM clearance_users ORDER BY username"))
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| Ok((r.try_get("username")?, r.try_get("role")?, r.try_get("created_at")?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(ServiceError::from)
        })
    }

    /// A user by name.
    pub async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>, ServiceError> {
        on_db!(self, pool => {
            let row = sqlx::query(q("SELECT id, username, password_hash, role FROM clearance_users WHERE username = $1"))
                .bind(username)
                .fetch_optional(pool)
                .await?;
            row.map(|r| Ok(UserRow { id: r.try_get("id")?, username: r.try_get("username")?, password_hash: r.try_get("password_hash")?, role: r.try_get("role")? }))
                .transpose()
                .map_err(|e: sqlx::Error| e.into())
        })
    }

    /// The user holding an unrevoked token with this hash.
    pub async fn user_by_token(
        &self,
        token_sha256: &str,
        now: &str,
    ) -> Result<Option<(UserRow, String)>, ServiceError> {
        // Times are canonical RFC 3339 UTC, so text order is time order.
        on_db!(self, pool => {
            // Live, unexpired, and no token it was made with (directly or not)
            // revoked: checked here, at use, so a child minted while its
            // parent was being revoked dies with it.
            let row = sqlx::query(q("WITH RECURSIVE chain (token_id, parent_token_id, revoked_at) AS ( \
                                       SELECT token_id, parent_token_id, revoked_at FROM clearance_tokens WHERE token_sha256 = $1 \
                                       UNION ALL \
                                       SELECT p.token_id, p.parent_token_id, p.revoked_at FROM clearance_tokens p JOIN chain c ON p.token_id = c.parent_token_id) \
                                     SELECT u.id, u.username, u.password_hash, u.role, t.token_id FROM clearance_tokens t JOIN clearance_users u ON u.id = t.user_id \
                                     WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 \
                                       AND NOT EXISTS (SELECT 1 FROM chain WHERE revoked_at IS NOT NULL)"))
                .bind(token_sha256)
                .bind(now)
                .fetch_optional(pool)
                .await?;
            row.map(|r| Ok((UserRow { id: r.try_get("id")?, username: r.try_get("username")?, password_hash: r.try_get("password_hash")?, role: r.try_get("role")? }, r.try_get("token_id")?)))
                .transpose()
                .map_err(|e: sqlx::Error| e.into())
        })
    }

    /// Stores a token's hash.
    pub async fn insert_token(&self, token_sha256: &str, t: &TokenRow) -> Result<(), ServiceError> {
        on_db!(self, pool => {
            sqlx::query(q("INSERT INTO clearance_tokens (token_sha256, token_id, user_id, label, created_at, expires_at, parent_token_id) VALUES ($1, $2, $3, $4, $5, $6, $7)"))
                .bind(token_sha256)
                .bind(&t.token_id)
                .bind(&t.user_id)
                .bind(&t.label)
                .bind(&t.created_at)
                .bind(&t.expires_at)
                .bind(&t.parent_token_id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// A user's tokens (revoked and expired ones too), oldest first.
    pub async fn tokens_of(&self, user_id: &str) -> Result<Vec<TokenRow>, ServiceError> {
        on_db!(self, pool => {
            let rows = sqlx::query(q("SELECT token_id, user_id, label, created_at, revoked_at, expires_at, parent_token_id FROM clearance_tokens WHERE user_id = $1 ORDER BY created_at, token_id"))
                .bind(user_id)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| Ok(TokenRow { token_id: r.try_get("token_id")?, user_id: r.try_get("user_id")?, label: r.try_get("label")?, created_at: r.try_get("created_at")?, revoked_at: r.try_get("revoked_at")?, expires_at: r.try_get("expires_at")?, parent_token_id: r.try_get("parent_token_id")? }))
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(ServiceError::from)
        })
    }

    /// Revokes one of a user's live tokens and every token minted from it,
    /// directly or not; `false` if there is no such live token.
    pub async fn revoke_token(
        &self,
        user_id: &str,
        token_id: &str,
        at: &str,
    ) -> Result<bool, ServiceError> {
        let tokens = self.tokens_of(user_id).await?;
        if !tokens
            .iter()
            .any(|t| t.token_id == token_id && t.revoked_at.is_none())
        {
            return Ok(false);
        }
        // Tokens are minted only by their own user, so the family is in `tokens`.
        let mut family = vec![token_id.to_string()];
        let mut i = 0;
        while i < family.len() {
            let parent = family[i].clone();
            family.extend(
                tokens
                    .iter()
                    .filter(|t| t.parent_token_id.as_deref() == Some(parent.as_str()))
                    .map(|t| t.token_id.clone()),
            );
            i += 1;
        }
        on_db!(self, pool => {
            let mut tx = pool.begin().await?;
            for id in &family {
                sqlx::query(q("UPDATE clearance_tokens SET revoked_at = $1 WHERE user_id = $2 AND token_id = $3 AND revoked_at IS NULL"))
                    .bind(at)
                    .bind(user_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The log's checkpoint key (PKCS#8 PEM), if one was made.
    pub async fn log_key(&self) -> Result<Option<String>, ServiceError> {
        on_db!(self, pool => {
            let row = sqlx::query(q("SELECT private_key_pem FROM clearance_log_key ORDER BY created_at, key_id LIMIT 1"))
                .fetch_optional(pool)
                .await?;
            row.map(|r| r.try_get("private_key_pem")).transpose().map_err(|e: sqlx::Error| e.into())
        })
    }

    /// The log key's public half, for `corridor verify` (never the private half).
    pub async fn log_public_key(&self) -> Result<Option<String>, ServiceError> {
        on_db!(self, pool => {
            let row = sqlx::query(q("SELECT public_key FROM clearance_log_key ORDER BY created_at, key_id LIMIT 1"))
                .fetch_optional(pool)
                .await?;
            row.map(|r| r.try_get("public_key")).transpose().map_err(|e: sqlx::Error| e.into())
        })
    }

    /// Stores the log key; keeps an existing one (another process got there first).
    pub async fn insert_log_key(
        &self,
        key_id: &str,
        pem: &str,
        public: &str,
        at: &str,
    ) -> Result<(), ServiceError> {
        on_db!(self, pool => {
            sqlx::query(q("INSERT INTO clearance_log_key (key_id, private_key_pem, public_key, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"))
                .bind(key_id)
                .bind(pem)
                .bind(public)
                .bind(at)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Stores a checkpoint (once per size).
    pub async fn insert_checkpoint(&self, c: &CheckpointRow) -> Result<(), ServiceError> {
        on_db!(self, pool => {
            sqlx::query(q("INSERT INTO clearance_checkpoints (size, origin, root, time, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"))
                .bind(c.size)
                .bind(&c.origin)
                .bind(&c.root)
                .bind(&c.time)
                .bind(&c.key_id)
                .bind(&c.signature)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Every stored checkpoint, by size.
    pub async fn checkpoints(&self) -> Result<Vec<CheckpointRow>, ServiceError> {
        on_db!(self, pool => {
            let rows = sqlx::query(q("SELECT size, origin, root, time, key_id, signature FROM clearance_checkpoints ORDER BY size"))
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| Ok(CheckpointRow { size: r.try_get("size")?, origin: r.try_get("origin")?, root: r.try_get("root")?, time: r.try_get("time")?, key_id: r.try_get("key_id")?, signature: r.try_get("signature")? }))
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(ServiceError::from)
        })
    }

    /// Runs one statement with no parameters (tests use it to tamper).
    pub async fn execute_raw(&self, sql: &str) -> Result<u64, ServiceError> {
        on_db!(self, pool => {
            let done = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(pool).await?;
            Ok(done.rows_affected())
        })
    }

    /// `true` on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Db::Pg(_))
    }

    /// Closes the pool.
    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await)
    }
}
