package metrics

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"
)

// lowerTri is a dissimilarity stored as R's dist stores it: the lower
// triangle by columns.
type lowerTri struct {
	n int
	d []float64
}

func (l lowerTri) Len() int { return l.n }
func (l lowerTri) Dissim(i, j int) float64 {
	if i == j {
		return 0
	}
	if i < j {
		i, j = j, i
	}
	// column j holds rows j+1..n-1, after the n-1 + n-2 + ... of the
	// columns before it.
	return l.d[j*l.n-j*(j+1)/2+i-j-1]
}

// euclid is the Euclidean distance between the rows of x.
type euclid struct{ x *mat.Dense }

func (e euclid) Len() int { r, _ := e.x.Dims(); return r }
func (e euclid) Dissim(i, j int) float64 {
	return dist(e.x.RawRowView(i), e.x.RawRowView(j))
}

// TestSilhouetteDissimMatchesR compares the widths and their mean with R's
// cluster::silhouette on the dissimilarities of
// scripts/peer/silhouette_dissim.R: a Gower matrix clustered by pam, a
// Euclidean one with a singleton cluster, and duplicate rows.
func TestSilhouetteDissimMatchesR(t *testing.T) {
	var ref struct {
		Cases []struct {
			Name   string    `json:"name"`
			N      int       `json:"n"`
			Dist   []float64 `json:"dist"`
			Labels []int     `json:"labels"`
			Widths []float64 `json:"widths"`
			Mean   float64   `json:"mean"`
		} `json:"cases"`
	}
	readJSON(t, filepath.Join("testdata", "silhouette_dissim.json"), &ref)
	if len(ref.Cases) != 3 {
		t.Fatalf("%d cases in the reference file, want 3", len(ref.Cases))
	}
	for _, c := range ref.Cases {
		t.Run(c.Name, func(t *testing.T) {
			d := lowerTri{c.N, c.Dist}
			got, err := SilhouetteWidths(context.Background(), d, c.Labels, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.Widths, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("widths differ from R's (-R +persona):\n%s", diff)
			}
			mean, err := SilhouetteDissim(context.Background(), d, c.Labels, SilhouetteOptions{Workers: 3})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(mean-c.Mean) > 1e-12 {
				t.Errorf("mean %.17g, R %.17g", mean, c.Mean)
			}
		})
	}
}

// TestSilhouetteDissimEuclidean: on Euclidean distances, exact and
// sampled, SilhouetteDissim is Silhouette.
func TestSilhouetteDissimEuclidean(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 300
	x := mat.NewDense(n, 3, nil)
	labels := make([]int, n)
	for i := range n {
		labels[i] = 10 * (i % 4) // labels need not be 0..k-1
		for j := range 3 {
			x.Set(i, j, float64(i%4)+rng.NormFloat64())
		}
	}
	for _, opts := range []SilhouetteOptions{{}, {SampleSize: 120, Seed: 9}, {SampleSize: 50, Seed: 2, Workers: 1}} {
		want, err := Silhouette(context.Background(), x, labels, opts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := SilhouetteDissim(context.Background(), euclid{x}, labels, opts)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%+v: SilhouetteDissim %.15g, Silhouette %.15g", opts, got, want)
		}
	}
}

func TestSilhouetteDissimErrors(t *testing.T) {
	d := lowerTri{4, []float64{1, 2, 3, 1, 2, 1}}
	nan := lowerTri{4, []float64{1, math.NaN(), 3, 1, 2, 1}}
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		d      Dissimilarity
		labels []int
		opts   SilhouetteOptions
		want   string
		is     error
	}{
		{"one label", ctx, d, []int{0, 0, 0, 0}, SilhouetteOptions{}, "got 1 distinct labels for 4 rows", ErrLabelCount},
		{"a label per row", ctx, d, []int{0, 1, 2, 3}, SilhouetteOptions{}, "got 4 distinct labels", ErrLabelCount},
		{"length", ctx, d, []int{0, 1, 0}, SilhouetteOptions{}, "3 labels for a dissimilarity of 4 rows", nil},
		{"nil", ctx, nil, []int{0, 1}, SilhouetteOptions{}, "dissimilarity is nil", nil},
		{"sample size", ctx, d, []int{0, 1, 0, 1}, SilhouetteOptions{SampleSize: 1}, "sample size", nil},
		{"NaN", ctx, nan, []int{0, 1, 0, 1}, SilhouetteOptions{}, "is NaN", nil},
		{"cancelled", cancelled, d, []int{0, 1, 0, 1}, SilhouetteOptions{}, "context canceled", context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SilhouetteDissim(tt.ctx, tt.d, tt.labels, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", err, tt.is)
			}
		})
	}
}

// TestSilhouetteDissimWorkers: the score is the same to the last bit
// whatever the number of workers (the blocks depend on the rows only).
func TestSilhouetteDissimWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	n := 1100 // five blocks
	x := mat.NewDense(n, 2, nil)
	labels := make([]int, n)
	for i := range n {
		labels[i] = rng.IntN(5)
		x.Set(i, 0, float64(labels[i])+rng.NormFloat64())
		x.Set(i, 1, rng.NormFloat64())
	}
	var first float64
	for w := 1; w <= 4; w++ {
		got, err := SilhouetteDissim(context.Background(), euclid{x}, labels, SilhouetteOptions{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if w == 1 {
			first = got
		} else if got != first {
			t.Errorf("%d workers: %.17g, one worker: %.17g", w, got, first)
		}
	}
}

// The size kselect scores each k on in a run (a 4,000-user sample), on
// distances computed as asked (as Gower without a stored matrix is).
func BenchmarkSilhouetteDissim4000x8(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	n, k := 4000, 8
	x := mat.NewDense(n, 6, nil)
	labels := make([]int, n)
	for i := range n {
		labels[i] = i % k
		for j := range 6 {
			x.Set(i, j, float64(labels[i]%3)+rng.NormFloat64())
		}
	}
	for b.Loop() {
		if _, err := SilhouetteDissim(context.Background(), euclid{x}, labels, SilhouetteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
