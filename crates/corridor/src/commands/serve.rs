//! `corridor serve`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args as ClapArgs;
use corridor_server::{AppState, Options, router};

use super::Context;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "CORRIDOR_LISTEN")]
    listen: Option<String>,
    /// Serve the dashboard from this directory instead of the files built into the binary
    #[arg(long, env = "CORRIDOR_WEB_DIR")]
    web_dir: Option<PathBuf>,
    /// Live AIS sources, comma-separated: tcp-server:ADDR, tcp-client:HOST:PORT, udp:ADDR,
    /// file:PATH[@SPEED], nats:URL|STREAM|SUBJECT|DURABLE (the live routes answer without any)
    #[arg(long, value_delimiter = ',', env = "CORRIDOR_INGEST")]
    ingest: Vec<String>,
    /// Reverse proxies (IP addresses, comma-separated) whose X-Forwarded-For names the client,
    /// e.g. 127.0.0.1 behind nginx on the same machine; login throttling counts by client
    #[arg(long, value_delimiter = ',', env = "CORRIDOR_TRUSTED_PROXIES")]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// The centre's inspection resources: teams and the parties each needs, working window,
    /// time zone, durations, queue rule (TOML, the format of config/capacity-bsgi.toml)
    /// [default: 3 joint teams, 07:00-15:30 Istanbul time]
    #[arg(long, env = "CORRIDOR_CAPACITY")]
    capacity: Option<PathBuf>,
    /// The corridor's geometry for live tracking: lanes, areas, ports (GeoJSON, the format of
    /// config/corridor-blacksea.geojson) [default: the Black Sea corridor]
    #[arg(long, env = "CORRIDOR_GEOMETRY")]
    geometry: Option<PathBuf>,
}

/// The dashboard directory to serve from disk, if one is named (flag,
/// `CORRIDOR_WEB_DIR` or the config file); otherwise the binary's own files.
pub fn web_dir(flag: Option<PathBuf>, ctx: &Context) -> Option<PathBuf> {
    flag.or_else(|| ctx.file.web_dir.clone())
}

/// Says where the dashboard comes from (for the start-up lines).
pub fn web_source(web: &Option<PathBuf>) -> Option<String> {
    match web {
        Some(dir) if dir.join("index.html").exists() => {
            Some(format!("files from {}", dir.display()))
        }
        Some(dir) => {
            tracing::warn!(dir = %dir.display(), "no index.html in the dashboard directory");
            None
        }
        // A debug build reads web/dist at each request (rust-embed's way).
        None if corridor_server::assets::available() => Some(
            if cfg!(debug_assertions) {
                "web/dist, read at each request (debug build)"
            } else {
                "built into the binary"
            }
            .into(),
        ),
        None => None,
    }
}

