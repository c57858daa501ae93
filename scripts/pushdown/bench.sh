#!/usr/bin/env bash
# Figures of issue 19: "persona features" on the demo data in Postgres,
# pushed down (engine: postgres) against copying the raw rows into DuckDB
# (engine: duckdb), ROUNDS times each, alternating; prints wall and CPU
# seconds and peak RSS of persona (GNU time) and the peak of the sum of
# the Postgres server's processes' RSS (sampled every 0.2 s by ps).
# Usage: USERS=100000 ROUNDS=1 scripts/pushdown/bench.sh
# The data (generated once) and a throwaway server live in
# ${PERSONA_BENCH_DIR:-/tmp/pbench}/pushdown-$USERS. Run under
#   flock /work/heavy.lock nice -n 5 scripts/pushdown/bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
users=${USERS:-100000}
rounds=${ROUNDS:-1}
dir=${PERSONA_BENCH_DIR:-/tmp/pbench}/pushdown-$users
mkdir -p "$dir"
tmp=$(mktemp -d)
go build -o "$tmp/persona" ./cmd/persona
go build -o "$tmp/gendemo" ./scripts/pushdown/gendemo

if [ ! -f "$dir/data/social.csv" ]; then
  echo "generating $users demo users into $dir/data" >&2
  "$tmp/gendemo" "$dir/data" "$users" >&2
fi

pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as=()
if [ "$(id -u)" = 0 ]; then
  chown -R nobody "$dir"
  as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fresh=0
if [ ! -d "$dir/pg" ]; then
  (cd "$dir" && "${as[@]}" "$pgbin/initdb" -D "$dir/pg" -U persona --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1)
  fresh=1
fi
(cd "$dir" && "${as[@]}" "$pgbin/pg_ctl" -D "$dir/pg" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=512MB" start >/dev/null)
trap 'cd "$dir" && "${as[@]}" "$pgbin/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1; rm -rf "$tmp"' EXIT
export PD_PG="postgres://persona@127.0.0.1:$port/postgres?sslmode=disable"
if [ "$fresh" = 1 ]; then
  echo "loading into Postgres" >&2
  psql -q "$PD_PG" -c "CREATE SCHEMA demo"
  while IFS=: read -r t cols; do
    psql -q "$PD_PG" -c "CREATE TABLE demo.$t ($cols)" -c "\\copy demo.$t FROM '$dir/data/$t.csv' (FORMAT csv, HEADER true)" -c "ANALYZE demo.$t"
  done <<'TABLES'
users:user_id text, signup_date date, birth_year integer, gender text, country text, acquisition_channel text, device text
events:user_id text, timestamp timestamp, session_id text, event_type text, category text, device text
transactions:user_id text, order_id text, timestamp timestamp, product_id text, category text, quantity integer, unit_price numeric(18,2), discount numeric(6,2)
social:user_id text, timestamp timestamp, platform text, action text, topic text
TABLES
fi
psql -At "$PD_PG" -c "SELECT 'rows: ' || (SELECT count(*) FROM demo.events) || ' events, ' || (SELECT count(*) FROM demo.transactions) || ' lines, ' || (SELECT count(*) FROM demo.social) || ' social'" >&2
for engine in postgres duckdb; do
  echo "engine: $engine" > "$tmp/$engine.yaml"
  for t in users events transactions social; do
    printf '%s:\n  postgres:\n    dsn: $PD_PG\n    table: demo.%s\n' "$t" "$t" >> "$tmp/$engine.yaml"
  done
done

# serverpeak PID: while PID runs, the largest RSS (kB) of one process of
# the server (the backend that runs the query, or a parallel worker) and
# the largest sum over them all (shared buffers counted in each process
# that touched them).
serverpeak() {
  local pm one=0 sum=0 o s
  pm=$(head -n 1 "$dir/pg/postmaster.pid")
  while kill -0 "$1" 2>/dev/null; do
    read -r o s < <( { ps -o rss= -p "$pm"; ps -o rss= --ppid "$pm"; } | awk '{if ($1 > m) m = $1; s += $1} END {print m + 0, s + 0}')
    [ "$o" -gt "$one" ] && one=$o
    [ "$s" -gt "$sum" ] && sum=$s
    sleep 0.2
  done
  echo "$((one / 1024)) $((sum / 1024))"
}

# servercpu: the server's CPU seconds so far: the postmaster's own and
# those of its children that ended (backends, parallel workers), which the
# kernel adds to its cutime and cstime when it reaps them.
servercpu() {
  local pm
  pm=$(head -n 1 "$dir/pg/postmaster.pid")
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15 + $16 + $17) / hz}' "/proc/$pm/stat"
}

echo "engine wall_s cpu_s persona_rss_mb server_cpu_s server_backend_rss_mb server_sum_rss_mb rows_transferred load_1min"
for r in $(seq "$rounds"); do
  for engine in postgres duckdb; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    c0=$(servercpu)
    /usr/bin/time -o "$tmp/t" -f "%e %U %S %M" "$tmp/persona" features -c "$tmp/$engine.yaml" -o "$tmp/f-$engine.parquet" --json > "$tmp/j" 2>/dev/null &
    pid=$!
    peak=$(serverpeak "$pid")
    wait "$pid"
    sleep 1 # the backend ends after persona closes the connection
    c1=$(servercpu)
    read -r wall user sys rss < "$tmp/t"
    rows=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows_transferred"])' "$tmp/j")
    echo "$engine $wall $(echo "$user + $sys" | bc) $((rss / 1024)) $(echo "$c1 - $c0" | bc) $peak $rows $load"
  done
done
