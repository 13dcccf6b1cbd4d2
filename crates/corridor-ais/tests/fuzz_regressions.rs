//! Replays every input the fuzzer ever crashed on (tests/fuzz_regressions/),
//! through the fuzz target it crashed, with that target's own checks. Files are named `<target>-<crash id>`.

use std::path::PathBuf;

/// The fuzz target's own checks, by the target the file is named after.
fn check(name: &str, data: &[u8]) {
    if name.starts_with("decode_payload") {
        corridor_ais::fuzz_checks::decode_payload(data);
    } else {
        assert!(name.starts_with("decode_lines"), "{name}: which target?");
        corridor_ais::fuzz_checks::decode_lines(data);
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
