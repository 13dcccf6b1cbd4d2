//! Sources: bytes from the outside world → decoded reports in bounded batches.
//!
//! Every source owns its decode stage (decoder, reassembly, type 24 merge),
//! so fragments are never joined across sources or connections. Lines are
//! capped at `max_line` bytes: a longer line is counted and skipped up to
//! its newline, so a 10 MB line without a newline costs a bounded buffer.
//! A source's failure (I/O error, garbage, a slow or vanishing peer) is
//! counted on that source and never stops the process or another source.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use corridor_ais::Decoder;
use corridor_track::Report;
use jiff::Timestamp;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, BufReader};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use crate::adapter::Adapter;
use crate::events::{Event, SourceTag};

/// Where reports come from.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceSpec {
    /// Connect to an NMEA server (AIS-catcher, a gpsd relay); reconnect with backoff.
    TcpClient { addr: String },
    /// Accept receivers' connections.
    TcpServer { addr: SocketAddr },
    /// Datagrams, one or more lines each.
    Udp { addr: SocketAddr },
    /// Replay a recorded feed: as fast as possible (`speed: None`) or at
    /// real time × `speed` using the tag-block `c:` times.
    File { path: PathBuf, speed: Option<f64> },
    /// A NATS JetStream subject, consumed by a durable pull consumer with
    /// explicit acks sent after the monitor has processed each message.
    Nats {
        url: String,
        stream: String,
        subject: String,
        durable: String,
    },
}

impl SourceSpec {
    /// Parses `tcp-client:HOST:PORT`, `tcp-server:ADDR`, `udp:ADDR`,
    /// `file:PATH[@SPEED]`, `nats:URL|STREAM|SUBJECT|DURABLE`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let (kind, rest) = s
            .split_once(':')
            .ok_or_else(|| format!("{s:?}: expected KIND:ADDRESS"))?;
        let addr = |a: &str| a.parse::<SocketAddr>().map_err(|e| format!("{s:?}: {e}"));
        match kind {
            "tcp-client" | "tcp" => Ok(Self::TcpClient {
                addr: rest.to_string(),
            }),
            "tcp-server" => Ok(Self::TcpServer { addr: addr(rest)? }),
            "udp" => Ok(Self::Udp { addr: addr(rest)? }),
            "file" => match rest.rsplit_once('@') {
                Some((p, sp)) => {
                    let speed: f64 = sp.parse().map_err(|e| format!("{s:?}: speed: {e}"))?;
                    Ok(Self::File {
                        path: p.into(),
                        speed: (speed > 0.0).then_some(speed),
                    })
                }
                None => Ok(Self::File {
                    path: rest.into(),
                    speed: None,
                }),
            },
            "nats" => {
                let parts: Vec<&str> = rest.split('|').collect();
                match parts.as_slice() {
                    [url, stream, subject, durable] => Ok(Self::Nats {
                        url: (*url).to_string(),
                        stream: (*stream).to_string(),
                        subject: (*subject).to_string(),
                        durable: (*durable).to_string(),
                    }),
                    _ => Err(format!("{s:?}: expected nats:URL|STREAM|SUBJECT|DURABLE")),
                }
            }
            _ => Err(format!("{s:?}: unknown source kind {kind:?}")),
        }
    }

    /// A name for metrics and logs.
    pub fn name(&self) -> String {
        match self {
            Self::TcpClient { addr } => format!("tcp-client:{addr}"),
            Self::TcpServer { addr } => format!("tcp-server:{addr}"),
            Self::Udp { addr } => format!("udp:{addr}"),
            Self::File { path, .. } => format!("file:{}", path.display()),
            Self::Nats {
                subject, durable, ..
            } => format!("nats:{subject}/{durable}"),
        }
    }
}

/// Limits every source obeys.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SourceLimits {
    /// Longest accepted line, bytes (NMEA allows 82; tag blocks and
    /// receiver metadata make real lines longer).
    pub max_line: usize,
    /// Reports per batch sent downstream.
    pub batch: usize,
    /// Concurrent connections per TCP server.
    pub max_connections: usize,
    /// Reconnect backoff bounds for TCP clients and NATS sessions.
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// A TCP connection that sends nothing for this long is closed: a
    /// half-open client connection (the upstream host gone without a word)
    /// reconnects, and a silent peer frees its server slot.
    pub idle: Duration,
}

