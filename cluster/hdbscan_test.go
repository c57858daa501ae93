package cluster

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"
)

// hdLine is the hand-worked case of TestHDBSCANHandWorked: points on a line,
// a far outlier first, then blob A (0..4), a point between the blobs (50),
// blob B (100..104).
func hdLine() *mat.Dense {
	xs := []float64{200, 0, 1, 2, 3, 4, 50, 100, 101, 102, 103, 104}
	return mat.NewDense(len(xs), 1, xs)
}

// TestHDBSCANHandWorked checks cases worked out by hand.
//
// Line, MinClusterSize 3, MinSamples 3: core distances are 2 at the blob
// ends, 1 inside them, 47 for 50 and 97 for 200. The mutual reachability
// tree has edges 1 (inside the blobs), 2 (to the blob ends), 47 (4-50), 50
// (50-100) and 97 (104-200). Going down: 200 leaves the root at lambda
// 1/97; at 1/50 the root splits into {A, 50} and B, both of at least 3
// rows; 50 leaves the first at 1/47, the blob ends leave at 1/2 and the
// rest at 1. Both children are selected; 50 fell out of A's cluster, so it
// belongs to it, with probability (1/47)/1; 200 is noise.
//
// Chain, MinClusterSize 3, MinSamples 3, AllowSingleCluster: 20 points one
// apart; the two ends (core distance 2) leave the root at lambda 1/2, all
// the others at lambda 1 (ties), so the root is more stable than any
// split; as in scikit-learn, only rows leaving it at its largest lambda are
// labelled, and the ends are noise.
//
// Duplicates, MinClusterSize 5: 10 copies of (0, 0) and 10 of (5, 5). Core
// distances are 0, lambdas infinite: two clusters, probability 1 each.
func TestHDBSCANHandWorked(t *testing.T) {
	chain := make([]float64, 20)
	for i := range chain {
		chain[i] = float64(i)
	}
	dups := mat.NewDense(20, 2, nil)
	for i := 10; i < 20; i++ {
		dups.Set(i, 0, 5)
		dups.Set(i, 1, 5)
	}
	chainLabels := make([]int, 20)
	chainProbs := make([]float64, 20)
	for i := range chainProbs {
		chainProbs[i] = 1
	}
	chainLabels[0], chainLabels[19] = -1, -1
	chainProbs[0], chainProbs[19] = 0, 0
	ones := make([]float64, 20)
	for i := range ones {
		ones[i] = 1
	}
	tests := []struct {
		name       string
		x          *mat.Dense
		opts       HDBSCANOptions
		wantLabels []int
		wantProbs  []float64
	}{
		{
			name:       "line eom",
			x:          hdLine(),
			opts:       HDBSCANOptions{MinClusterSize: 3, MinSamples: 3},
			wantLabels: []int{-1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1},
			wantProbs:  []float64{0, 0.5, 1, 1, 1, 0.5, 1.0 / 47, 0.5, 1, 1, 1, 0.5},
		},
		{
			name:       "line leaf",
			x:          hdLine(),
			opts:       HDBSCANOptions{MinClusterSize: 3, MinSamples: 3, ClusterSelection: "leaf"},
			wantLabels: []int{-1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1},
			wantProbs:  []float64{0, 0.5, 1, 1, 1, 0.5, 1.0 / 47, 0.5, 1, 1, 1, 0.5},
		},
		{
			name:       "line single cluster allowed but less stable",
			x:          hdLine(),
			opts:       HDBSCANOptions{MinClusterSize: 3, MinSamples: 3, AllowSingleCluster: true},
			wantLabels: []int{-1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1},
			wantProbs:  []float64{0, 0.5, 1, 1, 1, 0.5, 1.0 / 47, 0.5, 1, 1, 1, 0.5},
		},
		{
			name:       "chain single cluster",
			x:          mat.NewDense(20, 1, chain),
			opts:       HDBSCANOptions{MinClusterSize: 3, MinSamples: 3, AllowSingleCluster: true},
			wantLabels: chainLabels,
			wantProbs:  chainProbs,
		},
		{
			name:       "duplicates",
			x:          dups,
			opts:       HDBSCANOptions{MinClusterSize: 5},
			wantLabels: []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
			wantProbs:  ones,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, workers := range []int{1, 3} {
				o := tt.opts
				o.Workers = workers
				res, err := HDBSCAN(context.Background(), tt.x, o)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.wantLabels, res.Labels); diff != "" {
					t.Errorf("workers %d: labels (-want +got):\n%s", workers, diff)
				}
				if diff := cmp.Diff(tt.wantProbs, res.Probabilities, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
					t.Errorf("workers %d: probabilities (-want +got):\n%s", workers, diff)
				}
				nc, nn := hdCount(tt.wantLabels)
				if res.NClusters != nc || res.NNoise != nn {
					t.Errorf("workers %d: NClusters, NNoise = %d, %d, want %d, %d", workers, res.NClusters, res.NNoise, nc, nn)
				}
			}
		})
	}
}

