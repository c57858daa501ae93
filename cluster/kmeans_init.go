package cluster

import (
	"context"
	"math"
	"math/rand/v2"
)

// kmInitRandom returns k distinct rows of x, centred, chosen uniformly in the
// order of a random permutation (scikit-learn's init="random" takes the
// first k of a permutation).
func kmInitRandom(dt *kmData, k int, rng *rand.Rand, dst []float64) []float64 {
	d := dt.d
	if dst == nil {
		dst = make([]float64, k*d)
	}
	// Partial Fisher-Yates shuffle over the row indices, with the swapped
	// positions in a map so that it costs O(k).
	swapped := make(map[int]int, k)
	at := func(i int) int {
		if v, ok := swapped[i]; ok {
			return v
		}
		return i
	}
	for j := range k {
		r := j + rng.IntN(dt.n-j)
		pick := at(r)
		swapped[r] = at(j)
		dt.centre(dst[j*d:(j+1)*d], pick)
	}
	return dst
}

// kmInitPlusPlus returns k centred rows of x chosen by greedy k-means++ as
// scikit-learn's _kmeans_plusplus: the first uniformly, each next one the
// best of 2+floor(ln k) rows drawn with probability proportional to the
// squared distance to the nearest chosen centre, "best" meaning the lowest
// resulting potential (sum of squared distances to the nearest centre).
//
// Each step is one pass over x: it first folds the previous step's centre
// into the per-row nearest distances, then evaluates the candidates. The
// triangle inequality skips a distance that cannot lower a row's nearest
// distance: if ||c - a||^2 >= 4 ||x - a||^2 (with a relative margin far
// above rounding) for the row's nearest centre a, then ||x - c|| >=
// ||x - a||. Skipping therefore never changes a computed value.
func kmInitPlusPlus(ctx context.Context, dt *kmData, k int, rng *rand.Rand, dst []float64) ([]float64, error) {
	dst, _, err := kmInitPlusPlusPrune(ctx, dt, k, rng, dst, true)
	return dst, err
}

// kmPruneMargin is the relative margin of the k-means++ triangle test.
const kmPruneMargin = 1 + 1e-9

// kmPPBlockRows is the number of rows per block of a k-means++ step: large
// enough that the gather kernel's prefetching seldom restarts (1024 rows
// run about 5% faster than 256 on 1M x 16).
const kmPPBlockRows = 1024

