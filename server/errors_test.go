package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/model"
	"github.com/persona-seg/persona/server"
)

// lockedBuffer is a log destination safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestErrorsHideServerText: a 4xx whose error carries a path on the server
// or a database's own message (a bug of the code that made it: Featurize
// here) is answered without them, and the server logs the whole error;
// a long value of the request is quoted clipped, on one line.
func TestErrorsHideServerText(t *testing.T) {
	src := newRuns()
	src.add(t, results(t, "run-1", 60, 1))
	leaks := map[string]error{
		"path":   &persona.InputError{Msg: "records: open /srv/secret/persona-records-1/events.jsonl: permission denied"},
		"duckdb": &persona.InputError{Msg: "records.events: Binder Error: Referenced column \"secret_col\" not found\nLINE 1: SELECT secret_col"},
		"both":   &persona.InputError{Msg: `records: read "/srv/secret/x.jsonl": Invalid Input Error: Malformed JSON in file "/srv/secret/x.jsonl"`},
	}
	featurize := func(ctx context.Context, m *model.Model, raw server.RawRecords) (*server.Described, error) {
		var rec struct {
			Users []struct {
				UserID string `json:"user_id"`
			} `json:"users"`
		}
		if err := json.Unmarshal(raw.Records, &rec); err != nil || len(rec.Users) != 1 || leaks[rec.Users[0].UserID] == nil {
			return nil, errors.New("unexpected records")
		}
		return nil, leaks[rec.Users[0].UserID]
	}
	var log lockedBuffer
	h := newServer(t, src, server.Options{Featurize: featurize, Logger: slog.New(slog.NewTextHandler(&log, nil))}).Handler()
	for name, leak := range leaks {
		t.Run(name, func(t *testing.T) {
			code, body, _ := do(t, h, "POST", "/api/score", `{"records": {"users": [{"user_id": "`+name+`"}]}}`)
			if code != 422 {
				t.Fatalf("score = %d %s, want 422", code, body)
			}
			for _, s := range []string{"/srv", "secret", " Error: ", "LINE 1", `\n`} {
				if strings.Contains(body, s) {
					t.Errorf("the 422 body %s shows %q", body, s)
				}
			}
			if !strings.HasPrefix(body, `{"error":"records`) {
				t.Errorf("the 422 body %s lost what the error was about", body)
			}
			if want := strings.Fields(leak.Error())[1]; !strings.Contains(log.String(), "error message redacted") || !strings.Contains(log.String(), want) {
				t.Errorf("the log does not hold the whole error (%q):\n%s", want, log.String())
			}
		})
	}
	long := strings.Repeat("x", 5000)
	code, body, _ := do(t, h, "GET", "/api/users/"+long+"%0Ay", "", "Content-Type", "")
	if code != 404 || len(body) > 300 || !strings.Contains(body, `"...`) {
		t.Errorf("a 5,000-byte user id = %d, %d bytes %.200s: want 404, its id quoted clipped", code, len(body), body)
	}
}
