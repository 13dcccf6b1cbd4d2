//! The monitor's task: its clock, the batches it applies, what it sends
//! the sinks and when it settles, and its answers to the live queries.

use super::*;

/// The pipeline's clock (see [`ClockMode`]).
#[derive(Debug)]
pub(super) struct Clock {
    pub(super) mode: ClockMode,
    /// Live: the latest event time and the (tokio) instant it was seen.
    pub(super) anchor: Option<(Timestamp, tokio::time::Instant)>,
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
            // As an f32, serialized as reported (an f64 from it reads 12.100000381469727).
            speed_kn: e.speed_kn as f32,
            at: e.at,
        })
    });
    // A vessel placed where a previous run last heard it, not heard
    // since: shown there, as of then (open finding 40).
    let shown = v.last_known();
    LiveVessel {
        mmsi: v.mmsi,
        imo: v.imo,
        name: v.name.as_deref().map(str::to_string),
        callsign: v.callsign.as_deref().map(str::to_string),
        ship_type: v.ship_type,
        registered: v.registered.is_some(),
        lat: shown.map(|f| f.pos.lat),
        lon: shown.map(|f| f.pos.lon),
        sog: shown.and_then(|f| f.sog_kn),
        cog: shown.and_then(|f| f.cog_deg),
        heading: shown.and_then(|f| f.heading_deg),
        nav_status: shown.map(|f| f.nav_status.0),
        state: v.zone,
        area,
        last_seen: v.last_heard(),
        eta,
    }
}

/// Where the monitor task's output goes.
pub(super) struct Sinks {
    pub(super) alerts: mpsc::Sender<AlertMsg>,
    pub(super) positions: Option<mpsc::Sender<PositionMsg>>,
    pub(super) live: broadcast::Sender<LiveEvent>,
}

/// The clock and what runs on it.
pub(super) struct Schedule {
    pub(super) clock: Clock,
    pub(super) tick: Duration,
    pub(super) downsample: Option<DownsampleConfig>,
    pub(super) last_downsample: Option<Timestamp>,
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
pub(super) struct Settle {
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
                // Counted per message, not per duty (a message holding
                // fragments has several).
                let mut asked = 0u64;
                for a in acks {
                    asked += u64::from(a.redeliver().await);
                }
                metrics::counter!("corridor_ingest_redelivered_total").increment(asked);
                tracing::warn!(
                    messages = asked,
                    "what these messages gave was not stored: the stream redelivers them"
                );
            }
        });
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn monitor_task(
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
                Some(q) => answer(&mut m, q, alert_count),
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
                Some(q) => answer(&mut m, q, alert_count),
                None => queries_open = false,
            },
        }
    }
}

fn answer(m: &mut Monitor, q: Query, alert_count: u64) {
    match q {
        Query::Register(vessels) => {
            for v in vessels {
                m.register(v);
            }
        }
        Query::InspectionsDue(due) => m.set_inspections_due(due),
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
