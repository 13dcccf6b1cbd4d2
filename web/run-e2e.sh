#!/usr/bin/env bash
# Browser tests of the web front end against a real corridor server.
#
#   web/run-e2e.sh CORRIDOR_BIN
#   E2E_FILES=tests/e2e/stoppages.test.mjs web/run-e2e.sh CORRIDOR_BIN   # some files only
#
# Needs: `npm ci && npm run build` done in web/, Debian's chromium at
# /usr/bin/chromium (or $CHROMIUM). Imports the JCC record into a fresh
# SQLite file, seeds the clearance demo, serves it with web/dist and a
# simulated live AIS feed on a free loopback port, runs tests/e2e with
# node's test runner, and stops the server on exit.
# Screenshots go to web/test-results/.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 CORRIDOR_BIN" >&2
  exit 2
fi
BIN=$(realpath "$1")
WEB=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$WEB/.." && pwd)
# The JCC record: shared/ beside the clone, or the repository's own copy.
CSV="$ROOT/../shared/data/jcc/bsgi_outbound_shipments_2023-06-14.csv"
[ -f "$CSV" ] || CSV="$ROOT/data/jcc/bsgi_outbound_shipments_2023-06-14.csv"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

[ -x "$BIN" ] || { echo "no corridor binary at $BIN" >&2; exit 2; }
[ -f "$WEB/dist/index.html" ] || { echo "web/dist is not built: run 'npm ci && npm run build' in web/" >&2; exit 2; }
[ -d "$WEB/node_modules/playwright-core" ] || { echo "web/node_modules is missing: run 'npm ci' in web/" >&2; exit 2; }
[ -x "$CHROMIUM" ] || { echo "no chromium at $CHROMIUM (apt-get install -y chromium)" >&2; exit 2; }
[ -f "$CSV" ] || { echo "no JCC record at $CSV" >&2; exit 2; }

TMP=$(mktemp -d)
SERVER_PID=
ON_CAUSE_PID=
cleanup() {
  for pid in "$SERVER_PID" "$ON_CAUSE_PID"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

DB="$TMP/corridor.db"
"$BIN" --database "$DB" import jcc "$CSV" >"$TMP/import.log" 2>&1 || {
  cat "$TMP/import.log" >&2
  echo "import failed" >&2
  exit 1
}

# The January 2023 HDX table too, when shared/ has it: an older snapshot, so
# the record keeps the CSV's values and the xlsx's differences become change
# history (voyage 34: 2,436.99 t against 2,437 t), which the vessel page shows.
XLSX="$ROOT/../shared/data/jcc/hdx_black_sea_initiative_vessel_movements_2023-01-07.xlsx"
if [ -f "$XLSX" ]; then
  "$BIN" --database "$DB" import jcc "$XLSX" >>"$TMP/import.log" 2>&1 || {
    cat "$TMP/import.log" >&2
    echo "xlsx import failed" >&2
    exit 1
  }
  export CORRIDOR_E2E_HISTORY=1
fi

# The clearance demo: a slice of a season, a user for every role, and the
# parties' private keys (demo only) for the delegates' in-browser signing.
KEYS="$TMP/party-keys"
"$BIN" --database "$DB" seed demo --keys-dir "$KEYS" >>"$TMP/import.log" 2>&1 || {
  cat "$TMP/import.log" >&2
  echo "seeding the clearance demo failed" >&2
  exit 1
}
export CORRIDOR_E2E_KEYS="$KEYS"

# A live AIS feed: eight days of simulated corridor traffic up to now,
# replayed at 600x real time (19 minutes) through the ingest pipeline, so
# the map has vessels moving, and new alerts keep coming, while the tests
# run (two days, 5 minutes, ran out before the later tests, and five days,
# 12 minutes, once on a slow machine: their wait for a fresh alert then
# failed). Voyages and anomalies as dense as with five.
START=$(date -u -d '8 days ago' +%Y-%m-%dT%H:00:00Z)
"$BIN" --database "$TMP/sim.db" simulate ais --start "$START" --days 8 --voyages 40 --background 4 --per-kind 5 \
    >"$TMP/feed.nmea" 2>>"$TMP/import.log" || {
  cat "$TMP/import.log" >&2
  echo "simulating the AIS feed failed" >&2
  exit 1
}
export CORRIDOR_E2E_LIVE=1

# A free port on loopback, chosen by the kernel.
free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
# Whether URL answers 2xx.
answers() {
  node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$1" 2>/dev/null
}
# Up to 60 s for the server PID (its output in LOG) to answer at URL.
wait_up() {
  local url=$1 pid=$2 log=$3
  for _ in $(seq 1 120); do
    answers "$url" && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$log" >&2
      echo "the server for $url exited" >&2
      exit 1
    fi
    sleep 0.5
  done
}

PORT=$(free_port)
URL="http://127.0.0.1:$PORT"

cd "$ROOT"
CORRIDOR_WEB_DIR="$WEB/dist" "$BIN" --database "$DB" serve --listen "127.0.0.1:$PORT" \
    --ingest "file:$TMP/feed.nmea@600" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
wait_up "$URL/api/v1/stats" "$SERVER_PID" "$TMP/server.log"
answers "$URL/" || {
  cat "$TMP/server.log" >&2
  echo "the server does not serve web/dist at /" >&2
  exit 1
}

# A second server whose rules inspect on cause (UNVIM's rule) with the
# Black Sea's parties and demo: the coordinator's "Inspections on cause"
# table (tests/e2e/on-cause.test.mjs).
ON_CAUSE_DB="$TMP/on-cause.db"
ON_CAUSE_KEYS="$TMP/on-cause-keys"
"$BIN" --database "$ON_CAUSE_DB" seed demo --keys-dir "$ON_CAUSE_KEYS" >>"$TMP/import.log" 2>&1 || {
  cat "$TMP/import.log" >&2
  echo "seeding the on-cause demo failed" >&2
  exit 1
}
awk '!done && /^\[\[inspection\.checklist\]\]/ { print "[inspection]\npolicy = \"on_cause\"\n"; done = 1 } { print }' \
    "$ROOT/config/parties-bsgi.toml" >"$TMP/parties-on-cause.toml"
ON_CAUSE_PORT=$(free_port)
ON_CAUSE_URL="http://127.0.0.1:$ON_CAUSE_PORT"
CORRIDOR_WEB_DIR="$WEB/dist" "$BIN" --database "$ON_CAUSE_DB" --rules "$TMP/parties-on-cause.toml" \
    serve --listen "127.0.0.1:$ON_CAUSE_PORT" >"$TMP/on-cause-server.log" 2>&1 &
ON_CAUSE_PID=$!
wait_up "$ON_CAUSE_URL/api/v1/corridor" "$ON_CAUSE_PID" "$TMP/on-cause-server.log"

cd "$WEB"
set +e
CORRIDOR_ON_CAUSE_URL="$ON_CAUSE_URL" CORRIDOR_ON_CAUSE_KEYS="$ON_CAUSE_KEYS" CORRIDOR_URL="$URL" CORRIDOR_JCC_CSV="$CSV" CHROMIUM="$CHROMIUM" node --test --test-concurrency=1 ${E2E_FILES:-tests/e2e/}
STATUS=$?
set -e
if [ $STATUS -ne 0 ]; then
  echo "--- server log (last 40 lines) ---" >&2
  tail -n 40 "$TMP/server.log" >&2
fi
exit $STATUS
