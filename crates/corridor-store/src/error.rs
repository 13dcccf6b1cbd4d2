/// What went wrong talking to the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {url}: {}", said(cause))]
    Connect { url: String, cause: sqlx::Error },
    #[error("migrating the database failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("the database holds a value this version cannot read: {0}")]
    Corrupt(String),
}

/// What the database said, without sqlx's " at line N", which names a line
/// of the server's own source, not of anything the user wrote.
fn said(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(d) => format!("the server says: {}", d.message()),
        other => other.to_string(),
    }
}
