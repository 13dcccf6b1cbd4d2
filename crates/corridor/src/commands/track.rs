//! `corridor track FEED.nmea --alerts ALERTS.jsonl`: replay a recorded feed
//! through the ingest pipeline as fast as it goes (tag-block times are the
//! clock) and write one JSON alert per line (the final version of each).
//!
//! Registry (for `identity_mismatch`): `--registry FILE` (JSONL of
//! `{key, imo, mmsi}`, as `corridor simulate ais --truth` writes next to the
//! truth), else the store's tracking registry (`--database`), where the
//! simulator registers its vessels.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use clap::Args as ClapArgs;
use corridor_clearance_service::FoundAlert;
use corridor_clearance_service::arrivals::{HELD_RETRY, HeldArrivals, TrackedArrival, valid_imo};
use corridor_geo::Corridor;
use corridor_ingest::{PipelineConfig, SourceSpec, spawn_pipeline};
use corridor_track::{Alert, AlertKind, RegisteredVessel};

use super::Context;

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Recorded NMEA feeds (with tag-block c: times), merged by time (ties in the order given)
    #[arg(required = true)]
    feeds: Vec<PathBuf>,
    /// Write the alerts here, one JSON object a line (kind, mmsi, start, end, place, evidence …)
    #[arg(long)]
    alerts: PathBuf,
    /// Registered vessels (JSONL {key, imo, mmsi}) [default: the store's tracking registry]
    #[arg(long)]
    registry: Option<PathBuf>,
    /// Also store positions and alerts in the database (--database)
    #[arg(long)]
    store: bool,
    /// Corridor geometry (GeoJSON) [default: the shipped demo corridor]
    #[arg(long)]
    geometry: Option<PathBuf>,
}

/// The corridor from a GeoJSON file, or the shipped demo corridor.
pub fn load_corridor(path: Option<&Path>) -> anyhow::Result<Arc<Corridor>> {
    Ok(load_geometry(path)?.0)
}

/// [`load_corridor`], with the GeoJSON it was read from (served at `/geometry`).
pub fn load_geometry(path: Option<&Path>) -> anyhow::Result<(Arc<Corridor>, Arc<str>)> {
    match path {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            let corridor = Corridor::from_geojson_str(&text)
                .with_context(|| format!("corridor geometry {}", p.display()))?;
            Ok((Arc::new(corridor), Arc::from(text)))
        }
        None => Ok((
            corridor_ingest::demo_corridor().context("the shipped corridor geometry")?,
            Arc::from(corridor_geo::BLACK_SEA_DEMO),
        )),
    }
}

/// Registry from a JSONL file.
pub fn read_registry(path: &Path) -> anyhow::Result<Vec<RegisteredVessel>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).with_context(|| format!("{} line {}", path.display(), i + 1))
        })
        .collect()
}

/// Registry rows of the store → the monitor's registered vessels (keyed by IMO when known).
pub fn registry_from_rows(rows: &[corridor_store::RegistryRow]) -> Vec<RegisteredVessel> {
    rows.iter()
        .map(|r| RegisteredVessel {
            key: r.imo.map_or(u64::from(r.mmsi) | (1 << 40), u64::from),
            imo: r.imo,
            mmsi: Some(r.mmsi),
        })
        .collect()
}

