#!/usr/bin/env bash
# Fuzzes `weir serve` from its own /openapi.json with schemathesis, on the REST port and on the
# SQL gateway's port (each serves its own document): every generated request must get an answer
# that is not a 5xx. Installs schemathesis into its own virtualenv under
# ~/.cache/weir/schemathesis-venv (not the test venv), starts a server on an ephemeral port with a
# temporary data dir, runs, stops the server.
#
#   tests/load/schemathesis.sh [extra schemathesis args, e.g. --max-examples 50]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=/dev/null
source "$ROOT/scripts/env.sh"
VENV="$HOME/.cache/weir/schemathesis-venv"
if [ ! -x "$VENV/bin/schemathesis" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check 'schemathesis>=4,<5'
fi
DATA="$(mktemp -d)"
LOG="$DATA/server.log"
"$WEIR_BIN" serve --addr 127.0.0.1:0 --data-dir "$DATA/registry" --workers 1 --max-running-jobs 8 2>"$LOG" &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 100); do
    grep -q "listening on" "$LOG" 2>/dev/null && break
    sleep 0.1
done
for _ in $(seq 1 100); do
    grep -q "sql gateway at" "$LOG" 2>/dev/null && break
    sleep 0.1
done
URL="$(grep -o 'listening on http://[0-9.:]*' "$LOG" | head -1 | grep -o 'http://.*' || true)"
GATEWAY_URL="$(grep -o 'sql gateway at http://[0-9.:]*' "$LOG" | head -1 | grep -o 'http://.*' || true)"
if [ -z "$URL" ] || [ -z "$GATEWAY_URL" ]; then
    echo "weir serve did not print both of its addresses:" >&2
    cat "$LOG" >&2
    exit 1
fi
cd "$DATA"  # schemathesis keeps its reports in ./.schemathesis
for url in "$URL" "$GATEWAY_URL"; do
    echo "fuzzing $url"
    "$VENV/bin/schemathesis" run "$url/openapi.json" --url "$url" --checks not_a_server_error \
        --max-examples "${MAX_EXAMPLES:-100}" --request-timeout 30 "$@"
done
