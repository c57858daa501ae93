package features

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"
)

// PurchaseDays calls fn once per customer and calendar day with a
// transaction line of positive quantity stamped at or before asOf (every
// line when asOf is zero), ordered by user_id then day, with the day's
// value: the sum of its lines' quantity × unit_price × (1 − discount), a
// negative line counting 0, NaN when no line has a value. These are the
// purchases package value summarises per customer; returns are left out.
func PurchaseDays(ctx context.Context, db *sql.DB, asOf time.Time, fn func(user string, at time.Time, amount float64) error) error {
	// One row per customer and day (the day's lines summed) keeps the
	// rows that cross into Go, and their timestamps, few.
	where := "quantity > 0"
	var args []any
	if !asOf.IsZero() {
		where += " AND timestamp <= CAST(? AS TIMESTAMP)"
		args = append(args, asOf.UTC().Format(tsLayout))
	}
	q := `SELECT user_id, date_diff('day', DATE '1970-01-01', CAST(timestamp AS DATE)) AS day,
		sum(greatest(` + LineValue + `, 0))
		FROM transactions WHERE ` + where + ` GROUP BY ALL ORDER BY user_id, day`
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read the purchases: %w", err)
	}
	return eachPurchaseDay(rows, fn)
}

// PurchaseDaysOn is PurchaseDays in the database db queries, in dialect d
// (dataset.Pushdown with Postgres): only the customer-days come back.
func PurchaseDaysOn(ctx context.Context, db Querier, d Dialect, asOf time.Time, fn func(user string, at time.Time, amount float64) error) error {
	d = dialectOf(d)
	where := "quantity > 0"
	if !asOf.IsZero() {
		where += " AND timestamp <= TIMESTAMP '" + asOf.UTC().Format(tsLayout) + "'"
	}
	order := "user_id"
	if d.Name() == "postgres" {
		order += ` COLLATE "C"`
	}
	q := `SELECT user_id, ` + d.DateDays("DATE '1970-01-01'", "CAST(timestamp AS DATE)") + ` AS day,
		sum(greatest(` + LineValue + `, 0))
		FROM transactions WHERE ` + where + ` GROUP BY 1, 2 ORDER BY ` + order + `, day`
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("read the purchases: %w", err)
	}
	return eachPurchaseDay(rows, fn)
}

// eachPurchaseDay calls fn for each (user_id, day number, value) row of
// a customer-days query, the day as a time at midnight UTC and a NULL
// value as NaN.
func eachPurchaseDay(rows *sql.Rows, fn func(user string, at time.Time, amount float64) error) error {
	defer rows.Close()
	var (
		user   string
		day    int64
		amount sql.NullFloat64
	)
	for rows.Next() {
		if err := rows.Scan(&user, &day, &amount); err != nil {
			return fmt.Errorf("read the purchases: %w", err)
		}
		v := math.NaN()
		if amount.Valid {
			v = amount.Float64
		}
		if err := fn(user, time.Unix(day*86400, 0).UTC(), v); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the purchases: %w", err)
	}
	return nil
}
