package kselect

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
)

func TestElbow(t *testing.T) {
	curve := func(ks []int, inertia []float64) []Score {
		out := make([]Score, len(ks))
		for i := range ks {
			out[i] = Score{K: ks[i], Inertia: inertia[i]}
		}
		return out
	}
	tests := []struct {
		name   string
		scores []Score
		want   int
	}{
		// Chord from (2,100) to (6,0); scaled gaps: k=3: 0.75−0.3=0.45, k=4: 0.5−0.1=0.4.
		{"sharp knee", curve([]int{2, 3, 4, 5, 6}, []float64{100, 30, 10, 5, 0}), 3},
		{"straight line has no knee", curve([]int{2, 3, 4}, []float64{30, 20, 10}), 0},
		{"flat curve", curve([]int{2, 3, 4}, []float64{5, 5, 5}), 0},
		{"too few points", curve([]int{2, 3}, []float64{10, 1}), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Elbow(tt.scores); got != tt.want {
				t.Errorf("Elbow = %d, want %d", got, tt.want)
			}
		})
	}
}

// sc is a Score for the rule tables: silhouette, its standard error,
// prediction strength and stability.
func sc(k int, sil, se, ps, stab float64) Score {
	return Score{K: k, Clusters: k, Inertia: 100 / float64(k*k), Silhouette: sil, SilhouetteSE: se, PredictionStrength: ps, Stability: stab}
}

