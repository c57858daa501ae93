package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/prep"
	"github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/store"
)

// results makes a small run: n users with d random features, segments by
// nearest of two centres, and a profile report built from them.
func results(t testing.TB, id string, n int, seed uint64) *store.Results {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	names := []string{"recency_days", "frequency", "monetary"}
	d := len(names)
	x := make([]float64, n*d)
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("u%06d", i)
		for j := range d {
			x[i*d+j] = rng.Float64()*10 + float64(i%2)*20
		}
	}
	xm := mat.NewDense(n, d, x)
	fitted, err := prep.Fit(xm, names, prep.Config{})
	if err != nil {
		t.Fatal(err)
	}
	z, _ := fitted.Transform(xm)
	m := &model.Model{Version: model.Version, RunID: id, Algorithm: model.KMeans, Prep: fitted,
		Segments: []model.Segment{{ID: 0, Name: "zero"}, {ID: 1, Name: "one"}},
		Centers:  [][]float64{append([]float64(nil), z.RawRowView(0)...), append([]float64(nil), z.RawRowView(1)...)}}
	segs, dist, err := m.Assign(xm)
	if err != nil {
		t.Fatal(err)
	}
	prof, err := profile.Build(profile.Input{UserIDs: ids, Names: names, X: xm, Labels: segs, Distance: dist})
	if err != nil {
		t.Fatal(err)
	}
	recs := map[string][]store.Recommendation{}
	for i := 0; i < n; i += 3 {
		recs[ids[i]] = []store.Recommendation{{Product: "p1", Score: 0.5}, {Product: fmt.Sprint("p", i), Score: 0.25}}
	}
	return &store.Results{
		Run:     store.Run{ID: id, CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(seed) * time.Hour), Config: []byte(`{"k":2}`), Summary: []byte(`{"users":` + fmt.Sprint(n) + `}`)},
		UserIDs: ids, FeatureNames: names, X: x, Segments: segs, Distance: dist,
		Profiles: prof, Recommendations: recs, Model: m,
	}
}

// stores returns the stores to test: a DuckDB file, and Postgres when
// PERSONA_TEST_POSTGRES names a server (required when CI is set).
func stores(t *testing.T) map[string]*store.Store {
	ctx := context.Background()
	out := map[string]*store.Store{}
	duck, err := store.Open(ctx, "duckdb", filepath.Join(t.TempDir(), store.File))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { duck.Close() })
	out["duckdb"] = duck
	dsn := os.Getenv("PERSONA_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but PERSONA_TEST_POSTGRES is not: scripts/test.sh starts a Postgres server for this test")
		}
		t.Log("PERSONA_TEST_POSTGRES not set: the Postgres store is not tested")
		return out
	}
	// A schema of its own, so runs of the test do not see each other.
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
	pg, err := store.Open(ctx, "duckdb", withSearchPath(dsn, schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	out["postgres"] = pg
	return out
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

func TestSaveLoad(t *testing.T) {
	ctx := context.Background()
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			r1 := results(t, "run-1", 500, 1)
			r2 := results(t, "run-2", 300, 2)
			for _, r := range []*store.Results{r1, r2} {
				if err := st.Save(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			runs, err := st.Runs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range runs {
				got = append(got, r.ID)
			}
			if diff := cmp.Diff([]string{"run-2", "run-1"}, got); diff != "" {
				t.Errorf("runs, newest first (-want +got):\n%s", diff)
			}
			if latest, err := st.Latest(ctx); err != nil || latest != "run-2" {
				t.Errorf("Latest = %q, %v; want run-2", latest, err)
			}
			back, err := st.Load(ctx, "run-1")
			if err != nil {
				t.Fatal(err)
			}
			r1.Run.Users, r1.Run.Segments, r1.Run.Algorithm = 500, len(r1.Profiles.Segments), model.KMeans
			r1.Run.Fingerprint = store.Fingerprint(r1.UserIDs, r1.X)
			if diff := cmp.Diff(r1, back, cmpopts.IgnoreUnexported(profile.Segment{})); diff != "" {
				t.Errorf("run-1 read back differs (-saved +read):\n%s", diff)
			}
			var nf *store.RunNotFoundError
			if _, err := st.Load(ctx, "nope"); err == nil || !asNotFound(err, &nf) {
				t.Errorf("Load(nope) err = %v, want RunNotFoundError", err)
			}
		})
	}
}

func asNotFound(err error, target **store.RunNotFoundError) bool {
	e, ok := err.(*store.RunNotFoundError)
	*target = e
	return ok
}

// TestFailedSaveLeavesPreviousRun saves a run that fails half-way (a user
// id twice breaks the features table's key after the run row is written):
// the store must still hold exactly the previous run, unchanged.
func TestFailedSaveLeavesPreviousRun(t *testing.T) {
	ctx := context.Background()
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			good := results(t, "good", 400, 3)
			if err := st.Save(ctx, good); err != nil {
				t.Fatal(err)
			}
			before, err := st.Load(ctx, "good")
			if err != nil {
				t.Fatal(err)
			}
			bad := results(t, "bad", 1200, 4)
			bad.UserIDs[1100] = bad.UserIDs[3]
			if err := st.Save(ctx, bad); err == nil {
				t.Fatal("saving a run with a duplicate user id succeeded")
			}
			// Replacing the good run with a broken copy must not lose it either.
			broken := results(t, "good", 1200, 5)
			broken.UserIDs[1000] = broken.UserIDs[0]
			if err := st.Save(ctx, broken); err == nil {
				t.Fatal("saving a run with a duplicate user id succeeded")
			}
			runs, err := st.Runs(ctx)
			if err != nil || len(runs) != 1 || runs[0].ID != "good" {
				t.Fatalf("runs = %v, %v; want only the good run", runs, err)
			}
			after, err := st.Load(ctx, "good")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, after, cmpopts.IgnoreUnexported(profile.Segment{})); diff != "" {
				t.Errorf("the good run changed (-before +after):\n%s", diff)
			}
		})
	}
}

// BenchmarkSave100k saves a run of 100,000 users with 3 features and 2
// recommendations for a third of them into a fresh DuckDB file.
func BenchmarkSave100k(b *testing.B) {
	r := results(b, "bench", 100_000, 1)
	ctx := context.Background()
	for b.Loop() {
		st, err := store.Open(ctx, "duckdb", filepath.Join(b.TempDir(), store.File))
		if err != nil {
			b.Fatal(err)
		}
		if err := st.Save(ctx, r); err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
}

// TestBulkMatchesInsert saves one run with the driver's bulk path
// (DuckDB's appender, Postgres' COPY) and again, under another id, with
// INSERT statements only: every table must hold the same rows for both.
func TestBulkMatchesInsert(t *testing.T) {
	ctx := context.Background()
	tables := []struct{ name, cols, key string }{
		{"persona_runs", "created_at, algorithm, users, segments, fingerprint, config, summary, feature_names, profiles, model", "id"},
		{"persona_features", "user_id, x", "run_id"},
		{"persona_assignments", "user_id, segment, distance", "run_id"},
		{"persona_segments", "id, name, size, share, profile", "run_id"},
		{"persona_recommendations", "user_id, rank, product_id, score", "run_id"},
	}
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			r := results(t, "bulk", 700, 6)
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
		})
	}
}
