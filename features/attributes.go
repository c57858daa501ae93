package features

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/persona-seg/persona/dataset"
	"github.com/persona-seg/persona/internal/sqlquote"
)

// AttrSpec is how one attribute of a per-user table becomes features,
// fixed on the training data so that new users get the same columns and
// the same fill values (see the package documentation, # Attributes).
type AttrSpec struct {
	// Table is the per-user table (users or a profiles table).
	Table string `json:"table"`
	Name  string `json:"name"`
	// Column is the source column or expression, for the descriptions.
	Column string                `json:"column,omitempty"`
	Type   dataset.AttributeType `json:"type"`
	// Values are the values of a categorical or list attribute that get
	// their own column, most frequent first; Other says whether the rest
	// have a pooled column.
	Values []string `json:"values,omitempty"`
	Other  bool     `json:"other,omitempty"`
	// Levels and Ranks give an ordinal attribute's values their numbers
	// (ranks 1, 2, ... of the configured levels, or bucket midpoints); a
	// value not listed counts as missing.
	Levels []string  `json:"levels,omitempty"`
	Ranks  []float64 `json:"ranks,omitempty"`
	// Fill is what a missing value counts as: the median of the users'
	// values (numeric, ordinal, date) or the share of true (boolean).
	Fill float64 `json:"fill"`
	// Missing says whether the attribute has a _missing column.
	Missing bool `json:"missing,omitempty"`
	// Separator splits a list attribute.
	Separator string `json:"separator,omitempty"`
	// Log1p marks a numeric (or date) attribute transformed with log1p
	// before scaling.
	Log1p bool `json:"log1p,omitempty"`
}

// Label says the attribute in words for names and texts: its column
// without what is in parentheses ("Annual Income (k$)" is annual income)
// and camel case split (MonthlyCharges is monthly charges), else (for an
// expression) its name. An age is said by its name (age), not by its
// column (a date of birth).
func (a AttrSpec) Label() string {
	l := a.Name
	if c := strings.Trim(strings.TrimSpace(a.Column), `"`); c != "" && columnLike(c) && a.Type != dataset.TypeAge {
		if s := parens.ReplaceAllString(c, " "); dataset.Slug(s) != "blank" {
			l = dataset.SplitCase(s)
		}
	}
	return strings.ReplaceAll(dataset.Slug(l), "_", " ")
}

var (
	parens = regexp.MustCompile(`\s*\([^)]*\)`)
	call   = regexp.MustCompile(`[A-Za-z0-9_]\(`)
)

// columnLike reports whether a mapping reads like a column name rather
// than an expression (no operator, no function call).
func columnLike(s string) bool { return !strings.ContainsAny(s, "=<>*+/|'") && !call.MatchString(s) }

// OutcomeSpec names one outcome of a per-user table.
type OutcomeSpec struct {
	Table string `json:"table"`
	Name  string `json:"name"`
	Expr  string `json:"expr,omitempty"`
}

// attrTable is one per-user table with its attributes and outcomes, as
// the feature SQL reads it: a CTE (pu0, pu1, ...) with one row per user.
type attrTable struct {
	cte      string
	view     string
	attrs    []AttrSpec
	outcomes []OutcomeSpec
}

// attrCol is the column of attribute j of a table's CTE, and outcome j's.
func attrCol(j int) string    { return "a" + strconv.Itoa(j) }
func outcomeCol(j int) string { return "o" + strconv.Itoa(j) }

// attrTables groups the attribute and outcome specs by table, in the
// order of the per-user tables given.
func attrTables(per []dataset.PerUser, specs []AttrSpec, outs []OutcomeSpec) ([]attrTable, error) {
	var out []attrTable
	for _, p := range per {
		t := attrTable{cte: "pu" + strconv.Itoa(len(out)), view: p.View}
		for _, a := range specs {
			if a.Table == string(p.Kind) {
				t.attrs = append(t.attrs, a)
			}
		}
		for _, o := range outs {
			if o.Table == string(p.Kind) {
				t.outcomes = append(t.outcomes, o)
			}
		}
		if len(t.attrs) > 0 || len(t.outcomes) > 0 {
			out = append(out, t)
		}
	}
	for _, a := range specs {
		key := tableKey(dataset.Kind(a.Table)) + ".attributes." + a.Name
		i := slices.IndexFunc(per, func(p dataset.PerUser) bool { return string(p.Kind) == a.Table })
		if i < 0 {
			return nil, fmt.Errorf("%s: the data has no table %s: describe the users with the per-user tables of the training run", key, tableKey(dataset.Kind(a.Table)))
		}
		if !slices.ContainsFunc(per[i].Source.Attributes, func(b dataset.Attribute) bool { return b.Name == a.Name && b.Used() }) {
			return nil, fmt.Errorf("%s: the training run's attribute (%s) is not in this config's %s", key, a.Type, tableKey(dataset.Kind(a.Table)))
		}
	}
	return out, nil
}

