package dataset_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/persona-seg/persona/dataset"
)

// TestPushdownAttributes pushes a users table with attributes, outcomes
// and a profiles table down into a real Postgres: the attributes views
// hold the values the DuckDB loader would read (text money, yes/no, levels
// in any case, missing markers), unparsable values reject their row with
// the attribute's name, and what cannot run there (a custom select that
// writes or is not Postgres SQL, a dataset's query over the named sources
// that is not Postgres SQL, an outcome that is a date, a missing column)
// is refused before any row is read, in one line naming its key.
func TestPushdownAttributes(t *testing.T) {
	dsn := postgresDSN(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("persona_attrs_%d", time.Now().UnixNano())
	for _, q := range []string{
		"CREATE SCHEMA " + schema,
		"CREATE TABLE " + schema + `.customers (id text, joined date, plan text, spend text, vip text, tier text, tags text, dob text, churn text)`,
		"INSERT INTO " + schema + `.customers VALUES
			('C1', '2023-01-01', ' Pro ', '$1,250.50', 'yes', 'GOLD', 'a, b', '1980-05-01', 'Yes'),
			('C2', '2023-02-01', 'free', 'n/a', 'N', 'silver', '', '1990-01-31', 'No'),
			('C3', '2023-03-01', NULL, '12', NULL, NULL, 'b', NULL, NULL),
			('C4', '2023-04-01', 'free', 'abc', 'yes', 'gold', 'a', '1970-01-01', 'No'),
			('C5', '2023-05-01', 'free', '3', 'maybe', 'bronze', 'a', '1970-01-01', 'No'),
			('C6', '2023-06-01', 'free', '3', 'no', 'platinum', 'a', '1970-01-01', 'No')`,
		"CREATE TABLE " + schema + `.survey (customer text, nps integer)`,
		"INSERT INTO " + schema + `.survey VALUES ('C1', 9), ('C2', 3), ('C2', 5)`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	t.Setenv("PERSONA_TEST_PG_URL", dsn)
	users := fmt.Sprintf(`max_reject_rate: 0.5
users:
  postgres: {dsn: $PERSONA_TEST_PG_URL, table: %s.customers}
  columns: {user_id: id, signup_date: joined}
`, schema)
	attrs := `  attributes:
    plan: categorical
    spend: numeric
    vip: boolean
    tier: {type: ordinal, levels: [bronze, silver, gold]}
    tags: list
    born: {column: dob, type: age}
  outcomes:
    churned: churn = 'Yes'
profiles:
  survey:
    postgres: {dsn: $PERSONA_TEST_PG_URL, table: ` + schema + `.survey}
    columns: {user_id: customer}
    attributes: {nps: numeric}
`
	open := func(yaml string) (*dataset.Pushdown, error) {
		cfg, err := dataset.ParseConfig([]byte(yaml))
		if err != nil {
			t.Fatal(err)
		}
		return dataset.OpenPushdown(ctx, cfg, dataset.PushdownOptions{Now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	}

	p, err := open(users + attrs + "features:\n  custom:\n    - {name: top_nps, from: survey, select: max(nps)}\n")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if c := p.Stats.Counts[dataset.Users]; c.Read != 6 || c.Rejected != 3 || c.Reasons["unparsable attributes.spend"] != 1 || c.Reasons["unparsable attributes.vip"] != 1 || c.Reasons["unparsable attributes.tier"] != 1 {
		t.Errorf("users counts %+v: want 3 of 6 rejected, spend abc, vip maybe, tier platinum", c)
	}
	if c := p.Stats.Counts["survey"]; c.Read != 3 || c.Used != 3 {
		t.Errorf("survey counts %+v, want 3 read and used", c)
	}
	rows, err := p.QueryContext(ctx, `SELECT user_id, coalesce(plan, '∅'), coalesce(spend, -1), coalesce(CAST(vip AS text), '∅'), coalesce(tier, '∅'),
		coalesce(tags, '∅'), coalesce(CAST(born AS text), '∅'), coalesce(churned, -1) FROM _persona_attrs_users ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id, plan, vip, tier, tags, born string
		var spend, churned float64
		if err := rows.Scan(&id, &plan, &spend, &vip, &tier, &tags, &born, &churned); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s %g %s %s %s %s %g", id, plan, spend, vip, tier, tags, born, churned))
	}
	rows.Close()
	want := []string{
		"C1 Pro 1250.5 true gold a, b 1980-05-01 00:00:00 1",
		"C2 free -1 false silver ∅ 1990-01-31 00:00:00 0",
		"C3 ∅ 12 ∅ ∅ b ∅ -1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("attributes view:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var nps, top float64
	if err := p.QueryRowContext(ctx, `SELECT min(nps), (SELECT max(nps) FROM survey WHERE user_id = 'C2') FROM _persona_attrs_survey WHERE user_id = 'C2'`).Scan(&nps, &top); err != nil || nps != 3 || top != 5 || math.IsNaN(nps) {
		t.Errorf("survey of C2: least nps %v, custom feature's column %v, %v; want 3, 5", nps, top, err)
	}

	// The role persona connects as needs only SELECT on the tables and
	// USAGE on their schema: attributes, profiles tables and custom
	// features included.
	t.Run("select only role", func(t *testing.T) {
		role := schema + "_reader"
		for _, q := range []string{
			"CREATE ROLE " + role + " LOGIN",
			"GRANT USAGE ON SCHEMA " + schema + " TO " + role,
			"GRANT SELECT ON " + schema + ".customers, " + schema + ".survey TO " + role,
		} {
			if _, err := conn.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() {
			conn.Exec(context.Background(), "REVOKE ALL ON SCHEMA "+schema+" FROM "+role)
			conn.Exec(context.Background(), "REVOKE ALL ON ALL TABLES IN SCHEMA "+schema+" FROM "+role)
			conn.Exec(context.Background(), "DROP ROLE "+role)
		})
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.User(role)
		t.Setenv("PERSONA_TEST_PG_URL", u.String())
		p, err := open(users + attrs + "features:\n  custom:\n    - {name: top_nps, from: survey, select: max(nps)}\n")
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		var n int
		if err := p.QueryRowContext(ctx, "SELECT count(*) FROM _persona_attrs_users JOIN survey USING (user_id)").Scan(&n); err != nil || n != 3 {
			t.Errorf("users with survey answers read as %s: %d, %v; want 3", role, n, err)
		}
	})

	for _, tt := range []struct{ name, yaml, key, err string }{
		{"custom select writes", users + "features:\n  custom:\n    - {name: x, from: users, select: \"(SELECT count(*) FROM (DELETE FROM t RETURNING 1) AS d)\"}\n",
			"features.custom[0].select", "DELETE at byte"},
		{"custom select is DuckDB SQL", users + "features:\n  custom:\n    - {name: x, from: users, select: \"count_if(plan = 'free')\"}\n",
			"features.custom[0].select", "run in Postgres"},
		{"outcome is a date", users + "  outcomes: {when: joined}\n", "users.outcomes.when", "an outcome is a boolean"},
		{"attribute without its column", users + "  attributes: {nope: numeric}\n", "users.attributes.nope", `no column "nope"`},
		{"attribute expression fails", users + "  attributes: {x: {column: \"spend * 2\", type: numeric}}\n", "users.attributes.x.column", "expression"},
		{"number from a date", users + "  attributes: {x: {column: joined, type: numeric}}\n", "users.attributes.x", "cannot be read as a number"},
		{"query is DuckDB SQL", "sources:\n  cust: {postgres: {dsn: $PERSONA_TEST_PG_URL, table: " + schema + ".customers}}\nusers:\n  query: SELECT * EXCLUDE (plan) FROM cust\n  columns: {user_id: id}\n",
			"users.query", "run in Postgres"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := open(tt.yaml)
			if err == nil {
				p.Close()
				t.Fatal("no error")
			}
			t.Log(err)
			var ce *dataset.ConfigError
			if msg := err.Error(); !strings.HasPrefix(msg, tt.key) || !strings.Contains(msg, tt.err) || strings.Contains(msg, "\n") || !errors.As(err, &ce) {
				t.Errorf("error %q, want one line naming %s with %q", msg, tt.key, tt.err)
			}
		})
	}
}
