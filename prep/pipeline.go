package prep

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Scaler names accepted in Config.Scaler.
const (
	ScalerStandard = "standard"
	ScalerRobust   = "robust"
	ScalerMinMax   = "minmax"
	ScalerNone     = "none"
)

// DefaultCorrThreshold is the |Pearson r| above which Fit drops the later
// column of a pair, when Config.CorrThreshold is 0.
const DefaultCorrThreshold = 0.95

// Config configures Fit. Its zero value selects every column, applies no
// log1p and no winsorising, uses the standard scaler and drops constant
// columns and one of each pair with |r| > 0.95. It decodes from YAML and
// JSON.
type Config struct {
	// Columns selects the input columns to use, in this order; empty means
	// all, in input order.
	Columns []string `json:"columns,omitempty" yaml:"columns"`
	// Log1p names the columns transformed with sign(x)·log1p(|x|).
	Log1p []string `json:"log1p,omitempty" yaml:"log1p"`
	// Winsorize clips columns at quantiles of the training data.
	Winsorize Winsorize `json:"winsorize,omitzero" yaml:"winsorize"`
	// Scaler is "standard" (the default when empty), "robust", "minmax" or
	// "none".
	Scaler string `json:"scaler,omitempty" yaml:"scaler"`
	// FeatureRange is the minmax scaler's target range; zero means [0, 1].
	FeatureRange [2]float64 `json:"feature_range,omitzero" yaml:"feature_range"`
	// CorrThreshold is the |Pearson r| above which the later column of a
	// pair is dropped; 0 means 0.95, 1 keeps correlated columns.
	CorrThreshold float64 `json:"corr_threshold,omitempty" yaml:"corr_threshold"`
	// Groups names, for some columns, the group of indicator (0/1)
	// columns they belong to: the one-hot columns of one categorical
	// attribute, or a lone yes/no column. Such columns keep their 0/1
	// scale (centred, not divided by their spread), and the kept columns
	// of a group of m are divided by √m (see the package documentation,
	// # Indicator groups).
	Groups map[string]string `json:"groups,omitempty" yaml:"groups"`
}

// Winsorize configures clipping at quantiles. Lower and Upper both zero
// turn it off.
type Winsorize struct {
	Lower float64 `json:"lower,omitempty" yaml:"lower"` // lower quantile, in [0, Upper)
	Upper float64 `json:"upper,omitempty" yaml:"upper"` // upper quantile, in (Lower, 1]
	// Columns names the clipped columns; empty means every selected column.
	Columns []string `json:"columns,omitempty" yaml:"columns"`
}

func (w Winsorize) enabled() bool { return w.Lower != 0 || w.Upper != 0 }

// ConfigError reports an invalid Config field.
type ConfigError struct {
	Field string // the field's YAML name, such as "winsorize.lower"
	Err   error
}

func (e *ConfigError) Error() string { return fmt.Sprintf("prep config: %s: %v", e.Field, e.Err) }
func (e *ConfigError) Unwrap() error { return e.Err }

func configErrorf(field, format string, args ...any) error {
	return &ConfigError{Field: field, Err: fmt.Errorf(format, args...)}
}

// Validate reports whether c is usable on its own; Fit additionally checks
// the column names against the data.
func (c Config) Validate() error {
	for _, l := range []struct {
		field string
		names []string
	}{{"columns", c.Columns}, {"log1p", c.Log1p}, {"winsorize.columns", c.Winsorize.Columns}} {
		seen := make(map[string]bool, len(l.names))
		for _, s := range l.names {
			if s == "" {
				return configErrorf(l.field, "empty column name")
			}
			if seen[s] {
				return configErrorf(l.field, "column %q listed twice", s)
			}
			seen[s] = true
		}
	}
	w := c.Winsorize
	if w.enabled() {
		if !(0 <= w.Lower && w.Lower < 1) {
			return configErrorf("winsorize.lower", "%v: want a quantile in [0, 1)", w.Lower)
		}
		if !(w.Lower < w.Upper && w.Upper <= 1) {
			return configErrorf("winsorize.upper", "%v: want a quantile above lower (%v) and at most 1", w.Upper, w.Lower)
		}
	} else if len(w.Columns) > 0 {
		return configErrorf("winsorize.columns", "set while winsorize.lower and winsorize.upper are both 0 (off)")
	}
	switch c.Scaler {
	case "", ScalerStandard, ScalerRobust, ScalerNone:
		if c.FeatureRange != [2]float64{} {
			return configErrorf("feature_range", "only used by the %q scaler", ScalerMinMax)
		}
	case ScalerMinMax:
		lo, hi := c.FeatureRange[0], c.FeatureRange[1]
		if c.FeatureRange != [2]float64{} && !(lo < hi && !math.IsInf(lo, 0) && !math.IsInf(hi, 0)) {
			return configErrorf("feature_range", "[%v, %v]: want finite min < max", lo, hi)
		}
	default:
		return configErrorf("scaler", "%q: want %q, %q, %q or %q", c.Scaler, ScalerStandard, ScalerRobust, ScalerMinMax, ScalerNone)
	}
	if !(c.CorrThreshold == 0 || c.CorrThreshold > 0 && c.CorrThreshold <= 1) {
		return configErrorf("corr_threshold", "%v: want 0 < threshold <= 1 (0 means %v)", c.CorrThreshold, DefaultCorrThreshold)
	}
	return nil
}

