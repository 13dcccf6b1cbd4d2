//! The NATS JetStream source: pulls, acknowledgements after the results
//! are stored, and fragments held until the rest of their message.

use super::*;

/// Acknowledgements a NATS source has in flight at once.
const ACKS_AT_ONCE: usize = 64;

/// Most bytes one NATS pull asks for (with at most 256 messages): memory
/// per pull stays bounded whatever the stream's message size, and no
/// message is too big for a pull (64 MiB is the most NATS allows one).
const MAX_PULL_BYTES: usize = 64 << 20;

/// Longest a NATS server may take to answer a new connection.
const CONNECT_WAIT: Duration = Duration::from_secs(10);

/// What becomes of a NATS message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AckOutcome {
    /// What it gave is stored: acknowledge it.
    Stored,
    /// What it gave could not be stored: again after [`REDELIVER_AFTER`].
    Failed,
    /// Stopped while its fragments waited for the rest of their message:
    /// again at once, so that it comes back ahead of the later messages
    /// that carry the rest.
    Unfinished,
}

/// Acknowledges a NATS message once every duty it has is done: what it
/// gave is stored (each message), and the multi-part AIS messages its
/// fragments started are complete and stored (only a message that carries
/// such fragments; see [`FRAGMENT_HOLD`]). Any duty that fails asks for the
/// message again at once; the rest then find it gone.
pub struct AckHandle(Arc<AckShared>);

pub(super) struct AckShared {
    msg: std::sync::Mutex<Option<async_nats::jetstream::Message>>,
    /// Duties not yet done; the last one done acknowledges.
    duties: AtomicUsize,
    tx: mpsc::Sender<(async_nats::jetstream::Message, AckOutcome)>,
}

impl std::fmt::Debug for AckHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AckHandle")
            .field("duties", &self.0.duties.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl AckHandle {
    /// A message with one duty: storing what it gave. It is in `in_flight`
    /// until its outcome is sent.
    pub(crate) fn new(
        msg: async_nats::jetstream::Message,
        tx: mpsc::Sender<(async_nats::jetstream::Message, AckOutcome)>,
        in_flight: &InFlight,
    ) -> Self {
        let shared = Arc::new(AckShared {
            msg: std::sync::Mutex::new(Some(msg)),
            duties: AtomicUsize::new(1),
            tx,
        });
        in_flight.add(&shared);
        AckHandle(shared)
    }

    /// One more duty for the same message, done or failed through the
    /// handle returned.
    pub(crate) fn another_duty(&self) -> AckHandle {
        self.0.duties.fetch_add(1, Ordering::AcqRel);
        AckHandle(Arc::clone(&self.0))
    }

    /// Whether this sent the message's answer (the first to answer does).
    async fn send(&self, outcome: AckOutcome) -> bool {
        let msg = match self.0.msg.lock() {
            Ok(mut m) => m.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        let Some(m) = msg else {
            return false;
        };
        // Bounded: backpressure on the source's ack task.
        let _ = self.0.tx.send((m, outcome)).await;
        true
    }

    /// This duty is done; the last one acknowledges the message.
    pub(crate) async fn done(self) {
        if self.0.duties.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.send(AckOutcome::Stored).await;
        }
    }

    /// This duty failed: the message is asked for again after
    /// [`REDELIVER_AFTER`]; whether this asked (a message with several
    /// duties is asked for once).
    pub(crate) async fn redeliver(self) -> bool {
        self.send(AckOutcome::Failed).await
    }

    /// Stopped before this duty could be done: asked for again at once.
    pub(crate) async fn unfinished(self) {
        self.send(AckOutcome::Unfinished).await;
    }
}

/// The NATS messages of one session delivered and not yet answered. While
/// the pipeline is busy (a slow store, another source keeping the monitor's
/// queue full) their acknowledgements can come later than the consumer's
/// ack wait, and JetStream would deliver them again; so they are reported
/// in progress (`+WPI`) three times per ack wait until answered.
#[derive(Clone, Default)]
pub(crate) struct InFlight(Arc<std::sync::Mutex<Vec<std::sync::Weak<AckShared>>>>);

impl InFlight {
    fn add(&self, shared: &Arc<AckShared>) {
        let mut v = self.0.lock().unwrap_or_else(|p| p.into_inner());
        v.push(Arc::downgrade(shared));
    }

    /// The messages still unanswered; forgets the rest.
    fn unanswered(&self) -> Vec<async_nats::jetstream::Message> {
        let mut out = Vec::new();
        let mut v = self.0.lock().unwrap_or_else(|p| p.into_inner());
        v.retain(|w| {
            let Some(shared) = w.upgrade() else {
                return false;
            };
            let m = shared.msg.lock().unwrap_or_else(|p| p.into_inner());
            match m.as_ref() {
                Some(m) => {
                    out.push(m.clone());
                    true
                }
                None => false,
            }
        });
        out
    }

    /// Reports every unanswered message in progress each `every`, for ever
    /// (the session aborts it).
    async fn keep_alive(self, every: Duration, tag: SourceTag) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            for m in self.unanswered() {
                if let Err(e) = m.ack_with(async_nats::jetstream::AckKind::Progress).await {
                    tag.emit(Event::Error {
                        what: "ack_progress",
                        error: &e.to_string(),
                    });
                }
            }
        }
    }
}

