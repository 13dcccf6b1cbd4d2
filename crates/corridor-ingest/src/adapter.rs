//! Decoded AIS messages → the tracker's report types.
//!
//! "Not available" values become `None` (the codec's accessors already say
//! so); type 24 parts A and B are merged per MMSI; messages that carry no
//! position or identity (base stations, binary, safety …) give nothing.

use corridor_ais::messages::Type24Merger;
use corridor_ais::messages::static_data::StaticDataReport;
use corridor_ais::{Body, Decoded, Message};
use corridor_track::{NavStatus, PositionReport, Report, StaticReport};
use jiff::Timestamp;

/// Per-source adapter state (the type 24 merge table, bounded by the codec).
#[derive(Debug, Default)]
pub struct Adapter {
    type24: Type24Merger,
}

fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl Adapter {
    /// A new adapter.
    pub fn new() -> Self {
        Self::default()
    }

    /// The report in `d`, timed by its tag-block time, else `fallback`.
    /// `None` when the message is not a position or static report or has no time.
    pub fn adapt(&mut self, d: &Decoded<'_>, fallback: Option<Timestamp>) -> Option<Report> {
        let time = d
            .time_millis()
            .and_then(|ms| Timestamp::from_millisecond(ms).ok())
            .or(fallback)?;
        self.adapt_message(&d.message, time)
    }

    /// The report in `m` at `time`.
    pub fn adapt_message(&mut self, m: &Message, time: Timestamp) -> Option<Report> {
        let mmsi = m.mmsi;
        // MMSI 0 is no vessel's; and a position report that ended before its
        // position fields reads them as zeros: a ship at 0°N 0°E. The codec
        // keeps such messages (flagged partial); tracking does not use them.
        if mmsi == 0 || ran_short(m) {
            return None;
        }
        let pos = |lat: Option<f64>, lon: Option<f64>| -> Option<(f64, f64)> { Some((lat?, lon?)) };
        let report = match &m.body {
            Body::Position(p) => {
                let (lat, lon) = pos(p.lat.degrees(), p.lon.degrees())?;
                Some(Report::Position(PositionReport {
                    mmsi,
                    time,
                    lat,
                    lon,
                    sog_kn: p.speed.knots().map(|v| v as f32),
                    cog_deg: p.course.degrees().map(|v| v as f32),
                    heading_deg: p.heading.degrees(),
                    nav_status: NavStatus(p.status.raw()),
                }))
            }
            Body::ClassB(p) => {
                let (lat, lon) = pos(p.lat.degrees(), p.lon.degrees())?;
                Some(Report::Position(PositionReport {
                    mmsi,
                    time,
                    lat,
                    lon,
                    sog_kn: p.speed.knots().map(|v| v as f32),
                    cog_deg: p.course.degrees().map(|v| v as f32),
                    heading_deg: p.heading.degrees(),
                    nav_status: NavStatus::NOT_DEFINED,
                }))
            }
            Body::ClassBExtended(p) => {
                let (lat, lon) = pos(p.lat.degrees(), p.lon.degrees())?;
                Some(Report::Position(PositionReport {
                    mmsi,
                    time,
                    lat,
                    lon,
                    sog_kn: p.speed.knots().map(|v| v as f32),
                    cog_deg: p.course.degrees().map(|v| v as f32),
                    heading_deg: p.heading.degrees(),
                    nav_status: NavStatus::NOT_DEFINED,
                }))
            }
            Body::LongRange(p) => {
                let (lat, lon) = pos(p.lat.degrees(), p.lon.degrees())?;
                Some(Report::Position(PositionReport {
                    mmsi,
                    time,
                    lat,
                    lon,
                    sog_kn: p.speed_knots().map(|v| v as f32),
                    cog_deg: p.course_degrees().map(f32::from),
                    heading_deg: None,
                    nav_status: NavStatus(p.status.raw()),
                }))
            }
            Body::StaticVoyage(s) => {
                // A type 5 cut short reads its missing bits as zeros: an IMO
                // number of its first bits alone would claim another ship's
                // identity. Only the fields the payload holds whole count.
                let whole = |end: usize| !m.partial || m.bit_len >= end;
                let imo = (s.imo != 0 && whole(70)).then_some(s.imo);
                let callsign = whole(112).then(|| text(s.callsign.as_str())).flatten();
                let name = whole(232).then(|| text(s.shipname.as_str())).flatten();
                let ship_type = Some(s.shiptype.raw()).filter(|t| *t != 0 && whole(240));
                if imo.is_none() && callsign.is_none() && name.is_none() && ship_type.is_none() {
                    return None;
                }
                Some(Report::Static(StaticReport {
                    mmsi,
                    time,
                    imo,
                    name,
                    callsign,
                    ship_type,
                }))
            }
            Body::StaticData(part) => {
                // A part cut short before its name (A) or call sign (B)
                // ended would merge zeros into what is known of the vessel.
                let short = m.partial
                    && match part {
                        StaticDataReport::A { .. } => m.bit_len < 160,
                        StaticDataReport::B(_) => m.bit_len < 132,
                        StaticDataReport::Reserved { .. } => true,
                    };
                if short || matches!(part, StaticDataReport::Reserved { .. }) {
                    return None;
                }
                // Merge A (name) and B (type, call sign): report what is known so far.
                let merged = self.type24.push(mmsi, part);
                let b = merged.part_b.as_ref();
                Some(Report::Static(StaticReport {
                    mmsi,
                    time,
                    imo: None,
                    name: merged.shipname.as_ref().and_then(|n| text(n.as_str())),
                    callsign: b.and_then(|b| text(b.callsign.as_str())),
                    ship_type: b.map(|b| b.shiptype.raw()).filter(|t| *t != 0),
                }))
            }
            _ => None,
        };
        // The tracker's one rule for a usable position (in range, not 0°N 0°E,
        // which a transponder without a fix sends): what it refuses is
        // neither stored nor drawn (0°N 0°E was, as a track to the Gulf of Guinea).
        match report? {
            Report::Position(p) => p.normalized().map(Report::Position),
            other => Some(other),
        }
    }
}

