package cluster

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
)

// lkUpdate is a Lance–Williams update: the distance from cluster i to the
// union of x and y, given d(x,i), d(y,i), d(x,y) and the three sizes.
type lkUpdate func(dxi, dyi, dxy float64, nx, ny, ni int) float64

// The updates are written as SciPy writes them (same operations, same
// order), with explicit conversions so the compiler cannot fuse them into
// FMAs, so the results are bit-identical to SciPy's.
func lkWard(dxi, dyi, dxy float64, nx, ny, ni int) float64 {
	t := 1.0 / float64(nx+ny+ni)
	return math.Sqrt(float64(float64(float64(float64(ni+nx)*t)*dxi)*dxi) +
		float64(float64(float64(float64(ni+ny)*t)*dyi)*dyi) -
		float64(float64(float64(float64(ni)*t)*dxy)*dxy))
}

func lkComplete(dxi, dyi, dxy float64, nx, ny, ni int) float64 {
	if dxi > dyi {
		return dxi
	}
	return dyi
}

func lkAverage(dxi, dyi, dxy float64, nx, ny, ni int) float64 {
	return (float64(float64(nx)*dxi) + float64(float64(ny)*dyi)) / float64(nx+ny)
}

// lkPdist fills the condensed Euclidean distance matrix of the n rows of x
// (row i's distances to rows i+1..n-1 follow each other), in parallel.
func lkPdist(ctx context.Context, x []float64, n, d, workers int) ([]float64, error) {
	D := make([]float64, n*(n-1)/2)
	const block = 64
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i0 := int(next.Add(block)) - block
				if i0 >= n || ctx.Err() != nil {
					return
				}
				for i := i0; i < min(i0+block, n); i++ {
					xi := x[i*d : (i+1)*d]
					row := D[lkRowStart(n, i)+i+1 : lkRowStart(n, i)+n]
					for j := range row {
						row[j] = math.Sqrt(lkSqDist(xi, x[(i+1+j)*d:(i+2+j)*d]))
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
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
func lkMatrixLinkage(ctx context.Context, x []float64, n, d int, update lkUpdate, workers int) ([]lkRow, error) {
	D, err := lkPdist(ctx, x, n, d, workers)
	if err != nil {
		return nil, err
	}
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
	for k := 0; k < n-1; k++ {
		if k&255 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if len(chain) == 0 {
			chain = append(chain, int(active[0]))
		}
		var a, b int
		var h float64
		for {
			a = chain[len(chain)-1]
			rsa := rs[a]
			best := lkParallelMin(len(active), workers, func(lo, hi int) lkMin {
				best := lkMin{math.Inf(1), math.MaxInt, 0}
				for _, i32 := range active[lo:hi] {
					i := int(i32)
					var v float64
					switch {
					case i < a:
						v = D[rs[i]+a]
					case i > a:
						v = D[rsa+i]
					default:
						continue
					}
					if v < best.v {
						best = lkMin{v, i, 0}
					}
				}
				return best
			})
			if len(chain) > 1 {
				prev := chain[len(chain)-2]
				if vp := D[at(a, prev)]; vp <= best.v {
					best = lkMin{vp, prev, 0}
				}
			}
			if best.key == math.MaxInt {
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
		na, nb := size[a], size[b]
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
		lkParallelFor(len(active), workers, func(lo, hi int) {
			for _, i32 := range active[lo:hi] {
				i := int(i32)
				if i == b {
					continue
				}
				ib := at(i, b)
				D[ib] = update(D[at(i, a)], D[ib], h, na, nb, size[i])
			}
		})
	}
	return rows, nil
}

func lkFirstActive(active []int32, a int) int {
	for _, i := range active {
		if int(i) != a {
			return int(i)
		}
	}
	panic("cluster: no other live cluster")
}
