package cluster

import (
	"context"
	"math"
	"slices"
)

// Hamerly's algorithm (G. Hamerly, "Making k-means even faster", SDM 2010)
// keeps, for every row, an upper bound u on the distance to its centre and a
// lower bound l on the distance to every other centre. After the centres
// move by delta_j, u grows by delta_label and l shrinks by the largest other
// delta. A row whose u is below max(l, s_label), where s_j is half the
// distance from centre j to its nearest other centre, cannot change its
// label, so its distances are not computed.
//
// The result is the same as Lloyd's, bit for bit in the labels and the
// iteration count: the bounds are widened by a relative guard larger than
// the rounding error of the distance sums, so a row is skipped only when its
// label is decided by a margin the direct distance comparison would also
// see; every other row gets Lloyd's argmin (lowest index on ties).
// The cluster sums are updated incrementally, from the rows whose label
// changed, and recomputed in full after an empty cluster was relocated.

const kmEps = 0x1p-52

// kmHamerlyDense is the fraction of recomputed rows above which the next
// Hamerly pass computes every row (as Lloyd does) instead of checking
// bounds: with heavily overlapping clusters the bounds save little.
const kmHamerlyDense = 0.3

// kmGuard returns the relative widening of the bounds for d columns.
func kmGuard(d int) float64 { return 1e-12 + float64(8*(d+2))*kmEps }

