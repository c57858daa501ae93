//go:build cgo

package pipeline_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/persona-seg/persona/metrics"
	"github.com/persona-seg/persona/pipeline"
)

// segmentsCSV reads user_id and segment of a run's segments.csv.
func segmentsCSV(t *testing.T, out string) ([]string, []int) {
	t.Helper()
	f, err := os.Open(filepath.Join(out, "segments.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	var segs []int
	for _, r := range recs[1:] {
		s, err := strconv.Atoi(r[1])
		if err != nil {
			t.Fatal(err)
		}
		ids, segs = append(ids, r[0]), append(segs, s)
	}
	return ids, segs
}

// TestDemoSample: with the DuckDB engine a run fitted on a sample of the
// demo users assigns every user (segments.csv), close to the full fit
// (ARI), and its segment sizes are every user's.
func TestDemoSample(t *testing.T) {
	const users, sample = 1500, 400
	fullOut, sampleOut := t.TempDir(), t.TempDir()
	runDemo(t, fullOut, users, 3)
	sum, err := pipeline.Demo(context.Background(), "duckdb", pipeline.DemoOptions{
		Users:   users,
		Options: pipeline.Options{Out: sampleOut, Seed: 3, KMax: 9, Sample: sample},
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := sum.Sample; s == nil || s.Fitted != sample || s.Users != users || s.Stratum != "frequency" || s.Table != "" {
		t.Fatalf("sample summary %+v", sum.Sample)
	}
	total := 0
	for _, n := range sum.Sizes {
		total += n
	}
	if sum.Users != users || total != users {
		t.Errorf("summary: %d users, sizes %v (sum %d); want %d", sum.Users, sum.Sizes, total, users)
	}
	fullIDs, fullSegs := segmentsCSV(t, fullOut)
	ids, segs := segmentsCSV(t, sampleOut)
	if !slices.Equal(ids, fullIDs) {
		t.Fatalf("segments.csv of the sample run holds %d users, the full fit's %d", len(ids), len(fullIDs))
	}
	counts := map[int]int{}
	for _, s := range segs {
		counts[s]++
	}
	for i, s := range sum.Segments {
		if s.Size != counts[s.ID] {
			t.Errorf("segment %d: size %d in the summary, %d in segments.csv", s.ID, sum.Sizes[i], counts[s.ID])
		}
	}
	// Customer value is every customer's, as in the full run.
	fullValue, _ := os.ReadFile(filepath.Join(fullOut, "value.csv"))
	sampleValue, err := os.ReadFile(filepath.Join(sampleOut, "value.csv"))
	if err != nil || len(fullValue) == 0 || !bytes.Equal(sampleValue, fullValue) {
		t.Errorf("value.csv of the sample run differs from the full run's (%v)", err)
	}
	ari, err := metrics.AdjustedRand(fullSegs, segs)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ARI of the fit on %d of %d demo users vs the full fit: %.3f", sample, users, ari)
	if ari < 0.6 {
		t.Errorf("ARI %.3f vs the full fit, want at least 0.6", ari)
	}
}
