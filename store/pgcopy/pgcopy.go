// Package pgcopy writes a store's rows with Postgres' COPY: the fast path
// of store.Save on Postgres. Importing it registers pgx's database/sql
// driver as "pgx", the driver store.Open opens Postgres URLs with.
//
//	st, err := store.Open(ctx, url, store.Options{Bulk: []store.BulkWriter{pgcopy.Writer{}}})
package pgcopy

import (
	"context"
	"database/sql/driver"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/persona-seg/persona/store"
)

// Writer is a store.BulkWriter for pgx connections.
type Writer struct{}

var _ store.BulkWriter = Writer{}

// WriteRows copies rows in the transaction open on conn, when conn is a
// pgx database/sql connection.
func (Writer) WriteRows(ctx context.Context, conn any, rows store.Rows) (bool, error) {
	c, ok := conn.(*stdlib.Conn)
	if !ok {
		return false, nil
	}
	row := make([]driver.Value, len(rows.Columns))
	_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{rows.Table}, rows.Columns, pgx.CopyFromSlice(rows.N, func(i int) ([]any, error) {
		rows.Row(i, row)
		vals := make([]any, len(row))
		for j, v := range row {
			vals[j] = v
		}
		return vals, nil
	}))
	return true, err
}
