package value

import (
	"fmt"
	"math"
	"slices"
)

// patterns are the distinct (x, t_x, T) of a summary with their total
// weight; the likelihoods are sums over them. The x-only terms are
// computed once per distinct x.
type patterns struct {
	x, tx, T, w []float64
	xi          []int32   // pattern's index into xs
	xs          []float64 // distinct x, ascending
	wx          []float64 // total weight per distinct x
	// Ts holds the distinct values of T and of t_x; Ti and txi index a
	// pattern's T and t_x in it, so that functions of them can be
	// computed once per distinct value.
	Ts        []float64
	Ti, txi   []int32
	total     float64 // total weight
	maxT      float64
	repeaters float64 // weight with x > 0
}

// checkRFM validates frequency, recency and age columns (and weights)
// as lifetimes' _check_inputs does, naming the first bad customer.
func checkRFM(x, tx, T, w []float64) error {
	if len(x) != len(tx) || len(x) != len(T) || (w != nil && len(w) != len(x)) {
		panic("value: slice length mismatch")
	}
	if len(x) == 0 {
		return ErrNoPurchases
	}
	for i := range x {
		switch {
		case !finite(x[i]) || x[i] < 0 || x[i] != math.Trunc(x[i]):
			return fmt.Errorf("customer %d: frequency %g is not a whole number >= 0", i+1, x[i])
		case !finite(tx[i]) || tx[i] < 0:
			return fmt.Errorf("customer %d: recency %g is not a number >= 0", i+1, tx[i])
		case !finite(T[i]) || T[i] < tx[i]:
			return fmt.Errorf("customer %d: T %g is not a number >= recency %g", i+1, T[i], tx[i])
		case x[i] == 0 && tx[i] != 0:
			return fmt.Errorf("customer %d: recency %g with no repeat purchase (want 0)", i+1, tx[i])
		case w != nil && (!finite(w[i]) || w[i] < 0):
			return fmt.Errorf("customer %d: weight %g is not a number >= 0", i+1, w[i])
		}
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// compress groups identical (x, t_x, T); nil w means weight 1 each.
// Patterns come in the order of their first customer. When of is not
// nil, of[i] is set to customer i's pattern (−1 for weight 0).
func compress(x, tx, T, w []float64, of []int32) *patterns {
	type key struct{ x, tx, T float64 }
	var idx map[key]int32
	// Whole days (or weeks of whole days) pack into one uint64, which
	// hashes faster than three floats.
	scale := packScale(x, tx, T)
	var packed map[uint64]int32
	if scale > 0 {
		packed = make(map[uint64]int32, min(len(x), 1<<16))
	} else {
		idx = make(map[key]int32, min(len(x), 1<<16))
	}
	p := &patterns{}
	for i := range x {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		if wi == 0 {
			if of != nil {
				of[i] = -1
			}
			continue
		}
		var j int32
		var ok bool
		var k key
		var pk uint64
		if packed != nil {
			pk = uint64(x[i])<<42 | uint64(math.Round(tx[i]*scale))<<21 | uint64(math.Round(T[i]*scale))
			j, ok = packed[pk]
		} else {
			k = key{x[i], tx[i], T[i]}
			j, ok = idx[k]
		}
		if !ok {
			j = int32(len(p.x))
			if packed != nil {
				packed[pk] = j
			} else {
				idx[k] = j
			}
			p.x = append(p.x, x[i])
			p.tx = append(p.tx, tx[i])
			p.T = append(p.T, T[i])
			p.w = append(p.w, 0)
		}
		p.w[j] += wi
		if of != nil {
			of[i] = j
		}
	}
	p.xs = slices.Clone(p.x)
	slices.Sort(p.xs)
	p.xs = slices.Compact(p.xs)
	p.wx = make([]float64, len(p.xs))
	p.xi = make([]int32, len(p.x))
	tIdx := map[float64]int32{}
	p.Ti = make([]int32, len(p.x))
	p.txi = make([]int32, len(p.x))
	at := func(v float64) int32 {
		j, ok := tIdx[v]
		if !ok {
			j = int32(len(p.Ts))
			tIdx[v] = j
			p.Ts = append(p.Ts, v)
		}
		return j
	}
	for j := range p.x {
		p.Ti[j] = at(p.T[j])
		p.txi[j] = at(p.tx[j])
	}
	for j, xv := range p.x {
		k, _ := slices.BinarySearch(p.xs, xv)
		p.xi[j] = int32(k)
		p.wx[k] += p.w[j]
		p.total += p.w[j]
		p.maxT = math.Max(p.maxT, p.T[j])
		if xv > 0 {
			p.repeaters += p.w[j]
		}
	}
	return p
}

// packScale returns c = 1 (or 7) when every x is a whole number below
// 2^21 and every t_x and T is exactly n/c for a whole n below 2^21 (as a
// summary in days or weeks has them), so that a history packs into 63
// bits without merging distinct values; else 0.
func packScale(x, tx, T []float64) float64 {
	const lim = 1 << 21
	exact := func(v, c float64) bool {
		n := math.Round(v * c)
		return n < lim && n/c == v
	}
	for _, c := range []float64{1, 7} {
		ok := true
		for i := range x {
			if x[i] >= lim || !exact(tx[i], c) || !exact(T[i], c) {
				ok = false
				break
			}
		}
		if ok {
			return c
		}
	}
	return 0
}

// scaled returns a copy of p with recency and T multiplied by c.
func (p *patterns) scaled(c float64) *patterns {
	q := *p
	q.tx = make([]float64, len(p.tx))
	q.T = make([]float64, len(p.T))
	for i := range p.tx {
		q.tx[i] = p.tx[i] * c
		q.T[i] = p.T[i] * c
	}
	q.maxT = p.maxT * c
	q.Ts = make([]float64, len(p.Ts))
	for i, v := range p.Ts {
		q.Ts[i] = v * c
	}
	return &q
}

// every returns every k-th pattern of p (the first, the k+1-th, ...)
// with its weight: a deterministic subsample whose fit is a starting
// point for the fit of p.
func (p *patterns) every(k int) *patterns {
	q := &patterns{maxT: p.maxT, xs: p.xs, Ts: p.Ts}
	q.wx = make([]float64, len(p.xs))
	for i := 0; i < len(p.x); i += k {
		q.x = append(q.x, p.x[i])
		q.tx = append(q.tx, p.tx[i])
		q.T = append(q.T, p.T[i])
		q.w = append(q.w, p.w[i])
		q.xi = append(q.xi, p.xi[i])
		q.Ti = append(q.Ti, p.Ti[i])
		q.txi = append(q.txi, p.txi[i])
		q.wx[p.xi[i]] += p.w[i]
		q.total += p.w[i]
		if p.x[i] > 0 {
			q.repeaters += p.w[i]
		}
	}
	return q
}
