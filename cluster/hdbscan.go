package cluster

// # HDBSCAN
//
// HDBSCAN finds clusters of different densities without an eps: it builds
// the whole hierarchy of DBSCAN clusterings over all radii and keeps the
// clusters that persist longest. It follows scikit-learn 1.3's
// sklearn.cluster.HDBSCAN (and the hdbscan library it came from) step by
// step, with euclidean distance:
//
//  1. The core distance of a row is the distance to its MinSamples-th
//     nearest row, the row itself counting as the first (scikit-learn's
//     convention, also DBSCAN's MinSamples here; the hdbscan library's
//     min_samples does not count the row itself, so its m is MinSamples
//     m+1 here). They come from k-nearest searches in the k-d tree that
//     DBSCAN uses, in parallel.
//  2. The mutual reachability distance of two rows is the largest of their
//     distance and their two core distances. Its minimum spanning tree is
//     built with Prim's algorithm from row 0, computing distances on the
//     fly (O(n) memory), each step scanning the rows outside the tree in
//     parallel. A row whose distance to the tree has come down to its own
//     core distance can never get closer: it leaves the scan for a heap,
//     which on clustered data removes most rows from the scans early.
//  3. The tree's edges, sorted by weight, give the single-linkage
//     hierarchy. It is condensed with MinClusterSize: going down from the
//     root at lambda = 1/distance, a split where both sides have at least
//     MinClusterSize rows makes two new clusters; rows on a smaller side
//     "fall out" of the cluster at that lambda.
//  4. The stability of a cluster is the sum, over the rows and child
//     clusters leaving it, of (lambda at leaving - lambda at its birth)
//     times their size.
//  5. "eom" (excess of mass) selects, bottom-up, a cluster when its
//     stability is at least the summed (selected) stability of its child
//     clusters, and then none of its descendants; "leaf" selects the
//     clusters of the condensed tree that have no child cluster (and
//     none, so every row is noise, when the root never splits). The root
//     is a candidate only with AllowSingleCluster; then, as in
//     scikit-learn, only rows that leave it at the largest lambda of its
//     direct children are labelled, the others are noise.
//  6. A row takes the label of the selected cluster it belongs to (the
//     nearest selected ancestor of the cluster it falls out of), -1 if
//     none. Its probability is min(lambda_row, lambda_max)/lambda_max,
//     with lambda_max the largest lambda at which a row or a child cluster
//     leaves the selected cluster (1 when lambda_max is 0 or lambda_row is
//     infinite, as for duplicate rows); noise has probability 0.
//
// Clusters are numbered 0, 1, ... in the order of their smallest row index
// (scikit-learn numbers them by their position in the condensed tree,
// which depends on how ties are broken; the partition is the same).
// lambda_max is taken over all the cluster's direct children, as the hdbscan
// library does (scikit-learn 1.3's max_lambdas only looks at the last
// contiguous run of a cluster's rows in the condensed tree, which can give
// it slightly different probabilities). The parameters
// cluster_selection_epsilon and max_cluster_size are not offered.
//
// # HDBSCAN against DBSCAN
//
// Adjusted Rand index against the reference labels (noise, label 0 in the
// files, counted as one more group for both) on the labelled sets of
// Gagolewski's clustering benchmark suite v1.1.0 (batteries fcps, graves
// and other, the sets of at most 3 columns). HDBSCAN uses MinClusterSize
// 10, MinSamples 10; DBSCAN uses MinSamples 10 and the best of 200 eps on a
// log grid from the 1st to the 99th percentile of the 10-distances, which
// is an upper bound that no eps chosen without the labels reaches.
// Reproduce with HDBSCAN_EVAL_ALL=1 go test ./cluster -run
// TestHDBSCANBenchmarkSets -v (the test runs a subset unless the variable
// is set).
//
//	data set                     n  HDBSCAN  DBSCAN (best eps)
//	(table filled in by TestHDBSCANBenchmarkSets; see hdbscan_eval_test.go)
//
// # Cost
//
// Core distances cost n k-nearest searches. Prim's algorithm costs
// O(n^2) distance checks in the worst case, far fewer on clustered data
// because saturated rows leave the scans; memory beyond x is O(n): a copy
// of the rows in tree order for the index and one for the scans, and about
// 60 bytes per row.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// The cluster selection methods of HDBSCANOptions.ClusterSelection.
const (
	hdEOM  = "eom"
	hdLeaf = "leaf"
)

