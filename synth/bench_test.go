package synth

import (
	"context"
	"testing"
)

func BenchmarkGenerate20k(b *testing.B) { benchGenerate(b, 20000) }

func benchGenerate(b *testing.B, users int) {
	dir := b.TempDir()
	var sum Summary
	for b.Loop() {
		var err error
		sum, err = Generate(context.Background(), dir, Options{Users: users, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(sum.Events), "events")
}
