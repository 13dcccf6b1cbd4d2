//! The simulator's NMEA side: reports → AIVDM sentences with tag blocks
//! (`s:` source, `c:` Unix seconds), written to any `Write` or served over
//! TCP/UDP at real time × N.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use corridor_ais::bits::AisText;
use corridor_ais::messages::fields::{
    Course, Heading, Lat, Lon, NavStatus, RateOfTurn, ShipType, Speed,
};
use corridor_ais::messages::position::{ClassBPositionReport, PositionReport as AisPosition};
use corridor_ais::messages::static_data::{
    Dimensions, StaticDataReport, StaticPartB, StaticVoyageData,
};
use corridor_ais::{Body, EncodeOptions, Message, TagBlockSpec, encode};
use corridor_track::sim::SimVessel;
use corridor_track::{PositionReport, Report, StaticReport};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Turns simulated reports into NMEA lines.
#[derive(Debug)]
pub struct NmeaEncoder {
    vessels: HashMap<u32, SimVessel>,
    source: String,
    group: u32,
    seq: u8,
}

impl NmeaEncoder {
    /// An encoder knowing each vessel's class (A: types 1 and 5; B: 18 and 24).
    pub fn new(vessels: &[SimVessel], source: &str) -> Self {
        Self {
            vessels: vessels.iter().map(|v| (v.mmsi, v.clone())).collect(),
            source: source.to_string(),
            group: 0,
            seq: 0,
        }
    }

    fn opts(&mut self, time_s: i64, channel: u8) -> EncodeOptions {
        self.group = self.group % 9999 + 1;
        self.seq = (self.seq + 1) % 10;
        EncodeOptions {
            channel: Some(channel),
            seq_id: Some(self.seq),
            tag_block: Some(TagBlockSpec {
                source: Some(self.source.clone()),
                time: Some(time_s),
                group_id: Some(self.group),
            }),
            ..EncodeOptions::default()
        }
    }

    /// Appends the lines (each ending in `\r\n`) for `r` to `out`.
    pub fn encode_into(&mut self, r: &Report, out: &mut String) {
        let class_b = self.vessels.get(&r.mmsi()).is_some_and(|v| v.class_b);
        let t = r.time().as_second();
        let messages = match r {
            Report::Position(p) => vec![position_message(p, class_b)],
            Report::Static(s) => static_messages(s, class_b),
        };
        for m in messages {
            let chan = if m.mmsi % 2 == 0 { b'A' } else { b'B' };
            let opts = self.opts(t, chan);
            // Our own messages always fit: an error would be a bug in a field's range, so skip rather than stop the feed.
            if let Ok(lines) = encode(&m, &opts) {
                for l in lines {
                    out.push_str(&l);
                    out.push_str("\r\n");
                }
            }
        }
    }

    /// The lines for `r` as one string.
    pub fn encode(&mut self, r: &Report) -> String {
        let mut s = String::with_capacity(128);
        self.encode_into(r, &mut s);
        s
    }
}

fn speed(v: Option<f32>) -> Speed {
    Speed(
        v.filter(|v| v.is_finite() && *v >= 0.0)
            .map_or(1023, |v| ((f64::from(v) * 10.0).round() as u16).min(1022)),
    )
}

fn course(v: Option<f32>) -> Course {
    Course(
        v.filter(|v| v.is_finite() && (0.0..360.0).contains(v))
            .map_or(3600, |v| ((f64::from(v) * 10.0).round() as u16) % 3600),
    )
}

fn heading(v: Option<u16>) -> Heading {
    Heading(v.filter(|h| *h < 360).unwrap_or(511))
}

fn position_message(p: &PositionReport, class_b: bool) -> Message {
    let second = (p.time.as_second().rem_euclid(60)) as u8;
    let body = if class_b {
        Body::ClassB(ClassBPositionReport {
            speed: speed(p.sog_kn),
            lon: Lon::from_degrees(p.lon),
            lat: Lat::from_degrees(p.lat),
            course: course(p.cog_deg),
            heading: heading(p.heading_deg),
            second,
            cs: true,
            ..ClassBPositionReport::default()
        })
    } else {
        Body::Position(AisPosition {
            status: NavStatus::from_raw(p.nav_status.0),
            turn: RateOfTurn(-128),
            speed: speed(p.sog_kn),
            lon: Lon::from_degrees(p.lon),
            lat: Lat::from_degrees(p.lat),
            course: course(p.cog_deg),
            heading: heading(p.heading_deg),
            second,
            ..AisPosition::default()
        })
    };
    Message::new(p.mmsi, body)
}