// HDBSCANOptions configures HDBSCAN. The zero value means: MinClusterSize
// 5, MinSamples equal to MinClusterSize, Euclidean distance, excess of
// mass selection, no single cluster, all CPUs.
type HDBSCANOptions struct {
	// MinClusterSize is the smallest number of rows a cluster can have; it
	// must be at least 2. 0 means 5.
	MinClusterSize int
	// MinSamples sets the core distance of a row: the distance to its
	// MinSamples-th nearest row, the row itself counting as the first
	// (scikit-learn's convention; the hdbscan library's min_samples is
	// one less). 0 means MinClusterSize.
	MinSamples int
	// Metric is "euclidean" (the default when empty), the only one.
	Metric string
	// ClusterSelection is "eom" (excess of mass, the default when empty)
	// or "leaf".
	ClusterSelection string
	// AllowSingleCluster lets "eom" select the root, that is one single
	// cluster, when it is more stable than any split.
	AllowSingleCluster bool
	// Workers is the number of goroutines; 0 means runtime.GOMAXPROCS(0).
	Workers int
}

// Validate reports the first invalid option.
func (o HDBSCANOptions) Validate() error {
	if o.MinClusterSize < 0 || o.MinClusterSize == 1 {
		return fmt.Errorf("cluster: min cluster size must be at least 2, got %d", o.MinClusterSize)
	}
	if o.MinSamples < 0 {
		return fmt.Errorf("cluster: min samples must be at least 1, got %d", o.MinSamples)
	}
	if o.Metric != "" && o.Metric != dbEuclidean {
		return fmt.Errorf("cluster: unknown metric %q for HDBSCAN (want euclidean)", o.Metric)
	}
	switch o.ClusterSelection {
	case "", hdEOM, hdLeaf:
	default:
		return fmt.Errorf("cluster: unknown cluster selection %q (want eom or leaf)", o.ClusterSelection)
	}
	if o.Workers < 0 {
		return fmt.Errorf("cluster: workers must be >= 0, got %d", o.Workers)
	}
	return nil
}

func (o HDBSCANOptions) withDefaults() HDBSCANOptions {
	if o.MinClusterSize == 0 {
		o.MinClusterSize = 5
	}
	if o.MinSamples == 0 {
		o.MinSamples = o.MinClusterSize
	}
	if o.Metric == "" {
		o.Metric = dbEuclidean
	}
	if o.ClusterSelection == "" {
		o.ClusterSelection = hdEOM
	}
	o.Workers = dbWorkers(o.Workers)
	return o
}

// HDBSCANResult is the outcome of HDBSCAN.
type HDBSCANResult struct {
	// Labels holds the cluster of each row, 0..NClusters-1 numbered in the
	// order of their smallest row, or -1 for noise.
	Labels []int
	// Probabilities holds the strength of each row's membership of its
	// cluster, in [0, 1]; 0 for noise.
	Probabilities []float64
	// NClusters is the number of clusters; NNoise the number of rows
	// labelled -1.
	NClusters, NNoise int
	// MinClusterSize, MinSamples and ClusterSelection are the parameters
	// used, after defaults.
	MinClusterSize, MinSamples int
	ClusterSelection           string
}

