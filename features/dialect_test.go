package features_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
)

// TestDialectGolden pins the feature SQL that the representative config
// of testdata/dialect (every dataset, one attribute of each type, a custom
// feature, events without session ids) gives in each dialect.
func TestDialectGolden(t *testing.T) {
	cfg, err := dataset.LoadConfig(filepath.Join("testdata", "dialect", "persona.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	if _, err := dataset.Load(ctx, db, cfg); err != nil {
		t.Fatal(err)
	}
	q, err := features.Build(ctx, db, features.OptionsFor(cfg))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "dialect", "duckdb.sql"), q.SQL+"\n")
	// The same spec gives the same SQL; in the Postgres dialect, the
	// same catalogue for Postgres (inspected here in DuckDB: the spec
	// fixes every value the SQL depends on).
	o := features.OptionsFor(cfg)
	o.Spec = q.Spec
	again, err := features.Build(ctx, db, o)
	if err != nil {
		t.Fatal(err)
	}
	if again.SQL != q.SQL {
		t.Errorf("the table's spec gives other SQL than the data")
	}
	o.Dialect = features.Postgres
	pg, err := features.Build(ctx, db, o)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "dialect", "postgres.sql"), pg.SQL+"\n")
	if !slices.Equal(pg.Spec.Names, q.Spec.Names) {
		t.Errorf("postgres columns %v, duckdb %v", pg.Spec.Names, q.Spec.Names)
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *updateDoc { // -update rewrites every golden file of the package
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./features -run TestDialectGolden -update writes it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}
