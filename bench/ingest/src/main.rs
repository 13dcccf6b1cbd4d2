//! Ingest throughput benchmark (see README.md).
//!
//! gen FILE [SENTENCES] [VESSELS]   write a synthetic recorded feed (tag-block times)
//! memory FILE                      decode + adapt + monitor, one core, in memory
//! store FILE URL [POSITIONS] [BATCH]  positions persisted in batches (SQLite path or postgres:// URL)

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufWriter, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant;

use corridor_ais::Decoder;
use corridor_geo::{LatLon, destination};
use corridor_ingest::adapter::Adapter;
use corridor_ingest::sim::NmeaEncoder;
use corridor_store::{PositionRow, TrackStore};
use corridor_track::sim::{Rng, SimVessel};
use corridor_track::{MapRegistry, Monitor, MonitorConfig, NavStatus, PositionReport, Report, StaticReport};
use jiff::Timestamp;

/// Counts live heap bytes, so the monitor's whole footprint can be measured
/// (the bytes freed when it is dropped), not estimated.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - l.size() as isize, Ordering::Relaxed);
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).cloned();
    match arg(1).as_deref() {
        Some("gen") => generate(&arg(2).expect("FILE"), arg(3).map_or(10_000_000, |s| s.parse().expect("n")), arg(4).map_or(5_000, |s| s.parse().expect("v"))),
        Some("memory") => memory(&arg(2).expect("FILE")),
        Some("store") => {
            let rt = tokio::runtime::Runtime::new().expect("runtime");
            rt.block_on(store(
                &arg(2).expect("FILE"),
                &arg(3).expect("URL"),
                arg(4).map_or(2_000_000, |s| s.parse().expect("n")),
                arg(5).map_or(100_000, |s| s.parse().expect("batch")),
            ));
        }
        _ => eprintln!("usage: ingest-bench gen FILE [SENTENCES] [VESSELS] | memory FILE | store FILE URL [POSITIONS] [BATCH]"),
    }
}

/// Vessels sail straight courses at 8-14 kn over the Black Sea (a share of them
/// through the corridor's area), reporting every 10 s, statics every 6 min.
fn generate(path: &str, sentences: u64, vessels: u32) {
    let mut rng = Rng::new(7);
    let t0 = Timestamp::from_second(1_664_582_400).expect("time");
    let mut ships: Vec<(u32, LatLon, f64, f64)> = (0..vessels)
        .map(|i| {
            let p = LatLon::new(rng.range(41.5, 46.0), rng.range(28.5, 40.5));
            (200_000_000 + i * 7, p, rng.range(0.0, 360.0), rng.range(8.0, 14.0))
        })
        .collect();
    let sims: Vec<SimVessel> = ships
        .iter()
        .map(|s| SimVessel { mmsi: s.0, imo: None, name: format!("BENCH {}", s.0), ship_type: 70, class_b: false, corridor: false })
        .collect();
    let mut enc = NmeaEncoder::new(&sims, "bench");
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path).expect("create"));
    let (mut n, mut step) = (0u64, 0i64);
    let mut buf = String::new();
    while n < sentences {
        let t = t0.checked_add(jiff::SignedDuration::from_secs(step * 10)).expect("time");
        for s in ships.iter_mut() {
            s.1 = destination(s.1, s.2, s.3 * 1852.0 / 360.0);
            if !(41.0..46.5).contains(&s.1.lat) || !(28.0..41.5).contains(&s.1.lon) {
                s.2 = (s.2 + 180.0) % 360.0;
            }
            buf.clear();
            let r = if step % 36 == 0 {
                Report::Static(StaticReport { mmsi: s.0, time: t, imo: None, name: Some(format!("BENCH {}", s.0)), callsign: None, ship_type: Some(70) })
            } else {
                Report::Position(PositionReport {
                    mmsi: s.0,
                    time: t,
                    lat: s.1.lat,
                    lon: s.1.lon,
                    sog_kn: Some(s.3 as f32),
                    cog_deg: Some(s.2 as f32),
                    heading_deg: Some(s.2 as u16 % 360),
                    nav_status: NavStatus::UNDER_WAY,
                })
            };
            enc.encode_into(&r, &mut buf);
            n += buf.matches('\n').count() as u64;
            out.write_all(buf.as_bytes()).expect("write");
        }
        step += 1;
    }
    out.flush().expect("flush");
    eprintln!("wrote {n} sentences from {vessels} vessels over {} s of event time to {path}", step * 10);
}

