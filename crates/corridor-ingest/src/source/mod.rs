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

mod file;
mod lines;
mod nats;
mod nats_start;
mod net;

use lines::{DecodeStage, Line, LineReader, pump};

pub(crate) use file::file;
pub use nats::AckHandle;
pub(crate) use nats::{NatsSpec, nats};
pub(crate) use nats_start::start_check;
pub(crate) use net::{tcp_client, tcp_server, udp};

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
    /// A NATS source's settings; `None` for any other source.
    pub(crate) fn nats(&self) -> Option<NatsSpec> {
        match self {
            Self::Nats {
                url,
                stream,
                subject,
                durable,
            } => Some(NatsSpec {
                url: url.clone(),
                stream: stream.clone(),
                subject: subject.clone(),
                durable: durable.clone(),
            }),
            _ => None,
        }
    }

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
                    [url, stream, subject, durable] => {
                        let bad = |why: String| format!("{s:?}: {why}");
                        nats_name("stream", stream).map_err(bad)?;
                        nats_subject(subject).map_err(bad)?;
                        nats_name("durable consumer", durable).map_err(bad)?;
                        Ok(Self::Nats {
                            url: (*url).to_string(),
                            stream: (*stream).to_string(),
                            subject: (*subject).to_string(),
                            durable: (*durable).to_string(),
                        })
                    }
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

/// A JetStream stream or consumer name as the server takes it: refused
/// here rather than retried for ever against a server that never will.
fn nats_name(what: &str, name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(format!("the {what} name is empty"));
    }
    if name.len() > 255 {
        return Err(format!("the {what} name is longer than 255 bytes"));
    }
    match name
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || matches!(c, '.' | '*' | '>' | '/' | '\\'))
    {
        Some(c) => Err(format!(
            "the {what} name {name:?} holds {c:?} (no spaces, '.', '*', '>', '/' or '\\')"
        )),
        None => Ok(()),
    }
}

/// A NATS subject: dot-separated tokens, none empty or with spaces; `>`
/// (a whole token) only last. `*` and `>` inside a token are plain
/// characters to the server (`ais*` is a subject of its own).
fn nats_subject(subject: &str) -> Result<(), String> {
    // The server keeps these for its own API.
    if subject.starts_with("$JS.") || subject.starts_with("$SYS.") {
        return Err(format!(
            "the subject {subject:?} is the server's own ($JS., $SYS.)"
        ));
    }
    let tokens: Vec<&str> = subject.split('.').collect();
    for (i, t) in tokens.iter().enumerate() {
        let why = if t.is_empty() {
            "has an empty token"
        } else if t.chars().any(|c| c.is_ascii_whitespace() || c.is_control()) {
            "holds a space"
        } else if *t == ">" && i + 1 != tokens.len() {
            "uses '>' before its last token"
        } else {
            continue;
        };
        return Err(format!("the subject {subject:?} {why}"));
    }
    Ok(())
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

/// What sources send downstream.
#[derive(Debug)]
pub struct Batch {
    pub reports: Vec<Report>,
    /// Duties of NATS messages, done once this batch's reports (and all
    /// before them) are stored; empty for other sources.
    pub acks: Vec<AckHandle>,
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
        // An operator review (session 21): names the server never takes
        // were retried for ever.
        for (spec, says) in [
            (
                "nats:n:4222|OPREV Y|ais.raw|c",
                "stream name \"OPREV Y\" holds ' '",
            ),
            ("nats:n:4222|A.B|ais.raw|c", "stream name \"A.B\" holds '.'"),
            ("nats:n:4222|AIS|a b|c", "subject \"a b\" holds a space"),
            ("nats:n:4222|AIS|ais..raw|c", "has an empty token"),
            ("nats:n:4222|AIS|ais.>.raw|c", "'>' before its last token"),
            (
                "nats:n:4222|AIS|ais.raw|c.d",
                "durable consumer name \"c.d\" holds '.'",
            ),
            ("nats:n:4222|AIS|ais.raw|", "durable consumer name is empty"),
            ("nats:n:4222|AIS|$JS.API.foo|c", "the server's own"),
        ] {
            let err = SourceSpec::parse(spec).expect_err(spec);
            assert!(err.contains(says), "{spec}: {err}");
        }
        assert!(SourceSpec::parse("nats:n:4222|AIS|ais.*.raw|c-1_x").is_ok());
        assert!(SourceSpec::parse("nats:n:4222|AIS|ais.>|c").is_ok());
        // Literal characters to the server (a review of the first version).
        assert!(SourceSpec::parse("nats:n:4222|AIS|ais.raw*|c").is_ok());
        assert!(SourceSpec::parse("nats:n:4222|AIS|a>b.x|c").is_ok());
        assert!(SourceSpec::parse("carrier-pigeon:x").is_err());
        assert!(SourceSpec::parse("tcp-server:nonsense").is_err());
    }
}
