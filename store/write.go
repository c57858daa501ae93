package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Save writes the run in one transaction: when it fails, the store is as it
// was. A run with the same id is replaced.
func (s *Store) Save(ctx context.Context, r *Results) (err error) {
	if err := r.check(); err != nil {
		return fmt.Errorf("save run: %w", err)
	}
	// One connection: the bulk rows go through its driver (DuckDB's
	// appender, Postgres' COPY) inside the transaction begun on it.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("save run %s: %w", r.Run.ID, err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save run %s: %w", r.Run.ID, err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if err := s.save(ctx, conn, tx, r); err != nil {
		return fmt.Errorf("save run %s: %w", r.Run.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save run %s: commit: %w", r.Run.ID, err)
	}
	return nil
}

func (s *Store) save(ctx context.Context, conn *sql.Conn, tx *sql.Tx, r *Results) error {
	id := r.Run.ID
	for _, t := range []string{"persona_recommendations", "persona_segments", "persona_assignments", "persona_features", "persona_runs"} {
		col := "run_id"
		if t == "persona_runs" {
			col = "id"
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t+" WHERE "+col+" = $1", id); err != nil {
			return fmt.Errorf("replace %s: %w", t, err)
		}
	}
	names, err := jsonText(r.FeatureNames)
	if err != nil {
		return err
	}
	profiles, err := jsonText(r.Profiles)
	if err != nil {
		return err
	}
	mdl, err := jsonText(r.Model)
	if err != nil {
		return err
	}
	cfg, sum := string(r.Run.Config), string(r.Run.Summary)
	if cfg == "" {
		cfg = "null"
	}
	if sum == "" {
		sum = "null"
	}
	fp := r.Run.Fingerprint
	if fp == "" {
		fp = Fingerprint(r.UserIDs, r.X)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO persona_runs
		(id, created_at, algorithm, users, segments, fingerprint, config, summary, feature_names, profiles, model)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		id, r.Run.CreatedAt.UTC(), r.Model.Algorithm, len(r.UserIDs), len(r.Profiles.Segments), fp, cfg, sum, names, profiles, mdl); err != nil {
		return fmt.Errorf("insert run: %w", err)
	}
	n := len(r.UserIDs)
	if err := s.insert(ctx, conn, tx, tableRows{
		table: "persona_features", cols: []string{"user_id TEXT", "x BYTEA"}, n: n,
		row: func(i int, dst []driver.Value) { dst[0], dst[1] = r.UserIDs[i], encodeRow(r.Row(i)) },
	}, id); err != nil {
		return err
	}
	if err := s.insert(ctx, conn, tx, tableRows{
		table: "persona_assignments", cols: []string{"user_id TEXT", "segment INTEGER", "distance FLOAT8"}, n: n,
		row: func(i int, dst []driver.Value) { dst[0], dst[1], dst[2] = r.UserIDs[i], r.Segments[i], r.Distance[i] },
	}, id); err != nil {
		return err
	}
	segs := r.Profiles.Segments
	docs := make([]string, len(segs))
	for k, sg := range segs {
		if docs[k], err = jsonText(sg); err != nil {
			return err
		}
	}
	if err := s.insert(ctx, conn, tx, tableRows{
		table: "persona_segments", cols: []string{"id INTEGER", "name TEXT", "size INTEGER", "share FLOAT8", "profile TEXT"}, n: len(segs),
		row: func(k int, dst []driver.Value) {
			sg := segs[k]
			dst[0], dst[1], dst[2], dst[3], dst[4] = sg.ID, sg.Name, sg.Size, sg.Share, docs[k]
		},
	}, id); err != nil {
		return err
	}
	// Recommendations by user (in r.UserIDs' order), then rank.
	var users, ranks []int32
	for i, u := range r.UserIDs {
		for k := range r.Recommendations[u] {
			users, ranks = append(users, int32(i)), append(ranks, int32(k))
		}
	}
	return s.insert(ctx, conn, tx, tableRows{
		table: "persona_recommendations", cols: []string{"user_id TEXT", "rank INTEGER", "product_id TEXT", "score FLOAT8"}, n: len(users),
		row: func(k int, dst []driver.Value) {
			u := r.UserIDs[users[k]]
			it := r.Recommendations[u][ranks[k]]
			dst[0], dst[1], dst[2], dst[3] = u, int(ranks[k])+1, it.Product, it.Score
		},
	}, id)
}

// tableRows are n rows for one table, each a run id followed by the columns
// cols ("name TYPE"; TYPE is the Postgres name, which DuckDB knows too).
// row(i, dst) sets dst[j] to row i's value of column j: a string (TEXT),
// int (INTEGER), float64 (FLOAT8) or []byte (BYTEA).
type tableRows struct {
	table string
	cols  []string
	n     int
	row   func(i int, dst []driver.Value)
}

