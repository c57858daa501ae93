package cluster

import (
	"context"

	"github.com/persona-seg/persona/internal/parallel"
)

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
// handing the scan to other goroutines costs more than the scan.
const lkMinChunk = 2048

// lkPar runs the scans of a chain (one to three per merge, so tens of
// thousands in a row) on goroutines started once for the whole chain: it
// splits [0, m) into at most workers contiguous chunks of at least
// lkMinChunk candidates. The callers pass the same scan function at every
// step (a closure made once, reading the step's values from variables it
// shares), so a step allocates nothing. close stops the goroutines.
type lkPar struct {
	workers     int
	pool        *parallel.Pool // started at the first scan that is split
	m, c        int            // the current scan: candidates, chunks
	fmin        func(lo, hi int) lkMin
	fdo         func(lo, hi int)
	res         []lkMin
	minFn, doFn func(w, i int)
}

func newLKPar(workers int) *lkPar {
	p := &lkPar{workers: max(workers, 1)}
	p.res = make([]lkMin, p.workers)
	p.minFn = func(_, i int) { p.res[i] = p.fmin(i*p.m/p.c, (i+1)*p.m/p.c) }
	p.doFn = func(_, i int) { p.fdo(i*p.m/p.c, (i+1)*p.m/p.c) }
	return p
}

func (p *lkPar) close() {
	if p.pool != nil {
		p.pool.Close()
	}
}

// split returns the number of chunks [0, m) is cut into and readies the
// pool when there are several.
func (p *lkPar) split(m int) int {
	c := min(p.workers, m/lkMinChunk)
	if c > 1 && p.pool == nil {
		p.pool = parallel.NewPool(p.workers)
	}
	p.m, p.c = m, c
	return c
}

// min runs f on the chunks of [0, m) and returns the smallest result. f
// must return key -1 (or an infinite value) for no candidate.
func (p *lkPar) min(m int, f func(lo, hi int) lkMin) lkMin {
	c := p.split(m)
	if c <= 1 {
		return f(0, m)
	}
	p.fmin = f
	p.pool.For(c, p.minFn)
	p.fmin = nil
	best := p.res[0]
	for _, r := range p.res[1:c] {
		if r.key >= 0 && (best.key < 0 || r.less(best)) {
			best = r
		}
	}
	return best
}

// do runs f on the chunks of [0, m).
func (p *lkPar) do(m int, f func(lo, hi int)) {
	c := p.split(m)
	if c <= 1 {
		f(0, m)
		return
	}
	p.fdo = f
	p.pool.For(c, p.doFn)
	p.fdo = nil
}

// lkParallelFor runs f once over [0, m) split into at most workers chunks
// of at least lkMinChunk.
func lkParallelFor(m, workers int, f func(lo, hi int)) {
	c := min(workers, m/lkMinChunk)
	if c <= 1 {
		f(0, m)
		return
	}
	parallel.For(context.Background(), c, c, func(_, i int) { f(i*m/c, (i+1)*m/c) })
}
