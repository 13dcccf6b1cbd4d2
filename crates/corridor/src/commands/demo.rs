//! `corridor demo`: the whole system on a fresh embedded store, with the
//! JCC's real record and a live simulated AIS feed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args as ClapArgs;
use corridor_domain::Snapshot;
use corridor_server::{AppState, Options, router};
use corridor_store::ImportBatch;

use super::Context;

/// The JCC's table as of 14 June 2023, compiled in (see data/jcc/README.md).
const JCC_CSV: &[u8] =
    include_bytes!("../../../../data/jcc/bsgi_outbound_shipments_2023-06-14.csv");
const JCC_NAME: &str = "bsgi_outbound_shipments_2023-06-14.csv";

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Address to serve on
    #[arg(long, env = "CORRIDOR_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Directory for the demo's store [default: a new temporary directory]
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Serve the dashboard from this directory instead of the files built into the binary
    #[arg(long, env = "CORRIDOR_WEB_DIR")]
    web_dir: Option<PathBuf>,
}

pub async fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let addr: SocketAddr = args.listen.parse().with_context(|| {
        let from = super::origin(Some(&args.listen), "--listen", "CORRIDOR_LISTEN", "listen");
        format!(
            "{from} {:?} is not an address like 127.0.0.1:8080",
            args.listen
        )
    })?;
    // Bound first: a port in use fails now, not after the store is built
    // and the start-up lines have claimed it.
    let listener = corridor_server::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let addr = listener.local_addr()?;
    let (dir, _keep) = match args.dir {
        Some(d) => {
            std::fs::create_dir_all(&d).with_context(|| format!("creating {}", d.display()))?;
            (d, None)
        }
        None => {
            let t = tempfile::tempdir().context("creating a temporary directory")?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    let db = dir.join("corridor-demo.db");
    if db.exists() {
        anyhow::bail!(
            "{} already exists: the demo starts from a fresh store (give another --dir)",
            db.display()
        );
    }
    // The party keys go next to the store; a folder left by an earlier run
    // would be refused by the seed after the store is built.
    let keys_dir = dir.join("party-keys");
    if keys_dir.exists() {
        anyhow::bail!(
            "{} already exists (an earlier demo's party keys): remove it, or give another --dir",
            keys_dir.display()
        );
    }
    // The demo's store is its own: a database named on the command line,
    // in the environment or in the config would otherwise be ignored
    // without a word.
    if let Some(other) = ctx.database_named() {
        say!(
            "note: the demo makes its own store ({}); the database {other} is not used (serve it with `corridor --database … serve`)",
            db.display()
        );
    }
    let url = db.display().to_string();
    let store = corridor_store::open(&url)
        .await
        .context("creating the demo store")?;

    let mut parsed = corridor_import::jcc::read_bytes(JCC_NAME, JCC_CSV)?;
    let as_of = parsed
        .latest_date()
        .context("the embedded record has no voyages")?;
    let outcome = store
        .import(ImportBatch {
            snapshot: Snapshot {
                source: JCC_NAME.into(),
                as_of,
            },
            format: &parsed.format.to_string(),
            recorded_at: jiff::Timestamp::now(),
            voyages: std::mem::take(&mut parsed.voyages),
            progress: None,
        })
        .await?;

    // Live AIS: the simulator serves NMEA over a real TCP socket into the
    // pipeline, as a receiver would; the monitor knows the simulated fleet.
    let corridor = corridor_ingest::demo_corridor().context("loading the demo corridor")?;
    // The feed replays the last SIM_DAYS days, so no time it reports is
    // ahead of the clock (an alert dated tomorrow, acknowledged before it
    // began, confused the demo's users). The head start is played at once,
    // so the demo opens on ships already under way (departures begin six
    // hours into the scenario) and the alerts of their first day; then it
    // runs at SIM_SPEED and ends at about the time it is watched.
    let start = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * i64::from(SIM_DAYS));
    let scenario =
        corridor_track::sim::random_scenario(&corridor, start, SIM_DAYS, 40, 12, 1, SIM_SEED);
    let sim_config = corridor_track::sim::SimConfig {
        seed: SIM_SEED,
        ..Default::default()
    };
    let sim = corridor_track::sim::simulate(&corridor, &scenario, &sim_config)?;

    // Clearance: a slice of a season with a user for every role. The party
    // keys are written next to the store: demo only, in production each
    // delegation keeps its own.
    // The season ends before now, so its queue is today's queue. It starts
    // at 08:00 UTC, as the fixed season does, so that its inspections and
    // decisions fall in Istanbul's working day whenever the demo is started
    // (started at 17:00 UTC, the seeded failed inspection was at 01:05).
    let back = jiff::Timestamp::now()
        - jiff::SignedDuration::from_hours(24 * corridor_clearance_service::seed::SEASON_DAYS);
    let season_start = working_day_start(back);
    let seeded = corridor_clearance_service::seed::seed_demo_tracked(
        &url,
        &keys_dir,
        season_start,
        &tracked_vessels(&scenario, &sim, start + HEAD_START),
    )
    .await
    .context("seeding the clearance demo")?;

    let track_store = corridor_store::open_track(&url)
        .await
        .context("opening the tracking store")?;
    let mut pipeline = corridor_ingest::PipelineConfig::new(
        corridor.clone(),
        vec![
            corridor_ingest::SourceSpec::parse("tcp-server:127.0.0.1:0")
                .map_err(anyhow::Error::msg)?,
        ],
    );
    pipeline.registry = sim.registry.clone();
    let clearance = corridor_clearance_service::open(
        &url,
        Some(super::track::alert_lookup(track_store.clone())),
    )
    .await
    .context("opening the clearance store")?;
    let notices = super::track::notice_channel();
    super::track::forward_acknowledgements(&clearance, notices.clone());
    // The recorder first: what the pipeline counts and describes from its
    // start would otherwise go nowhere.
    let metrics = corridor_server::live::metrics_router();
    let live = corridor_ingest::spawn_pipeline(pipeline, Some(track_store)).await?;
    super::track::forward_arrivals(&live, clearance.clone());
    super::registrations::forward_registrations(&live, clearance.clone()).await;
    let feed_addr = live
        .bound()
        .first()
        .map(|(_, a)| *a)
        .context("the pipeline's TCP source did not bind")?;
    let simulator = corridor_ingest::spawn_simulator(
        &corridor,
        &scenario,
        &sim_config,
        corridor_ingest::sim::Serve::TcpClient(feed_addr),
        corridor_ingest::sim::Pace {
            speed: Some(SIM_SPEED),
            head_start: HEAD_START,
        },
    )?;
    let live_state = corridor_server::live::LiveState {
        handle: live.clone(),
        geometry: Arc::from(corridor_geo::BLACK_SEA_DEMO),
        notices: Some(notices),
    };

    let web = super::serve::web_dir(args.web_dir, ctx);
    let opts = Options {
        web_dir: web.clone(),
        api: vec![
            corridor_clearance_service::router_with_document(
                clearance,
                corridor_server::openapi::whole_document(
                    corridor_clearance_service::openapi_document(),
                ),
            ),
            corridor_server::live::api_router(live_state),
        ],
        root: vec![metrics],
        // The demo is for one machine: no proxy in front of it.
        trusted_proxies: Vec::new(),
    };
    let app = router(AppState::new(store), &opts);
    say!("corridor demo");
    say!(
        "  record:    {} voyages imported from the JCC's table ({url})",
        outcome.imported
    );
    say!(
        "  clearance: {} applications, {} log entries; party keys in {} (demo only)",
        seeded.applications,
        seeded.entries,
        seeded.keys_dir
    );
    say!(
        "  users (password {:?}, demo only):",
        corridor_clearance_service::seed::DEMO_PASSWORD
    );
    for (name, role) in &seeded.users {
        say!(
            "    {name:<22} {}",
            role.replace(['{', '}', '"'], "").replace(',', ", ")
        );
    }
    match super::serve::web_source(&web) {
        Some(from) => say!("  dashboard: http://{addr}/  ({from})"),
        None => {
            say!("  dashboard: not built (run `npm ci && npm run build` in web/); API only")
        }
    }
    say!(
        "  live AIS:  {} corridor ships and background traffic, the last {SIM_DAYS} days replayed (the first {} h at once, then {SIM_SPEED}x real time, ending now), NMEA over TCP to {feed_addr}",
        scenario_vessels(&simulator),
        HEAD_START.as_secs() / 3600
    );
    say!(
        "  API:       http://{addr}/api/v1/stats, /api/v1/live (SSE), /api/v1/openapi.json, /metrics"
    );
    say!("  stop with Ctrl-C");
    // On ctrl-c or SIGTERM: the feed stops, the pipeline drains (which ends
    // the live streams), then the server.
    let feed = simulator.cancel.clone();
    let draining = live.clone();
    let watched = live.clone();
    let timed_out = super::serve::NotStored::default();
    let stop = super::serve::stop_after_signal(
        async move { watched.gave_up().await },
        async move {
            feed.cancel();
            draining.shutdown().await;
            draining.lost()
        },
        timed_out.clone(),
    );
    let served = corridor_server::serve_on(app, listener, stop)
        .await
        .with_context(|| format!("serving on {addr}"));
    simulator.cancel.cancel();
    // A server that never started never ran the stop; one that stopped has
    // drained already (or given up on it: no second, unbounded wait).
    if served.is_err() {
        live.shutdown().await;
    }
    let cut = served?;
    Ok(timed_out.exit_code(cut))
}

