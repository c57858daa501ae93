package persona_test

import (
	"strings"
	"testing"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/profile"
)

func TestResultsValidate(t *testing.T) {
	whole := func() *persona.Results {
		return &persona.Results{
			Run: persona.Run{ID: "r"}, UserIDs: []string{"a", "b"}, FeatureNames: []string{"f"},
			X: []float64{1, 2}, Segments: []int{0, 1}, Distance: []float64{0.5, 0.25},
			Profiles: &profile.Report{}, Model: &model.Model{},
		}
	}
	tests := []struct {
		name   string
		change func(r *persona.Results)
		want   string // "" for valid
	}{
		{"whole", func(r *persona.Results) {}, ""},
		{"no id", func(r *persona.Results) { r.Run.ID = "" }, "run id not set"},
		{"no users", func(r *persona.Results) { r.UserIDs, r.X, r.Segments, r.Distance = nil, nil, nil, nil }, "no users"},
		{"short X", func(r *persona.Results) { r.X = r.X[:1] }, "1 feature values for 2 users x 1 features"},
		{"short segments", func(r *persona.Results) { r.Segments = r.Segments[:1] }, "1 segments for 2 users"},
		{"short distances", func(r *persona.Results) { r.Distance = nil }, "0 distances for 2 users"},
		{"a user twice, in order", func(r *persona.Results) { r.UserIDs[1] = "a" }, `user id "a" twice`},
		{"a user twice, out of order", func(r *persona.Results) {
			r.UserIDs, r.X, r.Segments, r.Distance = []string{"c", "a", "c"}, []float64{1, 2, 3}, []int{0, 1, 0}, []float64{1, 1, 1}
		}, `user id "c" twice`},
		{"users out of order", func(r *persona.Results) { r.UserIDs = []string{"b", "a"} }, ""},
		{"no profiles", func(r *persona.Results) { r.Profiles = nil }, "no profiles"},
		{"no model", func(r *persona.Results) { r.Model = nil }, "no model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := whole()
			tt.change(r)
			err := r.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestRow(t *testing.T) {
	r := &persona.Results{FeatureNames: []string{"a", "b"}, X: []float64{1, 2, 3, 4, 5, 6}}
	if got := r.Row(1); len(got) != 2 || got[0] != 3 || got[1] != 4 || cap(got) != 2 {
		t.Errorf("Row(1) = %v (cap %d), want [3 4] (cap 2)", got, cap(got))
	}
}

// TestFingerprint checks that the fingerprint changes with any id or value
// and that the id/value boundary counts ("ab","c" is not "a","bc").
func TestFingerprint(t *testing.T) {
	base := persona.Fingerprint([]string{"ab", "c"}, []float64{1, 2})
	if len(base) != 64 {
		t.Fatalf("fingerprint %q is not a hex SHA-256", base)
	}
	if again := persona.Fingerprint([]string{"ab", "c"}, []float64{1, 2}); again != base {
		t.Errorf("the same table gave %s and %s", base, again)
	}
	for name, fp := range map[string]string{
		"ids split elsewhere": persona.Fingerprint([]string{"a", "bc"}, []float64{1, 2}),
		"another value":       persona.Fingerprint([]string{"ab", "c"}, []float64{1, 2.0000000001}),
		"values swapped":      persona.Fingerprint([]string{"ab", "c"}, []float64{2, 1}),
	} {
		if fp == base {
			t.Errorf("%s: same fingerprint", name)
		}
	}
}
