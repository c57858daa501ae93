package report

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestChartsFile reads the interactive charts Write stores for the
// dashboard: the same charts as report.html, in its order, each section's
// and each segment's, with the report's segments and the 2-D map's users
// linked to the dashboard's relative /users/ID.
func TestChartsFile(t *testing.T) {
	dir := sampleDir(t)
	in := sampleInput()
	html, _ := readReport(t, dir)
	c, err := ReadCharts(filepath.Join(dir, ChartsFile))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range regexp.MustCompile(`data-chart="([^"]+)"`).FindAllStringSubmatch(html, -1) {
		want = append(want, m[1])
	}
	var got []string
	perSegment := map[string]int{}
	for _, ch := range c.Charts {
		got = append(got, ch.ID)
		switch {
		case ch.Segment != nil:
			perSegment[ch.ID] = *ch.Segment
			if ch.Section != "" {
				t.Errorf("%s: a segment's chart in section %q", ch.ID, ch.Section)
			}
		case ch.Section == "" || ch.SectionTitle == "":
			t.Errorf("%s: no section (%q, %q)", ch.ID, ch.Section, ch.SectionTitle)
		}
		if ch.Title == "" || !json.Valid(ch.Spec) {
			t.Errorf("%s: title %q, spec valid %v", ch.ID, ch.Title, json.Valid(ch.Spec))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("charts (-report.html +%s):\n%s", ChartsFile, diff)
	}
	for i, s := range in.Segments {
		if v, ok := perSegment["chart-"+segmentChartName(s)]; ok && v != s.ID {
			t.Errorf("segment %d's chart is marked for segment %d", s.ID, v)
		}
		if i >= len(c.Segments) || c.Segments[i] != (ChartSegment{ID: s.ID, Name: s.Name, Size: s.Size}) {
			t.Errorf("segment %d of the file: %+v, want %d %q %d", i, c.Segments, s.ID, s.Name, s.Size)
		}
	}
	if len(perSegment) == 0 {
		t.Error("no segment's own chart in the file")
	}
	for _, ch := range c.Charts {
		if ch.ID != "chart-projection" {
			continue
		}
		user := in.Projection[0].User
		if !strings.Contains(string(ch.Spec), `"href":"/users/`+user+`"`) {
			t.Errorf("the 2-D map does not link %s to /users/%s", user, user)
		}
		if strings.Contains(string(ch.Spec), DefaultDashboardURL) {
			t.Errorf("the 2-D map links to %s, want links relative to the dashboard", DefaultDashboardURL)
		}
		return
	}
	t.Error("no 2-D map in the file")
}
