package cluster

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// MiniBatchOptions configures MiniBatchKMeans. The zero value means the
// defaults (those of scikit-learn 1.2's MiniBatchKMeans), except for K,
// which is required.
type MiniBatchOptions struct {
	// K is the number of clusters, at least 1 and at most the number of
	// distinct rows of x.
	K int
	// Init is "k-means++" (the default when empty) or "random"; it is run
	// on InitSize rows drawn at random.
	Init string
	// InitCenters, when not nil, are the K x d initial centres; they
	// override Init.
	InitCenters *mat.Dense
	// NInit is the number of initialisations tried; the one with the
	// lowest inertia on its InitSize rows is kept. 0 means 3; with
	// InitCenters there is one.
	NInit int
	// BatchSize is the number of rows drawn (with replacement) per step;
	// 0 means 1024. It is capped at the number of rows.
	BatchSize int
	// MaxIter bounds the number of passes over the data: the run makes at
	// most MaxIter*n/BatchSize steps. 0 means 100.
	MaxIter int
	// Tol stops the run when the sum of the squared centre moves of a step
	// is at most Tol * mean(var(x, axis=0)). 0 (the default) disables it.
	Tol float64
	// MaxNoImprovement stops the run after that many steps without an
	// improvement of the smoothed batch inertia. 0 means 10; a negative
	// value disables early stopping.
	MaxNoImprovement int
	// InitSize is the number of rows the initialisation sees; 0 means
	// 3*BatchSize. It is at least K and at most the number of rows.
	InitSize int
	// ReassignmentRatio: a centre whose accumulated count falls below
	// ReassignmentRatio times the largest count is moved to a random row
	// of the batch (checked every 10*K rows or when a count is zero). 0
	// means 0.01; a negative value disables reassignment.
	ReassignmentRatio float64
	// Seed seeds the random choices; the same seed gives the same result,
	// whatever Workers is.
	Seed uint64
	// Workers is the number of goroutines for the passes over all rows
	// (the initial checks and the final labels); 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
}

// Validate reports the first option that is out of range.
func (o *MiniBatchOptions) Validate() error {
	switch {
	case o.K < 1:
		return fmt.Errorf("minibatch kmeans: K must be at least 1, got %d", o.K)
	case o.Init != "" && o.Init != InitKMeansPP && o.Init != InitRandom:
		return fmt.Errorf("minibatch kmeans: Init must be %q or %q, got %q", InitKMeansPP, InitRandom, o.Init)
	case o.NInit < 0:
		return fmt.Errorf("minibatch kmeans: NInit must be at least 1 (0 for the default), got %d", o.NInit)
	case o.BatchSize < 0:
		return fmt.Errorf("minibatch kmeans: BatchSize must be at least 1 (0 for the default), got %d", o.BatchSize)
	case o.MaxIter < 0:
		return fmt.Errorf("minibatch kmeans: MaxIter must be at least 1 (0 for the default), got %d", o.MaxIter)
	case math.IsNaN(o.Tol) || math.IsInf(o.Tol, 0) || o.Tol < 0:
		return fmt.Errorf("minibatch kmeans: Tol must be a finite number >= 0, got %v", o.Tol)
	case o.InitSize < 0:
		return fmt.Errorf("minibatch kmeans: InitSize must be at least 1 (0 for the default), got %d", o.InitSize)
	case math.IsNaN(o.ReassignmentRatio) || math.IsInf(o.ReassignmentRatio, 0):
		return fmt.Errorf("minibatch kmeans: ReassignmentRatio must be a finite number, got %v", o.ReassignmentRatio)
	case o.Workers < 0:
		return fmt.Errorf("minibatch kmeans: Workers must be at least 1 (0 for all cores), got %d", o.Workers)
	}
	if o.InitCenters != nil {
		kopts := KMeansOptions{K: o.K, InitCenters: o.InitCenters}
		if err := kopts.Validate(); err != nil {
			return fmt.Errorf("minibatch %w", err)
		}
	}
	return nil
}

