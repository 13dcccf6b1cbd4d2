//! gpsd-compatible JSON (`gpsdecode -j` / `-u -j`): gpsd's field names,
//! order and units, scaled or raw. Written straight into a byte buffer.

use std::io::Write;

use crate::messages::dacfi::{self, Application};
use crate::messages::fields::{epfd_text, ship_type_text};
use crate::messages::link::ChannelTarget;
use crate::messages::static_data::{Dimensions, StaticDataReport, StaticPartB};
use crate::messages::{Body, Message};

/// JSON output options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonOptions {
    /// Scaled units (degrees, knots) like `gpsdecode -j`; raw integers otherwise (`-u`).
    pub scaled: bool,
    /// gpsd's `device` field (gpsdecode prints `stdin`); omitted when `None`.
    pub device: Option<String>,
}

/// Minimal JSON object writer.
pub(crate) struct Obj<'a> {
    out: &'a mut Vec<u8>,
    /// A message cut short: where its fields end, and how many body bits
    /// it holds. Fields it does not hold whole are left out, not written
    /// as the zeros read past its end (gpsd rejects such a message; pyais
    /// gives no value).
    cut: Option<(crate::messages::FieldEnds, usize)>,
}

impl<'a> Obj<'a> {
    pub(crate) fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Obj { out, cut: None }
    }
    /// Whether key `k` is written: always, unless the message is cut
    /// short before the end of the field it shows.
    fn keeps(&self, k: &str) -> bool {
        let Some((end_of, held)) = self.cut else {
            return true;
        };
        let field = match k {
            // Shown from several fields: held if the last one is.
            "eta" => "minute",
            "timestamp" => "second",
            _ => k.strip_suffix("_text").unwrap_or(k),
        };
        end_of(field).is_none_or(|end| end <= held)
    }
    fn key(&mut self, k: &str) {
        if self.out.last() != Some(&b'{') && self.out.last() != Some(&b'[') {
            self.out.push(b',');
        }
        self.out.push(b'"');
        self.out.extend_from_slice(k.as_bytes());
        self.out.extend_from_slice(b"\":");
    }
    pub(crate) fn u(&mut self, k: &str, v: impl Into<u64>) {
        if !self.keeps(k) {
            return;
        }
        self.key(k);
        let _ = write!(self.out, "{}", v.into());
    }
    pub(crate) fn i(&mut self, k: &str, v: impl Into<i64>) {
        if !self.keeps(k) {
            return;
        }
        self.key(k);
        let _ = write!(self.out, "{}", v.into());
    }
    pub(crate) fn b(&mut self, k: &str, v: bool) {
        if !self.keeps(k) {
            return;
        }
        self.key(k);
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
    }
    pub(crate) fn f(&mut self, k: &str, v: f64, prec: usize) {
        if !self.keeps(k) {
            return;
        }
        self.key(k);
        let _ = write!(self.out, "{v:.prec$}");
    }
    pub(crate) fn s(&mut self, k: &str, v: &str) {
        if !self.keeps(k) {
            return;
        }
        self.key(k);
        string(self.out, v);
    }
    pub(crate) fn raw(&mut self, k: &str, v: &str) {
        if !self.keeps(k) {
            return;
        }
        self.key(k);
        self.out.extend_from_slice(v.as_bytes());
    }
    /// `"k":[…]` with the elements written by `f` (comma-separated by the caller).
    pub(crate) fn array(&mut self, k: &str, f: impl FnOnce(&mut Vec<u8>)) {
        if !self.keeps(k) {
            return;
        }
        self.key(k);
        self.out.push(b'[');
        f(self.out);
        self.out.push(b']');
    }
    pub(crate) fn close(self) {
        self.out.push(b'}');
    }
}

/// A JSON string with gpsd's escapes.
fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for c in s.bytes() {
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            c if c < 0x20 => {
                let _ = write!(out, "\\u{c:04x}");
            }
            c => out.push(c),
        }
    }
    out.push(b'"');
}

