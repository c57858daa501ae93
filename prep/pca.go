package prep

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// PCAConfig configures FitPCA. The zero value keeps all min(n, d)
// components without whitening.
type PCAConfig struct {
	// Components is the number of components kept; 0 means min(n, d).
	Components int `json:"components,omitempty" yaml:"components"`
	// Whiten divides each projected component by the square root of its
	// explained variance, giving unit-variance outputs.
	Whiten bool `json:"whiten,omitempty" yaml:"whiten"`
}

// Validate reports whether c is usable.
func (c PCAConfig) Validate() error {
	if c.Components < 0 {
		return fmt.Errorf("pca components = %d: must be >= 0 (0 keeps all)", c.Components)
	}
	return nil
}

// PCA is a fitted principal component analysis, like scikit-learn 1.2's
// PCA(n_components, whiten, svd_solver="full"): the SVD of the centred
// training data.
//
// Component signs follow scikit-learn's svd_flip: the largest-magnitude
// entry of each column of U (the left singular vectors) is positive.
// Components whose singular value is zero (rank-deficient data, such as
// fewer rows than columns) are any orthonormal completion, as in
// scikit-learn, and may differ from its choice.
type PCA struct {
	Mean []float64 `json:"mean"`
	// Components holds the principal axes as rows, by decreasing variance.
	Components [][]float64 `json:"components"`
	// ExplainedVariance is S²/(n-1) for each kept component.
	ExplainedVariance []float64 `json:"explained_variance"`
	// ExplainedVarianceRatio is ExplainedVariance over the total variance
	// of all min(n, d) components.
	ExplainedVarianceRatio []float64 `json:"explained_variance_ratio"`
	SingularValues         []float64 `json:"singular_values"`
	// NoiseVariance is the mean explained variance of the discarded
	// components, 0 when none is discarded.
	NoiseVariance float64 `json:"noise_variance"`
	NSamples      int     `json:"n_samples"`
	Whiten        bool    `json:"whiten"`
}

