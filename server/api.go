package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/persona-seg/persona"
	"github.com/persona-seg/persona/profile"
)

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
	h["Content-Length"] = contentLength(len(b))
	w.WriteHeader(code)
	w.Write(b)
}

// lengths holds the Content-Length header values of answers shorter
// than len(lengths) bytes, each made on first use and shared read-only
// by every response of that length, as jsonType is.
var lengths [8 << 10]atomic.Pointer[[]string]

// contentLength returns the Content-Length header value of n bytes.
func contentLength(n int) []string {
	if n < 0 || n >= len(lengths) {
		return []string{strconv.Itoa(n)}
	}
	if v := lengths[n].Load(); v != nil {
		return *v
	}
	v := []string{strconv.Itoa(n)}
	lengths[n].Store(&v)
	return v
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
	// Outcomes are the segment's outcomes (churned, responded, ...): rate
	// or mean, the base's, lift and count.
	Outcomes []profile.OutcomeStat `json:"outcomes,omitempty"`
}

func brief(seg *profile.Segment) segmentBrief {
	return segmentBrief{seg.ID, seg.Name, seg.Standing, seg.Size, seg.Share, seg.Summary, seg.Outcomes}
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
		return 0, errorf(http.StatusBadRequest, "segment id must be an integer, got "+quote(r.PathValue("id")))
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
		s.Error(w, r, errorf(http.StatusNotFound, "user "+quote(id)+" not found in run "+sn.res.Run.ID))
		return
	}
	bp := userBufs.Get().(*[]byte)
	b := sn.appendUser((*bp)[:0], i)
	writeJSON(w, http.StatusOK, b)
	if cap(b) <= 64<<10 {
		*bp = b
		userBufs.Put(bp)
	}
}

// userBufs holds the buffers GET /api/users/{id} writes its answers in:
// the response writer copies them, so they serve the next request.
var userBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// appendUser writes user i as JSON: hand-written, as this is the hottest
// endpoint, with the feature names and each segment's part quoted once
// per run (segJSON).
func (sn *snapshot) appendUser(b []byte, i int) []byte {
	res := sn.res
	seg := res.Segments[i]
	b = append(b, sn.runJSON...)
	b = append(b, `,"user_id":`...)
	b = appendString(b, sn.users.id(i))
	if sj, ok := sn.segJSON[seg]; ok {
		b = append(b, sj...)
	} else {
		b = appendSegment(b, sn, seg)
	}
	b = append(b, `,"distance":`...)
	b = appendFloat(b, res.Distance[i])
	if v := res.Values; v != nil {
		b = append(b, `,"value":`...)
		b = appendValue(b, v, v.Users[i])
	}
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

// appendSegment writes the "segment" member of a user's answer: the
// segment's id and name, and its standing, summary and top traits when it
// has a profile.
func appendSegment(b []byte, sn *snapshot, seg int) []byte {
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
		b = appendString(b, sn.res.Model.Name(seg))
	}
	return append(b, '}')
}

// appendValue writes a user's customer value as JSON, value.csv's
// columns by name (docs/value.md): null for a user without a purchase,
// and for a figure that could not be computed.
func appendValue(b []byte, v *persona.Values, c persona.CustomerValue) []byte {
	if !c.Customer {
		return append(b, "null"...)
	}
	b = append(b, `{"repeat_purchases":`...)
	b = strconv.AppendInt(b, int64(c.RepeatPurchases), 10)
	b = append(b, `,"first_to_last_`...)
	b = append(b, v.TimeUnit...)
	b = append(b, `":`...)
	b = appendFloat(b, c.FirstToLast)
	b = append(b, `,"first_to_end_`...)
	b = append(b, v.TimeUnit...)
	b = append(b, `":`...)
	b = appendFloat(b, c.FirstToEnd)
	for _, f := range []struct {
		name string
		v    float64
	}{{"mean_repeat_value", c.MeanRepeatValue}, {"p_alive", c.PAlive}, {"expected_purchases", c.ExpectedPurchases},
		{"expected_order_value", c.ExpectedOrderValue}, {"clv", c.CLV}} {
		b = append(b, ',', '"')
		b = append(b, f.name...)
		b = append(b, '"', ':')
		b = appendFloat(b, f.v)
	}
	b = append(b, `,"likely_lost":`...)
	b = strconv.AppendBool(b, c.PAlive < v.LostBelow)
	b = append(b, `,"horizon_months":`...)
	b = strconv.AppendInt(b, int64(v.HorizonMonths), 10)
	b = append(b, `,"next_order_date":`...)
	if d, ok := v.NextOrderDate(c); ok {
		b = append(b, '"')
		b = d.AppendFormat(b, "2006-01-02")
		b = append(b, '"')
	} else {
		b = append(b, "null"...)
	}
	return append(b, '}')
}

