package cluster

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/internal/parallel"
)

// Initialisations for KPrototypesOptions.Init (and InitRandom).
const (
	InitCao   = "cao"
	InitHuang = "huang"
)

// KPrototypesOptions configures KPrototypes. The zero value means the
// defaults, except for K, which is required.
type KPrototypesOptions struct {
	// K is the number of clusters, at least 1.
	K int `yaml:"k"`
	// Gamma weighs a categorical mismatch against the squared numeric
	// distance. 0 means half the mean standard deviation of the numeric
	// attributes (population standard deviations; 1 when there is no
	// numeric attribute or all are constant).
	Gamma float64 `yaml:"gamma"`
	// Init chooses the initial modes: "cao" (the default, Cao et al.
	// 2009: dense and mutually distant rows, no randomness), "huang"
	// (Huang 1998: values drawn by frequency, then the nearest rows) or
	// "random" (K distinct rows). Numeric prototypes start at the column
	// means plus a standard normal draw times the standard deviations. As
	// in kmodes, a start that leaves a cluster empty is tried again; after
	// 20 such tries the prototypes start at K rows of distinct values
	// (numbers and categories), where each has at least its own row.
	Init string `yaml:"init"`
	// NInit is the number of runs; the lowest cost is kept. 0 means 10.
	NInit int `yaml:"n_init"`
	// MaxIter bounds the passes of each run; 0 means 100.
	MaxIter int `yaml:"max_iter"`
	// Seed seeds the runs (math/rand/v2 PCG): the same seed gives the same
	// result, whatever Workers is.
	Seed uint64 `yaml:"seed"`
	// Workers is the number of runs made at once; 0 means GOMAXPROCS.
	Workers int `yaml:"workers"`
}

// Validate reports the first option that is out of range.
func (o *KPrototypesOptions) Validate() error {
	switch {
	case o.K < 1:
		return fmt.Errorf("kprototypes: K must be at least 1, got %d", o.K)
	case o.Gamma < 0 || math.IsNaN(o.Gamma) || math.IsInf(o.Gamma, 0):
		return fmt.Errorf("kprototypes: Gamma must be a finite number >= 0 (0 for the default), got %v", o.Gamma)
	case o.Init != "" && o.Init != InitCao && o.Init != InitHuang && o.Init != InitRandom:
		return fmt.Errorf("kprototypes: Init must be %q, %q or %q, got %q", InitCao, InitHuang, InitRandom, o.Init)
	case o.NInit < 0:
		return fmt.Errorf("kprototypes: NInit must be at least 1 (0 for the default), got %d", o.NInit)
	case o.MaxIter < 0:
		return fmt.Errorf("kprototypes: MaxIter must be at least 1 (0 for the default), got %d", o.MaxIter)
	case o.Workers < 0:
		return fmt.Errorf("kprototypes: Workers must be at least 1 (0 for all cores), got %d", o.Workers)
	}
	return nil
}

// KPrototypesResult is a fitted k-prototypes model.
type KPrototypesResult struct {
	// Labels holds the prototype of each row, in 0..K-1: its nearest
	// prototype (the lowest index among equally near ones).
	Labels []int
	// Numeric and Categorical are the indices in the input of the numeric
	// attributes (the columns of Centers) and of the categorical ones (the
	// columns of Modes).
	Numeric, Categorical []int
	// Centers is K x len(Numeric): the means of the numeric attributes
	// (nil without numeric attribute).
	Centers *mat.Dense
	// Modes[c] holds the most frequent code of each categorical attribute
	// in cluster c (the lowest code among equally frequent ones; -1 is the
	// missing value, which counts as a category).
	Modes [][]int32
	// Cost is the sum over the rows of the squared numeric distance to
	// their prototype plus Gamma times their categorical mismatches.
	Cost float64
	// Gamma is the weight of a mismatch that was used.
	Gamma float64
	// NIter is the number of passes of the kept run.
	NIter int
}

