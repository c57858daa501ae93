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
	// nearest returns the cluster nearest to storage position p whose value
	// is below bound, ties to the smallest slot; key -1 when there is none.
	nearest := func(p int, bound float64) lkMin {
		return lkParallelMin(m, workers, func(lo, hi int) lkMin {
			return lkWardScan(cent, wt, id, d, p, lo, hi, bound)
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
			// Only a cluster strictly nearer than the previous chain element
			// can replace it (SciPy keeps the previous element on equality).
			bound := math.Inf(1)
			if len(chain) > 1 {
				bound = value(pa, pos[chain[len(chain)-2]])
			}
			best := nearest(pa, bound)
			if best.key < 0 {
				if len(chain) > 1 {
					best = lkMin{bound, chain[len(chain)-2], 0}
				} else { // all remaining values infinite
					best = lkMin{math.Inf(1), lkFirstOther(pos, a), 0}
				}
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

// lkWardScan searches storage positions [lo, hi) for the cluster nearest to
// position p by half squared Ward distance, strictly below bound, ties to
// the smallest slot id. The squared distance is accumulated four dimensions
// at a time and abandoned as soon as it already exceeds the best value: the
// partial sums only grow, so an abandoned candidate could not have won.
func lkWardScan(cent, wt []float64, id []int, d, p, lo, hi int, bound float64) lkMin {
	best := lkMin{bound, -1, 0}
	cp := cent[p*d : (p+1)*d]
	wp := wt[p]
	d4 := d &^ 3
	for q := lo; q < hi; q++ {
		if q == p {
			continue
		}
		wq := wt[q]
		f := wp * wq / (wp + wq)
		cq := cent[q*d : (q+1)*d]
		cq = cq[:len(cp)]
		var s0, s1, s2, s3 float64
		j := 0
		for ; j < d4; j += 4 {
			t0 := cp[j] - cq[j]
			t1 := cp[j+1] - cq[j+1]
			t2 := cp[j+2] - cq[j+2]
			t3 := cp[j+3] - cq[j+3]
			s0 += t0 * t0
			s1 += t1 * t1
			s2 += t2 * t2
			s3 += t3 * t3
			if j+4 < d4 && ((s0+s1)+(s2+s3))*f > best.v {
				goto next
			}
		}
		for ; j < d; j++ {
			t := cp[j] - cq[j]
			s0 += t * t
		}
		if v := ((s0 + s1) + (s2 + s3)) * f; v < best.v || (v == best.v && id[q] < best.key) {
			best = lkMin{v, id[q], q}
		}
	next:
	}
	return best
}
