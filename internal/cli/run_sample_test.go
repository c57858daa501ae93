package cli

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/persona-seg/persona/internal/pgdemo"
	"github.com/persona-seg/persona/metrics"
	"github.com/persona-seg/persona/profile"
)

// assignTable reads user_id and segment of a written-back table, ordered
// by user id (bytes), and checks every user is there once.
func assignTable(t *testing.T, dsn, table string) (ids []string, segs []int) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n, distinct int
	if err := conn.QueryRow(ctx, "SELECT count(*), count(DISTINCT user_id) FROM "+table).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != distinct {
		t.Errorf("%s: %d rows for %d users", table, n, distinct)
	}
	rows, err := conn.Query(ctx, `SELECT user_id, segment FROM `+table+` ORDER BY user_id COLLATE "C"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var s int
		if err := rows.Scan(&id, &s); err != nil {
			t.Fatal(err)
		}
		ids, segs = append(ids, id), append(segs, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids, segs
}

// readProfiles reads a run's profiles.json.
func readProfiles(t *testing.T, out string) *profile.Report {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "profiles.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r profile.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// csvSegments reads user_id and segment of a segments.csv.
func csvSegments(t *testing.T, path string) (ids []string, segs []int) {
	t.Helper()
	_, rows := readCSV(t, path)
	for _, r := range rows {
		s, err := strconv.Atoi(r[1])
		if err != nil {
			t.Fatal(err)
		}
		ids, segs = append(ids, r[0]), append(segs, s)
	}
	return ids, segs
}

// TestRunSample: persona run --sample on demo tables in Postgres fits on
// the sample, of which only the feature rows come back, and writes every
// user's segment into the assign table once, the segment persona score
// gives with the run's model; the fit is close to the full fit's (ARI);
// with the DuckDB engine the same rule picks the same users, so every
// user gets the same segment; a sample not below the base is the full
// fit; a run that fails after the table was built leaves the previous
// table as it was.
func TestRunSample(t *testing.T) {
	const users, sample = 600, 200
	dsn, schema := pgDemo(t, users)
	dir := t.TempDir()
	write := func(name, engine string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(pgdemo.Config(dsn, schema, engine)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pushCfg, duckCfg := write("pushed.yaml", ""), write("copied.yaml", "duckdb")
	table := schema + ".assign"

	fullOut := filepath.Join(dir, "full")
	full := runJSON(t, "-c", pushCfg, "-o", fullOut, "--k", "4")
	fullIDs, fullSegs := csvSegments(t, filepath.Join(fullOut, "segments.csv"))

	sampledOut := filepath.Join(dir, "sampled")
	sampled := runJSON(t, "-c", pushCfg, "-o", sampledOut, "--k", "4", "--sample", strconv.Itoa(sample), "--assign-table", table)
	if s := sampled.Sample; s == nil || s.Fitted != sample || s.Users != users || s.Table != table {
		t.Fatalf("sample summary %+v; want %d fitted of %d users, table %s", s, sample, users, table)
	}
	if sampled.Users != users {
		t.Errorf("summary users %d, want %d", sampled.Users, users)
	}
	if d := full.RowsTransferred - sampled.RowsTransferred; d != users-sample {
		t.Errorf("rows transferred: %d with the sample, %d without: %d fewer, want the %d feature rows left in Postgres", sampled.RowsTransferred, full.RowsTransferred, d, users-sample)
	}
	total := 0
	for _, n := range sampled.Sizes {
		total += n
	}
	if total != users {
		t.Errorf("segment sizes %v sum to %d, want every user (%d): the sizes are the database's counts", sampled.Sizes, total, users)
	}
	ids, segs := assignTable(t, dsn, table)
	if !slices.Equal(ids, fullIDs) {
		t.Fatalf("table %s holds %d users, the full fit %d (or other ones)", table, len(ids), len(fullIDs))
	}
	ari, err := metrics.AdjustedRand(fullSegs, segs)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ARI of the fit on %d users vs the full fit: %.3f", sample, ari)
	if ari < 0.6 {
		t.Errorf("ARI of the sample's assignment vs the full fit's %.3f, want at least 0.6", ari)
	}
	if _, got := readCSV(t, filepath.Join(sampledOut, "segments.csv")); len(got) != sample {
		t.Errorf("segments.csv of the pushed-down sample run holds %d users, want the %d sampled", len(got), sample)
	}
	if !strings.Contains(strings.Join(sampled.Warnings, "\n"), "segments are in table "+table) {
		t.Errorf("no warning that the segments are in %s: %q", table, sampled.Warnings)
	}

	// persona score with the run's model gives every user the table's segment.
	scored := filepath.Join(dir, "scored")
	f, _, errOut := testFactory()
	if code := Run(f, []string{"score", "-m", sampledOut, "-c", pushCfg, "-o", scored, "--quiet"}); code != ExitOK {
		t.Fatalf("score: exit code %d: %s", code, errOut)
	}
	scIDs, scSegs := csvSegments(t, filepath.Join(scored, "segments.csv"))
	if !slices.Equal(scIDs, ids) {
		t.Fatalf("score: %d users, the table %d", len(scIDs), len(ids))
	}
	for i := range ids {
		if scSegs[i] != segs[i] {
			t.Errorf("user %s: segment %d in the table, %d by persona score", ids[i], segs[i], scSegs[i])
		}
	}

	// The DuckDB engine takes the same users by the same rule: the same
	// model, so the same segment for everyone, in segments.csv.
	duckOut := filepath.Join(dir, "duck")
	duck := runJSON(t, "-c", duckCfg, "-o", duckOut, "--k", "4", "--sample", strconv.Itoa(sample))
	if s := duck.Sample; s == nil || s.Fitted != sample || s.Users != users || s.Table != "" {
		t.Errorf("duckdb sample summary %+v; want %d fitted of %d users, no table", s, sample, users)
	}
	dIDs, dSegs := csvSegments(t, filepath.Join(duckOut, "segments.csv"))
	if !slices.Equal(dIDs, ids) || !slices.Equal(dSegs, segs) {
		moved := 0
		for i := range min(len(dSegs), len(segs)) {
			if dSegs[i] != segs[i] {
				moved++
			}
		}
		t.Errorf("duckdb --sample: %d users, %d in another segment than pushed down (of %d)", len(dIDs), moved, len(ids))
	}

	// The profiles' sizes and means are every user's: counted by GROUP BY
	// in Postgres, and on this machine with DuckDB, they agree.
	pushProf, duckProf := readProfiles(t, sampledOut), readProfiles(t, duckOut)
	if pushProf.Users != users || duckProf.Users != users || len(pushProf.Segments) != len(duckProf.Segments) {
		t.Fatalf("profiles of %d and %d users, %d and %d segments; want %d users", pushProf.Users, duckProf.Users, len(pushProf.Segments), len(duckProf.Segments), users)
	}
	for g, ps := range pushProf.Segments {
		ds := duckProf.Segments[g]
		if ps.ID != ds.ID || ps.Size != ds.Size {
			t.Errorf("segment %d: size %d in Postgres, segment %d size %d in DuckDB", ps.ID, ps.Size, ds.ID, ds.Size)
			continue
		}
		for k, f := range ps.Features {
			if d := ds.Features[k]; d.Feature != f.Feature || math.Abs(d.Mean-f.Mean) > 1e-9*math.Max(1, math.Abs(f.Mean)) {
				t.Errorf("segment %d, %s: mean %v in Postgres, %s %v in DuckDB", ps.ID, f.Feature, f.Mean, d.Feature, d.Mean)
			}
		}
	}

	// A run that fails once the new table replaced the old one in its
	// transaction leaves the previous table (and outputs).
	t.Setenv("PERSONA_TEST_FAULT", "assign-swapped=fail")
	f, _, errOut = testFactory()
	if code := Run(f, []string{"run", "-c", pushCfg, "-o", sampledOut, "--k", "3", "--seed", "9", "--sample", "300", "--assign-table", table, "--quiet"}); code == ExitOK {
		t.Fatal("run with a fault after the swap succeeded")
	}
	if !strings.Contains(errOut.String(), "injected fault") {
		t.Errorf("failed run's error %q does not name the fault", errOut)
	}
	os.Unsetenv("PERSONA_TEST_FAULT")
	if ids2, segs2 := assignTable(t, dsn, table); !slices.Equal(ids2, ids) || !slices.Equal(segs2, segs) {
		t.Errorf("a failed run changed %s", table)
	}

	// A sample not below the base is the full fit.
	bigOut := filepath.Join(dir, "big")
	big := runJSON(t, "-c", pushCfg, "-o", bigOut, "--k", "4", "--sample", "1000", "--assign-table", table)
	if s := big.Sample; s == nil || s.Fitted != users {
		t.Errorf("--sample 1000 of %d: summary %+v", users, s)
	}
	if !strings.Contains(strings.Join(big.Warnings, "\n"), "a full fit") {
		t.Errorf("--sample 1000: no warning that it is a full fit: %q", big.Warnings)
	}
	if bIDs, bSegs := assignTable(t, dsn, table); !slices.Equal(bIDs, fullIDs) || !slices.Equal(bSegs, fullSegs) {
		t.Errorf("--sample 1000 of %d users: the table differs from the full fit's segments", users)
	}
}

// TestRunSampleAttributes: --sample on demo tables with attributes of
// every type, outcomes, a profiles table and custom features
// (pgdemo.AttrConfig), pushed down: the outcomes of the sample come back
// with its features, every user is written to the table once, and the
// DuckDB engine's run on the same rule's sample gives every user the
// same segment.
func TestRunSampleAttributes(t *testing.T) {
	const sample = 200
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
	table := schema + ".assign_attrs"
	pushedOut, copiedOut := filepath.Join(dir, "pushed"), filepath.Join(dir, "copied")
	pushed := runJSON(t, "-c", write("pushed.yaml", ""), "-o", pushedOut, "--k", "4", "--sample", strconv.Itoa(sample), "--assign-table", table)
	copied := runJSON(t, "-c", write("copied.yaml", "duckdb"), "-o", copiedOut, "--k", "4", "--sample", strconv.Itoa(sample))
	if pushed.Engine != "postgres" || pushed.Sample == nil || pushed.Sample.Fitted != sample || copied.Sample == nil || pushed.Sample.Users != copied.Sample.Users {
		t.Fatalf("pushed down: engine %q, sample %+v; copied: sample %+v", pushed.Engine, pushed.Sample, copied.Sample)
	}
	ids, segs := assignTable(t, dsn, table)
	cIDs, cSegs := csvSegments(t, filepath.Join(copiedOut, "segments.csv"))
	if !slices.Equal(ids, cIDs) {
		t.Fatalf("table %s holds %d users, the DuckDB run's segments.csv %d (or other ones)", table, len(ids), len(cIDs))
	}
	moved := 0
	for i := range ids {
		if segs[i] != cSegs[i] {
			moved++
		}
	}
	if moved > 0 {
		t.Errorf("%d of %d users in another segment in %s than in the DuckDB run's sample fit", moved, len(ids), table)
	}
	if p := readProfiles(t, pushedOut); len(p.Outcomes) == 0 {
		t.Errorf("pushed-down sample run: no outcomes in profiles.json")
	}
}
