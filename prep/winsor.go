package prep

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Winsorizer clips chosen columns to bounds fitted at two quantiles of the
// training data; the other columns are copied unchanged.
type Winsorizer struct {
	// NFeatures is the number of columns of the fitted matrix.
	NFeatures int `json:"n_features"`
	// Columns lists the 0-based indices of the clipped columns.
	Columns []int `json:"columns"`
	// Quantiles are the lower and upper quantiles the bounds were taken at.
	Quantiles [2]float64 `json:"quantiles"`
	// Lower and Upper hold the bounds of each column in Columns.
	Lower []float64 `json:"lower"`
	Upper []float64 `json:"upper"`
}

// FitWinsorizer fits bounds for the given columns of x at the lower and
// upper quantiles q (0 <= q[0] < q[1] <= 1), with numpy's linear
// interpolation. nil cols means every column.
func FitWinsorizer(x mat.Matrix, cols []int, q [2]float64) (*Winsorizer, error) {
	if !(0 <= q[0] && q[0] < q[1] && q[1] <= 1) {
		return nil, fmt.Errorf("winsorize quantiles [%v, %v]: want 0 <= lower < upper <= 1", q[0], q[1])
	}
	r := rawOf(x)
	if err := checkInput(r); err != nil {
		return nil, err
	}
	if cols == nil {
		cols = make([]int, r.Cols)
		for j := range cols {
			cols[j] = j
		}
	}
	w := &Winsorizer{
		NFeatures: r.Cols,
		Columns:   slices.Clone(cols),
		Quantiles: q,
		Lower:     make([]float64, len(cols)),
		Upper:     make([]float64, len(cols)),
	}
	var col []float64
	for k, j := range cols {
		if j < 0 || j >= r.Cols {
			return nil, fmt.Errorf("winsorize column %d out of range for %d columns", j, r.Cols)
		}
		col = column(col, r, j)
		w.Lower[k] = quantileSelect(col, q[0])
		w.Upper[k] = quantileSelect(col, q[1])
	}
	return w, nil
}

// Transform writes x with the chosen columns clipped to [Lower, Upper] into
// dst. dst must be empty or have the shape of x; it may be x itself.
func (w *Winsorizer) Transform(dst *mat.Dense, x mat.Matrix) error {
	r := rawOf(x)
	if err := w.check(r.Cols); err != nil {
		return err
	}
	if err := checkFinite(r); err != nil {
		return err
	}
	o := prepareDst(dst, r.Rows, r.Cols)
	for i := range r.Rows {
		in := r.Data[i*r.Stride : i*r.Stride+r.Cols]
		out := o.Data[i*o.Stride : i*o.Stride+r.Cols]
		copy(out, in)
		for k, j := range w.Columns {
			out[j] = min(max(in[j], w.Lower[k]), w.Upper[k])
		}
	}
	return nil
}

// check reports whether w is consistent and applies to d columns.
func (w *Winsorizer) check(d int) error {
	if d != w.NFeatures {
		return fmt.Errorf("input has %d columns, fitted on %d", d, w.NFeatures)
	}
	if len(w.Lower) != len(w.Columns) || len(w.Upper) != len(w.Columns) {
		return fmt.Errorf("winsorize: %d columns but %d lower and %d upper bounds", len(w.Columns), len(w.Lower), len(w.Upper))
	}
	for k, j := range w.Columns {
		if j < 0 || j >= d {
			return fmt.Errorf("winsorize column %d out of range for %d columns", j, d)
		}
		if !(w.Lower[k] <= w.Upper[k]) {
			return &ColumnError{Index: j, Err: fmt.Errorf("winsorize bounds [%v, %v] are inverted", w.Lower[k], w.Upper[k])}
		}
	}
	return nil
}
