//! The running pipeline: sources → monitor → sinks, and the handle to it.
//!
//! Here: the settings, what the live routes read, [`spawn_pipeline`] which
//! wires the tasks together, and [`LiveHandle`]. The tasks themselves are in
//! `monitor_task.rs` and `sinks.rs`; `merge.rs` joins replayed files.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use corridor_geo::Corridor;
use corridor_store::{AlertRow, PositionRow, TrackStore};
use corridor_track::{
    Alert, AlertKind, InspectionsDue, MapRegistry, Monitor, MonitorConfig, MonitorStats,
    RegisteredVessel, Report, VesselState, Zone,
};
use jiff::Timestamp;
use serde::Serialize;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::events::{SourceStats, SourceTag};
use crate::source::{self, Batch, SourceLimits, SourceSpec};

mod merge;
mod monitor_task;
mod sinks;

use merge::{FILE_MERGE_DEPTH, merge_by_time};
use monitor_task::{Clock, Schedule, Sinks, monitor_task};
use sinks::{AlertMsg, Lost, PositionMsg, alert_key, alert_sink, position_sink};

/// How to run the pipeline.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// The corridor's geometry.
    pub corridor: Arc<Corridor>,
    /// Monitor thresholds.
    pub monitor: MonitorConfig,
    /// Registered vessels (MMSI ↔ IMO), for links and `identity_mismatch`.
    pub registry: Vec<RegisteredVessel>,
    /// Where reports come from.
    pub sources: Vec<SourceSpec>,
    /// Per-source limits.
    pub limits: SourceLimits,
    /// Batches each source may have in flight to the monitor (its own
    /// lane: the sources take turns, `crate::turns`).
    pub channel_capacity: usize,
    /// Positions per database write (one transaction or COPY; sent at least
    /// once a second). Bigger batches amortise the index pages every commit
    /// writes. Default 20,000.
    pub position_batch: usize,
    /// How long a stopping pipeline keeps trying to store the alerts and
    /// positions it holds while the database fails, before giving them up
    /// ([`LiveHandle::lost`]). Default 15 s, inside the commands' 30 s
    /// drain limit.
    pub final_store_tries: Duration,
    /// How often a live pipeline checks that it still holds its database's
    /// tracking claim (default 5 s); lost to another server, it stops.
    pub claim_check: Duration,
    /// Store position history (needs a store).
    pub store_positions: bool,
    /// A replay: when all sources have ended, close every open alert and
    /// end the monitor (so [`LiveHandle::join`] returns). Otherwise the
    /// monitor keeps answering queries until [`LiveHandle::shutdown`].
    pub finish_at_end: bool,
    /// Capacity of the live broadcast (slow SSE clients skip, counted).
    pub live_capacity: usize,
    /// Alerts also go here, every one, in order (bounded: waits for the reader).
    pub alert_tap: Option<mpsc::Sender<Alert>>,
    /// Distinguishes this run's alert ids from earlier runs' in the store.
    pub run_id: String,
    /// The pipeline's clock (`None`: [`ClockMode::Feed`] when every source
    /// is a file replay, else [`ClockMode::Live`]).
    pub clock: Option<ClockMode>,
    /// How often (wall time) the monitor task looks at the clock: with a
    /// live clock it moves the monitor there, so vessels that went silent
    /// get their `ais_gap` without any further message; with either clock
    /// it starts down-sampling when due.
    pub tick: Duration,
    /// Thinning of old positions in the store (needs stored positions);
    /// `None` keeps every position.
    pub downsample: Option<DownsampleConfig>,
}

/// What drives the pipeline's clock (the monitor's `advance_to` ticks and
/// the down-sampling schedule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    /// The feed's time only: the latest report's event time (replays; the
    /// same feed gives the same alerts).
    Feed,
    /// Wall-clock time anchored on the feed: the clock is the latest event
    /// time, run on in real time since that report arrived (never going
    /// back). For a live feed that is the wall clock; a feed with old
    /// tag-block times (a simulation served over TCP) keeps its own era, and
    /// silence still counts.
    Live,
}

