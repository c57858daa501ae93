package server

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/persona-seg/persona/profile"
)

func (s *Server) routes() {
	mux := http.NewServeMux()
	handle := func(pattern string, route int, h http.HandlerFunc) {
		mux.Handle(pattern, s.metrics.wrap(route, h))
	}
	handle("GET /api/segments", routeSegments, s.handleSegments)
	handle("GET /api/segments/{id}", routeSegment, s.handleSegment)
	handle("GET /api/segments/{id}/users", routeMembers, s.handleMembers)
	handle("GET /api/segments/{id}/export", routeExport, s.handleExport)
	handle("GET /api/users/{id}", routeUser, s.handleUser)
	handle("POST /api/score", routeScore, s.auth(s.handleScore))
	handle("GET /healthz", routeHealth, s.handleHealth)
	handle("GET /metrics", routeMetrics, s.handleMetrics)
	handle("GET /{$}", routeDashboard, s.handleOverview)
	handle("GET /segments/{id}", routeDashboard, s.handleSegmentPage)
	handle("GET /users", routeDashboard, s.handleUserSearch)
	handle("GET /users/{id}", routeDashboard, s.handleUserPage)
	handle("GET /assets/vega/{file}", routeDashboard, s.handleVegaAsset)
	handle("GET /assets/", routeDashboard, s.handleAssets)
	handle("GET /report", routeDashboard, s.handleReport)
	for _, p := range []struct{ path, allow string }{
		{"/api/segments", "GET, HEAD"}, {"/api/segments/{id}", "GET, HEAD"}, {"/api/segments/{id}/users", "GET, HEAD"}, {"/api/segments/{id}/export", "GET, HEAD"}, {"/api/users/{id}", "GET, HEAD"}, {"/api/score", "POST"},
	} {
		handle(p.path, routeOther, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", p.allow)
			s.Error(w, r, errorf(http.StatusMethodNotAllowed, "method "+r.Method+" not allowed on "+r.URL.Path+" (use "+p.allow+")"))
		})
	}
	handle("/api/", routeOther, func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, errorf(http.StatusNotFound, "no such endpoint: "+r.URL.Path))
	})
	s.mux = mux
}

// auth requires the bearer token when one is configured.
func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	if s.opts.Token == "" {
		return h
	}
	want := []byte("Bearer " + s.opts.Token)
	return func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			s.Error(w, r, errorf(http.StatusUnauthorized, "a valid bearer token is required"))
			return
		}
		h(w, r)
	}
}

func (s *Server) current(w http.ResponseWriter, r *http.Request) *snapshot {
	sn := s.snap.Load()
	if sn == nil {
		s.Error(w, r, errNoRun)
	}
	return sn
}

// jsonType is the Content-Type of JSON responses, shared so that the hot
// paths set headers without allocating.
var jsonType = []string{"application/json"}

func writeJSON(w http.ResponseWriter, code int, b []byte) {
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(code)
	w.Write(b)
}

func encodeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"internal error","status":500}`, http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, append(b, '\n'))
}

// segmentBrief is a segment in lists.
type segmentBrief struct {
	ID       int     `json:"id"`
	Name     string  `json:"name"`
	Standing string  `json:"standing,omitempty"`
	Size     int     `json:"size"`
	Share    float64 `json:"share"`
	Summary  string  `json:"summary,omitempty"`
}

func brief(seg *profile.Segment) segmentBrief {
	return segmentBrief{seg.ID, seg.Name, seg.Standing, seg.Size, seg.Share, seg.Summary}
}

func (s *Server) handleSegments(w http.ResponseWriter, r *http.Request) {
	sn := s.current(w, r)
	if sn == nil {
		return
	}
	out := struct {
		RunID    string         `json:"run_id"`
		Users    int            `json:"users"`
		Segments []segmentBrief `json:"segments"`
	}{RunID: sn.res.Run.ID, Users: sn.users.len(), Segments: []segmentBrief{}}
	for i := range sn.res.Profiles.Segments {
		out.Segments = append(out.Segments, brief(&sn.res.Profiles.Segments[i]))
	}
	encodeJSON(w, out)
}

func segmentID(r *http.Request) (int, error) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		return 0, errorf(http.StatusBadRequest, "segment id must be an integer, got "+strconv.Quote(r.PathValue("id")))
	}
	return id, nil
}

func (s *Server) handleSegment(w http.ResponseWriter, r *http.Request) {
	sn := s.current(w, r)
	if sn == nil {
		return
	}
	id, err := segmentID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	seg, ok := sn.segments[id]
	if !ok {
		s.Error(w, r, errorf(http.StatusNotFound, "segment "+strconv.Itoa(id)+" not found in run "+sn.res.Run.ID))
		return
	}
	encodeJSON(w, struct {
		RunID string `json:"run_id"`
		*profile.Segment
	}{sn.res.Run.ID, seg})
}

func (s *Server) handleUser(w http.ResponseWriter, r *http.Request) {
	sn := s.current(w, r)
	if sn == nil {
		return
	}
	id := r.PathValue("id")
	i, ok := sn.users.find(id)
	if !ok {
		s.Error(w, r, errorf(http.StatusNotFound, "user "+strconv.Quote(id)+" not found in run "+sn.res.Run.ID))
		return
	}
	writeJSON(w, http.StatusOK, sn.appendUser(make([]byte, 0, 512+32*len(sn.names)), i))
}

// appendUser writes user i as JSON: hand-written, as this is the hottest
// endpoint, with the feature names quoted once per run.
func (sn *snapshot) appendUser(b []byte, i int) []byte {
	res := sn.res
	seg := res.Segments[i]
	b = append(b, `{"run_id":`...)
	b = appendString(b, res.Run.ID)
	b = append(b, `,"user_id":`...)
	b = appendString(b, sn.users.id(i))
	b = append(b, `,"segment":{"id":`...)
	b = strconv.AppendInt(b, int64(seg), 10)
	b = append(b, `,"name":`...)
	if p := sn.segments[seg]; p != nil {
		b = appendString(b, p.Name)
		b = append(b, `,"standing":`...)
		b = appendString(b, p.Standing)
		b = append(b, `,"summary":`...)
		b = appendString(b, p.Summary)
		b = append(b, `,"top_traits":[`...)
		for k, t := range p.Top {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendString(b, t.Text)
		}
		b = append(b, ']')
	} else {
		b = appendString(b, res.Model.Name(seg))
	}
	b = append(b, `},"distance":`...)
	b = appendFloat(b, res.Distance[i])
	b = append(b, `,"features":{`...)
	for j, v := range res.Row(i) {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, sn.names[j]...)
		b = append(b, ':')
		b = appendFloat(b, v)
	}
	b = append(b, `},"recommendations":[`...)
	u := sn.users
	for k, it := range u.recs[u.recOff[i]:u.recOff[i+1]] {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"product":`...)
		b = appendString(b, u.products[it.product])
		b = append(b, `,"score":`...)
		b = appendFloat(b, it.score)
		b = append(b, '}')
	}
	return append(b, "]}\n"...)
}

