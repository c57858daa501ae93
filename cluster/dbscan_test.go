package cluster

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"
)

// dbReadCSV reads a numeric CSV with one header line.
func dbReadCSV(t testing.TB, path string) *mat.Dense {
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
	recs = recs[1:]
	d := len(recs[0])
	data := make([]float64, 0, len(recs)*d)
	for _, rec := range recs {
		for _, s := range rec {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatal(err)
			}
			data = append(data, v)
		}
	}
	return mat.NewDense(len(recs), d, data)
}

type dbParityFile struct {
	Variants []struct {
		Params struct {
			Eps        float64 `json:"eps"`
			MinSamples int     `json:"min_samples"`
			Metric     string  `json:"metric"`
		} `json:"params"`
		Labels            []int `json:"labels"`
		CoreSampleIndices []int `json:"core_sample_indices"`
		NNeighbors        []int `json:"n_neighbors"`
		NClusters         int   `json:"n_clusters"`
		NNoise            int   `json:"n_noise"`
	} `json:"variants"`
}

// TestDBSCANParity checks labels and core indices against scikit-learn 1.2.1
// on every DBSCAN variant in testdata/dbscan_parity (copied from
// ../shared/parity/public), with the k-d tree and the brute-force index and
// with one and several workers.
func TestDBSCANParity(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "dbscan_parity", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no parity data: %v", err)
	}
	ctx := context.Background()
	for _, dir := range dirs {
		raw, err := os.ReadFile(filepath.Join(dir, "dbscan.json"))
		if err != nil {
			t.Fatal(err)
		}
		var pf dbParityFile
		if err := json.Unmarshal(raw, &pf); err != nil {
			t.Fatal(err)
		}
		x := dbReadCSV(t, filepath.Join(dir, "X.csv"))
		for vi, v := range pf.Variants {
			name := filepath.Base(dir) + "/eps=" + strconv.FormatFloat(v.Params.Eps, 'g', -1, 64) + ",min=" + strconv.Itoa(v.Params.MinSamples)
			t.Run(name, func(t *testing.T) {
				if v.Params.Metric != "euclidean" {
					t.Fatalf("variant %d: metric %q", vi, v.Params.Metric)
				}
				res, err := DBSCAN(ctx, x, DBSCANOptions{Eps: v.Params.Eps, MinSamples: v.Params.MinSamples, Workers: 2})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(v.Labels, res.Labels); diff != "" {
					t.Errorf("labels differ from scikit-learn (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(v.CoreSampleIndices, res.CoreIndices, dbEmptyEqual); diff != "" {
					t.Errorf("core indices differ (-want +got):\n%s", diff)
				}
				if res.NClusters != v.NClusters || res.NNoise != v.NNoise {
					t.Errorf("got %d clusters, %d noise; want %d, %d", res.NClusters, res.NNoise, v.NClusters, v.NNoise)
				}
				// The other index and other worker counts give the same.
				for _, spatial := range []bool{false, true} {
					for _, workers := range []int{1, 3} {
						labels, core := dbRunIndex(t, x, dbEuclidean, v.Params.Eps, v.Params.MinSamples, workers, spatial)
						if diff := cmp.Diff(v.Labels, labels); diff != "" {
							t.Errorf("spatial=%v workers=%d: labels differ (-want +got):\n%s", spatial, workers, diff)
						}
						if diff := cmp.Diff(v.CoreSampleIndices, core, dbEmptyEqual); diff != "" {
							t.Errorf("spatial=%v workers=%d: core differs (-want +got):\n%s", spatial, workers, diff)
						}
					}
				}
				// The neighbour counts in the file agree with direct distances.
				counts := dbNaiveCounts(x, dbEuclidean, v.Params.Eps)
				if diff := cmp.Diff(v.NNeighbors, counts); diff != "" {
					t.Errorf("naive neighbour counts differ (-want +got):\n%s", diff)
				}
			})
		}
	}
}

var dbEmptyEqual = cmp.Comparer(func(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
})

// dbRunIndex runs DBSCAN's passes with a chosen index kind.
func dbRunIndex(t testing.TB, x *mat.Dense, metric string, eps float64, minSamples, workers int, spatial bool) ([]int, []int) {
	t.Helper()
	data, n, d, err := dbPrepare(x, metric, "x")
	if err != nil {
		t.Fatal(err)
	}
	ix := nbBuild(data, n, d, dbIndexMetric(metric), spatial)
	labels, core, err := dbRun(context.Background(), ix, dbThreshold(metric, eps), minSamples, workers)
	if err != nil {
		t.Fatal(err)
	}
	return labels, core
}

// dbNaiveDist is the distance between rows i and j computed directly, in
// the same comparison units and column order as the index.
func dbNaiveWithin(x *mat.Dense, metric string, i, j int, eps float64) bool {
	a, b := x.RawRowView(i), x.RawRowView(j)
	switch metric {
	case dbManhattan:
		s := 0.0
		for k := range a {
			s += math.Abs(a[k] - b[k])
		}
		return s <= eps
	case dbCosine:
		na, nb := 0.0, 0.0
		for k := range a {
			na += a[k] * a[k]
			nb += b[k] * b[k]
		}
		s := 0.0
		for k := range a {
			t := a[k]/math.Sqrt(na) - b[k]/math.Sqrt(nb)
			s += t * t
		}
		return s <= 2*eps
	}
	s := 0.0
	for k := range a {
		t := a[k] - b[k]
		s += t * t
	}
	return s <= eps*eps
}

