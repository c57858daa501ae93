package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/persona-seg/persona/pipeline"
	"github.com/persona-seg/persona/profile"
)

// TestRerunKeepsSegmentIDs runs the demo twice in one folder with a
// different number of segments: every segment of the second run that
// continues one of the first keeps its id and name.
func TestRerunKeepsSegmentIDs(t *testing.T) {
	out := t.TempDir()
	run := func(k int) {
		t.Helper()
		if _, err := pipeline.Demo(context.Background(), "duckdb", pipeline.DemoOptions{Users: 800, Options: pipeline.Options{Out: out, Seed: 4, K: k, Store: duckStore(out)}}); err != nil {
			t.Fatalf("demo k = %d: %v", k, err)
		}
	}
	run(6)
	first := filepath.Join(t.TempDir(), "first.csv")
	b, err := os.ReadFile(filepath.Join(out, "segments.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(first, b, 0o644); err != nil {
		t.Fatal(err)
	}
	run(5)
	for _, f := range []string{"profiles.md", "rfm.csv", "baskets.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing output %s: %v", f, err)
		}
	}
	bIDs, bLab, bNames, err := pipeline.ReadSegments(first)
	if err != nil {
		t.Fatal(err)
	}
	aIDs, aLab, aNames, err := pipeline.ReadSegments(filepath.Join(out, "segments.csv"))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := profile.Compare(bIDs, bLab, aIDs, aLab)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Match) != 5 {
		t.Errorf("%d of 5 segments continue one of the first run: %v", len(tr.Match), tr.Match)
	}
	for a, b := range tr.Match {
		if a != b {
			t.Errorf("segment %d continues segment %d but did not keep its id", a, b)
		}
		if aNames[a] != bNames[b] {
			t.Errorf("segment %d is named %q, was %q", a, aNames[a], bNames[b])
		}
	}
}
