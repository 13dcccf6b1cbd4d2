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

/// Sends `reports` to the pipeline's first (TCP server) source as NMEA,
/// closes the connection, and waits until the monitor has taken them all.
#[allow(dead_code)] // each test binary builds this module; not all feed TCP
pub async fn feed_tcp(
    handle: &corridor_ingest::LiveHandle,
    reports: &[corridor_track::PositionReport],
) {
    use tokio::io::AsyncWriteExt as _;
    let mut enc = corridor_ingest::sim::NmeaEncoder::new(&[], "t");
    let feed: String = reports
        .iter()
        .map(|r| enc.encode(&corridor_track::Report::Position(*r)))
        .collect();
    let mut conn = tokio::net::TcpStream::connect(handle.bound()[0].1)
        .await
        .expect("connect");
    conn.write_all(feed.as_bytes()).await.expect("write");
    drop(conn);
    let n = reports.len() as u64;
    for _ in 0..1000 {
        if handle.stats().await.monitor.positions == n {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        handle.stats().await.monitor.positions,
        n,
        "every report tracked"
    );
}
