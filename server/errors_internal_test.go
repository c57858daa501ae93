package server

import (
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestQuote(t *testing.T) {
	long := strings.Repeat("é", 80) // 160 bytes
	tests := []struct {
		name, in, want string
	}{
		{"short", `a"b`, `"a\"b"`},
		{"exactly the limit", strings.Repeat("x", maxQuote), `"` + strings.Repeat("x", maxQuote) + `"`},
		{"clipped", strings.Repeat("x", maxQuote+1), `"` + strings.Repeat("x", maxQuote) + `"...`},
		{"clipped at a character", long, `"` + strings.Repeat("é", maxQuote/2) + `"...`},
		{"control characters", "a\nb", `"a\nb"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quote(tt.in); got != tt.want {
				t.Errorf("quote(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestPublicMessage: what a 4xx body may show of a message. Paths on the
// server and a database's own text never get through; the client's own
// path and query do, and a message that needs no change is left alone.
func TestPublicMessage(t *testing.T) {
	const note = "a database error (the server log has its message)"
	tests := []struct {
		name, target, msg, want string
	}{
		{"plain", "/api/score", `unknown feature "x"`, ""},
		{"relative words with slashes", "/api/score", `records.events[2].timestamp: not a timestamp "2024/01/02"`, ""},
		{"the request's own path", "/api/no/such/endpoint", "no such endpoint: /api/no/such/endpoint", ""},
		{"the request's own query", "/api/segments/1/export?attributes=%2Fetc%2Fpasswd", `unknown attribute "/etc/passwd"`, ""},
		{"a temporary file", "/api/score", "records: open /tmp/persona-records-123/events.jsonl: no such file or directory",
			"records: open (a path on the server): no such file or directory"},
		{"a quoted path", "/api/score", `read "/srv/data/out/persona.duckdb" failed`, `read "(a path on the server)" failed`},
		{"a path after a colon", "/api/score", "store:/var/lib/persona/x.duckdb", "store:(a path on the server)"},
		{"a Windows path", "/api/score", `open C:\Users\me\out\persona.duckdb: denied`, "open (a path on the server): denied"},
		{"two paths", "/api/score", "rename /a/b to /c/d", "rename (a path on the server) to (a path on the server)"},
		{"a URL is not a path", "/api/score", "webhook http://127.0.0.1:9/hook/x refused", ""},
		{"DuckDB's text", "/api/score", `records: Binder Error: Referenced column "x" not found in FROM clause!`, "records: " + note},
		{"DuckDB's text of two words", "/api/score", `records.events: Invalid Input Error: Malformed JSON in file "/tmp/p/e.jsonl"`, "records.events: " + note},
		{"DuckDB's text alone", "/api/score", "Conversion Error: Could not convert string 'x' to INT32", note},
		{"DuckDB's caret line", "/api/score", "bad mapping\nLINE 1: SELECT x", "bad mapping: " + note},
		{"PostgreSQL's text", "/api/score", `load: ERROR: relation "crm.x" does not exist (SQLSTATE 42P01)`, `load: ERROR: relation "crm.x" does not exist: ` + note},
		{"several lines", "/api/score", "first line\nsecond\tline", "first line second line"},
		{"too long", "/api/score", strings.Repeat("ab ", 300), strings.Repeat("ab ", 133) + "a..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if want == "" {
				want = tt.msg
			}
			got, changed := publicMessage(tt.msg, httptest.NewRequest("GET", tt.target, nil))
			if got != want || changed != (want != tt.msg) {
				t.Errorf("publicMessage(%q) = %q, %v\nwant %q", tt.msg, got, changed, want)
			}
		})
	}
}

// FuzzPublicMessage: whatever the message, what is shown is one valid
// line of at most maxMessage bytes (and the mark of a cut), holds no
// absolute path of two names that the request did not send, and no
// "... Error: " of a database.
func FuzzPublicMessage(f *testing.F) {
	for _, s := range []string{"open /tmp/a/b: x", "Binder Error: y", "C:\\x\\y", "a\nb", "\xff/x/y"} {
		f.Add(s)
	}
	r := httptest.NewRequest("GET", "/api/score", nil)
	f.Fuzz(func(t *testing.T, msg string) {
		got, _ := publicMessage(msg, r)
		if !utf8.ValidString(got) || strings.ContainsAny(got, "\r\n") || len(got) > maxMessage+3 {
			t.Fatalf("publicMessage(%q) = %q: not one valid line of at most %d bytes", msg, got, maxMessage)
		}
		if m := serverPath.FindStringSubmatch(got); m != nil && !strings.Contains(r.URL.Path, m[1]) {
			t.Fatalf("publicMessage(%q) = %q still holds the path %q", msg, got, m[1])
		}
		if loc := driverText.FindStringIndex(got); loc != nil {
			t.Fatalf("publicMessage(%q) = %q still holds database text %q", msg, got, got[loc[0]:loc[1]])
		}
	})
}