pub async fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let corridor = load_corridor(
        args.geometry
            .as_ref()
            .or(ctx.file.geometry.as_ref())
            .map(PathBuf::as_path),
    )?;
    for f in &args.feeds {
        if !f.is_file() {
            bail!("{} is not a file", f.display());
        }
    }
    let track_store = if args.store || args.registry.is_none() {
        if !args.store {
            // Only its registry is read: a database that is not corridor's is refused, not migrated.
            ctx.require(super::Holds::Corridor).await?;
        }
        Some(
            corridor_store::open_track(&ctx.database_url())
                .await
                .context("opening the tracking store")?,
        )
    } else {
        None
    };
    let registry = match (&args.registry, &track_store) {
        (Some(p), _) => read_registry(p)?,
        (None, Some(s)) => registry_from_rows(&s.registry().await.context("reading the registry")?),
        (None, None) => Vec::new(),
    };
    if registry.is_empty() {
        // Said, not silent: without one a spoofed identity passes unseen
        // (the interface check, session 19).
        say!(
            "corridor track: no registered vessels (neither --registry nor the tracking registry of \
             the database): an identity_mismatch is found only when an MMSI changes the IMO it \
             claims, not one it claims from its first report; `simulate ais --truth T.jsonl` \
             writes the simulated vessels' registry to T.registry.jsonl (give it with --registry), \
             or puts them in the database with --register"
        );
    }
    let (tap_tx, mut tap_rx) = tokio::sync::mpsc::channel::<Alert>(1024);
    let mut cfg = PipelineConfig::new(
        corridor,
        args.feeds
            .iter()
            .map(|p| SourceSpec::File {
                path: p.clone(),
                speed: None,
            })
            .collect(),
    );
    cfg.registry = registry;
    cfg.finish_at_end = true;
    cfg.alert_tap = Some(tap_tx);
    cfg.store_positions = args.store;
    let store = if args.store { track_store } else { None };
    let handle = spawn_pipeline(cfg, store).await?;
    // Keep the latest version of each alert (an alert is emitted open, then closed).
    let collector = tokio::spawn(async move {
        let mut latest: HashMap<u64, Alert> = HashMap::new();
        while let Some(a) = tap_rx.recv().await {
            latest.insert(a.id, a);
        }
        latest
    });
    let stats_handle = handle.clone();
    handle.join().await;
    let stats = stats_handle.source_stats();
    let (lost_alerts, lost_positions) = stats_handle.lost();
    drop(stats_handle);
    drop(handle);
    let latest = collector.await?;
    let mut alerts: Vec<Alert> = latest.into_values().collect();
    alerts.sort_by_key(|a| (a.start, a.id));
    let mut w = BufWriter::new(
        std::fs::File::create(&args.alerts)
            .with_context(|| format!("creating {}", args.alerts.display()))?,
    );
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &alerts {
        serde_json::to_writer(&mut w, a)?;
        w.write_all(b"\n")?;
        *by_kind.entry(a.kind.as_str()).or_default() += 1;
    }
    w.flush()?;
    for s in &stats {
        say!(
            "corridor: {}: {} lines, {} bytes, {} reports, {} bad, {} dropped, {} errors",
            s.name,
            s.messages,
            s.bytes,
            s.reports,
            s.bad,
            s.drops,
            s.errors
        );
    }
    let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
    say!(
        "corridor: {} alerts ({}) → {}",
        alerts.len(),
        kinds.join(", "),
        args.alerts.display()
    );
    if lost_alerts + lost_positions > 0 {
        say!(
            "corridor: the store did not take {lost_alerts} alerts and {lost_positions} positions (given up; see the log)"
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Starts the live pipeline with `sources` (possibly none: the live routes
/// still answer) on the database's tracking store, and returns its routers
/// for `corridor_server::Options { api, root }`.
/// Finds a stored alert by key in the tracking store, for the clearance
/// service's acknowledgements (which know nothing of tracking).
pub fn alert_lookup(
    store: Arc<dyn corridor_store::TrackStore>,
) -> corridor_clearance_service::AlertLookup {
    Arc::new(move |key: String| {
        let store = store.clone();
        Box::pin(async move {
            let q = corridor_store::AlertQuery {
                key: Some(key),
                limit: Some(1),
                ..Default::default()
            };
            let rows = store.alerts(&q).await.map_err(|e| e.to_string())?;
            Ok(rows.into_iter().next().map(|r| {
                if AlertKind::parse(&r.kind).is_some_and(AlertKind::is_event) {
                    FoundAlert::Routine { kind: r.kind }
                } else {
                    FoundAlert::Alert(corridor_clearance::AlertRef {
                        key: r.key,
                        kind: r.kind,
                        mmsi: r.mmsi,
                    })
                }
            }))
        })
    })
}

/// Notices for the live feed that may wait for a slow subscriber.
const NOTICES: usize = 64;

/// A channel for news from outside tracking on the live feed.
pub fn notice_channel() -> tokio::sync::broadcast::Sender<corridor_server::live::Notice> {
    tokio::sync::broadcast::channel(NOTICES).0
}

/// Puts each alert acknowledgement the clearance service logs on the live
/// feed (`event: acknowledgement`), so every coordinator's screen shows it
/// at once rather than at its next re-read.
pub fn forward_acknowledgements(
    service: &corridor_clearance_service::Service,
    notices: tokio::sync::broadcast::Sender<corridor_server::live::Notice>,
) {
    use tokio::sync::broadcast::error::RecvError;
    let mut acks = service.acknowledgements();
    tokio::spawn(async move {
        loop {
            match acks.recv().await {
                Ok(ack) => match serde_json::to_string(&ack) {
                    Ok(data) => {
                        // No screen listening is fine.
                        let _ = notices.send(corridor_server::live::Notice {
                            event: "acknowledgement",
                            data,
                        });
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, key = %ack.key, "acknowledgement not sent live")
                    }
                },
                // Screens re-read every minute: they will catch up.
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "acknowledgements not sent live")
                }
                Err(RecvError::Closed) => break,
            }
        }
    });
}