/// Time this thread has spent on a CPU (Linux schedstat), seconds.
fn thread_cpu_s() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// The feed's lines (what a source's line reader hands the decoder).
fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', data)
        .map(move |end| {
            let l = &data[start..end];
            start = end + 1;
            l
        })
}

fn corridor() -> Arc<corridor_geo::Corridor> {
    corridor_ingest::demo_corridor().expect("corridor")
}

fn memory(path: &str) {
    let data = std::fs::read(path).expect("read");
    let mut decoder = Decoder::default();
    let mut adapter = Adapter::new();
    let mut monitor = Monitor::new(corridor(), MonitorConfig::default(), MapRegistry::new());
    let mut alerts = Vec::new();
    let mut reports = 0u64;
    let started = Instant::now();
    let cpu0 = thread_cpu_s();
    for line in lines(&data) {
        decoder.feed_line(line, |d| {
            if let Some(r) = adapter.adapt(&d, None) {
                reports += 1;
                monitor.on_report(&r, &mut alerts);
            }
        });
        alerts.clear();
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = thread_cpu_s().zip(cpu0).map(|(b, a)| b - a);
    let st = decoder.stats();
    let n = monitor.vessel_count().max(1);
    let heap: usize = monitor.vessels().map(|v| v.heap_bytes()).sum();
    let size = std::mem::size_of::<corridor_track::VesselState>();
    let (vessels, stats) = (monitor.vessel_count(), monitor.stats());
    // Everything the monitor owns (vessel map, open alerts, R-tree, pairs, …) is freed on drop.
    let before = LIVE.load(Ordering::Relaxed);
    drop(monitor);
    let owned = before - LIVE.load(Ordering::Relaxed);
    println!(
        "{} sentences, {} messages, {} reports ({} positions, {} statics), {} vessels in {:.2} s: {:.0} sentences/s, {:.0} messages/s; rejected {}",
        st.sentences,
        st.messages,
        reports,
        stats.positions,
        stats.statics,
        vessels,
        secs,
        st.sentences as f64 / secs,
        st.messages as f64 / secs,
        st.rejected_total(),
    );
    if let Some(cpu) = cpu {
        println!(
            "on-CPU time of the loop {cpu:.2} s (the rest of the {secs:.2} s the thread waited for a core): {:.0} sentences, {:.0} messages per CPU-second",
            st.sentences as f64 / cpu,
            st.messages as f64 / cpu
        );
    }
    println!(
        "live state: size_of::<VesselState>() = {size} B + heap {:.1} B/vessel = {:.0} B/vessel; whole monitor (map, alerts, indexes) {} B = {:.0} B/vessel",
        heap as f64 / n as f64,
        size as f64 + heap as f64 / n as f64,
        owned,
        owned as f64 / n as f64
    );
}

async fn store(path: &str, url: &str, max: usize, batch: usize) {
    let data = std::fs::read(path).expect("read");
    let mut decoder = Decoder::default();
    let mut adapter = Adapter::new();
    let mut rows = Vec::new();
    for line in lines(&data) {
        if rows.len() >= max {
            break;
        }
        decoder.feed_line(line, |d| {
            if let Some(Report::Position(p)) = adapter.adapt(&d, None) {
                rows.push(PositionRow { mmsi: p.mmsi, time: p.time, lat: p.lat, lon: p.lon, sog: p.sog_kn, cog: p.cog_deg, heading: p.heading_deg, nav_status: p.nav_status.0 });
            }
        });
    }
    let store: Arc<dyn TrackStore> = if url.starts_with("postgres") {
        Arc::new(corridor_store::PgTrackStore::connect_in_schema(url, "bench_ingest").await.expect("pg"))
    } else {
        Arc::new(corridor_store::SqliteTrackStore::open(url).await.expect("sqlite"))
    };
    let started = Instant::now();
    let mut n = 0;
    for chunk in rows.chunks(batch) {
        n += store.insert_positions(chunk).await.expect("insert");
    }
    let secs = started.elapsed().as_secs_f64();
    let how = if url.starts_with("postgres") { "one COPY per batch" } else { "multi-row INSERTs, one transaction per batch" };
    println!("{n} positions persisted into {url} in {secs:.2} s: {:.0} positions/s (batches of {batch}, {how})", n as f64 / secs);
}
