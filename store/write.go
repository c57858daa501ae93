package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/internal/fault"
)

// errReadOnly is returned by the writing methods of a read-only store.
var errReadOnly = errors.New("the store is open read-only")

// BulkWriter writes many rows of one table faster than INSERT statements
// can, through the driver connection a transaction is open on: DuckDB's
// appender (package store/appender) or Postgres' COPY (package
// store/pgcopy).
type BulkWriter interface {
	// WriteRows writes rows inside the transaction open on conn, the
	// driver's connection (what sql.Conn.Raw passes). It reports handled
	// false, and writes nothing, when conn is not its driver's.
	WriteRows(ctx context.Context, conn any, rows Rows) (handled bool, err error)
}

// Rows are N rows for one table. Row(i, dst) sets dst[j] to row i's value
// of column Columns[j]: a string (TEXT), int (INTEGER), float64 (DOUBLE
// PRECISION) or []byte (BYTEA).
type Rows struct {
	Table   string
	Columns []string
	N       int
	Row     func(i int, dst []driver.Value)
}

// Save writes the run, pending, in one transaction: when it fails, the
// store is as it was. A run with the same id is replaced. On DuckDB the
// transaction is then checkpointed into the file, and an error doing so
// fails Save (the run is left pending, which Latest, List and Load
// ignore).
func (s *Store) Save(ctx context.Context, r *persona.Results) (err error) {
	if s.opts.ReadOnly {
		return fmt.Errorf("save run %s: %w", r.Run.ID, errReadOnly)
	}
	if err := r.Validate(); err != nil {
		return fmt.Errorf("save run: %w", err)
	}
	// One connection: the bulk rows go through its driver inside the
	// transaction begun on it.
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
	if err := s.checkpoint(ctx, conn); err != nil {
		return fmt.Errorf("save run %s: %w", r.Run.ID, err)
	}
	return nil
}

// checkpoint writes DuckDB's write-ahead log into the database file, so
// that an I/O error (a full disk, say) shows now rather than at Close.
func (s *Store) checkpoint(ctx context.Context, c interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}) error {
	if s.dialect != DuckDB {
		return nil
	}
	if err := fault.Check("checkpoint"); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if _, err := c.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// Commit marks the pending run id committed and makes its views (see
// doc.go, # Views), in one transaction.
func (s *Store) Commit(ctx context.Context, id string) error {
	if s.opts.ReadOnly {
		return fmt.Errorf("commit run %s: %w", id, errReadOnly)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE persona_runs SET committed = TRUE WHERE id = $1", id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return &persona.RunNotFoundError{ID: id}
		}
		return s.commitViews(ctx, tx, id)
	})
	if err != nil {
		return fmt.Errorf("commit run %s: %w", id, err)
	}
	if err := s.checkpoint(ctx, s.db); err != nil {
		return fmt.Errorf("commit run %s: %w", id, err)
	}
	return nil
}

// Discard removes the run id, committed or not, in one transaction.
func (s *Store) Discard(ctx context.Context, id string) (err error) {
	if s.opts.ReadOnly {
		return fmt.Errorf("discard run %s: %w", id, errReadOnly)
	}
	if err := s.inTx(ctx, func(tx *sql.Tx) error { return s.deleteRun(ctx, tx, id) }); err != nil {
		return fmt.Errorf("discard run %s: %w", id, err)
	}
	if err := s.checkpoint(ctx, s.db); err != nil {
		return fmt.Errorf("discard run %s: %w", id, err)
	}
	return nil
}

// inTx runs f in a transaction, committed when f succeeds.
func (s *Store) inTx(ctx context.Context, f func(*sql.Tx) error) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if err := f(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (s *Store) deleteRun(ctx context.Context, tx *sql.Tx, id string) error {
	if err := s.dropTables(ctx, tx, id); err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t.name+" WHERE "+t.key+" = $1", id); err != nil {
			return fmt.Errorf("delete from %s: %w", t.name, err)
		}
	}
	return nil
}

