package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/persona-seg/persona/internal/sqlquote"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/persona-seg/persona"
)

// The views BI tools and reverse-ETL syncs read (see doc.go, # Views).
const (
	// CurrentSegments is the view of the newest committed run's
	// assignments: user_id, segment_id, segment_name, run_id, assigned_at,
	// previous_segment_id.
	CurrentSegments = "current_segments"
	// CurrentFeatures is the view of the newest committed run's features:
	// run_id, user_id and one column per feature.
	CurrentFeatures = "current_features"
)

// maxColumn is the longest column or table name, in bytes: Postgres cuts
// identifiers at 63.
const maxColumn = 63

// maxFeatureColumns is the most features a run's feature table holds
// (Postgres allows 1,600 columns, user_id is one): a run with more has no
// feature table or view, in DuckDB as in Postgres.
const maxFeatureColumns = 1599

// viewSchema creates the view of the current segments. It only reads the
// tables, so it is the same for every run.
const viewSchema = `CREATE OR REPLACE VIEW ` + CurrentSegments + ` AS
WITH cur AS (
  SELECT id, created_at FROM persona_runs WHERE committed ORDER BY created_at DESC, id DESC LIMIT 1),
prev AS (
  SELECT q.id FROM persona_runs q, cur
  WHERE q.committed AND (q.created_at < cur.created_at OR (q.created_at = cur.created_at AND q.id < cur.id))
  ORDER BY q.created_at DESC, q.id DESC LIMIT 1)
SELECT a.user_id, a.segment AS segment_id, s.name AS segment_name, a.run_id,
  cur.created_at AS assigned_at, p.segment AS previous_segment_id
FROM cur
JOIN persona_assignments a ON a.run_id = cur.id
LEFT JOIN persona_segments s ON s.run_id = a.run_id AND s.id = a.segment
LEFT JOIN prev ON TRUE
LEFT JOIN persona_assignments p ON p.run_id = prev.id AND p.user_id = a.user_id`

// plainID is a run id that names its tables as it is (lowercased, with _
// for - and .).
var plainID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$`)

// suffix returns what names run id's tables and views (features_<suffix>):
// the id lowercased with _ for - and ., or for another id (or one whose
// suffix another run's id already takes, taken) r and a digest of it.
func suffix(id string, taken bool) string {
	if plainID.MatchString(id) && !taken {
		return strings.NewReplacer("-", "_", ".", "_").Replace(strings.ToLower(id))
	}
	h := sha256.Sum256([]byte(id))
	return "r" + hex.EncodeToString(h[:8])
}

// The names of run tables and views with suffix x.
func featureView(x string) string  { return "features_" + x }
func featureTable(x string) string { return "persona_features_" + x }
func columnTable(x string) string  { return "persona_columns_" + x }

// runSuffix picks the suffix of a run saved now, inside tx, and records
// it in persona_run_tables.
func runSuffix(ctx context.Context, tx *sql.Tx, id string) (string, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM persona_run_tables WHERE suffix = $1 AND run_id <> $2`, suffix(id, false), id).Scan(&n); err != nil {
		return "", fmt.Errorf("run table names: %w", err)
	}
	x := suffix(id, n > 0)
	if _, err := tx.ExecContext(ctx, `INSERT INTO persona_run_tables (run_id, suffix) VALUES ($1, $2)`, id, x); err != nil {
		return "", fmt.Errorf("insert into persona_run_tables: %w", err)
	}
	return x, nil
}

// lookupSuffix returns the suffix of run id's tables, "" for a run saved
// without them.
func lookupSuffix(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string) (string, error) {
	var x string
	err := q.QueryRowContext(ctx, `SELECT suffix FROM persona_run_tables WHERE run_id = $1`, id).Scan(&x)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("tables of run %s: %w", id, err)
	}
	return x, nil
}

