package server

import (
	"math"
	"testing"
)

// TestFarOut checks the quartiles against NumPy's default (linear, type
// 7): numpy.quantile([1, 2, 3, 4, 10], [0.25, 0.75]) is [2, 4], and so on.
func TestFarOut(t *testing.T) {
	tests := []struct {
		xs     []float64
		q1, q3 float64
	}{
		{[]float64{1, 2, 3, 4, 10}, 2, 4},
		{[]float64{0.5, 0.1, 0.9, 0.3}, 0.25, 0.6},
		{[]float64{2}, 2, 2},
	}
	for _, tt := range tests {
		want := tt.q3 + 3*(tt.q3-tt.q1)
		if got := farOut(append([]float64(nil), tt.xs...)); math.Abs(got-want) > 1e-12 {
			t.Errorf("farOut(%v) = %g, want %g", tt.xs, got, want)
		}
	}
	if got := farOut(nil); !math.IsInf(got, 1) {
		t.Errorf("farOut(nil) = %g, want +Inf", got)
	}
}