/// Hands every arrival tracking sees at an inspection area to the
/// clearance service, which logs it for the vessel's waiting applications
/// once the vessel's AIS names the application's IMO (the queue counts
/// their places from it; held arrivals are tried again each minute for a
/// day: [`HeldArrivals`]), and tells the service that tracking reports
/// arrivals.
pub fn forward_arrivals(
    live: &corridor_ingest::LiveHandle,
    service: Arc<corridor_clearance_service::Service>,
) {
    use tokio::sync::broadcast::error::RecvError;
    let mut alerts = live.subscribe_alerts();
    let live = live.clone();
    // The queue shows where each waiting vessel is now, and which left.
    {
        let live = live.clone();
        service.set_whereabouts(Arc::new(move || {
            let live = live.clone();
            Box::pin(async move {
                live.vessels()
                    .await
                    .into_iter()
                    .map(|v| {
                        let in_corridor = matches!(
                            v.state,
                            corridor_track::Zone::Inside | corridor_track::Zone::Deviating
                        );
                        (
                            v.mmsi,
                            corridor_clearance_service::Whereabouts {
                                area: v.area,
                                in_corridor,
                                heard_at: v.last_seen,
                            },
                        )
                    })
                    .collect()
            })
        }));
    }
    // "Late" only while the feed delivers: a vessel is not late for a
    // receiver that went quiet.
    {
        let (live, service) = (live.clone(), service.clone());
        tokio::spawn(async move {
            let mut watch = FeedWatch::new(FEED_QUIET);
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    () = live.stopping() => break,
                }
                let positions = live.stats().await.monitor.positions;
                service.set_arrivals_tracked(watch.alive(positions, jiff::Timestamp::now()));
            }
            service.set_arrivals_tracked(false);
        });
    }
    tokio::spawn(async move {
        let mut held = HeldArrivals::default();
        // Arrivals an earlier run stored before the service could log them
        // (a restart, a crash) first, then the live ones (already queued
        // since the subscription above, so none falls between).
        if let Some(store) = live.store() {
            backfill_arrivals(store.as_ref(), live.corridor(), &service, &mut held).await;
        }
        let mut retry = tokio::time::interval(HELD_RETRY);
        loop {
            let a = tokio::select! {
                a = alerts.recv() => a,
                _ = retry.tick() => {
                    if !held.is_empty() {
                        let imos = ais_imos(&live).await;
                        held.retry(&service, &imos).await;
                    }
                    continue;
                }
            };
            let a = match a {
                Ok(a) => a,
                Err(RecvError::Lagged(n)) => {
                    // Only if many alerts came at once: the coordinator can record them.
                    tracing::warn!(missed = n, "alerts not checked for arrivals");
                    continue;
                }
                Err(RecvError::Closed) => break,
            };
            let Some(area) = inspection_area_arrival(live.corridor(), &a) else {
                continue;
            };
            // The alert carries the IMO the monitor knew then: no picture
            // of every vessel is needed here (the retries ask for one).
            held.forward(
                &service,
                TrackedArrival {
                    key: live.alert_key(&a),
                    mmsi: a.mmsi,
                    area: area.to_string(),
                    at: a.start,
                    imo: valid_imo(a.imo),
                },
            )
            .await;
        }
    });
}

/// The IMO number each tracked vessel's AIS names, by MMSI.
async fn ais_imos(live: &corridor_ingest::LiveHandle) -> HashMap<u32, u32> {
    live.vessels()
        .await
        .into_iter()
        .filter_map(|v| Some((v.mmsi, valid_imo(v.imo)?)))
        .collect()
}

/// How long the feed may bring no position before tracking is taken not
/// to see arrivals (a quiet anchorage still reports every few minutes).
const FEED_QUIET: jiff::SignedDuration = jiff::SignedDuration::from_mins(15);

