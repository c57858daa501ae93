package cluster

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/internal/parallel"
)

// A Dissimilarity gives the dissimilarity of any two of its Len() objects
// (rows). Dissim(i, i) is 0 and Dissim(i, j) equals Dissim(j, i). KMedoids
// accepts any Dissimilarity; Gower, Euclidean and DistMatrix implement it.
type Dissimilarity interface {
	Len() int
	Dissim(i, j int) float64
}

// rowFiller is the fast path of Pairwise: fillRow sets dst[t] to the
// dissimilarity of rows i and i+1+t, for t < len(dst) = Len()-i-1.
type rowFiller interface {
	fillRow(i int, dst []float64)
}

// DistMatrix is a condensed dissimilarity matrix of n objects: the
// n(n-1)/2 dissimilarities of the pairs i < j, ordered by i and then j.
// That is the layout of SciPy's pdist and of R's "dist" objects (which list
// the lower triangle column by column), so either can be loaded unchanged.
type DistMatrix struct {
	n    int
	data []float64
}

// NewDistMatrix returns the n x n dissimilarity matrix whose condensed
// entries are data (n(n-1)/2 values, not copied). It panics when the
// length of data is not n(n-1)/2.
func NewDistMatrix(n int, data []float64) *DistMatrix {
	if n < 0 || len(data) != n*(n-1)/2 {
		panic(fmt.Sprintf("cluster: %d condensed dissimilarities for %d objects, want %d", len(data), n, max(n*(n-1)/2, 0)))
	}
	return &DistMatrix{n: n, data: data}
}

// Len returns the number of objects.
func (m *DistMatrix) Len() int { return m.n }

// At returns the dissimilarity of objects i and j (0 when i == j).
func (m *DistMatrix) At(i, j int) float64 {
	switch {
	case i == j:
		return 0
	case i > j:
		i, j = j, i
	}
	return m.data[condensedIndex(m.n, i, j)]
}

// Dissim is At; it makes a DistMatrix a Dissimilarity.
func (m *DistMatrix) Dissim(i, j int) float64 { return m.At(i, j) }

// RawData returns the condensed entries, shared with m.
func (m *DistMatrix) RawData() []float64 { return m.data }

// row returns the dissimilarities of i to i+1..n-1, shared with m.
func (m *DistMatrix) row(i int) []float64 {
	s := condensedIndex(m.n, i, i+1)
	return m.data[s : s+m.n-i-1]
}

// check returns an error naming the first pair whose dissimilarity is not a
// finite number >= 0.
func (m *DistMatrix) check() error {
	for i := 0; i < m.n-1; i++ {
		for t, v := range m.row(i) {
			if !(v >= 0) || math.IsInf(v, 1) {
				if math.IsNaN(v) {
					return fmt.Errorf("dissimilarity of rows %d and %d is undefined (NaN): with Gower, the two rows have no attribute that both hold", i, i+1+t)
				}
				return fmt.Errorf("dissimilarity of rows %d and %d is %v, want a finite number >= 0", i, i+1+t, v)
			}
		}
	}
	return nil
}

// condensedIndex is the position of the pair i < j in a condensed matrix of
// n objects.
func condensedIndex(n, i, j int) int {
	return i*(2*n-i-1)/2 + j - i - 1
}

// Defaults of PairwiseOptions.
const DefaultPairwiseMemoryLimit = 1 << 30

// PairwiseOptions configures Pairwise. The zero value means the defaults.
type PairwiseOptions struct {
	// MemoryLimit caps the bytes of the matrix (8 per pair); 0 means
	// DefaultPairwiseMemoryLimit (1 GiB, about 16,000 objects).
	MemoryLimit int64 `yaml:"memory_limit"`
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int `yaml:"workers"`
}

// Pairwise computes the condensed matrix of all the dissimilarities of d,
// in parallel. It returns an error that names the memory needed when the
// matrix would exceed opts.MemoryLimit. Every entry is computed once, by
// the same code whatever the number of workers, so the result does not
// depend on it.
func Pairwise(ctx context.Context, d Dissimilarity, opts PairwiseOptions) (*DistMatrix, error) {
	if opts.MemoryLimit < 0 || opts.Workers < 0 {
		return nil, fmt.Errorf("pairwise: memory limit %d and workers %d must not be negative", opts.MemoryLimit, opts.Workers)
	}
	limit := opts.MemoryLimit
	if limit == 0 {
		limit = DefaultPairwiseMemoryLimit
	}
	workers := opts.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	n := d.Len()
	if need := lkMatrixBytes(n); n > 1 && need > limit {
		return nil, fmt.Errorf("the dissimilarity matrix of %d rows needs %s, above the memory limit of %s (use CLARA, which works on samples)",
			n, lkBytes(need), lkBytes(limit))
	}
	if n < 1 {
		return NewDistMatrix(0, nil), nil
	}
	m := NewDistMatrix(n, make([]float64, n*(n-1)/2))
	fill, fast := d.(rowFiller)
	// Rows get shorter as i grows: hand them out in blocks of about equal
	// work from a shared counter.
	const block = 16
	err := parallel.For(ctx, workers, (n-1+block-1)/block, func(_, b int) {
		for i := b * block; i < min((b+1)*block, n-1); i++ {
			row := m.row(i)
			if fast {
				fill.fillRow(i, row)
				continue
			}
			for t := range row {
				row[t] = d.Dissim(i, i+1+t)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Euclidean is the Euclidean distance between the rows of a numeric matrix,
// as a Dissimilarity.
type Euclidean struct {
	data []float64 // row-major, n x d, shared with the matrix when it has no padding
	n, d int
}

// NewEuclidean returns the Euclidean distances between the rows of x (not
// copied, and never modified). It returns an error naming the first value
// that is not a finite number.
func NewEuclidean(x *mat.Dense) (*Euclidean, error) {
	if x == nil {
		panic("cluster: nil matrix")
	}
	if x.IsEmpty() {
		return nil, errors.New("euclidean: empty data")
	}
	raw := x.RawMatrix()
	n, d := raw.Rows, raw.Cols
	data := raw.Data[:n*d]
	if raw.Stride != d {
		data = make([]float64, n*d)
		for i := range n {
			copy(data[i*d:(i+1)*d], raw.Data[i*raw.Stride:i*raw.Stride+d])
		}
	}
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("euclidean: row %d, column %d: %v is not a finite number", i/d, i%d, v)
		}
	}
	return &Euclidean{data: data, n: n, d: d}, nil
}

// Len returns the number of rows.
func (e *Euclidean) Len() int { return e.n }

// Dissim returns the Euclidean distance of rows i and j.
func (e *Euclidean) Dissim(i, j int) float64 {
	return math.Sqrt(lkSqDist(e.data[i*e.d:(i+1)*e.d], e.data[j*e.d:(j+1)*e.d]))
}

func (e *Euclidean) fillRow(i int, dst []float64) {
	xi := e.data[i*e.d : (i+1)*e.d]
	for t := range dst {
		j := i + 1 + t
		dst[t] = math.Sqrt(lkSqDist(xi, e.data[j*e.d:(j+1)*e.d]))
	}
}
