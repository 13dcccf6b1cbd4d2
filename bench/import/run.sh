#!/usr/bin/env bash
# Import speed: N synthetic rows in the JCC CSV format (default 1,000,000)
# through `corridor import jcc` (parse, validate, merge, write three tables
# with history), next to the database's own bulk load of the same file into
# one all-text table (SQLite `.import`, PostgreSQL `\copy`). Same machine,
# same run, same file. Needs sqlite3, psql and a PostgreSQL at $PGURL.
#
#   bash bench/import/run.sh [ROWS]
set -euo pipefail
ROWS=${1:-1000000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$ROOT"
cargo build --release -q -p corridor
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/corridor"
python3 bench/import/gen.py "$ROWS" "$TMP/rows.csv"

now() { date +%s.%N; }
rate() { python3 -c "print(f'{$ROWS / ($2 - $1):,.0f}')"; }
ratio() { python3 -c "print(f'{($2 - $1) / ($4 - $3):.2f}')"; }
COLS="status text, seq text, vessel text, imo text, port text, country text, commodity text, tonnes text, departure text, inspection text, income text, flag text, wb text, un text, dev text, wfp text"

# SQLite
t0=$(now); "$BIN" --database "$TMP/corridor.db" import jcc "$TMP/rows.csv" >/dev/null 2>"$TMP/err"; t1=$(now)
sqlite3 "$TMP/bulk.db" "PRAGMA journal_mode=WAL;" "CREATE TABLE raw ($COLS);" ".import --csv --skip 1 $TMP/rows.csv raw" >/dev/null; t2=$(now)
echo "sqlite:   corridor $(rate "$t0" "$t1") rows/s; .import $(rate "$t1" "$t2") rows/s; corridor takes $(ratio "$t0" "$t1" "$t1" "$t2")x the bulk load's time"

# PostgreSQL: a fresh database each for corridor and the bulk load.
psql -q "$PGURL/postgres" -c "DROP DATABASE IF EXISTS corridor_bench" -c "CREATE DATABASE corridor_bench"
t0=$(now); "$BIN" --database "$PGURL/corridor_bench" import jcc "$TMP/rows.csv" >/dev/null 2>"$TMP/err"; t1=$(now)
psql -q "$PGURL/corridor_bench" -c "CREATE TABLE raw ($COLS)" -c "\\copy raw FROM '$TMP/rows.csv' CSV HEADER"; t2=$(now)
echo "postgres: corridor $(rate "$t0" "$t1") rows/s; COPY $(rate "$t1" "$t2") rows/s; corridor takes $(ratio "$t0" "$t1" "$t1" "$t2")x the bulk load's time"
psql -q "$PGURL/postgres" -c "DROP DATABASE corridor_bench"
