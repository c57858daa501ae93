package pipeline_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/pipeline"
	"github.com/persona-seg/persona/store"
)

// TestScoreTrainingData scores the demo's own data with the model its run
// saved: every user must get its training segment back, and the store must
// hold the same assignments.
func TestScoreTrainingData(t *testing.T) {
	ctx := context.Background()
	out := t.TempDir()
	runDemo(t, out, 1200, 5)
	m, err := model.Read(filepath.Join(out, pipeline.ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	ids, labels, _, err := pipeline.ReadSegments(filepath.Join(out, "segments.csv"))
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(out, "data")
	src := dataset.Sources{
		Users:        filepath.Join(data, "users.csv"),
		Events:       filepath.Join(data, "events.csv"),
		Transactions: filepath.Join(data, "transactions.csv"),
		Social:       filepath.Join(data, "social.csv"),
	}
	sc, err := pipeline.Score(ctx, "duckdb", src.Config(), m, pipelineFeatureOptions(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for i, id := range ids {
		want[id] = labels[i]
	}
	got := map[string]int{}
	for i, id := range sc.UserIDs {
		got[id] = sc.Segments[i]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scored segments differ from the training segments (-train +scored):\n%s", diff)
	}

	st, err := store.Open(ctx, "duckdb", filepath.Join(out, store.File))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(ctx)
	if err != nil || len(runs) != 1 || runs[0].ID != m.RunID {
		t.Fatalf("runs = %v, %v; want one run %s", runs, err, m.RunID)
	}
	res, err := st.Load(ctx, m.RunID)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for i, id := range res.UserIDs {
		stored[id] = res.Segments[i]
	}
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Errorf("stored segments differ from segments.csv (-csv +store):\n%s", diff)
	}
	if len(res.Recommendations) == 0 {
		t.Errorf("the store holds no recommendations")
	}

	// The same data given as raw records (as POST /api/score takes them)
	// gives the same features, so the same segments.
	rec := &pipeline.Records{
		Users:        readRecords(t, src.Users),
		Events:       readRecords(t, src.Events),
		Transactions: readRecords(t, src.Transactions),
		Social:       readRecords(t, src.Social),
	}
	tab, err := pipeline.Featurize(ctx, "duckdb", m.Features, rec)
	if err != nil {
		t.Fatal(err)
	}
	segs, _, err := m.Assign(tab.X)
	if err != nil {
		t.Fatal(err)
	}
	fromRecords := map[string]int{}
	for i, id := range tab.UserIDs {
		fromRecords[id] = segs[i]
	}
	if diff := cmp.Diff(want, fromRecords); diff != "" {
		t.Errorf("segments from records differ from the training segments (-train +records):\n%s", diff)
	}
	if _, err := pipeline.Featurize(ctx, "duckdb", m.Features, &pipeline.Records{Events: []map[string]any{{"user_id": "x", "timestamp": "not a time", "event_type": "login"}}}); err == nil {
		t.Errorf("Featurize accepted an event with a bad timestamp")
	}
}

// readRecords reads a CSV file as JSON-like records (empty cells left out).
func readRecords(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, r := range recs[1:] {
		m := map[string]any{}
		for j, v := range r {
			if v != "" {
				m[recs[0][j]] = v
			}
		}
		out = append(out, m)
	}
	return out
}

func pipelineFeatureOptions() (o features.Options) { return o }
