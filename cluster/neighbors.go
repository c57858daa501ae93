package cluster

import "math"

// This file holds the neighbour index behind DBSCAN, KDistance and
// DBSCANModel.Predict: a k-d tree with a bounding box per node, stored flat.
// The same structure without the spatial split (leaves are consecutive blocks
// of rows in input order) is the blocked brute-force reference.
//
// Distances are kept in "comparison units": the squared Euclidean distance for
// Euclidean (and for cosine, on unit-normalised rows), the plain sum for
// Manhattan. A point-to-point distance is always summed over the columns in
// order 0..d-1, as scikit-learn's k-d tree does, and compared with the
// threshold with <=. Box bounds are used only with a relative slack
// (nbSlack), so a rounding error in a bound can cost time but never change an
// answer.

// nbMetric selects how coordinates differences are combined.
type nbMetric int

const (
	nbSquared   nbMetric = iota // sum of squared differences
	nbManhattan                 // sum of absolute differences
)

// nbSlack is the relative margin applied to box bounds before they are
// allowed to prune or to accept whole leaves without computing distances.
const nbSlack = 1e-9

// nbLeafSize returns the largest number of points in a leaf of an index
// over d columns. Larger leaves pay off in more dimensions, where boxes
// prune less (measured on clustered data, d = 2 and 16).
func nbLeafSize(d int) int {
	switch {
	case d <= 3:
		return 32
	case d <= 8:
		return 64
	}
	return 128
}

// nbNode is one node of the index. Points start..end-1 (positions in index
// order) are under it; leaves have left == -1. Leaf numbers lo..hi-1 are the
// leaves under it, numbered in depth-first order.
type nbNode struct {
	start, end     int32
	left, right    int32
	leafLo, leafHi int32
}

// nbIndex is a k-d tree (or, unsplit, a blocked list) over the rows of a
// matrix. data holds the rows in index order; perm maps an index position to
// the original row.
type nbIndex struct {
	n, d     int
	leafSize int
	metric   nbMetric
	data     []float64
	perm     []int32
	nodes    []nbNode
	lo, hi   []float64 // node boxes, len(nodes)*d
	leaves   []int32   // node number of each leaf, in depth-first order
	diam     []float64 // per leaf, an upper bound of the distance between two of its points
}

// nbBuild builds the index over the n rows of the row-major data (stride d).
// With spatial false the rows keep their order and the leaves are blocks of
// leaf-size consecutive rows (blocked brute force). data is not modified.
func nbBuild(data []float64, n, d int, metric nbMetric, spatial bool) *nbIndex {
	if len(data) < n*d {
		panic("cluster: neighbour index data too short")
	}
	ix := &nbIndex{n: n, d: d, metric: metric, leafSize: nbLeafSize(d)}
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	ix.perm = perm
	maxNodes := 1
	if n > ix.leafSize {
		maxNodes = 4*(n/ix.leafSize) + 3
	}
	ix.nodes = make([]nbNode, 0, maxNodes)
	ix.build(data, 0, n, spatial)
	// Copy the rows into index order.
	if spatial {
		ix.data = make([]float64, n*d)
		for p, i := range perm {
			copy(ix.data[p*d:(p+1)*d], data[int(i)*d:(int(i)+1)*d])
		}
	} else {
		ix.data = data[:n*d]
	}
	ix.lo = make([]float64, len(ix.nodes)*d)
	ix.hi = make([]float64, len(ix.nodes)*d)
	ix.finish(0)
	ix.diam = make([]float64, len(ix.leaves))
	for leaf, id := range ix.leaves {
		lo, hi := ix.box(id)
		_, ix.diam[leaf] = nbBoxBox(metric, lo, hi, lo, hi)
	}
	return ix
}

