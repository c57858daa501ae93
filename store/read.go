package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/persona-seg/persona/internal/sqlquote"
	"math"
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
	if err := s.loadUsers(ctx, r, d); err != nil {
		return nil, fmt.Errorf("read run %s: users: %w", id, err)
	}
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
	var u string
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
	if err := recs.Err(); err != nil {
		return nil, fmt.Errorf("read run %s: recommendations: %w", id, err)
	}
	recs.Close()
	if err := s.loadColumns(ctx, r); err != nil {
		return nil, fmt.Errorf("read run %s: columns: %w", id, err)
	}
	return r, nil
}

// loadUsers appends r's users, their d features, segments and distances
// to r, ordered by user id: from the run's own feature table, a column
// each, when it has one, else from the blobs of persona_features (a run
// with too many features for a table, or saved before runs stopped
// keeping both).
func (s *Store) loadUsers(ctx context.Context, r *persona.Results, d int) error {
	id := r.Run.ID
	cols, table, err := s.featureColumns(ctx, id, d)
	if err != nil {
		return err
	}
	var q string
	if table != "" {
		sel := make([]string, d)
		for j, c := range cols {
			sel[j] = "w." + sqlquote.Ident(c)
		}
		q = `SELECT w.user_id, ` + strings.Join(sel, ", ") + `, a.segment, a.distance
		FROM ` + sqlquote.Ident(table) + ` w JOIN persona_assignments a ON a.run_id = $1 AND a.user_id = w.user_id
		ORDER BY w.user_id`
	} else {
		q = `SELECT f.user_id, f.x, a.segment, a.distance
		FROM persona_features f JOIN persona_assignments a ON a.run_id = f.run_id AND a.user_id = f.user_id
		WHERE f.run_id = $1 ORDER BY f.user_id`
	}
	rows, err := s.db.QueryContext(ctx, q, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		u   string
		x   []byte
		seg int
		dd  float64
	)
	buf := make([]float64, d)
	dest := []any{&u, &x, &seg, &dd}
	if table != "" {
		dest = make([]any, 0, d+3)
		dest = append(dest, &u)
		for j := range buf {
			dest = append(dest, &buf[j])
		}
		dest = append(dest, &seg, &dd)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if table == "" {
			if err := decodeRow(buf, x); err != nil {
				return fmt.Errorf("user %q: %w", u, err)
			}
		}
		r.UserIDs = append(r.UserIDs, u)
		r.X = append(r.X, buf...)
		r.Segments = append(r.Segments, seg)
		r.Distance = append(r.Distance, dd)
		if len(r.UserIDs)%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	return rows.Err()
}

// featureColumns returns the columns of run id's own feature table, in
// feature order, and the table; no table when the run has none (a run
// with more than maxFeatureColumns features, or one from a store older
// than the run tables).
func (s *Store) featureColumns(ctx context.Context, id string, d int) ([]string, string, error) {
	if s.legacy || !wideFeatures(d) {
		return nil, "", nil
	}
	x, err := lookupSuffix(ctx, s.db, id)
	if err != nil {
		if s.opts.ReadOnly && missingTable(err) {
			return nil, "", nil // a store older than the run tables
		}
		return nil, "", err
	}
	if x == "" {
		return nil, "", nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT column_name FROM persona_feature_columns WHERE run_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, "", err
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	if len(cols) != d {
		return nil, "", nil
	}
	return cols, featureTable(x), nil
}

// loadColumns reads r's Columns, in the order of r.UserIDs. A store
// written before runs had them (no persona_user_columns) has none.
func (s *Store) loadColumns(ctx context.Context, r *persona.Results) error {
	if s.legacy {
		return nil
	}
	x, err := lookupSuffix(ctx, s.db, r.Run.ID)
	if err != nil {
		if s.opts.ReadOnly && missingTable(err) {
			return nil // a store older than the run tables
		}
		return err
	}
	if x == "" {
		return nil
	}
	meta, err := s.db.QueryContext(ctx, `SELECT name, kind, type, column_name FROM persona_user_columns WHERE run_id = $1 ORDER BY position`, r.Run.ID)
	if err != nil {
		return err
	}
	var sel []string
	for meta.Next() {
		var c persona.Column
		var typ, col string
		if err := meta.Scan(&c.Name, &c.Kind, &typ, &col); err != nil {
			meta.Close()
			return err
		}
		n := len(r.UserIDs)
		if typ == "TEXT" {
			c.Texts = make([]string, n)
		} else {
			c.Numbers = make([]float64, n)
		}
		r.Columns = append(r.Columns, c)
		sel = append(sel, sqlquote.Ident(col))
	}
	meta.Close()
	if err := meta.Err(); err != nil {
		return err
	}
	if len(r.Columns) == 0 {
		return nil
	}
	rows, err := s.db.QueryContext(ctx, "SELECT user_id, "+strings.Join(sel, ", ")+" FROM "+sqlquote.Ident(columnTable(x))+" ORDER BY user_id")
	if err != nil {
		return err
	}
	defer rows.Close()
	// Both queries order by user_id in the database's collation: row k is
	// user k, unless the user counts disagree.
	texts := make([]sql.NullString, len(r.Columns))
	nums := make([]sql.NullFloat64, len(r.Columns))
	dest := make([]any, len(r.Columns)+1)
	var u string
	dest[0] = &u
	for k, c := range r.Columns {
		if c.Texts != nil {
			dest[k+1] = &texts[k]
		} else {
			dest[k+1] = &nums[k]
		}
	}
	var at map[string]int
	i := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		row := i
		if at == nil && (row >= len(r.UserIDs) || r.UserIDs[row] != u) {
			at = make(map[string]int, len(r.UserIDs))
			for j, id := range r.UserIDs {
				at[id] = j
			}
		}
		if at != nil {
			var ok bool
			if row, ok = at[u]; !ok {
				return fmt.Errorf("user %q has columns but no features", u)
			}
		}
		for k := range r.Columns {
			c := &r.Columns[k]
			if c.Texts != nil {
				c.Texts[row] = texts[k].String
			} else if nums[k].Valid {
				c.Numbers[row] = nums[k].Float64
			} else {
				c.Numbers[row] = math.NaN()
			}
		}
		i++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if i != len(r.UserIDs) {
		return fmt.Errorf("%d users have columns, %d features", i, len(r.UserIDs))
	}
	return nil
}

// missingTable reports whether err says a table does not exist.
func missingTable(err error) bool {
	m := strings.ToLower(err.Error())
	return strings.Contains(m, "does not exist") || strings.Contains(m, "not found") || strings.Contains(m, "no such table")
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
