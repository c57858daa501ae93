package cluster

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"gonum.org/v1/gonum/mat"
)

// Initialisation methods for KMeansOptions.Init.
const (
	InitKMeansPP = "k-means++"
	InitRandom   = "random"
)

// Algorithms for KMeansOptions.Algorithm.
const (
	KMeansAuto    = "auto"
	KMeansLloyd   = "lloyd"
	KMeansElkan   = "elkan"
	KMeansHamerly = "hamerly"
)

// KMeansOptions configures KMeans. The zero value means the defaults, except
// for K, which is required.
type KMeansOptions struct {
	// K is the number of clusters, at least 1 and at most the number of
	// distinct rows of x.
	K int
	// Init is "k-means++" (the default when empty) or "random" (K distinct
	// rows chosen uniformly).
	Init string
	// InitCenters, when not nil, are the K x d initial centres; they
	// override Init.
	InitCenters *mat.Dense
	// NInit is the number of runs from different initial centres; the run
	// with the lowest inertia is kept. 0 means 10. With InitCenters every
	// run would start from the same centres, so one run is made.
	NInit int
	// MaxIter bounds the iterations of each run; 0 means 300.
	MaxIter int
	// Tol is the convergence tolerance relative to the data: a run stops
	// when the sum of the squared centre shifts is at most
	// Tol * mean(var(x, axis=0)), as scikit-learn's tol. 0 means 1e-4; a
	// negative value means exactly 0 (stop only when no label changes or
	// after MaxIter iterations).
	Tol float64
	// Algorithm is "auto" (the default when empty), "lloyd", "elkan" or
	// "hamerly". All give the same labels, centres and iteration count;
	// "elkan" and "hamerly" both run Hamerly's bound-based algorithm, which
	// skips most distance computations, and "auto" chooses it too.
	Algorithm string
	// Seed seeds the random choices (a math/rand/v2 PCG source). The same
	// seed gives the same result, whatever Workers is.
	Seed uint64
	// Workers is the number of goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
}

// Validate reports the first option that is out of range. KMeans calls it;
// the checks that need x (K against the rows, the shape of InitCenters) are
// made by KMeans.
func (o *KMeansOptions) Validate() error {
	switch {
	case o.K < 1:
		return fmt.Errorf("kmeans: K must be at least 1, got %d", o.K)
	case o.Init != "" && o.Init != InitKMeansPP && o.Init != InitRandom:
		return fmt.Errorf("kmeans: Init must be %q or %q, got %q", InitKMeansPP, InitRandom, o.Init)
	case o.NInit < 0:
		return fmt.Errorf("kmeans: NInit must be at least 1 (0 for the default), got %d", o.NInit)
	case o.MaxIter < 0:
		return fmt.Errorf("kmeans: MaxIter must be at least 1 (0 for the default), got %d", o.MaxIter)
	case math.IsNaN(o.Tol) || math.IsInf(o.Tol, 1):
		return fmt.Errorf("kmeans: Tol must be a finite number, got %v", o.Tol)
	case o.Workers < 0:
		return fmt.Errorf("kmeans: Workers must be at least 1 (0 for all cores), got %d", o.Workers)
	}
	switch o.Algorithm {
	case "", KMeansAuto, KMeansLloyd, KMeansElkan, KMeansHamerly:
	default:
		return fmt.Errorf("kmeans: Algorithm must be %q, %q, %q or %q, got %q",
			KMeansAuto, KMeansLloyd, KMeansElkan, KMeansHamerly, o.Algorithm)
	}
	if o.InitCenters != nil {
		r, c := o.InitCenters.Dims()
		if r == 0 || c == 0 {
			return errors.New("kmeans: InitCenters is empty")
		}
		for i := range r {
			for j := range c {
				if v := o.InitCenters.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("kmeans: InitCenters has %v at row %d, column %d", v, i, j)
				}
			}
		}
	}
	return nil
}