/// Whether the feed is delivering: positions counted within `quiet`.
#[derive(Debug)]
struct FeedWatch {
    quiet: jiff::SignedDuration,
    positions: u64,
    changed: Option<jiff::Timestamp>,
}

impl FeedWatch {
    fn new(quiet: jiff::SignedDuration) -> Self {
        FeedWatch {
            quiet,
            positions: 0,
            changed: None,
        }
    }

    /// The monitor's position count at `now`: alive while it grew within `quiet`.
    fn alive(&mut self, positions: u64, now: jiff::Timestamp) -> bool {
        if positions > self.positions {
            self.positions = positions;
            self.changed = Some(now);
        }
        self.changed
            .is_some_and(|t| now.duration_since(t) <= self.quiet)
    }
}

/// Logs, for each application waiting for its arrival, the first arrival
/// at an inspection area the tracking store holds for its MMSI since
/// the application's lookback (judged by the IMO its stored alert names;
/// held, like a live one, while it names none).
async fn backfill_arrivals(
    store: &dyn corridor_store::TrackStore,
    corridor: &Corridor,
    service: &corridor_clearance_service::Service,
    held: &mut HeldArrivals,
) {
    // An arrival already logged for another application (the vessel's
    // previous voyage) is not this one's.
    let used = service.logged_arrival_evidence().await;
    for (mmsi, since, imo) in service.awaiting_arrival().await {
        match first_stored_arrival(store, corridor, (mmsi, imo), since, &used).await {
            Ok(Some(a)) => held.forward(service, a).await,
            Ok(None) => {}
            Err(e) => tracing::warn!(mmsi, error = %e, "stored arrivals not read"),
        }
    }
}

/// Stored arrivals read at a time (newest first; pages go back in time).
const ARRIVAL_PAGE: u32 = 1000;

/// The earliest stored arrival of `mmsi` at an inspection area since
/// `since` whose evidence is not in `used` and whose vessel named no IMO
/// other than `imo` (the application's) then: one that named another was
/// refused, and stays refused after a restart.
async fn first_stored_arrival(
    store: &dyn corridor_store::TrackStore,
    corridor: &Corridor,
    (mmsi, imo): (u32, Option<u32>),
    since: jiff::Timestamp,
    used: &std::collections::HashSet<String>,
) -> Result<Option<TrackedArrival>, corridor_store::StoreError> {
    let mut first = None;
    let mut until = None;
    let mut seen = std::collections::HashSet::new();
    loop {
        let q = corridor_store::AlertQuery {
            kind: Some(AlertKind::AreaArrival.as_str().into()),
            mmsi: Some(mmsi),
            from: Some(since),
            until,
            limit: Some(ARRIVAL_PAGE),
            ..Default::default()
        };
        let rows = store.alerts(&q).await?;
        let mut new = 0;
        for r in &rows {
            if !seen.insert(r.key.clone()) {
                continue;
            }
            new += 1;
            if used.contains(&format!(
                "{}{}",
                corridor_clearance_service::arrivals::AIS_EVIDENCE,
                r.key
            )) {
                continue;
            }
            let Ok(a) = serde_json::from_value::<Alert>(r.body.clone()) else {
                continue;
            };
            if a.start < since {
                continue;
            }
            let named = valid_imo(a.imo);
            if named.is_some_and(|n| Some(n) != imo) {
                continue;
            }
            if let Some(area) = inspection_area_arrival(corridor, &a)
                && first
                    .as_ref()
                    .is_none_or(|f: &TrackedArrival| a.start < f.at)
            {
                first = Some(TrackedArrival {
                    key: r.key.clone(),
                    mmsi,
                    area: area.to_string(),
                    at: a.start,
                    imo: named,
                });
            }
        }
        // A short page is the last; a page of repeats (many at one time) too.
        if rows.len() < ARRIVAL_PAGE as usize || new == 0 {
            return Ok(first);
        }
        until = rows.last().map(|r| r.start);
    }
}

/// The inspection area `a` reports an arrival at, if it does.
pub fn inspection_area_arrival<'a>(corridor: &'a Corridor, a: &Alert) -> Option<&'a str> {
    if a.kind != AlertKind::AreaArrival {
        return None;
    }
    let area = corridor.area_by_name(a.place.area.as_deref()?)?;
    // An inspection area, or an anchorage or waiting area where ships wait for inspection.
    area.queue_arrival.then_some(area.name.as_str())
}

