package report_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/persona-seg/persona/report"
)

func ExampleWrite() {
	dir, err := os.MkdirTemp("", "report")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	in := report.Input{
		Title:    "Customer segments",
		Subtitle: "Demo: 1,000 users",
		Segments: []report.Segment{
			{ID: 0, Name: "Regulars", Size: 700, Share: 0.7, Description: "Visit every week.",
				Traits: []report.Trait{{Feature: "visits_per_week", Z: 1.4}}, Actions: []string{"Reward loyalty"}},
			{ID: 1, Name: "Drifters", Size: 300, Share: 0.3, Description: "Came once or twice."},
		},
		KCurve:  []report.KPoint{{K: 2, Inertia: 120, Silhouette: 0.55}, {K: 3, Inertia: 95, Silhouette: 0.41}},
		ChosenK: 2,
		Method:  []report.KeyValue{{Key: "Algorithm", Value: "K-Means, k = 2"}},
	}
	if err := report.Write(context.Background(), dir, in, report.WriteOptions{}); err != nil {
		log.Fatal(err)
	}
	charts, _ := filepath.Glob(filepath.Join(dir, "charts", "*.svg"))
	for _, c := range charts {
		fmt.Println(filepath.Base(c))
	}
	// Output:
	// diagnostics.svg
	// profiles.svg
	// segment-0.svg
	// segment-sizes.svg
}
