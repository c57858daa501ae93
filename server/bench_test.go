package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
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

// discard is a ResponseWriter that keeps the status and drops the body,
// so the lookup benchmarks time the handler alone.
type discard struct {
	h    http.Header
	code int
	n    int
}

func (d *discard) Header() http.Header { return d.h }
func (d *discard) WriteHeader(code int) {
	if d.code == 0 {
		d.code = code
	}
}
func (d *discard) Write(b []byte) (int, error) {
	if d.code == 0 {
		d.code = 200
	}
	d.n += len(b)
	return len(b), nil
}

// BenchmarkUserLookup1M measures GET /api/users/{id} with the bearer token
// through the server's handler, in process (no network, no net/http
// server: 4,096 requests are made once and reused, the response is
// discarded), on a run
// of 1,000,000 users with 60 features each (as loadgen store makes): the
// handler's own cost, routing, auth, metrics and JSON included. Parallel
// runs it on every core (-cpu 1,2), so ns/op gives its ceiling in
// requests per second per core.
func BenchmarkUserLookup1M(b *testing.B) {
	const n = 1_000_000
	names := append([]string{}, featureNames...)
	for j := len(names); j < 60; j++ {
		names = append(names, fmt.Sprintf("feature_%02d", j))
	}
	run := resultsWith(b, "bench", n, 1, names)
	src := newRuns()
	src.add(b, run)
	h := newServer(b, src, server.Options{Token: "bench-token"}).Handler()
	reqs := func(seed int) []*http.Request {
		rs := make([]*http.Request, 4096)
		for k := range rs {
			r, err := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1/api/users/u%07d", ((seed*4096+k)*7919)%n), nil)
			if err != nil {
				b.Fatal(err)
			}
			r.Header.Set("Authorization", "Bearer bench-token")
			rs[k] = r
		}
		return rs
	}
	b.Run("serial", func(b *testing.B) {
		w := &discard{h: http.Header{}}
		rs := reqs(0)
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			w.code, w.n = 0, 0
			clear(w.h)
			h.ServeHTTP(w, rs[i%len(rs)])
			if w.code != 200 {
				b.Fatal(w.code)
			}
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		var seed atomic.Int64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			w := &discard{h: http.Header{}}
			rs := reqs(int(seed.Add(1)))
			i := 0
			for pb.Next() {
				w.code, w.n = 0, 0
				clear(w.h)
				h.ServeHTTP(w, rs[i%len(rs)])
				if w.code != 200 {
					b.Error(w.code)
					return
				}
				i++
			}
		})
	})
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
