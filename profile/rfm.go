package profile

import (
	"fmt"
	"math"
	"sort"
)

// RFM group names, in the order of the cross-table. GroupNoPurchase holds
// users without a purchase, who get no scores.
const (
	GroupChampions   = "champions"
	GroupLoyal       = "loyal"
	GroupPotential   = "potential loyalists"
	GroupNew         = "new customers"
	GroupPromising   = "promising"
	GroupAttention   = "need attention"
	GroupAboutSleep  = "about to sleep"
	GroupAtRisk      = "at risk"
	GroupCantLose    = "can't lose them"
	GroupHibernating = "hibernating"
	GroupLost        = "lost"
	GroupNoPurchase  = "no purchase"
)

// RFMGroups returns the RFM group names in the order of the cross-table.
func RFMGroups() []string {
	return []string{GroupChampions, GroupLoyal, GroupPotential, GroupNew, GroupPromising, GroupAttention,
		GroupAboutSleep, GroupAtRisk, GroupCantLose, GroupHibernating, GroupLost, GroupNoPurchase}
}

// rfmGrid names the group of every (R, FM) cell: rfmGrid[R-1][FM-1].
func rfmGrid() [5][5]string {
	return [5][5]string{
		{GroupLost, GroupHibernating, GroupAtRisk, GroupAtRisk, GroupCantLose},        // R = 1
		{GroupHibernating, GroupHibernating, GroupAtRisk, GroupAtRisk, GroupCantLose}, // R = 2
		{GroupAboutSleep, GroupAboutSleep, GroupAttention, GroupLoyal, GroupLoyal},    // R = 3
		{GroupPromising, GroupPotential, GroupPotential, GroupLoyal, GroupLoyal},      // R = 4
		{GroupNew, GroupPotential, GroupPotential, GroupChampions, GroupChampions},    // R = 5
	}
}

// RFMScore is one user's recency, frequency and monetary scores (1 to 5,
// 5 best; 0 for users without a purchase) and the named group.
type RFMScore struct {
	R, F, M int
	Group   string
}

// RFMGroup names the group of scores r, f and m (each 1 to 5) from the
// grid in the package documentation: the row is r, the column is
// FM = ⌊(f + m + 1) / 2⌋, the mean of f and m rounded half up.
func RFMGroup(r, f, m int) string {
	if r < 1 || r > 5 || f < 1 || f > 5 || m < 1 || m > 5 {
		return GroupNoPurchase
	}
	return rfmGrid()[r-1][(f+m+1)/2-1]
}

// ScoreRFM scores every user by quintile of recency (days since the last
// purchase; fewer is better), frequency (orders) and monetary value among
// the users with frequency > 0. Users with frequency ≤ 0 get zero scores and
// the group "no purchase".
//
// A score is 1 + ⌊5 · b / n⌋, where n is the number of buyers and b the
// number of buyers strictly worse on that measure (for recency: strictly
// more days). Tied users therefore always share a score, the one of the
// first position of their run, and a long run of ties can skip a score.
func ScoreRFM(recency, frequency, monetary []float64) ([]RFMScore, error) {
	n := len(recency)
	if len(frequency) != n || len(monetary) != n {
		return nil, fmt.Errorf("profile: rfm: %d recencies, %d frequencies and %d monetary values", n, len(frequency), len(monetary))
	}
	var buyers []int
	for i := range n {
		for _, v := range []float64{recency[i], frequency[i], monetary[i]} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("profile: rfm: user %d has a value that is not finite: %v", i, v)
			}
		}
		if frequency[i] > 0 {
			buyers = append(buyers, i)
		}
	}
	out := make([]RFMScore, n)
	for i := range out {
		out[i].Group = GroupNoPurchase
	}
	if len(buyers) == 0 {
		return out, nil
	}
	pick := func(v []float64, sign float64) []float64 {
		s := make([]float64, len(buyers))
		for k, i := range buyers {
			s[k] = sign * v[i]
		}
		return s
	}
	r := quintiles(pick(recency, -1))
	f := quintiles(pick(frequency, 1))
	m := quintiles(pick(monetary, 1))
	for k, i := range buyers {
		out[i] = RFMScore{R: r[k], F: f[k], M: m[k], Group: RFMGroup(r[k], f[k], m[k])}
	}
	return out, nil
}

// quintiles scores v (larger is better) 1 + ⌊5 · (number of strictly
// smaller values) / n⌋.
func quintiles(v []float64) []int {
	n := len(v)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	out := make([]int, n)
	below := 0
	for p, i := range idx {
		if p > 0 && v[i] != v[idx[p-1]] {
			below = p
		}
		out[i] = 1 + 5*below/n
	}
	return out
}

// RFMTable is the cross-table of RFM groups against segments.
type RFMTable struct {
	Groups   []string `json:"groups"`
	Segments []int    `json:"segments"`
	// Counts[i][j] is the number of users of segment Segments[i] in group
	// Groups[j].
	Counts [][]int `json:"counts"`
}

// SegmentRFM is a segment's mean RFM scores over its buyers and its users
// per RFM group.
type SegmentRFM struct {
	Buyers int     `json:"buyers"`
	R      float64 `json:"r"`
	F      float64 `json:"f"`
	M      float64 `json:"m"`
	// Top is the segment's most common RFM group.
	Top string `json:"top_group"`
}