// userValues is SQL for the per-user values of attribute name of view:
// a user with several rows gets the least value.
func userValues(d Dialect, view, col string, typ dataset.AttributeType) string {
	return fmt.Sprintf("(SELECT user_id, %s AS v FROM %s WHERE user_id IS NOT NULL GROUP BY user_id) AS vals", minOf(d, sqlquote.Ident(col), typ), view)
}

// minOf is the least value of an attribute's column over a group.
func minOf(d Dialect, col string, typ dataset.AttributeType) string {
	if typ == dataset.TypeBoolean {
		return d.MinBool(col)
	}
	return "min(" + col + ")"
}

// splitSQL splits a list attribute's text into its distinct trimmed,
// non-empty values.
func splitSQL(d Dialect, v, sep string) string {
	if sep == "" {
		sep = ","
	}
	return d.SplitList(v, sep)
}

// inspectAttributes fixes how every used attribute of the per-user tables
// becomes features, from the data: the top values, the levels, the
// medians and the log1p decision. others says whether the run has users
// outside each table (then every attribute has a _missing column).
func inspectAttributes(ctx context.Context, db Querier, d Dialect, opts Options, asOf time.Time, others func(table string) bool) ([]AttrSpec, []OutcomeSpec, error) {
	var specs []AttrSpec
	var outs []OutcomeSpec
	at := "TIMESTAMP '" + asOf.UTC().Format(tsLayout) + "'"
	for _, p := range opts.PerUser {
		for _, o := range p.Outcomes {
			outs = append(outs, OutcomeSpec{Table: string(p.Kind), Name: o.Name, Expr: o.Expr})
		}
		for _, a := range p.Source.Attributes {
			if !a.Used() {
				continue
			}
			key := fmt.Sprintf("%s.attributes.%s", tableKey(p.Kind), a.Name)
			sp := AttrSpec{Table: string(p.Kind), Name: a.Name, Column: a.Column, Type: a.Type, Separator: a.Separator}
			vals := userValues(d, p.View, a.Name, a.Type)
			var nulls int64
			if err := db.QueryRowContext(ctx, "SELECT count(*) - count(v) FROM "+vals).Scan(&nulls); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", key, err)
			}
			sp.Missing = nulls > 0 || others(string(p.Kind))
			top := a.Top
			if top == 0 {
				top = opts.TopValues
			}
			switch a.Type {
			case dataset.TypeNumeric, dataset.TypeDate, dataset.TypeAge:
				v := "v"
				switch a.Type {
				case dataset.TypeDate:
					v = d.Div(d.Seconds("v", at), "86400.0")
				case dataset.TypeAge:
					v = d.Div(d.Seconds("v", at), secondsPerYear)
				}
				var med, lo, skew sql.NullFloat64
				if err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT %s, min(%s), %s FROM %s", d.Median(v), v, d.Skewness(v), vals)).Scan(&med, &lo, &skew); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", key, err)
				}
				sp.Fill = med.Float64
				sp.Log1p = a.Type != dataset.TypeAge && lo.Valid && lo.Float64 >= 0 && skew.Valid && skew.Float64 > heavySkew
				if a.Log1p != nil {
					sp.Log1p = *a.Log1p
				}
			case dataset.TypeBoolean:
				var share sql.NullFloat64
				if err := db.QueryRowContext(ctx, "SELECT avg("+d.BoolDouble("v")+") FROM "+vals).Scan(&share); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", key, err)
				}
				sp.Fill = share.Float64
			case dataset.TypeCategorical, dataset.TypeList:
				v := "v"
				if a.Type == dataset.TypeList {
					v = d.Unnest(splitSQL(d, "v", a.Separator))
				}
				q := fmt.Sprintf("SELECT x, count(*) AS n FROM (SELECT %s AS x FROM %s) AS xs WHERE x IS NOT NULL GROUP BY x ORDER BY n DESC, x", v, vals)
				all, err := topValues(ctx, db, "SELECT x, n FROM ("+q+") AS t LIMIT ", 1<<30)
				if err != nil {
					return nil, nil, fmt.Errorf("%s: %w", key, err)
				}
				kept := distinctSlugs(all, "other", "missing", "count", "days")
				sp.Values = kept[:min(top, len(kept))]
				sp.Other = len(all) > len(sp.Values)
			case dataset.TypeOrdinal:
				rows, err := db.QueryContext(ctx, "SELECT DISTINCT v FROM "+vals+" WHERE v IS NOT NULL ORDER BY v")
				if err != nil {
					return nil, nil, fmt.Errorf("%s: %w", key, err)
				}
				var distinct []string
				for rows.Next() {
					var s string
					if err := rows.Scan(&s); err != nil {
						rows.Close()
						return nil, nil, err
					}
					distinct = append(distinct, s)
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return nil, nil, err
				}
				if len(a.Levels) > 0 {
					sp.Levels = slices.Clone(a.Levels)
					for i := range a.Levels {
						sp.Ranks = append(sp.Ranks, float64(i+1))
					}
				} else if len(distinct) > 0 {
					if sp.Levels, sp.Ranks, err = dataset.BucketLevels(distinct); err != nil {
						return nil, nil, fmt.Errorf("%s: %w; or list its levels in order under levels", key, err)
					}
				}
				var med sql.NullFloat64
				if len(sp.Levels) > 0 {
					if err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT %s FROM %s", d.Median(sp.rankSQL(d, "v")), vals)).Scan(&med); err != nil {
						return nil, nil, fmt.Errorf("%s: %w", key, err)
					}
				}
				sp.Fill = med.Float64
			}
			specs = append(specs, sp)
		}
	}
	return specs, outs, nil
}

