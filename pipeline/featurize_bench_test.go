//go:build cgo

// This file runs DuckDB (cgo); CGO_ENABLED=0 go test ./pipeline runs the
// commit-protocol tests alone.

package pipeline_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/pipeline"
)

// BenchmarkFeaturizeOneUser describes one user from their own raw rows, as
// POST /api/score's records do, in a database opened for the call and
// with a Featurizer (persona serve's).
func BenchmarkFeaturizeOneUser(b *testing.B) {
	out := b.TempDir()
	if _, err := pipeline.Demo(context.Background(), "duckdb", pipeline.DemoOptions{Users: 300,
		Options: pipeline.Options{Out: out, Seed: 1, K: 4, Store: duckStore(out)}}); err != nil {
		b.Fatal(err)
	}
	m, err := model.Read(filepath.Join(out, pipeline.ModelFile))
	if err != nil {
		b.Fatal(err)
	}
	data := filepath.Join(out, "data")
	only := func(rows []map[string]any) []map[string]any {
		var o []map[string]any
		for _, r := range rows {
			if r["user_id"] == "U000002" {
				o = append(o, r)
			}
		}
		return o
	}
	rec := &pipeline.Records{
		Users:        only(readRecords(b, filepath.Join(data, "users.csv"))),
		Events:       only(readRecords(b, filepath.Join(data, "events.csv"))),
		Transactions: only(readRecords(b, filepath.Join(data, "transactions.csv"))),
		Social:       only(readRecords(b, filepath.Join(data, "social.csv"))),
	}
	b.Run("fresh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := pipeline.FeaturizeValue(context.Background(), "duckdb", m, rec); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A Featurizer opens the databases ahead and closes them after, off
	// the call.
	b.Run("featurizer", func(b *testing.B) {
		f := pipeline.NewFeaturizer("duckdb", 2)
		defer f.Close()
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := f.FeaturizeValue(context.Background(), m, rec); err != nil {
				b.Fatal(err)
			}
		}
	})
}
