package cluster

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"
)

// lkAllPaths runs every algorithm that can build the given method, so the
// hand-computed trees check each one: Ward by the matrix recurrence and by
// the centroid chain, with one and with several workers.
var lkAllPaths = []struct {
	name string
	opts LinkageOptions
}{
	{"default", LinkageOptions{}},
	{"centroid chain", LinkageOptions{WardMatrixMaxRows: -1, Workers: 1}},
	{"workers 4", LinkageOptions{WardMatrixMaxRows: -1, Workers: 4}},
}

func TestLinkageSmall(t *testing.T) {
	// Points 0, 1, 3, 10 on a line; heights worked out by hand.
	x := mat.NewDense(4, 1, []float64{0, 1, 3, 10})
	tests := []struct {
		method LinkageMethod
		want   []Merge
	}{
		{LinkageSingle, []Merge{{0, 1, 1, 2}, {2, 4, 2, 3}, {3, 5, 7, 4}}},
		{LinkageComplete, []Merge{{0, 1, 1, 2}, {2, 4, 3, 3}, {3, 5, 10, 4}}},
		{LinkageAverage, []Merge{{0, 1, 1, 2}, {2, 4, 2.5, 3}, {3, 5, 26.0 / 3, 4}}},
		// Ward: sqrt(2·|A|·|B|/(|A|+|B|))·|c_A − c_B|.
		{LinkageWard, []Merge{{0, 1, 1, 2}, {2, 4, math.Sqrt(4.0/3) * 2.5, 3}, {3, 5, math.Sqrt(1.5) * (10 - 4.0/3), 4}}},
	}
	for _, tt := range tests {
		for _, p := range lkAllPaths {
			t.Run(string(tt.method)+"/"+p.name, func(t *testing.T) {
				opts := p.opts
				opts.Method = tt.method
				dg, err := Linkage(context.Background(), x, opts)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, dg.Merges, cmpopts.EquateApprox(1e-14, 0)); diff != "" {
					t.Errorf("merges (-want +got):\n%s", diff)
				}
				if dg.Leaves != 4 || dg.Assign != nil || dg.Method != tt.method {
					t.Errorf("Leaves %d, Assign %v, Method %q", dg.Leaves, dg.Assign, dg.Method)
				}
			})
		}
	}
}

func TestLinkageCuts(t *testing.T) {
	// Single linkage of 0, 1, 3, 10: merges at 1, 2, 7.
	dg, err := Linkage(context.Background(), mat.NewDense(4, 1, []float64{0, 1, 3, 10}), LinkageOptions{Method: LinkageSingle})
	if err != nil {
		t.Fatal(err)
	}
	// Equal heights 1, 1, 1 (points 0..3) cannot be split: maxclust gives
	// fewer clusters than asked.
	ties, err := Linkage(context.Background(), mat.NewDense(4, 1, []float64{0, 1, 2, 3}), LinkageOptions{Method: LinkageSingle})
	if err != nil {
		t.Fatal(err)
	}
	// Labels follow first appearance in row order.
	order, err := Linkage(context.Background(), mat.NewDense(4, 1, []float64{10, 0, 11, 1}), LinkageOptions{Method: LinkageSingle})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  []int
		want []int
	}{
		{"k=1", dg.CutK(1), []int{0, 0, 0, 0}},
		{"k=2", dg.CutK(2), []int{0, 0, 0, 1}},
		{"k=3", dg.CutK(3), []int{0, 0, 1, 2}},
		{"k=4", dg.CutK(4), []int{0, 1, 2, 3}},
		{"k above n", dg.CutK(10), []int{0, 1, 2, 3}},
		{"distance below all", dg.CutDistance(0.5), []int{0, 1, 2, 3}},
		{"distance equal to a height joins it", dg.CutDistance(1), []int{0, 0, 1, 2}},
		{"distance between heights", dg.CutDistance(2.5), []int{0, 0, 0, 1}},
		{"distance above all", dg.CutDistance(100), []int{0, 0, 0, 0}},
		{"tied heights k=2", ties.CutK(2), []int{0, 0, 0, 0}},
		{"first appearance", order.CutK(2), []int{0, 1, 0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
		})
	}
	for k, want := range map[int]float64{1: 7, 2: 2, 3: 1, 4: 0} {
		if got := dg.CutHeight(k); got != want {
			t.Errorf("CutHeight(%d) = %v, want %v", k, got, want)
		}
		if k < 4 {
			if diff := cmp.Diff(dg.CutK(k), dg.CutDistance(dg.CutHeight(k))); diff != "" {
				t.Errorf("CutDistance(CutHeight(%d)) differs from CutK:\n%s", k, diff)
			}
		}
	}
}

