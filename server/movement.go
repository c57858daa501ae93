package server

import (
	"context"
	"strconv"

	"github.com/persona-seg/persona"
)

// movement is how the users of the run before the served one moved
// between segments: Counts[i][j] users went from From[i] to To[j].
type movement struct {
	PrevRun string
	From    []segmentName
	To      []segmentName
	Counts  [][]int
	Both    int // users in both runs
	New     int // users only in the served run
	Gone    int // users only in the previous run
}

type segmentName struct {
	ID   int
	Name string
}

// Label is how the dashboard names a segment: "3 champions".
func (n segmentName) Label() string { return strconv.Itoa(n.ID) + " " + n.Name }

// movement compares the served run with the committed run before it, once
// per snapshot; nil when there is none or it cannot be read (logged).
func (s *Server) movement(ctx context.Context, sn *snapshot) *movement {
	sn.movedOnce.Do(func() {
		m, err := compareRuns(ctx, s.src, sn)
		if err != nil {
			s.opts.Logger.Warn("dashboard: movement between runs", "err", err)
		}
		sn.moved = m
	})
	return sn.moved
}

func compareRuns(ctx context.Context, src persona.RunReader, sn *snapshot) (*movement, error) {
	runs, err := src.List(ctx, persona.RunFilter{})
	if err != nil {
		return nil, err
	}
	prevID := ""
	for i, r := range runs {
		if r.ID == sn.res.Run.ID && i+1 < len(runs) {
			prevID = runs[i+1].ID
		}
	}
	if prevID == "" {
		return nil, nil
	}
	prev, err := src.Load(ctx, prevID)
	if err != nil {
		return nil, err
	}
	m := &movement{PrevRun: prevID}
	from, to := map[int]int{}, map[int]int{}
	for _, seg := range prev.Profiles.Segments {
		from[seg.ID] = len(m.From)
		m.From = append(m.From, segmentName{seg.ID, seg.Name})
	}
	for _, seg := range sn.res.Profiles.Segments {
		to[seg.ID] = len(m.To)
		m.To = append(m.To, segmentName{seg.ID, seg.Name})
	}
	m.Counts = make([][]int, len(m.From))
	for i := range m.Counts {
		m.Counts[i] = make([]int, len(m.To))
	}
	// Both runs hold their users ordered by id: merge them.
	i, j, n := 0, 0, sn.users.len()
	for i < len(prev.UserIDs) && j < n {
		a, b := prev.UserIDs[i], sn.users.id(j)
		switch {
		case a < b:
			m.Gone++
			i++
		case a > b:
			m.New++
			j++
		default:
			fi, ok1 := from[prev.Segments[i]]
			ti, ok2 := to[sn.res.Segments[j]]
			if ok1 && ok2 {
				m.Counts[fi][ti]++
			}
			m.Both++
			i++
			j++
		}
	}
	m.Gone += len(prev.UserIDs) - i
	m.New += n - j
	return m, nil
}
