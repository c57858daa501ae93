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
// into the per-row nearest distances, then evaluates the candidates.
func kmInitPlusPlus(ctx context.Context, dt *kmData, k int, rng *rand.Rand, dst []float64) ([]float64, error) {
	n, d := dt.n, dt.d
	if dst == nil {
		dst = make([]float64, k*d)
	}
	trials := 2 + int(math.Log(float64(k)))
	closest := make([]float64, n)             // squared distance to the nearest centre, up to the pending one
	part := make([]float64, dt.nChunk*trials) // per chunk, per candidate potential
	chunkPot := make([]float64, dt.nChunk)    // per chunk sum of the up-to-date nearest distances
	cand := make([]float64, trials*d)
	candID := make([]int, trials)

	dt.centre(dst[:d], rng.IntN(n))
	c0 := dst[:d]
	dt.parallel(func(c int) {
		buf := make([]float64, d)
		lo, hi := dt.span(c)
		s := 0.0
		for i := lo; i < hi; i++ {
			dt.centre(buf, i)
			v := kmSqDist(buf, c0)
			closest[i] = v
			s += v
		}
		chunkPot[c] = s
	})
	pot := 0.0
	for _, v := range chunkPot {
		pot += v
	}
	var pending []float64 // centre chosen last step, not yet folded into closest
	for step := 1; step < k; step++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for t := range trials {
			candID[t] = kmSearchPot(dt, closest, chunkPot, pending, rng.Float64()*pot)
			dt.centre(cand[t*d:(t+1)*d], candID[t])
		}
		prev := pending
		dt.parallel(func(c int) {
			buf := make([]float64, d)
			lo, hi := dt.span(c)
			p := part[c*trials : (c+1)*trials]
			clear(p)
			for i := lo; i < hi; i++ {
				dt.centre(buf, i)
				cl := closest[i]
				if prev != nil {
					cl = min(cl, kmSqDist(buf, prev))
					closest[i] = cl
				}
				for t := range trials {
					p[t] += min(cl, kmSqDist(buf, cand[t*d:(t+1)*d]))
				}
			}
		})
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
	return dst, nil
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
	buf := make([]float64, dt.d)
	for ; c < dt.nChunk; c++ {
		lo, hi := dt.span(c)
		for i := lo; i < hi; i++ {
			v := closest[i]
			if pending != nil {
				dt.centre(buf, i)
				v = min(v, kmSqDist(buf, pending))
			}
			acc += v
			if acc >= r {
				return i
			}
		}
	}
	return dt.n - 1
}
