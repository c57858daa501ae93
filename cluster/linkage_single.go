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
	par := newLKPar(workers)
	defer par.close()
	scan := func(lo, hi int) lkMin { return lkPrimScan(pts, dmin, id, cur, lo, hi) }
	for k := 0; k < n-1; k++ {
		if k&255 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		best := par.min(m, scan)
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

// lkPrimScan lowers dmin[q] to the squared distance from cur for the
// stored points q in [lo, hi) and returns the one nearest to the tree, the
// smallest row on ties. The distance is summed as lkSqDist sums it.
func lkPrimScan(pts, dmin []float64, id []int, cur []float64, lo, hi int) lkMin {
	best := lkMin{math.Inf(1), math.MaxInt, 0}
	d := len(cur)
	d4 := d &^ 3
	dmin = dmin[:hi]
	for q := lo; q < hi; q++ {
		pq := pts[q*d : (q+1)*d]
		pq = pq[:len(cur)]
		var s0, s1, s2, s3 float64
		j := 0
		for ; j < d4; j += 4 {
			t0 := cur[j] - pq[j]
			t1 := cur[j+1] - pq[j+1]
			t2 := cur[j+2] - pq[j+2]
			t3 := cur[j+3] - pq[j+3]
			s0 += t0 * t0
			s1 += t1 * t1
			s2 += t2 * t2
			s3 += t3 * t3
		}
		for ; j < d; j++ {
			t := cur[j] - pq[j]
			s0 += t * t
		}
		v := (s0 + s1) + (s2 + s3)
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
}
