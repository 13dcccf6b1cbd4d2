//! Any armored payload: decode, print, re-encode, decode again.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&fill, payload)) = data.split_first() else { return };
    // Map arbitrary bytes onto the armor alphabet so the decoder's layouts are reached.
    let armor: Vec<u8> = payload.iter().map(|&b| corridor_ais::bits::armor(b & 0x3f)).collect();
    let m = corridor_ais::decode_payload(&armor, fill % 6);
    let mut out = Vec::new();
    corridor_ais::gpsd_json::write_message(&m, &corridor_ais::JsonOptions { scaled: fill & 8 != 0, device: None }, &mut out);
    let bits = m.to_bits();
    if !m.partial {
        let (again, len) = bits.armored();
        let m2 = corridor_ais::decode_payload(&again, (again.len() * 6 - len) as u8);
        assert_eq!(m2, m, "round trip");
    }
    let _ = corridor_ais::encode(&m, &corridor_ais::EncodeOptions::default());
});
