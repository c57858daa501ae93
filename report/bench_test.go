package report

import (
	"context"
	"testing"
)

// BenchmarkWriteSample writes the full sample report: 7 segments, 40
// features, 2,000 projection points, 10 charts as SVG and PNG.
func BenchmarkWriteSample(b *testing.B) {
	in := sampleInput()
	dir := b.TempDir()
	for b.Loop() {
		if err := Write(context.Background(), dir, in, WriteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
