package prep

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"
)

// TestGroups weighs the indicator columns of a group of m kept columns so
// that, scaled, they are their centred 0/1 values divided by √m: two
// users of different levels of a categorical are at distance 1 apart
// whatever its number of levels, as are a yes and a no, while a numeric
// column is standardized.
func TestGroups(t *testing.T) {
	// income, plan (three levels, one-hot), newsletter (yes/no).
	x := mat.NewDense(6, 5, []float64{
		10, 1, 0, 0, 1,
		20, 0, 1, 0, 0,
		30, 0, 0, 1, 1,
		40, 1, 0, 0, 0,
		50, 0, 1, 0, 1,
		60, 0, 0, 1, 1,
	})
	names := []string{"income", "plan_a", "plan_b", "plan_c", "newsletter"}
	groups := map[string]string{"plan_a": "plan", "plan_b": "plan", "plan_c": "plan", "newsletter": "newsletter"}
	f, err := Fit(x, names, Config{Groups: groups, CorrThreshold: 1})
	if err != nil {
		t.Fatal(err)
	}
	sd := func(j int) float64 {
		c := mat.Col(nil, j, x)
		var m, ss float64
		for _, v := range c {
			m += v / float64(len(c))
		}
		for _, v := range c {
			ss += (v - m) * (v - m)
		}
		return math.Sqrt(ss / float64(len(c)))
	}
	r3 := math.Sqrt(3)
	if diff := cmp.Diff([]float64{1, sd(1) / r3, sd(2) / r3, sd(3) / r3, sd(4)}, f.Weights, cmpopts.EquateApprox(1e-15, 0)); diff != "" {
		t.Fatalf("weights (-want +got):\n%s", diff)
	}
	z, err := f.Transform(x)
	if err != nil {
		t.Fatal(err)
	}
	dist := func(a, b int) float64 {
		var s float64
		for j := 1; j < 5; j++ {
			d := z.At(a, j) - z.At(b, j)
			s += d * d
		}
		return math.Sqrt(s)
	}
	// Users 0 and 3 share plan a and differ in newsletter: distance 1.
	// Users 0 and 1 differ in both: plan a and b (two columns of 1/√3
	// each) and newsletter.
	if got := dist(0, 3); math.Abs(got-1) > 1e-12 {
		t.Errorf("distance of a yes and a no = %v, want 1", got)
	}
	if got, want := dist(0, 1), math.Sqrt(2.0/3+1); math.Abs(got-want) > 1e-12 {
		t.Errorf("distance across plan and newsletter = %v, want %v", got, want)
	}
	if got := mat.Col(nil, 0, z); math.Abs(got[0]+got[5]) > 1e-12 {
		t.Errorf("income is not standardized: %v", got)
	}
	// The weights round-trip and are checked.
	b, _ := json.Marshal(f)
	var g Fitted
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f.Weights, g.Weights); diff != "" {
		t.Errorf("weights after JSON (-want +got):\n%s", diff)
	}
	g.Weights = g.Weights[:2]
	b, _ = json.Marshal(&g)
	if err := json.Unmarshal(b, &Fitted{}); err == nil {
		t.Error("a fitted pipeline with too few weights decodes")
	}
	// Without groups there are no weights.
	if f, _ := Fit(x, names, Config{}); f.Weights != nil {
		t.Errorf("weights %v without groups", f.Weights)
	}
}