fn static_messages(s: &StaticReport, class_b: bool) -> Vec<Message> {
    let name = AisText::new(s.name.as_deref().unwrap_or(""));
    let callsign = AisText::new(s.callsign.as_deref().unwrap_or(""));
    let shiptype = ShipType::from_raw(s.ship_type.unwrap_or(0));
    if class_b {
        vec![
            Message::new(
                s.mmsi,
                Body::StaticData(StaticDataReport::A {
                    shipname: name,
                    spare: Some(0),
                }),
            ),
            Message::new(
                s.mmsi,
                Body::StaticData(StaticDataReport::B(StaticPartB {
                    shiptype,
                    callsign,
                    dimensions: Dimensions::Ship {
                        to_bow: 10,
                        to_stern: 5,
                        to_port: 2,
                        to_starboard: 2,
                    },
                    ..StaticPartB::default()
                })),
            ),
        ]
    } else {
        vec![Message::new(
            s.mmsi,
            Body::StaticVoyage(StaticVoyageData {
                imo: s.imo.unwrap_or(0),
                callsign,
                shipname: name,
                shiptype,
                to_bow: 150,
                to_stern: 40,
                to_port: 16,
                to_starboard: 16,
                epfd: 1,
                hour: 24,
                minute: 60,
                draught: 110,
                destination: AisText::new("BOSPHORUS"),
                ..StaticVoyageData::default()
            }),
        )]
    }
}

/// Writes every report of `feed` as NMEA to `out`; returns the number of lines.
pub fn write_nmea(
    feed: impl Iterator<Item = Report>,
    enc: &mut NmeaEncoder,
    mut out: impl Write,
) -> std::io::Result<u64> {
    let mut buf = String::with_capacity(64 * 1024);
    let mut lines = 0u64;
    for r in feed {
        enc.encode_into(&r, &mut buf);
        if buf.len() > 60 * 1024 {
            lines += buf.matches('\n').count() as u64;
            out.write_all(buf.as_bytes())?;
            buf.clear();
        }
    }
    lines += buf.matches('\n').count() as u64;
    out.write_all(buf.as_bytes())?;
    out.flush()?;
    Ok(lines)
}

/// Where a served simulation goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serve {
    /// Listen on this address; every client gets the feed from where it is
    /// when it connects (a broadcast, like an NMEA server).
    TcpServer(SocketAddr),
    /// Connect to this address and send (e.g. into a pipeline's TCP server source).
    TcpClient(SocketAddr),
    /// Send datagrams (one report's lines each) to this address.
    Udp(SocketAddr),
}

/// How a served feed keeps time.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Pace {
    /// Real time × `speed`; `None`: as fast as the receiver takes it.
    pub speed: Option<f64>,
    /// Feed time sent at once before the pacing starts, so that whoever
    /// watches joins a picture with history already made (ships under way,
    /// alerts raised) instead of waiting for it.
    pub head_start: Duration,
}

impl Pace {
    /// Real time × `speed` (`None`: as fast as the receiver takes it) from
    /// the first report.
    pub fn speed(speed: Option<f64>) -> Pace {
        Pace {
            speed,
            head_start: Duration::ZERO,
        }
    }

    /// When a report stamped `t` (seconds) is due, given the first one's
    /// stamp and send time (`origin`, set by the first call): `None` when
    /// there is no pacing.
    fn due(
        &self,
        t: i64,
        origin: &mut Option<(i64, tokio::time::Instant)>,
        now: tokio::time::Instant,
    ) -> Option<tokio::time::Instant> {
        let speed = self.speed?;
        // The clock starts where the head start ends; what comes before is due at once.
        let skip = i64::try_from(self.head_start.as_secs()).unwrap_or(i64::MAX);
        let (t0, w0) = *origin.get_or_insert((t.saturating_add(skip), now));
        Some(w0 + Duration::from_secs_f64(((t - t0).max(0) as f64 / speed).min(1e9)))
    }
}

