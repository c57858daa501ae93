package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/persona-seg/persona/metrics"
)

var updateKSelect = flag.Bool("update-kselect", false, "rewrite testdata/kselect_benchmarks.golden")

// kselectBenchDir finds ../shared/data/clustering-benchmarks beside the
// checkout (a worktree one level deeper finds it one level up).
func kselectBenchDir() (string, error) {
	var err error
	for _, up := range []string{filepath.Join("..", ".."), filepath.Join("..", "..", "..")} {
		dir := filepath.Join("..", up, "shared", "data", "clustering-benchmarks")
		if _, err = os.Stat(filepath.Join(dir, "INDEX.csv")); err == nil {
			return dir, nil
		}
	}
	return "", err
}

// kselectBenchRow is one line of the benchmark table.
type kselectBenchRow struct {
	set         string
	trueK, k    int
	ari         float64
	ariTrueK    float64 // ARI of k-means with k = trueK
	extended    bool
	noStructure bool
}

func (r kselectBenchRow) String() string {
	flags := "-"
	switch {
	case r.noStructure:
		flags = "no-structure"
	case r.extended:
		flags = "extended"
	}
	return fmt.Sprintf("%-24s %3d %3d %7.3f %7.3f %s", r.set, r.trueK, r.k, r.ari, r.ariTrueK, flags)
}

// TestKSelectBenchmarkSets runs "persona cluster kmeans --k auto" with its
// default settings on each labelled set of
// ../shared/data/clustering-benchmarks (INDEX.csv; skipped when absent, and
// unless PERSONA_KSELECT_BENCH=1, because it takes minutes) and compares
// the chosen k and the adjusted Rand index against the reference labels
// (labels0, noise points left out) with testdata/kselect_benchmarks.golden
// (rewrite with -update-kselect). Columns: set, true k, chosen k, ARI, the
// ARI of k-means run with the true k, and whether the range was extended
// or the data judged to have no clear structure.
// testdata/kselect_benchmarks_before.golden holds the table for the rule
// before stability and range extension (highest silhouette in 2..12; its
// fifth column is not the ARI at the true k); no set's ARI may fall more
// than 0.05 below it. The last line also counts the sets whose ARI at the
// true k is within 0.05 of the before table's: the most any rule could
// find without lowering an ARI by more than 0.05.
// PERSONA_KSELECT_DUMP=DIR keeps each set's --json output there;
// PERSONA_KSELECT_SEED=N runs with --seed N and only logs the table (the
// goldens are for the default seed).
func TestKSelectBenchmarkSets(t *testing.T) {
	dir, err := kselectBenchDir()
	if err != nil {
		t.Skipf("clustering benchmark sets not found beside the checkout (%v): skipping", err)
	}
	if os.Getenv("PERSONA_KSELECT_BENCH") == "" {
		t.Skip("set PERSONA_KSELECT_BENCH=1 to run the k-selection benchmark (a few minutes)")
	}
	dump := os.Getenv("PERSONA_KSELECT_DUMP")
	seed := os.Getenv("PERSONA_KSELECT_SEED")
	index := readCSVFile(t, filepath.Join(dir, "INDEX.csv"))
	tmp := t.TempDir()
	var rows []kselectBenchRow
	for _, rec := range index[1:] {
		set := rec[0] + "_" + rec[1]
		d, _ := strconv.Atoi(rec[3])
		trueK, _ := strconv.Atoi(rec[4])
		data := readCSVFile(t, filepath.Join(dir, "csv", rec[7]))
		in := filepath.Join(tmp, set+".csv")
		var b strings.Builder
		truth := make([]int, 0, len(data)-1)
		for i, r := range data {
			b.WriteString(strings.Join(r[:d], ",") + "\n")
			if i > 0 {
				l, err := strconv.Atoi(r[d])
				if err != nil {
					t.Fatalf("%s row %d: %v", rec[7], i+1, err)
				}
				truth = append(truth, l)
			}
		}
		if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		labelsOut := filepath.Join(tmp, set+".labels.csv")
		f, out, errOut := testFactory()
		args := []string{"cluster", "kmeans", "--in", in, "--k", "auto", "--labels-out", labelsOut, "--json"}
		if seed != "" {
			args = append(args, "--seed", seed)
		}
		if code := Run(f, args); code != ExitOK {
			t.Fatalf("%s: exit %d: %s", set, code, errOut)
		}
		if dump != "" {
			if err := os.WriteFile(filepath.Join(dump, set+".json"), out.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var sum struct {
			K           int  `json:"k"`
			Extended    bool `json:"k_extended"`
			NoStructure bool `json:"k_no_structure"`
		}
		if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
			t.Fatalf("%s: --json output: %v", set, err)
		}
		pred, err := readLabelsCSV(labelsOut)
		if err != nil {
			t.Fatal(err)
		}
		var tt, pp []int
		for i, l := range truth {
			if l != 0 { // 0 is noise in these sets
				tt, pp = append(tt, l), append(pp, pred[i])
			}
		}
		ari, err := metrics.AdjustedRand(tt, pp)
		if err != nil {
			t.Fatal(err)
		}
		// The same k-means with the true k.
		args = []string{"cluster", "kmeans", "--in", in, "--k", strconv.Itoa(trueK), "--labels-out", labelsOut, "--quiet"}
		if seed != "" {
			args = append(args, "--seed", seed)
		}
		if f, _, errOut := testFactory(); Run(f, args) != ExitOK {
			t.Fatalf("%s: --k %d: %s", set, trueK, errOut)
		}
		if pred, err = readLabelsCSV(labelsOut); err != nil {
			t.Fatal(err)
		}
		pp = pp[:0]
		for i, l := range truth {
			if l != 0 {
				pp = append(pp, pred[i])
			}
		}
		ariTrue, err := metrics.AdjustedRand(tt, pp)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, kselectBenchRow{set: set, trueK: trueK, k: sum.K, ari: ari, ariTrueK: ariTrue, extended: sum.Extended, noStructure: sum.NoStructure})
	}

	before, err := os.ReadFile(filepath.Join("testdata", "kselect_benchmarks_before.golden"))
	if err != nil {
		t.Fatal(err)
	}
	beforeARI := map[string]float64{}
	for _, line := range strings.Split(string(before), "\n") {
		if f := strings.Fields(line); len(f) == 5 && !strings.HasPrefix(line, "#") {
			beforeARI[f[0]], _ = strconv.ParseFloat(f[3], 64)
		}
	}
	var got strings.Builder
	hits, reachable := 0, 0
	for _, r := range rows {
		got.WriteString(r.String() + "\n")
		if r.k == r.trueK {
			hits++
		}
		if b, ok := beforeARI[r.set]; ok && r.ariTrueK >= b-0.05 {
			reachable++
		}
	}
	fmt.Fprintf(&got, "# true k found on %d of %d sets; on %d the ARI at the true k is within 0.05 of the before table's\n", hits, len(rows), reachable)
	t.Logf("\n%s", got.String())
	if seed != "" {
		return
	}

	golden := filepath.Join("testdata", "kselect_benchmarks.golden")
	if *updateKSelect {
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got.String() {
		t.Errorf("the table differs from %s (rewrite with -update-kselect):\n%s", golden, got.String())
	}

	for _, r := range rows {
		if b, ok := beforeARI[r.set]; !ok {
			t.Errorf("%s: not in the before table", r.set)
		} else if r.ari < b-0.05 {
			t.Errorf("%s: ARI %.3f, more than 0.05 below the %.3f before", r.set, r.ari, b)
		}
	}
}
