#!/usr/bin/env bash
# Times "persona features" of this checkout against an older persona
# binary (BASE, e.g. one built from main at an issue's start), alternating
# the two ROUNDS times on the same data, and prints each run's wall and CPU
# seconds and peak RSS, then the ratio of the median CPU and wall times:
#   1. cc-general (../shared/data/cc-general, 8,950 customers): this
#      checkout reads examples/cc-general (17 attributes); BASE, which may
#      not know attributes, reads the same file with only its user key.
#   2. the 100,000-user demo Parquet data that the dataset benchmarks make
#      (PERSONA_BENCH_DIR, default /tmp/pbench; made here when missing).
# Usage: scripts/bench_features.sh BASE [ROUNDS]
# Needs GNU time (/usr/bin/time). Run it on a quiet machine: the numbers
# are the process's own CPU time too, which others' load disturbs less.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: scripts/bench_features.sh BASE [ROUNDS]}
rounds=${2:-3}
bench=${PERSONA_BENCH_DIR:-/tmp/pbench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/persona" ./cmd/persona

cc=../shared/data/cc-general/CC_GENERAL.csv
[ -f "$cc" ] || { echo "no $cc: the data is in ../shared/data beside the checkout" >&2; exit 1; }
printf 'as_of: 2024-01-01\nusers:\n  path: %s\n  columns: {user_id: CUST_ID}\n' "$(realpath "$cc")" > "$tmp/cc-base.yaml"

synth=$bench/persona-synth-100000/persona.yaml
if [ ! -f "$synth" ]; then
  PERSONA_BENCH_DIR=$bench nice go test ./dataset -run XXX -bench FeaturesSynth100k -benchtime 1x >/dev/null
fi

# one LABEL BINARY CONFIG: runs persona features once, appends
# "label wall cpu rss_kb" to $tmp/times.
one() {
  /usr/bin/time -o "$tmp/t" -f "%e %U %S %M" "$2" features -c "$3" -o "$tmp/f.parquet" -q
  read -r wall user sys rss < "$tmp/t"
  echo "$1 $wall $(echo "$user + $sys" | bc) $rss" | tee -a "$tmp/times"
}

echo "label wall_s cpu_s max_rss_kb"
for r in $(seq "$rounds"); do
  one cc-base "$base" "$tmp/cc-base.yaml"
  one cc-new "$tmp/persona" examples/cc-general/persona.yaml
  one synth-base "$base" "$synth"
  one synth-new "$tmp/persona" "$synth"
done

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
for d in cc synth; do
  for col in 2 3; do
    b=$(awk -v l="$d-base" -v c=$col '$1 == l {print $c}' "$tmp/times" | median)
    n=$(awk -v l="$d-new" -v c=$col '$1 == l {print $c}' "$tmp/times" | median)
    what=wall; [ $col = 3 ] && what=cpu
    echo "$d: median $what ${n}s against ${b}s (new/base $(echo "scale=3; $n / $b" | bc))"
  done
done