// appendFloat writes v as strconv's shortest 'g' form, null for NaN and
// infinities. Whole numbers below a million (counts, days), which 'g'
// writes as integers, take a faster path to the same text.
func appendFloat(b []byte, v float64) []byte {
	if v > -1e6 && v < 1e6 {
		if t := int64(v); float64(t) == v && (t != 0 || !math.Signbit(v)) {
			return strconv.AppendInt(b, t, 10)
		}
	}
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
	// AsOf is the reference date the records are described at; empty
	// means the training run's.
	AsOf string `json:"as_of,omitempty"`
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
		s.scoreRecords(w, r, sn, RawRecords{Records: req.Records, AsOf: req.AsOf, UserID: req.UserID})
		return
	}
	if req.AsOf != "" {
		s.Error(w, r, errorf(http.StatusBadRequest, `"as_of" goes with "records": features are already relative to a date`))
		return
	}
	if req.Features == nil || req.Records != nil {
		s.Error(w, r, errorf(http.StatusBadRequest, `the body must have either "features": {"name": value, ...} or "records": {"users": [...], "events": [...], ...}`))
		return
	}
	m := sn.res.Model
	if extra := unknown(req.Features, m.Inputs()); extra != "" {
		s.Error(w, r, errorf(http.StatusBadRequest, "unknown feature "+quote(extra)))
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
	known := false
	if req.UserID != "" && len(req.Features) == len(sn.res.FeatureNames) {
		row := make([]float64, len(sn.res.FeatureNames))
		all := true
		for j, n := range sn.res.FeatureNames {
			row[j], all = req.Features[n]
			if !all {
				break
			}
		}
		if i, ok := sn.known(req.UserID, sn.res.FeatureNames, row); all && ok {
			seg, dist, known = sn.res.Segments[i], sn.res.Distance[i], true
		}
	}
	b := make([]byte, 0, 256)
	b = append(b, `{"run_id":`...)
	b = appendString(b, sn.res.Run.ID)
	if req.UserID != "" {
		b = append(b, `,"user_id":`...)
		b = appendString(b, req.UserID)
	}
	b = appendScore(b, sn, seg, dist, known)
	b = append(b, "}\n"...)
	writeJSON(w, http.StatusOK, b)
}

// appendScore writes the fields of one scored user: its segment, the
// distance, whether that is far (see fences) and whether the run's own
// answer was given (known).
func appendScore(b []byte, sn *snapshot, seg int, dist float64, known bool) []byte {
	b = append(b, `,"segment":{"id":`...)
	b = strconv.AppendInt(b, int64(seg), 10)
	b = append(b, `,"name":`...)
	b = appendString(b, sn.res.Model.Name(seg))
	b = append(b, `},"distance":`...)
	b = appendFloat(b, dist)
	b = append(b, `,"far":`...)
	b = strconv.AppendBool(b, sn.fences().far(seg, dist))
	if known {
		b = append(b, `,"known":true`...)
	}
	return b
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

// handleHealth answers 200 once a run is loaded: with the run's id and
// size to those who may read, with the status alone to others.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	sn := s.snap.Load()
	if sn == nil {
		s.Error(w, r, errNoRun)
		return
	}
	if !s.allowed(r, read) {
		encodeJSON(w, struct {
			Status string `json:"status"`
		}{"ok"})
		return
	}
	encodeJSON(w, struct {
		Status string `json:"status"`
		RunID  string `json:"run_id"`
		Users  int    `json:"users"`
	}{"ok", sn.res.Run.ID, sn.users.len()})
}

// scoreRecords describes raw records and assigns every user in them, with
// their customer value when the model has value models.
func (s *Server) scoreRecords(w http.ResponseWriter, r *http.Request, sn *snapshot, rec RawRecords) {
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
	d, err := s.opts.Featurize(r.Context(), m, rec)
	if err == nil && (d == nil || d.Features == nil) {
		err = errors.New("featurize returned no feature table")
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	tab, vals := d.Features, d.Values
	if vals != nil && len(vals.Users) != len(tab.UserIDs) {
		s.Error(w, r, fmt.Errorf("featurize: %d users' values for %d users", len(vals.Users), len(tab.UserIDs)))
		return
	}
	segs, dist, err := m.Assign(tab.X)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	names := tab.Names()
	b := make([]byte, 0, 256)
	b = append(b, `{"run_id":`...)
	b = appendString(b, sn.res.Run.ID)
	b = append(b, `,"users":[`...)
	for i, id := range tab.UserIDs {
		if i > 0 {
			b = append(b, ',')
		}
		seg, d, known := segs[i], dist[i], false
		if k, ok := sn.known(id, names, tab.X.RawRowView(i)); ok {
			seg, d, known = sn.res.Segments[k], sn.res.Distance[k], true
		}
		b = append(b, `{"user_id":`...)
		b = appendString(b, id)
		b = appendScore(b, sn, seg, d, known)
		if vals != nil {
			b = append(b, `,"value":`...)
			b = appendValue(b, vals, vals.Users[i])
		}
		b = append(b, '}')
	}
	b = append(b, "]}\n"...)
	writeJSON(w, http.StatusOK, b)
}
