package features_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/internal/pgdemo"
	"github.com/persona-seg/persona/synth"
)

// pushdownDemo generates the demo's data for users users into Postgres, in
// a schema of its own, with a few bad rows that the row checks reject,
// and returns its DSN and schema.
func pushdownDemo(t *testing.T, users int, text bool) (*pgx.Conn, string, string) {
	t.Helper()
	conn, schema := testPostgres(t)
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := synth.Generate(ctx, dir, synth.Options{Users: users, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := pgdemo.Load(ctx, conn, dir, schema, text); err != nil {
		t.Fatal(err)
	}
	bad := []string{
		`INSERT INTO transactions VALUES (NULL, 'OX1', '2024-05-01 10:00:00', 'P1', 'books', 1, 5.00, 0)`,
		`INSERT INTO transactions VALUES ('U000001', 'OX2', '2024-05-01 10:00:00', 'P1', 'books', 1, -5.00, 0)`,
		`INSERT INTO transactions VALUES ('U000002', 'OX3', '2024-05-01 10:00:00', 'P1', 'books', 1, 5e14, 3)`,
		`INSERT INTO events VALUES ('U000003', '2999-01-01 00:00:00', 'S1', 'login', NULL, 'mobile')`,
		`INSERT INTO events VALUES ('U000003', '1800-01-01 00:00:00', 'S1', 'login', NULL, 'mobile')`,
		`INSERT INTO users VALUES ('U999999', '2023-01-01', 1700, 'female', 'SE', 'organic', 'mobile')`,
		// A duplicate of a whole row.
		`INSERT INTO social SELECT * FROM social ORDER BY user_id, timestamp LIMIT 1`,
	}
	if text {
		bad = append(bad,
			`INSERT INTO transactions VALUES ('U000004', 'OX4', '2024-05-01 10:00:00', 'P1', 'books', '2', 'abc', '0')`,
			`INSERT INTO transactions VALUES ('U000004', 'OX5', '2024-05-01T10:00:00+02:00', 'P1', 'books', ' 2 ', '1.5e1', NULL)`,
			`INSERT INTO events VALUES ('U000005', '2024-02-30 10:00:00', 'S1', 'login', NULL, 'mobile')`,
			`INSERT INTO events VALUES ('U000005', 'yesterday', 'S1', 'login', NULL, 'mobile')`,
			`INSERT INTO users VALUES ('U999998', '2023-13-01', 'x', 'female', 'SE', 'organic', 'mobile')`,
			`INSERT INTO users VALUES (' 17850.0 ', '2023-01-01', ' 1980 ', 'male', 'SE', 'organic', 'mobile')`)
	}
	for _, q := range bad {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return conn, os.Getenv("PERSONA_TEST_POSTGRES"), schema
}

// TestPushdownSameAnswers computes the demo's features twice from the same
// Postgres tables: copied into DuckDB (engine: duckdb, the copy path) and
// pushed down into Postgres (engine: postgres). Every count and reason of
// the row checks must agree, and every feature of every user: counts (the
// columns whose values are all whole) bit for bit, the others within
// 1e-12 relative. They differ in the last bit for some users in the
// money columns and what is computed from them (monetary, avg_order_value,
// spend shares, price level, discount share, HHI, entropy): both engines
// add the same exact integers (Dialect.ExactSum), but DuckDB's cast of a
// HUGEINT above 2^64 to DOUBLE rounds twice (its lower and upper 64 bits
// apart), where Postgres's numeric to double rounds once, correctly; a sum
// of money past 2^64 / 2^52 = 4,096 at the catalogue's shift gets there.
//
// The attributes case adds per-customer columns of every attribute type
// (mostly text: money with currency signs, yes/no, lists, levels in any
// case, missing markers), an outcome of the users and a top-level one, a
// survey as a profiles table keyed by another column, and custom features
// over events, transactions and the survey (pgdemo.AddAttributes): the
// attribute, outcome and custom columns must agree too, and so must the
// outcomes of every user.
func TestPushdownSameAnswers(t *testing.T) {
	t.Run("typed", func(t *testing.T) { testPushdownSameAnswers(t, 2000, "typed") })
	// Every column text: the pushdown parses numbers, dates and times
	// with its own SQL, as DuckDB parses the copied text.
	t.Run("text", func(t *testing.T) { testPushdownSameAnswers(t, 200, "text") })
	t.Run("attributes", func(t *testing.T) { testPushdownSameAnswers(t, 1500, "attributes") })
	// Transactions given as a query joining named sources (sourcesConfig).
	t.Run("sources", func(t *testing.T) { testPushdownSameAnswers(t, 300, "sources") })
	// Events stamped in epoch milliseconds, as text, with a fraction of a
	// second (timestamp_format: epoch_ms; epochConfig).
	t.Run("epoch", func(t *testing.T) { testPushdownSameAnswers(t, 300, "epoch") })
}

// epochEvents adds schema.events_ms: the events with their times as
// milliseconds since 1970 in a text column (some not whole seconds), and
// two that do not read: a word and a time past what a timestamp holds.
func epochEvents(t *testing.T, conn *pgx.Conn, schema string) {
	t.Helper()
	for _, q := range []string{
		fmt.Sprintf(`CREATE TABLE %[1]s.events_ms AS SELECT user_id,
			CAST(CAST(extract(epoch FROM "timestamp") * 1000 AS bigint) + get_byte(decode(md5(coalesce(session_id, '') || event_type), 'hex'), 0) * 3 AS text) AS ts_ms,
			session_id, event_type, category, device FROM %[1]s.events`, schema),
		fmt.Sprintf(`INSERT INTO %s.events_ms VALUES ('U000006', 'soon', 'S9', 'login', NULL, 'mobile'), ('U000006', '99999999999999999', 'S9', 'login', NULL, 'mobile')`, schema),
	} {
		if _, err := conn.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
}

// epochConfig is pgdemo.Config with the events read from events_ms.
func epochConfig(dsn, schema, engine string) string {
	return strings.Replace(pgdemo.Config(dsn, schema, engine), schema+".events\n", schema+".events_ms\n  columns: {timestamp: ts_ms}\n  timestamp_format: epoch_ms\n", 1)
}

// sourcesConfig is pgdemo.Config with the transactions given as a query
// over two named sources, the demo's transactions and users tables,
// joined: lines of users with a country only.
func sourcesConfig(dsn, schema, engine string) string {
	var s strings.Builder
	if engine != "" {
		s.WriteString("engine: " + engine + "\n")
	}
	fmt.Fprintf(&s, "sources:\n  lines:\n    postgres: {dsn: %q, table: %s.transactions}\n  customers:\n    postgres: {dsn: %q, table: %s.users}\n", dsn, schema, dsn, schema)
	for _, t := range pgdemo.Tables {
		if t.Name == "transactions" {
			s.WriteString("transactions:\n  query: SELECT l.* FROM lines AS l JOIN customers AS c ON c.user_id = l.user_id WHERE c.country IS NOT NULL\n")
			continue
		}
		fmt.Fprintf(&s, "%s:\n  postgres:\n    dsn: %q\n    table: %s.%s\n", t.Name, dsn, schema, t.Name)
	}
	return s.String()
}

func testPushdownSameAnswers(t *testing.T, users int, variant string) {
	text, attrs, sources := variant == "text", variant == "attributes", variant == "sources"
	conn, dsn, schema := pushdownDemo(t, users, text)
	ctx := context.Background()
	config := pgdemo.Config
	switch variant {
	case "sources":
		config = sourcesConfig
	case "epoch":
		epochEvents(t, conn, schema)
		config = epochConfig
	}
	if attrs {
		if err := pgdemo.AddAttributes(ctx, conn, schema); err != nil {
			t.Fatal(err)
		}
		config = pgdemo.AttrConfig
	}
	parse := func(engine string) *dataset.Config {
		cfg, err := dataset.ParseConfig([]byte(config(dsn, schema, engine)))
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	now := time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)

	local := parse("duckdb")
	if e, err := local.PushdownEngine(); err != nil || e != dataset.EngineDuckDB {
		t.Fatalf("engine duckdb: %s, %v", e, err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	start := time.Now()
	st, err := dataset.LoadWith(ctx, db, local, dataset.LoadOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	want, err := features.Compute(ctx, db, features.OptionsFor(local))
	if err != nil {
		t.Fatal(err)
	}
	copied := time.Since(start)
	kinds := slices.Clone(dataset.Kinds)
	if attrs {
		kinds = append(kinds, "survey")
	}
	wantRejects := map[dataset.Kind][]dataset.Reject{}
	for _, k := range kinds {
		if wantRejects[k], err = dataset.Rejects(ctx, db, k, 0); err != nil {
			t.Fatal(err)
		}
	}

	pushed := parse("")
	if e, err := pushed.PushdownEngine(); err != nil || e != dataset.EnginePostgres {
		t.Fatalf("default engine of postgres sources: %s, %v", e, err)
	}
	start = time.Now()
	p, err := dataset.OpenPushdown(ctx, pushed, dataset.PushdownOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	o := features.OptionsFor(pushed)
	o.Dialect = features.Postgres
	got, err := features.ComputeOn(ctx, p, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d users × %d features: copied into DuckDB %v, pushed down %v", len(want.UserIDs), len(want.Features), copied.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))

	for _, k := range kinds {
		w, g := st.Counts[k], p.Stats.Counts[k]
		w.Warnings = nil
		if fmt.Sprint(w) != fmt.Sprint(g) {
			t.Errorf("%s counts: pushed down %+v, duckdb %+v", k, g, w)
		}
		var wr, gr []string
		for _, r := range wantRejects[k] {
			if !strings.HasPrefix(r.Reason, "duplicate") {
				wr = append(wr, fmt.Sprintf("%s|%s|%s", r.Reason, r.Column, number(r.Value)))
			}
		}
		for _, r := range p.Rejects[k] {
			gr = append(gr, fmt.Sprintf("%s|%s|%s", r.Reason, r.Column, number(r.Value)))
		}
		if sources {
			// The rows of a join come in another order in each engine.
			slices.Sort(wr)
			slices.Sort(gr)
		}
		if strings.Join(wr, "\n") != strings.Join(gr, "\n") {
			t.Errorf("%s rejects: pushed down\n%s\nduckdb\n%s", k, strings.Join(gr, "\n"), strings.Join(wr, "\n"))
		}
	}
	extra, attrBad := int64(0), int64(0)
	if text {
		extra = 1 // unit_price abc; each dataset one more unparsable row
	}
	evBad := 2 + 2*extra
	if variant == "epoch" {
		evBad += 2 // soon, 99999999999999999
	}
	if attrs {
		attrBad = 3 // score abc, tier platinum, born in 2999
	}
	txBad := 3 + extra
	if sources {
		txBad-- // the line without a user is no line of the join
	}
	if st.Counts[dataset.Transactions].Rejected != txBad || st.Counts[dataset.Events].Rejected != evBad || st.Counts[dataset.Users].Rejected != 1+extra+attrBad || st.Counts[dataset.Social].Duplicates != 1 {
		t.Errorf("the bad rows are not all caught: %+v", st.Counts)
	}
	if fmt.Sprint(want.Names()) != fmt.Sprint(got.Names()) {
		t.Fatalf("columns differ:\npushed down %v\nduckdb %v", got.Names(), want.Names())
	}
	if !want.AsOf.Equal(got.AsOf) || !want.WindowStart.Equal(got.WindowStart) {
		t.Errorf("as_of %v, window start %v; duckdb %v, %v", got.AsOf, got.WindowStart, want.AsOf, want.WindowStart)
	}
	rows := map[string][]float64{}
	for i, u := range got.UserIDs {
		rows[u] = got.X.RawRowView(i)
	}
	// Counts (every value whole) must be equal; sums and means may differ
	// in the last bit (see TestPushdownSameAnswers).
	near := map[string]bool{}
	for j, f := range want.Features {
		for i := range want.UserIDs {
			if v := want.X.At(i, j); v != math.Trunc(v) {
				near[f.Name] = true
				break
			}
		}
	}
	compareTables(t, want, rows, near)
	if attrs {
		for _, g := range []features.Group{features.GroupAttributes, features.GroupCustom} {
			n := 0
			for _, f := range got.Features {
				if f.Group == g {
					n++
				}
			}
			if n < 3 {
				t.Errorf("%d %s features pushed down, want the config's", n, g)
			}
		}
		compareOutcomes(t, want, got)
	}
	var differ []string
	for j, f := range want.Features {
		for i := range want.UserIDs {
			if w, g := want.X.At(i, j), got.X.At(i, j); w != g && !(math.IsNaN(w) && math.IsNaN(g)) {
				differ = append(differ, f.Name)
				break
			}
		}
	}
	if len(differ) > 0 {
		t.Logf("columns equal within 1e-12 but not bit for bit: %v", differ)
	}
}

// number writes a value that parses as a number the way Go does (DuckDB
// writes 2e15 as 2000000000000000.0, Postgres as 2e+15; a numeric(18,2)
// is -5.00 as Postgres writes it, -5 from a named source DuckDB typed as
// a double).
func number(s string) string {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return s
}

// compareOutcomes wants the outcomes of got equal to want's for every
// user (NaN for unknown in both).
func compareOutcomes(t *testing.T, want, got *features.Table) {
	t.Helper()
	if len(want.Outcomes) == 0 || len(got.Outcomes) != len(want.Outcomes) {
		t.Fatalf("%d outcomes pushed down, %d in DuckDB", len(got.Outcomes), len(want.Outcomes))
	}
	if !slices.Equal(want.UserIDs, got.UserIDs) {
		t.Fatalf("the users differ")
	}
	for k, w := range want.Outcomes {
		g := got.Outcomes[k]
		if g.Name != w.Name || len(g.Values) != len(w.Values) {
			t.Errorf("outcome %d: %s of %d users pushed down, %s of %d", k, g.Name, len(g.Values), w.Name, len(w.Values))
			continue
		}
		known, bad := 0, 0
		for i, v := range w.Values {
			if !math.IsNaN(v) {
				known++
			}
			if v != g.Values[i] && !(math.IsNaN(v) && math.IsNaN(g.Values[i])) {
				if bad++; bad <= 3 {
					t.Errorf("outcome %s of %s: pushed down %v, duckdb %v", w.Name, want.UserIDs[i], g.Values[i], v)
				}
			}
		}
		if known == 0 {
			t.Errorf("outcome %s: no user has a value", w.Name)
		}
	}
}
