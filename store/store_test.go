package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/internal/fault"
	"github.com/persona-seg/persona/internal/runstoretest"
	"github.com/persona-seg/persona/store"
	"github.com/persona-seg/persona/store/appender"
	"github.com/persona-seg/persona/store/pgcopy"
)

var bulk = store.Options{Bulk: []store.BulkWriter{appender.Writer{}, pgcopy.Writer{}}}

// opener opens a new, empty store of one kind.
type opener func(t *testing.T, opts store.Options) *store.Store

// openers returns the stores to test: a DuckDB file, and Postgres when
// PERSONA_TEST_POSTGRES names a server (required when CI is set).
func openers(t *testing.T) map[string]opener {
	out := map[string]opener{"duckdb": func(t *testing.T, opts store.Options) *store.Store {
		st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), store.File), opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}}
	dsn := os.Getenv("PERSONA_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but PERSONA_TEST_POSTGRES is not: scripts/test.sh starts a Postgres server for this test")
		}
		t.Log("PERSONA_TEST_POSTGRES not set: the Postgres store is not tested")
		return out
	}
	out["postgres"] = func(t *testing.T, opts store.Options) *store.Store {
		return openPostgres(t, dsn, opts)
	}
	return out
}

// openPostgres opens a store in a schema of its own, so runs of the test
// do not see each other.
func openPostgres(t *testing.T, dsn string, opts store.Options) *store.Store {
	ctx := context.Background()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := fmt.Sprintf("persona_test_%d", time.Now().UnixNano())
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, _ := sql.Open("pgx", dsn)
		a.Exec("DROP SCHEMA " + schema + " CASCADE")
		a.Close()
	})
	st, err := store.Open(ctx, withSearchPath(dsn, schema), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func withSearchPath(dsn, schema string) string {
	sep := "?"
	for _, c := range dsn {
		if c == '?' {
			sep = "&"
		}
	}
	return dsn + sep + "search_path=" + schema
}

// TestRunStore runs the RunStore cases on each store, with and without
// the bulk writers.
func TestRunStore(t *testing.T) {
	for name, open := range openers(t) {
		for _, mode := range []struct {
			name string
			opts store.Options
		}{{"bulk", bulk}, {"insert", store.Options{}}} {
			t.Run(name+"/"+mode.name, func(t *testing.T) {
				runstoretest.Test(t, func(t *testing.T) persona.RunStore { return open(t, mode.opts) })
			})
		}
	}
}

// TestSaveFailsHalfWay stops Save after it has written part of a run's
// rows, replacing a committed run of the same id and as a new run: the
// store reads as before, in every store and either way of writing rows.
func TestSaveFailsHalfWay(t *testing.T) {
	ctx := context.Background()
	for name, open := range openers(t) {
		for _, mode := range []struct {
			name string
			opts store.Options
		}{{"bulk", bulk}, {"insert", store.Options{}}} {
			t.Run(name+"/"+mode.name, func(t *testing.T) {
				st := open(t, mode.opts)
				good := runstoretest.Results(t, "good", 300, 1)
				if err := st.Save(ctx, good); err != nil {
					t.Fatal(err)
				}
				if err := st.Commit(ctx, "good"); err != nil {
					t.Fatal(err)
				}
				before, err := st.Load(ctx, "good")
				if err != nil {
					t.Fatal(err)
				}
				t.Setenv(fault.Env, "store-rows=fail")
				for _, r := range []*persona.Results{runstoretest.Results(t, "good", 500, 2), runstoretest.Results(t, "other", 400, 3)} {
					if err := st.Save(ctx, r); err == nil {
						t.Fatalf("Save of %s with a fault half-way succeeded", r.Run.ID)
					}
				}
				os.Unsetenv(fault.Env)
				for _, pending := range []bool{false, true} {
					runs, err := st.List(ctx, persona.RunFilter{Pending: pending})
					if err != nil {
						t.Fatal(err)
					}
					want := 1
					if pending {
						want = 0
					}
					if len(runs) != want {
						t.Errorf("List(pending %v) = %d runs, want %d", pending, len(runs), want)
					}
				}
				after, err := st.Load(ctx, "good")
				if err != nil {
					t.Fatal(err)
				}
				if after.Run.Fingerprint != before.Run.Fingerprint || len(after.UserIDs) != 300 || len(after.Recommendations) != len(before.Recommendations) {
					t.Errorf("the committed run changed: %d users, fingerprint %s (was %s)", len(after.UserIDs), after.Run.Fingerprint, before.Run.Fingerprint)
				}
				var n int
				if err := st.DB().QueryRowContext(ctx, "SELECT count(*) FROM persona_assignments WHERE run_id = 'other'").Scan(&n); err != nil || n != 0 {
					t.Errorf("rows of the failed run: %d, %v", n, err)
				}
			})
		}
	}
}

// TestReadOnly opens a DuckDB store read-only, on a file nobody may write:
// it reads the committed runs and refuses to write.
func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, store.File)
	st, err := store.Open(ctx, path, bulk)
	if err != nil {
		t.Fatal(err)
	}
	r := runstoretest.Results(t, "r", 100, 1)
	if err := st.Save(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(ctx, "r"); err != nil {
		t.Fatal(err)
	}
	if err := st.Save(ctx, runstoretest.Results(t, "pending", 100, 2)); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	ro, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if id, err := ro.Latest(ctx); err != nil || id != "r" {
		t.Errorf("Latest = %q, %v; want r", id, err)
	}
	if _, err := ro.Load(ctx, "r"); err != nil {
		t.Error(err)
	}
	if err := ro.Save(ctx, runstoretest.Results(t, "w", 10, 3)); err == nil {
		t.Error("Save on a read-only store succeeded")
	}
	if err := ro.Commit(ctx, "pending"); err == nil {
		t.Error("Commit on a read-only store succeeded")
	}
}

