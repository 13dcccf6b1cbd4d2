//! The running pipeline: sources → monitor → sinks, and the handle to it.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use corridor_geo::Corridor;
use corridor_store::{AlertRow, PositionRow, TrackStore};
use corridor_track::{
    Alert, MapRegistry, Monitor, MonitorConfig, MonitorStats, RegisteredVessel, Report,
    VesselState, Zone,
};
use jiff::Timestamp;
use serde::Serialize;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::events::{SourceStats, SourceTag};
use crate::source::{self, Batch, NatsSpec, SourceLimits, SourceSpec};

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

/// The pipeline's clock (see [`ClockMode`]).
#[derive(Debug)]
struct Clock {
    mode: ClockMode,
    /// Live: the latest event time and the (tokio) instant it was seen.
    anchor: Option<(Timestamp, tokio::time::Instant)>,
}

impl Clock {
    /// Now, by this clock; `None` before the first report.
    fn now(&self, m: &Monitor) -> Option<Timestamp> {
        match (self.mode, self.anchor) {
            (ClockMode::Live, Some((t, at))) => {
                let run = jiff::SignedDuration::try_from(at.elapsed()).unwrap_or_default();
                let live = t.checked_add(run).unwrap_or(Timestamp::MAX);
                Some(m.now().map_or(live, |n| n.max(live)))
            }
            _ => m.now(),
        }
    }

    /// After reports: re-anchor when the feed is ahead of the running clock.
    fn observe(&mut self, m: &Monitor) {
        if self.mode != ClockMode::Live {
            return;
        }
        if let Some(t) = m.now()
            && self.now(m).is_none_or(|c| t >= c)
        {
            self.anchor = Some((t, tokio::time::Instant::now()));
        }
    }
}

/// What the position sink does, in order.
#[derive(Debug)]
enum PositionMsg {
    Rows(Vec<PositionRow>),
    /// Thin what is older than this (after every row sent before it is stored).
    Downsample(Timestamp, DownsampleConfig),
    /// Answered once every row sent before it is written: `true` when all of
    /// them were (see [`Settle`]).
    Stored(oneshot::Sender<bool>),
}

/// What the alert sink does, in order.
#[derive(Debug)]
enum AlertMsg {
    Alert(Alert),
    /// Answered once every alert sent before it is stored: `true` when all
    /// of them were.
    Stored(oneshot::Sender<bool>),
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
    pub speed_kn: f64,
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
    /// The monitor's last counters, written when its task ends (stats after shutdown).
    last: Arc<std::sync::Mutex<(MonitorCounts, usize, u64)>>,
    /// The last picture of every vessel and when it was asked for: callers
    /// within [`SNAPSHOT_FOR`] share it, and only one asks the monitor at a
    /// time, so public pages in a loop cannot keep the monitor from the feed.
    snapshot: tokio::sync::Mutex<Option<(tokio::time::Instant, Vec<LiveVessel>)>>,
    /// This run's part of the alerts' keys.
    run_id: String,
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
    }
}

/// Starts the pipeline on the current tokio runtime. `store`: where alerts
/// (and, if configured, positions) go; `None` keeps everything in memory.
pub async fn spawn_pipeline(
    config: PipelineConfig,
    store: Option<Arc<dyn TrackStore>>,
) -> Result<LiveHandle, StartError> {
    let cancel = CancellationToken::new();
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
    for spec in &config.sources {
        let tag = SourceTag::new(&spec.name());
        tags.push(tag.clone());
        let cancel = cancel.clone();
        let task = match spec.clone() {
            SourceSpec::TcpClient { addr } => {
                tokio::spawn(source::tcp_client(addr, tag, limits, lane(&join), cancel))
            }
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
                tokio::spawn(source::tcp_server(l, tag, limits, lane(&join), cancel))
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
                tokio::spawn(source::udp(s, tag, limits, lane(&join), cancel))
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
            SourceSpec::Nats {
                url,
                stream,
                subject,
                durable,
            } => tokio::spawn(source::nats(
                NatsSpec {
                    url,
                    stream,
                    subject,
                    durable,
                },
                tag,
                limits,
                lane(&join),
                cancel,
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
    // The monitor ends when every source (every lane) has ended.
    drop(join);
    tasks.push(tokio::spawn(crate::turns::take_turns(joined, turns_tx)));

    // Sinks: bounded channels, so a slow database slows the monitor, which slows the sources.
    let (alert_tx, alert_rx) = mpsc::channel::<AlertMsg>(1024);
    tasks.push(tokio::spawn(alert_sink(
        alert_rx,
        store.clone(),
        (live.clone(), alerts.clone()),
        config.alert_tap.clone(),
        config.run_id.clone(),
    )));
    let pos_tx = match (&store, config.store_positions) {
        (Some(s), true) => {
            let (ptx, prx) = mpsc::channel::<PositionMsg>(4);
            tasks.push(tokio::spawn(position_sink(prx, Arc::clone(s))));
            Some(ptx)
        }
        _ => None,
    };
    let last = Arc::new(std::sync::Mutex::new(Default::default()));
    let registry: MapRegistry = config.registry.iter().copied().collect();
    let monitor = Monitor::new(
        Arc::clone(&config.corridor),
        config.monitor.clone(),
        registry,
    );
    let clock = Clock {
        mode: config.clock.unwrap_or(
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
        ),
        anchor: None,
    };
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
        }),
    })
}

