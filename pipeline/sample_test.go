package pipeline

import (
	"fmt"
	"slices"
	"testing"
)

// TestSampleRows: the rule takes exactly n users, each activity tier its
// share of n within one user, the same users for the same seed, others
// for another, everyone when n is not below the users.
func TestSampleRows(t *testing.T) {
	const m = 1003
	ids := make([]string, m)
	act := make([]float64, m)
	for i := range ids {
		ids[i] = fmt.Sprintf("u%04d", i)
		act[i] = float64((i * 7919) % 97) // ties across tiers
	}
	for _, n := range []int{1, 10, 99, 250, 1002} {
		rows := sampleRows(ids, act, 1, n)
		if len(rows) != n || !slices.IsSorted(rows) {
			t.Fatalf("n=%d: %d rows, sorted %v", n, len(rows), slices.IsSorted(rows))
		}
		if !slices.Equal(rows, sampleRows(ids, act, 1, n)) {
			t.Errorf("n=%d: another sample for the same seed", n)
		}
		if slices.Equal(rows, sampleRows(ids, act, 2, n)) && n < m-1 {
			t.Errorf("n=%d: the same sample for seeds 1 and 2", n)
		}
		// Tiers as ntile(10) over (activity, hash): count the sample's
		// users in each.
		order := make([]int, m)
		for i := range order {
			order[i] = i
		}
		h := func(i int) string { return sampleHash(1, ids[i]) }
		slices.SortFunc(order, func(a, b int) int {
			if act[a] != act[b] {
				if act[a] < act[b] {
					return -1
				}
				return 1
			}
			if h(a) < h(b) {
				return -1
			}
			return 1
		})
		tierOf := make([]int, m)
		at := 0
		for tier := range sampleTiers {
			nt := m / sampleTiers
			if tier < m%sampleTiers {
				nt++
			}
			for _, i := range order[at : at+nt] {
				tierOf[i] = tier
			}
			at += nt
		}
		got := make([]int, sampleTiers)
		for _, i := range rows {
			got[tierOf[i]]++
		}
		for tier, c := range got {
			nt := m / sampleTiers
			if tier < m%sampleTiers {
				nt++
			}
			want := float64(n) * float64(nt) / m
			if float64(c) < want-1 || float64(c) > want+1 {
				t.Errorf("n=%d: tier %d has %d sampled users, want %.1f±1", n, tier, c, want)
			}
		}
	}
	if rows := sampleRows(ids, nil, 1, m+5); len(rows) != m {
		t.Errorf("n above the users: %d rows, want all %d", len(rows), m)
	}
}