/// The live-tracking routers (under `/api/v1`, at the root) and the alert
/// lookup for the clearance service, for the corridor `geometry` (as
/// [`load_geometry`] read it) and the `specs` of its sources. `notices` go
/// out on the live feed beside tracking's own events.
pub async fn live_routers(
    ctx: &Context,
    specs: Vec<SourceSpec>,
    (corridor, geojson): (Arc<Corridor>, Arc<str>),
    notices: tokio::sync::broadcast::Sender<corridor_server::live::Notice>,
) -> anyhow::Result<(
    Vec<axum::Router>,
    Vec<axum::Router>,
    corridor_clearance_service::AlertLookup,
    corridor_ingest::LiveHandle,
)> {
    let store = corridor_store::open_track(&ctx.database_url())
        .await
        .context("opening the tracking store")?;
    let mut cfg = PipelineConfig::new(corridor, specs);
    cfg.registry = registry_from_rows(&store.registry().await.context("reading the registry")?);
    let lookup = alert_lookup(store.clone());
    // The recorder first: what the pipeline counts and describes from its
    // start would otherwise go nowhere.
    let metrics = corridor_server::live::metrics_router();
    let handle = spawn_pipeline(cfg, Some(store)).await?;
    let state = corridor_server::live::LiveState {
        handle: handle.clone(),
        geometry: geojson,
        notices: Some(notices),
    };
    Ok((
        vec![corridor_server::live::api_router(state)],
        vec![metrics],
        lookup,
        handle,
    ))
}

#[cfg(test)]
mod tests {
    use super::{HeldArrivals, TrackedArrival, backfill_arrivals, inspection_area_arrival};
    use corridor_track::{Alert, AlertKind, Place};

    /// The arrival logged for application `id`, if any.
    async fn arrival_of(
        service: &corridor_clearance_service::Service,
        id: &str,
    ) -> Option<corridor_clearance::AreaArrival> {
        service.application(id).await.unwrap().area_arrival
    }

    /// `a`, raised while the vessel's AIS named `imo`.
    pub(super) fn named(mut a: Alert, imo: u32) -> Alert {
        a.imo = Some(imo);
        a
    }

    fn arrival(id: u64, area: &str, at: jiff::Timestamp) -> Alert {
        Alert {
            id,
            kind: AlertKind::AreaArrival,
            mmsi: 271_000_001,
            start: at,
            end: at,
            open: false,
            place: Place {
                lat: Some(40.9),
                lon: Some(28.9),
                area: Some(area.into()),
            },
            other_mmsi: None,
            imo: None,
            detail: String::new(),
            evidence: Vec::new(),
        }
    }

    /// Open finding 23: "late" assumed a healthy feed. The feed counts as
    /// delivering while the monitor's positions grew within the quiet
    /// period; before any, or after a quiet spell, no vessel is late.
    #[test]
    fn the_feed_is_alive_while_positions_come() {
        use jiff::SignedDuration;
        let t0: jiff::Timestamp = "2022-10-06T07:00:00Z".parse().unwrap();
        let at = |m: i64| t0 + SignedDuration::from_mins(m);
        let mut w = super::FeedWatch::new(SignedDuration::from_mins(15));
        assert!(!w.alive(0, at(0)), "nothing yet");
        assert!(w.alive(10, at(1)));
        assert!(w.alive(10, at(16)), "quiet for 15 min: still alive");
        assert!(!w.alive(10, at(17)), "quiet for 16 min");
        assert!(w.alive(11, at(18)), "back");
    }

