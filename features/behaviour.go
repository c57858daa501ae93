package features

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// LineValue is the value of a transaction line, the one definition every
// aggregate of money uses (the monetary feature, revenue, the category mix,
// the purchases recommendations learn from): what the customer paid, the
// quantity times the unit price less the discount. A return line (negative
// quantity) has a negative value.
const LineValue = "quantity * unit_price * (1 - coalesce(discount, 0))"

// bought selects the lines of transactions that are purchases of a known
// product by a known user.
const bought = "quantity > 0 AND user_id IS NOT NULL AND product_id IS NOT NULL AND product_id <> ''"

// Activity is a group of users' activity in the canonical tables.
type Activity struct {
	// Hour and Weekday count the group's events (or, in data without
	// events, orders) by hour of day and by ISO weekday, Monday first.
	Hour    [24]float64
	Weekday [7]float64
	// Category is the group's net spend (LineValue of bought lines) per
	// category, or in data without transactions its categorised events.
	Category map[string]float64
	// Revenue is the group's net spend, returns included.
	Revenue float64
}

// Behaviour is the activity of groups of users (segments, say).
type Behaviour struct {
	// Groups holds the activity of each group that has any.
	Groups map[int]*Activity
	// FromOrders is set when activity was counted from orders, the data
	// having no events.
	FromOrders bool
	// CategoryFromEvents is set when Category counts events, the data
	// having no transactions.
	CategoryFromEvents bool
	// HasRevenue is set when some user of a group has transactions.
	HasRevenue bool
}

func (b *Behaviour) group(g int) *Activity {
	a := b.Groups[g]
	if a == nil {
		a = &Activity{Category: map[string]float64{}}
		b.Groups[g] = a
	}
	return a
}

// ComputeBehaviour adds up the activity in db's canonical tables of each
// group of users: users[i] is in group groups[i]; other users are left
// out. Each group's sums add up the per-user rows in user order, so the
// same data gives the same bits (in any order, floating-point sums could
// differ in the last bits from run to run).
func ComputeBehaviour(ctx context.Context, db *sql.DB, users []string, groups []int) (*Behaviour, error) {
	if len(users) != len(groups) {
		return nil, fmt.Errorf("behaviour: %d users, %d groups", len(users), len(groups))
	}
	of := make(map[string]int, len(users))
	for i, u := range users {
		of[u] = groups[i]
	}
	b := &Behaviour{Groups: map[int]*Activity{}}
	var events, lines int64
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM transactions)`).Scan(&events, &lines); err != nil {
		return nil, fmt.Errorf("count events and transactions: %w", err)
	}
	// Activity: the events, or without any the orders (one row per order,
	// at its first line's time).
	act := "events"
	if events == 0 {
		act = "(SELECT user_id, order_id, min(timestamp) AS timestamp FROM transactions WHERE quantity > 0 GROUP BY ALL)"
		b.FromOrders = true
	}
	var (
		user string
		v    int64
		n    float64
		c    string
	)
	if err := each(ctx, db, `SELECT user_id, hour(timestamp), count(*) FROM `+act+` GROUP BY ALL ORDER BY ALL`, of, b, []any{&user, &v, &n}, &user, func(a *Activity) {
		if v >= 0 && v < 24 {
			a.Hour[v] += n
		}
	}); err != nil {
		return nil, fmt.Errorf("activity by hour: %w", err)
	}
	if err := each(ctx, db, `SELECT user_id, isodow(timestamp), count(*) FROM `+act+` GROUP BY ALL ORDER BY ALL`, of, b, []any{&user, &v, &n}, &user, func(a *Activity) {
		if v >= 1 && v <= 7 {
			a.Weekday[v-1] += n
		}
	}); err != nil {
		return nil, fmt.Errorf("activity by weekday: %w", err)
	}
	cat := `SELECT user_id, category, fsum(` + LineValue + `) FROM transactions
	      WHERE quantity > 0 AND category IS NOT NULL AND category <> '' GROUP BY ALL ORDER BY 1, 2`
	if lines == 0 {
		cat = `SELECT user_id, category, count(*) FROM events WHERE category IS NOT NULL AND category <> '' GROUP BY ALL ORDER BY 1, 2`
		b.CategoryFromEvents = true
	}
	if err := each(ctx, db, cat, of, b, []any{&user, &c, &n}, &user, func(a *Activity) { a.Category[c] += n }); err != nil {
		return nil, fmt.Errorf("category mix: %w", err)
	}
	if err := each(ctx, db, `SELECT user_id, fsum(`+LineValue+`) FROM transactions GROUP BY ALL ORDER BY 1`, of, b, []any{&user, &n}, &user, func(a *Activity) {
		a.Revenue += n
		b.HasRevenue = true
	}); err != nil {
		return nil, fmt.Errorf("revenue: %w", err)
	}
	return b, nil
}

// each runs q, scans each row into dest, and when *user is in a group
// calls add with the group's activity.
func each(ctx context.Context, db *sql.DB, q string, of map[string]int, b *Behaviour, dest []any, user *string, add func(a *Activity)) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if g, ok := of[*user]; ok {
			add(b.group(g))
		}
	}
	return rows.Err()
}

// Purchase is one bought line: a purchase of a known product by a known
// user.
type Purchase struct {
	User    string
	Product string
	// Order is the order id, "" when the data has none.
	Order string
	Time  time.Time
	// Value is the line's LineValue.
	Value float64
}

// Purchases calls fn with every bought line of db's transactions, ordered
// by user, time, order and product, and stops at fn's first error.
func Purchases(ctx context.Context, db *sql.DB, fn func(Purchase) error) error {
	rows, err := db.QueryContext(ctx, `SELECT user_id, product_id, coalesce(order_id, ''), timestamp, `+LineValue+`
		FROM transactions WHERE `+bought+` ORDER BY user_id, timestamp, order_id, product_id`)
	if err != nil {
		return fmt.Errorf("read purchases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p Purchase
		if err := rows.Scan(&p.User, &p.Product, &p.Order, &p.Time, &p.Value); err != nil {
			return fmt.Errorf("read purchases: %w", err)
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read purchases: %w", err)
	}
	return nil
}
