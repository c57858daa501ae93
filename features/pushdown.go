package features

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// ComputeOn computes the feature table in the database db queries, in
// opts.Dialect (Postgres, typically), with one statement: Query.SQL, the
// whole catalogue as common table expressions, whose result (one row per
// user, sorted by user id) is the only data that comes back. It creates
// nothing, so it runs in a read-only transaction (dataset.Pushdown is
// such a Querier). The outcomes of the per-user tables come back in the
// same rows, after the features (Query.SQLOutcomes).
func ComputeOn(ctx context.Context, db Querier, opts Options) (*Table, error) {
	progress := opts.Progress
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	q, err := Build(ctx, db, opts)
	if err != nil {
		return nil, err
	}
	stmt := q.SQL
	if len(q.Outcomes) > 0 {
		stmt = q.SQLOutcomes
	}
	if progress != nil {
		progress(0, 1)
	}
	// Sorted by bytes, as DuckDB sorts: Postgres's default collation
	// follows the locale.
	order := "\nORDER BY u.user_id"
	if dialectOf(opts.Dialect).Name() == "postgres" {
		order += ` COLLATE "C"`
	}
	rows, err := db.QueryContext(ctx, stmt+order)
	if err != nil {
		return nil, fmt.Errorf("compute features: %w", err)
	}
	outs := make([]Outcome, len(q.Outcomes))
	for k, o := range q.Outcomes {
		outs[k].Name = o.Name
	}
	ids, data, err := readRows(ctx, rows, q.Features, outs)
	if err != nil {
		return nil, err
	}
	if progress != nil {
		progress(1, 1)
	}
	if len(outs) == 0 {
		outs = nil
	}
	return &Table{UserIDs: ids, Features: q.Features, X: mat.NewDense(len(ids), len(q.Features), data), AsOf: q.AsOf, WindowStart: q.WindowStart, Spec: q.Spec, Outcomes: outs, Warnings: q.Warnings}, nil
}

// readRows reads the rows of a feature query (user id, then the features
// in order, then the values of outs, when given, NULL for unknown: NaN)
// and closes them; no row is an error.
func readRows(ctx context.Context, rows *sql.Rows, fs []Feature, outs []Outcome) ([]string, []float64, error) {
	defer rows.Close()
	d := len(fs)
	var (
		ids  []string
		data []float64
	)
	// Scanning into any takes the driver's values as they are (DOUBLE
	// comes as float64): a third faster than sql.NullFloat64.
	dest := make([]any, d+len(outs)+1)
	var id string
	vals := make([]any, d+len(outs))
	dest[0] = &id
	for j := range vals {
		dest[j+1] = &vals[j]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, fmt.Errorf("read features: %w", err)
		}
		ids = append(ids, id)
		for j, v := range vals[:d] {
			f, ok := v.(float64)
			if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, nil, fmt.Errorf("feature %q of user %q is %v, not a finite number (a bug in the feature SQL)", fs[j].Name, id, v)
			}
			data = append(data, f)
		}
		for k, v := range vals[d:] {
			x := math.NaN()
			if f, ok := v.(float64); ok {
				x = f
			} else if v != nil {
				return nil, nil, fmt.Errorf("outcome %q of user %q is %T %v, not a number (a bug in the feature SQL)", outs[k].Name, id, v, v)
			}
			outs[k].Values = append(outs[k].Values, x)
		}
		if len(ids)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read features: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil, fmt.Errorf("no users found in the data")
	}
	return ids, data, nil
}