/// Batches each file of a multi-file replay may have in flight ahead of the
/// merge (each up to `SourceLimits::batch` reports).
const FILE_MERGE_DEPTH: usize = 2;

/// Merges the report streams of several files into one, in event-time
/// order: a k-way merge on each stream's next report, earliest first, equal
/// times in the order the files were given. So `corridor track a.nmea
/// b.nmea` gives the same alerts on every run, the same as one file holding
/// the lines of both sorted by time.
///
/// - Each file is read by its own task into a bounded channel of its own; a
///   file that runs ahead waits there (backpressure) while the merge needs
///   another file's next report, so memory stays bounded whatever the files'
///   sizes. The merged batches go on to the monitor's bounded channel.
/// - A file's reports keep their order among themselves: a file that is not
///   sorted by time is merged as it is, never reordered internally.
/// - Untimed sentences: a file replay has no wall-clock fallback, so a
///   sentence without a tag-block (or `$PGHP`) time gives no report at all;
///   it is counted on its file as dropped, reason `untimed`, and never needs
///   a place in the merge.
/// - Paced replays (`file:PATH@SPEED`) flush whatever is merged whenever a
///   file has nothing ready, so merging adds no delay.
async fn merge_by_time(
    mut inputs: Vec<mpsc::Receiver<Batch>>,
    tx: mpsc::Sender<Batch>,
    batch: usize,
) {
    let mut heads: Vec<VecDeque<Report>> = vec![VecDeque::new(); inputs.len()];
    let mut open = vec![true; inputs.len()];
    let mut out: Vec<Report> = Vec::new();
    loop {
        // The earliest report is known only once every open file has shown its next one.
        for (i, input) in inputs.iter_mut().enumerate() {
            while open[i] && heads[i].is_empty() {
                let next = match input.try_recv() {
                    Ok(b) => Some(b),
                    Err(mpsc::error::TryRecvError::Disconnected) => None,
                    Err(mpsc::error::TryRecvError::Empty) => {
                        // About to wait: pass on what is merged so far first.
                        if !out.is_empty() && !send_merged(&tx, &mut out).await {
                            return;
                        }
                        input.recv().await
                    }
                };
                match next {
                    Some(b) => heads[i].extend(b.reports),
                    None => open[i] = false,
                }
            }
        }
        let earliest = heads
            .iter()
            .enumerate()
            .filter_map(|(i, h)| h.front().map(|r| (r.time(), i)))
            .min();
        let Some((_, i)) = earliest else { break };
        if let Some(r) = heads[i].pop_front() {
            out.push(r);
        }
        if out.len() >= batch && !send_merged(&tx, &mut out).await {
            return;
        }
    }
    if !out.is_empty() {
        send_merged(&tx, &mut out).await;
    }
}

/// Sends the merged reports on; `false` when the monitor is gone.
async fn send_merged(tx: &mpsc::Sender<Batch>, out: &mut Vec<Report>) -> bool {
    let reports = std::mem::take(out);
    tx.send(Batch {
        reports,
        acks: Vec::new(),
    })
    .await
    .is_ok()
}