// kmHamerly runs Hamerly's algorithm from the centred initial centres init
// (not modified); it follows kmLloyd's loop step for step. The labels it
// returns live in ws (fresh buffers when ws is nil).
func kmHamerly(ctx context.Context, dt *kmData, init []float64, k, maxIter int, tolAbs float64, ws *kmWork) (*kmRunResult, error) {
	if ws == nil {
		ws = &kmWork{}
	}
	n, d := dt.n, dt.d
	g := kmGuard(d)
	const up, down = 1 + 4*kmEps, 1 - 4*kmEps
	cur := slices.Clone(init)
	next := make([]float64, k*d)
	labels := kmInts(&ws.labels, n)
	for i := range labels {
		labels[i] = -1
	}
	upper := kmFloats(&ws.upper, n)
	lower := kmFloats(&ws.lower, n)
	s := kmNewSums(dt.nChunk, k, d)
	changed := make([]int, dt.nChunk)
	ndist := make([]int64, dt.nChunk)
	delta := make([]float64, k) // guarded shift of each centre in the last update
	half := make([]float64, k)  // guarded half distance to the nearest other centre
	var dmax1, dmax2 float64    // largest and second largest delta
	imax := -1                  // index of the largest delta
	res := &kmRunResult{}

	const (
		sumsFull  = iota // recompute the cluster sums
		sumsDelta        // update the sums from the rows whose label changed
		sumsNone         // no sums (final E-step)
	)
	nrec := make([]int, dt.nChunk) // rows recomputed by the last pass, per chunk
	var kc kmCentres
	// pass assigns the rows: exact computes every row (and makes the
	// bounds tight); otherwise only the rows whose bounds fail.
	type buffers struct {
		scratch, out, d1, d2, buf []float64
		lab, pend                 []int
	}
	br := kmBlockRows(k)
	bufs := make([]*buffers, dt.workers) // one per worker, reused by every pass
	pass := func(exact bool, sums int) {
		dt.prepCentres(&kc, cur, k)
		dt.parallelW(func(w, c int) {
			bf := bufs[w]
			if bf == nil {
				bf = &buffers{scratch: make([]float64, d), out: make([]float64, 3*br), d1: make([]float64, br),
					d2: make([]float64, br), buf: make([]float64, d), lab: make([]int, br), pend: make([]int, 0, br)}
				bufs[w] = bf
			}
			scratch, out, lab, d1, d2 := bf.scratch, bf.out, bf.lab, bf.d1, bf.d2
			var p []float64
			var pc []int
			if sums != sumsNone {
				p, pc = s.chunk(c)
			}
			lo, hi := dt.span(c)
			ch := 0
			if exact {
				for b := lo; b < hi; b += br {
					be := min(b+br, hi)
					dt.nearest(b, be, &kc, scratch, out, lab, d1, d2)
					for r, j := range lab[:be-b] {
						if labels[b+r] != j {
							ch++
							labels[b+r] = j
						}
						upper[b+r] = math.Sqrt(d1[r]) * (1 + g)
						lower[b+r] = math.Sqrt(d2[r]) * (1 - g)
					}
				}
				if sums == sumsFull {
					for _, j := range labels[lo:hi] {
						pc[j]++
					}
					dt.accum(lo, labels[lo:hi], p)
				}
				changed[c] = ch
				nrec[c] = hi - lo
				ndist[c] = int64(hi-lo) * int64(k)
				return
			}
			// Rows whose bounds fail are queued and their distances to all
			// the centres computed in one call per batch.
			buf := bf.buf
			pend := bf.pend[:0]
			rec := 0
			flush := func() {
				dt.nearestIdx(pend, &kc, scratch, out, lab, d1, d2)
				rec += len(pend)
				for r, i := range pend {
					j := lab[r]
					upper[i] = math.Sqrt(d1[r]) * (1 + g)
					lower[i] = math.Sqrt(d2[r]) * (1 - g)
					if a := labels[i]; j != a {
						ch++
						labels[i] = j
						if sums == sumsDelta {
							dt.centre(buf, i)
							kmAddTo(p[j*d:(j+1)*d], buf)
							kmSubFrom(p[a*d:(a+1)*d], buf)
							pc[j]++
							pc[a]--
						}
					}
				}
				pend = pend[:0]
			}
			for i := lo; i < hi; i++ {
				a := labels[i]
				ua := (upper[i] + delta[a]) * up
				dl := dmax1
				if a == imax {
					dl = dmax2
				}
				la := (lower[i] - dl) * down
				if ua >= max(half[a], la) {
					pend = append(pend, i)
					if len(pend) == cap(pend) {
						flush()
					}
					continue
				}
				upper[i], lower[i] = ua, la
			}
			flush()
			changed[c] = ch
			nrec[c] = rec
			ndist[c] = int64(rec) * int64(k)
		})
		for _, v := range ndist {
			res.nDist += v
		}
	}
	// dense reports whether the last pass recomputed so many rows that an
	// exact pass is cheaper: a recomputed row costs about twice a row of
	// an exact pass (scattered reads) plus the bound checks of all rows.
	dense := func() bool {
		r := 0
		for _, v := range nrec {
			r += v
		}
		return float64(r) > kmHamerlyDense*float64(n)
	}

	strict := false
	iter := 0
	exact, sums := true, sumsFull
	for iter = 0; iter < maxIter; iter++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pass(exact, sums)
		s.reduce(dt.nChunk, sums == sumsFull)
		// After an exact pass the bounds are tight: try them.
		exact, sums = !exact && dense(), sumsDelta
		if exact {
			sums = sumsFull
		}
		if r := kmRelocateEmpty(dt, s, cur, labels); r > 0 {
			res.nReloc += r
			// The sums no longer follow the labels.
			exact, sums = true, sumsFull
		}
		shift := kmUpdateCentres(next, cur, s)
		kmHamerlyBounds(next, cur, k, d, g, delta, half)
		dmax1, dmax2, imax = 0, 0, -1
		for j, v := range delta {
			switch {
			case v > dmax1:
				dmax1, dmax2, imax = v, dmax1, j
			case v > dmax2:
				dmax2 = v
			}
		}
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
		pass(exact, sumsNone)
	}
	res.centres = cur
	res.labels = labels
	res.inertia = kmInertia(dt, cur, labels)
	res.nIter = iter + 1
	return res, nil
}

// kmHamerlyBounds sets delta[j] to an upper bound on the distance centre j
// moved from old to cur, and half[j] to a lower bound on half the distance
// from cur centre j to its nearest other centre.
func kmHamerlyBounds(cur, old []float64, k, d int, g float64, delta, half []float64) {
	for j := range k {
		cj := cur[j*d : (j+1)*d]
		delta[j] = math.Sqrt(kmSqDist(cj, old[j*d:(j+1)*d])) * (1 + g)
		h := math.Inf(1)
		for q := range k {
			if q != j {
				h = min(h, kmSqDist(cj, cur[q*d:(q+1)*d]))
			}
		}
		half[j] = 0.5 * math.Sqrt(h) * (1 - 2*g)
	}
}
