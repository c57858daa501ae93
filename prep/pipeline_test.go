package prep

import (
	"encoding/json"
	"errors"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"
)

var update = flag.Bool("update", false, "update golden files in testdata")

// smallData returns a seeded 40-row table with a heavy-tailed count, a
// money column with a refund, a constant, a near copy of "visits" and an
// unused id.
func smallData() (*mat.Dense, []string) {
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"id", "visits", "spend", "const", "visits2", "tenure"}
	n := 40
	x := mat.NewDense(n, len(names), nil)
	for i := range n {
		visits := math.Floor(math.Exp(rng.NormFloat64() * 1.5))
		spend := math.Round(rng.ExpFloat64()*5000) / 100
		if i == 7 {
			spend = -12.5 // a refund
		}
		if i == 3 {
			visits = 400 // an outlier
		}
		x.SetRow(i, []float64{
			float64(1000 + i), visits, spend, 3, 2*visits + 1 + rng.NormFloat64()*0.01, float64(rng.IntN(36)),
		})
	}
	return x, names
}

func smallConfig() Config {
	return Config{
		Columns:   []string{"visits", "spend", "const", "visits2", "tenure"},
		Log1p:     []string{"visits", "spend", "visits2"},
		Winsorize: Winsorize{Lower: 0.05, Upper: 0.95},
	}
}

func TestFitTransform(t *testing.T) {
	x, names := smallData()
	orig := mat.DenseCopyOf(x)
	f, err := Fit(x, names, smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(x, orig) {
		t.Fatal("Fit modified its input")
	}
	if diff := cmp.Diff([]string{"visits", "spend", "tenure"}, f.Names()); diff != "" {
		t.Errorf("Names() mismatch (-want +got):\n%s", diff)
	}
	wantDropped := []Dropped{
		{Column: "const", Index: 2, Reason: Constant},
		{Column: "visits2", Index: 3, Reason: Correlated, With: "visits"},
	}
	if diff := cmp.Diff(wantDropped, f.Dropped, cmp.Comparer(func(a, b float64) bool { return true })); diff != "" {
		t.Errorf("Dropped mismatch (-want +got):\n%s", diff)
	}
	if r := f.Dropped[1].R; !(r > 0.95 && r <= 1) {
		t.Errorf("visits2 dropped with r = %v, want in (0.95, 1]", r)
	}
	got, err := f.Transform(x)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(x, orig) {
		t.Fatal("Transform modified its input")
	}

	// The same result computed by hand from the components.
	n, _ := x.Dims()
	want := mat.NewDense(n, 3, nil)
	for i := range n {
		v := []float64{x.At(i, 1), x.At(i, 2), x.At(i, 5)}
		v[0] = signedLog1p(v[0])
		v[1] = signedLog1p(v[1])
		for k, c := range []int{0, 1, 4} { // positions among the selected columns
			v[k] = min(max(v[k], f.Winsorize.Lower[c]), f.Winsorize.Upper[c])
		}
		want.SetRow(i, v)
	}
	var std StandardScaler
	if s, err := FitStandardScaler(want); err != nil {
		t.Fatal(err)
	} else {
		std = *s
	}
	var scaled mat.Dense
	if err := std.Transform(&scaled, want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rows(&scaled), rows(got), relValues); diff != "" {
		t.Errorf("Transform mismatch (-want +got):\n%s", diff)
	}
	// Standardised output: mean 0, variance 1 per column.
	m, v := meanVar(got.RawMatrix())
	for j := range m {
		if math.Abs(m[j]) > 1e-12 || math.Abs(v[j]-1) > 1e-12 {
			t.Errorf("column %d: mean %v, variance %v; want 0 and 1", j, m[j], v[j])
		}
	}
}

func TestFittedJSONRoundTrip(t *testing.T) {
	x, names := smallData()
	for _, scaler := range []string{"", ScalerRobust, ScalerMinMax, ScalerNone} {
		t.Run("scaler="+scaler, func(t *testing.T) {
			cfg := smallConfig()
			cfg.Scaler = scaler
			if scaler == ScalerMinMax {
				cfg.FeatureRange = [2]float64{-1, 1}
			}
			f, err := Fit(x, names, cfg)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			var g Fitted
			if err := json.Unmarshal(b, &g); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(f, &g); diff != "" {
				t.Errorf("round trip mismatch (-fitted +decoded):\n%s", diff)
			}
			a, err := f.Transform(x)
			if err != nil {
				t.Fatal(err)
			}
			c, err := g.Transform(x)
			if err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(a, c) {
				t.Error("decoded pipeline transforms differently")
			}
		})
	}
}

func TestFittedGolden(t *testing.T) {
	x, names := smallData()
	f, err := Fit(x, names, smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "fitted.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("fitted pipeline differs from %s (-want +got):\n%s", path, diff)
	}
}

func TestFitErrors(t *testing.T) {
	x, names := smallData()
	nan := mat.DenseCopyOf(x)
	nan.Set(5, 2, math.NaN())
	tests := []struct {
		name  string
		x     *mat.Dense
		names []string
		cfg   Config
		want  string // substring of the error
	}{
		{"nan", nan, names, Config{}, `column "spend": NaN in row 5`},
		{"unknown column", x, names, Config{Columns: []string{"visits", "nope"}}, `columns: unknown column "nope"`},
		{"log1p not selected", x, names, Config{Columns: []string{"visits"}, Log1p: []string{"spend"}}, `log1p: unknown column "spend"`},
		{"winsorize unknown", x, names, Config{Winsorize: Winsorize{Upper: 0.9, Columns: []string{"x"}}}, `winsorize.columns: unknown column "x"`},
		{"bad scaler", x, names, Config{Scaler: "zscore"}, `prep config: scaler: "zscore"`},
		{"bad quantiles", x, names, Config{Winsorize: Winsorize{Lower: 0.9, Upper: 0.1}}, "winsorize.upper"},
		{"bad threshold", x, names, Config{CorrThreshold: 1.5}, "corr_threshold"},
		{"range without minmax", x, names, Config{FeatureRange: [2]float64{0, 2}}, "feature_range"},
		{"name count", x, names[:2], Config{}, "2 column names for 6 columns"},
		{"duplicate name", x, []string{"a", "b", "c", "d", "e", "a"}, Config{}, `column "a" listed twice`},
		{"all constant", x, names, Config{Columns: []string{"const"}}, "every selected column was dropped"},
		{"one row", x.Slice(0, 1, 0, 6).(*mat.Dense), names, Config{}, "at least 2 rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fit(tt.x, tt.names, tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Fit error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	var ce *ConfigError
	if _, err := Fit(x, names, Config{Scaler: "zscore"}); !errors.As(err, &ce) || ce.Field != "scaler" {
		t.Errorf("bad scaler: error %v is not a *ConfigError for field scaler", err)
	}
}

func TestTransformErrors(t *testing.T) {
	x, names := smallData()
	f, err := Fit(x, names, smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	inf := mat.DenseCopyOf(x)
	inf.Set(2, 5, math.Inf(1))
	if _, err := f.Transform(inf); err == nil || !strings.Contains(err.Error(), `column "tenure": +Inf in row 2`) {
		t.Errorf("Transform(+Inf) error = %v", err)
	}
	if _, err := f.Transform(x.Slice(0, 3, 0, 5).(*mat.Dense)); err == nil || !strings.Contains(err.Error(), "5 columns") {
		t.Errorf("Transform(5 columns) error = %v", err)
	}
}
