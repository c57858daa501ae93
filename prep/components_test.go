package prep

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"
)

func TestQuantileSorted(t *testing.T) {
	// Want values printed by numpy 1.24.2: repr(np.quantile(s[:n], q)).
	s := []float64{-3.5, 0.1, 0.2, 0.7, 2.0, 2.0, 9.25}
	tests := []struct {
		n    int
		q    float64
		want float64
	}{
		{1, 0, -3.5}, {1, 0.5, -3.5}, {1, 1, -3.5},
		{2, 0.05, -3.32}, {2, 0.25, -2.6}, {2, 0.5, -1.7}, {2, 0.75, -0.8},
		{2, 0.95, -0.08000000000000015}, {2, 1, 0.1},
		{4, 0, -3.5}, {4, 0.05, -2.96}, {4, 0.25, -0.8}, {4, 0.5, 0.15000000000000002},
		{4, 0.75, 0.325}, {4, 0.95, 0.6249999999999998},
		{7, 0.05, -2.42}, {7, 0.25, 0.15000000000000002}, {7, 0.5, 0.7}, {7, 0.75, 2.0},
		{7, 0.95, 7.074999999999995}, {7, 1, 9.25},
	}
	for _, tt := range tests {
		if got := quantileSorted(s[:tt.n], tt.q); got != tt.want {
			t.Errorf("quantile(n=%d, q=%v) = %v, want %v (bit-exact)", tt.n, tt.q, got, tt.want)
		}
	}
	// np.median takes the mean of the two middle values, which can differ
	// in the last bit from the 0.5 quantile.
	for _, tt := range []struct {
		s    []float64
		want float64
	}{
		{[]float64{0.1, 0.2, 0.30000000000000004, 0.7}, 0.25},
		{[]float64{1, 2, 3}, 2},
		{[]float64{5}, 5},
	} {
		if got := medianSorted(tt.s); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestLog1p(t *testing.T) {
	x := mat.NewDense(3, 3, []float64{
		0, -1, 5,
		math.E - 1, 9, -math.E + 1,
		-0.5, 1e-20, 1e300,
	})
	orig := mat.DenseCopyOf(x)
	l := &Log1p{Columns: []int{0, 2}}
	var got mat.Dense
	if err := l.Transform(&got, x); err != nil {
		t.Fatal(err)
	}
	want := [][]float64{
		{0, -1, math.Log(6)},
		{1, 9, -1},
		{-math.Log1p(0.5), 1e-20, 300 * math.Ln10},
	}
	if diff := cmp.Diff(want, rows(&got), relValues); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if !mat.Equal(x, orig) {
		t.Error("input was modified")
	}
	// In place.
	if err := l.Transform(x, x); err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(x, &got) {
		t.Error("in-place transform differs")
	}
	if err := (&Log1p{Columns: []int{3}}).Transform(&mat.Dense{}, x); err == nil {
		t.Error("out-of-range column: no error")
	}
}

func TestWinsorizer(t *testing.T) {
	// Column 0 is 1..10 (numpy: quantile 0.1 = 1.9, 0.9 = 9.1); column 1
	// is left alone.
	x := mat.NewDense(10, 2, nil)
	for i := range 10 {
		x.SetRow(i, []float64{float64(10 - i), float64(100 * i)})
	}
	orig := mat.DenseCopyOf(x)
	w, err := FitWinsorizer(x, []int{0}, [2]float64{0.1, 0.9})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Winsorizer{NFeatures: 2, Columns: []int{0}, Quantiles: [2]float64{0.1, 0.9}, Lower: []float64{1.9}, Upper: []float64{9.1}}, w, relParams); diff != "" {
		t.Errorf("fitted mismatch (-want +got):\n%s", diff)
	}
	var got mat.Dense
	if err := w.Transform(&got, x); err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(x, orig) {
		t.Error("input was modified")
	}
	for i := range 10 {
		v := float64(10 - i)
		if want := min(max(v, 1.9), 9.1); math.Abs(got.At(i, 0)-want) > 1e-15 {
			t.Errorf("row %d: %v, want %v", i, got.At(i, 0), want)
		}
		if got.At(i, 1) != x.At(i, 1) {
			t.Errorf("row %d: unchosen column changed", i)
		}
	}
	for _, tt := range []struct {
		name string
		cols []int
		q    [2]float64
	}{
		{"inverted", nil, [2]float64{0.9, 0.1}},
		{"above 1", nil, [2]float64{0, 1.5}},
		{"negative", nil, [2]float64{-0.1, 0.5}},
		{"column", []int{2}, [2]float64{0.1, 0.9}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := FitWinsorizer(x, tt.cols, tt.q); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestScalerEdgeCases(t *testing.T) {
	// Column 0 is constant, 1 near-constant at a large offset (steps of one
	// ulp of 1e8), 2 ordinary, 3 with a spread below 10·eps. Want values
	// are scikit-learn 1.2.1's fitted scale_ for this matrix.
	x := mat.NewDense(4, 4, []float64{
		7, 1e8, 1, 0,
		7, 1e8 + 0x1p-26, 2, 1e-16,
		7, 1e8, 4, 0,
		7, 1e8 + 0x1p-25, 8, 1e-16,
	})
	std, err := FitStandardScaler(x)
	if err != nil {
		t.Fatal(err)
	}
	// StandardScaler has no 10·eps rule: column 3 keeps its tiny scale.
	if diff := cmp.Diff([]float64{1, 1, 2.680951323690902, 5e-17}, std.Scale, relParams); diff != "" {
		t.Errorf("standard scale mismatch (-want +got):\n%s", diff)
	}
	rob, err := FitRobustScaler(x)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float64{1, 1.4901161193847656e-08, 3.25, 1}, rob.Scale, relParams); diff != "" {
		t.Errorf("robust scale mismatch (-want +got):\n%s", diff)
	}
	mm, err := FitMinMaxScaler(x, [2]float64{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float64{1, 33554432, 0.14285714285714285, 1}, mm.Scale, relParams); diff != "" {
		t.Errorf("minmax scale mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]float64{-7, -3355443200000000, -0.14285714285714285, 0}, mm.Min, relParams); diff != "" {
		t.Errorf("minmax min mismatch (-want +got):\n%s", diff)
	}
	if _, err := FitMinMaxScaler(x, [2]float64{1, 1}); err == nil {
		t.Error("empty feature range: no error")
	}
	var got mat.Dense
	if err := mm.Transform(&got, x); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float64{0, 0, 0, 0}, mat.Row(nil, 0, &got)); diff != "" {
		t.Errorf("minmax row 0 (-want +got):\n%s", diff)
	}
}

func TestTransformInputErrors(t *testing.T) {
	x := mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 7})
	std, _ := FitStandardScaler(x)
	rob, _ := FitRobustScaler(x)
	mm, _ := FitMinMaxScaler(x, [2]float64{})
	pca, _ := FitPCA(x, PCAConfig{})
	w, _ := FitWinsorizer(x, nil, [2]float64{0.1, 0.9})
	nan := mat.NewDense(2, 2, []float64{1, 2, 3, math.NaN()})
	wide := mat.NewDense(2, 3, nil)
	for _, tt := range []struct {
		name string
		f    func(dst *mat.Dense, x mat.Matrix) error
	}{
		{"standard", std.Transform},
		{"robust", rob.Transform},
		{"minmax", mm.Transform},
		{"pca", pca.Transform},
		{"winsorize", w.Transform},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f(&mat.Dense{}, nan)
			var ce *ColumnError
			if !errors.As(err, &ce) || ce.Index != 1 || !strings.Contains(err.Error(), "column 1: NaN in row 1") {
				t.Errorf("NaN: error %v, want a *ColumnError for column 1", err)
			}
			if err := tt.f(&mat.Dense{}, wide); err == nil {
				t.Error("wrong column count: no error")
			}
		})
	}
	for _, tt := range []struct {
		name string
		fit  func(mat.Matrix) error
	}{
		{"standard", func(x mat.Matrix) error { _, err := FitStandardScaler(x); return err }},
		{"robust", func(x mat.Matrix) error { _, err := FitRobustScaler(x); return err }},
		{"minmax", func(x mat.Matrix) error { _, err := FitMinMaxScaler(x, [2]float64{}); return err }},
		{"pca", func(x mat.Matrix) error { _, err := FitPCA(x, PCAConfig{}); return err }},
		{"select", func(x mat.Matrix) error { _, _, err := SelectFeatures(x, nil, 0.9); return err }},
	} {
		t.Run(tt.name+"/fit", func(t *testing.T) {
			if err := tt.fit(nan); err == nil || !strings.Contains(err.Error(), "NaN") {
				t.Errorf("NaN: error %v", err)
			}
			if err := tt.fit(&mat.Dense{}); err == nil {
				t.Error("empty: no error")
			}
		})
	}
}

