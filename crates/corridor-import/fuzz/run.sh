#!/usr/bin/env bash
# Fuzz the table readers for SECONDS, seeded with pieces of the JCC's files.
# A crash is copied to ../tests/fuzz_regressions/, which tests/jcc.rs replays.
# Usage: crates/corridor-import/fuzz/run.sh SECONDS   (needs cargo-fuzz)
set -euo pipefail
secs="${1:?usage: run.sh SECONDS}"
here="$(cd "$(dirname "$0")" && pwd)"
jcc="$here/../../../../shared/data/jcc"
regress="$here/../tests/fuzz_regressions"
mkdir -p "$regress" "$here/corpus/read_table" "$here/artifacts/read_table"
cd "$here"
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$here/target}"
seed="$here/corpus/seed"
if [ ! -d "$seed" ]; then
    mkdir -p "$seed"
    # Header plus 20 rows per seed, and the xlsx whole.
    head -1 "$jcc/bsgi_outbound_shipments_2023-06-14.csv" > "$seed/header"
    tail -n +2 "$jcc/bsgi_outbound_shipments_2023-06-14.csv" | split -l 20 -a 3 - "$seed/rows."
    for f in "$seed"/rows.*; do cat "$seed/header" "$f" > "$f.csv" && rm "$f"; done
    cp "$jcc/hdx_black_sea_initiative_vessel_movements_2023-01-07.xlsx" "$seed/hdx.xlsx"
fi
status=0
cargo fuzz run read_table corpus/read_table "$seed" -- \
    -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -artifact_prefix=artifacts/read_table/ || status=1
for crash in artifacts/read_table/*; do
    [ -f "$crash" ] || continue
    cp "$crash" "$regress/read_table-$(basename "$crash")"
    echo "kept $crash as tests/fuzz_regressions/read_table-$(basename "$crash")"
done
exit $status