/// Down-sampling of old positions, run by the position sink when the
/// pipeline's clock has moved `every` since the last run: positions older
/// than `older_than` are thinned to one per vessel and `bucket`, keeping
/// those where the navigational status changed, the speed changed by
/// `sog_change_kn` or the course by `cog_change_deg`, and those that are
/// evidence of an alert (see `TrackStore::downsample`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DownsampleConfig {
    /// Age (pipeline clock) after which positions are thinned. Default 7 days.
    pub older_than: Duration,
    /// One position per vessel per bucket. Default 10 minutes.
    pub bucket: Duration,
    /// Speed change (kn) that keeps a position. Default 2.
    pub sog_change_kn: f32,
    /// Course change (degrees) that keeps a position. Default 30.
    pub cog_change_deg: f32,
    /// How often (pipeline clock). Default 1 hour.
    pub every: Duration,
}

impl Default for DownsampleConfig {
    fn default() -> Self {
        Self {
            older_than: Duration::from_secs(7 * 86_400),
            bucket: Duration::from_secs(600),
            sog_change_kn: 2.0,
            cog_change_deg: 30.0,
            every: Duration::from_secs(3600),
        }
    }
}

impl PipelineConfig {
    /// Defaults around a corridor and sources.
    pub fn new(corridor: Arc<Corridor>, sources: Vec<SourceSpec>) -> Self {
        Self {
            corridor,
            monitor: MonitorConfig::default(),
            registry: Vec::new(),
            sources,
            limits: SourceLimits::default(),
            channel_capacity: 64,
            position_batch: 20_000,
            final_store_tries: Duration::from_secs(15),
            claim_check: Duration::from_secs(5),
            store_positions: true,
            finish_at_end: false,
            live_capacity: 4096,
            alert_tap: None,
            run_id: Timestamp::now().as_millisecond().to_string(),
            clock: None,
            tick: Duration::from_secs(15),
            downsample: Some(DownsampleConfig::default()),
        }
    }
}

/// A vessel position for the live map (`/api/v1/live`).
#[derive(Debug, Clone, Serialize)]
pub struct LivePosition {
    pub mmsi: u32,
    pub name: Option<String>,
    pub lat: f64,
    pub lon: f64,
    pub sog: Option<f32>,
    pub cog: Option<f32>,
    pub state: Zone,
    pub time: Timestamp,
}

/// Unread alerts a live subscriber may fall behind by before it misses one
/// (alerts come a few a minute; positions thousands).
pub const ALERT_BACKLOG: usize = 1024;

/// What `/api/v1/live` streams.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    Position(LivePosition),
    Alert(Box<Alert>),
}

/// One tracked vessel's current state, with its ETA to the next area.
#[derive(Debug, Clone, Serialize)]
pub struct LiveVessel {
    pub mmsi: u32,
    pub imo: Option<u32>,
    pub name: Option<String>,
    pub callsign: Option<String>,
    pub ship_type: Option<u8>,
    pub registered: bool,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub sog: Option<f32>,
    pub cog: Option<f32>,
    pub heading: Option<u16>,
    pub nav_status: Option<u8>,
    pub state: Zone,
    pub area: Option<String>,
    pub last_seen: Option<Timestamp>,
    pub eta: Option<LiveEta>,
}

/// ETA to the next area along the lane.
#[derive(Debug, Clone, Serialize)]
pub struct LiveEta {
    pub area: String,
    pub remaining_nm: f64,
    pub speed_kn: f32,
    pub at: Option<Timestamp>,
}

/// Counters of a running pipeline.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PipelineStats {
    pub monitor: MonitorCounts,
    pub vessels: usize,
    pub alerts: u64,
    pub sources: Vec<SourceStats>,
}

/// The monitor's counters (serializable copy of `MonitorStats`).
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct MonitorCounts {
    pub positions: u64,
    pub statics: u64,
    pub stale: u64,
    pub invalid: u64,
    pub jumps: u64,
    pub untracked: u64,
}

impl From<MonitorStats> for MonitorCounts {
    fn from(s: MonitorStats) -> Self {
        Self {
            positions: s.positions,
            statics: s.statics,
            stale: s.stale,
            invalid: s.invalid,
            jumps: s.jumps,
            untracked: s.untracked,
        }
    }
}

enum Query {
    /// Vessels registered while tracking runs (approved through clearance).
    Register(Vec<RegisteredVessel>),
    /// Who awaits an inspection before a port or before leaving (clearance's).
    InspectionsDue(InspectionsDue),
    Vessels(oneshot::Sender<Vec<LiveVessel>>),
    Stats(oneshot::Sender<(MonitorCounts, usize, u64)>),
}

