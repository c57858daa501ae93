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
		br := kmBlockRows(trials + 1)
		dt.parallelW(func(w, c int) {
			bf := bufs[w]
			if bf == nil {
				// One extra output row of +Inf stands for the rows
				// skipped: min(cl, +Inf) == cl, so they need no branch.
				bf = &ppBuffers{scratch: make([]float64, d), out: make([]float64, (br+1)*(trials+1)),
					slot: make([]int, br), list: make([]int, br)}
				bufs[w] = bf
			}
			scratch, out, slot, list := bf.scratch, bf.out, bf.slot, bf.list
			lo, hi := dt.span(c)
			p := part[c*trials : (c+1)*trials]
			clear(p)
			var nd int64
			for b := lo; b < hi; b += br {
				be := min(b+br, hi)
				// Rows whose nearest distance some centre may lower.
				nl := 0
				for i := b; i < be; i++ {
					list[nl] = i
					if closest[i] > minCC[near[i]] {
						slot[i-b] = nl
						nl++
					} else {
						slot[i-b] = -1
					}
				}
				dt.distsIdx(list[:nl], all, kk, scratch, out)
				nd += int64(nl * kk)
				inf := out[nl*kk : (nl+1)*kk]
				for t := range inf {
					inf[t] = math.Inf(1)
				}
				for i := b; i < be; i++ {
					cl := closest[i]
					sl := slot[i-b]
					if sl < 0 {
						sl = nl
					}
					o := out[sl*kk : (sl+1)*kk]
					if prev {
						if o[0] < cl {
							cl = o[0]
							closest[i], near[i] = cl, prevID
						}
						o = o[1:]
					}
					for t := range trials {
						p[t] += min(cl, o[t])
					}
				}
			}
			ndist[c] = nd
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
