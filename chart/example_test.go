package chart_test

import (
	"fmt"
	"log"
	"os"

	"github.com/persona-seg/persona/chart"
)

func ExampleBars() {
	f, err := chart.Bars(chart.BarsSpec{
		Title:    "Users per segment",
		Segments: []string{"Regulars", "Drifters"},
		Panels: []chart.BarPanel{{
			Title: "Users", XLabel: "users",
			Values: []float64{700, 300}, Labels: []string{"700 (70%)", "300 (30%)"},
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	w, h := f.Size()
	fmt.Printf("%s: %.0f×%.0f pt\n", f.Title(), w.Points(), h.Points())
	if err := f.WriteSVG(os.Stdout); err != nil { // or WritePNG(w, 144)
		log.Fatal(err)
	}
}

func ExampleSegmentColor() {
	for i := range 3 {
		c := chart.SegmentColor(i)
		fmt.Printf("segment %d: #%02x%02x%02x\n", i, c.R, c.G, c.B)
	}
	// Output:
	// segment 0: #0072b2
	// segment 1: #e69f00
	// segment 2: #009e73
}

func ExampleDendrogram() {
	// Four leaves: two per segment; each segment's leaves merge first, then
	// the segments join above the cut.
	f, err := chart.Dendrogram(chart.DendrogramSpec{
		Title:    "How the segments nest",
		YLabel:   "merge height (Ward linkage distance)",
		Segments: []string{"Regulars", "Drifters"},
		Leaves:   []chart.DendrogramLeaf{{Size: 400, Segment: 0}, {Size: 300, Segment: 0}, {Size: 1, Segment: 1}, {Size: 299, Segment: 1}},
		Merges:   []chart.DendrogramMerge{{A: 0, B: 1, Height: 1.5}, {A: 2, B: 3, Height: 2.1}, {A: 4, B: 5, Height: 7.8}},
		Cut:      (2.1 + 7.8) / 2, CutLabel: "cut into k = 2 segments",
	})
	if err != nil {
		log.Fatal(err)
	}
	w, h := f.Size()
	fmt.Printf("%s: %.0f×%.0f pt\n", f.Title(), w.Points(), h.Points())
	// Output:
	// How the segments nest: 720×399 pt
}

func ExampleUnsegmentedColor() {
	c := chart.UnsegmentedColor()
	fmt.Printf("#%02x%02x%02x\n", c.R, c.G, c.B)
	// Output:
	// #9a9a9a
}
