//! What the ingest tests share.

use std::sync::Arc;

use corridor_store::{SqliteTrackStore, TrackStore};

/// A tracking store in a fresh SQLite file, and a second connection to the
/// same file, through which a test takes a table away or holds the write
/// lock (the file lives as long as the directory).
pub async fn store_with_side_door() -> (tempfile::TempDir, Arc<dyn TrackStore>, sqlx::SqlitePool) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("track.db");
    let path = path.to_str().expect("path");
    let store: Arc<dyn TrackStore> = Arc::new(SqliteTrackStore::open(path).await.expect("store"));
    let side = sqlx::SqlitePool::connect(&format!("sqlite://{path}"))
        .await
        .expect("second connection");
    (dir, store, side)
}
