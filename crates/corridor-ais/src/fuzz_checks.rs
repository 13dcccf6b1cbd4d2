//! The checks the fuzz targets make (`fuzz/fuzz_targets/`), kept here so
//! that replaying past crashes (`tests/fuzz_regressions.rs`) makes exactly
//! the same ones. Only with the `fuzz-checks` feature.

use crate::{DecodeOptions, EncodeOptions, JsonOptions, ParseOptions};

/// Any bytes as `fill` then a payload mapped onto the armor alphabet:
/// decode, write as JSON, re-encode; a whole message survives the round trip.
pub fn decode_payload(data: &[u8]) {
    let Some((&fill, payload)) = data.split_first() else {
        return;
    };
    // Map arbitrary bytes onto the armor alphabet so the decoder's layouts are reached.
    let armor: Vec<u8> = payload
        .iter()
        .map(|&b| crate::bits::armor(b & 0x3f))
        .collect();
    let m = crate::decode_payload(&armor, fill % 6);
    let mut out = Vec::new();
    crate::gpsd_json::write_message(
        &m,
        &JsonOptions {
            scaled: fill & 8 != 0,
            device: None,
        },
        &mut out,
    );
    if !m.partial {
        let (again, len) = m.to_bits().armored();
        let m2 = crate::decode_payload(&again, (again.len() * 6 - len) as u8);
        assert_eq!(m2, m, "round trip");
    }
    let _ = crate::encode(&m, &EncodeOptions::default());
}

/// Any bytes, as lines, through the whole stream decoder and the JSON
/// writer, strict and lenient.
pub fn decode_lines(data: &[u8]) {
    let mut out = Vec::new();
    crate::decode_stream(data, &mut out, &DecodeOptions::default())
        .expect("writing to memory does not fail");
    let lenient = DecodeOptions {
        parse: ParseOptions {
            verify_checksum: false,
            allow_missing_checksum: true,
        },
        merge_type24: false,
        ..Default::default()
    };
    crate::decode_stream(data, &mut out, &lenient).expect("writing to memory does not fail");
}