fn live_vessel(m: &Monitor, v: &VesselState) -> LiveVessel {
    let c = m.corridor();
    let area = v
        .areas()
        .next()
        .and_then(|a| c.area(a))
        .map(|a| a.name.clone());
    let eta = m.eta_next(v.mmsi).and_then(|e| {
        Some(LiveEta {
            area: c.area(e.route.target)?.name.clone(),
            remaining_nm: e.route.remaining_m / corridor_geo::NM,
            speed_kn: e.speed_kn,
            at: e.at,
        })
    });
    LiveVessel {
        mmsi: v.mmsi,
        imo: v.imo,
        name: v.name.as_deref().map(str::to_string),
        callsign: v.callsign.as_deref().map(str::to_string),
        ship_type: v.ship_type,
        registered: v.registered.is_some(),
        lat: v.fix.map(|f| f.pos.lat),
        lon: v.fix.map(|f| f.pos.lon),
        sog: v.fix.and_then(|f| f.sog_kn),
        cog: v.fix.and_then(|f| f.cog_deg),
        heading: v.fix.and_then(|f| f.heading_deg),
        nav_status: v.fix.map(|f| f.nav_status.0),
        state: v.zone,
        area,
        last_seen: v.last_seen,
        eta,
    }
}

/// Where the monitor task's output goes.
struct Sinks {
    alerts: mpsc::Sender<AlertMsg>,
    positions: Option<mpsc::Sender<PositionMsg>>,
    live: broadcast::Sender<LiveEvent>,
}

/// The clock and what runs on it.
struct Schedule {
    clock: Clock,
    tick: Duration,
    downsample: Option<DownsampleConfig>,
    last_downsample: Option<Timestamp>,
}

impl Schedule {
    /// Asks the position sink to thin old positions when the clock has moved
    /// `every` since the last run (rows buffered so far go first).
    async fn maybe_downsample(
        &mut self,
        m: &Monitor,
        sinks: &Sinks,
        positions: &mut Vec<PositionRow>,
    ) {
        let (Some(cfg), Some(ptx), Some(now)) =
            (self.downsample, &sinks.positions, self.clock.now(m))
        else {
            return;
        };
        let every = jiff::SignedDuration::try_from(cfg.every).unwrap_or(jiff::SignedDuration::MAX);
        if self
            .last_downsample
            .is_some_and(|l| now.duration_since(l) < every)
        {
            return;
        }
        self.last_downsample = Some(now);
        let age =
            jiff::SignedDuration::try_from(cfg.older_than).unwrap_or(jiff::SignedDuration::MAX);
        let Ok(cutoff) = now.checked_sub(age) else {
            return;
        };
        if !positions.is_empty() {
            let _ = ptx.send(PositionMsg::Rows(std::mem::take(positions))).await;
        }
        let _ = ptx.send(PositionMsg::Downsample(cutoff, cfg)).await;
    }
}

async fn send_alerts(alerts: &mut Vec<Alert>, tx: &mpsc::Sender<AlertMsg>, count: &mut u64) {
    *count += alerts.len() as u64;
    for a in alerts.drain(..) {
        if tx.send(AlertMsg::Alert(a)).await.is_err() {
            break;
        }
    }
}

/// NATS messages processed but not yet acknowledged: a message is
/// acknowledged only once the positions and alerts it gave are written, so
/// a crash between processing and storing redelivers it rather than losing
/// it. Settled whenever buffered positions go to the store (by size, on the
/// flush tick, at the end) or when many are waiting.
#[derive(Default)]
struct Settle {
    acks: Vec<crate::source::AckHandle>,
}

impl Settle {
    /// Waiting acknowledgements beyond which they are settled at once.
    const MAX_WAITING: usize = 256;

    /// Sends the buffered positions, then a barrier down each sink; a task
    /// acknowledges the waiting messages when both sinks answer that
    /// everything before their barrier was written, and asks JetStream to
    /// redeliver them (after `REDELIVER_AFTER`) if anything failed.
    async fn settle(&mut self, sinks: &Sinks, positions: &mut Vec<PositionRow>) {
        if let Some(ptx) = &sinks.positions
            && !positions.is_empty()
        {
            let _ = ptx.send(PositionMsg::Rows(std::mem::take(positions))).await;
        }
        if self.acks.is_empty() {
            return;
        }
        let acks = std::mem::take(&mut self.acks);
        let (atx, arx) = oneshot::channel();
        let alerts_ok = sinks.alerts.send(AlertMsg::Stored(atx)).await.is_ok();
        let prx = match &sinks.positions {
            Some(ptx) => {
                let (tx, rx) = oneshot::channel();
                if ptx.send(PositionMsg::Stored(tx)).await.is_err() {
                    return;
                }
                Some(rx)
            }
            None => None,
        };
        if !alerts_ok {
            return;
        }
        tokio::spawn(async move {
            let stored = arx.await.unwrap_or(false)
                && match prx {
                    Some(rx) => rx.await.unwrap_or(false),
                    None => true,
                };
            if stored {
                for a in acks {
                    a.done().await;
                }
            } else {
                metrics::counter!("corridor_ingest_redelivered_total").increment(acks.len() as u64);
                tracing::warn!(
                    messages = acks.len(),
                    "what these messages gave was not stored: the stream redelivers them"
                );
                for a in acks {
                    a.redeliver().await;
                }
            }
        });
    }
}

