package cluster_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/persona-seg/persona/cluster"
)

// plantedPrototypes returns n rows from k planted groups: two numeric
// attributes whose group means are 4 standard deviations apart, and
// three categorical attributes whose group's own category has probability
// 0.8 (the others share the rest), one of them with missing values.
func plantedPrototypes(n, k int, seed uint64) ([]cluster.Attr, []int) {
	r := rand.New(rand.NewPCG(seed, 2))
	truth := make([]int, n)
	x1, x2 := make([]float64, n), make([]float64, n)
	c1, c2, c3 := make([]int32, n), make([]int32, n), make([]int32, n)
	pick := func(g, levels int) int32 {
		if r.Float64() < 0.8 {
			return int32(g % levels)
		}
		return int32(r.IntN(levels))
	}
	for i := range n {
		g := r.IntN(k)
		truth[i] = g
		x1[i] = 4*float64(g%2) + r.NormFloat64()
		x2[i] = 4*float64(g/2) + r.NormFloat64()
		c1[i] = pick(g, k)
		c2[i] = pick(g+1, k+1)
		c3[i] = pick(g, k)
		if r.Float64() < 0.05 {
			c3[i] = -1
		}
	}
	return []cluster.Attr{
		{Name: "x1", Type: cluster.AttrNumeric, Values: x1},
		{Name: "colour", Type: cluster.AttrNominal, Codes: c1},
		{Name: "x2", Type: cluster.AttrNumeric, Values: x2},
		{Name: "size", Type: cluster.AttrOrdinal, Codes: c2},
		{Name: "shop", Type: cluster.AttrNominal, Codes: c3},
	}, truth
}

