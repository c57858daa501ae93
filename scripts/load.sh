#!/usr/bin/env bash
# Load benchmark of persona serve on loopback: a synthetic store of USERS
# users (default 1,000,000), then GET /api/users/{id} and POST /api/score
# with cmd/loadgen at a few concurrencies. Bounded: each measurement runs
# DURATION (default 8s). Auth is on: every request carries the token.
# Usage: ./scripts/load.sh [USERS] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-1000000}
dur=${2:-8s}
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/persona" ./cmd/persona
go build -o "$work/loadgen" ./cmd/loadgen
"$work/loadgen" store -store "$work/persona.duckdb" -users "$users"
port=$((20000 + RANDOM % 20000))
token=load-$RANDOM$RANDOM
PERSONA_TOKEN=$token "$work/persona" serve --store "$work/persona.duckdb" --addr "127.0.0.1:$port" --poll 1h 2>"$work/serve.log" &
pid=$!
for _ in $(seq 1 180); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
nproc; uptime
for c in 8 16 32; do "$work/loadgen" http -url "http://127.0.0.1:$port" -token "$token" -users "$users" -c "$c" -d "$dur"; done
for c in 8 16 32; do "$work/loadgen" http -url "http://127.0.0.1:$port" -token "$token" -endpoint score -c "$c" -d "$dur"; done
uptime