#[allow(clippy::too_many_arguments)]
async fn monitor_task(
    mut m: Monitor,
    mut rx: mpsc::Receiver<Batch>,
    mut queries: mpsc::Receiver<Query>,
    sinks: Sinks,
    mut schedule: Schedule,
    position_batch: usize,
    finish_at_end: bool,
    last: Arc<std::sync::Mutex<(MonitorCounts, usize, u64)>>,
    cancel: CancellationToken,
) {
    let mut alerts: Vec<Alert> = Vec::new();
    let mut positions: Vec<PositionRow> = Vec::new();
    let mut settle = Settle::default();
    let mut alert_count = 0u64;
    let mut queries_open = true;
    let mut flush_tick = tokio::time::interval(Duration::from_secs(1));
    flush_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut clock_tick = tokio::time::interval(schedule.tick);
    clock_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let live = sinks.live.clone();
    loop {
        // Not biased: a burst of queries and the feed take turns.
        tokio::select! {
            q = queries.recv(), if queries_open => match q {
                Some(q) => answer(&m, q, alert_count),
                None => queries_open = false,
            },
            b = rx.recv() => {
                let Some(batch) = b else { break };
                let want_live = live.receiver_count() > 0;
                // A live feed is never ahead of the wall clock: a report
                // from the future (a bad tag-block time) is refused, not
                // allowed to move the clock for good.
                if schedule.clock.mode == ClockMode::Live {
                    m.set_wall_clock(Some(Timestamp::now()));
                }
                for r in &batch.reports {
                    m.on_report(r, &mut alerts);
                    if let Report::Position(p) = r {
                        // A report that is no report at all (from the
                        // future, unusable, untracked) is not stored.
                        if sinks.positions.is_some() && !m.last_refused() {
                            positions.push(PositionRow {
                                mmsi: p.mmsi,
                                time: p.time,
                                lat: p.lat,
                                lon: p.lon,
                                sog: p.sog_kn,
                                cog: p.cog_deg,
                                heading: p.heading_deg,
                                nav_status: p.nav_status.0,
                            });
                        }
                        if want_live && let Some(v) = m.vessel(p.mmsi) && let Some(f) = v.fix && f.time == p.time {
                            let _ = live.send(LiveEvent::Position(LivePosition {
                                mmsi: p.mmsi,
                                name: v.name.as_deref().map(str::to_string),
                                lat: f.pos.lat,
                                lon: f.pos.lon,
                                sog: f.sog_kn,
                                cog: f.cog_deg,
                                state: v.zone,
                                time: f.time,
                            }));
                        }
                    }
                }
                schedule.clock.observe(&m);
                send_alerts(&mut alerts, &sinks.alerts, &mut alert_count).await;
                // Processed: acknowledged once what it gave is stored
                // (`Settle`). Queued before any settle below, whose barrier
                // then covers this batch's rows and alerts too.
                settle.acks.extend(batch.acks);
                if settle.acks.len() >= Settle::MAX_WAITING
                    || (positions.len() >= position_batch && sinks.positions.is_some())
                {
                    settle.settle(&sinks, &mut positions).await;
                }
                schedule.maybe_downsample(&m, &sinks, &mut positions).await;
            }
            _ = clock_tick.tick() => {
                // Silence counts: a live clock moves the monitor on without reports.
                if schedule.clock.mode == ClockMode::Live && let Some(now) = schedule.clock.now(&m) {
                    m.advance_to(now, &mut alerts);
                    send_alerts(&mut alerts, &sinks.alerts, &mut alert_count).await;
                }
                schedule.maybe_downsample(&m, &sinks, &mut positions).await;
            }
            _ = flush_tick.tick() => {
                settle.settle(&sinks, &mut positions).await;
            }
        }
    }
    // A replay of a single report has only a held report and no clock yet.
    if finish_at_end && let Some(now) = m.now().or(m.held_time()) {
        // The wall clock: a last report far past the others is kept if it
        // is not in the future here (see `Monitor::finish`).
        m.finish(now, Some(Timestamp::now()), &mut alerts);
        send_alerts(&mut alerts, &sinks.alerts, &mut alert_count).await;
    }
    settle.settle(&sinks, &mut positions).await;
    if let Ok(mut g) = last.lock() {
        *g = (m.stats().into(), m.vessel_count(), alert_count);
    }
    drop(sinks);
    if finish_at_end {
        return;
    }
    // Live mode: the sources have ended but the server still asks for the picture until shutdown.
    while queries_open {
        tokio::select! {
            _ = cancel.cancelled() => break,
            q = queries.recv() => match q {
                Some(q) => answer(&m, q, alert_count),
                None => queries_open = false,
            },
        }
    }
}

