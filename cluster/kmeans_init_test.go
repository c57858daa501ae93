package cluster

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"
)

// kmPlusPlusReference is greedy k-means++ written plainly: no pruning, no
// blocks, every distance computed alone, each chosen centre folded into the
// nearest distances at once. Its sums run in the order kmInitPlusPlus
// documents (rows in order within a chunk, chunks in order), so the two
// must choose the same rows.
func kmPlusPlusReference(dt *kmData, k int, rng *rand.Rand) []float64 {
	n, d := dt.n, dt.d
	trials := 2 + int(math.Log(float64(k)))
	dst := make([]float64, k*d)
	scratch := make([]float64, d)
	dist := func(i int, c []float64) float64 {
		var out [1]float64
		dt.dists(i, i+1, c, 1, scratch, out[:])
		return out[0]
	}
	dt.centre(dst[:d], rng.IntN(n))
	closest := make([]float64, n)
	for i := range n {
		closest[i] = dist(i, dst[:d])
	}
	// chunkSums returns the per-chunk sums of f(i) and their total.
	chunkSums := func(f func(i int) float64) ([]float64, float64) {
		part := make([]float64, dt.nChunk)
		for c := range dt.nChunk {
			lo, hi := dt.span(c)
			for i := lo; i < hi; i++ {
				part[c] += f(i)
			}
		}
		total := 0.0
		for _, v := range part {
			total += v
		}
		return part, total
	}
	chunkPot, pot := chunkSums(func(i int) float64 { return closest[i] })
	cand := make([]float64, d)
	for step := 1; step < k; step++ {
		best, bestPot := -1, math.Inf(1)
		var bestPart []float64
		for range trials {
			// The first row whose cumulative potential (chunk sums first,
			// then rows) reaches r.
			r := rng.Float64() * pot
			id, acc, c := n-1, 0.0, 0
			for ; c < dt.nChunk-1 && acc+chunkPot[c] < r; c++ {
				acc += chunkPot[c]
			}
		search:
			for ; c < dt.nChunk; c++ {
				lo, hi := dt.span(c)
				for i := lo; i < hi; i++ {
					if acc += closest[i]; acc >= r {
						id = i
						break search
					}
				}
			}
			dt.centre(cand, id)
			part, s := chunkSums(func(i int) float64 { return min(closest[i], dist(i, cand)) })
			if s < bestPot {
				best, bestPot, bestPart = id, s, part
			}
		}
		c := dst[step*d : (step+1)*d]
		dt.centre(c, best)
		for i := range n {
			closest[i] = min(closest[i], dist(i, c))
		}
		chunkPot, pot = bestPart, bestPot
	}
	return dst
}

// TestKMeansPlusPlusReference checks that kmInitPlusPlus (pruned, in
// blocks, four candidates at a time) chooses exactly the rows of the plain
// reference, for several numbers of candidates (k = 2, 5, 8, 25, 60 give
// 2, 3, 4, 5 and 6), workers, block sizes and both kernels, on data with
// many exactly tied distances too.
func TestKMeansPlusPlusReference(t *testing.T) {
	grid := func(n, d int, seed uint64) *mat.Dense {
		// Small integers: many duplicate rows and tied distances.
		rng := rand.New(rand.NewPCG(seed, 3))
		x := mat.NewDense(n, d, nil)
		for i := range n {
			for j := range d {
				x.Set(i, j, float64(rng.IntN(4)))
			}
		}
		return x
	}
	blobs := func(n, d, k int, spread float64) *mat.Dense {
		x, _ := kmBlobs(n, d, k, 10, spread, 31)
		return x
	}
	tests := []struct {
		name string
		x    *mat.Dense
		k    int
	}{
		{"separated k=8", blobs(20000, 16, 8, 1), 8},
		{"overlapping k=8", blobs(20000, 16, 8, 12), 8},
		{"k=2", blobs(12000, 3, 2, 1), 2},
		{"k=5 d=7", blobs(12000, 7, 5, 2), 5},
		{"k=25 d=13", blobs(10000, 13, 25, 1), 25},
		{"k=60 d=2", blobs(9000, 2, 60, 0.5), 60},
		{"ties k=8", grid(12000, 3, 1), 8},
		{"ties k=25 d=5", grid(10000, 5, 2), 25},
	}
	for _, tt := range tests {
		for _, workers := range []int{1, 3} {
			for _, simd := range kmSIMDModes() {
				// With 3 workers, blocks of 300 rows: several per chunk.
				block := 0
				if workers > 1 {
					block = 300
				}
				t.Run(fmt.Sprintf("%s/workers=%d/block=%d/simd=%v", tt.name, workers, block, simd), func(t *testing.T) {
					dt, err := kmPrepare(tt.x, tt.k, workers)
					if err != nil {
						t.Fatal(err)
					}
					dt.simd, dt.ppBlockRows = simd, block
					for seed := range uint64(2) {
						want := kmPlusPlusReference(dt, tt.k, rand.New(rand.NewPCG(seed, 7)))
						got, err := kmInitPlusPlus(context.Background(), dt, tt.k, rand.New(rand.NewPCG(seed, 7)), nil)
						if err != nil {
							t.Fatal(err)
						}
						if diff := cmp.Diff(want, got); diff != "" {
							t.Errorf("seed %d: centres differ (-reference +kmInitPlusPlus):\n%s", seed, diff)
						}
					}
				})
			}
		}
	}
}

