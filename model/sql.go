package model

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/persona-seg/persona/cluster"
	"github.com/persona-seg/persona/internal/sqlquote"
	"github.com/persona-seg/persona/prep"
)

// SQL dialects SQL writes for.
const (
	DialectDuckDB   = "duckdb"
	DialectPostgres = "postgres"
)

// SQL returns one query that assigns segments inside a database, as Assign
// does: it reads table, which must have a user_id column and one numeric
// column per feature in Inputs() (named as the features), and returns
// user_id, segment and distance, ordered by user_id. The preparation, the
// PCA and the centres (or core points) are written into the query as
// constants. dialect is DialectDuckDB or DialectPostgres.
func (m *Model) SQL(table, dialect string) (string, error) {
	if dialect != DialectDuckDB && dialect != DialectPostgres {
		return "", fmt.Errorf("sql dialect %q is not duckdb or postgres", dialect)
	}
	if err := m.Validate(); err != nil {
		return "", err
	}
	if table == "" {
		return "", fmt.Errorf("sql: table name is empty")
	}
	if m.Mixed != nil {
		return m.mixedSQL(table, dialect)
	}
	p := m.Prep
	var b strings.Builder
	m.sqlHead(&b, table, dialect)
	// t and s are MATERIALIZED: computed once per user. Inlined (Postgres
	// inlines a CTE read once), every (user, centre) row of d would
	// compute the projection again, each dimension twice.
	b.WriteString("t AS MATERIALIZED (\n  SELECT user_id")
	for k, e := range m.outputExprs() {
		fmt.Fprintf(&b, ",\n    %s AS z%d", e, k)
	}
	b.WriteString("\n  FROM src),\n")

	// s: the clustering space.
	dims := len(p.Output)
	space := "z"
	if m.PCA != nil {
		dims = len(m.PCA.Components)
		space = "p"
		b.WriteString("s AS MATERIALIZED (\n  SELECT user_id")
		for k, comp := range m.PCA.Components {
			var terms []string
			for j, c := range comp {
				terms = append(terms, fmt.Sprintf("(z%d - %s) * %s", j, lit(m.PCA.Mean[j]), lit(c)))
			}
			e := strings.Join(terms, "\n      + ")
			if m.PCA.Whiten {
				e = fmt.Sprintf("(%s) / %s", e, lit(math.Sqrt(m.PCA.ExplainedVariance[k])))
			}
			fmt.Fprintf(&b, ",\n    %s AS p%d", e, k)
		}
		b.WriteString("\n  FROM t),\n")
	} else {
		b.WriteString("s AS (SELECT * FROM t),\n")
	}

	// c: the centres or core points, with their segment and order.
	pts, segs := m.Centers, make([]int, len(m.Centers))
	for i := range m.Centers {
		segs[i] = m.Segments[i].ID
	}
	if m.Algorithm == cluster.AlgorithmDBSCAN {
		pts, segs = m.Core, m.CoreSegments
	}
	b.WriteString("c (segment, ord")
	for k := range dims {
		fmt.Fprintf(&b, ", c%d", k)
	}
	b.WriteString(") AS (VALUES")
	if len(pts) == 0 {
		// No core point: one that is never within reach.
		fmt.Fprintf(&b, "\n  (%d, 0%s)", Unsegmented, strings.Repeat(", CAST('Infinity' AS DOUBLE PRECISION)", dims))
	}
	for i, pt := range pts {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "\n  (%d, %d", segs[i], i)
		for _, v := range pt {
			b.WriteString(", " + lit(v))
		}
		b.WriteByte(')')
	}
	b.WriteString("),\n")

	// d: squared distances; r: the nearest point per user (ties: first).
	b.WriteString("d AS (\n  SELECT s.user_id, c.segment, c.ord,\n    ")
	var terms []string
	for k := range dims {
		terms = append(terms, fmt.Sprintf("(s.%s%d - c.c%d) * (s.%[1]s%[2]d - c.c%[2]d)", space, k, k))
	}
	b.WriteString(strings.Join(terms, "\n    + "))
	b.WriteString(" AS d2\n  FROM s CROSS JOIN c),\n")
	b.WriteString("r AS (\n  SELECT user_id, segment, d2, row_number() OVER (PARTITION BY user_id ORDER BY d2, ord) AS rn FROM d)\n")
	if m.Algorithm == cluster.AlgorithmDBSCAN {
		fmt.Fprintf(&b, "SELECT user_id, CASE WHEN sqrt(d2) <= %s THEN segment ELSE %d END AS segment, sqrt(d2) AS distance\n", lit(m.Eps), Unsegmented)
	} else {
		b.WriteString("SELECT user_id, segment, sqrt(d2) AS distance\n")
	}
	b.WriteString("FROM r WHERE rn = 1\nORDER BY user_id\n")
	return b.String(), nil
}

