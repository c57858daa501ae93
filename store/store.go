// Package store implements persona.RunStore in a SQL database: a DuckDB
// file or Postgres, through database/sql alone.
//
//	st, err := store.Open(ctx, "out/persona.duckdb", store.Options{})
//
// The package imports no driver: the program registers DuckDB's (and pgx's,
// for Postgres URLs) and may pass the drivers' bulk writers (packages
// store/appender and store/pgcopy) in Options.Bulk.
package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/persona-seg/persona"
)

// Dialects the store speaks.
const (
	DuckDB   = "duckdb"
	Postgres = "postgres"
)

// File is the name of the DuckDB store in an output folder.
const File = "persona.duckdb"

// Options configures Open and New. The zero value means defaults.
type Options struct {
	// DuckDBDriver is the database/sql driver DuckDB files are opened
	// with. Default "duckdb".
	DuckDBDriver string
	// PostgresDriver is the database/sql driver Postgres URLs are opened
	// with. Default "pgx".
	PostgresDriver string
	// ReadOnly opens an existing store for reading only: nothing is
	// created or changed, other read-only processes may read a DuckDB file
	// at the same time, and a read-only mount is enough. Save, Commit and
	// Discard fail.
	ReadOnly bool
	// Bulk are fast ways to write many rows, tried in order on the
	// connection of Save's transaction; the first that handles it writes
	// the rows. Without one (or when none handles the driver), Save uses
	// INSERT statements, which store the same rows.
	Bulk []BulkWriter
	// MemoryLimit, when positive, is the memory_limit in bytes of the
	// DuckDB instance a DuckDB file is opened in (beyond it DuckDB spills
	// to the file and its .tmp folder). Zero leaves DuckDB's own default,
	// 80% of the RAM. Ignored for Postgres.
	MemoryLimit int64
}

func (o Options) withDefaults() Options {
	if o.DuckDBDriver == "" {
		o.DuckDBDriver = "duckdb"
	}
	if o.PostgresDriver == "" {
		o.PostgresDriver = "pgx"
	}
	return o
}

// Store reads and writes runs in one database. It implements
// persona.RunStore.
type Store struct {
	db      *sql.DB
	dialect string
	owned   bool
	opts    Options
	// legacy is set on a read-only store written before runs were
	// committed (no committed column): every run in it is committed.
	legacy bool
	// noValues is set on a read-only store written before runs kept
	// customer values (no customer_values column): none of its runs has
	// any.
	noValues bool
}

var _ persona.RunStore = (*Store)(nil)