/// Why the pipeline could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    /// A NATS stream or durable consumer that can never give the source its subject.
    #[error("NATS source {source_name}: {reason}")]
    Nats { source_name: String, reason: String },
    /// Another live pipeline tracks into the same database (open finding 44).
    #[error(
        "another tracking server is running on this database ({holder}): \
         two would raise every alert twice. Run one tracking server per database; \
         more servers of the API can run without sources"
    )]
    TrackedElsewhere { holder: String },
}

/// A running pipeline. Cheap to clone; the server's live routes hold one.
#[derive(Debug, Clone)]
pub struct LiveHandle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    corridor: Arc<Corridor>,
    store: Option<Arc<dyn TrackStore>>,
    live: broadcast::Sender<LiveEvent>,
    /// Alerts alone: a subscriber flooded with positions still gets every
    /// alert (up to [`ALERT_BACKLOG`] unread).
    alerts: broadcast::Sender<Arc<Alert>>,
    queries: mpsc::Sender<Query>,
    sources: Vec<SourceTag>,
    cancel: CancellationToken,
    tasks: tokio::sync::Mutex<Vec<JoinHandle<()>>>,
    bound: Vec<(String, std::net::SocketAddr)>,
    /// This database's tracking, while the pipeline tracks live into it.
    claim: Arc<tokio::sync::Mutex<Option<corridor_store::TrackingClaim>>>,
    /// Set when the pipeline stopped of its own accord, and why.
    gave_up: Arc<GaveUp>,
    /// The monitor's rules, for judging stored tracks as it judged them live.
    monitor: MonitorConfig,
    /// The monitor's last counters, written when its task ends (stats after shutdown).
    last: Arc<std::sync::Mutex<(MonitorCounts, usize, u64)>>,
    /// The last picture of every vessel and when it was asked for: callers
    /// within [`SNAPSHOT_FOR`] share it, and only one asks the monitor at a
    /// time, so public pages in a loop cannot keep the monitor from the feed.
    snapshot: tokio::sync::Mutex<Option<(tokio::time::Instant, Vec<LiveVessel>)>>,
    /// This run's part of the alerts' keys.
    run_id: String,
    /// What the sinks could not store and gave up.
    lost: Arc<Lost>,
}

/// How long a picture of the vessels is served again (see `Inner::snapshot`).
const SNAPSHOT_FOR: Duration = Duration::from_millis(500);