func hdCount(labels []int) (clusters, noise int) {
	for _, l := range labels {
		if l < 0 {
			noise++
		} else {
			clusters = max(clusters, l+1)
		}
	}
	return clusters, noise
}

// hdBlobsNoise makes blobs of different spreads plus uniform noise.
func hdBlobsNoise(n int, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 11))
	centres := [][2]float64{{0, 0}, {8, 0}, {0, 9}, {9, 9}}
	spread := []float64{0.3, 0.7, 1.0, 0.5}
	x := mat.NewDense(n, 2, nil)
	for i := range n {
		if i%10 == 9 {
			x.Set(i, 0, rng.Float64()*16-4)
			x.Set(i, 1, rng.Float64()*16-4)
			continue
		}
		c := rng.IntN(len(centres))
		x.Set(i, 0, centres[c][0]+spread[c]*rng.NormFloat64())
		x.Set(i, 1, centres[c][1]+spread[c]*rng.NormFloat64())
	}
	return x
}

// TestHDBSCANInvariants checks, on blobs with noise: labels are -1 or
// 0..NClusters-1 numbered by smallest row; each cluster has at least
// MinClusterSize rows; probabilities lie in [0, 1], 0 exactly for noise;
// the result does not depend on Workers; permuting the rows permutes the
// labels up to renaming, except for a few boundary rows (ties); x is not
// modified.
func TestHDBSCANInvariants(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		n    int
		opts HDBSCANOptions
	}{
		{"defaults", 600, HDBSCANOptions{}},
		{"mcs 15", 1500, HDBSCANOptions{MinClusterSize: 15}},
		{"mcs 15 ms 3", 1500, HDBSCANOptions{MinClusterSize: 15, MinSamples: 3}},
		{"mcs 15 leaf", 1500, HDBSCANOptions{MinClusterSize: 15, ClusterSelection: "leaf"}},
		{"mcs 40 single", 1500, HDBSCANOptions{MinClusterSize: 40, AllowSingleCluster: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := hdBlobsNoise(tt.n, 3)
			orig := mat.DenseCopyOf(x)
			o := tt.opts
			o.Workers = 1
			res, err := HDBSCAN(ctx, x, o)
			if err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(x, orig) {
				t.Fatal("x was modified")
			}
			if res.NClusters < 2 {
				t.Errorf("%d clusters on 4 blobs", res.NClusters)
			}
			mcs := res.MinClusterSize
			size := make([]int, res.NClusters)
			next := 0
			for i, l := range res.Labels {
				p := res.Probabilities[i]
				if l < -1 || l >= res.NClusters {
					t.Fatalf("row %d: label %d out of range", i, l)
				}
				if l == -1 {
					if p != 0 {
						t.Errorf("noise row %d has probability %v", i, p)
					}
					continue
				}
				if !(p > 0 && p <= 1) {
					t.Errorf("row %d: probability %v", i, p)
				}
				if l > next {
					t.Fatalf("row %d: label %d before label %d appeared", i, l, next)
				}
				if l == next {
					next++
				}
				size[l]++
			}
			for c, s := range size {
				if s < mcs {
					t.Errorf("cluster %d has %d rows < min cluster size %d", c, s, mcs)
				}
			}
			o.Workers = 4
			res4, err := HDBSCAN(ctx, x, o)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(res, res4); diff != "" {
				t.Errorf("4 workers differ from 1 (-1 +4):\n%s", diff)
			}
			n, d := x.Dims()
			perm := rand.New(rand.NewPCG(5, 5)).Perm(n)
			xp := mat.NewDense(n, d, nil)
			for i, j := range perm {
				xp.SetRow(i, x.RawRowView(j))
			}
			resp, err := HDBSCAN(ctx, xp, o)
			if err != nil {
				t.Fatal(err)
			}
			moved := make([]int, n)
			for i, j := range perm {
				moved[j] = resp.Labels[i]
			}
			// Mutual reachability distances tie often (all edges from a row
			// to denser rows nearer than its core distance weigh its core
			// distance), and ties are broken by row number: a row at a
			// boundary may fall out of another cluster once rows move.
			if resp.NClusters != res.NClusters {
				t.Errorf("permuted rows: %d clusters, want %d", resp.NClusters, res.NClusters)
			}
			if k := hdDisagree(res.Labels, moved); k > n/100 {
				t.Errorf("permuting the rows moved %d rows of %d to another cluster (more than 1%%)", k, n)
			}
		})
	}
}

