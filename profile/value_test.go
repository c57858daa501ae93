package profile

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestSegmentValue checks the per-segment value figures by hand.
func TestSegmentValue(t *testing.T) {
	nan := math.NaN()
	v := &ValueInput{
		PAlive:            []float64{0.9, 0.2, nan, 0.6, 0.1},
		ExpectedPurchases: []float64{2, 0.5, nan, 1, 0.1},
		CLV:               []float64{100, 10, nan, 50, 5},
		LostBelow:         0.5,
	}
	sv := segmentValue(v, []int{0, 1, 2})
	if sv.Customers != 2 || math.Abs(sv.MeanPAlive-0.55) > 1e-12 || sv.LikelyLost != 0.5 || sv.ExpectedPurchases != 2.5 || *sv.TotalCLV != 110 || *sv.MeanCLV != 55 {
		t.Errorf("segment value %+v", *sv)
	}
	if segmentValue(v, []int{2}) != nil {
		t.Error("a segment without customers has a value")
	}
	noMoney := *v
	noMoney.CLV = nil
	if sv := segmentValue(&noMoney, []int{0, 3}); sv.TotalCLV != nil || sv.Customers != 2 {
		t.Errorf("without CLV: %+v", *sv)
	}

	// Through Build: shares of the total CLV sum to 1.
	in := Input{UserIDs: []string{"a", "b", "c", "d", "e"}, Names: []string{"frequency"},
		X: mat.NewDense(5, 1, []float64{3, 1, 0, 2, 1}), Labels: []int{0, 0, 1, 1, 1}, Value: v}
	rep, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, s := range rep.Segments {
		sum += *s.Value.CLVShare
	}
	if math.Abs(sum-1) > 1e-12 || *rep.Segments[0].Value.TotalCLV != 110 || *rep.Segments[1].Value.TotalCLV != 55 {
		t.Errorf("segments %+v %+v", *rep.Segments[0].Value, *rep.Segments[1].Value)
	}
	var md strings.Builder
	if err := WriteMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"**Customer value** (docs/value.md) of its 2 customers: mean P(alive) 0.55, 50% likely lost (P(alive) < 0.5), 2.5 expected purchases, CLV mean 55.0, total 110 (66.7% of all).",
		"**Customer value** (docs/value.md) of its 2 customers: mean P(alive) 0.35, 50% likely lost (P(alive) < 0.5), 1.1 expected purchases, CLV mean 27.5, total 55.0 (33.3% of all).",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("profiles.md lacks %q:\n%s", want, md.String())
		}
	}
	in.Value = &ValueInput{PAlive: []float64{1}, ExpectedPurchases: []float64{1}}
	if _, err := Build(in); err == nil {
		t.Error("value columns of another length accepted")
	}
}

// TestAtRiskByPAlive: where P(alive) is known, "at risk" is a segment
// that buys more often than the base, or spends much more, and whose
// customers are mostly likely lost, whatever its recency says; big
// spenders mostly lost are at risk before the time rules call them
// lapsed.
func TestAtRiskByPAlive(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	// A base that buys every 30 days; the segment's buyers last ordered a
	// median 400 days ago and nothing since: lapsed by the time rules.
	base := BaseFacts{CycleDays: 30, Spend: 100}
	gone := Facts{Buyers: f(1), MedianOrders: f(6), DaysSinceOrder: f(400), DaysSilent: f(400), TenureDays: f(600), Spend: f(400)}
	tests := []struct {
		name       string
		z          map[string]float64
		facts      Facts
		likelyLost float64
		value      bool
		want       string
	}{
		{"frequent and mostly lost", map[string]float64{"frequency": 0.4, "recency_days": 0}, Facts{}, 0.7, true, StandingAtRisk},
		{"frequent, mostly active", map[string]float64{"frequency": 0.4, "recency_days": 0.9}, Facts{}, 0.2, true, StandingLoyal},
		{"rare buyers mostly lost are not at risk", map[string]float64{"frequency": -0.2, "recency_days": 0.9}, Facts{}, 0.9, true, StandingOccasional},
		{"big spenders long silent, mostly lost", map[string]float64{"frequency": -0.1, "monetary": 1.4, "recency_days": 2}, gone, 0.9, true, StandingAtRisk},
		{"the same without customer value", map[string]float64{"frequency": -0.1, "monetary": 1.4, "recency_days": 2}, gone, 0, false, StandingLapsed},
		{"big spenders long silent, mostly active", map[string]float64{"frequency": -0.1, "monetary": 1.4, "recency_days": 2}, gone, 0.3, true, StandingLapsed},
		{"ordinary spenders long silent, mostly lost", map[string]float64{"frequency": -0.1, "monetary": 0.2, "recency_days": 2}, gone, 0.9, true, StandingLapsed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := segWithZ(0, tt.z)
			s.Facts = tt.facts
			if tt.value {
				s.Value = &SegmentValue{Customers: 10, LikelyLost: tt.likelyLost, MeanPAlive: 1 - tt.likelyLost, LostBelow: 0.5}
			}
			j := &judge{s: &s}
			if tt.facts.Buyers != nil {
				j.base = base // the time rules need the base's cycle
			}
			got, why := standing(j, nil)
			if got != tt.want {
				t.Errorf("standing = %q (%s), want %q", got, why, tt.want)
			}
		})
	}
}