// TestLegacyStore opens a store written before runs were committed (no
// committed column): its runs count as committed, read-only or not.
func TestLegacyStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), store.File)
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Save(ctx, runstoretest.Results(t, "old", 50, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, "ALTER TABLE persona_runs DROP COLUMN committed"); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	for _, ro := range []bool{true, false} {
		st, err := store.Open(ctx, path, store.Options{ReadOnly: ro})
		if err != nil {
			t.Fatal(err)
		}
		if id, err := st.Latest(ctx); err != nil || id != "old" {
			t.Errorf("read-only %v: Latest = %q, %v; want old", ro, id, err)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStoreWithoutValues opens a store written before runs kept customer
// values (no customer_values column, no persona_values table): its runs
// load without values, read-only or not.
func TestStoreWithoutValues(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), store.File)
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := runstoretest.Results(t, "old", 50, 1)
	r.Values = nil
	if err := st.Save(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(ctx, "old"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"ALTER TABLE persona_runs DROP COLUMN customer_values", "DROP TABLE persona_values"} {
		if _, err := st.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	for _, ro := range []bool{true, false} {
		st, err := store.Open(ctx, path, store.Options{ReadOnly: ro})
		if err != nil {
			t.Fatal(err)
		}
		back, err := st.Load(ctx, "old")
		if err != nil {
			t.Fatalf("read-only %v: %v", ro, err)
		}
		if back.Values != nil || len(back.UserIDs) != 50 {
			t.Errorf("read-only %v: Load = %v users, values %v; want 50 users, no values", ro, len(back.UserIDs), back.Values)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkSave100k saves a run of 100,000 users with 3 features and 2
// recommendations for a third of them into a fresh DuckDB file.
func BenchmarkSave100k(b *testing.B) {
	r := runstoretest.Results(b, "bench", 100_000, 1)
	ctx := context.Background()
	for b.Loop() {
		st, err := store.Open(ctx, filepath.Join(b.TempDir(), store.File), bulk)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.Save(ctx, r); err != nil {
			b.Fatal(err)
		}
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBulkMatchesInsert saves one run with the driver's bulk path
// (DuckDB's appender, Postgres' COPY) and again, under another id, with
// INSERT statements only: every table must hold the same rows for both.
func TestBulkMatchesInsert(t *testing.T) {
	ctx := context.Background()
	tables := []struct{ name, cols, key string }{
		{"persona_runs", "created_at, algorithm, users, segments, fingerprint, config, summary, feature_names, profiles, model, committed", "id"},
		{"persona_assignments", "user_id, segment, distance", "run_id"},
		{"persona_segments", "id, name, size, share, profile", "run_id"},
		{"persona_recommendations", "user_id, rank, product_id, score", "run_id"},
	}
	for name, open := range openers(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t, bulk)
			r := runstoretest.Results(t, "bulk", 700, 6)
			if err := st.Save(ctx, r); err != nil {
				t.Fatal(err)
			}
			r.Run.ID = "portable"
			if err := store.Portable(st).Save(ctx, r); err != nil {
				t.Fatal(err)
			}
			for _, tb := range tables {
				sel := func(id string) string {
					return fmt.Sprintf("SELECT %s FROM %s WHERE %s = '%s'", tb.cols, tb.name, tb.key, id)
				}
				var bulk, portable, onlyBulk, onlyPortable int
				for _, q := range []struct {
					dst *int
					sql string
				}{
					{&bulk, "SELECT count(*) FROM (" + sel("bulk") + ") t"},
					{&portable, "SELECT count(*) FROM (" + sel("portable") + ") t"},
					{&onlyBulk, "SELECT count(*) FROM (" + sel("bulk") + " EXCEPT ALL " + sel("portable") + ") t"},
					{&onlyPortable, "SELECT count(*) FROM (" + sel("portable") + " EXCEPT ALL " + sel("bulk") + ") t"},
				} {
					if err := st.DB().QueryRowContext(ctx, q.sql).Scan(q.dst); err != nil {
						t.Fatalf("%s: %v", q.sql, err)
					}
				}
				if bulk == 0 || bulk != portable || onlyBulk != 0 || onlyPortable != 0 {
					t.Errorf("%s: %d rows saved in bulk, %d with INSERT; %d only in bulk, %d only with INSERT",
						tb.name, bulk, portable, onlyBulk, onlyPortable)
				}
			}
			// The features, in the runs' own tables, read back the same.
			a, err := st.Load(ctx, "bulk")
			if err != nil {
				t.Fatal(err)
			}
			b, err := st.Load(ctx, "portable")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.UserIDs, b.UserIDs) || !slices.Equal(a.X, b.X) || !slices.Equal(a.X, sortedX(r)) {
				t.Errorf("the features saved in bulk and with INSERT read back differently")
			}
		})
	}
}

// sortedX is r's features in the order of its user ids, as Load returns
// them.
func sortedX(r *persona.Results) []float64 {
	idx := make([]int, len(r.UserIDs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(r.UserIDs[a], r.UserIDs[b]) })
	var out []float64
	for _, i := range idx {
		out = append(out, r.Row(i)...)
	}
	return out
}

// TestFeaturesKeptOnce saves a run of 3 features, kept in its own table
// only (persona_features holds none of its rows), and one of 1,600, too
// many columns for a table, kept as blobs in persona_features: both read
// back their features, in every store and either way of writing rows.
func TestFeaturesKeptOnce(t *testing.T) {
	ctx := context.Background()
	for name, open := range openers(t) {
		for _, mode := range []struct {
			name string
			opts store.Options
		}{{"bulk", bulk}, {"insert", store.Options{}}} {
			t.Run(name+"/"+mode.name, func(t *testing.T) {
				st := open(t, mode.opts)
				few := runstoretest.Results(t, "few", 40, 1)
				many := runstoretest.Results(t, "many", 40, 2)
				const d = 1600
				names := make([]string, d)
				for j := range names {
					names[j] = fmt.Sprintf("f%04d", j)
				}
				copy(names, many.FeatureNames)
				x := make([]float64, 40*d)
				for i := range 40 {
					for j := range d {
						x[i*d+j] = float64(i*d+j) / 7
					}
				}
				many.FeatureNames, many.X = names, x
				for _, tt := range []struct {
					r     *persona.Results
					blobs int
				}{{few, 0}, {many, 40}} {
					if err := st.Save(ctx, tt.r); err != nil {
						t.Fatal(err)
					}
					var blobs int
					if err := st.DB().QueryRowContext(ctx, "SELECT count(*) FROM persona_features WHERE run_id = $1", tt.r.Run.ID).Scan(&blobs); err != nil {
						t.Fatal(err)
					}
					if blobs != tt.blobs {
						t.Errorf("run of %d features: %d rows in persona_features, want %d", len(tt.r.FeatureNames), blobs, tt.blobs)
					}
					got, err := st.Load(ctx, tt.r.Run.ID)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(got.X, sortedX(tt.r)) {
						t.Errorf("run of %d features: its features read back differently", len(tt.r.FeatureNames))
					}
				}
			})
		}
	}
}

// TestMemoryLimit opens a DuckDB store with a memory limit, for writing
// and read-only: DuckDB reports that limit, and the store still saves
// and reads a run.
func TestMemoryLimit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), store.File)
	for _, tt := range []struct {
		name     string
		readOnly bool
		limit    int64
		want     string
	}{
		{"write", false, 300 << 20, "300.0 MiB"},
		{"read-only", true, 1 << 30, "1.0 GiB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := bulk
			opts.ReadOnly, opts.MemoryLimit = tt.readOnly, tt.limit
			st, err := store.Open(ctx, path, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			var got string
			if err := st.DB().QueryRowContext(ctx, "SELECT current_setting('memory_limit')").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("memory_limit = %q, want %q", got, tt.want)
			}
			if !tt.readOnly {
				if err := st.Save(ctx, runstoretest.Results(t, "r", 1000, 1)); err != nil {
					t.Fatal(err)
				}
				if err := st.Commit(ctx, "r"); err != nil {
					t.Fatal(err)
				}
				return
			}
			if _, err := st.Load(ctx, "r"); err != nil {
				t.Error(err)
			}
		})
	}
}
