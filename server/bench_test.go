package server_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/persona-seg/persona/server"
)

// BenchmarkUser100k measures GET /api/users/{id} through the handler (no
// network) on a run of 100,000 users.
func BenchmarkUser100k(b *testing.B) {
	run := results(b, "bench", 100_000, 1)
	src := newRuns()
	src.add(b, run)
	h := newServer(b, src, server.Options{}).Handler()
	i := 0
	for b.Loop() {
		req := httptest.NewRequest("GET", fmt.Sprintf("/api/users/u%07d", (i*7919)%100_000), nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
		i++
	}
}

// BenchmarkScore measures POST /api/score through the handler.
func BenchmarkScore(b *testing.B) {
	run := results(b, "bench", 1000, 1)
	src := newRuns()
	src.add(b, run)
	h := newServer(b, src, server.Options{}).Handler()
	body := featuresJSON(run, 3, "", "")
	for b.Loop() {
		req := httptest.NewRequest("POST", "/api/score", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}
