#!/usr/bin/env bash
# Import speed: N synthetic rows in the JCC CSV format (default 1,000,000)
# through `corridor import jcc` (parse, validate, merge, write three tables
# with history), next to the database's own bulk load of the same file into
# one all-text table (SQLite `.import`, PostgreSQL `\copy`). Same machine,
# same run, same file. Needs sqlite3, psql and a PostgreSQL at $PGURL.
#
#   bash bench/import/run.sh [ROWS]
set -euo pipefail
source "$(dirname "$0")/common.sh"

# Runs a command, appending "wall user+sys" seconds to $TMP/times.
timed() { /usr/bin/time -a -o "$TMP/times" -f "%e %U %S" "$@"; }
# The last two runs' figures: rows/s each, and how many times longer the first took.
report() {
  python3 - "$ROWS" "$1" "$TMP/times" <<'PY'
import sys
rows, name, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
(w1, u1, s1), (w2, u2, s2) = [list(map(float, l.split())) for l in open(path).read().split("\n") if l.strip()][-2:]
print(f"{name}: corridor {rows / w1:,.0f} rows/s; bulk load {rows / w2:,.0f} rows/s; "
      f"corridor takes {w1 / w2:.2f}x the bulk load's time "
      f"(client CPU {u1 + s1:.1f} s vs {u2 + s2:.1f} s)")
PY
}
echo "load before: $(uptime)"

# SQLite
timed "$BIN" --database "$TMP/corridor.db" import jcc "$TMP/rows.csv" >/dev/null 2>"$TMP/err"
bulk_sqlite "$TMP/bulk.db"
timed "${BULK[@]}" >/dev/null
report "sqlite (.import)"

# PostgreSQL: a fresh database each for corridor and the bulk load.
psql -q "$PGURL/postgres" -c "DROP DATABASE IF EXISTS corridor_bench" -c "CREATE DATABASE corridor_bench"
timed "$BIN" --database "$PGURL/corridor_bench" import jcc "$TMP/rows.csv" >/dev/null 2>"$TMP/err"
bulk_postgres "$PGURL/corridor_bench"
timed "${BULK[@]}"
report "postgres (COPY)"
psql -q "$PGURL/postgres" -c "DROP DATABASE corridor_bench"
echo "load after: $(uptime)"
