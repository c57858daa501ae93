package profile

import (
	"math"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"
)

// TestBuildHandChecked profiles six users in two segments; every number
// below was worked out by hand.
func TestBuildHandChecked(t *testing.T) {
	in := Input{
		UserIDs: []string{"a", "b", "c", "d", "e", "f"},
		Names:   []string{"frequency", "constant"},
		X: mat.NewDense(6, 2, []float64{
			1, 5,
			2, 5,
			3, 5,
			10, 5,
			12, 5,
			14, 5,
		}),
		Labels:   []int{0, 0, 0, 1, 1, 1},
		Distance: []float64{0.5, 0.1, 0.9, 0.3, 0.2, 0.1},
	}
	rep, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Version != Version || rep.Users != 6 || len(rep.Segments) != 2 {
		t.Fatalf("got version %d, %d users, %d segments", rep.Version, rep.Users, len(rep.Segments))
	}
	std := math.Sqrt(160.0 / 6) // population sd of 1,2,3,10,12,14 around 7
	pooled := math.Sqrt(10.0 / 4)
	want := FeatureStat{Feature: "frequency", Mean: 2, Median: 2, Q1: 1.5, Q3: 2.5, Z: -5 / std, Lift: 2.0 / 7, D: -10 / pooled}
	got, _ := rep.Segments[0].Feature("frequency")
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(1e-12, 0)); diff != "" {
		t.Errorf("segment 0 frequency (-want +got):\n%s", diff)
	}
	if c, ok := rep.Segments[1].Feature("constant"); ok {
		t.Errorf("constant feature profiled: %+v", c)
	}
	if diff := cmp.Diff([]string{"constant"}, rep.Constant); diff != "" {
		t.Errorf("constant features (-want +got):\n%s", diff)
	}
	if b := rep.Base[1]; !b.Constant || b.Mean != 5 {
		t.Errorf("base of the constant feature = %+v, want mean 5, marked constant", b)
	}
	if rep.Segments[0].Medoid != "b" {
		t.Errorf("medoid = %q, want b (nearest the centre without the clustering space)", rep.Segments[0].Medoid)
	}
	if diff := cmp.Diff([]string{"a", "c"}, rep.Segments[0].Examples); diff != "" {
		t.Errorf("representatives (-want +got):\n%s", diff)
	}
	if got := rep.Segments[0].Share; got != 0.5 {
		t.Errorf("share = %v, want 0.5", got)
	}
	if len(rep.Segments[1].Top) != 1 || rep.Segments[1].Top[0].Feature != "frequency" {
		t.Errorf("top traits of segment 1 = %+v, want frequency only (constant has d = 0)", rep.Segments[1].Top)
	}
}