// KPrototypes clusters the rows of a mixed table with Huang's (1998)
// k-prototypes, as the kmodes package's KPrototypes does: numeric
// attributes are compared by squared Euclidean distance (k-means),
// categorical ones (nominal, ordinal, binary) by mismatch (k-modes),
// weighted by Gamma. See the package documentation ("K-prototypes").
// attrs is not modified. List, ordratio and logratio attributes are
// refused, and so are missing numeric values.
func KPrototypes(ctx context.Context, attrs []Attr, opts KPrototypesOptions) (*KPrototypesResult, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	o := opts
	if o.Init == "" {
		o.Init = InitCao
	}
	if o.NInit == 0 {
		o.NInit = 10
	}
	if o.MaxIter == 0 {
		o.MaxIter = 100
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	d, err := kpData(attrs)
	if err != nil {
		return nil, err
	}
	if o.K > d.n {
		return nil, fmt.Errorf("kprototypes: K = %d, but there are %d rows", o.K, d.n)
	}
	gamma := o.Gamma
	if gamma == 0 {
		gamma = d.defaultGamma()
	}
	runs := make([]*kpRun, o.NInit)
	errs := make([]error, o.NInit)
	err = parallel.For(ctx, o.Workers, o.NInit, func(_, i int) {
		r := rand.New(rand.NewPCG(o.Seed, uint64(i)))
		runs[i], errs[i] = d.run(ctx, o, gamma, r)
	})
	if err != nil {
		return nil, err
	}
	best := -1
	for i, r := range runs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if best < 0 || r.cost < runs[best].cost {
			best = i
		}
	}
	r := runs[best]
	res := &KPrototypesResult{Labels: r.labels, Numeric: d.numIdx, Categorical: d.catIdx,
		Modes: make([][]int32, o.K), Cost: r.cost, Gamma: gamma, NIter: r.iter}
	if d.p > 0 {
		res.Centers = mat.NewDense(o.K, d.p, r.centers)
	}
	for c := range res.Modes {
		res.Modes[c] = make([]int32, d.q)
		for f, v := range r.modes[c*d.q : (c+1)*d.q] {
			res.Modes[c][f] = v - 1 // back to the input's codes
		}
	}
	return res, nil
}

// kpTable is the data of k-prototypes: numeric values (n x p) and
// categorical codes (n x q, row-major), and the number of categories of
// each categorical attribute (codes are shifted by one, so that the
// missing value -1 is category 0).
type kpTable struct {
	n, p, q        int
	num            []float64
	cat            []int32
	levels         []int
	numIdx, catIdx []int
}

func kpData(attrs []Attr) (*kpTable, error) {
	if len(attrs) == 0 {
		return nil, errors.New("kprototypes: no attributes")
	}
	d := &kpTable{n: -1}
	for j := range attrs {
		a := &attrs[j]
		switch a.Type {
		case AttrNumeric:
			d.numIdx = append(d.numIdx, j)
		case AttrNominal, AttrOrdinal, AttrSymmetric, AttrAsymmetric:
			d.catIdx = append(d.catIdx, j)
		default:
			if err := a.Type.check(); err != nil {
				return nil, fmt.Errorf("kprototypes: attribute %q%w", a.Name, err)
			}
			return nil, fmt.Errorf("kprototypes: attribute %q is %s; k-prototypes takes numeric and categorical attributes (kmedoids with Gower takes every type)", a.Name, a.Type)
		}
		if d.n < 0 {
			d.n = a.len()
		}
		if m := a.len(); m != d.n {
			return nil, fmt.Errorf("kprototypes: attribute %q has %d rows, attribute %q has %d", a.Name, m, attrs[0].Name, d.n)
		}
	}
	if d.n == 0 {
		return nil, errors.New("kprototypes: no rows")
	}
	d.p, d.q = len(d.numIdx), len(d.catIdx)
	d.num = make([]float64, d.n*d.p)
	for c, j := range d.numIdx {
		for i, v := range attrs[j].Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("kprototypes: attribute %q, row %d: %v; k-prototypes needs every numeric value (kmedoids with Gower takes missing values)", attrs[j].Name, i, v)
			}
			d.num[i*d.p+c] = v
		}
	}
	d.cat = make([]int32, d.n*d.q)
	d.levels = make([]int, d.q)
	for c, j := range d.catIdx {
		for i, v := range attrs[j].Codes {
			if v < -1 {
				return nil, fmt.Errorf("kprototypes: attribute %q, row %d: code %d (want >= 0, or -1 for missing)", attrs[j].Name, i, v)
			}
			d.cat[i*d.q+c] = v + 1
			d.levels[c] = max(d.levels[c], int(v)+2)
		}
	}
	return d, nil
}

