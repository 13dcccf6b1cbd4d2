//! `corridor simulate ais`: voyages → realistic NMEA with injected anomalies and the truth.
//!
//! The registry the tracker needs to find identity mismatches (corridor
//! ships' MMSI ↔ IMO) is written twice: into the store's tracking registry
//! (`--database`, so `corridor track` with the same database finds it) and
//! next to the truth as `TRUTH.registry.jsonl` (for `corridor track --registry`).

use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use clap::{Args as ClapArgs, Subcommand};
use corridor_ingest::sim::{NmeaEncoder, Pace, Serve, serve_feed, write_nmea};
use corridor_store::{RegistryRow, VoyageQuery};
use corridor_track::sim::{Rng, Scenario, SimConfig, Voyage, random_scenario, simulate};
use corridor_track::{AlertKind, RegisteredVessel};
use jiff::{SignedDuration, Timestamp};

use super::Context;

// Parsed once per run: the size of the larger variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate AIS traffic in the corridor as NMEA (stdout, or served over TCP/UDP)
    Ais(AisArgs),
    /// Replay arrivals against an inspection capacity schedule, day by day; report per month
    Queue(super::queue::Args),
}

#[derive(Debug, ClapArgs)]
pub struct AisArgs {
    /// Take the voyages from the record in the store (--database): departures in the period
    #[arg(long, conflicts_with = "scenario")]
    from_record: bool,
    /// Take the voyages (and period and anomalies) from a scenario file (JSON, corridor_track::sim::Scenario)
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Also put the simulated vessels' MMSIs in the store's tracking registry (--database), so that
    /// `corridor track` or a server tracking this feed knows them. Made-up MMSIs: never against a
    /// record that tracks real ships
    #[arg(long)]
    register: bool,
    /// First day of the period (YYYY-MM-DD or RFC 3339)
    #[arg(long, default_value = "2022-10-01")]
    start: String,
    /// Length of the period in days (1 to 366)
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=366))]
    days: u32,
    /// Anomalies to inject: KIND or KIND=COUNT, comma-separated (deviation, ais_gap, loitering,
    /// encounter, identity_mismatch, impossible_jump; "all" for every kind)
    #[arg(long, value_delimiter = ',', default_value = "all")]
    anomalies: Vec<String>,
    /// Injections per kind when a KIND has no =COUNT (at most 1,000)
    #[arg(long, default_value_t = 3, value_parser = up_to(MAX_COUNT))]
    per_kind: usize,
    /// Corridor voyages (with --from-record: at most this many, evenly spread over the period; at most 1,000)
    #[arg(long, default_value_t = 36, value_parser = up_to(MAX_COUNT))]
    voyages: usize,
    /// Background vessels outside the corridor (at most 1,000)
    #[arg(long, default_value_t = 8, value_parser = up_to(MAX_COUNT))]
    background: usize,
    /// Write the ground truth here (JSONL: kind, mmsi, start, end); the registry goes next to it
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Seed for everything random (same seed, same feed)
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Connect to this TCP address and send the feed at real time × --speed
    #[arg(long, conflicts_with = "udp")]
    tcp: Option<SocketAddr>,
    /// Listen on this TCP address and serve the feed to every client that connects
    #[arg(long, conflicts_with_all = ["tcp", "udp"])]
    tcp_listen: Option<SocketAddr>,
    /// Send the feed as UDP datagrams to this address at real time × --speed
    #[arg(long)]
    udp: Option<SocketAddr>,
    /// Speed-up over real time when serving (0: as fast as the receiver reads)
    #[arg(long, default_value_t = 60.0, value_parser = speed)]
    speed: f64,
    /// Corridor geometry (GeoJSON) [default: the shipped demo corridor]
    #[arg(long)]
    geometry: Option<PathBuf>,
}

/// The most vessels or injections of one kind a simulated feed takes: a
/// feed is a test of the monitor, not a load test (that is bench/ingest).
const MAX_COUNT: u64 = 1000;

fn up_to(max: u64) -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(0..=max)
}

fn speed(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=1e6).contains(&v) => Ok(v),
        Ok(v) => Err(format!("{v} is not a speed-up from 0 to 1000000")),
        Err(e) => Err(e.to_string()),
    }
}

