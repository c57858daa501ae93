package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/chart"
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
