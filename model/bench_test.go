package model_test

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/prep"
)

func BenchmarkAssign100kx60(b *testing.B) { benchAssign(b, 100_000, 60, 8) }
func BenchmarkAssign1x60(b *testing.B)    { benchAssign(b, 1, 60, 8) }

// benchAssign assigns n users with d features to k segments through
// standard scaling and a 10-component PCA, as a persona run saves them.
func benchAssign(b *testing.B, n, d, k int) {
	rng := rand.New(rand.NewPCG(1, 1))
	fitN := max(n, 1000)
	x := mat.NewDense(fitN, d, nil)
	for i := range fitN {
		for j := range d {
			x.Set(i, j, rng.NormFloat64()+float64(i%k))
		}
	}
	names := make([]string, d)
	for j := range names {
		names[j] = string(rune('a'+j%26)) + string(rune('a'+j/26))
	}
	fitted, err := prep.Fit(x, names, prep.Config{CorrThreshold: 1})
	if err != nil {
		b.Fatal(err)
	}
	z, _ := fitted.Transform(x)
	pca, err := prep.FitPCA(z, prep.PCAConfig{Components: 10})
	if err != nil {
		b.Fatal(err)
	}
	m := &model.Model{Version: model.Version, Algorithm: cluster.AlgorithmKMeans, Prep: fitted, PCA: pca}
	for c := range k {
		m.Segments = append(m.Segments, model.Segment{ID: c})
		cen := make([]float64, 10)
		for j := range cen {
			cen[j] = rng.NormFloat64()
		}
		m.Centers = append(m.Centers, cen)
	}
	q := mat.DenseCopyOf(x.Slice(0, n, 0, d))
	for b.Loop() {
		if _, _, err := m.Assign(q); err != nil {
			b.Fatal(err)
		}
	}
}
