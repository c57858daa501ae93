package prep

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/mat"
)

// Reason says why SelectFeatures dropped a column.
type Reason string

// The reasons for dropping a column.
const (
	// Constant: the column's variance is within the rounding error of a
	// constant (the StandardScaler rule).
	Constant Reason = "constant"
	// Correlated: |Pearson r| with an earlier kept column exceeds the
	// threshold.
	Correlated Reason = "correlated"
)

// Dropped records a column that SelectFeatures dropped, and why.
type Dropped struct {
	Column string `json:"column"`
	Index  int    `json:"index"` // 0-based column index in SelectFeatures' input
	Reason Reason `json:"reason"`
	// With is the kept column it is most correlated with, and R their
	// Pearson correlation (Correlated only).
	With string  `json:"with,omitempty"`
	R    float64 `json:"r,omitempty"`
}

func (d Dropped) String() string {
	if d.Reason == Correlated {
		return fmt.Sprintf("%q: correlated with %q (r = %.4f)", d.Column, d.With, d.R)
	}
	return fmt.Sprintf("%q: %s", d.Column, d.Reason)
}

// SelectFeatures decides which columns of x to keep: it drops constant
// columns, then scans the rest in order and drops each column whose
// |Pearson correlation| with an earlier kept column exceeds threshold, so
// the earlier column of a correlated pair is kept. threshold must be in
// (0, 1]; 1 keeps correlated columns. names labels the columns in the
// report; nil uses their indices.
//
// keep lists the kept column indices in increasing order.
func SelectFeatures(x mat.Matrix, names []string, threshold float64) (keep []int, dropped []Dropped, err error) {
	if !(threshold > 0 && threshold <= 1) {
		return nil, nil, fmt.Errorf("correlation threshold %v: want 0 < threshold <= 1", threshold)
	}
	r := rawOf(x)
	if err := checkInput(r); err != nil {
		return nil, nil, err
	}
	n, d := r.Rows, r.Cols
	if names != nil && len(names) != d {
		return nil, nil, fmt.Errorf("%d names for %d columns", len(names), d)
	}
	name := func(j int) string {
		if names == nil {
			return strconv.Itoa(j)
		}
		return names[j]
	}
	mean, vr := meanVar(r)
	var cand []int
	for j := range d {
		if isConstant(vr[j], mean[j], n) {
			dropped = append(dropped, Dropped{Column: name(j), Index: j, Reason: Constant})
			continue
		}
		cand = append(cand, j)
	}
	if len(cand) == 0 {
		return nil, dropped, nil
	}

	// Cross-products of the centred candidate columns.
	m := len(cand)
	xc := mat.NewDense(n, m, nil)
	c := xc.RawMatrix()
	for i := range n {
		in := r.Data[i*r.Stride:]
		out := c.Data[i*c.Stride : i*c.Stride+m]
		for k, j := range cand {
			out[k] = in[j] - mean[j]
		}
	}
	var cp mat.SymDense
	cp.SymOuterK(1, xc.T())

	var kept []int // positions in cand of the kept columns
	for k, j := range cand {
		best, bestR := -1, 0.0
		for _, l := range kept {
			rr := cp.At(l, k) / math.Sqrt(cp.At(l, l)*cp.At(k, k))
			rr = max(-1, min(1, rr))
			if math.Abs(rr) > threshold && (best < 0 || math.Abs(rr) > math.Abs(bestR)) {
				best, bestR = l, rr
			}
		}
		if best >= 0 {
			dropped = append(dropped, Dropped{Column: name(j), Index: j, Reason: Correlated, With: name(cand[best]), R: bestR})
			continue
		}
		kept = append(kept, k)
		keep = append(keep, j)
	}
	slices.SortFunc(dropped, func(a, b Dropped) int { return a.Index - b.Index })
	return keep, dropped, nil
}
