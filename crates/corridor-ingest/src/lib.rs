//! # corridor-ingest: live AIS in, alerts and live state out
//!
//! The I/O half of live tracking, in the shape of vector's pipelines:
//!
//! ```text
//! sources (tcp-client, tcp-server, udp, file, nats)   one task each (+ one per TCP connection)
//!   │  read lines (capped) → decode (corridor-ais) → adapt (→ corridor-track reports)
//!   │  several files: each into a bounded channel of its own, k-way merged by event time
//!   │  each source a bounded lane (a TCP server's connections, a UDP port's senders: each a lane taking turns in it)
//!   ▼  turns: one batch per busy lane in rotation (backpressure per lane: a full lane
//!      stops its reading; UDP counts drops) → mpsc<Batch> of depth 1
//! monitor task (corridor_track::Monitor; answers live queries between batches)
//!   ├─▶ bounded mpsc<Alert> → alert sink: store upsert, THEN broadcast (SSE) and the tap
//!   ├─▶ bounded mpsc<Vec<PositionRow>> → position sink: batches (multi-row INSERT on SQLite, binary COPY on PostgreSQL)
//!   └─▶ broadcast<LiveEvent> (positions for the map; lagging readers skip)
//! ```
//!
//! ## The pipeline's clock
//! [`ClockMode::Feed`] (file replays, the default when every source is a
//! file): the latest report's event time, nothing else, so a replay gives the
//! same alerts every time. [`ClockMode::Live`] (every other source): the
//! latest event time run on in real time since that report arrived, i.e. the
//! wall clock for a live feed. Every `tick` (15 s) a live clock moves the
//! monitor on (`Monitor::advance_to`), so a vessel that falls silent in the
//! corridor gets its `ais_gap` alert when 4 h have passed, with no further
//! message from anyone. On the same clock, every hour, the position sink
//! thins positions older than 7 days ([`DownsampleConfig`]: one per vessel
//! and 10 minutes, plus status/speed/course changes and alert evidence),
//! after the rows sent before the request are stored.
//!
//! ## API boundary
//! - [`spawn_pipeline`]`(PipelineConfig, Option<Arc<dyn TrackStore>>) -> LiveHandle`;
//!   [`LiveHandle::subscribe`], [`LiveHandle::vessels`], [`LiveHandle::stats`],
//!   [`LiveHandle::shutdown`] (drain, ack, stop), [`LiveHandle::join`] (wait for a replay to end).
//! - Sources are [`SourceSpec`]s (`SourceSpec::parse("tcp-server:0.0.0.0:10110")`).
//! - The simulator's NMEA side: [`sim::NmeaEncoder`], [`sim::write_nmea`],
//!   [`sim::serve_feed`]; [`spawn_simulator`] wraps it for `corridor demo`.
//! - [`adapter::Adapter`]: decoded AIS → `corridor_track::Report`.
//! - Metrics go through the `metrics` facade (`corridor_ingest_*`); whoever
//!   installs a recorder (the server's `/metrics`) exports them.
//!
//! ## Invariants
//! - **No unbounded queue anywhere**: every channel is bounded; the TCP
//!   server caps connections; lines are capped at `max_line` bytes; the
//!   type 24 merge table and the reassembler are bounded by the codec.
//! - **Hostile input costs its source only**: garbage, over-long lines, slow
//!   or vanishing peers are counted on that source (`bad`, `drops`,
//!   `errors`); no `unwrap` on input, each connection is its own task. A
//!   busy source, or many connections, get one turn a round at the monitor
//!   like any other source (`turns.rs`).
//! - **An alert is stored before it is broadcast** (and before the tap sees it).
//! - **NATS: acknowledged after storing.** A JetStream message is acked
//!   (double ack, confirmed by the server) only once the monitor has
//!   processed its reports and both sinks have written the positions and
//!   alerts they gave (a barrier down each sink, at most a second after);
//!   if either could not write, the message is asked for again after
//!   `source::REDELIVER_AFTER`. Shutdown drains in-flight batches first. A
//!   message whose AIS fragments wait for the rest of their multi-part
//!   message (in a later NATS message) is also held until that rest is
//!   stored, at most `source::FRAGMENT_HOLD`; a stop meanwhile asks for it
//!   again at once, ahead of the later messages (its other reports then
//!   come twice and are counted stale). So a graceful restart loses
//!   nothing and counts nothing twice, and a crash loses nothing but such
//!   a waiting part (see docs/open-findings.md). (A crash between
//!   storing and the ack redelivers that message: at-least-once there; the
//!   monitor counts its reports stale, and they are stored again, which
//!   the unique `(mmsi, time)` key ignores on both databases.)
//! - **Event time**: the monitor's clock is the tag-block `c:` time; live
//!   sentences without one get the arrival time; a replayed file's sentences
//!   without one give no reports (counted as dropped, reason `untimed`).
//! - **Several files are one feed**: their reports reach the monitor merged
//!   by event time, ties in the order the files were given, so a multi-file
//!   replay gives the same alerts every time (`pipeline/merge.rs`).
//! - Fragments are never reassembled across sources or connections.

pub mod adapter;
pub mod events;
pub mod pipeline;
pub mod sim;
pub mod source;
mod turns;

use std::sync::Arc;

use corridor_geo::Corridor;
use corridor_track::RegisteredVessel;
use corridor_track::sim::{Scenario, SimConfig, SimError, TruthRecord, simulate};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use events::{METRICS, ON_FIRST, SourceCounters, SourceStats, describe_metrics};
pub use pipeline::{
    ALERT_BACKLOG, ClockMode, DownsampleConfig, LiveEta, LiveEvent, LiveHandle, LivePosition,
    LiveVessel, MonitorCounts, PipelineConfig, PipelineStats, StartError, spawn_pipeline,
    stored_report,
};
pub use source::{FRAGMENT_HOLD, SourceLimits, SourceSpec};

/// A simulator feeding NMEA somewhere, started by [`spawn_simulator`].
#[derive(Debug)]
pub struct SimulatorHandle {
    /// The ground truth of the injected anomalies and routine events.
    pub truth: Vec<TruthRecord>,
    /// The registry the tracker must be given (MMSI ↔ IMO of corridor ships).
    pub registry: Vec<RegisteredVessel>,
    /// Ends with the number of report groups sent.
    pub task: JoinHandle<std::io::Result<u64>>,
    /// Stops the feed.
    pub cancel: CancellationToken,
}

/// Simulates `scenario` on `corridor` and serves its NMEA to `to` at the
/// given `pace`.
pub fn spawn_simulator(
    corridor: &Corridor,
    scenario: &Scenario,
    config: &SimConfig,
    to: sim::Serve,
    pace: sim::Pace,
) -> Result<SimulatorHandle, SimError> {
    let s = simulate(corridor, scenario, config)?;
    let enc = sim::NmeaEncoder::new(&s.vessels, "corridor-sim");
    let cancel = CancellationToken::new();
    let task = tokio::spawn(sim::serve_feed(s.feed, enc, to, pace, cancel.clone()));
    Ok(SimulatorHandle {
        truth: s.truth,
        registry: s.registry,
        task,
        cancel,
    })
}

/// The corridor geometry shipped for the demo, parsed.
pub fn demo_corridor() -> Result<Arc<Corridor>, corridor_geo::GeoError> {
    Corridor::from_geojson_str(corridor_geo::BLACK_SEA_DEMO).map(Arc::new)
}
