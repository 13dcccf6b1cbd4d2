#!/usr/bin/env bash
# Fuzz every target for SECONDS each, seeded with the AIS corpora in
# shared/data/ais; crashes are copied to ../tests/fuzz_regressions/ where
# tests/fuzz_regressions.rs replays them on every `cargo test`.
# Usage: crates/corridor-ais/fuzz/run.sh SECONDS
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain it
# sets RUSTC_BOOTSTRAP=1 for the sanitizer flags.
set -euo pipefail
secs="${1:?usage: run.sh SECONDS}"
here="$(cd "$(dirname "$0")" && pwd)"
shared="${AIS_DATA:-$here/../../../../shared/data/ais}"
[ -d "$shared" ] || shared="$here/../../../shared/data/ais"
regress="$here/../tests/fuzz_regressions"
mkdir -p "$regress"
cd "$here"
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$here/target}"

# Seeds: every corpus file cut into 40-line pieces (libFuzzer wants small inputs).
seed="$here/corpus/seed"
if [ ! -d "$seed" ]; then
    mkdir -p "$seed"
    find "$shared" -type f ! -name '*.json' ! -name '*.chk' ! -name 'LICENSE*' ! -name 'COPYING' ! -name '*.md' ! -name README |
    while read -r f; do
        split -l 40 -a 4 "$f" "$seed/$(basename "$f")."
    done
fi

status=0
for target in decode_lines decode_payload; do
    mkdir -p "corpus/$target" "artifacts/$target"
    echo "== fuzzing $target for ${secs}s"
    if ! cargo fuzz run "$target" "corpus/$target" "$seed" -- \
        -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="artifacts/$target/"; then
        status=1
    fi
    for crash in artifacts/"$target"/*; do
        [ -f "$crash" ] || continue
        cp "$crash" "$regress/$target-$(basename "$crash")"
        echo "kept $crash as tests/fuzz_regressions/$target-$(basename "$crash")"
    done
done
exit $status
