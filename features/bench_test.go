package features_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/synth"
)

// benchCompute loads the demo data of users users once (as tables, the
// way the loader leaves them) and times the feature SQL alone: Build, the
// stages and the final join, read back as Compute does.
func benchCompute(b *testing.B, users int) {
	ctx := context.Background()
	dir := b.TempDir()
	if _, err := synth.Generate(ctx, dir, synth.Options{Users: users, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("SET threads = 2"); err != nil {
		b.Fatal(err)
	}
	src := dataset.Sources{}
	for _, k := range dataset.Kinds {
		p := filepath.Join(dir, string(k)+".csv")
		switch k {
		case dataset.Users:
			src.Users = p
		case dataset.Events:
			src.Events = p
		case dataset.Transactions:
			src.Transactions = p
		case dataset.Social:
			src.Social = p
		}
	}
	if _, err := dataset.LoadCSV(ctx, db, src); err != nil {
		b.Fatal(err)
	}
	// Materialize the canonical datasets if the loader left views, so
	// that only the feature SQL is timed.
	for _, k := range dataset.Kinds {
		var typ string
		if err := db.QueryRow("SELECT table_type FROM information_schema.tables WHERE table_name = ?", string(k)).Scan(&typ); err != nil {
			b.Fatal(err)
		}
		if typ == "VIEW" {
			for _, q := range []string{
				"CREATE TABLE _bench_" + string(k) + " AS SELECT * FROM " + string(k),
				"DROP VIEW " + string(k),
				"ALTER TABLE _bench_" + string(k) + " RENAME TO " + string(k),
			} {
				if _, err := db.Exec(q); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	var events int64
	if err := db.QueryRow("SELECT count(*) FROM events").Scan(&events); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := features.Compute(ctx, db, features.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkCompute10k(b *testing.B)  { benchCompute(b, 10_000) }
func BenchmarkCompute100k(b *testing.B) { benchCompute(b, 100_000) }