func TestDecide(t *testing.T) {
	tests := []struct {
		name             string
		scores           []Score
		kmin, kmax, kcap int
		wantK            int
		wantRule         string // a part of Rule
		wantExtended     bool
		wantNoStructure  bool
		wantWarn         []string // parts of the warnings, in order
	}{
		{
			name:   "interior silhouette peak",
			scores: []Score{sc(2, 0.5, 0.01, 0.9, 0.9), sc(3, 0.7, 0.01, 0.95, 0.95), sc(4, 0.6, 0.01, 0.5, 0.8)},
			kmin:   2, kmax: 4, kcap: 8, wantK: 3, wantRule: "highest silhouette",
		},
		{
			name:   "a larger k predicted with strength 0.9 wins",
			scores: []Score{sc(2, 0.7, 0.01, 0.99, 0.99), sc(3, 0.5, 0.01, 0.6, 0.9), sc(4, 0.6, 0.01, 0.92, 0.95), sc(5, 0.4, 0.01, 0.5, 0.8)},
			kmin:   2, kmax: 5, kcap: 10, wantK: 4, wantRule: "largest k with prediction strength >= 0.90 (above k = 2 by highest silhouette)",
		},
		{
			name:   "prediction strength never lowers k",
			scores: []Score{sc(2, 0.4, 0.01, 0.99, 0.99), sc(3, 0.5, 0.01, 0.6, 0.9), sc(4, 0.6, 0.01, 0.7, 0.9), sc(5, 0.5, 0.01, 0.5, 0.8)},
			kmin:   2, kmax: 5, kcap: 10, wantK: 4, wantRule: "highest silhouette",
		},
		{
			name: "extended range with a peak inside",
			scores: []Score{sc(2, 0.3, 0.01, 0.5, 0.9), sc(3, 0.4, 0.01, 0.5, 0.9), sc(4, 0.5, 0.01, 0.5, 0.9),
				sc(5, 0.6, 0.01, 0.5, 0.9), sc(6, 0.55, 0.01, 0.5, 0.9), sc(7, 0.5, 0.01, 0.5, 0.9), sc(8, 0.45, 0.01, 0.5, 0.9)},
			kmin: 2, kmax: 4, kcap: 8, wantK: 5, wantRule: "range extended", wantExtended: true,
			wantWarn: []string{"the best silhouette was at the top of the range 2..4, so k up to 8 was tried"},
		},
		{
			name: "silhouette rising to the cap: no structure, elbow",
			scores: []Score{
				{K: 2, Clusters: 2, Inertia: 100, Silhouette: 0.30, Stability: 0.9},
				{K: 3, Clusters: 3, Inertia: 40, Silhouette: 0.31, Stability: 0.9},
				{K: 4, Clusters: 4, Inertia: 30, Silhouette: 0.32, Stability: 0.9},
				{K: 5, Clusters: 5, Inertia: 25, Silhouette: 0.33, Stability: 0.9},
				{K: 6, Clusters: 6, Inertia: 20, Silhouette: 0.34, Stability: 0.9},
			},
			kmin: 2, kmax: 3, kcap: 6, wantK: 3, wantRule: "no clear segment structure: the elbow of the inertia curve",
			wantExtended: true, wantNoStructure: true,
			wantWarn: []string{"so k up to 6 was tried", "the silhouette keeps rising up to k = 6: the data has no clear segment structure on this scale, so k = 3 is the elbow of the inertia curve rather than the top of the range"},
		},
		{
			name: "a plateau within one standard error of the top counts as rising",
			scores: []Score{sc(2, 0.3, 0.02, 0.5, 0.9), sc(3, 0.5, 0.02, 0.5, 0.9), sc(4, 0.52, 0.02, 0.5, 0.9),
				sc(5, 0.51, 0.02, 0.5, 0.9)},
			kmin: 2, kmax: 5, kcap: 5, wantNoStructure: true, wantK: 3, wantRule: "no clear segment structure",
			wantWarn: []string{"keeps rising up to k = 5"},
		},
		{
			name: "no structure: prediction strength does not raise k to the top",
			scores: []Score{
				{K: 2, Clusters: 2, Inertia: 100, Silhouette: 0.30, Stability: 0.9},
				{K: 3, Clusters: 3, Inertia: 40, Silhouette: 0.31, Stability: 0.9},
				{K: 4, Clusters: 4, Inertia: 30, Silhouette: 0.32, Stability: 0.9, PredictionStrength: 0.95},
			},
			kmin: 2, kmax: 4, kcap: 4, wantK: 3, wantRule: "no clear segment structure: the elbow", wantNoStructure: true,
			wantWarn: []string{"keeps rising up to k = 4"},
		},
		{
			name: "no structure and no elbow: the most stable k",
			scores: []Score{
				{K: 2, Clusters: 2, Inertia: 30, Silhouette: 0.30, Stability: 0.8},
				{K: 3, Clusters: 3, Inertia: 20, Silhouette: 0.31, Stability: 0.95},
				{K: 4, Clusters: 4, Inertia: 10, Silhouette: 0.32, Stability: 0.85},
			},
			kmin: 2, kmax: 4, kcap: 4, wantK: 3, wantRule: "no clear segment structure: the most stable k", wantNoStructure: true,
			wantWarn: []string{"so k = 3 is the most stable k"},
		},
		{
			name:   "unstable choice",
			scores: []Score{sc(2, 0.5, 0.01, 0.5, 0.6), sc(3, 0.6, 0.01, 0.5, 0.4), sc(4, 0.5, 0.01, 0.5, 0.5)},
			kmin:   2, kmax: 4, kcap: 8, wantK: 3,
			wantWarn: []string{"the 3 segments are unstable: clustered alone, half samples agree with the full clustering with a mean adjusted Rand index of 0.40 (below 0.75)"},
		},
		{
			name: "fewer clusters than k",
			scores: []Score{sc(2, 0.5, 0.01, 0.5, 0.9), {K: 3, Clusters: 2, Inertia: 5, Silhouette: 0.6, Stability: 0.9},
				sc(4, 0.5, 0.01, 0.5, 0.9)},
			kmin: 2, kmax: 4, kcap: 8, wantK: 3,
			wantWarn: []string{"k = 3 gave only 2 clusters: merges tie at the cut, so no cut has exactly 3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := decide(tt.scores, tt.kmin, tt.kmax, tt.kcap, true)
			if res.K != tt.wantK || !strings.Contains(res.Rule, tt.wantRule) {
				t.Errorf("k = %d by %q, want %d by %q", res.K, res.Rule, tt.wantK, tt.wantRule)
			}
			if res.Extended != tt.wantExtended || res.NoStructure != tt.wantNoStructure {
				t.Errorf("extended %v, no structure %v; want %v, %v", res.Extended, res.NoStructure, tt.wantExtended, tt.wantNoStructure)
			}
			if len(res.Warnings) != len(tt.wantWarn) {
				t.Fatalf("warnings %q, want %d", res.Warnings, len(tt.wantWarn))
			}
			for i, w := range tt.wantWarn {
				if !strings.Contains(res.Warnings[i], w) {
					t.Errorf("warning %d is %q, want it to contain %q", i, res.Warnings[i], w)
				}
			}
		})
	}
}

