package cluster

import (
	"context"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// lkMicroIters is the number of Lloyd iterations of the micro-clustering.
// Micro-clusters only need to be small and compact, not converged.
const lkMicroIters = 5

// lkApproxWard is Ward for large bases: summarise x by micro-clusters, build
// the weighted Ward tree on them, and map every row to its micro-cluster.
func lkApproxWard(ctx context.Context, x []float64, n, d int, o LinkageOptions) (*Dendrogram, error) {
	centers, sizes, assign, err := lkMicroKMeans(ctx, x, n, d, o.MicroClusters, o.Seed, o.Workers)
	if err != nil {
		return nil, err
	}
	dg, err := WeightedWard(ctx, centers, sizes, LinkageOptions{Workers: o.Workers})
	if err != nil {
		return nil, err
	}
	dg.Assign = assign
	return dg, nil
}

// lkMicroKMeans is a small internal k-means used only to make
// micro-clusters: m distinct rows drawn with a seeded PCG as initial
// centres, then lkMicroIters Lloyd iterations in parallel. Empty clusters
// are dropped, so it returns at most m centres, their sizes and each row's
// centre.
func lkMicroKMeans(ctx context.Context, x []float64, n, d, m int, seed uint64, workers int) (*mat.Dense, []int, []int, error) {
	m = min(m, n)
	rng := rand.New(rand.NewPCG(seed, 0x5eed_11c4a9e))
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	c := make([]float64, m*d)
	for j := range m {
		r := j + rng.IntN(n-j)
		perm[j], perm[r] = perm[r], perm[j]
		copy(c[j*d:(j+1)*d], x[perm[j]*d:(perm[j]+1)*d])
	}
	assign := make([]int, n)
	sum := make([]float64, m*d)
	cnt := make([]int, m)
	for it := 0; it <= lkMicroIters; it++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, nil, err
		}
		first := it == 0
		lkParallelFor(n, workers, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				xi := x[i*d : (i+1)*d]
				best, bv := 0, math.Inf(1)
				if !first { // start from the last centre: a tight bound at once
					best = assign[i]
					bv = lkSqDist(xi, c[best*d:(best+1)*d])
				}
				for j := range m {
					if v, ok := lkSqDistBelow(xi, c[j*d:(j+1)*d], bv); ok && j != best {
						best, bv = j, v
					}
				}
				assign[i] = best
			}
		})
		clear(sum)
		clear(cnt)
		for i, j := range assign {
			cnt[j]++
			s := sum[j*d : (j+1)*d]
			for t, v := range x[i*d : (i+1)*d] {
				s[t] += v
			}
		}
		if it == lkMicroIters {
			break
		}
		for j := range m {
			if cnt[j] == 0 {
				continue // keep the old centre; it may win rows back
			}
			inv := 1 / float64(cnt[j])
			for t := range d {
				c[j*d+t] = sum[j*d+t] * inv
			}
		}
	}
	// Compact: drop empty clusters, centres are the means of their rows.
	newID := make([]int, m)
	k := 0
	for j := range m {
		if cnt[j] == 0 {
			newID[j] = -1
			continue
		}
		newID[j] = k
		inv := 1 / float64(cnt[j])
		for t := range d {
			c[k*d+t] = sum[j*d+t] * inv
		}
		cnt[k] = cnt[j]
		k++
	}
	for i, j := range assign {
		assign[i] = newID[j]
	}
	return mat.NewDense(k, d, c[:k*d]), cnt[:k:k], assign, nil
}
