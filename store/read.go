package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/profile"
)

// committed is the condition selecting committed (or, when pending, the
// other) runs of persona_runs.
func (s *Store) committed(pending bool) string {
	switch {
	case s.legacy && pending:
		return "FALSE"
	case s.legacy:
		return "TRUE"
	case pending:
		return "NOT committed"
	}
	return "committed"
}

// List returns the runs f selects, newest first.
func (s *Store) List(ctx context.Context, f persona.RunFilter) ([]persona.Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, created_at, algorithm, users, segments, fingerprint, config, summary
		FROM persona_runs WHERE `+s.committed(f.Pending)+` ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	var out []persona.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanRun(sc interface{ Scan(...any) error }) (persona.Run, error) {
	var (
		r        persona.Run
		cfg, sum string
	)
	if err := sc.Scan(&r.ID, &r.CreatedAt, &r.Algorithm, &r.Users, &r.Segments, &r.Fingerprint, &cfg, &sum); err != nil {
		return r, err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	r.Config, r.Summary = json.RawMessage(cfg), json.RawMessage(sum)
	return r, nil
}

// Latest returns the id of the newest committed run, or persona.ErrNoRuns.
func (s *Store) Latest(ctx context.Context) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT id FROM persona_runs WHERE `+s.committed(false)+` ORDER BY created_at DESC, id DESC LIMIT 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", persona.ErrNoRuns
	}
	if err != nil {
		return "", fmt.Errorf("latest run: %w", err)
	}
	return id, nil
}

// Load reads every result of run id back, committed or pending, users
// ordered by id.
func (s *Store) Load(ctx context.Context, id string) (*persona.Results, error) {
	r := &persona.Results{}
	var names, profiles, mdl string
	var vals sql.NullString
	valuesCol := "customer_values"
	if s.noValues {
		valuesCol = "'null'"
	}
	row := s.db.QueryRowContext(ctx, `SELECT id, created_at, algorithm, users, segments, fingerprint, config, summary, feature_names, profiles, model, `+valuesCol+`
		FROM persona_runs WHERE id = $1`, id)
	var cfg, sum string
	err := row.Scan(&r.Run.ID, &r.Run.CreatedAt, &r.Run.Algorithm, &r.Run.Users, &r.Run.Segments, &r.Run.Fingerprint, &cfg, &sum, &names, &profiles, &mdl, &vals)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &persona.RunNotFoundError{ID: id}
	}
	if err != nil {
		return nil, fmt.Errorf("read run %s: %w", id, err)
	}
	r.Run.CreatedAt = r.Run.CreatedAt.UTC()
	r.Run.Config, r.Run.Summary = json.RawMessage(cfg), json.RawMessage(sum)
	if err := json.Unmarshal([]byte(names), &r.FeatureNames); err != nil {
		return nil, fmt.Errorf("read run %s: feature names: %w", id, err)
	}
	r.Profiles = &profile.Report{}
	if err := json.Unmarshal([]byte(profiles), r.Profiles); err != nil {
		return nil, fmt.Errorf("read run %s: profiles: %w", id, err)
	}
	if r.Model, err = model.Decode(strings.NewReader(mdl)); err != nil {
		return nil, fmt.Errorf("read run %s: %w", id, err)
	}
	if vals.Valid && vals.String != "null" {
		if err := json.Unmarshal([]byte(vals.String), &r.Values); err != nil {
			return nil, fmt.Errorf("read run %s: customer values: %w", id, err)
		}
	}
	n, d := r.Run.Users, len(r.FeatureNames)
	r.UserIDs = make([]string, 0, n)
	r.X = make([]float64, 0, n*d)
	r.Segments = make([]int, 0, n)
	r.Distance = make([]float64, 0, n)
	rows, err := s.db.QueryContext(ctx, `SELECT f.user_id, f.x, a.segment, a.distance
		FROM persona_features f JOIN persona_assignments a ON a.run_id = f.run_id AND a.user_id = f.user_id
		WHERE f.run_id = $1 ORDER BY f.user_id`, id)
	if err != nil {
		return nil, fmt.Errorf("read run %s: users: %w", id, err)
	}
	defer rows.Close()
	var (
		u   string
		x   []byte
		seg int
		dd  float64
	)
	buf := make([]float64, d)
	for rows.Next() {
		if err := rows.Scan(&u, &x, &seg, &dd); err != nil {
			return nil, fmt.Errorf("read run %s: users: %w", id, err)
		}
		if err := decodeRow(buf, x); err != nil {
			return nil, fmt.Errorf("read run %s: user %q: %w", id, u, err)
		}
		r.UserIDs = append(r.UserIDs, u)
		r.X = append(r.X, buf...)
		r.Segments = append(r.Segments, seg)
		r.Distance = append(r.Distance, dd)
		if len(r.UserIDs)%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read run %s: users: %w", id, err)
	}
	rows.Close()
	if r.Values != nil {
		if err := s.loadValues(ctx, id, r); err != nil {
			return nil, err
		}
	}
	recs, err := s.db.QueryContext(ctx, `SELECT user_id, product_id, score FROM persona_recommendations
		WHERE run_id = $1 ORDER BY user_id, rank`, id)
	if err != nil {
		return nil, fmt.Errorf("read run %s: recommendations: %w", id, err)
	}
	defer recs.Close()
	for recs.Next() {
		var it persona.Recommendation
		if err := recs.Scan(&u, &it.Product, &it.Score); err != nil {
			return nil, fmt.Errorf("read run %s: recommendations: %w", id, err)
		}
		if r.Recommendations == nil {
			r.Recommendations = map[string][]persona.Recommendation{}
		}
		r.Recommendations[u] = append(r.Recommendations[u], it)
	}
	return r, recs.Err()
}

// loadValues reads the customer values of run id into r.Values.Users, in
// the order of r.UserIDs.
func (s *Store) loadValues(ctx context.Context, id string, r *persona.Results) error {
	v := r.Values
	v.Users = make([]persona.CustomerValue, len(r.UserIDs))
	rows, err := s.db.QueryContext(ctx, `SELECT user_id, repeat_purchases, first_to_last, first_to_end, mean_repeat_value,
		p_alive, expected_purchases, expected_order_value, clv, next_order_days
		FROM persona_values WHERE run_id = $1 ORDER BY user_id`, id)
	if err != nil {
		return fmt.Errorf("read run %s: customer values: %w", id, err)
	}
	defer rows.Close()
	// Both queries order by user id in the database's collation: the
	// customers come in the order of r.UserIDs, a subsequence of it.
	i := 0
	for rows.Next() {
		var u string
		var c persona.CustomerValue
		if err := rows.Scan(&u, &c.RepeatPurchases, &c.FirstToLast, &c.FirstToEnd, &c.MeanRepeatValue,
			&c.PAlive, &c.ExpectedPurchases, &c.ExpectedOrderValue, &c.CLV, &c.NextOrderDays); err != nil {
			return fmt.Errorf("read run %s: customer values: %w", id, err)
		}
		for i < len(r.UserIDs) && r.UserIDs[i] != u {
			i++
		}
		if i == len(r.UserIDs) {
			return fmt.Errorf("read run %s: customer values of user %q, who is not in the run", id, u)
		}
		c.Customer = true
		v.Users[i] = c
		i++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read run %s: customer values: %w", id, err)
	}
	return nil
}
