package dataset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckReadOnlySQL(t *testing.T) {
	tests := []struct {
		sql   string
		query bool
		err   string // "" when accepted
	}{
		{"quantity * unit_price", false, ""},
		{"CASE WHEN status = 'delete' THEN 1 END", false, ""},
		{`"insert" || 'x'`, false, ""},
		{"coalesce(note, $$drop table x; -- $$)", false, ""},
		{"a /* update */ + b -- delete\n", false, ""},
		{"E'it\\'s; create' || x", false, ""},
		{"SELECT * FROM orders WHERE status <> 'void';", true, ""},
		{"WITH x AS (SELECT 1) SELECT * FROM x", true, ""},
		{"1; DROP TABLE users", false, "one statement only"},
		{"(SELECT 1) UNION ALL (DELETE FROM t RETURNING 1)", false, "DELETE at byte"},
		{"SELECT * INTO copy FROM orders", true, "INTO at byte"},
		{"DELETE FROM orders", true, "one SELECT"},
		{"WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", true, "DELETE at byte"},
		{"set_config('default_transaction_read_only', 'off', false)", false, "function set_config"},
		{"query_to_xml('drop table t', true, true, '')", false, "function query_to_xml"},
		{"nextval ('s')", false, "function nextval"},
		{"'unterminated", false, "unterminated string"},
		{"a /* open", false, "unterminated comment"},
	}
	for _, tt := range tests {
		err := checkReadOnlySQL("events.columns.x", tt.sql, tt.query)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%q: %v", tt.sql, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%q: error %v, want %q", tt.sql, err, tt.err)
		case err != nil && !strings.HasPrefix(err.Error(), "events.columns.x"):
			t.Errorf("%q: error %q does not name the key", tt.sql, err)
		}
	}
}

func TestPushdownEngine(t *testing.T) {
	pg := "users:\n  postgres: {dsn: $PG, table: users}\nevents:\n  postgres: {dsn: $PG, table: events}\n"
	tests := []struct {
		yaml, engine, err string
	}{
		{pg, EnginePostgres, ""},
		{"engine: duckdb\n" + pg, EngineDuckDB, ""},
		{"engine: postgres\n" + pg, EnginePostgres, ""},
		{"users:\n  postgres: {dsn: $PG, table: users}\nevents:\n  path: events.csv\n", EngineDuckDB, ""},
		{"engine: postgres\nusers:\n  postgres: {dsn: $PG, table: users}\nevents:\n  path: events.csv\n", "", "events is not a postgres source"},
		{"engine: postgres\nusers:\n  postgres: {dsn: $PG, table: users}\nevents:\n  postgres: {dsn: $OTHER, table: events}\n", "", "another Postgres server"},
		// Attributes, outcomes, profiles tables and custom features push
		// down with the datasets.
		{pg + "features:\n  custom:\n    - {name: x, from: events, select: count(*)}\n", EnginePostgres, ""},
		{"engine: postgres\nusers:\n  postgres: {dsn: $PG, table: users}\n  attributes: {plan: categorical, born: {column: dob, type: age}}\n  outcomes: {churned: churn = 'Yes'}\n" +
			"outcomes: {spend: ltv}\nprofiles:\n  survey:\n    postgres: {dsn: $PG, table: survey}\n    attributes: {nps: numeric}\n", EnginePostgres, ""},
		// What cannot is named, with the reason.
		{"engine: postgres\n" + pg + "profiles:\n  survey:\n    path: survey.csv\n    attributes: {nps: numeric}\n", "", "profiles.survey is not a postgres source"},
		{"engine: postgres\nusers:\n  postgres: {dsn: $PG, table: users}\n  attributes: {born: {column: dob, type: age, format: '%d/%m/%Y'}}\n", "", "users.attributes.born.format %d/%m/%Y is not pushed down"},
		{"engine: postgres\n" + pg + "  timestamp_format: '%d/%m/%Y %H:%M'\n", "", "events.timestamp_format %d/%m/%Y %H:%M is not pushed down"},
		{pg + "  timestamp_format: epoch_ms\n", EnginePostgres, ""},
		// A dataset given as a query over named postgres sources pushes
		// down; over a file it cannot.
		{"sources:\n  o: {postgres: {dsn: $PG, table: orders}}\n  c: {postgres: {dsn: $PG, table: customers}}\n" + pg + "transactions:\n  query: SELECT * FROM o JOIN c USING (customer_id)\n", EnginePostgres, ""},
		{"engine: postgres\nsources:\n  o: {path: orders.csv}\n" + pg + "transactions:\n  query: SELECT * FROM o\n", "", "sources.o is not a postgres source"},
		{"engine: postgres\nsources:\n  o: {postgres: {dsn: $PG, table: orders}, time_zone: Europe/Paris}\n" + pg + "transactions:\n  query: SELECT * FROM o\n", "", "sources.o.time_zone is not pushed down"},
	}
	for _, tt := range tests {
		cfg, err := ParseConfig([]byte(tt.yaml))
		if err != nil {
			t.Fatalf("%s: %v", tt.yaml, err)
		}
		e, err := cfg.PushdownEngine()
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "engine") {
				t.Errorf("%s: %s, %v; want an error with %q", tt.yaml, e, err, tt.err)
			}
			continue
		}
		if err != nil || e != tt.engine {
			t.Errorf("%s: %s, %v; want %s", tt.yaml, e, err, tt.engine)
		}
	}
	if _, err := ParseConfig([]byte("engine: spark\n" + pg)); err == nil || !strings.Contains(err.Error(), "engine") {
		t.Errorf("engine spark: %v", err)
	}
}

// TestReadmePushdownConfig: the config of the README's section "When your
// data outgrows one machine" parses and pushes down.
func TestReadmePushdownConfig(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Skip("no README.md")
	}
	_, sec, ok := strings.Cut(string(data), "## When your data outgrows one machine")
	if !ok {
		t.Fatal(`README has no "When your data outgrows one machine" section`)
	}
	_, block, ok := strings.Cut(sec, "```yaml\n")
	if !ok {
		t.Fatal("no yaml block in the section")
	}
	block, _, _ = strings.Cut(block, "```")
	cfg, err := ParseConfig([]byte(block))
	if err != nil {
		t.Fatal(err)
	}
	if e, err := cfg.PushdownEngine(); err != nil || e != EnginePostgres {
		t.Fatalf("engine %s, %v; want postgres", e, err)
	}
	for _, k := range Kinds {
		if s := cfg.Source(k); s != nil {
			for f, m := range s.Columns {
				if err := checkReadOnlySQL(string(k)+".columns."+f, m, false); err != nil {
					t.Error(err)
				}
			}
			if s.Postgres.Query != "" {
				if err := checkReadOnlySQL(string(k)+".postgres.query", s.Postgres.Query, true); err != nil {
					t.Error(err)
				}
			}
		}
	}
}
