package features

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/internal/sqlquote"
)

// Query is the feature SQL for one database and its column catalogue.
type Query struct {
	// SQL computes the whole feature table in one statement.
	SQL string
	// Stages and Final compute the same table in steps, so that progress
	// can be reported: each stage creates one temporary table of per-user
	// aggregates (stageTables, prefixed with stagePrefix) from only the
	// subqueries it needs, reading earlier stages' tables, and Final (a
	// plain select, without ORDER BY) joins them.
	Stages      []string
	Final       string
	Features    []Feature
	AsOf        time.Time
	WindowStart time.Time
	Spec        *Spec
	// Outcomes are the per-user outcomes, and OutcomeSQL (once the stages
	// have run; "" without outcomes) selects user_id and their values, in
	// this order, one row per user of Final.
	Outcomes   []OutcomeSpec
	OutcomeSQL string
	// SQLOutcomes is SQL with the outcomes' values after the features
	// ("" without outcomes): the table and its outcomes in one statement,
	// as ComputeOn reads them.
	SQLOutcomes string
	// stageNames are the tables the stages create, without stagePrefix.
	stageNames []string
	// Warnings are about the data (most events of unknown types).
	Warnings []string
}

// eventTypes are the canonical event types that get their own counts.
var eventTypes = dataset.EventTypes

// socialActions are the canonical social actions that get their own counts.
var socialActions = dataset.SocialActions

// userFields are the users table's categorical fields, one-hot encoded
// as field_value.
var userFields = []string{"gender", "country", "acquisition_channel", "device"}

// dayParts split the day by hour: [from, to).
var dayParts = []struct {
	name     string
	from, to int
}{{"night", 0, 6}, {"morning", 6, 12}, {"afternoon", 12, 18}, {"evening", 18, 24}}

const tsLayout = "2006-01-02 15:04:05.999999"

// Build inspects db for the reference dates and the top categorical values,
// then writes the feature SQL. opts must have its defaults applied.
func Build(ctx context.Context, db Querier, opts Options) (*Query, error) {
	opts = opts.withDefaults()
	d := dialectOf(opts.Dialect)
	parts, err := presentParts(ctx, db, opts)
	if err != nil {
		return nil, err
	}
	var dates []string
	ages := false // an age attribute, counted to as_of
	for _, p := range opts.PerUser {
		for _, a := range p.Source.Attributes {
			ages = ages || a.Type == dataset.TypeAge
			if a.Type == dataset.TypeDate {
				dates = append(dates, fmt.Sprintf("UNION ALL SELECT min(%[1]s) FROM %[2]s UNION ALL SELECT max(%[1]s) FROM %[2]s", sqlquote.Ident(a.Name), p.View))
			}
		}
	}
	var minTS, maxTS sql.NullTime
	err = db.QueryRowContext(ctx, `SELECT min(ts), max(ts) FROM (
		SELECT min(timestamp) ts FROM events UNION ALL SELECT max(timestamp) FROM events
		UNION ALL SELECT min(timestamp) FROM transactions UNION ALL SELECT max(timestamp) FROM transactions
		UNION ALL SELECT min(timestamp) FROM social UNION ALL SELECT max(timestamp) FROM social
		UNION ALL SELECT CAST(min(signup_date) AS TIMESTAMP) FROM users UNION ALL SELECT CAST(max(signup_date) AS TIMESTAMP) FROM users
		`+strings.Join(dates, "\n")+`) AS r`).Scan(&minTS, &maxTS)
	if err != nil {
		return nil, fmt.Errorf("find the data's time range: %w", err)
	}
	asOf := opts.AsOf
	if asOf.IsZero() {
		if maxTS.Valid {
			asOf = maxTS.Time
		} else if parts[partAge] {
			return nil, fmt.Errorf("the data has no timestamps: set the reference date (as_of), from which users.birth_year gives ages")
		} else if ages {
			return nil, fmt.Errorf("the data has no timestamps: set the reference date (as_of), to which the age attributes' dates of birth give ages")
		}
	}
	start := asOf
	if minTS.Valid && minTS.Time.Before(asOf) {
		start = minTS.Time
	}
	capDays := asOf.Sub(start).Hours() / 24
	if capDays < 1 {
		capDays = 1
	}
	if opts.Spec != nil {
		return buildSpec(ctx, db, d, opts, asOf, start, parts)
	}

	ins, err := inspect(ctx, db, d, asOf, opts.TopCategories)
	if err != nil {
		return nil, err
	}
	topics, err := topValues(ctx, db, `SELECT topic v, count(*) n FROM social WHERE topic IS NOT NULL AND topic <> '' GROUP BY v ORDER BY n DESC, v LIMIT `, opts.TopTopics)
	if err != nil {
		return nil, fmt.Errorf("find top topics: %w", err)
	}
	demo := map[string][]string{}
	for _, f := range userFields {
		v, err := topValues(ctx, db, fmt.Sprintf(`SELECT %[1]s v, count(*) n FROM users WHERE %[1]s IS NOT NULL AND %[1]s <> '' GROUP BY v ORDER BY n DESC, v LIMIT `, f), opts.TopValues)
		if err != nil {
			return nil, fmt.Errorf("find top values of users.%s: %w", f, err)
		}
		demo[f] = v
	}
	base := &Base{CategoryPrice: ins.catPrice}
	if base.Age, base.SignupDays, err = demMedians(ctx, db, d, asOf); err != nil {
		return nil, err
	}
	others := func(table string) bool {
		// Users outside a per-user table miss its attributes.
		if parts[partTransactions] || parts[partEvents] || parts[partSocial] || table != string(dataset.Users) && parts[partUsers] {
			return true
		}
		for _, p := range opts.PerUser {
			if string(p.Kind) != table && len(p.Source.Attributes)+len(p.Outcomes) > 0 {
				return true
			}
		}
		return false
	}
	attrs, outs, err := inspectAttributes(ctx, db, d, opts, asOf, others)
	if err != nil {
		return nil, err
	}
	spec := &Spec{Categories: ins.cats, Topics: topics, Values: demo, WindowDays: capDays, Base: base, Skip: skipped(parts), Attributes: attrs, Custom: opts.Custom}
	b := newBuilder(d, asOf, capDays, opts, ins.noSession > 0, base, parts)
	var warnings []string
	b.eventNames, warnings = eventNames(ins.eventTypes, opts.TopEvents)
	spec.EventNames = b.eventNames
	if b.attrs, err = attrTables(opts.PerUser, attrs, outs); err != nil {
		return nil, err
	}
	b.safeMoney, b.safeRatio = ins.bounds.safe(base.CategoryPrice)
	b.write(ins.cats, topics, demo)
	if b.err != nil {
		return nil, b.err
	}
	spec.Names = slicesNames(b.features)
	q := b.query(start, spec)
	q.Warnings = warnings
	return q, nil
}

