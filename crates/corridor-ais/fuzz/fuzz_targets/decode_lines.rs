//! Any bytes, as lines, through the whole stream decoder and the JSON writer.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = corridor_ais::DecodeOptions::default();
    let mut out = Vec::new();
    let _ = corridor_ais::decode_stream(data, &mut out, &opts);
    let lenient = corridor_ais::DecodeOptions {
        parse: corridor_ais::ParseOptions { verify_checksum: false, allow_missing_checksum: true },
        merge_type24: false,
        ..Default::default()
    };
    let _ = corridor_ais::decode_stream(data, &mut out, &lenient);
});