/// Serves `feed` at the given `pace`. Returns when the feed ends or
/// `cancel` fires, with the reports sent (as a TCP server: those sent while
/// at least one client was connected).
pub async fn serve_feed(
    feed: impl Iterator<Item = Report> + Send + 'static,
    mut enc: NmeaEncoder,
    to: Serve,
    pace: Pace,
    cancel: CancellationToken,
) -> std::io::Result<u64> {
    // The simulator is CPU work on an iterator: run it on a blocking thread
    // and hand lines over a bounded channel (backpressure to the generator).
    let (tx, mut rx) = mpsc::channel::<(i64, String)>(256);
    let gen_cancel = cancel.clone();
    let producer = tokio::task::spawn_blocking(move || {
        for r in feed {
            if gen_cancel.is_cancelled() {
                break;
            }
            let t = r.time().as_second();
            if tx.blocking_send((t, enc.encode(&r))).is_err() {
                break;
            }
        }
    });
    let mut sent = 0u64;
    let mut origin: Option<(i64, tokio::time::Instant)> = None;
    match to {
        Serve::TcpClient(addr) => {
            let mut s = tokio::net::TcpStream::connect(addr).await?;
            while let Some((t, lines)) =
                tokio::select! { _ = cancel.cancelled() => None, m = rx.recv() => m }
            {
                if let Some(due) = pace.due(t, &mut origin, tokio::time::Instant::now()) {
                    tokio::time::sleep_until(due).await;
                }
                s.write_all(lines.as_bytes()).await?;
                sent += 1;
            }
            s.flush().await?;
            s.shutdown().await?;
        }
        Serve::Udp(addr) => {
            let sock = tokio::net::UdpSocket::bind(if addr.is_ipv4() {
                "0.0.0.0:0"
            } else {
                "[::]:0"
            })
            .await?;
            while let Some((t, lines)) =
                tokio::select! { _ = cancel.cancelled() => None, m = rx.recv() => m }
            {
                if let Some(due) = pace.due(t, &mut origin, tokio::time::Instant::now()) {
                    tokio::time::sleep_until(due).await;
                }
                sock.send_to(lines.as_bytes(), addr).await?;
                sent += 1;
            }
        }
        Serve::TcpServer(addr) => {
            let listener = tokio::net::TcpListener::bind(addr).await?;
            let (btx, _) = tokio::sync::broadcast::channel::<std::sync::Arc<str>>(4096);
            let accept_tx = btx.clone();
            let accept_cancel = cancel.clone();
            let acceptor = tokio::spawn(async move {
                loop {
                    let (mut s, _) = tokio::select! {
                        _ = accept_cancel.cancelled() => return,
                        a = listener.accept() => match a { Ok(a) => a, Err(_) => continue },
                    };
                    let mut brx = accept_tx.subscribe();
                    tokio::spawn(async move {
                        loop {
                            match brx.recv().await {
                                Ok(l) => {
                                    if s.write_all(l.as_bytes()).await.is_err() {
                                        return;
                                    }
                                }
                                // A slow client skips what it missed, as with a live receiver.
                                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                                    continue;
                                }
                                Err(_) => return,
                            }
                        }
                    });
                }
            });
            while let Some((t, lines)) =
                tokio::select! { _ = cancel.cancelled() => None, m = rx.recv() => m }
            {
                if let Some(due) = pace.due(t, &mut origin, tokio::time::Instant::now()) {
                    tokio::time::sleep_until(due).await;
                }
                // Counted only when a client was there to take it (with none
                // connected it was counted sent: the interface check,
                // session 19).
                if btx.send(std::sync::Arc::from(lines)).is_ok() {
                    sent += 1;
                }
            }
            acceptor.abort();
        }
    }
    drop(rx);
    let _ = producer.await;
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Pace;

    #[test]
    fn the_head_start_is_due_at_once_then_the_feed_keeps_time() {
        let now = tokio::time::Instant::now();
        let pace = Pace {
            speed: Some(10.0),
            head_start: Duration::from_secs(100),
        };
        let mut origin = None;
        let due = |t, origin: &mut _| pace.due(t, origin, now).map(|d| d - now);
        // The first report (t = 1000) sets the clock; up to t = 1100 everything is due at once.
        assert_eq!(due(1000, &mut origin), Some(Duration::ZERO));
        assert_eq!(due(1099, &mut origin), Some(Duration::ZERO));
        assert_eq!(due(1100, &mut origin), Some(Duration::ZERO));
        // Then 10 s of feed time a second.
        assert_eq!(due(1200, &mut origin), Some(Duration::from_secs(10)));
        // Without a head start the clock starts at the first report.
        let mut origin = None;
        let plain = Pace::speed(Some(10.0));
        assert_eq!(plain.due(1000, &mut origin, now), Some(now));
        assert_eq!(
            plain.due(1100, &mut origin, now),
            Some(now + Duration::from_secs(10))
        );
        // No speed: nothing is ever waited for.
        assert_eq!(Pace::speed(None).due(1000, &mut None, now), None);
    }
}
