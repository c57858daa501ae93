package cluster

import (
	"context"
	"math"
	"slices"

	"github.com/persona-seg/persona/internal/parallel"
)

// pam is R's cluster::pam (variant "original"): BUILD, unless
// o.InitMedoids are given, then SWAP until no swap lowers the objective by
// more than 16 machine epsilons of it. Every sum is accumulated in R's
// order, so the medoids, labels and objectives equal R's.
//
// R's loops visit the pairs in an order that is slow on a condensed matrix
// (a column at a time); here a pass streams the matrix once, block by
// block, and keeps one accumulator per candidate (and medoid, in SWAP), so
// that each accumulator still receives its terms in R's order (j = 0, 1,
// ..., n-1). The blocks run in parallel.
func pam(ctx context.Context, m *DistMatrix, o KMedoidsOptions) (*KMedoidsResult, error) {
	n, k := m.n, o.K
	var s float64 // the largest dissimilarity
	for _, v := range m.data {
		s = max(s, v)
	}
	big := s*1.1 + 1 // above every dissimilarity
	st := &pamState{m: m, n: n, k: k, workers: o.Workers, big: big,
		isMed: make([]bool, n), dma: make([]float64, n), dmb: make([]float64, n)}
	for j := range st.dma {
		st.dma[j] = big
	}
	if o.InitMedoids != nil {
		for _, i := range o.InitMedoids {
			st.isMed[i] = true
		}
		for i := range n {
			if st.isMed[i] {
				st.lower(i)
			}
		}
	} else if err := st.build(ctx); err != nil {
		return nil, err
	}
	var sky float64
	for _, v := range st.dma {
		sky += v
	}
	res := &KMedoidsResult{Method: KMedoidsPAM, BuildObjective: sky / float64(n)}
	if k > 1 || o.InitMedoids != nil {
		st.meds = st.medoidRows()
		st.acc = make([]float64, n*k)
		st.near = make([]int32, n)
		for {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			st.nearest()
			clear(st.acc)
			if err := st.pass(ctx, swapVisitor{st}); err != nil {
				return nil, err
			}
			dz, h, i := 1.0, -1, -1
			for c := range n {
				if st.isMed[c] {
					continue
				}
				for t, v := range st.acc[c*k : c*k+k] {
					if dz > v {
						dz, h, i = v, c, st.meds[t]
					}
				}
			}
			if !(dz < -16*epsilon*math.Abs(sky)) {
				break
			}
			st.isMed[h], st.isMed[i] = true, false
			st.meds = st.medoidRows()
			sky += dz
			res.Swaps++
		}
	}
	res.Objective = sky / float64(n)
	kmFinish(res, n, st.medoidRows(), m.At)
	return res, nil
}

// epsilon is C's DBL_EPSILON.
const epsilon = 0x1p-52

// pamState is the state of PAM's BUILD and SWAP.
type pamState struct {
	m        *DistMatrix
	n, k     int
	workers  int
	big      float64   // larger than every dissimilarity
	isMed    []bool    // R's nrepr
	meds     []int     // the medoids, ascending (SWAP)
	dma, dmb []float64 // dissimilarity to the nearest and second nearest medoid
	// near[j] is the position in meds of the medoid whose dissimilarity to
	// j equals dma[j], or -1 when several do (ties[j] then lists them).
	near []int32
	ties map[int][]int32
	gain []float64 // BUILD: the gain of each candidate
	acc  []float64 // SWAP: n x k, the change of the objective if candidate h replaces medoid meds[t]
}

func (st *pamState) medoidRows() []int {
	var meds []int
	for i, ok := range st.isMed {
		if ok {
			meds = append(meds, i)
		}
	}
	return meds
}

// lower sets dma[j] to d(i, j) where that is smaller.
func (st *pamState) lower(i int) {
	for j := range st.n {
		if v := st.m.At(i, j); st.dma[j] > v {
			st.dma[j] = v
		}
	}
}

// build is PAM's BUILD: K times, the candidate that lowers the objective
// most (the last of equal gains, as R's <=) becomes a medoid.
func (st *pamState) build(ctx context.Context) error {
	st.gain = make([]float64, st.n)
	for range st.k {
		clear(st.gain)
		if err := st.pass(ctx, buildVisitor{st}); err != nil {
			return err
		}
		best, bestGain := -1, 0.0
		for i, g := range st.gain {
			if !st.isMed[i] && bestGain <= g {
				best, bestGain = i, g
			}
		}
		st.isMed[best] = true
		st.lower(best)
	}
	return nil
}

