#!/usr/bin/python3
"""persona cluster kmeans against scikit-learn, side by side on the same data.

Needs the peer data (PEER_DATA, written by /work/shared/peer/gen.py) and a
persona binary:

  PEER_DATA=/tmp/peer /usr/bin/python3 ../shared/peer/gen.py \
      --only blobs_n1000000_d16_k8 blobs_std12_n1000000_d16_k8
  go build -o /tmp/kmh/persona ./cmd/persona
  PEER_DATA=/tmp/peer /usr/bin/python3 scripts/kmeans_peer.py --persona /tmp/kmh/persona

For each case it writes initial centres (sklearn's kmeans_plusplus, seed 0)
as CSV, runs KMeans(init=C, n_init=1, algorithm="lloyd") with 2 threads and
the persona CLI with --init C.csv under /usr/bin/time -v, alternating, and
prints the median wall and CPU times (the fit alone on both sides: persona's
--json "seconds" and "cpu_seconds", getrusage around sklearn's fit), the
ratios, the inertia difference, whether the labels agree and persona's peak
RSS. On a shared machine the CPU ratio is the steadier of the two. The k-means++ case times sklearn's _kmeans_plusplus
(norms precomputed) against persona's k-means++ alone (the Go benchmark
BenchmarkKMeansPlusPlusPeer on the same CSV).
"""
import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(v, None)

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.cluster._kmeans import _kmeans_plusplus  # noqa: E402
from sklearn.utils.extmath import row_norms  # noqa: E402

DATA = os.environ.get("PEER_DATA", "/tmp/peer")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CASES = [
    # name, dataset, max_iter, tol
    ("separated", "blobs_n1000000_d16_k8", 300, 1e-4),
    ("overlap_iter50", "blobs_std12_n1000000_d16_k8", 50, 0.0),
]


def write_csv(path, C):
    with open(path, "w") as f:
        f.write(",".join("x%d" % j for j in range(C.shape[1])) + "\n")
        for row in C:
            f.write(",".join(repr(float(v)) for v in row) + "\n")


def read_labels(path):
    with open(path) as f:
        next(f)
        return np.array([int(l) for l in f], dtype=np.int64)


def cpu_now():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_persona(binary, args):
    cmd = ["/usr/bin/time", "-v", binary] + args
    p = subprocess.run(cmd, capture_output=True, text=True, check=True)
    out = json.loads(p.stdout)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    out["peak_rss_mb"] = int(m.group(1)) / 1024 if m else None
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--persona", default="/tmp/kmh/persona")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--algorithm", default="auto", help="persona's --algorithm")
    a = ap.parse_args()
    for name, ds, max_iter, tol in CASES:
        if a.only and name not in a.only:
            continue
        X = np.load(os.path.join(DATA, ds + ".npy"))
        csv = os.path.join(DATA, ds + ".csv")
        with threadpool_limits(limits=2):
            C, _ = _kmeans_plusplus(X, 8, row_norms(X, squared=True), np.random.RandomState(0))
        cpath = os.path.join(DATA, ds + ".init8.csv")
        write_csv(cpath, C)
        lab = os.path.join(DATA, ds + ".persona_labels.csv")
        sk_t, pe_t, rss, sk_c, pe_c = [], [], [], [], []
        sk = pe = None
        for r in range(a.reps + 1):  # first round is a warm-up
            with threadpool_limits(limits=2):
                t0, c0 = time.perf_counter(), cpu_now()
                sk = KMeans(n_clusters=8, init=C, n_init=1, max_iter=max_iter, tol=tol,
                            algorithm="lloyd").fit(X)
                t, c = time.perf_counter() - t0, cpu_now() - c0
            pe = run_persona(a.persona, ["cluster", "kmeans", "--in", csv, "--k", "8", "--init", cpath,
                                         "--max-iter", str(max_iter), "--tol", repr(tol),
                                         "--algorithm", a.algorithm, "--labels-out", lab, "--json"])
            if r > 0:
                sk_t.append(t)
                sk_c.append(c)
                pe_t.append(pe["seconds"])
                pe_c.append(pe["cpu_seconds"])
                rss.append(pe["peak_rss_mb"])
        labels = read_labels(lab)
        same = bool(np.array_equal(labels, sk.labels_))
        rel = abs(pe["inertia"] - sk.inertia_) / sk.inertia_
        ms, mp = statistics.median(sk_t), statistics.median(pe_t)
        print("%-15s sklearn lloyd %.3fs  persona(%s) %.3fs  ratio %.2fx  n_iter %d/%d  "
              "inertia rel diff %.1e  labels equal %s  persona peak RSS %.0f MB (data %.0f MB)"
              % (name, ms, a.algorithm, mp, ms / mp, sk.n_iter_, pe["n_iter"], rel, same,
                 max(rss), X.nbytes / 2**20), flush=True)
        print("    wall: sklearn %s  persona %s" % (
            ["%.3f" % v for v in sk_t], ["%.3f" % v for v in pe_t]), flush=True)
        csk, cpe = statistics.median(sk_c), statistics.median(pe_c)
        print("    cpu:  sklearn %s  persona %s  median ratio %.2fx" % (
            ["%.3f" % v for v in sk_c], ["%.3f" % v for v in pe_c], csk / cpe), flush=True)

    if a.only and "kmeanspp" not in a.only:
        return
    ds = "blobs_n1000000_d16_k8"
    X = np.load(os.path.join(DATA, ds + ".npy"))
    sk_t, sk_c = [], []
    with threadpool_limits(limits=2):
        norms = row_norms(X, squared=True)
        for r in range(a.reps + 1):
            t0, c0 = time.perf_counter(), cpu_now()
            _kmeans_plusplus(X, 8, norms, np.random.RandomState(r))
            if r > 0:
                sk_t.append(time.perf_counter() - t0)
                sk_c.append(cpu_now() - c0)
    env = dict(os.environ, PERSONA_PEER_CSV=os.path.join(DATA, ds + ".csv"))
    # One benchmark result per rep (each the mean of 3 runs), and the
    # median of those, as for sklearn.
    p = subprocess.run(["go", "test", "./cluster", "-run", "^$", "-bench", "KMeansPlusPlusPeer",
                        "-benchtime", "3x", "-count", str(a.reps)],
                       cwd=REPO, env=env, capture_output=True, text=True, check=True)
    ms_ = re.findall(r"BenchmarkKMeansPlusPlusPeer\S*\s+\d+\s+(\d+) ns/op\s+([0-9.]+) cpu-s/op", p.stdout)
    if not ms_:
        sys.exit("no benchmark result in:\n" + p.stdout + p.stderr)
    pe = statistics.median(int(w) / 1e9 for w, _ in ms_)
    pc = statistics.median(float(c) for _, c in ms_)
    ms, mc = statistics.median(sk_t), statistics.median(sk_c)
    print("%-15s sklearn _kmeans_plusplus %.3fs (cpu %.3fs)  persona %.3fs (cpu %.3fs)  ratio wall %.2fx cpu %.2fx"
          % ("kmeans++", ms, mc, pe, pc, ms / pe, mc / pc))


if __name__ == "__main__":
    main()
