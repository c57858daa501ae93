#!/usr/bin/env bash
# Starts a sharded Postgres made of stock parts: two shard servers and a
# coordinator, each a throwaway server of the Debian postgresql package
# (initdb as nobody in /tmp, a free local port, fsync off), as
# scripts/test.sh's start_postgres does. The coordinator's postgres_fdw
# servers shard0, shard1 point at the shards; the tables themselves are
# made by the test that uses them (internal/shardtest), so that each test
# owns its schema.
#
# Sourced (scripts/test.sh): start_shards exports
#   PERSONA_TEST_COORDINATOR  the coordinator's URL
#   PERSONA_TEST_SHARDS       the shards' URLs, comma-separated
# and stop_shards stops the three servers and removes their folders.
# Run: scripts/shard/setup.sh start   prints the export lines (the servers
#                                     keep running; folder in SHARD_TMP)
#      scripts/shard/setup.sh stop DIR
# SHARDS=n starts n shards (default 2).
set -euo pipefail

shard_log() { printf '==> %s\n' "$*" >&2; }

# start_shards starts SHARDS shard servers and a coordinator under one
# temporary folder; it returns 0 without exporting anything when the
# Postgres binaries are missing (the tests then skip and say why).
start_shards() {
  local pgbin n=${SHARDS:-2}
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
    shard_log "postgresql is missing (Debian package postgresql): the sharded tests will skip"
    return 0
  fi
  SHARD_TMP=$(mktemp -d /tmp/persona-shards.XXXXXX)
  SHARD_AS=()
  if [ "$(id -u)" = 0 ]; then
    chown nobody "$SHARD_TMP"
    SHARD_AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
  fi
  SHARD_PGBIN=$pgbin
  local names=(coordinator) i
  for ((i = 0; i < n; i++)); do names+=("shard$i"); done
  local urls=() name port
  for name in "${names[@]}"; do
    port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    (cd "$SHARD_TMP" && "${SHARD_AS[@]}" "$pgbin/initdb" -D "$SHARD_TMP/$name" -U persona --auth=trust -E UTF8 \
      >"$SHARD_TMP/$name.initdb.log" 2>&1)
    # Each server may use both cores' worth of parallel workers; the
    # coordinator's foreign scans of the shards run asynchronously
    # (async_capable, set per server by the test).
    (cd "$SHARD_TMP" && "${SHARD_AS[@]}" "$pgbin/pg_ctl" -D "$SHARD_TMP/$name" -l "$SHARD_TMP/$name.log" -w \
      -o "-p $port -k $SHARD_TMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB -c work_mem=64MB -c max_wal_size=4GB -c jit=off" \
      start >/dev/null)
    urls+=("postgres://persona@127.0.0.1:$port/postgres?sslmode=disable")
  done
  export PERSONA_TEST_COORDINATOR=${urls[0]}
  local IFS=,
  export PERSONA_TEST_SHARDS="${urls[*]:1}"
  shard_log "coordinator and $n shards on ${urls[*]} ($SHARD_TMP)"
}

# stop_shards stops the servers start_shards started and removes their folder.
stop_shards() {
  [ -n "${SHARD_TMP:-}" ] && [ -d "$SHARD_TMP" ] || return 0
  local d
  for d in "$SHARD_TMP"/*/; do
    [ -f "$d/PG_VERSION" ] || continue
    (cd "$SHARD_TMP" && "${SHARD_AS[@]}" "$SHARD_PGBIN/pg_ctl" -D "$d" -m fast -w stop >/dev/null 2>&1) || true
  done
  rm -rf "$SHARD_TMP"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
  start)
    start_shards
    printf 'export PERSONA_TEST_COORDINATOR=%q PERSONA_TEST_SHARDS=%q SHARD_TMP=%q\n' \
      "${PERSONA_TEST_COORDINATOR:-}" "${PERSONA_TEST_SHARDS:-}" "${SHARD_TMP:-}"
    ;;
  stop)
    SHARD_TMP=${2:?usage: setup.sh stop DIR}
    SHARD_PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    SHARD_AS=()
    [ "$(id -u)" = 0 ] && SHARD_AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
    stop_shards
    ;;
  *)
    echo "usage: scripts/shard/setup.sh start | stop DIR" >&2
    exit 2
    ;;
  esac
fi
