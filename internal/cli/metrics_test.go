package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/metrics"
)

func TestNewCmdMetrics(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    MetricsOptions
		wantErr string
	}{
		{
			name: "required only",
			args: []string{"--in", "x.csv", "--labels", "l.csv"},
			want: MetricsOptions{In: "x.csv", Labels: "l.csv"},
		},
		{
			name: "all flags",
			args: []string{"--in", "x.csv", "--labels", "l.csv", "--truth", "t.csv", "--sample-size", "5000", "--seed", "7"},
			want: MetricsOptions{In: "x.csv", Labels: "l.csv", Truth: "t.csv", SampleSize: 5000, Seed: 7},
		},
		{name: "no --in", args: []string{"--labels", "l.csv"}, wantErr: "--in is required"},
		{name: "no --labels", args: []string{"--in", "x.csv"}, wantErr: "--labels is required"},
		{name: "sample size 1", args: []string{"--in", "x", "--labels", "l", "--sample-size", "1"}, wantErr: "--sample-size must be 0 (exact) or at least 2, got 1"},
		{name: "negative sample size", args: []string{"--in", "x", "--labels", "l", "--sample-size", "-3"}, wantErr: "--sample-size"},
		{name: "positional argument", args: []string{"--in", "x", "--labels", "l", "extra"}, wantErr: "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := testFactory()
			var got *MetricsOptions
			cmd := NewCmdMetrics(f, func(o *MetricsOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				var ue *UsageError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &ue) {
					t.Fatalf("err = %v, want a UsageError containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *got, cmp.FilterPath(func(p cmp.Path) bool {
				s := p.String()
				return s == "IO" || s == "Ctx"
			}, cmp.Ignore())); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// metricsFiles writes a small clustered data set, its labels, a second
// labeling and files that do not fit, and returns their paths.
func metricsFiles(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	const n, d = 120, 3
	x := mat.NewDense(n, d, nil)
	labels, truth := make([]int, n), make([]int, n)
	for i := range n {
		c := i % 3
		truth[i] = c
		labels[i] = c*10 - 1 // arbitrary ids, -1 included
		if i%17 == 0 {
			labels[i] = 5
		}
		for j := range d {
			x.Set(i, j, float64(c*6)+rng.NormFloat64())
		}
	}
	p := map[string]string{}
	for name, write := range map[string]func(string) error{
		"x":      func(path string) error { return writeMatrixCSV(path, x, nil) },
		"labels": func(path string) error { return writeLabelsCSV(path, labels) },
		"truth":  func(path string) error { return writeIntColumn(path, "truth", truth) },
		"short":  func(path string) error { return writeLabelsCSV(path, labels[:n-1]) },
		"one":    func(path string) error { return writeLabelsCSV(path, make([]int, n)) },
		"bad":    func(path string) error { return writeIntColumn(path, "label", nil) },
	} {
		p[name] = filepath.Join(dir, name+".csv")
		if err := write(p[name]); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func TestMetricsRun(t *testing.T) {
	p := metricsFiles(t)
	x, _, err := readMatrixCSV(p["x"])
	if err != nil {
		t.Fatal(err)
	}
	labels, _ := readLabelsCSV(p["labels"])
	truth, _ := readLabelsCSV(p["truth"])
	ctx := context.Background()
	sil, _ := metrics.Silhouette(ctx, x, labels, metrics.SilhouetteOptions{})
	sampled, _ := metrics.Silhouette(ctx, x, labels, metrics.SilhouetteOptions{SampleSize: 40, Seed: 3})
	ch, _ := metrics.CalinskiHarabasz(x, labels)
	db, _ := metrics.DaviesBouldin(x, labels)
	ari, _ := metrics.AdjustedRand(truth, labels)
	nmi, _ := metrics.NormalizedMutualInfo(truth, labels)
	ami, _ := metrics.AdjustedMutualInfo(truth, labels)
	if sampled == sil {
		t.Fatal("test data: sampled silhouette equals the exact one, so the flags would go untested")
	}

	tests := []struct {
		name     string
		args     []string
		wantCode ExitCode
		want     map[string]float64
		wantErr  []string // substrings of stderr
	}{
		{
			name: "data scores",
			args: []string{"--in", p["x"], "--labels", p["labels"]},
			want: map[string]float64{"silhouette": sil, "calinski_harabasz": ch, "davies_bouldin": db},
		},
		{
			name: "with truth",
			args: []string{"--in", p["x"], "--labels", p["labels"], "--truth", p["truth"]},
			want: map[string]float64{"silhouette": sil, "calinski_harabasz": ch, "davies_bouldin": db, "ari": ari, "nmi": nmi, "ami": ami},
		},
		{
			name: "sampled silhouette",
			args: []string{"--in", p["x"], "--labels", p["labels"], "--sample-size", "40", "--seed", "3"},
			want: map[string]float64{"silhouette": sampled, "calinski_harabasz": ch, "davies_bouldin": db},
		},
		{
			name:     "labels shorter than X",
			args:     []string{"--in", p["x"], "--labels", p["short"]},
			wantCode: ExitFailure,
			wantErr:  []string{p["short"] + " has 119 labels but " + p["x"] + " has 120 rows"},
		},
		{
			name:     "truth shorter than X",
			args:     []string{"--in", p["x"], "--labels", p["labels"], "--truth", p["short"]},
			wantCode: ExitFailure,
			wantErr:  []string{p["short"] + " has 119 labels but " + p["x"] + " has 120 rows"},
		},
		{
			name:     "one cluster",
			args:     []string{"--in", p["x"], "--labels", p["one"]},
			wantCode: ExitFailure,
			wantErr:  []string{p["one"], "number of distinct labels must be between 2 and n-1", "got 1 distinct labels for 120 rows"},
		},
		{
			name:     "missing file",
			args:     []string{"--in", p["x"] + ".missing", "--labels", p["labels"]},
			wantCode: ExitFailure,
			wantErr:  []string{"read --in", "x.csv.missing"},
		},
		{
			name:     "no labels in file",
			args:     []string{"--in", p["x"], "--labels", p["bad"]},
			wantCode: ExitFailure,
			wantErr:  []string{"read --labels", "no labels"},
		},
		{
			name:     "unknown flag",
			args:     []string{"--in", p["x"], "--labels", p["labels"], "--k", "3"},
			wantCode: ExitUsage,
			wantErr:  []string{"unknown flag: --k", "persona metrics --help"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, out, errOut := testFactory()
			code := Run(f, append([]string{"metrics"}, tt.args...))
			if code != tt.wantCode {
				t.Fatalf("exit code %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(errOut.String(), s) {
					t.Errorf("stderr %q does not contain %q", errOut, s)
				}
			}
			if tt.want == nil {
				if out.Len() != 0 {
					t.Errorf("stdout = %q, want nothing on failure", out)
				}
				return
			}
			if n := strings.Count(out.String(), "\n"); n != 1 || !strings.HasPrefix(out.String(), `{"silhouette":`) {
				t.Errorf("stdout = %q, want one line holding one JSON object that starts with silhouette", out)
			}
			var got map[string]float64
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("stdout %q: %v", out, err)
			}
			// Exact equality: the command must print what the library computes.
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMetricsKeyOrder(t *testing.T) {
	p := metricsFiles(t)
	f, out, errOut := testFactory()
	if code := Run(f, []string{"metrics", "--in", p["x"], "--labels", p["labels"], "--truth", p["truth"]}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	dec := json.NewDecoder(bytes.NewReader(out.Bytes()))
	var keys []string
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if s, ok := tok.(string); ok {
			keys = append(keys, s)
			dec.Token() // the value
		}
	}
	want := []string{"silhouette", "calinski_harabasz", "davies_bouldin", "ari", "nmi", "ami"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
}
