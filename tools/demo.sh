#!/usr/bin/env bash
# The main job, on a fresh machine: build the dashboard and the binary, then
# run `corridor demo` (fresh SQLite store, the JCC's real record, a live
# simulated AIS feed) and open it in a browser if one is at hand.
#
#   bash tools/demo.sh [--listen ADDR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# The dashboard first: the release binary embeds web/dist.
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build)
cargo build --release -p corridor
LISTEN=127.0.0.1:8080
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    [ "${args[$i]}" = "--listen" ] && LISTEN=${args[$((i + 1))]:-$LISTEN}
done
URL="http://$LISTEN/"
(
    # Open the browser once the server answers.
    for _ in $(seq 60); do
        curl -fs "${URL}healthz" >/dev/null 2>&1 && break
        sleep 1
    done
    if command -v xdg-open >/dev/null && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        xdg-open "$URL" >/dev/null 2>&1 || true
    else
        echo "open $URL in a browser"
    fi
) &
exec "${CARGO_TARGET_DIR:-target}/release/corridor" demo "$@"
