package cluster

import (
	"context"
	"math"
	"strings"
	"testing"
)

// TestLinkageDistEqualsLinkage: on the Euclidean distances of the rows,
// LinkageDist builds the same tree as Linkage (and so SciPy's) on the
// SciPy parity sets, ties included.
func TestLinkageDistEqualsLinkage(t *testing.T) {
	for _, set := range lkParitySets {
		x, p := lkLoadParity(t, set)
		e, err := NewEuclidean(x)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Pairwise(context.Background(), e, PairwiseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		before := append([]float64(nil), m.RawData()...)
		for _, pm := range p.Methods {
			if pm.Method != LinkageAverage && pm.Method != LinkageComplete {
				continue
			}
			dg, err := LinkageDist(context.Background(), m, LinkageOptions{Method: pm.Method})
			if err != nil {
				t.Fatal(err)
			}
			if err := lkSameZ(dg, pm.Z, 1e-12); err != nil {
				t.Errorf("%s/%s: %v", set, pm.Method, err)
			}
		}
		for i, v := range m.RawData() {
			if v != before[i] {
				t.Fatalf("%s: LinkageDist modified the matrix at %d", set, i)
			}
		}
	}
}

func TestLinkageDistErrors(t *testing.T) {
	m := NewDistMatrix(3, []float64{1, 2, 3})
	for _, tc := range []struct {
		opts LinkageOptions
		m    *DistMatrix
		want string
	}{
		{LinkageOptions{Method: LinkageWard}, m, "want complete or average"},
		{LinkageOptions{Method: LinkageSingle}, m, "want complete or average"},
		{LinkageOptions{Method: LinkageAverage, MemoryLimit: 8}, m, "above the memory limit"},
		{LinkageOptions{Method: LinkageAverage}, NewDistMatrix(1, nil), "need at least 2"},
		{LinkageOptions{Method: LinkageComplete}, NewDistMatrix(3, []float64{1, math.NaN(), 3}), "rows 0 and 2 is undefined"},
		{LinkageOptions{Method: LinkageComplete}, NewDistMatrix(3, []float64{1, -2, 3}), "rows 0 and 2 is -2"},
	} {
		_, err := LinkageDist(context.Background(), tc.m, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one containing %q", tc.opts, err, tc.want)
		}
	}
}