// sqlHead writes the comment and the src CTE: the model's columns, as
// doubles x0, x1, ... (one per Prep.Columns).
func (m *Model) sqlHead(b *strings.Builder, table, dialect string) {
	b.WriteString("-- persona segment assignment")
	if m.RunID != "" {
		b.WriteString(" (model of run " + strings.ReplaceAll(m.RunID, "\n", " ") + ")")
	}
	fmt.Fprintf(b, ", %s dialect\nWITH\n", dialect)
	b.WriteString("src AS (\n  SELECT user_id")
	for j, c := range m.Prep.Columns {
		fmt.Fprintf(b, ",\n    CAST(%s AS DOUBLE PRECISION) AS x%d", sqlquote.Ident(c), j)
	}
	fmt.Fprintf(b, "\n  FROM %s),\n", quoteTable(table))
}

// outputExprs returns, for each column of Prep.Output, its prepared value
// (log1p, winsorizing, scaling, weight) as an expression of src's columns.
func (m *Model) outputExprs() []string {
	p := m.Prep
	expr := make([]string, len(p.Columns))
	for j := range p.Columns {
		expr[j] = "x" + strconv.Itoa(j)
	}
	if p.Log1p != nil {
		for _, j := range p.Log1p.Columns {
			e := expr[j]
			expr[j] = fmt.Sprintf("(CASE WHEN %[1]s < 0 THEN -ln(1 - %[1]s) ELSE ln(1 + %[1]s) END)", e)
		}
	}
	if w := p.Winsorize; w != nil {
		for k, j := range w.Columns {
			expr[j] = fmt.Sprintf("least(greatest(%s, %s), %s)", expr[j], lit(w.Lower[k]), lit(w.Upper[k]))
		}
	}
	for j := range expr {
		switch p.Scaler {
		case prep.ScalerStandard:
			expr[j] = fmt.Sprintf("(%s - %s) / %s", expr[j], lit(p.Standard.Mean[j]), lit(p.Standard.Scale[j]))
		case prep.ScalerRobust:
			expr[j] = fmt.Sprintf("(%s - %s) / %s", expr[j], lit(p.Robust.Center[j]), lit(p.Robust.Scale[j]))
		case prep.ScalerMinMax:
			expr[j] = fmt.Sprintf("%s * %s + %s", expr[j], lit(p.MinMax.Scale[j]), lit(p.MinMax.Min[j]))
		}
	}
	out := make([]string, len(p.Output))
	for k, name := range p.Output {
		e := expr[slices.Index(p.Columns, name)]
		if p.Weights != nil && p.Weights[k] != 1 {
			e = fmt.Sprintf("(%s) * %s", e, lit(p.Weights[k]))
		}
		out[k] = e
	}
	return out
}

// lit writes v as an SQL literal that reads back as the same double.
func lit(v float64) string {
	s := strconv.FormatFloat(v, 'e', -1, 64)
	if v < 0 {
		return "(" + s + ")"
	}
	return s
}

// quoteTable quotes each dot-separated part of a table name.
func quoteTable(s string) string {
	parts := strings.Split(s, ".")
	for i, p := range parts {
		parts[i] = sqlquote.Ident(p)
	}
	return strings.Join(parts, ".")
}
