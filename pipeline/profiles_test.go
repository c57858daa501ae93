//go:build cgo

// This file runs DuckDB (cgo); CGO_ENABLED=0 go test ./pipeline runs the
// commit-protocol tests alone.

package pipeline_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/persona-seg/persona/pipeline"
	"github.com/persona-seg/persona/profile"
)

// TestRerunKeepsSegmentIDs runs the demo twice in one folder with a
// different number of segments: every segment of the second run that
// continues one of the first keeps its id, and its name unless its
// standing or name labels changed (then profiles.json records the old
// name).
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
	raw, err := os.ReadFile(filepath.Join(out, "profiles.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep profile.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	segs := map[int]profile.Segment{}
	for _, s := range rep.Segments {
		segs[s.ID] = s
	}
	kept := 0
	for a, b := range tr.Match {
		if a != b {
			t.Errorf("segment %d continues segment %d but did not keep its id", a, b)
		}
		s := segs[a]
		if s.Name != aNames[a] || s.Previous != bNames[b] {
			t.Errorf("segment %d: named %q (segments.csv %q), previous %q, want previous %q", a, s.Name, aNames[a], s.Previous, bNames[b])
		}
		if s.Name == bNames[b] {
			kept++
			continue
		}
		// Renamed: the old name's standing or labels no longer hold.
		oldStanding, oldLabels, _ := strings.Cut(bNames[b], " — ")
		if oldStanding == s.Standing && strings.HasPrefix(s.Name, bNames[b]) {
			t.Errorf("segment %d renamed from %q to %q though its standing and labels still hold", a, bNames[b], s.Name)
		}
		t.Logf("segment %d renamed: %q (%s) -> %q", a, bNames[b], oldLabels, s.Name)
	}
	if kept == 0 {
		t.Errorf("no segment kept its name: %v -> %v", bNames, aNames)
	}
}
