package model

import (
	"fmt"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/cluster"
)

// mixedSQL is SQL for a k-medoids or k-prototypes model: the users'
// attributes (a), the medoids' or prototypes' (c), the Gower
// dissimilarity or the k-prototypes cost of every pair (d), and the
// nearest per user.
func (m *Model) mixedSQL(table, dialect string) (string, error) {
	mx := m.Mixed
	var b strings.Builder
	m.sqlHead(&b, table, dialect)
	col := func(in int) string { // the src column of input in
		return fmt.Sprintf("x%d", slices.Index(m.Prep.Columns, m.Prep.Inputs[in]))
	}
	outs := m.outputExprs()
	proto := m.Algorithm == cluster.AlgorithmKPrototypes

	// a: one value per attribute (list: one 0/1 per indicator column),
	// MATERIALIZED: computed once per user, not once per (user, centre)
	// row of d (see SQL).
	b.WriteString("a AS MATERIALIZED (\n  SELECT user_id")
	for j, at := range mx.Attrs {
		switch at.Type {
		case cluster.AttrNumeric:
			e := outs[at.Output]
			if !proto {
				sc := mx.Scales[j]
				e = fmt.Sprintf("least(greatest((%s - %s) / %s, 0), 1)", e, lit(sc.Min), lit(sc.Range))
			}
			fmt.Fprintf(&b, ",\n    %s AS v%d", e, j)
		case cluster.AttrSymmetric:
			unknown := "NULL"
			if proto {
				unknown = "-1" // k-prototypes: a category of its own
			}
			flag := ""
			if at.Missing != nil {
				flag = fmt.Sprintf("WHEN %s = 1 THEN %s ", col(*at.Missing), unknown)
			}
			fmt.Fprintf(&b, ",\n    CASE %sWHEN %[2]s = 0 THEN 0 WHEN %[2]s = 1 THEN 1 ELSE %[3]s END AS v%[4]d", flag, col(at.Inputs[0]), unknown, j)
		case cluster.AttrNominal:
			var cases []string
			for c, in := range at.Inputs {
				cases = append(cases, fmt.Sprintf("WHEN %s = 1 THEN %d", col(in), c))
			}
			fmt.Fprintf(&b, ",\n    CASE %s ELSE %d END AS v%d", strings.Join(cases, " "), len(at.Inputs), j)
		case cluster.AttrList:
			for c, in := range at.Inputs {
				fmt.Fprintf(&b, ",\n    CASE WHEN %s = 1 THEN 1 ELSE 0 END AS v%d_%d", col(in), j, c)
			}
		}
	}
	b.WriteString("\n  FROM src),\n")

	// c: the medoids' or prototypes' values, with their segment and order.
	var rows [][]string
	if proto {
		for c := range mx.Centers {
			var r []string
			nn, nc := 0, 0
			for _, at := range mx.Attrs {
				if at.Type == cluster.AttrNumeric {
					r = append(r, lit(mx.Centers[c][nn]))
					nn++
				} else {
					r = append(r, fmt.Sprint(mx.Modes[c][nc]))
					nc++
				}
			}
			rows = append(rows, r)
		}
	} else {
		med := mat.NewDense(len(mx.Medoids), len(m.Prep.Inputs), nil)
		for c, r := range mx.Medoids {
			med.SetRow(c, r)
		}
		z, err := m.Prep.Transform(med)
		if err != nil {
			return "", err
		}
		vals := MixedTable(mx.Attrs, med, z)
		for c := range mx.Medoids {
			var r []string
			for j, at := range vals {
				switch at.Type {
				case cluster.AttrNumeric:
					sc := mx.Scales[j]
					r = append(r, lit(min(max((at.Values[c]-sc.Min)/sc.Range, 0), 1)))
				case cluster.AttrSymmetric, cluster.AttrNominal:
					if at.Codes[c] < 0 {
						r = append(r, "CAST(NULL AS INTEGER)")
					} else {
						r = append(r, fmt.Sprint(at.Codes[c]))
					}
				case cluster.AttrList:
					for ci := range mx.Attrs[j].Inputs {
						r = append(r, b2s(slices.Contains(at.Sets[c], int32(ci))))
					}
				}
			}
			rows = append(rows, r)
		}
	}
	b.WriteString("c (segment, ord")
	for j, at := range mx.Attrs {
		if at.Type == cluster.AttrList {
			for ci := range at.Inputs {
				fmt.Fprintf(&b, ", c%d_%d", j, ci)
			}
			continue
		}
		fmt.Fprintf(&b, ", c%d", j)
	}
	b.WriteString(") AS (VALUES")
	ord := make([]int, len(rows)) // ties: the first medoid by training row
	if !proto {
		for rank, c := range mx.medoidOrder() {
			ord[c] = rank
		}
	} else {
		for i := range ord {
			ord[i] = i
		}
	}
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "\n  (%d, %d, %s)", m.Segments[i].ID, ord[i], strings.Join(r, ", "))
	}
	b.WriteString("),\n")

	// d: the dissimilarity of every user to every medoid or prototype.
	var num, den []string
	for j, at := range mx.Attrs {
		v, c := fmt.Sprintf("a.v%d", j), fmt.Sprintf("c.c%d", j)
		switch {
		case proto && at.Type == cluster.AttrNumeric:
			num = append(num, fmt.Sprintf("(%[1]s - %[2]s) * (%[1]s - %[2]s)", v, c))
		case proto:
			num = append(num, fmt.Sprintf("CASE WHEN %s <> %s THEN %s ELSE 0 END", v, c, lit(mx.Gamma)))
		case at.Type == cluster.AttrNumeric:
			num = append(num, fmt.Sprintf("abs(%s - %s)", v, c))
			den = append(den, "1")
		case at.Type == cluster.AttrList:
			var sym, union []string
			for ci := range at.Inputs {
				vi, cc := fmt.Sprintf("a.v%d_%d", j, ci), fmt.Sprintf("c.c%d_%d", j, ci)
				sym = append(sym, fmt.Sprintf("abs(%s - %s)", vi, cc))
				union = append(union, fmt.Sprintf("greatest(%s, %s)", vi, cc))
			}
			u := strings.Join(union, " + ")
			num = append(num, fmt.Sprintf("CASE WHEN %[1]s = 0 THEN 0 ELSE CAST(%[2]s AS DOUBLE PRECISION) / (%[1]s) END", u, strings.Join(sym, " + ")))
			den = append(den, "1")
		default: // nominal, symmetric: skipped when either is unknown
			num = append(num, fmt.Sprintf("CASE WHEN %[1]s IS NULL OR %[2]s IS NULL OR %[1]s = %[2]s THEN 0 ELSE 1 END", v, c))
			den = append(den, fmt.Sprintf("CASE WHEN %s IS NULL OR %s IS NULL THEN 0 ELSE 1 END", v, c))
		}
	}
	dist := strings.Join(num, "\n    + ")
	if !proto {
		dist = fmt.Sprintf("(%s)\n    / CAST(NULLIF(%s, 0) AS DOUBLE PRECISION)", dist, strings.Join(den, " + "))
	}
	b.WriteString("d AS (\n  SELECT a.user_id, c.segment, c.ord,\n    " + dist + " AS dist\n  FROM a CROSS JOIN c),\n")
	b.WriteString("r AS (\n  SELECT user_id, segment, dist, row_number() OVER (PARTITION BY user_id ORDER BY dist NULLS LAST, ord) AS rn FROM d)\n")
	fmt.Fprintf(&b, "SELECT user_id, CASE WHEN dist IS NULL THEN %d ELSE segment END AS segment, dist AS distance\n", Unsegmented)
	b.WriteString("FROM r WHERE rn = 1\nORDER BY user_id\n")
	return b.String(), nil
}

func b2s(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
