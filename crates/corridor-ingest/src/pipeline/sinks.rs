//! The sinks: alerts stored then broadcast, positions stored in batches.

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

pub(super) async fn position_sink(mut rx: mpsc::Receiver<PositionMsg>, store: Arc<dyn TrackStore>) {
    // Whether every row since the last barrier was written.
    let mut all_stored = true;
    // Thinning runs on the feed's clock, so a replay runs it many times a
    // second: one INFO line a minute at most, with what was thinned since
    // (the interface check, session 19, saw 430 lines a minute).
    let mut thinned = 0u64;
    let mut said_at: Option<std::time::Instant> = None;
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
}
