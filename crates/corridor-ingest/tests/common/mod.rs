//! What the ingest tests share.

use std::sync::Arc;

use corridor_store::{SqliteTrackStore, TrackStore};

/// A tracking store in a fresh SQLite file, and a second connection to the
/// same file, through which a test takes a table away or holds the write
/// lock (the file lives as long as the directory).
#[allow(dead_code)] // each test binary builds this module; not all use it
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

/// A report of `mmsi` on the demo corridor's Odesa lane, `along_m` metres
/// from its port end (at most its far end, in the inspection area),
/// `minute` minutes after `t0`; at anchor below 0.5 kn. Also the lane's
/// length, for `along_m`.
#[allow(dead_code)]
pub fn on_odesa_lane(
    mmsi: u32,
    t0: jiff::Timestamp,
    minute: i64,
    along_m: f64,
    sog: f32,
) -> corridor_track::PositionReport {
    use corridor_track::NavStatus;
    let corridor = corridor_ingest::demo_corridor().expect("corridor");
    let lane = corridor.lane_by_name("Odesa lane").expect("lane");
    let p = lane.point_at(along_m.min(lane.length_m()));
    corridor_track::PositionReport {
        mmsi,
        time: t0 + jiff::SignedDuration::from_mins(minute),
        lat: p.lat,
        lon: p.lon,
        sog_kn: Some(sog),
        cog_deg: None,
        heading_deg: None,
        nav_status: if sog < 0.5 {
            NavStatus::AT_ANCHOR
        } else {
            NavStatus::UNDER_WAY
        },
    }
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

/// A TCP relay to a server that can be frozen: from then on it passes
/// nothing either way and closes nothing, as a server whose host vanished
/// without a word (no reset, no answer).
#[allow(dead_code)] // each test binary builds this module; not all relay
pub struct Relay {
    pub addr: std::net::SocketAddr,
    frozen: Arc<std::sync::atomic::AtomicBool>,
    /// A client write of at least this many bytes freezes the relay first.
    trip: Arc<std::sync::atomic::AtomicUsize>,
}

#[allow(dead_code)]
impl Relay {
    pub async fn start(target: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let frozen = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let trip = Arc::new(std::sync::atomic::AtomicUsize::new(usize::MAX));
        let (f, t) = (Arc::clone(&frozen), Arc::clone(&trip));
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = tokio::net::TcpStream::connect(&target).await else {
                    continue;
                };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::spawn(pass(cr, sw, Arc::clone(&f), Some(Arc::clone(&t))));
                tokio::spawn(pass(sr, cw, Arc::clone(&f), None));
            }
        });
        Self { addr, frozen, trip }
    }

    pub fn freeze(&self) {
        self.frozen.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Freezes the relay when a client next writes `bytes` or more at once
    /// (a query's data, not a ping): the server goes silent mid-statement.
    pub fn freeze_at_a_write_of(&self, bytes: usize) {
        self.trip.store(bytes, std::sync::atomic::Ordering::SeqCst);
    }
}

async fn pass(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    frozen: Arc<std::sync::atomic::AtomicBool>,
    trip: Option<Arc<std::sync::atomic::AtomicUsize>>,
) {
    use std::sync::atomic::Ordering::SeqCst;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let Ok(n) = from.read(&mut buf).await else {
            return;
        };
        if trip.as_ref().is_some_and(|t| n >= t.load(SeqCst)) {
            frozen.store(true, SeqCst);
        }
        while frozen.load(SeqCst) {
            // Held, never passed on; the connection stays open.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        if n == 0 || to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