// withDefaults returns o with the zero fields replaced by their defaults.
func (o MiniBatchOptions) withDefaults() MiniBatchOptions {
	if o.Init == "" {
		o.Init = InitKMeansPP
	}
	if o.NInit == 0 {
		o.NInit = 3
	}
	if o.InitCenters != nil {
		o.NInit = 1
	}
	if o.BatchSize == 0 {
		o.BatchSize = 1024
	}
	if o.MaxIter == 0 {
		o.MaxIter = 100
	}
	if o.MaxNoImprovement == 0 {
		o.MaxNoImprovement = 10
	}
	if o.InitSize == 0 {
		o.InitSize = 3 * o.BatchSize
	}
	switch {
	case o.ReassignmentRatio == 0:
		o.ReassignmentRatio = 0.01
	case o.ReassignmentRatio < 0:
		o.ReassignmentRatio = 0
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// MiniBatchResult is a fitted mini-batch k-means model. Labels and Inertia
// are those of all the rows against the final centres; NIter counts the
// passes over the data (steps*BatchSize/n, rounded up).
type MiniBatchResult struct {
	KMeansResult
	NSteps int // mini-batch steps made
}

// MiniBatchKMeans clusters the rows of x with scikit-learn 1.2's
// mini-batch k-means: centres initialised on a random subset, then moved
// step by step towards the rows of random batches (each centre by the mean
// of its batch rows, weighted against all the rows it has seen), with
// reassignment of centres that receive too few rows and early stopping on
// the smoothed batch inertia. x is not modified.
func MiniBatchKMeans(ctx context.Context, x *mat.Dense, opts MiniBatchOptions) (*MiniBatchResult, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	o := opts.withDefaults()
	dt, err := kmPrepare(x, o.K, o.Workers)
	if err != nil {
		return nil, fmt.Errorf("minibatch %w", err)
	}
	n, d, k := dt.n, dt.d, o.K
	batch := min(o.BatchSize, n)
	initSize := min(n, max(o.InitSize, k))
	if o.InitCenters != nil {
		if r, c := o.InitCenters.Dims(); r != k || c != d {
			return nil, fmt.Errorf("minibatch kmeans: InitCenters is %dx%d, want %dx%d (K x columns of x)", r, c, k, d)
		}
	}
	tolAbs := 0.0
	if o.Tol > 0 {
		tolAbs = kmMeanVariance(dt) * o.Tol
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x6d696e6962617463)) // "minibatc"

	// Initialisation on random subsets, scored on the same subset.
	var cur []float64
	bestInertia := math.Inf(1)
	sub := make([]float64, initSize*d)
	for range o.NInit {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for r := range initSize {
			copy(sub[r*d:(r+1)*d], dt.row(rng.IntN(n)))
		}
		sd := kmNewData(sub, initSize, d, d, 1)
		sd.mean = dt.mean
		var c []float64
		switch {
		case o.InitCenters != nil:
			c = make([]float64, k*d)
			for j := range k {
				for t := range d {
					c[j*d+t] = o.InitCenters.At(j, t) - dt.mean[t]
				}
			}
		case o.Init == InitRandom:
			c = kmInitRandom(sd, k, rng, nil)
		default:
			if c, err = kmInitPlusPlus(ctx, sd, k, rng, nil); err != nil {
				return nil, err
			}
		}
		_, in := kmLabelsInertia(sd, c, k, nil)
		if cur == nil || in < bestInertia {
			cur, bestInertia = c, in
		}
	}

	next := make([]float64, k*d)
	weights := make([]float64, k)
	cnt := make([]int, k)
	idx := make([]int, batch)
	lab := make([]int, batch)
	d1 := make([]float64, batch)
	out := make([]float64, 3*batch)
	scratch := make([]float64, d)
	buf := make([]float64, d)
	var kc kmCentres
	nSteps := max(1, o.MaxIter*n/batch)
	sinceReassign := 0
	ewa, ewaMin := math.NaN(), math.NaN()
	noImprovement := 0
	step := 0
	for step = 0; step < nSteps; step++ {
		if step%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for b := range idx {
			idx[b] = rng.IntN(n)
		}
		slices.Sort(idx) // the same multiset of rows, read in order
		dt.prepCentres(&kc, cur, k)
		dt.nearestIdx(idx, &kc, scratch, out, lab, d1, nil)
		inertia := 0.0
		for _, v := range d1 {
			inertia += v
		}
		// Centre update: each centre moves to the mean of all the rows it
		// has seen, the batch counted in full.
		clear(cnt)
		for _, j := range lab {
			cnt[j]++
		}
		for j := range k {
			c, nc := cur[j*d:(j+1)*d], next[j*d:(j+1)*d]
			if cnt[j] == 0 {
				copy(nc, c)
				continue
			}
			for t := range nc {
				nc[t] = c[t] * weights[j]
			}
		}
		for r, i := range idx {
			dt.centre(buf, i)
			kmAddTo(next[lab[r]*d:(lab[r]+1)*d], buf)
		}
		for j := range k {
			if cnt[j] == 0 {
				continue
			}
			weights[j] += float64(cnt[j])
			alpha := 1 / weights[j]
			for t := range d {
				next[j*d+t] *= alpha
			}
		}
		// Reassignment of the centres that get too few rows.
		sinceReassign += batch
		if o.ReassignmentRatio > 0 && (slices.Contains(weights, 0) || sinceReassign >= 10*k) {
			sinceReassign = 0
			kmReassign(dt, rng, next, weights, idx, o.ReassignmentRatio, batch)
		}
		shift := 0.0
		if tolAbs > 0 {
			for t, v := range next {
				e := v - cur[t]
				shift += e * e
			}
		}
		cur, next = next, cur
		// Convergence, as scikit-learn's _mini_batch_convergence.
		if step == 0 {
			continue
		}
		if tolAbs > 0 && shift <= tolAbs {
			break
		}
		bi := inertia / float64(batch)
		if math.IsNaN(ewa) {
			ewa = bi
		} else {
			alpha := min(1, float64(batch)*2/float64(n+1))
			ewa = ewa*(1-alpha) + bi*alpha
		}
		if math.IsNaN(ewaMin) || ewa < ewaMin {
			noImprovement, ewaMin = 0, ewa
		} else {
			noImprovement++
		}
		if o.MaxNoImprovement > 0 && noImprovement >= o.MaxNoImprovement {
			break
		}
	}
	if step == nSteps {
		step--
	}
	nDone := step + 1

	labels, inertia := kmLabelsInertia(dt, cur, k, nil)
	cen := mat.NewDense(k, d, nil)
	for j := range k {
		for t := range d {
			cen.Set(j, t, cur[j*d+t]+dt.mean[t])
		}
	}
	return &MiniBatchResult{
		KMeansResult: KMeansResult{Centers: cen, Labels: labels, Inertia: inertia,
			NIter: (nDone*batch + n - 1) / n},
		NSteps: nDone,
	}, nil
}

// kmReassign moves the centres whose weight is below ratio times the
// largest weight (at most half a batch of them, the lightest) to distinct
// random rows of the batch, and gives them the smallest weight of the
// other centres, as scikit-learn's _mini_batch_step.
func kmReassign(dt *kmData, rng *rand.Rand, centres, weights []float64, batchIdx []int, ratio float64, batch int) {
	d := dt.d
	wmax := slices.Max(weights)
	var move []int
	for j, w := range weights {
		if w < ratio*wmax {
			move = append(move, j)
		}
	}
	if limit := int(0.5 * float64(batch)); len(move) > limit {
		// Keep the lightest.
		slices.SortStableFunc(move, func(a, b int) int {
			switch {
			case weights[a] < weights[b]:
				return -1
			case weights[a] > weights[b]:
				return 1
			}
			return 0
		})
		move = move[:limit]
	}
	if len(move) == 0 {
		return
	}
	keepMin := math.Inf(1)
	moving := make(map[int]bool, len(move))
	for _, j := range move {
		moving[j] = true
	}
	for j, w := range weights {
		if !moving[j] {
			keepMin = min(keepMin, w)
		}
	}
	if math.IsInf(keepMin, 1) {
		keepMin = 0
	}
	// Distinct rows of the batch: a partial shuffle of the positions.
	pos := make([]int, len(batchIdx))
	for i := range pos {
		pos[i] = i
	}
	for e, j := range move {
		r := e + rng.IntN(len(pos)-e)
		pos[e], pos[r] = pos[r], pos[e]
		dt.centre(centres[j*d:(j+1)*d], batchIdx[pos[e]])
		weights[j] = keepMin
	}
}

// kmLabelsInertia assigns every row of dt to its nearest centre and
// returns the labels (in dst when it is long enough) and the inertia.
func kmLabelsInertia(dt *kmData, centres []float64, k int, dst []int) ([]int, float64) {
	if len(dst) < dt.n {
		dst = make([]int, dt.n)
	}
	var kc kmCentres
	dt.prepCentres(&kc, centres, k)
	part := make([]float64, dt.nChunk)
	dt.parallel(func(c int) {
		scratch := make([]float64, dt.d)
		br := kmBlockRows(k)
		out := make([]float64, 3*br)
		d1 := make([]float64, br)
		lo, hi := dt.span(c)
		s := 0.0
		for b := lo; b < hi; b += br {
			be := min(b+br, hi)
			dt.nearest(b, be, &kc, scratch, out, dst[b:be], d1, nil)
			for _, v := range d1[:be-b] {
				s += v
			}
		}
		part[c] = s
	})
	tot := 0.0
	for _, v := range part {
		tot += v
	}
	return dst[:dt.n], tot
}
