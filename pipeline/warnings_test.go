package pipeline

import (
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/persona-seg/persona/features"
	"github.com/persona-seg/persona/profile"
)

func TestSegmentWarnings(t *testing.T) {
	// 20 users: frequency 0 for users 0..4 (never bought), events 0 for
	// none.
	tab := &features.Table{Features: []features.Feature{{Name: "frequency", Group: features.GroupTransactions}, {Name: "events", Group: features.GroupEvents}}}
	tab.X = mat.NewDense(20, 2, nil)
	for i := 0; i < 20; i++ {
		if i >= 5 {
			tab.X.Set(i, 0, float64(i))
		}
		tab.X.Set(i, 1, 1)
	}
	seg := func(id, size int, name string) profile.Segment {
		return profile.Segment{ID: id, Name: name, Size: size}
	}
	labelsOf := func(f func(i int) int) []int {
		l := make([]int, 20)
		for i := range l {
			l[i] = f(i)
		}
		return l
	}
	tests := []struct {
		name   string
		labels []int
		segs   []profile.Segment
		want   []string // parts of the warnings, in order
	}{
		{
			name:   "a segment of the users who never bought",
			labels: labelsOf(func(i int) int { return map[bool]int{true: 1, false: 0}[i < 5] }),
			segs:   []profile.Segment{seg(0, 15, "loyal"), seg(1, 5, "ghosts")},
			want:   []string{`segment 1 ("ghosts") is only users who never bought (no order in transactions: 100% of its 5 users, against 0% of the others)`},
		},
		{
			name:   "five who never bought and one buyer: 83% is below 95%",
			labels: labelsOf(func(i int) int { return map[bool]int{true: 1, false: 0}[i < 5 || i == 19] }),
			segs:   []profile.Segment{seg(0, 14, "loyal"), seg(1, 6, "ghosts")},
		},
		{
			name:   "never-bought users spread over the segments",
			labels: labelsOf(func(i int) int { return i % 2 }),
			segs:   []profile.Segment{seg(0, 10, "a"), seg(1, 10, "b")},
		},
		{
			name:   "one segment holds 95%",
			labels: labelsOf(func(i int) int { return map[bool]int{true: 1, false: 0}[i == 19] }),
			segs:   []profile.Segment{seg(0, 19, "everyone"), seg(1, 1, "one")},
			want:   []string{`segment 0 ("everyone") holds 95% of the users`},
		},
		{
			name:   "90% exactly is not more than 90%",
			labels: labelsOf(func(i int) int { return map[bool]int{true: 1, false: 0}[i >= 18] }),
			segs:   []profile.Segment{seg(0, 18, "most"), seg(1, 2, "few")},
		},
		{
			name:   "unsegmented users are not a segment",
			labels: labelsOf(func(i int) int { return map[bool]int{true: -1, false: i % 2}[i < 5] }),
			segs:   []profile.Segment{seg(-1, 5, "unsegmented"), seg(0, 8, "a"), seg(1, 7, "b")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := segmentWarnings(tab, tt.labels, tt.segs)
			if len(got) != len(tt.want) {
				t.Fatalf("warnings %q, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("warning %q, want it to contain %q", got[i], w)
				}
			}
		})
	}
}
