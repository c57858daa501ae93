package cluster

import (
	"context"
	"math"
	"slices"
)

// kmRunResult is the outcome of one k-means run, in centred coordinates.
type kmRunResult struct {
	centres []float64 // k*d, centred
	labels  []int
	inertia float64
	nIter   int
	nDist   int64 // point-to-centre distances computed (for tests)
	nReloc  int   // empty clusters relocated
}

// kmSums holds the per-cluster sums of the centred rows and their counts,
// with one slot per chunk so that they are reduced in a fixed order.
type kmSums struct {
	k, d    int
	part    []float64 // nChunk*k*d
	partCnt []int     // nChunk*k
	sum     []float64 // k*d
	cnt     []int     // k
}

func kmNewSums(nChunk, k, d int) *kmSums {
	return &kmSums{k: k, d: d,
		part: make([]float64, nChunk*k*d), partCnt: make([]int, nChunk*k),
		sum: make([]float64, k*d), cnt: make([]int, k)}
}

// chunk returns chunk c's slots, zeroed.
func (s *kmSums) chunk(c int) ([]float64, []int) {
	kd := s.k * s.d
	p, pc := s.part[c*kd:(c+1)*kd], s.partCnt[c*s.k:(c+1)*s.k]
	clear(p)
	clear(pc)
	return p, pc
}

// reduce adds the chunk slots into sum and cnt (after clearing them when
// reset), in chunk order.
func (s *kmSums) reduce(nChunk int, reset bool) {
	if reset {
		clear(s.sum)
		clear(s.cnt)
	}
	kd := s.k * s.d
	for c := range nChunk {
		kmAddTo(s.sum, s.part[c*kd:(c+1)*kd])
		for j, v := range s.partCnt[c*s.k : (c+1)*s.k] {
			s.cnt[j] += v
		}
	}
}

// kmRelocateEmpty gives every empty cluster the row farthest from its
// (old) centre, as scikit-learn's _relocate_empty_clusters_dense: the rows
// are taken in decreasing order of ||x - old[label(x)]||^2 (ties: lowest row
// index), removed from their cluster's sum and made the sum of the empty
// cluster. Labels are left unchanged. It returns the number of relocations.
func kmRelocateEmpty(dt *kmData, s *kmSums, old []float64, labels []int) int {
	var empty []int
	for j, c := range s.cnt {
		if c == 0 {
			empty = append(empty, j)
		}
	}
	if len(empty) == 0 {
		return 0
	}
	d, m := dt.d, len(empty)
	// The m farthest rows of each chunk, then of all.
	type far struct {
		dist float64
		i    int
	}
	better := func(a, b far) int { // sorts farthest first, then lowest index
		switch {
		case a.dist > b.dist:
			return -1
		case a.dist < b.dist:
			return 1
		}
		return a.i - b.i
	}
	parts := make([][]far, dt.nChunk)
	dt.parallel(func(c int) {
		scratch := make([]float64, d)
		var out [1]float64
		lo, hi := dt.span(c)
		top := make([]far, 0, m+1)
		for i := lo; i < hi; i++ {
			l := labels[i]
			dt.dists(i, i+1, old[l*d:(l+1)*d], 1, scratch, out[:])
			f := far{out[0], i}
			if len(top) == m && better(f, top[m-1]) > 0 {
				continue
			}
			top = append(top, f)
			slices.SortFunc(top, better)
			if len(top) > m {
				top = top[:m]
			}
		}
		parts[c] = top
	})
	var all []far
	for _, p := range parts {
		all = append(all, p...)
	}
	slices.SortFunc(all, better)
	buf := make([]float64, d)
	for e, j := range empty {
		i := all[e].i
		from := labels[i]
		dt.centre(buf, i)
		kmSubFrom(s.sum[from*d:(from+1)*d], buf)
		copy(s.sum[j*d:(j+1)*d], buf)
		s.cnt[j] = 1
		s.cnt[from]--
	}
	return m
}

// kmUpdateCentres sets dst to the means of the clusters (a cluster left
// with no rows keeps its sum, as scikit-learn) and returns the sum of the
// squared shifts from old.
func kmUpdateCentres(dst, old []float64, s *kmSums) float64 {
	d := s.d
	tot := 0.0
	for j := range s.k {
		c := dst[j*d : (j+1)*d]
		copy(c, s.sum[j*d:(j+1)*d])
		if s.cnt[j] > 0 {
			alpha := 1 / float64(s.cnt[j])
			for t := range c {
				c[t] *= alpha
			}
		}
		sh := math.Sqrt(kmSqDist(c, old[j*d:(j+1)*d]))
		tot += sh * sh
	}
	return tot
}