pub async fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let listen = args
        .listen
        .clone()
        .or_else(|| ctx.file.listen.clone())
        .unwrap_or_else(|| DEFAULT_LISTEN.into());
    let addr: SocketAddr = listen.parse().with_context(|| {
        let from = super::origin(
            args.listen.as_deref(),
            "--listen",
            "CORRIDOR_LISTEN",
            "listen",
        );
        format!("{from} {listen:?} is not an address like 127.0.0.1:8080")
    })?;
    // The configuration is checked before anything is bound or created.
    let rules = ctx.rules()?;
    let capacity = ctx.capacity(args.capacity.as_ref())?;
    if capacity.is_none()
        && let Ok(default) = corridor_clearance_service::inspections::service_capacity()
        && let Some(t) = default
            .teams
            .iter()
            .find(|t| t.parties.iter().any(|p| !rules.has_party(p)))
    {
        anyhow::bail!(
            "the built-in inspection resources are the Black Sea's joint teams (team {} needs {}), \
             and the corridor's parties are {}: give the centre's own with --capacity \
             (config/capacity-unvim.toml is one for --rules unvim)",
            t.name,
            t.parties.join(", "),
            rules.party_codes().collect::<Vec<_>>().join(", ")
        );
    }
    let geometry = args.geometry.as_ref().or(ctx.file.geometry.as_ref());
    // Read now, so that a bad file or source is said before anything is
    // bound or created.
    let (corridor, geojson) = super::track::load_geometry(geometry.map(PathBuf::as_path))?;
    let specs = args
        .ingest
        .iter()
        .map(|s| corridor_ingest::SourceSpec::parse(s).map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<Vec<_>>>()?;
    // Tracking's arrivals name the geometry's places; each must be in one
    // of the centre's areas, or its vessels are planned at the first
    // (open finding 65). Without a live source no arrival comes from it.
    if !args.ingest.is_empty() {
        let areas = match &capacity {
            Some(c) => c.clone(),
            None => corridor_clearance_service::inspections::service_capacity()?,
        };
        let unplanned = places_no_area_takes(&corridor, &areas);
        if !unplanned.is_empty() {
            let capacity_shown = args
                .capacity
                .as_ref()
                .or(ctx.file.capacity.as_ref())
                .map_or("the built-in Black Sea capacity".to_string(), |p| {
                    p.display().to_string()
                });
            let geometry_shown = geometry
                .map_or("the built-in Black Sea geometry".to_string(), |p| {
                    p.display().to_string()
                });
            anyhow::bail!(
                "{geometry_shown} has places where vessels wait for inspection that no inspection \
                 area of {capacity_shown} names ({}), so tracking would plan their vessels at its \
                 first area, {}: give the geometry and the capacity of the same corridor \
                 (--geometry, --capacity), or name each place in the `geometry` of the area whose \
                 teams inspect there",
                unplanned.join(", "),
                areas.areas.first().map_or("none", |a| a.name.as_str())
            );
        }
    }
    let listener = corridor_server::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let addr = listener.local_addr()?;
    let store = ctx.store().await?;
    // The whole record's figures, summed now (seconds at a million cargo
    // lines) and again after every import (another process's too: the
    // record's version says so, one cheap query a look), so the overview's
    // visitors do not wait for them.
    let warm = store.clone();
    tokio::spawn(async move {
        let mut look = tokio::time::interval(std::time::Duration::from_secs(30));
        let mut warned = false;
        loop {
            look.tick().await;
            match warm.stats(Default::default()).await {
                Ok(_) => warned = false,
                Err(e) if !warned => {
                    warned = true;
                    tracing::warn!(error = %e, "the record's figures could not be read");
                }
                Err(_) => {}
            }
        }
    });
    let web = web_dir(args.web_dir, ctx);
    if web_source(&web).is_none() {
        tracing::warn!(
            "no built dashboard (run `npm ci && npm run build` in web/ before building); serving the API only"
        );
    }
    let notices = super::track::notice_channel();
    let (api, root, alerts, live) =
        super::track::live_routers(ctx, specs, (corridor, geojson), notices.clone()).await?;
    let mut opts = Options {
        web_dir: web,
        trusted_proxies: args.trusted_proxy.clone(),
        ..Options::default()
    };
    (opts.api, opts.root) = (api, root);
    // Clearance (issue 5) lives in the same database as the record.
    let clearance =
        corridor_clearance_service::open_with(&ctx.database_url(), rules, capacity, Some(alerts))
            .await
            .context("opening the clearance store")?;
    super::track::forward_acknowledgements(&clearance, notices);
    if !args.ingest.is_empty() {
        super::track::forward_arrivals(&live, clearance.clone());
        super::registrations::forward_registrations(&live, clearance.clone()).await;
    }
    opts.api
        .push(corridor_clearance_service::router_with_document(
            clearance,
            corridor_server::openapi::whole_document(corridor_clearance_service::openapi_document()),
        ));
    let app = router(AppState::new(store), &opts);
    say!(
        "corridor: serving on http://{addr}/ (record: {})",
        ctx.database_shown()
    );
    // On ctrl-c or SIGTERM the tracking pipeline drains first (what it
    // holds is stored, NATS messages answered), which also ends the live
    // streams; then the server stops.
    let timed_out = NotStored::default();
    let watched = live.clone();
    let stop = stop_after_signal(
        async move { watched.gave_up().await },
        async move {
            live.shutdown().await;
            live.lost()
        },
        timed_out.clone(),
    );
    let cut = corridor_server::serve_on(app, listener, stop)
        .await
        .with_context(|| format!("serving on {addr}"))?;
    Ok(timed_out.exit_code(cut))
}