func TestGrow(t *testing.T) {
	rising := []Score{sc(2, 0.3, 0.01, 0, 0), sc(3, 0.4, 0.01, 0, 0), sc(4, 0.5, 0.01, 0, 0)}
	flatTop := []Score{sc(2, 0.3, 0.02, 0, 0), sc(3, 0.5, 0.02, 0, 0), sc(4, 0.49, 0.02, 0, 0)}
	peak := []Score{sc(2, 0.3, 0.01, 0, 0), sc(3, 0.5, 0.01, 0, 0), sc(4, 0.4, 0.01, 0, 0)}
	tests := []struct {
		name      string
		scores    []Score
		top, kcap int
		want      bool
	}{
		{"rising to the top", rising, 4, 8, true},
		{"within one standard error of the best at the top", flatTop, 4, 8, true},
		{"peak inside", peak, 4, 8, false},
		{"at the cap", rising, 4, 4, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := grow(tt.scores, tt.top, tt.kcap); got != tt.want {
				t.Errorf("grow = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPredictionStrength(t *testing.T) {
	// Train: two clusters with centroids 0 and 10 on a line. Test: one
	// cluster {0, 1, 9} (the train centroids split it 2 + 1: pairs kept
	// together 2 of 6) and one {10, 11} (kept whole).
	train := mat.NewDense(4, 1, []float64{-1, 1, 9, 11})
	test := mat.NewDense(5, 1, []float64{0, 1, 9, 10, 11})
	got := predictionStrength(train, []int{0, 0, 1, 1}, test, []int{0, 0, 0, 1, 1})
	if want := 2.0 / 6; math.Abs(got-want) > 1e-15 {
		t.Errorf("prediction strength %v, want %v", got, want)
	}
	// A test cluster of one row is left out.
	got = predictionStrength(train, []int{0, 0, 1, 1}, test, []int{0, 0, 1, 1, 2})
	if got != 1 {
		t.Errorf("prediction strength %v, want 1", got)
	}
}

// blobs returns n points around k well-separated centres in d dimensions.
func blobs(n, k, d int, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		c := i % k
		for j := 0; j < d; j++ {
			centre := 0.0
			if j == c%d {
				centre = 20 * float64(1+c/d)
			}
			x.Set(i, j, centre+rng.NormFloat64())
		}
	}
	return x
}

// scattered returns n points around k centres drawn uniformly in a
// 100-wide cube of 3 dimensions, at least 20 apart.
func scattered(n, k int, seed uint64) *mat.Dense { return scatteredD(n, k, 3, 1, seed) }

// scatteredD is scattered in d dimensions, with noise of standard deviation sd.
func scatteredD(n, k, d int, sd float64, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 2))
	var cen [][]float64
	for len(cen) < k {
		c := make([]float64, d)
		for j := range c {
			c[j] = 100 * rng.Float64()
		}
		far := true
		for _, o := range cen {
			if floats.Distance(c, o, 2) < 20 {
				far = false
			}
		}
		if far {
			cen = append(cen, c)
		}
	}
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		for j := range d {
			x.Set(i, j, cen[i%k][j]+sd*rng.NormFloat64())
		}
	}
	return x
}

func kmeansFit(ctx context.Context, x *mat.Dense, k int) ([]int, float64, error) {
	r, err := cluster.KMeans(ctx, x, cluster.KMeansOptions{K: k, NInit: 4, Seed: 1})
	if err != nil {
		return nil, 0, err
	}
	return r.Labels, r.Inertia, nil
}

func TestChooseFindsPlantedK(t *testing.T) {
	for _, k := range []int{3, 5} {
		x := blobs(600, k, 4, uint64(k))
		res, err := Choose(context.Background(), x, Options{KMin: 2, KMax: 8, SampleSize: 300, Seed: 1}, kmeansFit)
		if err != nil {
			t.Fatal(err)
		}
		if res.K != k {
			t.Errorf("planted %d blobs, chose k = %d by %s (scores %+v)", k, res.K, res.Rule, res.Scores)
		}
		if len(res.Scores) != 7 || res.Extended || res.NoStructure {
			t.Errorf("scored %d values of k (extended %v, no structure %v), want 7 and neither", len(res.Scores), res.Extended, res.NoStructure)
		}
		s := scoreOf(res.Scores, k)
		if s.Stability < 0.99 || s.PredictionStrength < 0.99 {
			t.Errorf("planted k = %d: stability %.3f, prediction strength %.3f, want both about 1", k, s.Stability, s.PredictionStrength)
		}
		if s.SilhouetteSE <= 0 || s.SilhouetteSE > 0.05 {
			t.Errorf("silhouette standard error %g, want small and positive", s.SilhouetteSE)
		}
		if res.Disagree != (res.Elbow != 0 && res.Elbow != res.K) {
			t.Errorf("Disagree = %v with elbow %d and k %d", res.Disagree, res.Elbow, res.K)
		}
	}
}