// means and stds of the numeric columns (population standard deviations).
func (d *kpTable) moments() (mean, std []float64) {
	mean, std = make([]float64, d.p), make([]float64, d.p)
	for i := range d.n {
		for c, v := range d.num[i*d.p : (i+1)*d.p] {
			mean[c] += v
		}
	}
	for c := range mean {
		mean[c] /= float64(d.n)
	}
	for i := range d.n {
		for c, v := range d.num[i*d.p : (i+1)*d.p] {
			std[c] += (v - mean[c]) * (v - mean[c])
		}
	}
	for c := range std {
		std[c] = math.Sqrt(std[c] / float64(d.n))
	}
	return mean, std
}

func (d *kpTable) defaultGamma() float64 {
	if d.p == 0 {
		return 1
	}
	_, std := d.moments()
	var s float64
	for _, v := range std {
		s += v
	}
	if s == 0 {
		return 1
	}
	return 0.5 * s / float64(d.p)
}

// kpRun is the state and result of one run.
type kpRun struct {
	d       *kpTable
	k       int
	gamma   float64
	centers []float64 // k x p
	modes   []int32   // k x q, shifted codes
	sums    []float64 // k x p
	counts  []int
	freq    [][]int // per cluster and attribute: counts per category, k*q slices
	memb    []int
	labels  []int
	cost    float64
	iter    int
}

// dist is the k-prototypes dissimilarity of row i to prototype c.
func (r *kpRun) dist(i, c int) float64 {
	d := r.d
	var s float64
	x := d.num[i*d.p : (i+1)*d.p]
	for f, ctr := range r.centers[c*d.p : (c+1)*d.p] {
		t := x[f] - ctr
		s += t * t
	}
	mis := 0
	y, md := d.cat[i*d.q:(i+1)*d.q], r.modes[c*d.q:(c+1)*d.q]
	for f, v := range y {
		if v != md[f] {
			mis++
		}
	}
	return s + r.gamma*float64(mis)
}

// nearest returns the prototype nearest to row i (the lowest index among
// equally near ones) and its dissimilarity. A prototype whose numeric part
// alone reaches the best so far is dropped before its categories are
// compared; the sums are the same as dist's.
func (r *kpRun) nearest(i int) (int, float64) {
	best, bd := 0, r.dist(i, 0)
	d := r.d
	x, y := d.num[i*d.p:(i+1)*d.p], d.cat[i*d.q:(i+1)*d.q]
	for c := 1; c < r.k; c++ {
		var s float64
		for f, ctr := range r.centers[c*d.p : (c+1)*d.p] {
			t := x[f] - ctr
			s += t * t
		}
		if s >= bd {
			continue
		}
		mis := 0
		for f, m := range r.modes[c*d.q : (c+1)*d.q] {
			if y[f] != m {
				mis++
			}
		}
		if v := s + r.gamma*float64(mis); v < bd {
			best, bd = c, v
		}
	}
	return best, bd
}

// maxInitTries and randomAfter follow kmodes: initialisations that leave a
// cluster empty are retried, with random rows after randomAfter tries.
const (
	kpMaxInitTries = 100
	kpRandomAfter  = 20
)