// withDefaults returns o with the zero fields replaced by their defaults.
func (o KMeansOptions) withDefaults() KMeansOptions {
	if o.Init == "" {
		o.Init = InitKMeansPP
	}
	if o.NInit == 0 {
		o.NInit = 10
	}
	if o.InitCenters != nil {
		o.NInit = 1
	}
	if o.MaxIter == 0 {
		o.MaxIter = 300
	}
	switch {
	case o.Tol == 0:
		o.Tol = 1e-4
	case o.Tol < 0:
		o.Tol = 0
	}
	if o.Algorithm == "" || o.Algorithm == KMeansAuto {
		o.Algorithm = KMeansHamerly
	}
	if o.Algorithm == KMeansElkan {
		o.Algorithm = KMeansHamerly
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// KMeansResult is a fitted k-means model.
type KMeansResult struct {
	Centers *mat.Dense // K x d cluster centres
	Labels  []int      // the centre of each row of x, in 0..K-1
	Inertia float64    // sum of squared distances of the rows to their centres
	NIter   int        // iterations of the kept run
}

// KMeans clusters the rows of x into opts.K clusters with scikit-learn's
// k-means loop (see the package documentation). x is not modified.
func KMeans(ctx context.Context, x *mat.Dense, opts KMeansOptions) (*KMeansResult, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	o := opts.withDefaults()
	dt, err := kmPrepare(x, o.K, o.Workers)
	if err != nil {
		return nil, err
	}
	k, d := o.K, dt.d
	var init0 []float64
	if o.InitCenters != nil {
		r, c := o.InitCenters.Dims()
		if r != k || c != d {
			return nil, fmt.Errorf("kmeans: InitCenters is %dx%d, want %dx%d (K x columns of x)", r, c, k, d)
		}
		init0 = make([]float64, k*d)
		for j := range k {
			for t := range d {
				init0[j*d+t] = o.InitCenters.At(j, t) - dt.mean[t]
			}
		}
	}
	tolAbs := 0.0
	if o.Tol > 0 {
		tolAbs = kmMeanVariance(dt) * o.Tol
	}

	rng := rand.New(rand.NewPCG(o.Seed, 0x6b6d65616e73)) // "kmeans"
	var best *kmRunResult
	var centres []float64
	ws := &kmWork{} // reused by every run
	var bestLabels []int
	for run := range o.NInit {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		switch {
		case init0 != nil:
			if centres == nil {
				centres = make([]float64, k*d)
			}
			copy(centres, init0)
		case o.Init == InitRandom:
			centres = kmInitRandom(dt, k, rng, centres)
		default:
			centres, err = kmInitPlusPlus(ctx, dt, k, rng, centres)
			if err != nil {
				return nil, err
			}
		}
		var res *kmRunResult
		if o.Algorithm == KMeansLloyd {
			res, err = kmLloyd(ctx, dt, centres, k, o.MaxIter, tolAbs, ws)
		} else {
			res, err = kmHamerly(ctx, dt, centres, k, o.MaxIter, tolAbs, ws)
		}
		if err != nil {
			return nil, err
		}
		// As scikit-learn: a later run wins only with a strictly lower
		// inertia and a different partition.
		if run == 0 || (res.inertia < best.inertia && !kmSameClustering(res.labels, bestLabels, k)) {
			best = res
			if o.NInit == 1 {
				bestLabels = res.labels // no later run reuses the buffer
			} else {
				bestLabels = append(bestLabels[:0], res.labels...)
			}
		}
	}
	cen := mat.NewDense(k, d, nil)
	for j := range k {
		for t := range d {
			cen.Set(j, t, best.centres[j*d+t]+dt.mean[t])
		}
	}
	return &KMeansResult{Centers: cen, Labels: bestLabels, Inertia: best.inertia, NIter: best.nIter}, nil
}

// kmPrepare checks x against k and returns its view with the column means.
func kmPrepare(x *mat.Dense, k, workers int) (*kmData, error) {
	if x == nil || x.IsEmpty() {
		return nil, errors.New("kmeans: x is empty")
	}
	raw := x.RawMatrix()
	n, d := raw.Rows, raw.Cols
	if n == 0 || d == 0 {
		return nil, errors.New("kmeans: x is empty")
	}
	dt := kmNewData(raw.Data, n, d, raw.Stride, workers)
	mean, err := kmColumnMeans(dt)
	if err != nil {
		return nil, err
	}
	if k > n {
		return nil, fmt.Errorf("kmeans: K = %d is more than the %d rows of x", k, n)
	}
	if nd := kmCountDistinct(dt, k); nd < k {
		return nil, fmt.Errorf("kmeans: K = %d is more than the %d distinct rows of x", k, nd)
	}
	dt.mean = mean
	return dt, nil
}

// kmCountDistinct counts the distinct rows of x, stopping at limit.
func kmCountDistinct(dt *kmData, limit int) int {
	seen := make(map[uint64][]int)
	count := 0
	for i := 0; i < dt.n && count < limit; i++ {
		r := dt.row(i)
		h := uint64(14695981039346656037)
		for _, v := range r {
			if v == 0 {
				v = 0 // -0 == 0
			}
			h ^= math.Float64bits(v)
			h *= 1099511628211
		}
		dup := false
		for _, j := range seen[h] {
			if kmEqualRows(r, dt.row(j)) {
				dup = true
				break
			}
		}
		if !dup {
			seen[h] = append(seen[h], i)
			count++
		}
	}
	return count
}

func kmEqualRows(a, b []float64) bool {
	for t, v := range a {
		if v != b[t] {
			return false
		}
	}
	return true
}

// kmColumnMeans returns the column means of x, summed per chunk, or an
// error naming the first NaN or Inf in x.
func kmColumnMeans(dt *kmData) ([]float64, error) {
	d := dt.d
	part := make([]float64, dt.nChunk*d)
	dt.parallel(func(c int) {
		lo, hi := dt.span(c)
		s := part[c*d : (c+1)*d]
		for i := lo; i < hi; i++ {
			kmAddTo(s, dt.row(i))
		}
	})
	mean := make([]float64, d)
	for c := range dt.nChunk {
		p := part[c*d : (c+1)*d]
		for _, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				// A NaN or Inf in the chunk, or an overflow.
				if err := kmCheckFinite(dt, c); err != nil {
					return nil, err
				}
			}
		}
		kmAddTo(mean, p)
	}
	for t := range mean {
		mean[t] /= float64(dt.n)
	}
	return mean, nil
}