fn data(o: &mut Obj<'_>, bits: &crate::bits::Bits) {
    let v = format!("\"{}:{}\"", bits.len(), bits.to_hex());
    o.raw("data", &v);
}

fn pos7(o: &mut Obj<'_>, scaled: bool, lon: i32, lat: i32) {
    if scaled {
        o.f("lon", f64::from(lon) / 600_000.0, 7);
        o.f("lat", f64::from(lat) / 600_000.0, 7);
    } else {
        o.i("lon", lon);
        o.i("lat", lat);
    }
}

const STATION_TYPES: [&str; 16] = [
    "All types of mobiles",
    "Reserved for future use",
    "All types of Class B mobile stations",
    "SAR airborne mobile station",
    "Aid to Navigation station",
    "Class B shipborne mobile station",
    "Regional use and inland waterways",
    "Regional use and inland waterways",
    "Regional use and inland waterways",
    "Regional use and inland waterways",
    "Reserved for future use",
    "Reserved for future use",
    "Reserved for future use",
    "Reserved for future use",
    "Reserved for future use",
    "Reserved for future use",
];

/// gpsd's aid-to-navigation type legend.
pub fn aid_type_text(v: u8) -> &'static str {
    const T: [&str; 32] = [
        "Unspecified",
        "Reference point",
        "RACON",
        "Fixed offshore structure",
        "Spare, Reserved for future use.",
        "Light, without sectors",
        "Light, with sectors",
        "Leading Light Front",
        "Leading Light Rear",
        "Beacon, Cardinal N",
        "Beacon, Cardinal E",
        "Beacon, Cardinal S",
        "Beacon, Cardinal W",
        "Beacon, Port hand",
        "Beacon, Starboard hand",
        "Beacon, Preferred Channel port hand",
        "Beacon, Preferred Channel starboard hand",
        "Beacon, Isolated danger",
        "Beacon, Safe water",
        "Beacon, Special mark",
        "Cardinal Mark N",
        "Cardinal Mark E",
        "Cardinal Mark S",
        "Cardinal Mark W",
        "Port hand Mark",
        "Starboard hand Mark",
        "Preferred Channel Port hand",
        "Preferred Channel Starboard hand",
        "Isolated danger",
        "Safe Water",
        "Special Mark",
        "Light Vessel / LANBY / Rigs",
    ];
    T.get(usize::from(v))
        .copied()
        .unwrap_or("INVALID NAVAID TYPE")
}

/// gpsd's 7-character vendor id: the 3-character id plus the model and
/// serial bits read as four more characters (pre-M.1371-4 layout).
fn vendorid7(b: &StaticPartB) -> String {
    let mut bits = crate::bits::BitWriter::new();
    b.vendorid.write(&mut bits, 3);
    bits.u(4, u32::from(b.model));
    bits.u(20, b.serial);
    let bits = bits.finish();
    let mut s = String::with_capacity(7);
    for k in 0..7 {
        let c = crate::bits::sixbit_to_ascii(bits.u(k * 6, 6) as u8);
        if c == b'@' {
            break;
        }
        s.push(c as char);
    }
    s.trim_end_matches(' ').to_string()
}

