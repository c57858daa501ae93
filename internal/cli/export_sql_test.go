package cli

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona/pipeline"
)

// TestExportSQLAgreesWithScore runs the demo, scores its users with
// "persona score", then runs the query of "persona export-sql" on the
// scored feature table in DuckDB and in Postgres: every user must get the
// segment (and distance) score gave. It also lists the run with "persona
// runs".
func TestExportSQLAgreesWithScore(t *testing.T) {
	dir := t.TempDir()
	out, scored := filepath.Join(dir, "out"), filepath.Join(dir, "scored")
	cli := func(args ...string) string {
		t.Helper()
		f, stdout, errOut := testFactory()
		if code := Run(f, args); code != ExitOK {
			t.Fatalf("persona %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
		return stdout.String()
	}
	cli("demo", "--out", out, "--users", "1000", "--seed", "4", "--k-range", "3..6", "--quiet")
	data := filepath.Join(out, "data")
	cfg := filepath.Join(dir, "persona.yaml")
	var y strings.Builder
	for _, k := range []string{"users", "events", "transactions", "social"} {
		fmt.Fprintf(&y, "%s:\n  path: %s\n", k, filepath.Join(data, k+".csv"))
	}
	if err := os.WriteFile(cfg, []byte(y.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cli("score", "--model", out, "--config", cfg, "--out", scored, "--quiet")
	ids, labels, _, err := pipeline.ReadSegments(filepath.Join(scored, "segments.csv"))
	if err != nil {
		t.Fatal(err)
	}
	trainIDs, trainLabels, _, err := pipeline.ReadSegments(filepath.Join(out, "segments.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(segmentMap(trainIDs, trainLabels), segmentMap(ids, labels)); diff != "" {
		t.Fatalf("persona score on the training data differs from the run (-run +score):\n%s", diff)
	}
	want := segmentMap(ids, labels)
	wantDist := distances(t, filepath.Join(scored, "segments.csv"))
	if runs := cli("runs", "--store", out); !strings.Contains(runs, "kmeans") || strings.Count(runs, "\n") != 2 {
		t.Errorf("persona runs lists:\n%s\nwant a header and one k-means run", runs)
	}
	// The run read back from the store gives the run's own files.
	m, err := readModel(out)
	if err != nil {
		t.Fatal(err)
	}
	back := filepath.Join(dir, "back")
	cli("runs", "--store", out, "--export", m.RunID, "--out", back)
	for _, f := range []string{"segments.csv", "model.json", "value.csv"} {
		a, _ := os.ReadFile(filepath.Join(out, f))
		b, err := os.ReadFile(filepath.Join(back, f))
		if err != nil || string(a) != string(b) {
			t.Errorf("%s read back from the store differs from the run's (%v)", f, err)
		}
	}

	check := func(t *testing.T, db *sql.DB, q string) {
		got := map[string]int{}
		rs, err := db.Query(q)
		if err != nil {
			t.Fatalf("run the exported query: %v", err)
		}
		defer rs.Close()
		for rs.Next() {
			var id string
			var s int
			var d float64
			if err := rs.Scan(&id, &s, &d); err != nil {
				t.Fatal(err)
			}
			got[id] = s
			if w := wantDist[id]; math.Abs(d-w) > 1e-5 {
				t.Errorf("user %s: distance %g in SQL, %g from score", id, d, w)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("segments from SQL differ from persona score (-score +sql):\n%s", diff)
		}
	}

	t.Run("duckdb", func(t *testing.T) {
		db, err := sql.Open(DriverName, "")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		if _, err := db.Exec(`CREATE TABLE features AS SELECT * FROM read_csv('` + filepath.Join(scored, "features.csv") + `', header = true, types = {'user_id': 'VARCHAR'})`); err != nil {
			t.Fatal(err)
		}
		check(t, db, cli("export-sql", "--model", out, "--dialect", "duckdb"))
		// --create-table's script writes the same into a table, twice
		// over: the second replaces the first.
		script := cli("export-sql", "--model", out, "--dialect", "duckdb", "--create-table", "persona_segments")
		for range 2 {
			if _, err := db.Exec(script); err != nil {
				t.Fatalf("run the --create-table script: %v", err)
			}
			check(t, db, "SELECT user_id, segment, distance FROM persona_segments")
		}
	})
	t.Run("postgres", func(t *testing.T) {
		db, table := postgresFeatures(t, filepath.Join(scored, "features.csv"))
		check(t, db, cli("export-sql", "--model", out, "--dialect", "postgres", "--table", table))
		target := strings.TrimSuffix(table, ".features") + ".persona_segments"
		script := cli("export-sql", "--model", out, "--dialect", "postgres", "--table", table, "--create-table", target)
		for range 2 {
			if _, err := db.Exec(script); err != nil {
				t.Fatalf("run the --create-table script: %v", err)
			}
			check(t, db, "SELECT user_id, segment, distance FROM "+target)
		}
	})
}

// postgresFeatures loads a features.csv into a table of a fresh schema of
// the test Postgres server (PERSONA_TEST_POSTGRES, which scripts/test.sh
// sets; the test is skipped without it unless CI is set) and returns the
// connection (one session) and the table's name. The schema is dropped
// when the test ends.
func postgresFeatures(t *testing.T, path string) (*sql.DB, string) {
	t.Helper()
	dsn := os.Getenv("PERSONA_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but PERSONA_TEST_POSTGRES is not: scripts/test.sh starts a Postgres server for this test")
		}
		t.Skip("PERSONA_TEST_POSTGRES not set")
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	schema := fmt.Sprintf("persona_sql_%d", time.Now().UnixNano())
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Exec("DROP SCHEMA " + schema + " CASCADE") })
	header, rows := readCSV(t, path)
	cols := []string{"user_id TEXT"}
	for _, h := range header[1:] {
		cols = append(cols, strconv.Quote(h)+" DOUBLE PRECISION")
	}
	table := schema + ".features"
	if _, err := db.ExecContext(ctx, "CREATE TABLE "+table+" ("+strings.Join(cols, ", ")+")"); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	ph := make([]string, len(header))
	for i := range ph {
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	stmt, err := tx.Prepare("INSERT INTO " + table + " VALUES (" + strings.Join(ph, ", ") + ")")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		args := make([]any, len(r))
		for i, v := range r {
			args[i] = v
		}
		if _, err := stmt.Exec(args...); err != nil {
			t.Fatal(err)
		}
	}
	stmt.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return db, table
}

func segmentMap(ids []string, labels []int) map[string]int {
	m := make(map[string]int, len(ids))
	for i, id := range ids {
		m[id] = labels[i]
	}
	return m
}

func readCSV(t *testing.T, path string) ([]string, [][]string) {
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
	return recs[0], recs[1:]
}

func distances(t *testing.T, path string) map[string]float64 {
	_, rows := readCSV(t, path)
	m := map[string]float64{}
	for _, r := range rows {
		v, err := strconv.ParseFloat(r[3], 64)
		if err != nil {
			t.Fatal(err)
		}
		m[r[0]] = v
	}
	return m
}
