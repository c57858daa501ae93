package dataset

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzShortError checks that whatever DuckDB's message, shortError makes
// it one line of at most about 300 bytes that quotes no more than
// maxEcho bytes of one value, and keeps valid UTF-8 valid.
func FuzzShortError(f *testing.F) {
	for _, s := range []string{
		"Invalid Input Error: CSV Error on Line: 3\nOriginal Line: U1,\"" + strings.Repeat("y", 500) + "\nPossible fixes:\n* set quote",
		"Conversion Error: Could not convert string '" + strings.Repeat("y", 500) + "' to INT32\n\nLINE 1: SELECT CAST('yyy",
		"Binder Error: Referenced column \"" + strings.Repeat("é", 300) + "\" not found in FROM clause!\nCandidate bindings: \"uid\"",
		"Permission Error: Cannot access file \"/etc/hostname\" - file system operations are disabled by configuration",
		"Invalid Input Error: Error when sniffing file \"x.csv\".\nIt was not possible to automatically detect the CSV Parsing dialect",
		"Parser Error: syntax error at or near \"\\\"\r\nLINE 1: x",
		"Invalid Input Error: value \"a\rb\"",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		got := shortError(errors.New(msg)).Error()
		if strings.ContainsAny(got, "\n\r") {
			t.Fatalf("more than one line: %q", got)
		}
		if len(got) > 3*maxEcho+len("…(1000000000 bytes more)") {
			t.Fatalf("%d bytes: %q", len(got), got)
		}
		if utf8.ValidString(msg) && !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 from valid: %q", got)
		}
		for _, q := range longQuotedRE.FindAllString(got, -1) {
			if !strings.Contains(q, "…(") {
				t.Fatalf("a value of %d bytes quoted in full: %q", len(q)-2, got)
			}
		}
	})
}
