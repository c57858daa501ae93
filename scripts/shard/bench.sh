#!/usr/bin/env bash
# Figures of the sharded Postgres (docs/scale-out.md): the catalogue's
# feature query on demo data of USERS users (default 100,000) on one
# server, on a coordinator over two shards' foreign partitions, and
# through the shards' views, with wall time and each side's server CPU
# (BenchmarkShardedFeatures in internal/shardtest). Under
# /work/heavy.lock (when present) so that no other heavy job overlaps;
# the servers are started inside it, niced like the benchmark, all on the
# machine's cores unpinned.
# Usage: scripts/shard/bench.sh [USERS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
users=${1:-100000}
runs=${2:-1}
run() {
  . scripts/shard/setup.sh
  start_shards
  trap stop_shards EXIT
  echo "cores: $(nproc); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  PERSONA_SHARD_BENCH_USERS=$users go test -count=1 -run '^$' -bench BenchmarkShardedFeatures \
    -benchtime "${runs}x" -timeout 180m -v ./internal/shardtest/
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}
if [ -e /work/heavy.lock ] && [ -z "${SHARD_BENCH_LOCKED:-}" ]; then
  exec env SHARD_BENCH_LOCKED=1 flock /work/heavy.lock nice -n 5 "$0" "$@"
fi
run