func TestChooseExtendsRange(t *testing.T) {
	// 16 scattered blobs: the silhouette rises through 2..6, so the range
	// grows (to 6+4 = 10, then 14, then the cap 18) until its peak at 16 is
	// inside.
	x := scattered(1600, 16, 5)
	res, err := Choose(context.Background(), x, Options{KMin: 2, KMax: 6, KCap: 18, Seed: 1}, kmeansFit)
	if err != nil {
		t.Fatal(err)
	}
	if res.K != 16 || !res.Extended || res.NoStructure || res.KMax != 18 {
		t.Errorf("chose k = %d by %q, range to %d (extended %v, no structure %v); want 16, extended to 18", res.K, res.Rule, res.KMax, res.Extended, res.NoStructure)
	}
	if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "top of the range 2..6") {
		t.Errorf("warnings %q, want the extension named", res.Warnings)
	}
	// Without room to grow, the same data has no clear structure in 2..6.
	res, err = Choose(context.Background(), x, Options{KMin: 2, KMax: 6, KCap: 6, Seed: 1}, kmeansFit)
	if err != nil {
		t.Fatal(err)
	}
	if !res.NoStructure || res.Extended || res.K == 6 || !strings.HasPrefix(res.Rule, "no clear segment structure") {
		t.Errorf("capped at 6: k = %d by %q (no structure %v), want no clear structure and not the top", res.K, res.Rule, res.NoStructure)
	}
}

func TestChoosePredictionStrengthRaisesK(t *testing.T) {
	// Two far groups of three tight blobs: the silhouette prefers the two
	// groups, but the six blobs are reproduced by every half sample.
	rng := rand.New(rand.NewPCG(3, 3))
	x := mat.NewDense(600, 2, nil)
	for i := 0; i < 600; i++ {
		c := i % 6
		x.Set(i, 0, 100*float64(c/3)+4*float64(c%3)+0.3*rng.NormFloat64())
		x.Set(i, 1, 0.3*rng.NormFloat64())
	}
	res, err := Choose(context.Background(), x, Options{KMin: 2, KMax: 8, Seed: 1}, kmeansFit)
	if err != nil {
		t.Fatal(err)
	}
	if best(res.Scores).K != 2 {
		t.Fatalf("the best silhouette is at k = %d, want 2 for this test to mean anything", best(res.Scores).K)
	}
	if res.K != 6 || !strings.HasPrefix(res.Rule, "largest k with prediction strength") {
		t.Errorf("chose k = %d by %q, want 6 by prediction strength", res.K, res.Rule)
	}
}

func TestChooseTiedCut(t *testing.T) {
	// Single linkage on a regular grid: every merge has the same height,
	// so no cut has 3 clusters and k = 3 gives fewer.
	x := mat.NewDense(16, 2, nil)
	for i := 0; i < 16; i++ {
		x.Set(i, 0, float64(i%8))
		x.Set(i, 1, 100*float64(i/8))
	}
	fit := func(ctx context.Context, x *mat.Dense, k int) ([]int, float64, error) {
		dg, err := cluster.Linkage(ctx, x, cluster.LinkageOptions{Method: "single"})
		if err != nil {
			return nil, 0, err
		}
		return dg.CutK(k), 0, nil
	}
	res, err := Choose(context.Background(), x, Options{KMin: 2, KMax: 3, KCap: 3, Resamples: -1}, fit)
	if err != nil {
		t.Fatal(err)
	}
	s := scoreOf(res.Scores, 3)
	if s.Clusters != 2 {
		t.Fatalf("k = 3 gave %d clusters, want 2 (merges tie)", s.Clusters)
	}
	res.Scores = []Score{scoreOf(res.Scores, 2), s}
	res.Scores[1].Silhouette = res.Scores[0].Silhouette + 1 // make k = 3 the choice
	got := decide(res.Scores, 2, 3, 8, false)
	if got.K != 3 || len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "k = 3 gave only 2 clusters") {
		t.Errorf("k = %d, warnings %q; want 3 and the tie named", got.K, got.Warnings)
	}
}