impl LiveHandle {
    /// The corridor the monitor uses.
    pub fn corridor(&self) -> &Arc<Corridor> {
        &self.inner.corridor
    }
    /// The tracking store, if any.
    pub fn store(&self) -> Option<&Arc<dyn TrackStore>> {
        self.inner.store.as_ref()
    }
    /// The monitor's rules (what it believes of a position).
    pub fn monitor_config(&self) -> &MonitorConfig {
        &self.inner.monitor
    }
    /// Live positions and alerts (a lagging subscriber misses the oldest).
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.inner.live.subscribe()
    }
    /// The key `a` is stored under (what the alert routes and an
    /// acknowledgement name it by).
    pub fn alert_key(&self, a: &Alert) -> String {
        alert_key(&self.inner.run_id, a)
    }
    /// Alerts only, as they are stored: positions cannot crowd them out.
    pub fn subscribe_alerts(&self) -> broadcast::Receiver<Arc<Alert>> {
        self.inner.alerts.subscribe()
    }
    /// Resolves once the pipeline is asked to stop ([`LiveHandle::shutdown`]):
    /// a live stream ends then, so that a server can stop gracefully.
    pub async fn stopping(&self) {
        self.inner.cancel.cancelled().await;
    }
    /// Addresses the TCP server and UDP sources actually bound (port 0 resolved).
    pub fn bound(&self) -> &[(String, std::net::SocketAddr)] {
        &self.inner.bound
    }
    /// Every tracked vessel, by MMSI, as of at most [`SNAPSHOT_FOR`] ago.
    pub async fn vessels(&self) -> Vec<LiveVessel> {
        let since = tokio::time::Instant::now()
            .checked_sub(SNAPSHOT_FOR)
            .unwrap_or_else(tokio::time::Instant::now);
        self.vessels_since(since).await
    }

    /// Every tracked vessel, by MMSI, in a picture asked for no earlier
    /// than `since`: a live stream that subscribed at `since` misses no
    /// report between its subscription and its picture.
    pub async fn vessels_since(&self, since: tokio::time::Instant) -> Vec<LiveVessel> {
        let mut cached = self.inner.snapshot.lock().await;
        if let Some((asked, v)) = cached.as_ref()
            && *asked >= since
        {
            return v.clone();
        }
        let asked = tokio::time::Instant::now();
        let (tx, rx) = oneshot::channel();
        if self.inner.queries.send(Query::Vessels(tx)).await.is_err() {
            return Vec::new();
        }
        let fresh = rx.await.unwrap_or_default();
        *cached = Some((asked, fresh.clone()));
        fresh
    }
    /// Registers vessels with the running monitor (added to, or replacing
    /// by MMSI and IMO, those it started with), so their reports are linked
    /// from now on. False when the pipeline has stopped.
    pub async fn register(&self, vessels: Vec<RegisteredVessel>) -> bool {
        self.inner
            .queries
            .send(Query::Register(vessels))
            .await
            .is_ok()
    }
    /// Tells the running monitor which vessels await an inspection they
    /// must pass before a port or before leaving the corridor (replacing
    /// what it was told before): from now on, one seen going there raises
    /// `skipped_inspection`. False when the pipeline has stopped.
    pub async fn set_inspections_due(&self, due: InspectionsDue) -> bool {
        self.inner
            .queries
            .send(Query::InspectionsDue(due))
            .await
            .is_ok()
    }
    /// Counters.
    pub async fn stats(&self) -> PipelineStats {
        let (tx, rx) = oneshot::channel();
        let live = match self.inner.queries.send(Query::Stats(tx)).await {
            Ok(()) => rx.await.ok(),
            Err(_) => None,
        };
        let (monitor, vessels, alerts) =
            live.unwrap_or_else(|| self.inner.last.lock().map(|g| *g).unwrap_or_default());
        PipelineStats {
            monitor,
            vessels,
            alerts,
            sources: self.source_stats(),
        }
    }
    /// Per-source counters (no round trip to the monitor).
    pub fn source_stats(&self) -> Vec<SourceStats> {
        self.inner
            .sources
            .iter()
            .map(|t| t.counters.snapshot(&t.name))
            .collect()
    }
    /// Alerts and positions given up so far because the store could not
    /// take them (after a [`LiveHandle::shutdown`]: everything the run lost).
    pub fn lost(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (
            self.inner.lost.alerts.load(Relaxed),
            self.inner.lost.positions.load(Relaxed),
        )
    }
    /// Stops the sources, lets everything in flight through the monitor and
    /// the sinks (NATS messages processed are acknowledged), and waits.
    pub async fn shutdown(&self) {
        self.inner.cancel.cancel();
        self.join().await;
    }
    /// Waits until every task has ended (after the sources end by themselves, e.g. a file replay).
    pub async fn join(&self) {
        let tasks = std::mem::take(&mut *self.inner.tasks.lock().await);
        for t in tasks {
            let _ = t.await;
        }
        // Nothing tracks any more: the next tracker may start.
        let claim = self.inner.claim.lock().await.take();
        if let Some(c) = claim {
            c.release().await;
        }
    }

    /// Waits until the pipeline stops of its own accord, and says why:
    /// another server took its database's tracking claim (a PostgreSQL
    /// session ended under it, say). Never returns otherwise.
    pub async fn gave_up(&self) -> String {
        self.inner.gave_up.token.cancelled().await;
        self.inner
            .gave_up
            .why
            .lock()
            .ok()
            .and_then(|w| w.clone())
            .unwrap_or_default()
    }
}

/// Why a pipeline stopped of its own accord, once it has.
#[derive(Debug, Default)]
struct GaveUp {
    token: CancellationToken,
    why: std::sync::Mutex<Option<String>>,
}

