package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/persona-seg/persona/internal/pgdemo"
	"github.com/persona-seg/persona/synth"
)

// pgDemo loads users demo users into a fresh schema of the test Postgres
// server and returns its DSN and schema (dropped when the test ends).
func pgDemo(t *testing.T, users int) (string, string) {
	t.Helper()
	dsn := os.Getenv("PERSONA_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but PERSONA_TEST_POSTGRES is not: scripts/test.sh starts a Postgres server for this test")
		}
		t.Skip("PERSONA_TEST_POSTGRES not set: ./scripts/test.sh starts a Postgres server for the pushdown's tests")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("persona_push_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		conn.Close(context.Background())
	})
	dir := t.TempDir()
	if _, err := synth.Generate(ctx, dir, synth.Options{Users: users, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := pgdemo.Load(ctx, conn, dir, schema, false); err != nil {
		t.Fatal(err)
	}
	return dsn, schema
}

// TestFeaturesPushdown runs persona features on demo tables in Postgres
// pushed down (the default for postgres sources) and copied (engine:
// duckdb): --json says where and how many rows crossed the wire, and the
// two files hold the same table.
func TestFeaturesPushdown(t *testing.T) {
	dsn, schema := pgDemo(t, 400)
	dir := t.TempDir()
	run := func(engine, name string) (featuresSummary, [][]string) {
		t.Helper()
		cfg := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(cfg, []byte(pgdemo.Config(dsn, schema, engine)), 0o644); err != nil {
			t.Fatal(err)
		}
		f, out, errOut := testFactory()
		path := filepath.Join(dir, name+".csv")
		if code := Run(f, []string{"features", "--config", cfg, "--out", path, "--json"}); code != ExitOK {
			t.Fatalf("features (%s): exit code %d: %s", name, code, errOut)
		}
		var s featuresSummary
		if err := json.Unmarshal(out.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		_, rows := readCSV(t, path)
		return s, rows
	}
	pushed, got := run("", "pushed")
	copied, want := run("duckdb", "copied")
	if pushed.Engine != "postgres" || pushed.RowsTransferred != int64(pushed.Users) {
		t.Errorf("pushed down: engine %q, rows_transferred %d; want postgres, %d (the feature table's rows)", pushed.Engine, pushed.RowsTransferred, pushed.Users)
	}
	if copied.Engine != "duckdb" || copied.RowsTransferred != copied.Rows {
		t.Errorf("copied: engine %q, rows_transferred %d; want duckdb, %d (every raw row)", copied.Engine, copied.RowsTransferred, copied.Rows)
	}
	if pushed.Users != 400 || pushed.Features != copied.Features || pushed.Rows != copied.Rows || pushed.RowsUsed != copied.RowsUsed {
		t.Errorf("pushed %+v\ncopied %+v", pushed, copied)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i][0] != want[i][0] {
			t.Fatalf("row %d: user %s, want %s", i, got[i][0], want[i][0])
		}
		for j := 1; j < len(want[i]); j++ {
			g, _ := strconv.ParseFloat(got[i][j], 64)
			w, _ := strconv.ParseFloat(want[i][j], 64)
			if math.Abs(g-w) > 1e-12*math.Max(math.Abs(g), math.Abs(w)) {
				t.Errorf("user %s column %d: %v, want %v", want[i][0], j, g, w)
			}
		}
	}
}

// TestPushdownRefusesWrites: a mapping, filter or query that would write
// fails before anything runs, naming its key; what the check cannot see
// fails in the read-only transaction.
func TestPushdownRefusesWrites(t *testing.T) {
	dsn, schema := pgDemo(t, 50)
	dir := t.TempDir()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// A function that writes, which only the transaction can stop.
	if _, err := conn.Exec(ctx, "CREATE TABLE "+schema+".log (v text); CREATE FUNCTION "+schema+".scribble(v text) RETURNS text LANGUAGE sql AS $$ INSERT INTO "+schema+".log VALUES (v) RETURNING v $$"); err != nil {
		t.Fatal(err)
	}
	base := pgdemo.Config(dsn, schema, "postgres")
	tests := []struct{ name, yaml, want string }{
		{"ddl in a mapping", strings.Replace(base, "table: "+schema+".events\n", "table: "+schema+".events\n  columns:\n    category: \"(SELECT 'x'); DROP TABLE "+schema+".users\"\n", 1), "events.columns.category: a mapping is one SQL expression, without ';'"},
		{"dml in a query", strings.Replace(base, "table: "+schema+".social\n", "query: \"WITH d AS (DELETE FROM "+schema+".social RETURNING *) SELECT * FROM d\"\n", 1), "social.postgres.query: DELETE at byte"},
		{"side effect in a filter", strings.Replace(base, "table: "+schema+".users\n", "table: "+schema+".users\n  filter: \"set_config('default_transaction_read_only', 'off', false) = 'off'\"\n", 1), "users.filter: function set_config"},
		{"write the check cannot see", strings.Replace(base, "table: "+schema+".users\n", "table: "+schema+".users\n  columns:\n    country: \""+schema+".scribble(country)\"\n", 1), "read-only transaction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := filepath.Join(dir, "c.yaml")
			if err := os.WriteFile(cfg, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			f, _, errOut := testFactory()
			if code := Run(f, []string{"features", "--config", cfg, "--out", filepath.Join(dir, "f.csv")}); code == ExitOK || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit code %d, stderr %s; want an error with %q", code, errOut, tt.want)
			}
		})
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+schema+".log").Scan(&n); err != nil || n != 0 {
		t.Errorf("the function wrote %d rows (%v)", n, err)
	}
	// Every table is still there.
	f, _, errOut := testFactory()
	cfg := filepath.Join(dir, "ok.yaml")
	os.WriteFile(cfg, []byte(base), 0o644)
	if code := Run(f, []string{"features", "--config", cfg, "--out", filepath.Join(dir, "f.csv")}); code != ExitOK {
		t.Errorf("after the refusals: exit code %d: %s", code, errOut)
	}
}

