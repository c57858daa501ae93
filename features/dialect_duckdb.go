package features

import (
	"fmt"
	"math"
	"strconv"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// duckDB is the dialect of the embedded DuckDB: the SQL that persona has
// always written.
type duckDB struct{}

func (duckDB) Name() string               { return "duckdb" }
func (duckDB) Double() string             { return "DOUBLE" }
func (duckDB) Text() string               { return "VARCHAR" }
func (duckDB) CountIf(cond string) string { return "count_if(" + cond + ")" }
func (duckDB) Div(a, b string) string     { return a + " / " + b }
func (duckDB) Seconds(from, to string) string {
	return fmt.Sprintf("date_diff('second', %s, %s)", from, to)
}
func (duckDB) DateDays(from, to string) string {
	return fmt.Sprintf("date_diff('day', %s, %s)", from, to)
}
func (duckDB) Part(part, ts string) string { return part + "(" + ts + ")" }
func (duckDB) SquareSum(x string) string {
	return fmt.Sprintf("sum(CAST(%[1]s AS HUGEINT) * %[1]s)", x)
}
func (duckDB) Sqrt(x string) string       { return "sqrt(" + x + ")" }
func (duckDB) Median(x string) string     { return "median(" + x + ")" }
func (duckDB) Skewness(x string) string   { return "skewness(" + x + ")" }
func (duckDB) FSum(x string) string       { return "fsum(" + x + ")" }
func (duckDB) IsFinite(x string) string   { return "isfinite(" + x + ")" }
func (duckDB) BoolDouble(x string) string { return cast(x, "DOUBLE") }
func (duckDB) Unnest(list string) string  { return "unnest(" + list + ")" }
func (duckDB) ListHas(list, x string) string {
	return fmt.Sprintf("list_contains(%s, %s)", list, sqlquote.String(x))
}
func (duckDB) TempTable(name, q string) string {
	return "CREATE OR REPLACE TEMP TABLE " + name + " AS " + q
}
func (duckDB) GroupByAll(...string) string { return "GROUP BY ALL" }
func (duckDB) MinBool(x string) string     { return "min(" + x + ")" }

func (duckDB) Position(vals []string, expr string) string {
	return fmt.Sprintf("list_position([%s], %s)", sqlquote.List(vals), expr)
}

// ExactSum adds the terms scaled to integers as HUGEINT (128 bits).
func (duckDB) ExactSum(expr string, shift int, window string) string {
	scale := strconv.FormatFloat(math.Ldexp(1, shift), 'g', -1, 64)
	return fmt.Sprintf("CAST(sum(CAST(%[1]s * %[2]s AS HUGEINT))%[3]s AS DOUBLE) / %[2]s", expr, scale, over(window))
}

func (duckDB) SplitList(v, sep string) string {
	return fmt.Sprintf("list_distinct(list_filter(list_transform(string_split(%s, %s), x -> trim(x)), x -> x <> ''))", v, sqlquote.String(sep))
}

func (duckDB) ListHasOther(list string, vals []string) string {
	if len(vals) == 0 {
		return fmt.Sprintf("len(%s) > 0", list)
	}
	return fmt.Sprintf("len(list_filter(%s, x -> NOT list_contains([%s], x))) > 0", list, sqlquote.List(vals))
}

// over is the OVER clause of a window ("" for an aggregate).
func over(window string) string {
	if window == "" {
		return ""
	}
	return " OVER (" + window + ")"
}