pub async fn run(ctx: &Context, cmd: Command) -> anyhow::Result<ExitCode> {
    let args = match cmd {
        Command::Ais(args) => args,
        Command::Queue(args) => return super::queue::run(ctx, args).await,
    };
    let corridor = super::track::load_corridor(args.geometry.as_deref())?;
    let start = parse_start(&args.start)?;
    let anomalies = parse_anomalies(&args.anomalies, args.per_kind)?;
    let scenario = if let Some(path) = &args.scenario {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str::<Scenario>(&text)
            .with_context(|| format!("{} is not a scenario", path.display()))?
    } else {
        let mut sc = random_scenario(
            &corridor,
            start,
            args.days,
            args.voyages,
            args.background,
            0,
            args.seed,
        );
        sc.anomalies = anomalies;
        if args.from_record {
            sc.voyages =
                record_voyages(ctx, &corridor, start, args.days, args.seed, args.voyages).await?;
        }
        sc
    };
    let cfg = SimConfig {
        seed: args.seed,
        ..SimConfig::default()
    };
    let sim = simulate(&corridor, &scenario, &cfg).context("simulating")?;

    if let Some(truth) = &args.truth {
        let mut w = BufWriter::new(
            std::fs::File::create(truth)
                .with_context(|| format!("creating {}", truth.display()))?,
        );
        for t in &sim.truth {
            serde_json::to_writer(&mut w, t)?;
            w.write_all(b"\n")?;
        }
        w.flush()?;
        let reg = registry_path(truth);
        let mut w = BufWriter::new(
            std::fs::File::create(&reg).with_context(|| format!("creating {}", reg.display()))?,
        );
        for r in &sim.registry {
            serde_json::to_writer(&mut w, r)?;
            w.write_all(b"\n")?;
        }
        w.flush()?;
    }
    // Only when asked: the MMSIs are made up, and a registry entry is what
    // identity checks trust.
    if args.register {
        register(ctx, &sim.registry, &sim.vessels).await?;
    }
    // The scenario's period is when voyages start; the feed runs on until
    // they end, so its own first and last report times are said at the end.
    say!(
        "corridor: simulated {} voyages, {} vessels, {} truth records (scenario {} → {})",
        scenario.voyages.len(),
        sim.vessels.len(),
        sim.truth.len(),
        scenario.start,
        scenario.end
    );
    let span = Arc::new(std::sync::Mutex::new(None::<(Timestamp, Timestamp)>));
    let feed = {
        let span = Arc::clone(&span);
        sim.feed.inspect(move |r| {
            let t = r.time();
            if let Ok(mut g) = span.lock() {
                *g = Some(g.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
            }
        })
    };
    let said_span = || match span.lock().ok().and_then(|g| *g) {
        Some((a, b)) => format!(", times {a} → {b}"),
        None => String::new(),
    };

    let mut enc = NmeaEncoder::new(&sim.vessels, "corridor-sim");
    let speed = (args.speed > 0.0).then_some(args.speed);
    let serve = match (args.tcp, args.tcp_listen, args.udp) {
        (Some(a), _, _) => Some(Serve::TcpClient(a)),
        (_, Some(a), _) => Some(Serve::TcpServer(a)),
        (_, _, Some(a)) => Some(Serve::Udp(a)),
        _ => None,
    };
    match serve {
        Some(to) => {
            let cancel = tokio_util::sync::CancellationToken::new();
            let c = cancel.clone();
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                c.cancel();
            });
            let n = serve_feed(feed, enc, to, Pace::speed(speed), cancel)
                .await
                .context("serving the feed")?;
            say!("corridor: sent {n} reports{}", said_span());
            if n == 0 {
                say!(
                    "corridor: no report reached a receiver (as a TCP server: no client was connected)"
                );
            }
        }
        None => {
            let lines = tokio::task::spawn_blocking(move || {
                let out = std::io::stdout().lock();
                write_nmea(feed, &mut enc, BufWriter::with_capacity(256 * 1024, out))
            })
            .await?;
            match lines {
                Ok(n) => say!("corridor: wrote {n} NMEA lines{}", said_span()),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => return Err(e).context("writing the feed"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `TRUTH.jsonl` → `TRUTH.registry.jsonl`.
pub fn registry_path(truth: &Path) -> PathBuf {
    let stem = truth
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "truth".into());
    truth.with_file_name(format!("{stem}.registry.jsonl"))
}

fn parse_start(s: &str) -> anyhow::Result<Timestamp> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    let d: jiff::civil::Date = s
        .parse()
        .with_context(|| format!("--start {s:?}: expected YYYY-MM-DD or RFC 3339"))?;
    Ok(d.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp())
}

const ANOMALIES: [AlertKind; 6] = [
    AlertKind::Deviation,
    AlertKind::AisGap,
    AlertKind::Loitering,
    AlertKind::Encounter,
    AlertKind::IdentityMismatch,
    AlertKind::ImpossibleJump,
];

fn parse_anomalies(list: &[String], per_kind: usize) -> anyhow::Result<Vec<(AlertKind, usize)>> {
    let mut out: Vec<(AlertKind, usize)> = Vec::new();
    for item in list.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let (name, n) = match item.split_once('=') {
            Some((k, n)) => (
                k,
                n.parse::<usize>()
                    .ok()
                    .filter(|n| *n as u64 <= MAX_COUNT)
                    .with_context(|| {
                        format!(
                            "--anomalies {item:?}: the count is not a number from 0 to {MAX_COUNT}"
                        )
                    })?,
            ),
            None => (item, per_kind),
        };
        if name == "all" {
            out.extend(ANOMALIES.iter().map(|k| (*k, n)));
        } else if name == "none" {
        } else {
            let k = AlertKind::parse(name).filter(|k| ANOMALIES.contains(k)).with_context(|| {
                format!("--anomalies: {name:?} is not one of deviation, ais_gap, loitering, encounter, identity_mismatch, impossible_jump")
            })?;
            out.retain(|(o, _)| *o != k);
            out.push((k, n));
        }
    }
    Ok(out)
}

/// One voyage per vessel departing in the period, from the record.
async fn record_voyages(
    ctx: &Context,
    corridor: &corridor_geo::Corridor,
    start: Timestamp,
    days: u32,
    seed: u64,
    max: usize,
) -> anyhow::Result<Vec<Voyage>> {
    let store = ctx.existing_store().await?;
    let from = start.to_zoned(jiff::tz::TimeZone::UTC).date();
    // Leave five days at the end so every voyage finishes inside the period.
    let until = from
        .checked_add(jiff::Span::new().days(i64::from(days.saturating_sub(5).max(1))))
        .unwrap_or(from);
    let areas: Vec<String> = corridor
        .areas()
        .iter()
        .filter(|a| a.kind == corridor_geo::AreaKind::InspectionArea)
        .map(|a| a.name.clone())
        .collect();
    let mut rng = Rng::new(seed ^ 0x5EED_F2EC);
    let mut seen_imo = HashSet::new();
    let mut seen_mmsi = HashSet::new();
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let q = VoyageQuery {
            from: Some(from),
            until: Some(until),
            limit: Some(VoyageQuery::MAX_LIMIT),
            offset: Some(offset),
            ..VoyageQuery::default()
        };
        let page = store
            .voyages(&q)
            .await
            .context("reading voyages from the record")?;
        let n = page.items.len() as u32;
        for v in page.items {
            let imo = v.imo.get();
            if !seen_imo.insert(imo) || corridor.port(&v.port).is_none() || areas.is_empty() {
                continue; // one voyage per ship in the period; ports the corridor has
            }
            // A plausible MMSI (Marshall Islands range) derived from the IMO, unique in the run.
            let mut mmsi = 538_000_000 + imo % 1_000_000;
            while !seen_mmsi.insert(mmsi) {
                mmsi = 538_000_000 + (mmsi + 7_919) % 1_000_000;
            }
            let day = v
                .departure
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp())
                .unwrap_or(start);
            let departure = day
                .checked_add(SignedDuration::from_secs(
                    rng.range(2.0, 20.0) as i64 * 3600,
                ))
                .unwrap_or(day)
                .max(start);
            out.push(Voyage {
                mmsi,
                imo,
                name: v
                    .vessel_name
                    .chars()
                    .take(20)
                    .collect::<String>()
                    .to_uppercase(),
                port: v.port.clone(),
                departure,
                inspection_area: areas[out.len() % areas.len()].clone(),
                inbound: v.direction.eq_ignore_ascii_case("inbound"),
                wait_s: rng.range(6.0, 40.0) as u64 * 3600,
            });
        }
        if n < VoyageQuery::MAX_LIMIT {
            break;
        }
        offset += n;
    }
    // A month of the record is hundreds of voyages: keep `max`, evenly spread over the period.
    if out.len() > max.max(1) {
        out.sort_by_key(|v| v.departure);
        let step = out.len() as f64 / max.max(1) as f64;
        out = (0..max.max(1))
            .filter_map(|i| out.get((i as f64 * step) as usize).cloned())
            .collect();
        let areas_n = areas.len().max(1);
        for (i, v) in out.iter_mut().enumerate() {
            v.inspection_area = areas[i % areas_n].clone();
        }
    }
    if out.is_empty() {
        bail!(
            "the record has no voyage from a corridor port departing {from} … {until}: import the record first (corridor import …), or simulate without --from-record"
        );
    }
    Ok(out)
}

