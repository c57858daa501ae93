#!/usr/bin/env bash
# Tries the feature catalogue on ClickHouse, as Debian ships it
# (clickhouse-server, 18.16 in bookworm): starts a throwaway server as
# nobody in /tmp on free ports, loads features/testdata/dialect's events
# and transactions, runs the Postgres golden SQL as it is (it stops at the
# first CTE), then each construct the catalogue needs, in ClickHouse's own
# words where 18.16 has one, printing ok or the error, and last a few
# per-user features written for ClickHouse (exact money sums in
# Decimal128, sessions from the gap by arrays, one ANY LEFT JOIN a
# query level) with the
# values DuckDB and Postgres give. docs/scale-out.md reports the output.
# Usage: scripts/shard/clickhouse.sh   (as root installs the packages)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x /usr/sbin/clickhouse-server ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server clickhouse-client >/dev/null
  else
    echo "clickhouse-server is missing (Debian packages clickhouse-server, clickhouse-client)" >&2
    exit 1
  fi
fi
port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
tmp=$(mktemp -d /tmp/persona-ch.XXXXXX)
tcp=$(port)
http=$(port)
inter=$(port)
mkdir -p "$tmp/log" "$tmp/data"
cp /etc/clickhouse-server/users.xml "$tmp/"
sed -e "s#/var/log/clickhouse-server/#$tmp/log/#; s#/var/lib/clickhouse/#$tmp/data/#" \
  -e "s#<http_port>8123#<http_port>$http#; s#<tcp_port>9000#<tcp_port>$tcp#; s#<interserver_http_port>9009#<interserver_http_port>$inter#" \
  -e 's#<https_port>8443</https_port>##; s#<listen_host>::1</listen_host>##' /etc/clickhouse-server/config.xml >"$tmp/config.xml"
as=()
if [ "$(id -u)" = 0 ]; then
  chown -R nobody "$tmp"
  as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
"${as[@]}" /usr/sbin/clickhouse-server --config-file="$tmp/config.xml" >"$tmp/stdout" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do
  clickhouse-client --port "$tcp" -q 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.2
done
ch() { clickhouse-client --port "$tcp" "$@"; }
echo "ClickHouse $(ch -q 'SELECT version()') on port $tcp"

d=features/testdata/dialect
ch -q "CREATE TABLE transactions (user_id String, order_id String, timestamp DateTime, product_id String, category String,
  quantity Int64, unit_price Float64, discount Float64) ENGINE = MergeTree ORDER BY (user_id, timestamp)"
ch -q "CREATE TABLE events (user_id String, timestamp DateTime, session_id String, event_type String, category String,
  device String) ENGINE = MergeTree ORDER BY (user_id, timestamp)"
tail -n +2 "$d/transactions.csv" | ch -q 'INSERT INTO transactions FORMAT CSV'
tail -n +2 "$d/events.csv" | ch -q 'INSERT INTO events FORMAT CSV'

echo "--- the Postgres golden SQL ($d/postgres.sql) as it is"
ch --multiquery <"$d/postgres.sql" 2>&1 | head -n 1 | cut -c 1-160 || true