impl Default for SourceLimits {
    fn default() -> Self {
        Self {
            max_line: 4096,
            batch: 256,
            max_connections: 256,
            backoff_min: Duration::from_millis(200),
            backoff_max: Duration::from_secs(30),
            idle: Duration::from_secs(300),
        }
    }
}

/// Senders a UDP source keeps a decoder for (see `udp`).
const MAX_UDP_SENDERS: usize = 64;

/// How long a connection (a TCP client's, a NATS session) must have
/// lasted for its reconnect backoff to start again from the minimum.
const STABLE_CONNECTION: Duration = Duration::from_secs(30);

/// The wait before reconnecting: doubling from `backoff_min` to
/// `backoff_max` while connections fail, back to the minimum after one
/// that held for [`STABLE_CONNECTION`]. A peer that accepts and closes at
/// once is not redialled several times a second for ever, and one that
/// fails now and then over weeks is not waited for the maximum each time
/// (the NATS source never started again from the minimum: code review,
/// session 19).
#[derive(Debug)]
struct Backoff {
    next: Duration,
    min: Duration,
    max: Duration,
}

impl Backoff {
    fn new(limits: &SourceLimits) -> Self {
        Backoff {
            next: limits.backoff_min,
            min: limits.backoff_min,
            max: limits.backoff_max.max(limits.backoff_min),
        }
    }

    /// The wait after a connection that lasted `held` (zero when it never
    /// opened).
    fn after(&mut self, held: Duration) -> Duration {
        if held >= STABLE_CONNECTION {
            self.next = self.min;
        }
        let wait = self.next;
        self.next = self.next.saturating_mul(2).min(self.max);
        wait
    }
}

/// Acknowledgements a NATS source has in flight at once.
const ACKS_AT_ONCE: usize = 64;

/// Most bytes one NATS pull asks for (with at most 256 messages): memory
/// per pull stays bounded whatever the stream's message size, and no
/// message is too big for a pull (64 MiB is the most NATS allows one).
const MAX_PULL_BYTES: usize = 64 << 20;

/// The longest jump in a paced replay's time that is waited for (see
/// `file`).
const MAX_PACED_JUMP: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

/// How long JetStream waits before redelivering a message whose results
/// could not be stored (a negative acknowledgement with this delay).
pub const REDELIVER_AFTER: Duration = Duration::from_secs(5);

/// How long a NATS message whose AIS fragments wait for the rest of their
/// message stays unacknowledged for them (the parts of one message are sent
/// in consecutive slots, so the rest comes within seconds or not at all).
/// Then it is acknowledged once its own reports are stored, as any other,
/// and the waiting parts stay with the decoder: only the safety across a
/// stop is given up, well inside the consumer's 30 s ack wait.
pub const FRAGMENT_HOLD: Duration = Duration::from_secs(10);

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

struct AckShared {
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

    async fn send(&self, outcome: AckOutcome) {
        let msg = match self.0.msg.lock() {
            Ok(mut m) => m.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(m) = msg {
            // Bounded: backpressure on the source's ack task.
            let _ = self.0.tx.send((m, outcome)).await;
        }
    }

    /// This duty is done; the last one acknowledges the message.
    pub(crate) async fn done(self) {
        if self.0.duties.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.send(AckOutcome::Stored).await;
        }
    }

