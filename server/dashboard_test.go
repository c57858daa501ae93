package server

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/chart"
	"github.com/persona-seg/persona/chart/vega"
	"github.com/persona-seg/persona/profile"
)

func TestDashboardChartsGreyUnsegmented(t *testing.T) {
	grey := strings.ToUpper(fmt.Sprintf("#%02x%02x%02x", chart.UnsegmentedColor().R, chart.UnsegmentedColor().G, chart.UnsegmentedColor().B))
	mk := func(ids ...int) *persona.Results {
		rep := &profile.Report{}
		for _, id := range ids {
			rep.Segments = append(rep.Segments, profile.Segment{ID: id, Name: fmt.Sprintf("s%d", id), Size: 10, Share: 0.5,
				Top: []profile.Trait{{Feature: "spend", Z: 1}}})
		}
		return &persona.Results{Profiles: rep}
	}
	tests := []struct {
		name string
		res  *persona.Results
		want bool
	}{
		{"noise group last", mk(0, profile.Unsegmented), true},
		{"no noise group", mk(0, 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := drawCharts(tt.res)
			if c.err != nil {
				t.Fatal(c.err)
			}
			var all strings.Builder
			for _, sec := range c.overview {
				for _, f := range sec.Charts {
					all.WriteString(strings.ToUpper(string(f.HTML)))
				}
			}
			if got := strings.Contains(all.String(), grey); got != tt.want {
				t.Errorf("grey %s in the overview charts = %v, want %v", grey, got, tt.want)
			}
		})
	}
}

// TestFallbackBoxes checks the box plots the dashboard draws from a run
// without its report's charts: recency over a segment's buyers only (none
// for a segment without), frequency and monetary over all its members,
// CLV and P(alive) over its customers, no CLV panel without amounts.
func TestFallbackBoxes(t *testing.T) {
	nan := math.NaN()
	res := &persona.Results{
		FeatureNames: []string{"recency_days", "frequency", "monetary"},
		// Segment 0: three buyers and one who never bought; segment 1: nobody bought.
		X:        []float64{10, 1, 5, 20, 2, 50, 30, 3, 500, 999, 0, 0, 999, 0, 0, 999, 0, 0},
		Segments: []int{0, 0, 0, 0, 1, 1},
		Profiles: &profile.Report{Segments: []profile.Segment{{ID: 0, Name: "a", Size: 4}, {ID: 1, Name: "b", Size: 2}}},
	}
	rfm := rfmBoxes(res)
	if len(rfm) != 3 {
		t.Fatalf("%d RFM panels, want 3", len(rfm))
	}
	want := [3][2]vega.FiveNum{
		{{Min: 10, Q1: 15, Median: 20, Q3: 25, Max: 30}, vega.NoBox()},
		{{Min: 0, Q1: 0.75, Median: 1.5, Q3: 2.25, Max: 3}, {}},
		{{Min: 0, Q1: 3.75, Median: 27.5, Q3: 162.5, Max: 500}, {}},
	}
	for f, p := range rfm {
		for k := range 2 {
			if got := p.Boxes[k]; !sameBox(got, want[f][k]) {
				t.Errorf("%s of segment %d: %+v, want %+v", p.Title, k, got, want[f][k])
			}
		}
	}
	customer := func(pAlive, clv float64) persona.CustomerValue {
		return persona.CustomerValue{Customer: true, PAlive: pAlive, CLV: clv}
	}
	res.Values = &persona.Values{HorizonMonths: 12, Users: []persona.CustomerValue{customer(0.2, 10), customer(0.4, 30), customer(0.9, 80), {}, {}, {}}}
	v := valueBoxes(res)
	if len(v) != 2 || v[0].Title != "Lifetime value" || v[1].Title != "P(alive)" {
		t.Fatalf("value panels %+v, want lifetime value and P(alive)", v)
	}
	if got := v[0].Boxes[0]; !sameBox(got, vega.FiveNum{Min: 10, Q1: 20, Median: 30, Q3: 55, Max: 80}) {
		t.Errorf("CLV of segment 0: %+v", got)
	}
	if got := v[1].Boxes[1]; !sameBox(got, vega.NoBox()) {
		t.Errorf("P(alive) of segment 1, without customers: %+v, want no box", got)
	}
	for i := range res.Values.Users[:3] {
		res.Values.Users[i].CLV = nan
	}
	if v := valueBoxes(res); len(v) != 1 || v[0].Title != "P(alive)" {
		t.Errorf("without amounts: panels %+v, want P(alive) alone", v)
	}
	res.Values = nil
	if v := valueBoxes(res); v != nil {
		t.Errorf("without values: %+v, want none", v)
	}
}

func sameBox(a, b vega.FiveNum) bool {
	x := []float64{a.Min, a.Q1, a.Median, a.Q3, a.Max}
	y := []float64{b.Min, b.Q1, b.Median, b.Q3, b.Max}
	for i := range x {
		if !(x[i] == y[i] || math.IsNaN(x[i]) && math.IsNaN(y[i])) {
			return false
		}
	}
	return true
}
