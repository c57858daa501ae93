package dataset_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/synth"
)

// synthParquet generates the demo data for users users once, as Parquet,
// in $PERSONA_BENCH_DIR (default: the system's temp folder), with a config
// (persona.yaml) that bounds DuckDB to 2 threads and $PERSONA_BENCH_MEMORY
// (default 4GB), spilling to a folder beside the data. It returns the
// config and the number of events.
func synthParquet(b *testing.B, users int) (string, int64) {
	b.Helper()
	base := os.Getenv("PERSONA_BENCH_DIR")
	if base == "" {
		base = os.TempDir()
	}
	dir := filepath.Join(base, fmt.Sprintf("persona-synth-%d", users))
	config := filepath.Join(dir, "persona.yaml")
	mem := os.Getenv("PERSONA_BENCH_MEMORY")
	if mem == "" {
		mem = "4GB"
	}
	if _, err := os.Stat(filepath.Join(dir, "events.parquet")); err != nil {
		csvDir := filepath.Join(dir, "csv")
		if _, err := synth.Generate(context.Background(), csvDir, synth.Options{Users: users, Seed: 1}); err != nil {
			b.Fatal(err)
		}
		db := openDB(b)
		for _, k := range dataset.Kinds {
			q := fmt.Sprintf("COPY (SELECT * FROM read_csv('%s')) TO '%s' (FORMAT parquet)",
				filepath.Join(csvDir, string(k)+".csv"), filepath.Join(dir, string(k)+".parquet"))
			if _, err := db.Exec(q); err != nil {
				b.Fatal(err)
			}
		}
		os.RemoveAll(csvDir)
	}
	cfg := fmt.Sprintf(`users: {path: users.parquet}
events: {path: events.parquet}
transactions: {path: transactions.parquet}
social: {path: social.parquet}
duckdb: {memory_limit: %s, temp_directory: %s, threads: 2}
`, mem, filepath.Join(dir, "spill"))
	if err := os.WriteFile(config, []byte(cfg), 0o644); err != nil {
		b.Fatal(err)
	}
	db := openDB(b)
	var events int64
	if err := db.QueryRow(fmt.Sprintf("SELECT count(*) FROM '%s'", filepath.Join(dir, "events.parquet"))).Scan(&events); err != nil {
		b.Fatal(err)
	}
	return config, events
}

// benchFeatures loads the config's data and computes the feature table,
// as persona features does.
func benchFeatures(b *testing.B, cfg *dataset.Config, events int64) {
	ctx := context.Background()
	for b.Loop() {
		db := openDB(b)
		if _, err := dataset.Load(ctx, db, cfg); err != nil {
			b.Fatal(err)
		}
		q, err := features.Build(ctx, db, features.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Exec("CREATE TABLE f AS " + q.SQL); err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
	if events > 0 {
		b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	}
}

func benchSynth(b *testing.B, users int) {
	config, events := synthParquet(b, users)
	cfg, err := dataset.LoadConfig(config)
	if err != nil {
		b.Fatal(err)
	}
	benchFeatures(b, cfg, events)
}

func BenchmarkFeaturesSynth100k(b *testing.B) { benchSynth(b, 100_000) }
func BenchmarkFeaturesSynth1M(b *testing.B)   { benchSynth(b, 1_000_000) }

// BenchmarkLoadSynth100k times Load alone on the demo data for 100,000
// users (about 9.7 million events) as Parquet.
func BenchmarkLoadSynth100k(b *testing.B) {
	config, events := synthParquet(b, 100_000)
	cfg, err := dataset.LoadConfig(config)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		db := openDB(b)
		if _, err := dataset.Load(ctx, db, cfg); err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkFeaturesOnlineRetail loads the 541,909 lines of Online Retail
// and computes their features (skips without ../shared/data).
func BenchmarkFeaturesOnlineRetail(b *testing.B) { benchFeatures(b, retailConfig(b), 0) }
