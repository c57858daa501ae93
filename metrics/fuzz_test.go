package metrics

import (
	"math"
	"testing"
)

// FuzzExternal feeds arbitrary label pairs to the external scores and checks
// the properties that hold for every input: no panic, ranges, symmetry, and
// a contingency table that accounts for every item.
func FuzzExternal(f *testing.F) {
	f.Add([]byte{0, 0, 1, 1, 2}, []byte{1, 1, 0, 0, 2})
	f.Add([]byte{7}, []byte{7})
	f.Add([]byte{}, []byte{})
	f.Add([]byte{0, 1, 2, 3, 4, 5}, []byte{0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		n := min(len(a), len(b))
		truth, pred := make([]int, n), make([]int, n)
		for i := range n {
			truth[i] = int(int8(a[i])) // negative labels too
			pred[i] = int(b[i]) % 7 * 1000
		}
		c := NewContingency(truth, pred)
		total := 0
		for _, cl := range c.Cells {
			if cl.Count <= 0 || c.At(cl.Row, cl.Col) != cl.Count {
				t.Fatalf("bad cell %+v", cl)
			}
			total += cl.Count
		}
		if total != n {
			t.Fatalf("cells hold %d items, want %d", total, n)
		}
		const tol = 1e-9
		for _, sc := range []struct {
			name   string
			f      func(a, b []int) (float64, error)
			lo, hi float64
		}{
			{"AdjustedRand", AdjustedRand, -1, 1},
			{"NormalizedMutualInfo", NormalizedMutualInfo, 0, 1},
			{"AdjustedMutualInfo", AdjustedMutualInfo, math.Inf(-1), 1},
		} {
			ab, err := sc.f(truth, pred)
			if err != nil {
				t.Fatalf("%s: %v", sc.name, err)
			}
			ba, _ := sc.f(pred, truth)
			if math.IsNaN(ab) || ab < sc.lo-tol || ab > sc.hi+tol {
				t.Errorf("%s = %v, outside [%v, %v]", sc.name, ab, sc.lo, sc.hi)
			}
			if math.Abs(ab-ba) > tol*max(1, math.Abs(ab)) {
				t.Errorf("%s not symmetric: %v vs %v", sc.name, ab, ba)
			}
		}
	})
}
