package chart

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestManySegments draws the charts that grow with the number of segments
// for 12 segments with long names (see -chartdir to look at them); the
// heatmap must then label its columns by number.
func TestManySegments(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var segs []string
	for i := range 12 {
		name := sampleSegments[i%7]
		if i >= 7 {
			name += " with a longer name"
		}
		segs = append(segs, name)
	}
	heat, err := Heatmap(HeatmapSpec{Title: "Key characteristics", Segments: segs, Rows: sampleFeatures(12), Z: sampleZ(rng, 12, 12), ScaleLabel: "z-score"})
	if err != nil {
		t.Fatal(err)
	}
	writeOut(t, "many-heat", heat)
	for i, e := range heat.legend {
		if want := fmt.Sprintf("%d %s", i+1, segs[i]); e.label != want {
			t.Errorf("heatmap legend entry %d is %q, want %q: names too long for their column must become numbers", i, e.label, want)
		}
	}
	if len(heat.legend) != 12 {
		t.Errorf("heatmap legend has %d entries, want 12", len(heat.legend))
	}
	lines, err := Lines(LinesSpec{Title: "Hours", XTicks: make([]string, 24), Segments: segs, Values: hourShares(rng, 12)})
	if err != nil {
		t.Fatal(err)
	}
	writeOut(t, "many-lines", lines)
}
