package cluster

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestDaisyLog10 compares daisyLog10 with R's log10 (glibc) on the values
// of testdata/gower_parity.json: at most one value in 500 may differ, and
// then by one unit in the last place.
func TestDaisyLog10(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "gower_parity.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Log10 struct {
			X     []float64 `json:"x"`
			Log10 []float64 `json:"log10"`
		} `json:"log10"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Log10.X) < 1000 || len(f.Log10.X) != len(f.Log10.Log10) {
		t.Fatalf("%d values and %d logarithms", len(f.Log10.X), len(f.Log10.Log10))
	}
	differ, plain := 0, 0
	for i, x := range f.Log10.X {
		got, want := daisyLog10(x), f.Log10.Log10[i]
		if math.Log10(x) != want {
			plain++
		}
		if got == want {
			continue
		}
		differ++
		if got != math.Nextafter(want, math.Inf(1)) && got != math.Nextafter(want, math.Inf(-1)) {
			t.Errorf("log10(%v) = %v, R %v: more than one unit in the last place", x, got, want)
		}
	}
	if differ*500 > len(f.Log10.X) {
		t.Errorf("%d of %d logarithms differ from R's", differ, len(f.Log10.X))
	}
	t.Logf("%d of %d differ from R's in the last bit (math.Log10: %d)", differ, len(f.Log10.X), plain)
}