    /// Open finding 20: an arrival an earlier run of the server stored
    /// (alerts are stored before they are broadcast: a restart or a crash
    /// between the two, or a forwarder that lagged) is logged when the
    /// forwarder starts: the first at an inspection area since the
    /// application's lookback.
    #[tokio::test]
    async fn an_arrival_stored_by_an_earlier_run_is_logged_at_start() {
        use corridor_clearance::{Actor, Command, Role};
        use jiff::SignedDuration;
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("corridor.db").display().to_string();
        let config = corridor_clearance::CorridorConfig::bsgi().unwrap();
        let required = config.documents.required.clone();
        let service = corridor_clearance_service::Service::open(&url, config)
            .await
            .unwrap();
        let now = corridor_ledger::time::to_seconds(jiff::Timestamp::now());
        let eta = now + SignedDuration::from_hours(120);
        let content = serde_json::json!({
            "vessel": {"imo": "9074729", "name": "AEGEAN STAR", "flag": "MT", "mmsi": "271000001", "deadweight_tonnes": 40000},
            "itinerary": {"port": "UAODS", "from_port": "TRIST", "to_port": "EGALY", "destination_country": "EG"},
            "cargo": [{"commodity": "wheat", "tonnes": 30000}],
            "crew_count": 21, "passenger_count": 0,
            "last_port_calls": [{"locode": "TRIST",
                "arrived": (eta - SignedDuration::from_hours(200)).to_string(),
                "departed": (eta - SignedDuration::from_hours(150)).to_string()}],
            "eta_inspection_area": eta.to_string(), "documents": [], "wfp": false, "perishable": false,
        });
        let agent = Actor::new(
            "user:agent",
            Role::Agent {
                company: "atlas".into(),
            },
        );
        let created = service
            .execute(
                &agent,
                Command::CreateDraft {
                    company: "atlas".into(),
                    content: serde_json::from_value(content).unwrap(),
                },
            )
            .await
            .unwrap();
        let id = created.application_id().unwrap().to_string();
        for kind in &required {
            let pdf = corridor_clearance_service::seed::demo_pdf(&[kind.as_str()]);
            service
                .attach_document(&agent, &id, kind, "f.pdf", pdf)
                .await
                .unwrap();
        }
        service
            .execute(
                &agent,
                Command::Submit {
                    application_id: id.clone(),
                },
            )
            .await
            .unwrap();

        // What an earlier run stored: an arrival before the lookback, one
        // at a port, and two at the inspection area (the first counts).
        let store = corridor_store::open_track(&url).await.unwrap();
        let hours = |h: i64| now - SignedDuration::from_hours(h);
        let stored = [
            (
                "old:1",
                arrival(1, "Inspection Area Marmara", hours(24 * 20)),
            ),
            ("run:2", arrival(2, "Port of Odesa approach", hours(30))),
            // Review: another ship with this MMSI (its AIS named another
            // IMO): refused then, and after a restart too.
            (
                "run:0",
                named(arrival(5, "Inspection Area Marmara", hours(25)), 9_321_483),
            ),
            ("run:3", arrival(3, "Inspection Area Marmara", hours(20))),
            ("run:4", arrival(4, "Inspection Area Marmara", hours(2))),
        ];
        let rows: Vec<corridor_store::AlertRow> = stored
            .iter()
            .map(|(key, a)| corridor_store::AlertRow {
                key: (*key).into(),
                kind: a.kind.as_str().into(),
                mmsi: a.mmsi,
                start: a.start,
                end: a.end,
                open: false,
                body: serde_json::to_value(a).unwrap(),
            })
            .collect();
        store.upsert_alerts(&rows).await.unwrap();
        let corridor = corridor_ingest::demo_corridor().unwrap();
        let mut held = HeldArrivals::default();
        // Open finding 22: an MMSI is the agent's word. Until the vessel's
        // AIS names the application's IMO, its arrival is held, and the
        // coordinator is told why; these stored alerts name no IMO.
        backfill_arrivals(store.as_ref(), &corridor, &service, &mut held).await;
        assert!(arrival_of(&service, &id).await.is_none());
        let note = service.arrival_note(&id).expect("told why");
        assert!(note.contains("has not sent an IMO number yet"), "{note}");
        assert!(!held.is_empty(), "held");
        // Review: the restarted monitor sees the vessel "first seen in" the
        // area, its static report first; that later arrival waits behind
        // the stored one, which counts once the IMO is known.
        let right = std::collections::HashMap::from([(271_000_001, 9_074_729)]);
        let restart = TrackedArrival {
            key: "run2:1".into(),
            mmsi: 271_000_001,
            area: "Inspection Area Marmara".into(),
            at: hours(1),
            imo: Some(9_074_729),
        };
        held.forward(&service, restart).await;
        assert!(arrival_of(&service, &id).await.is_none(), "waits its turn");
        held.retry(&service, &right).await;
        assert!(held.is_empty());
        assert_eq!(service.arrival_note(&id), None);
        let got = arrival_of(&service, &id).await.expect("logged");
        assert_eq!(
            (
                got.at,
                got.evidence.as_str(),
                got.by.as_str(),
                got.area.as_str()
            ),
            (
                corridor_ledger::time::to_seconds(hours(20)),
                "ais:run:3",
                corridor_clearance_service::arrivals::TRACKING_ACTOR,
                "Inspection Area Marmara"
            )
        );
        // Started again: nothing more to log.
        backfill_arrivals(store.as_ref(), &corridor, &service, &mut held).await;
        assert!(held.is_empty());
        assert!(service.awaiting_arrival().await.is_empty());

        // Review: an arrival already logged for another application (the
        // vessel's previous voyage) is not this one's; and the earliest is
        // found past a page of later arrivals.
        // Tracking's evidence stays used once the coordinator corrects it.
        let coordinator = Actor::new("user:coordinator", Role::Coordinator);
        service
            .execute(
                &coordinator,
                Command::RecordAreaArrival {
                    application_id: id.clone(),
                    at: hours(21),
                    area: "Inspection Area Marmara".into(),
                    evidence: "the deck log: anchored an hour earlier".into(),
                },
            )
            .await
            .unwrap();
        let used = service.logged_arrival_evidence().await;
        assert!(used.contains("ais:run:3"), "{used:?}");
        let since = hours(24 * 14);
        let vessel = (271_000_001, Some(9_074_729));
        let next = super::first_stored_arrival(store.as_ref(), &corridor, vessel, since, &used)
            .await
            .unwrap();
        assert_eq!(next.map(|a| a.key), Some("run:4".to_string()));
        let many: Vec<corridor_store::AlertRow> = (0..super::ARRIVAL_PAGE + 200)
            .map(|i| {
                let a = arrival(
                    100 + u64::from(i),
                    "Port of Odesa approach",
                    hours(1) + SignedDuration::from_secs(i64::from(i)),
                );
                corridor_store::AlertRow {
                    key: format!("busy:{i}"),
                    kind: a.kind.as_str().into(),
                    mmsi: a.mmsi,
                    start: a.start,
                    end: a.end,
                    open: false,
                    body: serde_json::to_value(&a).unwrap(),
                }
            })
            .collect();
        store.upsert_alerts(&many).await.unwrap();
        let paged = super::first_stored_arrival(
            store.as_ref(),
            &corridor,
            vessel,
            since,
            &Default::default(),
        )
        .await
        .unwrap();
        assert_eq!(paged.map(|a| a.key), Some("run:3".to_string()));
    }

