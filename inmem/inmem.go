// Package inmem implements persona.RunStore in memory, with the same
// semantics as package store (pending and committed runs, users read back
// ordered by id), for tests of the packages that depend on the domain
// alone.
//
//	st := inmem.New()
//	srv, err := server.New(st, server.Options{})
package inmem

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/persona-seg/persona"
)

// Store keeps runs in memory. It is safe for concurrent use.
type Store struct {
	mu     sync.Mutex
	runs   map[string]*entry
	closed bool
}

type entry struct {
	res       *persona.Results
	committed bool
}

var _ persona.RunStore = (*Store)(nil)

var errClosed = errors.New("inmem: store closed")

// New returns an empty store.
func New() *Store { return &Store{runs: map[string]*entry{}} }

// Save keeps a copy of r as a pending run, replacing a run of the same id.
// Like package store it sets the run's users, segments, algorithm and (when
// empty) fingerprint from the results.
func (s *Store) Save(ctx context.Context, r *persona.Results) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("save run: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c := sorted(r)
	for i := 1; i < len(c.UserIDs); i++ {
		if c.UserIDs[i] == c.UserIDs[i-1] {
			return fmt.Errorf("save run %s: user %q twice", r.Run.ID, c.UserIDs[i])
		}
	}
	if len(c.Run.Config) == 0 {
		c.Run.Config = []byte("null")
	}
	if len(c.Run.Summary) == 0 {
		c.Run.Summary = []byte("null")
	}
	c.Run.Users, c.Run.Segments, c.Run.Algorithm = len(c.UserIDs), len(c.Profiles.Segments), string(c.Model.Algorithm)
	c.Run.CreatedAt = c.Run.CreatedAt.UTC()
	if c.Run.Fingerprint == "" {
		c.Run.Fingerprint = persona.Fingerprint(r.UserIDs, r.X)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	s.runs[c.Run.ID] = &entry{res: c}
	return nil
}

// Commit marks the pending run id committed.
func (s *Store) Commit(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	e, ok := s.runs[id]
	if !ok {
		return fmt.Errorf("commit run %s: %w", id, &persona.RunNotFoundError{ID: id})
	}
	e.committed = true
	return nil
}

// Discard removes the run id.
func (s *Store) Discard(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	delete(s.runs, id)
	return nil
}

// Latest returns the id of the newest committed run, or persona.ErrNoRuns.
func (s *Store) Latest(ctx context.Context) (string, error) {
	runs, err := s.List(ctx, persona.RunFilter{})
	if err != nil {
		return "", err
	}
	if len(runs) == 0 {
		return "", persona.ErrNoRuns
	}
	return runs[0].ID, nil
}

// List returns the runs f selects, newest first (then by id, descending).
func (s *Store) List(ctx context.Context, f persona.RunFilter) ([]persona.Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	var out []persona.Run
	for _, e := range s.runs {
		if e.committed != f.Pending {
			out = append(out, e.res.Run)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out, nil
}

// Load returns a copy of the run id, committed or pending.
func (s *Store) Load(ctx context.Context, id string) (*persona.Results, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	e, ok := s.runs[id]
	if !ok {
		return nil, &persona.RunNotFoundError{ID: id}
	}
	return sorted(e.res), nil
}

// Close empties the store; later calls fail.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed, s.runs = true, nil
	return nil
}

// sorted returns a copy of r with its users ordered by id. Profiles and
// Model are shared: nothing here changes them.
func sorted(r *persona.Results) *persona.Results {
	n, d := len(r.UserIDs), len(r.FeatureNames)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return r.UserIDs[idx[a]] < r.UserIDs[idx[b]] })
	c := *r
	c.FeatureNames = slices.Clone(r.FeatureNames)
	c.UserIDs = make([]string, n)
	c.X = make([]float64, 0, n*d)
	c.Segments = make([]int, n)
	c.Distance = make([]float64, n)
	for k, i := range idx {
		c.UserIDs[k], c.Segments[k], c.Distance[k] = r.UserIDs[i], r.Segments[i], r.Distance[i]
		c.X = append(c.X, r.Row(i)...)
	}
	if r.Values != nil {
		v := *r.Values
		v.Users = make([]persona.CustomerValue, n)
		for k, i := range idx {
			v.Users[k] = r.Values.Users[i]
		}
		c.Values = &v
	}
	c.Recommendations = nil
	for _, u := range c.UserIDs {
		if l := r.Recommendations[u]; len(l) > 0 {
			if c.Recommendations == nil {
				c.Recommendations = map[string][]persona.Recommendation{}
			}
			c.Recommendations[u] = slices.Clone(l)
		}
	}
	c.Columns = nil
	for _, col := range r.Columns {
		cc := persona.Column{Name: col.Name, Kind: col.Kind}
		if col.Texts != nil {
			cc.Texts = make([]string, n)
			for k, i := range idx {
				cc.Texts[k] = col.Texts[i]
			}
		} else {
			cc.Numbers = make([]float64, n)
			for k, i := range idx {
				cc.Numbers[k] = col.Numbers[i]
			}
		}
		c.Columns = append(c.Columns, cc)
	}
	c.Run.Config, c.Run.Summary = slices.Clone(r.Run.Config), slices.Clone(r.Run.Summary)
	return &c
}
