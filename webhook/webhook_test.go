package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/profile"
	"github.com/persona-seg/persona/webhook"
)

func run(id string, ids []string, segs []int, names map[int]string) *persona.Results {
	r := &persona.Results{Run: persona.Run{ID: id, CreatedAt: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), Algorithm: "kmeans"},
		UserIDs: ids, Segments: segs, Profiles: &profile.Report{}}
	for _, id := range []int{0, 1, 2, -1} {
		if n, ok := names[id]; ok {
			r.Profiles.Segments = append(r.Profiles.Segments, profile.Segment{ID: id, Name: n})
		}
	}
	return r
}

func intp(n int) *int { return &n }

func TestSummarize(t *testing.T) {
	names := map[int]string{0: "zero", 1: "one", 2: "two"}
	prev := run("r1", []string{"a", "b", "c", "d", "e"}, []int{0, 0, 1, 1, 2}, names)
	cur := run("r2", []string{"b", "c", "d", "e", "f", "g"}, []int{1, 1, 0, 1, 2, 2}, names)
	want := &webhook.Summary{Event: "run.committed", RunID: "r2", CreatedAt: cur.Run.CreatedAt, Algorithm: "kmeans", Users: 6,
		Segments: []webhook.Segment{
			{ID: 0, Name: "zero", Users: 1, Share: 1.0 / 6, PreviousUsers: intp(2)},
			{ID: 1, Name: "one", Users: 3, Share: 3.0 / 6, PreviousUsers: intp(2)},
			{ID: 2, Name: "two", Users: 2, Share: 2.0 / 6, PreviousUsers: intp(1)},
		},
		Previous: &webhook.Previous{RunID: "r1", Users: 5, Stayed: 1, Moved: 3, New: 2, Gone: 1,
			Moves: []webhook.Move{{From: 0, To: 1, Users: 1}, {From: 1, To: 0, Users: 1}, {From: 2, To: 1, Users: 1}}},
	}
	if diff := cmp.Diff(want, webhook.Summarize(cur, prev)); diff != "" {
		t.Errorf("Summarize, sorted ids (-want +got):\n%s", diff)
	}
	// Unsorted ids pair up the same way.
	shuffled := run("r2", []string{"g", "e", "b", "f", "d", "c"}, []int{2, 1, 1, 2, 0, 1}, names)
	if diff := cmp.Diff(want, webhook.Summarize(shuffled, prev)); diff != "" {
		t.Errorf("Summarize, unsorted ids (-want +got):\n%s", diff)
	}
	first := webhook.Summarize(prev, nil)
	if first.Previous != nil || first.Segments[0].PreviousUsers != nil || first.Segments[0].Users != 2 {
		t.Errorf("the first run's summary: %+v", first)
	}
}

// receiver is a local webhook receiver answering with codes in turn.
type receiver struct {
	mu     sync.Mutex
	codes  []int
	bodies [][]byte
	header []http.Header
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.bodies = append(rc.bodies, b)
	rc.header = append(rc.header, r.Header.Clone())
	code := http.StatusNoContent
	if n := len(rc.bodies); n <= len(rc.codes) {
		code = rc.codes[n-1]
	}
	w.WriteHeader(code)
	io.WriteString(w, "nope")
}

func TestPost(t *testing.T) {
	s := webhook.Summarize(run("r1", []string{"a"}, []int{0}, map[int]string{0: "zero"}), nil)
	now := func() time.Time { return time.Date(2026, 12, 6, 1, 2, 3, 0, time.UTC) }
	tests := []struct {
		name     string
		codes    []int
		retries  int
		attempts int
		err      string
	}{
		{"delivered", nil, 3, 1, ""},
		{"retried after 503 and 429", []int{503, 429}, 3, 3, ""},
		{"gives up", []int{500, 500, 500}, 2, 3, "the receiver answered 500: nope (after 3 attempts)"},
		{"no retry on 400", []int{400}, 3, 1, "the receiver answered 400: nope"},
		{"one try", []int{502}, -1, 1, "the receiver answered 502"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := &receiver{codes: tt.codes}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			err := webhook.Post(context.Background(), srv.URL+"/hook", s, webhook.Options{Secret: "s3cret", Retries: tt.retries, Backoff: time.Millisecond, Now: now})
			if (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Post = %v, want %q", err, tt.err)
			}
			if len(rc.bodies) != tt.attempts {
				t.Fatalf("%d attempts, want %d", len(rc.bodies), tt.attempts)
			}
			for i, b := range rc.bodies {
				h := rc.header[i]
				if !webhook.Verify("s3cret", b, h.Get("X-Persona-Signature")) || webhook.Verify("other", b, h.Get("X-Persona-Signature")) {
					t.Errorf("attempt %d: signature %q does not verify with the secret alone", i, h.Get("X-Persona-Signature"))
				}
				if h.Get("X-Persona-Event") != "run.committed" || h.Get("X-Persona-Delivery") != "r1" || h.Get("Content-Type") != "application/json" {
					t.Errorf("attempt %d: headers %v", i, h)
				}
				var got webhook.Summary
				if err := json.Unmarshal(b, &got); err != nil || got.RunID != "r1" || !got.SentAt.Equal(now()) {
					t.Errorf("attempt %d: body %s (%v)", i, b, err)
				}
			}
		})
	}
	// A tampered body fails the check.
	body := []byte(`{"run_id":"r1"}`)
	if webhook.Verify("k", append(body, ' '), webhook.Sign("k", body)) {
		t.Errorf("Verify accepted a changed body")
	}
	// The scheme, by hand: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
	if got := webhook.Sign("key", []byte("The quick brown fox jumps over the lazy dog")); got != "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8" {
		t.Errorf("Sign = %s", got)
	}
	// Unsigned without a secret; a bad URL or a closed port is an error.
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	if err := webhook.Post(context.Background(), srv.URL, s, webhook.Options{}); err != nil || rc.header[0].Get("X-Persona-Signature") != "" {
		t.Errorf("unsigned: %v, signature %q", err, rc.header[0].Get("X-Persona-Signature"))
	}
	srv.Close()
	if err := webhook.Post(context.Background(), srv.URL, s, webhook.Options{Retries: 1, Backoff: time.Millisecond}); err == nil {
		t.Errorf("Post to a closed port succeeded")
	}
	if err := webhook.Post(context.Background(), "ftp://x", s, webhook.Options{}); err == nil || !strings.Contains(err.Error(), "not an http") {
		t.Errorf("Post to ftp:// = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := webhook.Post(ctx, "http://127.0.0.1:1/", s, webhook.Options{Backoff: time.Hour}); !errors.Is(err, context.Canceled) {
		t.Errorf("Post with a cancelled context = %v, want context.Canceled", err)
	}
}