    /// Open finding 11: only an arrival at an inspection area of the
    /// corridor is an arrival the queue counts from (a port approach, an
    /// area the geometry does not have, or another kind of alert is not).
    #[test]
    fn only_arrivals_at_an_inspection_area_reach_the_queue() {
        let corridor = corridor_ingest::demo_corridor().expect("demo corridor");
        let check = |kind: AlertKind, area: Option<&str>, expected: Option<&str>| {
            let a = Alert {
                id: 1,
                kind,
                mmsi: 271_000_001,
                start: "2022-10-06T07:00:00Z".parse().unwrap(),
                end: "2022-10-06T07:00:00Z".parse().unwrap(),
                open: false,
                place: Place {
                    lat: Some(40.9),
                    lon: Some(28.9),
                    area: area.map(str::to_string),
                },
                other_mmsi: None,
                imo: None,
                detail: String::new(),
                evidence: Vec::new(),
            };
            assert_eq!(
                inspection_area_arrival(&corridor, &a),
                expected,
                "{kind:?} {area:?}"
            );
        };
        let marmara = Some("Inspection Area Marmara");
        check(AlertKind::AreaArrival, marmara, marmara);
        check(
            AlertKind::AreaArrival,
            Some("Inspection Area North (Black Sea)"),
            Some("Inspection Area North (Black Sea)"),
        );
        check(AlertKind::AreaArrival, Some("Port of Odesa approach"), None);
        check(AlertKind::AreaArrival, Some("Nowhere"), None);
        // Open finding 21: where ships wait for inspection is an arrival
        // too (the geometry's `queue_arrival`); an anchorage off a
        // Ukrainian port is not.
        for waiting in [
            "Kilyos anchorage",
            "Ahirkapi anchorage",
            "Southern Waiting Area",
        ] {
            check(AlertKind::AreaArrival, Some(waiting), Some(waiting));
        }
        check(AlertKind::AreaArrival, Some("Odesa outer anchorage"), None);
        check(AlertKind::AreaArrival, None, None);
        check(AlertKind::CorridorEntry, marmara, None);
        check(AlertKind::Loitering, marmara, None);
    }
}