// Fitted is a fitted preparation pipeline. It encodes to JSON and decodes
// back (decoding checks its consistency), and transforms new data exactly as
// it transformed the training data.
type Fitted struct {
	// Inputs names the columns Transform expects, in order.
	Inputs []string `json:"inputs"`
	// Columns names the selected columns, the input of the steps below.
	Columns []string `json:"columns"`
	// Log1p and Winsorize use indices into Columns; nil when unused.
	Log1p     *Log1p      `json:"log1p,omitempty"`
	Winsorize *Winsorizer `json:"winsorize,omitempty"`
	// Scaler is one of the Scaler* names; the matching field holds its
	// parameters for every selected column.
	Scaler   string          `json:"scaler"`
	Standard *StandardScaler `json:"standard,omitempty"`
	Robust   *RobustScaler   `json:"robust,omitempty"`
	MinMax   *MinMaxScaler   `json:"minmax,omitempty"`
	// Output names the kept columns, a subsequence of Columns.
	Output []string `json:"output"`
	// Dropped says which selected columns were dropped and why; Index is a
	// position in Columns.
	Dropped []Dropped `json:"dropped"`
	// Weights, when set, multiply the output columns after scaling (one
	// per Output column; see Config.Groups); nil weighs every column 1.
	Weights []float64 `json:"weights,omitempty"`
}

// Fit fits the pipeline configured by cfg on x, whose columns are named by
// names: select columns, log1p, winsorise, scale, and drop constant and
// correlated columns (decided before scaling; see the package doc).
func Fit(x *mat.Dense, names []string, cfg Config) (*Fitted, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := x.RawMatrix()
	if len(names) != r.Cols {
		return nil, fmt.Errorf("%d column names for %d columns", len(names), r.Cols)
	}
	if err := checkNames("input", names); err != nil {
		return nil, err
	}
	if r.Rows < 2 {
		return nil, fmt.Errorf("need at least 2 rows, have %d", r.Rows)
	}
	if err := named(checkFinite(r), names); err != nil {
		return nil, err
	}

	f := &Fitted{Inputs: slices.Clone(names), Columns: slices.Clone(cfg.Columns), Scaler: cfg.Scaler}
	if f.Scaler == "" {
		f.Scaler = ScalerStandard
	}
	if len(f.Columns) == 0 {
		f.Columns = slices.Clone(names)
	}
	sel, err := indices("columns", f.Columns, names)
	if err != nil {
		return nil, err
	}
	if len(cfg.Log1p) > 0 {
		idx, err := indices("log1p", cfg.Log1p, f.Columns)
		if err != nil {
			return nil, err
		}
		f.Log1p = &Log1p{Columns: idx}
	}

	z := selectColumns(r, sel)
	if f.Log1p != nil {
		if err := f.Log1p.Transform(z, z); err != nil {
			return nil, err
		}
	}
	if cfg.Winsorize.enabled() {
		var idx []int
		if len(cfg.Winsorize.Columns) > 0 {
			if idx, err = indices("winsorize.columns", cfg.Winsorize.Columns, f.Columns); err != nil {
				return nil, err
			}
		}
		if f.Winsorize, err = FitWinsorizer(z, idx, [2]float64{cfg.Winsorize.Lower, cfg.Winsorize.Upper}); err != nil {
			return nil, named(err, f.Columns)
		}
		if err := f.Winsorize.Transform(z, z); err != nil {
			return nil, err
		}
	}

	thr := cfg.CorrThreshold
	if thr == 0 {
		thr = DefaultCorrThreshold
	}
	keep, dropped, err := SelectFeatures(z, f.Columns, thr)
	if err != nil {
		return nil, named(err, f.Columns)
	}
	if len(keep) == 0 {
		return nil, fmt.Errorf("every selected column was dropped as constant (%d columns)", len(f.Columns))
	}
	f.Dropped = dropped
	for _, j := range keep {
		f.Output = append(f.Output, f.Columns[j])
	}
	switch f.Scaler {
	case ScalerStandard:
		f.Standard, err = FitStandardScaler(z)
	case ScalerRobust:
		f.Robust, err = FitRobustScaler(z)
	case ScalerMinMax:
		f.MinMax, err = FitMinMaxScaler(z, cfg.FeatureRange)
	}
	if err != nil {
		return nil, named(err, f.Columns)
	}
	f.Weights = f.groupWeights(cfg.Groups)
	return f, nil
}

