package kselect

import (
	"context"
	"math/rand/v2"
	"testing"

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

func kmeansFit(x *mat.Dense) Fit {
	return func(ctx context.Context, k int) ([]int, float64, error) {
		r, err := cluster.KMeans(ctx, x, cluster.KMeansOptions{K: k, NInit: 4, Seed: 1})
		if err != nil {
			return nil, 0, err
		}
		return r.Labels, r.Inertia, nil
	}
}

func TestChooseFindsPlantedK(t *testing.T) {
	for _, k := range []int{3, 5} {
		x := blobs(600, k, 4, uint64(k))
		res, err := Choose(context.Background(), x, Options{KMin: 2, KMax: 8, SampleSize: 300, Seed: 1}, kmeansFit(x))
		if err != nil {
			t.Fatal(err)
		}
		if res.K != k {
			t.Errorf("planted %d blobs, chose k = %d (scores %+v)", k, res.K, res.Scores)
		}
		if len(res.Scores) != 7 {
			t.Errorf("scored %d values of k, want 7", len(res.Scores))
		}
		if res.Disagree != (res.Elbow != 0 && res.Elbow != res.K) {
			t.Errorf("Disagree = %v with elbow %d and k %d", res.Disagree, res.Elbow, res.K)
		}
	}
}

func TestChooseErrors(t *testing.T) {
	x := blobs(10, 2, 2, 1)
	tests := []struct {
		name string
		opts Options
	}{
		{"k below 2", Options{KMin: 1, KMax: 4}},
		{"empty range", Options{KMin: 5, KMax: 4}},
		{"more clusters than rows", Options{KMin: 10, KMax: 12}},
		{"negative sample", Options{KMin: 2, KMax: 3, SampleSize: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Choose(context.Background(), x, tt.opts, kmeansFit(x)); err == nil {
				t.Error("Choose succeeded, want an error")
			}
		})
	}
}
