package cluster_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/metrics"
)

func gowerMatrix(t testing.TB, attrs []cluster.Attr) (*cluster.Gower, *cluster.DistMatrix) {
	t.Helper()
	g, err := cluster.NewGower(attrs, cluster.GowerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := cluster.Pairwise(context.Background(), g, cluster.PairwiseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return g, m
}

func ari(t testing.TB, a, b []int) float64 {
	t.Helper()
	v, err := metrics.AdjustedRand(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkResult checks the invariants of any k-medoids result on m: K
// clusters numbered by first row, each row at its nearest medoid (ties to
// the lowest row, a medoid to itself), and Objective the mean of those
// dissimilarities.
func checkResult(t *testing.T, what string, m cluster.Dissimilarity, k int, r *cluster.KMedoidsResult) {
	t.Helper()
	n := m.Len()
	if len(r.Medoids) != k || len(r.Labels) != n {
		t.Fatalf("%s: %d medoids and %d labels, want %d and %d", what, len(r.Medoids), len(r.Labels), k, n)
	}
	next := 0
	var sum float64
	for j, l := range r.Labels {
		if l > next {
			t.Fatalf("%s: row %d has label %d before label %d appeared", what, j, l, next)
		}
		if l == next {
			next++
		}
		best, bd := -1, math.Inf(1)
		for _, md := range slices.Sorted(slices.Values(r.Medoids)) {
			if md == j {
				best, bd = md, 0
				break
			}
			if v := m.Dissim(md, j); v < bd {
				best, bd = md, v
			}
		}
		if r.Medoids[l] != best {
			t.Fatalf("%s: row %d is in the cluster of medoid %d, its nearest medoid is %d", what, j, r.Medoids[l], best)
		}
		sum += bd
	}
	if next != k {
		t.Fatalf("%s: %d clusters, want %d", what, next, k)
	}
	if got := sum / float64(n); math.Abs(got-r.Objective) > 1e-12*max(1, got) {
		t.Fatalf("%s: objective %v, mean dissimilarity to the medoids %v", what, r.Objective, got)
	}
}

// TestKMedoidsMethods: on planted mixed groups, every method recovers the
// groups, FasterPAM and CLARA come within 3% of PAM's objective, and the
// results do not depend on the number of workers.
func TestKMedoidsMethods(t *testing.T) {
	attrs, truth := plantedMixed(1200, 4, 0.03, 7)
	g, m := gowerMatrix(t, attrs)
	ctx := context.Background()
	var pamObj float64
	for _, tc := range []struct {
		method string
		d      cluster.Dissimilarity
		opts   cluster.KMedoidsOptions
	}{
		{cluster.KMedoidsPAM, m, cluster.KMedoidsOptions{}},
		{cluster.KMedoidsFasterPAM, m, cluster.KMedoidsOptions{}},
		{cluster.KMedoidsFasterPAM, m, cluster.KMedoidsOptions{Init: cluster.InitRandom, Seed: 3}},
		{cluster.KMedoidsCLARA, g, cluster.KMedoidsOptions{SampleSize: 300, Seed: 5}},
		{cluster.KMedoidsCLARA, m, cluster.KMedoidsOptions{SampleSize: 600, Samples: 3, Seed: 5}},
	} {
		var first *cluster.KMedoidsResult
		for _, workers := range []int{1, 2, 5} {
			o := tc.opts
			o.K, o.Method, o.Workers = 4, tc.method, workers
			r, err := cluster.KMedoids(ctx, tc.d, o)
			if err != nil {
				t.Fatal(err)
			}
			what := tc.method + "/" + o.Init
			checkResult(t, what, m, 4, r)
			if r.Method != tc.method {
				t.Errorf("%s: Method %q", what, r.Method)
			}
			if first == nil {
				first = r
				if a := ari(t, truth, r.Labels); a < 0.8 {
					t.Errorf("%s: ARI %.3f against the planted groups", what, a)
				}
				if tc.method == cluster.KMedoidsPAM {
					pamObj = r.Objective
				} else if r.Objective > 1.03*pamObj {
					t.Errorf("%s: objective %.6f, PAM's %.6f", what, r.Objective, pamObj)
				}
				if tc.method == cluster.KMedoidsCLARA {
					wantSamples := max(o.Samples, cluster.DefaultCLARASamples*(1-min(o.Samples, 1)))
					if len(r.SampleObjectives) != wantSamples || slices.Min(r.SampleObjectives) != r.Objective {
						t.Errorf("%s: sample objectives %v, objective %v", what, r.SampleObjectives, r.Objective)
					}
				}
				continue
			}
			if !slices.Equal(r.Medoids, first.Medoids) || r.Objective != first.Objective {
				t.Errorf("%s: %d workers: medoids %v objective %v, with 1 worker %v %v", what, workers, r.Medoids, r.Objective, first.Medoids, first.Objective)
			}
		}
	}
}

// TestKMedoidsAuto: auto picks PAM on small inputs, CLARA when the matrix
// does not fit the memory limit, and CLARA with samples as large as the
// data is FasterPAM on all rows.
func TestKMedoidsAuto(t *testing.T) {
	attrs, _ := plantedMixed(400, 3, 0, 2)
	g, m := gowerMatrix(t, attrs)
	ctx := context.Background()
	r, err := cluster.KMedoids(ctx, g, cluster.KMedoidsOptions{K: 3})
	if err != nil {
		t.Fatal(err)
	}
	if r.Method != cluster.KMedoidsPAM {
		t.Errorf("400 rows: method %q", r.Method)
	}
	r, err = cluster.KMedoids(ctx, g, cluster.KMedoidsOptions{K: 3, MemoryLimit: 100_000, SampleSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	if r.Method != cluster.KMedoidsCLARA {
		t.Errorf("100 kB memory: method %q", r.Method)
	}
	whole, err := cluster.KMedoids(ctx, g, cluster.KMedoidsOptions{K: 3, Method: cluster.KMedoidsCLARA, SampleSize: 400})
	if err != nil {
		t.Fatal(err)
	}
	fp, err := cluster.KMedoids(ctx, m, cluster.KMedoidsOptions{K: 3, Method: cluster.KMedoidsFasterPAM})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(whole.Medoids, fp.Medoids) || whole.Objective != fp.Objective || len(whole.SampleObjectives) != 1 {
		t.Errorf("CLARA on all rows: %v %v %v, FasterPAM %v %v", whole.Medoids, whole.Objective, whole.SampleObjectives, fp.Medoids, fp.Objective)
	}
}

// TestKMedoidsEuclidean: on two well separated blobs every method finds
// them, and Euclidean equals the distances of the rows.
func TestKMedoidsEuclidean(t *testing.T) {
	x := mat.NewDense(8, 2, []float64{0, 0, 0, 1, 1, 0, 1, 1, 10, 10, 10, 11, 11, 10, 11, 11})
	e, err := cluster.NewEuclidean(x)
	if err != nil {
		t.Fatal(err)
	}
	if d := e.Dissim(0, 3); math.Abs(d-math.Sqrt2) > 1e-15 {
		t.Fatalf("Dissim(0, 3) = %v", d)
	}
	for _, method := range []string{cluster.KMedoidsPAM, cluster.KMedoidsFasterPAM, cluster.KMedoidsCLARA} {
		r, err := cluster.KMedoids(context.Background(), e, cluster.KMedoidsOptions{K: 2, Method: method, SampleSize: 6})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r.Labels, []int{0, 0, 0, 0, 1, 1, 1, 1}) {
			t.Errorf("%s: labels %v", method, r.Labels)
		}
	}
	if _, err := cluster.NewEuclidean(mat.NewDense(1, 2, []float64{1, math.NaN()})); err == nil || !strings.Contains(err.Error(), "row 0, column 1") {
		t.Errorf("NaN: error %v", err)
	}
}

func TestKMedoidsErrors(t *testing.T) {
	m := cluster.NewDistMatrix(4, []float64{1, 2, 3, 4, 5, 6})
	bad := cluster.NewDistMatrix(3, []float64{1, math.NaN(), 1})
	for _, tc := range []struct {
		name string
		d    cluster.Dissimilarity
		opts cluster.KMedoidsOptions
		want string
	}{
		{"k 0", m, cluster.KMedoidsOptions{}, "K must be at least 1"},
		{"k = n", m, cluster.KMedoidsOptions{K: 4}, "K = 4, but there are 4 rows; K must be at most 3"},
		{"method", m, cluster.KMedoidsOptions{K: 2, Method: "kmeans"}, `Method must be "auto", "pam", "fasterpam" or "clara"`},
		{"init", m, cluster.KMedoidsOptions{K: 2, Init: "k-means++"}, `Init must be "build" or "random"`},
		{"medoids count", m, cluster.KMedoidsOptions{K: 2, InitMedoids: []int{1}}, "1 initial medoids for K = 2"},
		{"medoids repeat", m, cluster.KMedoidsOptions{K: 2, InitMedoids: []int{1, 1}}, "want 2 distinct rows in 0..3"},
		{"medoids range", m, cluster.KMedoidsOptions{K: 2, InitMedoids: []int{0, 4}}, "want 2 distinct rows in 0..3"},
		{"clara medoids", m, cluster.KMedoidsOptions{K: 2, Method: cluster.KMedoidsCLARA, InitMedoids: []int{0, 1}}, "CLARA chooses its medoids"},
		{"clara size", m, cluster.KMedoidsOptions{K: 2, Method: cluster.KMedoidsCLARA, SampleSize: 2}, "samples of 2 rows cannot hold K + 1 = 3 rows"},
		{"samples", m, cluster.KMedoidsOptions{K: 2, Samples: -1}, "Samples must be at least 1"},
		{"nan", bad, cluster.KMedoidsOptions{K: 2}, "rows 0 and 2 is undefined (NaN)"},
		{"nan clara", bad, cluster.KMedoidsOptions{K: 1, Method: cluster.KMedoidsCLARA, SampleSize: 2}, "undefined (NaN)"},
		{"negative", cluster.NewDistMatrix(3, []float64{1, -1, 1}), cluster.KMedoidsOptions{K: 2}, "rows 0 and 2 is -1"},
		{"memory", &slowDissim{n: 100}, cluster.KMedoidsOptions{K: 2, Method: cluster.KMedoidsPAM, MemoryLimit: 100}, "above the memory limit"},
	} {
		_, err := cluster.KMedoids(context.Background(), tc.d, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// slowDissim is a Dissimilarity without the fast path: |i - j|.
type slowDissim struct{ n int }

func (s *slowDissim) Len() int                { return s.n }
func (s *slowDissim) Dissim(i, j int) float64 { return math.Abs(float64(i - j)) }

// TestKMedoidsCancel: a cancelled context stops every method.
func TestKMedoidsCancel(t *testing.T) {
	attrs, _ := plantedMixed(600, 3, 0, 4)
	g, m := gowerMatrix(t, attrs)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		method string
		d      cluster.Dissimilarity
	}{{cluster.KMedoidsPAM, m}, {cluster.KMedoidsFasterPAM, m}, {cluster.KMedoidsCLARA, g}} {
		if _, err := cluster.KMedoids(ctx, tc.d, cluster.KMedoidsOptions{K: 3, Method: tc.method, SampleSize: 200}); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error %v, want context.Canceled", tc.method, err)
		}
	}
}

// TestKMedoidsK1 follows R: with K = 1 and no initial medoid, PAM runs no
// SWAP; the medoid minimises the total dissimilarity.
func TestKMedoidsK1(t *testing.T) {
	d := &slowDissim{n: 7}
	r, err := cluster.KMedoids(context.Background(), d, cluster.KMedoidsOptions{K: 1, Method: cluster.KMedoidsPAM})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Medoids, []int{3}) || r.Swaps != 0 || r.Objective != r.BuildObjective || r.Objective != 12.0/7 {
		t.Errorf("%+v", r)
	}
}
