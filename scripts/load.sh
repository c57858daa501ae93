#!/usr/bin/env bash
# Load benchmark of persona serve on loopback, auth on (every request
# carries the token), with cmd/loadgen:
#  - GET /api/users/{id} and POST /api/score with feature vectors, on a
#    synthetic store of USERS users (default 1,000,000), at a few
#    concurrencies, DURATION each (default 8s);
#  - POST /api/score with users' own raw records: RECORDS requests (default
#    1,000), one user's rows each, from the source data of a persona demo
#    run of DEMO_USERS users (default 20,000); every answer is checked
#    against the segment the run gave the user.
# The stores are built once and kept in PERSONA_LOAD_CACHE (default
# ~/.cache/persona-load), keyed by the generator's parameters and the last
# commit of the code that writes them; with uncommitted changes to that
# code they are built afresh and not kept. PIN=1 also runs every
# measurement with the server on CPU 0 and loadgen on CPU 1 (taskset).
# First, the ceiling: loadgen ceiling (a trivial net/http handler, token
# checked, 2 KB answers) measured the same way, what net/http and
# loopback allow on this machine with no work behind the answers.
# RECORDS=0 skips the raw-record part (1,000 requests at c=1 take minutes);
# STORE=DIR/persona.duckdb measures on that store of USERS users instead of
# building or reusing one.
# Usage: ./scripts/load.sh [USERS] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-1000000}
dur=${2:-8s}
records=${RECORDS:-1000}
demo_users=${DEMO_USERS:-20000}
cache=${PERSONA_LOAD_CACHE:-$HOME/.cache/persona-load}
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
go build -o "$work/persona" ./cmd/persona
go build -o "$work/loadgen" ./cmd/loadgen

# cached NAME PATHS...: prints the cache folder for NAME when the code in
# PATHS is committed (keyed by its last commit), else a fresh folder.
cached() {
	local name=$1
	shift
	if git rev-parse --git-dir >/dev/null 2>&1 && [ -z "$(git status --porcelain -- "$@")" ]; then
		echo "$cache/$name-$(git log -1 --format=%h -- "$@")"
	else
		echo "$work/$name"
	fi
}

# The synthetic store: loadgen store's parameters, and the code that
# generates and saves it.
syn=$(cached "store-u$users-f60-k8-s1" cmd/loadgen/store.go store persona.go model prep profile cluster go.mod go.sum)
if [ -n "${STORE:-}" ]; then
	syn=$(dirname "$STORE")
	echo "store: $STORE, as given"
elif [ ! -f "$syn/persona.duckdb" ]; then
	mkdir -p "$(dirname "$syn")"
	rm -rf "$syn.tmp" && mkdir -p "$syn.tmp"
	timed=()
	[ -x /usr/bin/time ] && timed=(/usr/bin/time -f "store built in %e s, peak %M KB")
	"${timed[@]}" "$work/loadgen" store -store "$syn.tmp/persona.duckdb" -users "$users" -features 60 -k 8 -seed 1
	mv "$syn.tmp" "$syn"
else
	echo "store: reusing $syn"
fi
# The demo run: persona demo's parameters, and all of persona's code.
demo=$(cached "demo-u$demo_users-s1" '*.go' go.mod go.sum)
if [ "$records" = 0 ]; then
	:
elif [ ! -f "$demo/out/persona.duckdb" ]; then
	mkdir -p "$(dirname "$demo")"
	rm -rf "$demo.tmp" && mkdir -p "$demo.tmp"
	"$work/persona" demo --out "$demo.tmp/out" --users "$demo_users" --seed 1 --quiet
	mv "$demo.tmp" "$demo"
else
	echo "demo: reusing $demo"
fi

token=load-$RANDOM$RANDOM
# serve STORE [CPU]: starts persona serve on STORE (on CPU with taskset)
# and sets port and pid.
serve() {
	local pin=()
	[ -n "${2:-}" ] && pin=(taskset -c "$2")
	port=$((20000 + RANDOM % 20000))
	PERSONA_TOKEN=$token "${pin[@]}" "$work/persona" serve --store "$1" --addr "127.0.0.1:$port" --poll 1h 2>>"$work/serve.log" &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 1; done
	echo "persona serve did not start:" >&2
	cat "$work/serve.log" >&2
	exit 1
}
# measure [CPU]: the lookups and feature-vector scores on the synthetic
# store, with loadgen on CPU.
measure() {
	local pin=()
	[ -n "${1:-}" ] && pin=(taskset -c "$1")
	for c in 8 16 32; do "${pin[@]}" "$work/loadgen" http -url "http://127.0.0.1:$port" -token "$token" -users "$users" -c "$c" -d "$dur" -pid "$pid"; done
	for c in 8 16 32; do "${pin[@]}" "$work/loadgen" http -url "http://127.0.0.1:$port" -token "$token" -endpoint score -c "$c" -d "$dur" -pid "$pid"; done
}

# ceiling [SERVER_CPU LOADGEN_CPU]: loadgen ceiling's lookups.
ceiling() {
	local spin=() lpin=()
	[ -n "${1:-}" ] && spin=(taskset -c "$1") && lpin=(taskset -c "$2")
	port=$((20000 + RANDOM % 20000))
	"${spin[@]}" "$work/loadgen" ceiling -addr "127.0.0.1:$port" -token "$token" >>"$work/serve.log" 2>&1 &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/api/users/x" && break; sleep 0.2; done
	for c in 8 16 32; do "${lpin[@]}" "$work/loadgen" http -url "http://127.0.0.1:$port" -token "$token" -users "$users" -c "$c" -d "$dur" -pid "$pid" | sed 's/^endpoint=users/endpoint=ceiling/'; done
	kill "$pid"
}

nproc
uptime
ceiling
[ "${PIN:-}" = 1 ] && ceiling 0 1
serve "$syn/persona.duckdb"
measure
kill "$pid"
if [ "${PIN:-}" = 1 ]; then
	echo "pinned: server on CPU 0, loadgen on CPU 1"
	serve "$syn/persona.duckdb" 0
	measure 1
	kill "$pid"
fi
[ "$records" = 0 ] && { uptime; exit 0; }
serve "$demo/out"
for c in 1 2 4; do "$work/loadgen" http -url "http://127.0.0.1:$port" -token "$token" -endpoint records -data "$demo/out/data" -n "$records" -c "$c" -pid "$pid"; done
uptime
