package cluster

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Benchmark data: 8 Gaussian blobs in 16 dimensions with centres in
// [-10, 10]^16, as the peer benchmark's make_blobs data; spread 1 gives
// well-separated clusters, spread 12 heavily overlapping ones.
var kmBenchData sync.Map // key -> *mat.Dense

func kmBenchBlobs(n, d, k int, spread float64) *mat.Dense {
	type key struct {
		n, d, k int
		s       float64
	}
	kk := key{n, d, k, spread}
	if v, ok := kmBenchData.Load(kk); ok {
		return v.(*mat.Dense)
	}
	x, _ := kmBlobs(n, d, k, 10, spread, 20240601)
	kmBenchData.Store(kk, x)
	return x
}

// kmBenchInit returns k rows of x chosen by a seeded k-means++ (the same
// initial centres for every algorithm).
func kmBenchInit(b testing.TB, x *mat.Dense, k int) *mat.Dense {
	dt, err := kmPrepare(x, k, 2)
	if err != nil {
		b.Fatal(err)
	}
	c, err := kmInitPlusPlus(context.Background(), dt, k, rand.New(rand.NewPCG(0, 0)), nil)
	if err != nil {
		b.Fatal(err)
	}
	_, d := x.Dims()
	init := mat.NewDense(k, d, nil)
	for j := range k {
		for t := range d {
			init.Set(j, t, c[j*d+t]+dt.mean[t])
		}
	}
	return init
}

func benchKMeans(b *testing.B, n, d, k int, spread float64, alg string, maxIter int, tol float64) {
	x := kmBenchBlobs(n, d, k, spread)
	init := kmBenchInit(b, x, k)
	opts := KMeansOptions{K: k, InitCenters: init, Algorithm: alg, MaxIter: maxIter, Tol: tol}
	var res *KMeansResult
	b.ResetTimer()
	for b.Loop() {
		var err error
		res, err = KMeans(context.Background(), x, opts)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.NIter), "iters")
}

func BenchmarkKMeans100kx16Lloyd(b *testing.B) {
	benchKMeans(b, 100_000, 16, 8, 1, KMeansLloyd, 300, 1e-4)
}
func BenchmarkKMeans100kx16Hamerly(b *testing.B) {
	benchKMeans(b, 100_000, 16, 8, 1, KMeansHamerly, 300, 1e-4)
}
func BenchmarkKMeans1Mx16Lloyd(b *testing.B) {
	benchKMeans(b, 1_000_000, 16, 8, 1, KMeansLloyd, 300, 1e-4)
}
func BenchmarkKMeans1Mx16Hamerly(b *testing.B) {
	benchKMeans(b, 1_000_000, 16, 8, 1, KMeansHamerly, 300, 1e-4)
}

// Overlapping clusters, tol 0, 50 iterations: the per-iteration cost.
func BenchmarkKMeans1Mx16Overlap50Lloyd(b *testing.B) {
	benchKMeans(b, 1_000_000, 16, 8, 12, KMeansLloyd, 50, -1)
}
func BenchmarkKMeans1Mx16Overlap50Hamerly(b *testing.B) {
	benchKMeans(b, 1_000_000, 16, 8, 12, KMeansHamerly, 50, -1)
}

func benchPlusPlus(b *testing.B, n, d, k int) {
	x := kmBenchBlobs(n, d, k, 1)
	dt, err := kmPrepare(x, k, 0)
	if err != nil {
		b.Fatal(err)
	}
	dt.workers = 2
	buf := make([]float64, k*d)
	b.ResetTimer()
	for b.Loop() {
		if _, err := kmInitPlusPlus(context.Background(), dt, k, rand.New(rand.NewPCG(0, 0)), buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKMeansPlusPlus100kx16(b *testing.B) { benchPlusPlus(b, 100_000, 16, 8) }
func BenchmarkKMeansPlusPlus1Mx16(b *testing.B)   { benchPlusPlus(b, 1_000_000, 16, 8) }
