package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestNewCmdDBSCAN(t *testing.T) {
	tests := []struct {
		name    string
		args    string
		want    DBSCANOptions
		wantErr string
	}{
		{
			name: "all flags",
			args: "--in X.csv --eps 0.5 --min-samples 7 --metric cosine --labels-out L.csv --core-out C.csv --kdist-out K.csv --json",
			want: DBSCANOptions{In: "X.csv", Eps: "0.5", MinSamples: 7, Metric: "cosine", LabelsOut: "L.csv", CoreOut: "C.csv", KDistOut: "K.csv", JSON: true},
		},
		{
			name: "auto eps and default metric",
			args: "--in X.csv --eps auto --min-samples 4 --labels-out L.csv",
			want: DBSCANOptions{In: "X.csv", Eps: "auto", MinSamples: 4, Metric: "euclidean", LabelsOut: "L.csv"},
		},
		{name: "missing in", args: "--eps 1 --min-samples 4 --labels-out L.csv", wantErr: "--in is required"},
		{name: "missing eps", args: "--in X.csv --min-samples 4 --labels-out L.csv", wantErr: "--eps is required"},
		{name: "missing min samples", args: "--in X.csv --eps 1 --labels-out L.csv", wantErr: "--min-samples is required"},
		{name: "missing labels out", args: "--in X.csv --eps 1 --min-samples 4", wantErr: "--labels-out is required"},
		{name: "positional", args: "--in X.csv --eps 1 --min-samples 4 --labels-out L.csv extra", wantErr: "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := testFactory()
			var got *DBSCANOptions
			cmd := NewCmdDBSCAN(f, func(o *DBSCANOptions) error { got = o; return nil })
			cmd.SetArgs(strings.Fields(tt.args))
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.IO != f.IO {
				t.Error("options do not carry the factory's IO")
			}
			if diff := cmp.Diff(&tt.want, got, cmpopts.IgnoreFields(DBSCANOptions{}, "IO")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// dbscanParity is the first variant of a parity file in the cluster
// package's testdata.
type dbscanParity struct {
	Variants []struct {
		Params struct {
			Eps        float64 `json:"eps"`
			MinSamples int     `json:"min_samples"`
		} `json:"params"`
		Labels            []int `json:"labels"`
		CoreSampleIndices []int `json:"core_sample_indices"`
		NClusters         int   `json:"n_clusters"`
		NNoise            int   `json:"n_noise"`
	} `json:"variants"`
}

func readIntFile(t *testing.T, path, header string) []int {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if lines[0] != header {
		t.Fatalf("%s: header %q, want %q", path, lines[0], header)
	}
	v := []int{}
	for _, s := range lines[1:] {
		i, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		v = append(v, i)
	}
	return v
}

// TestDBSCANRunParity runs the command on scikit-learn parity data (integer
// grid with distances exactly equal to eps) and checks both output files and
// the JSON summary.
func TestDBSCANRunParity(t *testing.T) {
	dir := filepath.Join("..", "..", "cluster", "testdata", "dbscan_parity", "grid2d_ties_n578")
	raw, err := os.ReadFile(filepath.Join(dir, "dbscan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p dbscanParity
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	for _, v := range p.Variants {
		eps := strconv.FormatFloat(v.Params.Eps, 'g', -1, 64)
		t.Run("eps="+eps+",min="+strconv.Itoa(v.Params.MinSamples), func(t *testing.T) {
			tmp := t.TempDir()
			labels, core := filepath.Join(tmp, "labels.csv"), filepath.Join(tmp, "core.csv")
			f, out, errOut := testFactory()
			code := Run(f, []string{"cluster", "dbscan", "--in", filepath.Join(dir, "X.csv"), "--eps", eps,
				"--min-samples", strconv.Itoa(v.Params.MinSamples), "--labels-out", labels, "--core-out", core, "--json"})
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if diff := cmp.Diff(v.Labels, readIntFile(t, labels, "label")); diff != "" {
				t.Errorf("labels (-sklearn +got):\n%s", diff)
			}
			if diff := cmp.Diff(append([]int{}, v.CoreSampleIndices...), readIntFile(t, core, "index")); diff != "" {
				t.Errorf("core (-sklearn +got):\n%s", diff)
			}
			var sum map[string]float64
			if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
			}
			if sum["seconds"] < 0 {
				t.Errorf("seconds %v", sum["seconds"])
			}
			delete(sum, "seconds")
			want := map[string]float64{"n_clusters": float64(v.NClusters), "n_noise": float64(v.NNoise),
				"n_core": float64(len(v.CoreSampleIndices)), "eps": v.Params.Eps}
			if diff := cmp.Diff(want, sum); diff != "" {
				t.Errorf("JSON summary (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDBSCANRunKDistOut(t *testing.T) {
	tmp := t.TempDir()
	in := filepath.Join(tmp, "x.csv")
	if err := os.WriteFile(in, []byte("0\n0.5\n1\n1.5\n10\n10.5\n11\n30\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "k_distance\n0.5\n0.5\n0.5\n1\n1\n1\n1\n19.5\n"
	for _, eps := range []string{"auto", "0.6"} {
		t.Run("eps="+eps, func(t *testing.T) {
			kd := filepath.Join(tmp, "kd-"+eps+".csv")
			f, _, errOut := testFactory()
			code := Run(f, []string{"cluster", "dbscan", "--in", in, "--eps", eps, "--min-samples", "3",
				"--labels-out", filepath.Join(tmp, "l.csv"), "--kdist-out", kd})
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			got, err := os.ReadFile(kd)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, string(got)); diff != "" {
				t.Errorf("k-distance file (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDBSCANRun(t *testing.T) {
	tmp := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// No header; two groups and an outlier.
	plain := write("plain.csv", "0\n0.5\n1\n1.5\n10\n10.5\n11\n30\n")
	header := write("header.csv", "spend,visits\n0,0\n0,1\n1,0\n1,1\n9,9\n")
	nan := write("nan.csv", "a\n1\nNaN\n")
	labels := filepath.Join(tmp, "labels.csv")
	tests := []struct {
		name       string
		args       []string
		wantCode   ExitCode
		wantLabels []int
		wantOut    string // substring of stdout
		wantErr    string // substring of stderr
	}{
		{
			name: "plain text summary", args: []string{"--in", plain, "--eps", "0.6", "--min-samples", "3"},
			wantLabels: []int{0, 0, 0, 0, 1, 1, 1, -1}, wantOut: "2 clusters, 1 noise points, 3 core points (eps 0.6, min samples 3, euclidean)",
		},
		{
			name: "header and manhattan", args: []string{"--in", header, "--eps", "1", "--min-samples", "3", "--metric", "manhattan"},
			wantLabels: []int{0, 0, 0, 0, -1}, wantOut: "1 clusters",
			wantErr: "warning: all clustered points form one single cluster",
		},
		{
			name: "auto eps", args: []string{"--in", plain, "--eps", "auto", "--min-samples", "3", "--json"},
			wantLabels: []int{0, 0, 0, 0, 1, 1, 1, -1}, wantOut: `"eps":1,`,
		},
		{
			name: "warnings", args: []string{"--in", plain, "--eps", "100", "--min-samples", "2"},
			wantLabels: []int{0, 0, 0, 0, 0, 0, 0, 0},
			wantErr:    "persona: warning: every point is a core point",
		},
		{name: "eps zero", args: []string{"--in", plain, "--eps", "0", "--min-samples", "3"}, wantCode: ExitUsage, wantErr: "--eps must be a positive number"},
		{name: "eps text", args: []string{"--in", plain, "--eps", "big", "--min-samples", "3"}, wantCode: ExitUsage, wantErr: "--eps must be"},
		{name: "min samples", args: []string{"--in", plain, "--eps", "1", "--min-samples", "0"}, wantCode: ExitUsage, wantErr: "--min-samples must be at least 1"},
		{name: "metric", args: []string{"--in", plain, "--eps", "1", "--min-samples", "3", "--metric", "l2"}, wantCode: ExitUsage, wantErr: "--metric must be"},
		{name: "auto with too few rows", args: []string{"--in", plain, "--eps", "auto", "--min-samples", "9"}, wantCode: ExitUsage, wantErr: "--min-samples (9)"},
		{name: "missing file", args: []string{"--in", filepath.Join(tmp, "nope.csv"), "--eps", "1", "--min-samples", "3"}, wantCode: ExitFailure, wantErr: "nope.csv"},
		{name: "NaN", args: []string{"--in", nan, "--eps", "1", "--min-samples", "3"}, wantCode: ExitFailure, wantErr: "line 3, column 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(labels)
			f, out, errOut := testFactory()
			code := Run(f, append([]string{"cluster", "dbscan", "--labels-out", labels}, tt.args...))
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("stdout %q, want it to contain %q", out, tt.wantOut)
			}
			if !strings.Contains(errOut.String(), tt.wantErr) {
				t.Errorf("stderr %q, want it to contain %q", errOut, tt.wantErr)
			}
			if tt.wantCode != ExitOK {
				if _, err := os.Stat(labels); err == nil {
					t.Error("a failed run wrote the labels file")
				}
				return
			}
			if diff := cmp.Diff(tt.wantLabels, readIntFile(t, labels, "label")); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
		})
	}
}