// columnNames returns the column of each feature: its name when it is a
// name SQL reads well (letters, digits and _, not starting with a digit,
// at most 63 bytes) and no earlier column's name in any case, else the
// name made so: lowercase, each run of other characters one _ ("Spend
// (€)" is spend), cut, with an 8-digit digest of the name when cut or
// taken. user_id and run_id are taken.
func columnNames(features []string) []string {
	taken := map[string]bool{"user_id": true, "run_id": true}
	out := make([]string, len(features))
	for j, f := range features {
		c := f
		if !columnLike(c) || taken[strings.ToLower(c)] {
			var b strings.Builder
			gap := false
			for _, r := range f {
				if r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) {
					if gap && b.Len() > 0 {
						b.WriteByte('_')
					}
					gap = false
					b.WriteRune(unicode.ToLower(r))
				} else {
					gap = true
				}
			}
			c = b.String()
			if c == "" || unicode.IsDigit([]rune(c)[0]) {
				c = "f_" + c
			}
			if len(c) > maxColumn || taken[c] {
				h := sha256.Sum256([]byte(f))
				suffix := "_" + hex.EncodeToString(h[:4])
				c = cut(c, maxColumn-len(suffix)) + suffix
				for n := 2; taken[c]; n++ {
					c = cut(c, maxColumn-len(suffix)-4) + suffix + "_" + strconv.Itoa(n)
				}
			}
		}
		taken[strings.ToLower(c)] = true
		out[j] = c
	}
	return out
}

func columnLike(s string) bool {
	if s == "" || len(s) > maxColumn {
		return false
	}
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) || i == 0 && unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// cut shortens s to at most n bytes, on a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// wideFeatures reports whether a run of d features keeps them in its own
// table, a column each (else as blobs in persona_features).
func wideFeatures(d int) bool { return d <= maxFeatureColumns }

// saveFeatures writes run r's features into its own table, one column
// per feature (see columnNames), inside Save's transaction, with the
// columns' features in persona_feature_columns. The run's view is made
// when it is committed.
func (s *Store) saveFeatures(ctx context.Context, conn *sql.Conn, tx *sql.Tx, r *persona.Results, x string) error {
	d := len(r.FeatureNames)
	if !wideFeatures(d) {
		return nil
	}
	id := r.Run.ID
	table := featureTable(x)
	cols := columnNames(r.FeatureNames)
	// Postgres looks a user up by the key; DuckDB scans as fast as it
	// would keep an index.
	defs := []string{"user_id TEXT NOT NULL"}
	if s.dialect == Postgres {
		defs[0] += " PRIMARY KEY"
	}
	for _, c := range cols {
		defs = append(defs, sqlquote.Ident(c)+" DOUBLE PRECISION")
	}
	if _, err := tx.ExecContext(ctx, "CREATE TABLE "+sqlquote.Ident(table)+" ("+strings.Join(defs, ", ")+")"); err != nil {
		return fmt.Errorf("create %s: %w", table, err)
	}
	if err := s.insert(ctx, conn, tx, tableRows{
		table: "persona_feature_columns", cols: []string{"position INTEGER", "feature TEXT", "column_name TEXT"}, n: d,
		row: func(j int, dst []driver.Value) { dst[0], dst[1], dst[2] = j+1, r.FeatureNames[j], cols[j] },
	}, id); err != nil {
		return err
	}
	types := make([]string, d)
	for j := range types {
		types[j] = "FLOAT8"
	}
	return s.insertWide(ctx, conn, tx, table, cols, types, len(r.UserIDs), func(i int, dst []driver.Value) {
		dst[0] = r.UserIDs[i]
		for j, v := range r.Row(i) {
			dst[j+1] = v
		}
	})
}

