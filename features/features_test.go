package features_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/synth"
)

func openTiny(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	dir := filepath.Join("testdata", "tiny")
	_, err = dataset.LoadCSV(context.Background(), db, dataset.Sources{
		Users:        filepath.Join(dir, "users.csv"),
		Events:       filepath.Join(dir, "events.csv"),
		Transactions: filepath.Join(dir, "transactions.csv"),
		Social:       filepath.Join(dir, "social.csv"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestComputeTiny checks features against values worked out by hand from
// the files in testdata/tiny. as_of is the latest timestamp: 2024-02-01 00:00.
func TestComputeTiny(t *testing.T) {
	db := openTiny(t)
	tab, err := features.Compute(context.Background(), db, features.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"U1", "U2", "U3"}, tab.UserIDs); diff != "" {
		t.Fatalf("user ids (-want +got):\n%s", diff)
	}
	if got := tab.AsOf.Format("2006-01-02 15:04:05"); got != "2024-02-01 00:00:00" {
		t.Errorf("as_of = %s, want the latest timestamp 2024-02-01 00:00:00", got)
	}
	// The window runs from U1's signup (2023-01-10) to as_of: 387 days.
	const window = 387.0
	tests := []featureCase{
		// U1: O1 = 1×100 + 2×10×0.5 = 110 (3 units), O2 = 100 (1 unit), O3 returns 1×100.
		{"frequency", [3]float64{2, 1, 0}},
		{"has_purchased", [3]float64{1, 1, 0}},
		{"monetary", [3]float64{110, 15, 0}},
		{"avg_order_value", [3]float64{105, 15, 0}},
		{"items_per_order", [3]float64{2, 1, 0}},
		// Last order 2024-01-11 10:00 → 20 days 14 hours; U3 never bought.
		{"recency_days", [3]float64{20 + 14.0/24, 10.5, window}},
		{"purchase_tenure_days", [3]float64{30 + 14.0/24, 10.5, 0}},
		{"order_gap_mean_days", [3]float64{10, 0, 0}},
		{"return_rate", [3]float64{0.25, 0, 0}},
		// Category medians over bought lines: electronics 100, books median(10, 20) = 15.
		{"price_level", [3]float64{(1 + 10.0/15 + 1) / 3, 20.0 / 15, 1}},
		{"discount_share", [3]float64{10.0 / 220, 0.25, 0}},
		{"spend_share_electronics", [3]float64{200.0 / 210, 0, 0}},
		{"spend_share_books", [3]float64{10.0 / 210, 1, 0}},
		{"loyalty_hhi", [3]float64{(200.0/210)*(200.0/210) + (10.0/210)*(10.0/210), 1, 0}},
		{"events", [3]float64{4, 0, 3}},
		// U3 has no session ids: 23:00 and 23:20 share a session, 00:00 (40 min later) starts one.
		{"sessions", [3]float64{1, 0, 2}},
		{"session_minutes", [3]float64{30, 0, 10}},
		{"events_per_session", [3]float64{4, 0, 1.5}},
		{"share_night", [3]float64{0, 0, 1.0 / 3}},
		{"share_evening", [3]float64{0, 0, 2.0 / 3}},
		{"weekend_share", [3]float64{1, 0, 0}}, // 2024-01-06 is a Saturday
		{"cart_rate", [3]float64{1, 0, 0}},
		{"checkout_rate", [3]float64{1, 0, 0}},
		{"days_since_last_event", [3]float64{25 + 14.5/24, window, 0}}, // last event 2024-01-06 09:30,
		{"social_actions", [3]float64{0, 3, 0}},
		{"topic_share_travel", [3]float64{0, 2.0 / 3, 0}},
		// U3 has no users row: the base medians fill in.
		{"age", [3]float64{34, 24, 29}},
		{"signup_tenure_days", [3]float64{387, 31, 209}},
		{"gender_female", [3]float64{1, 0, 0}},
		{"gender_other", [3]float64{0, 0, 1}},
		{"variety_entropy", [3]float64{-(200.0/210)*math.Log(200.0/210) - (10.0/210)*math.Log(10.0/210), 0, 0}},
		{"days_since_last_activity", [3]float64{20 + 14.0/24, 10 + 3.0/24, 0}},
	}
	checkFeatures(t, tab, tests)
}

// computeTiny loads the given files of testdata/tiny and computes their
// features.
func computeTiny(t *testing.T, src dataset.Sources) (*sql.DB, *features.Table) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	if _, err := dataset.LoadCSV(ctx, db, src); err != nil {
		t.Fatal(err)
	}
	tab, err := features.Compute(ctx, db, features.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return db, tab
}

func TestComputeOnlyOneDataset(t *testing.T) {
	_, tab := computeTiny(t, dataset.Sources{Social: filepath.Join("testdata", "tiny", "social.csv")})
	if diff := cmp.Diff([]string{"U2"}, tab.UserIDs); diff != "" {
		t.Fatalf("user ids (-want +got):\n%s", diff)
	}
	// A run only computes the features of the data it has.
	for _, name := range []string{"frequency", "recency_days", "events", "age", "signup_tenure_days", "loyalty_hhi", "gender_other"} {
		if tab.Col(name) >= 0 {
			t.Errorf("feature %s without its dataset", name)
		}
	}
	for _, name := range []string{"social_actions", "social_likes", "days_since_last_activity"} {
		if tab.Col(name) < 0 {
			t.Errorf("no feature %s from the social dataset", name)
		}
	}
	if want, got := []string{"transactions", "events", "users", "age", "signup"}, tab.Spec.Skip; !slices.Equal(want, got) {
		t.Errorf("spec skips %v, want %v", got, want)
	}
}

// TestComputeUsersOnly computes the features of users alone: as_of is the
// latest signup date (the only time in the data), so signup tenures run
// up to it.
func TestComputeUsersOnly(t *testing.T) {
	db, tab := computeTiny(t, dataset.Sources{Users: filepath.Join("testdata", "tiny", "users.csv")})
	var latest time.Time
	if err := db.QueryRow("SELECT CAST(max(signup_date) AS TIMESTAMP) FROM users").Scan(&latest); err != nil {
		t.Fatal(err)
	}
	if !tab.AsOf.Equal(latest) {
		t.Errorf("as_of %v, want the latest signup date %v", tab.AsOf, latest)
	}
	for i, u := range tab.UserIDs {
		var signup time.Time
		if err := db.QueryRow("SELECT CAST(signup_date AS TIMESTAMP) FROM users WHERE user_id = ?", u).Scan(&signup); err != nil {
			t.Fatal(err)
		}
		if got, want := tab.X.At(i, tab.Col("signup_tenure_days")), latest.Sub(signup).Hours()/24; got != want {
			t.Errorf("user %s: signup_tenure_days %v, want %v", u, got, want)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		opts features.Options
		ok   bool
	}{
		{"zero means defaults", features.Options{}, true},
		{"negative top categories", features.Options{FeatureSettings: dataset.FeatureSettings{TopCategories: -1}}, false},
		{"negative session gap", features.Options{FeatureSettings: dataset.FeatureSettings{SessionGap: dataset.Duration{Duration: -time.Minute}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.opts.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// TestStagesMatchOneQuery checks that the staged computation (with
// progress) gives exactly the table of the single-statement SQL.
func TestStagesMatchOneQuery(t *testing.T) {
	db := openTiny(t)
	ctx := context.Background()
	var calls [][2]int
	tab, err := features.Compute(ctx, db, features.Options{Progress: func(done, total int) {
		calls = append(calls, [2]int{done, total})
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 3 || calls[0][0] != 0 || calls[len(calls)-1][0] != calls[len(calls)-1][1] {
		t.Errorf("progress calls %v: want 0/n first and n/n last", calls)
	}
	q, err := features.Build(ctx, db, features.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, "SELECT * FROM ("+q.SQL+") ORDER BY user_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, d := tab.X.Dims()
	i := 0
	for rows.Next() {
		vals := make([]any, d+1)
		ptrs := make([]any, d+1)
		for j := range vals {
			ptrs[j] = &vals[j]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		if vals[0] != tab.UserIDs[i] {
			t.Fatalf("row %d: user %v, staged %v", i, vals[0], tab.UserIDs[i])
		}
		for j := 0; j < d; j++ {
			if got, ok := vals[j+1].(float64); !ok || got != tab.X.At(i, j) {
				t.Errorf("user %s, %s: one query %v, staged %v", tab.UserIDs[i], tab.Features[j].Name, vals[j+1], tab.X.At(i, j))
			}
		}
		i++
	}
	if i != n {
		t.Errorf("one query gave %d users, staged %d", i, n)
	}
}

// TestComputeAsOf checks a reference date before some of the data: rows
// after it are left out of every feature, but their users still get a row.
func TestComputeAsOf(t *testing.T) {
	db := openTiny(t)
	asOf := time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)
	tab, err := features.Compute(context.Background(), db, features.Options{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	// U3's events are all after as_of and U3 has no users row.
	if diff := cmp.Diff([]string{"U1", "U2", "U3"}, tab.UserIDs); diff != "" {
		t.Fatalf("user ids (-want +got):\n%s", diff)
	}
	tests := []featureCase{
		{"frequency", [3]float64{2, 0, 0}}, // O3 (U1's return) and O4 (U2) come later
		{"monetary", [3]float64{210, 0, 0}},
		{"return_rate", [3]float64{0, 0, 0}},
		{"events", [3]float64{4, 0, 0}},
		{"social_actions", [3]float64{0, 0, 0}},
		{"recency_days", [3]float64{3 + 14.0/24, 365 + 5, 365 + 5}}, // the window starts 2023-01-10
	}
	checkFeatures(t, tab, tests)
}

// TestStagesReadTheirDatasetsOnly checks that each stage holds only the
// subqueries it needs: a stage over events never reads transactions, and
// the final join reads only the stage tables.
func TestStagesReadTheirDatasetsOnly(t *testing.T) {
	db := openTiny(t)
	q, err := features.Build(context.Background(), db, features.Options{})
	if err != nil {
		t.Fatal(err)
	}
	reads := regexp.MustCompile(`(?:FROM|JOIN) (users|events|transactions|social)\b`)
	want := map[string][]string{
		"oagg":  {"transactions"},
		"tagg":  {"transactions"},
		"tcagg": {"transactions"},
		"sagg":  {"events"},
		"eagg":  {"events"},
		"soagg": {"social"},
		"dem":   {"users"},
		// u adds the users with rows after as_of only.
		"u": {"events", "social", "transactions"},
	}
	stage := regexp.MustCompile(`^CREATE OR REPLACE TEMP TABLE _persona_f_(\w+) AS`)
	seen := 0
	for _, st := range q.Stages {
		m := stage.FindStringSubmatch(st)
		if m == nil {
			t.Fatalf("stage does not create a stage table: %.80s", st)
		}
		got := map[string]bool{}
		for _, r := range reads.FindAllStringSubmatch(st, -1) {
			got[r[1]] = true
		}
		var names []string
		for n := range got {
			names = append(names, n)
		}
		slices.Sort(names)
		if diff := cmp.Diff(want[m[1]], names); diff != "" {
			t.Errorf("stage %s reads (-want +got):\n%s", m[1], diff)
		}
		seen++
	}
	if seen != len(want) {
		t.Errorf("%d stages, want %d", seen, len(want))
	}
	if r := reads.FindString(q.Final); r != "" {
		t.Errorf("the final join reads a dataset (%q), want the stage tables only", r)
	}
}

// TestComputeReproducible computes the features of demo data whose rows
// are shuffled over many small Parquet row groups, so that every thread
// meets part of each user's rows, with 1 and with 4 threads: every value
// must be the same to the last bit (plain DOUBLE sums are not: their
// result depends on the order in which the threads add).
func TestComputeReproducible(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := synth.Generate(ctx, dir, synth.Options{Users: 1500, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	src := dataset.Sources{}
	for k, p := range map[*string]string{&src.Users: "users", &src.Events: "events", &src.Transactions: "transactions", &src.Social: "social"} {
		*k = filepath.Join(dir, p+".csv")
	}
	// The load sandboxes DuckDB: the files written after it are named.
	shuffled := func(k dataset.Kind) string { return filepath.Join(dir, "shuffled-"+string(k)+".parquet") }
	var outs []string
	for _, k := range dataset.Kinds {
		outs = append(outs, shuffled(k))
	}
	if _, err := dataset.LoadWith(ctx, db, src.Config(), dataset.LoadOptions{Outputs: outs}); err != nil {
		t.Fatal(err)
	}
	for _, k := range dataset.Kinds {
		p := shuffled(k)
		var typ string
		if err := db.QueryRow("SELECT table_type FROM information_schema.tables WHERE table_name = ?", string(k)).Scan(&typ); err != nil {
			t.Fatal(err)
		}
		drop := "DROP TABLE "
		if typ == "VIEW" {
			drop = "DROP VIEW "
		}
		for _, q := range []string{
			fmt.Sprintf("COPY (SELECT * FROM %s ORDER BY hash(COLUMNS(*))) TO '%s' (FORMAT parquet, ROW_GROUP_SIZE 1024)", k, p),
			drop + string(k),
			fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet('%s')", k, p),
		} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
	}
	compute := func(threads int) *features.Table {
		if _, err := db.Exec(fmt.Sprintf("SET threads = %d", threads)); err != nil {
			t.Fatal(err)
		}
		tab, err := features.Compute(ctx, db, features.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return tab
	}
	one, four := compute(1), compute(4)
	if diff := cmp.Diff(one.UserIDs, four.UserIDs); diff != "" {
		t.Fatalf("users differ (-1 thread +4 threads):\n%s", diff)
	}
	n, d := one.X.Dims()
	differ := map[string]int{}
	for i := range n {
		for j := range d {
			if a, b := one.X.At(i, j), four.X.At(i, j); math.Float64bits(a) != math.Float64bits(b) {
				differ[one.Features[j].Name]++
			}
		}
	}
	if len(differ) > 0 {
		t.Errorf("values that differ between 1 and 4 threads, per feature: %v", differ)
	}
}

// featureCase is a feature's expected values for the three users of
// testdata/tiny (U1, U2, U3).
type featureCase struct {
	feature string
	want    [3]float64
}

// checkFeatures compares the three users' values in tab with each case.
func checkFeatures(t *testing.T, tab *features.Table, tests []featureCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.feature, func(t *testing.T) {
			j := tab.Col(tt.feature)
			if j < 0 {
				t.Fatalf("no feature %q", tt.feature)
			}
			got := [3]float64{tab.X.At(0, j), tab.X.At(1, j), tab.X.At(2, j)}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(1e-12, 1e-12)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