// groupWeights returns the weights of the output columns (Fitted.Weights)
// for groups (Config.Groups), or nil without groups. An indicator column
// of a group of m kept columns gets the weight u/√m, where u is the
// scaler's unit for the column (the standard deviation for the standard
// scaler): scaled and weighted, it is its 0/1 value centred and divided by
// √m. Others get 1.
func (f *Fitted) groupWeights(groups map[string]string) []float64 {
	size := map[string]int{}
	for _, c := range f.Output {
		if g, ok := groups[c]; ok {
			size[g]++
		}
	}
	if len(size) == 0 {
		return nil
	}
	w := make([]float64, len(f.Output))
	for k, c := range f.Output {
		w[k] = 1
		g, ok := groups[c]
		if !ok {
			continue
		}
		j := slices.Index(f.Columns, c)
		unit := 1.0
		switch f.Scaler {
		case ScalerStandard:
			unit = f.Standard.Scale[j]
		case ScalerRobust:
			unit = f.Robust.Scale[j]
		case ScalerMinMax:
			unit = 1 / f.MinMax.Scale[j]
		}
		w[k] = unit / math.Sqrt(float64(size[g]))
	}
	return w
}

// Names returns the names of the columns Transform returns.
func (f *Fitted) Names() []string { return slices.Clone(f.Output) }

// Transform applies the fitted pipeline to x, which must have the columns
// f.Inputs in that order, and returns a new matrix with the columns
// f.Names().
func (f *Fitted) Transform(x *mat.Dense) (*mat.Dense, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	r := x.RawMatrix()
	if r.Cols != len(f.Inputs) {
		return nil, fmt.Errorf("input has %d columns, the pipeline expects %d (%q...)", r.Cols, len(f.Inputs), f.Inputs[0])
	}
	if r.Rows == 0 {
		return nil, errors.New("no rows")
	}
	if err := named(checkFinite(r), f.Inputs); err != nil {
		return nil, err
	}
	sel, _ := indices("columns", f.Columns, f.Inputs)
	z := selectColumns(r, sel)
	if f.Log1p != nil {
		if err := f.Log1p.Transform(z, z); err != nil {
			return nil, err
		}
	}
	if f.Winsorize != nil {
		if err := f.Winsorize.Transform(z, z); err != nil {
			return nil, err
		}
	}
	var err error
	switch f.Scaler {
	case ScalerStandard:
		err = f.Standard.Transform(z, z)
	case ScalerRobust:
		err = f.Robust.Transform(z, z)
	case ScalerMinMax:
		err = f.MinMax.Transform(z, z)
	}
	if err != nil {
		return nil, named(err, f.Columns)
	}
	keep, _ := indices("output", f.Output, f.Columns)
	out := keepColumns(z, keep)
	if f.Weights != nil {
		r := out.RawMatrix()
		for i := range r.Rows {
			row := r.Data[i*r.Stride : i*r.Stride+r.Cols]
			for j, w := range f.Weights {
				row[j] *= w
			}
		}
	}
	return out, nil
}

// UnmarshalJSON decodes a Fitted and checks that it is consistent, so that
// Transform cannot fail on a malformed model.
func (f *Fitted) UnmarshalJSON(b []byte) error {
	type plain Fitted
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	g := Fitted(p)
	if err := g.check(); err != nil {
		return fmt.Errorf("fitted pipeline: %w", err)
	}
	*f = g
	return nil
}