/// Days of traffic the demo simulates, and how much faster than real time:
/// at 240x a ship under way visibly moves every second, and the 40
/// voyages all leave within the first three minutes.
/// Vessels of the simulated feed seeded as waiting applications.
const TRACKED: usize = 3;

/// Voyages of the feed as the demo's tracked applications: one
/// whose first arrival at an inspection area is the last before `live_from`
/// (when the feed starts playing in real time: the queue shows it seen by
/// AIS within seconds), and the rest the first to arrive after it (the
/// queue shows them taking their places as tracking sees them arrive).
fn tracked_vessels(
    scenario: &corridor_track::sim::Scenario,
    sim: &corridor_track::sim::Simulation,
    live_from: jiff::Timestamp,
) -> Vec<corridor_clearance_service::seed::TrackedVessel> {
    let mut arrivals: Vec<(jiff::Timestamp, &corridor_track::sim::Voyage)> = scenario
        .voyages
        .iter()
        .filter_map(|v| {
            let first = sim
                .truth
                .iter()
                .filter(|t| t.mmsi == v.mmsi && t.kind == corridor_track::AlertKind::AreaArrival)
                .map(|t| t.start)
                .min()?;
            Some((first, v))
        })
        .collect();
    arrivals.sort_by_key(|(t, v)| (*t, v.mmsi));
    let split = arrivals.partition_point(|(t, _)| *t <= live_from);
    let before = split.checked_sub(1).and_then(|i| arrivals.get(i));
    before
        .into_iter()
        .chain(
            arrivals[split..]
                .iter()
                .take(TRACKED - usize::from(before.is_some())),
        )
        .map(|(_, v)| corridor_clearance_service::seed::TrackedVessel {
            imo: v.imo,
            name: v.name.clone(),
            mmsi: v.mmsi,
            port: v.port.clone(),
            inbound: v.inbound,
        })
        .collect()
}