func (d *kpTable) run(ctx context.Context, o KPrototypesOptions, gamma float64, rng *rand.Rand) (*kpRun, error) {
	k := o.K
	r := &kpRun{d: d, k: k, gamma: gamma, centers: make([]float64, k*d.p), modes: make([]int32, k*d.q),
		sums: make([]float64, k*d.p), counts: make([]int, k), memb: make([]int, d.n)}
	r.freq = make([][]int, k*d.q)
	for c := range k {
		for f := range d.q {
			r.freq[c*d.q+f] = make([]int, d.levels[f])
		}
	}
	mean, std := d.moments()
	init := o.Init
	for try := 1; ; try++ {
		if try > kpMaxInitTries {
			return nil, fmt.Errorf("kprototypes: every initialisation left a cluster empty; the data may have fewer than K = %d distinct rows", k)
		}
		rows := try > kpRandomAfter // prototypes at K distinct rows
		switch {
		case rows:
		case init == InitCao:
			d.initCao(r.modes, k)
		case init == InitHuang:
			d.initHuang(r.modes, k, rng)
		default:
			for c, i := range rng.Perm(d.n)[:k] {
				copy(r.modes[c*d.q:(c+1)*d.q], d.cat[i*d.q:(i+1)*d.q])
			}
		}
		for c := range k {
			for f := range d.p {
				r.centers[c*d.p+f] = mean[f] + rng.NormFloat64()*std[f]
			}
		}
		if rows {
			for c, i := range distinctRows(d, k, rng) {
				copy(r.modes[c*d.q:(c+1)*d.q], d.cat[i*d.q:(i+1)*d.q])
				copy(r.centers[c*d.p:(c+1)*d.p], d.num[i*d.p:(i+1)*d.p])
			}
		}
		clear(r.sums)
		clear(r.counts)
		for _, fr := range r.freq {
			clear(fr)
		}
		for i := range d.n {
			c, _ := r.nearest(i)
			r.add(i, c, 1)
			r.memb[i] = c
		}
		if slices.Min(r.counts) > 0 {
			break
		}
	}
	for c := range k {
		r.updateCenter(c)
		for f := range d.q {
			r.modes[c*d.q+f] = r.mode(c, f)
		}
	}
	r.labels = make([]int, d.n)
	r.cost = r.labelsCost()
	for r.iter < o.MaxIter {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r.iter++
		moves := r.pass(rng)
		cost := r.labelsCost()
		converged := moves == 0 || cost >= r.cost
		r.cost = cost
		if converged {
			break
		}
	}
	return r, nil
}

// add adds (sign 1) or removes (sign -1) row i to or from cluster c's sums
// and frequencies.
func (r *kpRun) add(i, c, sign int) {
	d := r.d
	for f, v := range d.num[i*d.p : (i+1)*d.p] {
		r.sums[c*d.p+f] += float64(sign) * v
	}
	for f, v := range d.cat[i*d.q : (i+1)*d.q] {
		r.freq[c*d.q+f][v] += sign
	}
	r.counts[c] += sign
}

func (r *kpRun) updateCenter(c int) {
	d := r.d
	for f := range d.p {
		if r.counts[c] > 0 {
			r.centers[c*d.p+f] = r.sums[c*d.p+f] / float64(r.counts[c])
		} else {
			r.centers[c*d.p+f] = 0
		}
	}
}

// mode is the most frequent category of attribute f in cluster c, the
// lowest among equally frequent ones.
func (r *kpRun) mode(c, f int) int32 {
	fr := r.freq[c*r.d.q+f]
	best := 0
	for v, n := range fr {
		if n > fr[best] {
			best = v
		}
	}
	return int32(best)
}

// move moves row i from cluster from to cluster to and updates both
// prototypes.
func (r *kpRun) move(i, from, to int) {
	r.add(i, from, -1)
	r.add(i, to, 1)
	r.memb[i] = to
	for _, c := range []int{to, from} {
		r.updateCenter(c)
		for f := range r.d.q {
			r.modes[c*r.d.q+f] = r.mode(c, f)
		}
	}
}

// pass moves every row, in order, to its nearest prototype, updating the
// prototypes after each move, as Huang's algorithm (and kmodes) does. A
// cluster left empty takes a random row of the largest cluster.
func (r *kpRun) pass(rng *rand.Rand) int {
	moves := 0
	for i := range r.d.n {
		c, _ := r.nearest(i)
		old := r.memb[i]
		if c == old {
			continue
		}
		moves++
		r.move(i, old, c)
		if r.counts[old] == 0 {
			from := 0
			for cc, n := range r.counts {
				if n > r.counts[from] {
					from = cc
				}
			}
			var choices []int
			for j, m := range r.memb {
				if m == from {
					choices = append(choices, j)
				}
			}
			r.move(choices[rng.IntN(len(choices))], from, old)
		}
	}
	return moves
}