/// What to print for a type 24 report (gpsd merges A into the next B).
#[derive(Debug, Clone, Copy)]
pub enum Type24View<'a> {
    /// Part A on its own.
    A(&'a str),
    /// Part B on its own.
    B(&'a StaticPartB),
    /// Both parts merged.
    Both(&'a str, &'a StaticPartB),
}

/// Append one gpsd JSON object (no newline) for `m` to `out`.
pub fn write_message(m: &Message, opts: &JsonOptions, out: &mut Vec<u8>) {
    write_message_with(m, opts, None, out)
}

/// Like [`write_message`], with an explicit type 24 view (used by the
/// stream decoder to merge parts A and B as gpsd does).
pub fn write_message_with(
    m: &Message,
    opts: &JsonOptions,
    t24: Option<Type24View<'_>>,
    out: &mut Vec<u8>,
) {
    let scaled = opts.scaled;
    let mut o = Obj::new(out);
    o.s("class", "AIS");
    if let Some(d) = &opts.device {
        o.s("device", d);
    }
    o.u("type", m.msg_type);
    // A header cut short: no repeat or MMSI made up of zeros (a wrong
    // MMSI names another vessel).
    if m.bit_len >= 8 {
        o.u("repeat", m.repeat);
    }
    if m.bit_len >= 38 {
        o.u("mmsi", m.mmsi);
    }
    o.b("scaled", scaled);
    if m.partial {
        // gpsd takes a type 5 from 420 bits: the end of its destination
        // is padding then, and only `dte` is missing.
        let held = match m.msg_type {
            5 if m.bit_len >= 420 => 422,
            _ => m.bit_len,
        };
        o.cut = m
            .body
            .field_ends()
            .map(|ends| (ends, held.saturating_sub(38)));
    }
    match &m.body {
        Body::Position(p) => {
            o.u("status", p.status.raw());
            o.s("status_text", p.status.text());
            if scaled {
                let t = p.turn.0;
                match t {
                    -128 => o.s("turn", "n/a"),
                    -127 => o.s("turn", "fastleft"),
                    127 => o.s("turn", "fastright"),
                    _ => {
                        let mut r = (f64::from(t) / 4.733).powi(2);
                        if t < 0 {
                            r = -r;
                        }
                        o.s("turn", &format!("{r:.2}"));
                    }
                }
                match p.speed.0 {
                    1023 => o.s("speed", "n/a"),
                    1022 => o.s("speed", "fast"),
                    v => o.f("speed", f64::from(v) / 10.0, 1),
                }
            } else {
                o.i("turn", p.turn.0);
                o.u("speed", p.speed.0);
            }
            o.b("accuracy", p.accuracy);
            pos7(&mut o, scaled, p.lon.0, p.lat.0);
            if scaled {
                o.f("course", f64::from(p.course.0) / 10.0, 1);
            } else {
                o.u("course", p.course.0);
            }
            o.u("heading", p.heading.0);
            o.u("second", p.second);
            o.u("maneuver", p.maneuver);
            o.b("raim", p.raim);
            o.u("radio", p.radio);
        }
        Body::BaseStation(b) => {
            o.s(
                "timestamp",
                &format!(
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                    b.year, b.month, b.day, b.hour, b.minute, b.second
                ),
            );
            o.b("accuracy", b.accuracy);
            pos7(&mut o, scaled, b.lon.0, b.lat.0);
            o.u("epfd", b.epfd);
            o.s("epfd_text", epfd_text(b.epfd));
            o.b("raim", b.raim);
            o.u("radio", b.radio);
        }
        Body::StaticVoyage(s) => {
            o.u("imo", s.imo);
            o.u("ais_version", s.ais_version);
            o.s("callsign", s.callsign.as_str());
            o.s("shipname", s.shipname.as_str());
            o.u("shiptype", s.shiptype.raw());
            o.s("shiptype_text", s.shiptype.text());
            o.u("to_bow", s.to_bow);
            o.u("to_stern", s.to_stern);
            o.u("to_port", s.to_port);
            o.u("to_starboard", s.to_starboard);
            o.u("epfd", s.epfd);
            o.s("epfd_text", epfd_text(s.epfd));
            o.s(
                "eta",
                &format!("{:02}-{:02}T{:02}:{:02}Z", s.month, s.day, s.hour, s.minute),
            );
            if scaled {
                o.f("draught", f64::from(s.draught) / 10.0, 1);
            } else {
                o.u("draught", s.draught);
            }
            o.s("destination", s.destination.as_str());
            o.u("dte", u8::from(s.dte));
        }
        Body::AddressedBinary(b) => {
            o.u("seqno", b.seqno);
            o.u("dest_mmsi", b.dest_mmsi);
            o.b("retransmit", b.retransmit);
            o.u("dac", b.dac);
            o.u("fid", b.fid);
            match dacfi::decode(6, b.dac, b.fid, &b.data) {
                Some(app) if app.gpsd_structured() => dacfi::write_json(&app, scaled, &mut o),
                _ => data(&mut o, &b.data),
            }
        }
        Body::BinaryBroadcast(b) => {
            o.u("dac", b.dac);
            o.u("fid", b.fid);
            match dacfi::decode(8, b.dac, b.fid, &b.data) {
                Some(app) if app.gpsd_structured() => dacfi::write_json(&app, scaled, &mut o),
                _ => data(&mut o, &b.data),
            }
        }
        Body::Acknowledge(a) => {
            for k in 0..4 {
                let v = a.acks.get(k).map_or(0, |a| a.mmsi);
                o.u(["mmsi1", "mmsi2", "mmsi3", "mmsi4"][k], v);
            }
        }
        Body::SarAircraft(s) => {
            if scaled {
                match s.alt {
                    4095 => o.s("alt", "nan"),
                    4094 => o.s("alt", "high"),
                    v => o.u("alt", v),
                }
                match s.speed {
                    1023 => o.s("speed", "nan"),
                    1022 => o.s("speed", "fast"),
                    v => o.u("speed", v),
                }
            } else {
                o.u("alt", s.alt);
                o.u("speed", s.speed);
            }
            o.b("accuracy", s.accuracy);
            pos7(&mut o, scaled, s.lon.0, s.lat.0);
            if scaled {
                o.f("course", f64::from(s.course.0) / 10.0, 1);
            } else {
                o.u("course", s.course.0);
            }
            o.u("second", s.second);
            o.u("regional", s.regional);
            o.u("dte", u8::from(s.dte));
            o.b("raim", s.raim);
            o.u("radio", s.radio);
        }
        Body::UtcInquiry(u) => o.u("dest_mmsi", u.dest_mmsi),
        Body::AddressedSafety(s) => {
            o.u("seqno", s.seqno);
            o.u("dest_mmsi", s.dest_mmsi);
            o.b("retransmit", s.retransmit);
            o.s("text", s.text.as_str());
        }
        Body::SafetyBroadcast(s) => o.s("text", s.text.as_str()),
        Body::Interrogation(q) => {
            o.u("mmsi1", q.mmsi1);
            o.u("type1_1", q.type1_1);
            o.u("offset1_1", q.offset1_1);
            o.u("type1_2", q.request2.map_or(0, |r| r.msg_type));
            o.u("offset1_2", q.request2.map_or(0, |r| r.offset));
            o.u("mmsi2", q.station2.map_or(0, |s| s.mmsi));
            o.u("type2_1", q.station2.map_or(0, |s| s.msg_type));
            o.u("offset2_1", q.station2.map_or(0, |s| s.offset));
        }
        Body::AssignedMode(a) => {
            let second = a.second.unwrap_or_default();
            o.u("mmsi1", a.first.mmsi);
            o.u("offset1", a.first.offset);
            o.u("increment1", a.first.increment);
            o.u("mmsi2", second.mmsi);
            o.u("offset2", second.offset);
            o.u("increment2", second.increment);
        }
        Body::Dgnss(d) => {
            if scaled {
                o.f("lon", f64::from(d.lon.0) / 600.0, 1);
                o.f("lat", f64::from(d.lat.0) / 600.0, 1);
            } else {
                o.i("lon", d.lon.0);
                o.i("lat", d.lat.0);
            }
            data(&mut o, &d.data);
        }
        Body::ClassB(b) => {
            o.u("reserved", b.reserved);
            if scaled {
                o.f("speed", f64::from(b.speed.0) / 10.0, 1);
            } else {
                o.u("speed", b.speed.0);
            }
            o.b("accuracy", b.accuracy);
            pos7(&mut o, scaled, b.lon.0, b.lat.0);
            if scaled {
                o.f("course", f64::from(b.course.0) / 10.0, 1);
            } else {
                o.u("course", b.course.0);
            }
            o.u("heading", b.heading.0);
            o.u("second", b.second);
            o.u("regional", b.regional);
            o.b("cs", b.cs);
            o.b("display", b.display);
            o.b("dsc", b.dsc);
            o.b("band", b.band);
            o.b("msg22", b.msg22);
            o.b("raim", b.raim);
            o.u("radio", b.radio);
        }
        Body::ClassBExtended(b) => {
            o.u("reserved", b.reserved);
            if scaled {
                o.f("speed", f64::from(b.speed.0) / 10.0, 1);
            } else {
                o.u("speed", b.speed.0);
            }
            o.b("accuracy", b.accuracy);
            pos7(&mut o, scaled, b.lon.0, b.lat.0);
            if scaled {
                o.f("course", f64::from(b.course.0) / 10.0, 1);
            } else {
                o.u("course", b.course.0);
            }
            o.u("heading", b.heading.0);
            o.u("second", b.second);
            o.u("regional", b.regional);
            o.s("shipname", b.shipname.as_str());
            o.u("shiptype", b.shiptype.raw());
            o.s("shiptype_text", b.shiptype.text());
            o.u("to_bow", b.to_bow);
            o.u("to_stern", b.to_stern);
            o.u("to_port", b.to_port);
            o.u("to_starboard", b.to_starboard);
            o.u("epfd", b.epfd);
            o.s("epfd_text", epfd_text(b.epfd));
            o.b("raim", b.raim);
            o.u("dte", u8::from(b.dte));
            o.b("assigned", b.assigned);
        }
        Body::DataLink(d) => {
            for k in 0..4 {
                let r = d.reservations.get(k).copied().unwrap_or_default();
                let n = k + 1;
                o.u(&format!("offset{n}"), r.offset);
                o.u(&format!("number{n}"), r.number);
                o.u(&format!("timeout{n}"), r.timeout);
                o.u(&format!("increment{n}"), r.increment);
            }
        }
        Body::AidToNavigation(a) => {
            let f = &a.fixed;
            o.u("aid_type", f.aid_type);
            o.s("aid_type_text", aid_type_text(f.aid_type));
            o.s("name", &a.full_name());
            if scaled {
                pos7(&mut o, scaled, f.lon.0, f.lat.0);
                o.b("accuracy", f.accuracy);
            } else {
                o.b("accuracy", f.accuracy);
                pos7(&mut o, scaled, f.lon.0, f.lat.0);
            }
            o.u("to_bow", f.to_bow);
            o.u("to_stern", f.to_stern);
            o.u("to_port", f.to_port);
            o.u("to_starboard", f.to_starboard);
            o.u("epfd", f.epfd);
            o.s("epfd_text", epfd_text(f.epfd));
            o.u("second", f.second);
            o.u("regional", f.regional);
            o.b("off_position", f.off_position);
            o.b("raim", f.raim);
            o.b("virtual_aid", f.virtual_aid);
        }
        Body::ChannelManagement(c) => {
            o.u("channel_a", c.channel_a);
            o.u("channel_b", c.channel_b);
            o.u("txrx", c.txrx);
            o.b("power", c.power);
            match c.target {
                ChannelTarget::Addressed { dest1, dest2, .. } => {
                    o.u("dest1", dest1);
                    o.u("dest2", dest2);
                }
                ChannelTarget::Area {
                    ne_lon,
                    ne_lat,
                    sw_lon,
                    sw_lat,
                } => {
                    corners(&mut o, scaled, [ne_lon.0, ne_lat.0, sw_lon.0, sw_lat.0]);
                }
            }
            o.b("addressed", c.addressed());
            o.b("band_a", c.band_a);
            o.b("band_b", c.band_b);
            o.u("zonesize", c.zonesize);
        }
        Body::GroupAssignment(g) => {
            corners(
                &mut o,
                scaled,
                [g.ne_lon.0, g.ne_lat.0, g.sw_lon.0, g.sw_lat.0],
            );
            o.u("stationtype", g.stationtype);
            o.s(
                "stationtype_text",
                STATION_TYPES[usize::from(g.stationtype & 15)],
            );
            o.u("shiptype", g.shiptype.raw());
            o.s("shiptype_text", g.shiptype.text());
            o.u("interval", g.interval);
            o.u("quiet", g.quiet);
        }
        Body::StaticData(s) => {
            let view = t24.or(match s {
                StaticDataReport::A { shipname, .. } => Some(Type24View::A(shipname.as_str())),
                StaticDataReport::B(b) => Some(Type24View::B(b)),
                StaticDataReport::Reserved { .. } => None,
            });
            match view {
                Some(Type24View::A(name)) => {
                    o.s("part", "A");
                    o.s("shipname", name);
                }
                Some(Type24View::B(b)) => {
                    o.s("part", "B");
                    part_b(&mut o, m.mmsi, b);
                }
                Some(Type24View::Both(name, b)) => {
                    o.s("shipname", name);
                    part_b(&mut o, m.mmsi, b);
                }
                None => {}
            }
        }
        Body::SlotBinary(s) => {
            o.b("addressed", s.addressed);
            o.b("structured", s.structured);
            o.u("dest_mmsi", s.dest_mmsi.unwrap_or(0));
            o.u("app_id", s.app_id.unwrap_or(0));
            data(&mut o, &s.data);
            if let Some(r) = s.radio {
                o.u("radio", r);
            }
        }
        Body::LongRange(l) => {
            o.u("status", l.status.raw());
            if scaled {
                o.s("status_text", l.status.text());
            }
            o.b("accuracy", l.accuracy);
            if scaled {
                o.f("lon", f64::from(l.lon.0) / 600.0, 4);
                o.f("lat", f64::from(l.lat.0) / 600.0, 4);
            } else {
                o.i("lon", l.lon.0);
                o.i("lat", l.lat.0);
            }
            o.u("speed", l.speed);
            o.u("course", l.course);
            o.b("raim", l.raim);
            o.b("gnss", l.gnss);
        }
        Body::Unknown => {}
    }
    o.close();
}

fn corners(o: &mut Obj<'_>, scaled: bool, v: [i32; 4]) {
    let names = ["ne_lon", "ne_lat", "sw_lon", "sw_lat"];
    for (k, v) in names.iter().zip(v) {
        if scaled {
            o.s(k, &format!("{:.6}", f64::from(v) / 600.0));
        } else {
            o.i(k, v);
        }
    }
}

fn part_b(o: &mut Obj<'_>, mmsi: u32, b: &StaticPartB) {
    o.u("shiptype", b.shiptype.raw());
    o.s("shiptype_text", ship_type_text(b.shiptype.raw()));
    o.s("vendorid", &vendorid7(b));
    o.u("model", b.model);
    o.u("serial", b.serial);
    o.s("callsign", b.callsign.as_str());
    match b.dimensions {
        Dimensions::MotherShip(ms) => o.u("mothership_mmsi", ms),
        Dimensions::Ship {
            to_bow,
            to_stern,
            to_port,
            to_starboard,
        } => {
            let _ = mmsi;
            o.u("to_bow", to_bow);
            o.u("to_stern", to_stern);
            o.u("to_port", to_port);
            o.u("to_starboard", to_starboard);
        }
    }
}

/// Is this application one gpsd prints field by field (rather than `data`)?
impl Application {
    /// True when gpsd would decode it (same layouts and length checks).
    pub fn gpsd_structured(&self) -> bool {
        // gpsd prints 8/367/33 as data.
        !matches!(self, Application::Other | Application::Environmental(_))
    }
}