const SIM_DAYS: u32 = 5;
const SIM_SPEED: f64 = 240.0;
/// Feed time played at once when the demo starts: enough for the corridor
/// ships to be under way and the first anomalies raised, so the map and the
/// coordinator's alerts are not empty for the first minutes.
const HEAD_START: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
const SIM_SEED: u64 = 2022;

fn scenario_vessels(sim: &corridor_ingest::SimulatorHandle) -> usize {
    sim.registry.len()
}

/// The latest 08:00 UTC at or before `t`.
fn working_day_start(t: jiff::Timestamp) -> jiff::Timestamp {
    let utc = jiff::tz::TimeZone::UTC;
    let at_eight = |d: jiff::civil::Date| {
        d.at(8, 0, 0, 0)
            .to_zoned(utc.clone())
            .map(|z| z.timestamp())
            .unwrap_or(t)
    };
    let date = t.to_zoned(utc.clone()).date();
    let same_day = at_eight(date);
    if same_day <= t {
        same_day
    } else {
        date.yesterday().map_or(t, at_eight)
    }
}

#[cfg(test)]
mod tests {
    use super::working_day_start;

    #[test]
    fn the_demo_season_starts_at_the_latest_eight_oclock() {
        let check = |t: &str, want: &str| {
            let got = working_day_start(t.parse().expect("time"));
            assert_eq!(got.to_string(), want, "{t}");
        };
        check("2026-11-13T17:02:00Z", "2026-11-13T08:00:00Z");
        check("2026-11-13T08:00:00Z", "2026-11-13T08:00:00Z");
        check("2026-11-13T07:59:59Z", "2026-11-12T08:00:00Z");
        check("2026-01-01T00:30:00Z", "2025-12-31T08:00:00Z");
    }
}