/// The JetStream consumer's settings.
#[derive(Debug, Clone)]
pub(crate) struct NatsSpec {
    pub url: String,
    pub stream: String,
    pub subject: String,
    pub durable: String,
}

/// Reads the durable until `cancel`, reconnecting with backoff.
/// `caught_up`, given when the durable has a backlog to replay, is
/// cancelled once the source has pulled to the stream's end (or when the
/// source ends): live sources wait for it (open finding 48).
pub(crate) async fn nats(
    spec: NatsSpec,
    tag: SourceTag,
    limits: SourceLimits,
    tx: mpsc::Sender<Batch>,
    cancel: CancellationToken,
    caught_up: Option<CancellationToken>,
) {
    let _ended = caught_up.clone().map(CancellationToken::drop_guard);
    let mut backoff = Backoff::new(&limits);
    loop {
        // Set once the consumer is ready: connecting is not holding.
        let mut opened = None;
        let session = Session {
            tx: &tx,
            cancel: &cancel,
            caught_up: caught_up.as_ref(),
        };
        match nats_session(&spec, &tag, &limits, session, &mut opened).await {
            Ok(()) => return,
            Err(e) => tag.emit(Event::Error {
                what: "nats",
                error: &e,
            }),
        }
        let held = opened.map_or(Duration::ZERO, |t: tokio::time::Instant| t.elapsed());
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(backoff.after(held)) => {}
        }
    }
}

/// Where a session's reports go and what it answers to.
#[derive(Clone, Copy)]
struct Session<'a> {
    tx: &'a mpsc::Sender<Batch>,
    cancel: &'a CancellationToken,
    caught_up: Option<&'a CancellationToken>,
}

