#!/usr/bin/env bash
# Runs every corridor test on this machine, installing what is missing first:
# Debian's chromium, the Python oracles, the web's npm packages; and starting
# PostgreSQL and NATS if they are down. Safe to run again.
#
#   bash tools/test-all.sh            # everything
#   FUZZ_SECONDS=0 bash tools/test-all.sh   # skip the fuzz runs
#
# The Postgres, NATS and oracle tests refuse to skip here
# (CORRIDOR_REQUIRE_*=1): a missing service is a failure, not a pass.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
FUZZ_SECONDS=${FUZZ_SECONDS:-20}

step() { printf '\n== %s\n' "$*"; }

step "system packages"
# chromium for the browser tests, openssl for the key-file interoperability test.
if ! [ -x /usr/bin/chromium ] || ! command -v openssl >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium openssl >/dev/null
fi

step "services"
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 ||
    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test"
if ! (exec 3<>/dev/tcp/127.0.0.1/4222) 2>/dev/null; then
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
        -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
    for _ in $(seq 30); do (exec 3<>/dev/tcp/127.0.0.1/4222) 2>/dev/null && break; sleep 1; done
fi

step "python oracles"
python3 -m pip install -q --disable-pip-version-check -r tools/requirements.txt

export CORRIDOR_REQUIRE_POSTGRES=1 CORRIDOR_REQUIRE_ORACLES=1 CORRIDOR_REQUIRE_NATS=1
export CORRIDOR_TEST_POSTGRES=${CORRIDOR_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}

# The dashboard before the Rust tests: the server serves (and its tests
# read) the files in web/dist.
step "web: build and unit tests"
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build && npm test)

step "rust: every crate's tests"
cargo test --workspace --no-fail-fast

step "rust: the corridor binary"
cargo build -p corridor
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/corridor"

step "web: browser tests"
bash web/run-e2e.sh "$BIN"

for extra in tools/schemathesis.sh; do
    if [ -f "$extra" ]; then
        step "$extra"
        bash "$extra" "$BIN"
    fi
done

if [ "$FUZZ_SECONDS" -gt 0 ]; then
    step "fuzz: ${FUZZ_SECONDS}s per target"
    command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
    # One target dir for every fuzz project: their dependencies are built once.
    export FUZZ_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}/fuzz"
    for script in crates/*/fuzz/run.sh; do
        bash "$script" "$FUZZ_SECONDS"
    done
fi

step "all tests passed"