func (s *Store) save(ctx context.Context, conn *sql.Conn, tx *sql.Tx, r *persona.Results) error {
	id := r.Run.ID
	if err := s.deleteRun(ctx, tx, id); err != nil {
		return err
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
	vals, err := jsonText(r.Values)
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
		fp = persona.Fingerprint(r.UserIDs, r.X)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO persona_runs
		(id, created_at, algorithm, users, segments, fingerprint, config, summary, feature_names, profiles, model, customer_values, committed)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, FALSE)`,
		id, r.Run.CreatedAt.UTC(), string(r.Model.Algorithm), len(r.UserIDs), len(r.Profiles.Segments), fp, cfg, sum, names, profiles, mdl, vals); err != nil {
		return fmt.Errorf("insert run: %w", err)
	}
	n := len(r.UserIDs)
	// The features are kept once: in the run's own table, a column each
	// (saveFeatures), or here as blobs when they are too many columns for
	// it. Both copies were 80% of a demo run's store, and half of Save's
	// rows' bytes.
	if !wideFeatures(len(r.FeatureNames)) {
		if err := s.insert(ctx, conn, tx, tableRows{
			table: "persona_features", cols: []string{"user_id TEXT", "x BYTEA"}, n: n,
			row: func(i int, dst []driver.Value) { dst[0], dst[1] = r.UserIDs[i], encodeRow(r.Row(i)) },
		}, id); err != nil {
			return err
		}
	}
	if err := s.insert(ctx, conn, tx, tableRows{
		table: "persona_assignments", cols: []string{"user_id TEXT", "segment INTEGER", "distance FLOAT8"}, n: n,
		row: func(i int, dst []driver.Value) { dst[0], dst[1], dst[2] = r.UserIDs[i], r.Segments[i], r.Distance[i] },
	}, id); err != nil {
		return err
	}
	// A test stops Save here, half-way through the run's rows.
	if err := fault.Check("store-rows"); err != nil {
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
	if v := r.Values; v != nil {
		var cust []int32 // the users with a purchase
		for i, c := range v.Users {
			if c.Customer {
				cust = append(cust, int32(i))
			}
		}
		if err := s.insert(ctx, conn, tx, tableRows{
			table: "persona_values", n: len(cust),
			cols: []string{"user_id TEXT", "repeat_purchases INTEGER", "first_to_last FLOAT8", "first_to_end FLOAT8", "mean_repeat_value FLOAT8",
				"p_alive FLOAT8", "expected_purchases FLOAT8", "expected_order_value FLOAT8", "clv FLOAT8", "next_order_days FLOAT8"},
			row: func(k int, dst []driver.Value) {
				i := cust[k]
				c := v.Users[i]
				dst[0], dst[1], dst[2], dst[3], dst[4] = r.UserIDs[i], c.RepeatPurchases, c.FirstToLast, c.FirstToEnd, c.MeanRepeatValue
				dst[5], dst[6], dst[7], dst[8], dst[9] = c.PAlive, c.ExpectedPurchases, c.ExpectedOrderValue, c.CLV, c.NextOrderDays
			},
		}, id); err != nil {
			return err
		}
	}
	// Recommendations by user (in r.UserIDs' order), then rank; each
	// user's list is looked up once, not once per row (10M rows at a
	// million users).
	lists := make([][]persona.Recommendation, len(r.UserIDs))
	var users, ranks []int32
	for i, u := range r.UserIDs {
		lists[i] = r.Recommendations[u]
		for k := range lists[i] {
			users, ranks = append(users, int32(i)), append(ranks, int32(k))
		}
	}
	if err := s.insert(ctx, conn, tx, tableRows{
		table: "persona_recommendations", cols: []string{"user_id TEXT", "rank INTEGER", "product_id TEXT", "score FLOAT8"}, n: len(users),
		row: func(k int, dst []driver.Value) {
			it := lists[users[k]][ranks[k]]
			dst[0], dst[1], dst[2], dst[3] = r.UserIDs[users[k]], int(ranks[k])+1, it.Product, it.Score
		},
	}, id); err != nil {
		return err
	}
	x, err := runSuffix(ctx, tx, id)
	if err != nil {
		return err
	}
	if err := s.saveFeatures(ctx, conn, tx, r, x); err != nil {
		return err
	}
	return s.saveColumns(ctx, conn, tx, r, x)
}

// tableRows are n rows for one table, each a run id followed by the columns
// cols ("name TYPE"; TYPE is the Postgres name, which DuckDB knows too).
type tableRows struct {
	table string
	cols  []string
	n     int
	row   func(i int, dst []driver.Value)
}

// rows returns rs as Rows, the run id in the first column.
func (rs tableRows) rows(id string) Rows {
	names := []string{"run_id"}
	for _, c := range rs.cols {
		names = append(names, strings.Fields(c)[0])
	}
	return Rows{Table: rs.table, Columns: names, N: rs.n, Row: func(i int, dst []driver.Value) {
		dst[0] = id
		rs.row(i, dst[1:])
	}}
}

// insert writes rs for run id inside tx, which runs on conn: with the
// first of the store's bulk writers that handles conn's driver, else with
// INSERT statements.
func (s *Store) insert(ctx context.Context, conn *sql.Conn, tx *sql.Tx, rs tableRows, id string) error {
	if rs.n == 0 {
		return nil
	}
	if len(s.opts.Bulk) > 0 {
		done := false
		err := conn.Raw(func(dc any) error {
			for _, w := range s.opts.Bulk {
				ok, err := w.WriteRows(ctx, dc, rs.rows(id))
				if ok || err != nil {
					done = true
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("insert into %s: %w", rs.table, err)
		}
		if done {
			return nil
		}
	}
	return insertRows(ctx, tx, s.dialect, rs, id)
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
	q := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s", rs.table, strings.Join(rs.rows(id).Columns, ", "), strings.Join(sel, ", "))
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
