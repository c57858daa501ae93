package report

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestHasTimeOfDay(t *testing.T) {
	at := func(h int) []float64 { r := make([]float64, 24); r[h] = 1; return r }
	spread := make([]float64, 24)
	for h := range spread {
		spread[h] = 1.0 / 24
	}
	tests := []struct {
		name  string
		share [][]float64
		want  bool
	}{
		{"none", nil, false},
		{"all zeros", [][]float64{make([]float64, 24)}, false},
		{"dates only: every segment at midnight", [][]float64{at(0), at(0), make([]float64, 24)}, false},
		{"spread over the day", [][]float64{spread, at(0)}, true},
		{"segments at different hours", [][]float64{at(9), at(21)}, true},
	}
	for _, tt := range tests {
		if got := hasTimeOfDay(tt.share); got != tt.want {
			t.Errorf("%s: hasTimeOfDay = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestPooledCategories(t *testing.T) {
	in := &Input{Segments: []Segment{{Size: 300}, {Size: 100}}}
	for c := range 10 {
		in.Categories = append(in.Categories, string(rune('a'+c)))
	}
	// Overall (weighted 3:1): a 0.3, j 0.25, b c d 0.075, e..i 0.0375 each
	// (ties keep the first).
	in.CategoryShare = [][]float64{
		{0.4, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05},
		{0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
	}
	cats, shares := pooledCategories(in)
	if diff := cmp.Diff([]string{"a", "b", "c", "d", "e", "f", "j"}, cats[:maxCategories-1]); diff != "" {
		t.Errorf("kept categories (-want +got):\n%s", diff)
	}
	if cats[len(cats)-1] != otherCategory || len(cats) != maxCategories {
		t.Fatalf("categories %q, want %d ending in %q", cats, maxCategories, otherCategory)
	}
	want := [][]float64{{0.4, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.15}, {0, 0, 0, 0, 0, 0, 1, 0}}
	if diff := cmp.Diff(want, shares, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("pooled shares (-want +got):\n%s", diff)
	}
	for i, row := range shares {
		sum := 0.0
		for _, v := range row {
			sum += v
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Errorf("segment %d's pooled shares sum to %v", i, sum)
		}
	}
	// At most maxCategories categories are drawn as they are.
	in.Categories, in.CategoryShare = in.Categories[:3], [][]float64{{0.5, 0.25, 0.25}, {1, 0, 0}}
	if cats, _ := pooledCategories(in); len(cats) != 3 {
		t.Errorf("3 categories pooled into %q", cats)
	}
}
