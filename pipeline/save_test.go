//go:build cgo

// This file runs DuckDB (cgo); CGO_ENABLED=0 go test ./pipeline runs the
// commit-protocol tests alone.

package pipeline_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/cluster"
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
	runDemo(t, out, 800, 5)
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

	st, err := store.Open(ctx, filepath.Join(out, store.File), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.List(ctx, persona.RunFilter{})
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
	tab, err := pipeline.Featurize(ctx, "duckdb", m, rec)
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
	// One user's records alone, at the training as_of, give that user's
	// training features: prices are compared with the training data's
	// category medians, not with the user's own.
	var summary struct {
		AsOf string `json:"as_of"`
	}
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &summary); err != nil {
		t.Fatal(err)
	}
	// Three buyers whose prices differ from their categories' medians.
	var buyers []int
	pl := sc.Features.Col("price_level")
	for k := range sc.UserIDs {
		if v := sc.Features.X.At(k, pl); v != 1 && len(buyers) < 3 {
			buyers = append(buyers, k)
		}
	}
	if len(buyers) < 3 {
		t.Fatalf("only %d users with a price level other than 1", len(buyers))
	}
	for _, k := range buyers {
		user := sc.UserIDs[k]
		only := func(rows []map[string]any) []map[string]any {
			var out []map[string]any
			for _, r := range rows {
				if r["user_id"] == user {
					out = append(out, r)
				}
			}
			return out
		}
		one := &pipeline.Records{Users: only(rec.Users), Events: only(rec.Events), Transactions: only(rec.Transactions), Social: only(rec.Social), AsOf: summary.AsOf}
		tab1, err := pipeline.Featurize(ctx, "duckdb", m, one)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(sc.Features.X.RawRowView(k), tab1.X.RawRowView(0), cmpopts.EquateApprox(0, 1e-9)); diff != "" || tab1.UserIDs[0] != user {
			t.Errorf("user %s's features from its records alone differ from the training table (-train +alone):\n%s", user, diff)
		}
	}
	if _, err := pipeline.Featurize(ctx, "duckdb", m, &pipeline.Records{Events: []map[string]any{{"user_id": "x", "timestamp": "not a time", "event_type": "login"}}}); err == nil {
		t.Errorf("Featurize accepted an event with a bad timestamp")
	}
}

// readRecords reads a CSV file as JSON-like records (empty cells left out).
func readRecords(t testing.TB, path string) []map[string]any {
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

// TestScoreOtherAlgorithms scores the training data with the models of
// DBSCAN runs (nearest core point within eps: every user gets its training
// segment back, noise included) and hierarchical runs (nearest segment
// centre: Ward segments are not Voronoi cells, so a few users near a border
// move; at least 90% keep their segment).
func TestScoreOtherAlgorithms(t *testing.T) {
	tests := []struct {
		algorithm cluster.Algorithm
		minAgree  float64
	}{
		{cluster.AlgorithmDBSCAN, 1},
		{cluster.AlgorithmHierarchical, 0.9},
	}
	for _, tt := range tests {
		t.Run(string(tt.algorithm), func(t *testing.T) {
			ctx := context.Background()
			out := t.TempDir()
			if _, err := pipeline.Demo(ctx, "duckdb", pipeline.DemoOptions{Users: 600, Options: pipeline.Options{Out: out, Seed: 2, KMax: 8, Algorithm: tt.algorithm, Store: duckStore(out)}}); err != nil {
				t.Fatal(err)
			}
			m, err := model.Read(filepath.Join(out, pipeline.ModelFile))
			if err != nil {
				t.Fatal(err)
			}
			if m.Algorithm != tt.algorithm {
				t.Fatalf("model algorithm %q, want %q", m.Algorithm, tt.algorithm)
			}
			ids, labels, _, err := pipeline.ReadSegments(filepath.Join(out, "segments.csv"))
			if err != nil {
				t.Fatal(err)
			}
			data := filepath.Join(out, "data")
			src := dataset.Sources{Users: filepath.Join(data, "users.csv"), Events: filepath.Join(data, "events.csv"),
				Transactions: filepath.Join(data, "transactions.csv"), Social: filepath.Join(data, "social.csv")}
			sc, err := pipeline.Score(ctx, "duckdb", src.Config(), m, features.Options{}, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			train := map[string]int{}
			for i, id := range ids {
				train[id] = labels[i]
			}
			agree := 0
			for i, id := range sc.UserIDs {
				if train[id] == sc.Segments[i] {
					agree++
				}
			}
			if got := float64(agree) / float64(len(ids)); got < tt.minAgree || len(sc.UserIDs) != len(ids) {
				t.Errorf("%d of %d users scored into their training segment (%.3f), want at least %.2f", agree, len(ids), got, tt.minAgree)
			}
		})
	}
}