async fn nats_session(
    spec: &NatsSpec,
    tag: &SourceTag,
    limits: &SourceLimits,
    Session {
        tx,
        cancel,
        caught_up,
    }: Session<'_>,
    opened: &mut Option<tokio::time::Instant>,
) -> Result<(), String> {
    use async_nats::jetstream::{self, consumer};
    use futures_util::StreamExt;

    // A server that takes the connection and never speaks (another
    // service on the port, a proxy with nothing behind it) holds
    // `async_nats::connect` for ever: bounded, and given up at a stop.
    let client = tokio::select! {
        c = tokio::time::timeout(CONNECT_WAIT, async_nats::connect(&spec.url)) => match c {
            Ok(c) => c.map_err(|e| e.to_string())?,
            Err(_) => {
                return Err(format!(
                    "the server took the connection but did not answer within {} s",
                    CONNECT_WAIT.as_secs()
                ));
            }
        },
        () = cancel.cancelled() => return Ok(()),
    };
    let js = jetstream::new(client.clone());
    let stream = js
        .get_or_create_stream(jetstream::stream::Config {
            name: spec.stream.clone(),
            subjects: vec![spec.subject.clone()],
            ..Default::default()
        })
        .await
        .map_err(|e| e.to_string())?;
    // Changed since the start's check (or the server was not asked then).
    let subjects = &stream.cached_info().config.subjects;
    super::nats_start::check_names(spec, subjects, None)?;
    let consumer: consumer::PullConsumer = stream
        .get_or_create_consumer(
            &spec.durable,
            consumer::pull::Config {
                durable_name: Some(spec.durable.clone()),
                ack_policy: consumer::AckPolicy::Explicit,
                filter_subject: spec.subject.clone(),
                ack_wait: Duration::from_secs(30),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| e.to_string())?;
    super::nats_start::check_names(
        spec,
        subjects,
        Some(&super::nats_start::durable_reads(consumer.cached_info())),
    )?;
    *opened = Some(tokio::time::Instant::now());
    let (ack_tx, mut ack_rx) = mpsc::channel::<(jetstream::Message, AckOutcome)>(1024);
    // The ack wait of the consumer as it is (an operator may have made it).
    let ack_wait = consumer.cached_info().config.ack_wait;
    let in_flight = InFlight::default();
    let keep_alive = tokio::spawn(
        in_flight
            .clone()
            .keep_alive((ack_wait / 3).max(Duration::from_millis(100)), tag.clone()),
    );
    let ack_tag = tag.clone();
    // Acks run on their own task so the monitor never waits on the network.
    // Up to ACKS_AT_ONCE acknowledgements in flight: each waits a round trip
    // for the server's confirmation, so one at a time would cap the feed at
    // one message per round trip.
    let acker = tokio::spawn(async move {
        let slots = Arc::new(Semaphore::new(ACKS_AT_ONCE));
        while let Some((m, outcome)) = ack_rx.recv().await {
            let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
                break;
            };
            let tag = ack_tag.clone();
            tokio::spawn(async move {
                // double_ack waits for the server's confirmation: once this returns the message will not come again.
                let r = match outcome {
                    AckOutcome::Stored => m.double_ack().await,
                    AckOutcome::Failed => {
                        m.ack_with(jetstream::AckKind::Nak(Some(REDELIVER_AFTER)))
                            .await
                    }
                    // Without a delay it goes to the consumer's redelivery
                    // queue, which is served before new messages.
                    AckOutcome::Unfinished => m.ack_with(jetstream::AckKind::Nak(None)).await,
                };
                if let Err(e) = r {
                    tag.emit(Event::Error {
                        what: "ack",
                        error: &e.to_string(),
                    });
                }
                drop(slot);
            });
        }
        // Every acknowledgement sent before the session ends.
        let all = u32::try_from(ACKS_AT_ONCE).unwrap_or(u32::MAX);
        let _ = slots.acquire_many(all).await;
    });
    tag.emit(Event::Connection { open: true });
    let mut stage = DecodeStage::new(tag.clone(), true);
    let mut held = HeldFragments::default();
    // Bounded pulls, each consumed to its end before looking at `cancel`: every
    // message the server delivered goes downstream (and is acked after
    // processing), so a stop never strands delivered-but-unacked messages
    // until the ack wait runs out.
    let result = 'outer: loop {
        if cancel.is_cancelled() {
            break Ok(());
        }
        let mut batch = match consumer
            .batch()
            .max_messages(256)
            .max_bytes(MAX_PULL_BYTES)
            .expires(Duration::from_millis(500))
            .messages()
            .await
        {
            Ok(b) => b,
            Err(e) => break Err(e.to_string()),
        };
        // The whole pull first, each message in `in_flight` at once: the
        // server started their ack wait when it sent them, so every one is
        // reported in progress while the ones before it wait downstream
        // (and none is left unread when the pull's stream ends). On a quiet
        // feed a message so waits up to the pull's 500 ms.
        let mut pulled = Vec::new();
        // The stream's messages after the pull's last (none pulled: none).
        let mut behind = 0;
        while let Some(next) = batch.next().await {
            match next {
                Err(e) => tag.emit(Event::Error {
                    what: "nats_message",
                    error: &e.to_string(),
                }),
                Ok(msg) => {
                    tag.emit(Event::Received {
                        messages: 1,
                        bytes: msg.payload.len() as u64,
                    });
                    behind = msg.info().map_or(behind, |i| i.pending);
                    let payload = msg.payload.clone();
                    pulled.push((payload, AckHandle::new(msg, ack_tx.clone(), &in_flight)));
                }
            }
        }
        let mut pulled = pulled.into_iter();
        while let Some((payload, ack)) = pulled.next() {
            let first_line = stage.decoder.lines_fed() + 1;
            for line in payload.split(|b| *b == b'\n') {
                if line.len() > limits.max_line {
                    tag.emit(Event::Dropped {
                        count: 1,
                        reason: "line_too_long",
                    });
                } else if !line.is_empty() {
                    stage.line(line);
                }
            }
            let lines = first_line..=stage.decoder.lines_fed();
            // The holds this message's lines ended (their rest came with it,
            // or they were dropped) are done once its reports are stored.
            let mut acks = held.after_message(&stage.decoder, lines, &ack);
            acks.push(ack);
            if stage.flush(tx, acks).await.is_err() {
                // The pipeline is gone: the rest of the pull comes again at once.
                for (_, rest) in pulled {
                    rest.unfinished().await;
                }
                break 'outer Ok(());
            }
        }
        let aged = held.aged();
        if !aged.is_empty() && stage.flush(tx, aged).await.is_err() {
            break 'outer Ok(());
        }
        // What the stream held is downstream: live sources may join.
        if behind == 0
            && let Some(c) = caught_up
        {
            c.cancel();
        }
    };
    // Stopped while fragments wait: those messages come again first next time.
    for duty in held.stop() {
        duty.unfinished().await;
    }
    tag.emit(Event::Connection { open: false });
    drop(ack_tx);
    // Whatever is still downstream holds its own ack sender: the acker ends when the last is processed.
    let _ = acker.await;
    keep_alive.abort();
    // A negative acknowledgement is not confirmed by the server: send it before the connection goes.
    let _ = client.flush().await;
    result
}

