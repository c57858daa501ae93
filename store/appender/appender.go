// Package appender writes a store's rows with DuckDB's appender: the fast
// path of store.Save on a DuckDB file.
//
//	st, err := store.Open(ctx, path, store.Options{Bulk: []store.BulkWriter{appender.Writer{}}})
//
// It is the one package of the store that imports duckdb-go (and so needs
// cgo); store falls back to INSERT statements without it.
package appender

import (
	"context"
	"database/sql/driver"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/persona-seg/persona/store"
)

// Writer is a store.BulkWriter for duckdb-go connections.
type Writer struct{}

var _ store.BulkWriter = Writer{}

// WriteRows appends rows in the transaction open on conn, when conn is a
// *duckdb.Conn.
func (Writer) WriteRows(ctx context.Context, conn any, rows store.Rows) (bool, error) {
	c, ok := conn.(*duckdb.Conn)
	if !ok {
		return false, nil
	}
	return true, appendRows(ctx, c, rows)
}

func appendRows(ctx context.Context, c *duckdb.Conn, rows store.Rows) (err error) {
	a, err := duckdb.NewAppenderWithColumns(c, "", "", rows.Table, rows.Columns)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := a.CloseWithCancel(ctx); err == nil {
			err = cerr
		}
	}()
	vals := make([]driver.Value, len(rows.Columns))
	for i := range rows.N {
		if i%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rows.Row(i, vals)
		if err := a.AppendRow(vals...); err != nil {
			return err
		}
	}
	return nil
}