// kmInitPlusPlusPrune is kmInitPlusPlus with the pruning optional; it also
// returns the number of row-to-centre distances computed.
func kmInitPlusPlusPrune(ctx context.Context, dt *kmData, k int, rng *rand.Rand, dst []float64, prune bool) ([]float64, int64, error) {
	n, d := dt.n, dt.d
	if dst == nil {
		dst = make([]float64, k*d)
	}
	trials := 2 + int(math.Log(float64(k)))
	closest := kmFloats(&dt.ppClosest, n) // squared distance to the nearest centre, up to the pending one
	if cap(dt.ppNear) < n {
		dt.ppNear = make([]int32, n)
	}
	near := dt.ppNear[:n] // index of that centre
	clear(near)
	part := make([]float64, dt.nChunk*trials) // per chunk, per candidate potential
	chunkPot := make([]float64, dt.nChunk)    // per chunk sum of the up-to-date nearest distances
	ndist := make([]int64, dt.nChunk)
	cand := make([]float64, trials*d)
	allBuf := make([]float64, (trials+1)*d)
	candID := make([]int, trials)
	var pk []float64 // all, packed for the AVX2 kernel
	// candCC[t*k+q] is ||cand_t - c_q||^2 and prevCC[q] ||pending - c_q||^2,
	// both times 1/4 and divided by the margin (-Inf when not pruning).
	candCC := make([]float64, trials*k)
	prevCC := make([]float64, k)
	minCC := make([]float64, k)
	type ppBuffers struct {
		scratch, out []float64
		slot, list   []int
	}
	bufs := make([]*ppBuffers, dt.workers) // one per worker, reused by every step

	dt.centre(dst[:d], rng.IntN(n))
	c0 := dst[:d]
	dt.parallel(func(c int) {
		scratch := make([]float64, d)
		lo, hi := dt.span(c)
		dt.dists(lo, hi, c0, 1, scratch, closest[lo:hi])
		s := 0.0
		for _, v := range closest[lo:hi] {
			s += v
		}
		chunkPot[c] = s
	})
	nDist := int64(n)
	pot := 0.0
	for _, v := range chunkPot {
		pot += v
	}
	var pending []float64 // centre chosen last step, not yet folded into closest
	for step := 1; step < k; step++ {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		for t := range trials {
			candID[t] = kmSearchPot(dt, closest, chunkPot, pending, rng.Float64()*pot)
			dt.centre(cand[t*d:(t+1)*d], candID[t])
		}
		// Centres chosen so far: 0..step-1, the last one pending.
		for q := range step {
			cq := dst[q*d : (q+1)*d]
			for t := range trials {
				candCC[t*k+q] = math.Inf(-1)
				if prune {
					candCC[t*k+q] = kmSqDist(cand[t*d:(t+1)*d], cq) / (4 * kmPruneMargin)
				}
			}
			prevCC[q] = math.Inf(-1)
			if prune && pending != nil {
				prevCC[q] = kmSqDist(pending, cq) / (4 * kmPruneMargin)
			}
		}
		// The centres a row may need, contiguous: the pending one (if
		// any), then the candidates.
		kk := trials
		all := cand
		if pending != nil {
			kk = trials + 1
			all = allBuf[:kk*d]
			copy(all, pending)
			copy(all[d:], cand)
		}
		prev := pending != nil
		prevID := int32(step - 1)
		// minCC[q]: a row whose nearest centre is q and whose distance to
		// it is at most minCC[q] cannot get closer to any of these centres.
		for q := range step {
			m := candCC[q]
			for t := 1; t < trials; t++ {
				m = min(m, candCC[t*k+q])
			}
			if prev {
				m = min(m, prevCC[q])
			}
			minCC[q] = m
		}
		if dt.simd {
			pk = kmPackCentres(pk, all, kk, d)
		}
		br := kmPPBlockRows
		if dt.ppBlockRows > 0 {
			br = dt.ppBlockRows
		}
		dt.parallelW(func(w, c int) {
			bf := bufs[w]
			if bf == nil {
				// One extra output row of +Inf stands for the rows
				// skipped: min(cl, +Inf) == cl, so they need no branch.
				bf = &ppBuffers{scratch: make([]float64, d), out: make([]float64, (br+1)*(trials+1)+4),
					slot: make([]int, br), list: make([]int, br)}
				bufs[w] = bf
			}
			lo, hi := dt.span(c)
			ndist[c] = kmPlusPlusChunk(dt, lo, hi, br, closest, near, minCC, all, pk, kk, trials, prev, prevID,
				bf.scratch, bf.out, bf.slot, bf.list, part[c*trials:(c+1)*trials])
		})
		for _, v := range ndist {
			nDist += v
		}
		best, bestPot := 0, math.Inf(1)
		for t := range trials {
			s := 0.0
			for c := range dt.nChunk {
				s += part[c*trials+t]
			}
			if s < bestPot {
				best, bestPot = t, s
			}
		}
		for c := range dt.nChunk {
			chunkPot[c] = part[c*trials+best]
		}
		pot = bestPot
		copy(dst[step*d:(step+1)*d], cand[best*d:(best+1)*d])
		pending = dst[step*d : (step+1)*d]
	}
	return dst, nDist, nil
}

// kmSearchPot returns the first row i whose cumulative potential reaches r
// (numpy's searchsorted(cumsum(closest), r), clipped to n-1), where the
// potential of row i is min(closest[i], ||x_i - pending||^2) and chunkPot
// holds its per-chunk sums.
func kmSearchPot(dt *kmData, closest, chunkPot, pending []float64, r float64) int {
	acc := 0.0
	c := 0
	for ; c < dt.nChunk-1; c++ {
		if acc+chunkPot[c] >= r {
			break
		}
		acc += chunkPot[c]
	}
	scratch := make([]float64, dt.d)
	var out [1]float64
	for ; c < dt.nChunk; c++ {
		lo, hi := dt.span(c)
		for i := lo; i < hi; i++ {
			v := closest[i]
			if pending != nil {
				dt.dists(i, i+1, pending, 1, scratch, out[:])
				v = min(v, out[0])
			}
			acc += v
			if acc >= r {
				return i
			}
		}
	}
	return dt.n - 1
}

// kmPlusPlusChunk runs one k-means++ step over the rows [lo, hi): in blocks
// of br rows, it lists the rows whose nearest distance one of the centres
// in all may lower (closest[i] > minCC[near[i]]), computes their distances
// to the kk centres of all (the pending one first when prev, then the
// trials candidates), folds the pending centre into closest and near, and
// sets p[t] to the sum over the rows, in row order, of the nearest distance
// with candidate t added. It returns the number of distances computed.
// slot and list hold br ints, out (br+1)*kk+4 floats.
func kmPlusPlusChunk(dt *kmData, lo, hi, br int, closest []float64, near []int32, minCC, all, pk []float64, kk, trials int,
	prev bool, prevID int32, scratch, out []float64, slot, list []int, p []float64) int64 {
	first := 0 // column of candidate 0
	if prev {
		first = 1
	}
	clear(p)
	var nd int64
	for b := lo; b < hi; b += br {
		be := min(b+br, hi)
		cs, ns := closest[b:be], near[b:be]
		sl := slot[:len(cs)]
		nl := dt.ppList(cs, ns, minCC, b, br, list, sl)
		dt.distsIdx(list[:nl], all, pk, kk, scratch, out)
		nd += int64(nl * kk)
		inf := out[br*kk : (br+1)*kk]
		for t := range inf {
			inf[t] = math.Inf(1)
		}
		kmPPMerge(dt.simd, cs, ns, sl, out, kk, first, br, trials, prev, prevID, p)
	}
	return nd
}