// check reports whether f is consistent.
func (f *Fitted) check() error {
	if len(f.Inputs) == 0 {
		return errors.New("no inputs")
	}
	if err := checkNames("inputs", f.Inputs); err != nil {
		return err
	}
	if err := checkNames("columns", f.Columns); err != nil {
		return err
	}
	if _, err := indices("columns", f.Columns, f.Inputs); err != nil {
		return err
	}
	if len(f.Columns) == 0 {
		return errors.New("no columns")
	}
	d := len(f.Columns)
	if f.Log1p != nil {
		for _, j := range f.Log1p.Columns {
			if j < 0 || j >= d {
				return fmt.Errorf("log1p column %d out of range for %d columns", j, d)
			}
		}
	}
	if f.Winsorize != nil {
		if err := f.Winsorize.check(d); err != nil {
			return named(err, f.Columns)
		}
	}
	params := 0
	for _, p := range []bool{f.Standard != nil, f.Robust != nil, f.MinMax != nil} {
		if p {
			params++
		}
	}
	var ok bool
	switch f.Scaler {
	case ScalerStandard:
		ok = params == 1 && f.Standard != nil && checkScale(f.Standard.Scale, d, f.Standard.Mean)
	case ScalerRobust:
		ok = params == 1 && f.Robust != nil && checkScale(f.Robust.Scale, d, f.Robust.Center)
	case ScalerMinMax:
		ok = params == 1 && f.MinMax != nil && len(f.MinMax.Scale) == d && len(f.MinMax.Min) == d
	case ScalerNone:
		ok = params == 0
	default:
		return fmt.Errorf("unknown scaler %q", f.Scaler)
	}
	if !ok {
		return fmt.Errorf("%q scaler parameters missing, extra, of the wrong length or with a zero scale", f.Scaler)
	}
	if err := checkNames("output", f.Output); err != nil {
		return err
	}
	if len(f.Output) == 0 {
		return errors.New("no output columns")
	}
	if _, err := indices("output", f.Output, f.Columns); err != nil {
		return err
	}
	if f.Weights != nil {
		if len(f.Weights) != len(f.Output) {
			return fmt.Errorf("%d weights for %d output columns", len(f.Weights), len(f.Output))
		}
		for j, w := range f.Weights {
			if !(w > 0) || math.IsInf(w, 0) {
				return fmt.Errorf("weight %v of column %q is not a positive number", w, f.Output[j])
			}
		}
	}
	return nil
}

// checkScale reports whether scale and center have d entries and no scale
// is zero.
func checkScale(scale []float64, d int, center []float64) bool {
	if len(scale) != d || len(center) != d {
		return false
	}
	return !slices.Contains(scale, 0)
}

// checkNames returns an error if names holds an empty or repeated name.
func checkNames(what string, names []string) error {
	seen := make(map[string]bool, len(names))
	for _, s := range names {
		if s == "" {
			return fmt.Errorf("%s: empty column name", what)
		}
		if seen[s] {
			return fmt.Errorf("%s: column %q listed twice", what, s)
		}
		seen[s] = true
	}
	return nil
}

// indices returns the position in all of each name in want.
func indices(what string, want, all []string) ([]int, error) {
	pos := make(map[string]int, len(all))
	for j, s := range all {
		pos[s] = j
	}
	idx := make([]int, len(want))
	for k, s := range want {
		j, ok := pos[s]
		if !ok {
			return nil, fmt.Errorf("%s: unknown column %q", what, s)
		}
		idx[k] = j
	}
	return idx, nil
}

// selectColumns returns a new matrix of the columns sel of r.
func selectColumns(r blas64.General, sel []int) *mat.Dense {
	z := mat.NewDense(r.Rows, len(sel), nil)
	w := z.RawMatrix()
	for i := range r.Rows {
		in := r.Data[i*r.Stride:]
		out := w.Data[i*w.Stride : i*w.Stride+len(sel)]
		for k, j := range sel {
			out[k] = in[j]
		}
	}
	return z
}

// keepColumns returns the columns keep of z, which it owns: in z's own
// memory when keep is increasing (each row moves left, so no value is
// overwritten before it is read), saving a copy of the matrix (at a
// million users and 86 features, 690 MB), else in a new matrix.
func keepColumns(z *mat.Dense, keep []int) *mat.Dense {
	r := z.RawMatrix()
	m := len(keep)
	for k, j := range keep {
		if j < k || k > 0 && j <= keep[k-1] || j >= r.Cols {
			return selectColumns(r, keep)
		}
	}
	if m == 0 || r.Rows == 0 {
		return selectColumns(r, keep)
	}
	if m == r.Cols && r.Stride == r.Cols {
		return z // every column, in order
	}
	for i := range r.Rows {
		in, out := r.Data[i*r.Stride:], r.Data[i*m:i*m+m]
		for k, j := range keep {
			out[k] = in[j]
		}
	}
	return mat.NewDense(r.Rows, m, r.Data[:r.Rows*m])
}

// named fills in the column name of a *ColumnError from names.
func named(err error, names []string) error {
	var ce *ColumnError
	if errors.As(err, &ce) && ce.Name == "" && ce.Index >= 0 && ce.Index < len(names) {
		ce.Name = names[ce.Index]
	}
	return err
}
