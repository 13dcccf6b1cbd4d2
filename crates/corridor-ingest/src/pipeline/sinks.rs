//! The sinks: alerts stored then broadcast, positions stored in batches.

use std::sync::atomic::{AtomicU64, Ordering};

use super::*;

/// What the position sink does, in order.
#[derive(Debug)]
pub(super) enum PositionMsg {
    Rows(Vec<PositionRow>),
    /// Thin what is older than this (after every row sent before it is stored).
    Downsample(Timestamp, DownsampleConfig),
    /// Answered once every row sent before it is written: `true` when all of
    /// them were (see [`Settle`]).
    Stored(oneshot::Sender<bool>),
}

/// What the alert sink does, in order.
#[derive(Debug)]
pub(super) enum AlertMsg {
    Alert(Alert),
    /// Answered once every alert sent before it is stored: `true` when all
    /// of them were.
    Stored(oneshot::Sender<bool>),
}

/// `<run>:<id>`: an alert's key in the store.
pub(super) fn alert_key(run: &str, a: &Alert) -> String {
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
        body: a.to_json(),
    }
}

/// How soon alerts that could not be stored are tried again when no new
/// alert comes.
const ALERT_RETRY: Duration = Duration::from_secs(2);

pub(super) async fn alert_sink(
    mut rx: mpsc::Receiver<AlertMsg>,
    store: Option<Arc<dyn TrackStore>>,
    (live, alerts): (broadcast::Sender<LiveEvent>, broadcast::Sender<Arc<Alert>>),
    tap: Option<mpsc::Sender<Alert>>,
    run: String,
    (lost, final_tries): (Arc<Lost>, Duration),
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
                lost.alerts.fetch_add(1, Ordering::Relaxed);
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
    // The pipeline is ending: tried again for a while (the database may be
    // back in a moment), then what is still unstored is given up, and said.
    if let Some(s) = &store
        && !unstored.is_empty()
    {
        let deadline = tokio::time::Instant::now() + final_tries;
        let mut stored = false;
        while !stored && tokio::time::Instant::now() < deadline {
            stored = store_alerts(&**s, &mut unstored, 1).await;
            if !stored {
                tokio::time::sleep(FINAL_TRY_EVERY).await;
            }
        }
        if stored {
            to_broadcast.drain(..).for_each(broadcast);
        } else {
            lost.alerts
                .fetch_add(unstored.len() as u64, Ordering::Relaxed);
            metrics::counter!("corridor_ingest_alerts_given_up_total")
                .increment(unstored.len() as u64);
            tracing::error!(
                alerts = unstored.len(),
                "stopping with alerts that could not be stored: given up"
            );
        }
    }
}

/// How often a stopping pipeline tries again to store what it holds (for
/// `PipelineConfig::final_store_tries`).
const FINAL_TRY_EVERY: Duration = Duration::from_millis(500);

/// What the sinks gave up (could not store and no longer hold): a stopping
/// command reads it to say so and exit with a failure.
#[derive(Debug, Default)]
pub struct Lost {
    pub alerts: AtomicU64,
    pub positions: AtomicU64,
}

/// Positions held for another try while the store fails (about 50 MB):
/// beyond that the oldest are given up. A TCP or UDP feed cannot be asked
/// again, so this is all that stands between an outage and a lost track.
const MAX_UNSTORED_POSITIONS: usize = 1_000_000;

/// How soon positions that could not be stored are tried again when no new
/// rows come.
const POSITION_RETRY: Duration = Duration::from_secs(2);

/// Rows waiting to be stored, oldest batch first.
#[derive(Default)]
struct Waiting {
    batches: VecDeque<Vec<PositionRow>>,
    rows: usize,
    /// Rows given up since the last barrier (a barrier then answers `false`).
    given_up: bool,
}

