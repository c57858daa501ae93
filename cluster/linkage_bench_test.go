package cluster

import (
	"context"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// lkBlobs returns n points in d dimensions around k seeded centres drawn
// uniformly in [-10, 10)^d, with unit normal noise, and the generating labels.
func lkBlobs(n, d, k int, seed uint64) (*mat.Dense, []int) {
	return lkBlobsSpread(n, d, k, 10, seed)
}

// lkBlobsSpread is lkBlobs with centres in [-spread, spread)^d.
func lkBlobsSpread(n, d, k int, spread float64, seed uint64) (*mat.Dense, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	c := make([]float64, k*d)
	for i := range c {
		c[i] = (rng.Float64()*2 - 1) * spread
	}
	x := make([]float64, n*d)
	y := make([]int, n)
	for i := range n {
		y[i] = rng.IntN(k)
		for j := range d {
			x[i*d+j] = c[y[i]*d+j] + rng.NormFloat64()
		}
	}
	return mat.NewDense(n, d, x), y
}

func benchLinkage(b *testing.B, method LinkageMethod, n, d int) {
	x, _ := lkBlobs(n, d, 8, 1)
	opts := LinkageOptions{Method: method, ApproxAbove: -1, WardMatrixMaxRows: -1}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Linkage(context.Background(), x, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLinkageWard2kx16(b *testing.B)      { benchLinkage(b, LinkageWard, 2_000, 16) }
func BenchmarkLinkageWard20kx16(b *testing.B)     { benchLinkage(b, LinkageWard, 20_000, 16) }
func BenchmarkLinkageSingle2kx16(b *testing.B)    { benchLinkage(b, LinkageSingle, 2_000, 16) }
func BenchmarkLinkageSingle20kx16(b *testing.B)   { benchLinkage(b, LinkageSingle, 20_000, 16) }
func BenchmarkLinkageComplete2kx16(b *testing.B)  { benchLinkage(b, LinkageComplete, 2_000, 16) }
func BenchmarkLinkageComplete20kx16(b *testing.B) { benchLinkage(b, LinkageComplete, 20_000, 16) }
func BenchmarkLinkageAverage2kx16(b *testing.B)   { benchLinkage(b, LinkageAverage, 2_000, 16) }
func BenchmarkLinkageAverage20kx16(b *testing.B)  { benchLinkage(b, LinkageAverage, 20_000, 16) }

func BenchmarkLinkageWard100kx16(b *testing.B)   { benchLinkage(b, LinkageWard, 100_000, 16) }
func BenchmarkLinkageSingle100kx16(b *testing.B) { benchLinkage(b, LinkageSingle, 100_000, 16) }

// BenchmarkLinkageWardApprox100kx16 is the large-base mode: 2,000
// micro-clusters, then weighted Ward.
func BenchmarkLinkageWardApprox100kx16(b *testing.B) {
	x, _ := lkBlobs(100_000, 16, 8, 1)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Linkage(context.Background(), x, LinkageOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
