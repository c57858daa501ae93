package server

import (
	"fmt"
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

// list returns segment id's member list with persona export's columns
// (package audience, no attributes), built once per snapshot.
func (sn *snapshot) list(id int) (*audience.List, error) {
	sn.listsMu.Lock()
	defer sn.listsMu.Unlock()
	if l, ok := sn.lists[id]; ok {
		return l, nil
	}
	l, err := audience.New(sn.res, id, audience.Options{UserID: sn.users.id})
	if err != nil {
		return nil, err
	}
	if sn.lists == nil {
		sn.lists = map[int]*audience.List{}
	}
	sn.lists[id] = l
	return l, nil
}

// handleMembers serves one page of a segment's users: ?limit= (default
// 100, at most 10,000) after the cursor ?after= (the "next" of the previous
// page). Each user is the object of its line in the segment's JSON lines
// export (persona export's columns: id, segment, distance, the run's value
// and outcome columns, hashed identifiers), and "columns" lists their
// names. Cursors are positions in the run, so paging through a run that is
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
	l, err := sn.list(id)
	if err == nil && l.Len() != len(rows) {
		err = fmt.Errorf("segment %d: %d members listed for %d users (a bug)", id, l.Len(), len(rows))
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	end := min(len(rows), start+limit)
	b := make([]byte, 0, 256+(end-start)*128)
	b = append(b, `{"run_id":`...)
	b = appendString(b, sn.res.Run.ID)
	b = append(b, `,"segment":`...)
	b = strconv.AppendInt(b, int64(id), 10)
	b = append(b, `,"total":`...)
	b = strconv.AppendInt(b, int64(len(rows)), 10)
	b = append(b, `,"columns":[`...)
	for j, c := range l.Columns() {
		if j > 0 {
			b = append(b, ',')
		}
		b = appendString(b, c)
	}
	b = append(b, `],"users":[`...)
	for k := start; k < end; k++ {
		if k > start {
			b = append(b, ',')
		}
		b = l.AppendJSON(b, k)
	}
	b = append(b, ']')
	if end < len(rows) {
		b = append(b, `,"next":`...)
		b = appendString(b, sn.res.Run.ID+":"+strconv.Itoa(end))
	}
	b = append(b, "}\n"...)
	writeJSON(w, http.StatusOK, b)
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