// hdDisagree returns the number of rows whose label in b is not the most
// common b label among the rows sharing their label in a (-1 included).
func hdDisagree(a, b []int) int {
	count := map[[2]int]int{}
	for i := range a {
		count[[2]int{a[i], b[i]}]++
	}
	most := map[int]int{}
	for k, c := range count {
		most[k[0]] = max(most[k[0]], c)
	}
	agree := 0
	for _, c := range most {
		agree += c
	}
	return len(a) - agree
}

// TestHDBSCANMatchesDBSCAN: on tight, well separated blobs without noise,
// HDBSCAN and DBSCAN (eps between the blob scale and the gaps) find the
// same partition with no noise.
func TestHDBSCANMatchesDBSCAN(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	n := 900
	x := mat.NewDense(n, 2, nil)
	for i := range n {
		c := i % 3
		x.Set(i, 0, float64(20*c)+0.5*rng.NormFloat64())
		x.Set(i, 1, float64(10*(c%2))+0.5*rng.NormFloat64())
	}
	ctx := context.Background()
	h, err := HDBSCAN(ctx, x, HDBSCANOptions{MinClusterSize: 20, MinSamples: 5})
	if err != nil {
		t.Fatal(err)
	}
	db, err := DBSCAN(ctx, x, DBSCANOptions{Eps: 3, MinSamples: 5})
	if err != nil {
		t.Fatal(err)
	}
	if db.NClusters != 3 || db.NNoise != 0 {
		t.Fatalf("DBSCAN: %d clusters, %d noise; the test data are wrong", db.NClusters, db.NNoise)
	}
	if h.NClusters != 3 {
		t.Errorf("HDBSCAN: %d clusters, want 3", h.NClusters)
	}
	// HDBSCAN keeps every row that falls out of a selected cluster.
	if diff := cmp.Diff(db.Labels, h.Labels); diff != "" {
		t.Errorf("labels (-DBSCAN +HDBSCAN):\n%s", diff)
	}
}

// hdNaiveCore2 returns squared core distances by sorting all distances.
func hdNaiveCore2(x *mat.Dense, k int) []float64 {
	n, _ := x.Dims()
	out := make([]float64, n)
	ds := make([]float64, n)
	for i := range n {
		for j := range n {
			ds[j] = nbDist(nbSquared, x.RawRowView(i), x.RawRowView(j))
		}
		slices.Sort(ds)
		out[i] = ds[k-1]
	}
	return out
}

