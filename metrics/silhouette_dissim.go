package metrics

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/persona-seg/persona/internal/parallel"
)

// Dissimilarity is a symmetric dissimilarity between the rows of a data
// set, with Dissim(i, i) = 0: a Gower dissimilarity, a precomputed matrix,
// or any distance. The dissimilarities of package cluster satisfy it.
type Dissimilarity interface {
	// Len returns the number of rows.
	Len() int
	// Dissim returns the dissimilarity of rows i and j.
	Dissim(i, j int) float64
}

// SilhouetteDissim returns the mean silhouette coefficient of the rows of
// d clustered by labels, as SilhouetteWidths averaged: R's
// mean(cluster::silhouette(labels, dist)[, "sil_width"]) and
// scikit-learn's silhouette_score with metric="precomputed". opts samples
// rows as for Silhouette (a stratified sample, each sampled row scored
// against the sampled rows, weighted back to the clusters' sizes). d and
// labels are not modified.
func SilhouetteDissim(ctx context.Context, d Dissimilarity, labels []int, opts SilhouetteOptions) (float64, error) {
	if err := opts.Validate(); err != nil {
		return 0, err
	}
	e, err := checkDissim(d, labels)
	if err != nil {
		return 0, err
	}
	n := len(labels)
	if opts.SampleSize == 0 || opts.SampleSize >= n {
		s := make([]float64, n)
		if err := silhouetteDissim(ctx, d, nil, e.idx, e.counts, opts.workers(), s); err != nil {
			return 0, err
		}
		var sum float64
		for _, v := range s {
			sum += v
		}
		return sum / float64(n), nil
	}
	rows, quota := stratifiedSample(e, opts.SampleSize, opts.Seed)
	sub := make([]int, len(rows))
	for p, r := range rows {
		sub[p] = e.idx[r]
	}
	se := encode(sub)
	if k := len(se.classes); k < 2 || k > len(rows)-1 {
		return 0, fmt.Errorf("metrics: %w: the sample of %d rows has %d distinct labels", ErrLabelCount, len(rows), k)
	}
	s := make([]float64, len(rows))
	if err := silhouetteDissim(ctx, d, rows, se.idx, se.counts, opts.workers(), s); err != nil {
		return 0, err
	}
	var sum float64
	for p, v := range s {
		c := sub[p]
		sum += v * float64(e.counts[c]) / float64(quota[c])
	}
	return sum / float64(n), nil
}

// SilhouetteWidths returns the silhouette width of every row of d (R's
// cluster::silhouette(labels, dist)[, "sil_width"], in row order; 0 for a
// row alone in its cluster). If dst is nil a new slice is allocated;
// otherwise it must have one element per row and is returned.
func SilhouetteWidths(ctx context.Context, d Dissimilarity, labels []int, dst []float64) ([]float64, error) {
	e, err := checkDissim(d, labels)
	if err != nil {
		return nil, err
	}
	if dst == nil {
		dst = make([]float64, len(labels))
	} else if len(dst) != len(labels) {
		return nil, fmt.Errorf("metrics: dst has length %d, want %d (one per row)", len(dst), len(labels))
	}
	if err := silhouetteDissim(ctx, d, nil, e.idx, e.counts, SilhouetteOptions{}.workers(), dst); err != nil {
		return nil, err
	}
	return dst, nil
}

// checkDissim validates d against labels and encodes the labels.
func checkDissim(d Dissimilarity, labels []int) (encoded, error) {
	if d == nil {
		return encoded{}, fmt.Errorf("metrics: the dissimilarity is nil")
	}
	n := len(labels)
	if d.Len() != n {
		return encoded{}, fmt.Errorf("metrics: %d labels for a dissimilarity of %d rows", n, d.Len())
	}
	e := encode(labels)
	if k := len(e.classes); k < 2 || k > n-1 {
		return encoded{}, fmt.Errorf("metrics: %w: got %d distinct labels for %d rows", ErrLabelCount, k, n)
	}
	return e, nil
}

// silhouetteDissim computes the silhouette of the rows rows[p] of d (all
// rows when rows is nil), with lab[p] in 0..k−1 and counts[c] the size of
// cluster c among them, into dst[p].
//
// Each pair is computed once. The rows are cut into nb blocks (a number
// that depends on m only) and each pair of blocks I <= J is one task,
// which adds d(p, q) to partial[J][p] (for p in I) and partial[I][q] (for
// q in J), per cluster. Only that task writes those sums, in a fixed
// order, and a row's sums are then added over J in order: the result does
// not depend on the workers. A NaN dissimilarity is an error.
func silhouetteDissim(ctx context.Context, d Dissimilarity, rows, lab, counts []int, workers int, dst []float64) error {
	m := len(lab)
	k := len(counts)
	row := func(p int) int {
		if rows == nil {
			return p
		}
		return rows[p]
	}
	nb := min(max((m+255)/256, 1), 16)
	size := (m + nb - 1) / nb
	span := func(b int) (int, int) { return b * size, min((b+1)*size, m) }
	partial := make([]float64, nb*m*k)
	type task struct{ i, j int }
	var tasks []task
	for i := range nb {
		for j := i; j < nb; j++ {
			tasks = append(tasks, task{i, j})
		}
	}
	// The first NaN found stops the loop: once failed is set, the
	// remaining tasks return at once.
	var (
		failed atomic.Bool
		mu     sync.Mutex
		nanErr error
	)
	err := parallel.For(ctx, workers, len(tasks), func(_, t int) {
		if failed.Load() {
			return
		}
		ilo, ihi := span(tasks[t].i)
		jlo, jhi := span(tasks[t].j)
		toJ := partial[tasks[t].j*m*k:]
		toI := partial[tasks[t].i*m*k:]
		for p := ilo; p < ihi; p++ {
			rp, lp := row(p), lab[p]
			sp := toJ[p*k : (p+1)*k]
			for q := max(jlo, p+1); q < jhi; q++ {
				v := d.Dissim(rp, row(q))
				if math.IsNaN(v) {
					mu.Lock()
					if nanErr == nil {
						nanErr = fmt.Errorf("metrics: the dissimilarity of rows %d and %d is NaN", rp, row(q))
					}
					mu.Unlock()
					failed.Store(true)
					return
				}
				sp[lab[q]] += v
				toI[q*k+lp] += v
			}
		}
	})
	if err != nil {
		return err
	}
	if nanErr != nil {
		return nanErr
	}
	sums := make([]float64, k)
	for p := range m {
		clear(sums)
		for j := range nb {
			for c, v := range partial[(j*m+p)*k : (j*m+p+1)*k] {
				sums[c] += v
			}
		}
		c := lab[p]
		b := math.Inf(1)
		for cj, s := range sums {
			if cj != c {
				b = min(b, s/float64(counts[cj]))
			}
		}
		dst[p] = silhouetteOf(sums[c], counts[c], b)
	}
	return nil
}