// labelsCost sets r.labels to the nearest prototypes and returns the cost.
func (r *kpRun) labelsCost() float64 {
	var cost float64
	for i := range r.d.n {
		c, v := r.nearest(i)
		r.labels[i] = c
		cost += v
	}
	return cost
}

// initCao sets the k initial modes by Cao et al.'s density method: the
// densest row first, then each time the row whose smallest
// density-weighted mismatch count to the modes chosen so far is largest
// (the first such row).
func (d *kpTable) initCao(modes []int32, k int) {
	if d.q == 0 {
		return
	}
	dens := make([]float64, d.n)
	for f := range d.q {
		freq := make([]int, d.levels[f])
		for i := range d.n {
			freq[d.cat[i*d.q+f]]++
		}
		for i := range d.n {
			dens[i] += float64(freq[d.cat[i*d.q+f]]) / float64(d.n) / float64(d.q)
		}
	}
	first := 0
	for i, v := range dens {
		if v > dens[first] {
			first = i
		}
	}
	copy(modes[:d.q], d.cat[first*d.q:(first+1)*d.q])
	minDD := make([]float64, d.n)
	for i := range minDD {
		minDD[i] = math.Inf(1)
	}
	for c := 1; c < k; c++ {
		prev := modes[(c-1)*d.q : c*d.q]
		best := 0
		for i := range d.n {
			if v := float64(mismatches(d.cat[i*d.q:(i+1)*d.q], prev)) * dens[i]; v < minDD[i] {
				minDD[i] = v
			}
			if minDD[i] > minDD[best] {
				best = i
			}
		}
		copy(modes[c*d.q:(c+1)*d.q], d.cat[best*d.q:(best+1)*d.q])
	}
}

// initHuang sets the k initial modes by Huang's method: each attribute's
// values drawn by their frequency, then each mode replaced by the nearest
// row that is not already a mode (if any).
func (d *kpTable) initHuang(modes []int32, k int, rng *rand.Rand) {
	if d.q == 0 {
		return
	}
	for f := range d.q {
		for c := range k {
			modes[c*d.q+f] = d.cat[rng.IntN(d.n)*d.q+f]
		}
	}
	for c := range k {
		mc := modes[c*d.q : (c+1)*d.q]
		order := make([]int, d.n)
		dist := make([]int, d.n)
		for i := range order {
			order[i] = i
			dist[i] = mismatches(d.cat[i*d.q:(i+1)*d.q], mc)
		}
		slices.SortStableFunc(order, func(a, b int) int { return dist[a] - dist[b] })
		pick := order[0]
		for _, i := range order {
			row := d.cat[i*d.q : (i+1)*d.q]
			taken := false
			for cc := range k {
				if slices.Equal(row, modes[cc*d.q:(cc+1)*d.q]) {
					taken = true
					break
				}
			}
			if !taken {
				pick = i
				break
			}
		}
		copy(mc, d.cat[pick*d.q:(pick+1)*d.q])
	}
}

// distinctRows draws up to k rows with distinct values (fewer when the
// data has fewer distinct rows).
func distinctRows(d *kpTable, k int, rng *rand.Rand) []int {
	var out []int
	for _, i := range rng.Perm(d.n) {
		same := false
		for _, j := range out {
			if slices.Equal(d.num[i*d.p:(i+1)*d.p], d.num[j*d.p:(j+1)*d.p]) && slices.Equal(d.cat[i*d.q:(i+1)*d.q], d.cat[j*d.q:(j+1)*d.q]) {
				same = true
				break
			}
		}
		if !same {
			if out = append(out, i); len(out) == k {
				break
			}
		}
	}
	return out
}

func mismatches(a, b []int32) int {
	n := 0
	for f, v := range a {
		if v != b[f] {
			n++
		}
	}
	return n
}