    /// This duty failed: the message is asked for again after [`REDELIVER_AFTER`].
    pub(crate) async fn redeliver(self) {
        self.send(AckOutcome::Failed).await;
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

/// What sources send downstream.
#[derive(Debug)]
pub struct Batch {
    pub reports: Vec<Report>,
    /// Duties of NATS messages, done once this batch's reports (and all
    /// before them) are stored; empty for other sources.
    pub acks: Vec<AckHandle>,
}

/// Decoder + adapter of one source or connection.
pub(crate) struct DecodeStage {
    tag: SourceTag,
    decoder: Decoder,
    adapter: Adapter,
    seen_bad: u64,
    seen_dropped: u64,
    /// Messages that would have given a report but carry no time (and the
    /// source has no wall-clock fallback), not yet counted.
    untimed: u64,
    pub(crate) out: Vec<Report>,
    /// Reports without a tag-block time get the wall clock (live feeds).
    wall_clock_fallback: bool,
}

impl DecodeStage {
    pub(crate) fn new(tag: SourceTag, wall_clock_fallback: bool) -> Self {
        Self {
            tag,
            decoder: Decoder::default(),
            adapter: Adapter::new(),
            seen_bad: 0,
            seen_dropped: 0,
            untimed: 0,
            out: Vec::new(),
            wall_clock_fallback,
        }
    }

    pub(crate) fn line(&mut self, line: &[u8]) {
        let fallback = self.wall_clock_fallback.then(Timestamp::now);
        let (adapter, out, untimed) = (&mut self.adapter, &mut self.out, &mut self.untimed);
        self.decoder.feed_line(line, |d| {
            if let Some(r) = adapter.adapt(&d, fallback) {
                out.push(r);
            } else if fallback.is_none()
                && d.time_millis().is_none()
                && adapter
                    .adapt_message(&d.message, Timestamp::UNIX_EPOCH)
                    .is_some()
            {
                // A replay cannot place it in time: dropped, and said so.
                *untimed += 1;
            }
        });
    }

    /// Emits the decoder's new rejections and drops as events.
    pub(crate) fn account(&mut self) {
        let s = self.decoder.stats();
        let (bad, dropped) = (s.rejected_total(), s.dropped_total());
        if bad > self.seen_bad {
            self.tag.emit(Event::BadSentences {
                count: bad - self.seen_bad,
            });
            self.seen_bad = bad;
        }
        if dropped > self.seen_dropped {
            self.tag.emit(Event::Dropped {
                count: dropped - self.seen_dropped,
                reason: "fragment",
            });
            self.seen_dropped = dropped;
        }
        if self.untimed > 0 {
            self.tag.emit(Event::Dropped {
                count: std::mem::take(&mut self.untimed),
                reason: "untimed",
            });
        }
    }

    /// Sends what is decoded so far (waits while downstream is full).
    pub(crate) async fn flush(
        &mut self,
        tx: &mpsc::Sender<Batch>,
        acks: Vec<AckHandle>,
    ) -> Result<(), ()> {
        self.account();
        if self.out.is_empty() && acks.is_empty() {
            return Ok(());
        }
        let reports = std::mem::take(&mut self.out);
        let n = reports.len() as u64;
        tx.send(Batch { reports, acks }).await.map_err(|_| ())?;
        self.tag.emit(Event::Forwarded { count: n });
        Ok(())
    }
}

/// Reads lines of at most `max` bytes; longer ones are skipped (counted by the caller).
pub(crate) struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    max: usize,
    discarding: bool,
    eof: bool,
}

/// One read result.
pub(crate) enum Line<'a> {
    Ok(&'a [u8]),
    /// A line over the limit was skipped.
    TooLong,
}

impl<R: AsyncBufRead + Unpin> LineReader<R> {
    pub(crate) fn new(inner: R, max: usize) -> Self {
        Self {
            inner,
            buf: Vec::new(),
            max: max.max(16),
            discarding: false,
            eof: false,
        }
    }