// nearest computes dma, dmb and near for the medoids, visiting them in row
// order as R does.
func (st *pamState) nearest() {
	clear(st.ties)
	for j := range st.n {
		a, b := st.big, st.big
		for _, i := range st.meds {
			v := st.m.At(i, j)
			if a > v {
				b, a = a, v
			} else if b > v {
				b = v
			}
		}
		st.dma[j], st.dmb[j] = a, b
		st.near[j] = -1
		count := 0
		for t, i := range st.meds {
			if st.m.At(i, j) == a {
				count++
				st.near[j] = int32(t)
			}
		}
		if count > 1 {
			if st.ties == nil {
				st.ties = map[int][]int32{}
			}
			var ts []int32
			for t, i := range st.meds {
				if st.m.At(i, j) == a {
					ts = append(ts, int32(t))
				}
			}
			st.ties[j] = ts
			st.near[j] = -1
		}
	}
}

// pamVisitor receives the entries of the matrix for the candidates of one
// block, each candidate's in ascending order of the other object j.
type pamVisitor interface {
	// column: candidate h0+t receives (j, seg[t]).
	column(j, h0 int, seg []float64)
	// row: candidate h receives (j0+t, seg[t]), in order.
	row(h, j0 int, seg []float64)
	// diag: candidate h receives (h, 0).
	diag(h int)
}

// pamBlock is the number of candidates per block of a pass.
const pamBlock = 128

// pass streams the matrix once: the candidates are cut into blocks, and
// for the block [h0, h1) the rows a < h0 give their entries (a, h0..h1-1)
// as columns, then each row a of the block gives (a, a) and its whole
// tail (a, a+1..n-1), which also holds column a of the block's later
// candidates. So every candidate receives its entries for j = 0, 1, ...
// in order.
func (st *pamState) pass(ctx context.Context, v pamVisitor) error {
	n, m := st.n, st.m
	blocks := (n + pamBlock - 1) / pamBlock
	return parallel.For(ctx, st.workers, blocks, func(_, b int) {
		h0, h1 := b*pamBlock, min((b+1)*pamBlock, n)
		for a := 0; a < h0; a++ {
			r := m.row(a)
			v.column(a, h0, r[h0-a-1:h1-a-1])
		}
		for a := h0; a < h1; a++ {
			v.diag(a)
			if a == n-1 {
				continue
			}
			r := m.row(a)
			v.row(a, a+1, r)
			v.column(a, a+1, r[:h1-a-1])
		}
	})
}

// buildVisitor sums, for each candidate i, max(0, dma[j] - d(i, j)) over
// j: R's beter[i].
type buildVisitor struct{ st *pamState }

func (v buildVisitor) column(j, h0 int, seg []float64) {
	st := v.st
	dj := st.dma[j]
	for t, d := range seg {
		h := h0 + t
		if st.isMed[h] {
			continue
		}
		if c := dj - d; c > 0 {
			st.gain[h] += c
		}
	}
}

func (v buildVisitor) row(h, j0 int, seg []float64) {
	st := v.st
	if st.isMed[h] {
		return
	}
	g := st.gain[h]
	dma := st.dma[j0 : j0+len(seg)]
	for t, d := range seg {
		if c := dma[t] - d; c > 0 {
			g += c
		}
	}
	st.gain[h] = g
}

func (v buildVisitor) diag(h int) {
	st := v.st
	if st.isMed[h] {
		return
	}
	if c := st.dma[h]; c > 0 {
		st.gain[h] += c
	}
}

// swapVisitor sums, for each candidate h and medoid position t, R's
// T_{ih}: the change of the objective when h replaces medoid meds[t].
type swapVisitor struct{ st *pamState }

// add adds the term of object j (at dissimilarity d from candidate h) to
// acc, the accumulators of h.
func (v swapVisitor) add(acc []float64, j int, d float64) {
	st := v.st
	dma, dmb := st.dma[j], st.dmb[j]
	small := dmb
	if dmb > d {
		small = d
	}
	a := -dma + small // j loses its nearest medoid
	if t := st.near[j]; t >= 0 {
		if d < dma {
			b := -dma + d // j moves to h
			for s := range acc {
				if s != int(t) {
					acc[s] += b
				}
			}
		}
		acc[t] += a
		return
	}
	ts := st.ties[j]
	for s := range acc {
		if slices.Contains(ts, int32(s)) {
			acc[s] += a
		} else if d < dma {
			acc[s] += -dma + d
		}
	}
}

func (v swapVisitor) column(j, h0 int, seg []float64) {
	st, k := v.st, v.st.k
	for t, d := range seg {
		h := h0 + t
		if !st.isMed[h] {
			v.add(st.acc[h*k:h*k+k], j, d)
		}
	}
}

func (v swapVisitor) row(h, j0 int, seg []float64) {
	st, k := v.st, v.st.k
	if st.isMed[h] {
		return
	}
	acc := st.acc[h*k : h*k+k]
	for t, d := range seg {
		v.add(acc, j0+t, d)
	}
}

func (v swapVisitor) diag(h int) {
	st, k := v.st, v.st.k
	if !st.isMed[h] {
		v.add(st.acc[h*k:h*k+k], h, 0)
	}
}
