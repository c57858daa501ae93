package profile

import (
	"math"
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
	c, _ := rep.Segments[1].Feature("constant")
	if diff := cmp.Diff(FeatureStat{Feature: "constant", Mean: 5, Median: 5, Q1: 5, Q3: 5, Lift: 1}, c); diff != "" {
		t.Errorf("constant feature (-want +got):\n%s", diff)
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Build(tt.in); err == nil {
				t.Error("Build succeeded, want an error")
			}
		})
	}
}

func segWithZ(id int, z map[string]float64) Segment {
	s := Segment{ID: id}
	for f, v := range z {
		s.Features = append(s.Features, FeatureStat{Feature: f, Z: v})
	}
	return s
}

func TestStanding(t *testing.T) {
	tests := []struct {
		name string
		id   int
		z    map[string]float64
		want string
	}{
		{"noise", Unsegmented, nil, StandingUnsegmented},
		{"new signups", 0, map[string]float64{"signup_tenure_days": -1.2, "frequency": 1}, StandingNew},
		{"lapsed buyers", 0, map[string]float64{"days_since_last_activity": 1.5, "frequency": 0}, StandingLapsed},
		{"lapsed non-buyers", 0, map[string]float64{"days_since_last_activity": 1.5, "frequency": -0.6}, StandingHibernating},
		{"champions", 0, map[string]float64{"frequency": 1.2, "monetary": 1.5, "recency_days": -0.5}, StandingChampions},
		{"big spenders", 0, map[string]float64{"frequency": 0.1, "monetary": 0.9}, StandingBigSpenders},
		{"loyal", 0, map[string]float64{"frequency": 0.4}, StandingLoyal},
		{"social", 0, map[string]float64{"social_actions": 2}, StandingInfluencers},
		{"browsers", 0, map[string]float64{"count_page_view": 0.9, "frequency": -0.5, "cart_rate": -1}, StandingBrowsers},
		{"nothing stands out", 0, nil, StandingOccasional},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := segWithZ(tt.id, tt.z)
			if got := standing(&s); got != tt.want {
				t.Errorf("standing = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNamesAreUnique(t *testing.T) {
	// Three segments with the same standing and the same leading traits.
	mk := func(id int, traits ...string) Segment {
		s := segWithZ(id, map[string]float64{"frequency": 0.4})
		for _, f := range traits {
			s.Top = append(s.Top, Trait{Feature: f, D: 1})
		}
		return s
	}
	segs := []Segment{
		mk(0, "spend_share_books", "share_night", "weekend_share"),
		mk(1, "spend_share_books", "share_night", "device_share_mobile"),
		mk(2, "spend_share_books", "share_night"),
	}
	nameSegments(segs, nil)
	want := []string{
		"loyal — books, night owls",
		"loyal — books, night owls, mobile-first",
		"loyal — books, night owls (segment 2)",
	}
	var got []string
	for _, s := range segs {
		got = append(got, s.Name)
		if len(s.Actions) != 3 {
			t.Errorf("segment %d has %d actions, want marketing, service and recommendations", s.ID, len(s.Actions))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}
