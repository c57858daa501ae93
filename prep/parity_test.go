package prep

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"
)

// The parity fixtures in testdata/parity are copies of
// /work/shared/parity/public (scikit-learn 1.2.1, numpy 1.24.2); see its
// README for their meaning.

// readCSV reads a numeric CSV with a header line.
func readCSV(t testing.TB, path string) (*mat.Dense, []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	names, rows := recs[0], recs[1:]
	x := mat.NewDense(len(rows), len(names), nil)
	for i, rec := range rows {
		for j, s := range rec {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s: row %d: %v", path, i+1, err)
			}
			x.Set(i, j, v)
		}
	}
	return x, names
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func parityDirs(t *testing.T, file string) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("testdata", "parity", "*", file))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no testdata/parity/*/%s", file)
	}
	for i := range dirs {
		dirs[i] = filepath.Dir(dirs[i])
	}
	return dirs
}

// rows returns x's rows as slices, for cmp.Diff.
func rows(x mat.Matrix) [][]float64 {
	r, c := x.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = make([]float64, c)
		for j := range c {
			out[i][j] = x.At(i, j)
		}
	}
	return out
}

var (
	// Fitted parameters are compared relatively (exact zeros stay exact).
	relParams = cmpopts.EquateApprox(1e-12, 0)
	// Transformed values: 1e-12 relative, or 1e-12 absolute near 0.
	relValues = cmpopts.EquateApprox(1e-12, 1e-12)
)

type sklearnScaler struct {
	Name   string `json:"name"`
	Params struct {
		FeatureRange []float64 `json:"feature_range"`
	} `json:"params"`
	Transformed  [][]float64 `json:"transformed"`
	Mean         []float64   `json:"mean"`
	Var          []float64   `json:"var"`
	Scale        []float64   `json:"scale"`
	NSamplesSeen int         `json:"n_samples_seen"`
	Center       []float64   `json:"center"`
	DataMin      []float64   `json:"data_min"`
	DataMax      []float64   `json:"data_max"`
	DataRange    []float64   `json:"data_range"`
	Min          []float64   `json:"min"`
}

func TestScalersParity(t *testing.T) {
	for _, dir := range parityDirs(t, "scalers.json") {
		x, _ := readCSV(t, filepath.Join(dir, "X.csv"))
		xc := mat.DenseCopyOf(x)
		var ref struct{ Scalers []sklearnScaler }
		readJSON(t, filepath.Join(dir, "scalers.json"), &ref)
		for _, s := range ref.Scalers {
			name := filepath.Base(dir) + "/" + s.Name
			t.Run(name, func(t *testing.T) {
				var (
					got   mat.Dense
					err   error
					param = map[string][2][]float64{} // name -> {got, want}
				)
				switch {
				case s.Name == "StandardScaler":
					var f *StandardScaler
					f, err = FitStandardScaler(x)
					if err == nil {
						param["mean"] = [2][]float64{f.Mean, s.Mean}
						param["var"] = [2][]float64{f.Var, s.Var}
						param["scale"] = [2][]float64{f.Scale, s.Scale}
						if f.NSamplesSeen != s.NSamplesSeen {
							t.Errorf("NSamplesSeen = %d, want %d", f.NSamplesSeen, s.NSamplesSeen)
						}
						err = f.Transform(&got, x)
					}
				case s.Name == "RobustScaler":
					var f *RobustScaler
					f, err = FitRobustScaler(x)
					if err == nil {
						param["center"] = [2][]float64{f.Center, s.Center}
						param["scale"] = [2][]float64{f.Scale, s.Scale}
						err = f.Transform(&got, x)
					}
				case strings.HasPrefix(s.Name, "MinMaxScaler"):
					var f *MinMaxScaler
					f, err = FitMinMaxScaler(x, [2]float64{s.Params.FeatureRange[0], s.Params.FeatureRange[1]})
					if err == nil {
						param["data_min"] = [2][]float64{f.DataMin, s.DataMin}
						param["data_max"] = [2][]float64{f.DataMax, s.DataMax}
						param["data_range"] = [2][]float64{f.DataRange, s.DataRange}
						param["scale"] = [2][]float64{f.Scale, s.Scale}
						param["min"] = [2][]float64{f.Min, s.Min}
						err = f.Transform(&got, x)
					}
				default:
					t.Fatalf("unknown scaler %q", s.Name)
				}
				if err != nil {
					t.Fatal(err)
				}
				for p, gw := range param {
					if diff := cmp.Diff(gw[1], gw[0], relParams); diff != "" {
						t.Errorf("%s mismatch (-sklearn +got):\n%s", p, diff)
					}
				}
				if diff := cmp.Diff(s.Transformed, rows(&got), relValues); diff != "" {
					t.Errorf("transformed mismatch (-sklearn +got):\n%s", diff)
				}
				if !mat.Equal(x, xc) {
					t.Error("input was modified")
				}
			})
		}
	}
}

type sklearnPCA struct {
	Params struct {
		NComponents *int `json:"n_components"`
		Whiten      bool `json:"whiten"`
	} `json:"params"`
	Components                [][]float64 `json:"components"`
	ExplainedVariance         []float64   `json:"explained_variance"`
	ExplainedVarianceRatio    []float64   `json:"explained_variance_ratio"`
	SingularValues            []float64   `json:"singular_values"`
	Mean                      []float64   `json:"mean"`
	NoiseVariance             float64     `json:"noise_variance"`
	NComponentsFitted         int         `json:"n_components_fitted"`
	Transformed               [][]float64 `json:"transformed"`
	ComponentsSignNormalized  [][]float64 `json:"components_sign_normalized"`
	TransformedSignNormalized [][]float64 `json:"transformed_sign_normalized"`
}

// signNormalize multiplies each component, and the matching column of
// transformed, by the sign of the component's largest-magnitude entry (the
// parity README's convention).
func signNormalize(comp, transformed [][]float64) {
	for j, c := range comp {
		best, sign := -1.0, 1.0
		for _, v := range c {
			if a := math.Abs(v); a > best {
				best, sign = a, math.Copysign(1, v)
			}
		}
		for l := range c {
			c[l] *= sign
		}
		for _, row := range transformed {
			row[j] *= sign
		}
	}
}

func TestPCAParity(t *testing.T) {
	// 1e-10 relative, with 1e-10 absolute for entries near 0.
	tol := cmpopts.EquateApprox(1e-10, 1e-10)
	for _, dir := range parityDirs(t, "pca.json") {
		x, _ := readCSV(t, filepath.Join(dir, "X.csv"))
		xc := mat.DenseCopyOf(x)
		var ref struct{ Variants []sklearnPCA }
		readJSON(t, filepath.Join(dir, "pca.json"), &ref)
		for _, v := range ref.Variants {
			cfg := PCAConfig{Whiten: v.Params.Whiten}
			if v.Params.NComponents != nil {
				cfg.Components = *v.Params.NComponents
			}
			name := filepath.Base(dir) + "/k=" + strconv.Itoa(cfg.Components) + "/whiten=" + strconv.FormatBool(cfg.Whiten)
			t.Run(name, func(t *testing.T) {
				p, err := FitPCA(x, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Components) != v.NComponentsFitted {
					t.Fatalf("%d components, want %d", len(p.Components), v.NComponentsFitted)
				}
				var got mat.Dense
				if err := p.Transform(&got, x); err != nil {
					t.Fatal(err)
				}
				for _, c := range []struct {
					name      string
					got, want any
				}{
					{"mean", p.Mean, v.Mean},
					{"explained_variance", p.ExplainedVariance, v.ExplainedVariance},
					{"explained_variance_ratio", p.ExplainedVarianceRatio, v.ExplainedVarianceRatio},
					{"singular_values", p.SingularValues, v.SingularValues},
					{"noise_variance", p.NoiseVariance, v.NoiseVariance},
					// Our signs follow sklearn's svd_flip, so the raw
					// components match too.
					{"components", p.Components, v.Components},
					{"transformed", rows(&got), v.Transformed},
				} {
					if diff := cmp.Diff(c.want, c.got, tol); diff != "" {
						t.Errorf("%s mismatch (-sklearn +got):\n%s", c.name, diff)
					}
				}
				comp := rows(mat.NewDense(len(p.Components), len(p.Mean), flatten(p.Components)))
				tr := rows(&got)
				signNormalize(comp, tr)
				if diff := cmp.Diff(v.ComponentsSignNormalized, comp, tol); diff != "" {
					t.Errorf("sign-normalised components mismatch (-sklearn +got):\n%s", diff)
				}
				if diff := cmp.Diff(v.TransformedSignNormalized, tr, tol); diff != "" {
					t.Errorf("sign-normalised transformed mismatch (-sklearn +got):\n%s", diff)
				}
				if !mat.Equal(x, xc) {
					t.Error("input was modified")
				}
			})
		}
	}
}

func flatten(m [][]float64) []float64 {
	var out []float64
	for _, r := range m {
		out = append(out, r...)
	}
	return out
}

// TestSVDVBlockedParity runs the blocked (TSQR) path of svdV, which FitPCA
// uses only for n >= 2048, on the parity data with small blocks.
func TestSVDVBlockedParity(t *testing.T) {
	tol := cmpopts.EquateApprox(1e-10, 1e-10)
	for _, dir := range parityDirs(t, "pca.json") {
		x, _ := readCSV(t, filepath.Join(dir, "X.csv"))
		var ref struct{ Variants []sklearnPCA }
		readJSON(t, filepath.Join(dir, "pca.json"), &ref)
		v0 := ref.Variants[0] // all components
		n, d := x.Dims()
		for _, block := range []int{4 * d, 64, 97} {
			t.Run(filepath.Base(dir)+"/block="+strconv.Itoa(block), func(t *testing.T) {
				xc := mat.NewDense(n, d, nil)
				for i := range n {
					for j := range d {
						xc.Set(i, j, x.At(i, j)-v0.Mean[j])
					}
				}
				s, v, err := svdV(xc, block)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(v0.SingularValues, s, tol); diff != "" {
					t.Errorf("singular values mismatch (-sklearn +got):\n%s", diff)
				}
				comp := rows(v.T())
				signNormalize(comp, nil)
				if diff := cmp.Diff(v0.ComponentsSignNormalized, comp, tol); diff != "" {
					t.Errorf("sign-normalised components mismatch (-sklearn +got):\n%s", diff)
				}
			})
		}
	}
}