// build appends the node for positions [start, end) and its subtree, and
// returns its number. perm is reordered so each child's points are
// contiguous.
func (ix *nbIndex) build(data []float64, start, end int, spatial bool) int32 {
	id := int32(len(ix.nodes))
	ix.nodes = append(ix.nodes, nbNode{start: int32(start), end: int32(end), left: -1, right: -1})
	if end-start <= ix.leafSize {
		return id
	}
	mid := start + (end-start)/2
	if spatial {
		// Split at the median of the dimension with the widest spread.
		d := ix.d
		best, bestSpread := 0, -1.0
		for j := 0; j < d; j++ {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, i := range ix.perm[start:end] {
				v := data[int(i)*d+j]
				lo = min(lo, v)
				hi = max(hi, v)
			}
			if hi-lo > bestSpread {
				best, bestSpread = j, hi-lo
			}
		}
		if bestSpread == 0 {
			// All points identical: one leaf is as good as any split, but
			// keep leaves small so the work still spreads over workers.
			spatial = false
		} else {
			nbSelect(ix.perm[start:end], mid-start, data, d, best)
		}
	} else {
		// Keep blocks aligned to the leaf size so leaves stay full.
		blocks := (end - start + ix.leafSize - 1) / ix.leafSize
		mid = start + (blocks/2)*ix.leafSize
	}
	l := ix.build(data, start, mid, spatial)
	r := ix.build(data, mid, end, spatial)
	ix.nodes[id].left, ix.nodes[id].right = l, r
	return id
}

// nbSelect reorders idx so idx[k] holds the element with the k-th smallest
// value in column j, smaller-or-equal ones before it and larger-or-equal
// after it (quickselect, median-of-three pivot).
func nbSelect(idx []int32, k int, data []float64, d, j int) {
	val := func(p int) float64 { return data[int(idx[p])*d+j] }
	lo, hi := 0, len(idx)-1
	for hi > lo {
		m := lo + (hi-lo)/2
		// Median of three into position m.
		if val(m) < val(lo) {
			idx[m], idx[lo] = idx[lo], idx[m]
		}
		if val(hi) < val(lo) {
			idx[hi], idx[lo] = idx[lo], idx[hi]
		}
		if val(hi) < val(m) {
			idx[hi], idx[m] = idx[m], idx[hi]
		}
		pivot := val(m)
		i, k2 := lo, hi
		for i <= k2 {
			for val(i) < pivot {
				i++
			}
			for val(k2) > pivot {
				k2--
			}
			if i <= k2 {
				idx[i], idx[k2] = idx[k2], idx[i]
				i++
				k2--
			}
		}
		if k <= k2 {
			hi = k2
		} else if k >= i {
			lo = i
		} else {
			return
		}
	}
}

// finish computes the boxes and leaf numbering of node id's subtree.
func (ix *nbIndex) finish(id int32) {
	nd := &ix.nodes[id]
	d := ix.d
	lo, hi := ix.lo[int(id)*d:int(id+1)*d], ix.hi[int(id)*d:int(id+1)*d]
	if nd.left < 0 {
		leaf := int32(len(ix.leaves))
		ix.leaves = append(ix.leaves, id)
		nd.leafLo, nd.leafHi = leaf, leaf+1
		for j := range lo {
			lo[j], hi[j] = math.Inf(1), math.Inf(-1)
		}
		for p := nd.start; p < nd.end; p++ {
			row := ix.data[int(p)*d : int(p+1)*d]
			for j, v := range row {
				lo[j] = min(lo[j], v)
				hi[j] = max(hi[j], v)
			}
		}
		return
	}
	ix.finish(nd.left)
	ix.finish(nd.right)
	nd.leafLo, nd.leafHi = ix.nodes[nd.left].leafLo, ix.nodes[nd.right].leafHi
	for j := range lo {
		lo[j] = min(ix.lo[int(nd.left)*d+j], ix.lo[int(nd.right)*d+j])
		hi[j] = max(ix.hi[int(nd.left)*d+j], ix.hi[int(nd.right)*d+j])
	}
}

// row returns the point at index position p.
func (ix *nbIndex) row(p int32) []float64 {
	return ix.data[int(p)*ix.d : int(p+1)*ix.d]
}

// box returns the bounding box of node id.
func (ix *nbIndex) box(id int32) (lo, hi []float64) {
	d := ix.d
	return ix.lo[int(id)*d : int(id+1)*d], ix.hi[int(id)*d : int(id+1)*d]
}