// kmInertia returns the sum of squared distances of the rows to their
// centres.
func kmInertia(dt *kmData, centres []float64, labels []int) float64 {
	d := dt.d
	part := make([]float64, dt.nChunk)
	dt.parallel(func(c int) {
		scratch := make([]float64, d)
		var out [1]float64
		lo, hi := dt.span(c)
		s := 0.0
		for i := lo; i < hi; i++ {
			l := labels[i]
			dt.dists(i, i+1, centres[l*d:(l+1)*d], 1, scratch, out[:])
			s += out[0]
		}
		part[c] = s
	})
	tot := 0.0
	for _, v := range part {
		tot += v
	}
	return tot
}

// kmLloyd runs Lloyd's algorithm from the centred initial centres init
// (not modified), exactly as scikit-learn's _kmeans_single_lloyd. The
// labels it returns live in ws (fresh buffers when ws is nil).
func kmLloyd(ctx context.Context, dt *kmData, init []float64, k, maxIter int, tolAbs float64, ws *kmWork) (*kmRunResult, error) {
	if ws == nil {
		ws = &kmWork{}
	}
	n, d := dt.n, dt.d
	cur := slices.Clone(init)
	next := make([]float64, k*d)
	labels := kmInts(&ws.labels, n)
	for i := range labels {
		labels[i] = -1
	}
	s := kmNewSums(dt.nChunk, k, d)
	changed := make([]int, dt.nChunk)
	inert := make([]float64, dt.nChunk) // per chunk sum of the squared distances of the last E-step
	res := &kmRunResult{}

	// estep assigns every row to its nearest centre; with sums it also
	// accumulates the cluster sums and counts the changed labels.
	var kc kmCentres
	type buffers struct {
		scratch, out, d1 []float64
		lab              []int
	}
	br := kmBlockRows(k)
	bufs := make([]*buffers, dt.workers) // one per worker, reused by every pass
	estep := func(sums bool) {
		dt.prepCentres(&kc, cur, k)
		dt.parallelW(func(w, c int) {
			bf := bufs[w]
			if bf == nil {
				bf = &buffers{scratch: make([]float64, d), out: make([]float64, 3*br), d1: make([]float64, br), lab: make([]int, br)}
				bufs[w] = bf
			}
			scratch, out, lab, d1 := bf.scratch, bf.out, bf.lab, bf.d1
			var p []float64
			var pc []int
			if sums {
				p, pc = s.chunk(c)
			}
			lo, hi := dt.span(c)
			ch := 0
			in := 0.0
			for b := lo; b < hi; b += br {
				be := min(b+br, hi)
				dt.nearest(b, be, &kc, scratch, out, lab, d1, nil)
				for r, j := range lab[:be-b] {
					in += d1[r]
					if j != labels[b+r] {
						ch++
						labels[b+r] = j
					}
					if sums {
						pc[j]++
					}
				}
				if sums {
					dt.accum(b, labels[b:be], p)
				}
			}
			changed[c] = ch
			inert[c] = in
		})
		res.nDist += int64(n) * int64(k)
	}

	strict := false
	iter := 0
	shift := 0.0
	for iter = 0; iter < maxIter; iter++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		estep(true)
		s.reduce(dt.nChunk, true)
		res.nReloc += kmRelocateEmpty(dt, s, cur, labels)
		shift = kmUpdateCentres(next, cur, s)
		cur, next = next, cur
		nch := 0
		for _, v := range changed {
			nch += v
		}
		if nch == 0 {
			strict = true
			break
		}
		if shift <= tolAbs {
			break
		}
	}
	if iter == maxIter {
		iter--
	}
	if !strict {
		estep(false)
	}
	res.centres = cur
	res.labels = labels
	if strict && shift != 0 {
		// A relocation moved a centre in the last iteration: the last
		// E-step's distances are not to the final centres.
		res.inertia = kmInertia(dt, cur, labels)
	} else {
		for _, v := range inert {
			res.inertia += v
		}
	}
	res.nIter = iter + 1
	return res, nil
}
