package dataset

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// timestampFormats are the strptime formats tried on text timestamps that
// are not ISO 8601, to suggest a timestamp_format: day first before month
// first, longer before shorter.
var timestampFormats = []string{
	"%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y",
	"%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y",
	"%d/%m/%y %H:%M:%S", "%d/%m/%y %H:%M", "%d/%m/%y",
	"%m/%d/%y %H:%M:%S", "%m/%d/%y %H:%M", "%m/%d/%y",
	"%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y",
	"%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y",
	"%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
	"%Y%m%d%H%M%S", "%Y%m%d",
	"%d %b %Y %H:%M:%S", "%d %b %Y %H:%M", "%d %b %Y",
}

// formatsReading returns the timestampFormats that read at least share of
// the non-empty values of column col among the first 2,000 rows of the
// relation rel (none when no value is non-empty).
func formatsReading(ctx context.Context, db *sql.DB, rel, col string, share float64) ([]string, error) {
	v := fmt.Sprintf("trim(CAST(%s AS VARCHAR))", sqlquote.Ident(col))
	cols := []string{fmt.Sprintf("count(nullif(%s, ''))", v)}
	for _, f := range timestampFormats {
		cols = append(cols, fmt.Sprintf("count_if(TRY_STRPTIME(%s, %s) IS NOT NULL)", v, sqlquote.String(f)))
	}
	counts := make([]int64, len(cols))
	dest := make([]any, len(cols))
	for i := range counts {
		dest[i] = &counts[i]
	}
	q := fmt.Sprintf("SELECT %s FROM (SELECT %s FROM %s LIMIT 2000)", strings.Join(cols, ", "), sqlquote.Ident(col), rel)
	if err := db.QueryRowContext(ctx, q).Scan(dest...); err != nil {
		return nil, err
	}
	var out []string
	for i, f := range timestampFormats {
		if n := counts[i+1]; counts[0] > 0 && n > 0 && float64(n) >= share*float64(counts[0]) {
			out = append(out, f)
		}
	}
	return out, nil
}

// formatHint says which timestamp_format would read the timestamp text
// value, or "" when none of timestampFormats does.
func formatHint(ctx context.Context, db *sql.DB, value string) string {
	fs, err := formatsReading(ctx, db, "(SELECT "+sqlquote.String(value)+" AS v)", "v", 1)
	if err != nil || len(fs) == 0 {
		return ""
	}
	q := make([]string, len(fs))
	for i, f := range fs {
		q[i] = fmt.Sprintf("%q", f)
	}
	return fmt.Sprintf("timestamp_format %s reads it", strings.Join(q, " or "))
}