// unknownShare is the share of events of types outside the canonical ones
// above which Build warns.
const unknownShare = 0.5

// eventNames returns the top event types outside the canonical ones (by
// count, then name; their slugs distinct and unlike the canonical names),
// and a warning when most events have such a type.
func eventNames(counts map[string]int64, top int) ([]string, []string) {
	var total, unknown int64
	var names []string
	for t, n := range counts {
		total += n
		if !slices.Contains(eventTypes, t) {
			unknown += n
			if t != "" {
				names = append(names, t)
			}
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		if counts[a] != counts[b] {
			return cmp.Compare(counts[b], counts[a])
		}
		return strings.Compare(a, b)
	})
	var warnings []string
	if total > 0 && float64(unknown) > unknownShare*float64(total) {
		var most []string
		for _, t := range names[:min(3, len(names))] {
			most = append(most, fmt.Sprintf("%q %.0f%%", t, 100*float64(counts[t])/float64(total)))
		}
		warnings = append(warnings, fmt.Sprintf("events: %.0f%% of the events have a type outside %s (most: %s): map them to those with events.event_types, or they only count as their own count_<type> and share_<type>",
			100*float64(unknown)/float64(total), strings.Join(eventTypes, ", "), strings.Join(most, ", ")))
	}
	names = distinctSlugs(names, eventTypes...)
	return names[:min(top, len(names))], warnings
}

// The parts of the catalogue that exist only when the data has them.
const (
	partTransactions = "transactions"
	partEvents       = "events"
	partSocial       = "social"
	partUsers        = "users"  // rows in users: the one-hot demographics
	partAge          = "age"    // users with a birth_year
	partSignup       = "signup" // users with a signup_date
)

var allParts = []string{partTransactions, partEvents, partSocial, partUsers, partAge, partSignup}