/// NATS messages whose AIS fragments wait in the decoder for the rest of
/// their multi-part message: each holds one duty of its message's
/// acknowledgement, so a stop before the rest comes asks for the message
/// again instead of losing the parts it carried. Bounded by the decoder's
/// open groups (each held message has a waiting part) and by
/// [`FRAGMENT_HOLD`].
#[derive(Default)]
struct HeldFragments {
    /// In the order the messages came: (their lines, since, the duty).
    held: Vec<(
        std::ops::RangeInclusive<u64>,
        tokio::time::Instant,
        AckHandle,
    )>,
}

impl HeldFragments {
    /// After a message's `lines` were fed to `decoder`: holds `ack` if a
    /// part of those lines waits, and returns the duties of earlier
    /// messages whose parts no longer wait (or that waited too long).
    fn after_message(
        &mut self,
        decoder: &Decoder,
        lines: std::ops::RangeInclusive<u64>,
        ack: &AckHandle,
    ) -> Vec<AckHandle> {
        if self.held.is_empty() && decoder.open_groups() == 0 {
            return Vec::new();
        }
        let mut waiting: Vec<u64> = decoder.waiting_lines().collect();
        waiting.sort_unstable();
        let carries = |r: &std::ops::RangeInclusive<u64>| {
            let i = waiting.partition_point(|l| l < r.start());
            waiting.get(i).is_some_and(|l| r.contains(l))
        };
        let now = tokio::time::Instant::now();
        let (keep, done): (Vec<_>, Vec<_>) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|(r, since, _)| carries(r) && now.duration_since(*since) < FRAGMENT_HOLD);
        self.held = keep;
        if carries(&lines) {
            self.held.push((lines, now, ack.another_duty()));
        }
        done.into_iter().map(|(_, _, duty)| duty).collect()
    }

    /// Duties held longer than [`FRAGMENT_HOLD`], taken out.
    fn aged(&mut self) -> Vec<AckHandle> {
        let now = tokio::time::Instant::now();
        let (keep, done): (Vec<_>, Vec<_>) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|(_, since, _)| now.duration_since(*since) < FRAGMENT_HOLD);
        self.held = keep;
        done.into_iter().map(|(_, _, duty)| duty).collect()
    }

    /// Every duty still held.
    fn stop(&mut self) -> Vec<AckHandle> {
        self.held.drain(..).map(|(_, _, duty)| duty).collect()
    }
}