/// The places of `corridor` where vessels wait for inspection (its
/// `queue_arrival` areas) that no inspection area of `cap` names, when
/// its areas name places at all. A vessel tracking saw arrive at one was
/// planned at the first area, and its arrival could not be corrected in
/// place (open finding 65).
pub(super) fn places_no_area_takes(
    corridor: &corridor_geo::Corridor,
    cap: &corridor_planner::CapacityConfig,
) -> Vec<String> {
    if cap.areas.iter().all(|a| a.geometry.is_empty()) {
        return Vec::new();
    }
    corridor
        .areas()
        .iter()
        .filter(|a| a.queue_arrival && cap.area_at(&a.name).is_none())
        .map(|a| a.name.clone())
        .collect()
}

/// How long a stop waits for the tracking pipeline to drain.
const DRAIN_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Set by [`stop_after_signal`] when the pipeline did not drain in time,
/// or drained having given up alerts or positions the store would not
/// take, so the command can exit with a failure: what it held was not
/// stored.
#[derive(Debug, Clone, Default)]
pub(super) struct NotStored(std::sync::Arc<std::sync::Mutex<Option<String>>>);

impl NotStored {
    fn set(&self, why: String) {
        if let Ok(mut w) = self.0.lock() {
            *w = Some(why);
        }
    }

