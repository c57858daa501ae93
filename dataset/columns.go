package dataset

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/persona-seg/persona/internal/sqlquote"
)

// Column names that differ only by case (Amount, amount) cannot both be
// named in SQL, which folds case, and DuckDB renames the second
// (amount_1) without a word: a mapping of amount would silently read the
// first. Such a source is an error naming both, found in the names as the
// file writes them: a CSV header, the top-level keys of the first JSON
// records, a Parquet schema.

// sameButCase returns the first two names of names that are equal but for
// case, if any.
func sameButCase(names []string) (string, string, bool) {
	seen := map[string]string{}
	for _, n := range names {
		k := strings.ToLower(n)
		if prev, ok := seen[k]; ok && prev != n {
			return prev, n, true
		}
		seen[k] = n
	}
	return "", "", false
}

// caseError is the error of a file (shown as name) with columns a and b.
func caseError(name, a, b string) error {
	return fmt.Errorf("read %s: columns %q and %q differ only by case, which SQL cannot tell apart: rename one in the file", name, clip(a, 100), clip(b, 100))
}

// checkCSVHeader returns a caseError when the header of the CSV file path
// (read as sniffed) holds two names equal but for case.
func checkCSVHeader(path, name string, sn *sniffed) error {
	if !sn.Header || len(sn.Delimiter) != 1 {
		return nil
	}
	in, err := openPlain(path)
	if err != nil {
		return nil
	}
	defer in.Close()
	r := csv.NewReader(bufio.NewReaderSize(in, 1<<16))
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = rune(sn.Delimiter[0]), true, -1
	header, err := r.Read()
	if err != nil {
		return nil
	}
	if a, b, ok := sameButCase(header); ok {
		return caseError(name, a, b)
	}
	return nil
}

// jsonKeyRecords is how many records of a JSON lines file are read for
// their keys.
const jsonKeyRecords = 1000

// checkJSONKeys returns a caseError when a record among the first of the
// JSON lines file path has two keys equal but for case, or two records
// have (DuckDB reads the keys of every record as one set of columns).
func checkJSONKeys(path, name string) error {
	in, err := openPlain(path)
	if err != nil {
		return nil
	}
	defer in.Close()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<16), 1<<30)
	var keys []string
	seen := map[string]bool{}
	for n := 0; n < jsonKeyRecords && sc.Scan(); n++ {
		var rec map[string]json.RawMessage
		if json.Unmarshal(sc.Bytes(), &rec) != nil {
			continue
		}
		for k := range rec {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	if a, b, ok := sameButCase(keys); ok {
		return caseError(name, a, b)
	}
	return nil
}

// checkParquetNames returns a caseError when the top-level columns of the
// Parquet file path hold two names equal but for case.
func checkParquetNames(ctx context.Context, db *sql.DB, path, name string) error {
	rows, err := db.QueryContext(ctx, "SELECT name, coalesce(num_children, 0) FROM parquet_schema("+sqlquote.String(path)+")")
	if err != nil {
		return nil // reading the file says what is wrong with it
	}
	defer rows.Close()
	type elem struct {
		name     string
		children int
	}
	var schema []elem
	for rows.Next() {
		var e elem
		if err := rows.Scan(&e.name, &e.children); err != nil {
			return err
		}
		schema = append(schema, e)
	}
	if err := rows.Err(); err != nil || len(schema) == 0 {
		return err
	}
	// The schema is a tree written depth first: the root, then each
	// top-level column followed by its descendants.
	var top []string
	i := 1
	var skip func()
	skip = func() { // past element i and its descendants
		n := schema[i].children
		i++
		for range n {
			if i < len(schema) {
				skip()
			}
		}
	}
	for range schema[0].children {
		if i >= len(schema) {
			break
		}
		top = append(top, schema[i].name)
		skip()
	}
	if a, b, ok := sameButCase(top); ok {
		return caseError(name, a, b)
	}
	return nil
}