// kmPPMerge ends a block of rows of a k-means++ step: when prev, it folds
// column 0 of out (row slot[r] for cs[r]) into the nearest distances cs and
// their centres ns, then adds to p[t] the sum over r, in order, of
// min(cs[r], out[slot[r]*kk+first+t]). Each slot is at most skip, and out
// holds (skip+1)*kk+4 values. With simd, the AVX2 kernel does four
// candidates per vector, with the rounding of the scalar sums.
func kmPPMerge(simd bool, cs []float64, ns []int32, slot []int, out []float64, kk, first, skip, trials int, prev bool, id int32, p []float64) {
	if len(cs) == 0 {
		return
	}
	if len(ns) < len(cs) || len(slot) < len(cs) || len(out) < (skip+1)*kk+4 || first+trials > kk || len(p) < trials {
		panic("cluster: kmPPMerge: slice too short")
	}
	if !simd && prev {
		kmPPFold(cs, ns, slot, out, kk, id)
	}
	// Four candidates at a time; in Go, a group of fewer than four
	// repeats its last column.
	for g := 0; g < trials; g += 4 {
		m := min(4, trials-g)
		var acc [4]float64
		copy(acc[:], p[g:g+m])
		if simd {
			if kmPPMergeAsm(cs, ns, slot, out, kk, first+g, skip, prev && g == 0, id, &acc) != len(cs) {
				panic("cluster: kmPPMerge: slot out of range")
			}
		} else {
			var col [4]int
			for j := range col {
				col[j] = first + g + min(j, m-1)
			}
			acc = kmPPSum4(cs, slot, out, kk, col, acc)
		}
		copy(p[g:g+m], acc[:m])
	}
}

// ppList is kmPPList, in assembly when dt.simd.
func (dt *kmData) ppList(cs []float64, ns []int32, minCC []float64, b, skip int, list, slot []int) int {
	if len(cs) == 0 {
		return 0
	}
	if len(ns) < len(cs) || len(list) < len(cs) || len(slot) < len(cs) || len(minCC) == 0 {
		panic("cluster: ppList: slice too short")
	}
	if !dt.simd {
		return kmPPList(cs, ns, minCC, b, skip, list, slot)
	}
	nl := kmPPListFast(cs, ns, minCC, b, skip, list, slot)
	if nl < 0 {
		panic("cluster: ppList: centre out of range")
	}
	return nl
}

// kmPPList writes the rows b+r (r indexing cs) whose nearest distance some
// centre may lower, cs[r] > minCC[ns[r]], to list, and sets slot[r] to the
// row's position in list, or to skip for the others. It returns the length
// of the list. There is no branch on the data. (Not inlined: in its
// caller, the loop would keep its variables on the stack.)
//
//go:noinline
func kmPPList(cs []float64, ns []int32, minCC []float64, b, skip int, list, slot []int) int {
	ns = ns[:len(cs)]
	slot = slot[:len(cs)]
	list = list[:len(cs)]
	nl := 0
	for r, cl := range cs {
		list[nl] = b + r
		s, inc := skip, 0
		if cl > minCC[ns[r]] {
			s, inc = nl, 1
		}
		slot[r] = s
		nl += inc
	}
	return nl
}

// kmPPFold folds the centre of column 0 of out (row slot[r] for cs[r])
// into the nearest distances cs and their centres ns (ties keep the
// earlier centre).
//
//go:noinline
func kmPPFold(cs []float64, ns []int32, slot []int, out []float64, kk int, id int32) {
	ns = ns[:len(cs)]
	slot = slot[:len(cs)]
	for r, cl := range cs {
		d0 := out[slot[r]*kk]
		nr := ns[r]
		if d0 < cl {
			nr = id
		}
		cs[r], ns[r] = min(cl, d0), nr
	}
}

// kmPPSum4 returns acc[j] plus the sum over r, in order, of
// min(cs[r], out[slot[r]*kk+col[j]]).
func kmPPSum4(cs []float64, slot []int, out []float64, kk int, col [4]int, acc [4]float64) [4]float64 {
	slot = slot[:len(cs)]
	c0, c1, c2, c3 := col[0], col[1], col[2], col[3]
	if c0 < 0 || c1 < 0 || c2 < 0 || c3 < 0 || c0 >= kk || c1 >= kk || c2 >= kk || c3 >= kk {
		panic("cluster: kmPPSum4: column out of range")
	}
	p0, p1, p2, p3 := acc[0], acc[1], acc[2], acc[3]
	for r, cl := range cs {
		o := out[slot[r]*kk:]
		o = o[:kk]
		p0 += min(cl, o[c0])
		p1 += min(cl, o[c1])
		p2 += min(cl, o[c2])
		p3 += min(cl, o[c3])
	}
	return [4]float64{p0, p1, p2, p3}
}