/// Bits a position report must have for its position and motion fields to
/// be real (up to and including the time stamp), by message type.
fn position_bits(msg_type: u8) -> Option<usize> {
    match msg_type {
        1..=3 => Some(143),
        18 | 19 => Some(139),
        27 => Some(94),
        _ => None,
    }
}

/// A position report whose payload ended before its position fields did.
fn ran_short(m: &Message) -> bool {
    m.partial && position_bits(m.msg_type).is_some_and(|need| m.bit_len < need)
}

#[cfg(test)]
mod tests {
    use corridor_ais::Decoder;
    use corridor_ais::bits::AisText;
    use corridor_ais::messages::fields::{Course, Heading, Lat, Lon, Speed};
    use corridor_ais::messages::position::PositionReport as AisPosition;
    use corridor_ais::messages::static_data::StaticPartB;
    use corridor_ais::{EncodeOptions, encode};

    use super::*;

    fn decode_one(m: &Message) -> Vec<Report> {
        let mut d = Decoder::default();
        let mut a = Adapter::new();
        let t = Timestamp::from_second(1_700_000_000).expect("time");
        let mut out = Vec::new();
        for line in encode(m, &EncodeOptions::default()).expect("encode") {
            d.feed_line(line.as_bytes(), |x| out.extend(a.adapt(&x, Some(t))));
        }
        out
    }

    #[test]
    fn not_available_becomes_none() {
        let m = Message::new(
            211_000_001,
            Body::Position(AisPosition {
                speed: Speed(1023),
                course: Course(3600),
                heading: Heading(511),
                lat: Lat::from_degrees(43.5),
                lon: Lon::from_degrees(34.25),
                ..AisPosition::default()
            }),
        );
        let r = decode_one(&m);
        let [Report::Position(p)] = r.as_slice() else {
            panic!("{r:?}")
        };
        assert_eq!((p.sog_kn, p.cog_deg, p.heading_deg), (None, None, None));
        assert!((p.lat - 43.5).abs() < 1e-6 && (p.lon - 34.25).abs() < 1e-6);
        let none = Message::new(
            211_000_001,
            Body::Position(AisPosition {
                lat: Lat::NOT_AVAILABLE,
                lon: Lon::NOT_AVAILABLE,
                ..AisPosition::default()
            }),
        );
        assert!(decode_one(&none).is_empty(), "no position, no report");
        // The 2026-11-29 review of the fixes: 0°N 0°E was stored and drawn
        // though tracking refused it.
        let null_island = Message::new(
            211_000_001,
            Body::Position(AisPosition {
                lat: Lat::from_degrees(0.0),
                lon: Lon::from_degrees(0.0),
                ..AisPosition::default()
            }),
        );
        assert!(decode_one(&null_island).is_empty(), "0°N 0°E, no report");
    }

