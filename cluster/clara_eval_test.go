package cluster_test

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/persona-seg/persona/cluster"
)

var claraUpdate = flag.Bool("update-clara", false, "rewrite testdata/clara_benchmarks.golden")

// claraEvalMaxRows: without CLARA_EVAL_ALL=1 only the sets of at most this
// many rows run (full PAM on the 8,000-10,000-row sets takes minutes).
const claraEvalMaxRows = 2500

// TestCLARABenchmarkSets measures CLARA against full PAM on the labelled
// sets of ../shared/data/clustering-benchmarks (skipped when absent), on
// the Euclidean distances of the raw coordinates, with K the number of
// reference clusters. For each set: PAM's objective, then for CLARA with
// the default samples (5 of max(2,000, 40 + 2K) rows), with 5 samples of
// 500 rows, and with R's clara default (5 samples of 40 + 2K rows): the
// ratio of its objective to PAM's and the ARI of its labels against PAM's.
// Each line must equal testdata/clara_benchmarks.golden (rewrite with
// -update-clara and CLARA_EVAL_ALL=1); the default CLARA must stay within
// 1% of PAM's objective on every set. The table in doc.go comes from it.
func TestCLARABenchmarkSets(t *testing.T) {
	dir, err := hdBenchmarkDir()
	if err != nil {
		t.Skipf("no ../shared/data/clustering-benchmarks beside the checkout: %v", err)
	}
	all := os.Getenv("CLARA_EVAL_ALL") == "1"
	if testing.Short() && !all {
		t.Skip("-short")
	}
	sets := claraIndex(t, filepath.Join(dir, "..", "INDEX.csv"))
	golden := filepath.Join("testdata", "clara_benchmarks.golden")
	want := map[string]string{}
	if b, err := os.ReadFile(golden); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if f := strings.Fields(line); len(f) > 0 {
				want[f[0]] = line
			}
		}
	}
	var lines []string
	header := fmt.Sprintf("%-26s %6s %3s %10s %16s %16s %16s", "set", "n", "k", "pam", "clara(default)", "clara(500)", "clara(40+2k)")
	for _, s := range sets {
		if s.n > claraEvalMaxRows && !all {
			if w, ok := want[s.name]; ok {
				lines = append(lines, w)
			}
			continue
		}
		x, _ := hdReadBenchmark(t, filepath.Join(dir, s.file))
		e, err := cluster.NewEuclidean(x)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		m, err := cluster.Pairwise(ctx, e, cluster.PairwiseOptions{MemoryLimit: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		pam, err := cluster.KMedoids(ctx, m, cluster.KMedoidsOptions{K: s.k, Method: cluster.KMedoidsPAM})
		if err != nil {
			t.Fatal(err)
		}
		line := fmt.Sprintf("%-26s %6d %3d %10.5g", s.name, s.n, s.k, pam.Objective)
		for i, size := range []int{0, 500, 40 + 2*s.k} {
			r, err := cluster.KMedoids(ctx, e, cluster.KMedoidsOptions{K: s.k, Method: cluster.KMedoidsCLARA, SampleSize: size, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			ratio := r.Objective / pam.Objective
			line += fmt.Sprintf("    %6.4f %5.3f", ratio, ari(t, pam.Labels, r.Labels))
			if i == 0 && ratio > 1.01 {
				t.Errorf("%s: CLARA's objective is %.4f times PAM's", s.name, ratio)
			}
		}
		lines = append(lines, line)
		if w, ok := want[s.name]; ok && w != line && !*claraUpdate {
			t.Errorf("%s:\n got %s\nwant %s", s.name, line, w)
		}
	}
	t.Logf("\n%s\n%s", header, strings.Join(lines, "\n"))
	if *claraUpdate {
		if err := os.WriteFile(golden, []byte(header+"\n"+strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type claraSet struct {
	name, file string
	n, k       int
}

// claraIndex reads INDEX.csv: battery,dataset,n_points,n_dims,
// k_true_labels0,...,csv_file.
func claraIndex(t *testing.T, path string) []claraSet {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var sets []claraSet
	for _, r := range recs[1:] {
		n, _ := strconv.Atoi(r[2])
		k, _ := strconv.Atoi(r[4])
		sets = append(sets, claraSet{name: r[0] + "_" + r[1], file: r[7], n: n, k: k})
	}
	return sets
}
