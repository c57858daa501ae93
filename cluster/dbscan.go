package cluster

// # DBSCAN
//
// DBSCAN groups points that are densely connected and marks the others as
// noise. The result equals scikit-learn's sklearn.cluster.DBSCAN (version
// 1.2) label for label:
//
//   - The neighbourhood of a row is every row within distance <= Eps,
//     inclusive, the row itself and its exact duplicates included.
//   - A row is a core row when its neighbourhood has at least MinSamples rows.
//   - Core rows within Eps of each other are in the same cluster. Clusters
//     are numbered 0, 1, ... in the order of their smallest core row index:
//     scikit-learn scans the rows in index order and expands each new
//     cluster completely before going on.
//   - A non-core row within Eps of a core row is a border row. It joins the
//     cluster expanded first among those of its core neighbours, which is the
//     one with the smallest number. Any other row is noise, labelled -1.
//
// The result does not depend on the order in which neighbourhoods are
// visited, which lets this implementation work differently from
// scikit-learn's while giving the same labels. It never holds all
// neighbourhoods at once:
//
//  1. A neighbour index is built once: a k-d tree with a bounding box per
//     node, split at the median of the widest column, with leaves of up to
//     32 rows (d <= 3), 64 (d <= 8) or 128. Whole subtrees are rejected,
//     and whole leaves accepted, from their boxes; distances inside a leaf
//     are computed four rows at a time. The same code over blocks of
//     consecutive rows, without the split, is the blocked brute-force
//     reference used in the tests. On clustered data the tree stays ahead
//     of brute force in many dimensions too (measured 12x at d = 16, 7x at
//     d = 32 and d = 64, n = 20,000), because it prunes whole clusters.
//  2. Core rows are found in parallel, leaf by leaf. A row stops counting as
//     soon as it has MinSamples neighbours, so dense regions cost little.
//     The first MinSamples-1 neighbours met are recorded (4 if MinSamples
//     is above 17): all the neighbours of a non-core row.
//  3. Core rows are joined with their recorded core neighbours in a
//     union-find, then every pair of leaves within reach is checked for
//     core rows within Eps that are still in different sets. Once all core
//     rows of a leaf are in one set (sets only grow), a pair of such leaves
//     costs two look-ups.
//  4. Sets are numbered by their smallest row index, and each non-core row
//     takes the smallest number among its core neighbours, read from the
//     recorded ones (or searched again, in parallel, above 17).
//
// Memory beyond the input is O(n) whatever Eps is: a copy of the rows in
// tree order, 4*(MinSamples-1) bytes per row for the recorded neighbours,
// and about 40 more bytes per row.
//
// # Distances and exactness
//
// Euclidean distances are compared squared: the sum over the columns, in
// column order, of the squared differences is compared with Eps*Eps using
// <=, which is what scikit-learn's k-d tree does. On integer or half-integer
// coordinates with such an Eps (1, 1.5, 2, ...) every term is exact, so
// distances exactly equal to Eps count as neighbours, as scikit-learn's do.
// Manhattan sums absolute differences in column order and compares with Eps.
// Cosine distance is 1 - u.v/(|u||v|); it is computed as |u'-v'|^2/2 on the
// rows scaled to unit length, which can differ from scikit-learn in the last
// bits, and it is undefined for an all-zero row, which is reported as an
// error. Bounds from the index's boxes prune or accept only with a relative
// margin of 1e-9, so they never change an answer.
//
// # Choosing Eps
//
// KDistance returns the sorted distances from each row to its k-th nearest
// row (the row itself counting as the first, as MinSamples does), and
// AutoEps picks the knee of that curve (the "Kneedle" rule). With Eps = 0,
// DBSCAN uses the AutoEps of KDistance(x, MinSamples), over a sample of
// DBSCANAutoSample evenly spaced rows when x has more than 3 columns.
//
// The knee is a heuristic. On 100,000 points in 8 well separated 2-D blobs
// with MinSamples 10 it picks eps 0.18 and finds 25 clusters (fragments in
// the sparse outskirts), where eps 0.3 finds the 8 blobs; on 10,000 such
// points, on 100,000 16-D blobs and on two moons it finds the generating
// clusters. DBSCANResult.Warnings names results that suggest poor
// parameters: every row core, no row core, a single cluster, or more than
// half the rows noise.
//
// # Assigning new rows
//
// DBSCANResult.Model keeps the core rows, their labels, Eps and the metric:
// what a saved model needs. DBSCANModel.Predict gives a new row the label of
// its nearest core row if that is within Eps (ties go to the smaller row
// index), and -1 otherwise. This is the usual way to extend DBSCAN to new
// points; scikit-learn has no DBSCAN.predict.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/internal/parallel"
)