// secondsPerYear is the length of an age's year: 365.25 days.
const secondsPerYear = "31557600.0"

// heavySkew is the sample skewness above which a non-negative numeric
// attribute is transformed with log1p before scaling.
const heavySkew = 1.0

// tableKey is the config key of a per-user table.
func tableKey(k dataset.Kind) string {
	if slices.Contains(dataset.Kinds, k) {
		return string(k)
	}
	return "profiles." + string(k)
}

// rankSQL maps an ordinal value to its number (NULL when not a level).
func (a AttrSpec) rankSQL(d Dialect, v string) string {
	if len(a.Levels) == 0 {
		return "CAST(NULL AS " + d.Double() + ")"
	}
	var whens []string
	for i, l := range a.Levels {
		whens = append(whens, fmt.Sprintf("WHEN %s THEN %s", sqlquote.String(l), sqlFloat(d, a.Ranks[i])))
	}
	return fmt.Sprintf("CASE %s %s END", v, strings.Join(whens, " "))
}

// attributeCTEs defines one CTE per per-user table: a row per user with
// the least value of each attribute (split into a list for list
// attributes) and outcome.
func (b *builder) attributeCTEs() {
	for _, t := range b.attrs {
		var cols []string
		for j, a := range t.attrs {
			v := minOf(b.d, sqlquote.Ident(a.Name), a.Type)
			if a.Type == dataset.TypeList {
				v = splitSQL(b.d, v, a.Separator)
			}
			cols = append(cols, fmt.Sprintf("%s AS %s", v, attrCol(j)))
		}
		for j, o := range t.outcomes {
			cols = append(cols, fmt.Sprintf("min(%s) AS %s", sqlquote.Ident(o.Name), outcomeCol(j)))
		}
		b.def(t.cte, nil, fmt.Sprintf("\n  SELECT user_id, %s\n  FROM %s WHERE user_id IS NOT NULL GROUP BY user_id", strings.Join(cols, ", "), t.view))
	}
}