// saveColumns writes run r's Columns into its own table, user_id and one
// column each (NULL for a missing value), with their names and kinds in
// persona_user_columns.
func (s *Store) saveColumns(ctx context.Context, conn *sql.Conn, tx *sql.Tx, r *persona.Results, x string) error {
	if len(r.Columns) == 0 {
		return nil
	}
	names := make([]string, len(r.Columns))
	for k, c := range r.Columns {
		names[k] = c.Name
	}
	cols := columnNames(names)
	defs := []string{"user_id TEXT NOT NULL"}
	types := make([]string, len(cols))
	for k, c := range r.Columns {
		types[k] = "FLOAT8"
		if c.Texts != nil {
			types[k] = "TEXT"
		}
		defs = append(defs, sqlquote.Ident(cols[k])+" "+map[string]string{"FLOAT8": "DOUBLE PRECISION", "TEXT": "TEXT"}[types[k]])
	}
	table := columnTable(x)
	if _, err := tx.ExecContext(ctx, "CREATE TABLE "+sqlquote.Ident(table)+" ("+strings.Join(defs, ", ")+")"); err != nil {
		return fmt.Errorf("create %s: %w", table, err)
	}
	if err := s.insert(ctx, conn, tx, tableRows{
		table: "persona_user_columns", cols: []string{"position INTEGER", "name TEXT", "kind TEXT", "type TEXT", "column_name TEXT"}, n: len(cols),
		row: func(k int, dst []driver.Value) {
			dst[0], dst[1], dst[2], dst[3], dst[4] = k+1, r.Columns[k].Name, string(r.Columns[k].Kind), types[k], cols[k]
		},
	}, r.Run.ID); err != nil {
		return err
	}
	return s.insertWide(ctx, conn, tx, table, cols, types, len(r.UserIDs), func(i int, dst []driver.Value) {
		dst[0] = r.UserIDs[i]
		for k, c := range r.Columns {
			switch {
			case c.Texts != nil && c.Texts[i] == "", c.Texts == nil && math.IsNaN(c.Numbers[i]):
				dst[k+1] = nil
			case c.Texts != nil:
				dst[k+1] = c.Texts[i]
			default:
				dst[k+1] = c.Numbers[i]
			}
		}
	})
}

