package cluster

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"
)

// FuzzDBSCAN compares DBSCAN with the literal scikit-learn reference on
// small inputs built from the fuzzer's bytes: points on a lattice of
// halves (so distances often equal eps exactly), in 1 to 3 dimensions.
func FuzzDBSCAN(f *testing.F) {
	f.Add([]byte{2, 3, 2, 0, 0, 0, 1, 1, 0, 1, 1, 5, 5, 9, 9, 9, 8})
	f.Add([]byte{1, 2, 1, 0, 1, 2, 3, 4, 5, 6, 7, 20, 21, 22})
	f.Add([]byte{3, 4, 3, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 0, 0, 0, 7, 7, 7})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 4 {
			return
		}
		d := 1 + int(b[0])%3
		eps := 0.5 * float64(1+int(b[1])%6)
		minSamples := 1 + int(b[2])%6
		metric := []string{dbEuclidean, dbManhattan}[int(b[3])%2]
		b = b[4:]
		n := len(b) / d
		if n == 0 || n > 400 {
			return
		}
		x := mat.NewDense(n, d, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < d; j++ {
				x.Set(i, j, 0.5*float64(b[i*d+j]%16))
			}
		}
		wantL, wantC := dbNaive(x, metric, eps, minSamples)
		for _, spatial := range []bool{true, false} {
			gotL, gotC := dbRunIndex(t, x, metric, eps, minSamples, 2, spatial)
			if diff := cmp.Diff(wantL, gotL); diff != "" {
				t.Fatalf("spatial=%v labels (-want +got):\n%s", spatial, diff)
			}
			if diff := cmp.Diff(wantC, gotC, dbEmptyEqual); diff != "" {
				t.Fatalf("spatial=%v core (-want +got):\n%s", spatial, diff)
			}
		}
	})
}
