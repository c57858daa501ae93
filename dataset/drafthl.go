package dataset

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// Unix times persona init reads as timestamps in a column of integers:
// seconds or milliseconds from 2000 to 2100.
const (
	epochFrom = 946684800  // 2000-01-01
	epochTo   = 4102444800 // 2100-01-01
)

// headerless names the columns of a CSV file of dataset k that has no
// header line (DuckDB calls them column0, column1, ...) from their values
// (the first sniffRows rows of rel, read as text), in this order:
//
//   - timestamp: the first column DuckDB typed as a timestamp or date, else
//     the first column of integers that are all Unix times from 2000 to
//     2100, in seconds (timestamp_format: epoch) or milliseconds
//     (epoch_ms);
//   - event_type (events): the column of event names (eventTypeByValues);
//   - user_id: the first other column whose values repeat and are no
//     decimal numbers;
//   - category (events): of the other columns of integers, when there are
//     two or more, the one with the fewest distinct values if they repeat
//     (user, item, category, behaviour, time in Taobao's log).
//
// It returns the names (the others keep DuckDB's), the timestamp format
// and a note of what it guessed; nil names when it guessed nothing.
func headerless(ctx context.Context, db *sql.DB, k Kind, rel string, cols []sniffedColumn) ([]string, string, string, error) {
	if tsField(k) == "" {
		return nil, "", "", nil
	}
	values, err := sample(ctx, db, rel, cols)
	if err != nil {
		return nil, "", "", err
	}
	names := make([]string, len(cols))
	named := func(i int) bool { return names[i] != "" }
	var why []string
	distinct := func(i int) int {
		seen := map[string]bool{}
		for _, v := range values[i] {
			seen[v] = true
		}
		return len(seen)
	}
	tsFormat := ""
	for i, c := range cols {
		if strings.HasPrefix(c.Type, "TIMESTAMP") || c.Type == "DATE" {
			names[i] = "timestamp"
			why = append(why, fmt.Sprintf("%s holds dates: timestamp", c.Name))
			break
		}
	}
	if !slices.Contains(names, "timestamp") {
		for i, c := range cols {
			if !isInteger(c.Type) {
				continue
			}
			if f := epochUnit(values[i]); f != "" {
				names[i], tsFormat = "timestamp", f
				why = append(why, fmt.Sprintf("%s holds Unix times: timestamp (%s)", c.Name, f))
				break
			}
		}
	}
	if k == Events {
		var text []sniffedColumn
		for i, c := range cols {
			if !named(i) {
				text = append(text, c)
			}
		}
		c, err := eventTypeByValues(ctx, db, rel, text)
		if err != nil {
			return nil, "", "", err
		}
		if i := slices.IndexFunc(cols, func(x sniffedColumn) bool { return x.Name == c }); c != "" && i >= 0 {
			names[i] = "event_type"
			why = append(why, fmt.Sprintf("%s holds event names: event_type", c))
		}
	}
	for i, c := range cols {
		if named(i) || c.Type == "DOUBLE" || c.Type == "FLOAT" || strings.HasPrefix(c.Type, "DECIMAL") || c.Type == "BOOLEAN" {
			continue
		}
		if n := distinct(i); n > 1 && n < len(values[i]) {
			names[i] = "user_id"
			why = append(why, fmt.Sprintf("%s, the first column of repeating ids: user_id", c.Name))
			break
		}
	}
	if k == Events {
		var ints []int
		for i, c := range cols {
			if !named(i) && isInteger(c.Type) {
				ints = append(ints, i)
			}
		}
		if len(ints) >= 2 {
			best := slices.MinFunc(ints, func(a, b int) int { return distinct(a) - distinct(b) })
			if distinct(best) < len(values[best]) {
				names[best] = "category"
				why = append(why, fmt.Sprintf("%s, the column of fewest distinct codes: category", cols[best].Name))
			}
		}
	}
	if len(why) == 0 {
		return nil, "", "", nil
	}
	for i, c := range cols {
		if !named(i) {
			names[i] = c.Name
		}
	}
	return names, tsFormat, strings.Join(why, "; "), nil
}

// epochUnit is "epoch" when every value is an integer of Unix seconds
// from 2000 to 2100, "epoch_ms" for milliseconds, else "".
func epochUnit(values []string) string {
	unit := ""
	for _, v := range values {
		if v == "" {
			continue
		}
		x, ok := parseNumber(v)
		if !ok {
			return ""
		}
		u := ""
		switch {
		case x >= epochFrom && x < epochTo:
			u = "epoch"
		case x >= epochFrom*1000 && x < epochTo*1000:
			u = "epoch_ms"
		default:
			return ""
		}
		if unit != "" && u != unit {
			return ""
		}
		unit = u
	}
	return unit
}

// csvNames is the read_csv option naming the columns of a file without a
// header line.
func csvNames(names []string) string {
	return ", names = " + sqlquote.Array(names)
}
