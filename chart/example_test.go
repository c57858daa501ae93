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
