package cluster

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/persona-seg/persona/internal/parallel"
)

// clara is CLARA (Kaufman and Rousseeuw 1990, as R's cluster::clara): it
// draws o.Samples samples of o.SampleSize rows, clusters each with
// FasterPAM, assigns every row to the nearest of the sample's medoids, and
// keeps the medoids with the lowest objective over all rows. From the
// second sample on, a sample starts with the best medoids so far, as in
// R. Only one sample's dissimilarity matrix is held at a time.
func clara(ctx context.Context, d Dissimilarity, o KMedoidsOptions) (*KMedoidsResult, error) {
	n, k := d.Len(), o.K
	size := min(o.SampleSize, n)
	if size <= k {
		return nil, fmt.Errorf("kmedoids: CLARA samples of %d rows cannot hold K + 1 = %d rows", size, k+1)
	}
	samples := o.Samples
	if size == n {
		samples = 1 // every sample would be all rows
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x636c617261))
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	var (
		best        *KMedoidsResult
		bestSum     = math.Inf(1)
		bestMeds    []int
		bestNearest []int
		objectives  []float64
	)
	for s := range samples {
		rows := claraSample(r, perm, size, bestMeds)
		m, err := Pairwise(ctx, &subset{d, rows}, PairwiseOptions{MemoryLimit: o.MemoryLimit, Workers: o.Workers})
		if err != nil {
			return nil, fmt.Errorf("kmedoids: CLARA sample: %w", err)
		}
		if err := m.check(); err != nil {
			return nil, fmt.Errorf("kmedoids: CLARA sample %d (rows renumbered within the sample): %w", s, err)
		}
		inner, err := fasterPAM(ctx, m, KMedoidsOptions{K: k, Init: o.Init, Seed: o.Seed + uint64(s), Workers: o.Workers})
		if err != nil {
			return nil, err
		}
		meds := make([]int, k)
		for c, i := range inner.Medoids {
			meds[c] = rows[i]
		}
		slices.Sort(meds)
		nearest, sum, err := claraAssign(ctx, d, meds, o.Workers)
		if err != nil {
			return nil, err
		}
		objectives = append(objectives, sum/float64(n))
		if sum < bestSum {
			best, bestSum, bestMeds, bestNearest = inner, sum, meds, nearest
		}
	}
	res := &KMedoidsResult{Method: KMedoidsCLARA, Objective: bestSum / float64(n),
		BuildObjective: best.BuildObjective, Swaps: best.Swaps, SampleObjectives: objectives}
	kmNumber(res, bestNearest)
	return res, nil
}

// claraSample returns, in ascending order, size distinct rows: the keep
// rows, then rows drawn uniformly from the others. perm is a permutation
// of the rows that it reorders.
func claraSample(r *rand.Rand, perm []int, size int, keep []int) []int {
	rows := append(make([]int, 0, size), keep...)
	for i := 0; len(rows) < size; i++ {
		j := i + r.IntN(len(perm)-i)
		perm[i], perm[j] = perm[j], perm[i]
		if !slices.Contains(keep, perm[i]) {
			rows = append(rows, perm[i])
		}
	}
	slices.Sort(rows)
	return rows
}

// claraAssign returns the nearest medoid of every row (a medoid to itself,
// ties to the lowest row; meds ascending) and the sum of the
// dissimilarities to them, in row order.
func claraAssign(ctx context.Context, d Dissimilarity, meds []int, workers int) ([]int, float64, error) {
	n := d.Len()
	nearest := make([]int, n)
	dist := make([]float64, n)
	isMed := make(map[int]bool, len(meds))
	for _, m := range meds {
		isMed[m] = true
	}
	const chunk = 1024
	chunks := (n + chunk - 1) / chunk
	errs := make([]error, chunks)
	err := parallel.For(ctx, workers, chunks, func(_, c int) {
		for j := c * chunk; j < min((c+1)*chunk, n); j++ {
			if isMed[j] {
				nearest[j], dist[j] = j, 0
				continue
			}
			b, bd := -1, math.Inf(1)
			for _, m := range meds {
				v := d.Dissim(m, j)
				if math.IsNaN(v) {
					errs[c] = fmt.Errorf("kmedoids: dissimilarity of rows %d and %d is undefined (NaN): with Gower, the two rows have no attribute that both hold", min(m, j), max(m, j))
					break
				}
				if b < 0 || v < bd {
					b, bd = m, v
				}
			}
			nearest[j], dist[j] = b, bd
		}
	})
	if err != nil {
		return nil, 0, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, 0, err
		}
	}
	var sum float64
	for _, v := range dist {
		sum += v
	}
	return nearest, sum, nil
}

// subset is the Dissimilarity of some rows of another.
type subset struct {
	d    Dissimilarity
	rows []int
}

func (s *subset) Len() int                { return len(s.rows) }
func (s *subset) Dissim(i, j int) float64 { return s.d.Dissim(s.rows[i], s.rows[j]) }
