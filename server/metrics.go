package server

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Routes, as labelled in the metrics.
const (
	routeSegments = iota
	routeSegment
	routeUser
	routeScore
	routeHealth
	routeMetrics
	routeMembers
	routeExport
	routeDashboard
	routeOther
	nRoutes
)

var routeNames = [nRoutes]string{"/api/segments", "/api/segments/{id}", "/api/users/{id}", "/api/score", "/healthz", "/metrics", "/api/segments/{id}/users", "/api/segments/{id}/export", "dashboard", "other"}

// buckets are the upper bounds of the latency histogram, in seconds.
var buckets = [...]float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// metrics counts requests per route and status class, and their latency.
// Every field is updated atomically.
type metrics struct {
	start    time.Time
	reloads  atomic.Int64
	requests [nRoutes][6]atomic.Int64 // by status class 0..5 (1xx..5xx in 1..5)
	hist     [nRoutes][len(buckets) + 1]atomic.Int64
	sumNanos [nRoutes]atomic.Int64
	inflight atomic.Int64
}

func newMetrics() *metrics { return &metrics{start: time.Now()} }

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// statusWriters are reused across requests: a ResponseWriter is only
// valid until its handler returns, so a statusWriter is free again then.
var statusWriters = sync.Pool{New: func() any { return new(statusWriter) }}

func (m *metrics) wrap(route int, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.inflight.Add(1)
		t := time.Now()
		sw := statusWriters.Get().(*statusWriter)
		sw.ResponseWriter, sw.code = w, 0
		h.ServeHTTP(sw, r)
		d := time.Since(t)
		m.inflight.Add(-1)
		code := sw.code
		sw.ResponseWriter = nil
		statusWriters.Put(sw)
		if code == 0 {
			code = http.StatusOK
		}
		m.requests[route][min(max(code/100, 0), 5)].Add(1)
		sec := d.Seconds()
		b := len(buckets)
		for i, ub := range buckets {
			if sec <= ub {
				b = i
				break
			}
		}
		m.hist[route][b].Add(1)
		m.sumNanos[route].Add(int64(d))
	})
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	m := s.metrics
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	fmt.Fprintln(bw, "# HELP persona_http_requests_total HTTP requests served, by route and status class.")
	fmt.Fprintln(bw, "# TYPE persona_http_requests_total counter")
	for rt := range nRoutes {
		for c := 1; c <= 5; c++ {
			if n := m.requests[rt][c].Load(); n > 0 {
				fmt.Fprintf(bw, "persona_http_requests_total{route=%q,code=\"%dxx\"} %d\n", routeNames[rt], c, n)
			}
		}
	}
	fmt.Fprintln(bw, "# HELP persona_http_request_duration_seconds Time to serve a request, by route.")
	fmt.Fprintln(bw, "# TYPE persona_http_request_duration_seconds histogram")
	for rt := range nRoutes {
		var cum int64
		for i := range len(buckets) + 1 {
			cum += m.hist[rt][i].Load()
			le := "+Inf"
			if i < len(buckets) {
				le = strconv.FormatFloat(buckets[i], 'g', -1, 64)
			}
			fmt.Fprintf(bw, "persona_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", routeNames[rt], le, cum)
		}
		fmt.Fprintf(bw, "persona_http_request_duration_seconds_sum{route=%q} %g\n", routeNames[rt], float64(m.sumNanos[rt].Load())/1e9)
		fmt.Fprintf(bw, "persona_http_request_duration_seconds_count{route=%q} %d\n", routeNames[rt], cum)
	}
	fmt.Fprintln(bw, "# HELP persona_http_requests_in_flight Requests being served.")
	fmt.Fprintln(bw, "# TYPE persona_http_requests_in_flight gauge")
	fmt.Fprintf(bw, "persona_http_requests_in_flight %d\n", m.inflight.Load())
	fmt.Fprintln(bw, "# HELP persona_run_reloads_total Runs loaded from the store.")
	fmt.Fprintln(bw, "# TYPE persona_run_reloads_total counter")
	fmt.Fprintf(bw, "persona_run_reloads_total %d\n", m.reloads.Load())
	if sn := s.snap.Load(); sn != nil {
		fmt.Fprintln(bw, "# HELP persona_run_info The run being served.")
		fmt.Fprintln(bw, "# TYPE persona_run_info gauge")
		fmt.Fprintf(bw, "persona_run_info{run_id=%q,algorithm=%q} 1\n", sn.res.Run.ID, sn.res.Model.Algorithm)
		fmt.Fprintln(bw, "# HELP persona_run_users Users in the run being served.")
		fmt.Fprintln(bw, "# TYPE persona_run_users gauge")
		fmt.Fprintf(bw, "persona_run_users %d\n", sn.users.len())
		fmt.Fprintln(bw, "# HELP persona_segment_users Users per segment in the run being served.")
		fmt.Fprintln(bw, "# TYPE persona_segment_users gauge")
		for i := range sn.res.Profiles.Segments {
			seg := &sn.res.Profiles.Segments[i]
			fmt.Fprintf(bw, "persona_segment_users{segment=\"%d\"} %d\n", seg.ID, sn.sizes[seg.ID])
		}
	}
	fmt.Fprintln(bw, "# HELP persona_uptime_seconds Seconds since the server started.")
	fmt.Fprintln(bw, "# TYPE persona_uptime_seconds gauge")
	fmt.Fprintf(bw, "persona_uptime_seconds %g\n", time.Since(m.start).Seconds())
}