/// Checks every `every` that the pipeline still holds its database's
/// tracking claim (taking it again if it was lost and no one else has it);
/// taken by another server, it stops the pipeline, saying so: two
/// trackers would raise every alert twice.
async fn keep_claim(
    claim: Arc<tokio::sync::Mutex<Option<corridor_store::TrackingClaim>>>,
    every: Duration,
    gave_up: Arc<GaveUp>,
    cancel: CancellationToken,
) {
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
        let mut held = claim.lock().await;
        let Some(c) = held.as_mut() else {
            return;
        };
        match c.keep().await {
            Ok(None) => {}
            Ok(Some(holder)) => {
                let why = format!(
                    "another tracking server took this database's tracking ({holder}): this one stopped tracking, \
                     as two would raise every alert twice"
                );
                tracing::error!("{why}");
                *held = None;
                if let Ok(mut w) = gave_up.why.lock() {
                    *w = Some(why);
                }
                gave_up.token.cancel();
                cancel.cancel();
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not check this database's tracking claim: checked again later");
            }
        }
    }
}

/// Closes the alerts previous runs left open, saying so in their detail:
/// this run's monitor never knew them (its memory went with the run that
/// raised them), so it could never close them, and it raises any that
/// still holds again (open finding 43: each restart left a second copy
/// open). A store that cannot say is logged and they stay open.
async fn close_previous_runs_alerts(store: &dyn TrackStore, run_id: &str) {
    // Kinds a resumed monitor detects again from what it hears next. Not
    // `ais_gap` (a vessel silent that long is not resumed, and its next
    // report is a first sighting) nor `deviation` (a vessel off the lane
    // is not resumed): closed, they would never open again while they
    // still hold.
    const RAISED_AGAIN: [AlertKind; 4] = [
        AlertKind::Loitering,
        AlertKind::Encounter,
        AlertKind::IdentityMismatch,
        AlertKind::MmsiConflict,
    ];
    let this_run = format!("{run_id}:");
    // A page at a time (the store answers at most 10,000): each pass
    // closes what it read, so the next reads the rest.
    for kind in RAISED_AGAIN {
        for _ in 0..1000 {
            let q = corridor_store::AlertQuery {
                kind: Some(kind.as_str().to_string()),
                open: Some(true),
                limit: Some(10_000),
                ..Default::default()
            };
            let rows = match store.alerts(&q).await {
                Ok(rows) => rows,
                Err(e) => {
                    return tracing::warn!(error = %e, "could not read the alerts a previous run left open");
                }
            };
            if !close_alerts(store, rows, &this_run).await {
                break;
            }
        }
    }
}

/// Closes `rows` not of this run; whether any was closed.
async fn close_alerts(store: &dyn TrackStore, rows: Vec<AlertRow>, this_run: &str) -> bool {
    let closed: Vec<AlertRow> = rows
        .into_iter()
        .filter(|r| !r.key.starts_with(this_run))
        .map(|mut r| {
            r.open = false;
            if let Some(b) = r.body.as_object_mut() {
                b.insert("open".into(), false.into());
                let detail = b.get("detail").and_then(|d| d.as_str()).unwrap_or_default();
                let detail =
                    format!("{detail} (closed at a restart: raised again if it still holds)");
                b.insert("detail".into(), detail.into());
            }
            r
        })
        .collect();
    if closed.is_empty() {
        return false;
    }
    match store.upsert_alerts(&closed).await {
        Ok(()) => {
            tracing::info!(
                alerts = closed.len(),
                "closed the alerts a previous run left open"
            );
            true
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not close the alerts a previous run left open");
            false
        }
    }
}

/// Longest a live source waits for NATS backlogs to be replayed before
/// it joins anyway (its peers are held back meanwhile; a UDP sender's
/// datagrams are dropped and counted).
pub(crate) const MAX_BACKLOG_HOLD: Duration = Duration::from_secs(120);

/// Joins the live sources' `lanes` to the monitor's turns once every
/// backlog is replayed, at [`MAX_BACKLOG_HOLD`] (saying so), or at a stop.
async fn join_after_backlogs(
    backlogs: Vec<CancellationToken>,
    lanes: Vec<mpsc::Receiver<Batch>>,
    join: mpsc::Sender<mpsc::Receiver<Batch>>,
    cancel: CancellationToken,
) {
    let replayed = async {
        for b in &backlogs {
            b.cancelled().await;
        }
    };
    tokio::select! {
        () = replayed => tracing::info!("NATS backlog replayed: live sources join"),
        () = tokio::time::sleep(MAX_BACKLOG_HOLD) => tracing::warn!(
            waited_s = MAX_BACKLOG_HOLD.as_secs(),
            "NATS backlog still replaying: live sources join now, so vessels it has yet to bring may be reported silent"
        ),
        () = cancel.cancelled() => {}
    }
    for lane in lanes {
        if join.send(lane).await.is_err() {
            return;
        }
    }
}

