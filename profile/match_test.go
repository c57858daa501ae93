package profile

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func assignmentCost(cost [][]float64, a []int) float64 {
	var s float64
	for i, j := range a {
		if j >= 0 {
			s += cost[i][j]
		}
	}
	return s
}

func TestHungarianKnown(t *testing.T) {
	tests := []struct {
		name string
		cost [][]float64
		want []int
	}{
		{"3x3", [][]float64{{4, 1, 3}, {2, 0, 5}, {3, 2, 2}}, []int{1, 0, 2}},
		{"identity is worst", [][]float64{{9, 1}, {1, 9}}, []int{1, 0}},
		{"wide 2x3", [][]float64{{1, 2, 3}, {2, 4, 6}}, []int{1, 0}},
		{"tall 3x2: one row left over", [][]float64{{1, 2}, {2, 4}, {0, 9}}, []int{1, -1, 0}},
		{"negative costs (maximise overlap)", [][]float64{{-5, -1}, {-4, 0}}, []int{0, 1}},
		{"1x1", [][]float64{{3}}, []int{0}},
		{"no columns", [][]float64{{}, {}}, []int{-1, -1}},
		// The greedy choice (row 0 takes its cheapest column 0) is not optimal.
		{"greedy fails", [][]float64{{1, 2}, {1, 100}}, []int{1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, hungarian(tt.cost)); diff != "" {
				t.Errorf("hungarian (-want +got):\n%s", diff)
			}
		})
	}
}

// bruteForce returns the least total cost over all assignments of rows to
// distinct columns (rows ≤ columns).
func bruteForce(cost [][]float64) float64 {
	n, m := len(cost), len(cost[0])
	used := make([]bool, m)
	best := math.Inf(1)
	var rec func(i int, s float64)
	rec = func(i int, s float64) {
		if i == n {
			best = math.Min(best, s)
			return
		}
		for j := 0; j < m; j++ {
			if !used[j] {
				used[j] = true
				rec(i+1, s+cost[i][j])
				used[j] = false
			}
		}
	}
	rec(0, 0)
	return best
}

func TestHungarianMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 300; trial++ {
		n := 1 + rng.IntN(6)
		m := n + rng.IntN(3)
		cost := make([][]float64, n)
		for i := range cost {
			cost[i] = make([]float64, m)
			for j := range cost[i] {
				cost[i][j] = float64(rng.IntN(10)) // small integers: many ties
			}
		}
		a := hungarian(cost)
		seen := map[int]bool{}
		for i, j := range a {
			if j < 0 || j >= m || seen[j] {
				t.Fatalf("trial %d: row %d assigned column %d in %v", trial, i, j, a)
			}
			seen[j] = true
		}
		if got, want := assignmentCost(cost, a), bruteForce(cost); got != want {
			t.Fatalf("trial %d: cost %v, brute force %v for %v", trial, got, want, cost)
		}
	}
}

func TestCompare(t *testing.T) {
	before := []string{"a", "b", "c", "d", "e", "f", "g"}
	bl := []int{0, 0, 1, 1, 2, 2, Unsegmented}
	after := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	al := []int{10, 10, 11, 10, 12, 12, Unsegmented, 11}
	got, err := Compare(before, bl, after, al)
	if err != nil {
		t.Fatal(err)
	}
	want := &Transitions{
		Before: []int{0, 1, 2, Unsegmented},
		After:  []int{10, 11, 12, Unsegmented},
		Counts: [][]int{
			{2, 0, 0, 0},
			{1, 1, 0, 0},
			{0, 0, 2, 0},
			{0, 0, 0, 1},
		},
		Match:      map[int]int{10: 0, 11: 1, 12: 2, Unsegmented: Unsegmented},
		Users:      7,
		OnlyBefore: 0,
		OnlyAfter:  1,
		Moves:      []Move{{User: "d", Before: 1, After: 10}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Compare (-want +got):\n%s", diff)
	}
	if _, err := Compare([]string{"a", "a"}, []int{0, 1}, nil, nil); err == nil {
		t.Error("duplicate user before: no error")
	}
	if _, err := Compare([]string{"a"}, []int{0, 1}, nil, nil); err == nil {
		t.Error("length mismatch: no error")
	}
}

func TestStableIDs(t *testing.T) {
	prevIDs := []string{"a", "b", "c", "d", "e", "f"}
	prev := []int{0, 0, 1, 1, 2, 2}
	tests := []struct {
		name   string
		labels []int
		want   map[int]int
	}{
		{"same segments relabelled", []int{2, 2, 0, 0, 1, 1}, map[int]int{2: 0, 0: 1, 1: 2}},
		// The users regroup into two segments: each keeps the id of the
		// previous segment it shares most users with; id 1 is retired.
		{"merge and split", []int{0, 0, 0, 1, 1, 1}, map[int]int{0: 0, 1: 2}},
		{"a new segment", []int{0, 0, 1, 1, 1, 3}, map[int]int{0: 0, 1: 1, 3: 2}},
		{"noise keeps -1", []int{0, 0, 1, Unsegmented, 2, 2}, map[int]int{0: 0, 1: 1, 2: 2, Unsegmented: Unsegmented}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := StableIDs(prevIDs, prev, prevIDs, tt.labels)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("StableIDs (-want +got):\n%s", diff)
			}
		})
	}
	// Four new segments over three previous ones: the unmatched one gets 4
	// (above the previous 0..2 and the new labels 0..3).
	got, err := StableIDs(prevIDs, prev, prevIDs, []int{0, 0, 1, 3, 2, 2})
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != 0 || got[2] != 2 || got[1]+got[3] != 1+4 {
		t.Errorf("StableIDs = %v, want 0→0, 2→2 and {1, 3} → {1, 4}", got)
	}
}
