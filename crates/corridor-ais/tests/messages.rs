//! Message-level behaviour through the public API, data-driven: each
//! feature has one `check` helper and a table of cases.

use corridor_ais::bits::{BitWriter, Bits};
use corridor_ais::messages::dacfi::{self, Application, EnvValue};
use corridor_ais::messages::static_data::{StaticDataReport, Type24Merger};
use corridor_ais::{Body, Decoder, Message, decode_payload};

/// Decode the message(s) of some NMEA lines.
fn decode_lines(lines: &[&str]) -> Vec<Message> {
    let mut d = Decoder::default();
    let mut out = Vec::new();
    for l in lines {
        d.feed_line(l.as_bytes(), |m| out.push(m.message.clone()));
    }
    out
}

fn one(lines: &[&str]) -> Message {
    let mut v = decode_lines(lines);
    assert_eq!(v.len(), 1, "{lines:?}");
    v.remove(0)
}

/// A message's payload resized to `len` bits (cut, or padded with ones).
fn resized(m: &Message, len: usize) -> Message {
    let bits = m.to_bits();
    let mut w = BitWriter::new();
    for i in 0..len {
        w.u(
            1,
            if i < bits.len() {
                u32::from(bits.get(i))
            } else {
                1
            },
        );
    }
    let b: Bits = w.finish();
    let (armor, n) = b.armored();
    decode_payload(&armor, (armor.len() * 6 - n) as u8)
}

const T1: &str = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";
const T5: [&str; 2] = [
    "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C",
    "!AIVDM,2,2,1,A,88888888880,2*25",
];
const T24A: &str = "!AIVDM,1,1,,A,H42O55i18tMET00000000000000,2*6D";
const T24B: &str = "!AIVDM,1,1,,A,H42O55lti4hhhilD3nink000?050,0*40";
const T25: &str = "!AIVDM,1,1,,A,I6SWo?8P00a3PKpEKEVj0?vNP<65,0*73";
const T26: &str = "!AIVDM,1,1,,A,J1@@0IK70PGgT740000000000@000?D0ih1e00006JlPC9C3,0*6B";

#[test]
fn scaled_values_and_not_available() {
    let m = one(&[T1]);
    let Body::Position(p) = &m.body else {
        panic!("{m:?}")
    };
    assert_eq!(m.mmsi, 371_798_000);
    assert_eq!(p.speed.knots(), Some(12.3));
    assert_eq!(p.course.degrees(), Some(224.0));
    assert_eq!(p.heading.degrees(), Some(215));
    assert!((p.lon.degrees().unwrap() + 123.395_383_3).abs() < 1e-6);
    assert!((p.lat.degrees().unwrap() - 48.381_633_3).abs() < 1e-6);
    // −127: "turning left at more than 5°/30 s", no rate available.
    assert_eq!(p.turn.0, -127);
    assert_eq!(p.turn.degrees_per_minute(), None);
    assert!(!m.partial);
    assert_eq!(m.position().map(|(lon, _)| lon.round()), Some(-123.0));
}

/// (what, message, bits to keep, want partial, want extra bits)
fn check_length(what: &str, m: &Message, len: usize, partial: bool, extra: usize) {
    let r = resized(m, len);
    assert_eq!(r.msg_type, m.msg_type, "{what}");
    assert_eq!(
        (r.partial, r.extra.len()),
        (partial, extra),
        "{what}: {r:?}"
    );
    // Whatever arrived decodes the same as the full message up to there.
    assert_eq!(r.mmsi, m.mmsi, "{what}");
}

#[test]
fn truncated_and_overlong_payloads_are_flagged_not_dropped() {
    let t1 = one(&[T1]);
    let t5 = one(&T5);
    let t24a = decode_lines(&[T24A]).remove(0);
    let t25 = one(&[T25]);
    let t26 = one(&[T26]);
    let cases: &[(&str, &Message, usize, bool, usize)] = &[
        ("type 1 standard", &t1, 168, false, 0),
        ("type 1 at 204", &t1, 204, true, 36),
        ("type 1 short", &t1, 100, true, 0),
        ("type 5 standard", &t5, 424, false, 0),
        ("type 5 at 420", &t5, 420, true, 0),
        // 422 bits arrive as 71 characters with 4 fill bits: the layout needs
        // 424 and the characters hold them, so the fill count is taken as wrong.
        ("type 5 at 422", &t5, 422, false, 0),
        ("type 5 at 426", &t5, 426, true, 2),
        ("type 24A at 160", &t24a, 160, false, 0),
        ("type 24A at 158", &t24a, 158, true, 0),
        ("type 24A at 162", &t24a, 162, true, 2),
        ("type 24A at 168", &t24a, 168, false, 0),
        ("type 25 short", &t25, 39, true, 0),
        ("type 26 short", &t26, 50, true, 0),
    ];
    for &(what, m, len, partial, extra) in cases {
        check_length(what, m, len, partial, extra);
    }
}

