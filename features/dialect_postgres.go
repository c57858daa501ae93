package features

import (
	"fmt"
	"math"
	"strconv"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// postgres is the dialect of PostgreSQL (12 and later; tested on 15).
// Every construct gives the bits DuckDB gives for the same doubles, except
// where the doc of Dialect says otherwise.
type postgres struct{}

const pgDouble = "double precision"

func (postgres) Name() string               { return "postgres" }
func (postgres) Double() string             { return pgDouble }
func (postgres) Text() string               { return "text" }
func (postgres) CountIf(cond string) string { return "count(CASE WHEN " + cond + " THEN 1 END)" }

// Div casts the dividend: Postgres divides integers (counts) as integers
// and numerics as numerics, rounded to a scale of its choosing, where
// DuckDB divides doubles.
func (postgres) Div(a, b string) string { return cast(a, pgDouble) + " / " + b }

// Seconds counts second boundaries as DuckDB's date_diff('second') does:
// the difference of the floors of the two epochs.
func (postgres) Seconds(from, to string) string {
	return fmt.Sprintf("CAST(floor(extract(epoch from %s)) - floor(extract(epoch from %s)) AS bigint)", to, from)
}
func (postgres) DateDays(from, to string) string { return fmt.Sprintf("(%s - %s)", to, from) }
func (postgres) Part(part, ts string) string     { return fmt.Sprintf("extract(%s from %s)", part, ts) }

// SquareSum adds in numeric, which is exact (DuckDB: HUGEINT).
func (postgres) SquareSum(x string) string {
	return fmt.Sprintf("sum(CAST(%[1]s AS numeric) * %[1]s)", x)
}

// Sqrt takes the square root of the double nearest the exact numeric, as
// DuckDB does of its HUGEINT (Postgres's numeric sqrt rounds otherwise).
func (postgres) Sqrt(x string) string { return "sqrt(" + cast(x, pgDouble) + ")" }

// Median is percentile_cont(0.5), which interpolates between the two
// middle values as DuckDB's median does.
func (postgres) Median(x string) string {
	return "percentile_cont(0.5) WITHIN GROUP (ORDER BY " + cast(x, pgDouble) + ")"
}

// Skewness is DuckDB's formula from the power sums (Postgres has no
// skewness aggregate): √(n(n−1))/(n−2) · m3 / m2^1.5. It only decides
// log1p, so its last bits do not matter.
func (postgres) Skewness(x string) string {
	v := cast(x, pgDouble)
	n := cast("count("+x+")", pgDouble)
	s1, s2, s3 := "sum("+v+")", fmt.Sprintf("sum(%[1]s * %[1]s)", v), fmt.Sprintf("sum(%[1]s * %[1]s * %[1]s)", v)
	m2 := fmt.Sprintf("((%s - %s * %s / %s) / %s)", s2, s1, s1, n, n)
	m3 := fmt.Sprintf("((%[1]s - 3 * %[2]s * %[3]s / %[4]s + 2 * %[3]s * %[3]s * %[3]s / (%[4]s * %[4]s)) / %[4]s)", s3, s2, s1, n)
	return fmt.Sprintf("CASE WHEN count(%s) > 2 THEN sqrt(%[2]s * (%[2]s - 1)) / (%[2]s - 2) * %[3]s / nullif(power(%[4]s, 1.5), 0) END", x, n, m3, m2)
}

func (postgres) FSum(x string) string { return "sum(" + cast(x, pgDouble) + ")" }

// IsFinite: Postgres sorts NaN above +Infinity, so both fail the test.
func (postgres) IsFinite(x string) string {
	return fmt.Sprintf("(%[1]s > CAST('-Infinity' AS double precision) AND %[1]s < CAST('Infinity' AS double precision))", x)
}
func (postgres) BoolDouble(x string) string { return cast(cast(x, "integer"), pgDouble) }
func (postgres) Unnest(list string) string  { return "unnest(" + list + ")" }
func (postgres) ListHas(list, x string) string {
	return fmt.Sprintf("%s = ANY(%s)", sqlquote.String(x), list)
}

func (postgres) ListHasOther(list string, vals []string) string {
	if len(vals) == 0 {
		return fmt.Sprintf("cardinality(%s) > 0", list)
	}
	return fmt.Sprintf("NOT (%s <@ %s)", list, textArray(vals))
}

// MinBool: Postgres has no min(boolean); bool_and is the same.
func (postgres) MinBool(x string) string { return "bool_and(" + x + ")" }

func (postgres) TempTable(name, q string) string { return "CREATE TEMP TABLE " + name + " AS " + q }

func (postgres) GroupByAll(cols ...string) string {
	s := "GROUP BY "
	for i, c := range cols {
		if i > 0 {
			s += ", "
		}
		s += c
	}
	return s
}

func (postgres) Position(vals []string, expr string) string {
	return fmt.Sprintf("array_position(%s, %s)", textArray(vals), expr)
}

// textArray is a text[] literal of vals.
func textArray(vals []string) string { return "ARRAY[" + sqlquote.List(vals) + "]::text[]" }

// ExactSum splits each scaled, rounded term r (|r| < 2^102 for the
// catalogue's exactness classes) into trunc(r / 2^51) and the rest, both
// exact as bigint, and adds them as numeric: Postgres has no 128-bit
// integer, and its double to numeric cast keeps only 15 digits. round()
// rounds half to even, as DuckDB's cast to HUGEINT does.
func (postgres) ExactSum(expr string, shift int, window string) string {
	scale := fmt.Sprintf("CAST(%s AS double precision)", strconv.FormatFloat(math.Ldexp(1, shift), 'g', -1, 64))
	const half, halfInt = "CAST(2251799813685248 AS double precision)", "CAST(2251799813685248 AS numeric)"
	r := fmt.Sprintf("round((%s) * %s)", expr, scale)
	hi := fmt.Sprintf("trunc(%s / %s)", r, half)
	term := fmt.Sprintf("(CAST(%[1]s AS bigint) * %[2]s + CAST(%[3]s - %[1]s * %[4]s AS bigint))", hi, halfInt, r, half)
	return fmt.Sprintf("CAST(sum(%s)%s AS double precision) / %s", term, over(window), scale)
}

// SplitList is NULL for NULL (an array subquery would give an empty
// array), as DuckDB's string_split is.
func (postgres) SplitList(v, sep string) string {
	return fmt.Sprintf("CASE WHEN %[1]s IS NOT NULL THEN ARRAY(SELECT DISTINCT trim(x) FROM unnest(string_to_array(%[1]s, %[2]s)) AS x WHERE trim(x) <> '') END", v, sqlquote.String(sep))
}
