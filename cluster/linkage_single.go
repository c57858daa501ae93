package cluster

import (
	"context"
	"math"
)

// lkPrim builds single linkage as a minimum spanning tree with Prim's
// algorithm, computing distances on the fly: O(n·d) memory. It follows
// SciPy's mst_single_linkage: start at row 0, then repeatedly add the
// outside row nearest to the tree, the first strict minimum in row order.
// Points outside the tree are stored compacted (swap-remove), so ties are
// broken by row number explicitly. x is not modified.
func lkPrim(ctx context.Context, x []float64, n, d, workers int) ([]lkRow, error) {
	pts := make([]float64, n*d) // points outside the tree
	copy(pts, x)
	id := make([]int, n)       // row of each stored point
	dmin := make([]float64, n) // squared distance of each stored point to the tree
	for i := range n {
		id[i] = i
		dmin[i] = math.Inf(1)
	}
	cur := make([]float64, d) // the point last added to the tree
	m := n
	remove := func(p int) {
		last := m - 1
		if p != last {
			copy(pts[p*d:(p+1)*d], pts[last*d:(last+1)*d])
			id[p], dmin[p] = id[last], dmin[last]
		}
		m--
	}
	copy(cur, pts[:d])
	a := 0
	remove(0)
	rows := make([]lkRow, 0, n-1)
	for k := 0; k < n-1; k++ {
		if k&255 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		best := lkParallelMin(m, workers, func(lo, hi int) lkMin {
			best := lkMin{math.Inf(1), math.MaxInt, 0}
			for q := lo; q < hi; q++ {
				v := lkSqDist(cur, pts[q*d:(q+1)*d])
				if v < dmin[q] {
					dmin[q] = v
				} else {
					v = dmin[q]
				}
				if v < best.v || (v == best.v && id[q] < best.key) {
					best = lkMin{v, id[q], q}
				}
			}
			return best
		})
		if best.key == math.MaxInt { // infinite distances: lkFinish reports it
			best = lkMin{math.Inf(1), id[0], 0}
		}
		p := best.at
		rows = append(rows, lkRow{a: a, b: best.key, h: math.Sqrt(best.v)})
		copy(cur, pts[p*d:(p+1)*d])
		a = best.key
		remove(p)
	}
	return rows, nil
}
