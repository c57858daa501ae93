package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"time"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/features"
)

// purchaseDays calls fn with each customer-day's purchases up to asOf
// (features.PurchaseDays), wherever they are computed.
type purchaseDays func(asOf time.Time, fn func(user string, at time.Time, amount float64) error) error

// What a pushed-down run leaves out, because it would need raw rows
// that stay in Postgres; each is a warning of the run's summary.
const (
	pushSkipBehaviour = "pushdown: the report's hour-of-day, weekday and category-mix charts are skipped: they are counted from the raw events and bought lines, which stay in Postgres"
	pushSkipRecs      = "pushdown: no product recommendations stored and no baskets.csv written: the recommender learns from every bought line, which stays in Postgres"
	pushSkipColumns   = "pushdown: the store keeps no attribute columns beside the features: they are read from the loaded tables, which stay in Postgres"
)

// pushdown is the load and features steps of a run whose datasets are in
// one Postgres server (dataset.Config.PushdownEngine): the row checks and
// the feature query run there, in one read-only transaction
// (dataset.OpenPushdown), and only the feature table comes back. The
// rejects sampled go to the stage as the DuckDB path's do. The returned
// Pushdown (non-nil whenever it was opened) must be closed.
func (r *run) pushdown(ctx context.Context, cfg *dataset.Config, sum *Summary) (*dataset.Pushdown, *features.Table, error) {
	stage := r.stage.Dir
	var p *dataset.Pushdown
	err := r.step("load", func() (err error) {
		p, err = dataset.OpenPushdown(ctx, cfg, dataset.PushdownOptions{Now: r.created})
		var rr *dataset.RejectRateError
		if errors.As(err, &rr) {
			if _, werr := p.WriteRejects(filepath.Join(stage, "rejects")); werr != nil {
				return errors.Join(err, werr)
			}
			dir, kerr := r.stage.KeepFailed("rejects")
			if kerr != nil {
				return errors.Join(err, kerr)
			}
			rr.Dir = dir
			return err
		}
		if err != nil {
			return err
		}
		sum.Rejects, err = p.WriteRejects(filepath.Join(stage, "rejects"))
		for i, f := range sum.Rejects {
			sum.Rejects[i], _ = filepath.Rel(stage, f)
		}
		return err
	})
	if err != nil {
		return p, nil, err
	}
	sum.Engine = dataset.EnginePostgres
	sum.Rows = map[string]int64{}
	sum.Datasets = map[string]dataset.Counts{}
	for k, v := range p.Stats.Rows {
		sum.Rows[string(k)] = v
		sum.Datasets[string(k)] = p.Stats.Counts[k]
	}
	var tab *features.Table
	if err := r.step("features", func() (err error) {
		fo := r.opts.Features
		fo.Dialect = features.Postgres
		fo.Progress = r.progress("features")
		if r.opts.Sample > 0 {
			tab, err = r.sampleOn(ctx, p, cfg, fo, sum)
			return err
		}
		tab, err = features.ComputeOn(ctx, p, fo)
		return err
	}); err != nil {
		return p, nil, err
	}
	sum.RowsTransferred = p.RowsRead + int64(len(tab.UserIDs))
	r.warn(sum, pushSkipBehaviour)
	r.warn(sum, pushSkipRecs)
	for _, pu := range cfg.PerUser() {
		if len(pu.Source.Attributes) > 0 {
			r.warn(sum, pushSkipColumns)
			break
		}
	}
	return p, tab, nil
}

// purchaseDays returns the customer-days of the run's purchases: from
// DuckDB's transactions, or, pushed down (p not nil), computed in
// Postgres, each row that comes back counted in sum.RowsTransferred.
func (r *run) purchaseDays(ctx context.Context, db *sql.DB, p *dataset.Pushdown, sum *Summary) purchaseDays {
	if p == nil {
		return func(asOf time.Time, fn func(string, time.Time, float64) error) error {
			return features.PurchaseDays(ctx, db, asOf, fn)
		}
	}
	return func(asOf time.Time, fn func(string, time.Time, float64) error) error {
		return features.PurchaseDaysOn(ctx, p, features.Postgres, asOf, func(u string, at time.Time, v float64) error {
			sum.RowsTransferred++
			return fn(u, at, v)
		})
	}
}

// behaviour is the activity of each segment for the report, from DuckDB's
// canonical tables; nil when pushed down (db nil: pushSkipBehaviour).
func behaviour(ctx context.Context, db *sql.DB, users []string, labels []int) (*features.Behaviour, error) {
	if db == nil {
		return nil, nil
	}
	return features.ComputeBehaviour(ctx, db, users, labels)
}
