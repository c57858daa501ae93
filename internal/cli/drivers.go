package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/internal/sysmem"
	"github.com/persona-seg/persona/pipeline"
	"github.com/persona-seg/persona/store"
	"github.com/persona-seg/persona/store/appender"
	"github.com/persona-seg/persona/store/pgcopy" // registers the "pgx" database/sql driver
)

// This file is the one place that imports database drivers: DuckDB's
// (which needs cgo) and pgx's, with their bulk writers for the store.

// DriverName is the database/sql driver the pipeline computes features
// with.
const DriverName = "duckdb"

// storeOptions are the options every store is opened with. A DuckDB
// store gets the default budget the run's own DuckDB gets (README,
// Memory), not DuckDB's 80% of the RAM.
func storeOptions(readOnly bool) store.Options {
	ram, from, _ := sysmem.Total()
	limit, _ := dataset.DefaultMemoryLimit(ram, from)
	return store.Options{
		DuckDBDriver: DriverName,
		ReadOnly:     readOnly,
		Bulk:         []store.BulkWriter{appender.Writer{}, pgcopy.Writer{}},
		MemoryLimit:  limit,
	}
}

// storeDSN turns --store into what store.Open takes: a folder becomes its
// persona.duckdb.
func storeDSN(s string) string {
	if store.IsPostgres(s) {
		return s
	}
	if fi, err := os.Stat(s); err == nil && fi.IsDir() {
		return filepath.Join(s, store.File)
	}
	return s
}

// storeFolder returns the output folder whose store --store names (the
// folder, or the folder of its persona.duckdb), or "" for another store.
func storeFolder(s string) string {
	if store.IsPostgres(s) {
		return ""
	}
	dsn := storeDSN(s)
	dir := filepath.Dir(dsn)
	if filepath.Base(dsn) != store.File {
		return ""
	}
	if _, err := os.Lstat(filepath.Join(dir, ".persona")); err != nil {
		return ""
	}
	return dir
}

// readRuns returns st as persona runs and serve read it: through
// pipeline.OutReader when --store names an output folder's store, so that
// they agree with the folder's files.
func readRuns(s string, st persona.RunReader) persona.RunReader {
	if dir := storeFolder(s); dir != "" {
		return pipeline.OutReader(dir, st)
	}
	return st
}

// openStore opens an existing store named by --store, read-only (for
// persona runs and serve: a read-only mount is enough).
func openStore(ctx context.Context, s string) (*store.Store, error) {
	dsn := storeDSN(s)
	if !store.IsPostgres(dsn) {
		if _, err := os.Stat(dsn); err != nil {
			return nil, fmt.Errorf("store %s: %w", dsn, err)
		}
	}
	return store.Open(ctx, dsn, storeOptions(true))
}

// runStore returns the opener of the store a run is saved in: dsn (a
// postgres:// URL or a DuckDB file), default OUT/persona.duckdb.
func runStore(dsn, out string) func(ctx context.Context) (persona.RunStore, error) {
	if dsn == "" {
		dsn = filepath.Join(out, store.File)
	}
	return func(ctx context.Context) (persona.RunStore, error) {
		st, err := store.Open(ctx, dsn, storeOptions(false))
		for try := 0; err != nil && !store.IsPostgres(dsn) && try < 50; try++ {
			// A server may be reading the DuckDB file: it holds the
			// lock for a moment only.
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
			st, err = store.Open(ctx, dsn, storeOptions(false))
		}
		if err != nil {
			return nil, err
		}
		return st, nil
	}
}
