#!/usr/bin/env bash
# Figure of issue 19: "persona run --sample N" on the demo data in Postgres
# against the full fit, both pushed down: wall and CPU seconds and peak RSS
# of persona (GNU time), rows over the wire, and the ARI between the full
# fit's segments and the sample run's assignment of every user (the table
# it writes back), by scikit-learn's adjusted_rand_score.
# Usage: USERS=200000 SAMPLE=40000 scripts/pushdown/sample.sh
# The data and the server are bench.sh's (${PERSONA_BENCH_DIR:-/tmp/pbench}/
# pushdown-$USERS; generated and loaded there first when missing). Run under
#   flock /work/heavy.lock nice -n 5 scripts/pushdown/sample.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
users=${USERS:-200000}
sample=${SAMPLE:-$((users / 5))}
dir=${PERSONA_BENCH_DIR:-/tmp/pbench}/pushdown-$users
if [ ! -d "$dir/pg" ]; then
  echo "no server in $dir: run USERS=$users ROUNDS=0 scripts/pushdown/bench.sh first" >&2
  exit 1
fi
tmp=$(mktemp -d)
go build -o "$tmp/persona" ./cmd/persona
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as=()
[ "$(id -u)" = 0 ] && as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$dir" && "${as[@]}" "$pgbin/pg_ctl" -D "$dir/pg" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=512MB" start >/dev/null)
trap 'cd "$dir" && "${as[@]}" "$pgbin/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1; rm -rf "$tmp"' EXIT
export PD_PG="postgres://persona@127.0.0.1:$port/postgres?sslmode=disable"
: > "$tmp/persona.yaml"
for t in users events transactions social; do
  printf '%s:\n  postgres:\n    dsn: $PD_PG\n    table: demo.%s\n' "$t" "$t" >> "$tmp/persona.yaml"
done
echo "run wall_s cpu_s persona_rss_mb rows_transferred k load_1min"
one() { # name, extra args
  local name=$1 load
  shift
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -o "$tmp/t" -f "%e %U %S %M" "$tmp/persona" run -c "$tmp/persona.yaml" -o "$tmp/$name" --json "$@" > "$tmp/$name.json" 2>"$tmp/$name.err"
  read -r wall user sys rss < "$tmp/t"
  read -r rows k < <(/usr/bin/python3 -c 'import json,sys; s = json.load(open(sys.argv[1])); print(s["rows_transferred"], s["k"])' "$tmp/$name.json")
  echo "$name $wall $(echo "$user + $sys" | bc) $((rss / 1024)) $rows $k $load"
}
one full
one "sample-$sample" --sample "$sample" --assign-table public.persona_bench_segments
psql -q "$PD_PG" -c "\\copy (SELECT user_id, segment FROM public.persona_bench_segments) TO '$tmp/table.csv' (FORMAT csv, HEADER true)"
/usr/bin/python3 - "$tmp/full/segments.csv" "$tmp/table.csv" <<'PY'
import sys
import pandas as pd
from sklearn.metrics import adjusted_rand_score
full = pd.read_csv(sys.argv[1], dtype={"user_id": str})
table = pd.read_csv(sys.argv[2], dtype={"user_id": str})
m = full.merge(table, on="user_id", suffixes=("_full", "_sample"))
assert len(m) == len(full) == len(table), (len(m), len(full), len(table))
print(f"users {len(m)}  ARI(full fit, sample's assignment) {adjusted_rand_score(m.segment_full, m.segment_sample):.4f}")
PY
for f in full "sample-$sample"; do
  /usr/bin/python3 -c 'import json,sys; s = json.load(open(sys.argv[1])); print(sys.argv[2], "timings", s["timings_seconds"])' "$tmp/$f.json" "$f"
done