// attributeCols adds the attributes' feature columns.
func (b *builder) attributeCols() {
	A := GroupAttributes
	at := "TIMESTAMP '" + b.asOf.UTC().Format(tsLayout) + "'"
	for _, t := range b.attrs {
		for j, a := range t.attrs {
			v := t.cte + "." + attrCol(j)
			name := dataset.Slug(a.Name)
			src := fmt.Sprintf("%s.attributes.%s", tableKey(dataset.Kind(a.Table)), a.Name)
			what := fmt.Sprintf("%s (%s)", src, a.Type)
			if a.Column != "" {
				what = fmt.Sprintf("%s (%s of %s)", src, a.Type, a.Column)
			}
			missing := func(n string) {
				if a.Missing {
					b.attrCol(Feature{Name: n + "_missing", Group: A, Description: "1 when " + src + " is missing", Attribute: src, Set: src + "#missing"}, fmt.Sprintf("CASE WHEN %s IS NULL THEN 1 ELSE 0 END", v), src)
				}
			}
			switch a.Type {
			case dataset.TypeNumeric:
				b.attrCol(Feature{Name: name, Group: A, Description: what + "; missing: the median " + num(a.Fill), Heavy: a.Log1p, Attribute: src},
					fmt.Sprintf("coalesce(%s, %s)", v, b.float(a.Fill)), src)
				missing(name)
			case dataset.TypeDate:
				b.attrCol(Feature{Name: name + "_days", Group: A, Description: "days from " + what + " to as_of; missing: the median " + num(a.Fill), Heavy: a.Log1p, Attribute: src},
					fmt.Sprintf("coalesce(%s, %s)", b.d.Div(b.d.Seconds(v, at), "86400.0"), b.float(a.Fill)), src)
				missing(name)
			case dataset.TypeAge:
				b.attrCol(Feature{Name: name, Group: A, Description: what + ": the years from the date of birth to as_of (days / 365.25); missing: the median " + num(a.Fill), Attribute: src},
					fmt.Sprintf("coalesce(%s, %s)", b.d.Div(b.d.Seconds(v, at), secondsPerYear), b.float(a.Fill)), src)
				missing(name)
			case dataset.TypeBoolean:
				b.attrCol(Feature{Name: name, Group: A, Description: "1 when " + what + " is true, 0 when false; missing: the share of true " + num(a.Fill), Attribute: src, Set: src},
					fmt.Sprintf("coalesce(%s, %s)", b.d.BoolDouble(v), b.float(a.Fill)), src)
				missing(name)
			case dataset.TypeOrdinal:
				rule := "its rank among the levels " + strings.Join(a.Levels, " < ")
				if len(a.Levels) > 0 && len(a.Ranks) > 0 && a.Ranks[0] != 1 {
					rule = "the midpoint of its bucket (" + bucketList(a) + ")"
				}
				b.attrCol(Feature{Name: name, Group: A, Description: what + ": " + rule + "; missing: the median " + num(a.Fill), Attribute: src},
					fmt.Sprintf("coalesce(%s, %s)", a.rankSQL(b.d, v), b.float(a.Fill)), src)
				missing(name)
			case dataset.TypeCategorical, dataset.TypeList:
				test := func(x string) string { return fmt.Sprintf("%s = %s", v, sqlquote.String(x)) }
				if a.Type == dataset.TypeList {
					test = func(x string) string { return b.d.ListHas(v, x) }
				}
				for _, x := range a.Values {
					b.attrCol(Feature{Name: name + "_" + dataset.Slug(x), Group: A, Description: fmt.Sprintf("1 when %s is %q", what, x), Attribute: src, Level: x, Set: src},
						fmt.Sprintf("CASE WHEN %s THEN 1 ELSE 0 END", test(x)), src)
				}
				if a.Other {
					other := fmt.Sprintf("%s IS NOT NULL", v)
					if len(a.Values) > 0 {
						other += fmt.Sprintf(" AND %s NOT IN (%s)", v, sqlquote.List(a.Values))
					}
					desc := fmt.Sprintf("1 when %s is another value", what)
					if a.Type == dataset.TypeList {
						other = b.d.ListHasOther(v, a.Values)
						desc = fmt.Sprintf("1 when %s holds another value", what)
					}
					b.attrCol(Feature{Name: name + "_other", Group: A, Description: desc, Attribute: src, Level: "other", Set: src}, fmt.Sprintf("CASE WHEN %s THEN 1 ELSE 0 END", other), src)
				}
				if a.Missing {
					b.attrCol(Feature{Name: name + "_missing", Group: A, Description: "1 when " + src + " is missing", Attribute: src, Level: "missing", Set: src}, fmt.Sprintf("CASE WHEN %s IS NULL THEN 1 ELSE 0 END", v), src)
				}
			}
		}
	}
}

// bucketList writes an ordinal attribute's buckets with their midpoints.
func bucketList(a AttrSpec) string {
	var parts []string
	for i, l := range a.Levels {
		parts = append(parts, l+" → "+num(a.Ranks[i]))
	}
	return strings.Join(parts, ", ")
}

// num formats a number for a description.
func num(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

// attrCol adds an attribute's column, failing the build when its name is
// already taken.
func (b *builder) attrCol(f Feature, expr, origin string) {
	if prev, ok := b.origin[f.Name]; ok {
		if b.err == nil {
			b.err = fmt.Errorf("%s: its feature %s is also given by %s: rename the attribute", origin, f.Name, prev)
		}
		return
	}
	b.col(f, expr)
	b.origin[f.Name] = origin
}
