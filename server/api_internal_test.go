package server

import (
	"math"
	"strconv"
	"testing"
)

// TestAppendFloat checks that the whole-number path writes what
// strconv's shortest 'g' form writes, and that NaN and infinities are
// null.
func TestAppendFloat(t *testing.T) {
	tests := []struct {
		name string
		v    float64
	}{
		{"zero", 0}, {"negative zero", math.Copysign(0, -1)}, {"one", 1}, {"minus one", -1},
		{"count", 42}, {"days", 365}, {"largest fast", 999_999}, {"smallest fast", -999_999},
		{"a million", 1e6}, {"minus a million", -1e6}, {"above", 1_234_567}, {"large", 1e21},
		{"fraction", 0.1}, {"near a whole", 2.0000000000000004}, {"half", -0.5}, {"tiny", 5e-324},
		{"max", math.MaxFloat64}, {"int64 edge", 9.223372036854776e18},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := string(appendFloat(nil, tt.v)), strconv.FormatFloat(tt.v, 'g', -1, 64); got != want {
				t.Errorf("appendFloat(%v) = %s, want %s", tt.v, got, want)
			}
		})
	}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := string(appendFloat(nil, v)); got != "null" {
			t.Errorf("appendFloat(%v) = %s, want null", v, got)
		}
	}
}