func (rs tableRows) names() []string {
	names := []string{"run_id"}
	for _, c := range rs.cols {
		names = append(names, strings.Fields(c)[0])
	}
	return names
}

// insert writes rs for run id inside tx, which runs on conn: with
// DuckDB's appender or Postgres' COPY when conn's driver is duckdb-go or
// pgx, else (and when s.portable) with INSERT statements.
func (s *Store) insert(ctx context.Context, conn *sql.Conn, tx *sql.Tx, rs tableRows, id string) error {
	if rs.n == 0 {
		return nil
	}
	done := false
	if !s.portable {
		err := conn.Raw(func(dc any) error {
			var err error
			switch c := dc.(type) {
			case *duckdb.Conn:
				err, done = appendRows(ctx, c, rs, id), true
			case *stdlib.Conn:
				err, done = copyRows(ctx, c.Conn(), rs, id), true
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("insert into %s: %w", rs.table, err)
		}
	}
	if done {
		return nil
	}
	return insertRows(ctx, tx, s.dialect, rs, id)
}

// appendRows writes rs with DuckDB's appender, in the transaction open on
// c.
func appendRows(ctx context.Context, c *duckdb.Conn, rs tableRows, id string) (err error) {
	a, err := duckdb.NewAppenderWithColumns(c, "", "", rs.table, rs.names())
	if err != nil {
		return err
	}
	defer func() {
		if cerr := a.CloseWithCancel(ctx); err == nil {
			err = cerr
		}
	}()
	vals := make([]driver.Value, 1+len(rs.cols))
	vals[0] = id
	for i := range rs.n {
		if i%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rs.row(i, vals[1:])
		if err := a.AppendRow(vals...); err != nil {
			return err
		}
	}
	return nil
}

// copyRows writes rs with Postgres' COPY, in the transaction open on c.
func copyRows(ctx context.Context, c *pgx.Conn, rs tableRows, id string) error {
	_, err := c.CopyFrom(ctx, pgx.Identifier{rs.table}, rs.names(), pgx.CopyFromSlice(rs.n, func(i int) ([]any, error) {
		row := make([]driver.Value, len(rs.cols))
		rs.row(i, row)
		vals := make([]any, 1+len(row))
		vals[0] = id
		for j, v := range row {
			vals[1+j] = v
		}
		return vals, nil
	}))
	return err
}

// batch is how many rows one INSERT carries.
const batch = 20_000

// insertRows writes rs with INSERT statements of up to batch rows, whose
// columns are sent as arrays and unnested by the database (both DuckDB and
// Postgres zip several unnest calls of one SELECT list).
func insertRows(ctx context.Context, tx *sql.Tx, dialect string, rs tableRows, id string) error {
	sel := []string{"$1"}
	for j, c := range rs.cols {
		typ := strings.Fields(c)[1]
		v := fmt.Sprintf("unnest(CAST($%d AS %s[]))", j+2, typ)
		if typ == "BYTEA" {
			// Blobs go as hex text: binding a list of blobs crashes
			// duckdb-go v2.10506.0 (a segmentation fault in
			// duckdb_bind_value).
			v = fmt.Sprintf("unhex(unnest(CAST($%d AS TEXT[])))", j+2)
			if dialect == Postgres {
				v = fmt.Sprintf("decode(unnest(CAST($%d AS TEXT[])), 'hex')", j+2)
			}
		}
		sel = append(sel, v)
	}
	q := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s", rs.table, strings.Join(rs.names(), ", "), strings.Join(sel, ", "))
	row := make([]driver.Value, len(rs.cols))
	for lo := 0; lo < rs.n; lo += batch {
		hi := min(lo+batch, rs.n)
		cols := make([]any, len(rs.cols))
		for i := lo; i < hi; i++ {
			rs.row(i, row)
			for j, v := range row {
				cols[j] = appendValue(cols[j], v, hi-lo)
			}
		}
		args := append([]any{id}, cols...)
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert into %s: %w", rs.table, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// appendValue appends v to the column slice col (nil: a new one of
// capacity n) of v's type; a []byte goes as hex text.
func appendValue(col, v any, n int) any {
	switch v := v.(type) {
	case string:
		c, _ := col.([]string)
		if c == nil {
			c = make([]string, 0, n)
		}
		return append(c, v)
	case int:
		c, _ := col.([]int)
		if c == nil {
			c = make([]int, 0, n)
		}
		return append(c, v)
	case float64:
		c, _ := col.([]float64)
		if c == nil {
			c = make([]float64, 0, n)
		}
		return append(c, v)
	case []byte:
		c, _ := col.([]string)
		if c == nil {
			c = make([]string, 0, n)
		}
		return append(c, hex.EncodeToString(v))
	}
	panic(fmt.Sprintf("store: column value of type %T", v))
}