// TestKMeansPlusPlusMerge checks the end of a k-means++ block, in Go and
// in the AVX2 kernel, against the plain sums, on values with many ties.
func TestKMeansPlusPlusMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	vals := []float64{0, 0.5, 1, 1, 2, 3.25, math.Inf(1)}
	for trials := 1; trials <= 9; trials++ {
		for _, prev := range []bool{false, true} {
			for _, simd := range kmSIMDModes() {
				t.Run(fmt.Sprintf("trials=%d/prev=%v/simd=%v", trials, prev, simd), func(t *testing.T) {
					const rows, skip = 300, 310
					kk, first := trials, 0
					if prev {
						kk, first = trials+1, 1
					}
					cs := make([]float64, rows)
					ns := make([]int32, rows)
					slot := make([]int, rows)
					out := make([]float64, (skip+1)*kk+4)
					for i := range out {
						out[i] = vals[rng.IntN(len(vals))]
					}
					for j := range kk {
						out[skip*kk+j] = math.Inf(1)
					}
					nl := 0
					for r := range rows {
						cs[r] = vals[rng.IntN(len(vals)-1)]
						ns[r] = int32(rng.IntN(5))
						slot[r] = skip
						if rng.IntN(3) > 0 {
							slot[r] = nl
							nl++
						}
					}
					p := make([]float64, trials)
					for i := range p {
						p[i] = float64(rng.IntN(100))
					}
					// The plain sums.
					wantCS, wantNS, wantP := slices.Clone(cs), slices.Clone(ns), slices.Clone(p)
					for r := range rows {
						o := out[slot[r]*kk : (slot[r]+1)*kk]
						if prev && o[0] < wantCS[r] {
							wantCS[r], wantNS[r] = o[0], 7
						}
						for j := range trials {
							wantP[j] += min(wantCS[r], o[first+j])
						}
					}
					kmPPMerge(simd, cs, ns, slot, out, kk, first, skip, trials, prev, 7, p)
					if diff := cmp.Diff(wantCS, cs); diff != "" {
						t.Errorf("nearest distances (-want +got):\n%s", diff)
					}
					if diff := cmp.Diff(wantNS, ns); diff != "" {
						t.Errorf("nearest centres (-want +got):\n%s", diff)
					}
					if diff := cmp.Diff(wantP, p); diff != "" {
						t.Errorf("potentials (-want +got):\n%s", diff)
					}
				})
			}
		}
	}
}

// TestKMeansPlusPlusList checks the listing of a block's rows, in Go and
// in assembly, against the plain test, with ties at the thresholds.
func TestKMeansPlusPlusList(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	minCC := []float64{0, 1, 2, math.Inf(1), math.Inf(-1)}
	for _, rows := range []int{1, 7, 300} {
		for _, simd := range kmSIMDModes() {
			t.Run(fmt.Sprintf("rows=%d/simd=%v", rows, simd), func(t *testing.T) {
				const b, skip = 5000, 999
				cs := make([]float64, rows)
				ns := make([]int32, rows)
				for r := range rows {
					cs[r] = float64(rng.IntN(4))
					ns[r] = int32(rng.IntN(len(minCC)))
				}
				var wantList, wantSlot []int
				for r := range rows {
					s := skip
					if cs[r] > minCC[ns[r]] {
						s = len(wantList)
						wantList = append(wantList, b+r)
					}
					wantSlot = append(wantSlot, s)
				}
				dt := &kmData{simd: simd}
				list, slot := make([]int, rows), make([]int, rows)
				nl := dt.ppList(cs, ns, minCC, b, skip, list, slot)
				if diff := cmp.Diff(wantList, list[:nl], cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("list (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(wantSlot, slot); diff != "" {
					t.Errorf("slots (-want +got):\n%s", diff)
				}
			})
		}
	}
}
