package chart

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"
)

func hexOf(c interface{ RGBA() (r, g, b, a uint32) }) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// TestUnsegmentedGrey draws every segment-coloured chart with the last of
// three segments marked unsegmented: its legend entry and marks must be
// UnsegmentedColor, and the palette colour it would otherwise take
// (SegmentColor(2)) must not appear.
func TestUnsegmentedGrey(t *testing.T) {
	grey := hexOf(UnsegmentedColor())
	taken := hexOf(SegmentColor(2))
	for name, build := range builds(3, true) {
		if name == "elbow" || name == "kdistance" {
			continue // no segments
		}
		t.Run(name, func(t *testing.T) {
			f, err := build()
			if err != nil {
				t.Fatal(err)
			}
			if name != "stacked" {
				if got := f.legend[2].color; got != UnsegmentedColor() {
					t.Errorf("legend entry of the unsegmented group has colour %v, want %v", got, UnsegmentedColor())
				}
				if got := f.legend[0].color; got != SegmentColor(0) {
					t.Errorf("legend entry of segment 0 has colour %v, want %v", got, SegmentColor(0))
				}
			}
			var b bytes.Buffer
			if err := f.WriteSVG(&b); err != nil {
				t.Fatal(err)
			}
			svg := strings.ToLower(b.String())
			if !strings.Contains(svg, grey) {
				t.Errorf("SVG does not use the unsegmented grey %s", grey)
			}
			if strings.Contains(svg, taken) {
				t.Errorf("SVG uses %s, the palette colour the unsegmented group must not take", taken)
			}
		})
	}
	if c := UnsegmentedColor(); c.R != c.G || c.G != c.B {
		t.Errorf("UnsegmentedColor %v is not a neutral grey", c)
	}
	for i := range 16 {
		if SegmentColor(i) == UnsegmentedColor() {
			t.Errorf("segment %d has the unsegmented grey", i)
		}
	}
}

// TestScatterUnsegmentedHasNoCentre checks that the unsegmented group gets
// no numbered centre disc: noise has no centre.
func TestScatterUnsegmentedHasNoCentre(t *testing.T) {
	f, err := Scatter(ScatterSpec{Title: "Map", Segments: []string{"A", "unsegmented"}, Unsegmented: true,
		X: []float64{0, 0.01, 0.05, 0.06}, Y: []float64{0, 0.01, 0.05, 0.06}, Segment: []int{0, 0, 1, 1}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	if !strings.Contains(svg, ">1</text>") {
		t.Error("segment A has no numbered centre")
	}
	if strings.Contains(svg, ">2</text>") {
		t.Error("the unsegmented group has a numbered centre")
	}
	if got := f.legend[1].label; got != "unsegmented" {
		t.Errorf("legend names the unsegmented group %q, want it without a number", got)
	}
}

func TestThinCurve(t *testing.T) {
	for _, n := range []int{10, 999, 1000, 1001, 100_000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			v := sampleKDist(n)
			x := func(i int) float64 { return 100 * float64(i) / float64(n-1) }
			got := thinCurve(v, x, 1000)
			if n <= 1000 && len(got) != n {
				t.Fatalf("%d points thinned to %d, want all kept", n, len(got))
			}
			if len(got) > 1100 {
				t.Fatalf("%d points thinned to %d, want about 1,000 at most", n, len(got))
			}
			if got[0] != (plotter.XY{X: 0, Y: v[0]}) || got[len(got)-1] != (plotter.XY{X: 100, Y: v[n-1]}) {
				t.Errorf("first or last point lost: %v … %v", got[0], got[len(got)-1])
			}
			// Linear interpolation between kept points stays within 1%
			// of the range of the true curve.
			j := 0
			for i := range n {
				xi := x(i)
				for j+1 < len(got)-1 && got[j+1].X <= xi {
					j++
				}
				a, b := got[j], got[j+1]
				yi := a.Y
				if b.X > a.X {
					yi += (b.Y - a.Y) * (xi - a.X) / (b.X - a.X)
				}
				if d := math.Abs(yi - v[i]); d > 0.01*(v[n-1]-v[0]) {
					t.Fatalf("point %d: thinned curve at %v, true %v", i, yi, v[i])
				}
			}
		})
	}
}

func TestKDistanceShareAboveEps(t *testing.T) {
	tests := []struct {
		name string
		d    []float64
		eps  float64
		want string
	}{
		{"quarter above", []float64{1, 2, 3, 4}, 3, "25.0% of users above eps"},
		{"ties at eps are core", []float64{1, 2, 2, 2, 5}, 2, "20.0% of users above eps"},
		{"all above", []float64{1, 2}, 0.5, "100.0% of users above eps"},
		{"none above", []float64{1, 2}, 9, "0.0% of users above eps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := KDistance(KDistanceSpec{Title: "k", Distances: tt.d, K: 2, Eps: tt.eps})
			if err != nil {
				t.Fatal(err)
			}
			if got := f.legend[len(f.legend)-1].label; !strings.HasPrefix(got, tt.want) {
				t.Errorf("legend says %q, want it to start %q", got, tt.want)
			}
		})
	}
}

// TestDendrogramColours checks that the links inside a segment take its
// colour, that the links joining segments are dark grey, and that the
// legend lists only the segments that own a leaf.
func TestDendrogramColours(t *testing.T) {
	leaves, merges := sampleTree(3)
	f, err := Dendrogram(DendrogramSpec{Title: "Tree", Segments: []string{"a", "b", "c", "d", "e"}, Leaves: leaves, Merges: merges, Cut: 3, CutLabel: "cut for k = 3"})
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, e := range f.legend {
		labels = append(labels, e.label)
	}
	if got, want := strings.Join(labels, "|"), "a|b|c|joins segments|cut for k = 3"; got != want {
		t.Errorf("legend is %q, want %q", got, want)
	}
	var b bytes.Buffer
	if err := f.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	svg := strings.ToLower(b.String())
	for i := range 3 {
		if !strings.Contains(svg, hexOf(SegmentColor(i))) {
			t.Errorf("segment %d's colour is missing", i)
		}
	}
	if !strings.Contains(svg, hexOf(linkInk)) || !strings.Contains(svg, hexOf(markInk)) {
		t.Error("the joining links or the cut line are missing")
	}
	if strings.Contains(svg, hexOf(SegmentColor(4))) { // SegmentColor(3) is markInk
		t.Error("segment e owns no leaf but its colour is drawn")
	}
}

// TestDendrogramOneSegment checks that a tree inside one segment has no
// "joins segments" legend entry.
func TestDendrogramOneSegment(t *testing.T) {
	f, err := Dendrogram(DendrogramSpec{Title: "Tree", Segments: []string{"a"}, Leaves: []DendrogramLeaf{{3, 0}, {4, 0}}, Merges: []DendrogramMerge{{0, 1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.legend) != 1 || f.legend[0].label != "a" {
		t.Errorf("legend is %+v, want segment a alone", f.legend)
	}
}

func TestOrdinal(t *testing.T) {
	for k, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 102: "102nd", 111: "111th"} {
		if got := Ordinal(k); got != want {
			t.Errorf("Ordinal(%d) = %q, want %q", k, got, want)
		}
	}
}
