#!/usr/bin/env bash
# Times "persona features" on UCI Online Retail against the pandas peer
# (rfm_pandas.py) on the same file, alternating, and prints the ratio of
# median wall times.
# Usage: scripts/peer/bench_retail.sh [ROUNDS] [DATA_DIR]
#   DATA_DIR defaults to ../shared/data beside the checkout.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
data=${2:-../shared/data}
csv="$data/online-retail-uci/online_retail.csv.gz"
[ -e "$csv" ] || { echo "no $csv" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
csv=$(cd "$(dirname "$csv")" && pwd)/$(basename "$csv")
sed "s#^  path: .*#  path: $csv#" examples/online-retail/persona.yaml > "$tmp/persona.yaml"
go build -o "$tmp/persona" ./cmd/persona
for i in $(seq "$rounds"); do
  /usr/bin/time -f "persona %e s wall %U s user %M KB" "$tmp/persona" features -q --config "$tmp/persona.yaml" --out "$tmp/f.parquet" 2>>"$tmp/times"
  /usr/bin/time -f "pandas %e s wall %U s user %M KB" /usr/bin/python3 scripts/peer/rfm_pandas.py "$csv" "$tmp/rfm.csv" 2>>"$tmp/times"
done
cat "$tmp/times"
median() { grep "^$1 " "$tmp/times" | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
p=$(median persona); q=$(median pandas)
echo "median wall: persona ${p}s, pandas ${q}s, persona is $(awk -v p="$p" -v q="$q" 'BEGIN {printf "%.2f", q/p}')x faster"