fn answer(m: &Monitor, q: Query, alert_count: u64) {
    match q {
        Query::Vessels(reply) => {
            let mut out: Vec<LiveVessel> = m.vessels().map(|v| live_vessel(m, v)).collect();
            out.sort_by_key(|v| v.mmsi);
            let _ = reply.send(out);
        }
        Query::Stats(reply) => {
            let _ = reply.send((m.stats().into(), m.vessel_count(), alert_count));
        }
    }
}

/// `<run>:<id>`: an alert's key in the store.
fn alert_key(run: &str, a: &Alert) -> String {
    format!("{run}:{}", a.id)
}

fn alert_row(run: &str, a: &Alert) -> AlertRow {
    AlertRow {
        key: alert_key(run, a),
        kind: a.kind.as_str().to_string(),
        mmsi: a.mmsi,
        start: a.start,
        end: a.end,
        open: a.open,
        body: serde_json::to_value(a).unwrap_or(serde_json::Value::Null),
    }
}

/// How soon alerts that could not be stored are tried again when no new
/// alert comes.
const ALERT_RETRY: Duration = Duration::from_secs(2);

async fn alert_sink(
    mut rx: mpsc::Receiver<AlertMsg>,
    store: Option<Arc<dyn TrackStore>>,
    (live, alerts): (broadcast::Sender<LiveEvent>, broadcast::Sender<Arc<Alert>>),
    tap: Option<mpsc::Sender<Alert>>,
    run: String,
) {
    let mut batch = Vec::new();
    // Rows not stored yet, latest version per id: kept and tried again with
    // the next batch, because a redelivered message gives no alert again
    // (the monitor has seen its reports). Bounded: beyond the cap the
    // oldest are given up, counted and logged.
    let mut unstored: BTreeMap<u64, AlertRow> = BTreeMap::new();
    const MAX_UNSTORED: usize = 10_000;
    // Raised and not stored yet: broadcast live once they are, so that a
    // coordinator who sees an alert can act on it (the tap, a file of every
    // alert, has them at once).
    let mut to_broadcast: std::collections::VecDeque<Alert> = std::collections::VecDeque::new();
    let broadcast = |a: Alert| {
        let _ = alerts.send(Arc::new(a.clone()));
        let _ = live.send(LiveEvent::Alert(Box::new(a)));
    };
    // What could not be stored is tried again with the next batch, or after
    // a while if none comes.
    let mut retry = tokio::time::interval(ALERT_RETRY);
    retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let msg = tokio::select! {
            m = rx.recv() => match m {
                Some(m) => Some(m),
                None => break,
            },
            _ = retry.tick(), if !unstored.is_empty() => None,
        };
        let mut barrier = None;
        let got = msg.is_some();
        match msg {
            Some(AlertMsg::Alert(a)) => batch.push(a),
            Some(AlertMsg::Stored(reply)) => barrier = Some(reply),
            None => {}
        }
        while got && barrier.is_none() && batch.len() < 256 {
            match rx.try_recv() {
                Ok(AlertMsg::Alert(a)) => batch.push(a),
                Ok(AlertMsg::Stored(reply)) => barrier = Some(reply),
                Err(_) => break,
            }
        }
        if let Some(s) = &store {
            // Latest version per id wins within a batch, as in the table.
            for a in &batch {
                unstored.insert(a.id, alert_row(&run, a));
            }
            store_alerts(&**s, &mut unstored, 3).await;
            while unstored.len() > MAX_UNSTORED {
                unstored.pop_first();
                metrics::counter!("corridor_ingest_alerts_given_up_total").increment(1);
                tracing::error!("an alert could not be stored and was given up");
            }
        }
        // Stored first, then pushed live: a client that sees an alert can fetch it.
        for a in batch.drain(..) {
            metrics::counter!("corridor_alerts_total", "kind" => a.kind.as_str()).increment(1);
            if let Some(t) = &tap {
                let _ = t.send(a.clone()).await;
            }
            // One entry per alert: a newer version replaces the one waiting
            // (so the queue holds no more alerts than wait to be stored).
            match to_broadcast.iter().position(|q| q.id == a.id) {
                Some(i) => to_broadcast[i] = a,
                None => to_broadcast.push_back(a),
            }
        }
        if store.is_none() || unstored.is_empty() {
            to_broadcast.drain(..).for_each(broadcast);
        } else {
            // Those given up are never stored, so never broadcast: the queue
            // holds only alerts still waiting to be stored.
            to_broadcast.retain(|a| unstored.contains_key(&a.id));
        }
        if let Some(reply) = barrier {
            let _ = reply.send(unstored.is_empty());
        }
    }
    // The pipeline is ending: one last try for what is still unstored.
    if let Some(s) = &store
        && !unstored.is_empty()
    {
        if store_alerts(&**s, &mut unstored, 1).await {
            to_broadcast.drain(..).for_each(broadcast);
        } else {
            metrics::counter!("corridor_ingest_alerts_given_up_total")
                .increment(unstored.len() as u64);
            tracing::error!(
                alerts = unstored.len(),
                "stopping with alerts that could not be stored: given up"
            );
        }
    }
}

