package audience

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// parquetBatch is how many rows one INSERT carries.
const parquetBatch = 20_000

// WriteParquet writes the list to path as Parquet, with DuckDB: db is a
// DuckDB database (an in-memory one will do); the list goes through a
// temporary table on one of its connections. The file appears whole or
// not at all.
func (l *List) WriteParquet(ctx context.Context, db *sql.DB, path string) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	defs := make([]string, len(l.cols))
	sel := make([]string, len(l.cols))
	for j, c := range l.cols {
		q := sqlquote.Ident(c.name)
		switch {
		case c.text != nil:
			defs[j], sel[j] = q+" VARCHAR", fmt.Sprintf("NULLIF(unnest(CAST($%d AS VARCHAR[])), '')", j+1)
		case c.integer:
			defs[j], sel[j] = q+" INTEGER", fmt.Sprintf("CAST(NULLIF(unnest(CAST($%d AS DOUBLE[])), CAST('NaN' AS DOUBLE)) AS INTEGER)", j+1)
		default:
			defs[j], sel[j] = q+" DOUBLE", fmt.Sprintf("NULLIF(unnest(CAST($%d AS DOUBLE[])), CAST('NaN' AS DOUBLE))", j+1)
		}
	}
	const table = "_persona_audience"
	if _, err := conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE "+table+" ("+strings.Join(defs, ", ")+")"); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+table)
	ins := "INSERT INTO " + table + " SELECT " + strings.Join(sel, ", ")
	// Missing values go as "" and NaN, which the INSERT makes NULL.
	for lo := 0; lo < len(l.rows); lo += parquetBatch {
		hi := min(lo+parquetBatch, len(l.rows))
		args := make([]any, len(l.cols))
		for j, c := range l.cols {
			if c.text != nil {
				vs := make([]string, hi-lo)
				for k, i := range l.rows[lo:hi] {
					vs[k], _ = c.text(i)
				}
				args[j] = vs
				continue
			}
			vs := make([]float64, hi-lo)
			for k, i := range l.rows[lo:hi] {
				v, ok := c.number(i)
				if !ok {
					v = math.NaN()
				}
				vs[k] = v
			}
			args[j] = vs
		}
		if _, err := conn.ExecContext(ctx, ins, args...); err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	tmp.Close()
	defer os.Remove(name)
	if _, err := conn.ExecContext(ctx, "COPY (SELECT * FROM "+table+") TO "+sqlquote.String(name)+" (FORMAT parquet)"); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	if f, err := os.Open(name); err == nil {
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return os.Rename(name, path)
}
