package cli

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the k-selection tables of ../../README.md from the golden files")

// The README's k-selection tables sit between these markers.
const (
	kselectTableStart = "<!-- k-selection tables: made from internal/cli/testdata/kselect_*.golden by TestKSelectTablesInREADME -->"
	kselectTableEnd   = "<!-- end of the k-selection tables -->"
)

// goldenRow is one set's line of kselect_benchmarks(_before).golden.
type goldenRow struct {
	set         string
	trueK, k    int
	ari, ariAtK float64 // ariAtK: the ARI of k-means at the true k (not in the before table)
	flag        string
}

// readKSelectGolden reads the set lines of a k-selection golden file;
// before has no ARI at the true k.
func readKSelectGolden(t *testing.T, path string, before bool) []goldenRow {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rows []goldenRow
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || strings.HasPrefix(l, "#") {
			continue
		}
		want := 6
		if before {
			want = 5
		}
		if len(f) != want {
			t.Fatalf("%s: line %q has %d fields, want %d", path, l, len(f), want)
		}
		r := goldenRow{set: f[0], flag: f[len(f)-1]}
		var errs [4]error
		r.trueK, errs[0] = strconv.Atoi(f[1])
		r.k, errs[1] = strconv.Atoi(f[2])
		r.ari, errs[2] = strconv.ParseFloat(f[3], 64)
		if !before {
			r.ariAtK, errs[3] = strconv.ParseFloat(f[4], 64)
		}
		for _, err := range errs {
			if err != nil {
				t.Fatalf("%s: line %q: %v", path, l, err)
			}
		}
		rows = append(rows, r)
	}
	return rows
}

var criterionLineRE = regexp.MustCompile(`^# (\S+) +finds the reference k on +(\d+) sets; ARI more than 0\.05 below the old rule's on +(\d+)$`)

var oracleLineRE = regexp.MustCompile(`^# some criterion finds the reference k on (\d+) sets; without an ARI loss on (\d+) `)

// criterionNames says the criteria of kselect_criteria.golden in words.
var criterionNames = map[string]string{
	"rule": "persona's rule", "ch": "Calinski-Harabasz", "db": "Davies-Bouldin", "elbow": "elbow of the inertia",
	"gap": "gap statistic (one-SE rule)", "gap-global": "gap statistic (global SE)", "hartigan": "Hartigan", "kl": "Krzanowski-Lai",
	"jump": "jump (Sugar and James)", "stability": "stability", "ps0.8": "prediction strength ≥ 0.8", "ps0.9": "prediction strength ≥ 0.9",
}

// kselectTables writes the README's k-selection tables from the golden
// files in dir: per set, the k and ARI of the rule before and now and the
// ARI at the reference k; per criterion of kselect_criteria.golden, the
// sets on which it finds the reference k and those on which it loses ARI.
func kselectTables(t *testing.T, dir string) string {
	t.Helper()
	now := readKSelectGolden(t, filepath.Join(dir, "kselect_benchmarks.golden"), false)
	before := readKSelectGolden(t, filepath.Join(dir, "kselect_benchmarks_before.golden"), true)
	if len(now) != len(before) {
		t.Fatalf("%d sets now, %d before", len(now), len(before))
	}
	var b strings.Builder
	b.WriteString(kselectTableStart + "\n\n")
	b.WriteString("| set | reference k | before: k | ARI | now: k | ARI | ARI at the reference k | range |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---|\n")
	mark := func(k, ref int) string {
		if k == ref {
			return fmt.Sprintf("**%d**", k)
		}
		return strconv.Itoa(k)
	}
	foundNow, foundBefore, worse, reachable := 0, 0, 0, 0
	for i, r := range now {
		p := before[i]
		if p.set != r.set || p.trueK != r.trueK {
			t.Fatalf("line %d: %s (k %d) now, %s (k %d) before", i+1, r.set, r.trueK, p.set, p.trueK)
		}
		rng := map[string]string{"-": "", "extended": "extended", "no-structure": "no clear structure: elbow"}[r.flag]
		fmt.Fprintf(&b, "| %s | %d | %s | %.3f | %s | %.3f | %.3f | %s |\n", r.set, r.trueK, mark(p.k, p.trueK), p.ari, mark(r.k, r.trueK), r.ari, r.ariAtK, rng)
		if r.k == r.trueK {
			foundNow++
		}
		if p.k == p.trueK {
			foundBefore++
		}
		if r.ari < p.ari-0.05 {
			worse++
		}
		if r.ariAtK >= p.ari-0.05 {
			reachable++
		}
	}
	fmt.Fprintf(&b, "\nThe reference k is found (in bold) on %d sets now and %d before; %d sets have an ARI more than 0.05 below the one before; "+
		"k-means at the reference k is within 0.05 of the ARI before on %d.\n\n", foundNow, foundBefore, worse, reachable)

	crit, err := os.ReadFile(filepath.Join(dir, "kselect_criteria.golden"))
	if err != nil {
		t.Fatal(err)
	}
	b.WriteString("| criterion (k in 2..24) | finds the reference k on | ARI more than 0.05 below the old rule's on |\n")
	b.WriteString("|---|---:|---:|\n")
	n, oracle := 0, ""
	for _, l := range strings.Split(string(crit), "\n") {
		if m := criterionLineRE.FindStringSubmatch(l); m != nil {
			name := m[1]
			if long, ok := criterionNames[name]; ok {
				name = long
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", name, m[2], m[3])
			n++
		}
		if m := oracleLineRE.FindStringSubmatch(l); m != nil {
			oracle = fmt.Sprintf("\nSome criterion finds the reference k on %s sets, and on %s without an ARI loss (an oracle picking the best criterion per set).\n", m[1], m[2])
		}
	}
	if n == 0 || oracle == "" {
		t.Fatal("kselect_criteria.golden has no criterion or oracle lines")
	}
	b.WriteString(oracle)
	b.WriteString("\n" + kselectTableEnd)
	return b.String()
}

// TestKSelectTablesInREADME checks that the README's k-selection tables
// are the golden files' (rewrite them with -update-readme after the
// goldens change), so the README cannot claim figures the benchmark does
// not give.
func TestKSelectTablesInREADME(t *testing.T) {
	want := kselectTables(t, "testdata")
	path := filepath.Join("..", "..", "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i, j := strings.Index(readme, kselectTableStart), strings.Index(readme, kselectTableEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no k-selection tables (between %q and %q)", kselectTableStart, kselectTableEnd)
	}
	got := readme[i : j+len(kselectTableEnd)]
	if got == want {
		return
	}
	if *updateReadme {
		if err := os.WriteFile(path, []byte(readme[:i]+want+readme[j+len(kselectTableEnd):]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's k-selection tables differ from the golden files (rewrite with -update-readme):\n%s", want)
}
