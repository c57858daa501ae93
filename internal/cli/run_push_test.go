package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/persona-seg/persona/internal/pgdemo"
)

// runSummary is the part of summary.json the pushdown tests read.
type runSummary struct {
	Users           int              `json:"users"`
	Engine          string           `json:"engine"`
	RowsTransferred int64            `json:"rows_transferred"`
	Rows            map[string]int64 `json:"rows_read"`
	Sizes           []int            `json:"sizes"`
	Warnings        []string         `json:"warnings"`
	Sample          *struct {
		Fitted int    `json:"fitted_users"`
		Users  int    `json:"users"`
		Rule   string `json:"rule"`
		Table  string `json:"table"`
	} `json:"sample"`
}

// runJSON runs persona run with args and --json and returns its summary.
func runJSON(t *testing.T, args ...string) runSummary {
	t.Helper()
	f, out, errOut := testFactory()
	if code := Run(f, append(append([]string{"run"}, args...), "--json")); code != ExitOK {
		t.Fatalf("run %v: exit code %d: %s", args, code, errOut)
	}
	var s runSummary
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRunPushdown: persona run on demo tables in Postgres computes the
// features there (the default for postgres sources) and gives every user
// the segment, and the distance, that the run copying the rows into
// DuckDB (engine: duckdb) gives; only the feature table and the
// customer-days cross the wire, and what needs raw rows is skipped with a
// warning.
func TestRunPushdown(t *testing.T) {
	dsn, schema := pgDemo(t, 600)
	dir := t.TempDir()
	write := func(name, engine string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(pgdemo.Config(dsn, schema, engine)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pushedOut, copiedOut := filepath.Join(dir, "pushed"), filepath.Join(dir, "copied")
	pushed := runJSON(t, "-c", write("pushed.yaml", ""), "-o", pushedOut, "--k", "4")
	copied := runJSON(t, "-c", write("copied.yaml", "duckdb"), "-o", copiedOut, "--k", "4")
	var all int64
	for _, n := range copied.Rows {
		all += n
	}
	if pushed.Engine != "postgres" || pushed.Users != 600 || pushed.RowsTransferred < 600 || pushed.RowsTransferred >= all/4 {
		t.Errorf("pushed down: engine %q, %d users, %d rows transferred; want postgres, 600, the feature table and the customer-days (of %d raw rows)",
			pushed.Engine, pushed.Users, pushed.RowsTransferred, all)
	}
	if copied.Engine != "duckdb" || copied.RowsTransferred != all {
		t.Errorf("copied: engine %q, %d rows transferred; want duckdb, %d", copied.Engine, copied.RowsTransferred, all)
	}
	for k, n := range copied.Rows {
		if pushed.Rows[k] != n {
			t.Errorf("%s: %d rows read pushed down, %d copied", k, pushed.Rows[k], n)
		}
	}
	_, want := readCSV(t, filepath.Join(copiedOut, "segments.csv"))
	_, got := readCSV(t, filepath.Join(pushedOut, "segments.csv"))
	if len(got) != len(want) {
		t.Fatalf("%d users pushed down, %d copied", len(got), len(want))
	}
	moved := 0
	for i := range want {
		if got[i][0] != want[i][0] || got[i][1] != want[i][1] || got[i][2] != want[i][2] {
			if moved++; moved <= 3 {
				t.Errorf("pushed down %v, copied %v", got[i], want[i])
			}
		}
	}
	if moved > 0 {
		t.Errorf("%d of %d users in another segment pushed down", moved, len(want))
	}
	joined := strings.Join(pushed.Warnings, "\n")
	for _, w := range []string{"hour-of-day, weekday and category-mix charts are skipped", "no product recommendations stored"} {
		if !strings.Contains(joined, w) {
			t.Errorf("pushed down: no warning %q in %q", w, pushed.Warnings)
		}
	}
	for _, f := range []string{"report.html", "profiles.json", "model.json", "rfm.csv", "value.csv"} {
		if _, err := os.Stat(filepath.Join(pushedOut, f)); err != nil {
			t.Errorf("pushed down: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(pushedOut, "baskets.csv")); err == nil {
		t.Errorf("pushed down: baskets.csv written (the bought lines should stay in Postgres)")
	}
}
