package chart

import (
	"io"
	"math/rand/v2"
	"testing"
)

func benchScatter(b *testing.B, n int, png bool) {
	rng := rand.New(rand.NewPCG(1, 1))
	xs, ys, gs := make([]float64, n), make([]float64, n), make([]int, n)
	for i := range xs {
		xs[i], ys[i], gs[i] = rng.NormFloat64(), rng.NormFloat64(), i%7
	}
	f, err := Scatter(ScatterSpec{Title: "Map", Segments: sampleSegments, X: xs, Y: ys, Segment: gs})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if png {
			err = f.WritePNG(io.Discard, 144)
		} else {
			err = f.WriteSVG(io.Discard)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScatter2000SVG(b *testing.B) { benchScatter(b, 2000, false) }
func BenchmarkScatter2000PNG(b *testing.B) { benchScatter(b, 2000, true) }

func BenchmarkHeatmap7x40SVG(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	f, err := Heatmap(HeatmapSpec{Title: "Heat", Segments: sampleSegments, Rows: sampleFeatures(40), Z: sampleZ(rng, 7, 40)})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := f.WriteSVG(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKDistance100kSVG draws the k-distance curve of 100,000 users,
// thinned to about 1,000 points.
func BenchmarkKDistance100kSVG(b *testing.B) {
	d := sampleKDist(100_000)
	for b.Loop() {
		f, err := KDistance(KDistanceSpec{Title: "k", Distances: d, K: 10, Eps: 1.1})
		if err != nil {
			b.Fatal(err)
		}
		if err := f.WriteSVG(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
