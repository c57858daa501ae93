package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/persona-seg/persona/audience"
)

// Member lists: GET /api/segments/{id}/users pages through a segment's
// users, GET /api/segments/{id}/export streams all of them as CSV.

const (
	defaultMemberLimit = 100
	maxMemberLimit     = 10000
)

// members returns the rows of segment id's users, in the run's user order,
// indexed once per snapshot.
func (sn *snapshot) members(id int) []int32 {
	sn.membersOnce.Do(func() {
		sn.memberRows = map[int][]int32{}
		for i, l := range sn.res.Segments {
			sn.memberRows[l] = append(sn.memberRows[l], int32(i))
		}
	})
	return sn.memberRows[id]
}

// member is one user of a member list.
type member struct {
	UserID   string  `json:"user_id"`
	Distance float64 `json:"distance"`
}

// handleMembers serves one page of a segment's users: ?limit= (default
// 100, at most 10,000) after the cursor ?after= (the "next" of the previous
// page). Cursors are positions in the run, so paging through a run that is
// replaced meanwhile fails with 409 rather than skipping users.
func (s *Server) handleMembers(w http.ResponseWriter, r *http.Request) {
	sn := s.current(w, r)
	if sn == nil {
		return
	}
	id, rows, ok := s.segmentRows(w, r, sn)
	if !ok {
		return
	}
	q := r.URL.Query()
	limit := defaultMemberLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxMemberLimit {
			s.Error(w, r, errorf(http.StatusBadRequest, "limit must be an integer from 1 to "+strconv.Itoa(maxMemberLimit)+", got "+quote(v)))
			return
		}
		limit = n
	}
	start := 0
	if v := q.Get("after"); v != "" {
		run, pos, found := strings.Cut(v, ":")
		n, err := strconv.Atoi(pos)
		if !found || err != nil || n < 0 || n > len(rows) {
			s.Error(w, r, errorf(http.StatusBadRequest, "after must be the next cursor of an earlier page, got "+quote(v)))
			return
		}
		if run != sn.res.Run.ID {
			s.Error(w, r, errorf(http.StatusConflict, "the cursor belongs to run "+quote(run)+", but run "+sn.res.Run.ID+" is served now: start again without after"))
			return
		}
		start = n
	}
	end := min(len(rows), start+limit)
	out := struct {
		RunID   string   `json:"run_id"`
		Segment int      `json:"segment"`
		Total   int      `json:"total"`
		Users   []member `json:"users"`
		Next    string   `json:"next,omitempty"`
	}{RunID: sn.res.Run.ID, Segment: id, Total: len(rows), Users: make([]member, 0, end-start)}
	for _, i := range rows[start:end] {
		out.Users = append(out.Users, member{sn.users.id(int(i)), sn.res.Distance[i]})
	}
	if end < len(rows) {
		out.Next = sn.res.Run.ID + ":" + strconv.Itoa(end)
	}
	encodeJSON(w, out)
}

// handleExport streams a segment's users, the columns of persona export
// (package audience): ?format=csv (default) or jsonl, ?attributes=a,b
// (or all) for the run's attributes to add.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	sn := s.current(w, r)
	if sn == nil {
		return
	}
	q := r.URL.Query()
	format := q.Get("format")
	switch format {
	case "", "csv":
		format = "csv"
	case "jsonl":
	default:
		s.Error(w, r, errorf(http.StatusBadRequest, "format must be csv or jsonl, got "+quote(format)))
		return
	}
	id, _, ok := s.segmentRows(w, r, sn)
	if !ok {
		return
	}
	var attrs []string
	if v := q.Get("attributes"); v != "" {
		attrs = strings.Split(v, ",")
	}
	l, err := audience.New(sn.res, id, audience.Options{Attributes: attrs, UserID: sn.users.id})
	if err != nil {
		s.Error(w, r, errorf(http.StatusBadRequest, err.Error()))
		return
	}
	h := w.Header()
	name := "segment-" + strconv.Itoa(id) + "-" + sn.res.Run.ID + "." + format
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if format == "jsonl" {
		h.Set("Content-Type", "application/x-ndjson")
		l.WriteJSONL(w) // an error is the client gone
		return
	}
	h.Set("Content-Type", "text/csv; charset=utf-8")
	l.WriteCSV(w)
}

// segmentRows finds the segment of the request's {id}, writing the error
// response when there is none.
func (s *Server) segmentRows(w http.ResponseWriter, r *http.Request, sn *snapshot) (int, []int32, bool) {
	id, err := segmentID(r)
	if err != nil {
		s.Error(w, r, err)
		return 0, nil, false
	}
	if _, ok := sn.segments[id]; !ok {
		s.Error(w, r, errorf(http.StatusNotFound, "segment "+strconv.Itoa(id)+" not found in run "+sn.res.Run.ID))
		return 0, nil, false
	}
	return id, sn.members(id), true
}