func TestBuildErrors(t *testing.T) {
	x := mat.NewDense(2, 1, []float64{1, 2})
	tests := []struct {
		name string
		in   Input
	}{
		{"labels length", Input{UserIDs: []string{"a", "b"}, Names: []string{"f"}, X: x, Labels: []int{0}}},
		{"names length", Input{UserIDs: []string{"a", "b"}, Names: []string{"f", "g"}, X: x, Labels: []int{0, 1}}},
		{"ids length", Input{UserIDs: []string{"a"}, Names: []string{"f"}, X: x, Labels: []int{0, 1}}},
		{"distance length", Input{UserIDs: []string{"a", "b"}, Names: []string{"f"}, X: x, Labels: []int{0, 1}, Distance: []float64{1}}},
		{"space rows", Input{UserIDs: []string{"a", "b"}, Names: []string{"f"}, X: x, Labels: []int{0, 1}, Space: mat.NewDense(1, 1, nil)}},
		{"NaN feature", Input{UserIDs: []string{"a", "b"}, Names: []string{"f"}, X: mat.NewDense(2, 1, []float64{1, math.NaN()}), Labels: []int{0, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Build(tt.in); err == nil {
				t.Error("Build succeeded, want an error")
			}
		})
	}
}

// segWithZ is a segment whose features have the given z-scores (in name
// order) and a median of 1.
func segWithZ(id int, z map[string]float64) Segment {
	s := Segment{ID: id}
	for _, f := range sortedKeys(z) {
		s.Features = append(s.Features, FeatureStat{Feature: f, Z: z[f], Median: 1})
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// standingOf is the standing of s with no facts (the relative rules).
func standingOf(s *Segment) string {
	st, _ := standing(&judge{s: s}, nil)
	return st
}

func TestStanding(t *testing.T) {
	tests := []struct {
		name string
		id   int
		z    map[string]float64
		want string
	}{
		{"noise", Unsegmented, nil, StandingUnsegmented},
		{"gone quiet after buying", 0, map[string]float64{"days_since_last_activity": 1.5, "frequency": 0}, StandingLapsed},
		{"gone quiet, never bought much", 0, map[string]float64{"days_since_last_activity": 1.5, "frequency": -0.6}, StandingHibernating},
		{"inactive beats new", 0, map[string]float64{"days_since_last_activity": 3, "signup_tenure_days": -1.4, "frequency": -0.9}, StandingHibernating},
		{"new signups", 0, map[string]float64{"signup_tenure_days": -1.2, "frequency": 1}, StandingNew},
		{"champions", 0, map[string]float64{"frequency": 1.2, "monetary": 1.5, "recency_days": -0.5}, StandingChampions},
		{"still visit, stopped buying", 0, map[string]float64{"recency_days": 0.9, "frequency": 0.2}, StandingAtRisk},
		{"influencers by posts", 0, map[string]float64{"social_posts": 2.5, "frequency": -0.6}, StandingInfluencers},
		{"bargain hunters", 0, map[string]float64{"price_sensitivity": 1.4, "frequency": 0.6, "monetary": -0.3}, StandingBargainHunters},
		{"discounted lines alone", 0, map[string]float64{"discounted_line_share": 0.9}, StandingBargainHunters},
		{"big spenders", 0, map[string]float64{"frequency": 0.1, "monetary": 0.9}, StandingBigSpenders},
		{"window browsers", 0, map[string]float64{"count_page_view": 0.9, "frequency": -0.5, "cart_rate": -1}, StandingBrowsers},
		{"browsing without low conversion is not window browsing", 0, map[string]float64{"count_page_view": 0.9, "frequency": -0.5, "cart_rate": 0.2}, StandingOccasional},
		{"loyal", 0, map[string]float64{"frequency": 0.4}, StandingLoyal},
		{"nothing stands out", 0, map[string]float64{"frequency": 0}, StandingOccasional},
		{"no purchases or activity in the data: no standing", 0, map[string]float64{"age": 1.2}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := segWithZ(tt.id, tt.z)
			if got := standingOf(&s); got != tt.want {
				t.Errorf("standing = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestStandingDemoPersonas feeds the z-scores measured on the segments of
// a 3,000-user demo run (persona demo --users 3000, seed 1) and checks
// that each planted persona gets a standing a marketer would recognise.
func TestStandingDemoPersonas(t *testing.T) {
	features := []string{"recency_days", "frequency", "monetary", "events", "count_page_view", "share_product_view", "cart_rate",
		"checkout_rate", "days_since_last_activity", "signup_tenure_days", "social_actions", "social_posts", "price_sensitivity",
		"discounted_line_share"}
	tests := []struct {
		persona string
		z       []float64
		want    string
	}{
		{"champions", []float64{-0.74, 1.51, 2.00, 1.26, -0.36, -0.12, 0.79, 0.57, -0.26, 1.14, -0.29, -0.26, -1.06, -0.63}, StandingChampions},
		{"bargain_hunters", []float64{-0.73, 0.56, -0.33, 0.35, -0.49, -0.46, 0.60, 0.80, -0.25, 0.15, -0.23, -0.25, 1.43, 1.44}, StandingBargainHunters},
		{"window_browsers", []float64{1.30, -0.85, -0.46, -0.25, 0.99, 0.77, -1.23, -1.19, -0.23, -0.37, -0.19, -0.24, -0.49, -0.74}, StandingBrowsers},
		{"lapsed", []float64{-0.40, 0.23, -0.15, -0.06, -0.40, -0.15, 0.75, 0.45, 1.26, 0.59, -0.33, -0.26, -0.14, -0.21}, StandingLapsed},
		{"new_users", []float64{-0.51, -0.77, -0.44, -1.17, -0.56, -0.46, 0.41, 0.33, -0.30, -1.37, -0.33, -0.26, 0.24, 0.19}, StandingNew},
		{"influencers", []float64{-0.19, -0.66, -0.39, -0.77, -0.10, -0.00, -0.27, 0.02, -0.32, -0.25, 3.12, 3.09, -0.34, -0.05}, StandingInfluencers},
	}
	for _, tt := range tests {
		t.Run(tt.persona, func(t *testing.T) {
			z := map[string]float64{}
			for i, f := range features {
				z[f] = tt.z[i]
			}
			s := segWithZ(0, z)
			if got := standingOf(&s); got != tt.want {
				t.Errorf("standing = %q, want %q", got, tt.want)
			}
		})
	}
}