// insertWide writes n rows of user_id and cols (of types FLOAT8 or
// TEXT; nil is NULL) into table: with a bulk writer, or INSERT statements
// of arrays, one per column (NaN and "" become NULL there).
func (s *Store) insertWide(ctx context.Context, conn *sql.Conn, tx *sql.Tx, table string, cols, types []string, n int, row func(i int, dst []driver.Value)) error {
	d := len(cols)
	rows := Rows{Table: table, Columns: append([]string{"user_id"}, cols...), N: n, Row: row}
	if len(s.opts.Bulk) > 0 {
		done := false
		err := conn.Raw(func(dc any) error {
			for _, w := range s.opts.Bulk {
				ok, err := w.WriteRows(ctx, dc, rows)
				if ok || err != nil {
					done = true
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		if done {
			return nil
		}
	}
	names := []string{"user_id"}
	sel := []string{"unnest(CAST($1 AS TEXT[]))"}
	for j, c := range cols {
		names = append(names, sqlquote.Ident(c))
		if types[j] == "TEXT" {
			sel = append(sel, fmt.Sprintf("NULLIF(unnest(CAST($%d AS TEXT[])), '')", j+2))
		} else {
			sel = append(sel, fmt.Sprintf("NULLIF(unnest(CAST($%d AS FLOAT8[])), CAST('NaN' AS FLOAT8))", j+2))
		}
	}
	q := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s", sqlquote.Ident(table), strings.Join(names, ", "), strings.Join(sel, ", "))
	step := max(1, batch/max(1, d/4))
	vals := make([]driver.Value, d+1)
	for lo := 0; lo < n; lo += step {
		hi := min(lo+step, n)
		ids := make([]string, 0, hi-lo)
		args := make([]any, d+1)
		for j := range d {
			if types[j] == "TEXT" {
				args[j+1] = make([]string, 0, hi-lo)
			} else {
				args[j+1] = make([]float64, 0, hi-lo)
			}
		}
		for i := lo; i < hi; i++ {
			row(i, vals)
			ids = append(ids, vals[0].(string))
			for j := range d {
				switch a := args[j+1].(type) {
				case []string:
					v, _ := vals[j+1].(string)
					args[j+1] = append(a, v)
				case []float64:
					v, ok := vals[j+1].(float64)
					if !ok {
						v = math.NaN()
					}
					args[j+1] = append(a, v)
				}
			}
		}
		args[0] = ids
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// dropTables removes run id's tables and feature view inside tx,
// pointing current_features at the newest other committed run first.
func (s *Store) dropTables(ctx context.Context, tx *sql.Tx, id string) error {
	x, err := lookupSuffix(ctx, tx, id)
	if err != nil || x == "" {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DROP VIEW IF EXISTS "+sqlquote.Ident(featureView(x))); err != nil {
		return fmt.Errorf("drop view %s: %w", featureView(x), err)
	}
	if err := s.setCurrent(ctx, tx, id); err != nil {
		return err
	}
	for _, t := range []string{featureTable(x), columnTable(x)} {
		if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+sqlquote.Ident(t)); err != nil {
			return fmt.Errorf("drop table %s: %w", t, err)
		}
	}
	return nil
}

// hasFeatureTable reports whether run id was saved with a feature table.
func hasFeatureTable(ctx context.Context, tx *sql.Tx, id string) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM persona_feature_columns WHERE run_id = $1`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("feature table of run %s: %w", id, err)
	}
	return n > 0, nil
}

// commitViews makes committed run id's feature view, when it has a
// feature table, and points current_features at the newest committed run.
func (s *Store) commitViews(ctx context.Context, tx *sql.Tx, id string) error {
	x, err := lookupSuffix(ctx, tx, id)
	if err != nil {
		return err
	}
	ok, err := hasFeatureTable(ctx, tx, id)
	if err != nil {
		return err
	}
	if x != "" && ok {
		if err := s.replaceView(ctx, tx, featureView(x), "SELECT * FROM "+sqlquote.Ident(featureTable(x))); err != nil {
			return err
		}
	}
	return s.setCurrent(ctx, tx, "")
}

// setCurrent points current_features at the newest committed run with a
// feature table other than skip; with none, it is an empty view of run_id
// and user_id.
func (s *Store) setCurrent(ctx context.Context, tx *sql.Tx, skip string) error {
	var run, x string
	err := tx.QueryRowContext(ctx, `SELECT t.run_id, t.suffix FROM persona_run_tables t JOIN persona_runs r ON r.id = t.run_id
		WHERE r.committed AND t.run_id <> $1 AND EXISTS (SELECT 1 FROM persona_feature_columns c WHERE c.run_id = t.run_id)
		ORDER BY r.created_at DESC, r.id DESC LIMIT 1`, skip).Scan(&run, &x)
	body := "SELECT CAST(NULL AS TEXT) AS run_id, CAST(NULL AS TEXT) AS user_id WHERE FALSE"
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("newest feature table: %w", err)
	default:
		body = "SELECT CAST(" + sqlquote.String(run) + " AS TEXT) AS run_id, * FROM " + sqlquote.Ident(featureTable(x))
	}
	return s.replaceView(ctx, tx, CurrentFeatures, body)
}

// replaceView creates or replaces the view name inside tx. Postgres
// replaces a view only by one that keeps its columns: otherwise the view
// is dropped and made again, which fails (naming them) when views the
// user made depend on it, and the transaction then changes nothing.
func (s *Store) replaceView(ctx context.Context, tx *sql.Tx, name, body string) error {
	q := "CREATE OR REPLACE VIEW " + sqlquote.Ident(name) + " AS " + body
	if s.dialect == DuckDB {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create view %s: %w", name, err)
		}
		return nil
	}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT persona_view"); err != nil {
		return fmt.Errorf("create view %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, q); err == nil {
		_, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT persona_view")
		return err
	}
	if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT persona_view"); err != nil {
		return fmt.Errorf("create view %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, "DROP VIEW IF EXISTS "+sqlquote.Ident(name)); err != nil {
		return fmt.Errorf("replace view %s: %w (drop the views built on it, or build them on features_<run>)", name, err)
	}
	if _, err := tx.ExecContext(ctx, "CREATE VIEW "+sqlquote.Ident(name)+" AS "+body); err != nil {
		return fmt.Errorf("create view %s: %w", name, err)
	}
	return nil
}