    /// A truncated position report (6 bits of a type 1, valid checksum) is
    /// not a ship at 0°N 0°E; an MMSI of 0 is no ship at all.
    #[test]
    fn truncated_reports_and_mmsi_0_are_not_positions() {
        let t = Timestamp::from_second(1_700_000_000).expect("time");
        let sentence = |payload: &str| {
            let body = format!("AIVDM,1,1,,B,{payload},0");
            let sum = body.bytes().fold(0u8, |a, b| a ^ b);
            format!("!{body}*{sum:02X}")
        };
        let mut d = Decoder::default();
        let mut a = Adapter::new();
        let mut out = Vec::new();
        let mut decoded = 0;
        d.feed_line(sentence("1").as_bytes(), |x| {
            decoded += 1;
            out.extend(a.adapt(&x, Some(t)));
        });
        assert_eq!(decoded, 1, "the codec keeps it (flagged partial)");
        assert!(out.is_empty(), "{out:?}");
        let zero = Message::new(
            0,
            Body::Position(AisPosition {
                lat: Lat::from_degrees(43.5),
                lon: Lon::from_degrees(34.25),
                ..AisPosition::default()
            }),
        );
        assert!(decode_one(&zero).is_empty());
    }

    #[test]
    fn type_24_parts_merge() {
        let mut a = Adapter::new();
        let t = Timestamp::from_second(1_700_000_000).expect("time");
        let pa = Message::new(
            5,
            Body::StaticData(StaticDataReport::A {
                shipname: AisText::new("SEA BREEZE"),
                spare: Some(0),
            }),
        );
        let pb = Message::new(
            5,
            Body::StaticData(StaticDataReport::B(StaticPartB {
                shiptype: corridor_ais::messages::ShipType::from_raw(37),
                callsign: AisText::new("ABC12"),
                ..StaticPartB::default()
            })),
        );
        let Some(Report::Static(s1)) = a.adapt_message(&pa, t) else {
            panic!()
        };
        assert_eq!(
            (s1.name.as_deref(), s1.callsign.as_deref()),
            (Some("SEA BREEZE"), None)
        );
        let Some(Report::Static(s2)) = a.adapt_message(&pb, t) else {
            panic!()
        };
        assert_eq!(
            (
                s2.name.as_deref(),
                s2.callsign.as_deref(),
                s2.ship_type,
                s2.imo
            ),
            (Some("SEA BREEZE"), Some("ABC12"), Some(37), None)
        );
    }

    /// The reports of raw sentences, as a feed gives them.
    fn reports_of(lines: &[&str]) -> Vec<Report> {
        let mut d = Decoder::default();
        let mut a = Adapter::new();
        let t = Timestamp::from_second(1_700_000_000).expect("time");
        let mut out = Vec::new();
        for line in lines {
            d.feed_line(line.as_bytes(), |x| out.extend(a.adapt(&x, Some(t))));
        }
        out
    }

    /// A review (session 25) sent a type 5 cut to 54 bits: its missing
    /// bits read as zeros made an IMO number of the real one's first bits,
    /// and the tracker raised `identity_mismatch` against the registry.
    /// Only the fields a short payload holds whole are reported.
    #[test]
    fn a_static_report_cut_short_claims_nothing_it_does_not_hold() {
        assert_eq!(reports_of(&["!AIVDM,1,1,,A,55P5TL01V,0*0C"]), vec![]);
        // 72 bits: the IMO number is whole, the call sign is not.
        let r = reports_of(&["!AIVDM,1,1,,A,55P5TL01VIaA,0*65"]);
        let [Report::Static(s)] = r.as_slice() else {
            panic!("{r:?}")
        };
        assert_eq!(
            (s.imo, s.callsign.as_deref(), s.name.as_deref(), s.ship_type),
            (Some(6_710_932), None, None, None)
        );
        // A type 24 part B cut before its call sign ended adds nothing.
        let mut b = Message::new(
            369_190_000,
            Body::StaticData(StaticDataReport::B(StaticPartB {
                shiptype: corridor_ais::messages::ShipType::from_raw(70),
                callsign: AisText::new("WDC4"),
                ..StaticPartB::default()
            })),
        );
        b.msg_type = 24;
        b.partial = true;
        b.bit_len = 100;
        let t = Timestamp::from_second(1_700_000_000).expect("time");
        assert_eq!(Adapter::new().adapt_message(&b, t), None);
    }
}