// The metrics of DBSCANOptions.Metric.
const (
	dbEuclidean = "euclidean"
	dbManhattan = "manhattan"
	dbCosine    = "cosine"
)

// dbChunk is how many rows of a leaf the counting pass handles before it
// checks whether a point has enough neighbours.
const dbChunk = 32

// dbEdgesAll is the largest MinSamples-1 for which the counting pass
// records all neighbours of non-core points (MinSamples-1 per point);
// above it, it records dbEdgesPerPoint per point and border points are
// found by a second search.
const dbEdgesAll = 16

// dbEdgesPerPoint is how many neighbours per point the counting pass
// records for the linking pass when MinSamples-1 > dbEdgesAll.
const dbEdgesPerPoint = 4

// DBSCANAutoSample is the number of rows whose k-distances DBSCAN computes
// to choose Eps automatically for data of more than 3 columns (all rows
// when there are fewer): in many dimensions each k-distance costs about a
// scan of the row's cluster. With at most 3 columns k-nearest searches are
// cheap and every row is used, which keeps the curve's far tail (a sample
// misses its most extreme rows, and that moves the knee).
const DBSCANAutoSample = 10_000

// dbAutoSample returns the KDistanceOptions.Sample DBSCAN uses for an
// automatic eps over d columns.
func dbAutoSample(d int) int {
	if d <= 3 {
		return 0
	}
	return DBSCANAutoSample
}

// DBSCANOptions configures DBSCAN. The zero value means: Eps chosen
// automatically, MinSamples 5, Euclidean distance, all CPUs.
type DBSCANOptions struct {
	// Eps is the neighbourhood radius, inclusive. 0 means choose it with
	// AutoEps from the k-distance curve with k = MinSamples (computed for
	// at most DBSCANAutoSample evenly spaced rows when x has more than 3
	// columns).
	Eps float64
	// MinSamples is the number of rows, the row itself included, a
	// neighbourhood needs for its row to be core. 0 means 5.
	MinSamples int
	// Metric is "euclidean" (the default when empty), "manhattan" or
	// "cosine".
	Metric string
	// Workers is the number of goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
}

// Validate reports the first invalid option.
func (o DBSCANOptions) Validate() error {
	if math.IsNaN(o.Eps) || math.IsInf(o.Eps, 0) || o.Eps < 0 {
		return fmt.Errorf("cluster: eps must be a positive number (or 0 for automatic), got %v", o.Eps)
	}
	if o.MinSamples < 0 {
		return fmt.Errorf("cluster: min samples must be at least 1, got %d", o.MinSamples)
	}
	if err := dbCheckMetric(o.Metric); err != nil {
		return err
	}
	if o.Workers < 0 {
		return fmt.Errorf("cluster: workers must be >= 0, got %d", o.Workers)
	}
	return nil
}

func dbCheckMetric(m string) error {
	switch m {
	case "", dbEuclidean, dbManhattan, dbCosine:
		return nil
	}
	return fmt.Errorf("cluster: unknown metric %q (want euclidean, manhattan or cosine)", m)
}

func (o DBSCANOptions) withDefaults() DBSCANOptions {
	if o.MinSamples == 0 {
		o.MinSamples = 5
	}
	if o.Metric == "" {
		o.Metric = dbEuclidean
	}
	o.Workers = dbWorkers(o.Workers)
	return o
}

