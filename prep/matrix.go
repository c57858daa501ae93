package prep

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// rawOf returns x as a row-major RawMatrix, without copying when x is a
// *mat.Dense. The result must not be written to.
func rawOf(x mat.Matrix) blas64.General {
	if r, ok := x.(mat.RawMatrixer); ok {
		return r.RawMatrix()
	}
	return mat.DenseCopyOf(x).RawMatrix()
}

// checkInput returns an error if x is empty or holds a non-finite value.
func checkInput(x blas64.General) error {
	if x.Rows == 0 {
		return errors.New("no rows")
	}
	if x.Cols == 0 {
		return errors.New("no columns")
	}
	return checkFinite(x)
}

// checkFinite returns a *ColumnError for the first non-finite value of x,
// scanning row by row.
func checkFinite(x blas64.General) error {
	for i := range x.Rows {
		row := x.Data[i*x.Stride : i*x.Stride+x.Cols]
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return &ColumnError{Index: j, Err: fmt.Errorf("%v in row %d", v, i)}
			}
		}
	}
	return nil
}

// prepareDst makes dst r×c: an empty dst is resized, any other must already
// have that shape.
func prepareDst(dst *mat.Dense, r, c int) blas64.General {
	if dst.IsEmpty() {
		dst.ReuseAs(r, c)
	} else if rr, cc := dst.Dims(); rr != r || cc != c {
		panic(fmt.Sprintf("prep: dst is %dx%d, want %dx%d", rr, cc, r, c))
	}
	return dst.RawMatrix()
}

// checkCols returns an error when x does not have the c columns a transform
// was fitted on.
func checkCols(x blas64.General, c int) error {
	if x.Cols != c {
		return fmt.Errorf("input has %d columns, fitted on %d", x.Cols, c)
	}
	if x.Rows == 0 {
		return errors.New("no rows")
	}
	return nil
}

// column copies column j of x into dst (reused when large enough).
func column(dst []float64, x blas64.General, j int) []float64 {
	dst = slices.Grow(dst[:0], x.Rows)[:x.Rows]
	for i := range x.Rows {
		dst[i] = x.Data[i*x.Stride+j]
	}
	return dst
}

// checkParams returns an error naming the column of the first non-finite
// value in p, whose name is what.
func checkParams(what string, p []float64) error {
	for j, v := range p {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &ColumnError{Index: j, Err: fmt.Errorf("%s is %v (values too large)", what, v)}
		}
	}
	return nil
}
