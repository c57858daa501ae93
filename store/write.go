package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// batch is how many rows one INSERT carries.
const batch = 500

// Save writes the run in one transaction: when it fails, the store is as it
// was. A run with the same id is replaced.
func (s *Store) Save(ctx context.Context, r *Results) (err error) {
	if err := r.check(); err != nil {
		return fmt.Errorf("save run: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save run %s: %w", r.Run.ID, err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if err := s.save(ctx, tx, r); err != nil {
		return fmt.Errorf("save run %s: %w", r.Run.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save run %s: commit: %w", r.Run.ID, err)
	}
	return nil
}

func (s *Store) save(ctx context.Context, tx *sql.Tx, r *Results) error {
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
	if err := insert(ctx, tx, "persona_features", []string{"run_id", "user_id", "x"}, n, func(i int, dst []any) {
		dst[0], dst[1], dst[2] = id, r.UserIDs[i], encodeRow(r.Row(i))
	}); err != nil {
		return err
	}
	if err := insert(ctx, tx, "persona_assignments", []string{"run_id", "user_id", "segment", "distance"}, n, func(i int, dst []any) {
		dst[0], dst[1], dst[2], dst[3] = id, r.UserIDs[i], r.Segments[i], r.Distance[i]
	}); err != nil {
		return err
	}
	segs := r.Profiles.Segments
	var segErr error
	if err := insert(ctx, tx, "persona_segments", []string{"run_id", "id", "name", "size", "share", "profile"}, len(segs), func(i int, dst []any) {
		p, err := jsonText(segs[i])
		if err != nil {
			segErr = err
		}
		dst[0], dst[1], dst[2], dst[3], dst[4], dst[5] = id, segs[i].ID, segs[i].Name, segs[i].Size, segs[i].Share, p
	}); err != nil {
		return err
	}
	if segErr != nil {
		return segErr
	}
	type rec struct {
		user string
		rank int
		Recommendation
	}
	var recs []rec
	for _, u := range r.UserIDs {
		for k, it := range r.Recommendations[u] {
			recs = append(recs, rec{u, k + 1, it})
		}
	}
	return insert(ctx, tx, "persona_recommendations", []string{"run_id", "user_id", "rank", "product_id", "score"}, len(recs), func(i int, dst []any) {
		dst[0], dst[1], dst[2], dst[3], dst[4] = id, recs[i].user, recs[i].rank, recs[i].Product, recs[i].Score
	})
}

// insert writes n rows in multi-row INSERTs; row fills one row's values.
func insert(ctx context.Context, tx *sql.Tx, table string, cols []string, n int, row func(i int, dst []any)) error {
	c := len(cols)
	var stmt *sql.Stmt
	defer func() {
		if stmt != nil {
			stmt.Close()
		}
	}()
	args := make([]any, 0, batch*c)
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		args = args[:(hi-lo)*c]
		for i := lo; i < hi; i++ {
			row(i, args[(i-lo)*c:(i-lo+1)*c])
		}
		if hi-lo == batch && stmt != nil {
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("insert into %s: %w", table, err)
			}
			continue
		}
		q := insertSQL(table, cols, hi-lo)
		if hi-lo == batch {
			var err error
			if stmt, err = tx.PrepareContext(ctx, q); err != nil {
				return fmt.Errorf("insert into %s: %w", table, err)
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("insert into %s: %w", table, err)
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

func insertSQL(table string, cols []string, rows int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
	p := 1
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range cols {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", p)
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}
