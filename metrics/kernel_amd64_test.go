//go:build !purego

package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestAssemblyKernels compares both assembly kernels, whichever one the
// CPU selects, bit for bit with the Go twin.
func TestAssemblyKernels(t *testing.T) {
	kernels := []struct {
		name string
		f    func(xi, data []float64, offs []int, col []float64) float64
	}{{"SSE2", distSumsSSE2}}
	if hasAVX {
		kernels = append(kernels, struct {
			name string
			f    func(xi, data []float64, offs []int, col []float64) float64
		}{"AVX", distSumsAVX})
	} else {
		t.Log("no AVX on this machine: only the SSE2 kernel is tested")
	}
	rng := rand.New(rand.NewPCG(6, 6))
	for _, k := range kernels {
		for _, d := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 19, 33} {
			for _, rows := range []int{0, 1, 2, 3, 40} {
				t.Run(fmt.Sprintf("%s/d=%d/rows=%d", k.name, d, rows), func(t *testing.T) {
					data := make([]float64, (rows+1)*d+3)
					for i := range data {
						data[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4))
					}
					xi := data[:d]
					offs := make([]int, rows)
					for j := range offs {
						offs[j] = (j+1)*d + rng.IntN(4)
					}
					colGo := make([]float64, rows)
					colAsm := make([]float64, rows)
					for j := range colGo {
						colGo[j] = rng.Float64()
						colAsm[j] = colGo[j]
					}
					want := distSumsToGo(xi, data, offs, colGo)
					got := k.f(xi, data, offs, colAsm)
					if math.Float64bits(want) != math.Float64bits(got) {
						t.Errorf("sum = %v, Go twin %v", got, want)
					}
					for j := range colGo {
						if math.Float64bits(colGo[j]) != math.Float64bits(colAsm[j]) {
							t.Errorf("col[%d] = %v, Go twin %v", j, colAsm[j], colGo[j])
						}
					}
					if got := k.f(xi, data, offs, nil); math.Float64bits(got) != math.Float64bits(want) {
						t.Errorf("with nil col: sum = %v, Go twin %v", got, want)
					}
				})
			}
		}
	}
}

func BenchmarkKernelSSE2D16(b *testing.B) { benchKernel(b, 16, distSumsSSE2) }
