package metrics

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/internal/parallel"
)

// SilhouetteOptions configures Silhouette. The zero value computes the exact
// score on all rows with GOMAXPROCS workers.
type SilhouetteOptions struct {
	// SampleSize, when > 0 and smaller than the number of rows, estimates
	// the score on a stratified random sample of about that many rows.
	// Each cluster gets a share proportional to its size (largest
	// remainders, ties to the smaller label), raised to 2 rows for every
	// cluster with at least 2 members, so the sample can exceed SampleSize
	// by up to 2 rows per small cluster. The silhouette of each sampled row
	// is computed against the sampled rows only, as scikit-learn's
	// silhouette_score(sample_size=...) does, and the score is the mean of
	// those values weighted by n_c/m_c (cluster size over rows sampled from
	// it), which estimates the mean over all rows. 0 means exact.
	SampleSize int
	// Seed seeds the sampling (PCG); the same seed gives the same sample.
	Seed uint64
	// Workers is the number of goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
	// Progress, when set, is called as the computation advances with the
	// units of work done and their total (from one goroutine at a time).
	Progress func(done, total int)
}

// Validate reports whether the options are usable.
func (o SilhouetteOptions) Validate() error {
	if o.SampleSize < 0 || o.SampleSize == 1 {
		return fmt.Errorf("metrics: sample size must be 0 (exact) or at least 2, got %d", o.SampleSize)
	}
	if o.Workers < 0 {
		return fmt.Errorf("metrics: workers must be >= 0, got %d", o.Workers)
	}
	return nil
}

func (o SilhouetteOptions) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// Silhouette returns the mean silhouette coefficient of the rows of x
// (n x d) clustered by labels, between -1 and 1; higher is better. It is
// scikit-learn's silhouette_score with the Euclidean metric. x and labels
// are not modified. See the package documentation for the definition, the
// memory used and the sampling rule.
func Silhouette(ctx context.Context, x *mat.Dense, labels []int, opts SilhouetteOptions) (float64, error) {
	if err := opts.Validate(); err != nil {
		return 0, err
	}
	e, err := checkData(x, labels)
	if err != nil {
		return 0, err
	}
	n := len(labels)
	if opts.SampleSize == 0 || opts.SampleSize >= n {
		s := make([]float64, n)
		if err := silhouetteSamples(ctx, x.RawMatrix(), nil, e.idx, e.counts, opts.workers(), s, opts.Progress); err != nil {
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
	if err := silhouetteSamples(ctx, x.RawMatrix(), rows, se.idx, se.counts, opts.workers(), s, opts.Progress); err != nil {
		return 0, err
	}
	var sum float64
	for p, v := range s {
		c := sub[p]
		sum += v * float64(e.counts[c]) / float64(quota[c])
	}
	return sum / float64(n), nil
}

// SilhouetteSamples returns the exact silhouette coefficient of every row of
// x, as scikit-learn's silhouette_samples with the Euclidean metric. If dst
// is nil a new slice is allocated; otherwise it must have one element per
// row and is returned. It uses GOMAXPROCS workers.
func SilhouetteSamples(ctx context.Context, x *mat.Dense, labels []int, dst []float64) ([]float64, error) {
	e, err := checkData(x, labels)
	if err != nil {
		return nil, err
	}
	if dst == nil {
		dst = make([]float64, len(labels))
	} else if len(dst) != len(labels) {
		return nil, fmt.Errorf("metrics: dst has length %d, want %d (one per row)", len(dst), len(labels))
	}
	if err := silhouetteSamples(ctx, x.RawMatrix(), nil, e.idx, e.counts, runtime.GOMAXPROCS(0), dst, nil); err != nil {
		return nil, err
	}
	return dst, nil
}

// stratifiedSample draws about size rows, stratified by cluster (see
// SilhouetteOptions.SampleSize). It returns the sampled rows, ascending,
// and the number drawn from each cluster.
func stratifiedSample(e encoded, size int, seed uint64) (rows, quota []int) {
	n := len(e.idx)
	k := len(e.counts)
	quota = make([]int, k)
	rem := make([]int, k) // remainder numerators of size*n_c/n
	total := 0
	for c, nc := range e.counts {
		quota[c] = size * nc / n
		rem[c] = size * nc % n
		total += quota[c]
	}
	// Largest remainders first; ties go to the smaller label.
	order := make([]int, k)
	for c := range order {
		order[c] = c
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rem[b], rem[a]) })
	for _, c := range order {
		if total >= size {
			break
		}
		if rem[c] > 0 {
			quota[c]++
			total++
		}
	}
	for c, nc := range e.counts {
		if nc >= 2 && quota[c] < 2 {
			quota[c] = 2
		}
	}

	// Rows of each cluster, in row order, then a partial Fisher-Yates
	// shuffle per cluster.
	start := make([]int, k+1)
	for c, nc := range e.counts {
		start[c+1] = start[c] + nc
	}
	byCluster := make([]int, n)
	next := append([]int(nil), start[:k]...)
	for i, c := range e.idx {
		byCluster[next[c]] = i
		next[c]++
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed5eed5eed5eed))
	picked := make([]bool, n)
	for c := range k {
		members := byCluster[start[c]:start[c+1]]
		for t := 0; t < quota[c]; t++ {
			u := t + rng.IntN(len(members)-t)
			members[t], members[u] = members[u], members[t]
			picked[members[t]] = true
		}
	}
	for i, p := range picked {
		if p {
			rows = append(rows, i)
		}
	}
	return rows, quota
}

