package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestNewCmdHDBSCAN(t *testing.T) {
	tests := []struct {
		name    string
		args    string
		want    HDBSCANOptions
		wantErr string
	}{
		{
			name: "all flags",
			args: "--in X.csv --min-cluster-size 20 --min-samples 4 --selection leaf --allow-single-cluster --labels-out L.csv --json",
			want: HDBSCANOptions{In: "X.csv", MinClusterSize: 20, MinSamples: 4, ClusterSelection: "leaf", AllowSingleCluster: true, LabelsOut: "L.csv", JSON: true},
		},
		{
			name: "defaults",
			args: "--in X.csv --min-cluster-size 7 --labels-out L.csv",
			want: HDBSCANOptions{In: "X.csv", MinClusterSize: 7, ClusterSelection: "eom", LabelsOut: "L.csv"},
		},
		{name: "missing in", args: "--min-cluster-size 4 --labels-out L.csv", wantErr: "--in is required"},
		{name: "missing min cluster size", args: "--in X.csv --labels-out L.csv", wantErr: "--min-cluster-size is required"},
		{name: "missing labels out", args: "--in X.csv --min-cluster-size 4", wantErr: "--labels-out is required"},
		{name: "positional", args: "--in X.csv --min-cluster-size 4 --labels-out L.csv extra", wantErr: "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := testFactory()
			var got *HDBSCANOptions
			cmd := NewCmdHDBSCAN(f, func(o *HDBSCANOptions) error { got = o; return nil })
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
			if diff := cmp.Diff(&tt.want, got, cmpopts.IgnoreFields(HDBSCANOptions{}, "IO")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHDBSCANRun runs the command on the hand-worked line of the cluster
// package's TestHDBSCANHandWorked (an outlier, blob 0..4, a point at 50 that
// falls out of the first blob's cluster, blob 100..104).
func TestHDBSCANRun(t *testing.T) {
	tmp := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	line := write("line.csv", "x\n200\n0\n1\n2\n3\n4\n50\n100\n101\n102\n103\n104\n")
	nan := write("nan.csv", "a\n1\nNaN\n")
	labels := filepath.Join(tmp, "labels.csv")
	want := []int{-1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1}
	tests := []struct {
		name       string
		args       []string
		wantCode   ExitCode
		wantLabels []int
		wantOut    string // substring of stdout
		wantErr    string // substring of stderr
	}{
		{
			name: "text summary", args: []string{"--in", line, "--min-cluster-size", "3", "--min-samples", "3"},
			wantLabels: want, wantOut: "2 clusters, 1 noise points (min cluster size 3, min samples 3, eom)",
		},
		{
			name: "min samples defaults to min cluster size", args: []string{"--in", line, "--min-cluster-size", "3", "--selection", "leaf"},
			wantLabels: want, wantOut: "min samples 3, leaf",
		},
		{name: "min cluster size 1", args: []string{"--in", line, "--min-cluster-size", "1"}, wantCode: ExitUsage, wantErr: "--min-cluster-size must be at least 2"},
		{name: "negative min samples", args: []string{"--in", line, "--min-cluster-size", "3", "--min-samples", "-2"}, wantCode: ExitUsage, wantErr: "--min-samples must be at least 1"},
		{name: "selection", args: []string{"--in", line, "--min-cluster-size", "3", "--selection", "best"}, wantCode: ExitUsage, wantErr: "--selection must be eom or leaf"},
		{name: "min samples above rows", args: []string{"--in", line, "--min-cluster-size", "3", "--min-samples", "13"}, wantCode: ExitUsage, wantErr: "--min-samples (13) must be at most the number of rows (12)"},
		{name: "default min samples above rows", args: []string{"--in", line, "--min-cluster-size", "20"}, wantCode: ExitUsage, wantErr: "set --min-samples"},
		{name: "missing file", args: []string{"--in", filepath.Join(tmp, "nope.csv"), "--min-cluster-size", "3"}, wantCode: ExitFailure, wantErr: "nope.csv"},
		{name: "NaN", args: []string{"--in", nan, "--min-cluster-size", "2"}, wantCode: ExitFailure, wantErr: "line 3, column 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(labels)
			f, out, errOut := testFactory()
			code := Run(f, append([]string{"cluster", "hdbscan", "--labels-out", labels}, tt.args...))
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

func TestHDBSCANRunJSON(t *testing.T) {
	tmp := t.TempDir()
	in := filepath.Join(tmp, "x.csv")
	if err := os.WriteFile(in, []byte("200\n0\n1\n2\n3\n4\n50\n100\n101\n102\n103\n104\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, out, errOut := testFactory()
	code := Run(f, []string{"cluster", "hdbscan", "--in", in, "--min-cluster-size", "3", "--labels-out", filepath.Join(tmp, "l.csv"), "--json"})
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var sum map[string]float64
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	if sum["seconds"] < 0 {
		t.Errorf("seconds %v", sum["seconds"])
	}
	delete(sum, "seconds")
	if diff := cmp.Diff(map[string]float64{"n_clusters": 2, "n_noise": 1}, sum); diff != "" {
		t.Errorf("JSON summary (-want +got):\n%s", diff)
	}
}
