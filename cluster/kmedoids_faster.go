package cluster

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
)

// fasterPAM is FasterPAM (Schubert and Rousseeuw 2021) as R's cluster::pam
// implements it (variant "faster", pamonce = 6): from the initial medoids,
// the candidates are visited in row order, starting after the last swap
// and wrapping around; the first candidate whose best swap lowers the
// objective is swapped in at once. It stops when a whole round of
// candidates finds no swap that lowers the objective by more than 16
// machine epsilons of it. Sums are accumulated in R's order, so from the
// same initial medoids the result equals R's.
func fasterPAM(ctx context.Context, m *DistMatrix, o KMedoidsOptions) (*KMedoidsResult, error) {
	n, k := m.n, o.K
	var s float64
	for _, v := range m.data {
		s = max(s, v)
	}
	big := s*1.1 + 1
	init := o.InitMedoids
	switch {
	case init != nil:
	case o.Init == InitRandom:
		r := rand.New(rand.NewPCG(o.Seed, 0x6b6d65646f696473))
		init = r.Perm(n)[:k]
	default:
		st := &pamState{m: m, n: n, k: k, workers: o.Workers, big: big,
			isMed: make([]bool, n), dma: make([]float64, n), dmb: make([]float64, n)}
		for j := range st.dma {
			st.dma[j] = big
		}
		if err := st.build(ctx); err != nil {
			return nil, err
		}
		init = st.medoidRows()
	}
	f := &fasterState{m: m, n: n, k: k, big: big,
		meds: slices.Sorted(slices.Values(init)), isMed: make([]bool, n),
		dma: make([]float64, n), dmb: make([]float64, n),
		memb: make([]int32, n), membb: make([]int32, n),
		row: make([]float64, n), gain: make([]float64, k), removeLoss: make([]float64, k)}
	for _, i := range f.meds {
		f.isMed[i] = true
	}
	// The objective before any swap, as R sums it (nearest medoid, from
	// big, in row order).
	var sky float64
	for j := range n {
		v := big
		for i := range n {
			if f.isMed[i] {
				v = min(v, m.At(i, j))
			}
		}
		sky += v
	}
	res := &KMedoidsResult{Method: KMedoidsFasterPAM, BuildObjective: sky / float64(n)}
	for j := range n {
		f.recompute(j)
	}
	start := 0
	for {
		dz, h, t, err := f.search(ctx, start)
		if err != nil {
			return nil, err
		}
		if !(dz < -16*epsilon*math.Abs(sky)) {
			break
		}
		f.swap(h, t)
		sky = 0
		for _, v := range f.dma {
			sky += v
		}
		res.Swaps++
		start = h + 1
	}
	res.Objective = sky / float64(n)
	kmFinish(res, n, f.meds, m.At)
	return res, nil
}

// fasterState is FasterPAM's state: the medoids by position (a swap
// replaces a position), and for each object its nearest and second
// nearest medoid positions and dissimilarities.
type fasterState struct {
	m           *DistMatrix
	n, k        int
	big         float64
	meds        []int
	isMed       []bool
	dma, dmb    []float64
	memb, membb []int32
	row         []float64 // scratch: the dissimilarities of one object
	gain        []float64 // scratch: R's beter per position
	removeLoss  []float64
}

// recompute finds the nearest and second nearest medoids of j, visiting
// the positions in order, as R does (memb keeps its old value until a
// nearer medoid is found).
func (f *fasterState) recompute(j int) {
	a, b := f.big, f.big
	for t, i := range f.meds {
		v := f.m.At(i, j)
		if a > v {
			f.membb[j] = f.memb[j]
			b = a
			f.memb[j] = int32(t)
			a = v
		} else if b > v {
			f.membb[j] = int32(t)
			b = v
		}
	}
	f.dma[j], f.dmb[j] = a, b
}

// fillRow sets f.row to the dissimilarities of object h to every object.
func (f *fasterState) fillRow(h int) {
	n, data, row := f.n, f.m.data, f.row
	idx := condensedIndex(n, 0, h) // (j, h) for j < h: step n-j-2
	for j := 0; j < h; j++ {
		row[j] = data[idx]
		idx += n - j - 2
	}
	row[h] = 0
	copy(row[h+1:], f.m.row(h))
}

// search visits the candidates from start, wrapping around, until one
// gives a swap that lowers the objective (or all were visited). It returns
// the best change found, the candidate and the medoid position.
func (f *fasterState) search(ctx context.Context, start int) (float64, int, int, error) {
	n, k := f.n, f.k
	for t := range f.removeLoss {
		f.removeLoss[t] = 0
	}
	for j := range n {
		f.removeLoss[f.memb[j]] += f.dmb[j] - f.dma[j]
	}
	dz, hb, tb := 1.0, -1, -1
	h := start % n
	for range n {
		if h&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, 0, 0, err
			}
		}
		if !f.isMed[h] {
			f.fillRow(h)
			gain := f.gain
			clear(gain)
			acc := -f.dma[h]
			gain[f.memb[h]] += f.dma[h] - f.dmb[h]
			f.scan(0, h, &acc)
			f.scan(h+1, n, &acc)
			for t := range k {
				if loss := gain[t] + acc + f.removeLoss[t]; loss < dz {
					dz, hb, tb = loss, h, t
				}
			}
			if dz < 0 {
				break
			}
		}
		if h++; h == n {
			h = 0
		}
	}
	return dz, hb, tb, nil
}

// scan adds the terms of objects lo..hi-1 for the candidate in f.row.
func (f *fasterState) scan(lo, hi int, acc *float64) {
	row, dma, dmb, memb, gain := f.row[lo:hi], f.dma[lo:hi], f.dmb[lo:hi], f.memb[lo:hi], f.gain
	a := *acc
	for j, dh := range row {
		dc, ds := dma[j], dmb[j]
		if dh < dc {
			a += dh - dc
			gain[memb[j]] += dc - ds
		} else if dh < ds {
			gain[memb[j]] += dh - ds
		}
	}
	*acc = a
}

// swap makes h the medoid at position t and updates the nearest and
// second nearest medoids as R does.
func (f *fasterState) swap(h, t int) {
	f.isMed[f.meds[t]] = false
	f.isMed[h] = true
	f.meds[t] = h
	f.fillRow(h)
	kb := int32(t)
	for j, dnew := range f.row {
		if f.memb[j] == kb {
			if dnew < f.dmb[j] {
				f.dma[j] = dnew
			} else {
				f.recompute(j)
			}
			continue
		}
		switch {
		case dnew < f.dma[j]:
			f.membb[j] = f.memb[j]
			f.dmb[j] = f.dma[j]
			f.memb[j] = kb
			f.dma[j] = dnew
		case f.membb[j] == kb:
			f.recompute(j)
		case dnew < f.dmb[j]:
			f.membb[j] = kb
			f.dmb[j] = dnew
		}
	}
}