// HDBSCAN clusters the rows of x with HDBSCAN. x is not modified.
func HDBSCAN(ctx context.Context, x *mat.Dense, opts HDBSCANOptions) (*HDBSCANResult, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	o := opts.withDefaults()
	data, n, d, err := dbPrepare(x, o.Metric, "x")
	if err != nil {
		return nil, err
	}
	if o.MinSamples > n {
		return nil, fmt.Errorf("cluster: min samples (%d) must be at most the number of rows (%d)", o.MinSamples, n)
	}
	core2, err := hdCoreDistances(ctx, data, n, d, o.MinSamples, o.Workers)
	if err != nil {
		return nil, err
	}
	edges, err := hdPrim(ctx, data, n, d, core2, o.Workers)
	if err != nil {
		return nil, err
	}
	tree := hdCondense(hdSingleLinkage(edges, n), n, o.MinClusterSize)
	labels, probs := tree.labels(o.ClusterSelection == hdLeaf, o.AllowSingleCluster)
	res := &HDBSCANResult{
		Labels: labels, Probabilities: probs,
		MinClusterSize: o.MinClusterSize, MinSamples: o.MinSamples, ClusterSelection: o.ClusterSelection,
	}
	for _, l := range labels {
		if l < 0 {
			res.NNoise++
		} else if l >= res.NClusters {
			res.NClusters = l + 1
		}
	}
	return res, nil
}

// hdCoreDistances returns the squared distance of each row (original order)
// to its k-th nearest row, itself counting as the first.
func hdCoreDistances(ctx context.Context, data []float64, n, d, k, workers int) ([]float64, error) {
	ix := nbBuild(data, n, d, nbSquared, true)
	core2 := make([]float64, n)
	scratch := dbNewScratch(workers, d, ix.leafSize)
	const chunk = 256
	err := dbParallel(ctx, workers, (n+chunk-1)/chunk, func(w, t int) {
		s := &scratch[w]
		for i := t * chunk; i < min(n, (t+1)*chunk); i++ {
			core2[i], s.st = ix.kthNearest(data[i*d:(i+1)*d], k, &s.heap, s.st, s.dist)
		}
	})
	if err != nil {
		return nil, err
	}
	return core2, nil
}

// hdEdge is an edge of the minimum spanning tree: rows a and b, and their
// mutual reachability distance w.
type hdEdge struct {
	a, b int32
	w    float64
}

// hdCand is a row outside the tree with its squared mutual reachability
// distance v to the tree, reached from the tree row src.
type hdCand struct {
	v       float64
	id, src int32
}

// less orders candidates by distance, then by row.
func (c hdCand) less(o hdCand) bool { return c.v < o.v || (c.v == o.v && c.id < o.id) }

// hdHeap is a min-heap of candidates whose distance to the tree cannot
// decrease any more.
type hdHeap []hdCand

