package profile

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"
)

// TestAmong counts recency_days among the buyers (has_purchased): the
// base's and each segment's statistics leave out the users who never
// bought, a segment without buyers has none, and Cohen's d compares the
// buyers of the segment with the other buyers. The numbers are worked out
// by hand.
func TestAmong(t *testing.T) {
	// user:          a   b   c    d   e    f
	// has_purchased: 1   1   0    1   0    0
	// recency_days:  10  20  100  30  100  100
	// segment:       0   0   0    1   1    2
	x := mat.NewDense(6, 2, []float64{
		1, 10,
		1, 20,
		0, 100,
		1, 30,
		0, 100,
		0, 100,
	})
	in := Input{
		UserIDs: []string{"a", "b", "c", "d", "e", "f"},
		Names:   []string{"has_purchased", "recency_days"},
		X:       x,
		Labels:  []int{0, 0, 0, 1, 1, 2},
		Columns: []Column{{}, {Among: "has_purchased"}},
	}
	rep, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	approx := cmpopts.EquateApprox(0, 1e-12)
	std := math.Sqrt(200.0 / 3) // buyers 10, 20, 30 about their mean 20
	if diff := cmp.Diff(BaseStat{Feature: "recency_days", Mean: 20, Std: std, Median: 20, Users: 3}, rep.Base[1], approx); diff != "" {
		t.Errorf("base (-want +got):\n%s", diff)
	}
	// Segment 0's buyers 10, 20 against the other buyer 30, and segment 1's
	// buyer 30 against 10, 20: (25 + 25 + 0) / (2 + 1 − 2) either way.
	pooled := math.Sqrt(50.0 / 1)
	want := []FeatureStat{
		{Feature: "recency_days", Mean: 15, Median: 15, Q1: 12.5, Q3: 17.5, Z: -5 / std, Lift: 0.75, D: (15 - 30) / pooled, Users: new(2)},
		{Feature: "recency_days", Mean: 30, Median: 30, Q1: 30, Q3: 30, Z: 10 / std, Lift: 1.5, D: (30 - 15) / pooled, Users: new(1)},
		{Feature: "recency_days", Lift: 1, Users: new(0)},
	}
	for i, s := range rep.Segments {
		if diff := cmp.Diff(want[i], s.Features[1], approx); diff != "" {
			t.Errorf("segment %d (-want +got):\n%s", s.ID, diff)
		}
	}
	if _, ok := rep.Segments[2].Feature("recency_days"); ok {
		t.Error("segment 2 has no buyers, yet reports a recency")
	}
	if f, ok := rep.Segments[0].Feature("recency_days"); !ok || f.Mean != 15 {
		t.Errorf("segment 0's recency: %+v, %v", f, ok)
	}
	for _, tr := range rep.Segments[2].Top {
		if tr.Feature == "recency_days" {
			t.Errorf("segment 2 has recency as a trait: %+v", tr)
		}
	}

	in.Columns[1].Among = "missing"
	if _, err := Build(in); err == nil {
		t.Error("a column counted among a feature that does not exist builds")
	}
}
