package kselect

import (
	"context"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
)

// The pipeline's shape: 100,000 users on 10 principal components, k-means
// with 10 restarts, k in 2..12, silhouette on 4,000 users. The ratio of the
// two says what the stability and prediction strength cost.
func BenchmarkChoose100kx10(b *testing.B)            { benchChoose(b, 100_000, 10, 0) }
func BenchmarkChoose100kx10NoStability(b *testing.B) { benchChoose(b, 100_000, 10, -1) }
func BenchmarkChoose10kx10(b *testing.B)             { benchChoose(b, 10_000, 10, 0) }
func BenchmarkChoose10kx10NoStability(b *testing.B)  { benchChoose(b, 10_000, 10, -1) }

func benchChoose(b *testing.B, n, d, resamples int) {
	x := scatteredD(n, 7, d, 15, 1)
	fit := func(ctx context.Context, x *mat.Dense, k int) ([]int, float64, error) {
		r, err := cluster.KMeans(ctx, x, cluster.KMeansOptions{K: k, NInit: 10, Seed: 1})
		if err != nil {
			return nil, 0, err
		}
		return r.Labels, r.Inertia, nil
	}
	opts := Options{KMin: 2, KMax: 12, SampleSize: 4000, Resamples: resamples, Seed: 1}
	cpu0 := cpuSeconds()
	for b.Loop() {
		if _, err := Choose(context.Background(), x, opts, fit); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time is steadier than wall time on a shared machine.
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
}