/// The gpsd JSON keys of `m` cut to `len` bits, in order.
fn json_keys(m: &Message, len: usize) -> Vec<String> {
    let mut out = Vec::new();
    let opts = corridor_ais::JsonOptions {
        scaled: true,
        device: None,
    };
    corridor_ais::gpsd_json::write_message(&resized(m, len), &opts, &mut out);
    let v: serde_json::Value = serde_json::from_slice(&out).expect("one JSON object");
    v.as_object().unwrap().keys().cloned().collect()
}

/// Open finding 61: `ais decode` printed a message cut short with zeros in
/// the fields it does not hold (a 90-bit type 1 at latitude 0), where gpsd
/// rejects it and pyais gives no value. Only the fields it holds whole are
/// written.
#[test]
fn a_message_cut_short_shows_only_the_fields_it_holds() {
    let t1 = one(&[T1]);
    let header = ["class", "type", "repeat", "mmsi", "scaled"];
    let keys = json_keys(&t1, 90);
    let mut want: Vec<&str> = header.to_vec();
    // Status 4 + turn 8 + speed 10 + accuracy 1 + longitude 28 = 51 of the 52 bits.
    want.extend(["status", "status_text", "turn", "speed", "accuracy", "lon"]);
    let mut keys_sorted = keys.clone();
    keys_sorted.sort();
    want.sort();
    assert_eq!(keys_sorted, want, "{keys:?}");
    // Whole, and over-long: every field.
    for len in [168, 204] {
        assert!(json_keys(&t1, len).iter().any(|k| k == "radio"), "{len}");
    }
    // A type 5 cut inside its ETA: its name and type stand, the ETA and
    // what follows it do not.
    let t5 = one(&T5);
    // Version 2, IMO 30, call sign 42, name 120, type 8, dimensions 30,
    // fixing device 4: 236 bits; then the ETA's month and day.
    let keys = json_keys(&t5, 38 + 236 + 4 + 5);
    for k in [
        "imo",
        "callsign",
        "shipname",
        "shiptype",
        "shiptype_text",
        "to_bow",
        "epfd",
        "epfd_text",
    ] {
        assert!(keys.iter().any(|x| x == k), "{k}: {keys:?}");
    }
    for k in ["eta", "draught", "destination", "dte"] {
        assert!(!keys.iter().any(|x| x == k), "{k}: {keys:?}");
    }
    // From 420 bits gpsd takes a type 5 whole but its `dte` (the review
    // of session 26's change).
    let keys = json_keys(&t5, 420);
    assert!(keys.iter().any(|x| x == "destination"), "{keys:?}");
    assert!(!keys.iter().any(|x| x == "dte"), "{keys:?}");
    // A header cut short makes up no MMSI.
    let keys = json_keys(&t1, 30);
    assert!(!keys.iter().any(|x| x == "mmsi"), "{keys:?}");
    assert!(keys.iter().any(|x| x == "repeat"), "{keys:?}");
    // A truncated type 5 keeps what arrived: name and call sign are intact.
    let short = resized(&t5, 420);
    let Body::StaticVoyage(s) = &short.body else {
        panic!()
    };
    let Body::StaticVoyage(full) = &t5.body else {
        panic!()
    };
    assert_eq!(s.shipname, full.shipname);
    assert_eq!(s.callsign, full.callsign);
    // A type 22 cut before its `addressed` flag: whether its middle is an
    // area's corners or two stations is not known, so neither is shown.
    use corridor_ais::messages::link::ChannelTarget;
    let t22 = Message::new(
        2_655_000,
        Body::ChannelManagement(corridor_ais::messages::ChannelManagement {
            channel_a: 2087,
            channel_b: 2088,
            target: ChannelTarget::Addressed {
                dest1: 211_000_001,
                spare1: 0,
                dest2: 211_000_002,
                spare2: 0,
            },
            ..Default::default()
        }),
    );
    let keys = json_keys(&t22, 38 + 101);
    assert!(keys.iter().any(|x| x == "power"), "{keys:?}");
    for k in ["dest1", "dest2", "ne_lon", "addressed", "band_a"] {
        assert!(!keys.iter().any(|x| x == k), "{k}: {keys:?}");
    }
    let keys = json_keys(&t22, 38 + 102);
    for k in ["dest1", "dest2", "addressed"] {
        assert!(keys.iter().any(|x| x == k), "{k}: {keys:?}");
    }
    assert!(!keys.iter().any(|x| x == "band_a"), "{keys:?}");
    assert!(json_keys(&t22, 168).iter().any(|x| x == "zonesize"));
}

#[test]
fn type24_parts_merge_per_mmsi() {
    let msgs = decode_lines(&[T24A, T24B]);
    assert_eq!(msgs.len(), 2);
    let mut merger = Type24Merger::default();
    for m in &msgs {
        let Body::StaticData(r) = &m.body else {
            panic!()
        };
        merger.push(m.mmsi, r);
    }
    let merged = merger.get(271_041_815).expect("merged");
    assert!(merged.is_complete());
    assert_eq!(merged.shipname.unwrap().as_str(), "PROGUY");
    let b = merged.part_b.as_ref().unwrap();
    assert_eq!(b.callsign.as_str(), "TC6163");
    assert_eq!(b.shiptype.raw(), 60);
    // The parts stay available as decoded.
    assert!(matches!(
        msgs[0].body,
        Body::StaticData(StaticDataReport::A { .. })
    ));
}