/// Stores every row of `unstored` (up to `attempts` tries, a little apart)
/// and empties it; `true` when it is empty.
async fn store_alerts(
    s: &dyn TrackStore,
    unstored: &mut BTreeMap<u64, AlertRow>,
    attempts: u64,
) -> bool {
    if unstored.is_empty() {
        return true;
    }
    let rows: Vec<AlertRow> = unstored.values().cloned().collect();
    for attempt in 1..=attempts {
        match s.upsert_alerts(&rows).await {
            Ok(()) => {
                unstored.clear();
                return true;
            }
            Err(e) => {
                metrics::counter!("corridor_ingest_store_errors_total", "what" => "alerts")
                    .increment(1);
                tracing::error!(error = %e, attempt, waiting = rows.len(), "storing alerts failed");
                if attempt < attempts {
                    tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
                }
            }
        }
    }
    false
}

async fn position_sink(mut rx: mpsc::Receiver<PositionMsg>, store: Arc<dyn TrackStore>) {
    // Whether every row since the last barrier was written.
    let mut all_stored = true;
    while let Some(msg) = rx.recv().await {
        match msg {
            PositionMsg::Rows(rows) => match store.insert_positions(&rows).await {
                Ok(n) => metrics::counter!("corridor_positions_stored_total").increment(n),
                Err(e) => {
                    all_stored = false;
                    metrics::counter!("corridor_ingest_store_errors_total", "what" => "positions")
                        .increment(1);
                    tracing::error!(error = %e, rows = rows.len(), "storing positions failed");
                }
            },
            PositionMsg::Stored(reply) => {
                let _ = reply.send(std::mem::replace(&mut all_stored, true));
            }
            PositionMsg::Downsample(before, cfg) => {
                let bucket = u32::try_from(cfg.bucket.as_secs()).unwrap_or(u32::MAX);
                match store
                    .downsample(before, bucket, cfg.sog_change_kn, cfg.cog_change_deg)
                    .await
                {
                    Ok(n) => {
                        metrics::counter!("corridor_positions_downsampled_total").increment(n);
                        // A pass that found nothing to thin is routine: not worth
                        // an INFO line every interval.
                        if n > 0 {
                            tracing::info!(%before, deleted = n, "old positions down-sampled");
                        } else {
                            tracing::debug!(%before, "old positions down-sampled: none due");
                        }
                    }
                    Err(e) => {
                        metrics::counter!("corridor_ingest_store_errors_total", "what" => "downsample")
                            .increment(1);
                        tracing::error!(error = %e, "down-sampling positions failed");
                    }
                }
            }
        }
    }
}
