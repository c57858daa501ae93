package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestNewCmdKMeans(t *testing.T) {
	base := KMeansOptions{In: "X.csv", K: 3, Init: "k-means++", MaxIter: 300, Tol: 1e-4, Algorithm: "auto", LabelsOut: "L.csv", KRange: "2..12"}
	with := func(f func(o *KMeansOptions)) KMeansOptions {
		o := base
		f(&o)
		return o
	}
	tests := []struct {
		name    string
		args    string
		want    KMeansOptions
		wantErr string // substring of a usage error
	}{
		{name: "minimal", args: "--in X.csv --k 3 --labels-out L.csv", want: base},
		{name: "every flag", args: "--in X.csv --k 3 --labels-out L.csv --init C.csv --n-init 2 --max-iter 7 --tol 0 --seed 9 --algorithm lloyd --centers-out C2.csv --json",
			want: with(func(o *KMeansOptions) {
				o.Init, o.NInit, o.MaxIter, o.Tol, o.Seed, o.Algorithm, o.CentersOut, o.JSON = "C.csv", 2, 7, 0, 9, "lloyd", "C2.csv", true
			})},
		{name: "random init", args: "--in X.csv --k 3 --labels-out L.csv --init random --algorithm hamerly", want: with(func(o *KMeansOptions) { o.Init, o.Algorithm = "random", "hamerly" })},
		{name: "auto k", args: "--in X.csv --k auto --k-range 3..9 --labels-out L.csv", want: with(func(o *KMeansOptions) { o.K, o.KAuto, o.KRange = 0, true, "3..9" })},
		{name: "elkan", args: "--in X.csv --k 3 --labels-out L.csv --algorithm elkan", want: with(func(o *KMeansOptions) { o.Algorithm = "elkan" })},
		{name: "no in", args: "--k 3 --labels-out L.csv", wantErr: "--in is required"},
		{name: "no labels out", args: "--in X.csv --k 3", wantErr: "--labels-out is required"},
		{name: "no k", args: "--in X.csv --labels-out L.csv", wantErr: `--k must be at least 1 (or "auto"), got 0`},
		{name: "negative k", args: "--in X.csv --k -1 --labels-out L.csv", wantErr: `--k must be at least 1 (or "auto"), got -1`},
		{name: "empty init", args: "--in X.csv --k 2 --labels-out L.csv --init=", wantErr: "--init must be"},
		{name: "negative n-init", args: "--in X.csv --k 2 --labels-out L.csv --n-init -2", wantErr: "--n-init must be at least 1"},
		{name: "zero max-iter", args: "--in X.csv --k 2 --labels-out L.csv --max-iter 0", wantErr: "--max-iter must be at least 1"},
		{name: "negative tol", args: "--in X.csv --k 2 --labels-out L.csv --tol -1", wantErr: "--tol must be a finite number >= 0"},
		{name: "nan tol", args: "--in X.csv --k 2 --labels-out L.csv --tol NaN", wantErr: "--tol must be a finite number >= 0"},
		{name: "bad algorithm", args: "--in X.csv --k 2 --labels-out L.csv --algorithm full", wantErr: `--algorithm must be "auto", "lloyd", "elkan" or "hamerly", got "full"`},
		{name: "positional", args: "--in X.csv --k 2 --labels-out L.csv extra", wantErr: `takes no arguments, got "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := testFactory()
			var got *KMeansOptions
			cmd := NewCmdKMeans(f, func(o *KMeansOptions) error { got = o; return nil })
			cmd.SetArgs(strings.Fields(tt.args))
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				var ue *UsageError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				if !errors.As(err, &ue) {
					t.Errorf("error %v is not a UsageError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(KMeansOptions{}, "IO")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// kmeansParity loads a scikit-learn parity case copied into cluster's
// testdata: X.csv and the first variant of kmeans.json.
func kmeansParity(t *testing.T, dataset string) (xPath string, k int, init [][]float64, labels []int, inertia float64, nIter int) {
	t.Helper()
	dir := filepath.Join("..", "..", "cluster", "testdata", "parity", dataset)
	b, err := os.ReadFile(filepath.Join(dir, "kmeans.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Variants []struct {
			Name   string `json:"name"`
			Params struct {
				NClusters int         `json:"n_clusters"`
				Init      [][]float64 `json:"init"`
			} `json:"params"`
			Lloyd struct {
				Labels  []int   `json:"labels"`
				Inertia float64 `json:"inertia"`
				NIter   int     `json:"n_iter"`
			} `json:"lloyd"`
		} `json:"variants"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	v := doc.Variants[0]
	if v.Name != "init_points" {
		t.Fatalf("first variant is %q, want init_points", v.Name)
	}
	return filepath.Join(dir, "X.csv"), v.Params.NClusters, v.Params.Init, v.Lloyd.Labels, v.Lloyd.Inertia, v.Lloyd.NIter
}

func writeTestCSV(t *testing.T, path string, header string, rows [][]float64) {
	t.Helper()
	var b strings.Builder
	if header != "" {
		b.WriteString(header + "\n")
	}
	for _, r := range rows {
		for j, v := range r {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestKMeansCommandParity(t *testing.T) {
	for _, ds := range []string{"blobs2d_n600", "blobs5d_dups_n1000", "aniso3d_n1500"} {
		for _, alg := range []string{"lloyd", "auto"} {
			t.Run(ds+"/"+alg, func(t *testing.T) {
				xPath, k, init, wantLabels, wantInertia, wantIter := kmeansParity(t, ds)
				dir := t.TempDir()
				cPath := filepath.Join(dir, "C.csv")
				writeTestCSV(t, cPath, "", init) // no header
				lPath := filepath.Join(dir, "L.csv")
				cenPath := filepath.Join(dir, "centres.csv")
				f, out, errOut := testFactory()
				code := Run(f, []string{"cluster", "kmeans", "--in", xPath, "--k", strconv.Itoa(k), "--init", cPath,
					"--algorithm", alg, "--labels-out", lPath, "--centers-out", cenPath, "--json"})
				if code != ExitOK {
					t.Fatalf("exit %d, stderr %q", code, errOut)
				}
				var sum map[string]any
				if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
					t.Fatalf("--json output %q: %v", out, err)
				}
				if got := sum["inertia"].(float64); !cmp.Equal(got, wantInertia, cmpopts.EquateApprox(1e-9, 0)) {
					t.Errorf("inertia %v, sklearn %v", got, wantInertia)
				}
				for key, want := range map[string]float64{"n_iter": float64(wantIter), "k": float64(k), "n_init": 1} {
					if sum[key] != want {
						t.Errorf("%s = %v, want %v", key, sum[key], want)
					}
				}
				if s, ok := sum["seconds"].(float64); !ok || s < 0 {
					t.Errorf("seconds = %v", sum["seconds"])
				}
				got, err := readLabelsCSV(lPath)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(wantLabels, got); diff != "" {
					t.Errorf("labels (-sklearn +got):\n%s", diff)
				}
				raw, _ := os.ReadFile(lPath)
				if !strings.HasPrefix(string(raw), "label\n") {
					t.Errorf("labels file starts %q, want the header \"label\"", string(raw[:min(20, len(raw))]))
				}
				cen, hdr, err := readMatrixCSV(cenPath)
				if err != nil {
					t.Fatal(err)
				}
				if r, _ := cen.Dims(); r != k || hdr == nil || hdr[0] != "x0" {
					t.Errorf("centres: %d rows, header %v; want %d rows and X.csv's header", r, hdr, k)
				}
			})
		}
	}
}

func TestKMeansCommandErrors(t *testing.T) {
	dir := t.TempDir()
	x := filepath.Join(dir, "X.csv")
	writeTestCSV(t, x, "a,b", [][]float64{{0, 0}, {1, 1}, {5, 5}, {6, 6}})
	nan := filepath.Join(dir, "nan.csv")
	if err := os.WriteFile(nan, []byte("a,b\n1,2\nNaN,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dup := filepath.Join(dir, "dup.csv")
	writeTestCSV(t, dup, "", [][]float64{{1, 1}, {1, 1}, {1, 1}})
	c3 := filepath.Join(dir, "c3.csv")
	writeTestCSV(t, c3, "a,b", [][]float64{{0, 0}, {1, 1}, {2, 2}})
	l := filepath.Join(dir, "L.csv")
	tests := []struct {
		name     string
		args     []string
		wantCode ExitCode
		wantErr  string
	}{
		{"k above rows", []string{"--in", x, "--k", "5", "--labels-out", l}, ExitUsage, "--k 5 is more than the 4 rows"},
		{"k above distinct", []string{"--in", dup, "--k", "2", "--labels-out", l}, ExitFailure, "K = 2 is more than the 1 distinct rows"},
		{"nan", []string{"--in", nan, "--k", "1", "--labels-out", l}, ExitFailure, "line 3, column 1"},
		{"missing input", []string{"--in", filepath.Join(dir, "none.csv"), "--k", "1", "--labels-out", l}, ExitFailure, "read --in"},
		{"init wrong rows", []string{"--in", x, "--k", "2", "--init", c3, "--labels-out", l}, ExitUsage, "--init " + c3 + " has 3 rows of 2 columns, want --k = 2 rows of 2 columns"},
		{"init not a file", []string{"--in", x, "--k", "2", "--init", "kmeans++", "--labels-out", l}, ExitUsage, `--init: want "k-means++", "random" or a CSV file of centres`},
		{"unknown flag", []string{"--in", x, "--k", "2", "--labels-out", l, "--clusters", "3"}, ExitUsage, "unknown flag: --clusters"},
		{"bad k value", []string{"--in", x, "--k", "two", "--labels-out", l}, ExitUsage, `invalid argument "two" for "--k"`},
		{"bad algorithm", []string{"--in", x, "--k", "2", "--labels-out", l, "--algorithm", "full"}, ExitUsage, "--algorithm must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, errOut := testFactory()
			code := Run(f, append([]string{"cluster", "kmeans"}, tt.args...))
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.wantCode, errOut)
			}
			first, _, _ := strings.Cut(errOut.String(), "\n")
			if !strings.Contains(first, tt.wantErr) {
				t.Errorf("stderr %q, want a first line containing %q", errOut, tt.wantErr)
			}
		})
	}
}

// TestKMeansCommandSummary checks the plain output and the seeded,
// repeatable k-means++ run.
func TestKMeansCommandSummary(t *testing.T) {
	dir := t.TempDir()
	x := filepath.Join(dir, "X.csv")
	writeTestCSV(t, x, "", [][]float64{{0, 0}, {0, 1}, {10, 10}, {10, 11}, {20, 0}, {21, 0}})
	var prev []byte
	for i := range 2 {
		l := filepath.Join(dir, "L"+strconv.Itoa(i)+".csv")
		f, out, errOut := testFactory()
		if code := Run(f, []string{"cluster", "kmeans", "--in", x, "--k", "3", "--seed", "4", "--labels-out", l}); code != ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if !strings.HasPrefix(out.String(), "k-means: 6 rows, 3 clusters, inertia 1.5 after") {
			t.Errorf("output %q", out)
		}
		b, err := os.ReadFile(l)
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil && !bytes.Equal(prev, b) {
			t.Errorf("same seed, different labels: %q and %q", prev, b)
		}
		prev = b
	}
	labels, err := readLabelsCSV(filepath.Join(dir, "L0.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if labels[0] != labels[1] || labels[2] != labels[3] || labels[4] != labels[5] || labels[0] == labels[2] || labels[2] == labels[4] || labels[0] == labels[4] {
		t.Errorf("labels %v do not split the three pairs", labels)
	}
}

func TestKMeansAutoK(t *testing.T) {
	// Three tight blobs: --k auto must find them and print the table.
	dir := t.TempDir()
	in := filepath.Join(dir, "x.csv")
	var b strings.Builder
	b.WriteString("a,b\n")
	for i := 0; i < 300; i++ {
		c := float64(i % 3)
		fmt.Fprintf(&b, "%g,%g\n", 10*c+float64(i%7)*0.01, 10*float64(i%3%2)+float64(i%5)*0.01)
	}
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	labels := filepath.Join(dir, "l.csv")
	f, out, errOut := testFactory()
	if code := Run(f, []string{"cluster", "kmeans", "--in", in, "--k", "auto", "--k-range", "2..5", "--labels-out", labels, "--json"}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		K          int              `json:"k"`
		KRule      string           `json:"k_rule"`
		KSelection []map[string]any `json:"k_selection"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("--json output %q: %v", out, err)
	}
	if got.K != 3 || len(got.KSelection) != 4 || got.KRule != "highest silhouette" {
		t.Errorf("chose k = %d by %q from %d scores, want k = 3 by the highest silhouette from 4", got.K, got.KRule, len(got.KSelection))
	}
	if s := got.KSelection[1]; s["k"] != 3.0 || s["stability"].(float64) < 0.99 || s["prediction_strength"].(float64) < 0.99 {
		t.Errorf("k = 3 scores %v, want stability and prediction strength about 1", s)
	}

	// The table, with the stability columns and the rule.
	f, out, errOut = testFactory()
	if code := Run(f, []string{"cluster", "kmeans", "--in", in, "--k", "auto", "--k-range", "2..5", "--labels-out", labels}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"STABILITY", "PREDICTION STRENGTH", "<- chosen", "k = 3: highest silhouette\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// The silhouette rising to the top of 2..3 with no room to grow: no
	// clear structure, said in a note.
	f, out, errOut = testFactory()
	if code := Run(f, []string{"cluster", "kmeans", "--in", in, "--k", "auto", "--k-range", "2..3", "--k-cap", "3", "--labels-out", labels, "--json"}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var capped struct {
		K           int      `json:"k"`
		NoStructure bool     `json:"k_no_structure"`
		Warnings    []string `json:"warnings"`
	}
	if err := json.Unmarshal(out.Bytes(), &capped); err != nil {
		t.Fatal(err)
	}
	if !capped.NoStructure || len(capped.Warnings) == 0 || !strings.Contains(capped.Warnings[0], "no clear segment structure") {
		t.Errorf("range 2..3 capped at 3: %+v, want no clear structure and a warning", capped)
	}

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"auto with a centres file", []string{"--k", "auto", "--init", in}, "--k auto cannot start from a centres file"},
		{"bad range", []string{"--k", "auto", "--k-range", "1..4"}, "--k-range must satisfy"},
		{"not a number", []string{"--k", "several"}, `want a number of clusters or "auto"`},
		{"cap below the range", []string{"--k", "auto", "--k-range", "2..8", "--k-cap", "6"}, "--k-cap 6 is below the top of --k-range 2..8"},
		{"negative pairs", []string{"--k", "auto", "--stability-pairs", "-2"}, "--stability-pairs must be at least 1, 0 for the default or -1 for none, got -2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, errOut := testFactory()
			args := append([]string{"cluster", "kmeans", "--in", in, "--labels-out", labels}, tt.args...)
			if code := Run(f, args); code != ExitUsage || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, ExitUsage, tt.want)
			}
		})
	}
}
