package features

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/internal/sqlquote"
)

// Spec is what the columns of a feature table depend on beyond the
// catalogue: the top categories, topics and demographic values found in
// the training data and the length of its time window. Computing features
// with Options.Spec set gives new data the same columns, in the same order,
// as the table the Spec came from. It round-trips through JSON.
type Spec struct {
	// Names are the feature names in column order; Build checks that the
	// spec gives them again.
	Names      []string `json:"names"`
	Categories []string `json:"categories"`
	Topics     []string `json:"topics"`
	// Values are the one-hot encoded values of each demographic field.
	Values map[string][]string `json:"values"`
	// WindowDays is the recency given to users without activity (the
	// training data's time window in days).
	WindowDays float64 `json:"window_days"`
	// Base holds the training data's medians that features fall back on;
	// nil computes them from the data being described.
	Base *Base `json:"base,omitempty"`
	// Skip lists the parts of the catalogue the training data did not
	// have (transactions, events, social, users, age, signup), whose
	// features are left out; nil leaves nothing out.
	Skip []string `json:"skip,omitempty"`
	// Attributes fix the features of the per-user attributes.
	Attributes []AttrSpec `json:"attributes,omitempty"`
	// EventNames are the event types outside the canonical ones with
	// their own count and share.
	EventNames []string `json:"event_names,omitempty"`
	// Custom are the custom features of the training run's config.
	Custom []dataset.CustomFeature `json:"custom,omitempty"`
}

// Base holds the medians of the training data that features of other data
// are computed against: price_level divides by the category's median unit
// price, and users of unknown age or signup date get the base's median.
type Base struct {
	CategoryPrice map[string]float64 `json:"category_median_price"`
	Age           float64            `json:"median_age"`
	SignupDays    float64            `json:"median_signup_days"`
}

// baseMedians reads the medians of the data in db, as Build computes them.
func baseMedians(ctx context.Context, db Querier, d Dialect, asOf time.Time) (*Base, error) {
	at := "TIMESTAMP '" + asOf.UTC().Format(tsLayout) + "'"
	b := &Base{CategoryPrice: map[string]float64{}}
	rows, err := db.QueryContext(ctx, `SELECT category, `+d.Median("unit_price")+` FROM transactions
		WHERE timestamp <= `+at+` AND quantity > 0 AND unit_price > 0 AND category IS NOT NULL GROUP BY category`)
	if err != nil {
		return nil, fmt.Errorf("category median prices: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var m float64
		if err := rows.Scan(&c, &m); err != nil {
			return nil, fmt.Errorf("category median prices: %w", err)
		}
		b.CategoryPrice[c] = m
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("category median prices: %w", err)
	}
	if b.Age, b.SignupDays, err = demMedians(ctx, db, d, asOf); err != nil {
		return nil, err
	}
	return b, nil
}

// demMedians reads the median age and signup tenure of the users in db (0
// without any).
func demMedians(ctx context.Context, db Querier, d Dialect, asOf time.Time) (age, signupDays float64, err error) {
	at := "TIMESTAMP '" + asOf.UTC().Format(tsLayout) + "'"
	err = db.QueryRowContext(ctx, `SELECT coalesce(`+d.Median(d.Part("year", at)+" - birth_year")+`, 0),
		coalesce(`+d.Median(d.DateDays("signup_date", "CAST("+at+" AS DATE)"))+`, 0)
		FROM (SELECT user_id, min(birth_year) AS birth_year, min(signup_date) AS signup_date
		      FROM users WHERE user_id IS NOT NULL GROUP BY user_id) AS u`).Scan(&age, &signupDays)
	if err != nil {
		return 0, 0, fmt.Errorf("median age and signup tenure: %w", err)
	}
	return age, signupDays, nil
}

// catmedSQL is the body of catmed, each category's median unit price (the
// base's).
func (b *builder) catmedSQL() string {
	if len(b.base.CategoryPrice) == 0 {
		return "SELECT CAST(NULL AS " + b.d.Text() + ") AS category, CAST(NULL AS " + b.d.Double() + ") AS med WHERE false"
	}
	cats := make([]string, 0, len(b.base.CategoryPrice))
	for c := range b.base.CategoryPrice {
		cats = append(cats, c)
	}
	slices.Sort(cats)
	var rows []string
	for _, c := range cats {
		rows = append(rows, fmt.Sprintf("(%s, %s)", sqlquote.String(c), b.float(b.base.CategoryPrice[c])))
	}
	return "SELECT * FROM (VALUES " + strings.Join(rows, ", ") + ") AS v(category, med)"
}

// buildSpec writes the feature SQL with the columns of opts.Spec. as_of is
// still the data's (or opts.AsOf): recencies are relative to the data
// being described.
func buildSpec(ctx context.Context, db Querier, d Dialect, opts Options, asOf, start time.Time, parts map[string]bool) (*Query, error) {
	sp := opts.Spec
	if sp.WindowDays <= 0 {
		return nil, fmt.Errorf("feature spec: window_days must be > 0, got %g", sp.WindowDays)
	}
	var noSession int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE session_id IS NULL OR session_id = ''`).Scan(&noSession); err != nil {
		return nil, fmt.Errorf("count events without a session id: %w", err)
	}
	base := sp.Base
	if base == nil {
		var err error
		if base, err = baseMedians(ctx, db, d, asOf); err != nil {
			return nil, err
		}
	}
	bounds, err := readBounds(ctx, db)
	if err != nil {
		return nil, err
	}
	b := newBuilder(d, asOf, sp.WindowDays, opts, noSession > 0, base, parts)
	b.eventNames = sp.EventNames
	b.noHasPurchased = sp.Names != nil && !slices.Contains(sp.Names, "has_purchased")
	b.custom = sp.Custom
	if b.attrs, err = attrTables(opts.PerUser, sp.Attributes, nil); err != nil {
		return nil, err
	}
	b.safeMoney, b.safeRatio = bounds.safe(base.CategoryPrice)
	b.write(sp.Categories, sp.Topics, sp.Values)
	if b.err != nil {
		return nil, b.err
	}
	names := slicesNames(b.features)
	if sp.Names != nil && !slices.Equal(names, sp.Names) {
		return nil, fmt.Errorf("feature spec: it gives %d columns that differ from the %d it names (written by another version?)", len(names), len(sp.Names))
	}
	return b.query(start, sp), nil
}

func slicesNames(fs []Feature) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}
