package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestKernelTwins checks that the kernels in use (assembly on amd64) give
// the same bits as the portable Go twins.
func TestKernelTwins(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, d := range []int{1, 2, 3, 4, 5, 7, 8, 16, 17, 33} {
		t.Run(fmt.Sprintf("d=%d", d), func(t *testing.T) {
			const rows = 41
			data := make([]float64, rows*d+3)
			for i := range data {
				data[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(7)-3))
			}
			xi := data[5*d : 6*d]
			offs := make([]int, 0, rows)
			for j := range rows {
				offs = append(offs, j*d+rng.IntN(3)) // unaligned rows too
			}
			colGo := make([]float64, rows)
			colAsm := make([]float64, rows)
			for j := range colGo {
				colGo[j] = float64(j) / 7
				colAsm[j] = colGo[j]
			}
			wantSum := distSumsToGo(xi, data, offs, colGo)
			gotSum := distSumsTo(xi, data, offs, colAsm)
			if math.Float64bits(wantSum) != math.Float64bits(gotSum) {
				t.Errorf("distSumsTo = %v, Go twin %v", gotSum, wantSum)
			}
			for j := range colGo {
				if math.Float64bits(colGo[j]) != math.Float64bits(colAsm[j]) {
					t.Errorf("col[%d] = %v, Go twin %v", j, colAsm[j], colGo[j])
				}
			}
			if got, want := distSum(xi, data, offs), distSumGo(xi, data, offs); math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("distSum = %v, Go twin %v", got, want)
			}
			var byDist float64
			for _, o := range offs {
				byDist += dist(xi, data[o:o+d])
			}
			if math.Float64bits(byDist) != math.Float64bits(wantSum) {
				t.Errorf("sum of dist = %v, kernel %v", byDist, wantSum)
			}
		})
	}
	t.Run("bad offset panics", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("no panic for a row past the end of data")
			}
		}()
		distSum(make([]float64, 4), make([]float64, 10), []int{7})
	})
}

func benchKernel(b *testing.B, d int, f func(xi, data []float64, offs []int, col []float64) float64) {
	const rows = 192
	rng := rand.New(rand.NewPCG(1, 1))
	data := make([]float64, 2*rows*d)
	for i := range data {
		data[i] = rng.NormFloat64()
	}
	offs := make([]int, rows)
	for j := range offs {
		offs[j] = (rows + j) * d
	}
	col := make([]float64, rows)
	var sink float64
	for b.Loop() {
		for i := range rows {
			sink += f(data[i*d:i*d+d], data, offs, col)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(rows*rows), "ns/pair")
	if math.IsNaN(sink) {
		b.Fatal("NaN")
	}
}

func BenchmarkKernelD16(b *testing.B)   { benchKernel(b, 16, distSumsTo) }
func BenchmarkKernelGoD16(b *testing.B) { benchKernel(b, 16, distSumsToGo) }
func BenchmarkKernelD5(b *testing.B)    { benchKernel(b, 5, distSumsTo) }
func BenchmarkKernelGoD5(b *testing.B)  { benchKernel(b, 5, distSumsToGo) }
