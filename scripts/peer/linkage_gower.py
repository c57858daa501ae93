#!/usr/bin/python3
"""SciPy's average and complete linkage on R's Gower dissimilarities.

Reads the daisy() vectors of cluster/testdata/gower_parity.json (written by
scripts/peer/cluster_mixed.R; R's "dist" order is SciPy's condensed order)
and writes cluster/testdata/linkage_gower_scipy.json: for each case without
missing dissimilarities, Z of scipy.cluster.hierarchy.linkage(y, method).
Tested against by cluster.TestLinkageDistParity.

Usage: /usr/bin/python3 scripts/peer/linkage_gower.py [TESTDATA_DIR]
"""
import json
import os
import sys

import numpy as np
import scipy
from scipy.cluster.hierarchy import linkage

testdata = sys.argv[1] if len(sys.argv) > 1 else os.path.join("cluster", "testdata")
with open(os.path.join(testdata, "gower_parity.json")) as f:
    cases = json.load(f)["cases"]

out = {"scipy_version": scipy.__version__, "cases": []}
for c in cases:
    y = c["daisy"]
    if any(v is None for v in y) or c["n"] < 3:
        continue
    y = np.array(y, dtype=np.float64)
    methods = {}
    for method in ("average", "complete"):
        z = linkage(y, method=method)
        methods[method] = [[int(r[0]), int(r[1]), float(r[2]), int(r[3])] for r in z]
    out["cases"].append({"name": c["name"], "n": c["n"], "Z": methods})

path = os.path.join(testdata, "linkage_gower_scipy.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print("wrote", path)
