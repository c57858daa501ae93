#!/usr/bin/python3
"""persona cluster dbscan against scikit-learn's DBSCAN, side by side on the same files.

Needs the peer data (PEER_DATA, written by /work/shared/peer/gen.py) and a
persona binary:

  PEER_DATA=/tmp/peer /usr/bin/python3 ../shared/peer/gen.py \
      --only blobs_n100000_d2_k8 blobs_n100000_d16_k8
  go build -o /tmp/dbh/persona ./cmd/persona
  PEER_DATA=/tmp/peer /usr/bin/python3 scripts/dbscan_peer.py --persona /tmp/dbh/persona

For each case (eps from ../shared/peer/bench_sklearn.py, min_samples 10) it
runs, alternating and --reps times each, scikit-learn's
DBSCAN(eps, min_samples=10, n_jobs=2) on the .npy in a child process with 2
BLAS threads, and the persona CLI on the .csv (bit-identical values), both
under /usr/bin/time -v. It prints the median wall time of the whole process
(persona: CSV parsing included; sklearn: np.load included), the median of the
fit alone (sklearn: time.perf_counter around fit; persona: --json "seconds"),
the user CPU time, the peak RSS, the ratios, and whether labels and core
indices are identical.

--million also runs persona alone on 1,000,000 x 2 blobs (gen.py's blobs_d2
with n = 1e6, written to PEER_DATA/blobs_n1000000_d2_k8.csv if absent) with
eps 0.25.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

CASES = [("blobs_n100000_d2_k8", 0.3), ("blobs_n100000_d16_k8", 3.5)]

SKLEARN_CHILD = r"""
import sys, time, numpy as np
from threadpoolctl import threadpool_limits
from sklearn.cluster import DBSCAN
X = np.load(sys.argv[1]); eps = float(sys.argv[2]); out = sys.argv[3]
with threadpool_limits(2):
    t = time.perf_counter(); m = DBSCAN(eps=eps, min_samples=10, n_jobs=2).fit(X); t = time.perf_counter() - t
np.savetxt(out + ".labels", m.labels_, fmt="%d")
np.savetxt(out + ".core", m.core_sample_indices_, fmt="%d")
print("FIT", t)
"""


def timed(cmd, env=None):
    """Runs cmd under /usr/bin/time -v; returns (stdout, wall s, user s, peak MB)."""
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr))
    err = p.stderr
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", err)
    wall = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", err).group(1))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1)) / 1024
    return p.stdout, wall, user, rss


def ints(path, skip_header):
    with open(path) as f:
        lines = f.read().split()
    return lines[1:] if skip_header else lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--persona", required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--million", action="store_true")
    a = ap.parse_args()
    data = os.environ.get("PEER_DATA", "data")
    env = dict(os.environ, OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2", MKL_NUM_THREADS="2")
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(k, None)
    tmp = tempfile.mkdtemp(prefix="dbscan_peer_")
    print("%-22s %-8s %9s %9s %9s %9s  %s" % ("case", "tool", "wall_s", "fit_s", "user_s", "peak_MB", "labels"))
    for name, eps in CASES:
        sk, pe = [], []
        same = True
        for _ in range(a.reps):
            out = os.path.join(tmp, name)
            so, wall, user, rss = timed([sys.executable, "-c", SKLEARN_CHILD,
                                         os.path.join(data, name + ".npy"), str(eps), out], env)
            sk.append((wall, float(re.search(r"FIT ([\d.e-]+)", so).group(1)), user, rss))
            lab, core = os.path.join(tmp, "p.labels.csv"), os.path.join(tmp, "p.core.csv")
            so, wall, user, rss = timed([a.persona, "cluster", "dbscan", "--in", os.path.join(data, name + ".csv"),
                                         "--eps", str(eps), "--min-samples", "10", "--labels-out", lab,
                                         "--core-out", core, "--json"])
            pe.append((wall, float(re.search(r'"seconds":([\d.e-]+)', so).group(1)), user, rss))
            same = same and ints(lab, True) == ints(out + ".labels", False) and ints(core, True) == ints(out + ".core", False)
        med = lambda rows, i: statistics.median(r[i] for r in rows)
        for tool, rows in (("sklearn", sk), ("persona", pe)):
            print("%-22s %-8s %9.3f %9.3f %9.2f %9.1f  %s" % (name, tool, med(rows, 0), med(rows, 1), med(rows, 2),
                                                             med(rows, 3), "identical" if same else "DIFFERENT"))
        print("%-22s ratio    wall %.1fx faster, fit %.1fx faster, peak memory %.1fx smaller"
              % (name, med(sk, 0) / med(pe, 0), med(sk, 1) / med(pe, 1), med(sk, 3) / med(pe, 3)))
    if a.million:
        name = "blobs_n1000000_d2_k8"
        path = os.path.join(data, name + ".csv")
        if not os.path.exists(path):
            sys.path.insert(0, "/work/shared/peer")
            import numpy as np
            import gen
            X = np.round(gen.blobs_d2(1_000_000)[0], 6)
            np.savetxt(path, X, fmt="%.6f", delimiter=",", header="x0,x1", comments="")
        for _ in range(a.reps):
            so, wall, user, rss = timed([a.persona, "cluster", "dbscan", "--in", path, "--eps", "0.25",
                                         "--min-samples", "10", "--labels-out", os.path.join(tmp, "m.csv"), "--json"])
            print("%-22s persona  wall %.3f s, user %.2f s, peak %.1f MB  %s" % (name, wall, user, rss, so.strip()))


if __name__ == "__main__":
    main()
