package cluster

import (
	"context"
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// KDistanceOptions configures KDistance. The zero value means Euclidean
// distance on all CPUs.
type KDistanceOptions struct {
	// Metric is "euclidean" (the default when empty), "manhattan" or
	// "cosine".
	Metric string
	// Workers is the number of goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
}

// Validate reports the first invalid option.
func (o KDistanceOptions) Validate() error {
	if err := dbCheckMetric(o.Metric); err != nil {
		return err
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
	// Distances holds, for every row, the distance to its K-th nearest row
	// (the row itself being the first), sorted ascending.
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
		metric = MetricEuclidean
	}
	data, n, d, err := dbPrepare(x, metric, "x")
	if err != nil {
		return nil, err
	}
	if k < 1 || k > n {
		return nil, fmt.Errorf("cluster: k must be between 1 and the number of rows (%d), got %d", n, k)
	}
	ix := nbBuild(data, n, d, dbIndexMetric(metric), true)
	curve, err := dbKDistance(ctx, ix, k, metric, dbWorkers(opts.Workers))
	if err != nil {
		return nil, err
	}
	eps, knee := AutoEps(curve)
	return &KDistanceResult{K: k, Distances: curve, Knee: knee, Eps: eps}, nil
}

// dbKDistance returns the sorted k-distance curve of the indexed points.
func dbKDistance(ctx context.Context, ix *nbIndex, k int, metric string, workers int) ([]float64, error) {
	out := make([]float64, ix.n)
	scratch := dbNewScratch(workers, ix.d, ix.leafSize)
	const chunk = 512
	err := dbParallel(ctx, workers, (ix.n+chunk-1)/chunk, func(w, t int) {
		s := &scratch[w]
		for p := t * chunk; p < min(ix.n, (t+1)*chunk); p++ {
			var v float64
			v, s.st = ix.kthNearest(ix.row(int32(p)), k, &s.heap, s.st)
			out[p] = dbDistance(metric, v)
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
