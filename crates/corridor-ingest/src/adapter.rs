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
        let pos = |lat: Option<f64>, lon: Option<f64>| -> Option<(f64, f64)> { Some((lat?, lon?)) };
        match &m.body {
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
            Body::StaticVoyage(s) => Some(Report::Static(StaticReport {
                mmsi,
                time,
                imo: (s.imo != 0).then_some(s.imo),
                name: text(s.shipname.as_str()),
                callsign: text(s.callsign.as_str()),
                ship_type: Some(s.shiptype.raw()).filter(|t| *t != 0),
            })),
            Body::StaticData(part) => {
                if matches!(part, StaticDataReport::Reserved { .. }) {
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
        }
    }
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
}
