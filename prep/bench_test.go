package prep

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// benchData returns a seeded n×d matrix of correlated normal columns.
func benchData(n, d int) *mat.Dense {
	rng := rand.New(rand.NewPCG(7, uint64(n*d)))
	x := mat.NewDense(n, d, nil)
	for i := range n {
		base := rng.NormFloat64()
		for j := range d {
			x.Set(i, j, float64(j+1)*base+rng.NormFloat64()*float64(d-j)+float64(j))
		}
	}
	return x
}

func benchStandardScaler(b *testing.B, n, d int) {
	x := benchData(n, d)
	var dst mat.Dense
	b.ResetTimer()
	for b.Loop() {
		s, err := FitStandardScaler(x)
		if err != nil {
			b.Fatal(err)
		}
		dst.Reset()
		if err := s.Transform(&dst, x); err != nil {
			b.Fatal(err)
		}
	}
}

func benchPCA(b *testing.B, n, d, k int) {
	x := benchData(n, d)
	var dst mat.Dense
	b.ResetTimer()
	for b.Loop() {
		p, err := FitPCA(x, PCAConfig{Components: k})
		if err != nil {
			b.Fatal(err)
		}
		dst.Reset()
		if err := p.Transform(&dst, x); err != nil {
			b.Fatal(err)
		}
	}
}

func benchFit(b *testing.B, n, d int) {
	x := benchData(n, d)
	names := make([]string, d)
	for j := range names {
		names[j] = "x" + string(rune('a'+j%26)) + string(rune('a'+j/26))
	}
	cfg := Config{Log1p: names[:d/4], Winsorize: Winsorize{Lower: 0.01, Upper: 0.99}}
	b.ResetTimer()
	for b.Loop() {
		f, err := Fit(x, names, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Transform(x); err != nil {
			b.Fatal(err)
		}
	}
}

// Fit and transform, as scikit-learn's fit_transform.
func BenchmarkStandardScaler100kx32(b *testing.B) { benchStandardScaler(b, 100_000, 32) }
func BenchmarkPCA100kx32(b *testing.B)            { benchPCA(b, 100_000, 32, 0) }
func BenchmarkPCA100kx32k8(b *testing.B)          { benchPCA(b, 100_000, 32, 8) }
func BenchmarkFitTransform100kx32(b *testing.B)   { benchFit(b, 100_000, 32) }