/// (lines, dac, fid, predicate on the decoded application)
fn check_app(lines: &[&str], want: impl Fn(&Application) -> bool) {
    let m = one(lines);
    let (msg_type, dac, fid, data) = match &m.body {
        Body::AddressedBinary(b) => (6, b.dac, b.fid, &b.data),
        Body::BinaryBroadcast(b) => (8, b.dac, b.fid, &b.data),
        other => panic!("{other:?}"),
    };
    let app = dacfi::decode(msg_type, dac, fid, data).expect("application");
    assert!(want(&app), "{dac}/{fid}: {app:?}");
}

#[test]
fn dac_fi_applications() {
    // 6/200/55 persons on board (gpsd ais-nmea-type6-fid55.log).
    check_app(&["!AIVDM,1,1,,B,63aGD6@0RW?8<SL4000000000000,0*11"], |a| {
        matches!(
            a,
            Application::PersonsOnBoard {
                crew: 4,
                passengers: 0,
                personnel: 0
            }
        )
    });
    // 8/1/31 meteorological/hydrographic, all "not available" (gpsd sample.aivdm).
    check_app(
        &["!AIVDO,1,1,5,A,8>jR06@0Gwli:QQUP3en?wvlFR06EuOwgwl?wnSwe7wvlOwwsAwwnSGmwvh0,0*51"],
        |a| matches!(a, Application::MetHydro31(m) if m.wspeed == 127 && m.humidity == 101 && m.airtemp == -1024),
    );
}

#[test]
fn uscg_environmental_8_367_33() {
    // gpsd ais-nmea-type6-fid55.log: one water-level report.
    let mut w = BitWriter::new();
    for (n, v) in [
        (6u32, 8u32),
        (2, 3),
        (30, 3_699_101),
        (2, 0),
        (10, 367),
        (6, 33),
    ] {
        w.u(n, v);
    }
    let hex = "351ea02005104900000c78000000";
    for k in 0..hex.len() / 2 {
        w.u(8, u32::from_str_radix(&hex[2 * k..2 * k + 2], 16).unwrap());
    }
    let (armor, n) = w.finish().armored();
    let m = decode_payload(&armor, (armor.len() * 6 - n) as u8);
    let Body::BinaryBroadcast(b) = &m.body else {
        panic!()
    };
    let Some(Application::Environmental(r)) = dacfi::decode(8, b.dac, b.fid, &b.data) else {
        panic!("{b:?}")
    };
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].report_type, 3);
    assert_eq!(r[0].fields.len(), 12);
    assert!(matches!(r[0].fields[1], ("level", EnvValue::Int(_))));
}

/// Open finding 39: a line with no AIS sentence at all was skipped without
/// a count. Other NMEA sentences and text count as `not_ais`; blank and
/// comment lines do not, and a refused AIS sentence is a rejection.
#[test]
fn lines_with_no_ais_sentence_are_counted() {
    let mut d = Decoder::default();
    for line in [
        "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47",
        "hello",
        "\u{1}\u{2}binary",
        "",
        "   ",
        "# a comment",
        "!AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0*00",
        "!AIVDM,1,1,,B,177KQJ5000G?tO`K>RA1wUbN0TKH,0*5C",
    ] {
        d.feed_line(line.as_bytes(), |_| {});
    }
    let s = d.stats();
    assert_eq!(s.not_ais, 3, "{s:?}");
    assert_eq!(s.rejected_total(), 1, "{s:?}");
    assert_eq!(s.messages, 1, "{s:?}");
}

/// Open finding 61: a fill-bit count above 5 (no character pads more) was
/// taken as 5 without a word. It still is (transmitters get it wrong), and
/// counted, and `--stats` says how many.
#[test]
fn a_fill_bit_count_above_five_is_counted() {
    let body = "AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,7";
    let line = format!(
        "!{body}*{:02X}",
        corridor_ais::sentence::checksum(body.as_bytes())
    );
    let mut d = Decoder::default();
    let mut got = Vec::new();
    d.feed_line(line.as_bytes(), |m| got.push(m.message.bit_len));
    d.feed_line(T1.as_bytes(), |m| got.push(m.message.bit_len));
    assert_eq!(got.len(), 2, "decoded all the same");
    let s = d.stats();
    assert_eq!(s.fill_over_5, 1, "{s:?}");
    let summary = corridor_ais::DecodeSummary {
        stats: s.clone(),
        elapsed: std::time::Duration::from_secs(1),
    }
    .to_string();
    assert!(
        summary.contains("fill bits above 5 (taken as 5): 1"),
        "{summary}"
    );
}