func TestDstShapePanics(t *testing.T) {
	x := mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 7})
	std, _ := FitStandardScaler(x)
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(r.(string), "prep: ") {
			t.Errorf("recover() = %v, want a prep: panic", r)
		}
	}()
	_ = std.Transform(mat.NewDense(2, 2, nil), x)
}

func TestSelectFeatures(t *testing.T) {
	n := 50
	x := mat.NewDense(n, 6, nil)
	for i := range n {
		a := math.Sin(float64(i))
		b := math.Cos(float64(3 * i))
		x.SetRow(i, []float64{
			a,                                  // 0 kept
			b,                                  // 1 kept
			-2*a + 1e-3*math.Cos(float64(7*i)), // 2 r ≈ -1 with 0
			4,                                  // 3 constant
			a + b,                              // 4 |r| ≈ 0.7 with 0 and 1
			b + 0.01*math.Sin(float64(5*i)),    // 5 r ≈ 1 with 1
		})
	}
	tests := []struct {
		name        string
		threshold   float64
		wantKeep    []int
		wantDropped []Dropped
	}{
		{"0.95", 0.95, []int{0, 1, 4}, []Dropped{
			{Column: "c", Index: 2, Reason: Correlated, With: "a"},
			{Column: "d", Index: 3, Reason: Constant},
			{Column: "f", Index: 5, Reason: Correlated, With: "b"},
		}},
		{"0.5", 0.5, []int{0, 1}, []Dropped{
			{Column: "c", Index: 2, Reason: Correlated, With: "a"},
			{Column: "d", Index: 3, Reason: Constant},
			{Column: "e", Index: 4, Reason: Correlated},
			{Column: "f", Index: 5, Reason: Correlated, With: "b"},
		}},
		{"1 keeps correlated", 1, []int{0, 1, 2, 4, 5}, []Dropped{
			{Column: "d", Index: 3, Reason: Constant},
		}},
	}
	names := []string{"a", "b", "c", "d", "e", "f"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keep, dropped, err := SelectFeatures(x, names, tt.threshold)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantKeep, keep); diff != "" {
				t.Errorf("keep mismatch (-want +got):\n%s", diff)
			}
			// Check R against a direct Pearson correlation; With is
			// checked only where the test names it.
			for k := range dropped {
				d := &dropped[k]
				if d.Reason == Correlated {
					j, l := d.Index, indexOfName(names, d.With)
					if r := pearson(mat.Col(nil, j, x), mat.Col(nil, l, x)); math.Abs(r-d.R) > 1e-12 || math.Abs(r) <= tt.threshold {
						t.Errorf("%v: direct r = %v", d, r)
					}
					d.R = 0
				}
				if k < len(tt.wantDropped) && tt.wantDropped[k].With == "" {
					d.With = ""
				}
			}
			if diff := cmp.Diff(tt.wantDropped, dropped); diff != "" {
				t.Errorf("dropped mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if _, _, err := SelectFeatures(x, nil, 0); err == nil {
		t.Error("threshold 0: no error")
	}
}

func indexOfName(names []string, s string) int {
	for i, n := range names {
		if n == s {
			return i
		}
	}
	return -1
}

func pearson(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	return sab / math.Sqrt(saa*sbb)
}

func TestPCAErrors(t *testing.T) {
	x := mat.NewDense(4, 3, []float64{1, 2, 3, 2, 4, 6.5, 3, 6, 9, 4, 8.5, 12})
	for _, tt := range []struct {
		name string
		x    *mat.Dense
		cfg  PCAConfig
		want string
	}{
		{"negative", x, PCAConfig{Components: -1}, "must be >= 0"},
		{"too many", x, PCAConfig{Components: 4}, "at most min(rows, columns) = 3"},
		{"one row", mat.NewDense(1, 3, []float64{1, 2, 3}), PCAConfig{}, "at least 2 rows"},
		{"constant", mat.NewDense(2, 2, []float64{1, 2, 1, 2}), PCAConfig{}, "every column is constant"},
		// Rank 2 data: the third component has zero variance.
		{"whiten rank deficient", mat.NewDense(3, 3, []float64{1, 2, 3, 2, 4, 7, 5, 1, 0}), PCAConfig{Whiten: true}, "cannot be whitened"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FitPCA(tt.x, tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestComponentJSONRoundTrip(t *testing.T) {
	x, _ := readCSV(t, "testdata/parity/blobs5d_dups_n1000/X.csv")
	std, _ := FitStandardScaler(x)
	rob, _ := FitRobustScaler(x)
	mm, _ := FitMinMaxScaler(x, [2]float64{-1, 1})
	pca, _ := FitPCA(x, PCAConfig{Components: 2, Whiten: true})
	for _, tt := range []struct {
		name string
		v    interface {
			Transform(*mat.Dense, mat.Matrix) error
		}
		decoded interface {
			Transform(*mat.Dense, mat.Matrix) error
		}
	}{
		{"standard", std, &StandardScaler{}},
		{"robust", rob, &RobustScaler{}},
		{"minmax", mm, &MinMaxScaler{}},
		{"pca", pca, &PCA{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, tt.decoded); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.v, tt.decoded); diff != "" {
				t.Errorf("round trip mismatch (-fitted +decoded):\n%s", diff)
			}
			var a, b2 mat.Dense
			if err := tt.v.Transform(&a, x); err != nil {
				t.Fatal(err)
			}
			if err := tt.decoded.Transform(&b2, x); err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(&a, &b2) {
				t.Error("decoded transform differs")
			}
		})
	}
}

func TestQuantileSelectMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	gens := []struct {
		name string
		f    func(i int) float64
	}{
		{"normal", func(int) float64 { return rng.NormFloat64() }},
		{"ties", func(int) float64 { return float64(rng.IntN(5)) }},
		{"sorted", func(i int) float64 { return float64(i) }},
		{"reversed", func(i int) float64 { return float64(-i) }},
		{"organ pipe", func(i int) float64 { return math.Abs(float64(i%200 - 100)) }},
		{"constant", func(int) float64 { return 2.5 }},
	}
	qs := []float64{0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1}
	for _, g := range gens {
		for _, n := range []int{1, 2, 3, 17, 100, 1001, 5000} {
			t.Run(fmt.Sprintf("%s/n=%d", g.name, n), func(t *testing.T) {
				a := make([]float64, n)
				for i := range a {
					a[i] = g.f(i)
				}
				s := slices.Sorted(slices.Values(a))
				for _, q := range qs {
					b := slices.Clone(a)
					if got, want := quantileSelect(b, q), quantileSorted(s, q); got != want {
						t.Errorf("q=%v: select %v, sort %v", q, got, want)
					}
				}
				if got, want := medianSelect(slices.Clone(a)), medianSorted(s); got != want {
					t.Errorf("median: select %v, sort %v", got, want)
				}
			})
		}
	}
}

// TestSVDVBlocked compares the blocked path of svdV with gonum's SVD of the
// whole matrix, including a last block with fewer rows than columns.
func TestSVDVBlocked(t *testing.T) {
	for _, tt := range []struct{ n, d, block int }{
		{2*64 + 5, 8, 64}, // tail of 5 rows < 8 columns
		{3000, 16, 64},
		{2048, 3, 1024},
	} {
		t.Run(fmt.Sprintf("%dx%d/block=%d", tt.n, tt.d, tt.block), func(t *testing.T) {
			x := benchData(tt.n, tt.d)
			var svd mat.SVD
			if !svd.Factorize(x, mat.SVDThinV) {
				t.Fatal("SVD failed")
			}
			var want mat.Dense
			svd.VTo(&want)
			s, v, err := svdV(x, tt.block)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(svd.Values(nil), s, cmpopts.EquateApprox(1e-12, 0)); diff != "" {
				t.Errorf("singular values mismatch (-whole +blocked):\n%s", diff)
			}
			a, b := rows(want.T()), rows(v.T())
			signNormalize(a, nil)
			signNormalize(b, nil)
			if diff := cmp.Diff(a, b, cmpopts.EquateApprox(1e-10, 1e-12)); diff != "" {
				t.Errorf("right singular vectors mismatch (-whole +blocked):\n%s", diff)
			}
		})
	}
}