/// Where the store last saw each vessel, for [`Monitor::resume`]: each
/// one's latest position within `ais_gap_s` before `now`, where the feed
/// resumes (an older one says little about where the vessel is then, and a
/// vessel silent that long is an `ais_gap` anyway; none after it). A store
/// that cannot say is logged and the pipeline starts as if fresh.
async fn last_seen(
    store: &dyn TrackStore,
    cfg: &corridor_track::MonitorConfig,
    now: Timestamp,
) -> Vec<corridor_track::PositionReport> {
    let window = jiff::SignedDuration::from_secs(i64::try_from(cfg.ais_gap_s).unwrap_or(i64::MAX));
    let since = now.checked_sub(window).unwrap_or(Timestamp::MIN);
    let limit = u32::try_from(cfg.max_vessels).unwrap_or(u32::MAX);
    match store.last_positions(since, now, limit).await {
        Ok(rows) => rows.iter().map(stored_report).collect(),
        Err(e) => {
            tracing::warn!(
                error = %e,
                "could not read where vessels were last seen: each one's next report counts as a first sighting"
            );
            Vec::new()
        }
    }
}

/// Starts the pipeline on the current tokio runtime. `store`: where alerts
/// (and, if configured, positions) go; `None` keeps everything in memory.
pub async fn spawn_pipeline(
    config: PipelineConfig,
    store: Option<Arc<dyn TrackStore>>,
) -> Result<LiveHandle, StartError> {
    let cancel = CancellationToken::new();
    let mode = config.clock.unwrap_or(
        if !config.sources.is_empty()
            && config
                .sources
                .iter()
                .all(|s| matches!(s, SourceSpec::File { .. }))
        {
            ClockMode::Feed
        } else {
            ClockMode::Live
        },
    );
    // A live pipeline carries on from where the store last saw each vessel
    // (a restart repeated every `area_arrival`), read before any source
    // takes input; a replay is an analysis of its own files.
    // With no source at all there is nothing to carry on with.
    // One tracker per database, live or replaying into it (either would
    // store every alert a second time beside another): taken before
    // anything is read or closed on the store (a second server closed the
    // first's alerts).
    let live_store = match (&store, mode) {
        (Some(s), ClockMode::Live) if !config.sources.is_empty() => Some(s),
        _ => None,
    };
    let tracking_store = store.as_ref().filter(|_| !config.sources.is_empty());
    let claim = match tracking_store {
        Some(s) => match s.claim_tracking().await {
            Ok(corridor_store::Claim::Taken(c)) => Some(c),
            Ok(corridor_store::Claim::HeldBy(holder)) => {
                return Err(StartError::TrackedElsewhere { holder });
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not check that no other tracking server runs on this database");
                None
            }
        },
        None => None,
    };
    // The feed resumes at the wall clock, or where the backlog a NATS
    // durable will replay begins (its reports' own times): each vessel is
    // placed as of then (open finding 42).
    let mut resumes_at = Timestamp::now();
    // Per source: cancelled once its NATS backlog is replayed.
    // The NATS sources are asked at once: one that does not answer holds
    // the start for its bound, not for the sum of theirs (open finding 49).
    let checks = futures_util::future::join_all(config.sources.iter().map(|spec| async move {
        match spec.nats() {
            Some(nats) => source::start_check(&nats).await,
            None => Ok(None),
        }
    }))
    .await;
    let mut backlogs: Vec<Option<CancellationToken>> = vec![None; config.sources.len()];
    for ((spec, check), backlog) in config.sources.iter().zip(checks).zip(&mut backlogs) {
        match check {
            Ok(Some(t)) => {
                resumes_at = resumes_at.min(t);
                *backlog = Some(CancellationToken::new());
            }
            Ok(None) => {}
            Err(reason) => {
                return Err(StartError::Nats {
                    source_name: spec.name(),
                    reason,
                });
            }
        }
    }
    let resume_from = match live_store {
        Some(s) => {
            close_previous_runs_alerts(&**s, &config.run_id).await;
            last_seen(&**s, &config.monitor, resumes_at).await
        }
        None => Vec::new(),
    };
    // `/metrics` names every series from the start, at zero.
    crate::events::describe_metrics();
    for kind in corridor_track::AlertKind::ALL {
        metrics::counter!("corridor_alerts_total", "kind" => kind.as_str()).increment(0);
    }
    for name in [
        "corridor_positions_stored_total",
        "corridor_positions_downsampled_total",
        "corridor_ingest_alerts_given_up_total",
        "corridor_ingest_positions_given_up_total",
        "corridor_ingest_redelivered_total",
    ] {
        metrics::counter!(name).increment(0);
    }
    for what in ["alerts", "positions", "downsample"] {
        metrics::counter!("corridor_ingest_store_errors_total", "what" => what).increment(0);
    }
    // The monitor's input: the sources' lanes take turns into it, so it is
    // only as deep as keeps the monitor busy (the lanes hold the rest).
    let (turns_tx, rx) = mpsc::channel::<Batch>(1);
    let (join, joined) = mpsc::channel::<mpsc::Receiver<Batch>>(config.sources.len() + 1);
    let lane_depth = config.channel_capacity.max(1);
    let lane = |join: &mpsc::Sender<mpsc::Receiver<Batch>>| {
        let (tx, rx) = mpsc::channel::<Batch>(lane_depth);
        // Room for every source's lane was made above.
        let _ = join.try_send(rx);
        tx
    };
    // A live source's reports are of now: let in while a NATS backlog
    // still replays the past, they would move the one clock past every
    // vessel the backlog has yet to bring (open finding 48). Its lane
    // joins once the backlogs are replayed; until then it fills and holds
    // its source back.
    let catching_up: Vec<CancellationToken> = backlogs.iter().flatten().cloned().collect();
    let mut held_lanes: Vec<mpsc::Receiver<Batch>> = Vec::new();
    let mut live_lane = |join: &mpsc::Sender<mpsc::Receiver<Batch>>| {
        if catching_up.is_empty() {
            return lane(join);
        }
        let (tx, rx) = mpsc::channel::<Batch>(lane_depth);
        held_lanes.push(rx);
        tx
    };
    let (live, _) = broadcast::channel(config.live_capacity.max(16));
    let (alerts, _) = broadcast::channel(ALERT_BACKLOG);
    let (qtx, qrx) = mpsc::channel(16);
    let mut tasks = Vec::new();
    let mut tags = Vec::new();
    let mut bound = Vec::new();
    let limits = config.limits;
    // Several files are one recorded feed split up: each is read into a
    // channel of its own and merged by time (see `merge_by_time`).
    let files = config
        .sources
        .iter()
        .filter(|s| matches!(s, SourceSpec::File { .. }))
        .count();
    let mut merged: Vec<mpsc::Receiver<Batch>> = Vec::new();
    for (spec, backlog) in config.sources.iter().zip(backlogs) {
        let tag = SourceTag::new(&spec.name());
        tags.push(tag.clone());
        let cancel = cancel.clone();
        let task = match spec.clone() {
            SourceSpec::TcpClient { addr } => tokio::spawn(source::tcp_client(
                addr,
                tag,
                limits,
                live_lane(&join),
                cancel,
            )),
            SourceSpec::TcpServer { addr } => {
                let l = tokio::net::TcpListener::bind(addr)
                    .await
                    .map_err(|source| StartError::Bind {
                        addr: addr.to_string(),
                        source,
                    })?;
                if let Ok(a) = l.local_addr() {
                    bound.push((spec.name(), a));
                }
                tokio::spawn(source::tcp_server(l, tag, limits, live_lane(&join), cancel))
            }
            SourceSpec::Udp { addr } => {
                let s =
                    tokio::net::UdpSocket::bind(addr)
                        .await
                        .map_err(|source| StartError::Bind {
                            addr: addr.to_string(),
                            source,
                        })?;
                if let Ok(a) = s.local_addr() {
                    bound.push((spec.name(), a));
                }
                tokio::spawn(source::udp(s, tag, limits, live_lane(&join), cancel))
            }
            SourceSpec::File { path, speed } => {
                let tx = if files > 1 {
                    let (ftx, frx) = mpsc::channel::<Batch>(FILE_MERGE_DEPTH);
                    merged.push(frx);
                    ftx
                } else {
                    lane(&join)
                };
                tokio::spawn(source::file(path, speed, tag, limits, tx, cancel))
            }
            SourceSpec::Nats { .. } => tokio::spawn(source::nats(
                spec.nats().expect("a NATS spec"),
                tag,
                limits,
                lane(&join),
                cancel,
                backlog,
            )),
        };
        tasks.push(task);
    }
    if !merged.is_empty() {
        tasks.push(tokio::spawn(merge_by_time(
            merged,
            lane(&join),
            limits.batch.max(1),
        )));
    }
    if !held_lanes.is_empty() {
        tasks.push(tokio::spawn(join_after_backlogs(
            catching_up,
            held_lanes,
            join.clone(),
            cancel.clone(),
        )));
    }
    // The monitor ends when every source (every lane) has ended.
    drop(join);
    tasks.push(tokio::spawn(crate::turns::take_turns(joined, turns_tx)));

    // Sinks: bounded channels, so a slow database slows the monitor, which slows the sources.
    let (alert_tx, alert_rx) = mpsc::channel::<AlertMsg>(1024);
    let lost = Arc::new(Lost::default());
    tasks.push(tokio::spawn(alert_sink(
        alert_rx,
        store.clone(),
        (live.clone(), alerts.clone()),
        config.alert_tap.clone(),
        config.run_id.clone(),
        (Arc::clone(&lost), config.final_store_tries),
    )));
    let pos_tx = match (&store, config.store_positions) {
        (Some(s), true) => {
            let (ptx, prx) = mpsc::channel::<PositionMsg>(4);
            tasks.push(tokio::spawn(position_sink(
                prx,
                Arc::clone(s),
                (Arc::clone(&lost), config.final_store_tries),
            )));
            Some(ptx)
        }
        _ => None,
    };
    let last = Arc::new(std::sync::Mutex::new(Default::default()));
    let registry: MapRegistry = config.registry.iter().copied().collect();
    let mut monitor = Monitor::new(
        Arc::clone(&config.corridor),
        config.monitor.clone(),
        registry,
    );
    let placed = monitor.resume(&resume_from);
    if placed > 0 {
        tracing::info!(
            vessels = placed,
            "vessels placed where the store last saw them"
        );
    }
    // Resumed vessels are silent from their stored time on: the clock runs
    // from where the feed resumes at once (a live clock otherwise waits for
    // the first report), so one never heard again gets its `ais_gap`.
    let anchor = (placed > 0).then(|| (resumes_at, tokio::time::Instant::now()));
    let clock = Clock { mode, anchor };
    tasks.push(tokio::spawn(monitor_task(
        monitor,
        rx,
        qrx,
        Sinks {
            alerts: alert_tx,
            positions: pos_tx,
            live: live.clone(),
        },
        Schedule {
            clock,
            tick: config.tick.max(Duration::from_millis(10)),
            downsample: config.downsample,
            last_downsample: None,
        },
        config.position_batch.max(1),
        config.finish_at_end,
        Arc::clone(&last),
        cancel.clone(),
    )));
    let has_claim = claim.is_some();
    let claim = Arc::new(tokio::sync::Mutex::new(claim));
    let gave_up = Arc::new(GaveUp::default());
    if has_claim {
        tasks.push(tokio::spawn(keep_claim(
            Arc::clone(&claim),
            config.claim_check.max(Duration::from_millis(10)),
            Arc::clone(&gave_up),
            cancel.clone(),
        )));
    }
    Ok(LiveHandle {
        inner: Arc::new(Inner {
            corridor: config.corridor,
            store,
            live,
            alerts,
            queries: qtx,
            sources: tags,
            cancel,
            tasks: tokio::sync::Mutex::new(tasks),
            bound,
            last,
            snapshot: tokio::sync::Mutex::new(None),
            run_id: config.run_id.clone(),
            lost,
            claim,
            gave_up,
            monitor: config.monitor.clone(),
        }),
    })
}

/// A stored position as the report it was.
pub fn stored_report(p: &corridor_store::PositionRow) -> corridor_track::PositionReport {
    corridor_track::PositionReport {
        mmsi: p.mmsi,
        time: p.time,
        lat: p.lat,
        lon: p.lon,
        sog_kn: p.sog,
        cog_deg: p.cog,
        heading_deg: p.heading,
        nav_status: corridor_track::NavStatus(p.nav_status),
    }
}