// TestHDBSCANSpanningTree checks the core distances against sorting, and
// Borůvka's tree over the k-d tree against Prim's algorithm over all
// pairs: the same total weight and the same sorted weights (a minimum
// spanning tree's weights are unique even when the tree is not), on
// continuous data and on a grid with many ties and duplicates. With edges
// ordered by hdKey the tree is unique, so the labels are equal too.
func TestHDBSCANSpanningTree(t *testing.T) {
	ctx := context.Background()
	grid := mat.NewDense(400, 2, nil)
	rng := rand.New(rand.NewPCG(2, 2))
	for i := range 400 {
		grid.Set(i, 0, float64(rng.IntN(12)))
		grid.Set(i, 1, float64(rng.IntN(12)))
	}
	for _, tt := range []struct {
		name string
		x    *mat.Dense
		k    int
	}{
		{"blobs k 5", hdBlobsNoise(700, 4), 5},
		{"blobs k 1", hdBlobsNoise(300, 6), 1},
		{"blobs 5-D k 8", dbBlobs(500, 5, 3), 8},
		{"grid with duplicates k 4", grid, 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data, n, d, err := dbPrepare(tt.x, dbEuclidean, "x")
			if err != nil {
				t.Fatal(err)
			}
			ix := nbBuild(data, n, d, nbSquared, true)
			core2, err := hdCoreDistances(ctx, ix, data, tt.k, 2)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(hdNaiveCore2(tt.x, tt.k), core2); diff != "" {
				t.Fatalf("core distances (-naive +tree):\n%s", diff)
			}
			bor, err := hdBoruvka(ctx, ix, core2, 2)
			if err != nil {
				t.Fatal(err)
			}
			prim, err := hdPrim(ctx, data, n, d, core2)
			if err != nil {
				t.Fatal(err)
			}
			if len(bor) != n-1 {
				t.Fatalf("%d edges, want %d", len(bor), n-1)
			}
			// The tree spans all rows.
			seen := hdSingleLinkage(bor, n)
			if got := seen[len(seen)-1].size; int(got) != n {
				t.Fatalf("the tree joins %d rows, want %d", got, n)
			}
			weights := func(es []hdEdge) []float64 {
				w := make([]float64, len(es))
				for i, e := range es {
					w[i] = e.w
				}
				sort.Float64s(w)
				return w
			}
			if diff := cmp.Diff(weights(prim), weights(bor)); diff != "" {
				t.Errorf("sorted weights (-Prim +Borůvka):\n%s", diff)
			}
			for _, mcs := range []int{5, 20} {
				lp, _ := hdCondense(hdSingleLinkage(prim, n), n, mcs).labels(false, false)
				lb, _ := hdCondense(hdSingleLinkage(bor, n), n, mcs).labels(false, false)
				if diff := cmp.Diff(lp, lb); diff != "" {
					t.Errorf("min cluster size %d: labels (-Prim +Borůvka):\n%s", mcs, diff)
				}
			}
		})
	}
}

func TestHDBSCANOptionsValidate(t *testing.T) {
	for _, tt := range []struct {
		name    string
		opts    HDBSCANOptions
		wantErr string
	}{
		{"zero", HDBSCANOptions{}, ""},
		{"all set", HDBSCANOptions{MinClusterSize: 2, MinSamples: 1, Metric: "euclidean", ClusterSelection: "leaf", Workers: 2}, ""},
		{"min cluster size 1", HDBSCANOptions{MinClusterSize: 1}, "min cluster size must be at least 2, got 1"},
		{"negative min cluster size", HDBSCANOptions{MinClusterSize: -3}, "min cluster size"},
		{"negative min samples", HDBSCANOptions{MinSamples: -1}, "min samples must be at least 1"},
		{"metric", HDBSCANOptions{Metric: "cosine"}, `unknown metric "cosine"`},
		{"selection", HDBSCANOptions{ClusterSelection: "best"}, `unknown cluster selection "best"`},
		{"workers", HDBSCANOptions{Workers: -1}, "workers must be >= 0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if _, err := HDBSCAN(context.Background(), hdLine(), tt.opts); err == nil {
				t.Fatal("HDBSCAN accepted invalid options")
			}
		})
	}
}