// kmCheckFinite returns an error naming the first NaN or Inf in chunk c.
func kmCheckFinite(dt *kmData, c int) error {
	lo, hi := dt.span(c)
	for i := lo; i < hi; i++ {
		for t, v := range dt.row(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("kmeans: x has %v at row %d, column %d", v, i, t)
			}
		}
	}
	return nil
}

// kmMeanVariance returns the mean over the columns of the population
// variance of each column (numpy's mean(var(X, axis=0))).
func kmMeanVariance(dt *kmData) float64 {
	d := dt.d
	part := make([]float64, dt.nChunk*d)
	dt.parallel(func(c int) {
		lo, hi := dt.span(c)
		s := part[c*d : (c+1)*d]
		for i := lo; i < hi; i++ {
			r := dt.row(i)
			for t, v := range r {
				e := v - dt.mean[t]
				s[t] += e * e
			}
		}
	})
	v := make([]float64, d)
	for c := range dt.nChunk {
		kmAddTo(v, part[c*d:(c+1)*d])
	}
	sum := 0.0
	for _, s := range v {
		sum += s / float64(dt.n)
	}
	return sum / float64(d)
}

// kmSameClustering reports whether two labelings are the same partition up
// to a permutation of the labels in a to those in b (scikit-learn's
// _is_same_clustering).
func kmSameClustering(a, b []int, k int) bool {
	m := make([]int, k)
	for j := range m {
		m[j] = -1
	}
	for i, l := range a {
		switch {
		case m[l] == -1:
			m[l] = b[i]
		case m[l] != b[i]:
			return false
		}
	}
	return true
}

// Predict writes the index of the nearest centre of each row of x into dst
// (ties go to the lowest index) and returns it. dst is allocated when nil;
// otherwise it must have one element per row of x. Predict panics if x has a
// different number of columns than the centres.
func (r *KMeansResult) Predict(x *mat.Dense, dst []int) []int {
	n, d := x.Dims()
	k, cd := r.Centers.Dims()
	if d != cd {
		panic("cluster: Predict: x has a different number of columns than the centres")
	}
	if dst == nil {
		dst = make([]int, n)
	}
	if len(dst) != n {
		panic("cluster: Predict: len(dst) differs from the rows of x")
	}
	cen := make([]float64, k*d)
	for j := range k {
		mat.Row(cen[j*d:(j+1)*d], j, r.Centers)
	}
	raw := x.RawMatrix()
	dt := kmNewData(raw.Data, n, d, raw.Stride, runtime.GOMAXPROCS(0))
	dt.parallel(func(c int) {
		lo, hi := dt.span(c)
		for i := lo; i < hi; i++ {
			dst[i], _, _ = kmNearest(dt.row(i), cen, k)
		}
	})
	return dst
}
