//! Typed internal events: each emits its log line and its metric together,
//! so the two cannot disagree (vector's `InternalEvent` idea). Counters are
//! also kept per source in atomics, for `/api/v1/…` stats and for tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// Every metric the pipeline exports, with its help text, as README.md
/// lists them. All are counters, each there at zero from the pipeline's
/// start except [`ON_FIRST`]. Labels: `source` is the source as given
/// (`tcp-server:0.0.0.0:10110`), `reason` a drop's reason, `what` what
/// failed, `kind` an alert kind.
pub const METRICS: &[(&str, &str)] = &[
    (
        "corridor_ingest_messages_total",
        "Lines, datagrams or NATS messages received, by source",
    ),
    ("corridor_ingest_bytes_total", "Bytes received, by source"),
    (
        "corridor_ingest_bad_sentences_total",
        "Sentences the decoder refused (checksum, malformed, bad armor, tag block), by source",
    ),
    (
        "corridor_ingest_drops_total",
        "Input thrown away, by source and reason (line_too_long, channel_full, too_many_senders, fragment, untimed, not_ais)",
    ),
    (
        "corridor_ingest_reports_total",
        "Position and static reports passed to the monitor, by source",
    ),
    (
        "corridor_ingest_connections_opened_total",
        "Connections (or NATS sessions) opened, by source",
    ),
    (
        "corridor_ingest_connections_closed_total",
        "Connections (or NATS sessions) ended, by source",
    ),
    (
        "corridor_ingest_errors_total",
        "I/O and connection errors (the source carries on), by source and what",
    ),
    ("corridor_alerts_total", "Alert events raised, by kind"),
    (
        "corridor_positions_stored_total",
        "Positions written to the track store",
    ),
    (
        "corridor_positions_downsampled_total",
        "Stored positions thinned out by the retention rules",
    ),
    (
        "corridor_ingest_store_errors_total",
        "Failed writes to the track store, by what (alerts, positions, downsample)",
    ),
    (
        "corridor_ingest_alerts_given_up_total",
        "Alerts that could not be stored after retries and were given up",
    ),
    (
        "corridor_ingest_positions_given_up_total",
        "Positions that could not be stored (the database refused them, too many waited, or the pipeline stopped first) and were given up",
    ),
    (
        "corridor_ingest_redelivered_total",
        "NATS messages left unacknowledged for redelivery because their results were not stored",
    ),
];

/// The metrics whose series appear with their first count: their labels
/// (a drop's reason, an error's `what`) are open-ended.
pub const ON_FIRST: [&str; 2] = [
    "corridor_ingest_drops_total",
    "corridor_ingest_errors_total",
];

/// Gives every metric its help text. Call it after the recorder is
/// installed (a description sent before goes nowhere).
pub fn describe_metrics() {
    for (name, help) in METRICS {
        metrics::describe_counter!(*name, *help);
    }
}

/// The counters of one source that exist from its start, at zero, so a
/// scrape before any traffic sees the source (a missing series reads as
/// "no such source", not "nothing yet").
const PER_SOURCE: [&str; 6] = [
    "corridor_ingest_messages_total",
    "corridor_ingest_bytes_total",
    "corridor_ingest_bad_sentences_total",
    "corridor_ingest_reports_total",
    "corridor_ingest_connections_opened_total",
    "corridor_ingest_connections_closed_total",
];

/// Per-source counters (shared between the source's tasks and readers).
#[derive(Debug, Default)]
pub struct SourceCounters {
    /// Lines / datagrams / NATS messages received.
    pub messages: AtomicU64,
    /// Bytes received.
    pub bytes: AtomicU64,
    /// Sentences the decoder rejected (bad checksum, garbage, over-long lines).
    pub bad: AtomicU64,
    /// Input thrown away: over-long lines, full channels (UDP), fragments the assembler dropped.
    pub drops: AtomicU64,
    /// Reports passed on to the monitor.
    pub reports: AtomicU64,
    /// Connection-level errors (I/O errors, refused connections, reconnects).
    pub errors: AtomicU64,
    /// Connections (or NATS sessions) opened and ended.
    pub opened: AtomicU64,
    pub closed: AtomicU64,
    /// When each kind of warning was last logged, and how many since.
    log_gate: std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, u64)>>,
}

/// A kind of warning (a drop reason, an error's `what`) is logged at most
/// once in this long per source, with the number not logged since: a flood
/// of bad input must not become a flood of log lines. Counters and metrics
/// count every one.
pub const LOG_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

impl SourceCounters {
    /// `Some(n)`, with `n` the warnings of `kind` not logged since the last,
    /// when this one is to be logged.
    fn log_now(&self, kind: &str) -> Option<u64> {
        let mut gate = self.log_gate.lock().unwrap_or_else(|p| p.into_inner());
        let now = std::time::Instant::now();
        match gate.get_mut(kind) {
            Some((last, skipped)) if now.duration_since(*last) < LOG_EVERY => {
                *skipped += 1;
                None
            }
            Some((last, skipped)) => {
                *last = now;
                Some(std::mem::take(skipped))
            }
            None => {
                gate.insert(kind.to_string(), (now, 0));
                Some(0)
            }
        }
    }
}

