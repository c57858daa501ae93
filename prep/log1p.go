package prep

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Log1p applies sign(x)·log1p(|x|) to the chosen columns and copies the
// others unchanged. It suits heavy-tailed counts and money; the rule for
// negative values keeps the transform odd and monotone.
type Log1p struct {
	// Columns lists the 0-based indices of the transformed columns.
	Columns []int `json:"columns"`
}

// Transform writes x with the chosen columns transformed into dst. dst must
// be empty or have the shape of x; it may be x itself.
func (l *Log1p) Transform(dst *mat.Dense, x mat.Matrix) error {
	r := rawOf(x)
	for _, j := range l.Columns {
		if j < 0 || j >= r.Cols {
			return fmt.Errorf("log1p column %d out of range for %d columns", j, r.Cols)
		}
	}
	if err := checkFinite(r); err != nil {
		return err
	}
	w := prepareDst(dst, r.Rows, r.Cols)
	for i := range r.Rows {
		in := r.Data[i*r.Stride : i*r.Stride+r.Cols]
		out := w.Data[i*w.Stride : i*w.Stride+r.Cols]
		copy(out, in)
		for _, j := range l.Columns {
			out[j] = signedLog1p(in[j])
		}
	}
	return nil
}

// signedLog1p returns sign(v)·log1p(|v|).
func signedLog1p(v float64) float64 {
	if v < 0 {
		return -math.Log1p(-v)
	}
	return math.Log1p(v)
}