// presentParts finds which parts of the catalogue the data in db has: a
// run only computes the features of the data it has.
func presentParts(ctx context.Context, db Querier, opts Options) (map[string]bool, error) {
	parts := map[string]bool{}
	if opts.Spec != nil {
		for _, p := range allParts {
			parts[p] = !slices.Contains(opts.Spec.Skip, p)
		}
		return parts, nil
	}
	var tx, ev, so, us, age, signup bool
	err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM transactions), EXISTS (SELECT 1 FROM events), EXISTS (SELECT 1 FROM social),
		EXISTS (SELECT 1 FROM users), EXISTS (SELECT 1 FROM users WHERE birth_year IS NOT NULL), EXISTS (SELECT 1 FROM users WHERE signup_date IS NOT NULL)`).
		Scan(&tx, &ev, &so, &us, &age, &signup)
	if err != nil {
		return nil, fmt.Errorf("find the datasets with rows: %w", err)
	}
	parts[partTransactions], parts[partEvents], parts[partSocial], parts[partUsers], parts[partAge], parts[partSignup] = tx, ev, so, us, age, signup
	return parts, nil
}

// skipped lists the parts the data does not have.
func skipped(parts map[string]bool) []string {
	var out []string
	for _, p := range allParts {
		if !parts[p] {
			out = append(out, p)
		}
	}
	return out
}

func newBuilder(d Dialect, asOf time.Time, capDays float64, opts Options, needSessions bool, base *Base, parts map[string]bool) *builder {
	return &builder{d: d, asOf: asOf, capDays: capDays, gapSeconds: opts.SessionGap.Duration.Seconds(), needSessions: needSessions, base: base,
		parts: parts, origin: map[string]string{}, custom: opts.Custom}
}

// sortedValues returns the values of m in order.
func sortedValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// inspection is what Build reads from the events and transactions before
// writing the SQL: one pass over each.
type inspection struct {
	cats      []string           // top categories
	catPrice  map[string]float64 // each category's median unit price
	noSession int64              // events without a session id
	bounds    sumBounds
	// eventTypes counts the events per event type ("" for none).
	eventTypes map[string]int64
}

// inspect finds the top categories (by purchase value × 10 plus events), the
// categories' median unit prices (bought lines up to asOf with a positive
// price) and the number of events without a session id, in one grouped pass
// over each of events and transactions. The purchase values are Kahan sums
// (fsum): they only rank the categories, and two runs rank them alike unless
// two totals agree to the last bit.
func inspect(ctx context.Context, db Querier, d Dialect, asOf time.Time, top int) (*inspection, error) {
	at := "TIMESTAMP '" + asOf.UTC().Format(tsLayout) + "'"
	ins := &inspection{catPrice: map[string]float64{}}
	score := map[string]float64{}
	rows, err := db.QueryContext(ctx, `SELECT category, `+d.FSum("abs(quantity * unit_price)")+` * 10,
		`+d.Median("unit_price")+` FILTER (WHERE timestamp <= `+at+` AND quantity > 0 AND unit_price > 0), `+boundCols+`
		FROM transactions GROUP BY category`)
	if err != nil {
		return nil, fmt.Errorf("find top categories and their median prices: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c sql.NullString
		var n, med sql.NullFloat64
		var cb sumBounds
		if err := rows.Scan(&c, &n, &med, &cb.term, &cb.price, &cb.lines); err != nil {
			return nil, fmt.Errorf("find top categories and their median prices: %w", err)
		}
		ins.bounds.add(cb)
		if !c.Valid {
			continue
		}
		if med.Valid {
			ins.catPrice[c.String] = med.Float64
		}
		if c.String != "" && n.Valid {
			score[c.String] = n.Float64
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find top categories and their median prices: %w", err)
	}
	rows.Close()
	// One pass over the events for both groupings: by category, and by
	// event type (g = 1).
	rows, err = db.QueryContext(ctx, `SELECT grouping(category), category, event_type, count(*), `+d.CountIf("session_id IS NULL OR session_id = ''")+`
		FROM events GROUP BY GROUPING SETS ((category), (event_type))`)
	if err != nil {
		return nil, fmt.Errorf("count events per category: %w", err)
	}
	defer rows.Close()
	ins.eventTypes = map[string]int64{}
	for rows.Next() {
		var g int
		var c, et sql.NullString
		var n, noSession int64
		if err := rows.Scan(&g, &c, &et, &n, &noSession); err != nil {
			return nil, fmt.Errorf("count events per category: %w", err)
		}
		if g == 1 {
			ins.eventTypes[et.String] += n
			continue
		}
		ins.noSession += noSession
		if c.Valid && c.String != "" {
			score[c.String] += float64(n)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count events per category: %w", err)
	}
	cats := make([]string, 0, len(score))
	for c := range score {
		cats = append(cats, c)
	}
	slices.SortFunc(cats, func(a, b string) int {
		if score[a] != score[b] {
			return cmp.Compare(score[b], score[a])
		}
		return strings.Compare(a, b)
	})
	ins.cats = distinctSlugs(cats[:min(top, len(cats))])
	return ins, nil
}

func topValues(ctx context.Context, db Querier, q string, limit int) ([]string, error) {
	rows, err := db.QueryContext(ctx, q+fmt.Sprint(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		var n float64
		if err := rows.Scan(&v, &n); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return distinctSlugs(out), nil
}

// distinctSlugs drops the values whose slug an earlier value has, or is
// "other": two values with the same slug would give two columns of one
// name, and a value called "other" would clash with the pooled column, so
// both are left to the pool.
func distinctSlugs(vals []string, reserved ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range vals {
		if seen[slug(v)] || slug(v) == "other" || slices.Contains(reserved, slug(v)) {
			continue
		}
		seen[slug(v)] = true
		out = append(out, v)
	}
	return out
}

type builder struct {
	d          Dialect
	asOf       time.Time
	capDays    float64
	gapSeconds float64
	ctes       []cte
	features   []Feature
	cols       []string
	cats       []string // top categories, shared by spend shares and event affinities
	// base holds the medians the features fall back on (category prices,
	// age, signup tenure): the training data's, or the data's own.
	base *Base
	// needSessions is set when some events have no session id.
	needSessions bool
	// safeMoney and safeRatio are set when the data's bounds show that
	// the exact sums of money and ratio terms can neither overflow nor
	// meet a term too large to scale (sumBounds.safe), so that xsum needs
	// no test per term.
	safeMoney, safeRatio bool
	// parts says which parts of the catalogue the data has.
	parts map[string]bool
	// attrs are the per-user tables with attributes or outcomes.
	attrs []attrTable
	// origin says where each attribute feature comes from; err is the
	// first name given twice.
	origin map[string]string
	err    error
	// joins are the per-user aggregates the feature table joins, u (every
	// user) first.
	joins []string
	// eventNames are the event types outside the canonical ones that get
	// their own count and share.
	eventNames []string
	// custom are the custom features; customFrom names the CTE of each
	// dataset they aggregate.
	custom     []dataset.CustomFeature
	customFrom map[string]string
	// noHasPurchased leaves has_purchased out, for the spec of a model
	// saved before it existed.
	noHasPurchased bool
}

// xsum is the exact sum of expr (xsumOver) as an aggregate, without a
// test per term where the data's bounds allow.
func (b *builder) xsum(expr string, e exactness) string {
	return b.xsumOver(expr, e, "")
}

// xsumOver is xsum over a window ("" for an aggregate).
func (b *builder) xsumOver(expr string, e exactness, window string) string {
	safe := e.limit == 0 || e == money && b.safeMoney || e == ratio && b.safeRatio
	return xsumOver(b.d, expr, e, window, safe)
}

// cte is one named subquery of the feature SQL and the names of the
// subqueries it reads.
type cte struct {
	name string
	deps []string
	body string
}

// def adds a subquery; its dependencies must be defined already.
func (b *builder) def(name string, deps []string, body string) {
	b.ctes = append(b.ctes, cte{name, deps, body})
}

// col adds an output column: its SQL expression over the joined CTEs and
// its catalogue entry.
func (b *builder) col(f Feature, expr string) {
	if _, ok := b.origin[f.Name]; !ok {
		b.origin[f.Name] = "the feature catalogue"
	}
	b.features = append(b.features, f)
	b.cols = append(b.cols, fmt.Sprintf("CAST(%s AS %s) AS %s", expr, b.d.Double(), sqlquote.Ident(f.Name)))
}

func (b *builder) write(cats, topics []string, demo map[string][]string) {
	d := b.d
	b.cats = cats
	asOf := "TIMESTAMP '" + b.asOf.UTC().Format(tsLayout) + "'"
	capDays := fmt.Sprintf("%g", b.capDays)
	b.def("tx", nil, fmt.Sprintf(`
  SELECT user_id, order_id, timestamp AS ts, product_id, category, quantity AS q, unit_price AS p,
         coalesce(discount, 0) AS disc
  FROM transactions WHERE timestamp <= %s`, asOf))
	b.def("catmed", nil, b.catmedSQL())
	b.def("ord", []string{"tx"}, `
  SELECT user_id, order_id, min(ts) AS ts FROM tx WHERE q > 0 `+d.GroupByAll("user_id", "order_id"))
	// Orders at the same time may come in any order: their gaps are the
	// same (0 between them), so ts alone orders them.
	b.def("ordgap", []string{"ord"}, `
  SELECT user_id, ts, `+d.Seconds("lag(ts) OVER (PARTITION BY user_id ORDER BY ts)", "ts")+` AS gap
  FROM ord`)
	// gap (whole seconds) is NULL for a user's first order, which the
	// sums and counts skip. The mean and population deviation come from
	// exact integer sums: n·Σg² − (Σg)² = n²·variance.
	b.def("oagg", []string{"ordgap"}, `
  SELECT user_id, count(*) AS orders, min(ts) AS first_ts, max(ts) AS last_ts,
    `+d.Div("sum(gap)", "nullif(count(gap), 0)")+` / 86400.0 AS gap_mean,
    `+d.Sqrt("greatest(count(gap) * "+d.SquareSum("gap")+" - sum(gap) * sum(gap), 0)")+` / nullif(count(gap), 0) / 86400.0 AS gap_std
  FROM ordgap GROUP BY user_id`)
	b.def("tagg", []string{"tx", "catmed"}, `
  SELECT tx.user_id,
    `+b.xsum("q * p * (1 - disc)", money)+` AS net_spend,
    `+b.xsum("CASE WHEN q > 0 THEN q * p * (1 - disc) END", money)+` AS paid,
    `+b.xsum("CASE WHEN q > 0 THEN q END", money)+` AS units,
    coalesce(-`+b.xsum("CASE WHEN q < 0 THEN q END", money)+`, 0) AS returned_units,
    count(DISTINCT product_id) FILTER (WHERE q > 0) AS products,
    `+b.xsum("CASE WHEN q > 0 THEN q * p * disc END", money)+` / nullif(`+b.xsum("CASE WHEN q > 0 THEN q * p END", money)+`, 0) AS discount_share,
    `+d.Div(d.CountIf("disc > 0")+" FILTER (WHERE q > 0)", "nullif(count(*) FILTER (WHERE q > 0), 0)")+` AS discounted_lines,
    `+b.xsum("CASE WHEN q > 0 THEN p / nullif(med, 0) END", ratio)+` / nullif(count(p / nullif(med, 0)) FILTER (WHERE q > 0), 0) AS price_level
  FROM tx LEFT JOIN catmed ON tx.category = catmed.category GROUP BY tx.user_id`)
	// Spend shares are over the categories a user spent a positive
	// amount on; the others have a NULL share, which the sums skip, but
	// count as bought categories.
	b.def("tcat", []string{"tx"}, `
  SELECT user_id, category, `+b.xsum("q * p * (1 - disc)", money)+` AS spend FROM tx WHERE q > 0 `+d.GroupByAll("user_id", "category"))
	b.def("tcatp", []string{"tcat"}, `
  SELECT user_id, category,
    CASE WHEN spend > 0 THEN spend / (`+b.xsumOver("CASE WHEN spend > 0 THEN spend END", money, "PARTITION BY user_id")+`) END AS share
  FROM tcat`)
	b.def("tcagg", []string{"tcatp"}, `
  SELECT user_id, count(category) AS categories, `+b.xsum("share * share", share)+` AS hhi, greatest(-`+b.xsum("share * ln(share)", share)+`, 0) AS entropy`+b.catShareCols(cats)+`
  FROM tcatp GROUP BY user_id`)
	b.sessionCTEs(asOf)
	b.def("sess", []string{"ev"}, `SELECT user_id, sess, `+d.Seconds("min(ts)", "max(ts)")+` AS secs, count(*) AS n FROM ev `+d.GroupByAll("user_id", "sess"))
	b.def("sagg", []string{"sess"}, `SELECT user_id, count(*) AS sessions, `+d.Div("sum(secs)", "count(*)")+` / 60.0 AS session_minutes, `+d.Div("sum(n)", "count(*)")+` AS per_session FROM sess GROUP BY user_id`)
	// The shares of events by type, day part, weekday and device are
	// counts here, divided by events in the final select.
	// Each categorical value is turned into its position in the list of
	// values counted once per row (0 when absent, NULL when NULL): the
	// counts then compare integers, not strings (a fifth faster).
	b.def("eagg", []string{"ev"}, `
  SELECT user_id, count(*) AS events, count(DISTINCT CAST(ts AS DATE)) AS active_days, max(ts) AS last_ts,
    `+d.CountIf(d.Part("isodow", "ts")+" >= 6")+` AS weekend`+b.eventCols()+`
  FROM (SELECT user_id, ts, category, `+d.Part("hour", "ts")+` AS h`+b.codeCols(
		code{"et", "et", append(slices.Clone(eventTypes), b.eventNames...)}, code{"dev", "lower(device)", []string{"mobile", "desktop", "tablet"}}, code{"cat", "category", b.cats})+`
    FROM ev) AS e GROUP BY user_id`)
	b.def("so", nil, fmt.Sprintf(`SELECT user_id, timestamp AS ts, action, topic FROM social WHERE timestamp <= %s`, asOf))
	b.def("soagg", []string{"so"}, `
  SELECT user_id, count(*) AS actions, count(DISTINCT CAST(ts AS DATE)) AS active_days, max(ts) AS last_ts`+b.socialCols(topics)+`
  FROM (SELECT user_id, ts`+b.codeCols(code{"action", "action", socialActions}, code{"topic", "topic", topics})+` FROM so) AS s GROUP BY user_id`)
	// A user with several rows in users gets each field's least value,
	// the same in every run.
	b.def("dem", nil, `
  SELECT user_id, birth_year, signup_date`+b.demoCols(demo)+`
  FROM (SELECT user_id, min(birth_year) AS birth_year, min(signup_date) AS signup_date, min(gender) AS gender,
      min(country) AS country, min(acquisition_channel) AS acquisition_channel, min(device) AS device
    FROM users WHERE user_id IS NOT NULL GROUP BY user_id) AS d`)
	b.attributeCTEs()
	b.customCTEs(asOf)
	// Every user: the aggregates hold those with data up to as_of, and
	// the rows after it (none unless as_of was set) add the rest.
	late := func(table string) string {
		return fmt.Sprintf("\n  UNION SELECT user_id FROM %s WHERE (timestamp > %s OR timestamp IS NULL) AND user_id IS NOT NULL", table, asOf)
	}
	b.joins = []string{"u"}
	var users []string
	var udeps []string
	add := func(part string, tables []string, from, union string) {
		if b.parts[part] {
			b.joins = append(b.joins, tables...)
			udeps = append(udeps, from)
			users = append(users, union)
		}
	}
	add(partTransactions, []string{"oagg", "tagg", "tcagg"}, "tagg", "SELECT user_id FROM tagg WHERE user_id IS NOT NULL"+late("transactions"))
	add(partEvents, []string{"sagg", "eagg"}, "eagg", "SELECT user_id FROM eagg WHERE user_id IS NOT NULL"+late("events"))
	add(partSocial, []string{"soagg"}, "soagg", "SELECT user_id FROM soagg WHERE user_id IS NOT NULL"+late("social"))
	add(partUsers, []string{"dem"}, "dem", "SELECT user_id FROM dem")
	for _, t := range b.attrs {
		b.joins = append(b.joins, t.cte)
		udeps = append(udeps, t.cte)
		users = append(users, "SELECT user_id FROM "+t.cte)
	}
	for _, from := range sortedValues(b.customFrom) {
		b.joins = append(b.joins, from)
		udeps = append(udeps, from)
		users = append(users, "SELECT user_id FROM "+from)
	}
	if len(users) == 0 {
		users = []string{"SELECT CAST(NULL AS " + d.Text() + ") AS user_id WHERE false"}
	}
	b.def("u", udeps, "\n  "+strings.Join(users, "\n  UNION "))

	days := func(ts string) string {
		return d.Div(d.Seconds(ts, asOf), "86400.0")
	}
	P := GroupPsychographic
	if b.parts[partTransactions] {
		b.transactionCols(cats, days, capDays)
	}
	if b.parts[partEvents] {
		b.eventFeatureCols(cats, days, capDays)
	}
	if b.parts[partSocial] {
		b.socialFeatureCols(topics)
	}
	b.demographicCols(demo, asOf)
	b.attributeCols()
	b.customCols()

	// Psychographic.
	if b.parts[partTransactions] {
		b.col(feat(PriceSensitivity, P, "mean of discounted_line_share and (1 − min(price_level, 2) / 2): high for buyers of cheap, discounted goods (0.25 without purchases)", false),
			"(coalesce(tagg.discounted_lines, 0) + 1 - least(coalesce(tagg.price_level, 1), 2) / 2) / 2")
		b.col(feat(LoyaltyHHI, P, "Herfindahl index of spend over categories: 1 = all spend in one category (0 without purchases)", false), "coalesce(tcagg.hhi, 0)")
		b.col(feat(VarietyEntropy, P, "entropy (nats) of spend over categories (0 without purchases)", false), "coalesce(tcagg.entropy, 0)")
	}
	var last []string
	for _, x := range []struct{ part, col string }{{partEvents, "eagg.last_ts"}, {partTransactions, "oagg.last_ts"}, {partSocial, "soagg.last_ts"}} {
		if b.parts[x.part] {
			last = append(last, fmt.Sprintf("coalesce(%s, %s)", days(x.col), capDays))
		}
	}
	if len(last) > 0 {
		b.col(feat(DaysSinceLastActivity, P, "days from the last event, purchase or social action to as_of", true), "least("+strings.Join(last, ", ")+")")
	}
}

// transactionCols adds the transaction features.
func (b *builder) transactionCols(cats []string, days func(string) string, capDays string) {
	T := GroupTransactions
	rec := feat(RecencyDays, T, "days from the last purchase to as_of; users who never bought get the data window's length", true)
	if !b.noHasPurchased {
		rec.Among = "has_purchased" // the profiles count it among the buyers
	}
	b.col(rec, fmt.Sprintf("coalesce(%s, %s)", days("oagg.last_ts"), capDays))
	b.col(feat(Frequency, T, "number of distinct orders with a positive quantity", true), "coalesce(oagg.orders, 0)")
	if !b.noHasPurchased {
		// An indicator (weighted as one, see Feature.Set): never-bought
		// users have no recency, and the window's length they get says so
		// only together with it.
		b.col(Feature{Name: "has_purchased", Group: T, Description: "1 when the user has an order (a positive quantity), 0 for a user who never bought", Set: "has_purchased"},
			"CASE WHEN oagg.orders > 0 THEN 1 ELSE 0 END")
	}
	b.col(feat(Monetary, T, "net spend: sum of quantity × unit_price × (1 − discount), returns included as negative lines", true), "coalesce(tagg.net_spend, 0)")
	b.col(feat(AvgOrderValue, T, "mean paid value of an order (positive lines only)", true), "coalesce(tagg.paid / nullif(oagg.orders, 0), 0)")
	b.col(feat(ItemsPerOrder, T, "mean units per order", true), "coalesce(tagg.units / nullif(oagg.orders, 0), 0)")
	b.col(feat(PurchaseTenureDays, T, "days from the first purchase to as_of (0 without purchases)", true),
		fmt.Sprintf("coalesce(%s, 0)", days("oagg.first_ts")))
	b.col(feat(OrderGapMeanDays, T, "mean days between consecutive orders (0 with fewer than two)", true), "coalesce(oagg.gap_mean, 0)")
	b.col(feat(OrderGapStdDays, T, "population standard deviation of days between orders (0 with fewer than two)", true), "coalesce(oagg.gap_std, 0)")
	b.col(feat(DistinctProducts, T, "distinct products bought", true), "coalesce(tagg.products, 0)")
	b.col(feat(DistinctCategories, T, "distinct categories bought", false), "coalesce(tcagg.categories, 0)")
	b.col(feat(ReturnRate, T, "units returned (negative quantities) ÷ units bought", false),
		"least(coalesce(tagg.returned_units / nullif(tagg.units, 0), 0), 1)")
	b.col(feat(PriceLevel, T, "mean of unit_price ÷ the category's median unit price over bought lines (1 = typical; 1 without purchases)", false),
		"coalesce(tagg.price_level, 1)")
	b.col(feat(DiscountShare, T, "share of the list value of bought lines given as discount", false), "coalesce(tagg.discount_share, 0)")
	b.col(feat(DiscountedLineShare, T, "share of bought lines that carried a discount", false), "coalesce(tagg.discounted_lines, 0)")
	for _, c := range cats {
		b.col(feat(SpendSharePrefix+slug(c), T, fmt.Sprintf("share of net spend on category %q", c), false),
			fmt.Sprintf("coalesce(tcagg.%s, 0)", sqlquote.Ident("cs_"+slug(c))))
	}
	b.col(feat(SpendSharePrefix+"other", T, "share of net spend on categories outside the top ones", false), "coalesce(tcagg.cs_other, 0)")
}

// eventFeatureCols adds the event features.
func (b *builder) eventFeatureCols(cats []string, days func(string) string, capDays string) {
	E := GroupEvents
	b.col(feat(Events, E, "number of events", true), "coalesce(eagg.events, 0)")
	for _, t := range eventTypes {
		b.col(feat(CountPrefix+t, E, fmt.Sprintf("number of %s events", t), true), fmt.Sprintf("coalesce(eagg.%s, 0)", sqlquote.Ident("n_"+t)))
	}
	for _, t := range b.eventNames {
		b.col(feat(CountPrefix+slug(t), E, fmt.Sprintf("number of events of type %q (not a canonical type)", t), true), fmt.Sprintf("coalesce(eagg.%s, 0)", sqlquote.Ident("nx_"+slug(t))))
	}
	for _, t := range eventTypes {
		b.col(feat(SharePrefix+t, E, fmt.Sprintf("share of events that are %s", t), false),
			fmt.Sprintf("coalesce(%s, 0)", b.d.Div("eagg."+sqlquote.Ident("n_"+t), "nullif(eagg.events, 0)")))
	}
	for _, t := range b.eventNames {
		b.col(feat(SharePrefix+slug(t), E, fmt.Sprintf("share of events of type %q (not a canonical type)", t), false),
			fmt.Sprintf("coalesce(%s, 0)", b.d.Div("eagg."+sqlquote.Ident("nx_"+slug(t)), "nullif(eagg.events, 0)")))
	}
	b.col(feat(Sessions, E, fmt.Sprintf("number of sessions (the source's session id, else a new session after %g minutes without events)", b.gapSeconds/60), true), "coalesce(sagg.sessions, 0)")
	b.col(feat(EventsPerSession, E, "mean events per session", true), "coalesce(sagg.per_session, 0)")
	b.col(feat(SessionMinutes, E, "mean minutes from a session's first to its last event", true), "coalesce(sagg.session_minutes, 0)")
	b.col(feat(ActiveDays, E, "distinct days with at least one event", true), "coalesce(eagg.active_days, 0)")
	b.col(feat(DaysSinceLastEvent, E, "days from the last event to as_of; the data window's length without events", true),
		fmt.Sprintf("coalesce(%s, %s)", days("eagg.last_ts"), capDays))
	for _, p := range dayParts {
		b.col(feat(SharePrefix+p.name, E, fmt.Sprintf("share of events between %02d:00 and %02d:00", p.from, p.to), false),
			fmt.Sprintf("coalesce(%s, 0)", b.d.Div("eagg."+sqlquote.Ident("dp_"+p.name), "nullif(eagg.events, 0)")))
	}
	b.col(feat(WeekendShare, E, "share of events on Saturday or Sunday", false), "coalesce("+b.d.Div("eagg.weekend", "nullif(eagg.events, 0)")+", 0)")
	b.col(feat(CartRate, E, "add_to_cart events ÷ product_view events (0 without product views, capped at 1)", false),
		"least(coalesce("+b.d.Div("eagg.n_add_to_cart", "nullif(eagg.n_product_view, 0)")+", 0), 1)")
	b.col(feat(CheckoutRate, E, "checkout events ÷ add_to_cart events (0 without add_to_cart, capped at 1)", false),
		"least(coalesce("+b.d.Div("eagg.n_checkout", "nullif(eagg.n_add_to_cart, 0)")+", 0), 1)")
	for _, d := range []string{"mobile", "desktop", "tablet"} {
		b.col(feat(DeviceSharePrefix+d, E, fmt.Sprintf("share of events from a %s device", d), false),
			fmt.Sprintf("coalesce(%s, 0)", b.d.Div("eagg."+sqlquote.Ident("dev_"+d), "nullif(eagg.events, 0)")))
	}
	for _, c := range cats {
		b.col(feat(AffinityPrefix+slug(c), E, fmt.Sprintf("share of events with a category that are about %q", c), false),
			fmt.Sprintf("coalesce(%s, 0)", b.d.Div("eagg."+sqlquote.Ident("ec_"+slug(c)), "nullif(eagg.cat_events, 0)")))
	}

}

// socialFeatureCols adds the social features.
func (b *builder) socialFeatureCols(topics []string) {
	S := GroupSocial
	b.col(feat(SocialActions, S, "number of social actions", true), "coalesce(soagg.actions, 0)")
	for _, a := range socialActions {
		b.col(feat("social_"+a+"s", S, fmt.Sprintf("number of %s actions", a), true), fmt.Sprintf("coalesce(soagg.%s, 0)", sqlquote.Ident("a_"+a)))
	}
	b.col(feat(SocialActiveDays, S, "distinct days with a social action", true), "coalesce(soagg.active_days, 0)")
	for _, t := range topics {
		b.col(feat(TopicSharePrefix+slug(t), S, fmt.Sprintf("share of social actions about topic %q", t), false),
			fmt.Sprintf("coalesce(%s, 0)", b.d.Div("soagg."+sqlquote.Ident("t_"+slug(t)), "nullif(soagg.actions, 0)")))
	}

}

// demographicCols adds the demographic features of the users dataset.
func (b *builder) demographicCols(demo map[string][]string, asOf string) {
	D, d := GroupDemographics, b.d
	if b.parts[partAge] {
		b.col(feat(Age, D, "year(as_of) − birth_year; the base median when unknown", false),
			"coalesce("+d.Part("year", asOf)+" - dem.birth_year, "+b.float(b.base.Age)+")")
	}
	if b.parts[partSignup] {
		b.col(feat(SignupTenureDays, D, "days from signup_date to as_of; the base median when unknown", true),
			"greatest(coalesce("+d.DateDays("dem.signup_date", "CAST("+asOf+" AS DATE)")+", "+b.float(b.base.SignupDays)+"), 0)")
	}
	for _, f := range userFields {
		for _, v := range demo[f] {
			b.col(feat(f+"_"+slug(v), D, fmt.Sprintf("1 when users.%s is %q", f, v), false),
				fmt.Sprintf("coalesce(dem.%s, 0)", sqlquote.Ident("oh_"+f+"_"+slug(v))))
		}
		if len(demo[f]) > 0 {
			b.col(feat(f+"_other", D, fmt.Sprintf("1 when users.%s is another value or unknown", f), false),
				fmt.Sprintf("1 - coalesce(%s, 0)", oneHotSum(f, demo[f])))
		}
	}
}

// stagePrefix names the temporary tables of Query.Stages.
const stagePrefix = "_persona_f_"

// query assembles the single statement, the stages and the final select.
func (b *builder) query(start time.Time, spec *Spec) *Query {
	sel := "SELECT u.user_id,\n  " + strings.Join(b.cols, ",\n  ")
	q := &Query{Features: b.features, AsOf: b.asOf, WindowStart: start, Spec: spec}
	q.SQL = b.with(b.joins, nil) + sel + b.from("")
	done := map[string]bool{}
	// The stages compute the per-user aggregates, then u: the union of
	// their users.
	stages := append(slices.Clone(b.joins[1:]), "u")
	for _, t := range stages {
		q.Stages = append(q.Stages, b.d.TempTable(stagePrefix+t, b.with([]string{t}, done)+"SELECT * FROM "+t))
		done[t] = true
	}
	q.stageNames = stages
	q.Final = sel + b.from(stagePrefix)
	if len(b.attrs) > 0 {
		var cols []string
		for _, t := range b.attrs {
			for j, o := range t.outcomes {
				q.Outcomes = append(q.Outcomes, o)
				cols = append(cols, fmt.Sprintf("CAST(%s.%s AS %s)", t.cte, outcomeCol(j), b.d.Double()))
			}
		}
		if len(cols) > 0 {
			q.OutcomeSQL = "SELECT u.user_id, " + strings.Join(cols, ", ") + b.from(stagePrefix)
			q.SQLOutcomes = b.with(b.joins, nil) + sel + ",\n  " + strings.Join(cols, ",\n  ") + b.from("")
		}
	}
	return q
}

// with writes the WITH clause that defines the named subqueries and those
// they read, in order; a subquery in done reads its stage table instead.
func (b *builder) with(names []string, done map[string]bool) string {
	byName := map[string]cte{}
	for _, c := range b.ctes {
		byName[c.name] = c
	}
	var order []string
	seen := map[string]bool{}
	var visit func(string, bool)
	visit = func(n string, top bool) {
		if seen[n] {
			return
		}
		seen[n] = true
		if top || !done[n] {
			for _, d := range byName[n].deps {
				visit(d, false)
			}
		}
		order = append(order, n)
	}
	for _, n := range names {
		visit(n, true)
	}
	var s strings.Builder
	s.WriteString("WITH")
	for i, n := range order {
		if i > 0 {
			s.WriteString(",")
		}
		body := byName[n].body
		if done[n] && !slices.Contains(names, n) {
			body = "SELECT * FROM " + stagePrefix + n
		}
		fmt.Fprintf(&s, "\n%s AS (%s)", n, body)
	}
	s.WriteString("\n")
	return s.String()
}

// feat is a catalogue entry.
func feat(name string, g Group, desc string, heavy bool) Feature {
	return Feature{Name: name, Group: g, Description: desc, Heavy: heavy}
}

// from joins the per-user aggregates onto u; with a prefix it reads them
// from the stage tables instead of the CTEs.
func (b *builder) from(prefix string) string {
	var s strings.Builder
	fmt.Fprintf(&s, "\nFROM %su AS u", prefix)
	for _, t := range b.joins[1:] {
		fmt.Fprintf(&s, "\nLEFT JOIN %s%s AS %s ON %s.user_id = u.user_id", prefix, t, t, t)
	}
	return s.String()
}

// sessionCTEs define ev, the events up to as_of with a session key: the
// source's session id, or when some events lack one, a key that starts a
// new session after the configured gap (the window functions this needs
// are skipped when every event has an id).
func (b *builder) sessionCTEs(asOf string) {
	if !b.needSessions {
		b.def("ev", nil, fmt.Sprintf(`
  SELECT user_id, timestamp AS ts, session_id AS sess, event_type AS et, category, device
  FROM events WHERE timestamp <= %s`, asOf))
		return
	}
	b.def("ev0", nil, fmt.Sprintf(`
  SELECT user_id, timestamp AS ts, nullif(session_id, '') AS sid, event_type AS et, category, device,
         lag(timestamp) OVER (PARTITION BY user_id ORDER BY timestamp) AS prev_ts
  FROM events WHERE timestamp <= %s`, asOf))
	b.def("ev", []string{"ev0"}, fmt.Sprintf(`
  SELECT *, coalesce(sid, user_id || '~' || CAST(sum(CASE WHEN prev_ts IS NULL OR %s > %g THEN 1 ELSE 0 END)
           OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS %s)) AS sess
  FROM ev0`, b.d.Seconds("prev_ts", "ts"), b.gapSeconds, b.d.Text()))
}

// exactness sets how xsumOver adds: each term is scaled by 2^shift and
// rounded to a 128-bit integer, the integers are added exactly, and the
// sum is scaled back. Scaling by a power of two is exact, so terms of
// magnitude ≥ 2^(52 − shift) keep every bit. Unless the caller knows that
// the terms are small enough (safe), terms of magnitude ≥ limit (and NaN)
// are added as DOUBLEs instead, so that no sum of fewer than
// 2^(127 − shift) / limit terms can overflow. A zero limit means the terms
// lie in [−1, 1].
type exactness struct {
	shift int
	limit float64
}

var (
	// money is for amounts and quantities: to 2^−52, terms below 10^15.
	money = exactness{shift: 52, limit: 1e15}
	// ratio is for values of order one such as price ratios: to 2^−64,
	// terms below 10^6.
	ratio = exactness{shift: 64, limit: 1e6}
	// share is for shares, their squares and share × ln(share): to 2^−96.
	share = exactness{shift: 96}
)

// xsumOver sums a DOUBLE expression to the same value in every run:
// DuckDB adds DOUBLEs in whatever order its threads meet the rows, so a
// plain sum can change in its last bit from run to run (and so the
// features). With a window (e.g. "PARTITION BY user_id") it is a window
// function, else an aggregate; like sum, it is NULL when every term is.
func xsumOver(d Dialect, expr string, e exactness, window string, safe bool) string {
	if safe || e.limit == 0 {
		return d.ExactSum(expr, e.shift, window)
	}
	limit := strconv.FormatFloat(e.limit, 'g', -1, 64)
	exact := d.ExactSum(fmt.Sprintf("CASE WHEN abs(%[1]s) < %[2]s THEN %[1]s END", expr, limit), e.shift, window)
	rest := fmt.Sprintf("sum(CASE WHEN NOT abs(%[1]s) < %[2]s THEN %[1]s END)%[3]s", expr, limit, over(window))
	return fmt.Sprintf("coalesce(%[1]s + %[2]s, %[1]s, %[2]s)", exact, rest)
}

// sumBounds bounds the terms of the money and ratio sums of the feature
// SQL: term is the largest magnitude of a line's quantity, value, list
// value and discount, price the largest unit price, lines the number of
// lines (of any user: a bound on every user's).
type sumBounds struct {
	term, price sql.NullFloat64
	lines       int64
}

// boundCols are the aggregates over transactions that give sumBounds.
const boundCols = `max(greatest(abs(quantity), abs(quantity * unit_price) * (1 + abs(coalesce(discount, 0))))),
		max(unit_price), count(*)`

func (sb *sumBounds) add(o sumBounds) {
	maxNull(&sb.term, o.term)
	maxNull(&sb.price, o.price)
	sb.lines += o.lines
}

// maxNull sets dst to src when src is larger or NaN (NaN stays).
func maxNull(dst *sql.NullFloat64, src sql.NullFloat64) {
	switch {
	case !src.Valid:
	case !dst.Valid, math.IsNaN(src.Float64), src.Float64 > dst.Float64:
		*dst = src
	}
}

// readBounds reads the sumBounds of the transactions in db.
func readBounds(ctx context.Context, db Querier) (sumBounds, error) {
	var sb sumBounds
	err := db.QueryRowContext(ctx, "SELECT "+boundCols+" FROM transactions").Scan(&sb.term, &sb.price, &sb.lines)
	if err != nil {
		return sb, fmt.Errorf("bound the transactions' values: %w", err)
	}
	return sb, nil
}

// safe reports whether the money and the ratio sums (unit price ÷ a median
// of catPrice) can be added exactly without a test per term: every term
// and every sum of lines terms must stay below 2^(126 − shift).
func (sb sumBounds) safe(catPrice map[string]float64) (money, ratio bool) {
	n := float64(sb.lines) + 1
	fits := func(term float64, shift int) bool {
		return term*n < math.Ldexp(1, 126-shift) // false for NaN and ±Inf
	}
	money = !sb.term.Valid || fits(sb.term.Float64, 52)
	minMed := math.Inf(1)
	for _, m := range catPrice {
		if m > 0 {
			minMed = min(minMed, m)
		}
	}
	ratio = !sb.price.Valid || math.IsInf(minMed, 1) || fits(sb.price.Float64/minMed, 64)
	return money, ratio
}

// float is v as a literal of the dialect's double type.
func (b *builder) float(v float64) string { return sqlFloat(b.d, v) }

func sqlFloat(d Dialect, v float64) string {
	return "CAST(" + strconv.FormatFloat(v, 'g', -1, 64) + " AS " + d.Double() + ")"
}

func oneHotSum(field string, vals []string) string {
	var parts []string
	for _, v := range vals {
		parts = append(parts, "dem."+sqlquote.Ident("oh_"+field+"_"+slug(v)))
	}
	return strings.Join(parts, " + ")
}

func (b *builder) catShareCols(cats []string) string {
	var s strings.Builder
	for _, c := range cats {
		fmt.Fprintf(&s, ",\n    sum(share) FILTER (WHERE category = %s) AS %s", sqlquote.String(c), sqlquote.Ident("cs_"+slug(c)))
	}
	other := "category IS NULL"
	if len(cats) > 0 {
		other += " OR category NOT IN (" + sqlquote.List(cats) + ")"
	} else {
		other = "true"
	}
	fmt.Fprintf(&s, ",\n    %s AS cs_other", b.xsum("CASE WHEN "+other+" THEN share END", share))
	return s.String()
}

func (b *builder) eventCols() string {
	var s strings.Builder
	for i, t := range eventTypes {
		fmt.Fprintf(&s, ",\n    %s AS %s", b.d.CountIf(fmt.Sprintf("et_code = %d", i+1)), sqlquote.Ident("n_"+t))
	}
	for i, t := range b.eventNames {
		fmt.Fprintf(&s, ",\n    %s AS %s", b.d.CountIf(fmt.Sprintf("et_code = %d", len(eventTypes)+i+1)), sqlquote.Ident("nx_"+slug(t)))
	}
	for _, p := range dayParts {
		fmt.Fprintf(&s, ",\n    %s AS %s", b.d.CountIf(fmt.Sprintf("h >= %d AND h < %d", p.from, p.to)), sqlquote.Ident("dp_"+p.name))
	}
	for i, d := range []string{"mobile", "desktop", "tablet"} {
		fmt.Fprintf(&s, ",\n    %s AS %s", b.d.CountIf(fmt.Sprintf("dev_code = %d", i+1)), sqlquote.Ident("dev_"+d))
	}
	s.WriteString(",\n    count(nullif(category, '')) AS cat_events")
	for i, c := range b.cats {
		fmt.Fprintf(&s, ",\n    %s AS %s", b.d.CountIf(fmt.Sprintf("cat_code = %d", i+1)), sqlquote.Ident("ec_"+slug(c)))
	}
	return s.String()
}

// code is a column NAME_code that numbers the value of expr by its
// position in vals (from 1; 0 for another value, NULL for NULL).
type code struct {
	name, expr string
	vals       []string
}

// codeCols writes the code columns (none for an empty list of values).
func (b *builder) codeCols(codes ...code) string {
	var s strings.Builder
	for _, c := range codes {
		if len(c.vals) > 0 {
			fmt.Fprintf(&s, ", %s AS %s", b.d.Position(c.vals, c.expr), sqlquote.Ident(c.name+"_code"))
		}
	}
	return s.String()
}

func (b *builder) socialCols(topics []string) string {
	var s strings.Builder
	for i, a := range socialActions {
		fmt.Fprintf(&s, ",\n    %s AS %s", b.d.CountIf(fmt.Sprintf("action_code = %d", i+1)), sqlquote.Ident("a_"+a))
	}
	for i, t := range topics {
		fmt.Fprintf(&s, ",\n    %s AS %s", b.d.CountIf(fmt.Sprintf("topic_code = %d", i+1)), sqlquote.Ident("t_"+slug(t)))
	}
	return s.String()
}

func (b *builder) demoCols(demo map[string][]string) string {
	var s strings.Builder
	for _, f := range userFields {
		for _, v := range demo[f] {
			fmt.Fprintf(&s, ",\n    CASE WHEN %s = %s THEN 1 ELSE 0 END AS %s", sqlquote.Ident(f), sqlquote.String(v), sqlquote.Ident("oh_"+f+"_"+slug(v)))
		}
	}
	return s.String()
}
