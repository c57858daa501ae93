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

// TestCompleteMix: a field's mix chart adds up to 100% per segment, as its
// caption says, and a field nobody has is not charted (cc-general drew
// "Users by credit limit missing" for 1 user in 8,950).
func TestCompleteMix(t *testing.T) {
	tests := []struct {
		name string
		in   Mix
		keep bool
		want Mix
	}{
		{"a yes/no attribute gets its false",
			Mix{Field: "paperless billing", Values: []string{"true"}, Share: [][]float64{{0.3}, {0.6}}}, true,
			Mix{Field: "paperless billing", Values: []string{"true", "false"}, Share: [][]float64{{0.3, 0.7}, {0.6, 0.4}}}},
		{"yes gets no",
			Mix{Field: "newsletter", Values: []string{"Yes"}, Share: [][]float64{{0.5}, {0}}}, true,
			Mix{Field: "newsletter", Values: []string{"Yes", "no"}, Share: [][]float64{{0.5, 0.5}, {0, 1}}}},
		{"another single level",
			Mix{Field: "plan", Values: []string{"gold"}, Share: [][]float64{{0.2}, {0.1}}}, true,
			Mix{Field: "plan", Values: []string{"gold", "not gold"}, Share: [][]float64{{0.2, 0.8}, {0.1, 0.9}}}},
		{"levels that do not cover everyone",
			Mix{Field: "area", Values: []string{"urban", "rural"}, Share: [][]float64{{0.5, 0.5}, {0.2, 0.6}}}, true,
			Mix{Field: "area", Values: []string{"urban", "rural", "none of these"}, Share: [][]float64{{0.5, 0.5, 0}, {0.2, 0.6, 0.2}}}},
		{"levels that cover everyone are kept as they are",
			Mix{Field: "gender", Values: []string{"female", "male"}, Share: [][]float64{{0.41, 0.59}, {0.66, 0.34}}}, true,
			Mix{Field: "gender", Values: []string{"female", "male"}, Share: [][]float64{{0.41, 0.59}, {0.66, 0.34}}}},
		{"a list: shares of the values held",
			Mix{Field: "interests", Values: []string{"cooking", "travel"}, Share: [][]float64{{1, 0.5}, {0.2, 0.2}}}, true,
			Mix{Field: "interests", Values: []string{"cooking", "travel"}, Share: [][]float64{{2.0 / 3, 1.0 / 3}, {0.5, 0.5}}, Several: true}},
		{"a flag of one user in 8,950 is not charted",
			Mix{Field: "credit limit missing", Values: []string{"true"}, Share: [][]float64{{1.0 / 3148}, {0}}}, false, Mix{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.in
			if keep := completeMix(&m); keep != tt.keep {
				t.Fatalf("completeMix = %v, want %v", keep, tt.keep)
			}
			if !tt.keep {
				return
			}
			if diff := cmp.Diff(tt.want, m, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("mix (-want +got):\n%s", diff)
			}
		})
	}
}

// TestKStability: the k chart gets stability and prediction strength only
// when they were measured at some k (0 everywhere means not measured).
func TestKStability(t *testing.T) {
	if _, _, ok := kStability([]KPoint{{K: 2, Inertia: 5}, {K: 3, Inertia: 4}}); ok {
		t.Error("a curve without stability has stability")
	}
	stab, ps, ok := kStability([]KPoint{{K: 2, Stability: 0.9, PredictionStrength: 0.8}, {K: 3, Stability: 0.7}})
	if !ok || !cmp.Equal(stab, []float64{0.9, 0.7}) || !cmp.Equal(ps, []float64{0.8, 0}) {
		t.Errorf("kStability = %v, %v, %v", stab, ps, ok)
	}
}
