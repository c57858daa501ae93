package cluster

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// dbBlobs makes n points around 8 centres with unit spread, like the peer's
// benchmark data: in 2 dimensions the centres are on a circle of radius 10,
// otherwise uniform in [-10, 10]^d.
func dbBlobs(n, d int, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 7))
	centres := mat.NewDense(8, d, nil)
	for c := 0; c < 8; c++ {
		for j := 0; j < d; j++ {
			if d == 2 {
				a := 2 * math.Pi * float64(c) / 8
				centres.Set(c, 0, 10*math.Cos(a))
				centres.Set(c, 1, 10*math.Sin(a))
				break
			}
			centres.Set(c, j, rng.Float64()*20-10)
		}
	}
	x := mat.NewDense(n, d, nil)
	for i := 0; i < n; i++ {
		c := rng.IntN(8)
		for j := 0; j < d; j++ {
			x.Set(i, j, centres.At(c, j)+rng.NormFloat64())
		}
	}
	return x
}

func benchDBSCAN(b *testing.B, n, d int, eps float64) {
	x := dbBlobs(n, d, 1)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		res, err := DBSCAN(ctx, x, DBSCANOptions{Eps: eps, MinSamples: 10})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.NClusters), "clusters")
	}
}

func BenchmarkDBSCAN100kx2(b *testing.B)  { benchDBSCAN(b, 100_000, 2, 0.3) }
func BenchmarkDBSCAN100kx16(b *testing.B) { benchDBSCAN(b, 100_000, 16, 3.5) }
func BenchmarkDBSCAN1Mx2(b *testing.B)    { benchDBSCAN(b, 1_000_000, 2, 0.3) }

func benchKDistance(b *testing.B, n, d, sample int) {
	x := dbBlobs(n, d, 1)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := KDistance(ctx, x, 10, KDistanceOptions{Sample: sample}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKDistance100kx2(b *testing.B)           { benchKDistance(b, 100_000, 2, 0) }
func BenchmarkKDistance100kx16Sample10k(b *testing.B) { benchKDistance(b, 100_000, 16, 10_000) }