// FitPCA fits a PCA on the rows of x, which needs at least 2 rows.
func FitPCA(x mat.Matrix, cfg PCAConfig) (*PCA, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := rawOf(x)
	if err := checkInput(r); err != nil {
		return nil, err
	}
	n, d := r.Rows, r.Cols
	if n < 2 {
		return nil, fmt.Errorf("pca needs at least 2 rows, have %d", n)
	}
	m := min(n, d)
	k := cfg.Components
	if k == 0 {
		k = m
	}
	if k > m {
		return nil, fmt.Errorf("pca components = %d: at most min(rows, columns) = %d", k, m)
	}

	mean := make([]float64, d)
	for i := range n {
		row := r.Data[i*r.Stride : i*r.Stride+d]
		for j, v := range row {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	xc := mat.NewDense(n, d, nil)
	c := xc.RawMatrix()
	for i := range n {
		in := r.Data[i*r.Stride : i*r.Stride+d]
		out := c.Data[i*c.Stride : i*c.Stride+d]
		for j, v := range in {
			out[j] = v - mean[j]
		}
	}

	s, v, err := svdV(xc, qrBlock)
	if err != nil {
		return nil, err
	}
	// The signs come from U = Xc·V/S, whose columns are formed directly.
	var u mat.Dense // Xc·V, the columns of U scaled by S
	u.Mul(xc, v.Slice(0, d, 0, k))

	p := &PCA{
		Mean:                   mean,
		Components:             make([][]float64, k),
		ExplainedVariance:      make([]float64, k),
		ExplainedVarianceRatio: make([]float64, k),
		SingularValues:         append([]float64(nil), s[:k]...),
		NSamples:               n,
		Whiten:                 cfg.Whiten,
	}
	ev := make([]float64, m)
	var total float64
	for j := range m {
		ev[j] = s[j] * s[j] / float64(n-1)
		total += ev[j]
	}
	signs := columnSigns(&u)
	for j := range k {
		comp := make([]float64, d)
		for l := range d {
			comp[l] = signs[j] * v.At(l, j)
		}
		p.Components[j] = comp
		p.ExplainedVariance[j] = ev[j]
		p.ExplainedVarianceRatio[j] = ev[j] / total
	}
	if k < m {
		var sum float64
		for _, e := range ev[k:] {
			sum += e
		}
		p.NoiseVariance = sum / float64(m-k)
	}
	if err := checkParams("mean", mean); err != nil {
		return nil, err
	}
	if math.IsNaN(total) || math.IsInf(total, 0) {
		return nil, errors.New("pca: total variance is not finite (values too large)")
	}
	if total == 0 {
		return nil, errors.New("pca: every column is constant")
	}
	if cfg.Whiten {
		// Numerical rank as in numpy.linalg.matrix_rank.
		tol := s[0] * float64(max(n, d)) * eps
		for j, sv := range p.SingularValues {
			if !(sv > tol) {
				return nil, fmt.Errorf("pca: component %d has zero variance and cannot be whitened", j)
			}
		}
	}
	return p, nil
}

// qrBlock is the number of rows factorised at once by svdV: a block of
// 1024×32 float64s (256 KiB) stays in cache while its Householder
// reflectors are applied.
const qrBlock = 1024

// svdV returns the singular values, descending, and the right singular
// vectors (as columns) of the n×d matrix a, factorising block rows at once.
//
// For tall matrices it first reduces a to a stack of triangular factors by
// a QR factorisation of each block of rows (a one-level TSQR): if a's row
// blocks are Q_i·R_i, then a and the stacked R_i have the same singular
// values and right singular vectors, and the SVD of the small stack is
// cheap. Gonum's SVD of the whole matrix applies unblocked Householder
// reflectors that stream all n rows through memory once per column; the
// block form was about 5 times faster at 100k×32.
func svdV(a *mat.Dense, block int) ([]float64, *mat.Dense, error) {
	n, d := a.Dims()
	st := a
	if n >= 2*block && block >= 4*d {
		stack := make([]float64, 0, (n/block+1)*d*d)
		var (
			qr mat.QR
			r  mat.Dense
		)
		for lo := 0; lo < n; lo += block {
			hi := min(n, lo+block)
			if hi-lo < d {
				for i := lo; i < hi; i++ {
					stack = append(stack, a.RawRowView(i)...)
				}
				continue
			}
			qr.Factorize(a.Slice(lo, hi, 0, d))
			r.Reset()
			qr.RTo(&r)
			for i := range d {
				stack = append(stack, r.RawRowView(i)...)
			}
		}
		st = mat.NewDense(len(stack)/d, d, stack)
	}
	var svd mat.SVD
	if !svd.Factorize(st, mat.SVDThinV) {
		return nil, nil, errors.New("pca: singular value decomposition did not converge")
	}
	var v mat.Dense
	svd.VTo(&v)
	return svd.Values(nil), &v, nil
}

// columnSigns returns, for each column of u, the sign (±1) of its
// largest-magnitude entry, the first one on ties (numpy's argmax). Scaling a
// column by a positive constant does not change its sign.
func columnSigns(u *mat.Dense) []float64 {
	r := u.RawMatrix()
	best := make([]float64, r.Cols)
	sign := make([]float64, r.Cols)
	for j := range best {
		best[j] = -1
		sign[j] = 1
	}
	for i := range r.Rows {
		row := r.Data[i*r.Stride : i*r.Stride+r.Cols]
		for j, x := range row {
			if a := math.Abs(x); a > best[j] {
				best[j] = a
				sign[j] = 1
				if x < 0 {
					sign[j] = -1
				}
			}
		}
	}
	return sign
}

// pcaBlock is how many rows Transform centres and projects at a time.
const pcaBlock = 4096

// Transform writes the projection of x onto the components, (x - Mean)·Cᵀ,
// divided by √ExplainedVariance when Whiten, into dst. dst must be empty or
// have len(Components) columns and the rows of x; it may be x when that has
// this shape.
func (p *PCA) Transform(dst *mat.Dense, x mat.Matrix) error {
	if err := p.check(); err != nil {
		return err
	}
	d, k := len(p.Mean), len(p.Components)
	r := rawOf(x)
	if err := checkCols(r, d); err != nil {
		return err
	}
	if err := checkFinite(r); err != nil {
		return err
	}
	n := r.Rows
	comp := mat.NewDense(k, d, nil)
	for j, row := range p.Components {
		comp.SetRow(j, row)
	}
	prepareDst(dst, n, k)
	// The rows are centred and projected pcaBlock at a time (the last
	// block takes the rest), so that the centred copy is a block, not the
	// matrix (at a million users and 86 features, 690 MB). Every block
	// has at least 256 rows unless the matrix has fewer, so gonum's Dgemm
	// takes the same path for it as for the whole matrix, and every
	// element of dst is computed as before, bit for bit.
	scratch := make([]float64, min(n, 2*pcaBlock)*d)
	for lo := 0; lo < n; {
		hi := lo + pcaBlock
		if hi+pcaBlock > n {
			hi = n
		}
		xc := mat.NewDense(hi-lo, d, scratch[:(hi-lo)*d])
		c := xc.RawMatrix()
		for i := lo; i < hi; i++ {
			in := r.Data[i*r.Stride : i*r.Stride+d]
			out := c.Data[(i-lo)*c.Stride : (i-lo)*c.Stride+d]
			for j, v := range in {
				out[j] = v - p.Mean[j]
			}
		}
		dst.Slice(lo, hi, 0, k).(*mat.Dense).Mul(xc, comp.T())
		lo = hi
	}
	if p.Whiten {
		w := dst.RawMatrix()
		sd := make([]float64, k)
		for j, e := range p.ExplainedVariance {
			sd[j] = math.Sqrt(e)
		}
		for i := range n {
			row := w.Data[i*w.Stride : i*w.Stride+k]
			for j := range row {
				row[j] /= sd[j]
			}
		}
	}
	return nil
}

// check reports whether p's fields are consistent, so that a decoded PCA
// cannot make Transform panic.
func (p *PCA) check() error {
	d, k := len(p.Mean), len(p.Components)
	if d == 0 || k == 0 {
		return errors.New("pca: not fitted")
	}
	for j, c := range p.Components {
		if len(c) != d {
			return fmt.Errorf("pca: component %d has %d entries, want %d", j, len(c), d)
		}
	}
	if len(p.ExplainedVariance) != k {
		return fmt.Errorf("pca: %d explained variances for %d components", len(p.ExplainedVariance), k)
	}
	return nil
}