func (h *hdHeap) push(c hdCand) {
	s := append(*h, c)
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !s[i].less(s[p]) {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
	*h = s
}

func (h *hdHeap) pop() hdCand {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(s) {
			break
		}
		c := l
		if r := l + 1; r < len(s) && s[r].less(s[l]) {
			c = r
		}
		if !s[c].less(s[i]) {
			break
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
	*h = s
	return top
}

// hdScan is the state of Prim's algorithm over the rows outside the tree,
// stored compacted: row ids[q] at position q.
type hdScan struct {
	d     int
	pts   []float64 // coordinates
	ids   []int32
	src   []int32   // tree row giving dmin
	dmin  []float64 // squared mutual reachability distance to the tree
	core2 []float64 // squared core distance
	sat   []bool    // dmin == core2: moved to the heap
}

// scan lowers the distances of positions [lo, hi) to the tree with the
// row cur (coordinates c, squared core distance cc), appends the positions
// that become saturated to satOut, and returns the nearest unsaturated
// position (best.id is the position, -1 if none).
func (s *hdScan) scan(c []float64, cur int32, cc float64, lo, hi int, satOut []int32) (hdCand, []int32) {
	best := hdCand{v: math.Inf(1), id: -1}
	bestRow := int32(math.MaxInt32)
	d := s.d
	for q := lo; q < hi; q++ {
		if s.sat[q] {
			continue
		}
		dq := s.dmin[q]
		cq := s.core2[q]
		if cc < dq && cq < dq {
			p := s.pts[q*d : (q+1)*d]
			p = p[:len(c)]
			sum := 0.0
			for j, v := range c {
				t := v - p[j]
				sum += t * t
			}
			if sum < dq {
				v := max(sum, cc, cq)
				s.dmin[q], s.src[q], dq = v, cur, v
				if v <= cq {
					s.sat[q] = true
					satOut = append(satOut, int32(q))
					continue
				}
			}
		}
		if dq < best.v || (dq == best.v && s.ids[q] < bestRow) {
			best = hdCand{v: dq, id: int32(q)}
			bestRow = s.ids[q]
		}
	}
	return best, satOut
}

// remove swap-removes position p.
func (s *hdScan) remove(p int) {
	last := len(s.ids) - 1
	d := s.d
	if p != last {
		copy(s.pts[p*d:(p+1)*d], s.pts[last*d:(last+1)*d])
		s.ids[p], s.src[p], s.dmin[p], s.core2[p], s.sat[p] = s.ids[last], s.src[last], s.dmin[last], s.core2[last], s.sat[last]
	}
	s.truncate(last)
}

func (s *hdScan) truncate(m int) {
	s.pts, s.ids, s.src, s.dmin, s.core2, s.sat = s.pts[:m*s.d], s.ids[:m], s.src[:m], s.dmin[:m], s.core2[:m], s.sat[:m]
}

// compact drops the saturated positions.
func (s *hdScan) compact() {
	d := s.d
	k := 0
	for q := range s.ids {
		if s.sat[q] {
			continue
		}
		if k != q {
			copy(s.pts[k*d:(k+1)*d], s.pts[q*d:(q+1)*d])
			s.ids[k], s.src[k], s.dmin[k], s.core2[k], s.sat[k] = s.ids[q], s.src[q], s.dmin[q], s.core2[q], false
		}
		k++
	}
	s.truncate(k)
}

// hdMinChunk is the smallest number of positions per goroutine in a scan.
const hdMinChunk = 4096

// hdPrim returns the minimum spanning tree of the mutual reachability
// graph in the order Prim's algorithm adds its rows, starting at row 0;
// ties go to the smaller row. core2 holds squared core distances.
func hdPrim(ctx context.Context, data []float64, n, d int, core2 []float64, workers int) ([]hdEdge, error) {
	s := &hdScan{
		d:     d,
		pts:   make([]float64, (n-1)*d),
		ids:   make([]int32, n-1),
		src:   make([]int32, n-1),
		dmin:  make([]float64, n-1),
		core2: make([]float64, n-1),
		sat:   make([]bool, n-1),
	}
	copy(s.pts, data[d:n*d])
	for q := range s.ids {
		s.ids[q] = int32(q + 1)
		s.src[q] = -1
		s.dmin[q] = math.Inf(1)
		s.core2[q] = core2[q+1]
	}
	var heap hdHeap
	satInS := 0 // saturated positions still in s (in the heap or already in the tree)
	satBuf := make([][]int32, max(1, workers))
	bests := make([]hdCand, max(1, workers))
	edges := make([]hdEdge, 0, n-1)
	cur := int32(0)
	for k := 0; k < n-1; k++ {
		if k&255 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		c := data[int(cur)*d : int(cur+1)*d]
		cc := core2[cur]
		m := len(s.ids)
		w := max(1, min(workers, m/hdMinChunk))
		if w == 1 {
			bests[0], satBuf[0] = s.scan(c, cur, cc, 0, m, satBuf[0][:0])
		} else {
			var wg sync.WaitGroup
			for i := 1; i < w; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					bests[i], satBuf[i] = s.scan(c, cur, cc, i*m/w, (i+1)*m/w, satBuf[i][:0])
				}()
			}
			bests[0], satBuf[0] = s.scan(c, cur, cc, 0, m/w, satBuf[0][:0])
			wg.Wait()
		}
		best := hdCand{v: math.Inf(1), id: -1}
		bestRow := int32(math.MaxInt32)
		for i := range w {
			for _, q := range satBuf[i] {
				heap.push(hdCand{v: s.dmin[q], id: s.ids[q], src: s.src[q]})
				satInS++
			}
			if b := bests[i]; b.id >= 0 {
				if r := s.ids[b.id]; b.v < best.v || (b.v == best.v && r < bestRow) {
					best, bestRow = b, r
				}
			}
		}
		var e hdEdge
		switch {
		case len(heap) > 0 && (best.id < 0 || heap[0].less(hdCand{v: best.v, id: bestRow})):
			h := heap.pop() // its position stays in s, saturated, until compact
			e = hdEdge{a: h.src, b: h.id, w: h.v}
		case best.id >= 0:
			p := int(best.id)
			e = hdEdge{a: s.src[p], b: s.ids[p], w: s.dmin[p]}
			s.remove(p)
		default:
			panic("cluster: HDBSCAN spanning tree ran out of rows")
		}
		edges = append(edges, e)
		cur = e.b
		if satInS > 1024 && satInS > len(s.ids)/4 {
			s.compact()
			satInS = 0
		}
	}
	for i := range edges {
		edges[i].w = math.Sqrt(edges[i].w)
		if math.IsInf(edges[i].w, 0) {
			return nil, errors.New("cluster: distances overflow float64; scale the data down")
		}
	}
	return edges, nil
}

