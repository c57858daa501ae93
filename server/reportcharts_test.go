package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/chart/vega"
	"github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/report"
	"github.com/persona-seg/persona/server"
)

// writeReportCharts writes a report.html and its report.ChartsFile for
// the segments segs into a new folder and returns the report's path: a
// section of two charts, a second section of one, and a chart of the
// first segment's own.
func writeReportCharts(t *testing.T, segs []report.ChartSegment) string {
	t.Helper()
	dir := t.TempDir()
	vs := make([]vega.Segment, len(segs))
	users := make([]int, len(segs))
	for i, s := range segs {
		vs[i], users[i] = vega.Segment{ID: s.ID, Name: s.Name, Color: "#123456"}, s.Size
	}
	spec := func(title string) json.RawMessage {
		return vega.Sizes(vega.SizesSpec{Title: title, Segments: vs, Users: users}).JSON()
	}
	first := segs[0].ID
	c := report.Charts{Segments: segs, Charts: []report.Chart{
		{ID: "chart-segment-sizes", Section: "distribution", SectionTitle: "Segment distribution", Title: "sizes", Caption: "How many </script> users", Spec: spec("sizes")},
		{ID: "chart-rfm-grid", Section: "distribution", SectionTitle: "Segment distribution", Title: "grid", Spec: spec("grid")},
		{ID: "chart-projection", Section: "map", SectionTitle: "Segment map", Title: "map", Spec: spec("map")},
		{ID: "chart-segment-x", Segment: &first, Title: "own", Spec: spec("own")},
	}}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "charts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(report.ChartsFile)), b, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, []byte("<!DOCTYPE html><title>report</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func chartSegments(run *persona.Results) []report.ChartSegment {
	var out []report.ChartSegment
	for _, s := range run.Profiles.Segments {
		out = append(out, report.ChartSegment{ID: s.ID, Name: s.Name, Size: s.Size})
	}
	return out
}

var chartIDs = regexp.MustCompile(`data-chart="([^"]+)"`)

func chartsOf(body string) []string {
	var ids []string
	for _, m := range chartIDs.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// TestDashboardShowsReportCharts checks that the overview shows the
// report's charts, under its section titles, when the report beside the
// store drew the run served, and a segment's page its own chart; and that
// it draws its own charts when the report is of another run, is not
// there, or is not JSON.
func TestDashboardShowsReportCharts(t *testing.T) {
	run := results(t, "run-1", 300, 1)
	segs := chartSegments(run)
	other := append([]report.ChartSegment(nil), segs...)
	other[1].Size++
	own := []string{"chart-sizes", "chart-heatmap", "chart-traits", "chart-rfm", "chart-rfm-grid"}
	broken := writeReportCharts(t, segs)
	if err := os.WriteFile(filepath.Join(filepath.Dir(broken), filepath.FromSlash(report.ChartsFile)), []byte(`{"segments": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		report   string
		overview []string
		segment  []string // segment 0's page
	}{
		{"the run's report", writeReportCharts(t, segs), []string{"chart-segment-sizes", "chart-rfm-grid", "chart-projection"}, []string{"chart-segment-x"}},
		{"another run's report", writeReportCharts(t, other), own, nil},
		{"no report", "", own, nil},
		{"a broken file", broken, own, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newRuns()
			src.add(t, run)
			h := newServer(t, src, server.Options{Report: tt.report}).Handler()
			code, body, _ := do(t, h, "GET", "/", "")
			if code != 200 {
				t.Fatalf("GET / = %d", code)
			}
			if diff := cmp.Diff(tt.overview, chartsOf(body)); diff != "" {
				t.Errorf("overview charts (-want +got):\n%s", diff)
			}
			if tt.report != "" && tt.overview[0] == "chart-segment-sizes" {
				for _, w := range []string{"<h2>Segment distribution</h2>", "<h2>Segment map</h2>", `<a href="#charts-map">Segment map</a>`, `id="charts-map"`, "<figcaption>How many &lt;/script&gt; users</figcaption>"} {
					if !strings.Contains(body, w) {
						t.Errorf("overview lacks %s", w)
					}
				}
				if strings.Contains(body, "How many </script>") {
					t.Error("the caption's </script> reached the page unescaped")
				}
			}
			code, body, _ = do(t, h, "GET", "/segments/0", "")
			if code != 200 {
				t.Fatalf("GET /segments/0 = %d", code)
			}
			if diff := cmp.Diff(tt.segment, chartsOf(body)); diff != "" {
				t.Errorf("segment 0's charts (-want +got):\n%s", diff)
			}
			if _, body, _ = do(t, h, "GET", "/segments/1", ""); len(chartsOf(body)) != 0 {
				t.Errorf("segment 1's page shows %v, another segment's chart", chartsOf(body))
			}
		})
	}
}

// TestOverviewValueColumns checks the customer-value columns of the
// segment table: customers, mean and total CLV and its share, mean
// P(alive) and the share likely lost, where the run has them; no CLV
// columns without amounts; none at all without customer values.
func TestOverviewValueColumns(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	withCLV := func(run *persona.Results) {
		run.Profiles.Segments[0].Value = &profile.SegmentValue{Customers: 12, MeanPAlive: 0.875, LikelyLost: 0.25, LostBelow: 0.5,
			MeanCLV: f(1234.75), TotalCLV: f(14814), CLVShare: f(0.625)}
		run.Profiles.Segments[1].Value = &profile.SegmentValue{Customers: 3, MeanPAlive: 0.5, LikelyLost: 0.5, LostBelow: 0.5,
			MeanCLV: f(42.125), TotalCLV: f(126.375), CLVShare: f(0.375)}
	}
	noAmounts := func(run *persona.Results) {
		run.Profiles.Segments[0].Value = &profile.SegmentValue{Customers: 12, MeanPAlive: 0.875, LikelyLost: 0.25, LostBelow: 0.5}
	}
	tests := []struct {
		name    string
		set     func(*persona.Results)
		headers []string
		row0    []string
		row2    []string // a segment without customers
	}{
		{"with CLV", withCLV, []string{"Customers", "Mean CLV", "Total CLV", "CLV share", "Mean P(alive)", "Likely lost"},
			[]string{"12", "1,235", "14,814", "62.5%", "87.5%", "25.0%"}, []string{"0", "", "", "", "", ""}},
		{"without amounts", noAmounts, []string{"Customers", "Mean P(alive)", "Likely lost"}, []string{"12", "87.5%", "25.0%"}, []string{"0", "", ""}},
		{"no customer values", func(*persona.Results) {}, nil, nil, nil},
	}
	head := regexp.MustCompile(`<th class="n value"[^>]*>([^<]*)</th>`)
	cell := regexp.MustCompile(`<td class="n value"[^>]*>([^<]*)</td>`)
	rows := regexp.MustCompile(`(?s)<tr data-seg="(\d+)">(.*?)</tr>`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := results(t, "run-1", 300, 1)
			tt.set(run)
			src := newRuns()
			src.add(t, run)
			_, body, _ := do(t, newServer(t, src, server.Options{}).Handler(), "GET", "/", "")
			var got []string
			for _, m := range head.FindAllStringSubmatch(body, -1) {
				got = append(got, m[1])
			}
			if diff := cmp.Diff(tt.headers, got); diff != "" {
				t.Errorf("value headers (-want +got):\n%s", diff)
			}
			cells := map[string][]string{}
			for _, r := range rows.FindAllStringSubmatch(body, -1) {
				for _, m := range cell.FindAllStringSubmatch(r[2], -1) {
					cells[r[1]] = append(cells[r[1]], m[1])
				}
			}
			if diff := cmp.Diff(tt.row0, cells["0"]); diff != "" {
				t.Errorf("segment 0's value cells (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.row2, cells["2"]); diff != "" {
				t.Errorf("segment 2's value cells (-want +got):\n%s", diff)
			}
		})
	}
}
