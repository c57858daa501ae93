package report

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestDendrogramCut checks that the cut line is drawn halfway between the
// highest merge the cut applies and the next merge up, and only with a k.
func TestDendrogramCut(t *testing.T) {
	tree := &DendrogramData{
		Leaves:    []DendrogramLeaf{{5, 0}, {5, 0}, {3, 1}, {2, 1}},
		Merges:    []DendrogramMerge{{0, 1, 1}, {2, 3, 2}, {4, 5, 6}},
		CutHeight: 2,
	}
	tests := []struct {
		name    string
		k       int
		cut     float64
		label   string
		linkage string
		ylabel  string
	}{
		{"k = 2", 2, 4, "cut into k = 2 segments", "ward", "merge height (ward linkage distance)"},
		{"no k", 0, 0, "", "", "merge height (linkage distance)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := *tree
			tr.Linkage = tt.linkage
			in := Input{Segments: []Segment{{Name: "a"}, {Name: "b"}}, ChosenK: tt.k, Dendrogram: &tr}
			spec := dendrogramSpec(&in, []string{"a", "b"}, false)
			if spec.Cut != tt.cut || spec.CutLabel != tt.label || spec.YLabel != tt.ylabel {
				t.Errorf("cut %v %q, y label %q; want %v %q, %q", spec.Cut, spec.CutLabel, spec.YLabel, tt.cut, tt.label, tt.ylabel)
			}
		})
	}
}

// TestMeanSilhouette checks the overall mean: segments weighted by size,
// the unsegmented group (NaN) left out.
func TestMeanSilhouette(t *testing.T) {
	in := Input{
		Segments:            []Segment{{Size: 300}, {Size: 100}, {ID: -1, Size: 600}},
		SilhouetteBySegment: []float64{0.6, 0.2, math.NaN()},
	}
	if diff := cmp.Diff(0.5, meanSilhouette(&in), cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("mean silhouette (-want +got):\n%s", diff)
	}
	in.SilhouetteBySegment = []float64{math.NaN(), math.NaN(), math.NaN()}
	if got := meanSilhouette(&in); !math.IsNaN(got) {
		t.Errorf("mean of no values = %v, want NaN", got)
	}
}

// TestUnsegmentedOverview checks that the overview counts the unsegmented
// group apart from the segments.
func TestUnsegmentedOverview(t *testing.T) {
	in := smallInput()
	html, _ := writeAndList(t, in)
	if want := "<p class=\"intro\">2 segments of 100 users, and the users no segment fits.</p>"; !strings.Contains(html, want) {
		t.Errorf("overview lacks %q", want)
	}
	in.Segments[2].ID = 2
	html, _ = writeAndList(t, in)
	if want := "<p class=\"intro\">3 segments of 100 users.</p>"; !strings.Contains(html, want) {
		t.Errorf("overview lacks %q", want)
	}
}
