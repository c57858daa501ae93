package prep

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// eps is the float64 machine epsilon, numpy's finfo(float64).eps.
const eps = 0x1p-52

// StandardScaler centres each column on its mean and divides it by its
// standard deviation, like scikit-learn 1.2's StandardScaler().
//
// A column counts as constant, and gets Scale 1, when its variance is within
// the rounding error of the two-pass algorithm:
// Var <= n·eps·Var + (n·Mean·eps)².
type StandardScaler struct {
	Mean         []float64 `json:"mean"`
	Var          []float64 `json:"var"` // population variance (ddof = 0)
	Scale        []float64 `json:"scale"`
	NSamplesSeen int       `json:"n_samples_seen"`
}

// FitStandardScaler fits a StandardScaler on the rows of x.
func FitStandardScaler(x mat.Matrix) (*StandardScaler, error) {
	r := rawOf(x)
	if err := checkInput(r); err != nil {
		return nil, err
	}
	n, d := r.Rows, r.Cols
	mean, vr := meanVar(r)
	scale := make([]float64, d)
	for j := range d {
		if isConstant(vr[j], mean[j], n) {
			scale[j] = 1
		} else {
			scale[j] = math.Sqrt(vr[j])
		}
	}
	s := &StandardScaler{Mean: mean, Var: vr, Scale: scale, NSamplesSeen: n}
	if err := checkParams("variance", vr); err != nil {
		return nil, err
	}
	return s, checkParams("mean", mean)
}

// meanVar returns the column means and population variances of x with
// scikit-learn's corrected two-pass algorithm and numpy's summation order
// (row by row).
func meanVar(r blas64.General) (mean, vr []float64) {
	n, d := r.Rows, r.Cols
	mean = make([]float64, d)
	for i := range n {
		row := r.Data[i*r.Stride : i*r.Stride+d]
		for j, v := range row {
			mean[j] += v
		}
	}
	fn := float64(n)
	for j := range mean {
		mean[j] /= fn
	}
	corr := make([]float64, d)
	sq := make([]float64, d)
	for i := range n {
		row := r.Data[i*r.Stride : i*r.Stride+d]
		for j, v := range row {
			t := v - mean[j]
			corr[j] += t
			sq[j] += t * t
		}
	}
	vr = make([]float64, d)
	for j := range vr {
		vr[j] = (sq[j] - corr[j]*corr[j]/fn) / fn
	}
	return mean, vr
}

// isConstant reports whether a column with this variance and mean over n
// samples is indistinguishable from a constant (scikit-learn's
// _is_constant_feature).
func isConstant(vr, mean float64, n int) bool {
	fn := float64(n)
	b := fn * mean * eps
	return vr <= fn*eps*vr+b*b
}

// Transform writes (x - Mean) / Scale into dst. dst must be empty or have
// the shape of x; it may be x itself.
func (s *StandardScaler) Transform(dst *mat.Dense, x mat.Matrix) error {
	return affine(dst, x, s.Mean, s.Scale, false)
}

// RobustScaler centres each column on its median and divides it by its
// interquartile range, like scikit-learn 1.2's RobustScaler() (quantile
// range 25 to 75). A range below 10·eps becomes 1.
type RobustScaler struct {
	Center []float64 `json:"center"`
	Scale  []float64 `json:"scale"`
}

// FitRobustScaler fits a RobustScaler on the rows of x.
func FitRobustScaler(x mat.Matrix) (*RobustScaler, error) {
	r := rawOf(x)
	if err := checkInput(r); err != nil {
		return nil, err
	}
	d := r.Cols
	s := &RobustScaler{Center: make([]float64, d), Scale: make([]float64, d)}
	var col []float64
	for j := range d {
		col = column(col, r, j)
		s.Center[j] = medianSelect(col)
		q3 := quantileSelect(col, 0.75)
		iqr := q3 - quantileSelect(col, 0.25)
		if iqr < 10*eps {
			iqr = 1
		}
		s.Scale[j] = iqr
	}
	if err := checkParams("interquartile range", s.Scale); err != nil {
		return nil, err
	}
	return s, nil
}

