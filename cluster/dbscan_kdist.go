package cluster

import (
	"context"
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/internal/parallel"
)

// KDistanceOptions configures KDistance. The zero value means Euclidean
// distance on all CPUs.
type KDistanceOptions struct {
	// Metric is "euclidean" (the default when empty), "manhattan" or
	// "cosine".
	Metric string
	// Workers is the number of goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
	// Sample, when positive, limits the curve to that many rows, evenly
	// spaced in row order (row floor(j*n/Sample) for j = 0, 1, ...); each
	// of their k-distances is still exact over all rows. 0 means every
	// row. In many dimensions a k-nearest search costs nearly a scan of the
	// row's cluster, so a sample keeps the curve affordable.
	Sample int
}

// Validate reports the first invalid option.
func (o KDistanceOptions) Validate() error {
	if err := dbCheckMetric(o.Metric); err != nil {
		return err
	}
	if o.Sample < 0 {
		return fmt.Errorf("cluster: sample must be >= 0, got %d", o.Sample)
	}
	if o.Workers < 0 {
		return fmt.Errorf("cluster: workers must be >= 0, got %d", o.Workers)
	}
	return nil
}

// KDistanceResult is the k-distance curve of a matrix and the Eps its knee
// suggests.
type KDistanceResult struct {
	// K is the neighbour rank used.
	K int
	// Distances holds, for every row (or every sampled row), the distance
	// to its K-th nearest row (the row itself being the first), sorted
	// ascending.
	Distances []float64
	// Knee is the index into Distances that AutoEps picked, and Eps =
	// Distances[Knee].
	Knee int
	Eps  float64
}

// KDistance computes the k-distance curve of the rows of x: the distance of
// each row to its k-th nearest row, counting the row itself, sorted
// ascending. With k = MinSamples, a row is a DBSCAN core row exactly when its
// k-distance is at most Eps. The knee of the curve (AutoEps) is a common
// choice for Eps. x is not modified.
func KDistance(ctx context.Context, x *mat.Dense, k int, opts KDistanceOptions) (*KDistanceResult, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	metric := opts.Metric
	if metric == "" {
		metric = dbEuclidean
	}
	data, n, d, err := dbPrepare(x, metric, "x")
	if err != nil {
		return nil, err
	}
	if k < 1 || k > n {
		return nil, fmt.Errorf("cluster: k must be between 1 and the number of rows (%d), got %d", n, k)
	}
	ix := nbBuild(data, n, d, dbIndexMetric(metric), true)
	curve, err := dbKDistance(ctx, ix, data, k, metric, dbWorkers(opts.Workers), opts.Sample)
	if err != nil {
		return nil, err
	}
	eps, knee := AutoEps(curve)
	return &KDistanceResult{K: k, Distances: curve, Knee: knee, Eps: eps}, nil
}

// dbKDistance returns the sorted k-distance curve of the indexed points, or
// of at most sample of them (evenly spaced in row order) when sample > 0.
// data holds the rows in their original order.
func dbKDistance(ctx context.Context, ix *nbIndex, data []float64, k int, metric string, workers, sample int) ([]float64, error) {
	m := ix.n
	if sample > 0 && sample < m {
		m = sample
	}
	out := make([]float64, m)
	scratch := dbNewScratch(workers, ix.d, ix.leafSize)
	const chunk = 256
	err := parallel.For(ctx, workers, (m+chunk-1)/chunk, func(w, t int) {
		s := &scratch[w]
		for j := t * chunk; j < min(m, (t+1)*chunk); j++ {
			i := int(int64(j) * int64(ix.n) / int64(m))
			var v float64
			v, s.st = ix.kthNearest(data[i*ix.d:(i+1)*ix.d], k, &s.heap, s.st, s.dist)
			out[j] = dbDistance(metric, v)
		}
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}

// AutoEps picks an Eps from a k-distance curve sorted ascending: the knee,
// where the curve bends from slowly rising (points inside clusters) to
// steeply rising (noise). It is the point farthest below the chord from the
// first to the last point once both axes are scaled to [0, 1] (the
// "Kneedle" rule). It returns the curve's value there and its index; a
// curve with fewer than 3 points or no bend gives its median.
func AutoEps(curve []float64) (eps float64, knee int) {
	n := len(curve)
	if n == 0 {
		return 0, -1
	}
	knee = (n - 1) / 2
	lo, hi := curve[0], curve[n-1]
	if n >= 3 && hi > lo {
		best := 0.0
		for i, v := range curve {
			gap := float64(i)/float64(n-1) - (v-lo)/(hi-lo)
			if gap > best {
				best, knee = gap, i
			}
		}
	}
	return curve[knee], knee
}