func dbWorkers(w int) int {
	if w == 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

// DBSCANWarning names a result that suggests poorly chosen parameters.
type DBSCANWarning int

// The warnings DBSCAN reports.
const (
	// WarnAllCore: every row is core, so there is no noise and no border.
	WarnAllCore DBSCANWarning = iota + 1
	// WarnNoCore: no row is core, so every row is noise.
	WarnNoCore
	// WarnOneCluster: all clustered rows are in one single cluster.
	WarnOneCluster
	// WarnMostlyNoise: more than half the rows are noise.
	WarnMostlyNoise
)

func (w DBSCANWarning) String() string {
	switch w {
	case WarnAllCore:
		return "every point is a core point (eps too large or min samples too small): no noise, no border points"
	case WarnNoCore:
		return "no point is a core point (eps too small or min samples too large): every point is noise"
	case WarnOneCluster:
		return "all clustered points form one single cluster (eps too large?)"
	case WarnMostlyNoise:
		return "more than half the points are noise (eps too small or min samples too large?)"
	}
	return fmt.Sprintf("DBSCANWarning(%d)", int(w))
}

// DBSCANResult is the outcome of DBSCAN.
type DBSCANResult struct {
	// Labels holds the cluster of each row, 0..NClusters-1, or -1 for noise.
	Labels []int
	// CoreIndices lists the core rows, ascending.
	CoreIndices []int
	// NClusters is the number of clusters; NNoise the number of rows
	// labelled -1.
	NClusters, NNoise int
	// Eps, MinSamples and Metric are the parameters used, after defaults
	// (Eps is the automatic choice when the options left it 0).
	Eps        float64
	MinSamples int
	Metric     string
	// Warnings lists what the result suggests about the parameters, for
	// the caller to report.
	Warnings []DBSCANWarning
	// KDistances is the sorted k-distance curve (k = MinSamples, see
	// KDistance and DBSCANAutoSample) Eps was chosen from when the options
	// left Eps 0, and nil otherwise.
	KDistances []float64
}

// DBSCAN clusters the rows of x with DBSCAN, giving the same labels and
// core rows as scikit-learn. x is not modified.
func DBSCAN(ctx context.Context, x *mat.Dense, opts DBSCANOptions) (*DBSCANResult, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	o := opts.withDefaults()
	data, n, d, err := dbPrepare(x, o.Metric, "x")
	if err != nil {
		return nil, err
	}
	metric := dbIndexMetric(o.Metric)
	ix := nbBuild(data, n, d, metric, true)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	eps := o.Eps
	var curve []float64
	if eps == 0 {
		if o.MinSamples > n {
			return nil, fmt.Errorf("cluster: automatic eps needs min samples (%d) <= number of rows (%d)", o.MinSamples, n)
		}
		curve, err = dbKDistance(ctx, ix, data, o.MinSamples, o.Metric, o.Workers, dbAutoSample(d))
		if err != nil {
			return nil, err
		}
		eps, _ = AutoEps(curve)
		if eps == 0 {
			return nil, errors.New("cluster: automatic eps is 0 (too many duplicate rows); set eps")
		}
	}
	labels, core, err := dbRun(ctx, ix, dbThreshold(o.Metric, eps), o.MinSamples, o.Workers)
	if err != nil {
		return nil, err
	}
	res := &DBSCANResult{Labels: labels, CoreIndices: core, Eps: eps, MinSamples: o.MinSamples, Metric: o.Metric, KDistances: curve}
	for _, l := range labels {
		if l < 0 {
			res.NNoise++
		} else if l >= res.NClusters {
			res.NClusters = l + 1
		}
	}
	switch {
	case len(core) == n:
		res.Warnings = append(res.Warnings, WarnAllCore)
	case len(core) == 0:
		res.Warnings = append(res.Warnings, WarnNoCore)
	}
	if res.NClusters == 1 {
		res.Warnings = append(res.Warnings, WarnOneCluster)
	}
	if 2*res.NNoise > n {
		res.Warnings = append(res.Warnings, WarnMostlyNoise)
	}
	return res, nil
}

// dbPrepare checks x and returns its rows as one compact row-major slice,
// scaled to unit length for the cosine metric. x is not modified; the
// returned slice may share x's storage.
func dbPrepare(x *mat.Dense, metric, name string) ([]float64, int, int, error) {
	if x == nil || x.IsEmpty() {
		return nil, 0, 0, fmt.Errorf("cluster: %s is empty", name)
	}
	raw := x.RawMatrix()
	n, d := raw.Rows, raw.Cols
	if n >= math.MaxInt32 {
		return nil, 0, 0, fmt.Errorf("cluster: %s has %d rows, more than the %d the neighbour index can hold", name, n, math.MaxInt32-1)
	}
	data := raw.Data
	if raw.Stride != d {
		data = make([]float64, n*d)
		for i := 0; i < n; i++ {
			copy(data[i*d:(i+1)*d], raw.Data[i*raw.Stride:i*raw.Stride+d])
		}
	}
	data = data[:n*d]
	for k, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, 0, fmt.Errorf("cluster: %s row %d column %d is %v, not a finite number", name, k/d, k%d, v)
		}
	}
	if metric == dbCosine {
		u := make([]float64, n*d)
		for i := 0; i < n; i++ {
			row := data[i*d : (i+1)*d]
			s := 0.0
			for _, v := range row {
				s += v * v
			}
			if s == 0 {
				return nil, 0, 0, fmt.Errorf("cluster: %s row %d is all zeros: cosine distance is undefined for it", name, i)
			}
			s = math.Sqrt(s)
			for j, v := range row {
				u[i*d+j] = v / s
			}
		}
		data = u
	}
	return data, n, d, nil
}