// pointNode returns a lower bound of the distance from q to node id.
func (ix *nbIndex) pointNode(q []float64, id int32) float64 {
	lo, hi := ix.box(id)
	return nbPointBox(ix.metric, q, lo, hi)
}

// nbBoxLower returns a lower bound of the distance between a point of box
// a and a point of box b.
func nbBoxLower(metric nbMetric, alo, ahi, blo, bhi []float64) float64 {
	blo, bhi = blo[:len(alo)], bhi[:len(alo)]
	ahi = ahi[:len(alo)]
	s := 0.0
	for j := range alo {
		g := 0.0
		if ahi[j] < blo[j] {
			g = blo[j] - ahi[j]
		} else if bhi[j] < alo[j] {
			g = alo[j] - bhi[j]
		}
		if metric == nbManhattan {
			s += g
		} else {
			s += g * g
		}
	}
	return s
}

// nbDist returns the distance between a and b in comparison units, summed
// over the columns in order.
func nbDist(metric nbMetric, a, b []float64) float64 {
	b = b[:len(a)]
	s := 0.0
	if metric == nbManhattan {
		for j, v := range a {
			s += math.Abs(v - b[j])
		}
		return s
	}
	for j, v := range a {
		t := v - b[j]
		s += float64(t * t)
	}
	return s
}

// nbPointBox returns a lower bound of the distance from p to any point in
// the box [lo, hi].
func nbPointBox(metric nbMetric, p, lo, hi []float64) float64 {
	lo, hi = lo[:len(p)], hi[:len(p)]
	s := 0.0
	for j, v := range p {
		g := 0.0
		if v < lo[j] {
			g = lo[j] - v
		} else if v > hi[j] {
			g = v - hi[j]
		}
		if metric == nbManhattan {
			s += g
		} else {
			s += g * g
		}
	}
	return s
}

// nbBoxBox returns lower and upper bounds of the distance between a point of
// box a and a point of box b.
func nbBoxBox(metric nbMetric, alo, ahi, blo, bhi []float64) (lower, upper float64) {
	blo, bhi = blo[:len(alo)], bhi[:len(alo)]
	ahi = ahi[:len(alo)]
	for j := range alo {
		g := 0.0
		if ahi[j] < blo[j] {
			g = blo[j] - ahi[j]
		} else if bhi[j] < alo[j] {
			g = alo[j] - bhi[j]
		}
		w := max(bhi[j]-alo[j], ahi[j]-blo[j])
		if metric == nbManhattan {
			lower += g
			upper += w
		} else {
			lower += g * g
			upper += w * w
		}
	}
	return lower, upper
}

// nbBeyond reports whether a lower bound proves a distance above thr.
func nbBeyond(bound, thr float64) bool { return bound > thr*(1+nbSlack) }

// nbWithin reports whether an upper bound proves a distance within thr.
func nbWithin(bound, thr float64) bool { return bound*(1+nbSlack) <= thr }

// nbStackItem is a node waiting on a traversal stack with its lower bound.
type nbStackItem struct {
	node  int32
	bound float64
}

// pushChildren pushes the children of node id onto st, the nearer (by the
// bound function) last so it is popped first; children whose bound is
// beyond thr are dropped.
func (ix *nbIndex) pushChildren(st []nbStackItem, id int32, thr float64, bound func(int32) float64) []nbStackItem {
	nd := ix.nodes[id]
	bl, br := bound(nd.left), bound(nd.right)
	first, second := nbStackItem{nd.right, br}, nbStackItem{nd.left, bl}
	if br < bl {
		first, second = second, first
	}
	if !nbBeyond(first.bound, thr) {
		st = append(st, first)
	}
	if !nbBeyond(second.bound, thr) {
		st = append(st, second)
	}
	return st
}

// nbHeap is a max-heap of the k smallest distances seen, for k-nearest
// searches.
type nbHeap []float64

func (h nbHeap) top() float64 { return h[0] }

