package features_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
)

// testPostgres connects to the server scripts/test.sh starts, in a schema
// of its own that the test drops; without PERSONA_TEST_POSTGRES it skips
// (under CI it fails).
func testPostgres(t *testing.T) (*pgx.Conn, string) {
	t.Helper()
	dsn := os.Getenv("PERSONA_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("PERSONA_TEST_POSTGRES is not set: run the tests with ./scripts/test.sh, which starts Postgres")
		}
		t.Skip("PERSONA_TEST_POSTGRES is not set: ./scripts/test.sh starts a Postgres server for the Postgres dialect's tests")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("persona_dialect_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema+"; SET search_path TO "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		conn.Close(context.Background())
	})
	return conn, schema
}

// pgTypes maps the DuckDB types of the canonical tables to Postgres's.
var pgTypes = map[string]string{"VARCHAR": "text", "DOUBLE": "double precision", "INTEGER": "integer", "BIGINT": "bigint",
	"TIMESTAMP": "timestamp", "DATE": "date", "BOOLEAN": "boolean"}

// mirror copies DuckDB tables (the canonical views dataset.Load made)
// into same-named Postgres tables with the same column types.
func mirror(t *testing.T, db *sql.DB, conn *pgx.Conn, tables ...string) {
	t.Helper()
	ctx := context.Background()
	for _, tab := range tables {
		rows, err := db.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "+tab+")")
		if err != nil {
			t.Fatal(err)
		}
		var names, defs []string
		for rows.Next() {
			var n, typ string
			if err := rows.Scan(&n, &typ); err != nil {
				t.Fatal(err)
			}
			pt, ok := pgTypes[typ]
			if !ok {
				t.Fatalf("%s.%s: no Postgres type for %s", tab, n, typ)
			}
			names = append(names, n)
			defs = append(defs, pgx.Identifier{n}.Sanitize()+" "+pt)
		}
		rows.Close()
		if _, err := conn.Exec(ctx, "CREATE TABLE "+tab+" ("+strings.Join(defs, ", ")+")"); err != nil {
			t.Fatal(err)
		}
		rows, err = db.QueryContext(ctx, "SELECT * FROM "+tab)
		if err != nil {
			t.Fatal(err)
		}
		var data [][]any
		for rows.Next() {
			v := make([]any, len(names))
			p := make([]any, len(names))
			for i := range v {
				p[i] = &v[i]
			}
			if err := rows.Scan(p...); err != nil {
				t.Fatal(err)
			}
			data = append(data, v)
		}
		rows.Close()
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{tab}, names, pgx.CopyFromRows(data)); err != nil {
			t.Fatalf("copy %s: %v", tab, err)
		}
	}
}

// TestDialectPostgres runs the Postgres golden SQL on a real server over
// the canonical tables of testdata/dialect, copied from DuckDB, and wants
// every feature of every user bit for bit equal to DuckDB's.
func TestDialectPostgres(t *testing.T) {
	conn, _ := testPostgres(t)
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
	tab, err := features.Compute(ctx, db, features.OptionsFor(cfg))
	if err != nil {
		t.Fatal(err)
	}
	mirror(t, db, conn, "users", "events", "transactions", "social", "_persona_attrs_users")
	o := features.OptionsFor(cfg)
	o.Spec, o.Dialect = tab.Spec, features.Postgres
	q, err := features.Build(ctx, db, o)
	if err != nil {
		t.Fatal(err)
	}
	got := pgFeatures(t, conn, q.SQL)
	compareTables(t, tab, got, nil)
}

// pgFeatures runs a feature query on Postgres: user id → values.
func pgFeatures(t *testing.T, conn *pgx.Conn, query string) map[string][]float64 {
	t.Helper()
	rows, err := conn.Query(context.Background(), query+"\nORDER BY u.user_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]float64{}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float64, len(vals)-1)
		for j, v := range vals[1:] {
			f, ok := v.(float64)
			if !ok {
				t.Fatalf("column %d of user %v is %T %v, not a double", j+1, vals[0], v, v)
			}
			x[j] = f
		}
		out[vals[0].(string)] = x
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// compareTables wants got (user id → row) to hold the users of want with
// the same values: bit for bit, except the columns in near, within 1e-12
// of the larger magnitude (or 1e-300 absolute).
func compareTables(t *testing.T, want *features.Table, got map[string][]float64, near map[string]bool) {
	t.Helper()
	if len(got) != len(want.UserIDs) {
		t.Errorf("%d users, want %d", len(got), len(want.UserIDs))
	}
	differ := map[string]int{}
	for i, u := range want.UserIDs {
		row, ok := got[u]
		if !ok {
			t.Errorf("user %s missing", u)
			continue
		}
		for j, f := range want.Features {
			w, g := want.X.At(i, j), row[j]
			if w == g {
				continue
			}
			if near[f.Name] && math.Abs(w-g) <= 1e-12*math.Max(math.Abs(w), math.Abs(g)) {
				continue
			}
			if differ[f.Name]++; differ[f.Name] <= 3 {
				t.Errorf("%s of %s: postgres %v, duckdb %v", f.Name, u, g, w)
			}
		}
	}
	for name, n := range differ {
		t.Errorf("%s differs for %d users", name, n)
	}
}
