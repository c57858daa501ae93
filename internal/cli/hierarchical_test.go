package cli

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestNewCmdHierarchical(t *testing.T) {
	base := []string{"--in", "x.csv", "--labels-out", "l.csv"}
	tests := []struct {
		name    string
		args    []string
		want    HierarchicalOptions
		wantErr string
	}{
		{
			name: "ward k",
			args: append([]string{"--linkage", "ward", "--k", "3"}, base...),
			want: HierarchicalOptions{In: "x.csv", LabelsOut: "l.csv", Linkage: "ward", K: 3},
		},
		{
			name: "default linkage is ward",
			args: append([]string{"--k", "2"}, base...),
			want: HierarchicalOptions{In: "x.csv", LabelsOut: "l.csv", Linkage: "ward", K: 2},
		},
		{
			name: "average distance with outputs",
			args: append([]string{"--linkage", "average", "--distance", "2.5", "--linkage-out", "z.csv", "--json"}, base...),
			want: HierarchicalOptions{In: "x.csv", LabelsOut: "l.csv", Linkage: "average", Distance: 2.5, ByDistance: true, LinkageOut: "z.csv", JSON: true},
		},
		{
			name: "distance zero is a cut",
			args: append([]string{"--linkage", "single", "--distance", "0"}, base...),
			want: HierarchicalOptions{In: "x.csv", LabelsOut: "l.csv", Linkage: "single", ByDistance: true},
		},
		{name: "neither k nor distance", args: base, wantErr: "exactly one of --k and --distance"},
		{name: "both k and distance", args: append([]string{"--k", "2", "--distance", "1"}, base...), wantErr: "exactly one of --k and --distance"},
		{name: "k zero", args: append([]string{"--k", "0"}, base...), wantErr: "--k 0: must be at least 1"},
		{name: "negative distance", args: append([]string{"--distance", "-1"}, base...), wantErr: "--distance -1"},
		{name: "bad linkage", args: append([]string{"--linkage", "median", "--k", "2"}, base...), wantErr: `linkage method "median"`},
		{name: "missing in", args: []string{"--k", "2", "--labels-out", "l.csv"}, wantErr: "--in is required"},
		{name: "missing labels-out", args: []string{"--k", "2", "--in", "x.csv"}, wantErr: "--labels-out is required"},
		{name: "positional argument", args: append([]string{"--k", "2", "extra"}, base...), wantErr: "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := testFactory()
			var got *HierarchicalOptions
			cmd := NewCmdHierarchical(f, func(o *HierarchicalOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want it to contain %q", err, tt.wantErr)
				}
				if _, ok := err.(*UsageError); !ok {
					t.Errorf("error %T, want *UsageError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ignore := cmpopts.IgnoreFields(HierarchicalOptions{}, "IO", "ApproxAbove", "MicroClusters", "Seed", "MemoryLimitMB", "Workers")
			if diff := cmp.Diff(tt.want, *got, ignore); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// hierarchicalParity is the part of cluster/testdata/linkage_*.json (SciPy
// 1.10.1 output) the command's files are checked against.
type hierarchicalParity struct {
	Methods []struct {
		Method   string           `json:"method"`
		Z        [][4]float64     `json:"Z"`
		Maxclust map[string][]int `json:"fcluster_maxclust"`
	} `json:"methods"`
}

func TestHierarchicalRunParity(t *testing.T) {
	in := filepath.Join("..", "..", "cluster", "testdata", "linkage_blobs2d_n600_X.csv")
	b, err := os.ReadFile(filepath.Join("..", "..", "cluster", "testdata", "linkage_blobs2d_n600.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p hierarchicalParity
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	for _, m := range p.Methods {
		t.Run(m.Method, func(t *testing.T) {
			dir := t.TempDir()
			lpath, zpath := filepath.Join(dir, "l.csv"), filepath.Join(dir, "z.csv")
			f, out, errOut := testFactory()
			code := Run(f, []string{"cluster", "hierarchical", "--in", in, "--linkage", m.Method, "--k", "3",
				"--labels-out", lpath, "--linkage-out", zpath, "--json"})
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var sum hierarchicalSummary
			if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
				t.Fatalf("--json output %q: %v", out, err)
			}
			if sum.Method != m.Method || sum.Rows != 600 || sum.Columns != 2 || sum.Clusters != 3 || sum.K != 3 {
				t.Errorf("summary %+v", sum)
			}
			z := readCSVRows(t, zpath, "a,b,distance,size")
			if len(z) != len(m.Z) {
				t.Fatalf("%d rows in Z.csv, want %d", len(z), len(m.Z))
			}
			for i, row := range z {
				for j := range 4 {
					v, err := strconv.ParseFloat(row[j], 64)
					if err != nil {
						t.Fatalf("Z.csv row %d: %v", i+2, err)
					}
					w := m.Z[i][j]
					if j == 2 && math.Abs(v-w) > 1e-12*math.Max(1, w) || j != 2 && v != w {
						t.Fatalf("Z.csv row %d: %v, want %v", i+2, row, m.Z[i])
					}
				}
			}
			labels, err := readLabelsCSV(lpath)
			if err != nil {
				t.Fatal(err)
			}
			want := m.Maxclust["3"]
			pair := map[[2]int]bool{}
			seen := map[int]bool{}
			for i := range labels {
				pair[[2]int{labels[i], want[i]}] = true
				seen[labels[i]] = true
			}
			if len(pair) != 3 || len(seen) != 3 || len(labels) != len(want) {
				t.Errorf("labels are not fcluster maxclust's partition (up to ids): %d label pairs", len(pair))
			}
			if first := readCSVRows(t, lpath, "label"); first[0][0] != "0" {
				t.Errorf("first label %s, want 0 (labels by first appearance)", first[0][0])
			}
		})
	}
}

func readCSVRows(t *testing.T, path, header string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if lines[0] != header {
		t.Fatalf("%s: header %q, want %q", path, lines[0], header)
	}
	var rows [][]string
	for _, l := range lines[1:] {
		rows = append(rows, strings.Split(l, ","))
	}
	return rows
}

func TestHierarchicalRunErrors(t *testing.T) {
	dir := t.TempDir()
	x := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(x, []byte("a,b\n0,0\n1,0\n5,5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("a,b\n0,0\n1,x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode ExitCode
		wantErr  string
	}{
		{"missing file", []string{"--in", filepath.Join(dir, "none.csv"), "--k", "2"}, ExitFailure, "none.csv"},
		{"not a number", []string{"--in", bad, "--k", "2"}, ExitFailure, `line 3, column 2: "x" is not a number`},
		{"k above rows", []string{"--in", x, "--k", "4"}, ExitUsage, "--k 4: more than the 3 rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, errOut := testFactory()
			args := append([]string{"cluster", "hierarchical", "--labels-out", filepath.Join(dir, "l.csv")}, tt.args...)
			if code := Run(f, args); code != tt.wantCode {
				t.Fatalf("exit %d, want %d (%s)", code, tt.wantCode, errOut)
			}
			if !strings.Contains(errOut.String(), tt.wantErr) {
				t.Errorf("stderr %q, want it to contain %q", errOut, tt.wantErr)
			}
		})
	}
}

func TestHierarchicalRunDistance(t *testing.T) {
	dir := t.TempDir()
	x := filepath.Join(dir, "x.csv")
	// Three groups on a line: {0,1}, {10,11.5}, {30}.
	if err := os.WriteFile(x, []byte("30\n0\n10\n1\n11.5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l := filepath.Join(dir, "l.csv")
	f, out, errOut := testFactory()
	if code := Run(f, []string{"cluster", "hierarchical", "--in", x, "--linkage", "single", "--distance", "1.5", "--labels-out", l}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got, err := readLabelsCSV(l)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{0, 1, 2, 1, 2}, got); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	if !strings.Contains(out.String(), "3 clusters at distance=1.5") {
		t.Errorf("output %q", out)
	}
}

func TestHierarchicalRunTiedCut(t *testing.T) {
	// Five evenly spaced points: single linkage merges them all at height
	// 1, so --k 3 cannot be cut and gives one cluster, with a note.
	dir := t.TempDir()
	x := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(x, []byte("0\n1\n2\n3\n4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l := filepath.Join(dir, "l.csv")
	f, out, errOut := testFactory()
	if code := Run(f, []string{"cluster", "hierarchical", "--in", x, "--linkage", "single", "--k", "3", "--labels-out", l}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := "note: --k 3 gave only 1 cluster: merges tie at height 1, so no cut has exactly 3"; !strings.Contains(out.String(), want) {
		t.Errorf("output %q lacks %q", out, want)
	}
	f, out, errOut = testFactory()
	if code := Run(f, []string{"cluster", "hierarchical", "--in", x, "--linkage", "single", "--k", "5", "--labels-out", l, "--json"}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out.String(), "warnings") {
		t.Errorf("--k 5 on 5 points: %s, want no warning", out)
	}
}
