package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/model"
)

// dbOpener returns a function that opens a fresh embedded database of the
// driver, ready for a few users' records.
func dbOpener(driverName string) func(context.Context) (*sql.DB, error) {
	return func(ctx context.Context) (*sql.DB, error) {
		db, err := sql.Open(driverName, "")
		if err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		db.SetMaxOpenConns(1)
		// A few users' rows: more of DuckDB's threads would only cost
		// their start-up. This also opens the database's one connection.
		if _, err := db.ExecContext(ctx, "SET threads = 1"); err != nil {
			db.Close()
			return nil, fmt.Errorf("open database: %w", err)
		}
		return db, nil
	}
}

func closeDB(db *sql.DB) { db.Close() }

// A Featurizer describes raw records as FeaturizeValue does, each call in
// a fresh embedded database of its own (loading sandboxes a database for
// good, so none serves two calls), but opens them ahead of time and closes
// them after use on goroutines of its own: opening a DuckDB database
// (20-70 ms on a busy machine) and closing it are not part of a call.
// The first call starts the opening; Close stops it. It is safe for
// concurrent use.
type Featurizer struct {
	open  func(context.Context) (*sql.DB, error)
	ready chan *sql.DB
	stop  chan struct{}
	// mu guards started and closed, and every wg.Add, so that none
	// comes after Close began waiting.
	mu      sync.Mutex
	started bool
	closed  bool
	wg      sync.WaitGroup
}

// NewFeaturizer returns a Featurizer that keeps spare databases of the
// driver open and ready (at least one), from its first call on.
func NewFeaturizer(driverName string, spare int) *Featurizer {
	return &Featurizer{open: dbOpener(driverName), ready: make(chan *sql.DB, max(spare, 1)), stop: make(chan struct{})}
}

// fill keeps f.ready full until f is closed. A database that fails to
// open is left to the call that finds none ready: it opens its own and
// reports the error.
func (f *Featurizer) fill() {
	defer f.wg.Done()
	for {
		db, err := f.open(context.Background())
		if err != nil {
			db = nil
		}
		select {
		case <-f.stop:
			if db != nil {
				db.Close()
			}
			return
		case f.ready <- db:
		}
	}
}

// take returns a ready database, or opens one.
func (f *Featurizer) take(ctx context.Context) (*sql.DB, error) {
	f.mu.Lock()
	if !f.started && !f.closed {
		f.started = true
		f.wg.Add(1)
		go f.fill()
	}
	f.mu.Unlock()
	select {
	case db := <-f.ready:
		if db != nil {
			return db, nil
		}
	default:
	}
	return f.open(ctx)
}

// release closes db on a goroutine of its own (once f is closed, before
// it returns).
func (f *Featurizer) release(db *sql.DB) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		db.Close()
		return
	}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		db.Close()
	}()
}

// FeaturizeValue is the package's FeaturizeValue in one of f's databases.
func (f *Featurizer) FeaturizeValue(ctx context.Context, m *model.Model, rec *Records) (*features.Table, *persona.Values, error) {
	return featurize(ctx, f.take, f.release, m, rec, m.Value != nil)
}

// Close stops the opening, closes the spare databases and waits for those
// being closed. Calls after it open their own databases.
func (f *Featurizer) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	close(f.stop)
	f.mu.Unlock()
	f.wg.Wait()
	for len(f.ready) > 0 {
		if db := <-f.ready; db != nil {
			db.Close()
		}
	}
	return nil
}
