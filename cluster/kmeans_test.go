package cluster

import (
	"context"
	"errors"
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

// kmBlobs returns n rows of k Gaussian blobs in d dimensions with centres
// drawn uniformly in [-box, box] and the given spread, plus the blob of each
// row.
func kmBlobs(n, d, k int, box, spread float64, seed uint64) (*mat.Dense, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	cen := make([]float64, k*d)
	for i := range cen {
		cen[i] = (2*rng.Float64() - 1) * box
	}
	x := mat.NewDense(n, d, nil)
	truth := make([]int, n)
	for i := range n {
		b := rng.IntN(k)
		truth[i] = b
		for t := range d {
			x.Set(i, t, cen[b*d+t]+spread*rng.NormFloat64())
		}
	}
	return x, truth
}

// kmRef is a direct transcription of scikit-learn 1.2's loop (centring,
// lloyd_iter, relocation, convergence, final E-step), without chunks,
// bounds or parallelism; the tests compare the package against it.
func kmRef(x *mat.Dense, init *mat.Dense, maxIter int, tolAbs float64) (cen *mat.Dense, labels []int, inertia float64, nIter int) {
	n, d := x.Dims()
	k, _ := init.Dims()
	mean := make([]float64, d)
	for i := range n {
		for t := range d {
			mean[t] += x.At(i, t)
		}
	}
	for t := range mean {
		mean[t] /= float64(n)
	}
	xc := mat.NewDense(n, d, nil)
	for i := range n {
		for t := range d {
			xc.Set(i, t, x.At(i, t)-mean[t])
		}
	}
	c := mat.NewDense(k, d, nil)
	for j := range k {
		for t := range d {
			c.Set(j, t, init.At(j, t)-mean[t])
		}
	}
	dist := func(i int, c *mat.Dense, j int) float64 {
		s := 0.0
		for t := range d {
			e := xc.At(i, t) - c.At(j, t)
			s += e * e
		}
		return s
	}
	estep := func(c *mat.Dense, lab []int) {
		for i := range n {
			best, bd := 0, math.Inf(1)
			for j := range k {
				if v := dist(i, c, j); v < bd {
					best, bd = j, v
				}
			}
			lab[i] = best
		}
	}
	labels = make([]int, n)
	old := make([]int, n)
	for i := range old {
		old[i] = -1
	}
	strict := false
	i := 0
	for i = 0; i < maxIter; i++ {
		estep(c, labels)
		sum := mat.NewDense(k, d, nil)
		cnt := make([]int, k)
		for r := range n {
			cnt[labels[r]]++
			for t := range d {
				sum.Set(labels[r], t, sum.At(labels[r], t)+xc.At(r, t))
			}
		}
		var empty []int
		for j := range k {
			if cnt[j] == 0 {
				empty = append(empty, j)
			}
		}
		if len(empty) > 0 {
			idx := make([]int, n)
			dd := make([]float64, n)
			for r := range n {
				idx[r] = r
				dd[r] = dist(r, c, labels[r])
			}
			sort.SliceStable(idx, func(a, b int) bool { return dd[idx[a]] > dd[idx[b]] })
			for e, j := range empty {
				r := idx[e]
				from := labels[r]
				for t := range d {
					sum.Set(from, t, sum.At(from, t)-xc.At(r, t))
					sum.Set(j, t, xc.At(r, t))
				}
				cnt[j] = 1
				cnt[from]--
			}
		}
		nc := mat.NewDense(k, d, nil)
		shift := 0.0
		for j := range k {
			for t := range d {
				v := sum.At(j, t)
				if cnt[j] > 0 {
					v *= 1 / float64(cnt[j])
				}
				nc.Set(j, t, v)
				shift += (v - c.At(j, t)) * (v - c.At(j, t))
			}
		}
		c = nc
		if slices.Equal(labels, old) {
			strict = true
			break
		}
		if shift <= tolAbs {
			break
		}
		copy(old, labels)
	}
	if i == maxIter {
		i--
	}
	if !strict {
		estep(c, labels)
	}
	for r := range n {
		inertia += dist(r, c, labels[r])
	}
	cen = mat.NewDense(k, d, nil)
	for j := range k {
		for t := range d {
			cen.Set(j, t, c.At(j, t)+mean[t])
		}
	}
	return cen, labels, inertia, i + 1
}

func kmRows(m *mat.Dense) [][]float64 {
	r, _ := m.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = mat.Row(nil, i, m)
	}
	return out
}

