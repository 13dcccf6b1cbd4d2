/// What went wrong talking to the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {url}: {}", said(cause))]
    Connect { url: String, cause: sqlx::Error },
    #[error("migrating the database failed: {}", migrate_said(.0))]
    Migrate(sqlx::migrate::MigrateError),
    #[error("database error: {}", said(.0))]
    Sql(sqlx::Error),
    #[error("the database holds a value this version cannot read: {0}")]
    Corrupt(String),
    /// A streamed read stopped before its end (see `Store::export`).
    #[error("the read stopped before its end: {0}")]
    Cut(String),
}

impl StoreError {
    /// The database refused the values themselves (a constraint, a value
    /// out of range): sending the same again fails again, unlike a lost
    /// connection, a timeout or a busy database.
    pub fn is_refused_data(&self) -> bool {
        let StoreError::Sql(sqlx::Error::Database(d)) = self else {
            return false;
        };
        d.kind() != sqlx::error::ErrorKind::Other || d.code().is_some_and(|c| c.starts_with("22"))
    }
}

// Not `#[from]`: that would also make the error a source, which a caller
// printing the chain shows twice.
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Sql(e)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate(e)
    }
}

/// What the database said, without sqlx's " at line N", which names a line
/// of the server's own source, not of anything the user wrote.
fn said(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(d) => {
            let hint = if d
                .message()
                .contains("no schema has been selected to create in")
            {
                " (the URL's search_path names no schema that exists: create it first)"
            } else {
                ""
            };
            format!("the server says: {}{hint}", d.message())
        }
        // sqlx says its prefix twice ("error with configuration: error
        // with configuration: unknown value …").
        sqlx::Error::Configuration(inner) => {
            let inner = inner.to_string();
            let inner = inner
                .strip_prefix("error with configuration: ")
                .unwrap_or(&inner);
            format!("the connection settings are wrong: {inner}")
        }
        other => other.to_string(),
    }
}

fn migrate_said(e: &sqlx::migrate::MigrateError) -> String {
    use sqlx::migrate::MigrateError as M;
    match e {
        M::Execute(e) => said(e),
        M::ExecuteMigration(e, version) => format!("migration {version}: {}", said(e)),
        other => other.to_string(),
    }
}