// TestKPrototypesPlanted: every initialisation recovers the planted groups
// (ARI >= 0.9), the cost is that of the labels and prototypes returned, and
// the result depends on the seed only.
func TestKPrototypesPlanted(t *testing.T) {
	attrs, truth := plantedPrototypes(2000, 4, 1)
	for _, init := range []string{cluster.InitCao, cluster.InitHuang, cluster.InitRandom} {
		var first *cluster.KPrototypesResult
		for _, workers := range []int{1, 3} {
			r, err := cluster.KPrototypes(context.Background(), attrs, cluster.KPrototypesOptions{K: 4, Init: init, Seed: 9, Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			if first != nil {
				if !slices.Equal(r.Labels, first.Labels) || r.Cost != first.Cost {
					t.Errorf("%s: %d workers changed the result", init, workers)
				}
				continue
			}
			first = r
			a := ari(t, truth, r.Labels)
			if a < 0.9 {
				t.Errorf("%s: ARI %.3f against the planted groups", init, a)
			}
			t.Logf("%s: ARI %.3f against the planted groups after %d passes", init, a, r.NIter)
			if !slices.Equal(r.Numeric, []int{0, 2}) || !slices.Equal(r.Categorical, []int{1, 3, 4}) {
				t.Errorf("%s: numeric %v categorical %v", init, r.Numeric, r.Categorical)
			}
			// The cost of the labels under the prototypes.
			var cost float64
			for i, c := range r.Labels {
				best := math.Inf(1)
				for cc := range 4 {
					v := kpDist(attrs, r, i, cc)
					best = min(best, v)
				}
				if v := kpDist(attrs, r, i, c); v != best {
					t.Fatalf("%s: row %d is not at its nearest prototype", init, i)
				}
				cost += best
			}
			if math.Abs(cost-r.Cost) > 1e-9*cost {
				t.Errorf("%s: cost %v, recomputed %v", init, r.Cost, cost)
			}
		}
	}
}

func kpDist(attrs []cluster.Attr, r *cluster.KPrototypesResult, i, c int) float64 {
	var s float64
	for f, j := range r.Numeric {
		d := attrs[j].Values[i] - r.Centers.At(c, f)
		s += d * d
	}
	for f, j := range r.Categorical {
		if attrs[j].Codes[i] != r.Modes[c][f] {
			s += r.Gamma
		}
	}
	return s
}

// TestKPrototypesGamma: the default gamma is half the mean of the
// numeric columns' population standard deviations.
func TestKPrototypesGamma(t *testing.T) {
	attrs := []cluster.Attr{
		{Name: "a", Type: cluster.AttrNumeric, Values: []float64{0, 2, 4, 6}}, // std sqrt(5)
		{Name: "b", Type: cluster.AttrNumeric, Values: []float64{1, 1, 3, 3}}, // std 1
		{Name: "c", Type: cluster.AttrNominal, Codes: []int32{0, 0, 1, 1}},
	}
	r, err := cluster.KPrototypes(context.Background(), attrs, cluster.KPrototypesOptions{K: 2, NInit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if want := 0.5 * (math.Sqrt(5) + 1) / 2; math.Abs(r.Gamma-want) > 1e-15 {
		t.Errorf("gamma %v, want %v", r.Gamma, want)
	}
	if !slices.Equal(r.Labels, []int{r.Labels[0], r.Labels[0], 1 - r.Labels[0], 1 - r.Labels[0]}) {
		t.Errorf("labels %v", r.Labels)
	}
	r, err = cluster.KPrototypes(context.Background(), attrs, cluster.KPrototypesOptions{K: 2, Gamma: 3})
	if err != nil || r.Gamma != 3 {
		t.Errorf("given gamma: %v %v", r, err)
	}
	// Categorical only: k-modes, gamma 1.
	r, err = cluster.KPrototypes(context.Background(), attrs[2:], cluster.KPrototypesOptions{K: 2})
	if err != nil || r.Gamma != 1 || r.Centers != nil || r.Modes[0][0] == r.Modes[1][0] {
		t.Errorf("categorical only: %+v %v", r, err)
	}
}

func TestKPrototypesErrors(t *testing.T) {
	num := cluster.Attr{Name: "x", Type: cluster.AttrNumeric, Values: []float64{1, 2, 3}}
	for _, tc := range []struct {
		name  string
		attrs []cluster.Attr
		opts  cluster.KPrototypesOptions
		want  string
	}{
		{"k", []cluster.Attr{num}, cluster.KPrototypesOptions{}, "K must be at least 1"},
		{"k > n", []cluster.Attr{num}, cluster.KPrototypesOptions{K: 4}, "K = 4, but there are 3 rows"},
		{"gamma", []cluster.Attr{num}, cluster.KPrototypesOptions{K: 1, Gamma: -1}, "Gamma must be a finite number >= 0"},
		{"init", []cluster.Attr{num}, cluster.KPrototypesOptions{K: 1, Init: "build"}, `Init must be "cao", "huang" or "random"`},
		{"list", []cluster.Attr{num, {Name: "l", Type: cluster.AttrList, Sets: [][]int32{{}, {}, {}}}}, cluster.KPrototypesOptions{K: 1}, `attribute "l" is list`},
		{"missing", []cluster.Attr{{Name: "x", Type: cluster.AttrNumeric, Values: []float64{1, math.NaN()}}}, cluster.KPrototypesOptions{K: 1}, `attribute "x", row 1: NaN`},
		{"rows", []cluster.Attr{num, {Name: "c", Type: cluster.AttrNominal, Codes: []int32{1}}}, cluster.KPrototypesOptions{K: 1}, `attribute "c" has 1 rows`},
		{"no attributes", nil, cluster.KPrototypesOptions{K: 1}, "no attributes"},
		{"too few distinct", []cluster.Attr{{Name: "x", Type: cluster.AttrNumeric, Values: []float64{1, 1, 1}}}, cluster.KPrototypesOptions{K: 2, NInit: 1}, "fewer than K = 2 distinct rows"},
	} {
		_, err := cluster.KPrototypes(context.Background(), tc.attrs, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	attrs, _ := plantedPrototypes(300, 3, 2)
	if _, err := cluster.KPrototypes(ctx, attrs, cluster.KPrototypesOptions{K: 3}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