// TestRunSummaryEngine: persona run with engine: duckdb copies Postgres
// rows into DuckDB, and summary.json says so: engine duckdb, every raw row
// transferred (TestRunPushdown covers the default, pushed down).
func TestRunSummaryEngine(t *testing.T) {
	dsn, schema := pgDemo(t, 300)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfg, []byte(pgdemo.Config(dsn, schema, "duckdb")), 0o644); err != nil {
		t.Fatal(err)
	}
	f, out, errOut := testFactory()
	if code := Run(f, []string{"run", "-c", cfg, "-o", filepath.Join(dir, "out"), "--k", "3", "--json"}); code != ExitOK {
		t.Fatalf("run: exit code %d: %s", code, errOut)
	}
	var sum struct {
		Engine          string           `json:"engine"`
		RowsTransferred int64            `json:"rows_transferred"`
		Rows            map[string]int64 `json:"rows_read"`
	}
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatal(err)
	}
	var all int64
	for _, n := range sum.Rows {
		all += n
	}
	if sum.Engine != "duckdb" || sum.RowsTransferred != all || all == 0 {
		t.Errorf("engine %q, rows_transferred %d; want duckdb, %d", sum.Engine, sum.RowsTransferred, all)
	}
}

// TestScorePushdownSameSegments: a run on demo tables in Postgres (which
// copies them into DuckDB) saves a model; persona score of the same tables
// pushed down gives every user the segment the run gave, and so does
// score copying them (engine: duckdb), with the same distances.
func TestScorePushdownSameSegments(t *testing.T) {
	dsn, schema := pgDemo(t, 600)
	dir := t.TempDir()
	write := func(name, engine string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(pgdemo.Config(dsn, schema, engine)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pushed, copied := write("pushed.yaml", ""), write("copied.yaml", "duckdb")
	run := filepath.Join(dir, "run")
	f, _, errOut := testFactory()
	if code := Run(f, []string{"run", "-c", pushed, "-o", run, "--k", "4", "--quiet"}); code != ExitOK {
		t.Fatalf("run: exit code %d: %s", code, errOut)
	}
	_, want := readCSV(t, filepath.Join(run, "segments.csv"))
	for _, tt := range []struct{ config, engine string }{{pushed, "postgres"}, {copied, "duckdb"}} {
		out := filepath.Join(dir, "scored-"+tt.engine)
		f, stdout, errOut := testFactory()
		if code := Run(f, []string{"score", "-m", run, "-c", tt.config, "-o", out, "--json"}); code != ExitOK {
			t.Fatalf("score (%s): exit code %d: %s", tt.engine, code, errOut)
		}
		var sum scoreSummary
		if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
			t.Fatal(err)
		}
		if sum.Engine != tt.engine || sum.Users != 600 {
			t.Errorf("score: engine %q, %d users; want %s, 600", sum.Engine, sum.Users, tt.engine)
		}
		if tt.engine == "postgres" && sum.RowsTransferred >= 600*20 {
			t.Errorf("pushed down: %d rows transferred, want the feature table and the customer-days only", sum.RowsTransferred)
		}
		_, got := readCSV(t, filepath.Join(out, "segments.csv"))
		if len(got) != len(want) {
			t.Fatalf("%s: %d users scored, the run segmented %d", tt.engine, len(got), len(want))
		}
		moved := 0
		for i := range want {
			gd, _ := strconv.ParseFloat(got[i][3], 64)
			wd, _ := strconv.ParseFloat(want[i][3], 64)
			if got[i][0] != want[i][0] || got[i][1] != want[i][1] || math.Abs(gd-wd) > 2e-6 {
				if moved++; moved <= 3 {
					t.Errorf("%s: %v, the run: %v", tt.engine, got[i], want[i])
				}
			}
		}
		if moved > 0 {
			t.Errorf("%s: %d of %d users differ from the run", tt.engine, moved, len(want))
		}
	}
}