func dbIndexMetric(metric string) nbMetric {
	if metric == dbManhattan {
		return nbManhattan
	}
	return nbSquared
}

// dbThreshold converts eps into the index's comparison units.
func dbThreshold(metric string, eps float64) float64 {
	switch metric {
	case dbManhattan:
		return eps
	case dbCosine:
		return 2 * eps
	}
	return eps * eps
}

// dbDistance converts a distance in comparison units back to the metric's.
func dbDistance(metric string, s float64) float64 {
	switch metric {
	case dbManhattan:
		return s
	case dbCosine:
		return s / 2
	}
	return math.Sqrt(s)
}

// dbScratch is one worker's buffers.
type dbScratch struct {
	cnt      []int32
	rec      []uint8
	undone   []int32
	qlo, qhi []float64
	st       []nbStackItem
	heap     nbHeap
	dist     []float64
}

func dbNewScratch(workers, d, leafSize int) []dbScratch {
	s := make([]dbScratch, workers)
	for w := range s {
		s[w].cnt = make([]int32, leafSize)
		s[w].rec = make([]uint8, leafSize)
		s[w].undone = make([]int32, 0, leafSize)
		s[w].qlo = make([]float64, d)
		s[w].qhi = make([]float64, d)
		s[w].dist = make([]float64, leafSize)
	}
	return s
}