func TestChooseDeterministic(t *testing.T) {
	x := blobs(500, 4, 3, 9)
	opts := Options{KMin: 2, KMax: 6, Seed: 7}
	a, err := Choose(context.Background(), x, opts, kmeansFit)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Choose(context.Background(), x, opts, kmeansFit)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different results (-first +second):\n%s", diff)
	}
	opts.Seed = 8
	c, err := Choose(context.Background(), x, opts, kmeansFit)
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Equal(a.Scores, c.Scores) {
		t.Error("another seed gave the same half samples")
	}
}

func TestChooseStabilityOff(t *testing.T) {
	x := blobs(300, 3, 2, 1)
	res, err := Choose(context.Background(), x, Options{KMin: 2, KMax: 5, Resamples: -1}, kmeansFit)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Scores {
		if s.Stability != 0 || s.PredictionStrength != 0 || s.SilhouetteSE != 0 {
			t.Errorf("k = %d: stability scores %+v with stability off", s.K, s)
		}
	}
	if res.K != 3 {
		t.Errorf("chose k = %d, want 3", res.K)
	}
}

func TestChooseDoesNotModifyX(t *testing.T) {
	x := blobs(200, 3, 2, 4)
	before := mat.DenseCopyOf(x)
	if _, err := Choose(context.Background(), x, Options{KMin: 2, KMax: 4}, kmeansFit); err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(x, before) {
		t.Error("Choose modified x")
	}
}

func TestChooseFewDistinctRows(t *testing.T) {
	// Five distinct points, repeated: the range cannot grow past 5 however
	// the silhouette rises.
	x := mat.NewDense(100, 1, nil)
	for i := 0; i < 100; i++ {
		x.Set(i, 0, float64(10*(i%5)))
	}
	res, err := Choose(context.Background(), x, Options{KMin: 2, KMax: 4}, kmeansFit)
	if err != nil {
		t.Fatal(err)
	}
	if res.KMax > 5 {
		t.Errorf("scored k up to %d on 5 distinct rows", res.KMax)
	}
}

func TestChooseErrors(t *testing.T) {
	x := blobs(10, 2, 2, 1)
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"k below 2", Options{KMin: 1, KMax: 4}, "k range must start at 2 or more, got 1"},
		{"empty range", Options{KMin: 5, KMax: 4}, "k range 5..4 is empty"},
		{"more clusters than rows", Options{KMin: 10, KMax: 12}, "k range 10..12 needs more than 10 rows"},
		{"negative sample", Options{KMin: 2, KMax: 3, SampleSize: -1}, "silhouette sample size must be >= 0, got -1"},
		{"negative cap", Options{KMin: 2, KMax: 3, KCap: -1}, "k cap must be >= 0"},
		{"one-row half samples", Options{KMin: 2, KMax: 3, ResampleSize: 1}, "stability subsample size must be 0 (the default) or at least 2, got 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Choose(context.Background(), x, tt.opts, kmeansFit)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestChooseCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Choose(ctx, blobs(100, 2, 2, 1), Options{KMin: 2, KMax: 4}, kmeansFit); err != context.Canceled {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

// TestSampleRows: a Fit learns which rows a half sample holds, and none
// for the data itself.
func TestSampleRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	x := mat.NewDense(120, 2, nil)
	for i := range 120 {
		x.Set(i, 0, float64(i%3)*10+rng.NormFloat64())
		x.Set(i, 1, float64(i))
	}
	halves := 0
	_, err := Choose(context.Background(), x, Options{KMin: 2, KMax: 3, Resamples: 2}, func(ctx context.Context, sub *mat.Dense, k int) ([]int, float64, error) {
		rows := SampleRows(ctx)
		if sub == x {
			if rows != nil {
				t.Errorf("rows %v for the data itself", rows)
			}
		} else {
			halves++
			m, _ := sub.Dims()
			if len(rows) != m {
				t.Fatalf("%d rows for a half sample of %d", len(rows), m)
			}
			for i, r := range rows {
				if sub.At(i, 1) != x.At(r, 1) {
					t.Fatalf("half sample row %d is not row %d of the data", i, r)
				}
			}
		}
		m, _ := sub.Dims()
		labels := make([]int, m)
		for i := range labels {
			labels[i] = int(sub.At(i, 0)/10+0.5) % k
		}
		return labels, 1, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if halves == 0 {
		t.Fatal("no half sample was fitted")
	}
}