/// Puts the registry in the store's tracking tables (source "simulator").
async fn register(
    ctx: &Context,
    registry: &[RegisteredVessel],
    vessels: &[corridor_track::sim::SimVessel],
) -> anyhow::Result<()> {
    let store = corridor_store::open_track(&ctx.database_url())
        .await
        .context("opening the tracking store")?;
    let rows: Vec<RegistryRow> = registry
        .iter()
        .filter_map(|r| {
            let mmsi = r.mmsi?;
            let name = vessels
                .iter()
                .find(|v| v.mmsi == mmsi)
                .map(|v| v.name.clone());
            Some(RegistryRow {
                mmsi,
                imo: r.imo,
                name,
                source: "simulator".into(),
            })
        })
        .collect();
    store
        .register(&rows)
        .await
        .context("registering the simulated vessels")?;
    // The record's vessels learn the MMSI they transmit under.
    let pairs: Vec<(corridor_domain::Imo, u32)> = rows
        .iter()
        .filter_map(|r| Some((corridor_domain::Imo::published(r.imo?).ok()?, r.mmsi)))
        .collect();
    corridor_store::open(&ctx.database_url())
        .await
        .context("opening the record")?
        .set_mmsi(&pairs)
        .await
        .context("recording the vessels' MMSIs")?;
    Ok(())
}