// dbRun runs DBSCAN on the index with the threshold thr (comparison units)
// and returns the labels and core rows in original row order.
func dbRun(ctx context.Context, ix *nbIndex, thr float64, minSamples, workers int) ([]int, []int, error) {
	n := ix.n
	core := make([]bool, n) // by index position
	scratch := dbNewScratch(workers, ix.d, ix.leafSize)
	// With minSamples-1 slots a non-core point's record holds all its
	// neighbours (it has at most minSamples-2 besides itself), so border
	// points need no second search.
	m := minSamples - 1
	if m > dbEdgesAll {
		m = dbEdgesPerPoint
	}
	edges := make([]int32, n*m)
	err := parallel.For(ctx, workers, len(ix.leaves), func(w, leaf int) {
		ix.dbCountLeaf(int32(leaf), thr, int32(minSamples), core, edges, m, &scratch[w])
	})
	if err != nil {
		return nil, nil, err
	}
	uf := dbNewLinker(ix, core)
	for p := range n {
		if !core[p] {
			continue
		}
		for _, r := range edges[p*m : (p+1)*m] {
			if r >= 0 && core[r] {
				uf.union(int32(p), r)
			}
		}
	}
	if err := uf.linkAll(ctx, thr); err != nil {
		return nil, nil, err
	}
	labelPos := uf.number()
	if m == minSamples-1 {
		// Each non-core point takes the smallest label of its recorded
		// (that is, all its) core neighbours.
		for p := range n {
			if core[p] {
				continue
			}
			best := int32(-1)
			for _, r := range edges[p*m : (p+1)*m] {
				if r >= 0 && core[r] && (best < 0 || labelPos[r] < best) {
					best = labelPos[r]
				}
			}
			labelPos[p] = best
		}
	} else if err := ix.dbBorders(ctx, thr, core, labelPos, workers, scratch); err != nil {
		return nil, nil, err
	}
	edges = nil
	labels := make([]int, n)
	var coreIdx []int
	for p, i := range ix.perm {
		labels[i] = int(labelPos[p])
	}
	for p, i := range ix.perm {
		if core[p] {
			coreIdx = append(coreIdx, int(i))
		}
	}
	if !ix.identity() {
		slices.Sort(coreIdx)
	}
	return labels, coreIdx, nil
}

// identity reports whether index positions are the original rows.
func (ix *nbIndex) identity() bool {
	for p, i := range ix.perm {
		if int32(p) != i {
			return false
		}
	}
	return true
}

// dbCountLeaf marks the core points of one leaf: it counts each point's
// neighbours until it has minSamples of them.
//
// It also records up to m neighbours (other than the point itself) of each
// point in edges[p*m : p*m+m], -1 where there are fewer: the first ones met.
// Joining core points with their recorded core neighbours does most of the
// linking work at no extra distance computations.
func (ix *nbIndex) dbCountLeaf(leaf int32, thr float64, minSamples int32, core []bool, edges []int32, m int, s *dbScratch) {
	nd := ix.nodes[ix.leaves[leaf]]
	metric := ix.metric
	undone := s.undone[:0]
	cnt, rec := s.cnt, s.rec
	for p := nd.start; p < nd.end; p++ {
		undone = append(undone, p)
		cnt[p-nd.start] = 0
		rec[p-nd.start] = 0
		for k := range m {
			edges[int(p)*m+k] = -1
		}
	}
	ix.dbQueryBox(undone, s.qlo, s.qhi)
	st := append(s.st[:0], nbStackItem{0, 0})
	for len(st) > 0 && len(undone) > 0 {
		it := st[len(st)-1]
		st = st[:len(st)-1]
		b := ix.nodes[it.node]
		if b.left >= 0 {
			llo, lhi := ix.box(b.left)
			rlo, rhi := ix.box(b.right)
			lb := nbBoxLower(metric, s.qlo, s.qhi, llo, lhi)
			rb := nbBoxLower(metric, s.qlo, s.qhi, rlo, rhi)
			first, second := nbStackItem{b.right, rb}, nbStackItem{b.left, lb}
			if rb < lb {
				first, second = second, first
			}
			if !nbBeyond(first.bound, thr) {
				st = append(st, first)
			}
			if !nbBeyond(second.bound, thr) {
				st = append(st, second)
			}
			continue
		}
		blo, bhi := ix.box(it.node)
		allIn := false
		if ix.diam[b.leafLo] <= thr {
			_, upper := nbBoxBox(metric, s.qlo, s.qhi, blo, bhi)
			allIn = nbWithin(upper, thr)
		}
		if allIn {
			for _, p := range undone {
				cnt[p-nd.start] += b.end - b.start
				e := edges[int(p)*m : int(p+1)*m]
				for r := b.start; r < b.end && int(rec[p-nd.start]) < m; r++ {
					if r != p {
						e[rec[p-nd.start]] = r
						rec[p-nd.start]++
					}
				}
			}
		} else {
			for _, p := range undone {
				q := ix.row(p)
				if nbBeyond(nbPointBox(metric, q, blo, bhi), thr) {
					continue
				}
				c := cnt[p-nd.start]
				e := edges[int(p)*m : int(p+1)*m]
				k := int(rec[p-nd.start])
				// Chunks of dbChunk rows, to stop soon after minSamples.
				for lo := b.start; lo < b.end && c < minSamples; lo += dbChunk {
					hi := min(lo+dbChunk, b.end)
					dist := s.dist[:hi-lo]
					nbDistRows(metric, q, ix.rows(lo, hi), dist)
					for i, v := range dist {
						if v <= thr {
							c++
							if r := lo + int32(i); k < m && r != p {
								e[k] = r
								k++
							}
						}
					}
				}
				cnt[p-nd.start] = c
				rec[p-nd.start] = uint8(k)
			}
		}
		k := 0
		for _, p := range undone {
			if cnt[p-nd.start] >= minSamples {
				core[p] = true
			} else {
				undone[k] = p
				k++
			}
		}
		if k < len(undone) {
			undone = undone[:k]
			ix.dbQueryBox(undone, s.qlo, s.qhi)
		}
	}
	s.st = st
	s.undone = undone
}