    /// The next line (without its `\n`) and the bytes consumed; `None` at end of input.
    pub(crate) async fn next(&mut self) -> std::io::Result<Option<(Line<'_>, usize)>> {
        self.buf.clear();
        let mut consumed = 0usize;
        loop {
            if self.eof {
                return Ok(None);
            }
            let avail = self.inner.fill_buf().await?;
            if avail.is_empty() {
                self.eof = true;
                // A connection dropped mid-sentence: hand over the fragment; the decoder counts it as bad.
                if !self.buf.is_empty() && !self.discarding {
                    return Ok(Some((Line::Ok(&self.buf), consumed)));
                }
                return Ok(None);
            }
            match avail.iter().position(|b| *b == b'\n') {
                Some(i) => {
                    let was_discarding = self.discarding;
                    if !was_discarding {
                        self.buf.extend_from_slice(&avail[..i]);
                    }
                    self.inner.consume(i + 1);
                    consumed += i + 1;
                    self.discarding = false;
                    if was_discarding {
                        continue;
                    }
                    if self.buf.len() > self.max {
                        return Ok(Some((Line::TooLong, consumed)));
                    }
                    return Ok(Some((Line::Ok(&self.buf), consumed)));
                }
                None => {
                    let n = avail.len();
                    if !self.discarding {
                        self.buf.extend_from_slice(avail);
                    }
                    self.inner.consume(n);
                    consumed += n;
                    if !self.discarding && self.buf.len() > self.max {
                        // Bounded memory: forget the line, skip to its end.
                        self.buf.clear();
                        self.discarding = true;
                        return Ok(Some((Line::TooLong, consumed)));
                    }
                }
            }
        }
    }
}

/// Reads one stream of lines into `tx` until it ends, fails or `cancel` fires.
async fn pump<R: AsyncRead + Unpin>(
    reader: R,
    tag: &SourceTag,
    limits: &SourceLimits,
    tx: &mpsc::Sender<Batch>,
    cancel: &CancellationToken,
) -> Result<(), ()> {
    tag.emit(Event::Connection { open: true });
    let r = pump_lines(reader, tag, limits, tx, cancel).await;
    tag.emit(Event::Connection { open: false });
    r
}

async fn pump_lines<R: AsyncRead + Unpin>(
    reader: R,
    tag: &SourceTag,
    limits: &SourceLimits,
    tx: &mpsc::Sender<Batch>,
    cancel: &CancellationToken,
) -> Result<(), ()> {
    let mut lines = LineReader::new(BufReader::with_capacity(64 * 1024, reader), limits.max_line);
    let mut stage = DecodeStage::new(tag.clone(), true);
    loop {
        let next = tokio::select! {
            biased;
            _ = cancel.cancelled() => break,
            n = tokio::time::timeout(limits.idle, lines.next()) => n,
        };
        let Ok(next) = next else {
            tag.emit(Event::Error {
                what: "idle",
                error: &format!("nothing received for {} s: closed", limits.idle.as_secs()),
            });
            break;
        };
        match next {
            Ok(Some((Line::Ok(l), n))) => {
                tag.emit(Event::Received {
                    messages: 1,
                    bytes: n as u64,
                });
                stage.line(l);
            }
            Ok(Some((Line::TooLong, n))) => {
                tag.emit(Event::Received {
                    messages: 0,
                    bytes: n as u64,
                });
                // Dropped before decoding, as on every other source: not
                // also a bad sentence.
                tag.emit(Event::Dropped {
                    count: 1,
                    reason: "line_too_long",
                });
            }
            Ok(None) => break,
            Err(e) => {
                tag.emit(Event::Error {
                    what: "read",
                    error: &e.to_string(),
                });
                break;
            }
        }
        if stage.out.len() >= limits.batch || lines.inner.buffer().is_empty() {
            stage.flush(tx, Vec::new()).await?;
        }
    }
    stage.decoder.finish();
    stage.flush(tx, Vec::new()).await
}

pub(crate) async fn tcp_client(
    addr: String,
    tag: SourceTag,
    limits: SourceLimits,
    tx: mpsc::Sender<Batch>,
    cancel: CancellationToken,
) {
    let mut backoff = Backoff::new(&limits);
    loop {
        let mut held = Duration::ZERO;
        let conn = tokio::select! {
            _ = cancel.cancelled() => return,
            c = tokio::time::timeout(Duration::from_secs(10), TcpStream::connect(&addr)) => c,
        };
        match conn {
            Ok(Ok(stream)) => {
                tracing::info!(source = %tag.name, "connected");
                let since = tokio::time::Instant::now();
                if pump(stream, &tag, &limits, &tx, &cancel).await.is_err() {
                    return; // downstream is gone: the pipeline is shutting down
                }
                held = since.elapsed();
                tag.emit(Event::Error {
                    what: "disconnected",
                    error: "end of stream",
                });
            }
            Ok(Err(e)) => tag.emit(Event::Error {
                what: "connect",
                error: &e.to_string(),
            }),
            Err(_) => tag.emit(Event::Error {
                what: "connect",
                error: "timed out",
            }),
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(backoff.after(held)) => {}
        }
    }
}

pub(crate) async fn tcp_server(
    listener: TcpListener,
    tag: SourceTag,
    limits: SourceLimits,
    tx: mpsc::Sender<Batch>,
    cancel: CancellationToken,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    // Each connection is a lane of its own, and they take turns into this
    // source's one lane: many connections cost the other sources nothing
    // more than one would (`crate::turns`).
    let (join, joined) = mpsc::channel::<mpsc::Receiver<Batch>>(16);
    let turns = tokio::spawn(crate::turns::take_turns(joined, tx));
    loop {
        let accepted = tokio::select! {
            _ = cancel.cancelled() => break,
            a = listener.accept() => a,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tag.emit(Event::Error {
                    what: "accept",
                    error: &e.to_string(),
                });
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
            // Too many connections: refuse this one rather than queue it.
            tag.emit(Event::Error {
                what: "too_many_connections",
                error: &peer.to_string(),
            });
            continue;
        };
        let (tx, lane) = mpsc::channel::<Batch>(CONNECTION_DEPTH);
        if join.send(lane).await.is_err() {
            break;
        }
        let (tag, cancel) = (tag.clone(), cancel.clone());
        tokio::spawn(async move {
            let _permit = permit;
            let _ = pump(stream, &tag, &limits, &tx, &cancel).await;
        });
    }
    // The turns end once every connection has.
    drop(join);
    let _ = turns.await;
}

/// Batches one TCP connection may have waiting for its turn (then its
/// reading waits, and the peer with it). Small: a server holds this many
/// for each of its `max_connections`, besides the one each is building.
const CONNECTION_DEPTH: usize = 2;

pub(crate) async fn udp(
    socket: UdpSocket,
    tag: SourceTag,
    limits: SourceLimits,
    tx: mpsc::Sender<Batch>,
    cancel: CancellationToken,
) {
    let mut buf = vec![0u8; 65_536];
    // A decoder per sender: two receivers' multi-part messages with the
    // same sequence id must not be joined. And a lane per sender: the
    // senders take turns into this source's one lane, as a TCP server's
    // connections do, so one sender flooding the port fills only its own
    // lane. The least recently heard sender gives way beyond
    // MAX_UDP_SENDERS (its waiting fragments counted; what its lane holds
    // still goes on).
    let mut senders: std::collections::HashMap<SocketAddr, UdpSender> =
        std::collections::HashMap::new();
    // A sender's lane holds as much as the source's own, so a burst from a
    // port's one receiver is absorbed as before. All lanes together, those
    // of forgotten senders still draining included, hold at most
    // UDP_LANES_HELD times that: memory stays bounded however many
    // addresses send (then datagrams are dropped, counted).
    let depth = tx.max_capacity().max(1);
    let held_max = depth * UDP_LANES_HELD;
    let held = |s: &mpsc::Sender<Batch>| s.max_capacity() - s.capacity();
    // Lanes of forgotten senders with batches still waiting; each is let
    // go (and its lane ends) once drained.
    let mut draining: Vec<mpsc::Sender<Batch>> = Vec::new();
    let (join, joined) = mpsc::channel::<mpsc::Receiver<Batch>>(16);
    let turns = tokio::spawn(crate::turns::take_turns(joined, tx));
    let mut datagrams = 0u64;
    loop {
        let got = tokio::select! {
            _ = cancel.cancelled() => break,
            r = socket.recv_from(&mut buf) => r,
        };
        let (n, from) = match got {
            Ok(got) => got,
            Err(e) => {
                tag.emit(Event::Error {
                    what: "recv",
                    error: &e.to_string(),
                });
                continue;
            }
        };
        tag.emit(Event::Received {
            messages: 1,
            bytes: n as u64,
        });
        datagrams += 1;
        if !senders.contains_key(&from) {
            // No room to join a lane now: nobody is forgotten for it (the
            // sender tries again with its next datagram).
            if join.capacity() == 0 {
                tag.emit(Event::Dropped {
                    count: 1,
                    reason: "too_many_senders",
                });
                continue;
            }
            if senders.len() >= MAX_UDP_SENDERS {
                let oldest = senders.iter().min_by_key(|(_, s)| s.heard).map(|(a, _)| *a);
                if let Some(mut gone) = oldest.and_then(|a| senders.remove(&a)) {
                    gone.stage.decoder.finish();
                    gone.stage.account();
                    if held(&gone.lane) > 0 {
                        draining.push(gone.lane);
                    }
                }
            }
            let (lane_tx, lane) = mpsc::channel::<Batch>(depth);
            // Never waits: the socket is read on (the kernel would drop
            // datagrams uncounted); a sender not let in now tries again
            // with its next datagram.
            match join.try_send(lane) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tag.emit(Event::Dropped {
                        count: 1,
                        reason: "too_many_senders",
                    });
                    continue;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => break,
            }
            senders.insert(
                from,
                UdpSender {
                    heard: 0,
                    stage: DecodeStage::new(tag.clone(), true),
                    lane: lane_tx,
                },
            );
        }
        let Some(sender) = senders.get_mut(&from) else {
            continue;
        };
        sender.heard = datagrams;
        let stage = &mut sender.stage;
        for line in buf[..n].split(|b| *b == b'\n') {
            if line.len() > limits.max_line {
                tag.emit(Event::Dropped {
                    count: 1,
                    reason: "line_too_long",
                });
                continue;
            }
            if !line.is_empty() {
                stage.line(line);
            }
        }
        stage.account();
        if stage.out.is_empty() {
            continue;
        }
        // UDP cannot push back on the sender: when its lane is full the
        // datagram's reports are dropped, counted, and the socket read on
        // (waiting would let the kernel drop datagrams uncounted).
        let reports = std::mem::take(&mut stage.out);
        let count = reports.len() as u64;
        draining.retain(|s| held(s) > 0);
        let lanes = senders.values().map(|s| &s.lane).chain(draining.iter());
        let (total, busy) = lanes.fold((0, 0), |(t, b), s| {
            let h = held(s);
            (t + h, b + usize::from(h > 0))
        });
        // Over the total, only a sender holding its fair share or more is
        // refused: a few floods filling the total must not shut out a
        // sender with an empty lane (each holds at most its share more,
        // so the total stays under twice the bound).
        let own = senders.get(&from).map_or(0, |s| held(&s.lane));
        if total >= held_max && own >= held_max / busy.max(1) {
            tag.emit(Event::Dropped {
                count,
                reason: "channel_full",
            });
            continue;
        }
        let Some(sender) = senders.get_mut(&from) else {
            continue;
        };
        match sender.lane.try_send(Batch {
            reports,
            acks: Vec::new(),
        }) {
            Ok(()) => tag.emit(Event::Forwarded { count }),
            Err(mpsc::error::TrySendError::Full(_)) => tag.emit(Event::Dropped {
                count,
                reason: "channel_full",
            }),
            Err(mpsc::error::TrySendError::Closed(_)) => break,
        }
    }
    // The turns end once every sender's lane has been drained.
    drop(senders);
    drop(draining);
    drop(join);
    let _ = turns.await;
}

