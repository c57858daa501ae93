package metrics

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"
)

// naiveSilhouette is the textbook O(n^2) definition, for checking the fast
// paths.
func naiveSilhouette(x mat.Matrix, labels []int) []float64 {
	n, d := x.Dims()
	count := map[int]int{}
	for _, l := range labels {
		count[l]++
	}
	s := make([]float64, n)
	for i := range n {
		sum := map[int]float64{}
		for j := range n {
			var q float64
			for c := range d {
				t := x.At(i, c) - x.At(j, c)
				q += t * t
			}
			sum[labels[j]] += math.Sqrt(q)
		}
		own := labels[i]
		if count[own] == 1 {
			continue
		}
		a := sum[own] / float64(count[own]-1)
		b := math.Inf(1)
		for l, v := range sum {
			if l != own {
				b = min(b, v/float64(count[l]))
			}
		}
		if max(a, b) > 0 {
			s[i] = (b - a) / max(a, b)
		}
	}
	return s
}

// withDuplicates copies some rows of x over others and makes a few
// singleton labels.
func withDuplicates(x *mat.Dense, labels []int, seed uint64) (*mat.Dense, []int) {
	x = mat.DenseCopyOf(x)
	labels = slices.Clone(labels)
	n, _ := x.Dims()
	rng := rand.New(rand.NewPCG(seed, 2))
	for range n / 10 {
		i, j := rng.IntN(n), rng.IntN(n)
		x.SetRow(i, x.RawRowView(j))
	}
	for t := range 3 {
		labels[rng.IntN(n)] = 1000 + t
	}
	return x, labels
}

func TestSilhouetteMatchesDefinition(t *testing.T) {
	ctx := context.Background()
	big, bigLabels := blobs(260, 5, 4, 3)
	wide, _ := blobs(150, 3, 1, 4)
	manyLabels := make([]int, 150)
	for i := range manyLabels {
		manyLabels[i] = i % 70 // 70 clusters > max(64, d): the per-row path
	}
	dupX, dupLabels := withDuplicates(big, bigLabels, 5)
	strided := mat.NewDense(260, 9, nil)
	strided.Slice(0, 260, 2, 7).(*mat.Dense).Copy(big)
	tests := []struct {
		name   string
		x      *mat.Dense
		labels []int
	}{
		{"blobs", big, bigLabels},
		{"duplicates and singletons", dupX, dupLabels},
		{"negative and sparse labels", big, mapLabels(bigLabels, func(l int) int { return l*1_000_000_007 - 1 })},
		{"many clusters (per-row path)", wide, manyLabels},
		{"strided view", strided.Slice(0, 260, 2, 7).(*mat.Dense), bigLabels},
		{"d=1", mat.NewDense(7, 1, []float64{0, 1, 2, 10, 11, 12, 30}), []int{0, 0, 0, 1, 1, 1, 2}},
		{"all equal points", mat.NewDense(4, 2, nil), []int{0, 0, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := naiveSilhouette(tt.x, tt.labels)
			got, err := SilhouetteSamples(ctx, tt.x, tt.labels, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, approx(0, 1e-13)); diff != "" {
				t.Errorf("SilhouetteSamples (-naive +got):\n%s", diff)
			}
			var mean float64
			for _, v := range want {
				mean += v
			}
			mean /= float64(len(want))
			var first float64
			for i, workers := range []int{1, 2, 5} {
				s, err := Silhouette(ctx, tt.x, tt.labels, SilhouetteOptions{Workers: workers})
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(s-mean) > 1e-13 {
					t.Errorf("Silhouette(workers=%d) = %v, want %v", workers, s, mean)
				}
				if i == 0 {
					first = s
				} else if s != first {
					t.Errorf("Silhouette(workers=%d) = %v, not bit-identical to workers=1 (%v)", workers, s, first)
				}
			}
		})
	}
}

func mapLabels(l []int, f func(int) int) []int {
	out := make([]int, len(l))
	for i, v := range l {
		out[i] = f(v)
	}
	return out
}

