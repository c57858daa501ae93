package synth

import (
	"context"
	"runtime"
	"testing"
)

// allocated returns the bytes allocated by one Generate of n users.
func allocated(t *testing.T, n int) uint64 {
	t.Helper()
	dir := t.TempDir()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := Generate(context.Background(), dir, Options{Users: n, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestStreaming checks that rows are streamed: allocation does not grow
// with the number of rows written (only by a byte or so per user).
func TestStreaming(t *testing.T) {
	small, large := allocated(t, 1000), allocated(t, 8000)
	t.Logf("allocated: %d bytes for 1000 users, %d for 8000", small, large)
	if large > 2*small {
		t.Errorf("8000 users allocated %d bytes, 1000 users %d: want less than twice as much", large, small)
	}
}
