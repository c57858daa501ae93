package dataset

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
)

// copyPostgres streams the rows of a Postgres table or query, with pgx's
// COPY protocol, into a temporary CSV file that DuckDB then reads like any
// other CSV source (so the same validation and line numbers apply: line N
// is the Nth row of the result). It returns the file and a display name.
func (l *loader) copyPostgres(ctx context.Context) (string, string, error) {
	p := l.s.Postgres
	dsn := os.ExpandEnv(p.DSN)
	if dsn == "" {
		return "", "", fmt.Errorf("postgres dsn %s is empty (is the variable set?)", p.DSN)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "", "", fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var query, name string
	if p.Table != "" {
		parts := strings.Split(p.Table, ".")
		quoted := make([]string, len(parts))
		for i, s := range parts {
			quoted[i] = pgx.Identifier{s}.Sanitize()
		}
		query = "SELECT * FROM " + strings.Join(quoted, ".")
		name = "postgres table " + p.Table
	} else {
		query = strings.TrimRight(strings.TrimSpace(p.Query), ";")
		name = "postgres query"
	}
	f, err := os.CreateTemp(l.work, "persona-pg-*.csv")
	if err != nil {
		return "", "", fmt.Errorf("temporary file for postgres rows: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	_, err = conn.PgConn().CopyTo(ctx, w, "COPY ("+query+") TO STDOUT WITH (FORMAT csv, HEADER true)")
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", "", fmt.Errorf("read %s: %w", name, err)
	}
	return f.Name(), name, nil
}
