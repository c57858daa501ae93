package kselect

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
)

// euclidRows is the Euclidean distance between the rows of x.
type euclidRows struct{ x *mat.Dense }

func (e euclidRows) Len() int { r, _ := e.x.Dims(); return r }
func (e euclidRows) Dissim(i, j int) float64 {
	return floats.Distance(e.x.RawRowView(i), e.x.RawRowView(j), 2)
}

// TestChooseDissimEuclidean: with the Euclidean distances of x as the
// dissimilarity, the silhouettes are Choose's own, and blobs are found.
func TestChooseDissimEuclidean(t *testing.T) {
	x := blobs(400, 4, 3, 2)
	opts := Options{KMin: 2, KMax: 7, SampleSize: 200, Seed: 3}
	plain, err := Choose(context.Background(), x, opts, kmeansFit)
	if err != nil {
		t.Fatal(err)
	}
	opts.Dissim = euclidRows{x}
	with, err := Choose(context.Background(), x, opts, kmeansFit)
	if err != nil {
		t.Fatal(err)
	}
	if with.K != 4 || plain.K != 4 {
		t.Errorf("k = %d with the dissimilarity, %d without; want 4", with.K, plain.K)
	}
	for i, s := range with.Scores {
		p := plain.Scores[i]
		if math.Abs(s.Silhouette-p.Silhouette) > 1e-12 || math.Abs(s.SilhouetteSE-p.SilhouetteSE) > 1e-12 || s.Stability != p.Stability {
			t.Errorf("k = %d: silhouette %v ± %v, stability %v on the dissimilarity; %v ± %v, %v on x", s.K, s.Silhouette, s.SilhouetteSE, s.Stability, p.Silhouette, p.SilhouetteSE, p.Stability)
		}
		if s.K == 4 && s.PredictionStrength < 0.99 {
			t.Errorf("k = 4: prediction strength %v by the nearest medoid, want about 1", s.PredictionStrength)
		}
	}
}

// TestChooseDissimOwnSpace: a method that clusters on a dissimilarity
// (here k-medoids on the distances of y: three groups) is judged on that
// dissimilarity, not in the space x Choose is given, where a column the
// method ignores cuts every group in two cells (the pipeline's case:
// criteria in the PCA space of one-hot columns, k-medoids on Gower).
func TestChooseDissimOwnSpace(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	n := 300
	y := mat.NewDense(n, 2, nil)
	x := mat.NewDense(n, 3, nil)
	for i := range n {
		g := i % 3
		y.Set(i, 0, 10*float64(g)+rng.NormFloat64())
		y.Set(i, 1, rng.NormFloat64())
		x.Set(i, 0, y.At(i, 0))
		x.Set(i, 1, y.At(i, 1))
		x.Set(i, 2, 40*float64(rng.IntN(2))) // cells the method does not see
	}
	d := euclidRows{y}
	fit := func(ctx context.Context, sub *mat.Dense, k int) ([]int, float64, error) {
		var dd cluster.Dissimilarity = d
		if rows := SampleRows(ctx); rows != nil {
			dd = rowsOf{d, rows}
		}
		r, err := cluster.KMedoids(ctx, dd, cluster.KMedoidsOptions{K: k})
		if err != nil {
			return nil, 0, err
		}
		return r.Labels, r.Objective, nil
	}
	opts := Options{KMin: 2, KMax: 8, Seed: 1}
	inX, err := Choose(context.Background(), x, opts, fit)
	if err != nil {
		t.Fatal(err)
	}
	opts.Dissim = d
	own, err := Choose(context.Background(), x, opts, fit)
	if err != nil {
		t.Fatal(err)
	}
	if own.K != 3 {
		t.Errorf("k = %d (%s) on the method's dissimilarity, want 3", own.K, own.Rule)
	}
	if inX.K == 3 {
		t.Errorf("judged in x, k = 3 too: the test does not show the difference")
	}
	if s := scoreOf(own.Scores, 3); s.PredictionStrength < 0.95 || s.Stability < 0.95 {
		t.Errorf("k = 3: prediction strength %v, stability %v; want about 1", s.PredictionStrength, s.Stability)
	}
}

func TestPredictionStrengthDissim(t *testing.T) {
	// Rows of the data on a line: 0, 1, 2 | 10, 11 | 5.
	pos := []float64{0, 1, 2, 10, 11, 5, 9, 3}
	d := euclidRows{mat.NewDense(len(pos), 1, pos)}
	// Train rows 0..4 in two clusters: medoids 1 (row 1) and 10 or 11
	// (row 3, the lower on a tie). Test rows 5, 6, 7 (5, 9, 3) in one
	// cluster: 5 and 3 go to the first medoid, 9 to the second: 1 pair of
	// 3 kept together.
	if got := medoids(d, []int{0, 1, 2, 3, 4}, []int{0, 0, 0, 1, 1}); got[0] != 1 || got[1] != 3 {
		t.Errorf("medoids %v, want rows [1 3]", got)
	}
	got := predictionStrengthDissim(d, []int{0, 1, 2, 3, 4}, []int{0, 0, 0, 1, 1}, []int{5, 6, 7}, []int{0, 0, 0})
	if want := 1.0 / 3; math.Abs(got-want) > 1e-15 {
		t.Errorf("prediction strength %v, want %v", got, want)
	}
	// A large cluster tries at most medoidCandidates members.
	many := make([]float64, 1000)
	for i := range many {
		many[i] = float64(i)
	}
	dm := euclidRows{mat.NewDense(len(many), 1, many)}
	rows := make([]int, len(many))
	for i := range rows {
		rows[i] = i
	}
	m := medoids(dm, rows, make([]int, len(many)))
	if m[0] < 450 || m[0] > 550 {
		t.Errorf("medoid of 0..999 at %d, want near the middle", m[0])
	}
}

func TestChooseDissimLength(t *testing.T) {
	x := blobs(20, 2, 2, 1)
	_, err := Choose(context.Background(), x, Options{KMin: 2, KMax: 3, Dissim: euclidRows{blobs(10, 2, 2, 1)}}, kmeansFit)
	if err == nil || !strings.Contains(err.Error(), "the dissimilarity has 10 rows, the data 20") {
		t.Errorf("error %v", err)
	}
}