func TestHDBSCANInputErrors(t *testing.T) {
	nan := mat.NewDense(3, 2, []float64{0, 0, 1, math.NaN(), 2, 2})
	for _, tt := range []struct {
		name    string
		x       *mat.Dense
		opts    HDBSCANOptions
		wantErr string
	}{
		{"nil", nil, HDBSCANOptions{}, "x is empty"},
		{"empty", &mat.Dense{}, HDBSCANOptions{}, "x is empty"},
		{"NaN", nan, HDBSCANOptions{MinClusterSize: 2}, "row 1 column 1 is NaN"},
		{"min samples above rows", hdLine(), HDBSCANOptions{MinClusterSize: 13}, "min samples (13) must be at most the number of rows (12)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := HDBSCAN(context.Background(), tt.x, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := HDBSCAN(ctx, hdBlobsNoise(500, 1), HDBSCANOptions{}); err == nil {
		t.Error("a cancelled context gave no error")
	}
}

// TestHDBSCANSmallInputs: one row, and fewer rows than MinClusterSize, are
// all noise.
func TestHDBSCANSmallInputs(t *testing.T) {
	for _, tt := range []struct {
		name string
		x    *mat.Dense
		opts HDBSCANOptions
	}{
		{"one row", mat.NewDense(1, 2, []float64{1, 2}), HDBSCANOptions{MinClusterSize: 2, MinSamples: 1}},
		{"fewer rows than min cluster size", mat.NewDense(4, 1, []float64{0, 1, 2, 3}), HDBSCANOptions{MinClusterSize: 5, MinSamples: 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := HDBSCAN(context.Background(), tt.x, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			n, _ := tt.x.Dims()
			if res.NClusters != 0 || res.NNoise != n {
				t.Errorf("%d clusters, %d noise; want 0, %d", res.NClusters, res.NNoise, n)
			}
		})
	}
}

// TestHDBSCANLeafRefinesEOM: every leaf of the condensed tree lies under
// exactly one excess-of-mass cluster (itself or an ancestor), so "leaf"
// refines "eom": rows sharing a leaf label share an eom label, and there
// are at least as many leaf clusters.
func TestHDBSCANLeafRefinesEOM(t *testing.T) {
	ctx := context.Background()
	x := hdBlobsNoise(2000, 8)
	strictly := false
	for _, mcs := range []int{5, 10, 25, 60} {
		t.Run("mcs "+strconv.Itoa(mcs), func(t *testing.T) {
			eom, err := HDBSCAN(ctx, x, HDBSCANOptions{MinClusterSize: mcs})
			if err != nil {
				t.Fatal(err)
			}
			leaf, err := HDBSCAN(ctx, x, HDBSCANOptions{MinClusterSize: mcs, ClusterSelection: "leaf"})
			if err != nil {
				t.Fatal(err)
			}
			if leaf.NClusters < eom.NClusters {
				t.Errorf("leaf: %d clusters < eom's %d", leaf.NClusters, eom.NClusters)
			}
			strictly = strictly || leaf.NClusters > eom.NClusters
			owner := map[int]int{}
			for i, l := range leaf.Labels {
				if l < 0 {
					continue
				}
				e := eom.Labels[i]
				if e < 0 {
					t.Fatalf("row %d: leaf cluster %d but eom noise", i, l)
				}
				if o, ok := owner[l]; ok && o != e {
					t.Fatalf("leaf cluster %d spans eom clusters %d and %d", l, o, e)
				}
				owner[l] = e
			}
		})
	}
	if !strictly {
		t.Error("leaf and eom never differ: the data do not exercise the difference")
	}
}
