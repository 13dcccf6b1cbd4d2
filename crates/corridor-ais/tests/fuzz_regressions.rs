//! Replays every input the fuzzer ever crashed on (tests/fuzz_regressions/),
//! through both fuzz targets' code paths. Files are named `<target>-<crash id>`.

use std::path::PathBuf;

use corridor_ais::{
    DecodeOptions, EncodeOptions, JsonOptions, ParseOptions, decode_payload, decode_stream, encode,
};

fn check(name: &str, data: &[u8]) {
    if name.starts_with("decode_payload") {
        let Some((&fill, payload)) = data.split_first() else {
            return;
        };
        let armor: Vec<u8> = payload
            .iter()
            .map(|&b| corridor_ais::bits::armor(b & 0x3f))
            .collect();
        let m = decode_payload(&armor, fill % 6);
        let mut out = Vec::new();
        corridor_ais::gpsd_json::write_message(
            &m,
            &JsonOptions {
                scaled: true,
                device: None,
            },
            &mut out,
        );
        let _ = encode(&m, &EncodeOptions::default());
    } else {
        let mut out = Vec::new();
        decode_stream(data, &mut out, &DecodeOptions::default()).unwrap();
        let lenient = DecodeOptions {
            parse: ParseOptions {
                verify_checksum: false,
                allow_missing_checksum: true,
            },
            merge_type24: false,
            ..Default::default()
        };
        decode_stream(data, &mut out, &lenient).unwrap();
    }
}

#[test]
fn fuzz_regressions_do_not_panic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') || name.ends_with(".md") {
            continue;
        }
        check(&name, &std::fs::read(&path).unwrap());
        n += 1;
    }
    println!("{n} fuzz regressions replayed");
}