// offer adds v if the heap is not full (cap k) or v is below the top.
func (h *nbHeap) offer(v float64, k int) {
	s := *h
	if len(s) < k {
		s = append(s, v)
		i := len(s) - 1
		for i > 0 {
			p := (i - 1) / 2
			if s[p] >= s[i] {
				break
			}
			s[p], s[i] = s[i], s[p]
			i = p
		}
		*h = s
		return
	}
	if v >= s[0] {
		return
	}
	s[0] = v
	i := 0
	for {
		l := 2*i + 1
		if l >= len(s) {
			break
		}
		c := l
		if r := l + 1; r < len(s) && s[r] > s[l] {
			c = r
		}
		if s[i] >= s[c] {
			break
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
}

// kthNearest returns the k-th smallest distance (comparison units) from q to
// the indexed points, counting a point equal to q, or +Inf if there are
// fewer than k points. h, st and dist (leafSize long) are scratch buffers.
func (ix *nbIndex) kthNearest(q []float64, k int, h *nbHeap, st []nbStackItem, dist []float64) (float64, []nbStackItem) {
	*h = (*h)[:0]
	st = append(st[:0], nbStackItem{0, 0})
	for len(st) > 0 {
		it := st[len(st)-1]
		st = st[:len(st)-1]
		if len(*h) == k && nbBeyond(it.bound, h.top()) {
			continue
		}
		nd := ix.nodes[it.node]
		if nd.left < 0 {
			dist := dist[:nd.end-nd.start]
			nbDistRows(ix.metric, q, ix.rows(nd.start, nd.end), dist)
			for _, v := range dist {
				h.offer(v, k)
			}
			continue
		}
		bl := ix.pointNode(q, nd.left)
		br := ix.pointNode(q, nd.right)
		if bl < br {
			st = append(st, nbStackItem{nd.right, br}, nbStackItem{nd.left, bl})
		} else {
			st = append(st, nbStackItem{nd.left, bl}, nbStackItem{nd.right, br})
		}
	}
	if len(*h) < k {
		return math.Inf(1), st
	}
	return h.top(), st
}

// nbDistRows sets out[i] to the distance (comparison units) from q to row i
// of rows, which holds len(out) rows of len(q) columns. Each distance is
// summed over the columns in order, exactly as nbDist does; four rows are
// done at a time so their sums proceed independently.
func nbDistRows(metric nbMetric, q, rows, out []float64) {
	d := len(q)
	n := len(out)
	rows = rows[:n*d]
	i := 0
	if metric == nbSquared {
		for ; i+4 <= n; i += 4 {
			r0 := rows[i*d:][:len(q)]
			r1 := rows[(i+1)*d:][:len(q)]
			r2 := rows[(i+2)*d:][:len(q)]
			r3 := rows[(i+3)*d:][:len(q)]
			var s0, s1, s2, s3 float64
			for j, v := range q {
				t0 := v - r0[j]
				t1 := v - r1[j]
				t2 := v - r2[j]
				t3 := v - r3[j]
				// The conversions forbid fusing into FMA, which would
				// round differently from scikit-learn.
				s0 += float64(t0 * t0)
				s1 += float64(t1 * t1)
				s2 += float64(t2 * t2)
				s3 += float64(t3 * t3)
			}
			out[i], out[i+1], out[i+2], out[i+3] = s0, s1, s2, s3
		}
	} else {
		for ; i+4 <= n; i += 4 {
			r0 := rows[i*d:][:len(q)]
			r1 := rows[(i+1)*d:][:len(q)]
			r2 := rows[(i+2)*d:][:len(q)]
			r3 := rows[(i+3)*d:][:len(q)]
			var s0, s1, s2, s3 float64
			for j, v := range q {
				s0 += math.Abs(v - r0[j])
				s1 += math.Abs(v - r1[j])
				s2 += math.Abs(v - r2[j])
				s3 += math.Abs(v - r3[j])
			}
			out[i], out[i+1], out[i+2], out[i+3] = s0, s1, s2, s3
		}
	}
	for ; i < n; i++ {
		out[i] = nbDist(metric, q, rows[i*d:(i+1)*d])
	}
}

// rows returns the points at positions start..end-1 as one slice.
func (ix *nbIndex) rows(start, end int32) []float64 {
	return ix.data[int(start)*ix.d : int(end)*ix.d]
}
