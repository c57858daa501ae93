package cli

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/persona-seg/persona/internal/pgdemo"
)

// TestRunPushdownAttributes: persona run on demo tables in Postgres with
// per-customer attributes of every type, outcomes, a profiles table and
// custom features (pgdemo.AttrConfig) pushes all of it down and gives
// every user the segment and distance the run copying the rows into
// DuckDB gives, with the outcomes reported per segment; persona score
// with that run's model pushes down too and gives every user the run's
// segment.
func TestRunPushdownAttributes(t *testing.T) {
	dsn, schema := pgDemo(t, 600)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := pgdemo.AddAttributes(ctx, conn, schema); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, engine string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(pgdemo.AttrConfig(dsn, schema, engine)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pushedOut, copiedOut := filepath.Join(dir, "pushed"), filepath.Join(dir, "copied")
	pushed := runJSON(t, "-c", write("pushed.yaml", ""), "-o", pushedOut, "--k", "4")
	copied := runJSON(t, "-c", write("copied.yaml", "duckdb"), "-o", copiedOut, "--k", "4")
	if pushed.Engine != "postgres" || copied.Engine != "duckdb" || pushed.Users != copied.Users {
		t.Fatalf("pushed down: engine %q, %d users; copied: engine %q, %d users", pushed.Engine, pushed.Users, copied.Engine, copied.Users)
	}
	for k, n := range copied.Rows {
		if pushed.Rows[k] != n {
			t.Errorf("%s: %d rows read pushed down, %d copied", k, pushed.Rows[k], n)
		}
	}
	if pushed.Rows["survey"] == 0 {
		t.Errorf("no survey rows read pushed down: %v", pushed.Rows)
	}
	head, want := readCSV(t, filepath.Join(copiedOut, "segments.csv"))
	_, got := readCSV(t, filepath.Join(pushedOut, "segments.csv"))
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("%d users pushed down, %d copied", len(got), len(want))
	}
	moved := 0
	for i := range want {
		if strings.Join(got[i], ",") != strings.Join(want[i], ",") {
			if moved++; moved <= 3 {
				t.Errorf("pushed down %v, copied %v (%v)", got[i], want[i], head)
			}
		}
	}
	if moved > 0 {
		t.Errorf("%d of %d users in another segment pushed down", moved, len(want))
	}
	// The features' catalogue names the attributes and custom features,
	// and the profiles report the outcomes, in both.
	for _, out := range []string{pushedOut, copiedOut} {
		cat, err := os.ReadFile(filepath.Join(out, "features.md"))
		if err != nil {
			t.Fatal(err)
		}
		prof, err := os.ReadFile(filepath.Join(out, "profiles.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"`birth`", "`plan_free`", "`nps`", "`best_nps`", "`carts`"} {
			if !strings.Contains(string(cat), s) {
				t.Errorf("%s/features.md has no %s", out, s)
			}
		}
		for _, s := range []string{"churned", "refund_rate"} {
			if !strings.Contains(string(prof), s) {
				t.Errorf("%s/profiles.json has no outcome %s", out, s)
			}
		}
	}
	// persona score with the pushed-down run's model pushes the same
	// attributes, profiles table and custom features down, with the
	// model's columns, and gives every user the run's segment.
	scored := filepath.Join(dir, "scored")
	f, stdout, errOut := testFactory()
	if code := Run(f, []string{"score", "-m", pushedOut, "-c", filepath.Join(dir, "pushed.yaml"), "-o", scored, "--json"}); code != ExitOK {
		t.Fatalf("score: exit code %d: %s", code, errOut)
	}
	var sum scoreSummary
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Engine != "postgres" || sum.Users != len(got) {
		t.Errorf("score: engine %q, %d users; want postgres, %d", sum.Engine, sum.Users, len(got))
	}
	_, sc := readCSV(t, filepath.Join(scored, "segments.csv"))
	moved = 0
	for i := range sc {
		if i >= len(got) || sc[i][0] != got[i][0] || sc[i][1] != got[i][1] {
			if moved++; moved <= 3 {
				t.Errorf("scored %v, the run %v", sc[i], got[min(i, len(got)-1)])
			}
		}
	}
	if moved > 0 || len(sc) != len(got) {
		t.Errorf("score: %d of %d users differ from the run (%d scored)", moved, len(got), len(sc))
	}
	pp, _ := os.ReadFile(filepath.Join(pushedOut, "profiles.json"))
	cp, _ := os.ReadFile(filepath.Join(copiedOut, "profiles.json"))
	// The profiles (outcomes included) agree line for line, a number
	// at most 1e-12 relative apart: the money features' last bits (see
	// features.TestPushdownSameAnswers) reach a few quantiles.
	pl, cl := strings.Split(string(pp), "\n"), strings.Split(string(cp), "\n")
	if len(pl) != len(cl) {
		t.Fatalf("profiles.json: %d lines pushed down, %d copied", len(pl), len(cl))
	}
	n := 0
	for i := range pl {
		if pl[i] == cl[i] {
			continue
		}
		n++
		pk, pv, _ := strings.Cut(pl[i], ": ")
		ck, cv, _ := strings.Cut(cl[i], ": ")
		a, err1 := strconv.ParseFloat(strings.TrimSuffix(pv, ","), 64)
		b, err2 := strconv.ParseFloat(strings.TrimSuffix(cv, ","), 64)
		if pk != ck || err1 != nil || err2 != nil || math.Abs(a-b) > 1e-12*math.Max(math.Abs(a), math.Abs(b)) {
			t.Errorf("profiles.json line %d: pushed down %q, copied %q", i+1, pl[i], cl[i])
		}
	}
	t.Logf("profiles.json: %d of %d lines differ in the last bits of a number", n, len(pl))
}
