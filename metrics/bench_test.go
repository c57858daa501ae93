package metrics

import (
	"context"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// blobs returns n x d points around k centres drawn uniformly in
// [-10, 10]^d with unit normal noise, like sklearn's make_blobs, and the
// generating labels.
func blobs(n, d, k int, seed uint64) (*mat.Dense, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	centres := make([]float64, k*d)
	for i := range centres {
		centres[i] = rng.Float64()*20 - 10
	}
	data := make([]float64, n*d)
	labels := make([]int, n)
	for i := range n {
		c := rng.IntN(k)
		labels[i] = c
		for j := range d {
			data[i*d+j] = centres[c*d+j] + rng.NormFloat64()
		}
	}
	return mat.NewDense(n, d, data), labels
}

func benchSilhouette(b *testing.B, n, d, k int) {
	x, labels := blobs(n, d, k, 1)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Silhouette(ctx, x, labels, SilhouetteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSilhouette20kx16(b *testing.B)     { benchSilhouette(b, 20_000, 16, 8) }
func BenchmarkSilhouette100kx16(b *testing.B)    { benchSilhouette(b, 100_000, 16, 8) }
func BenchmarkSilhouette20kx16k200(b *testing.B) { benchSilhouette(b, 20_000, 16, 200) }

func BenchmarkSilhouetteSampled1Mx16(b *testing.B) {
	x, labels := blobs(1_000_000, 16, 8, 1)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Silhouette(ctx, x, labels, SilhouetteOptions{SampleSize: 10_000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCalinskiHarabasz1Mx16(b *testing.B) {
	x, labels := blobs(1_000_000, 16, 8, 1)
	b.ResetTimer()
	for b.Loop() {
		if _, err := CalinskiHarabasz(x, labels); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDaviesBouldin1Mx16(b *testing.B) {
	x, labels := blobs(1_000_000, 16, 8, 1)
	b.ResetTimer()
	for b.Loop() {
		if _, err := DaviesBouldin(x, labels); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAdjustedMutualInfo1M(b *testing.B) {
	_, truth := blobs(1_000_000, 1, 8, 1)
	_, pred := blobs(1_000_000, 1, 10, 2)
	b.ResetTimer()
	for b.Loop() {
		if _, err := AdjustedMutualInfo(truth, pred); err != nil {
			b.Fatal(err)
		}
	}
}
