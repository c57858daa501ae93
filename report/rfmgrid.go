package report

import (
	"fmt"

	pprofile "github.com/persona-seg/persona/profile"
)

// RFMCell is one cell of a segment's RFM grid: its users with recency
// score R and frequency score F (1..5, 5 best, as pprofile.ScoreRFM gives
// them), their mean spend and the RFM group most of them are in.
type RFMCell struct {
	Segment  int // index into Input.Segments
	R, F     int
	Users    int
	Monetary float64 // mean spend of the cell's users
	Group    string  // the most common named RFM group in the cell
}

// RFMGrid scores every user by RFM (pprofile.ScoreRFM on recency in days,
// frequency and monetary value) and counts, per segment (seg[i] indexes
// Input.Segments, k of them), the users in each recency × frequency cell.
// Users without a purchase have no cell. Cells are ordered by segment,
// then R, then F; empty cells are left out.
func RFMGrid(recency, frequency, monetary []float64, seg []int, k int) ([]RFMCell, error) {
	if len(seg) != len(recency) {
		return nil, fmt.Errorf("report: rfm grid: %d segments for %d users", len(seg), len(recency))
	}
	scores, err := pprofile.ScoreRFM(recency, frequency, monetary)
	if err != nil {
		return nil, fmt.Errorf("report: rfm grid: %w", err)
	}
	type cell struct {
		users  int
		spend  float64
		groups map[string]int
	}
	cells := make([][5][5]cell, k)
	for i, s := range scores {
		if s.R < 1 || s.F < 1 || seg[i] < 0 || seg[i] >= k {
			continue
		}
		c := &cells[seg[i]][s.R-1][s.F-1]
		c.users++
		c.spend += monetary[i]
		if c.groups == nil {
			c.groups = map[string]int{}
		}
		c.groups[s.Group]++
	}
	var out []RFMCell
	for g := range cells {
		for r := range 5 {
			for f := range 5 {
				c := cells[g][r][f]
				if c.users == 0 {
					continue
				}
				top, most := "", 0
				for _, name := range pprofile.RFMGroups() { // fixed order breaks ties
					if n := c.groups[name]; n > most {
						top, most = name, n
					}
				}
				out = append(out, RFMCell{Segment: g, R: r + 1, F: f + 1, Users: c.users, Monetary: c.spend / float64(c.users), Group: top})
			}
		}
	}
	return out, nil
}
