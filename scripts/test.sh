#!/usr/bin/env bash
# Runs every test persona has, after installing and starting what they need.
# Usage: ./scripts/test.sh            (all tests, go mod tidy -diff, govulncheck)
#        ./scripts/test.sh -run Foo ./cluster/...   (extra args go to go test; no govulncheck)
set -euo pipefail
cd "$(dirname "$0")/.."

export CGO_ENABLED=1

log() { printf '==> %s\n' "$*" >&2; }

# Debian packages the tests use: gcc for cgo (DuckDB), Chromium and fonts for
# the report and dashboard tests, pandas for the RFM peer comparison on the
# Online Retail data (run only where ../shared/data is present).
need_apt=()
command -v gcc >/dev/null 2>&1 || need_apt+=(gcc)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -e /usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf ] || need_apt+=(fonts-liberation2)
if [ -d ../shared/data ] && ! /usr/bin/python3 -c 'import pandas' >/dev/null 2>&1; then
  need_apt+=(python3-pandas)
fi
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${need_apt[*]} with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    log "missing ${need_apt[*]}: install them (they are Debian packages) and run again"
    exit 1
  fi
fi

# --- BEGIN postgres (dataset's Postgres-source tests; owner: ingest) ---
# Start a throwaway Postgres on a free local port, as a non-root user, in a
# temporary folder; export its URL as PERSONA_TEST_POSTGRES; stop it on exit.
start_postgres() {
  local pgbin
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$pgbin" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      log "installing postgresql with apt-get"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
      pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    else
      log "postgresql is missing (Debian package postgresql): the Postgres tests will skip"
      return 0
    fi
  fi
  PG_TMP=$(mktemp -d /tmp/persona-pg.XXXXXX)
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown nobody "$PG_TMP"
    as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
  fi
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  (cd "$PG_TMP" && "${as[@]}" "$pgbin/initdb" -D "$PG_TMP/data" -U persona --auth=trust -E UTF8 >"$PG_TMP/initdb.log" 2>&1)
  PG_STOP=("${as[@]}" "$pgbin/pg_ctl" -D "$PG_TMP/data" -m fast -w stop)
  trap 'cd "$PG_TMP" && "${PG_STOP[@]}" >/dev/null 2>&1; rm -rf "$PG_TMP"' EXIT
  (cd "$PG_TMP" && "${as[@]}" "$pgbin/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w \
    -o "-p $port -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null)
  export PERSONA_TEST_POSTGRES="postgres://persona@127.0.0.1:$port/postgres?sslmode=disable"
  log "postgres on port $port ($PG_TMP)"
}
start_postgres
# --- END postgres ---

# --- BEGIN shards (internal/shardtest's sharded Postgres; owner: shard) ---
# Two more throwaway servers and a coordinator (postgres_fdw foreign
# partitions on them), started by scripts/shard/setup.sh in ~15 s; their
# URLs go to PERSONA_TEST_COORDINATOR and PERSONA_TEST_SHARDS. They are
# stopped on exit, before the trap above runs.
if [ -n "${PERSONA_TEST_POSTGRES:-}" ]; then
  # shellcheck source=scripts/shard/setup.sh
  . scripts/shard/setup.sh
  start_shards
  eval "shard_prev_trap=( $(trap -p EXIT) )"
  trap "stop_shards; ${shard_prev_trap[2]:-}" EXIT
fi
# --- END shards ---

log "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  printf 'gofmt -l lists unformatted files:\n%s\n' "$unformatted" >&2
  exit 1
fi

log "go vet"
go vet ./...

log "go mod tidy -diff"
if ! go mod tidy -diff; then
  echo "go.mod or go.sum is not tidy (the diff above): run go mod tidy" >&2
  exit 1
fi

# govulncheck against a local copy of the Go vulnerability database: the
# golang.org/x/vulndb module at a pinned version, fetched once into the Go
# module cache like any module. Its data/osv folder is a flat list of OSV
# entries, which govulncheck -db file://... reads directly (it builds the
# index itself). scripts/vulncheck fails on a vulnerability our code
# reaches in a module that a newer version fixes; standard-library findings
# (fixed by a newer Go) are printed as a note. Bump both versions together.
GOVULNCHECK_VERSION=v1.9.0
VULNDB_VERSION=v0.0.0-20261105234957-e22db6528018
vulncheck() {
  log "govulncheck $GOVULNCHECK_VERSION, vulndb $VULNDB_VERSION"
  local dir
  dir=$(go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  if [ ! -d "$dir/data/osv" ]; then
    echo "golang.org/x/vulndb@$VULNDB_VERSION has no data/osv folder (module cache: $dir)" >&2
    exit 1
  fi
  go run "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION" -db "file://$dir/data/osv" -format json ./... |
    go run ./scripts/vulncheck
}
if [ "$#" -eq 0 ]; then
  vulncheck
fi

# The domain core and everything that depends on it alone build without cgo
# (only internal/cli and the store/appender bulk writer import DuckDB).
log "CGO_ENABLED=0 go build (packages that must not need cgo)"
CGO_ENABLED=0 go build ./server ./pipeline ./report ./profile ./cluster ./metrics ./store ./inmem .
# Their tests compile without cgo too (vet type-checks them), and those
# that need no DuckDB run so: server and the commit protocol on the
# in-memory store (pipeline's DuckDB tests carry the cgo build tag;
# store's tests are its DuckDB and Postgres tests).
CGO_ENABLED=0 go vet ./server ./pipeline ./report ./profile ./cluster ./metrics ./inmem .
if [ "$#" -eq 0 ]; then
  CGO_ENABLED=0 go test -count=1 ./server ./pipeline ./inmem .
fi

log "go test"
if [ "$#" -gt 0 ]; then
  go test "$@"
else
  go test -count=1 -timeout 25m ./...
  log "go test -tags purego (the pure-Go twins of the assembly kernels)"
  go test -count=1 -timeout 10m -tags purego ./metrics ./cluster
fi
