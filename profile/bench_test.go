package profile

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// benchInput is n users with d features (the demo's feature names where
// they matter) in k segments, and a 10-dimensional clustering space.
func benchInput(n, d, k int) Input {
	rng := rand.New(rand.NewPCG(1, 1))
	names := []string{"recency_days", "frequency", "monetary", "age", "gender_female", "gender_male", "spend_share_books", "topic_share_music"}
	for len(names) < d {
		names = append(names, fmt.Sprintf("f%03d", len(names)))
	}
	x := mat.NewDense(n, d, nil)
	space := mat.NewDense(n, 10, nil)
	labels := make([]int, n)
	ids := make([]string, n)
	for i := range n {
		labels[i] = rng.IntN(k)
		ids[i] = fmt.Sprintf("U%06d", i)
		for j := range d {
			x.Set(i, j, rng.ExpFloat64()+float64(labels[i]))
		}
		for j := range 10 {
			space.Set(i, j, rng.NormFloat64()+float64(labels[i]))
		}
	}
	return Input{UserIDs: ids, Names: names[:d], X: x, Labels: labels, Space: space}
}

func BenchmarkBuild20kx90k8(b *testing.B) {
	in := benchInput(20000, 90, 8)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Build(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHungarian50(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	cost := make([][]float64, 50)
	for i := range cost {
		cost[i] = make([]float64, 50)
		for j := range cost[i] {
			cost[i][j] = rng.Float64()
		}
	}
	b.ResetTimer()
	for b.Loop() {
		hungarian(cost)
	}
}