// TestKMeansMatchesReference runs random problems, including initial
// centres that coincide (so clusters become empty and several are
// relocated at once), through every algorithm and compares with kmRef.
func TestKMeansMatchesReference(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name          string
		n, d, k       int
		spread        float64
		maxIter       int
		tol           float64
		duplicateInit bool
		offset        float64
	}{
		{name: "separated", n: 500, d: 3, k: 4, spread: 0.5, maxIter: 300, tol: 1e-4},
		{name: "overlapping tol0", n: 700, d: 5, k: 6, spread: 4, maxIter: 300, tol: -1},
		{name: "maxiter3", n: 400, d: 2, k: 5, spread: 3, maxIter: 3, tol: -1},
		{name: "empty clusters", n: 300, d: 4, k: 7, spread: 2, maxIter: 300, tol: 1e-4, duplicateInit: true},
		{name: "d=1", n: 300, d: 1, k: 3, spread: 1, maxIter: 300, tol: 1e-4},
		{name: "d=13 big offset", n: 400, d: 13, k: 5, spread: 2, maxIter: 300, tol: 1e-6, offset: 1e6},
		{name: "k=1", n: 100, d: 2, k: 1, spread: 1, maxIter: 300, tol: 1e-4},
		{name: "parallel chunks", n: 20000, d: 6, k: 9, spread: 3, maxIter: 40, tol: 1e-5},
	}
	approx := cmpopts.EquateApprox(1e-9, 1e-9)
	for _, tt := range tests {
		x, _ := kmBlobs(tt.n, tt.d, tt.k, 10, tt.spread, 7)
		if tt.offset != 0 {
			x.Apply(func(_, _ int, v float64) float64 { return v + tt.offset }, x)
		}
		rng := rand.New(rand.NewPCG(3, 4))
		init := mat.NewDense(tt.k, tt.d, nil)
		for j := range tt.k {
			r := rng.IntN(tt.n)
			if tt.duplicateInit && j%2 == 1 {
				r = 0 // the same row several times: empty clusters
			}
			init.SetRow(j, mat.Row(nil, r, x))
		}
		tolAbs := 0.0
		if tt.tol > 0 {
			dt, err := kmPrepare(x, tt.k, 1)
			if err != nil {
				t.Fatal(err)
			}
			tolAbs = kmMeanVariance(dt) * tt.tol
		}
		wantC, wantL, wantI, wantN := kmRef(x, init, tt.maxIter, tolAbs)
		for _, alg := range []string{KMeansLloyd, KMeansHamerly} {
			t.Run(tt.name+"/"+alg, func(t *testing.T) {
				got, err := KMeans(ctx, x, KMeansOptions{K: tt.k, InitCenters: init, MaxIter: tt.maxIter, Tol: tt.tol, Algorithm: alg, Workers: 2})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(wantL, got.Labels); diff != "" {
					t.Errorf("labels (-ref +got):\n%s", diff)
				}
				if got.NIter != wantN {
					t.Errorf("NIter = %d, reference %d", got.NIter, wantN)
				}
				if diff := cmp.Diff(wantI, got.Inertia, approx); diff != "" {
					t.Errorf("inertia (-ref +got):\n%s", diff)
				}
				if diff := cmp.Diff(kmRows(wantC), kmRows(got.Centers), approx); diff != "" {
					t.Errorf("centres (-ref +got):\n%s", diff)
				}
			})
		}
	}
}

