package prep

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestKeepColumns checks that keeping columns in the matrix's own memory
// gives the matrix a copy gives, for increasing, unordered and repeated
// column lists.
func TestKeepColumns(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, keep := range [][]int{
		{0, 1, 2, 3, 4}, {1, 2, 3, 4}, {0, 4}, {4}, {0, 2, 3}, {3, 1}, {2, 2}, {1, 3, 4},
	} {
		data := make([]float64, 7*5)
		for i := range data {
			data[i] = rng.NormFloat64()
		}
		want := selectColumns(mat.NewDense(7, 5, append([]float64(nil), data...)).RawMatrix(), keep)
		got := keepColumns(mat.NewDense(7, 5, data), keep)
		if !mat.Equal(got, want) {
			t.Errorf("keep %v:\n got %v\nwant %v", keep, mat.Formatted(got), mat.Formatted(want))
		}
	}
}

// TestPCATransformBlocks checks that projecting a block of rows at a time
// gives every element the whole matrix's product gives, bit for bit, for
// sizes around the block size, with and without whitening.
func TestPCATransformBlocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const d = 86 // more than gonum's block of 64: Dgemm sums in two blocks
	for _, whiten := range []bool{false, true} {
		for _, n := range []int{50, 300, pcaBlock - 1, pcaBlock, pcaBlock + 1, 2*pcaBlock - 1, 2 * pcaBlock, 2*pcaBlock + 255, 3*pcaBlock + 7} {
			x := mat.NewDense(n, d, nil)
			for i := range n {
				for j := range d {
					x.Set(i, j, rng.NormFloat64()*float64(j+1)+float64(j))
				}
			}
			p, err := FitPCA(x, PCAConfig{Components: 5, Whiten: whiten})
			if err != nil {
				t.Fatal(err)
			}
			var got mat.Dense
			if err := p.Transform(&got, x); err != nil {
				t.Fatal(err)
			}
			// The projection of the whole centred matrix at once.
			xc := mat.NewDense(n, d, nil)
			for i := range n {
				for j := range d {
					xc.Set(i, j, x.At(i, j)-p.Mean[j])
				}
			}
			comp := mat.NewDense(len(p.Components), d, nil)
			for j, row := range p.Components {
				comp.SetRow(j, row)
			}
			var want mat.Dense
			want.Mul(xc, comp.T())
			if whiten {
				for i := range n {
					for j, e := range p.ExplainedVariance {
						want.Set(i, j, want.At(i, j)/math.Sqrt(e))
					}
				}
			}
			if !mat.Equal(&got, &want) {
				t.Errorf("n %d whiten %v: the blocked projection differs from the whole one", n, whiten)
			}
		}
	}
}
