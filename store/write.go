package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
)

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
	// The feature rows go as hex text: binding a list of blobs crashes
	// duckdb-go v2.10506.0 (a segmentation fault in duckdb_bind_value).
	unhex := "unhex(%s)"
	if s.dialect == Postgres {
		unhex = "decode(%s, 'hex')"
	}
	if err := insert(ctx, tx, "persona_features", []string{"user_id TEXT", "x TEXT " + unhex}, id, n, func(lo, hi int) []any {
		x := make([]string, hi-lo)
		for i := lo; i < hi; i++ {
			x[i-lo] = hex.EncodeToString(encodeRow(r.Row(i)))
		}
		return []any{r.UserIDs[lo:hi], x}
	}); err != nil {
		return err
	}
	if err := insert(ctx, tx, "persona_assignments", []string{"user_id TEXT", "segment INTEGER", "distance FLOAT8"}, id, n, func(lo, hi int) []any {
		return []any{r.UserIDs[lo:hi], r.Segments[lo:hi], r.Distance[lo:hi]}
	}); err != nil {
		return err
	}
	segs := r.Profiles.Segments
	var (
		segIDs, sizes  []int
		segNames, docs []string
		shares         []float64
	)
	for _, sg := range segs {
		doc, err := jsonText(sg)
		if err != nil {
			return err
		}
		segIDs, segNames, sizes, shares, docs = append(segIDs, sg.ID), append(segNames, sg.Name), append(sizes, sg.Size), append(shares, sg.Share), append(docs, doc)
	}
	if err := insert(ctx, tx, "persona_segments", []string{"id INTEGER", "name TEXT", "size INTEGER", "share FLOAT8", "profile TEXT"}, id, len(segs), func(lo, hi int) []any {
		return []any{segIDs[lo:hi], segNames[lo:hi], sizes[lo:hi], shares[lo:hi], docs[lo:hi]}
	}); err != nil {
		return err
	}
	var (
		recUsers, products []string
		ranks              []int
		scores             []float64
	)
	for _, u := range r.UserIDs {
		for k, it := range r.Recommendations[u] {
			recUsers, ranks, products, scores = append(recUsers, u), append(ranks, k+1), append(products, it.Product), append(scores, it.Score)
		}
	}
	return insert(ctx, tx, "persona_recommendations", []string{"user_id TEXT", "rank INTEGER", "product_id TEXT", "score FLOAT8"}, id, len(recUsers), func(lo, hi int) []any {
		return []any{recUsers[lo:hi], ranks[lo:hi], products[lo:hi], scores[lo:hi]}
	})
}

// batch is how many rows one INSERT carries.
const batch = 20_000

// insert writes n rows for run id into table: cols are "name TYPE" or
// "name TYPE WRAP" (WRAP: a format that turns the value into the column's
// type), and
// columns(lo, hi) returns one slice per column with rows lo..hi, sent as
// arrays and unnested by the database (both DuckDB and Postgres zip
// several unnest calls of one SELECT list).
func insert(ctx context.Context, tx *sql.Tx, table string, cols []string, id string, n int, columns func(lo, hi int) []any) error {
	names := []string{"run_id"}
	sel := []string{"$1"}
	for j, c := range cols {
		f := strings.SplitN(c, " ", 3)
		names = append(names, f[0])
		v := fmt.Sprintf("unnest(CAST($%d AS %s[]))", j+2, f[1])
		if len(f) == 3 {
			v = fmt.Sprintf(f[2], v)
		}
		sel = append(sel, v)
	}
	q := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s", table, strings.Join(names, ", "), strings.Join(sel, ", "))
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		args := append([]any{id}, columns(lo, hi)...)
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}
