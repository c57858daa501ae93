package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/internal/runstoretest"
	"github.com/persona-seg/persona/store"
)

// demoFeatures is the number of features persona demo computes.
const demoFeatures = 86

// BenchmarkSaveDemoShaped saves into a fresh DuckDB file a run shaped like
// persona demo's: demoFeatures features per user, ten recommendations
// for seven users in ten (the buyers) and their customer values; the
// 1M case is the target (save ≤ 10 s).
func BenchmarkSaveDemoShaped(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			r := demoShaped(b, n)
			ctx := context.Background()
			for b.Loop() {
				st, err := store.Open(ctx, filepath.Join(b.TempDir(), store.File), bulk)
				if err != nil {
					b.Fatal(err)
				}
				if err := st.Save(ctx, r); err != nil {
					b.Fatal(err)
				}
				if err := st.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// demoShaped widens runstoretest's run of n users to demoFeatures
// features, ten recommendations per buyer and values for buyers only,
// with user ids in order, as a run has them.
func demoShaped(b *testing.B, n int) *persona.Results {
	r := runstoretest.Results(b, "demo", n, 1)
	rng := rand.New(rand.NewPCG(1, 2))
	names := make([]string, demoFeatures)
	for j := range names {
		names[j] = fmt.Sprintf("feature_%02d", j)
	}
	copy(names, r.FeatureNames)
	x := make([]float64, n*demoFeatures)
	for i := range n {
		r.UserIDs[i] = fmt.Sprintf("U%07d", i+1)
		for j := range demoFeatures {
			x[i*demoFeatures+j] = rng.NormFloat64()
		}
	}
	r.FeatureNames, r.X = names, x
	r.Recommendations = make(map[string][]persona.Recommendation, n)
	for i, u := range r.UserIDs {
		if i%10 >= 7 {
			r.Values.Users[i] = persona.CustomerValue{}
			continue
		}
		l := make([]persona.Recommendation, 10)
		for k := range l {
			l[k] = persona.Recommendation{Product: fmt.Sprintf("P%04d", rng.IntN(2000)), Score: rng.Float64()}
		}
		r.Recommendations[u] = l
		r.Values.Users[i].Customer = true
	}
	r.Columns = nil // the demo has no attributes
	return r
}