func dbNaiveCounts(x *mat.Dense, metric string, eps float64) []int {
	n, _ := x.Dims()
	c := make([]int, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if dbNaiveWithin(x, metric, i, j, eps) {
				c[i]++
			}
		}
	}
	return c
}

// dbNaive is scikit-learn's algorithm written out literally: all
// neighbourhoods in memory, then dbscan_inner's depth-first expansion.
func dbNaive(x *mat.Dense, metric string, eps float64, minSamples int) (labels, core []int) {
	n, _ := x.Dims()
	nb := make([][]int, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if dbNaiveWithin(x, metric, i, j, eps) {
				nb[i] = append(nb[i], j)
			}
		}
	}
	isCore := make([]bool, n)
	for i := range nb {
		isCore[i] = len(nb[i]) >= minSamples
		if isCore[i] {
			core = append(core, i)
		}
	}
	labels = make([]int, n)
	for i := range labels {
		labels[i] = -1
	}
	label := 0
	var stack []int
	for start := 0; start < n; start++ {
		if labels[start] != -1 || !isCore[start] {
			continue
		}
		i := start
		for {
			if labels[i] == -1 {
				labels[i] = label
				if isCore[i] {
					for _, v := range nb[i] {
						if labels[v] == -1 {
							stack = append(stack, v)
						}
					}
				}
			}
			if len(stack) == 0 {
				break
			}
			i = stack[len(stack)-1]
			stack = stack[:len(stack)-1]
		}
		label++
	}
	return labels, core
}

// dbRandomData makes n x d data of a few kinds: Gaussian blobs, an integer
// lattice with duplicates (distances exactly equal to eps), or a line of
// identical points.
func dbRandomData(rng *rand.Rand, kind string, n, d int) *mat.Dense {
	x := mat.NewDense(n, d, nil)
	centres := make([][]float64, 4)
	for c := range centres {
		centres[c] = make([]float64, d)
		for j := range centres[c] {
			centres[c][j] = rng.Float64() * 10
		}
	}
	for i := 0; i < n; i++ {
		c := centres[rng.IntN(len(centres))]
		for j := 0; j < d; j++ {
			switch kind {
			case "blobs":
				x.Set(i, j, c[j]+rng.NormFloat64())
			case "grid":
				x.Set(i, j, float64(rng.IntN(8))+0.5*float64(rng.IntN(2)))
			case "same":
				x.Set(i, j, 1)
			}
		}
	}
	return x
}

// TestDBSCANMatchesNaive compares DBSCAN with the literal reference on
// random data, every metric, both index kinds and several worker counts.
func TestDBSCANMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	type tc struct {
		kind       string
		n, d       int
		metric     string
		eps        float64
		minSamples int
	}
	var tests []tc
	for _, metric := range []string{dbEuclidean, dbManhattan, dbCosine} {
		for _, d := range []int{1, 2, 3, 5, 30} {
			eps := map[string]float64{dbEuclidean: 0.6 * math.Sqrt(float64(d)), dbManhattan: 0.6 * float64(d), dbCosine: 0.02}[metric]
			tests = append(tests,
				tc{"blobs", 300, d, metric, eps, 5},
				tc{"blobs", 200, d, metric, eps / 2, 3},
				tc{"grid", 400, d, metric, 1, 4},
				tc{"grid", 250, d, metric, 1.5, 6},
				tc{"same", 70, d, metric, 0.5, 5},
				// MinSamples above dbEdgesAll+1: border points by a
				// second search instead of the recorded neighbours.
				tc{"blobs", 400, d, metric, eps * 1.5, 20},
				tc{"grid", 400, d, metric, 1.5, 19},
			)
		}
	}
	for _, tt := range tests {
		name := tt.kind + "/" + tt.metric + "/d=" + strconv.Itoa(tt.d) + "/eps=" + strconv.FormatFloat(tt.eps, 'g', 4, 64)
		t.Run(name, func(t *testing.T) {
			x := dbRandomData(rng, tt.kind, tt.n, tt.d)
			if tt.metric == dbCosine && tt.kind == "grid" {
				// Avoid all-zero rows, for which cosine is undefined.
				for i := 0; i < tt.n; i++ {
					x.Set(i, 0, x.At(i, 0)+1)
				}
			}
			wantL, wantC := dbNaive(x, tt.metric, tt.eps, tt.minSamples)
			for _, spatial := range []bool{true, false} {
				for _, workers := range []int{1, 4} {
					gotL, gotC := dbRunIndex(t, x, tt.metric, tt.eps, tt.minSamples, workers, spatial)
					if diff := cmp.Diff(wantL, gotL); diff != "" {
						t.Fatalf("spatial=%v workers=%d labels (-want +got):\n%s", spatial, workers, diff)
					}
					if diff := cmp.Diff(wantC, gotC, dbEmptyEqual); diff != "" {
						t.Fatalf("spatial=%v workers=%d core (-want +got):\n%s", spatial, workers, diff)
					}
				}
			}
		})
	}
}

func TestDBSCANOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		opts DBSCANOptions
		want string // substring of the error, "" for none
	}{
		{"zero", DBSCANOptions{}, ""},
		{"full", DBSCANOptions{Eps: 0.5, MinSamples: 3, Metric: "cosine", Workers: 2}, ""},
		{"negative eps", DBSCANOptions{Eps: -1}, "eps"},
		{"NaN eps", DBSCANOptions{Eps: math.NaN()}, "eps"},
		{"Inf eps", DBSCANOptions{Eps: math.Inf(1)}, "eps"},
		{"negative min samples", DBSCANOptions{Eps: 1, MinSamples: -2}, "min samples"},
		{"metric", DBSCANOptions{Eps: 1, Metric: "chebyshev"}, "metric"},
		{"workers", DBSCANOptions{Eps: 1, Workers: -1}, "workers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one naming %q", err, tt.want)
			}
		})
	}
}

func TestDBSCANInputErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		x    *mat.Dense
		opts DBSCANOptions
		want string
	}{
		{"nil", nil, DBSCANOptions{Eps: 1}, "empty"},
		{"NaN", mat.NewDense(2, 2, []float64{1, 2, 3, math.NaN()}), DBSCANOptions{Eps: 1}, "row 1 column 1"},
		{"cosine zero row", mat.NewDense(2, 2, []float64{1, 2, 0, 0}), DBSCANOptions{Eps: 1, Metric: "cosine"}, "row 1 is all zeros"},
		{"auto with min samples > n", mat.NewDense(2, 1, []float64{1, 2}), DBSCANOptions{MinSamples: 3}, "min samples"},
		{"bad option", mat.NewDense(2, 1, []float64{1, 2}), DBSCANOptions{Eps: -1}, "eps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DBSCAN(ctx, tt.x, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	x := dbRandomData(rand.New(rand.NewPCG(3, 4)), "blobs", 500, 2)
	if _, err := DBSCAN(cctx, x, DBSCANOptions{Eps: 0.5}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: got %v", err)
	}
}

// TestDBSCANViewAndNoMutation checks that a strided view gives the same
// result as a compact copy, and that x is not modified.
func TestDBSCANViewAndNoMutation(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	big := dbRandomData(rng, "blobs", 400, 5)
	before := mat.DenseCopyOf(big)
	view := big.Slice(0, 400, 1, 4).(*mat.Dense)
	compact := mat.DenseCopyOf(view)
	for _, metric := range []string{dbEuclidean, dbCosine} {
		a, err := DBSCAN(context.Background(), view, DBSCANOptions{Eps: 0.8, Metric: metric})
		if err != nil {
			t.Fatal(err)
		}
		b, err := DBSCAN(context.Background(), compact, DBSCANOptions{Eps: 0.8, Metric: metric})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(b, a); diff != "" {
			t.Errorf("%s: view vs copy (-copy +view):\n%s", metric, diff)
		}
	}
	if !mat.Equal(before, big) {
		t.Error("DBSCAN modified its input")
	}
}

func TestDBSCANWarnings(t *testing.T) {
	ctx := context.Background()
	// Three groups far apart: 10 points 0.01 apart, 15 points 0.05 apart
	// and 5 points 0.01 apart, plus 3 scattered points.
	var data []float64
	for i := 0; i < 10; i++ {
		data = append(data, float64(i)*0.01, 0)
	}
	for i := 0; i < 15; i++ {
		data = append(data, 100+float64(i)*0.05, 0)
	}
	for i := 0; i < 5; i++ {
		data = append(data, 0, 100+float64(i)*0.01)
	}
	data = append(data, 50, 50, -50, 50, 50, -50)
	x := mat.NewDense(33, 2, data)
	tests := []struct {
		name string
		opts DBSCANOptions
		want []DBSCANWarning
	}{
		{"fine", DBSCANOptions{Eps: 1, MinSamples: 5}, nil},
		{"all core and one cluster", DBSCANOptions{Eps: 1000, MinSamples: 2}, []DBSCANWarning{WarnAllCore, WarnOneCluster}},
		{"no core", DBSCANOptions{Eps: 1, MinSamples: 16}, []DBSCANWarning{WarnNoCore, WarnMostlyNoise}},
		{"mostly noise", DBSCANOptions{Eps: 0.015, MinSamples: 3}, []DBSCANWarning{WarnMostlyNoise}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := DBSCAN(ctx, x, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, res.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s\nresult %+v", diff, res)
			}
			for _, w := range res.Warnings {
				if strings.HasPrefix(w.String(), "DBSCANWarning(") {
					t.Errorf("warning %d has no message", int(w))
				}
			}
		})
	}
}