// TestKMeansHamerlySkips checks on a longer run that Hamerly gives Lloyd's
// result with far fewer distance computations, with both kernels.
func TestKMeansHamerlySkips(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		spread  float64
		maxFrac float64 // hamerly distances / lloyd distances, at most
	}{
		{"separated", 2.5, 0.5},
		{"overlapping", 6, 0.35},
	}
	for _, tt := range tests {
		x, _ := kmBlobs(20000, 6, 9, 10, tt.spread, 13)
		for _, simd := range kmSIMDModes() {
			t.Run(tt.name+"/simd="+strconv.FormatBool(simd), func(t *testing.T) {
				dt, err := kmPrepare(x, 9, 2)
				if err != nil {
					t.Fatal(err)
				}
				dt.simd = simd
				init, err := kmInitPlusPlus(ctx, dt, 9, rand.New(rand.NewPCG(1, 2)), nil)
				if err != nil {
					t.Fatal(err)
				}
				ll, err := kmLloyd(ctx, dt, init, 9, 300, 0, nil)
				if err != nil {
					t.Fatal(err)
				}
				hm, err := kmHamerly(ctx, dt, init, 9, 300, 0, nil)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(ll.labels, hm.labels); diff != "" {
					t.Errorf("labels (-lloyd +hamerly):\n%s", diff)
				}
				// The centres differ in the last bits: Hamerly updates the
				// cluster sums incrementally.
				if ll.nIter != hm.nIter || !cmp.Equal(ll.inertia, hm.inertia, cmpopts.EquateApprox(1e-12, 0)) {
					t.Errorf("hamerly NIter %d inertia %v, lloyd %d %v", hm.nIter, hm.inertia, ll.nIter, ll.inertia)
				}
				frac := float64(hm.nDist) / float64(ll.nDist)
				if frac > tt.maxFrac {
					t.Errorf("hamerly computed %d distances, lloyd %d (%.2f), want at most %.2f", hm.nDist, ll.nDist, frac, tt.maxFrac)
				}
				t.Logf("%d iterations; distances: lloyd %d, hamerly %d (%.2f)", ll.nIter, ll.nDist, hm.nDist, frac)
			})
		}
	}
}

