// Package store keeps persona's runs (features, segment assignments,
// profiles, recommendations and the model) in a SQL database: a DuckDB
// file or Postgres.
package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/profile"
)

// Dialects the store speaks.
const (
	DuckDB   = "duckdb"
	Postgres = "postgres"
)

// File is the name of the DuckDB store in an output folder.
const File = "persona.duckdb"

// ErrNoRuns is returned when the store holds no run.
var ErrNoRuns = errors.New("the store holds no run")

// Store reads and writes runs in one database.
type Store struct {
	db      *sql.DB
	dialect string
	owned   bool
	// portable makes Save use INSERT statements only, as it does with a
	// driver other than duckdb-go or pgx (set by tests).
	portable bool
}

// IsPostgres reports whether dsn names a Postgres database (a
// postgres:// or postgresql:// URL).
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the store at dsn: a Postgres URL, or else the path of a
// DuckDB file opened with the database/sql driver registered as
// duckDriver. The tables are created when missing. Close releases it.
func Open(ctx context.Context, duckDriver, dsn string) (*Store, error) {
	driver, dialect := duckDriver, DuckDB
	if IsPostgres(dsn) {
		driver, dialect = "pgx", Postgres
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if dialect == DuckDB {
		db.SetMaxOpenConns(1)
	}
	s, err := New(ctx, db, dialect)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// OpenReadOnly opens an existing store at dsn for reading only. A DuckDB
// file opened this way lets other read-only processes in, and is not
// changed.
func OpenReadOnly(ctx context.Context, duckDriver, dsn string) (*Store, error) {
	driver, dialect := duckDriver, DuckDB
	if IsPostgres(dsn) {
		driver, dialect = "pgx", Postgres
	} else {
		dsn += "?access_mode=read_only"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return &Store{db: db, dialect: dialect, owned: true}, nil
}

// New returns a store on db, which speaks dialect (DuckDB or Postgres),
// creating the tables when missing. Close does not close db.
func New(ctx context.Context, db *sql.DB, dialect string) (*Store, error) {
	if dialect != DuckDB && dialect != Postgres {
		return nil, fmt.Errorf("store dialect %q is not duckdb or postgres", dialect)
	}
	s := &Store{db: db, dialect: dialect}
	for _, q := range schema {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("create store tables: %w", err)
		}
	}
	return s, nil
}

// Close closes the database when Open opened it.
func (s *Store) Close() error {
	if s.owned {
		return s.db.Close()
	}
	return nil
}

// Dialect returns DuckDB or Postgres.
func (s *Store) Dialect() string { return s.dialect }

var schema = []string{
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
	`CREATE TABLE IF NOT EXISTS persona_features (
  run_id TEXT NOT NULL, user_id TEXT NOT NULL, x BYTEA NOT NULL, PRIMARY KEY (run_id, user_id))`,
	`CREATE TABLE IF NOT EXISTS persona_assignments (
  run_id TEXT NOT NULL, user_id TEXT NOT NULL, segment INTEGER NOT NULL, distance DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (run_id, user_id))`,
	`CREATE TABLE IF NOT EXISTS persona_segments (
  run_id TEXT NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL,
  share DOUBLE PRECISION NOT NULL, profile TEXT NOT NULL, PRIMARY KEY (run_id, id))`,
	`CREATE TABLE IF NOT EXISTS persona_recommendations (
  run_id TEXT NOT NULL, user_id TEXT NOT NULL, rank INTEGER NOT NULL, product_id TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL, PRIMARY KEY (run_id, user_id, rank))`,
}

// Run describes one stored run.
type Run struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	Algorithm string    `json:"algorithm"`
	Users     int       `json:"users"`
	Segments  int       `json:"segments"`
	// Fingerprint is a SHA-256 of the feature table (user ids and values).
	Fingerprint string `json:"fingerprint"`
	// Config is the run's configuration as JSON, Summary its summary.
	Config  json.RawMessage `json:"config"`
	Summary json.RawMessage `json:"summary"`
}

// Recommendation is one recommended product for a user.
type Recommendation struct {
	Product string  `json:"product"`
	Score   float64 `json:"score"`
}

// Results is everything a run produced.
type Results struct {
	Run Run
	// UserIDs, FeatureNames and X (row-major, len(UserIDs) x
	// len(FeatureNames)) are the raw feature table.
	UserIDs      []string
	FeatureNames []string
	X            []float64
	// Segments and Distance are each user's segment and distance to it.
	Segments []int
	Distance []float64
	Profiles *profile.Report
	// Recommendations, by user id, best first; may be nil.
	Recommendations map[string][]Recommendation
	Model           *model.Model
}

// Row returns the features of user i.
func (r *Results) Row(i int) []float64 {
	d := len(r.FeatureNames)
	return r.X[i*d : (i+1)*d : (i+1)*d]
}

// Fingerprint returns the SHA-256 of the user ids and feature values.
func Fingerprint(ids []string, x []float64) string {
	h := sha256.New()
	var b [8]byte
	for _, id := range ids {
		h.Write([]byte(id))
		h.Write([]byte{0})
	}
	for _, v := range x {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		h.Write(b[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (r *Results) check() error {
	n, d := len(r.UserIDs), len(r.FeatureNames)
	switch {
	case r.Run.ID == "":
		return errors.New("run id not set")
	case n == 0:
		return errors.New("no users")
	case len(r.X) != n*d:
		return fmt.Errorf("%d feature values for %d users x %d features", len(r.X), n, d)
	case len(r.Segments) != n:
		return fmt.Errorf("%d segments for %d users", len(r.Segments), n)
	case len(r.Distance) != n:
		return fmt.Errorf("%d distances for %d users", len(r.Distance), n)
	case r.Profiles == nil:
		return errors.New("no profiles")
	case r.Model == nil:
		return errors.New("no model")
	}
	return nil
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
