// Package sqlquote writes names and values into SQL text, as DuckDB and
// Postgres read them: identifiers in double quotes, strings in single
// quotes, each quote inside doubled.
//
//	sqlquote.Ident(`my "col"`)       // "my ""col"""
//	sqlquote.String("it's")          // 'it''s'
//	sqlquote.List([]string{"a", "b"}) // 'a', 'b'
//	sqlquote.Array([]string{"a"})     // ['a']
//	sqlquote.Unident(` "my ""col""" `) // my "col", true
package sqlquote

import "strings"

// Ident quotes s as an SQL identifier.
func Ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// String quotes s as an SQL string literal.
func String(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// List quotes each of vals as a string literal and joins them with ", ",
// for IN (...) and the like.
func List(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = String(v)
	}
	return strings.Join(q, ", ")
}

// Array is List in brackets: a DuckDB list literal.
func Array(vals []string) string { return "[" + List(vals) + "]" }

// Unident reads s as a column name a user wrote in a mapping: trimmed, and
// when it is in double quotes (with something inside), unquoted, each
// doubled quote inside read as one; quoted says which.
func Unident(s string) (name string, quoted bool) {
	s = strings.TrimSpace(s)
	if len(s) > 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`), true
	}
	return s, false
}
