#!/usr/bin/env bash
# Schemathesis against corridor's API (issue 5): seeds a fresh SQLite
# store with the demo season and the JCC's record, serves it, logs in as the demo
# coordinator, and runs a short, bounded schemathesis run over every
# operation of /api/v1/openapi.json, checking that no response is a server
# error (5xx) and every response conforms to the documented schema.
#
#   tools/schemathesis.sh BIN          BIN = path to the built `corridor` binary
#
# Needs `st` (pip install -r tools/requirements.txt) or SCHEMATHESIS=/path/to/st.
# Tunables: ST_MAX_EXAMPLES (default 10), ST_PORT (default 18087), ST_TIMEOUT
# (seconds for the whole run, default 600), ST_PHASES (default: all four).
set -euo pipefail

BIN=${1:?usage: tools/schemathesis.sh PATH/TO/corridor}
ST=${SCHEMATHESIS:-st}
PORT=${ST_PORT:-18087}
MAX_EXAMPLES=${ST_MAX_EXAMPLES:-10}
TIMEOUT=${ST_TIMEOUT:-600}
BASE="http://127.0.0.1:${PORT}"

command -v "$ST" >/dev/null || { echo "schemathesis.sh: '$ST' not found (pip install -r tools/requirements.txt)" >&2; exit 2; }
TMP=$(mktemp -d)
PID=""
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

"$BIN" --database "$TMP/corridor.db" seed demo --keys-dir "$TMP/keys"
# The record too, so its routes answer with real voyages and vessels.
"$BIN" --database "$TMP/corridor.db" import jcc "$(dirname "$0")/../data/jcc/bsgi_outbound_shipments_2023-06-14.csv" >/dev/null
"$BIN" --database "$TMP/corridor.db" serve --listen "127.0.0.1:${PORT}" --web-dir "$TMP/no-dashboard" >"$TMP/serve.log" 2>&1 &
PID=$!

for _ in $(seq 1 120); do
    if curl -fsS "$BASE/healthz" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$PID" 2>/dev/null; then echo "schemathesis.sh: the server exited:" >&2; cat "$TMP/serve.log" >&2; exit 1; fi
    sleep 0.5
done
curl -fsS "$BASE/api/v1/openapi.json" -o "$TMP/openapi.json"

# The demo coordinator's password is the seed's demo password (demo only).
TOKEN=$(curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"username":"coordinator","password":"corridor-demo","label":"schemathesis"}' \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

# CPython 3.11.0-3.11.7 raise "SystemError: AST constructor recursion depth
# mismatch" inside schemathesis's coverage phase (CPython gh-106905, fixed in
# 3.11.8): an error of the tool, not a finding. Skip that phase there.
PHASES=${ST_PHASES:-examples,coverage,fuzzing,stateful}
if [ -z "${ST_PHASES:-}" ] && python3 -c 'import sys; sys.exit(0 if (3, 11, 0) <= sys.version_info[:3] < (3, 11, 8) else 1)'; then
    echo "schemathesis.sh: note: Python $(python3 -c 'import platform; print(platform.python_version())') has CPython gh-106905; skipping the coverage phase" >&2
    PHASES=examples,fuzzing,stateful
fi

# Revoking a token is left out: the run would revoke its own token (the one
# GET /auth/tokens lists) and go on signed out, testing nothing behind a
# sign-in; the Rust tests cover revocation. So is /api/v1/live, an event
# stream that never ends (tests/live.rs and the browser tests cover it).
status=0
timeout "$TIMEOUT" "$ST" run "$TMP/openapi.json" \
    --url "$BASE" \
    --header "Authorization: Bearer ${TOKEN}" \
    --checks not_a_server_error,response_schema_conformance \
    --exclude-path '/api/v1/auth/tokens/{token_id}' \
    --exclude-path '/api/v1/live' \
    --max-examples "$MAX_EXAMPLES" \
    --phases "$PHASES" \
    --workers 2 \
    --request-timeout 20 \
    --no-color || status=$?

if [ "$status" -ne 0 ]; then
    echo "schemathesis.sh: schemathesis failed (exit $status); server log:" >&2
    tail -n 50 "$TMP/serve.log" >&2
fi
exit "$status"