func TestLinkageLastP(t *testing.T) {
	// Single linkage of 0, 1, 3, 10: ids 4 = {0,1} at 1, 5 = {0,1,3} at 2,
	// 6 = root at 7.
	dg, err := Linkage(context.Background(), mat.NewDense(4, 1, []float64{0, 1, 3, 10}), LinkageOptions{Method: LinkageSingle})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		p    int
		want TruncatedDendrogram
	}{
		{1, TruncatedDendrogram{Leaves: []DendrogramLeaf{{6, 4, 7}}, Merges: []Merge{}}},
		{2, TruncatedDendrogram{
			Leaves: []DendrogramLeaf{{3, 1, 0}, {5, 3, 2}},
			Merges: []Merge{{0, 1, 7, 4}},
		}},
		{3, TruncatedDendrogram{
			Leaves: []DendrogramLeaf{{3, 1, 0}, {2, 1, 0}, {4, 2, 1}},
			Merges: []Merge{{1, 2, 2, 3}, {0, 3, 7, 4}},
		}},
		{10, TruncatedDendrogram{
			Leaves: []DendrogramLeaf{{3, 1, 0}, {2, 1, 0}, {0, 1, 0}, {1, 1, 0}},
			Merges: []Merge{{2, 3, 1, 2}, {1, 4, 2, 3}, {0, 5, 7, 4}},
		}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, dg.LastP(tt.p)); diff != "" {
			t.Errorf("LastP(%d) (-want +got):\n%s", tt.p, diff)
		}
	}
}