impl Waiting {
    fn push(&mut self, rows: Vec<PositionRow>, lost: &Lost) {
        self.rows += rows.len();
        self.batches.push_back(rows);
        while self.rows > MAX_UNSTORED_POSITIONS {
            let Some(old) = self.batches.pop_front() else {
                break;
            };
            self.rows -= old.len();
            self.given_up = true;
            lost.positions
                .fetch_add(old.len() as u64, Ordering::Relaxed);
            metrics::counter!("corridor_ingest_positions_given_up_total")
                .increment(old.len() as u64);
            tracing::error!(
                rows = old.len(),
                "positions could not be stored and were given up"
            );
        }
    }

    /// Stores the waiting batches in order until one fails; `true` when
    /// none is left.
    async fn flush(&mut self, store: &dyn TrackStore, lost: &Lost) -> bool {
        while let Some(rows) = self.batches.front() {
            match store.insert_positions(rows).await {
                Ok(n) => {
                    metrics::counter!("corridor_positions_stored_total").increment(n);
                    self.rows -= rows.len();
                    self.batches.pop_front();
                }
                Err(e) if e.is_refused_data() => {
                    // Never stored however often tried: given up at once,
                    // or it would hold up every row behind it.
                    metrics::counter!("corridor_ingest_store_errors_total", "what" => "positions")
                        .increment(1);
                    metrics::counter!("corridor_ingest_positions_given_up_total")
                        .increment(rows.len() as u64);
                    tracing::error!(error = %e, rows = rows.len(), "positions refused by the database: given up");
                    lost.positions
                        .fetch_add(rows.len() as u64, Ordering::Relaxed);
                    self.rows -= rows.len();
                    self.given_up = true;
                    self.batches.pop_front();
                }
                Err(e) => {
                    metrics::counter!("corridor_ingest_store_errors_total", "what" => "positions")
                        .increment(1);
                    tracing::error!(error = %e, rows = rows.len(), waiting = self.rows, "storing positions failed: tried again");
                    return false;
                }
            }
        }
        true
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

pub(super) async fn position_sink(
    mut rx: mpsc::Receiver<PositionMsg>,
    store: Arc<dyn TrackStore>,
    (lost, final_tries): (Arc<Lost>, Duration),
) {
    // Rows not stored yet: tried again before newer ones, with the next
    // batch or after a while if none comes.
    let mut waiting = Waiting::default();
    let mut retry = tokio::time::interval(POSITION_RETRY);
    retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Thinning runs on the feed's clock, so a replay runs it many times a
    // second: one INFO line a minute at most, with what was thinned since
    // (the interface check, session 19, saw 430 lines a minute).
    let mut thinned = 0u64;
    let mut said_at: Option<std::time::Instant> = None;
    loop {
        let msg = tokio::select! {
            m = rx.recv() => match m {
                Some(m) => m,
                None => break,
            },
            _ = retry.tick(), if waiting.rows > 0 => {
                waiting.flush(&*store, &lost).await;
                continue;
            }
        };
        match msg {
            PositionMsg::Rows(rows) => {
                waiting.push(rows, &lost);
                waiting.flush(&*store, &lost).await;
            }
            PositionMsg::Stored(reply) => {
                let all = waiting.rows == 0 && !std::mem::take(&mut waiting.given_up);
                let _ = reply.send(all);
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
                        thinned += n;
                        if thinned > 0
                            && said_at.is_none_or(|t| t.elapsed() >= Duration::from_secs(60))
                        {
                            tracing::info!(%before, deleted = thinned, "old positions down-sampled");
                            thinned = 0;
                            said_at = Some(std::time::Instant::now());
                        } else {
                            tracing::debug!(%before, deleted = n, "old positions down-sampled");
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
    // Stopping: tried again for a while, then given up, and said.
    let deadline = tokio::time::Instant::now() + final_tries;
    while waiting.rows > 0 && tokio::time::Instant::now() < deadline {
        if !waiting.flush(&*store, &lost).await {
            tokio::time::sleep(FINAL_TRY_EVERY).await;
        }
    }
    if waiting.rows > 0 {
        lost.positions
            .fetch_add(waiting.rows as u64, Ordering::Relaxed);
        metrics::counter!("corridor_ingest_positions_given_up_total")
            .increment(waiting.rows as u64);
        tracing::error!(
            rows = waiting.rows,
            "stopping with positions that could not be stored: given up"
        );
    }
}
