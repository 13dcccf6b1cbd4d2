# Sourced by run.sh and floor.sh: the settings, the binary, the synthetic
# file and the bulk load both compare corridor with, written once so the two
# benchmarks cannot drift apart. Sets ROWS (the caller's first argument,
# default 1,000,000), ROOT, PGURL, TMP (removed on exit), BIN and COLS.
ROWS=${1:-1000000}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$ROOT"
cargo build --release -q -p corridor
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/corridor"
python3 bench/import/gen.py "$ROWS" "$TMP/rows.csv"
COLS="status text, seq text, vessel text, imo text, port text, country text, commodity text, tonnes text, departure text, inspection text, income text, flag text, wb text, un text, dev text, wfp text"

# The bulk load of the file into one all-text table with no index, key or
# constraint, into database $1, as a command line left in BULK.
bulk_sqlite() { BULK=(sqlite3 "$1" "PRAGMA journal_mode=WAL;" "CREATE TABLE raw ($COLS);" ".import --csv --skip 1 $TMP/rows.csv raw"); }
bulk_postgres() { BULK=(psql -q "$1" -c "CREATE TABLE raw ($COLS)" -c "\\copy raw FROM '$TMP/rows.csv' CSV HEADER"); }