func TestLinkageErrors(t *testing.T) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	nan := mat.NewDense(3, 2, []float64{0, 0, 1, math.NaN(), 2, 2})
	x := mat.NewDense(3, 2, []float64{0, 0, 1, 1, 2, 2})
	tests := []struct {
		name string
		ctx  context.Context
		x    *mat.Dense
		opts LinkageOptions
		want string
	}{
		{"empty", ctx, &mat.Dense{}, LinkageOptions{}, "empty data"},
		{"one row", ctx, mat.NewDense(1, 2, []float64{1, 2}), LinkageOptions{}, "need at least 2"},
		{"nan", ctx, nan, LinkageOptions{}, "row 1, column 1: NaN is not a finite number"},
		{"bad method", ctx, x, LinkageOptions{Method: "centroid"}, `linkage method "centroid"`},
		{"negative memory", ctx, x, LinkageOptions{MemoryLimit: -1}, "memory limit -1"},
		{"one micro-cluster", ctx, x, LinkageOptions{MicroClusters: 1}, "micro-clusters 1"},
		{"memory limit", ctx, x, LinkageOptions{Method: LinkageAverage, MemoryLimit: 16}, "average linkage of 3 rows needs 24 bytes for the distance matrix, above the memory limit of 16 bytes"},
		{"cancelled ward", cancelled, x, LinkageOptions{WardMatrixMaxRows: -1}, "context canceled"},
		{"cancelled single", cancelled, x, LinkageOptions{Method: LinkageSingle}, "context canceled"},
		{"cancelled complete", cancelled, x, LinkageOptions{Method: LinkageComplete}, "context canceled"},
		{"overflow", ctx, mat.NewDense(2, 1, []float64{-1e308, 1e308}), LinkageOptions{Method: LinkageSingle}, "overflow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Linkage(tt.ctx, tt.x, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLinkageInputUntouchedAndViews(t *testing.T) {
	x, _ := lkBlobs(300, 5, 4, 7)
	orig := mat.DenseCopyOf(x)
	// A view with a stride wider than its columns must give the same tree as
	// a packed copy.
	wide, _ := lkBlobs(300, 8, 4, 7)
	view := wide.Slice(0, 300, 1, 6).(*mat.Dense)
	packed := mat.DenseCopyOf(view)
	for _, method := range LinkageMethods() {
		for _, p := range lkAllPaths {
			opts := p.opts
			opts.Method = method
			if _, err := Linkage(context.Background(), x, opts); err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(x, orig) {
				t.Fatalf("%s/%s modified its input", method, p.name)
			}
			a, err := Linkage(context.Background(), view, opts)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Linkage(context.Background(), packed, opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(b, a); diff != "" {
				t.Errorf("%s/%s: view and copy differ:\n%s", method, p.name, diff)
			}
		}
	}
}

func TestWeightedWard(t *testing.T) {
	// Weighted points equal the same points repeated: 0 twice, 3 once, 10
	// three times. The repeated data first merges the duplicates at height
	// 0; the merges above must be the weighted tree's.
	centers := mat.NewDense(3, 1, []float64{0, 3, 10})
	sizes := []int{2, 1, 3}
	w, err := WeightedWard(context.Background(), centers, sizes, LinkageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Linkage(context.Background(), mat.NewDense(6, 1, []float64{0, 0, 3, 10, 10, 10}), LinkageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got, want [][2]float64
	for _, m := range w.Merges {
		got = append(got, [2]float64{m.Distance, float64(m.Size)})
	}
	for _, m := range rep.Merges[3:] {
		want = append(want, [2]float64{m.Distance, float64(m.Size)})
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(1e-14, 0)); diff != "" {
		t.Errorf("weighted heights and sizes (-repeated +weighted):\n%s", diff)
	}
	if diff := cmp.Diff([]int{2, 1, 3}, w.LeafSizes); diff != "" {
		t.Errorf("LeafSizes: %s", diff)
	}
	if _, err := WeightedWard(context.Background(), centers, []int{1, 0, 1}, LinkageOptions{}); err == nil || !strings.Contains(err.Error(), "size of center 1 is 0") {
		t.Errorf("zero size: error %v", err)
	}
	if _, err := WeightedWard(context.Background(), centers, []int{1}, LinkageOptions{}); err == nil || !strings.Contains(err.Error(), "1 sizes for 3 centers") {
		t.Errorf("short sizes: error %v", err)
	}
}

// lkARI is the adjusted Rand index of two labelings.
func lkARI(a, b []int) float64 {
	type pair struct{ a, b int }
	nij, ai, bj := map[pair]float64{}, map[int]float64{}, map[int]float64{}
	for i := range a {
		nij[pair{a[i], b[i]}]++
		ai[a[i]]++
		bj[b[i]]++
	}
	c2 := func(x float64) float64 { return x * (x - 1) / 2 }
	var sij, sa, sb float64
	for _, v := range nij {
		sij += c2(v)
	}
	for _, v := range ai {
		sa += c2(v)
	}
	for _, v := range bj {
		sb += c2(v)
	}
	exp := sa * sb / c2(float64(len(a)))
	return (sij - exp) / ((sa+sb)/2 - exp)
}

// TestLinkageApproxAgreement measures how well Ward on micro-clusters
// agrees with exact Ward on overlapping blobs (3,000 x 16, 8 centres within
// ±2 of the origin, unit noise, 300 micro-clusters). Measured: ARI(exact,
// approximate) 0.94 at k=8 and 0.97 at k=4; against the generating labels
// exact Ward scores 0.954 and the approximation 0.965. (With centres within
// ±3 both are exact, ARI 1; with centres within ±1 there is no structure to
// find and the two agree as little as they agree with the truth, ~0.3.)
func TestLinkageApproxAgreement(t *testing.T) {
	x, truth := lkBlobsSpread(3000, 16, 8, 2, 3)
	exact, err := Linkage(context.Background(), x, LinkageOptions{ApproxAbove: -1})
	if err != nil {
		t.Fatal(err)
	}
	approx, err := Linkage(context.Background(), x, LinkageOptions{ApproxAbove: 1000, MicroClusters: 300, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if approx.Assign == nil || approx.Leaves > 300 || len(approx.Assign) != 3000 {
		t.Fatalf("approximate tree: %d leaves, %d assignments", approx.Leaves, len(approx.Assign))
	}
	total := 0
	for _, s := range approx.LeafSizes {
		total += s
	}
	if total != 3000 || approx.Merges[len(approx.Merges)-1].Size != 3000 {
		t.Fatalf("leaf sizes add to %d, root size %d, want 3000", total, approx.Merges[len(approx.Merges)-1].Size)
	}
	for _, k := range []int{4, 8} {
		ari := lkARI(exact.CutK(k), approx.CutK(k))
		t.Logf("k=%d: ARI(exact, approximate) = %.4f", k, ari)
		if ari < 0.9 {
			t.Errorf("k=%d: ARI(exact, approximate) %.4f below 0.9", k, ari)
		}
	}
	e, a := lkARI(truth, exact.CutK(8)), lkARI(truth, approx.CutK(8))
	t.Logf("ARI against the generating labels: exact %.4f, approximate %.4f", e, a)
	if a < e-0.05 {
		t.Errorf("approximate Ward recovers the blobs worse than exact Ward: ARI %.4f vs %.4f", a, e)
	}
}

// TestLinkageWardPathsAgree: on random data without ties, Ward by the
// centroid chain (any number of workers) and by SciPy's Lance–Williams
// recurrence on the matrix build the same tree, and every tree is a valid
// SciPy linkage (heights ascending, a < b, each cluster used once, sizes
// adding up).
func TestLinkageWardPathsAgree(t *testing.T) {
	for seed := range uint64(40) {
		n := 2 + int(seed*7%61)
		x, _ := lkBlobsSpread(n, 1+int(seed%13), 3, 3, seed) // d 1..13: both centroid layouts
		ref, err := Linkage(context.Background(), x, LinkageOptions{})
		if err != nil {
			t.Fatal(err)
		}
		lkCheckValid(t, ref)
		for _, workers := range []int{1, 3} {
			got, err := Linkage(context.Background(), x, LinkageOptions{WardMatrixMaxRows: -1, Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(ref.Merges, got.Merges, cmpopts.EquateApprox(1e-12, 1e-12)); diff != "" {
				t.Fatalf("seed %d (n=%d), workers %d: chain and matrix differ:\n%s", seed, n, workers, diff)
			}
		}
		for _, method := range []LinkageMethod{LinkageSingle, LinkageComplete, LinkageAverage} {
			dg, err := Linkage(context.Background(), x, LinkageOptions{Method: method})
			if err != nil {
				t.Fatal(err)
			}
			lkCheckValid(t, dg)
		}
	}
}

func lkCheckValid(t *testing.T, dg *Dendrogram) {
	t.Helper()
	n := dg.Leaves
	used := make([]bool, 2*n-1)
	size := make([]int, 2*n-1)
	for i := range n {
		size[i] = 1
	}
	for i, m := range dg.Merges {
		if m.A >= m.B || m.B >= n+i || used[m.A] || used[m.B] {
			t.Fatalf("%s row %d: %+v is not a valid merge", dg.Method, i, m)
		}
		if i > 0 && m.Distance < dg.Merges[i-1].Distance {
			t.Fatalf("%s row %d: height %v below the previous %v", dg.Method, i, m.Distance, dg.Merges[i-1].Distance)
		}
		used[m.A], used[m.B] = true, true
		size[n+i] = size[m.A] + size[m.B]
		if m.Size != size[n+i] {
			t.Fatalf("%s row %d: size %d, want %d", dg.Method, i, m.Size, size[n+i])
		}
	}
}

// TestLinkageParallelTies: with many exactly equal distances (an integer
// lattice with duplicates), splitting every search over goroutines gives
// the same tree as one goroutine, so the chunked searches keep SciPy's
// tie-breaking (which the parity tests check on one goroutine).
func TestLinkageParallelTies(t *testing.T) {
	const n = 5000 // above 2·lkMinChunk, so searches are split
	data := make([]float64, 0, 2*n)
	for i := range n {
		data = append(data, float64(i%61), float64((i*7)%67))
	}
	x := mat.NewDense(n, 2, data)
	for _, method := range LinkageMethods() {
		t.Run(string(method), func(t *testing.T) {
			opts := LinkageOptions{Method: method, WardMatrixMaxRows: -1, Workers: 1}
			one, err := Linkage(context.Background(), x, opts)
			if err != nil {
				t.Fatal(err)
			}
			opts.Workers = 4
			four, err := Linkage(context.Background(), x, opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(one.Merges, four.Merges); diff != "" {
				t.Errorf("1 and 4 workers differ:\n%s", diff)
			}
		})
	}
}