// Transform writes (x - Center) / Scale into dst. dst must be empty or have
// the shape of x; it may be x itself.
func (s *RobustScaler) Transform(dst *mat.Dense, x mat.Matrix) error {
	return affine(dst, x, s.Center, s.Scale, false)
}

// MinMaxScaler maps each column's training range onto FeatureRange, like
// scikit-learn 1.2's MinMaxScaler(feature_range). The transform is
// x·Scale + Min; a data range below 10·eps is treated as 1.
type MinMaxScaler struct {
	FeatureRange [2]float64 `json:"feature_range"`
	DataMin      []float64  `json:"data_min"`
	DataMax      []float64  `json:"data_max"`
	DataRange    []float64  `json:"data_range"`
	Scale        []float64  `json:"scale"`
	Min          []float64  `json:"min"`
}

// FitMinMaxScaler fits a MinMaxScaler on the rows of x. The zero
// featureRange means [0, 1]; otherwise featureRange[0] < featureRange[1]
// is required.
func FitMinMaxScaler(x mat.Matrix, featureRange [2]float64) (*MinMaxScaler, error) {
	if featureRange == [2]float64{} {
		featureRange = [2]float64{0, 1}
	}
	lo, hi := featureRange[0], featureRange[1]
	if !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil, fmt.Errorf("feature range [%v, %v]: minimum must be below maximum and both finite", lo, hi)
	}
	r := rawOf(x)
	if err := checkInput(r); err != nil {
		return nil, err
	}
	d := r.Cols
	s := &MinMaxScaler{
		FeatureRange: featureRange,
		DataMin:      slices.Clone(r.Data[:d]),
		DataMax:      slices.Clone(r.Data[:d]),
		DataRange:    make([]float64, d),
		Scale:        make([]float64, d),
		Min:          make([]float64, d),
	}
	for i := 1; i < r.Rows; i++ {
		row := r.Data[i*r.Stride : i*r.Stride+d]
		for j, v := range row {
			s.DataMin[j] = min(s.DataMin[j], v)
			s.DataMax[j] = max(s.DataMax[j], v)
		}
	}
	for j := range d {
		s.DataRange[j] = s.DataMax[j] - s.DataMin[j]
		rng := s.DataRange[j]
		if rng < 10*eps {
			rng = 1
		}
		s.Scale[j] = (hi - lo) / rng
		s.Min[j] = lo - s.DataMin[j]*s.Scale[j]
	}
	if err := checkParams("data range", s.DataRange); err != nil {
		return nil, err
	}
	return s, nil
}

// Transform writes x·Scale + Min into dst. dst must be empty or have the
// shape of x; it may be x itself.
func (s *MinMaxScaler) Transform(dst *mat.Dense, x mat.Matrix) error {
	return affine(dst, x, s.Scale, s.Min, true)
}

// affine writes (x - a) / b, or x·a + b when mulAdd, into dst column-wise.
func affine(dst *mat.Dense, x mat.Matrix, a, b []float64, mulAdd bool) error {
	if len(a) != len(b) {
		return fmt.Errorf("fitted parameters have lengths %d and %d", len(a), len(b))
	}
	r := rawOf(x)
	if err := checkCols(r, len(a)); err != nil {
		return err
	}
	if err := checkFinite(r); err != nil {
		return err
	}
	w := prepareDst(dst, r.Rows, r.Cols)
	for i := range r.Rows {
		in := r.Data[i*r.Stride : i*r.Stride+r.Cols]
		out := w.Data[i*w.Stride : i*w.Stride+r.Cols]
		if mulAdd {
			for j, v := range in {
				out[j] = v*a[j] + b[j]
			}
		} else {
			for j, v := range in {
				out[j] = (v - a[j]) / b[j]
			}
		}
	}
	return nil
}
