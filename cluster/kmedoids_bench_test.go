package cluster_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/persona-seg/persona/cluster"
)

// plantedMixed returns n rows of a mixed table drawn from groups planted
// groups (and the group of each row): two numeric attributes, one ordinal,
// two nominal, one symmetric and one asymmetric binary. A share na of the
// values of each attribute is missing.
func plantedMixed(n, groups int, na float64, seed uint64) ([]cluster.Attr, []int) {
	r := rand.New(rand.NewPCG(seed, 1))
	truth := make([]int, n)
	income := make([]float64, n)
	age := make([]float64, n)
	plan := make([]int32, n)
	region := make([]int32, n)
	device := make([]int32, n)
	news := make([]int32, n)
	app := make([]int32, n)
	for i := range n {
		g := r.IntN(groups)
		truth[i] = g
		income[i] = 30000 + 12000*float64(g) + 3000*r.NormFloat64()
		age[i] = math.Round(25 + 8*float64(g%4) + 3*r.NormFloat64())
		plan[i] = int32(g % 4)
		if r.Float64() < 0.2 {
			plan[i] = int32(r.IntN(4))
		}
		region[i] = int32(g % 5)
		if r.Float64() < 0.2 {
			region[i] = int32(r.IntN(5))
		}
		device[i] = int32(g % 3)
		if r.Float64() < 0.3 {
			device[i] = int32(r.IntN(3))
		}
		news[i] = b2i(r.Float64() < 0.1+0.4*float64(g%3))
		app[i] = b2i(r.Float64() < 0.1+0.6*float64(g%2))
		if na > 0 {
			for _, p := range []*float64{&income[i], &age[i]} {
				if r.Float64() < na {
					*p = math.NaN()
				}
			}
			for _, p := range []*int32{&plan[i], &region[i], &device[i], &news[i], &app[i]} {
				if r.Float64() < na {
					*p = -1
				}
			}
		}
	}
	return []cluster.Attr{
		{Name: "income", Type: cluster.AttrNumeric, Values: income},
		{Name: "age", Type: cluster.AttrNumeric, Values: age},
		{Name: "plan", Type: cluster.AttrOrdinal, Codes: plan},
		{Name: "region", Type: cluster.AttrNominal, Codes: region},
		{Name: "device", Type: cluster.AttrNominal, Codes: device},
		{Name: "newsletter", Type: cluster.AttrSymmetric, Codes: news},
		{Name: "app", Type: cluster.AttrAsymmetric, Codes: app},
	}, truth
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

func benchGower(b *testing.B, n int) {
	attrs, _ := plantedMixed(n, 5, 0.02, 1)
	g, err := cluster.NewGower(attrs, cluster.GowerOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := cluster.Pairwise(context.Background(), g, cluster.PairwiseOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchKMedoids(b *testing.B, n, k int, method string) {
	attrs, _ := plantedMixed(n, 5, 0.02, 1)
	g, err := cluster.NewGower(attrs, cluster.GowerOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var d cluster.Dissimilarity = g
	if method != cluster.KMedoidsCLARA {
		m, err := cluster.Pairwise(context.Background(), g, cluster.PairwiseOptions{})
		if err != nil {
			b.Fatal(err)
		}
		d = m
	}
	for b.Loop() {
		if _, err := cluster.KMedoids(context.Background(), d, cluster.KMedoidsOptions{K: k, Method: method}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGower5k(b *testing.B)         { benchGower(b, 5_000) }
func BenchmarkGower10k(b *testing.B)        { benchGower(b, 10_000) }
func BenchmarkKMedoidsPAM5kK6(b *testing.B) { benchKMedoids(b, 5_000, 6, cluster.KMedoidsPAM) }
func BenchmarkKMedoidsFasterPAM5kK6(b *testing.B) {
	benchKMedoids(b, 5_000, 6, cluster.KMedoidsFasterPAM)
}
func BenchmarkKMedoidsFasterPAM10kK10(b *testing.B) {
	benchKMedoids(b, 10_000, 10, cluster.KMedoidsFasterPAM)
}
func BenchmarkKMedoidsCLARA100kK10(b *testing.B) {
	benchKMedoids(b, 100_000, 10, cluster.KMedoidsCLARA)
}

func benchKPrototypes(b *testing.B, n, k int) {
	attrs, _ := plantedMixed(n, 5, 0, 1)
	for b.Loop() {
		if _, err := cluster.KPrototypes(context.Background(), attrs, cluster.KPrototypesOptions{K: k}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKPrototypes100kK10(b *testing.B) { benchKPrototypes(b, 100_000, 10) }
