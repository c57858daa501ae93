package profile

import (
	"fmt"
	"math"
	"sort"
)

// hungarian solves the assignment problem: it returns, for every row of
// cost, the column assigned to it so that no column is used twice and the
// total cost is least. With more rows than columns the rows left over get
// −1. cost must be rectangular with finite entries.
//
// It is the O(n²m) shortest augmenting path form of the Hungarian
// (Kuhn–Munkres) algorithm with row and column potentials: each row in
// turn is added by a Dijkstra-like search over reduced costs.
func hungarian(cost [][]float64) []int {
	n := len(cost)
	if n == 0 {
		return nil
	}
	m := len(cost[0])
	for _, row := range cost {
		if len(row) != m {
			panic("profile: ragged cost matrix")
		}
	}
	if m == 0 {
		out := make([]int, n)
		for i := range out {
			out[i] = -1
		}
		return out
	}
	if n > m {
		t := make([][]float64, m)
		for j := range t {
			t[j] = make([]float64, n)
			for i := range n {
				t[j][i] = cost[i][j]
			}
		}
		cols := hungarian(t)
		out := make([]int, n)
		for i := range out {
			out[i] = -1
		}
		for j, i := range cols {
			out[i] = j
		}
		return out
	}
	// 1-based potentials u (rows) and v (columns); p[j] is the row matched
	// to column j (0: none); column 0 is the virtual start.
	u := make([]float64, n+1)
	v := make([]float64, m+1)
	p := make([]int, m+1)
	way := make([]int, m+1)
	minv := make([]float64, m+1)
	used := make([]bool, m+1)
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		for j := range minv {
			minv[j] = math.Inf(1)
			used[j] = false
		}
		for {
			used[j0] = true
			i0 := p[j0]
			delta := math.Inf(1)
			j1 := 0
			for j := 1; j <= m; j++ {
				if used[j] {
					continue
				}
				if cur := cost[i0-1][j-1] - u[i0] - v[j]; cur < minv[j] {
					minv[j] = cur
					way[j] = j0
				}
				if minv[j] < delta {
					delta = minv[j]
					j1 = j
				}
			}
			for j := 0; j <= m; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	out := make([]int, n)
	for i := range out {
		out[i] = -1
	}
	for j := 1; j <= m; j++ {
		if p[j] != 0 {
			out[p[j]-1] = j - 1
		}
	}
	return out
}

// Transitions compares two segmentations of (mostly) the same users.
type Transitions struct {
	// Before and After are the segment ids of the two runs, increasing,
	// with the unsegmented group (−1) last when present.
	Before []int `json:"before"`
	After  []int `json:"after"`
	// Counts[i][j] is the number of users in segment Before[i] of the first
	// run and After[j] of the second.
	Counts [][]int `json:"counts"`
	// Match pairs segments of the second run with the segment of the first
	// run they share most users with (Hungarian matching on overlap; pairs
	// with no user in common are left out). The unsegmented groups are
	// matched with each other.
	Match map[int]int `json:"match"`
	// Users is the number of users in both runs; OnlyBefore and OnlyAfter
	// count the users of one run only.
	Users      int `json:"users"`
	OnlyBefore int `json:"only_before"`
	OnlyAfter  int `json:"only_after"`
	// Moves lists the users in both runs whose segment in the second run is
	// not matched with their segment in the first, in user order.
	Moves []Move `json:"moves"`
}

// Move is one user who changed segment between two runs.
type Move struct {
	User   string `json:"user"`
	Before int    `json:"before"`
	After  int    `json:"after"`
}

// Compare builds the transition matrix between two runs' segment labels,
// given as user ids and one label per user, and matches the segments by
// overlap.
func Compare(beforeIDs []string, before []int, afterIDs []string, after []int) (*Transitions, error) {
	if len(beforeIDs) != len(before) {
		return nil, fmt.Errorf("profile: compare: %d user ids and %d labels before", len(beforeIDs), len(before))
	}
	if len(afterIDs) != len(after) {
		return nil, fmt.Errorf("profile: compare: %d user ids and %d labels after", len(afterIDs), len(after))
	}
	prev := make(map[string]int, len(beforeIDs))
	for i, id := range beforeIDs {
		if _, dup := prev[id]; dup {
			return nil, fmt.Errorf("profile: compare: user %q appears twice in the first run", id)
		}
		prev[id] = before[i]
	}
	t := &Transitions{Match: map[int]int{}}
	t.Before = segmentIDs(before)
	t.After = segmentIDs(after)
	bi, ai := indexOf(t.Before), indexOf(t.After)
	t.Counts = make([][]int, len(t.Before))
	for i := range t.Counts {
		t.Counts[i] = make([]int, len(t.After))
	}
	seen := make(map[string]bool, len(afterIDs))
	type pair struct {
		user string
		b, a int
	}
	var both []pair
	for i, id := range afterIDs {
		if seen[id] {
			return nil, fmt.Errorf("profile: compare: user %q appears twice in the second run", id)
		}
		seen[id] = true
		b, ok := prev[id]
		if !ok {
			t.OnlyAfter++
			continue
		}
		t.Users++
		t.Counts[bi[b]][ai[after[i]]]++
		both = append(both, pair{id, b, after[i]})
	}
	t.OnlyBefore = len(prev) - t.Users

	// Match the segments proper by maximum total overlap.
	var rows, cols []int
	for i, id := range t.Before {
		if id != Unsegmented {
			rows = append(rows, i)
		}
	}
	for j, id := range t.After {
		if id != Unsegmented {
			cols = append(cols, j)
		}
	}
	if len(rows) > 0 && len(cols) > 0 {
		cost := make([][]float64, len(cols))
		for c, j := range cols {
			cost[c] = make([]float64, len(rows))
			for r, i := range rows {
				cost[c][r] = -float64(t.Counts[i][j])
			}
		}
		for c, r := range hungarian(cost) {
			if r >= 0 && cost[c][r] < 0 {
				t.Match[t.After[cols[c]]] = t.Before[rows[r]]
			}
		}
	}
	if _, ok := bi[Unsegmented]; ok {
		if _, ok := ai[Unsegmented]; ok {
			t.Match[Unsegmented] = Unsegmented
		}
	}
	sort.Slice(both, func(i, j int) bool { return both[i].user < both[j].user })
	for _, p := range both {
		if m, ok := t.Match[p.a]; !ok || m != p.b {
			t.Moves = append(t.Moves, Move{User: p.user, Before: p.b, After: p.a})
		}
	}
	return t, nil
}

// StableIDs gives the segments of a new run the ids of the previous run's
// segments they overlap most (see Compare): it returns, for every label of
// the new run, its stable id. A new segment matched to none keeps no
// previous id: it gets the next id above every id of either run. The
// unsegmented group keeps −1.
func StableIDs(prevIDs []string, prevLabels []int, ids []string, labels []int) (map[int]int, error) {
	t, err := Compare(prevIDs, prevLabels, ids, labels)
	if err != nil {
		return nil, err
	}
	next := 0
	for _, id := range t.Before {
		next = max(next, id+1)
	}
	for _, id := range t.After {
		next = max(next, id+1)
	}
	out := make(map[int]int, len(t.After))
	for _, a := range t.After {
		if b, ok := t.Match[a]; ok {
			out[a] = b
			continue
		}
		if a == Unsegmented {
			out[a] = Unsegmented
			continue
		}
		out[a] = next
		next++
	}
	return out, nil
}

// segmentIDs returns the distinct labels, increasing, with −1 last.
func segmentIDs(labels []int) []int {
	set := map[int]bool{}
	for _, l := range labels {
		set[l] = true
	}
	out := make([]int, 0, len(set))
	for l := range set {
		out = append(out, l)
	}
	sort.Slice(out, func(a, b int) bool {
		if (out[a] == Unsegmented) != (out[b] == Unsegmented) {
			return out[b] == Unsegmented
		}
		return out[a] < out[b]
	})
	return out
}

func indexOf(ids []int) map[int]int {
	m := make(map[int]int, len(ids))
	for i, id := range ids {
		m[id] = i
	}
	return m
}