/// A snapshot of one source's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceStats {
    pub name: String,
    pub messages: u64,
    pub bytes: u64,
    pub bad: u64,
    pub drops: u64,
    pub reports: u64,
    pub errors: u64,
    pub opened: u64,
    pub closed: u64,
}

impl SourceCounters {
    pub(crate) fn snapshot(&self, name: &str) -> SourceStats {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        SourceStats {
            name: name.to_string(),
            messages: g(&self.messages),
            bytes: g(&self.bytes),
            bad: g(&self.bad),
            drops: g(&self.drops),
            reports: g(&self.reports),
            errors: g(&self.errors),
            opened: g(&self.opened),
            closed: g(&self.closed),
        }
    }
}

/// A source's identity for events: its name and counters.
#[derive(Debug, Clone)]
pub struct SourceTag {
    pub name: Arc<str>,
    pub counters: Arc<SourceCounters>,
}

/// Something a source observed.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// Messages (lines, datagrams) received with their bytes.
    Received { messages: u64, bytes: u64 },
    /// Sentences rejected by the decoder.
    BadSentences { count: u64 },
    /// Input dropped, and why.
    Dropped { count: u64, reason: &'a str },
    /// Lines with no AIS sentence (a receiver's GPS sentences, text):
    /// counted as dropped but not warned about, since mixed feeds are
    /// normal.
    NotAis { count: u64 },
    /// Reports forwarded downstream.
    Forwarded { count: u64 },
    /// A connection opened (`true`) or ended.
    Connection { open: bool },
    /// An I/O or connection error (the source carries on).
    Error { what: &'a str, error: &'a str },
}

impl SourceTag {
    pub(crate) fn new(name: &str) -> Self {
        for m in PER_SOURCE {
            metrics::counter!(m, "source" => name.to_string()).increment(0);
        }
        Self {
            name: Arc::from(name),
            counters: Arc::new(SourceCounters::default()),
        }
    }

    /// Emits `e`: counter, metric and (for the unusual ones) a log line.
    pub fn emit(&self, e: Event<'_>) {
        let c = &self.counters;
        let source = self.name.to_string();
        match e {
            Event::Received { messages, bytes } => {
                c.messages.fetch_add(messages, Ordering::Relaxed);
                c.bytes.fetch_add(bytes, Ordering::Relaxed);
                metrics::counter!("corridor_ingest_messages_total", "source" => source.clone())
                    .increment(messages);
                metrics::counter!("corridor_ingest_bytes_total", "source" => source)
                    .increment(bytes);
            }
            Event::BadSentences { count } => {
                c.bad.fetch_add(count, Ordering::Relaxed);
                metrics::counter!("corridor_ingest_bad_sentences_total", "source" => source.clone()).increment(count);
                tracing::debug!(source, count, "bad sentences");
            }
            Event::Dropped { count, reason } => {
                c.drops.fetch_add(count, Ordering::Relaxed);
                metrics::counter!("corridor_ingest_drops_total", "source" => source.clone(), "reason" => reason.to_string())
                    .increment(count);
                if let Some(not_logged) = c.log_now(reason) {
                    tracing::warn!(source, count, reason, not_logged, "input dropped");
                }
            }
            Event::NotAis { count } => {
                c.drops.fetch_add(count, Ordering::Relaxed);
                metrics::counter!("corridor_ingest_drops_total", "source" => source.clone(), "reason" => "not_ais")
                    .increment(count);
                tracing::debug!(source, count, "lines with no AIS sentence");
            }
            Event::Forwarded { count } => {
                c.reports.fetch_add(count, Ordering::Relaxed);
                metrics::counter!("corridor_ingest_reports_total", "source" => source)
                    .increment(count);
            }
            Event::Connection { open } => {
                let (a, m) = if open {
                    (&c.opened, "corridor_ingest_connections_opened_total")
                } else {
                    (&c.closed, "corridor_ingest_connections_closed_total")
                };
                a.fetch_add(1, Ordering::Relaxed);
                metrics::counter!(m, "source" => source.clone()).increment(1);
                tracing::debug!(source, open, "connection");
            }
            Event::Error { what, error } => {
                c.errors.fetch_add(1, Ordering::Relaxed);
                metrics::counter!("corridor_ingest_errors_total", "source" => source.clone(), "what" => what.to_string())
                    .increment(1);
                if let Some(not_logged) = c.log_now(what) {
                    tracing::warn!(source, what, error, not_logged, "source error");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The review of 2026-11-30 (ingest), finding 10: every dropped datagram
    /// or refused connection was a log line. Now a kind of warning is logged
    /// once per `LOG_EVERY`, every one still counted.
    #[test]
    fn a_flood_of_one_warning_is_one_log_line() {
        let tag = SourceTag::new("udp:test");
        let logged = (0..1000)
            .filter(|_| tag.counters.log_now("channel_full").is_some())
            .count();
        assert_eq!(logged, 1);
        assert_eq!(
            tag.counters.log_now("line_too_long"),
            Some(0),
            "another kind is its own"
        );
        for _ in 0..1000 {
            tag.emit(Event::Dropped {
                count: 1,
                reason: "channel_full",
            });
        }
        assert_eq!(tag.counters.drops.load(Ordering::Relaxed), 1000);
    }
}