/// One sender to a UDP source: when it was last heard (in datagrams), its
/// decoder and its lane.
struct UdpSender {
    heard: u64,
    stage: DecodeStage,
    lane: mpsc::Sender<Batch>,
}

/// What all of a UDP source's sender lanes may hold together, in lanes'
/// worth (a lane holds as much as the source's own channel).
const UDP_LANES_HELD: usize = 4;

pub(crate) async fn file(
    path: PathBuf,
    speed: Option<f64>,
    tag: SourceTag,
    limits: SourceLimits,
    tx: mpsc::Sender<Batch>,
    cancel: CancellationToken,
) {
    let f = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) => {
            tag.emit(Event::Error {
                what: "open",
                error: &e.to_string(),
            });
            return;
        }
    };
    let mut lines = LineReader::new(BufReader::with_capacity(256 * 1024, f), limits.max_line);
    // A recorded feed has its own clock (tag blocks); no wall-clock fallback.
    let mut stage = DecodeStage::new(tag.clone(), false);
    let mut origin: Option<(Timestamp, tokio::time::Instant)> = None;
    let mut last_time: Option<Timestamp> = None;
    loop {
        let next = tokio::select! {
            biased;
            _ = cancel.cancelled() => break,
            n = lines.next() => n,
        };
        match next {
            Ok(Some((Line::Ok(l), n))) => {
                tag.emit(Event::Received {
                    messages: 1,
                    bytes: n as u64,
                });
                stage.line(l);
            }
            Ok(Some((Line::TooLong, n))) => {
                tag.emit(Event::Received {
                    messages: 0,
                    bytes: n as u64,
                });
                tag.emit(Event::Dropped {
                    count: 1,
                    reason: "line_too_long",
                });
            }
            Ok(None) => break,
            Err(e) => {
                tag.emit(Event::Error {
                    what: "read",
                    error: &e.to_string(),
                });
                break;
            }
        }
        if let Some(speed) = speed
            && let Some(t) = stage.out.last().map(Report::time)
        {
            // A jump of more than a day either way (a bad tag-block time,
            // logs spliced together) is not waited for: the pace starts
            // again from this report, so one bad line cannot stall the replay.
            if last_time.is_some_and(|p| t.duration_since(p).abs() > MAX_PACED_JUMP) {
                origin = None;
            }
            last_time = Some(t);
            // Real time × speed: wait until this report's moment has come.
            let (t0, w0) = *origin.get_or_insert((t, tokio::time::Instant::now()));
            let secs = t.duration_since(t0).as_secs_f64().max(0.0) / speed;
            let due = w0 + Duration::from_secs_f64(secs.min(1e9));
            if stage.flush(&tx, Vec::new()).await.is_err() {
                return;
            }
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = tokio::time::sleep_until(due) => {}
            }
        } else if stage.out.len() >= limits.batch && stage.flush(&tx, Vec::new()).await.is_err() {
            return;
        }
    }
    stage.decoder.finish();
    let _ = stage.flush(&tx, Vec::new()).await;
}