// The exact silhouette keeps n*k partial sums and computes each pair once
// when k <= max(symmetricMaxK, d) and n*k <= symmetricMaxSums (128 MiB of
// sums); otherwise it uses O(1) memory per row and computes each pair twice.
const (
	symmetricMaxK    = 64
	symmetricMaxSums = 1 << 24
)

// silhouetteSamples computes the silhouette of the rows rows[p] of raw (all
// rows when rows is nil), with lab[p] in 0..k-1 and counts[c] the size of
// cluster c among them, into dst[p].
func silhouetteSamples(ctx context.Context, raw blas64.General, rows, lab, counts []int, workers int, dst []float64, progress func(done, total int)) error {
	t, perm := newTables(raw, rows, lab, counts)
	t.progress = progress
	var sq []float64 // sq[q] is s for sorted position q
	var err error
	if k := len(counts); k <= max(symmetricMaxK, raw.Cols) && len(lab)*k <= symmetricMaxSums {
		sq, err = t.symmetric(ctx, workers)
	} else {
		sq, err = t.perRow(ctx, workers)
	}
	if err != nil {
		return err
	}
	for q, p := range perm {
		dst[p] = sq[q]
	}
	return nil
}

// newTables sorts the positions by cluster (a counting sort, stable) and
// returns the tables and perm, where perm[q] is the position p of the q-th
// row in cluster order.
func newTables(raw blas64.General, rows, lab, counts []int) (tables, []int) {
	m := len(lab)
	k := len(counts)
	start := make([]int, k+1)
	for c, nc := range counts {
		start[c+1] = start[c] + nc
	}
	perm := make([]int, m)
	next := append([]int(nil), start[:k]...)
	for p, c := range lab {
		perm[next[c]] = p
		next[c]++
	}
	off := make([]int, m)
	for q, p := range perm {
		r := p
		if rows != nil {
			r = rows[p]
		}
		off[q] = r * raw.Stride
	}
	return tables{data: raw.Data, d: raw.Cols, off: off, start: start, counts: counts}, perm
}

// tables is the cluster-sorted view of the rows used by the silhouette
// kernels.
type tables struct {
	data   []float64
	d      int
	off    []int // row offset in data of each sorted position
	start  []int // cluster c occupies sorted positions start[c]:start[c+1]
	counts []int
	// progress, when set, is called with units of work done and their
	// total, from one goroutine at a time.
	progress func(done, total int)
}

// silhouetteOf returns s from the summed distance to the own cluster and
// the smallest mean distance to another cluster.
func silhouetteOf(intraSum float64, own int, b float64) float64 {
	if own <= 1 {
		return 0
	}
	a := intraSum / float64(own-1)
	den := max(a, b)
	if den == 0 {
		return 0
	}
	return (b - a) / den
}

// perRow computes each row's sums cluster by cluster, each pair twice, with
// no per-row storage beyond the result.
func (t tables) perRow(ctx context.Context, workers int) ([]float64, error) {
	m := len(t.off)
	k := len(t.counts)
	s := make([]float64, m)
	const chunk = 32
	var (
		mu   sync.Mutex
		done int
	)
	chunks := (m + chunk - 1) / chunk
	err := parallel.For(ctx, workers, chunks, func(_, ch int) {
		lo, hi := ch*chunk, min((ch+1)*chunk, m)
		c := 0
		for q := lo; q < hi; q++ {
			for q >= t.start[c+1] {
				c++
			}
			xi := t.data[t.off[q] : t.off[q]+t.d]
			var intra float64
			b := math.Inf(1)
			for cj := range k {
				sum := distSum(xi, t.data, t.off[t.start[cj]:t.start[cj+1]])
				if cj == c {
					intra = sum
				} else {
					b = min(b, sum/float64(t.counts[cj]))
				}
			}
			s[q] = silhouetteOf(intra, t.counts[c], b)
		}
		if t.progress != nil {
			mu.Lock()
			done++
			t.progress(done, chunks)
			mu.Unlock()
		}
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// dist returns the Euclidean distance sqrt(sum((a-b)^2)); b must be at
// least as long as a. Every distance in this package is summed in this
// order (four running sums over blocks of four, the tail into the first),
// so all paths give bit-identical distances. Window slices with constant
// indices leave one bounds check per block of four.
func dist(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k <= len(a)-4; k += 4 {
		p := a[k : k+4 : k+4]
		q := b[k : k+4 : k+4]
		d0 := p[0] - q[0]
		d1 := p[1] - q[1]
		d2 := p[2] - q[2]
		d3 := p[3] - q[3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; k < len(a); k++ {
		d0 := a[k] - b[k]
		s0 += d0 * d0
	}
	return math.Sqrt((s0 + s1) + (s2 + s3))
}