probe() { # probe NAME SQL: ok and the answer, or the error's first line
  local out
  if out=$(ch -q "$2" 2>&1); then
    printf 'ok    %-28s %s\n' "$1" "$(echo "$out" | tr '\n\t' '; ' | cut -c 1-90)"
  else
    printf 'FAIL  %-28s %s\n' "$1" "$(echo "$out" | grep -o 'DB::Exception: [^.]*' | tail -n 1 | cut -c 16-120)"
  fi
}
echo "--- constructs of the catalogue"
probe "WITH name AS (subquery)" "WITH e AS (SELECT user_id FROM events) SELECT count(*) FROM e"
probe "window lag() OVER" "SELECT lag(timestamp) OVER (PARTITION BY user_id ORDER BY timestamp) FROM events"
probe "count(*) FILTER (WHERE)" "SELECT count(*) FILTER (WHERE quantity > 0) FROM transactions"
probe "countIf / uniqExactIf" "SELECT countIf(quantity > 0), uniqExactIf(product_id, quantity > 0) FROM transactions"
probe "CAST(x AS double precision)" "SELECT CAST(1 AS double precision)"
probe "extract(epoch FROM ts)" "SELECT extract(epoch FROM timestamp) FROM events LIMIT 1"
probe "toUnixTimestamp, toHour" "SELECT toUnixTimestamp(timestamp), toHour(timestamp), toDayOfWeek(timestamp) FROM events LIMIT 1"
probe "TIMESTAMP 'literal'" "SELECT TIMESTAMP '2024-02-01 00:00:00'"
probe "toDateTime('literal')" "SELECT toDateTime('2024-02-01 00:00:00')"
probe "(VALUES ...) AS v(a, b)" "SELECT * FROM (VALUES ('books', 15)) AS v(category, med)"
probe "UNION (distinct)" "SELECT 1 UNION DISTINCT SELECT 1"
probe "Int128" "SELECT toInt128(1)"
probe "Decimal128 exact sum" "SELECT sum(toDecimal128(x, 0)) FROM (SELECT arrayJoin([toInt64(4503599627370496), 3]) AS x)"
probe "median (approximate)" "SELECT median(toFloat64(number)) FROM numbers(4)"
probe "quantileExact(0.5)" "SELECT quantileExact(0.5)(toFloat64(number)) FROM numbers(4)"
probe "quantileExactInclusive" "SELECT quantileExactInclusive(0.5)(toFloat64(number)) FROM numbers(4)"
probe "skewSamp" "SELECT skewSamp(toFloat64(number)) FROM numbers(5)"
probe "indexOf (array_position)" "SELECT indexOf(['page_view', 'search'], 'search')"
probe "trim(BOTH ' ' FROM x)" "SELECT trim(BOTH ' ' FROM ' a ')"
probe "trimBoth, splitByChar" "SELECT arrayDistinct(arrayFilter(x -> x != '', arrayMap(x -> trimBoth(x), splitByChar(',', 'a, b,,a'))))"
probe "LEFT JOIN ... ON" "SELECT a.user_id, b.n FROM (SELECT DISTINCT user_id FROM events) AS a LEFT JOIN (SELECT user_id, count() AS n FROM events GROUP BY user_id) AS b ON a.user_id = b.user_id"
probe "sessions by arrays" "SELECT user_id, arrayCumSum(arrayMap((d, i) -> i = 1 OR d > 1800, arrayDifference(arraySort(groupArray(toUnixTimestamp(timestamp)))), arrayEnumerate(groupArray(timestamp)))) FROM events GROUP BY user_id"

echo "--- per-user features written for ClickHouse 18.16 (DuckDB and Postgres: U1 110 2 1, U2 15 1 0, U3 0 0 2)"
echo "user  net_spend (exact)  orders  sessions (session id, else a 30-minute gap)"
ch -q "
SELECT user_id, net_spend, orders, sessions FROM (
  SELECT user_id, net_spend, orders FROM
  (SELECT DISTINCT user_id FROM (SELECT user_id FROM events UNION ALL SELECT user_id FROM transactions)) AS u
  ANY LEFT JOIN (
    SELECT user_id,
      toFloat64(sum(toDecimal128(round(quantity * unit_price * (1 - discount) * 4503599627370496), 0))) / 4503599627370496 AS net_spend,
      uniqExactIf(order_id, quantity > 0) AS orders
    FROM transactions WHERE timestamp <= toDateTime('2024-02-01 00:00:00') GROUP BY user_id) AS t USING user_id)
  ANY LEFT JOIN (
    SELECT user_id, if(countIf(session_id != '') > 0, uniqExactIf(session_id, session_id != ''),
      arraySum(arrayMap((d, i) -> i = 1 OR d > 1800, arrayDifference(arraySort(groupArray(toUnixTimestamp(timestamp)))),
        arrayEnumerate(groupArray(timestamp))))) AS sessions
    FROM events WHERE timestamp <= toDateTime('2024-02-01 00:00:00') GROUP BY user_id) AS e USING user_id
ORDER BY user_id FORMAT TSV"