func appendFloat(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf && c != '<' && c != '>' && c != '&' {
			b = append(b, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\t':
				b = append(b, '\\', 't')
			case '\r':
				b = append(b, '\\', 'r')
			default:
				b = append(b, `\u00`...)
				b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, `\u202`...)
			b = append(b, "0123456789abcdef"[r&0xf])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// scoreRequest is the body of POST /api/score: a user's features by name,
// or users' raw records (see Options.Featurize).
type scoreRequest struct {
	UserID   string             `json:"user_id,omitempty"`
	Features map[string]float64 `json:"features"`
	Records  json.RawMessage    `json:"records"`
}

func (s *Server) handleScore(w http.ResponseWriter, r *http.Request) {
	sn := s.current(w, r)
	if sn == nil {
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		s.Error(w, r, errorf(http.StatusUnsupportedMediaType, "the body must be JSON (Content-Type: application/json)"))
		return
	}
	body := http.MaxBytesReader(w, r.Body, s.opts.MaxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	var req scoreRequest
	if err := dec.Decode(&req); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			s.Error(w, r, err)
			return
		}
		s.Error(w, r, errorf(http.StatusBadRequest, "read body: "+err.Error()))
		return
	}
	if _, err := dec.Token(); err != io.EOF {
		s.Error(w, r, errorf(http.StatusBadRequest, "the body must hold one JSON object"))
		return
	}
	if req.Records != nil && req.Features == nil {
		s.scoreRecords(w, r, sn, req.Records)
		return
	}
	if req.Features == nil || req.Records != nil {
		s.Error(w, r, errorf(http.StatusBadRequest, `the body must have either "features": {"name": value, ...} or "records": {"users": [...], "events": [...], ...}`))
		return
	}
	m := sn.res.Model
	if extra := unknown(req.Features, m.Inputs()); extra != "" {
		s.Error(w, r, errorf(http.StatusBadRequest, "unknown feature "+strconv.Quote(extra)))
		return
	}
	seg, dist, err := m.AssignRow(req.Features)
	if err != nil {
		if status(err) == http.StatusInternalServerError {
			err = errorf(http.StatusBadRequest, err.Error())
		}
		s.Error(w, r, err)
		return
	}
	b := make([]byte, 0, 256)
	b = append(b, `{"run_id":`...)
	b = appendString(b, sn.res.Run.ID)
	if req.UserID != "" {
		b = append(b, `,"user_id":`...)
		b = appendString(b, req.UserID)
	}
	b = append(b, `,"segment":{"id":`...)
	b = strconv.AppendInt(b, int64(seg), 10)
	b = append(b, `,"name":`...)
	b = appendString(b, m.Name(seg))
	b = append(b, `},"distance":`...)
	b = appendFloat(b, dist)
	b = append(b, "}\n"...)
	writeJSON(w, http.StatusOK, b)
}

// unknown returns a feature name of got that the model does not take, the
// smallest one, or "".
func unknown(got map[string]float64, inputs []string) string {
	if len(got) <= len(inputs) {
		n := 0
		for _, in := range inputs {
			if _, ok := got[in]; ok {
				n++
			}
		}
		if n == len(got) {
			return ""
		}
	}
	known := map[string]bool{}
	for _, in := range inputs {
		known[in] = true
	}
	var extra []string
	for k := range got {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	return extra[0]
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	sn := s.snap.Load()
	if sn == nil {
		s.Error(w, r, errNoRun)
		return
	}
	encodeJSON(w, struct {
		Status string `json:"status"`
		RunID  string `json:"run_id"`
		Users  int    `json:"users"`
	}{"ok", sn.res.Run.ID, sn.users.len()})
}

// scoreRecords featurizes raw records and assigns every user in them.
func (s *Server) scoreRecords(w http.ResponseWriter, r *http.Request, sn *snapshot, records json.RawMessage) {
	if s.opts.Featurize == nil {
		s.Error(w, r, errorf(http.StatusNotImplemented, `this server scores "features" only`))
		return
	}
	select {
	case s.jobs <- struct{}{}:
		defer func() { <-s.jobs }()
	case <-r.Context().Done():
		s.Error(w, r, errorf(http.StatusServiceUnavailable, "request cancelled while waiting"))
		return
	}
	m := sn.res.Model
	tab, err := s.opts.Featurize(r.Context(), m, records)
	if err != nil {
		s.Error(w, r, errorf(http.StatusUnprocessableEntity, "records: "+err.Error()))
		return
	}
	segs, dist, err := m.Assign(tab.X)
	if err != nil {
		s.Error(w, r, errorf(http.StatusUnprocessableEntity, "records: "+err.Error()))
		return
	}
	b := make([]byte, 0, 256)
	b = append(b, `{"run_id":`...)
	b = appendString(b, sn.res.Run.ID)
	b = append(b, `,"users":[`...)
	for i, id := range tab.UserIDs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"user_id":`...)
		b = appendString(b, id)
		b = append(b, `,"segment":{"id":`...)
		b = strconv.AppendInt(b, int64(segs[i]), 10)
		b = append(b, `,"name":`...)
		b = appendString(b, m.Name(segs[i]))
		b = append(b, `},"distance":`...)
		b = appendFloat(b, dist[i])
		b = append(b, '}')
	}
	b = append(b, "]}\n"...)
	writeJSON(w, http.StatusOK, b)
}
