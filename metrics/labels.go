package metrics

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// ErrLabelCount is wrapped by the errors of the data-based scores when the
// number of distinct labels is not between 2 and n-1, so that a caller
// sweeping the number of clusters can skip a degenerate result.
var ErrLabelCount = errors.New("number of distinct labels must be between 2 and n-1")

// encoded holds labels mapped to 0..k-1 in sorted label order.
type encoded struct {
	classes []int // the distinct labels, ascending
	idx     []int // idx[i] is the position of labels[i] in classes
	counts  []int // counts[c] is how many rows have label classes[c]
}

// encode maps arbitrary int labels to 0..k-1 in sorted order, as
// scikit-learn's LabelEncoder does.
func encode(labels []int) encoded {
	n := len(labels)
	e := encoded{idx: make([]int, n)}
	if n == 0 {
		return e
	}
	lo, hi := labels[0], labels[0]
	for _, l := range labels {
		lo = min(lo, l)
		hi = max(hi, l)
	}
	// Dense range: count in an array. The subtraction cannot overflow when
	// both are on the same side of 0; otherwise compare in uint64.
	if span := uint64(hi) - uint64(lo); span < uint64(2*n+1024) {
		pos := make([]int, span+1)
		for _, l := range labels {
			pos[l-lo] = 1
		}
		k := 0
		for v, seen := range pos {
			if seen != 0 {
				pos[v] = k
				e.classes = append(e.classes, lo+v)
				k++
			}
		}
		e.counts = make([]int, k)
		for i, l := range labels {
			c := pos[l-lo]
			e.idx[i] = c
			e.counts[c]++
		}
		return e
	}
	e.classes = slices.Clone(labels)
	slices.Sort(e.classes)
	e.classes = slices.Compact(e.classes)
	index := make(map[int]int, len(e.classes))
	for c, l := range e.classes {
		index[l] = c
	}
	e.counts = make([]int, len(e.classes))
	for i, l := range labels {
		c := index[l]
		e.idx[i] = c
		e.counts[c]++
	}
	return e
}

// checkData validates x and labels for the data-based scores and encodes the
// labels.
func checkData(x *mat.Dense, labels []int) (encoded, error) {
	if x == nil {
		return encoded{}, errors.New("metrics: x is nil")
	}
	n, _ := x.Dims()
	if len(labels) != n {
		return encoded{}, fmt.Errorf("metrics: %d labels for %d rows of x", len(labels), n)
	}
	if err := checkFinite(x); err != nil {
		return encoded{}, err
	}
	e := encode(labels)
	if k := len(e.classes); k < 2 || k > n-1 {
		return encoded{}, fmt.Errorf("metrics: %w: got %d distinct labels for %d rows", ErrLabelCount, k, n)
	}
	return e, nil
}

// checkFinite returns an error naming the first NaN or infinite value of x.
func checkFinite(x *mat.Dense) error {
	raw := x.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("metrics: x[%d][%d] is %v", i, j, v)
			}
		}
	}
	return nil
}