// dbQueryBox sets lo, hi to the bounding box of the points at positions ps.
func (ix *nbIndex) dbQueryBox(ps []int32, lo, hi []float64) {
	for j := range lo {
		lo[j], hi[j] = math.Inf(1), math.Inf(-1)
	}
	for _, p := range ps {
		for j, v := range ix.row(p) {
			lo[j] = min(lo[j], v)
			hi[j] = max(hi[j], v)
		}
	}
}

// dbLinker joins core points within the threshold with a union-find over
// index positions.
type dbLinker struct {
	ix      *nbIndex
	core    []bool
	parent  []int32
	nCore   []int32 // core points per leaf
	rep     []int32 // a core point of each leaf
	uniform []bool  // all core points of the leaf are in one set
	dist    []float64
}

func dbNewLinker(ix *nbIndex, core []bool) *dbLinker {
	l := &dbLinker{
		ix:      ix,
		core:    core,
		parent:  make([]int32, ix.n),
		nCore:   make([]int32, len(ix.leaves)),
		rep:     make([]int32, len(ix.leaves)),
		uniform: make([]bool, len(ix.leaves)),
		dist:    make([]float64, ix.leafSize),
	}
	for p := range l.parent {
		l.parent[p] = int32(p)
	}
	for leaf, id := range ix.leaves {
		nd := ix.nodes[id]
		l.rep[leaf] = -1
		for p := nd.start; p < nd.end; p++ {
			if core[p] {
				if l.nCore[leaf] == 0 {
					l.rep[leaf] = p
				}
				l.nCore[leaf]++
			}
		}
		l.uniform[leaf] = l.nCore[leaf] == 1
	}
	return l
}

func (l *dbLinker) find(p int32) int32 {
	par := l.parent
	for par[p] != p {
		par[p] = par[par[p]]
		p = par[p]
	}
	return p
}

// union joins the sets of a and b; the smaller root becomes the root.
func (l *dbLinker) union(a, b int32) {
	ra, rb := l.find(a), l.find(b)
	if ra == rb {
		return
	}
	if ra < rb {
		l.parent[rb] = ra
	} else {
		l.parent[ra] = rb
	}
}

// isUniform reports (and remembers) whether all core points of leaf are in
// one set. Sets only grow, so a uniform leaf stays uniform.
func (l *dbLinker) isUniform(leaf int32) bool {
	if l.uniform[leaf] {
		return true
	}
	nd := l.ix.nodes[l.ix.leaves[leaf]]
	r := l.find(l.rep[leaf])
	for p := nd.start; p < nd.end; p++ {
		if l.core[p] && l.find(p) != r {
			return false
		}
	}
	l.uniform[leaf] = true
	return true
}