// hdLink is a row of the single-linkage hierarchy: nodes a and b (rows are
// 0..n-1, the hierarchy's row i is node n+i) merged at distance w into a
// node of size rows.
type hdLink struct {
	a, b int32
	w    float64
	size int32
}

// hdSingleLinkage turns the spanning tree into the single-linkage
// hierarchy: edges sorted by weight (stable), merged with a union-find.
func hdSingleLinkage(edges []hdEdge, n int) []hdLink {
	sorted := slices.Clone(edges)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].w < sorted[j].w })
	parent := make([]int32, 2*n-1)
	size := make([]int32, 2*n-1)
	for i := range parent {
		parent[i] = int32(i)
		if i < n {
			size[i] = 1
		}
	}
	find := func(x int32) int32 {
		r := x
		for parent[r] != r {
			r = parent[r]
		}
		for parent[x] != r {
			parent[x], x = r, parent[x]
		}
		return r
	}
	links := make([]hdLink, len(sorted))
	for i, e := range sorted {
		a, b := find(e.a), find(e.b)
		node := int32(n + i)
		parent[a], parent[b] = node, node
		size[node] = size[a] + size[b]
		links[i] = hdLink{a: a, b: b, w: e.w, size: size[node]}
	}
	return links
}

// hdTree is the condensed tree. Cluster 0 is the root; a cluster's
// children have larger numbers than it.
type hdTree struct {
	parent []int32   // per cluster, -1 for the root
	birth  []float64 // lambda at which the cluster appears (0 for the root)
	stab   []float64 // stability
	death  []float64 // largest lambda of a row or child leaving it
	hasSub []bool    // has child clusters
	// Per row: the cluster it falls out of and the lambda at which it does.
	rowCluster []int32
	rowLambda  []float64
}

func (t *hdTree) newCluster(parent int32, birth float64) int32 {
	t.parent = append(t.parent, parent)
	t.birth = append(t.birth, birth)
	t.stab = append(t.stab, 0)
	t.death = append(t.death, 0)
	t.hasSub = append(t.hasSub, false)
	return int32(len(t.parent) - 1)
}

