package cluster

import (
	"context"
	"math"

	"github.com/persona-seg/persona/internal/parallel"
)

// lkWard is SciPy's Lance–Williams update for Ward: the distance from
// cluster i to the union of x and y, given d(x,i), d(y,i), d(x,y) and the
// three sizes. It and the complete and average updates in lkMatrixUpdate
// are written as SciPy writes them (same operations, same order), with
// explicit conversions so the compiler cannot fuse them into FMAs, so the
// results are bit-identical to SciPy's.
func lkWard(dxi, dyi, dxy float64, nx, ny, ni int) float64 {
	t := 1.0 / float64(nx+ny+ni)
	return math.Sqrt(float64(float64(float64(float64(ni+nx)*t)*dxi)*dxi) +
		float64(float64(float64(float64(ni+ny)*t)*dyi)*dyi) -
		float64(float64(float64(float64(ni)*t)*dxy)*dxy))
}

// lkPdist fills the condensed Euclidean distance matrix of the n rows of x
// (row i's distances to rows i+1..n-1 follow each other), in parallel.
func lkPdist(ctx context.Context, x []float64, n, d, workers int) ([]float64, error) {
	D := make([]float64, n*(n-1)/2)
	const block = 64
	err := parallel.For(ctx, workers, (n+block-1)/block, func(_, b int) {
		for i := b * block; i < min((b+1)*block, n); i++ {
			xi := x[i*d : (i+1)*d]
			row := D[lkRowStart(n, i)+i+1 : lkRowStart(n, i)+n]
			for j := range row {
				row[j] = math.Sqrt(lkSqDist(xi, x[(i+1+j)*d:(i+2+j)*d]))
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return D, nil
}

// lkRowStart returns s such that the condensed index of (i, j), i < j, is
// s + j.
func lkRowStart(n, i int) int {
	return i*(2*n-i-1)/2 - i - 1
}

// lkMatrixLinkage is SciPy's nn_chain on the condensed distance matrix, for
// Ward (Lance–Williams), complete and average linkage. Candidates are
// scanned in slot order; the first strict minimum wins and the previous
// chain element is kept when it is as close; the merged cluster of slots
// x < y lives on in slot y.
func lkMatrixLinkage(ctx context.Context, x []float64, n, d int, method LinkageMethod, workers int) ([]lkRow, error) {
	D, err := lkPdist(ctx, x, n, d, workers)
	if err != nil {
		return nil, err
	}
	return lkChain(ctx, D, n, method, workers)
}

// lkChain runs the chain on the condensed matrix D of n objects, which it
// overwrites.
func lkChain(ctx context.Context, D []float64, n int, method LinkageMethod, workers int) ([]lkRow, error) {
	rs := make([]int, n)
	for i := range rs {
		rs[i] = lkRowStart(n, i)
	}
	size := make([]int, n)
	active := make([]int32, n) // live slots, ascending
	for i := range n {
		size[i] = 1
		active[i] = int32(i)
	}
	at := func(i, j int) int { // condensed index, i != j
		if i < j {
			return rs[i] + j
		}
		return rs[j] + i
	}
	chain := make([]int, 0, n)
	rows := make([]lkRow, 0, n-1)
	// The scan and the update of every step, made once (see lkPar).
	par := newLKPar(workers)
	defer par.close()
	var a, b, na, nb int
	var h, bound float64
	scan := func(lo, hi int) lkMin { return lkMatrixScan(D, rs, active[lo:hi], a, bound) }
	update := func(lo, hi int) { lkMatrixUpdate(D, rs, active[lo:hi], size, a, b, h, na, nb, method) }
	for k := 0; k < n-1; k++ {
		if k&255 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if len(chain) == 0 {
			chain = append(chain, int(active[0]))
		}
		for {
			a = chain[len(chain)-1]
			// Only a cluster strictly nearer than the previous chain element
			// can replace it (SciPy keeps the previous element on equality).
			bound = math.Inf(1)
			if len(chain) > 1 {
				bound = D[at(a, chain[len(chain)-2])]
			}
			best := par.min(len(active), scan)
			if best.key < 0 && len(chain) > 1 {
				best = lkMin{bound, chain[len(chain)-2], 0}
			}
			if best.key < 0 { // all remaining distances infinite
				best = lkMin{math.Inf(1), lkFirstActive(active, a), 0}
			}
			if len(chain) > 1 && best.key == chain[len(chain)-2] {
				b, h = best.key, best.v
				break
			}
			chain = append(chain, best.key)
		}
		chain = chain[:len(chain)-2]
		if a > b {
			a, b = b, a
		}
		na, nb = size[a], size[b]
		rows = append(rows, lkRow{a: a, b: b, h: h})
		size[a] = 0
		size[b] = na + nb
		// Drop a from the live slots (keeping them ascending), then update
		// the distances to the new cluster in slot b.
		ia := 0
		for int(active[ia]) != a {
			ia++
		}
		copy(active[ia:], active[ia+1:])
		active = active[:len(active)-1]
		par.do(len(active), update)
	}
	return rows, nil
}

// lkMatrixScan returns the slot of active (ascending) nearest to slot a,
// strictly below bound, the first in slot order on ties; key -1 when none.
func lkMatrixScan(D []float64, rs []int, active []int32, a int, bound float64) lkMin {
	best := lkMin{bound, -1, 0}
	k := 0
	for ; k < len(active) && int(active[k]) < a; k++ { // column a: rows i < a
		i := int(active[k])
		if v := D[rs[i]+a]; v < best.v {
			best = lkMin{v, i, 0}
		}
	}
	rsa := rs[a]
	for _, i32 := range active[k:] { // row a: columns i > a
		i := int(i32)
		if i == a {
			continue
		}
		if v := D[rsa+i]; v < best.v {
			best = lkMin{v, i, 0}
		}
	}
	return best
}

// lkMatrixUpdate sets the distances from the slots in active to slot b, the
// union of slots a < b, with the Lance–Williams update. complete and
// average are written out so the loop makes no call.
func lkMatrixUpdate(D []float64, rs []int, active []int32, size []int, a, b int, h float64, na, nb int, method LinkageMethod) {
	idx := func(i, j int) int { // condensed index, i != j
		if i < j {
			return rs[i] + j
		}
		return rs[j] + i
	}
	switch method {
	case LinkageComplete:
		for _, i32 := range active {
			i := int(i32)
			if i == b {
				continue
			}
			ia, ib := idx(i, a), idx(i, b)
			if D[ia] > D[ib] {
				D[ib] = D[ia]
			}
		}
	case LinkageAverage: // SciPy: (nx*d_xi + ny*d_yi) / (nx + ny)
		fa, fb, sum := float64(na), float64(nb), float64(na+nb)
		for _, i32 := range active {
			i := int(i32)
			if i == b {
				continue
			}
			ia, ib := idx(i, a), idx(i, b)
			D[ib] = (float64(fa*D[ia]) + float64(fb*D[ib])) / sum
		}
	case LinkageWard:
		for _, i32 := range active {
			i := int(i32)
			if i == b {
				continue
			}
			ib := idx(i, b)
			D[ib] = lkWard(D[idx(i, a)], D[ib], h, na, nb, size[i])
		}
	default:
		panic("cluster: unknown matrix linkage " + method)
	}
}

func lkFirstActive(active []int32, a int) int {
	for _, i := range active {
		if int(i) != a {
			return int(i)
		}
	}
	panic("cluster: no other live cluster")
}