func TestKMeansErrors(t *testing.T) {
	ctx := context.Background()
	x := mat.NewDense(4, 2, []float64{0, 0, 1, 1, 1, 1, 2, 2}) // 3 distinct rows
	nan := mat.NewDense(2, 2, []float64{0, 1, math.NaN(), 2})
	inf := mat.NewDense(2, 2, []float64{0, 1, 2, math.Inf(-1)})
	tests := []struct {
		name string
		x    *mat.Dense
		opts KMeansOptions
		want string // substring of the error
	}{
		{"k zero", x, KMeansOptions{}, "K must be at least 1"},
		{"k negative", x, KMeansOptions{K: -2}, "K must be at least 1, got -2"},
		{"k above rows", x, KMeansOptions{K: 5}, "K = 5 is more than the 4 rows"},
		{"k above distinct", x, KMeansOptions{K: 4}, "K = 4 is more than the 3 distinct rows"},
		{"nan", nan, KMeansOptions{K: 1}, "x has NaN at row 1, column 0"},
		{"inf", inf, KMeansOptions{K: 1}, "x has -Inf at row 1, column 1"},
		{"empty", &mat.Dense{}, KMeansOptions{K: 1}, "x is empty"},
		{"nil", nil, KMeansOptions{K: 1}, "x is empty"},
		{"bad init", x, KMeansOptions{K: 2, Init: "kmeans++"}, `Init must be "k-means++" or "random", got "kmeans++"`},
		{"bad algorithm", x, KMeansOptions{K: 2, Algorithm: "full"}, `Algorithm must be`},
		{"negative n init", x, KMeansOptions{K: 2, NInit: -1}, "NInit must be at least 1"},
		{"negative max iter", x, KMeansOptions{K: 2, MaxIter: -1}, "MaxIter must be at least 1"},
		{"nan tol", x, KMeansOptions{K: 2, Tol: math.NaN()}, "Tol must be a finite number"},
		{"negative workers", x, KMeansOptions{K: 2, Workers: -1}, "Workers must be at least 1"},
		{"init centers rows", x, KMeansOptions{K: 2, InitCenters: mat.NewDense(3, 2, nil)}, "InitCenters is 3x2, want 2x2"},
		{"init centers cols", x, KMeansOptions{K: 2, InitCenters: mat.NewDense(2, 3, nil)}, "InitCenters is 2x3, want 2x2"},
		{"init centers nan", x, KMeansOptions{K: 2, InitCenters: mat.NewDense(2, 2, []float64{0, 0, math.NaN(), 0})}, "InitCenters has NaN at row 1, column 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := KMeans(ctx, tt.x, tt.opts)
			if err == nil {
				t.Fatalf("KMeans returned %v, want an error containing %q", res, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestKMeansCancelled(t *testing.T) {
	x, _ := kmBlobs(1000, 3, 4, 10, 1, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := KMeans(ctx, x, KMeansOptions{K: 4})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

// TestKMeansDeterministic checks that a seed fixes the result whatever the
// number of workers, for every initialisation and algorithm, and that x is
// not modified.
func TestKMeansDeterministic(t *testing.T) {
	ctx := context.Background()
	x, _ := kmBlobs(30000, 5, 6, 10, 3, 11)
	orig := mat.DenseCopyOf(x)
	for _, init := range []string{InitKMeansPP, InitRandom} {
		for _, alg := range []string{KMeansLloyd, KMeansHamerly} {
			t.Run(init+"/"+alg, func(t *testing.T) {
				var first *KMeansResult
				for _, w := range []int{1, 2, 5} {
					got, err := KMeans(ctx, x, KMeansOptions{K: 6, Init: init, NInit: 2, Seed: 42, Algorithm: alg, Workers: w})
					if err != nil {
						t.Fatal(err)
					}
					if first == nil {
						first = got
						continue
					}
					if diff := cmp.Diff(kmRows(first.Centers), kmRows(got.Centers)); diff != "" {
						t.Errorf("workers=%d: centres differ from workers=1 (-1 +%d):\n%s", w, w, diff)
					}
					if diff := cmp.Diff(first.Labels, got.Labels); diff != "" {
						t.Errorf("workers=%d: labels differ:\n%s", w, diff)
					}
					if first.Inertia != got.Inertia || first.NIter != got.NIter {
						t.Errorf("workers=%d: inertia %v NIter %d, workers=1 %v %d", w, got.Inertia, got.NIter, first.Inertia, first.NIter)
					}
				}
			})
		}
	}
	if !mat.Equal(orig, x) {
		t.Error("KMeans modified x")
	}
}

// TestKMeansSeeds checks that different seeds give different starts and
// that more restarts never give a higher inertia (the first restart uses
// the same random numbers as a single run).
func TestKMeansSeeds(t *testing.T) {
	ctx := context.Background()
	x, _ := kmBlobs(3000, 4, 10, 10, 3, 5)
	for _, init := range []string{InitKMeansPP, InitRandom} {
		t.Run(init, func(t *testing.T) {
			one, err := KMeans(ctx, x, KMeansOptions{K: 10, Init: init, NInit: 1, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			five, err := KMeans(ctx, x, KMeansOptions{K: 10, Init: init, NInit: 5, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if five.Inertia > one.Inertia {
				t.Errorf("NInit=5 inertia %v > NInit=1 inertia %v", five.Inertia, one.Inertia)
			}
			other, err := KMeans(ctx, x, KMeansOptions{K: 10, Init: init, NInit: 1, Seed: 2, MaxIter: 1})
			if err != nil {
				t.Fatal(err)
			}
			same, err := KMeans(ctx, x, KMeansOptions{K: 10, Init: init, NInit: 1, Seed: 1, MaxIter: 1})
			if err != nil {
				t.Fatal(err)
			}
			if mat.Equal(other.Centers, same.Centers) {
				t.Error("seeds 1 and 2 gave the same centres after one iteration")
			}
		})
	}
}

// TestKMeansPlusPlusCoversBlobs checks that k-means++ puts one initial
// centre in each of k far-apart blobs (uniform random rows would miss some).
func TestKMeansPlusPlusCoversBlobs(t *testing.T) {
	const k = 8
	x, truth := kmBlobs(4000, 2, k, 1000, 1, 9)
	dt, err := kmPrepare(x, k, 2)
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 0))
		cen, err := kmInitPlusPlus(context.Background(), dt, k, rng, nil)
		if err != nil {
			t.Fatal(err)
		}
		blobs := map[int]bool{}
		for j := range k {
			i := kmFindRow(dt, cen[j*2:(j+1)*2])
			if i < 0 {
				t.Fatalf("seed %d: centre %d is not a row of x", seed, j)
			}
			blobs[truth[i]] = true
		}
		if len(blobs) != k {
			t.Errorf("seed %d: initial centres cover %d of %d blobs", seed, len(blobs), k)
		}
	}
}

// TestKMeansPlusPlusPruning checks that the triangle-inequality pruning of
// k-means++ changes nothing but the number of distances computed.
func TestKMeansPlusPlusPruning(t *testing.T) {
	tests := []struct {
		name           string
		n, d, k        int
		spread         float64
		maxDistPerRowK float64 // pruned distances per row and centre, at most
	}{
		{"separated", 20000, 5, 8, 0.5, 3},
		{"overlapping", 20000, 16, 8, 12, 4.5},
		{"many centres", 5000, 3, 40, 1, 3.5},
		{"k=2", 3000, 2, 2, 1, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, _ := kmBlobs(tt.n, tt.d, tt.k, 10, tt.spread, 21)
			dt, err := kmPrepare(x, tt.k, 2)
			if err != nil {
				t.Fatal(err)
			}
			for seed := range uint64(3) {
				dt.simd = kmHasAVX2 && seed != 1 // seed 1 runs the Go kernels
				want, nFull, err := kmInitPlusPlusPrune(context.Background(), dt, tt.k, rand.New(rand.NewPCG(seed, 0)), nil, false)
				if err != nil {
					t.Fatal(err)
				}
				got, nPruned, err := kmInitPlusPlusPrune(context.Background(), dt, tt.k, rand.New(rand.NewPCG(seed, 0)), nil, true)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("seed %d: pruned centres differ (-full +pruned):\n%s", seed, diff)
				}
				perRowK := float64(nPruned) / float64(tt.n*tt.k)
				if perRowK > tt.maxDistPerRowK || nPruned >= nFull {
					t.Errorf("seed %d: pruned %d distances (%.2f per row and centre), full %d", seed, nPruned, perRowK, nFull)
				}
				if seed == 0 {
					t.Logf("pruned %d distances (%.2f per row and centre), full %d", nPruned, perRowK, nFull)
				}
			}
		})
	}
}

func kmFindRow(dt *kmData, centred []float64) int {
	buf := make([]float64, dt.d)
	for i := range dt.n {
		dt.centre(buf, i)
		if slices.Equal(buf, centred) {
			return i
		}
	}
	return -1
}

// TestKMeansInitRandom checks that random init picks k distinct rows.
func TestKMeansInitRandom(t *testing.T) {
	x, _ := kmBlobs(50, 3, 2, 10, 1, 2)
	dt, err := kmPrepare(x, 50, 1)
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(10) {
		cen := kmInitRandom(dt, 50, rand.New(rand.NewPCG(seed, 0)), nil)
		seen := map[int]bool{}
		for j := range 50 {
			i := kmFindRow(dt, cen[j*3:(j+1)*3])
			if i < 0 || seen[i] {
				t.Fatalf("seed %d: centre %d is row %d (seen before: %v)", seed, j, i, seen[i])
			}
			seen[i] = true
		}
	}
}

// TestKMeansSearchPot compares the chunked potential search with a direct
// searchsorted over the cumulative sum.
func TestKMeansSearchPot(t *testing.T) {
	x, _ := kmBlobs(5000, 2, 3, 10, 1, 3)
	dt, err := kmPrepare(x, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	closest := make([]float64, dt.n)
	for i := range closest {
		closest[i] = rng.Float64()
		if i%7 == 0 {
			closest[i] = 0
		}
	}
	pending := []float64{0.5, -0.25}
	buf := make([]float64, 2)
	eff := make([]float64, dt.n)
	chunkPot := make([]float64, dt.nChunk)
	for i := range eff {
		dt.centre(buf, i)
		eff[i] = min(closest[i], kmSqDist(buf, pending))
		lo, _ := dt.span(0)
		_ = lo
		chunkPot[i/dt.chunk] += eff[i]
	}
	cum := make([]float64, dt.n)
	acc := 0.0
	for i, v := range eff {
		acc += v
		cum[i] = acc
	}
	for q := range 200 {
		r := rng.Float64() * acc
		if q == 0 {
			r = 0
		}
		want, _ := slices.BinarySearch(cum, r)
		want = min(want, dt.n-1)
		got := kmSearchPot(dt, closest, chunkPot, pending, r)
		// Rounding of the chunked sums may move the boundary by a row
		// only where the cumulative sum equals r to the last bits.
		if got != want && math.Abs(cum[got]-r) > 1e-9*acc {
			t.Errorf("r=%v: row %d, want %d", r, got, want)
		}
	}
}

func TestKMeansPredict(t *testing.T) {
	x, _ := kmBlobs(2000, 3, 5, 10, 1, 4)
	res, err := KMeans(context.Background(), x, KMeansOptions{K: 5, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	got := res.Predict(x, nil)
	if diff := cmp.Diff(res.Labels, got); diff != "" {
		t.Errorf("Predict(x) differs from Labels:\n%s", diff)
	}
	// Ties go to the lowest centre.
	tie := &KMeansResult{Centers: mat.NewDense(3, 1, []float64{2, -1, 1})}
	dst := make([]int, 3)
	tie.Predict(mat.NewDense(3, 1, []float64{0, 0.5, 1.5}), dst)
	if diff := cmp.Diff([]int{1, 2, 0}, dst); diff != "" {
		t.Errorf("Predict ties (-want +got):\n%s", diff)
	}
}

func TestKMeansOptionsDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   KMeansOptions
		want KMeansOptions
	}{
		{"zero", KMeansOptions{K: 3, Workers: 2}, KMeansOptions{K: 3, Init: InitKMeansPP, NInit: 10, MaxIter: 300, Tol: 1e-4, Algorithm: KMeansHamerly, Workers: 2}},
		{"given centres", KMeansOptions{K: 1, InitCenters: mat.NewDense(1, 1, nil), Tol: -1, Algorithm: KMeansElkan, Workers: 1},
			KMeansOptions{K: 1, Init: InitKMeansPP, InitCenters: mat.NewDense(1, 1, nil), NInit: 1, MaxIter: 300, Tol: 0, Algorithm: KMeansHamerly, Workers: 1}},
		{"lloyd", KMeansOptions{K: 2, Algorithm: KMeansLloyd, NInit: 3, MaxIter: 7, Tol: 0.5, Workers: 4}, KMeansOptions{K: 2, Init: InitKMeansPP, NInit: 3, MaxIter: 7, Tol: 0.5, Algorithm: KMeansLloyd, Workers: 4}},
		{"given centres, several runs asked", KMeansOptions{K: 1, InitCenters: mat.NewDense(1, 1, nil), NInit: 5, Workers: 1},
			KMeansOptions{K: 1, Init: InitKMeansPP, InitCenters: mat.NewDense(1, 1, nil), NInit: 1, MaxIter: 300, Tol: 1e-4, Algorithm: KMeansHamerly, Workers: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.withDefaults()
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b *mat.Dense) bool { return (a == nil) == (b == nil) })); diff != "" {
				t.Errorf("withDefaults (-want +got):\n%s", diff)
			}
		})
	}
}
