//! Encoder tests: AisLib's decode/encode file re-encodes byte for byte, and
//! encode → decode round-trips exactly for generated messages of every type.

use std::path::PathBuf;

use corridor_ais::bits::Bits;
use corridor_ais::encode::{EncodeOptions, TagBlockSpec, encode, encode_bits};
use corridor_ais::sentence::{Frame, LineParser, ParseOptions};
use corridor_ais::{Decoder, Message, decode_payload};
use proptest::prelude::*;

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/ais")
        .join(rel)
}

/// Decode every message of `lines` and re-encode it with the framing of the
/// original (talker, channel, seq id, characters per sentence); returns the
/// sentences that did not come back identical.
fn reencode_mismatches(text: &str) -> (usize, Vec<String>) {
    let mut bad = Vec::new();
    let mut messages = 0;
    let mut group: Vec<String> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| l.starts_with('!')) {
        group.push(line.to_string());
        let frames: Vec<_> = LineParser::new(line.as_bytes(), ParseOptions::default()).collect();
        let Some(Ok(Frame::Vdm { sentence: s, .. })) = frames.first() else {
            bad.push(format!("unparsable: {line}"));
            group.clear();
            continue;
        };
        if s.number < s.total {
            continue;
        }
        // Last part: rebuild the payload from the group.
        let mut payload = Vec::new();
        let mut first_len = 0;
        let mut fill = 0;
        for (i, l) in group.iter().enumerate() {
            if let Some(Ok(Frame::Vdm { sentence, .. })) =
                LineParser::new(l.as_bytes(), ParseOptions::default()).next()
            {
                if i == 0 {
                    first_len = sentence.payload.len();
                }
                payload.extend_from_slice(sentence.payload);
                fill = sentence.fill;
            }
        }
        let msg = decode_payload(&payload, fill);
        messages += 1;
        let opts = EncodeOptions {
            talker: s.talker,
            own_ship: s.own_ship,
            channel: s.channel,
            seq_id: s.seq_id,
            max_chars: first_len.max(1),
            tag_block: None,
        };
        let got = encode(&msg, &opts).unwrap();
        if got != group {
            bad.push(format!("{group:?} -> {got:?} ({msg:?})"));
        }
        group.clear();
    }
    (messages, bad)
}

#[test]
fn aislib_decode_encode_messages_reencode_byte_for_byte() {
    let text = std::fs::read_to_string(data("aislib/decode_encode_messages.txt")).unwrap();
    let (n, bad) = reencode_mismatches(&text);
    assert!(n > 500, "{n}");
    assert!(
        bad.is_empty(),
        "{} of {n} differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn tag_blocks_and_groups_round_trip_through_the_decoder() {
    let mut msg = decode_payload(
        b"55NBjP01mtGIL@CW;SM<D60P5Ld000000000000P0`<3557l0<50@kk@K5h@00000000000",
        2,
    );
    msg.partial = false;
    let opts = EncodeOptions {
        seq_id: Some(3),
        tag_block: Some(TagBlockSpec {
            source: Some("rSRC".into()),
            time: Some(1_700_000_000),
            group_id: Some(42),
        }),
        ..EncodeOptions::default()
    };
    let lines = encode(&msg, &opts).unwrap();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with("\\g:1-2-42,s:rSRC,c:1700000000*"),
        "{}",
        lines[0]
    );
    let mut dec = Decoder::default();
    let mut got = Vec::new();
    for l in &lines {
        dec.feed_line(l.as_bytes(), |d| {
            got.push((d.message.clone(), d.source().to_string(), d.time_millis()))
        });
    }
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0.to_bits(), msg.to_bits());
    assert_eq!(got[0].1, "rSRC");
    assert_eq!(got[0].2, Some(1_700_000_000_000));
    assert_eq!(dec.stats().rejected_total(), 0);
}

/// Standard bit lengths per type (variable types get a few sizes).
fn lengths(t: u8) -> Vec<usize> {
    match t {
        1..=4 | 9 | 11 | 18 | 22 | 27 => vec![168],
        5 => vec![424],
        6 => vec![88, 136, 168, 400, 1008],
        7 | 13 => vec![72, 104, 136, 168],
        8 => vec![56, 168, 352, 1008],
        10 => vec![72],
        12 => vec![72, 120, 1008],
        14 => vec![40, 100, 1008],
        15 => vec![88, 110, 160],
        16 => vec![96, 144],
        17 => vec![80, 200, 816],
        19 => vec![312],
        20 => vec![72, 104, 136, 160],
        21 => vec![272, 320, 360],
        23 => vec![160],
        24 => vec![160, 168],
        25 => vec![40, 72, 168],
        26 => vec![60, 120, 1064],
        _ => vec![96],
    }
}

fn arb_payload() -> impl Strategy<Value = Bits> {
    (
        1u8..=27,
        any::<u64>(),
        proptest::collection::vec(any::<u8>(), 133),
    )
        .prop_map(|(t, pick, bytes)| {
            let ls = lengths(t);
            let len = ls[(pick as usize) % ls.len()];
            let mut b = Bits::from_bytes(&bytes, len);
            // Set the type field, and for type 24 a defined part number.
            let mut w = corridor_ais::bits::BitWriter::new();
            w.u(6, u32::from(t));
            for i in 6..len {
                w.u(1, u32::from(b.get(i)));
            }
            b = w.finish();
            b
        })
}

fn decode_bits(b: &Bits) -> Message {
    let (armor, len) = b.armored();
    decode_payload(&armor, (armor.len() * 6 - len) as u8)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Generated messages of every type: decode(encode(m)) == m, and the
    /// payload bits are reproduced exactly.
    #[test]
    fn encode_decode_round_trip(bits in arb_payload()) {
        let m = decode_bits(&bits);
        // A truncated layout (e.g. a structured type 25 of 40 bits) is zero-filled
        // on decode and cannot reproduce its input; those are covered below.
        prop_assume!(!m.partial);
        let again = m.to_bits();
        prop_assert_eq!(&again, &bits, "{:?}", m);
        let lines = encode(&m, &EncodeOptions::default()).unwrap();
        let mut dec = Decoder::default();
        let mut got = Vec::new();
        for l in &lines {
            dec.feed_line(l.as_bytes(), |d| got.push(d.message.clone()));
        }
        prop_assert_eq!(got.len(), 1);
        prop_assert_eq!(&got[0], &m);
    }

    /// Arbitrary bytes never panic the line decoder, and everything seen is accounted for.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut dec = Decoder::default();
        let mut n = 0u64;
        for line in bytes.split(|&c| c == b'\n') {
            dec.feed_line(line, |d| { n += 1; let _ = d.message.to_bits(); });
        }
        dec.finish();
        prop_assert_eq!(dec.stats().messages, n);
    }

    /// Arbitrary armored payloads decode without panicking and re-encode.
    #[test]
    fn arbitrary_payloads_never_panic(payload in "[0-9:;<=>?@A-W`a-w]{0,200}", fill in 0u8..8) {
        let m = decode_payload(payload.as_bytes(), fill);
        let _ = m.to_bits();
        let _ = encode_bits(&m.to_bits(), &EncodeOptions::default());
    }
}
