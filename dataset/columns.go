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
// the case of ASCII letters, if any (DuckDB folds only those: Café and
// cafÉ are two columns to it).
func sameButCase(names []string) (string, string, bool) {
	seen := map[string]string{}
	for _, n := range names {
		k := asciiLower(n)
		if prev, ok := seen[k]; ok && prev != n {
			return prev, n, true
		}
		seen[k] = n
	}
	return "", "", false
}

// asciiLower is s with its ASCII letters in lower case.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// caseError is the error of a file (shown as name) with columns a and b.
func caseError(name, a, b string) error {
	return fmt.Errorf("read %s: columns %q and %q differ only by case, which SQL cannot tell apart: rename one in the file", name, clip(a, 100), clip(b, 100))
}

// checkCSVHeader returns an error when the header of the CSV file path
// (read as sniffed, in encoding) holds two names equal but for case, or a
// name holding a NUL byte (DuckDB's SQL ends at it: the file is binary).
// A UTF-8 header is read in Go as the file writes it; one in another
// encoding is read by DuckDB as its first row.
func checkCSVHeader(ctx context.Context, db *sql.DB, path, name string, sn *sniffed, encoding string) error {
	if !sn.Header {
		return nil
	}
	for _, c := range sn.Columns {
		if strings.IndexByte(c.Name, 0) >= 0 {
			return fmt.Errorf("read %s: column name %q holds a NUL byte: it is no text file in its encoding (set csv.encoding, or check the file)", name, clip(c.Name, 100))
		}
	}
	var header []string
	switch enc := strings.ToLower(strings.ReplaceAll(encoding, "-", "")); {
	case enc == "" || enc == "utf8":
		if len(sn.Delimiter) != 1 {
			return nil
		}
		in, err := openPlain(path)
		if err != nil {
			return nil
		}
		defer in.Close()
		r := csv.NewReader(bufio.NewReaderSize(in, 1<<16))
		r.Comma, r.LazyQuotes, r.FieldsPerRecord = rune(sn.Delimiter[0]), true, -1
		if header, err = r.Read(); err != nil {
			return nil
		}
	default:
		q := fmt.Sprintf("SELECT * FROM read_csv(%s, delim = %s, quote = %s, escape = %s, header = false, all_varchar = true, encoding = %s) LIMIT 1",
			sqlquote.String(path), sqlquote.String(sn.Delimiter), sqlquote.String(sn.Quote), sqlquote.String(sn.Escape), sqlquote.String(encoding))
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			return nil // reading the file says what is wrong with it
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil || !rows.Next() {
			return nil
		}
		vals := make([]sql.NullString, len(cols))
		dest := make([]any, len(cols))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if rows.Scan(dest...) != nil {
			return nil
		}
		for _, v := range vals {
			header = append(header, v.String)
		}
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