    /// The exit code of a stop: success unless something was not stored,
    /// or a signal `cut` the wait for open requests short (its own status).
    pub(super) fn exit_code(&self, cut: Option<corridor_server::StopSignal>) -> ExitCode {
        let why = self.0.lock().ok().and_then(|w| w.clone());
        if let Some(signal) = cut {
            ExitCode::from(signal.exit_status())
        } else if let Some(why) = why {
            say!("corridor: {why}");
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// Waits for ctrl-c or SIGTERM, or for the pipeline to give up by itself
/// (`gave_up` says why; the command then exits with a failure), then runs
/// `drain` (which says how many alerts and positions were given up) for
/// at most [`DRAIN_LIMIT`]; a second signal meanwhile ends the process at
/// once, with that signal's exit status (130 or 143).
pub(super) async fn stop_after_signal(
    gave_up: impl std::future::Future<Output = String>,
    drain: impl std::future::Future<Output = (u64, u64)>,
    not_stored: NotStored,
) {
    tokio::select! {
        _ = corridor_server::shutdown_signal() => {}
        // Said when the command exits (`NotStored::exit_code`).
        why = gave_up => not_stored.set(why),
    }
    match drain_within(drain, DRAIN_LIMIT, corridor_server::shutdown_signal()).await {
        Drain::Done((0, 0)) => {}
        Drain::Done((alerts, positions)) => not_stored.set(format!(
            "stopped having given up {alerts} alerts and {positions} positions the store did not take (see the log)"
        )),
        Drain::TimedOut => {
            tracing::warn!(
                "the tracking pipeline did not drain in {} s: stopping without it",
                DRAIN_LIMIT.as_secs()
            );
            not_stored.set(
                "stopped before the tracking pipeline drained; what it held was not stored".into(),
            );
        }
        Drain::Cut(signal) => {
            say!("corridor: a second signal: stopping now");
            std::process::exit(i32::from(signal.exit_status()));
        }
    }
}

/// How a stop's wait for the pipeline ended.
#[derive(Debug, PartialEq, Eq)]
enum Drain<T> {
    Done(T),
    TimedOut,
    /// Another signal came first.
    Cut(corridor_server::StopSignal),
}

async fn drain_within<T>(
    drain: impl std::future::Future<Output = T>,
    limit: std::time::Duration,
    signal: impl std::future::Future<Output = corridor_server::StopSignal>,
) -> Drain<T> {
    tokio::select! {
        t = drain => Drain::Done(t),
        () = tokio::time::sleep(limit) => Drain::TimedOut,
        s = signal => Drain::Cut(s),
    }
}

#[cfg(test)]
mod tests {
    use super::{Drain, drain_within, places_no_area_takes};
    use corridor_server::StopSignal;
    use std::future::{pending, ready};
    use std::time::Duration;

    /// Open finding 65: a place of the geometry where vessels wait that
    /// the capacity's areas do not name planned its vessels at the first
    /// area without a word; `serve` now refuses to start on it. The
    /// shipped pairs of geometry and capacity agree.
    #[test]
    fn every_place_where_vessels_wait_is_in_an_inspection_area() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let geometry = |name: &str| {
            crate::commands::track::load_corridor(Some(&root.join("config").join(name))).unwrap()
        };
        let capacity = |path: &str| {
            corridor_planner::CapacityConfig::from_toml(
                &std::fs::read_to_string(root.join(path)).unwrap(),
            )
            .unwrap()
        };
        let black_sea = geometry("corridor-blacksea.geojson");
        let service = corridor_clearance_service::inspections::service_capacity().unwrap();
        for (corridor, cap) in [
            (&black_sea, &service),
            (&black_sea, &capacity("config/capacity-bsgi.toml")),
            (
                &geometry("corridor-unvim.geojson"),
                &capacity("config/capacity-unvim.toml"),
            ),
        ] {
            assert_eq!(places_no_area_takes(corridor, cap), Vec::<String>::new());
        }
        let demo = corridor_ingest::demo_corridor().unwrap();
        assert_eq!(places_no_area_takes(&demo, &service), Vec::<String>::new());
        // Kilyos anchorage left out of the northern area.
        let mut short = service.clone();
        for a in &mut short.areas {
            a.geometry.retain(|g| g != "Kilyos anchorage");
        }
        assert_eq!(
            places_no_area_takes(&black_sea, &short),
            ["Kilyos anchorage"]
        );
        // Areas that name no place: nothing to check against.
        for a in &mut short.areas {
            a.geometry.clear();
        }
        assert_eq!(
            places_no_area_takes(&black_sea, &short),
            Vec::<String>::new()
        );
    }

    /// Open finding 10 (docs/open-findings.md, list of 30 Nov 2026): a
    /// second SIGTERM exited 130, like ctrl-c, and a drain that ran out of
    /// time exited 0.
    #[tokio::test]
    async fn a_stop_says_how_the_drain_ended() {
        let long = Duration::from_secs(3600);
        let check = async |drain: bool, signal: Option<StopSignal>, limit| {
            let drain = async move {
                if !drain {
                    pending::<()>().await;
                }
            };
            let signal = async move {
                match signal {
                    Some(s) => ready(s).await,
                    None => pending().await,
                }
            };
            drain_within(drain, limit, signal).await
        };
        assert_eq!(check(true, None, long).await, Drain::Done(()));
        assert_eq!(
            check(false, Some(StopSignal::Terminate), long).await,
            Drain::Cut(StopSignal::Terminate)
        );
        assert_eq!(
            check(false, None, Duration::from_millis(1)).await,
            Drain::TimedOut
        );
        assert_eq!(StopSignal::Terminate.exit_status(), 143);
        assert_eq!(StopSignal::Interrupt.exit_status(), 130);
        let code = |cut| super::NotStored::default().exit_code(cut);
        assert_eq!(code(None), std::process::ExitCode::SUCCESS);
        assert_eq!(
            code(Some(StopSignal::Terminate)),
            std::process::ExitCode::from(143)
        );
    }
}
