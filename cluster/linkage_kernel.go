package cluster

import "sync"

// lkSqDist returns the squared Euclidean distance of a and b (equal lengths).
func lkSqDist(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		d0 := a[i] - b[i]
		d1 := a[i+1] - b[i+1]
		d2 := a[i+2] - b[i+2]
		d3 := a[i+3] - b[i+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(a); i++ {
		d := a[i] - b[i]
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// lkSqDistBelow returns the squared distance of a and b and true when it is
// below bound; it gives up (false) as soon as a partial sum reaches bound.
func lkSqDistBelow(a, b []float64, bound float64) (float64, bool) {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		d0 := a[i] - b[i]
		d1 := a[i+1] - b[i+1]
		d2 := a[i+2] - b[i+2]
		d3 := a[i+3] - b[i+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
		if (s0+s1)+(s2+s3) >= bound {
			return 0, false
		}
	}
	for ; i < len(a); i++ {
		t := a[i] - b[i]
		s0 += t * t
	}
	s := (s0 + s1) + (s2 + s3)
	return s, s < bound
}

// lkMin is a candidate nearest neighbour: the smallest value, ties broken
// by the smallest key (a SciPy index), which is the first strict minimum of
// a scan in key order.
type lkMin struct {
	v   float64
	key int
	at  int // storage position, where the caller needs it
}

func (m lkMin) less(o lkMin) bool {
	return m.v < o.v || (m.v == o.v && m.key < o.key)
}

// lkMinChunk is the smallest number of candidates per goroutine: below it,
// starting goroutines costs more than the search.
const lkMinChunk = 2048

// lkParallelMin splits [0, m) into at most workers contiguous chunks, runs
// f on each (the first chunk on the calling goroutine) and returns the
// smallest result. f must return lkMin{+Inf, maxInt} for no candidate.
func lkParallelMin(m, workers int, f func(lo, hi int) lkMin) lkMin {
	w := min(workers, m/lkMinChunk)
	if w <= 1 {
		return f(0, m)
	}
	res := make([]lkMin, w)
	var wg sync.WaitGroup
	for c := 1; c < w; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[c] = f(c*m/w, (c+1)*m/w)
		}()
	}
	res[0] = f(0, m/w)
	wg.Wait()
	best := res[0]
	for _, r := range res[1:] {
		if r.key >= 0 && (best.key < 0 || r.less(best)) {
			best = r
		}
	}
	return best
}

// lkParallelFor runs f over [0, m) split into at most workers chunks.
func lkParallelFor(m, workers int, f func(lo, hi int)) {
	w := min(workers, m/lkMinChunk)
	if w <= 1 {
		f(0, m)
		return
	}
	var wg sync.WaitGroup
	for c := 1; c < w; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(c*m/w, (c+1)*m/w)
		}()
	}
	f(0, m/w)
	wg.Wait()
}
