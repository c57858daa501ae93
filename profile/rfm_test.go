package profile

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestQuintilesTies(t *testing.T) {
	tests := []struct {
		name string
		v    []float64
		want []int
	}{
		{"ten distinct", []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, []int{5, 5, 4, 4, 3, 3, 2, 2, 1, 1}},
		// Four tied lowest values share score 1; score 2 and 3 are skipped.
		{"long run of ties", []float64{1, 1, 1, 1, 2, 3}, []int{1, 1, 1, 1, 4, 5}},
		{"all tied", []float64{7, 7, 7}, []int{1, 1, 1}},
		{"tie at the top", []float64{1, 2, 3, 3}, []int{1, 2, 3, 3}},
		{"one value", []float64{4}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, quintiles(tt.v)); diff != "" {
				t.Errorf("quintiles(%v) (-want +got):\n%s", tt.v, diff)
			}
		})
	}
}

func TestScoreRFM(t *testing.T) {
	// Buyers a, b, c and a non-buyer d; worked out by hand:
	// recency 10, 20, 100 → 2, 1, 0 buyers strictly worse → R 4, 2, 1.
	rec := []float64{10, 20, 100, 400}
	freq := []float64{5, 3, 1, 0}
	mon := []float64{100, 50, 10, 0}
	got, err := ScoreRFM(rec, freq, mon)
	if err != nil {
		t.Fatal(err)
	}
	want := []RFMScore{
		{4, 4, 4, GroupLoyal},       // R 4, FM 4
		{2, 2, 2, GroupHibernating}, // R 2, FM 2
		{1, 1, 1, GroupLost},        // R 1, FM 1
		{0, 0, 0, GroupNoPurchase},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ScoreRFM (-want +got):\n%s", diff)
	}
	// Recency ties: two buyers on the same day share R.
	got, err = ScoreRFM([]float64{10, 10, 20}, []float64{1, 1, 1}, []float64{1, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].R != 2 || got[1].R != 2 || got[2].R != 1 {
		t.Errorf("tied recencies scored R %d, %d, %d; want 2, 2, 1", got[0].R, got[1].R, got[2].R)
	}
}

func TestScoreRFMErrors(t *testing.T) {
	tests := []struct {
		name       string
		r, f, m    []float64
		wantSubstr string
	}{
		{"lengths", []float64{1}, []float64{1, 2}, []float64{1}, "1 recencies, 2 frequencies"},
		{"NaN", []float64{math.NaN()}, []float64{1}, []float64{1}, "not finite"},
		{"Inf", []float64{1}, []float64{1}, []float64{math.Inf(1)}, "not finite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ScoreRFM(tt.r, tt.f, tt.m)
			if err == nil || !strings.Contains(err.Error(), tt.wantSubstr) {
				t.Errorf("err = %v, want one containing %q", err, tt.wantSubstr)
			}
		})
	}
}

func TestRFMGroup(t *testing.T) {
	tests := []struct {
		r, f, m int
		want    string
	}{
		{5, 5, 5, GroupChampions},
		{5, 4, 3, GroupChampions}, // FM = ⌊(4+3+1)/2⌋ = 4
		{4, 5, 4, GroupLoyal},
		{3, 4, 4, GroupLoyal},
		{5, 1, 1, GroupNew},
		{4, 1, 1, GroupPromising},
		{5, 2, 3, GroupPotential},
		{3, 3, 3, GroupAttention},
		{3, 1, 2, GroupAboutSleep},
		{2, 3, 4, GroupAtRisk},
		{1, 5, 5, GroupCantLose},
		{2, 1, 2, GroupHibernating},
		{1, 1, 1, GroupLost},
		{0, 0, 0, GroupNoPurchase},
		{6, 1, 1, GroupNoPurchase},
	}
	for _, tt := range tests {
		if got := RFMGroup(tt.r, tt.f, tt.m); got != tt.want {
			t.Errorf("RFMGroup(%d, %d, %d) = %q, want %q", tt.r, tt.f, tt.m, got, tt.want)
		}
	}
	// Every group but "no purchase" names at least one cell of the grid.
	seen := map[string]bool{}
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			seen[RFMGroup(r, f, f)] = true
		}
	}
	for _, g := range RFMGroups() {
		if g != GroupNoPurchase && !seen[g] {
			t.Errorf("group %q is in no cell of the grid", g)
		}
	}
}
