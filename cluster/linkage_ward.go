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
//
// Centroids are stored split: the first lkHead coordinates of every cluster
// in one array, the other coordinates in another (when d ≥ 2·lkHead). A scan
// reads the head of each candidate, and most candidates are abandoned there
// (see lkWardScan), so the memory a scan streams through is a fraction of
// the centroids and stays in cache.
func lkWardChain(ctx context.Context, x []float64, n, d int, w []float64, workers int) ([]lkRow, error) {
	h := 0 // head coordinates
	if d >= 2*lkHead {
		h = lkHead
	}
	t := d - h
	head := make([]float64, n*h) // centroid of the cluster in each storage position
	tail := make([]float64, n*t)
	for i := range n {
		copy(head[i*h:(i+1)*h], x[i*d:i*d+h])
		copy(tail[i*t:(i+1)*t], x[i*d+h:(i+1)*d])
	}
	wt := make([]float64, n)  // its size (weight)
	inv := make([]float64, n) // 1/size
	id := make([]int, n)      // its SciPy slot
	pos := make([]int, n)     // storage position of each slot, -1 once merged away
	for i := range n {
		wt[i] = 1
		if w != nil {
			wt[i] = w[i]
		}
		inv[i] = 1 / wt[i]
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
		return lkWardSq(head[p*h:(p+1)*h], tail[p*t:(p+1)*t], head[q*h:(q+1)*h], tail[q*t:(q+1)*t]) * (wp * wq / (wp + wq))
	}
	// nearest returns the cluster nearest to storage position p whose value
	// is below bound, ties to the smallest slot; key -1 when there is none.
	par := newLKPar(workers)
	defer par.close()
	var scanP int
	var scanBound float64
	scan := func(lo, hi int) lkMin {
		return lkWardScan(head, tail, wt, inv, id, h, t, scanP, lo, hi, scanBound)
	}
	nearest := func(p int, bound float64) lkMin {
		scanP, scanBound = p, bound
		return par.min(m, scan)
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
		for _, c := range [2]struct {
			v []float64
			k int
		}{{head, h}, {tail, t}} {
			ca, cb := c.v[pa*c.k:(pa+1)*c.k], c.v[pb*c.k:(pb+1)*c.k]
			for j := range cb {
				cb[j] += (ca[j] - cb[j]) * f
			}
		}
		wt[pb] = wa + wb
		inv[pb] = 1 / wt[pb]
		rows = append(rows, lkRow{a: a, b: b, h: math.Sqrt(2 * v)})
		// Remove a: move the last stored cluster into its position.
		last := m - 1
		if pa != last {
			copy(head[pa*h:(pa+1)*h], head[last*h:(last+1)*h])
			copy(tail[pa*t:(pa+1)*t], tail[last*t:(last+1)*t])
			wt[pa] = wt[last]
			inv[pa] = inv[last]
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

// lkAbandonMargin enlarges an abandonment threshold; see lkWardScan.
const lkAbandonMargin = 1 + 1e-12

// lkHead is the number of leading coordinates stored apart; see lkWardChain.
const lkHead = 4

// lkWardSq is the squared distance between two centroids stored split into
// head (lkHead or 0 coordinates) and tail, summed in exactly the order
// lkWardScan sums it, so the two give bit-identical values.
func lkWardSq(hp, tp, hq, tq []float64) float64 {
	var s0, s1, s2, s3 float64
	if len(hp) == lkHead {
		hq = hq[:lkHead]
		t0 := hp[0] - hq[0]
		t1 := hp[1] - hq[1]
		t2 := hp[2] - hq[2]
		t3 := hp[3] - hq[3]
		s0 += t0 * t0
		s1 += t1 * t1
		s2 += t2 * t2
		s3 += t3 * t3
	}
	tq = tq[:len(tp)]
	j := 0
	for ; j+4 <= len(tp); j += 4 {
		t0 := tp[j] - tq[j]
		t1 := tp[j+1] - tq[j+1]
		t2 := tp[j+2] - tq[j+2]
		t3 := tp[j+3] - tq[j+3]
		s0 += t0 * t0
		s1 += t1 * t1
		s2 += t2 * t2
		s3 += t3 * t3
	}
	for ; j < len(tp); j++ {
		t := tp[j] - tq[j]
		s0 += t * t
	}
	return (s0 + s1) + (s2 + s3)
}

// lkWardScan searches storage positions [lo, hi) for the cluster nearest to
// position p by half squared Ward distance, strictly below bound, ties to
// the smallest slot id. The squared distance is accumulated four
// coordinates at a time, the head first, and the candidate is abandoned
// after the head when that partial sum already exceeds the best value: the
// full sum is larger, so an abandoned candidate could not have won. (Checking
// again after each later block cost more than it saved.) The sums are those
// of lkWardSq.
//
// The value is the squared distance times f = wp·wq/(wp+wq); to abandon
// without dividing, the partial sum is compared with best/f =
// best·(1/wp + 1/wq), enlarged by a relative 1e-12 (far above its rounding)
// so that an abandoned candidate's value is surely above best.
func lkWardScan(head, tail, wt, inv []float64, id []int, h, t, p, lo, hi int, bound float64) lkMin {
	best := lkMin{bound, -1, 0}
	hp := head[p*h : (p+1)*h]
	tp := tail[p*t : (p+1)*t]
	wp, ip := wt[p], inv[p]
	t4 := t &^ 3
	for q := lo; q < hi; q++ {
		if q == p {
			continue
		}
		thr := best.v * (ip + inv[q]) * lkAbandonMargin
		var s0, s1, s2, s3 float64
		if h == lkHead {
			hq := head[q*lkHead : q*lkHead+lkHead]
			hp := hp[:lkHead]
			t0 := hp[0] - hq[0]
			t1 := hp[1] - hq[1]
			t2 := hp[2] - hq[2]
			t3 := hp[3] - hq[3]
			s0 += t0 * t0
			s1 += t1 * t1
			s2 += t2 * t2
			s3 += t3 * t3
			if (s0+s1)+(s2+s3) > thr {
				continue
			}
		}
		tq := tail[q*t : (q+1)*t]
		tq = tq[:len(tp)]
		j := 0
		for ; j < t4; j += 4 {
			t0 := tp[j] - tq[j]
			t1 := tp[j+1] - tq[j+1]
			t2 := tp[j+2] - tq[j+2]
			t3 := tp[j+3] - tq[j+3]
			s0 += t0 * t0
			s1 += t1 * t1
			s2 += t2 * t2
			s3 += t3 * t3
		}
		for ; j < t; j++ {
			u := tp[j] - tq[j]
			s0 += u * u
		}
		if v := ((s0 + s1) + (s2 + s3)) * (wp * wt[q] / (wp + wt[q])); v < best.v || (v == best.v && id[q] < best.key) {
			best = lkMin{v, id[q], q}
		}
	}
	return best
}
