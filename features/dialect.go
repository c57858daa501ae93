package features

import (
	"context"
	"database/sql"
	"fmt"
)

// Dialect writes the SQL constructs of the feature catalogue that differ
// between engines. The catalogue (sql.go, attributes.go, custom.go,
// spec.go) is written once against this interface; each engine is one
// file (dialect_duckdb.go, dialect_postgres.go), so another engine is one
// more file. Options.Dialect chooses it; nil means DuckDB.
//
// What an engine needs, and how the two here give it:
//
//   - Sessionisation by window functions: lag() and a running sum()
//     OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING)
//     number a user's sessions when events lack a session id. Both have
//     them; so do ClickHouse (lagInFrame, or arrays: arraySplit over
//     groupArray), BigQuery, Snowflake and Spark SQL.
//   - Exact sums (ExactSum): every sum of money, ratios and shares is the
//     exact sum of its terms rounded to 2^-shift, so that it does not
//     depend on the order the engine adds the rows in (threads, parallel
//     workers, shards). DuckDB adds the scaled terms as HUGEINT; Postgres
//     has no 128-bit integer and converts double to numeric with only 15
//     digits, so each scaled term is split into two bigints (exact) and
//     added as numeric. ClickHouse would use Int128 or Decimal256,
//     BigQuery BIGNUMERIC, Snowflake NUMBER(38,0) (38 digits: shift 96
//     needs about 40, so shares there would use shift 64), Spark
//     DECIMAL(38,0) likewise.
//   - Division: the catalogue means floating-point division. DuckDB's /
//     is; Postgres divides integers as integers, so Div casts to double
//     precision (BigQuery and Snowflake divide as floats or decimals,
//     ClickHouse's / is floating).
//   - FILTER: count(*) FILTER (WHERE ...) and count(DISTINCT x) FILTER
//     are standard and run on both; CountIf is count_if in DuckDB and a
//     count of a CASE in Postgres (which allows no second FILTER after
//     count(*) FILTER). ClickHouse has countIf and the -If combinator;
//     BigQuery has COUNTIF but no FILTER (aggregate(CASE WHEN ...)),
//     Snowflake COUNT_IF and IFF.
//   - Time: timestamps are wall-clock times without a zone, already in
//     the source's zone (dataset converts them); Seconds counts the
//     second boundaries between two of them as DuckDB's date_diff does
//     (floor of each epoch), Part reads year, hour and ISO weekday. An
//     engine whose timestamps carry a zone (BigQuery TIMESTAMP,
//     ClickHouse DateTime with a zone) must read them as DATETIME in the
//     source's zone, or the hour-of-day shares shift.
//   - Percentiles: Median is DuckDB's median and Postgres's
//     percentile_cont(0.5), both interpolating between the middle two
//     values. ClickHouse's median is approximate by default
//     (quantileExact or quantileExactInclusive is needed), BigQuery has
//     PERCENTILE_CONT only as a window function, Snowflake MEDIAN.
//   - Lists: a list attribute is a DuckDB list or a Postgres text[]
//     (SplitList, ListHas, ListHasOther); ClickHouse Array(String),
//     BigQuery ARRAY<STRING>, Snowflake ARRAY with ARRAY_CONTAINS.
//   - Types: Double and Text name the types casts produce.
type Dialect interface {
	// Name is the engine's name as the summaries print it: duckdb,
	// postgres.
	Name() string
	// Double and Text are the type names of IEEE doubles and text.
	Double() string
	Text() string
	// CountIf counts the rows of a group for which cond holds, as an
	// aggregate that a FILTER clause may follow.
	CountIf(cond string) string
	// Div is a / b in floating point.
	Div(a, b string) string
	// Seconds is the number of whole-second boundaries from timestamp
	// (or date) from to to, as an integer: negative when to is earlier.
	Seconds(from, to string) string
	// DateDays is the number of days from date from to date to.
	DateDays(from, to string) string
	// Part is "year", "hour" or "isodow" (Monday 1) of a timestamp.
	Part(part, ts string) string
	// ExactSum is the sum of round(expr × 2^shift) / 2^shift over the
	// group (or over window when not ""), computed exactly and then
	// rounded to a double; NULL when every term is.
	ExactSum(expr string, shift int, window string) string
	// SquareSum is the exact sum of the squares of an integer
	// expression, as a value that Double casts and multiplies exactly.
	SquareSum(expr string) string
	// Sqrt is the square root of an exact integer, as a double.
	Sqrt(x string) string
	// Position is the 1-based position of expr among vals (NULL when it
	// is none of them).
	Position(vals []string, expr string) string
	// Median is the interpolated median of expr over the group.
	Median(expr string) string
	// Skewness is the sample skewness of expr over the group, with
	// DuckDB's small-sample correction (NULL with fewer than 3 values).
	Skewness(expr string) string
	// FSum sums a double for ranking (its last bits may depend on order).
	FSum(expr string) string
	// IsFinite is true for a double that is neither NaN nor infinite.
	IsFinite(x string) string
	// BoolDouble is 1 for true, 0 for false, as a double.
	BoolDouble(x string) string
	// SplitList splits text v at sep into its distinct trimmed, non-empty
	// values (NULL for NULL).
	SplitList(v, sep string) string
	// Unnest turns a list into rows (in a select list).
	Unnest(list string) string
	// ListHas says whether list holds the text literal x; ListHasOther
	// whether it holds a value outside vals (any value when vals is
	// empty).
	ListHas(list, x string) string
	ListHasOther(list string, vals []string) string
	// GroupByAll groups by the select list's columns that are not
	// aggregates, which are cols.
	GroupByAll(cols ...string) string
	// TempTable creates (or replaces) a temporary table from a query.
	TempTable(name, query string) string
	// MinBool is the least of a boolean over the group (false first).
	MinBool(x string) string
}

// DuckDB is the dialect of the embedded database, the default.
var DuckDB Dialect = duckDB{}

// Postgres is the dialect of PostgreSQL 12 and later.
var Postgres Dialect = postgres{}

// dialectOf returns the dialect of opts (DuckDB when unset).
func dialectOf(d Dialect) Dialect {
	if d == nil {
		return DuckDB
	}
	return d
}

// Querier runs the inspection queries of Build: *sql.DB, *sql.Conn and
// *sql.Tx are Queriers, and so is a wrapper that defines the canonical
// tables of a database that does not hold them (dataset.Pushdown).
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// cast writes CAST(x AS typ).
func cast(x, typ string) string { return fmt.Sprintf("CAST(%s AS %s)", x, typ) }
