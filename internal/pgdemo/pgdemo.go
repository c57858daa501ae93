// Package pgdemo loads the demo generator's CSV files (package synth) into
// typed Postgres tables, as a warehouse would hold them, for the tests and
// benchmarks of the pushdown.
package pgdemo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Tables are the demo's tables and their Postgres columns: money as
// numeric, quantities as integers, times without a zone.
var Tables = []struct{ Name, Columns string }{
	{"users", "user_id text, signup_date date, birth_year integer, gender text, country text, acquisition_channel text, device text"},
	{"events", "user_id text, timestamp timestamp, session_id text, event_type text, category text, device text"},
	{"transactions", "user_id text, order_id text, timestamp timestamp, product_id text, category text, quantity integer, unit_price numeric(18,2), discount numeric(6,2)"},
	{"social", "user_id text, timestamp timestamp, platform text, action text, topic text"},
}

// Load creates schema.users, .events, .transactions and .social and copies
// dir's users.csv, events.csv, transactions.csv and social.csv into them
// (COPY FROM STDIN), then analyzes them. It returns the rows copied. With
// text, every column is text, as a staging table loaded from files holds
// them: the pushdown then parses every value.
func Load(ctx context.Context, conn *pgx.Conn, dir, schema string, text bool) (int64, error) {
	var total int64
	for _, t := range Tables {
		name := pgx.Identifier{schema, t.Name}.Sanitize()
		cols := t.Columns
		if text {
			var names []string
			for _, c := range strings.Split(cols, ", ") {
				names = append(names, strings.Fields(c)[0]+" text")
			}
			cols = strings.Join(names, ", ")
		}
		if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE TABLE %s (%s)", name, cols)); err != nil {
			return total, fmt.Errorf("create %s: %w", name, err)
		}
		f, err := os.Open(filepath.Join(dir, t.Name+".csv"))
		if err != nil {
			return total, err
		}
		tag, err := conn.PgConn().CopyFrom(ctx, f, fmt.Sprintf("COPY %s FROM STDIN (FORMAT csv, HEADER true)", name))
		f.Close()
		if err != nil {
			return total, fmt.Errorf("copy %s: %w", name, err)
		}
		total += tag.RowsAffected()
		if _, err := conn.Exec(ctx, "ANALYZE "+name); err != nil {
			return total, err
		}
	}
	return total, nil
}

// Config is a persona config whose datasets are the tables of schema on
// the server dsn, with engine (duckdb, postgres or "").
func Config(dsn, schema, engine string) string {
	s := ""
	if engine != "" {
		s = "engine: " + engine + "\n"
	}
	for _, t := range Tables {
		s += fmt.Sprintf("%s:\n  postgres:\n    dsn: %q\n    table: %s.%s\n", t.Name, dsn, schema, t.Name)
	}
	return s
}
