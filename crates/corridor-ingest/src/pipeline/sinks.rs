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
            // A stop (the channel closed) goes first: a retry due at the
            // same moment would otherwise win half the time, and each one
            // against a database that does not answer takes `STORE_TRY`.
            biased;
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
            // Timed out: kept, tried again with the next batch or tick.
            let _ = tokio::time::timeout(STORE_TRY, store_alerts(&**s, &mut unstored, 3)).await;
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
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if stored || left.is_zero() {
                break;
            }
            // Each try bounded by the time left, so the stop ends on time.
            let limit = left.min(RETRY_ATTEMPT);
            stored = tokio::time::timeout(limit, store_alerts(&**s, &mut unstored, 1))
                .await
                .unwrap_or(false);
            if !stored {
                tokio::time::sleep(FINAL_TRY_EVERY.min(left)).await;
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

/// Positions held for another try while the store fails (about 100 MB
/// with their keys):
/// beyond that the oldest are given up. A TCP or UDP feed cannot be asked
/// again, so this is all that stands between an outage and a lost track.
const MAX_UNSTORED_POSITIONS: usize = 1_000_000;

/// How soon positions that could not be stored are tried again.
const POSITION_RETRY: Duration = Duration::from_secs(2);

/// How long a first try at storing a batch may take before it counts as
/// failed (kept to try again): a PostgreSQL server gone without a word
/// would otherwise hold the sink, and a stop, for as long as TCP takes to
/// notice. Longer than SQLite's 10 s busy timeout, so a write lock held
/// elsewhere fails as busy first. With the stop's own tries after it, a
/// stop still ends inside the commands' 30 s drain limit.
const STORE_TRY: Duration = Duration::from_secs(12);

/// How long one try at storing waiting positions may take: a database
/// that does not answer (each connection attempt waits out the pool's
/// timeout) must not stop the sink taking new rows for long, nor a stop
/// from ending on time.
const RETRY_ATTEMPT: Duration = Duration::from_secs(5);

/// A position's identity in the store (the table's key).
fn row_key(r: &PositionRow) -> (u32, Timestamp) {
    (r.mmsi, r.time)
}

/// Rows waiting to be stored, oldest batch first.
#[derive(Default)]
struct Waiting {
    batches: VecDeque<Vec<PositionRow>>,
    rows: usize,
    /// The keys of the rows waiting: a NATS message left unacknowledged
    /// during an outage comes again, and its rows must not wait twice
    /// (they would crowd out rows no source can send again).
    keys: std::collections::HashSet<(u32, Timestamp)>,
    /// Rows given up for room since the last barrier (a barrier then
    /// answers `false`, so a NATS message that gave them comes again).
    given_up: bool,
    /// After a failed try: no other before this.
    retry_at: Option<tokio::time::Instant>,
}

impl Waiting {
    fn push(&mut self, mut rows: Vec<PositionRow>, lost: &Lost) {
        if !self.keys.is_empty() {
            rows.retain(|r| !self.keys.contains(&row_key(r)));
        }
        if rows.is_empty() {
            return;
        }
        self.keys.extend(rows.iter().map(row_key));
        self.rows += rows.len();
        self.batches.push_back(rows);
        while self.rows > MAX_UNSTORED_POSITIONS {
            let Some(old) = self.batches.pop_front() else {
                break;
            };
            self.forget(&old);
            self.given_up = true;
            Self::give_up(
                &old,
                lost,
                "positions could not be stored and were given up",
            );
        }
    }

    fn forget(&mut self, rows: &[PositionRow]) {
        self.rows -= rows.len();
        for r in rows {
            self.keys.remove(&row_key(r));
        }
    }

    fn give_up(rows: &[PositionRow], lost: &Lost, why: &str) {
        lost.positions
            .fetch_add(rows.len() as u64, Ordering::Relaxed);
        metrics::counter!("corridor_ingest_positions_given_up_total").increment(rows.len() as u64);
        tracing::error!(rows = rows.len(), "{why}");
    }

    /// Whether a try is due (none failed lately, or the wait is over).
    fn due(&self) -> bool {
        self.retry_at
            .is_none_or(|t| tokio::time::Instant::now() >= t)
    }

    /// Stores the waiting batches in order until one fails (then the next
    /// try waits [`POSITION_RETRY`]) or `deadline` passes; `true` when none
    /// is left. A try after a failure, or with a deadline, is bounded
    /// ([`RETRY_ATTEMPT`], and the time left). Rows the database refuses as
    /// values are found by halving the batch and given up (the rest is
    /// stored): trying them again could never help, and a NATS message
    /// that gave them is acknowledged rather than sent again for ever.
    async fn flush(
        &mut self,
        store: &dyn TrackStore,
        lost: &Lost,
        deadline: Option<tokio::time::Instant>,
    ) -> bool {
        let limit = |retrying: bool| {
            let left = deadline.map(|d| d.saturating_duration_since(tokio::time::Instant::now()));
            match (retrying, left) {
                (_, Some(l)) => l.min(RETRY_ATTEMPT),
                (true, None) => RETRY_ATTEMPT,
                (false, None) => STORE_TRY,
            }
        };
        // Parts of the front batch still to store, in order.
        while let Some(rows) = self.batches.pop_front() {
            let mut parts = VecDeque::from([rows]);
            while let Some(part) = parts.pop_front() {
                if limit(true).is_zero() {
                    parts.push_front(part);
                    break;
                }
                match attempt(store, &part, limit(self.retry_at.is_some())).await {
                    Ok(()) => {
                        self.forget(&part);
                        self.retry_at = None;
                    }
                    Err(Some(e)) if e.is_refused_data() => {
                        metrics::counter!("corridor_ingest_store_errors_total", "what" => "positions")
                            .increment(1);
                        if part.len() == 1 {
                            self.forget(&part);
                            tracing::warn!(error = %e, "a position the database refused");
                            Self::give_up(
                                &part,
                                lost,
                                "a position the database refused was given up",
                            );
                        } else {
                            let (a, b) = part.split_at(part.len() / 2);
                            parts.push_front(b.to_vec());
                            parts.push_front(a.to_vec());
                        }
                    }
                    Err(e) => {
                        metrics::counter!("corridor_ingest_store_errors_total", "what" => "positions")
                            .increment(1);
                        let error =
                            e.map_or_else(|| "no answer in time".to_string(), |e| e.to_string());
                        tracing::error!(%error, rows = part.len(), waiting = self.rows, "storing positions failed: tried again");
                        parts.push_front(part);
                        self.retry_at = Some(tokio::time::Instant::now() + POSITION_RETRY);
                        break;
                    }
                }
            }
            if !parts.is_empty() {
                let rest: Vec<PositionRow> = parts.into_iter().flatten().collect();
                self.batches.push_front(rest);
                return false;
            }
        }
        true
    }
}

/// One insert, within `limit` (`Err(None)`: it ran out).
async fn attempt(
    store: &dyn TrackStore,
    rows: &[PositionRow],
    limit: Duration,
) -> Result<(), Option<corridor_store::StoreError>> {
    let done = tokio::time::timeout(limit, store.insert_positions(rows))
        .await
        .map_err(|_| None)?;
    match done {
        Ok(n) => {
            metrics::counter!("corridor_positions_stored_total").increment(n);
            Ok(())
        }
        Err(e) => Err(Some(e)),
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
    // Thinning runs on the feed's clock, so a replay runs it many times a
    // second: one INFO line a minute at most, with what was thinned since
    // (the interface check, session 19, saw 430 lines a minute).
    let mut thinned = 0u64;
    let mut said_at: Option<std::time::Instant> = None;
    loop {
        let msg = tokio::select! {
            // A stop first, as in the alert sink.
            biased;
            m = rx.recv() => match m {
                Some(m) => m,
                None => break,
            },
            // The next try when it is due (a guard alone would be read
            // once, and a quiet feed would then leave the rows waiting).
            () = tokio::time::sleep_until(waiting.retry_at.unwrap_or_else(tokio::time::Instant::now)), if waiting.rows > 0 => {
                waiting.flush(&*store, &lost, None).await;
                continue;
            }
        };
        match msg {
            PositionMsg::Rows(rows) => {
                waiting.push(rows, &lost);
                // While failing, new rows wait for the next try: the sink
                // keeps taking them instead of trying on every batch.
                if waiting.due() {
                    waiting.flush(&*store, &lost, None).await;
                }
            }
            PositionMsg::Stored(reply) => {
                let all = waiting.rows == 0 && !std::mem::take(&mut waiting.given_up);
                let _ = reply.send(all);
            }
            // Rows wait to be stored: thinning waits for a later turn (it
            // would find the database failing too).
            PositionMsg::Downsample(..) if waiting.rows > 0 => {}
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
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if waiting.rows == 0 || left.is_zero() {
            break;
        }
        // Every try bounded by the time left, so the stop ends on time.
        if !waiting.flush(&*store, &lost, Some(deadline)).await {
            tokio::time::sleep(FINAL_TRY_EVERY.min(left)).await;
        }
    }
    if waiting.rows > 0 {
        let all: Vec<PositionRow> = waiting.batches.drain(..).flatten().collect();
        Waiting::give_up(
            &all,
            &lost,
            "stopping with positions that could not be stored: given up",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(mmsi: u32, s: i64) -> PositionRow {
        PositionRow {
            mmsi,
            time: Timestamp::from_second(1_700_000_000 + s).expect("time"),
            lat: 43.0,
            lon: 34.0,
            sog: None,
            cog: None,
            heading: None,
            nav_status: 0,
        }
    }

    /// A review of the first version: every redelivery of an
    /// unacknowledged NATS message during an outage queued its rows again,
    /// crowding out rows no source can send again and counting each copy
    /// as given up.
    #[test]
    fn rows_sent_again_wait_once() {
        let lost = Lost::default();
        let mut w = Waiting::default();
        w.push(vec![row(1, 0), row(1, 10)], &lost);
        w.push(vec![row(1, 10), row(2, 0)], &lost);
        w.push(vec![row(1, 0)], &lost);
        assert_eq!(w.rows, 3);
        assert_eq!(w.batches.len(), 2);
        let first = w.batches.pop_front().expect("a batch");
        w.forget(&first);
        // Stored, so no longer waiting: the same row may wait again.
        w.push(vec![row(1, 0)], &lost);
        assert_eq!(w.rows, 2);
        assert!(!w.given_up);
        assert_eq!(lost.positions.load(Ordering::Relaxed), 0);
    }

    /// A review of the first version: a batch the database refused was
    /// searched one row at a time (20,000 tries for a batch). Halving
    /// finds the one bad row and stores the rest. (PostgreSQL: SQLite's
    /// insert skips rows it would refuse.)
    #[tokio::test]
    async fn the_row_the_database_refuses_is_found_and_the_rest_stored() {
        use sqlx::Connection as _;
        let url = std::env::var("CORRIDOR_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let required = std::env::var("CORRIDOR_REQUIRE_POSTGRES").as_deref() == Ok("1");
        let schema = format!("t_refused_{}", std::process::id());
        let store = match corridor_store::PgTrackStore::connect_in_schema(&url, &schema).await {
            Ok(s) => s,
            Err(e) if !required => return eprintln!("note: PostgreSQL test skipped: {e}"),
            Err(e) => panic!("PostgreSQL required but unavailable: {e}"),
        };
        let mut admin = sqlx::PgConnection::connect(&url).await.expect("admin");
        for sql in [
            format!(
                "CREATE FUNCTION {schema}.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN IF NEW.lat > 90 THEN RAISE EXCEPTION 'latitude out of range' \
                 USING ERRCODE = '22003'; END IF; RETURN NEW; END $$"
            ),
            format!(
                "CREATE TRIGGER refuse BEFORE INSERT ON {schema}.track_positions \
                 FOR EACH ROW EXECUTE FUNCTION {schema}.refuse()"
            ),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut admin)
                .await
                .expect("trigger");
        }
        let lost = Lost::default();
        let mut w = Waiting::default();
        let mut rows: Vec<PositionRow> = (0..100).map(|s| row(7, s)).collect();
        rows[61].lat = 91.0;
        w.push(rows, &lost);
        assert!(w.flush(&store, &lost, None).await);
        assert_eq!(lost.positions.load(Ordering::Relaxed), 1);
        assert_eq!((w.rows, w.keys.len(), w.given_up), (0, 0, false));
        let stored = store
            .track(7, Timestamp::MIN, Timestamp::MAX, 1000)
            .await
            .expect("track");
        assert_eq!(stored.len(), 99);
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&mut admin)
            .await
            .expect("drop");
    }
}