// IsPostgres reports whether dsn names a Postgres database (a
// postgres:// or postgresql:// URL).
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the store at dsn: a Postgres URL, or else the path of a
// DuckDB file. The tables are created when missing, unless opts.ReadOnly.
// Close releases it.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	driver, dialect := opts.DuckDBDriver, DuckDB
	if IsPostgres(dsn) {
		driver, dialect = opts.PostgresDriver, Postgres
	} else {
		var params []string
		if opts.ReadOnly {
			params = append(params, "access_mode=read_only")
		}
		if opts.MemoryLimit > 0 {
			params = append(params, fmt.Sprintf("memory_limit=%dKiB", max(opts.MemoryLimit>>10, 1)))
		}
		if len(params) > 0 {
			dsn += "?" + strings.Join(params, "&")
		}
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if dialect == DuckDB {
		db.SetMaxOpenConns(1)
	}
	s, err := New(ctx, db, dialect, opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// New returns a store on db, which speaks dialect (DuckDB or Postgres),
// creating the tables when missing (unless opts.ReadOnly). Close does not
// close db.
func New(ctx context.Context, db *sql.DB, dialect string, opts Options) (*Store, error) {
	if dialect != DuckDB && dialect != Postgres {
		return nil, fmt.Errorf("store dialect %q is not duckdb or postgres", dialect)
	}
	s := &Store{db: db, dialect: dialect, opts: opts.withDefaults()}
	if opts.ReadOnly {
		if err := db.PingContext(ctx); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		// A store written before runs were committed has no committed
		// column; every run in it was whole.
		if _, err := db.ExecContext(ctx, "SELECT committed FROM persona_runs LIMIT 0"); err != nil {
			if _, err2 := db.ExecContext(ctx, "SELECT id FROM persona_runs LIMIT 0"); err2 != nil {
				return nil, fmt.Errorf("open store: %w", err2)
			}
			s.legacy = true
		}
		if _, err := db.ExecContext(ctx, "SELECT customer_values FROM persona_runs LIMIT 0"); err != nil {
			s.noValues = true
		}
		return s, nil
	}
	for _, q := range schema(dialect) {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("create store tables: %w", err)
		}
	}
	if err := s.inTx(ctx, func(tx *sql.Tx) error { return s.setCurrent(ctx, tx, "") }); err != nil {
		return nil, fmt.Errorf("create store views: %w", err)
	}
	return s, nil
}

// Close closes the database when Open opened it. For a DuckDB file that
// writes what is left of the write-ahead log into the file: an error means
// the store may not hold what was saved.
func (s *Store) Close() error {
	if s.owned {
		if err := s.db.Close(); err != nil {
			return fmt.Errorf("close store: %w", err)
		}
	}
	return nil
}

// Dialect returns DuckDB or Postgres.
func (s *Store) Dialect() string { return s.dialect }

// schema returns the statements that create the store's tables in
// dialect. The per-user tables (a row per user, or per user and rank)
// have a primary key in Postgres only, where BI tools look users up by
// it: DuckDB would build an index of a million keys inside Save's
// transaction (most of Save's time at a million users) for lookups that
// nothing makes (Load and the views scan), so there the key is checked
// by Results.Validate instead. Stores made before keep their keys.
func schema(dialect string) []string {
	key := func(cols string) string {
		if dialect == Postgres {
			return ", PRIMARY KEY (" + cols + ")"
		}
		return ""
	}
	return []string{
		`CREATE TABLE IF NOT EXISTS persona_runs (
  id TEXT PRIMARY KEY,
  created_at TIMESTAMP NOT NULL,
  algorithm TEXT NOT NULL,
  users INTEGER NOT NULL,
  segments INTEGER NOT NULL,
  fingerprint TEXT NOT NULL,
  config TEXT NOT NULL,
  summary TEXT NOT NULL,
  feature_names TEXT NOT NULL,
  profiles TEXT NOT NULL,
  model TEXT NOT NULL)`,
		// Runs saved before this column existed were saved whole: they are
		// committed.
		`ALTER TABLE persona_runs ADD COLUMN IF NOT EXISTS committed BOOLEAN DEFAULT TRUE`,
		`CREATE TABLE IF NOT EXISTS persona_features (
  run_id TEXT NOT NULL, user_id TEXT NOT NULL, x BYTEA NOT NULL` + key("run_id, user_id") + `)`,
		`CREATE TABLE IF NOT EXISTS persona_assignments (
  run_id TEXT NOT NULL, user_id TEXT NOT NULL, segment INTEGER NOT NULL, distance DOUBLE PRECISION NOT NULL` + key("run_id, user_id") + `)`,
		`CREATE TABLE IF NOT EXISTS persona_segments (
  run_id TEXT NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL,
  share DOUBLE PRECISION NOT NULL, profile TEXT NOT NULL, PRIMARY KEY (run_id, id))`,
		// The customer values (persona.Values): its settings in the run's
		// row, one row per customer.
		`ALTER TABLE persona_runs ADD COLUMN IF NOT EXISTS customer_values TEXT DEFAULT 'null'`,
		`CREATE TABLE IF NOT EXISTS persona_values (
  run_id TEXT NOT NULL, user_id TEXT NOT NULL, repeat_purchases INTEGER NOT NULL,
  first_to_last DOUBLE PRECISION NOT NULL, first_to_end DOUBLE PRECISION NOT NULL, mean_repeat_value DOUBLE PRECISION NOT NULL,
  p_alive DOUBLE PRECISION NOT NULL, expected_purchases DOUBLE PRECISION NOT NULL, expected_order_value DOUBLE PRECISION NOT NULL,
  clv DOUBLE PRECISION NOT NULL, next_order_days DOUBLE PRECISION NOT NULL` + key("run_id, user_id") + `)`,
		`CREATE TABLE IF NOT EXISTS persona_recommendations (
  run_id TEXT NOT NULL, user_id TEXT NOT NULL, rank INTEGER NOT NULL, product_id TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL` + key("run_id, user_id, rank") + `)`,
		// A run's own tables (views.go), named by its suffix: its features,
		// one column each, and its Columns.
		`CREATE TABLE IF NOT EXISTS persona_run_tables (run_id TEXT PRIMARY KEY, suffix TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS persona_feature_columns (
  run_id TEXT NOT NULL, position INTEGER NOT NULL, feature TEXT NOT NULL, column_name TEXT NOT NULL,
  PRIMARY KEY (run_id, position))`,
		`CREATE TABLE IF NOT EXISTS persona_user_columns (
  run_id TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, type TEXT NOT NULL,
  column_name TEXT NOT NULL, PRIMARY KEY (run_id, position))`,
		viewSchema,
	}
}

// tables are the per-run tables, each with the column naming the run, in
// the order a run's rows are deleted.
var tables = []struct{ name, key string }{
	{"persona_values", "run_id"},
	{"persona_feature_columns", "run_id"},
	{"persona_user_columns", "run_id"},
	{"persona_run_tables", "run_id"},
	{"persona_recommendations", "run_id"},
	{"persona_segments", "run_id"},
	{"persona_assignments", "run_id"},
	{"persona_features", "run_id"},
	{"persona_runs", "id"},
}

func encodeRow(v []float64) []byte {
	b := make([]byte, 8*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(f))
	}
	return b
}

func decodeRow(dst []float64, b []byte) error {
	if len(b) != 8*len(dst) {
		return fmt.Errorf("%d bytes of features, want %d", len(b), 8*len(dst))
	}
	for i := range dst {
		dst[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return nil
}

func jsonText(v any) (string, error) {
	if v == nil {
		return "null", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}