// linkAll joins every pair of core points within thr. Each pair of leaves
// (a, b) with a <= b is visited once.
func (l *dbLinker) linkAll(ctx context.Context, thr float64) error {
	ix := l.ix
	metric := ix.metric
	var st []nbStackItem
	for a := int32(0); a < int32(len(ix.leaves)); a++ {
		if a%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if l.nCore[a] == 0 {
			continue
		}
		aid := ix.leaves[a]
		l.linkSelf(a, thr)
		alo, ahi := ix.box(aid)
		st = append(st[:0], nbStackItem{0, 0})
		for len(st) > 0 {
			it := st[len(st)-1]
			st = st[:len(st)-1]
			b := ix.nodes[it.node]
			if b.leafHi <= a+1 {
				continue
			}
			if b.left >= 0 {
				st = ix.pushChildren(st, it.node, thr, func(c int32) float64 {
					lo, hi := ix.box(c)
					lower, _ := nbBoxBox(metric, alo, ahi, lo, hi)
					return lower
				})
				continue
			}
			if l.nCore[b.leafLo] > 0 {
				l.linkPair(a, b.leafLo, thr)
			}
		}
	}
	return nil
}

// linkSelf joins the core points of leaf a that are within thr.
func (l *dbLinker) linkSelf(a int32, thr float64) {
	if l.uniform[a] {
		return
	}
	ix := l.ix
	id := ix.leaves[a]
	nd := ix.nodes[id]
	lo, hi := ix.box(id)
	if _, upper := nbBoxBox(ix.metric, lo, hi, lo, hi); nbWithin(upper, thr) {
		for p := nd.start; p < nd.end; p++ {
			if l.core[p] {
				l.union(l.rep[a], p)
			}
		}
		l.uniform[a] = true
		return
	}
	for p := nd.start; p < nd.end; p++ {
		if !l.core[p] {
			continue
		}
		dist := l.dist[:nd.end-p-1]
		nbDistRows(ix.metric, ix.row(p), ix.rows(p+1, nd.end), dist)
		for k, v := range dist {
			r := p + 1 + int32(k)
			if v <= thr && l.core[r] {
				l.union(p, r)
			}
		}
	}
}

// linkPair joins the core points of leaves a and b that are within thr.
func (l *dbLinker) linkPair(a, b int32, thr float64) {
	ix := l.ix
	metric := ix.metric
	A, B := ix.nodes[ix.leaves[a]], ix.nodes[ix.leaves[b]]
	ua, ub := l.isUniform(a), l.isUniform(b)
	if ua && ub {
		if l.find(l.rep[a]) == l.find(l.rep[b]) {
			return
		}
		alo, ahi := ix.box(ix.leaves[a])
		blo, bhi := ix.box(ix.leaves[b])
		if _, upper := nbBoxBox(metric, alo, ahi, blo, bhi); nbWithin(upper, thr) {
			l.union(l.rep[a], l.rep[b])
			return
		}
		dist := l.dist[:B.end-B.start]
		for p := A.start; p < A.end; p++ {
			if !l.core[p] {
				continue
			}
			nbDistRows(metric, ix.row(p), ix.rows(B.start, B.end), dist)
			for k, v := range dist {
				if v <= thr && l.core[B.start+int32(k)] {
					l.union(p, B.start+int32(k))
					return
				}
			}
		}
		return
	}
	if ub {
		// Symmetric to the case below: make a the uniform one.
		a, b, A, B, ua = b, a, B, A, true
	}
	if ua {
		// Every core point of b outside a's set looks for one partner in a.
		ra := l.find(l.rep[a])
		dist := l.dist[:A.end-A.start]
		for r := B.start; r < B.end; r++ {
			if !l.core[r] || l.find(r) == ra {
				continue
			}
			nbDistRows(metric, ix.row(r), ix.rows(A.start, A.end), dist)
			for k, v := range dist {
				if v <= thr && l.core[A.start+int32(k)] {
					l.union(A.start+int32(k), r)
					ra = l.find(ra)
					break
				}
			}
		}
		return
	}
	dist := l.dist[:B.end-B.start]
	for p := A.start; p < A.end; p++ {
		if !l.core[p] {
			continue
		}
		nbDistRows(metric, ix.row(p), ix.rows(B.start, B.end), dist)
		for k, v := range dist {
			r := B.start + int32(k)
			if v <= thr && l.core[r] && l.find(p) != l.find(r) {
				l.union(p, r)
			}
		}
	}
}

