#!/usr/bin/env bash
# Times persona's mixed-type clustering against R's cluster package on the
# same data, in one run:
#   1. Gower + PAM on N rows (default 5,000): R's daisy(metric = "gower") +
#      pam() against "persona cluster kmedoids --method pam", alternating,
#      ROUNDS times; it checks that both find the same medoids and
#      objective, and prints the ratio of the median times (R's daisy + pam
#      as timed inside R, persona's "seconds" of --json: both exclude
#      reading the CSV) and of the median wall times of the whole process.
#   2. BIG rows (default 100,000) of the same kind of data: persona's CLARA
#      (kmedoids --method clara) and k-prototypes (on a copy without missing
#      values, which it does not take), wall time and peak memory
#      (R's pam stops at 65,536 rows and daisy would need 40 GB there).
# Usage: scripts/peer/bench_mixed.sh [ROUNDS] [N] [K] [BIG]
# Needs Rscript with r-cran-cluster and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
n=${2:-5000}
k=${3:-6}
big=${4:-100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/persona" ./cmd/persona

# The data: R's mixed_data generator of scripts/peer/cluster_mixed.R
# (numbers, a category, an ordered plan, binaries, a logical, ordratio and
# logratio columns, 2% missing values).
cat > "$tmp/gen.R" <<'EOF'
args <- commandArgs(trailingOnly = TRUE)
n <- as.integer(args[1]); out <- args[2]; na <- as.numeric(args[3])
set.seed(n)
grp <- sample.int(5, n, replace = TRUE)
cats <- c("north", "south", "east", "west", "centre")
df <- data.frame(
  income = round(rnorm(n, 30000 + 15000 * grp, 6000), 2),
  age = sample(18:80, n, replace = TRUE) + 5L * grp,
  region = cats[(grp + sample.int(2, n, replace = TRUE)) %% 5 + 1],
  plan = c("basic", "plus", "premium")[pmin(3, pmax(1, grp - 2 + sample(-1:1, n, TRUE)))],
  newsletter = ifelse(runif(n) < 0.15 * grp, "yes", "no"),
  app = ifelse(runif(n) < 0.12 * grp, "y", "n"),
  churned = runif(n) < 0.3,
  visits = rpois(n, 2 * grp),
  spend = round(rlnorm(n, grp, 1), 2) + 0.01)
for (nm in names(df)) df[[nm]][runif(n) < na] <- NA
write.csv(df, out, row.names = FALSE, na = "")
EOF
Rscript "$tmp/gen.R" "$n" "$tmp/x.csv" 0.02
flags=(--type plan=ordinal:basic\<plus\<premium --type newsletter=symmetric --type app=asymmetric
       --type churned=asymmetric --type visits=ordratio --type spend=logratio)

cat > "$tmp/pam.R" <<'EOF'
suppressPackageStartupMessages(library(cluster))
args <- commandArgs(trailingOnly = TRUE)
x <- read.csv(args[1], stringsAsFactors = TRUE, na.strings = c("", "NA"))
k <- as.integer(args[2])
x$plan <- factor(as.character(x$plan), levels = c("basic", "plus", "premium"), ordered = TRUE)
x$newsletter <- as.integer(x$newsletter == "yes")
x$app <- as.integer(x$app == "y")
t0 <- proc.time()[["elapsed"]]
d <- suppressWarnings(daisy(x, metric = "gower",
  type = list(symm = "newsletter", asymm = "app", ordratio = "visits", logratio = "spend")))
t1 <- proc.time()[["elapsed"]]
p <- pam(d, k)
t2 <- proc.time()[["elapsed"]]
cat(sprintf("R daisy %.3f s pam %.3f s total %.3f s medoids %s objective %.17g\n",
  t1 - t0, t2 - t1, t2 - t0, paste(p$medoids - 1, collapse = ","), p$objective[["swap"]]))
EOF

echo "== Gower + PAM, $n rows, k = $k, $rounds rounds (times in seconds)"
for i in $(seq "$rounds"); do
  /usr/bin/time -f "wall %e user %U rss_kb %M" Rscript "$tmp/pam.R" "$tmp/x.csv" "$k" >"$tmp/r.out" 2>"$tmp/r.time"
  cat "$tmp/r.out"; echo "R process: $(tail -n 1 "$tmp/r.time")"
  /usr/bin/time -f "wall %e user %U rss_kb %M" "$tmp/persona" cluster kmedoids --in "$tmp/x.csv" --k "$k" \
    --method pam "${flags[@]}" --labels-out "$tmp/l.csv" --json >"$tmp/p.json" 2>"$tmp/p.time"
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print("persona gower+pam %.3f s medoids %s objective %.17g" % (s["seconds"], ",".join(map(str, s["medoids"])), s["objective"]))' "$tmp/p.json"
  echo "persona process: $(tail -n 1 "$tmp/p.time")"
  grep -o 'total [0-9.]*' "$tmp/r.out" | awk '{print $2}' >>"$tmp/r.fit"
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds"])' "$tmp/p.json" >>"$tmp/p.fit"
  awk '{print $2}' "$tmp/r.time" | tail -n 1 >>"$tmp/r.wall"
  awk '{print $2}' "$tmp/p.time" | tail -n 1 >>"$tmp/p.wall"
  rm=$(grep -o 'medoids [0-9,]*' "$tmp/r.out"); pm=$(python3 -c 'import json,sys; print("medoids " + ",".join(map(str, json.load(open(sys.argv[1]))["medoids"])))' "$tmp/p.json")
  [ "$rm" = "$pm" ] && echo "same medoids" || echo "DIFFERENT MEDOIDS: R $rm, persona $pm"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rf=$(median "$tmp/r.fit"); pf=$(median "$tmp/p.fit"); rw=$(median "$tmp/r.wall"); pw=$(median "$tmp/p.wall")
echo "median daisy+pam: R ${rf}s, persona ${pf}s: persona is $(awk -v a="$rf" -v b="$pf" 'BEGIN {printf "%.1f", a/b}')x faster"
echo "median process wall: R ${rw}s, persona ${pw}s: $(awk -v a="$rw" -v b="$pw" 'BEGIN {printf "%.1f", a/b}')x"

echo "== $big rows"
Rscript "$tmp/gen.R" "$big" "$tmp/big.csv" 0.02
Rscript "$tmp/gen.R" "$big" "$tmp/big0.csv" 0 # k-prototypes needs every number
/usr/bin/time -f "persona kmedoids --method clara: wall %e s, user %U s, peak RSS %M KB" "$tmp/persona" cluster kmedoids \
  --in "$tmp/big.csv" --k 8 --method clara "${flags[@]}" --labels-out "$tmp/lb.csv" --json >"$tmp/c.json"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print("  clara fit %.2f s, objective %.6g, sizes %s" % (s["seconds"], s["objective"], s["sizes"]))' "$tmp/c.json"
/usr/bin/time -f "persona kprototypes: wall %e s, user %U s, peak RSS %M KB" "$tmp/persona" cluster kprototypes \
  --in "$tmp/big0.csv" --k 8 --standardize --labels-out "$tmp/lk.csv" --json >"$tmp/k.json"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print("  kprototypes fit %.2f s, cost %.6g, sizes %s" % (s["seconds"], s["cost"], s["sizes"]))' "$tmp/k.json"