// hdCondense condenses the hierarchy with the minimum cluster size mcs and
// computes stabilities.
func hdCondense(links []hdLink, n, mcs int) *hdTree {
	t := &hdTree{rowCluster: make([]int32, n), rowLambda: make([]float64, n)}
	t.newCluster(-1, 0)
	if n == 1 {
		t.rowCluster[0], t.rowLambda[0] = 0, math.Inf(1)
		return t
	}
	count := func(node int32) int {
		if int(node) < n {
			return 1
		}
		return int(links[int(node)-n].size)
	}
	// fallOut records every row under node as leaving cluster c at lambda.
	var sub []int32
	fallOut := func(node, c int32, lambda float64) {
		sub = append(sub[:0], node)
		for len(sub) > 0 {
			x := sub[len(sub)-1]
			sub = sub[:len(sub)-1]
			if int(x) < n {
				t.rowCluster[x], t.rowLambda[x] = c, lambda
				t.stab[c] += lambda - t.birth[c]
				t.death[c] = max(t.death[c], lambda)
				continue
			}
			l := links[int(x)-n]
			sub = append(sub, l.b, l.a)
		}
	}
	type item struct{ node, c int32 }
	st := []item{{int32(2*n - 2), 0}}
	for len(st) > 0 {
		it := st[len(st)-1]
		st = st[:len(st)-1]
		if int(it.node) < n { // a single row reached while still in a cluster (mcs 1 cannot happen)
			fallOut(it.node, it.c, math.Inf(1))
			continue
		}
		l := links[int(it.node)-n]
		lambda := math.Inf(1)
		if l.w > 0 {
			lambda = 1 / l.w
		}
		la, lb := count(l.a), count(l.b)
		c := it.c
		switch {
		case la >= mcs && lb >= mcs:
			for _, ch := range [2]struct {
				node int32
				size int
			}{{l.b, lb}, {l.a, la}} {
				k := t.newCluster(c, lambda)
				t.stab[c] += (lambda - t.birth[c]) * float64(ch.size)
				t.death[c] = max(t.death[c], lambda)
				t.hasSub[c] = true
				st = append(st, item{ch.node, k})
			}
		case la < mcs && lb < mcs:
			fallOut(l.a, c, lambda)
			fallOut(l.b, c, lambda)
		case la < mcs:
			fallOut(l.a, c, lambda)
			st = append(st, item{l.b, c})
		default:
			fallOut(l.b, c, lambda)
			st = append(st, item{l.a, c})
		}
	}
	return t
}

// labels selects clusters and labels the rows.
func (t *hdTree) labels(leaf, allowSingle bool) ([]int, []float64) {
	nc := len(t.parent)
	selected := make([]bool, nc)
	if leaf {
		for c := 1; c < nc; c++ {
			selected[c] = !t.hasSub[c]
		}
	} else {
		// Bottom-up: children have larger numbers than their parent.
		stab := slices.Clone(t.stab)
		subSum := make([]float64, nc)
		first := 1
		if allowSingle {
			first = 0
		}
		for c := nc - 1; c >= first; c-- {
			if subSum[c] > stab[c] {
				stab[c] = subSum[c]
			} else {
				selected[c] = true
			}
			if p := t.parent[c]; p >= 0 {
				subSum[p] += stab[c]
			}
		}
		// Top-down: a selected cluster drops its selected descendants.
		blocked := make([]bool, nc)
		for c := 1; c < nc; c++ {
			p := t.parent[c]
			blocked[c] = blocked[p] || selected[p]
			if blocked[c] {
				selected[c] = false
			}
		}
	}
	// owner[c] is the selected cluster c belongs to, -1 if none.
	owner := make([]int32, nc)
	for c := range nc {
		switch {
		case selected[c]:
			owner[c] = int32(c)
		case c == 0:
			owner[c] = -1
		default:
			owner[c] = owner[t.parent[c]]
		}
	}
	n := len(t.rowCluster)
	labels := make([]int, n)
	probs := make([]float64, n)
	// Number clusters by their smallest row.
	num := make([]int, nc)
	for c := range num {
		num[c] = -1
	}
	next := 0
	rootThreshold := t.death[0]
	for i := range n {
		c := owner[t.rowCluster[i]]
		if c == 0 && t.rowLambda[i] < rootThreshold {
			c = -1 // single cluster: only rows leaving the root last
		}
		if c < 0 {
			labels[i] = -1
			continue
		}
		if num[c] < 0 {
			num[c] = next
			next++
		}
		labels[i] = num[c]
		lam, top := t.rowLambda[i], t.death[c]
		switch {
		case top == 0 || math.IsInf(lam, 1):
			probs[i] = 1
		default:
			probs[i] = min(lam, top) / top
		}
	}
	return labels, probs
}