// TestSilhouettePathsAgree runs both kernels on the same tables.
func TestSilhouettePathsAgree(t *testing.T) {
	ctx := context.Background()
	x, labels := blobs(300, 6, 9, 7)
	x, labels = withDuplicates(x, labels, 8)
	e := encode(labels)
	tb, perm := newTables(x.RawMatrix(), nil, e.idx, e.counts)
	sym, err := tb.symmetric(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	per, err := tb.perRow(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	naive := naiveSilhouette(x, labels)
	want := make([]float64, len(perm))
	for q, p := range perm {
		want[q] = naive[p]
	}
	if diff := cmp.Diff(want, sym, approx(0, 1e-13)); diff != "" {
		t.Errorf("symmetric (-naive +got):\n%s", diff)
	}
	if diff := cmp.Diff(sym, per, approx(0, 1e-14)); diff != "" {
		t.Errorf("symmetric vs per-row (-sym +per):\n%s", diff)
	}
}

func TestSilhouetteErrors(t *testing.T) {
	ctx := context.Background()
	x, labels := blobs(20, 2, 3, 1)
	nan := mat.DenseCopyOf(x)
	nan.Set(4, 1, math.NaN())
	tests := []struct {
		name   string
		x      *mat.Dense
		labels []int
		opts   SilhouetteOptions
		want   string
		is     error
	}{
		{"nil x", nil, labels, SilhouetteOptions{}, "x is nil", nil},
		{"length mismatch", x, labels[:19], SilhouetteOptions{}, "19 labels for 20 rows", nil},
		{"NaN", nan, labels, SilhouetteOptions{}, "x[4][1] is NaN", nil},
		{"one label", x, make([]int, 20), SilhouetteOptions{}, "got 1 distinct labels for 20 rows", ErrLabelCount},
		{"n labels", x, mapLabels(labels, func(int) int { return 0 })[:0:0], SilhouetteOptions{}, "0 labels for 20 rows", nil},
		{"all singletons", x, seq(20), SilhouetteOptions{}, "got 20 distinct labels", ErrLabelCount},
		{"negative sample size", x, labels, SilhouetteOptions{SampleSize: -1}, "sample size", nil},
		{"sample size 1", x, labels, SilhouetteOptions{SampleSize: 1}, "sample size", nil},
		{"negative workers", x, labels, SilhouetteOptions{Workers: -2}, "workers", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Silhouette(ctx, tt.x, tt.labels, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.is)
			}
		})
	}
	if _, err := SilhouetteSamples(ctx, x, labels, make([]float64, 3)); err == nil {
		t.Error("SilhouetteSamples with a short dst: no error")
	}
	if _, err := CalinskiHarabasz(x, seq(20)); !errors.Is(err, ErrLabelCount) {
		t.Errorf("CalinskiHarabasz with n labels: err = %v, want ErrLabelCount", err)
	}
	if _, err := DaviesBouldin(x, make([]int, 20)); !errors.Is(err, ErrLabelCount) {
		t.Errorf("DaviesBouldin with 1 label: err = %v, want ErrLabelCount", err)
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func TestSilhouetteCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x, labels := blobs(2000, 4, 3, 1)
	if _, err := Silhouette(ctx, x, labels, SilhouetteOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("symmetric path: err = %v, want context.Canceled", err)
	}
	if _, err := Silhouette(ctx, x, mapLabels(seq(2000), func(i int) int { return i % 100 }), SilhouetteOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("per-row path: err = %v, want context.Canceled", err)
	}
}

func TestStratifiedSample(t *testing.T) {
	// Cluster sizes 5000, 900, 90, 7, 2, 1.
	var labels []int
	for c, nc := range []int{5000, 900, 90, 7, 2, 1} {
		for range nc {
			labels = append(labels, c)
		}
	}
	rng := rand.New(rand.NewPCG(9, 9))
	rng.Shuffle(len(labels), func(i, j int) { labels[i], labels[j] = labels[j], labels[i] })
	e := encode(labels)
	tests := []struct {
		size      int
		wantQuota []int
	}{
		// 100*5000/6000 = 83.3, 15, 1.5, .117, .033, .017: floors 83+15+1
		// = 99, the largest remainder (cluster 2, .5) gets the last row,
		// then clusters of >= 2 rows are raised to 2.
		{100, []int{83, 15, 2, 2, 2, 0}},
		{6, []int{5, 2, 2, 2, 2, 0}},
		{3000, []int{2500, 450, 45, 4, 2, 0}},
		{5999, []int{4999, 900, 90, 7, 2, 1}},
	}
	for _, tt := range tests {
		rows, quota := stratifiedSample(e, tt.size, 42)
		if diff := cmp.Diff(tt.wantQuota, quota); diff != "" {
			t.Errorf("size %d: quota (-want +got):\n%s", tt.size, diff)
		}
		got := make([]int, len(quota))
		for _, r := range rows {
			got[labels[r]]++
		}
		if diff := cmp.Diff(quota, got); diff != "" {
			t.Errorf("size %d: rows per cluster differ from quota (-quota +rows):\n%s", tt.size, diff)
		}
		if !slices.IsSorted(rows) || len(slices.Compact(slices.Clone(rows))) != len(rows) {
			t.Errorf("size %d: rows are not ascending and distinct", tt.size)
		}
		again, _ := stratifiedSample(e, tt.size, 42)
		if !slices.Equal(rows, again) {
			t.Errorf("size %d: same seed, different sample", tt.size)
		}
	}
	a, _ := stratifiedSample(e, 100, 1)
	b, _ := stratifiedSample(e, 100, 2)
	if slices.Equal(a, b) {
		t.Error("seeds 1 and 2 drew the same sample")
	}
}

func TestSilhouetteSampled(t *testing.T) {
	ctx := context.Background()
	x, labels := blobs(4000, 4, 5, 11)
	exact, err := Silhouette(ctx, x, labels, SilhouetteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{4000, 10_000} {
		s, err := Silhouette(ctx, x, labels, SilhouetteOptions{SampleSize: size, Seed: 3})
		if err != nil || s != exact {
			t.Errorf("SampleSize %d >= n: got %v, %v; want the exact %v", size, s, err, exact)
		}
	}
	s1, err := Silhouette(ctx, x, labels, SilhouetteOptions{SampleSize: 800, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := Silhouette(ctx, x, labels, SilhouetteOptions{SampleSize: 800, Seed: 3, Workers: 1})
	if s1 != s2 {
		t.Errorf("same seed: %v then %v", s1, s2)
	}
	if math.Abs(s1-exact) > 0.02 {
		t.Errorf("sampled silhouette %v is more than 0.02 from the exact %v", s1, exact)
	}
	// A sample that leaves out every row of all but one cluster fails
	// clearly: one big cluster and singletons, sample of 2.
	one := make([]int, 50)
	one[7], one[9] = 1, 2
	if _, err := Silhouette(ctx, x.Slice(0, 50, 0, 4).(*mat.Dense), one, SilhouetteOptions{SampleSize: 2, Seed: 1}); !errors.Is(err, ErrLabelCount) {
		t.Errorf("degenerate sample: err = %v, want ErrLabelCount", err)
	}
}

func TestCalinskiHarabaszAndDaviesBouldinEdges(t *testing.T) {
	tests := []struct {
		name   string
		x      *mat.Dense
		labels []int
		wantCH float64
		wantDB float64
	}{
		{
			// Within-cluster dispersion 0: CH is 1 by convention, and all
			// S_k are 0 so DB is 0.
			name:   "tight clusters",
			x:      mat.NewDense(4, 2, []float64{1, 1, 1, 1, 5, 5, 5, 5}),
			labels: []int{3, 3, 8, 8},
			wantCH: 1,
			wantDB: 0,
		},
		{
			// Two clusters with the same centroid (0,0): M = 0 is ignored,
			// so the two clusters score against the third only.
			name:   "coincident centroids",
			x:      mat.NewDense(7, 1, []float64{-1, 1, -2, 2, 10, 11, 12}),
			labels: []int{0, 0, 1, 1, 2, 2, 2},
			// extra = 2*(0-34/7)^2 + 2*(0-34/7)^2 + 3*(11-34/7)^2
			wantCH: (4*math.Pow(33.0/7, 2) + 3*math.Pow(11-33.0/7, 2)) / 2 / (2 + 8 + 2) * 4,
			// S = 1, 2, 2/3; M01 = 0, M02 = M12 = 11.
			wantDB: ((1+2.0/3)/11 + (2+2.0/3)/11 + (2+2.0/3)/11) / 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := CalinskiHarabasz(tt.x, tt.labels)
			if err != nil {
				t.Fatal(err)
			}
			if !cmp.Equal(tt.wantCH, ch, approx(1e-14, 0)) {
				t.Errorf("CalinskiHarabasz = %v, want %v", ch, tt.wantCH)
			}
			db, err := DaviesBouldin(tt.x, tt.labels)
			if err != nil {
				t.Fatal(err)
			}
			if !cmp.Equal(tt.wantDB, db, approx(1e-14, 0)) {
				t.Errorf("DaviesBouldin = %v, want %v", db, tt.wantDB)
			}
		})
	}
}

func TestInertia(t *testing.T) {
	x := mat.NewDense(3, 2, []float64{0, 0, 1, 1, 4, 4})
	centers := mat.NewDense(2, 2, []float64{0.5, 0.5, 4, 5})
	if got, want := Inertia(x, centers, []int{0, 0, 1}), 0.5+0.5+1.0; got != want {
		t.Errorf("Inertia = %v, want %v", got, want)
	}
	for _, tt := range []struct {
		name    string
		centers *mat.Dense
		labels  []int
	}{
		{"label out of range", centers, []int{0, 2, 1}},
		{"negative label", centers, []int{0, -1, 1}},
		{"short labels", centers, []int{0, 1}},
		{"column mismatch", mat.NewDense(2, 3, nil), []int{0, 0, 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "metrics: ") {
					t.Errorf("recover() = %v, want a metrics: panic", r)
				}
			}()
			Inertia(x, tt.centers, tt.labels)
		})
	}
}

func TestContingency(t *testing.T) {
	truth := []int{5, 5, -1, 7, 7, 7, -1}
	pred := []int{0, 0, 0, 9, 9, 1, 1}
	want := &Contingency{
		Rows:    []int{-1, 5, 7},
		Cols:    []int{0, 1, 9},
		RowSums: []int{2, 2, 3},
		ColSums: []int{3, 2, 2},
		Cells:   []Cell{{0, 0, 1}, {0, 1, 1}, {1, 0, 2}, {2, 1, 1}, {2, 2, 2}},
		N:       7,
	}
	got := NewContingency(truth, pred)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NewContingency (-want +got):\n%s", diff)
	}
	for i := range want.Rows {
		for j := range want.Cols {
			var n int
			for p := range truth {
				if truth[p] == want.Rows[i] && pred[p] == want.Cols[j] {
					n++
				}
			}
			if got.At(i, j) != n {
				t.Errorf("At(%d, %d) = %d, want %d", i, j, got.At(i, j), n)
			}
		}
	}

	// Many labels on both sides take the sparse path; it must agree with
	// the dense one.
	rng := rand.New(rand.NewPCG(1, 1))
	n := 3000
	a, b := make([]int, n), make([]int, n)
	for i := range a {
		a[i] = rng.IntN(2000)
		b[i] = rng.IntN(1500) * 7
	}
	sparse := NewContingency(a, b)
	if r, c := len(sparse.Rows), len(sparse.Cols); r*c <= max(4*n, 1<<16) {
		t.Fatalf("test data does not reach the sparse path: %d x %d", r, c)
	}
	var total int
	for p, cl := range sparse.Cells {
		total += cl.Count
		if p > 0 {
			prev := sparse.Cells[p-1]
			if prev.Row > cl.Row || (prev.Row == cl.Row && prev.Col >= cl.Col) {
				t.Fatalf("cells not ordered at %d: %v then %v", p, prev, cl)
			}
		}
	}
	if total != n {
		t.Errorf("cell counts sum to %d, want %d", total, n)
	}
	for p := range 50 {
		i := slices.Index(sparse.Rows, a[p])
		j := slices.Index(sparse.Cols, b[p])
		var want int
		for q := range a {
			if a[q] == a[p] && b[q] == b[p] {
				want++
			}
		}
		if got := sparse.At(i, j); got != want {
			t.Errorf("At(%d, %d) = %d, want %d", i, j, got, want)
		}
	}
}

func TestExternalProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	n := 200_000 // n^2 pair counts overflow int64 products: exact integers needed
	truth, pred := make([]int, n), make([]int, n)
	for i := range truth {
		truth[i] = rng.IntN(6)
		pred[i] = truth[i]*10 - 7
		if rng.IntN(10) == 0 {
			pred[i] = rng.IntN(6)
		}
	}
	scores := []struct {
		name string
		f    func(a, b []int) (float64, error)
	}{
		{"AdjustedRand", AdjustedRand},
		{"NormalizedMutualInfo", NormalizedMutualInfo},
		{"AdjustedMutualInfo", AdjustedMutualInfo},
	}
	for _, sc := range scores {
		t.Run(sc.name, func(t *testing.T) {
			self, err := sc.f(truth, mapLabels(truth, func(l int) int { return -l }))
			if err != nil || math.Abs(self-1) > 1e-12 {
				t.Errorf("renamed copy: %v, %v; want 1", self, err)
			}
			ab, err := sc.f(truth, pred)
			if err != nil {
				t.Fatal(err)
			}
			ba, _ := sc.f(pred, truth)
			if math.Abs(ab-ba) > 1e-12 || ab <= 0.5 || ab >= 1 {
				t.Errorf("f(truth, pred) = %v, f(pred, truth) = %v: want equal and in (0.5, 1)", ab, ba)
			}
			if _, err := sc.f(truth, pred[1:]); err == nil {
				t.Error("length mismatch: no error")
			}
		})
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name   string
		labels []int
	}{
		{"dense", []int{3, 1, 3, 2, 1}},
		{"sparse range", []int{math.MaxInt, math.MinInt, -1, math.MaxInt, 0}},
		{"empty", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := encode(tt.labels)
			want := slices.Compact(slices.Sorted(slices.Values(tt.labels)))
			if diff := cmp.Diff(want, e.classes, cmp.Comparer(func(a, b []int) bool { return slices.Equal(a, b) })); diff != "" {
				t.Errorf("classes (-want +got):\n%s", diff)
			}
			counts := make([]int, len(e.classes))
			for i, c := range e.idx {
				if e.classes[c] != tt.labels[i] {
					t.Errorf("row %d: class %d is %d, want %d", i, c, e.classes[c], tt.labels[i])
				}
				counts[c]++
			}
			if !slices.Equal(counts, e.counts) {
				t.Errorf("counts = %v, want %v", e.counts, counts)
			}
		})
	}
}

func TestSilhouetteProgress(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	x := mat.NewDense(300, 2, nil)
	for i := 0; i < 300; i++ {
		x.Set(i, 0, rng.NormFloat64())
		x.Set(i, 1, rng.NormFloat64())
	}
	tests := []struct {
		name string
		k    int // 3 takes the symmetric path, 100 the per-row one
	}{{"symmetric", 3}, {"per row", 100}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			labels := make([]int, 300)
			for i := range labels {
				labels[i] = i % tt.k
			}
			last, total, calls := -1, 0, 0
			_, err := Silhouette(context.Background(), x, labels, SilhouetteOptions{Workers: 2, Progress: func(done, n int) {
				if done < last {
					t.Errorf("progress went back from %d to %d", last, done)
				}
				last, total = done, n
				calls++
			}})
			if err != nil {
				t.Fatal(err)
			}
			if calls < 2 || last != total {
				t.Errorf("progress ended at %d/%d after %d calls, want done = total", last, total, calls)
			}
		})
	}
}