/// The JetStream consumer's settings.
#[derive(Debug, Clone)]
pub(crate) struct NatsSpec {
    pub url: String,
    pub stream: String,
    pub subject: String,
    pub durable: String,
}

pub(crate) async fn nats(
    spec: NatsSpec,
    tag: SourceTag,
    limits: SourceLimits,
    tx: mpsc::Sender<Batch>,
    cancel: CancellationToken,
) {
    let mut backoff = Backoff::new(&limits);
    loop {
        let since = tokio::time::Instant::now();
        match nats_session(&spec, &tag, &limits, &tx, &cancel).await {
            Ok(()) => return,
            Err(e) => tag.emit(Event::Error {
                what: "nats",
                error: &e,
            }),
        }
        let held = since.elapsed();
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(backoff.after(held)) => {}
        }
    }
}

async fn nats_session(
    spec: &NatsSpec,
    tag: &SourceTag,
    limits: &SourceLimits,
    tx: &mpsc::Sender<Batch>,
    cancel: &CancellationToken,
) -> Result<(), String> {
    use async_nats::jetstream::{self, consumer};
    use futures_util::StreamExt;

    let client = async_nats::connect(&spec.url)
        .await
        .map_err(|e| e.to_string())?;
    let js = jetstream::new(client.clone());
    let stream = js
        .get_or_create_stream(jetstream::stream::Config {
            name: spec.stream.clone(),
            subjects: vec![spec.subject.clone()],
            ..Default::default()
        })
        .await
        .map_err(|e| e.to_string())?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_while_failing_and_starts_again_after_a_connection_that_held() {
        let limits = SourceLimits {
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(30),
            ..SourceLimits::default()
        };
        let mut b = Backoff::new(&limits);
        let waits: Vec<u64> = (0..7).map(|_| b.after(Duration::ZERO).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30]);
        // A connection that closed at once keeps the backoff where it is.
        assert_eq!(b.after(Duration::from_secs(2)).as_secs(), 30);
        // One that held starts it again from the minimum.
        assert_eq!(b.after(STABLE_CONNECTION).as_secs(), 1);
        assert_eq!(b.after(Duration::ZERO).as_secs(), 2);
    }

    #[tokio::test]
    async fn lines_are_capped_and_a_cut_line_is_returned() {
        let mut input = Vec::new();
        input.extend_from_slice(b"short\n");
        input.extend(std::iter::repeat_n(b'x', 100_000));
        input.extend_from_slice(b"\nafter\npartial");
        let mut r = LineReader::new(BufReader::with_capacity(64, &input[..]), 32);
        let mut got = Vec::new();
        while let Some((l, _)) = r.next().await.expect("read") {
            got.push(match l {
                Line::Ok(b) => String::from_utf8_lossy(b).into_owned(),
                Line::TooLong => "<too long>".into(),
            });
        }
        assert_eq!(got, ["short", "<too long>", "after", "partial"]);
    }

    #[test]
    fn specs_parse() {
        assert_eq!(
            SourceSpec::parse("udp:127.0.0.1:5000"),
            Ok(SourceSpec::Udp {
                addr: "127.0.0.1:5000".parse().expect("addr")
            })
        );
        assert_eq!(
            SourceSpec::parse("file:feed.nmea@60"),
            Ok(SourceSpec::File {
                path: "feed.nmea".into(),
                speed: Some(60.0)
            })
        );
        assert!(matches!(
            SourceSpec::parse("nats:127.0.0.1:4222|AIS|ais.raw|corridor"),
            Ok(SourceSpec::Nats { .. })
        ));
        assert!(SourceSpec::parse("carrier-pigeon:x").is_err());
        assert!(SourceSpec::parse("tcp-server:nonsense").is_err());
    }
}