// number gives each set a cluster number in the order of its smallest
// original row, and returns the label of each index position: the cluster
// for core points, -1 for the others.
func (l *dbLinker) number() []int32 {
	ix := l.ix
	n := ix.n
	inv := make([]int32, n)
	for p, i := range ix.perm {
		inv[i] = int32(p)
	}
	id := make([]int32, n) // by root position
	for p := range id {
		id[p] = -1
	}
	next := int32(0)
	for i := 0; i < n; i++ {
		p := inv[i]
		if !l.core[p] {
			continue
		}
		r := l.find(p)
		if id[r] < 0 {
			id[r] = next
			next++
		}
	}
	labelPos := inv // no longer needed: reuse its memory
	for p := range labelPos {
		if l.core[p] {
			labelPos[p] = id[l.find(int32(p))]
		} else {
			labelPos[p] = -1
		}
	}
	return labelPos
}

// dbBorders gives each non-core point the smallest label among its core
// neighbours (-1 if none). labelPos holds the core points' labels.
func (ix *nbIndex) dbBorders(ctx context.Context, thr float64, core []bool, labelPos []int32, workers int, scratch []dbScratch) error {
	const none = math.MaxInt32
	metric := ix.metric
	// Smallest and largest label of the core points under each node; nodes
	// are stored parents first, so a reverse sweep sees children first.
	minL := make([]int32, len(ix.nodes))
	maxL := make([]int32, len(ix.nodes))
	for id := len(ix.nodes) - 1; id >= 0; id-- {
		nd := ix.nodes[id]
		lo, hi := int32(none), int32(-1)
		if nd.left < 0 {
			for p := nd.start; p < nd.end; p++ {
				if core[p] {
					lo = min(lo, labelPos[p])
					hi = max(hi, labelPos[p])
				}
			}
		} else {
			lo = min(minL[nd.left], minL[nd.right])
			hi = max(maxL[nd.left], maxL[nd.right])
		}
		minL[id], maxL[id] = lo, hi
	}
	const chunk = 1024
	return parallel.For(ctx, workers, (ix.n+chunk-1)/chunk, func(w, t int) {
		s := &scratch[w]
		for p := int32(t * chunk); p < int32(min(ix.n, (t+1)*chunk)); p++ {
			if core[p] {
				continue
			}
			q := ix.row(p)
			best := int32(none)
			st := append(s.st[:0], nbStackItem{0, 0})
			for len(st) > 0 && best > 0 {
				it := st[len(st)-1]
				st = st[:len(st)-1]
				if minL[it.node] >= best {
					continue
				}
				b := ix.nodes[it.node]
				if b.left >= 0 {
					st = ix.pushChildren(st, it.node, thr, func(c int32) float64 {
						if minL[c] >= best {
							return math.Inf(1)
						}
						return ix.pointNode(q, c)
					})
					continue
				}
				dist := s.dist[:b.end-b.start]
				nbDistRows(metric, q, ix.rows(b.start, b.end), dist)
				for k, v := range dist {
					r := b.start + int32(k)
					if v <= thr && core[r] && labelPos[r] < best {
						best = labelPos[r]
					}
				}
			}
			s.st = st
			if best != none {
				labelPos[p] = best
			}
		}
	})
}
