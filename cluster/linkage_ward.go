package cluster

import (
	"context"
	"math"
)

// lkWardChain runs the nearest-neighbour chain for Ward's linkage on
// centroids and sizes (no distance matrix). x holds n points of dimension
// d, row-major; w holds their weights (nil: all 1). x and w are not
// modified.
//
// Clusters keep SciPy's slot numbering: merging slots a < b keeps the new
// cluster in slot b. Live clusters are stored compacted (swap-remove) so the
// nearest-neighbour scans run over contiguous memory; ties are broken by the
// slot number, which reproduces SciPy's first-strict-minimum scan.
func lkWardChain(ctx context.Context, x []float64, n, d int, w []float64, workers int) ([]lkRow, error) {
	cent := make([]float64, n*d) // centroid of the cluster in each storage position
	copy(cent, x)
	wt := make([]float64, n) // its size (weight)
	id := make([]int, n)     // its SciPy slot
	pos := make([]int, n)    // storage position of each slot, -1 once merged away
	for i := range n {
		wt[i] = 1
		if w != nil {
			wt[i] = w[i]
		}
		id[i], pos[i] = i, i
	}
	m := n // live clusters
	rows := make([]lkRow, 0, n-1)
	chain := make([]int, 0, n)
	first := 0 // smallest live slot

	// value of the pair (p, q) of storage positions: half the squared Ward
	// distance.
	value := func(p, q int) float64 {
		wp, wq := wt[p], wt[q]
		return lkSqDist(cent[p*d:(p+1)*d], cent[q*d:(q+1)*d]) * (wp * wq / (wp + wq))
	}
	nearest := func(p int) lkMin {
		cp := cent[p*d : (p+1)*d]
		wp := wt[p]
		return lkParallelMin(m, workers, func(lo, hi int) lkMin {
			best := lkMin{math.Inf(1), math.MaxInt, 0}
			for q := lo; q < hi; q++ {
				if q == p {
					continue
				}
				wq := wt[q]
				v := lkSqDist(cp, cent[q*d:(q+1)*d]) * (wp * wq / (wp + wq))
				if v < best.v || (v == best.v && id[q] < best.key) {
					best = lkMin{v, id[q], q}
				}
			}
			return best
		})
	}

	for k := 0; k < n-1; k++ {
		if k&255 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if len(chain) == 0 {
			for pos[first] < 0 {
				first++
			}
			chain = append(chain, first)
		}
		var a, b int
		var v float64
		for {
			a = chain[len(chain)-1]
			pa := pos[a]
			best := nearest(pa)
			if len(chain) > 1 {
				prev := chain[len(chain)-2]
				if vp := value(pa, pos[prev]); vp <= best.v {
					best = lkMin{vp, prev, 0}
				}
			}
			if best.key == math.MaxInt { // all remaining values infinite
				best = lkMin{math.Inf(1), lkFirstOther(pos, a), 0}
			}
			if len(chain) > 1 && best.key == chain[len(chain)-2] {
				b, v = best.key, best.v
				break
			}
			chain = append(chain, best.key)
		}
		chain = chain[:len(chain)-2]
		if a > b {
			a, b = b, a
		}
		pa, pb := pos[a], pos[b]
		wa, wb := wt[pa], wt[pb]
		// The new centroid moves from b's towards a's; equal centroids stay
		// bit-identical, so merges of duplicates stay at height 0.
		f := wa / (wa + wb)
		ca, cb := cent[pa*d:(pa+1)*d], cent[pb*d:(pb+1)*d]
		for j := range cb {
			cb[j] += (ca[j] - cb[j]) * f
		}
		wt[pb] = wa + wb
		rows = append(rows, lkRow{a: a, b: b, h: math.Sqrt(2 * v)})
		// Remove a: move the last stored cluster into its position.
		last := m - 1
		if pa != last {
			copy(cent[pa*d:(pa+1)*d], cent[last*d:(last+1)*d])
			wt[pa] = wt[last]
			id[pa] = id[last]
			pos[id[pa]] = pa
		}
		pos[a] = -1
		m--
	}
	return rows, nil
}

// lkFirstOther returns the smallest live slot other than a.
func lkFirstOther(pos []int, a int) int {
	for i, p := range pos {
		if p >= 0 && i != a {
			return i
		}
	}
	panic("cluster: no other live cluster")
}
